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
