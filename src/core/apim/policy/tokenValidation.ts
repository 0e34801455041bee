/**
 * What an APIM policy says a request must carry, read with the lenient policy reader: the settings of
 * `validate-jwt` (audiences, issuers, openid-config, required-claims, failed-validation-*) and
 * `validate-azure-ad-token` (tenant-id, audiences, client-application-ids, required-claims), and the
 * `forward-request` timeout. Values written as policy expressions (`@(…)`) or named values (`{{…}}`) are not known
 * before the gateway runs, so they are left out. Every value keeps its line, so a diagnosis can quote it.
 */
import { readPolicy, type PolicyDocument, type PolicyElement } from './policyReader';
import { attribute, descendants, elementsNamed, textContent } from './policyQueries';

/** Where a value is written: the 1-based line and that line's text, trimmed. */
export interface PolicyLine {
  readonly line: number;
  readonly text: string;
}

export interface PolicyValue {
  readonly value: string;
  readonly at: PolicyLine;
}

export interface TokenValidationSettings {
  readonly policy: 'validate-jwt' | 'validate-azure-ad-token';
  readonly at: PolicyLine;
  readonly audiences: readonly PolicyValue[];
  readonly issuers: readonly PolicyValue[];
  /** validate-azure-ad-token `tenant-id`, or the tenant segment of validate-jwt's openid-config URL. */
  readonly tenant?: PolicyValue;
  /** validate-jwt `<openid-config url>`; `version` is the issuer its metadata names (2 when the URL has `/v2.0/`). */
  readonly openidConfig?: PolicyValue & { readonly version: 1 | 2 };
  readonly clientApplicationIds: readonly PolicyValue[];
  readonly requiredClaims: readonly { readonly name: string; readonly values: readonly string[]; readonly at: PolicyLine }[];
  readonly failedValidationHttpCode?: PolicyValue;
  readonly failedValidationErrorMessage?: PolicyValue;
}

export interface PolicyExpectations {
  readonly tokenValidations: readonly TokenValidationSettings[];
  readonly forwardRequestTimeout?: PolicyValue;
}

const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

/** A literal the gateway would use as written: no expression, no named value, entities decoded. */
function literal(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (!value || value.includes('@(') || value.includes('@{') || value.includes('{{')) return undefined;
  return value.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function lineOf(doc: PolicyDocument, offset: number): PolicyLine {
  const line = doc.lines.positionAt(offset).line;
  return { line: line + 1, text: doc.text.split(/\r?\n|\r/)[line]!.trim() };
}

function attrValue(doc: PolicyDocument, element: PolicyElement, name: string): PolicyValue | undefined {
  const a = attribute(element, name);
  const value = literal(a?.value);
  return a && value !== undefined ? { value, at: lineOf(doc, a.range.start) } : undefined;
}

function childTexts(doc: PolicyDocument, element: PolicyElement, parent: string, child: string): PolicyValue[] {
  return descendants(element, parent)
    .flatMap((p) => descendants(p, child))
    .flatMap((e) => {
      const value = literal(textContent(e));
      return value === undefined ? [] : [{ value, at: lineOf(doc, e.range.start) }];
    });
}

/** The first path segment of an Entra URL when it names one tenant (not common/organizations/consumers). */
export function tenantOfUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const first = new URL(url).pathname.split('/').filter(Boolean)[0];
    return first && !MULTI_TENANT.has(first.toLowerCase()) ? first : undefined;
  } catch {
    return undefined;
  }
}

function settingsOf(doc: PolicyDocument, element: PolicyElement): TokenValidationSettings {
  const aad = element.name.toLowerCase() === 'validate-azure-ad-token';
  const config = descendants(element, 'openid-config').map((e) => attrValue(doc, e, 'url')).find((v) => v !== undefined);
  const issuers = childTexts(doc, element, 'issuers', 'issuer');
  const configTenant = tenantOfUrl(config?.value);
  const issuerTenant = issuers.map((i) => ({ tenant: tenantOfUrl(i.value), at: i.at })).find((t) => t.tenant);
  const tenant = aad
    ? attrValue(doc, element, 'tenant-id')
    : configTenant && config
      ? { value: configTenant, at: config.at }
      : issuerTenant
        ? { value: issuerTenant.tenant!, at: issuerTenant.at }
        : undefined;
  return {
    policy: aad ? 'validate-azure-ad-token' : 'validate-jwt',
    at: lineOf(doc, element.range.start),
    audiences: childTexts(doc, element, 'audiences', 'audience'),
    issuers,
    tenant,
    openidConfig: config && !aad ? { ...config, version: /\/v2\.0\//.test(config.value) ? 2 : 1 } : undefined,
    clientApplicationIds: childTexts(doc, element, 'client-application-ids', 'application-id'),
    requiredClaims: descendants(element, 'required-claims')
      .flatMap((r) => descendants(r, 'claim'))
      .flatMap((claim) => {
        const name = literal(attribute(claim, 'name')?.value);
        if (!name) return [];
        const values = descendants(claim, 'value').map((v) => literal(textContent(v))).filter((v): v is string => v !== undefined);
        return [{ name, values, at: lineOf(doc, claim.range.start) }];
      }),
    failedValidationHttpCode: attrValue(doc, element, 'failed-validation-httpcode'),
    failedValidationErrorMessage: attrValue(doc, element, 'failed-validation-error-message'),
  };
}

export function readPolicyExpectations(xml: string): PolicyExpectations {
  const doc = readPolicy(xml);
  const [forward] = elementsNamed(doc, 'forward-request');
  return {
    tokenValidations: elementsNamed(doc, 'validate-jwt', 'validate-azure-ad-token').map((e) => settingsOf(doc, e)),
    forwardRequestTimeout: forward ? attrValue(doc, forward, 'timeout') : undefined,
  };
}

/**
 * The policy file that belongs to an MCP server, among workspace files that validate tokens or set a forward-request
 * timeout: the one that names the server best (its full URL in the text, the API path in the file's path, the API
 * path in the text), else the only such file. A tie at the top gives undefined, since judging a token against
 * another API's policy would mislead.
 */
export function policyForServer<T extends { readonly path: string; readonly text: string }>(files: readonly T[], mcpUrl: string): T | undefined {
  let url: URL;
  try {
    url = new URL(mcpUrl);
  } catch {
    return undefined;
  }
  const apiPath = url.pathname.replace(/\/+$/, '').replace(/\/(mcp|sse)$/i, '').split('/').filter(Boolean).pop()?.toLowerCase();
  const score = (f: T): number =>
    (f.text.includes(url.href) ? 4 : 0) +
    (apiPath && f.path.toLowerCase().includes(apiPath) ? 2 : 0) +
    (apiPath && f.text.toLowerCase().includes(`/${apiPath}/`) ? 1 : 0);
  const relevant = files
    .filter((f) => {
      const expectations = readPolicyExpectations(f.text);
      return expectations.tokenValidations.length > 0 || expectations.forwardRequestTimeout !== undefined;
    })
    .map((file) => ({ file, score: score(file) }))
    .sort((a, b) => b.score - a.score);
  const [best, next] = relevant;
  if (!best) return undefined;
  if (best.score === 0) return relevant.length === 1 ? best.file : undefined;
  return next && next.score === best.score ? undefined : best.file;
}
