import type { PolicyDocument, PolicyElement, PolicyExpression } from '../policyReader';
import { attributeValue, childElements, descendants, elementsNamed, Q, stringLiterals } from '../policyQueries';
import type { PolicyRule } from '../policyRule';

const MENTIONS_TOOL = /tool|\[\s*(?:"|&quot;)name(?:"|&quot;)\s*\]|\bparams\b/i;
const NOT_TOOL_NAMES = new Set(['name', 'params', 'method', 'arguments', 'roles', 'scp', 'authorization', 'jsonrpc', 'id', 'POST', 'GET', '']);

/**
 * String literals an expression compares with (`== "x"`, `"x" !=`, `.Equals("x")`, `case "x":`) or lists in a
 * collection initializer (`new[] { "a", "b" }`), when the expression is about the tool name. Method names and
 * JSON keys are left out.
 */
export function toolNameLiterals(code: string): string[] {
  if (!MENTIONS_TOOL.test(code)) return [];
  const names: string[] = [];
  for (const literal of stringLiterals(code)) {
    const quoteLength = code.startsWith('&quot;', literal.start - 6) ? 6 : 1;
    const before = code.slice(Math.max(0, literal.start - quoteLength - 40), literal.start - quoteLength);
    const after = code.slice(literal.end + quoteLength, literal.end + quoteLength + 20);
    const compared =
      /(==|!=|Equals\s*\()\s*$/.test(before) ||
      /^\s*(==|!=|\.\s*Equals\s*\()/.test(after) ||
      /\bcase\s*$/.test(before) ||
      /(new\s*(\w+\s*)?(<[^>]*>\s*)?\[?\]?\s*(\(\s*\))?\s*\{|,)\s*$/.test(before) && /^\s*[,}]/.test(after);
    const value = literal.value;
    if (!compared || NOT_TOOL_NAMES.has(value) || NOT_TOOL_NAMES.has(value.toLowerCase())) continue;
    if (!/^[A-Za-z0-9_.\-]{1,128}$/.test(value)) continue;
    names.push(value);
  }
  return names;
}

interface ToolDecision {
  /** Where to report. */
  readonly start: number;
  readonly end: number;
  /** Names the decision mentions. */
  readonly names: Set<string>;
  /** Unknown tools are denied. */
  readonly deniesByDefault: boolean;
}

const isDeny = (element: PolicyElement): boolean =>
  descendants(element, 'return-response').some((r) =>
    descendants(r, 'set-status').some((s) => /^(401|403|400|404)$/.test((attributeValue(s, 'code') ?? '').trim())),
  ) || descendants(element, 'set-status').some((s) => /^(401|403)$/.test((attributeValue(s, 'code') ?? '').trim()));

/** `<choose>` blocks and `switch` expressions that decide per tool name. */
export function toolDecisions(doc: PolicyDocument): ToolDecision[] {
  const decisions: ToolDecision[] = [];
  for (const choose of elementsNamed(doc, 'choose')) {
    const names = new Set<string>();
    for (const when of childElements(choose, 'when')) {
      for (const attr of when.attributes) for (const x of attr.expressions) for (const n of toolNameLiterals(x.code)) names.add(n);
    }
    if (names.size === 0) continue;
    const otherwise = childElements(choose, 'otherwise')[0];
    decisions.push({ start: choose.nameRange.start, end: choose.nameRange.end, names, deniesByDefault: !!otherwise && isDeny(otherwise) });
  }
  for (const expression of doc.expressions) {
    if (!expression.code.includes('switch') || !/\bswitch\s*\(/.test(expression.code) || !MENTIONS_TOOL.test(expression.code)) continue;
    const cases = [...expression.code.matchAll(new RegExp(`case\\s+${Q}([^"&]+)${Q}\\s*:`, 'g'))].map((m) => m[1]!);
    if (cases.length === 0) continue;
    const switchAt = expression.code.search(/\bswitch\s*\(/);
    decisions.push({
      start: expression.codeRange.start + switchAt,
      end: expression.codeRange.start + switchAt + 6,
      names: new Set(cases),
      deniesByDefault: /\bdefault\s*:/.test(expression.code),
    });
  }
  return decisions;
}

/** Variables that hold a joined (comma-separated) roles string rather than a parsed array. */
function joinedRoleVariables(doc: PolicyDocument): Set<string> {
  const names = new Set<string>();
  for (const setter of elementsNamed(doc, 'set-variable')) {
    const name = attributeValue(setter, 'name');
    const value = setter.attributes.find((a) => a.name === 'value');
    const code = value?.expressions.map((x) => x.code).join('\n') ?? '';
    if (name && producesJoinedRoles(code)) names.add(name);
  }
  return names;
}

const JOINED_ROLES_CLAIM = new RegExp(`Claims\\s*\\.\\s*GetValueOrDefault\\s*\\(\\s*${Q}roles${Q}`);

function producesJoinedRoles(code: string): boolean {
  // Both forms name "roles"; most code does not, and this one test rules it out.
  if (!/roles/i.test(code)) return false;
  const join = /string\s*\.\s*Join\s*\(|String\s*\.\s*Join\s*\(/.test(code);
  return (join || JOINED_ROLES_CLAIM.test(code)) && !/\.Split\s*\(/.test(code);
}

const SUBSTRING_TEST = new RegExp(`\\.\\s*(Contains|IndexOf|StartsWith|EndsWith)\\s*\\(\\s*${Q}`, 'g');

/** Role checks by substring on a joined string: "Products.WriteX" contains "Products.Write". */
export const substringRoleCheck: PolicyRule = {
  id: 'apim.policy.substringRoleCheck',
  severity: 'error',
  title: 'Role check by substring on a joined string',
  check({ doc, report }) {
    const variables = joinedRoleVariables(doc);
    const usesJoinedVariable = (code: string): boolean =>
      [...variables].some((v) => code.includes(`"${v}"`) || code.includes(`&quot;${v}&quot;`));
    for (const expression of doc.expressions) {
      const { code } = expression;
      if (!/Contains|IndexOf|StartsWith|EndsWith/.test(code) || /\.Split\s*\(/.test(code)) continue;
      if (!producesJoinedRoles(code) && !usesJoinedVariable(code)) continue;
      for (const match of code.matchAll(SUBSTRING_TEST)) {
        const start = expression.codeRange.start + match.index + 1;
        report({
          message: `This role check tests a substring of a joined roles string, so a role such as "Products.WriteX" also matches "Products.Write". Split the roles into an array and compare whole values, e.g. roles.Split(',').Any(r => r.Trim() == "Products.Write").`,
          start,
          end: start + match[1]!.length,
        });
      }
    }
  },
};

/** Denying only named tools lets every other tool through, including ones added later. */
export const denyOnlyNamedTools: PolicyRule = {
  id: 'apim.policy.denyOnlyNamedTools',
  severity: 'warning',
  title: 'Only named tools are denied; unknown tools are allowed',
  check({ doc, report }) {
    for (const decision of toolDecisions(doc)) {
      if (decision.deniesByDefault) continue;
      report({
        message: `This per-tool check names ${[...decision.names].slice(0, 5).join(', ')}${decision.names.size > 5 ? ', …' : ''} but has no default that denies other tools, so any tool not named here (including tools added later) is allowed. Allow known tools explicitly and deny the rest (an <otherwise> with a 403, or a default: branch).`,
        start: decision.start,
        end: decision.end,
      });
    }
  },
};

/** With a `tools/list` at hand: which tools no per-tool rule mentions. */
export const toolNotCovered: PolicyRule = {
  id: 'apim.policy.toolNotCovered',
  severity: 'warning',
  title: 'A tool from tools/list has no per-tool rule',
  check({ doc, options, report }) {
    const tools = options.tools ?? [];
    if (tools.length === 0) return;
    const decisions = toolDecisions(doc);
    const mentioned = new Set<string>();
    for (const d of decisions) for (const n of d.names) mentioned.add(n);
    for (const x of doc.expressions as readonly PolicyExpression[]) for (const n of toolNameLiterals(x.code)) mentioned.add(n);
    const anchor = decisions[0] ?? (() => {
      const root = elementsNamed(doc, 'inbound')[0] ?? doc.elements[0];
      return root ? { start: root.nameRange.start, end: root.nameRange.end, deniesByDefault: false } : undefined;
    })();
    if (!anchor) return;
    const deniesByDefault = decisions.length > 0 && decisions.every((d) => d.deniesByDefault);
    for (const tool of [...new Set(tools)].sort()) {
      if (mentioned.has(tool)) continue;
      report({
        message: deniesByDefault
          ? `The tool "${tool}" is in tools/list but no per-tool rule names it, so every call to it is denied (403). Add it with the roles it needs.`
          : `The tool "${tool}" is in tools/list but no per-tool rule names it, so any caller with a valid token can call it. Add it with the roles it needs.`,
        start: anchor.start,
        end: anchor.end,
      });
    }
  },
};
