import type { ConfigTargetKind } from './targets';
import { parseServerUrl } from '../serverRecord';
import { ENV_VAR_NAME, KEY_ENV_PREFIX } from '../secrets/envVars';

/**
 * Which secrets may be used for a server found in a config source, decided once before a diagnosis or a start.
 *
 * - A server defined by the workspace (its `.vscode/mcp.json` or root `.mcp.json`) names the URL its credentials go
 *   to. In Restricted Mode the folder is not trusted, so nothing secret is read or sent for it: no stored key, no
 *   environment variable, no token, not even one pasted for the run.
 * - Environment variables: only `APIM_MCP_KEY_*`, the names this extension fills itself, and only in a trusted window.
 *   A header `${GITHUB_TOKEN}` must not turn the extension host's environment into a key sent to the file's URL.
 * - File URLs get the wizard's rule: https, or http to a loopback address. Secrets never cross a network in clear.
 */
export type CredentialRefusal = 'restrictedMode' | 'insecureUrl';

export interface CredentialAccess {
  /** Whether any secret (stored key, environment key, token, pasted token) may be used for this server. */
  readonly allowed: boolean;
  readonly refusal?: CredentialRefusal;
  /** The environment variable the key may be read from, when the entry names one that may be read. */
  readonly keyEnvVar?: string;
  /** A variable the key refers to that is not read, and why: not one of ours, or the window is not trusted. */
  readonly envVarIgnored?: { readonly name: string; readonly why: 'notKeyVariable' | 'restrictedMode' };
}

/** Config files that belong to the workspace folder (and so to whoever wrote the folder). */
export const WORKSPACE_SOURCES: ReadonlySet<ConfigTargetKind> = new Set<ConfigTargetKind>(['workspaceMcpJson', 'rootDotMcpJson']);

/** True for `APIM_MCP_KEY_<NAME>`: the only environment variables a key is read from. */
export function isKeyEnvVar(name: string): boolean {
  return name.startsWith(KEY_ENV_PREFIX) && name.length > KEY_ENV_PREFIX.length && ENV_VAR_NAME.test(name);
}

export function credentialAccess(
  entry: { readonly source: ConfigTargetKind; readonly url: string; readonly keyEnvVar?: string },
  workspaceTrusted: boolean,
): CredentialAccess {
  if (WORKSPACE_SOURCES.has(entry.source) && !workspaceTrusted) return { allowed: false, refusal: 'restrictedMode' };
  if (!parseServerUrl(entry.url).ok) return { allowed: false, refusal: 'insecureUrl' };
  const name = entry.keyEnvVar;
  if (name === undefined) return { allowed: true };
  if (!workspaceTrusted) return { allowed: true, envVarIgnored: { name, why: 'restrictedMode' } };
  if (!isKeyEnvVar(name)) return { allowed: true, envVarIgnored: { name, why: 'notKeyVariable' } };
  return { allowed: true, keyEnvVar: name };
}
