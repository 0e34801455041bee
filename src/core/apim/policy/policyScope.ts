/**
 * Decides whether a policy is an MCP server policy, a PRM operation policy or something else, and reads the
 * optional in-file directive `<!-- apim-mcp: scope=mcp mcp-url=https://… prm-url=https://… tools=a,b backend-auth=required -->`.
 */
import type { PolicyDocument } from './policyReader';
import type { LintOptions, PolicyScope } from './policyRule';

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

const PRM_BODY = /"authorization_servers"|&quot;authorization_servers&quot;/;
const MCP_SIGNALS = /tools\/call|tools\/list|Mcp-Session-Id|resource_metadata|"jsonrpc"/i;

export function inferScope(doc: PolicyDocument, fileName: string | undefined): PolicyScope {
  const parts = (fileName ?? '').replace(/\\/g, '/').toLowerCase().split('/');
  const base = parts[parts.length - 1] ?? '';
  const folder = parts[parts.length - 2] ?? '';
  const servesPrm = doc.elements.some((e) => e.name === 'return-response') && PRM_BODY.test(doc.text);
  if (servesPrm) return 'prm';
  if (MCP_SIGNALS.test(doc.text)) return 'mcp';
  if (/\bprm\b|oauth-protected-resource/.test(base)) return 'prm';
  if (/mcp/.test(base) || /mcp/.test(folder)) return 'mcp';
  return 'other';
}
