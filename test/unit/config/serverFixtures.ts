import { parseServerRecord } from '../../../src/core/serverRecord';
import type { ServerDescription } from '../../../src/core/config/serverEntries';

export const CLIENT_ID = '11111111-2222-3333-4444-555555555555';

/** A server description as the wizard would hand it over, built through the real setting parser. */
export function server(raw: Record<string, unknown> & { prmValid?: boolean }): ServerDescription {
  const { prmValid = false, ...entry } = raw;
  const parsed = parseServerRecord({ name: 'weather', url: 'https://contoso.azure-api.net/weather/mcp', auth: 'subscriptionKey', ...entry });
  if (!parsed.ok) throw new Error(parsed.error);
  return { ...parsed.value, prmValid };
}
