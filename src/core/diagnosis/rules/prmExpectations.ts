/**
 * What the published protected resource metadata (PRM) says a token for this server should look like. The token,
 * role and sign-in families compare against it when the gateway's policy is not known.
 */
import { GUID_SOURCE } from '../../basics';
import { authorityOf, scopeName, scopeResource } from '../../entra/authority';
import { isStringArray } from '../../probe/prm';
import type { Observations } from '../observe';

/** A GUID anywhere in a string (an `api://<guid>` App ID URI, a bare app id). */
const GUID_INSIDE = new RegExp(`(${GUID_SOURCE})`);

export function guidIn(text: string): string | undefined {
  return GUID_INSIDE.exec(text)?.[1]?.toLowerCase();
}

export interface PrmExpectations {
  readonly tenant?: string;
  /** Scope resources, plus the GUID inside each, since v2 tokens carry the bare app id as `aud`. */
  readonly audiences: string[];
  /** Scope names without their resource, as they appear in `scp`. */
  readonly scopes: string[];
  readonly v2Authority: boolean;
  /** The API's app id, when a scope names it (`api://<guid>/…`); https App ID URIs do not reveal it. */
  readonly apiAppId?: string;
}

export function expectedFromPrm(obs: Observations): PrmExpectations {
  const doc = obs.prm?.document;
  const servers = doc && isStringArray(doc.authorization_servers) ? doc.authorization_servers : [];
  const authority = servers[0] ? authorityOf(servers[0]) : obs.input.signIn?.authority ? authorityOf(obs.input.signIn.authority) : undefined;
  const scopes = doc && isStringArray(doc.scopes_supported) ? doc.scopes_supported : [];
  const audiences = new Set<string>();
  let apiAppId: string | undefined;
  for (const s of scopes) {
    const r = scopeResource(s);
    if (!r) continue;
    audiences.add(r);
    const guid = guidIn(r);
    if (guid) {
      audiences.add(guid);
      apiAppId ??= guid;
    }
  }
  return { tenant: authority?.tenant, audiences: [...audiences], scopes: scopes.map(scopeName), v2Authority: authority?.version === 2, apiAppId };
}

/** The PRM's `scopes_supported` when it is a string array, else none. */
export function prmScopes(obs: Observations): string[] {
  const doc = obs.prm?.document;
  return doc && isStringArray(doc.scopes_supported) ? doc.scopes_supported : [];
}
