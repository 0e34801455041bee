import { readFileSync } from 'node:fs';
import type { ClientSetup, Sandbox, Scenario } from '../../sandbox/index';
import { expectFromPolicy, type DiagnoseInput } from '../../../src/core/diagnosis';
import { readPolicyExpectations } from '../../../src/core/apim/policy/tokenValidation';
import { createNodeFetch, type NodeFetch } from '../../../src/core/probe/nodeFetch';
import { Secret } from '../../../src/core/secret';

/** Turns the sandbox's `client` section into the diagnosis input: what the client under test holds. */
export async function inputFor(sb: Sandbox): Promise<DiagnoseInput> {
  return inputFromClient(await sb.client(), sb.scenario, sb.policyXml());
}

/** The client's setup, and what the gateway's policy (read as a policy file would be) expects of its token. */
export function inputFromClient(client: ClientSetup, scenario: Scenario, policy?: string): DiagnoseInput {
  const keyHeader = Object.keys(client.headers).find((h) => h.toLowerCase() !== 'authorization');
  const auth = client.headers['Authorization'];
  return {
    url: client.url,
    auth: client.auth,
    keyHeaderName: keyHeader ?? scenario.client.keyHeaderName,
    subscriptionKey: keyHeader ? Secret.of(client.headers[keyHeader]!) : undefined,
    accessToken: auth ? Secret.of(auth.replace(/^Bearer\s+/, '')) : undefined,
    signIn: client.signIn?.redirectUri
      ? { clientId: client.signIn.clientId, redirectUris: [client.signIn.redirectUri], scopes: client.signIn.scopes, authority: client.signIn.authority }
      : undefined,
    toolRoles: singleRoleMap(scenario.gateway.toolRoles?.map),
    expect: policy === undefined ? undefined : expectFromPolicy(readPolicyExpectations(policy), 'policy.xml'),
  };
}

/** The diagnosis checks one required role per tool; the scenarios' maps name one role per tool. */
function singleRoleMap(map: Record<string, string | string[]> | undefined): Record<string, string> | undefined {
  if (!map) return undefined;
  return Object.fromEntries(
    Object.entries(map).map(([tool, roles]) => {
      if (Array.isArray(roles) && roles.length !== 1) throw new Error(`scenario tool ${tool} names ${roles.length} roles; the diagnosis takes one`);
      return [tool, Array.isArray(roles) ? roles[0]! : roles];
    }),
  );
}

export function sandboxFetch(sb: Sandbox): NodeFetch {
  return createNodeFetch({ extraCaPem: [readFileSync(sb.endpoints.caCertPath, 'utf8')], keepAlive: true });
}
