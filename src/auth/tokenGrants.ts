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
/** Which servers (by lower-cased name) each grant was given for, so removing or forgetting a server takes its yes back. */
export const HOLDERS_KEY = 'apimMcp.tokenGrantHolders';
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

  /** Grant id → the servers it was given for; junk in the state reads as no holders. */
  private holders(): Record<string, string[]> {
    const stored = this.memento.get<unknown>(HOLDERS_KEY);
    if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return {};
    const kept: Record<string, string[]> = {};
    for (const [id, names] of Object.entries(stored)) {
      if (Array.isArray(names)) kept[id] = names.filter((n): n is string => typeof n === 'string');
    }
    return kept;
  }

  has(origin: string, target: EntraTarget): boolean {
    return this.all().includes(grantId(origin, target));
  }

  /** Grants tokens for `target` to `origin`; `holder` names the server it was asked for, so its removal takes it back. */
  async add(origin: string, target: EntraTarget, holder?: string): Promise<void> {
    const id = grantId(origin, target);
    const kept = [...this.all().filter((g) => g !== id), id].slice(-MAX_GRANTS);
    await this.memento.update(GRANTS_KEY, kept);
    const holders = this.holders();
    if (holder !== undefined) holders[id] = [...new Set([...(holders[id] ?? []), holder.toLowerCase()])];
    // Only grants still kept keep their holders, so the map never outgrows the list.
    await this.memento.update(HOLDERS_KEY, Object.fromEntries(kept.filter((g) => holders[g]?.length).map((g) => [g, holders[g]])));
  }

  /** Forgets a grant: the next token for it asks again. */
  async remove(origin: string, target: EntraTarget): Promise<void> {
    await this.drop(new Set([grantId(origin, target)]));
  }

  /**
   * Takes back every grant given for the server `holder` (Remove Server, Forget Secrets, Sign Out), and the grant for
   * its current origin and target when known (a grant of an earlier version names no server). A grant shared with
   * another server at the same origin and target goes too: that server asks again. Returns how many were taken back.
   */
  async removeHolder(holder: string, current?: { origin: string; target: EntraTarget }): Promise<number> {
    const name = holder.toLowerCase();
    const ids = new Set(Object.entries(this.holders()).filter(([, names]) => names.includes(name)).map(([id]) => id));
    if (current) ids.add(grantId(current.origin, current.target));
    const present = this.all().filter((g) => ids.has(g)).length;
    await this.drop(ids);
    return present;
  }

  private async drop(ids: ReadonlySet<string>): Promise<void> {
    await this.memento.update(GRANTS_KEY, this.all().filter((g) => !ids.has(g)));
    const holders = Object.entries(this.holders()).filter(([id]) => !ids.has(id));
    await this.memento.update(HOLDERS_KEY, Object.fromEntries(holders));
  }
}
