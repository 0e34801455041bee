import type { Secret } from '../secret';

/**
 * Redaction of known secrets in text that came from elsewhere (a server's answer, an error message). It runs once,
 * where the text is captured, before anything quotes, cuts or logs it: a secret cut in half by a later length limit
 * can no longer be recognised, so it has to be gone before any cut is made.
 */
export const REDACTED = '***';

/**
 * The forms a secret can take in foreign text: the value itself, a bearer token without its `Bearer ` prefix, a
 * JWT's signature alone (a server might echo just that part), and the value as JSON and URL encodings write it.
 */
function variants(secret: Secret): string[] {
  const raw = secret.reveal();
  const bare = raw.replace(/^Bearer\s+/i, '').trim();
  const forms = new Set([raw, bare]);
  const parts = bare.split('.');
  if (parts.length === 3 && parts[2]!.length >= 8) forms.add(parts[2]!);
  for (const form of [...forms]) {
    forms.add(JSON.stringify(form).slice(1, -1));
    forms.add(encodeURIComponent(form));
  }
  return [...forms].filter((f) => f.length > 0);
}

export class Redactor {
  /** Longest first, so a whole token is replaced before its signature alone is looked for. */
  readonly #forms: readonly string[];

  private constructor(forms: readonly string[]) {
    this.#forms = [...new Set(forms)].sort((a, b) => b.length - a.length);
  }

  static readonly none = new Redactor([]);

  static of(secrets: readonly (Secret | undefined)[]): Redactor {
    return new Redactor(secrets.flatMap((s) => (s && !s.isEmpty ? variants(s) : [])));
  }

  /** This redactor and another's secrets together. */
  with(secrets: readonly (Secret | undefined)[]): Redactor {
    const added = Redactor.of(secrets);
    return added.isEmpty ? this : new Redactor([...this.#forms, ...added.#forms]);
  }

  get isEmpty(): boolean {
    return this.#forms.length === 0;
  }

  /**
   * `text` with every known secret replaced by `***`. When the text was cut at its end (a size cap), a secret that
   * straddled the cut left only its beginning: that partial match is redacted too, however short.
   */
  redact(text: string, options: { cutAtEnd?: boolean } = {}): string {
    if (this.isEmpty || text.length === 0) return text;
    let out = text;
    for (const form of this.#forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    if (options.cutAtEnd) out = this.#redactCutTail(out);
    return out;
  }

  /** Replaces the longest tail of `text` that is the beginning of a secret. */
  #redactCutTail(text: string): string {
    let longest = 0;
    const last = text.charCodeAt(text.length - 1);
    for (const form of this.#forms) {
      for (let k = Math.min(form.length - 1, text.length); k > longest; k--) {
        if (form.charCodeAt(k - 1) === last && text.endsWith(form.slice(0, k))) {
          longest = k;
          break;
        }
      }
    }
    return longest > 0 ? text.slice(0, text.length - longest) + REDACTED : text;
  }
}
