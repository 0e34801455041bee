// This bundle's copy of @vscode/l10n takes the translations the extension was given (dist/diagnosis.js loads late).
import '../text/coreL10n';
import { claimList } from '../entra/jwt';
import type { Secret } from '../secret';
import { secretValueProblem } from '../secrets/secretValue';
import { redactUrl } from '../secrets/urlRedaction';
import type { TimelineEntry } from '../probe/timeline';
import { sortFindings, type Finding } from './finding';
import { observe, type DiagnoseInput, type DiagnoseOptions, type Observations } from './observe';
import { findingTraits, type ServerTraits } from '../clients/verdicts';
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
  /** What each client's own discovery rules will meet at this server (for the per-client verdicts). */
  readonly traits?: ServerTraits;
}

/** login.microsoftonline.com: VS Code hands these authorities to its Microsoft sign-in (its authorizationServerGlobs). */
const ENTRA_HOSTS = new Set(['login.microsoftonline.com']);

function serverTraits(obs: Observations, findings: readonly Finding[]): ServerTraits {
  const resource = obs.prm?.document?.resource;
  let resourceExact = false;
  try {
    resourceExact = typeof resource === 'string' && new URL(resource).toString() === obs.url.toString();
  } catch {
    resourceExact = false;
  }
  let entraAuthority: boolean | undefined;
  try {
    entraAuthority = obs.authServer ? ENTRA_HOSTS.has(new URL(obs.authServer.authorizationServer).hostname) : undefined;
  } catch {
    entraAuthority = false;
  }
  return {
    keyHeader: obs.challenge?.apimKey?.name ?? obs.authChallenge?.apimKey?.name,
    resourceMetadata: Boolean(obs.challenge?.bearer?.resourceMetadata),
    prm: obs.prm?.document ? { resourceExact } : undefined,
    dynamicRegistration: obs.authServer?.metadata ? typeof obs.authServer.metadata.registration_endpoint === 'string' : undefined,
    entraAuthority,
    ...findingTraits(findings),
  };
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
    traits: serverTraits(obs, findings),
  };
}

