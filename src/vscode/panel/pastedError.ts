import * as vscode from 'vscode';
import { aadstsErrorUrl, lookupAadsts } from '../../core/entra/aadstsCatalogue';
import { parseAadstsText } from '../../core/entra/aadstsText';
import { identifyRedirectUri, PLATFORM_LABEL } from '../../core/entra/redirectUris';
import type { PasteResultView } from '../../shared/protocol';

/** What the "paste an error" box shows for the text: the AADSTS codes explained, the redirect URI identified. */
export function explainPastedError(text: string): PasteResultView {
  const parsed = parseAadstsText(text);
  const lines: { label: string; value: string }[] = [];
  for (const code of parsed.codes) {
    const entry = lookupAadsts(code);
    lines.push({ label: `AADSTS${code}`, value: entry ? `${entry.meaning} (${entry.findingId})` : vscode.l10n.t('Not in the catalogue.') });
    if (entry) lines.push({ label: vscode.l10n.t('Fix'), value: entry.fix });
    lines.push({ label: vscode.l10n.t('Reference'), value: aadstsErrorUrl(code) });
  }
  if (parsed.description) lines.push({ label: vscode.l10n.t('Message'), value: parsed.description });
  if (parsed.appId) lines.push({ label: vscode.l10n.t('App id'), value: parsed.appId });
  if (parsed.redirectUri) {
    const known = identifyRedirectUri(parsed.redirectUri);
    lines.push({
      label: vscode.l10n.t('Redirect URI'),
      value: known ? vscode.l10n.t('{0}: {1}, register it under "{2}"', parsed.redirectUri, known.client, PLATFORM_LABEL[known.platform]) : parsed.redirectUri,
    });
  }
  if (parsed.tenant) lines.push({ label: vscode.l10n.t('Tenant'), value: parsed.tenant });
  if (parsed.traceId) lines.push({ label: vscode.l10n.t('Trace ID'), value: parsed.traceId });
  if (parsed.correlationId) lines.push({ label: vscode.l10n.t('Correlation ID'), value: parsed.correlationId });
  if (parsed.timestamp) lines.push({ label: vscode.l10n.t('Timestamp'), value: parsed.timestamp });
  if (!parsed.codes.length && !parsed.redirectUri) return { lines, error: vscode.l10n.t('No AADSTS code or redirect URI found in the text.') };
  return { lines };
}
