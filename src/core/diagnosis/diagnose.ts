import { claimList } from '../entra/jwt';
import { redactSecrets, Secret } from '../secret';
import { redactUrl } from '../probe/probeHttpClient';
import type { TimelineEntry } from '../probe/timeline';
import { sortFindings, type Finding } from './finding';
import { observe, type DiagnoseInput, type DiagnoseOptions } from './observe';
import { evaluate } from './rules';

export interface RoleMatrixRow {
  readonly tool: string;
  readonly requiredRole?: string;
  readonly granted?: boolean;
}

export interface Diagnosis {
  readonly server: { readonly url: string; readonly origin: string };
  readonly findings: readonly Finding[];
  readonly timeline: readonly TimelineEntry[];
  /** Decoded claims of the token that would be sent; the signature is never kept. */
  readonly tokenClaims?: Readonly<Record<string, unknown>>;
  readonly tools?: readonly string[];
  readonly roleMatrix?: readonly RoleMatrixRow[];
}

/** Every secret the run knows, including a token's signature alone (a server might echo just that part). */
function knownSecrets(input: DiagnoseInput): Secret[] {
  const secrets: Secret[] = [];
  if (input.subscriptionKey) secrets.push(input.subscriptionKey);
  if (input.accessToken) {
    secrets.push(input.accessToken);
    const parts = input.accessToken.reveal().replace(/^Bearer\s+/i, '').split('.');
    if (parts.length === 3 && parts[2]!.length >= 8) secrets.push(Secret.of(parts[2]!));
  }
  return secrets;
}

function redactDeep<T>(value: T, secrets: readonly Secret[]): T {
  if (typeof value === 'string') return redactSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets)) as T;
  if (value && typeof value === 'object' && !(value instanceof Secret)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, secrets)])) as T;
  }
  return value;
}

/**
 * Diagnoses one APIM-fronted MCP server: runs the probe plan, applies the rules, and returns findings and the
 * timeline with every known secret value replaced by `***`, so the result can be shown, logged or exported.
 */
export async function diagnose(input: DiagnoseInput, options: DiagnoseOptions): Promise<Diagnosis> {
  const obs = await observe(input, options);
  const findings = sortFindings(evaluate(obs));
  const claims = obs.token?.ok ? obs.token.token.claims : undefined;
  const tools = obs.authenticated?.tools?.map((t) => t.name) ?? obs.unauthenticated.tools?.map((t) => t.name);
  let roleMatrix: RoleMatrixRow[] | undefined;
  if (input.toolRoles) {
    const accepted = Boolean(obs.authenticated?.initialized);
    const roles = claims && accepted ? claimList(claims, 'roles') ?? [] : undefined;
    roleMatrix = (tools ?? Object.keys(input.toolRoles)).map((tool) => {
      const requiredRole = input.toolRoles![tool];
      return { tool, requiredRole, granted: requiredRole && roles ? roles.includes(requiredRole) : requiredRole ? undefined : true };
    });
  }
  const url = new URL(input.url);
  const result: Diagnosis = {
    server: { url: redactUrl(url.href), origin: url.origin },
    findings,
    timeline: obs.timeline.entries(),
    tokenClaims: claims,
    tools,
    roleMatrix,
  };
  return redactDeep(result, knownSecrets(input));
}

