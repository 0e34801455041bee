import type { ConfigTargetKind } from '../config/targets';
import type { AuthKind } from '../serverRecord';
import { usesEntra, usesSubscriptionKey } from '../serverRecord';

/**
 * Whether each MCP client will connect to a server, for every config source the server appears in, following that
 * client's own rules (test/sandbox/FIDELITY.md "Clients", research real-behaviour items 14–25). Pure: the adapter
 * and the CLI gather the sightings and the environment; the diagnosis gives the server's traits.
 */
export type ClientKind = 'vscode' | 'claudeCode' | 'copilotCli' | 'inspector';

export const CLIENT_LABELS: Readonly<Record<ClientKind, string>> = {
  vscode: 'VS Code',
  claudeCode: 'Claude Code',
  copilotCli: 'Copilot CLI',
  inspector: 'MCP Inspector',
};

/** One server entry as written in one config source. */
export interface ServerSighting {
  readonly source: ConfigTargetKind;
  readonly name: string;
  readonly auth: AuthKind;
  readonly keyHeaderName: string;
  /** How the key is supplied: SecretStorage (the extension), a `${input:}` prompt, a `${VAR}` reference, or plaintext. */
  readonly keySupply?: 'secretStorage' | 'input' | 'env' | 'plaintext';
  /** The variable a `${VAR}` key header names. */
  readonly envVar?: string;
  /** `oauth.clientId` (VS Code, Claude Code) and `oauthClientId` (Copilot CLI), as written. */
  readonly oauthClientId?: string;
  readonly flatOauthClientId?: string;
  /** The raw `tools` value of an `mcpServers` entry, when present. */
  readonly tools?: unknown;
}

/** What the diagnosis learned about the server itself. */
export interface ServerTraits {
  /** The header APIM names in its key challenge (`name=`), when it sent one. */
  readonly keyHeader?: string;
  /** A Bearer challenge names `resource_metadata`. */
  readonly resourceMetadata: boolean;
  /** Protected-resource metadata was found; whether its `resource` equals the MCP URL exactly. */
  readonly prm?: { readonly resourceExact: boolean };
  /** The authorization server offers dynamic client registration (`registration_endpoint`). */
  readonly dynamicRegistration?: boolean;
  /** The authorization server is Microsoft Entra ID (VS Code hands it to its Microsoft sign-in, no DCR). */
  readonly entraAuthority?: boolean;
  /** The gateway answered 403 (quota, ip-filter). */
  readonly forbidden: boolean;
  /** Error findings no client config can fix (network, path, policy…): their titles. */
  readonly blocking: readonly string[];
}

export interface ClientEnvironment {
  /** Whether the variable is set where this client runs; undefined when that cannot be known (another shell). */
  isSet(name: string): boolean | undefined;
  /** Whether the extension sets the variable in VS Code terminals. */
  inVsCodeTerminals(name: string): boolean;
}

export type VerdictOutcome = 'connects' | 'actionNeeded' | 'signIn' | 'fails';

export interface ClientVerdict {
  readonly client: ClientKind;
  readonly source: ConfigTargetKind;
  readonly outcome: VerdictOutcome;
  /** One sentence, starting with the client's name: "Claude Code: will connect once APIM_MCP_KEY_X is set". */
  readonly text: string;
}

/** Which clients read a config source (FIDELITY.md C1, C13; research §1.1, §1.5). */
export function readersOf(source: ConfigTargetKind): ClientKind[] {
  switch (source) {
    case 'extension':
    case 'workspaceMcpJson':
    case 'userMcpJson':
      return ['vscode'];
    case 'rootDotMcpJson':
      // VS Code 1.139 lists a workspace folder's root .mcp.json too (FIDELITY.md K2).
      return ['claudeCode', 'copilotCli', 'inspector', 'vscode'];
    case 'copilotCli':
      return ['copilotCli', 'inspector'];
  }
}

/** A verdict before the client's name is put in front of it. */
type Said = { outcome: VerdictOutcome; text: string };

const connects = (text: string): Said => ({ outcome: 'connects', text });
const fails = (text: string): Said => ({ outcome: 'fails', text });

/** Problems every client shares: the server itself, and a key sent under another header than APIM reads. */
function commonProblem(client: ClientKind, s: ServerSighting, server: ServerTraits): Said | undefined {
  if (server.blocking.length > 0) return fails(`will not connect: ${server.blocking[0]}`);
  // VS Code has its own way to fail on a 403 (vscodeVerdict).
  if (server.forbidden && client !== 'vscode') return fails('will not connect: the gateway answers 403 (quota or ip-filter)');
  if (usesSubscriptionKey(s.auth) && server.keyHeader && server.keyHeader.toLowerCase() !== s.keyHeaderName.toLowerCase()) {
    return fails(`will not connect: it sends the key in ${s.keyHeaderName}, APIM reads it from ${server.keyHeader}`);
  }
  return undefined;
}

/** A `${VAR}` key as a CLI client expands it: set, unset, or unknown in the shell the client runs from. */
function envKey(s: ServerSighting, env: ClientEnvironment): Said | undefined {
  if (!usesSubscriptionKey(s.auth) || s.keySupply !== 'env' || !s.envVar) return undefined;
  const terminals = env.inVsCodeTerminals(s.envVar) ? ' (VS Code terminals have it)' : '';
  const set = env.isSet(s.envVar);
  if (set === true) return undefined;
  if (set === false) return { outcome: 'actionNeeded', text: `will connect once ${s.envVar} is set${terminals}; unset, it sends \${${s.envVar}} as the key and APIM refuses it` };
  return { outcome: 'actionNeeded', text: `will connect where ${s.envVar} is set${terminals}` };
}

function vscodeVerdict(s: ServerSighting, server: ServerTraits, clientIdFix = 'set oauth.clientId'): Said {
  if (server.forbidden) return fails('will ask for a sign-in that cannot help: it treats the gateway\'s 403 like a 401');
  if (usesEntra(s.auth)) {
    if (!server.resourceMetadata && !server.prm) return fails('will prompt "Dynamic Client Registration not supported": the 401 names no protected-resource metadata');
    if (server.prm && !server.prm.resourceExact) return fails('will not sign in: the metadata\'s resource is not exactly the server URL');
    if (s.oauthClientId) return { outcome: 'signIn', text: `will sign in with client ${s.oauthClientId}` };
    if (server.entraAuthority) return { outcome: 'signIn', text: 'will sign in with VS Code\'s own client id (aebc6443-996d-45c2-90f0-388ff96faa56): the API must pre-authorize it' };
    if (!server.dynamicRegistration) return { outcome: 'actionNeeded', text: `will prompt for a client id (no DCR); ${clientIdFix}` };
    return { outcome: 'signIn', text: 'will register itself with the authorization server and sign in' };
  }
  if (s.keySupply === 'input') return connects('will connect; it asks for the key once and keeps it encrypted');
  if (s.keySupply === 'plaintext') return connects('will connect, but the key is in plain text in the file');
  return connects('will connect');
}

/**
 * VS Code's reading of a root `.mcp.json` (FIDELITY.md K2): it takes each server's url and headers as written, with no
 * variable replacement and no `oauth` block, so a `${VAR}` key goes out as that text and APIM refuses it.
 */
function vscodeDotMcpVerdict(s: ServerSighting, server: ServerTraits): Said {
  if (!server.forbidden && usesSubscriptionKey(s.auth) && s.keySupply === 'env' && s.envVar) {
    return fails(`lists this server from .mcp.json too and sends \${${s.envVar}} as the key (it expands no variables there), which APIM refuses`);
  }
  return vscodeVerdict({ ...s, oauthClientId: undefined }, server, 'type it when asked (an oauth block in .mcp.json is not read)');
}

function claudeVerdict(s: ServerSighting, env: ClientEnvironment): Said {
  if (s.tools !== undefined && !(Array.isArray(s.tools) && s.tools.every((t) => typeof t === 'object' && t !== null))) {
    return fails('skips this server: "tools" must be a list of objects (remove "tools": ["*"])');
  }
  const key = envKey(s, env);
  if (key) return key;
  if (usesEntra(s.auth)) {
    // Inferred from what it does on a key 401 and where it reads the client id (FIDELITY.md K10): not run against Entra ID.
    if (!s.oauthClientId) return fails('is expected to try dynamic client registration (inferred, not run), which Entra ID does not offer; set oauth.clientId');
    return { outcome: 'signIn', text: `needs "claude mcp login ${s.name}"; Claude Code 2.1.328 redeems the code without a scope, which Entra ID refuses (anthropics/claude-code#69547)` };
  }
  return connects('will connect');
}

function copilotVerdict(s: ServerSighting, env: ClientEnvironment): Said {
  const key = envKey(s, env);
  if (key) return key;
  const trust = s.source === 'rootDotMcpJson' ? ' in a trusted folder (--trust-folder)' : '';
  if (usesEntra(s.auth)) {
    if (!s.flatOauthClientId) return fails('will try dynamic client registration, which Entra ID does not offer; set oauthClientId');
    return { outcome: 'signIn', text: `needs a sign-in first (/mcp in an interactive session${trust}); prompt mode (-p) cannot sign in` };
  }
  return connects(`will connect${trust}`);
}

function inspectorVerdict(s: ServerSighting): Said {
  if (usesEntra(s.auth)) return { outcome: 'actionNeeded', text: 'needs a token: --header "Authorization: Bearer …", or its OAuth flow in a terminal' };
  if (s.keySupply === 'env' && s.envVar) {
    return { outcome: 'actionNeeded', text: `--config sends \${${s.envVar}} literally; use --cli <url> --header "${s.keyHeaderName}: $${s.envVar}"` };
  }
  return connects('will connect with --config');
}

/** The verdict of every client that reads each sighting's source. */
export function clientVerdicts(sightings: readonly ServerSighting[], server: ServerTraits, env: ClientEnvironment): ClientVerdict[] {
  const verdicts: ClientVerdict[] = [];
  for (const s of sightings) {
    for (const client of readersOf(s.source)) {
      const said =
        commonProblem(client, s, server) ??
        (client === 'vscode' ? (s.source === 'rootDotMcpJson' ? vscodeDotMcpVerdict(s, server) : vscodeVerdict(s, server)) : client === 'claudeCode' ? claudeVerdict(s, env) : client === 'copilotCli' ? copilotVerdict(s, env) : inspectorVerdict(s));
      verdicts.push({ client, source: s.source, outcome: said.outcome, text: `${CLIENT_LABELS[client]}: ${said.text}` });
    }
  }
  return verdicts;
}

/** Findings about the server itself: no client's config can get past them. */
const BLOCKING = /^(net\.|mcp\.url\.|mcp\.response\.|mcp\.server\.|apim\.path\.|apim\.rateLimited|apim\.policy\.|apim\.forbidden$)/;
const FORBIDDEN = new Set(['apim.quota.exceeded', 'apim.ipFilter.forbidden']);

/** The findings-derived part of ServerTraits (the diagnosis adds what it saw of challenges and metadata). */
export function findingTraits(findings: readonly { id: string; severity: string; title: string }[]): Pick<ServerTraits, 'blocking' | 'forbidden'> {
  return {
    blocking: findings.filter((f) => f.severity === 'error' && BLOCKING.test(f.id)).map((f) => f.title),
    forbidden: findings.some((f) => FORBIDDEN.has(f.id)),
  };
}
