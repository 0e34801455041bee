import type { PolicyDocument, PolicyElement } from '../policyReader';
import { attributeValue, childElements, descendants, elementsNamed, indentationAt, indentUnit, isInside, sectionOf, textContent } from '../policyQueries';
import type { PolicyFix, PolicyRule, RuleContext } from '../policyRule';

const VALIDATORS = ['validate-jwt', 'validate-azure-ad-token'];

function challengeHeaders(doc: PolicyDocument): { element: PolicyElement; good: boolean }[] {
  return elementsNamed(doc, 'set-header')
    .filter((h) => /^www-authenticate$/i.test((attributeValue(h, 'name') ?? '').trim()))
    .map((element) => {
      const value = `${attributeValue(element, 'value') ?? ''} ${textContent(element)}`;
      return { element, good: /\bBearer\b/i.test(value) && /resource_metadata\s*=/i.test(value) };
    });
}

function statusOf(element: PolicyElement): string {
  return (attributeValue(element, 'code') ?? '').trim();
}

function challengeLines(prmUrl: string): string[] {
  return [
    '<set-header name="WWW-Authenticate" exists-action="override">',
    `INDENT<value>Bearer error="invalid_token", resource_metadata="${prmUrl}"</value>`,
    '</set-header>',
  ];
}

function indentLines(ctx: RuleContext, at: number, lines: string[], extra = ''): string {
  const indent = indentationAt(ctx.doc.text, at) + extra;
  const unit = indentUnit(ctx.doc.text);
  return lines.map((l) => `\n${indent}${l.replace('INDENT', unit)}`).join('');
}

/** G7: without a Bearer challenge naming the PRM, MCP clients cannot discover how to sign in. */
export const challengeWithoutResourceMetadata: PolicyRule = {
  id: 'apim.policy.challengeWithoutResourceMetadata',
  severity: 'warning',
  title: '401 without a Bearer challenge and resource_metadata',
  check(ctx) {
    const { doc, scope, options } = ctx;
    if (scope !== 'mcp') return;
    const headers = challengeHeaders(doc);
    const onError = elementsNamed(doc, 'on-error')[0];
    const goodInOnError = !!onError && headers.some((h) => h.good && isInside(h.element, onError));
    const prmUrl = options.prmUrl;
    for (const validator of elementsNamed(doc, ...VALIDATORS)) {
      const code = (attributeValue(validator, 'failed-validation-httpcode') ?? '401').trim();
      if (code !== '401' || goodInOnError) continue;
      const fixes: PolicyFix[] = [];
      if (prmUrl) {
        const block = [
          '<choose>',
          'INDENT<when condition="@(context.Response.StatusCode == 401)">',
          ...challengeLines(prmUrl).map((l) => `INDENTINDENT${l}`),
          'INDENT</when>',
          '</choose>',
        ];
        const unit = indentUnit(doc.text);
        const expand = (lines: string[]): string[] => lines.map((l) => l.replace(/INDENT/g, unit));
        if (onError) {
          const base = childElements(onError, 'base')[0];
          const anchor = base ?? onError;
          const at = base ? base.range.end : onError.startTagRange.end;
          const extra = base ? '' : unit;
          fixes.push({
            title: 'Add a Bearer challenge with resource_metadata on 401',
            edits: [{ start: at, end: at, newText: expand(block).map((l) => `\n${indentationAt(doc.text, anchor.range.start)}${extra}${l}`).join('') }],
          });
        } else {
          const policies = elementsNamed(doc, 'policies')[0];
          if (policies?.endTagRange) {
            const at = policies.endTagRange.start;
            const indent = unit;
            const lines = ['<on-error>', `${unit}<base />`, ...expand(block).map((l) => `${unit}${l}`), '</on-error>'];
            fixes.push({
              title: 'Add an on-error Bearer challenge with resource_metadata',
              edits: [{ start: at, end: at, newText: `${lines.map((l) => `${indent}${l}`).join('\n')}\n` }],
            });
          }
        }
      }
      const partial = headers.some((h) => onError && isInside(h.element, onError));
      ctx.report({
        message: partial
          ? `${validator.name} answers 401, and the on-error WWW-Authenticate header has no resource_metadata. MCP clients (VS Code) need WWW-Authenticate: Bearer error="invalid_token", resource_metadata="<PRM URL>" to discover sign-in.`
          : `${validator.name} answers 401 without a WWW-Authenticate Bearer challenge (APIM adds none), so MCP clients cannot discover how to sign in. In <on-error>, set WWW-Authenticate: Bearer error="invalid_token", resource_metadata="<PRM URL>" when the status is 401.`,
        start: validator.nameRange.start,
        end: validator.nameRange.end,
        fixes,
      });
    }
    for (const response of elementsNamed(doc, 'return-response')) {
      const status = childElements(response, 'set-status')[0];
      if (!status || statusOf(status) !== '401') continue;
      const inside = headers.filter((h) => isInside(h.element, response));
      if (inside.some((h) => h.good)) continue;
      if (sectionOf(response) === 'on-error' && goodInOnError) continue;
      const fixes: PolicyFix[] =
        prmUrl && inside.length === 0
          ? [{ title: 'Add a Bearer challenge with resource_metadata', edits: [{ start: status.range.end, end: status.range.end, newText: indentLines(ctx, status.range.start, challengeLines(prmUrl)) }] }]
          : [];
      ctx.report({
        message:
          inside.length > 0
            ? 'This 401 has a WWW-Authenticate header without a Bearer challenge and resource_metadata, so MCP clients cannot discover how to sign in.'
            : 'This 401 has no WWW-Authenticate header. MCP clients need WWW-Authenticate: Bearer error="invalid_token", resource_metadata="<PRM URL>" to discover how to sign in.',
        start: status.range.start,
        end: status.range.end,
        fixes,
      });
    }
  },
};

const RESOURCE = /("|&quot;)resource\1\s*:\s*("|&quot;)(.*?)\2/;

function normaliseUrl(url: string): string {
  return url.trim().replace(/^([a-z]+:\/\/[^/]+)/i, (origin) => origin.toLowerCase());
}

/** G9 / G20: the PRM `resource` must be exactly the MCP URL (which must also be an App ID URI), with no trailing slash. */
export const prmResourceMismatch: PolicyRule = {
  id: 'apim.policy.prmResourceMismatch',
  severity: 'error',
  title: 'PRM resource is not the MCP server URL',
  check(ctx) {
    const { doc, options } = ctx;
    for (const body of elementsNamed(doc, 'set-body')) {
      if (!body.parent || body.parent.name !== 'return-response') continue;
      for (const node of body.children) {
        if (node.kind !== 'text' && node.kind !== 'cdata') continue;
        if (!/authorization_servers/.test(node.text)) continue;
        const match = RESOURCE.exec(node.text);
        if (!match) continue;
        const value = match[3]!;
        const textStart = node.kind === 'cdata' ? node.textRange.start : node.range.start;
        const valueStart = textStart + match.index + match[0].length - match[2]!.length - value.length;
        const valueEnd = valueStart + value.length;
        const dynamic = /\{\{|@\(|@\{|\$\{/.test(value);
        const replace = (title: string, newText: string): PolicyFix => ({ title, edits: [{ start: valueStart, end: valueEnd, newText }] });
        if (/^api:\/\//i.test(value)) {
          ctx.report({
            message: `The PRM resource is the App ID URI ${value}, but MCP clients send the MCP server URL as the RFC 8707 resource, and Entra rejects the mismatch (AADSTS9010010). Publish the MCP server URL and add it to the app's identifierUris.`,
            start: valueStart,
            end: valueEnd,
            fixes: options.mcpUrl ? [replace(`Use ${options.mcpUrl}`, options.mcpUrl)] : [],
          });
        } else if (/\/\.well-known\/oauth-protected-resource/i.test(value)) {
          ctx.report({
            message: 'The PRM resource is the metadata URL itself; it must be the MCP server URL.',
            start: valueStart,
            end: valueEnd,
            fixes: options.mcpUrl ? [replace(`Use ${options.mcpUrl}`, options.mcpUrl)] : [],
          });
        } else if (/\/$/.test(value)) {
          ctx.report({
            message: `The PRM resource ends with a slash. An Application ID URI cannot end with one, so a client that sends ${value} never matches (AADSTS9010010).`,
            start: valueStart,
            end: valueEnd,
            fixes: [replace('Remove the trailing slash', value.replace(/\/+$/, ''))],
          });
        } else if (options.mcpUrl && !dynamic && normaliseUrl(value) !== normaliseUrl(options.mcpUrl)) {
          ctx.report({
            message: `The PRM resource ${value} is not the MCP server URL ${options.mcpUrl}. Clients send the resource byte for byte, and Entra rejects it unless it is an identifier URI of the API app (AADSTS9010010).`,
            start: valueStart,
            end: valueEnd,
            fixes: [replace(`Use ${options.mcpUrl}`, options.mcpUrl)],
          });
        }
      }
    }
  },
};

/** G7: the PRM operation must answer before `<base />`, or API-level token validation rejects the anonymous fetch. */
export const prmBehindTokenValidation: PolicyRule = {
  id: 'apim.policy.prmBehindTokenValidation',
  severity: 'error',
  title: 'PRM operation behind token validation',
  check(ctx) {
    const { doc, scope } = ctx;
    if (scope !== 'prm') return;
    for (const validator of elementsNamed(doc, ...VALIDATORS)) {
      ctx.report({
        message: `The protected-resource metadata operation runs ${validator.name}, but clients fetch PRM without a token to learn how to get one, so they get 401. Remove token validation from this operation.`,
        start: validator.nameRange.start,
        end: validator.nameRange.end,
      });
    }
    const inbound = elementsNamed(doc, 'inbound')[0];
    if (!inbound) return;
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

/** G17: `rate-limit` only counts calls made with a subscription key. */
export const rateLimitOnBearerOnly: PolicyRule = {
  id: 'apim.policy.rateLimitOnBearerOnly',
  severity: 'warning',
  title: 'rate-limit on a bearer-only API',
  check(ctx) {
    const { doc } = ctx;
    if (elementsNamed(doc, ...VALIDATORS).length === 0) return;
    if (/context\s*\.\s*Subscription\b|Ocp-Apim-Subscription-Key|subscription-key/i.test(doc.text)) return;
    for (const limit of elementsNamed(doc, 'rate-limit')) {
      const fixes: PolicyFix[] = [];
      const hasChildren = limit.children.some((c) => c.kind === 'element');
      if (!hasChildren) {
        const counterKey = ' counter-key="@(context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt()?.Subject ?? context.Request.IpAddress)"';
        const edits = [{ start: limit.nameRange.start, end: limit.nameRange.end, newText: 'rate-limit-by-key' }];
        const lastAttribute = limit.attributes[limit.attributes.length - 1];
        const at = lastAttribute ? lastAttribute.range.end : limit.nameRange.end;
        edits.push({ start: at, end: at, newText: counterKey });
        if (limit.endTagRange) edits.push({ start: limit.endTagRange.start + 2, end: limit.endTagRange.start + 2 + limit.name.length, newText: 'rate-limit-by-key' });
        fixes.push({ title: 'Use rate-limit-by-key on the token subject', edits });
      }
      ctx.report({
        message:
          'rate-limit is only applied when the API is called with a subscription key, and this policy authenticates with bearer tokens, so the limit never applies. Use rate-limit-by-key with a key such as the token subject or Mcp-Session-Id.',
        start: limit.nameRange.start,
        end: limit.nameRange.end,
        fixes,
      });
    }
  },
};

const FORWARD_LINES = [
  '<set-header name="Authorization" exists-action="override">',
  'INDENT<value>@(context.Request.Headers.GetValueOrDefault("Authorization"))</value>',
  '</set-header>',
];

/** G3 and the MCP troubleshooting table: "401 Unauthorized error from backend | Authorization header not forwarded". */
export const authorizationNotForwarded: PolicyRule = {
  id: 'apim.policy.authorizationNotForwarded',
  severity: 'warning',
  title: 'Authorization not forwarded to a backend that needs it',
  check(ctx) {
    const { doc, options } = ctx;
    if (!options.backendNeedsAuthorization) return;
    const setters = elementsNamed(doc, 'set-header').filter((h) => /^authorization$/i.test((attributeValue(h, 'name') ?? '').trim()));
    const deleting = setters.filter((h) => (attributeValue(h, 'exists-action') ?? '').toLowerCase() === 'delete' && sectionOf(h) !== 'outbound');
    const forwarding = setters.filter((h) => (attributeValue(h, 'exists-action') ?? 'override').toLowerCase() !== 'delete' && sectionOf(h) === 'inbound');
    if (deleting.length === 0 && forwarding.length > 0) return;
    const inbound = elementsNamed(doc, 'inbound')[0];
    const target = deleting[0] ?? inbound;
    if (!target) return;
    const fixes: PolicyFix[] = [];
    if (deleting[0]) {
      const indent = indentationAt(doc.text, deleting[0].range.start);
      const unit = indentUnit(doc.text);
      fixes.push({
        title: 'Forward the caller\'s Authorization header',
        edits: [{ start: deleting[0].range.start, end: deleting[0].range.end, newText: FORWARD_LINES.map((l) => l.replace('INDENT', unit)).join(`\n${indent}`) }],
      });
    } else if (inbound?.endTagRange) {
      const lastChild = [...inbound.children].reverse().find((c) => c.kind === 'element');
      const at = lastChild ? lastChild.range.end : inbound.startTagRange.end;
      const anchor = lastChild ? lastChild.range.start : inbound.range.start;
      fixes.push({ title: 'Forward the caller\'s Authorization header', edits: [{ start: at, end: at, newText: indentLines(ctx, anchor, FORWARD_LINES, lastChild ? '' : indentUnit(doc.text)) }] });
    }
    ctx.report({
      message: deleting[0]
        ? 'The backend needs the caller\'s Authorization header, but this policy deletes it, so the backend answers 401.'
        : 'The backend needs the caller\'s Authorization header, and REST-API-as-MCP tool calls do not pass request headers on by themselves, so the backend answers 401. Forward it with set-header.',
      start: target.nameRange.start,
      end: target.nameRange.end,
      fixes,
    });
  },
};
