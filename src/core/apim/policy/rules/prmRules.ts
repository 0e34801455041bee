/**
 * The protected-resource metadata (RFC 9728) a policy serves: its `resource`, read from JSON text and from the C#
 * that real policies build it with (`JsonConvert.SerializeObject(new { resource = … })`, `new JObject(…)`), and
 * whether the operation is reachable without a token.
 */
import { factsOf } from '../policyFacts';
import { childElements, descendants, elementsNamed } from '../policyQueries';
import type { PolicyFix, PolicyRule, RuleContext } from '../policyRule';
import type { PolicyElement } from '../policyTypes';

/** `"resource": "…"` (JSON, quotes possibly as entities). */
const JSON_RESOURCE = /(?:"|&quot;)resource(?:"|&quot;)\s*:\s*(?:"|&quot;)(.*?)(?:"|&quot;)/;
/** `resource = "…"` / `resource = $"…"` in an anonymous object. */
const ANONYMOUS_RESOURCE = /(?<![\w"])resource\s*=\s*\$?"((?:[^"\\\r\n]|\\.)*)"/;
/** `["resource"] = "…"`, `new JProperty("resource", "…")`, `{ "resource", "…" }`. */
const JOBJECT_RESOURCE = /(?:\[\s*"resource"\s*\]\s*=|JProperty\s*\(\s*"resource"\s*,|\{\s*"resource"\s*,)\s*\$?"((?:[^"\\\r\n]|\\.)*)"/;

interface ResourceValue {
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

/** The `resource` each PRM body in the document publishes, with its offsets. */
export function prmResources(ctx: RuleContext): ResourceValue[] {
  const found: ResourceValue[] = [];
  for (const body of elementsNamed(ctx.doc, 'set-body')) {
    if (!body.parent || !ancestorNamed(body, 'return-response')) continue;
    for (const node of body.children) {
      if (node.kind !== 'text' && node.kind !== 'cdata') continue;
      if (!/authorization_servers/.test(node.text)) continue;
      const textStart = node.kind === 'cdata' ? node.textRange.start : node.range.start;
      const match = JSON_RESOURCE.exec(node.text) ?? ANONYMOUS_RESOURCE.exec(node.text) ?? JOBJECT_RESOURCE.exec(node.text);
      if (!match) continue;
      const value = match[1]!;
      const valueStart = textStart + match.index + match[0].lastIndexOf(value, match[0].length - 1);
      found.push({ value, start: valueStart, end: valueStart + value.length });
    }
  }
  return found;
}

function ancestorNamed(element: PolicyElement, name: string): boolean {
  for (let p = element.parent; p; p = p.parent) if (p.name === name) return true;
  return false;
}

function normaliseUrl(url: string): string {
  return url.trim().replace(/^([a-z]+:\/\/[^/]+)/i, (origin) => origin.toLowerCase());
}

function resourceProblem(value: string, mcpUrl: string | undefined): { message: string; fix?: string; title?: string } | undefined {
  const dynamic = /\{\{|@\(|@\{|\$\{|\{/.test(value);
  if (/^api:\/\//i.test(value)) {
    return { message: `The PRM resource is the App ID URI ${value}, but MCP clients send the MCP server URL as the RFC 8707 resource, and Entra rejects the mismatch (AADSTS9010010). Publish the MCP server URL and add it to the app's identifierUris.`, ...(mcpUrl ? { fix: mcpUrl, title: `Use ${mcpUrl}` } : {}) };
  }
  if (/\/\.well-known\/oauth-protected-resource/i.test(value)) {
    return { message: 'The PRM resource is the metadata URL itself; it must be the MCP server URL.', ...(mcpUrl ? { fix: mcpUrl, title: `Use ${mcpUrl}` } : {}) };
  }
  if (/\/$/.test(value)) {
    return { message: `The PRM resource ends with a slash. An Application ID URI cannot end with one, so a client that sends ${value} never matches (AADSTS9010010).`, fix: value.replace(/\/+$/, ''), title: 'Remove the trailing slash' };
  }
  if (mcpUrl && !dynamic && normaliseUrl(value) !== normaliseUrl(mcpUrl)) {
    return { message: `The PRM resource ${value} is not the MCP server URL ${mcpUrl}. Clients send the resource byte for byte, and Entra rejects it unless it is an identifier URI of the API app (AADSTS9010010).`, fix: mcpUrl, title: `Use ${mcpUrl}` };
  }
  return undefined;
}

/** G9 / G20: the PRM `resource` must be exactly the MCP URL (which must also be an App ID URI), with no trailing slash. */
export const prmResourceMismatch: PolicyRule = {
  id: 'apim.policy.prmResourceMismatch',
  severity: 'error',
  title: 'PRM resource is not the MCP server URL',
  check(ctx) {
    for (const resource of prmResources(ctx)) {
      const problem = resourceProblem(resource.value, ctx.options.mcpUrl);
      if (!problem) continue;
      const fixes: PolicyFix[] = problem.fix !== undefined ? [{ title: problem.title!, edits: [{ start: resource.start, end: resource.end, newText: problem.fix }] }] : [];
      ctx.report({ message: problem.message, start: resource.start, end: resource.end, fixes });
    }
  },
};

/**
 * G7: clients fetch PRM without a token. A PRM operation that validates tokens itself always answers 401. One that
 * runs `<base />` first answers 401 only when a parent scope validates, which the file cannot show: that half is
 * checked only when the scope was stated (`scope=prm`), which says this is the PRM operation of a protected API.
 */
export const prmBehindTokenValidation: PolicyRule = {
  id: 'apim.policy.prmBehindTokenValidation',
  severity: 'error',
  title: 'PRM operation behind token validation',
  check(ctx) {
    const { doc, scope } = ctx;
    if (scope !== 'prm') return;
    for (const validator of factsOf(doc).validators) {
      ctx.report({
        message: `The protected-resource metadata operation runs ${validator.name}, but clients fetch PRM without a token to learn how to get one, so they get 401. Remove token validation from this operation.`,
        start: validator.nameRange.start,
        end: validator.nameRange.end,
      });
    }
    const inbound = elementsNamed(doc, 'inbound')[0];
    if (!inbound || !ctx.scopeStated) return;
    const base = childElements(inbound, 'base')[0];
    const response = descendants(inbound, 'return-response')[0];
    if (!base || (response && response.range.start < base.range.start)) return;
    const lineStart = doc.text.lastIndexOf('\n', base.range.start - 1) + 1;
    const onlySpaceBefore = /^[ \t]*$/.test(doc.text.slice(lineStart, base.range.start));
    const lineEnd = doc.text.indexOf('\n', base.range.end);
    const onlySpaceAfter = lineEnd >= 0 && /^[ \t\r]*$/.test(doc.text.slice(base.range.end, lineEnd));
    const edit = onlySpaceBefore && onlySpaceAfter ? { start: lineStart, end: lineEnd + 1, newText: '' } : { start: base.range.start, end: base.range.end, newText: '' };
    ctx.report({
      message:
        'This protected-resource metadata operation runs <base /> first, so API-level token validation runs before it and anonymous PRM requests get 401. Return the metadata before <base /> (the samples omit <base /> here).',
      start: base.range.start,
      end: base.range.end,
      fixes: [{ title: 'Remove <base /> from the PRM operation inbound', edits: [edit] }],
    });
  },
};

