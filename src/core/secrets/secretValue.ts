/**
 * What a secret (subscription key, access token, client secret) may contain. Secrets are sent as HTTP header values,
 * and `Headers` rejects a control character by throwing an error that quotes the whole value: a key pasted with a
 * line break or a NUL would leak through that error text. So such values are refused where they are entered, and
 * checked again before a header is built.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Header values are bytes: anything past U+00FF cannot be sent at all. */
const NOT_LATIN1 = /[^\u0000-\u00ff]/;

export type SecretValueFault = 'empty' | 'controlCharacter' | 'notLatin1';

/** What is wrong with a value given as a secret, if anything; the extension words it (localised), the CLI in English. */
export function secretValueFault(value: string): SecretValueFault | undefined {
  if (value.length === 0) return 'empty';
  if (CONTROL.test(value)) return 'controlCharacter';
  if (NOT_LATIN1.test(value)) return 'notLatin1';
  return undefined;
}

/** Why `value` cannot be used as a secret, in English words that never quote it; undefined when it can. */
export function secretValueProblem(value: string, what = 'The secret'): string | undefined {
  switch (secretValueFault(value)) {
    case undefined:
      return undefined;
    case 'empty':
      return `${what} is empty.`;
    case 'controlCharacter':
      return `${what} contains a control character (a line break, tab or NUL, for example). Paste the value alone, on one line.`;
    case 'notLatin1':
      return `${what} contains a character that cannot be sent in an HTTP header. Paste the value exactly as the portal shows it.`;
  }
}

/** The header value problem of each credential, named by header only. Undefined when every value can be sent. */
export function credentialHeadersProblem(headers: Readonly<Record<string, { reveal(): string }>>): string | undefined {
  for (const [name, secret] of Object.entries(headers)) {
    const problem = secretValueProblem(secret.reveal(), `The value for the ${name} header`);
    if (problem) return `${problem} It was not sent.`;
  }
  return undefined;
}
