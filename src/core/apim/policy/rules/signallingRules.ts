import type { PolicyDocument, PolicyElement } from '../policyTypes';
import { attributeValue, childElements, elementsNamed, indentationAt, indentUnit, isInside, sectionOf, textContent } from '../policyQueries';
import { factsOf } from '../policyFacts';
import type { PolicyFix, PolicyRule, RuleContext } from '../policyRule';
import { isFragment, mentionsSubscriptionKey } from './tokenRules';


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
  const unit = indentUnit(ctx.doc);
  return lines.map((l) => `\n${indent}${l.replace('INDENT', unit)}`).join('');
}

/** G7: without a Bearer challenge naming the PRM, MCP clients cannot discover how to sign in. */
export const challengeWithoutResourceMetadata: PolicyRule = {
  id: 'apim.policy.challengeWithoutResourceMetadata',
  severity: 'warning',
  title: '401 without a Bearer challenge and resource_metadata',
  check(ctx) {
    const { doc, scope, options } = ctx;
    // A fragment has no on-error of its own, and a policy that includes fragments may get its challenge from one
    // (apim.policy.checkFragment says which to check).
    if (scope !== 'mcp' || isFragment(doc) || factsOf(doc).fragments.length > 0) return;
    const headers = challengeHeaders(doc);
    const onError = elementsNamed(doc, 'on-error')[0];
    const goodInOnError = !!onError && headers.some((h) => h.good && isInside(h.element, onError));
    const prmUrl = options.prmUrl;
    for (const validator of factsOf(doc).validators) {
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
        const unit = indentUnit(doc);
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

/** G17: `rate-limit` only counts calls made with a subscription key. */
export const rateLimitOnBearerOnly: PolicyRule = {
  id: 'apim.policy.rateLimitOnBearerOnly',
  severity: 'warning',
  title: 'rate-limit on a bearer-only API',
  check(ctx) {
    const { doc } = ctx;
    if (factsOf(doc).validators.length === 0) return;
    if (mentionsSubscriptionKey(doc.text)) return;
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
      const unit = indentUnit(doc);
      fixes.push({
        title: 'Forward the caller\'s Authorization header',
        edits: [{ start: deleting[0].range.start, end: deleting[0].range.end, newText: FORWARD_LINES.map((l) => l.replace('INDENT', unit)).join(`\n${indent}`) }],
      });
    } else if (inbound?.endTagRange) {
      const lastChild = [...inbound.children].reverse().find((c) => c.kind === 'element');
      const at = lastChild ? lastChild.range.end : inbound.startTagRange.end;
      const anchor = lastChild ? lastChild.range.start : inbound.range.start;
      fixes.push({ title: 'Forward the caller\'s Authorization header', edits: [{ start: at, end: at, newText: indentLines(ctx, anchor, FORWARD_LINES, lastChild ? '' : indentUnit(doc)) }] });
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
