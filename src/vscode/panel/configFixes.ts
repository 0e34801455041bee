import * as vscode from 'vscode';
import type { Finding } from '../../core/diagnosis';
import { findProperty, parseJsonc, removePropertyEdits, setPropertyEdits, applyEdits, detectLayout, type Edit } from '../../core/config/jsoncText';
import { createNodeConfigFileSystem } from '../../core/config/nodeConfigFileSystem';
import { editConfigFile } from '../../core/config/safeWrite';
import { withSettingEntry } from '../../core/config/serverEntries';
import { serversKey, type ConfigFileFormat } from '../../core/config/targets';
import { formatForPath } from '../../core/config/targets';
import { usesSubscriptionKey } from '../../core/serverRecord';
import { findPathMistake } from '../../core/url/serverUrl';
import type { ServerEntry } from '../../core/config/configEntries';

/** A fix the panel can apply: a config change through the core writers, or one of the extension's commands. */
export type PanelFix =
  | { kind: 'config'; label: string; field: 'keyHeaderName' | 'url' | 'auth'; value: string }
  | { kind: 'command'; label: string; command: string };

const CHALLENGE_NAME = /^challenge name="([!#$%&'*+.^_`|~0-9A-Za-z-]+)"$/;

export function fixFor(finding: Finding, entry: ServerEntry): PanelFix | undefined {
  switch (finding.id) {
    case 'apim.key.headerName': {
      const name = finding.evidence.map((e) => CHALLENGE_NAME.exec(e)?.[1]).find((n) => n !== undefined);
      return name ? { kind: 'config', label: vscode.l10n.t('Apply fix: send the key in {0}', name), field: 'keyHeaderName', value: name } : undefined;
    }
    case 'apim.path.notFound': {
      let mistake: ReturnType<typeof findPathMistake>;
      try {
        mistake = findPathMistake(new URL(entry.url));
      } catch {
        return undefined;
      }
      return mistake ? { kind: 'config', label: vscode.l10n.t('Apply fix: use {0}', mistake.suggestedUrl), field: 'url', value: mistake.suggestedUrl } : undefined;
    }
    case 'apim.key.alsoRequired':
      return entry.record ? { kind: 'config', label: vscode.l10n.t('Apply fix: send a key and the token'), field: 'auth', value: 'subscriptionKeyAndEntra' } : undefined;
    case 'apim.key.missing':
      // A server set up without a key has none to set: the fix is to send one (issue 18.5).
      if (entry.record && entry.auth === 'entra') return { kind: 'config', label: vscode.l10n.t('Apply fix: send a key and the token'), field: 'auth', value: 'subscriptionKeyAndEntra' };
      if (entry.record && entry.auth === 'none') return { kind: 'config', label: vscode.l10n.t('Apply fix: send a subscription key'), field: 'auth', value: 'subscriptionKey' };
      return entry.record && usesSubscriptionKey(entry.auth) ? { kind: 'command', label: vscode.l10n.t('Apply fix: set the subscription key'), command: 'apimMcp.setSubscriptionKey' } : undefined;
    case 'apim.key.invalid':
      return entry.record && usesSubscriptionKey(entry.auth) ? { kind: 'command', label: vscode.l10n.t('Apply fix: set the subscription key'), command: 'apimMcp.setSubscriptionKey' } : undefined;
    case 'entra.token.expired':
    case 'entra.token.tenant':
    case 'entra.token.roleMissing':
      return entry.record ? { kind: 'command', label: vscode.l10n.t('Apply fix: sign in again'), command: 'apimMcp.switchAccount' } : undefined;
    default:
      return undefined;
  }
}

/** Edits one field of a server entry in an MCP config file text; the key header keeps its value under the new name. */
export function editEntryField(text: string, format: ConfigFileFormat, entry: ServerEntry, field: 'keyHeaderName' | 'url', value: string) {
  const parsed = parseJsonc(text);
  if (!parsed.ok) return { ok: false as const, error: { kind: 'malformed' as const, ...parsed.error } };
  const node = findProperty(findProperty(parsed.root, serversKey(format))?.value, entry.name)?.value;
  if (!node || node.type !== 'object') return { ok: false as const, error: { kind: 'shape' as const, message: vscode.l10n.t('No server "{0}" in the file.', entry.name) } };
  const layout = detectLayout(text, { indentUnit: '\t', eol: '\n' });
  let edits: Edit[] = [];
  if (field === 'url') {
    edits = setPropertyEdits(text, node, 'url', value, layout);
  } else {
    const headers = findProperty(node, 'headers')?.value;
    const old = headers && findProperty(headers, entry.keyHeaderName);
    if (!headers || !old) return { ok: false as const, error: { kind: 'shape' as const, message: vscode.l10n.t('"{0}" has no {1} header.', entry.name, entry.keyHeaderName) } };
    const renamed = applyEdits(text, removePropertyEdits(text, headers, entry.keyHeaderName));
    const again = parseJsonc(renamed);
    if (!again.ok) return { ok: false as const, error: { kind: 'malformed' as const, ...again.error } };
    const headers2 = findProperty(findProperty(findProperty(again.root, serversKey(format))?.value, entry.name)?.value, 'headers')?.value;
    const out = applyEdits(renamed, setPropertyEdits(renamed, headers2!, value, old.value.value, layout));
    return { ok: true as const, text: out, changed: out !== text };
  }
  const out = applyEdits(text, edits);
  return { ok: true as const, text: out, changed: out !== text };
}

/** Applies a config fix where the server is defined. Returns a message for the user. */
export async function applyConfigFix(entry: ServerEntry, fix: Extract<PanelFix, { kind: 'config' }>, log: vscode.LogOutputChannel): Promise<{ ok: boolean; message: string }> {
  if (entry.source === 'extension') {
    const config = vscode.workspace.getConfiguration('apimMcp');
    const inspected = config.inspect<unknown[]>('servers');
    const scopes: [unknown, vscode.ConfigurationTarget][] = [
      [inspected?.workspaceValue, vscode.ConfigurationTarget.Workspace],
      [inspected?.globalValue, vscode.ConfigurationTarget.Global],
    ];
    for (const [list, target] of scopes) {
      if (!Array.isArray(list)) continue;
      const current = list.find((i) => typeof i === 'object' && i !== null && (i as { name?: unknown }).name === entry.name) as Record<string, unknown> | undefined;
      if (!current) continue;
      const updated = withSettingEntry(list, { ...current, [fix.field]: fix.value }, true);
      await config.update('servers', updated, target);
      log.info(`[fix] ${entry.name}: set ${fix.field} in apimMcp.servers`);
      return { ok: true, message: vscode.l10n.t('Updated {0} of {1} in apimMcp.servers.', fix.field, entry.name) };
    }
    return { ok: false, message: vscode.l10n.t('{0} is not in apimMcp.servers any more.', entry.name) };
  }
  if (fix.field === 'auth' || !entry.file) return { ok: false, message: vscode.l10n.t('This fix applies to extension-managed servers only.') };
  const format = formatForPath(entry.file);
  if (!format) return { ok: false, message: vscode.l10n.t('{0} is not an MCP config file.', entry.file) };
  const field = fix.field;
  const result = await editConfigFile(createNodeConfigFileSystem(), entry.file, (text) => editEntryField(text, format, entry, field, fix.value));
  if (!result.ok) {
    const error = result.error;
    const message = error.kind === 'malformed' ? vscode.l10n.t('{0} has a syntax error at line {1}, column {2}; it was left unchanged.', entry.file, error.line, error.column) : 'message' in error ? error.message : error.kind;
    log.error(`[fix] ${entry.name}: ${message}`);
    return { ok: false, message };
  }
  log.info(`[fix] ${entry.name}: set ${fix.field} in ${entry.file}`);
  return { ok: true, message: vscode.l10n.t('Updated {0} in {1}.', entry.name, entry.file) };
}
