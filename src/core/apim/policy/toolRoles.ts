import { scanExpression } from './expressionScanner';
import { LineMap } from '../../text/sourceRange';

/**
 * Reads the tool → app roles map out of an APIM policy: for the diagnosis's permission matrix, and for the sandbox to
 * enforce what a generated policy says. Pure and lenient: it recognises the shapes the policy generator writes
 * (`switch (tool) { case "x": return roles.Any(r => r == "A" || r == "B") … }`, `return "";` for any caller) and
 * the common hand-written `<when condition="@(… == "x" && !roles.Contains("R"))">` form, with the condition's quotes raw
 * (as real policies write them) or as `&quot;`. Anything else gives no
 * entry, and the matrix simply lists the tools without roles.
 */
export interface ToolRoleLocation {
  /** The app roles any one of which allows the tool; empty when any caller with a valid token may call it. */
  readonly roles: readonly string[];
  /** Zero-based line of the tool's rule in the file. */
  readonly line: number;
}

export type PolicyToolRoles = Map<string, ToolRoleLocation>;

const Q = '(?:"|&quot;)';
const LITERAL = `${Q}([^"&<>]{1,128}?)${Q}`;
const CASE = new RegExp(`\\bcase\\s+${LITERAL}\\s*:`, 'g');
const ROLE_IN_SEGMENT = new RegExp(`(?:==\\s*${LITERAL}|Contains\\s*\\(\\s*${LITERAL}\\s*\\))`, 'g');
const WHEN_CONDITION = /<when\b[^>]*?\bcondition\s*=\s*(["'])/g;
const TOOL_COMPARISON = new RegExp(`(?:tool|name)(?:[^=!&|]|&quot;){0,80}==\\s*${LITERAL}`, 'i');

export function toolRolesFromPolicy(text: string): PolicyToolRoles {
  const map: PolicyToolRoles = new Map();
  const lines = new LineMap(text);
  const cases = [...text.matchAll(CASE)];
  for (let i = 0; i < cases.length; i++) {
    const match = cases[i]!;
    const tool = match[1]!;
    const start = match.index! + match[0].length;
    const end = i + 1 < cases.length ? cases[i + 1]!.index! : Math.min(text.length, start + 600);
    const segment = text.slice(start, end).split(/\bdefault\s*:/)[0]!;
    const roles = [...new Set([...segment.matchAll(ROLE_IN_SEGMENT)].map((role) => role[1] ?? role[2]!))];
    if (!map.has(tool)) map.set(tool, { roles, line: lines.positionAt(match.index!).line });
  }
  for (const when of text.matchAll(WHEN_CONDITION)) {
    const condition = conditionAt(text, when.index + when[0].length, when[1]!);
    const tool = TOOL_COMPARISON.exec(condition)?.[1];
    if (!tool || map.has(tool)) continue;
    const role = new RegExp(`Contains\\s*\\(\\s*${LITERAL}\\s*\\)`).exec(condition)?.[1];
    map.set(tool, { roles: role ? [role] : [], line: lines.positionAt(when.index!).line });
  }
  return map;
}

/**
 * The condition value that starts at `at`. Real policies write it raw (`@(… == "deleteProduct" && …)`, quotes
 * unescaped, which APIM accepts), so the end is where the expression closes, not the next quote.
 */
function conditionAt(text: string, at: number, quote: string): string {
  if (text[at] === '@' && (text[at + 1] === '(' || text[at + 1] === '{')) {
    const scanned = scanExpression(text, at);
    if (scanned.terminated) return text.slice(at, scanned.end);
  }
  const close = text.indexOf(quote, at);
  return text.slice(at, close < 0 ? text.length : close);
}

/**
 * The tool → role record the diagnosis engine takes, which checks one required role per tool: tools that need no
 * role, or accept any of several, are left out rather than shown with a role that is not the whole rule.
 */
export function toolRoleRecord(map: PolicyToolRoles): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [tool, { roles }] of map) if (roles.length === 1) out[tool] = roles[0]!;
  return out;
}
