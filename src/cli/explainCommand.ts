/** `apim-mcp explain "<pasted AADSTS error text or redirect URL>"`: what the Entra error means and what to change. */
import { aadstsErrorUrl, lookupAadsts } from '../core/entra/aadstsCatalogue';
import { parseAadstsText } from '../core/entra/aadstsText';
import { identifyRedirectUri, PLATFORM_LABEL } from '../core/entra/redirectUris';
import { inertText } from '../core/basics';
import type { CliIo } from './io';

export function explain(text: string, io: CliIo): number {
  const parsed = parseAadstsText(text);
  if (!parsed.codes.length) {
    io.stderr('No AADSTS code found in the text.\n');
    return 2;
  }
  const s = inertText;
  const out: string[] = [];
  for (const code of parsed.codes) {
    const entry = lookupAadsts(code);
    out.push(`AADSTS${code}${entry ? ` → ${entry.findingId}` : ''}`);
    if (entry) out.push(`  Meaning: ${entry.meaning}`, `  Fix: ${entry.fix}`);
    out.push(`  Reference: ${aadstsErrorUrl(code)}`);
  }
  if (parsed.appId) out.push(`App id: ${s(parsed.appId)}`);
  if (parsed.redirectUri) {
    const known = identifyRedirectUri(parsed.redirectUri);
    out.push(`Redirect URI: ${s(parsed.redirectUri)}${known ? ` (${known.client}: register under "${PLATFORM_LABEL[known.platform]}")` : ''}`);
  }
  if (parsed.traceId) out.push(`Trace ID: ${s(parsed.traceId)}`);
  if (parsed.correlationId) out.push(`Correlation ID: ${s(parsed.correlationId)}`);
  if (parsed.timestamp) out.push(`Timestamp: ${s(parsed.timestamp)}`);
  io.stdout(`${out.join('\n')}\n`);
  return 0;
}
