/** Turns what a user pastes or a probe fetched (a `tools/list` result in any common wrapping) into tool names. */
import { parse, type ParseError } from 'jsonc-parser';

export interface ToolsListResult {
  readonly tools: readonly string[];
  readonly error?: string;
}

/**
 * Accepts a JSON-RPC response `{ result: { tools: [...] } }`, a result `{ tools: [...] }`, an array of tools
 * `[{ name }]`, an array of names, or plain text with one name per line / comma-separated.
 */
export function parseToolsList(input: string | unknown): ToolsListResult {
  let value: unknown = input;
  if (typeof input === 'string') {
    const trimmed = input.trim();
    if (trimmed === '') return { tools: [], error: 'No tools given.' };
    if (/^[[{]/.test(trimmed)) {
      const errors: ParseError[] = [];
      value = parse(trimmed, errors, { allowTrailingComma: true });
      if (errors.length > 0) return { tools: [], error: `Not valid JSON (error at offset ${errors[0]!.offset}).` };
    } else {
      return normalise(trimmed.split(/[\s,]+/));
    }
  }
  const tools = toolsArray(value);
  if (!tools) return { tools: [], error: 'Expected a tools/list result: { "tools": [ { "name": … } ] }.' };
  return normalise(tools.map((t) => (typeof t === 'string' ? t : t && typeof t === 'object' && typeof (t as { name?: unknown }).name === 'string' ? (t as { name: string }).name : '')));
}

function toolsArray(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (!value || typeof value !== 'object') return undefined;
  const record = value as { tools?: unknown; result?: unknown };
  if (Array.isArray(record.tools)) return record.tools;
  if (record.result) return toolsArray(record.result);
  return undefined;
}

function normalise(names: string[]): ToolsListResult {
  const tools = [...new Set(names.map((n) => n.trim()).filter(Boolean))];
  return tools.length > 0 ? { tools } : { tools: [], error: 'No tool names found.' };
}

/** The tools/list files read for a policy file: `<name>.tools.json`, then `tools.json`, both beside it. */
export function toolsFileNamesFor(policyFileName: string): string[] {
  const base = policyFileName.replace(/\\/g, '/').split('/').pop() ?? '';
  const stem = base.replace(/(\.policy)?(\.xml)?(\.tftpl|\.tpl)?(\.xml)?$|\.bicep$|\.tf$|\.json$/i, '');
  return [`${stem}.tools.json`, 'tools.json'];
}
