/**
 * Reads the pages login.microsoftonline.com answers `/authorize` with. They are built by script: the data sits in a
 * `$Config={…};` JSON object inside a `<script>` block (the same object public tools such as ROADtools read, between
 * `$Config=` and `//]]></script>`), not in the HTML text. An error page is HTTP 200 with PageID `ConvergedError` and
 * the AADSTS text in `strServiceExceptionMessage` (quotes escaped as `\u0027`, undone by JSON.parse); the sign-in page
 * shown when nobody is signed in is `ConvergedSignIn`. Sources: test/sandbox/FIDELITY.md (Entra rows).
 *
 * The scan is linear and capped: one pass over at most MAX_PAGE characters to find the object's end, then one JSON.parse.
 */
export interface EntraPage {
  /** `pgid` in `$Config` (or the `PageID` meta tag): `ConvergedError`, `ConvergedSignIn`, … */
  readonly pageId?: string;
  /** `iErrorCode` (a number on real pages; some tools show it as a string). */
  readonly errorCode?: number;
  /** `strServiceExceptionMessage`: `AADSTS50011: The redirect URI '…' …`, unescaped. */
  readonly serviceMessage?: string;
  /** `urlPost`: where the sign-in form posts the user name. */
  readonly postUrl?: string;
  readonly config?: Readonly<Record<string, unknown>>;
}

const MAX_PAGE = 2 * 1024 * 1024;
const MAX_CONFIG = 1024 * 1024;
const SIGN_IN_PAGES = new Set(['ConvergedSignIn', 'ConvergedChooseAccount']);

/** The `$Config` object of an Entra page, or undefined when there is none (or it is not a JSON object). */
export function configObjectOf(html: string): Record<string, unknown> | undefined {
  const text = html.length > MAX_PAGE ? html.slice(0, MAX_PAGE) : html;
  const marker = text.indexOf('$Config=');
  if (marker < 0) return undefined;
  let start = marker + '$Config='.length;
  while (start < text.length && (text[start] === ' ' || text[start] === '\n' || text[start] === '\r' || text[start] === '\t')) start++;
  if (text[start] !== '{') return undefined;
  const end = objectEnd(text, start, Math.min(text.length, start + MAX_CONFIG));
  if (end < 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(text.slice(start, end + 1));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Index of the `}` closing the object opened at `start`, honouring JSON strings and escapes; -1 when not within `limit`. */
function objectEnd(text: string, start: number, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return c === 0x7d ? i : -1;
    }
  }
  return -1;
}

/** The `content` of `<meta name="PageID" …>`, read with indexOf (no backtracking). */
function metaPageId(html: string): string | undefined {
  const head = html.length > MAX_PAGE ? html.slice(0, MAX_PAGE) : html;
  const at = head.search(/name="PageID"/i);
  if (at < 0) return undefined;
  const window = head.slice(at, at + 200);
  const open = window.indexOf('content="');
  if (open < 0) return undefined;
  const close = window.indexOf('"', open + 9);
  const value = close > 0 ? window.slice(open + 9, close) : '';
  return /^[A-Za-z]{1,64}$/.test(value) ? value : undefined;
}

export function readEntraPage(html: string): EntraPage | undefined {
  const config = configObjectOf(html);
  const pageId = (typeof config?.pgid === 'string' ? config.pgid : undefined) ?? metaPageId(html);
  if (!config && !pageId) return undefined;
  const rawCode = config?.iErrorCode;
  const code = typeof rawCode === 'number' ? rawCode : typeof rawCode === 'string' && /^\d{1,9}$/.test(rawCode) ? Number(rawCode) : undefined;
  const message = typeof config?.strServiceExceptionMessage === 'string' && config.strServiceExceptionMessage.trim() ? config.strServiceExceptionMessage.slice(0, 4000) : undefined;
  return {
    pageId,
    errorCode: code && code > 0 ? code : undefined,
    serviceMessage: message,
    postUrl: typeof config?.urlPost === 'string' ? config.urlPost : undefined,
    config,
  };
}

/** An error page: `ConvergedError`, or any page whose `$Config` carries an error code or service message. */
export function isEntraErrorPage(page: EntraPage): boolean {
  return page.pageId === 'ConvergedError' || page.errorCode !== undefined || page.serviceMessage !== undefined;
}

/** Entra's sign-in (or account picker) page: what `/authorize` shows when it found nothing wrong before sign-in. */
export function isEntraSignInPage(page: EntraPage): boolean {
  return !isEntraErrorPage(page) && page.pageId !== undefined && SIGN_IN_PAGES.has(page.pageId);
}
