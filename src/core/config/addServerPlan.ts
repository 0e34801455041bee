import { GUID } from '../basics';
import type { AuthDetection } from '../probe/detectAuth';
import { Secret } from '../secret';
import { DEFAULT_KEY_HEADER, serverNameFault, usesEntra, type AuthKind, type ServerNameFault } from '../serverRecord';
import { uniqueName, type UrlAnalysis } from '../url/serverUrl';
import type { ServerDescription } from './serverEntries';
import type { ConfigTargetKind } from './targets';
import type { WizardSignInMethod } from './wizardRoute';

/**
 * What Add Secured MCP Server builds before anything is written, stored or started. The quick input fills it step by
 * step; Add from Azure starts from a prefill; other extensions and tests give a spec. All three start from `newPlan`,
 * and all three are checked by `planProblem`. Pure, so the rules are unit-tested; the adapter turns problems into words.
 */
export interface AddServerPlan {
  rawUrl: string;
  url?: UrlAnalysis;
  /** The detection for `detectedFor`; a new URL needs a new one. */
  detection?: AuthDetection;
  detectedFor?: string;
  name: string;
  auth?: AuthKind;
  keyHeaderName: string;
  key?: Secret;
  tenant: string;
  scopes: string;
  clientId: string;
  /** Chosen in VS Code for the browser only; device code signs in with `clientId`, so it needs one. */
  signInMethod?: WizardSignInMethod;
  target?: ConfigTargetKind;
}

/** A plan whose URL is known: every step after the first, and every plan built from a spec or a prefill. */
export type PlanWithUrl = AddServerPlan & { url: UrlAnalysis };

/** A server to add without the quick input (the `apimMcp.addServer` command given an object). */
export interface AddServerSpec {
  readonly url: string;
  readonly target: ConfigTargetKind;
  readonly name?: string;
  readonly auth?: AuthKind;
  readonly key?: string;
  readonly tenant?: string;
  readonly scopes?: string;
  readonly clientId?: string;
  /** Start it in VS Code afterwards, as the wizard does. */
  readonly start?: boolean;
}

/**
 * What another flow (Add from Azure) already knows: the URL, the auth kind, the key header, the key itself (fetched,
 * never typed or shown) and the Entra fields. The wizard continues from there with its own name, Entra and target steps.
 */
export interface AddServerPrefill {
  readonly url: string;
  readonly name?: string;
  readonly auth: AuthKind;
  readonly keyHeaderName?: string;
  readonly key?: Secret;
  readonly tenant?: string;
  readonly scopes?: string;
  readonly clientId?: string;
}

/** Where a prefilled server goes when no one is asked (the headless Add from Azure). */
export interface HeadlessPlacement {
  readonly target: ConfigTargetKind;
  readonly name?: string;
  readonly start?: boolean;
}

/** What is wrong with a field; the adapter words it (localised), the core only decides. */
export type FieldProblem =
  | { readonly kind: 'nameEmpty' | 'nameTooLong' | 'nameBadCharacter' }
  | { readonly kind: 'tenantEmpty' | 'tenantInvalid' }
  | { readonly kind: 'scopesEmpty' }
  | { readonly kind: 'scopeInvalid'; readonly scope: string }
  | { readonly kind: 'clientIdInvalid' | 'clientIdRequired' };

export interface PlanSeed {
  readonly rawUrl?: string;
  readonly url?: UrlAnalysis;
  readonly detection?: AuthDetection;
  readonly name?: string;
  readonly auth?: AuthKind;
  readonly keyHeaderName?: string;
  readonly key?: Secret;
  readonly tenant?: string;
  readonly scopes?: string;
  readonly clientId?: string;
  readonly target?: ConfigTargetKind;
}

/** The one way a plan starts: what the caller knows, then what detection found, then the defaults. */
export function newPlan(seed: PlanSeed = {}): AddServerPlan {
  const reached = seed.detection?.reached ? seed.detection : undefined;
  return {
    rawUrl: seed.rawUrl ?? seed.url?.href ?? '',
    url: seed.url,
    detection: seed.detection,
    detectedFor: seed.detection && seed.url ? seed.url.href : undefined,
    name: seed.name?.trim() ?? '',
    auth: seed.auth,
    keyHeaderName: seed.keyHeaderName || reached?.keyChallenge?.headerName || DEFAULT_KEY_HEADER,
    key: seed.key,
    tenant: seed.tenant ?? reached?.prm?.tenant ?? '',
    scopes: seed.scopes ?? reached?.prm?.scopes.join(' ') ?? '',
    clientId: seed.clientId ?? '',
    target: seed.target,
  };
}

/** From a spec: the caller's values win, then detection; without either the server is taken to want a key. */
export function planFromSpec(spec: AddServerSpec, url: UrlAnalysis, detection: AuthDetection, takenNames: Iterable<string>): PlanWithUrl {
  const plan = newPlan({
    rawUrl: spec.url,
    url,
    detection,
    name: spec.name?.trim() || uniqueName(url.suggestedName, takenNames),
    auth: spec.auth ?? (detection.reached ? detection.suggestedAuth : 'subscriptionKey'),
    key: spec.key ? Secret.of(spec.key) : undefined,
    tenant: spec.tenant,
    scopes: spec.scopes,
    clientId: spec.clientId,
    target: spec.target,
  });
  return { ...plan, url };
}

/**
 * From a prefill. A name someone will still see in the name step, or a suggested one, is made unique; a name given
 * for a headless add is kept as it is, so a clash is reported where it is saved instead of being renamed silently.
 */
export function planFromPrefill(prefill: AddServerPrefill, url: UrlAnalysis, takenNames: Iterable<string>, headless?: HeadlessPlacement): PlanWithUrl {
  const given = headless?.name?.trim() || prefill.name?.trim() || '';
  const name = !given ? uniqueName(url.suggestedName, takenNames) : headless ? given : uniqueName(given, takenNames);
  const plan = newPlan({ ...prefill, rawUrl: prefill.url, url, name, target: headless?.target });
  return { ...plan, url };
}

/**
 * The URL step was accepted: a different URL forgets the auth kind and the name chosen for the old one; a detection
 * sets the key header and fills the Entra fields that are still empty.
 */
export function acceptUrl(plan: AddServerPlan, rawUrl: string, url: UrlAnalysis): void {
  if (plan.url?.href !== url.href) {
    plan.auth = undefined;
    plan.name = '';
  }
  plan.rawUrl = rawUrl.trim();
  plan.url = url;
  const detection = plan.detection;
  if (!detection?.reached) return;
  plan.keyHeaderName = detection.keyChallenge?.headerName ?? DEFAULT_KEY_HEADER;
  if (detection.prm) {
    plan.tenant ||= detection.prm.tenant ?? '';
    plan.scopes ||= detection.prm.scopes.join(' ');
  }
}

export function hasUrl(plan: AddServerPlan): plan is PlanWithUrl {
  return plan.url !== undefined;
}

/** What the config writers take: the Entra fields only for Entra servers, the scopes normalised. */
export function planDescription(plan: PlanWithUrl): ServerDescription {
  const auth = plan.auth ?? 'none';
  const entra = usesEntra(auth);
  return {
    name: plan.name,
    url: plan.url.href,
    origin: plan.url.origin,
    auth,
    keyHeaderName: plan.keyHeaderName,
    tenant: entra && plan.tenant ? plan.tenant : undefined,
    scopes: entra ? normaliseScopes(plan.scopes) : [],
    clientId: entra && plan.clientId ? plan.clientId : undefined,
    prmValid: plan.detection?.reached === true && plan.detection.prm?.resourceMatches === true,
  };
}

/** The checks a plan must pass before it is saved: the name, then the Entra fields when the server uses Entra. */
export function planProblem(plan: AddServerPlan): FieldProblem | undefined {
  return serverNameProblem(plan.name) ?? (plan.auth && usesEntra(plan.auth) ? entraProblem(plan) : undefined);
}

export function entraProblem(fields: Pick<AddServerPlan, 'tenant' | 'scopes' | 'clientId' | 'signInMethod'>): FieldProblem | undefined {
  return tenantProblem(fields.tenant) ?? scopesProblem(fields.scopes) ?? clientIdProblem(fields.clientId, fields.signInMethod === 'deviceCode');
}

/** Tenant id (GUID), a verified domain, or one of Entra's tenant aliases. */
export function tenantProblem(value: string): FieldProblem | undefined {
  const v = value.trim();
  if (!v) return { kind: 'tenantEmpty' };
  if (GUID.test(v) || /^(organizations|common|consumers)$/i.test(v)) return undefined;
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(v)) return undefined;
  return { kind: 'tenantInvalid' };
}

/**
 * Scopes from what a person typed: space-separated scopes, or an app ID URI / application id alone, which becomes
 * `<resource>/.default` (the API's statically consented permissions).
 */
export function normaliseScopes(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      if (GUID.test(s)) return `${s}/.default`;
      const appIdUri = /^api:\/\/[^/]+\/?$/i.exec(s);
      if (appIdUri) return `${s.replace(/\/$/, '')}/.default`;
      return s;
    });
}

export function scopesProblem(value: string): FieldProblem | undefined {
  const scopes = normaliseScopes(value);
  if (scopes.length === 0) return { kind: 'scopesEmpty' };
  const bad = scopes.find((s) => /\s/.test(s) || s.length > 512);
  return bad ? { kind: 'scopeInvalid', scope: bad } : undefined;
}

/** Optional, unless the sign-in needs the person's own app registration (device code). */
export function clientIdProblem(value: string, required = false): FieldProblem | undefined {
  const v = value.trim();
  if (!v) return required ? { kind: 'clientIdRequired' } : undefined;
  return GUID.test(v) ? undefined : { kind: 'clientIdInvalid' };
}

const NAME_FAULT_PROBLEM: Readonly<Record<ServerNameFault, FieldProblem>> = {
  empty: { kind: 'nameEmpty' },
  tooLong: { kind: 'nameTooLong' },
  badCharacter: { kind: 'nameBadCharacter' },
};

/** A server name as the `apimMcp.servers` schema and the MCP config files accept it (`serverNameFault`). */
export function serverNameProblem(value: string): FieldProblem | undefined {
  const fault = serverNameFault(value);
  return fault && NAME_FAULT_PROBLEM[fault];
}
