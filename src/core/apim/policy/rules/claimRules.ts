/**
 * How claims are compared. validate-jwt `required-claims` (match="all" is the default) and the string shapes
 * expressions see: `Claims.GetValueOrDefault(name, "")` joins values with commas, and `scp` is one space-separated
 * string (access-token claims reference), so exact matches and the wrong split break as soon as a token carries two.
 */
import { decodeEntities, decodeWithMap, factsOf } from '../policyFacts';
import { attribute, attributeValue, childElements, elementsNamed, matchingParen, textContent } from '../policyQueries';
import type { PolicyFix, PolicyRule } from '../policyRule';
import type { PolicyDocument, PolicyElement } from '../policyTypes';

/** Claims an Entra (or any OIDC) token carries with exactly one value. */
const SINGLE_VALUED = new Set(['azp', 'appid', 'tid', 'oid', 'sub', 'iss', 'ver', 'idtyp', 'upn', 'email', 'preferred_username', 'unique_name', 'azpacr', 'appidacr', 'name']);

function claimsOf(doc: Parameters<PolicyRule['check']>[0]['doc']): PolicyElement[] {
  return factsOf(doc).validators.flatMap((v) => childElements(v, 'required-claims')).flatMap((c) => childElements(c, 'claim'));
}

/** match="all" (the default) over several values of a single-valued claim: no token can hold them all. */
export const requiredClaimNeverMatches: PolicyRule = {
  id: 'apim.policy.requiredClaimNeverMatches',
  severity: 'error',
  title: 'required-claims that no token can satisfy',
  check(ctx) {
    for (const claim of claimsOf(ctx.doc)) {
      const name = (attributeValue(claim, 'name') ?? '').trim();
      const match = attribute(claim, 'match');
      if (!SINGLE_VALUED.has(name.toLowerCase()) || attributeValue(claim, 'separator') !== undefined) continue;
      if (match && match.value.trim().toLowerCase() !== 'all') continue;
      const values = new Set(childElements(claim, 'value').map((v) => textContent(v).trim()).filter(Boolean));
      if (values.size < 2) continue;
      const nameAttr = attribute(claim, 'name')!;
      const fix: PolicyFix = match
        ? { title: 'Use match="any"', edits: [{ start: match.valueRange.start, end: match.valueRange.end, newText: 'any' }] }
        : { title: 'Use match="any"', edits: [{ start: nameAttr.range.end, end: nameAttr.range.end, newText: ' match="any"' }] };
      ctx.report({
        message: `The ${name} claim holds one value, and match="all"${match ? '' : ' (the default)'} requires every one of the ${values.size} listed values to be present, so no token passes (401). Use match="any" to accept any of them.`,
        start: claim.nameRange.start,
        end: claim.nameRange.end,
        fixes: [fix],
      });
    }
  },
};

/** `scp` is one space-separated string: without `separator=" "` a value matches only a token with exactly that scope. */
export const scopeClaimWithoutSeparator: PolicyRule = {
  id: 'apim.policy.scopeClaimWithoutSeparator',
  severity: 'warning',
  title: 'required-claims on scp without separator=" "',
  check(ctx) {
    for (const claim of claimsOf(ctx.doc)) {
      const nameAttr = attribute(claim, 'name');
      if (!nameAttr || nameAttr.value.trim() !== 'scp' || attribute(claim, 'separator')) continue;
      ctx.report({
        message:
          'scp is one space-separated string ("user_impersonate Files.Read"), so without separator=" " a listed value matches only a token that carries exactly that one scope; a token with more scopes fails (401). Add separator=" ".',
        start: claim.nameRange.start,
        end: claim.nameRange.end,
        fixes: [{ title: 'Add separator=" "', edits: [{ start: nameAttr.range.end, end: nameAttr.range.end, newText: ' separator=" "' }] }],
      });
    }
  },
};

const JOINED_READ = /GetValueOrDefault\s*(?:<[^>]*>)?\s*\(\s*"(roles|groups|wids|scp)"/g;
const SCP_INDEX = /Claims\s*\[\s*"scp"\s*\]/g;
/** A read of roles / groups / wids / scp in the raw (possibly entity-encoded) code: the rule has nothing to do without one. */
const JOINED_CLAIM_HINT = /(?:"|&quot;)(?:roles|groups|wids|scp)(?:"|&quot;)/;
const VARIABLE_READ = /Variables\s*(?:\[\s*"([^"]+)"\s*\]|\.\s*GetValueOrDefault\s*(?:<[^>]*>)?\s*\(\s*"([^"]+)"[^)]*\))/g;

interface Mistake {
  readonly at: number;
  readonly length: number;
  readonly message: string;
}

const joinerOf = (claim: string): string => (claim === 'scp' ? ' ' : ',');

/** What follows a read of a claim string (`after` starts just past it) that breaks with two values, if anything. */
function stringMistake(claim: string, after: string): string | undefined {
  const joiner = joinerOf(claim);
  const rest = after.replace(/^\s*\?\?\s*"[^"]*"/, '').replace(/^[\s)]*/, '');
  const compared = /^(?:==|!=)\s*"/.test(rest) || /^\.\s*Equals\s*\(/.test(rest);
  const split = /^\.\s*Split\s*\(\s*(?:'(.)'|"(.)")/.exec(rest);
  const separator = split ? (split[1] ?? split[2]) : undefined;
  if (compared) return `compares the whole ${claim} string, which holds every value joined by "${joiner}", so it fails for a caller with two.`;
  if (claim === 'scp' && /^\.\s*(?:Contains|IndexOf|StartsWith|EndsWith)\s*\(/.test(rest)) {
    return 'searches the scp string for a substring, so "Files.Read" also matches "Files.ReadWrite". Split on \' \' and compare whole values.';
  }
  if (separator !== undefined && separator !== joiner) return `splits ${claim} on "${separator}", but its values are joined by "${joiner}", so the parts are never single values.`;
  return undefined;
}

const SCP_ARRAY = 'tests the scp claim as if it held one scope per element, but scp is a single space-separated string, so it fails for a token with two scopes. Split it first: ….Split(\' \').Contains("…").';

/** Reads of joined claims in one (entity-decoded) expression, and reads of variables set from them. */
function mistakesIn(code: string, joinedVariables: ReadonlyMap<string, string>): Mistake[] {
  const found: Mistake[] = [];
  for (const match of code.matchAll(JOINED_READ)) {
    const open = match.index + match[0].lastIndexOf('(');
    const close = matchingParen(code, open);
    if (close < 0) continue;
    const claim = match[1]!;
    const defaultArg = code.slice(open + 1, close).split(',').slice(1).join(',').trim();
    const asArray = defaultArg === '' || /^(?:new\b|Array\.Empty)/.test(defaultArg);
    const after = code.slice(close + 1, close + 80);
    const problem = asArray ? (claim === 'scp' && /^\s*\.\s*Contains\s*\(/.test(after) ? SCP_ARRAY : undefined) : stringMistake(claim, after);
    if (problem) found.push({ at: match.index, length: close + 1 - match.index, message: `This ${problem}` });
  }
  for (const match of code.matchAll(SCP_INDEX)) {
    const after = code.slice(match.index + match[0].length, match.index + match[0].length + 60);
    if (/^\s*\.\s*Contains\s*\(/.test(after) || /^\s*\[\s*0\s*\]\s*(?:==|!=)\s*"/.test(after)) found.push({ at: match.index, length: match[0].length, message: `This ${SCP_ARRAY}` });
  }
  for (const match of code.matchAll(VARIABLE_READ)) {
    const claim = joinedVariables.get(match[1] ?? match[2] ?? '');
    const problem = claim ? stringMistake(claim, code.slice(match.index + match[0].length, match.index + match[0].length + 80)) : undefined;
    if (problem) found.push({ at: match.index, length: match[0].length, message: `This reads "${match[1] ?? match[2]}", set from the ${claim} claim, and ${problem}` });
  }
  return found;
}

/** Variables set to a claim read as one joined string: name → claim. */
function joinedClaimVariables(doc: PolicyDocument): Map<string, string> {
  const found = new Map<string, string>();
  for (const setter of elementsNamed(doc, 'set-variable')) {
    const name = attributeValue(setter, 'name');
    const code = decodeEntities(attributeValue(setter, 'value') ?? '').trim();
    const read = /^@\(\s*[^;]*?GetValueOrDefault\s*\(\s*"(roles|groups|wids|scp)"\s*,\s*"[^"]*"\s*\)\s*\)$/.exec(code);
    if (name && read) found.set(name, read[1]!);
  }
  return found;
}

/** Exact matches and wrong splits on joined roles / groups and on the space-separated scp. */
export const joinedClaimCompare: PolicyRule = {
  id: 'apim.policy.joinedClaimCompare',
  severity: 'warning',
  title: 'Claim compared as one value while it holds several',
  check({ doc, report }) {
    const variables = joinedClaimVariables(doc);
    const mayRead = (code: string): boolean => JOINED_CLAIM_HINT.test(code) || (variables.size > 0 && [...variables.keys()].some((v) => code.includes(v)));
    for (const expression of doc.expressions) {
      if (!mayRead(expression.code)) continue;
      const { text, toRaw } = decodeWithMap(expression.code);
      for (const mistake of mistakesIn(text, variables)) {
        report({ message: mistake.message, start: expression.codeRange.start + toRaw(mistake.at), end: expression.codeRange.start + toRaw(mistake.at + mistake.length) });
      }
    }
  },
};
