/**
 * URLs as they may be shown: a URL can carry a secret of its own (a `subscription-key` query parameter, userinfo, an
 * authorization code in a redirect), so URLs are redacted before they are recorded or displayed.
 */
const SECRET_QUERY = /(key|token|code|secret|sig|password|assertion)/i;

/** A URL as it may be shown: secret-looking query values and userinfo replaced by `***`. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.username || url.password) {
      url.username = '***';
      url.password = '';
    }
    // Without a query (the usual case), reading searchParams would parse an empty one for nothing.
    if (url.search) {
      for (const name of [...url.searchParams.keys()]) {
        if (SECRET_QUERY.test(name)) url.searchParams.set(name, '***');
      }
    }
    return url.href.replace(/%2A%2A%2A/g, '***');
  } catch {
    return '(invalid URL)';
  }
}

/** A Location header as it may be kept: secret-looking query and fragment values replaced, relative stays relative. */
export function redactLocation(value: string): string {
  try {
    const url = new URL(value, 'https://relative.invalid');
    const hash = new URLSearchParams(url.hash.slice(1));
    for (const name of [...hash.keys()]) if (SECRET_QUERY.test(name)) hash.set(name, '***');
    url.hash = hash.size ? hash.toString() : url.hash;
    const redacted = redactUrl(url.href);
    return url.origin === 'https://relative.invalid' ? redacted.slice('https://relative.invalid'.length) : redacted;
  } catch {
    return '(unreadable Location)';
  }
}
