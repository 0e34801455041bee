/**
 * The HTML pages the Entra emulator's /authorize shows, in the shape real Entra uses (test/sandbox/FIDELITY.md, Entra
 * rows): HTTP 200, data in a `$Config={…};` script, the AADSTS text only there. The page skeletons are the fixtures in
 * test/fixtures/real/ (the engine's unit tests read the same files); only the `$Config` object is the emulator's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AadError } from './aadsts';

/** test/fixtures/real/entra, found upwards from here (the vscode tier runs this file bundled elsewhere in the repo). */
function realEntraDir(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'test', 'fixtures', 'real', 'entra');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`sandbox: test/fixtures/real/entra not found above ${__dirname}`);
  }
}

const REAL_ENTRA = realEntraDir();
const ERROR_TEMPLATE = skeleton(readFileSync(join(REAL_ENTRA, 'authorize-error-50011.html'), 'utf8'));
const SIGN_IN_TEMPLATE = skeleton(readFileSync(join(REAL_ENTRA, 'authorize-signin.html'), 'utf8'));

/** The fixture without its leading note (a served page starts at `<!DOCTYPE html>`). */
function skeleton(fixture: string): string {
  return fixture.replace(/^<!--[\s\S]*?-->\n/, '');
}

/**
 * JSON as Entra writes it into the page: `'` as \u0027, and `<`, `>`, `&` escaped too, so a value reflected from the
 * request (a redirect URI, a login hint) can never close the script block.
 */
export function entraJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&'\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function withConfig(template: string, config: Record<string, unknown>): string {
  const start = template.indexOf('$Config=');
  const end = template.indexOf('//]]></script>', start);
  if (start < 0 || end < 0) throw new Error('sandbox: page template without a $Config block');
  return `${template.slice(0, start)}$Config=${entraJson(config)};\n${template.slice(end)}`;
}

export interface PageIds {
  readonly traceId: string;
  readonly correlationId: string;
  readonly now: Date;
}

/** The ConvergedError page for an AADSTS error Entra shows instead of redirecting. */
export function errorPageHtml(aad: AadError, ids: PageIds): string {
  return withConfig(ERROR_TEMPLATE, {
    iErrorDesc: 0,
    iErrorTitle: 0,
    strMainMessage: "We couldn't sign you in. Please try again.",
    strServiceExceptionMessage: `AADSTS${aad.code}: ${aad.message}`,
    iErrorCode: aad.code,
    iHttpErrorCode: 400,
    strTraceId: ids.traceId,
    correlationId: ids.correlationId,
    sessionId: ids.traceId,
    strTimestamp: ids.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    pgid: 'ConvergedError',
    urlCdn: '/cdn/',
    iMaxStackForKnockoutAsyncComponents: 10000,
  });
}

export interface SignInPage {
  readonly urlPost: string;
  /** Opaque id of the authorize request waiting for this sign-in. */
  readonly ctx: string;
  readonly flowToken: string;
  readonly correlationId: string;
  readonly loginHint?: string;
  /** Shown when the last attempt named an unknown user. */
  readonly errorText?: string;
}

/** The ConvergedSignIn page: what /authorize shows when nobody is signed in. */
export function signInPageHtml(page: SignInPage): string {
  return withConfig(SIGN_IN_TEMPLATE, {
    fShowPersistentCookiesWarning: false,
    urlMsaSignUp: '',
    urlPost: page.urlPost,
    sCtx: page.ctx,
    sFT: page.flowToken,
    sFTName: 'flowToken',
    ...(page.loginHint ? { sPrefillUsername: page.loginHint } : {}),
    strServiceExceptionMessage: '',
    ...(page.errorText ? { sErrTxt: page.errorText } : {}),
    iErrorCode: 0,
    correlationId: page.correlationId,
    sessionId: page.correlationId,
    pgid: 'ConvergedSignIn',
    urlCdn: '/cdn/',
    iMaxStackForKnockoutAsyncComponents: 10000,
  });
}
