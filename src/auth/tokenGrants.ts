import { normaliseOrigin } from '../core/secrets/secretBinding';
import { targetKey } from './entraTarget';
import type { EntraTarget } from './tokenSource';

/**
 * Entra tokens bound to an origin the way subscription keys are (issue 16, item 2). A key is entered for one origin
 * and never follows an edited config elsewhere; a token needs no entering, so the user says yes once to "tokens for
 * these scopes (tenant, client) go to this origin", and a config that names another origin asks again. The yes is not
 * a secret: it is kept in the extension's global state, as a list of grants.
 */
export interface GrantMemento {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export const GRANTS_KEY = 'apimMcp.tokenGrants';
/** Enough for any person's servers; the oldest grant is dropped first, so it is asked for again. */
const MAX_GRANTS = 500;

/** One grant: the origin tokens go to, and what they are for (`targetKey`: scopes, tenant, client). */
export function grantId(origin: string, target: EntraTarget): string {
  return JSON.stringify([normaliseOrigin(origin), targetKey(target)]);
}

/**
 * Whether the user's own list of origins (a user-only setting) lets tokens go to `origin` without asking. Entries
 * that are not an http(s) origin are ignored, so a typo never widens the list.
 */
export function isPreapprovedOrigin(origin: string, preapproved: readonly unknown[]): boolean {
  const wanted = normaliseOrigin(origin);
  return preapproved.some((entry) => {
    if (typeof entry !== 'string') return false;
    try {
      const url = new URL(entry.trim());
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === wanted;
    } catch {
      return false;
    }
  });
}

export class TokenGrants {
  constructor(private readonly memento: GrantMemento) {}

  private all(): string[] {
    const stored = this.memento.get<unknown>(GRANTS_KEY);
    return Array.isArray(stored) ? stored.filter((g): g is string => typeof g === 'string') : [];
  }

  has(origin: string, target: EntraTarget): boolean {
    return this.all().includes(grantId(origin, target));
  }

  async add(origin: string, target: EntraTarget): Promise<void> {
    const id = grantId(origin, target);
    const others = this.all().filter((g) => g !== id);
    await this.memento.update(GRANTS_KEY, [...others, id].slice(-MAX_GRANTS));
  }

  /** Forgets a grant: the next token for it asks again. */
  async remove(origin: string, target: EntraTarget): Promise<void> {
    const id = grantId(origin, target);
    await this.memento.update(GRANTS_KEY, this.all().filter((g) => g !== id));
  }
}
