/**
 * A lenient `WWW-Authenticate` parser (RFC 9110 §11.6.1 challenges). Real gateways send unquoted values,
 * missing commas, stray separators and unterminated quotes; this reads what it can and never throws.
 */
export interface AuthChallenge {
  /** As sent; compare with `sameScheme`. */
  readonly scheme: string;
  /** Parameter names lower-cased; the first occurrence wins. */
  readonly params: Readonly<Record<string, string>>;
  readonly token68?: string;
}

const TCHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

export function parseWwwAuthenticate(header: string | null | undefined): AuthChallenge[] {
  if (!header) return [];
  try {
    return parse(header);
  } catch {
    return [];
  }
}

function parse(input: string): AuthChallenge[] {
  const challenges: { scheme: string; params: Record<string, string>; token68?: string }[] = [];
  let pos = 0;
  const n = input.length;
  const skip = (chars: RegExp): void => {
    while (pos < n && chars.test(input[pos]!)) pos++;
  };
  const readToken = (): string => {
    const start = pos;
    while (pos < n && TCHAR.test(input[pos]!)) pos++;
    return input.slice(start, pos);
  };
  const readValue = (): string => {
    if (input[pos] === '"') {
      pos++;
      let out = '';
      while (pos < n && input[pos] !== '"') {
        if (input[pos] === '\\' && pos + 1 < n) pos++;
        out += input[pos];
        pos++;
      }
      pos++;
      return out;
    }
    const start = pos;
    while (pos < n && input[pos] !== ',' && !/\s/.test(input[pos]!)) pos++;
    return input.slice(start, pos);
  };

  while (pos < n) {
    skip(/[\s,]/);
    if (pos >= n) break;
    const scheme = readToken();
    if (!scheme) {
      pos++;
      continue;
    }
    skip(/[ \t]/);
    const current: { scheme: string; params: Record<string, string>; token68?: string } = { scheme, params: {} };
    if (input[pos] === '=') {
      // A parameter with no scheme before it: keep it on the previous challenge, or on an unnamed one.
      const target = challenges[challenges.length - 1] ?? (challenges.push({ scheme: '', params: {} }), challenges[0]!);
      pos++;
      skip(/[ \t]/);
      const value = readValue();
      if (!(scheme.toLowerCase() in target.params)) target.params[scheme.toLowerCase()] = value;
      continue;
    }
    challenges.push(current);
    const rest = /^[^,]*/.exec(input.slice(pos))![0].trim();
    if (rest && TOKEN68.test(rest) && !/^[^=]+=[^=]/.test(rest)) {
      current.token68 = rest;
      pos += input.slice(pos).indexOf(rest) + rest.length;
      continue;
    }
    for (;;) {
      skip(/[\s,]/);
      if (pos >= n) break;
      const save = pos;
      const name = readToken();
      if (!name) {
        pos++;
        continue;
      }
      skip(/[ \t]/);
      if (input[pos] !== '=') {
        pos = save;
        break;
      }
      pos++;
      skip(/[ \t]/);
      const value = readValue();
      const key = name.toLowerCase();
      if (!(key in current.params)) current.params[key] = value;
    }
  }
  return challenges.filter((c) => c.scheme !== '' || Object.keys(c.params).length > 0);
}

export function sameScheme(challenge: AuthChallenge, scheme: string): boolean {
  return challenge.scheme.toLowerCase() === scheme.toLowerCase();
}

export interface BearerChallenge {
  readonly error?: string;
  readonly errorDescription?: string;
  readonly resourceMetadata?: string;
  readonly scope?: string;
  readonly realm?: string;
}

export interface ApimKeyChallenge {
  readonly realm?: string;
  /** The header (or query parameter) name the API expects the key in. */
  readonly name?: string;
  readonly type?: string;
}

export interface ParsedChallenges {
  readonly raw: string;
  readonly challenges: readonly AuthChallenge[];
  readonly bearer?: BearerChallenge;
  readonly apimKey?: ApimKeyChallenge;
}

export function readChallenges(header: string | null | undefined): ParsedChallenges {
  const challenges = parseWwwAuthenticate(header);
  const bearer = challenges.find((c) => sameScheme(c, 'Bearer'));
  const key = challenges.find((c) => sameScheme(c, 'AzureApiManagementKey'));
  return {
    raw: header ?? '',
    challenges,
    bearer: bearer && {
      error: bearer.params['error'],
      errorDescription: bearer.params['error_description'],
      resourceMetadata: bearer.params['resource_metadata'],
      scope: bearer.params['scope'],
      realm: bearer.params['realm'],
    },
    apimKey: key && { realm: key.params['realm'], name: key.params['name'], type: key.params['type'] },
  };
}
