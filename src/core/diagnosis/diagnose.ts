import { claimList } from '../entra/jwt';
import type { Secret } from '../secret';
import { secretValueProblem } from '../secrets/secretValue';
import { redactUrl } from '../secrets/urlRedaction';
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

/** The entry points refuse such secrets already; this keeps any other caller from building a header out of one. */
function unsendableSecret(input: DiagnoseInput): string | undefined {
  const given: [Secret | undefined, string][] = [[input.subscriptionKey, 'The subscription key'], [input.accessToken, 'The access token']];
  for (const [secret, what] of given) {
    const problem = secret && secretValueProblem(secret.reveal(), what);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Diagnoses one APIM-fronted MCP server: runs the probe plan, applies the rules, and returns findings and the
 * timeline, ready to be shown, logged or exported. Secrets are never in it: the probe client redacts every answer as
 * it captures it (probeHttpClient.ts), before any rule quotes or cuts a word of it.
 */
export async function diagnose(input: DiagnoseInput, options: DiagnoseOptions): Promise<Diagnosis> {
  const problem = unsendableSecret(input);
  if (problem) throw new Error(problem);
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
  return {
    server: { url: redactUrl(url.href), origin: url.origin },
    findings,
    timeline: obs.timeline.entries(),
    tokenClaims: claims,
    tools,
    roleMatrix,
  };
}

