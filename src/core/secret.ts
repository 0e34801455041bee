import { inspect } from 'node:util';

/**
 * A secret value (subscription key, access token, client secret) that cannot be printed by accident.
 * String conversion, JSON serialisation and util.inspect all give `***`; only `reveal()` returns the value,
 * so every place that sends a secret over the wire is greppable.
 */
export class Secret {
  readonly #value: string;

  private constructor(value: string) {
    this.#value = value;
  }

  static of(value: string): Secret {
    return new Secret(value);
  }

  reveal(): string {
    return this.#value;
  }

  get isEmpty(): boolean {
    return this.#value.length === 0;
  }

  equals(other: Secret): boolean {
    return this.#value === other.#value;
  }

  toString(): string {
    return '***';
  }

  toJSON(): string {
    return '***';
  }

  [inspect.custom](): string {
    return 'Secret(***)';
  }
}

/** Replaces every occurrence of each secret's value in `text` with `***`, for text that came from elsewhere. */
export function redactSecrets(text: string, secrets: readonly (Secret | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.isEmpty) continue;
    out = out.split(secret.reveal()).join('***');
  }
  return out;
}
