import type { ServerEntry } from '../config/configEntries';
import type { ServerSighting } from './verdicts';

/** The entry as the per-client verdicts see it (src/core/clients/verdicts.ts). */
export function sightingOf(entry: ServerEntry): ServerSighting {
  const fromFile = entry.source !== 'extension';
  return {
    source: entry.source,
    name: entry.name,
    auth: entry.auth,
    keyHeaderName: entry.keyHeaderName,
    keySupply: fromFile ? entry.keySupply : 'secretStorage',
    envVar: entry.keySupply === 'env' ? entry.envRefs[0] : undefined,
    oauthClientId: fromFile ? entry.oauthFields?.nested : entry.oauthClientId,
    flatOauthClientId: entry.oauthFields?.flat,
    tools: entry.tools,
  };
}
