/**
 * Decides whether a policy is an MCP server policy, a PRM operation policy or something else, from what the policy
 * does (never from its file, folder or repository name), and reads the optional in-file directive
 * `<!-- apim-mcp: scope=mcp mcp-url=https://… prm-url=https://… tools=a,b backend-auth=required -->`.
 */
import { factsOf } from './policyFacts';
import { descendants, elementsNamed, textContent } from './policyQueries';
import type { LintOptions, PolicyScope } from './policyRule';
import type { PolicyDocument } from './policyTypes';

const DIRECTIVE = /^\s*apim-mcp\s*:(.*)$/s;

export function readDirectives(doc: PolicyDocument): LintOptions {
  const options: { -readonly [K in keyof LintOptions]: LintOptions[K] } = {};
  for (const comment of doc.comments) {
    const match = DIRECTIVE.exec(comment.text);
    if (!match) continue;
    for (const pair of match[1]!.split(/[\s;]+/)) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const key = pair.slice(0, eq).toLowerCase();
      const value = pair.slice(eq + 1);
      if (key === 'scope' && (value === 'mcp' || value === 'prm' || value === 'other')) options.scope = value;
      else if (key === 'mcp-url' && value) options.mcpUrl = value;
      else if (key === 'prm-url' && value) options.prmUrl = value;
      else if (key === 'tools') options.tools = value.split(',').map((t) => t.trim()).filter(Boolean);
      else if (key === 'backend-auth') options.backendNeedsAuthorization = value === 'required';
    }
  }
  return options;
}

/** What MCP traffic looks like in a policy: JSON-RPC methods, the session header, an RFC 9728 challenge. */
const MCP_SIGNALS = /tools\/call|tools\/list|Mcp-Session-Id|resource_metadata|(?:"|&quot;)jsonrpc(?:"|&quot;)/i;
/** Cheap case-sensitive test that must hold before MCP_SIGNALS can (the header name's case varies after "Mcp-"). */
const mayHaveMcpSignal = (text: string): boolean =>
  text.includes('tools/') || text.includes('ession-') || text.includes('ESSION-') || text.includes('resource_metadata') || text.includes('jsonrpc');

/**
 * PRM: a `return-response` whose body names `authorization_servers` (as JSON, a C# anonymous object or a JObject).
 * MCP: MCP traffic signals outside comments. Anything else is `other`.
 */
export function inferScope(doc: PolicyDocument): PolicyScope {
  for (const response of doc.text.includes('authorization_servers') ? elementsNamed(doc, 'return-response') : []) {
    for (const body of descendants(response, 'set-body')) {
      if (/authorization_servers/.test(textContent(body))) return 'prm';
    }
  }
  return mayHaveMcpSignal(doc.text) && MCP_SIGNALS.test(factsOf(doc).uncommented) ? 'mcp' : 'other';
}
