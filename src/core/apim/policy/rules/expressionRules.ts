import { factsOf } from '../policyFacts';
import { attributeValue, childElements, elementsNamed, expressionsWithin, Q } from '../policyQueries';
import type { PolicyRule } from '../policyRule';
import type { PolicyDocument } from '../policyTypes';

/**
 * Claims a validated token is known to carry: those its validator requires, `aud` when audiences are checked, `iss`
 * when issuers are, and `exp`, which validate-jwt requires by default.
 */
function guaranteedClaims(doc: PolicyDocument): Set<string> {
  const claims = new Set<string>();
  for (const validator of factsOf(doc).validators) {
    for (const claim of childElements(validator, 'required-claims').flatMap((c) => childElements(c, 'claim'))) claims.add(attributeValue(claim, 'name') ?? '');
    if (childElements(validator, 'audiences').length > 0) claims.add('aud');
    if (childElements(validator, 'issuers').length > 0 || childElements(validator, 'openid-config').length > 0) claims.add('iss');
    if (validator.name === 'validate-jwt' && (attributeValue(validator, 'require-expiration-time') ?? 'true').trim() !== 'false') claims.add('exp');
  }
  return claims;
}

const CLAIM_INDEX = new RegExp(`Claims\\s*\\[\\s*${Q}([^"&]*)${Q}\\s*\\]`, 'g');
const SIMPLE_RECEIVER = /([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*\.\s*$/;

/** G4: `Claims["roles"]` throws when the claim is missing, which APIM turns into a 500. */
export const unguardedClaimIndex: PolicyRule = {
  id: 'apim.policy.unguardedClaimIndex',
  severity: 'error',
  title: 'Claims["…"] indexed without ContainsKey / GetValueOrDefault',
  check({ doc, report }) {
    if (!doc.text.includes('Claims')) return;
    const guaranteed = guaranteedClaims(doc);
    for (const expression of doc.expressions) {
      const { code } = expression;
      if (!code.includes('Claims')) continue;
      for (const match of code.matchAll(CLAIM_INDEX)) {
        const claim = match[1]!;
        if (guaranteed.has(claim)) continue;
        const escaped = claim.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const guard = new RegExp(`(ContainsKey|TryGetValue)\\s*\\(\\s*${Q}${escaped}${Q}`);
        if (guard.test(code)) continue;
        const start = expression.codeRange.start + match.index;
        const end = start + match[0].length;
        const before = code.slice(0, match.index);
        const receiver = SIMPLE_RECEIVER.exec(before);
        const precededByChain = receiver ? /[.)\]?]\s*$/.test(before.slice(0, receiver.index)) : true;
        const quote = match[0].includes('&quot;') ? '&quot;' : '"';
        const fixes =
          receiver && !precededByChain
            ? [
                {
                  title: `Guard with ContainsKey("${claim}")`,
                  edits: [
                    {
                      start: expression.codeRange.start + receiver.index,
                      end,
                      newText: `(${receiver[1]}.Claims.ContainsKey(${quote}${claim}${quote}) ? ${receiver[1]}.Claims[${quote}${claim}${quote}] : new string[0])`,
                    },
                  ],
                },
              ]
            : [];
        report({
          message: `Claims["${claim}"] throws when the token has no "${claim}" claim, and APIM answers 500 (ExpressionValueEvaluationFailure) instead of 401/403. Use Claims.GetValueOrDefault("${claim}", "") or check ContainsKey("${claim}") first.`,
          start,
          end,
          fixes,
        });
      }
    }
  },
};

/** `.Let(` is not among the members APIM policy expressions allow. */
export const letNotSupported: PolicyRule = {
  id: 'apim.policy.letNotSupported',
  severity: 'error',
  title: '.Let( is not available in APIM policy expressions',
  check({ doc, report }) {
    for (const expression of doc.expressions) {
      if (!expression.code.includes('Let')) continue;
      for (const match of expression.code.matchAll(/\.\s*Let\s*\(/g)) {
        const start = expression.codeRange.start + match.index + 1;
        report({
          message: '.Let( is not available in APIM policy expressions: the policy is rejected when saved. Use a local variable in a @{ … } block instead.',
          start,
          end: start + match[0].length - 2,
        });
      }
    }
  },
};

/** G18 / azure-docs #91179: LastError.Message holds CRLF from IDX messages; a header value with CRLF is a 500. */
export const lastErrorMessageInHeader: PolicyRule = {
  id: 'apim.policy.lastErrorMessageInHeader',
  severity: 'error',
  title: 'context.LastError.Message written into a header',
  check({ doc, report }) {
    for (const header of elementsNamed(doc, 'set-header')) {
      if ((attributeValue(header, 'exists-action') ?? '').toLowerCase() === 'delete') continue;
      for (const expression of expressionsWithin(doc, header)) {
        for (const match of expression.code.matchAll(/context\s*\.\s*LastError\s*\.\s*Message\b/g)) {
          const start = expression.codeRange.start + match.index;
          const end = start + match[0].length;
          report({
            message:
              'context.LastError.Message can contain CRLF (IDX messages do), and a header value with CRLF fails with "Expression value is invalid. Specified value has invalid CRLF characters." (500). Use context.LastError.Reason, or put the message in the body.',
            start,
            end,
            fixes: [{ title: 'Use context.LastError.Reason', edits: [{ start, end, newText: 'context.LastError.Reason' }] }],
          });
        }
      }
    }
  },
};
