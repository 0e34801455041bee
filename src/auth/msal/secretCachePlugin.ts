import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import type { SecretStore } from '../tokenSource';

/** Persists one MSAL token cache as a single SecretStorage entry; MSAL calls it around every cache access. */
export function secretCachePlugin(store: SecretStore, key: string): ICachePlugin {
  return {
    async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
      const data = await store.get(key);
      if (data) context.tokenCache.deserialize(data);
    },
    async afterCacheAccess(context: TokenCacheContext): Promise<void> {
      if (context.cacheHasChanged) await store.store(key, context.tokenCache.serialize());
    },
  };
}
