import type { Secret } from '../secret';
import type { BoundSecretLookup } from './secretBinding';

/**
 * Environment variable names for keys referenced from `.mcp.json` / Copilot CLI configs, which cannot use
 * `${input:}`. The extension fills them in VS Code terminals from SecretStorage (non-persistent
 * `environmentVariableCollection`); outside VS Code the user exports them.
 */
export const KEY_ENV_PREFIX = 'APIM_MCP_KEY_';

/**
 * `APIM_MCP_KEY_<NAME>`: the server name upper-cased, every run of characters outside `[A-Z0-9]` turned into one `_`.
 * Deterministic, and valid in every shell (`[A-Z_][A-Z0-9_]*`). Distinct names can map to the same variable
 * (`my-api` / `my api`); `configEditor` refuses a second server whose variable is already used in the file.
 */
export function keyEnvVarName(serverName: string): string {
  const body = serverName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return KEY_ENV_PREFIX + (body || 'SERVER');
}

/** `APIM_MCP_TOKEN_<NAME>`, for a bearer token moved out of a portable config by the plaintext-key lint. */
export function tokenEnvVarName(serverName: string): string {
  return 'APIM_MCP_TOKEN_' + keyEnvVarName(serverName).slice(KEY_ENV_PREFIX.length);
}

export const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The `${VAR}` reference written into a header value (Copilot CLI expands `$VAR`, `${VAR}`, `${VAR:-default}`). */
export function envReference(varName: string): string {
  return '${' + varName + '}';
}

/** The variable a header value refers to when it is exactly one `${VAR}`, `${VAR:-default}` or `$VAR` reference. */
export function parseEnvReference(value: string): string | undefined {
  const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}$/.exec(value) ?? /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(value);
  return m?.[1];
}

/** A config file's server whose header refers to one of our key variables. */
export interface TerminalKeyBinding {
  readonly envVar: string;
  readonly serverName: string;
  /** Origin of the URL that config sends the header to. */
  readonly origin: string;
}

/** Bindings from servers read out of `.mcp.json` / Copilot CLI configs (see `readConfiguredServers`). */
export function terminalKeyBindings(servers: readonly { name: string; url?: string; envRefs: readonly string[] }[]): TerminalKeyBinding[] {
  const bindings: TerminalKeyBinding[] = [];
  for (const server of servers) {
    let origin: string;
    try {
      origin = new URL(server.url ?? '').origin;
    } catch {
      continue;
    }
    for (const envVar of server.envRefs) {
      if (envVar.startsWith(KEY_ENV_PREFIX)) bindings.push({ envVar, serverName: server.name, origin });
    }
  }
  return bindings;
}

export type WithheldReason = 'missing' | 'originMismatch' | 'conflictingOrigins';

export interface TerminalEnvironment {
  /** Variables to set; the adapter reveals each only when calling `environmentVariableCollection.replace`. */
  readonly env: ReadonlyMap<string, Secret>;
  /** Variables left unset, and why, so the adapter can say so instead of failing silently. */
  readonly withheld: readonly { envVar: string; reason: WithheldReason; origins: readonly string[] }[];
}

/**
 * Which key variables to put into VS Code terminals. A terminal variable reaches every config that names it, so a
 * key is set only when every config using the variable points at the origin the key was stored for.
 */
export function terminalEnvironment(
  bindings: readonly TerminalKeyBinding[],
  lookup: (serverName: string, origin: string) => BoundSecretLookup,
): TerminalEnvironment {
  const groups = new Map<string, TerminalKeyBinding[]>();
  for (const b of bindings) groups.set(b.envVar, [...(groups.get(b.envVar) ?? []), b]);
  const env = new Map<string, Secret>();
  const withheld: { envVar: string; reason: WithheldReason; origins: string[] }[] = [];
  for (const [envVar, group] of groups) {
    const origins = [...new Set(group.map((b) => b.origin))];
    if (origins.length > 1) {
      withheld.push({ envVar, reason: 'conflictingOrigins', origins });
      continue;
    }
    const result = lookup(group[0]!.serverName, origins[0]!);
    if (result.kind === 'found' && !result.secret.isEmpty) env.set(envVar, result.secret);
    else withheld.push({ envVar, reason: result.kind === 'originMismatch' ? 'originMismatch' : 'missing', origins });
  }
  return { env, withheld };
}
