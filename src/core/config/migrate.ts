import { getNodeValue } from 'jsonc-parser';
import { toolsEdits, type ConfigEdit } from './configEditor';
import { applyEdits, detectLayout, findProperty, parseJsonc, propertyKeys, setPropertyEdits, type Edit, type Layout, type Node } from './jsoncText';
import type { EntryOptions } from './serverEntries';
import { serversKey, type ConfigFileFormat } from './targets';

/**
 * Brings `mcpServers` entries written by earlier versions to what each client reads today, in place and
 * format-preserving: the `"tools": ["*"]` that made Claude Code skip a `.mcp.json` server goes, and an Entra client id
 * is put in both `oauth.clientId` (Claude Code) and `oauthClientId` (Copilot CLI). Nothing else in the file changes.
 */
export function migrateServerEntries(text: string, format: ConfigFileFormat, options: EntryOptions = {}): ConfigEdit {
  const parsed = parseJsonc(text);
  if (!parsed.ok) return { ok: false, error: { kind: 'malformed', ...parsed.error } };
  if (format !== 'mcpServers') return { ok: true, text, changed: false };
  const key = serversKey(format);
  const servers = findProperty(parsed.root, key)?.value;
  if (!servers) return { ok: true, text, changed: false };
  if (servers.type !== 'object') return { ok: false, error: { kind: 'shape', message: `"${key}" must be an object.` } };
  const layout = detectLayout(text, { indentUnit: '  ', eol: '\n' });
  let out = text;
  for (const name of propertyKeys(servers)) {
    const fixes: ((node: Node, current: string) => Edit[])[] = [
      (node, current) => toolsEdits(current, node, options, layout),
      (node, current) => clientIdEdits(current, node, layout),
    ];
    for (const fix of fixes) {
      const again = parseJsonc(out);
      if (!again.ok) return { ok: false, error: { kind: 'malformed', ...again.error } };
      const node = findProperty(findProperty(again.root, key)?.value, name)?.value;
      if (node?.type === 'object') out = applyEdits(out, fix(node, out));
    }
  }
  return { ok: true, text: out, changed: out !== text };
}

/** Adds whichever of `oauthClientId` / `oauth.clientId` is missing when the other one names a client. One field per call. */
function clientIdEdits(text: string, node: Node, layout: Layout): Edit[] {
  const flat = findProperty(node, 'oauthClientId')?.value;
  const oauth = findProperty(node, 'oauth')?.value;
  const nested = oauth?.type === 'object' ? findProperty(oauth, 'clientId')?.value : undefined;
  const flatId = typeof flat?.value === 'string' ? flat.value : undefined;
  const nestedId = typeof nested?.value === 'string' ? nested.value : undefined;
  if (flatId && !nestedId) {
    if (oauth && oauth.type !== 'object') return [];
    const merged = { ...(oauth ? (getNodeValue(oauth) as Record<string, unknown>) : {}), clientId: flatId };
    return setPropertyEdits(text, node, 'oauth', merged, layout);
  }
  if (nestedId && !flat) return setPropertyEdits(text, node, 'oauthClientId', nestedId, layout);
  return [];
}
