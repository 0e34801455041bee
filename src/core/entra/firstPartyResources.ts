import { scopeResource } from './authority';

/**
 * Microsoft's own APIs whose tokens must never go to an MCP server: a Resource Manager, Graph, Key Vault or Storage
 * token works against the user's subscriptions, mailbox, vaults and storage accounts, wherever it is presented. A
 * config that names such a scope for a server that is not that API is refused, whoever wrote the config.
 *
 * Resource URIs and app ids per cloud (public, US Government, China, and the retired Germany cloud): azure-cli
 * `azure/cli/core/cloud.py` (endpoints and DNS suffixes), learn.microsoft.com/graph/deployments (Graph national
 * clouds), azure-docs `azure-government/compare-azure-government-global-azure.md` (Key Vault and Storage hosts and
 * service principal ids). Listed in docs/security.md.
 */
export interface FirstPartyResource {
  readonly name: string;
  /** Application ids Entra knows the resource by (a scope may name it as `<app id>/.default`). */
  readonly appIds: readonly string[];
  /** Hosts of the resource's token audience. */
  readonly hosts: readonly string[];
  /** Host suffixes of per-account endpoints that take the same tokens (`<vault>.vault.azure.net`). */
  readonly hostSuffixes: readonly string[];
}

const CLOUD_SUFFIXES = ['core.windows.net', 'core.usgovcloudapi.net', 'core.chinacloudapi.cn', 'core.cloudapi.de'];

export const FIRST_PARTY_RESOURCES: readonly FirstPartyResource[] = [
  {
    name: 'Azure Resource Manager',
    appIds: ['797f4846-ba00-4fd7-ba43-dac1f8f63013'],
    hosts: [
      'management.azure.com',
      'management.core.windows.net',
      'management.usgovcloudapi.net',
      'management.core.usgovcloudapi.net',
      'management.chinacloudapi.cn',
      'management.core.chinacloudapi.cn',
      'management.microsoftazure.de',
      'management.core.cloudapi.de',
    ],
    hostSuffixes: [],
  },
  {
    name: 'Microsoft Graph',
    appIds: ['00000003-0000-0000-c000-000000000000'],
    hosts: ['graph.microsoft.com', 'graph.microsoft.us', 'dod-graph.microsoft.us', 'microsoftgraph.chinacloudapi.cn', 'graph.microsoft.de'],
    hostSuffixes: [],
  },
  {
    name: 'Azure AD Graph',
    appIds: ['00000002-0000-0000-c000-000000000000'],
    hosts: ['graph.windows.net', 'graph.chinacloudapi.cn', 'graph.cloudapi.de'],
    hostSuffixes: [],
  },
  {
    name: 'Azure Key Vault',
    appIds: ['cfa8b339-82a2-471a-a3c9-0fc0be7a4093', '7e7c393b-45d0-48b1-a35e-2905ddf8183c'],
    hosts: ['vault.azure.net', 'vault.usgovcloudapi.net', 'vault.azure.cn', 'vault.microsoftazure.de', 'managedhsm.azure.net', 'managedhsm.usgovcloudapi.net', 'managedhsm.azure.cn'],
    hostSuffixes: ['.vault.azure.net', '.vault.usgovcloudapi.net', '.vault.azure.cn', '.vault.microsoftazure.de', '.managedhsm.azure.net', '.managedhsm.usgovcloudapi.net', '.managedhsm.azure.cn'],
  },
  {
    name: 'Azure Storage',
    appIds: ['e406a681-f3d4-42a8-90b6-c2b029497af1'],
    hosts: ['storage.azure.com'],
    hostSuffixes: ['blob', 'queue', 'table', 'file', 'dfs'].flatMap((service) => CLOUD_SUFFIXES.map((cloud) => `.${service}.${cloud}`)),
  },
];

/** Scopes that are not a resource's: OpenID Connect's own. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

function hostOf(resource: string): string | undefined {
  try {
    return new URL(resource).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

function matchesHost(resource: FirstPartyResource, host: string): boolean {
  return resource.hosts.includes(host) || resource.hostSuffixes.some((suffix) => host.endsWith(suffix));
}

/**
 * The first-party API a scope asks for, if any: by resource URI (`https://management.azure.com/.default`), by app id
 * (`00000003-…/User.Read`), or a bare permission such as `User.Read`, which Entra reads as a Microsoft Graph scope.
 */
export function firstPartyResourceOf(scope: string): FirstPartyResource | undefined {
  const value = scope.trim();
  if (!value || OIDC_SCOPES.has(value.toLowerCase()) || value.startsWith('VSCODE_')) return undefined;
  const resource = scopeResource(value);
  const id = (resource ?? value).toLowerCase();
  const byAppId = FIRST_PARTY_RESOURCES.find((r) => r.appIds.some((appId) => id === appId || id.startsWith(`${appId}/`)));
  if (byAppId) return byAppId;
  if (resource === undefined && !value.includes('/') && !value.includes(':')) return FIRST_PARTY_RESOURCES.find((r) => r.name === 'Microsoft Graph');
  const host = hostOf(resource ?? value);
  return host === undefined ? undefined : FIRST_PARTY_RESOURCES.find((r) => matchesHost(r, host));
}

/**
 * Why a server may not have tokens for these scopes, or undefined. A first-party scope is allowed only for a server
 * that is that API itself; for anything else (an MCP server, or a URL an untrusted config chose) it is refused.
 */
export function firstPartyScopeProblem(scopes: readonly string[], serverUrl: string): string | undefined {
  const serverHost = hostOf(serverUrl);
  for (const scope of scopes) {
    const resource = firstPartyResourceOf(scope);
    if (resource && !(serverHost !== undefined && matchesHost(resource, serverHost))) {
      return `The scope "${scope}" asks for a token for ${resource.name}, which would let ${serverHost ?? 'this server'} act on your behalf in ${resource.name}. Use the scope of the MCP server's own API (api://<app-id>/.default or its Application ID URI).`;
    }
  }
  return undefined;
}
