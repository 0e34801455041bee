/**
 * What a careful APIM engineer also flags, each only where the file shows it: a cache miss that throws, PKCE `plain`,
 * decoding caller input outside try/catch, tokens written to trace, one cache entry shared by every caller.
 */
import { decodeEntities, decodeWithMap, factsOf, readsCallerInput, VARIABLE_GUARD, VARIABLE_INDEX, type PolicyFacts } from '../policyFacts';
import { attribute, attributeValue, descendants, elementsNamed, matchingParen } from '../policyQueries';
import type { PolicyRule } from '../policyRule';
import type { PolicyDocument, PolicyElement } from '../policyTypes';

/** `(string)context.Variables["x"]` where x comes from a cache-lookup-value that can miss: KeyNotFoundException → 500. */
export const cacheMissUnguarded: PolicyRule = {
  id: 'apim.policy.cacheMissUnguarded',
  severity: 'error',
  title: 'Cached variable read without checking for a cache miss',
  check({ doc, report }) {
    const facts = factsOf(doc);
    if (facts.cacheLookups.size === 0) return;
    const code = doc.expressions.map((x) => decodeEntities(x.code)).join('\n');
    for (const [name, lookup] of facts.cacheLookups) {
      if (facts.assigned.has(name) || VARIABLE_GUARD(name).test(code)) continue;
      const read = firstIndexRead(doc, name, lookup);
      if (!read) continue;
      report({
        message: `"${name}" comes from cache-lookup-value, which leaves the variable unset on a miss (expired or never stored), and context.Variables["${name}"] then throws: the caller gets 500 instead of a clear error. Check context.Variables.ContainsKey("${name}") first, or give the lookup a default-value.`,
        start: read.start,
        end: read.end,
      });
    }
  },
};

function firstIndexRead(doc: PolicyDocument, name: string, after: PolicyElement): { start: number; end: number } | undefined {
  for (const expression of doc.expressions) {
    if (expression.range.start < after.range.end) continue;
    for (const match of decodeEntities(expression.code).matchAll(VARIABLE_INDEX)) {
      if (match[1] !== name) continue;
      const raw = expression.code.indexOf(name);
      const start = expression.codeRange.start + Math.max(0, expression.code.lastIndexOf('context', raw));
      return { start, end: expression.codeRange.start + raw + name.length };
    }
  }
  return undefined;
}

/** A PKCE check that also accepts `plain`, where the challenge is the verifier itself. */
export const pkcePlainAccepted: PolicyRule = {
  id: 'apim.policy.pkcePlainAccepted',
  severity: 'warning',
  title: 'PKCE code_challenge_method "plain" accepted',
  check({ doc, report }) {
    for (const expression of doc.expressions) {
      if (!/challenge/i.test(expression.code) || !/plain/i.test(expression.code)) continue;
      const code = decodeEntities(expression.code);
      const match = /(?:==\s*"plain"|"plain"\s*==|Equals\s*\(\s*"plain"\s*[,)])/i.exec(code);
      if (!match) continue;
      const at = expression.code.search(/plain/i);
      report({
        message:
          'This PKCE check accepts code_challenge_method=plain, where the code_challenge is the verifier itself, so whoever sees the authorization request can redeem the code. If your metadata advertises only S256 (code_challenge_methods_supported), accept S256 only and reject plain with invalid_request.',
        start: expression.codeRange.start + Math.max(0, at),
        end: expression.codeRange.start + Math.max(0, at) + 5,
      });
    }
  },
};

const RISKY_CALL = /Convert\s*\.\s*FromBase64String\s*\(|\.\s*Decrypt\s*\(/g;
const HAS_RISKY_CALL = /Convert\s*\.\s*FromBase64String\s*\(|\.\s*Decrypt\s*\(/;
const LOCAL = /\b(?:var|string|byte\s*\[\s*\])\s+([A-Za-z_]\w*)\s*=\s*([^;]+);/g;

/** Locals of one expression assigned from caller input (directly, through variables, or through other such locals). */
function callerLocals(code: string, facts: PolicyFacts): Set<string> {
  const locals = new Set<string>();
  for (const match of code.matchAll(LOCAL)) {
    const rhs = match[2]!;
    if (readsCallerInput(rhs, facts) || [...locals].some((l) => new RegExp(`\\b${l}\\b`).test(rhs))) locals.add(match[1]!);
  }
  return locals;
}

/** `Convert.FromBase64String` / `.Decrypt(` on caller input with no try/catch: a malformed value is a 500, not a 401. */
export const decodeWithoutTryCatch: PolicyRule = {
  id: 'apim.policy.decodeWithoutTryCatch',
  severity: 'warning',
  title: 'Caller input decoded without try/catch',
  check({ doc, report }) {
    const facts = factsOf(doc);
    for (const expression of doc.expressions) {
      if (!HAS_RISKY_CALL.test(expression.code)) continue;
      const { text: code, toRaw } = decodeWithMap(expression.code);
      if (/\btry\s*\{/.test(code)) continue;
      const call = firstRiskyCall(code, facts);
      if (!call) continue;
      report({
        message: `${call.decrypt ? 'Decrypt' : 'Convert.FromBase64String'} runs on what the caller sent, outside try/catch: a malformed or forged value throws, and the caller gets 500 instead of 401. Wrap it in try { … } catch { return …; } and answer 401.`,
        start: expression.codeRange.start + toRaw(call.at),
        end: expression.codeRange.start + toRaw(call.at + call.length),
      });
    }
  },
};

function firstRiskyCall(code: string, facts: PolicyFacts): { at: number; length: number; decrypt: boolean } | undefined {
  const locals = callerLocals(code, facts);
  const fromCaller = (text: string): boolean => readsCallerInput(text, facts) || [...locals].some((l) => new RegExp(`\\b${l}\\b`).test(text));
  for (const match of code.matchAll(RISKY_CALL)) {
    const open = match.index + match[0].length - 1;
    const close = matchingParen(code, open);
    const receiver = /([A-Za-z_]\w*)\s*$/.exec(code.slice(0, match.index))?.[1] ?? '';
    const decrypt = match[0].includes('Decrypt');
    if (!fromCaller(code.slice(open + 1, close < 0 ? code.length : close)) && !(decrypt && fromCaller(receiver))) continue;
    const name = decrypt ? 'Decrypt' : 'FromBase64String';
    return { at: match.index + match[0].indexOf(name), length: name.length, decrypt };
  }
  return undefined;
}

const AUTHORIZATION_READ = /Headers\s*(?:\.\s*GetValueOrDefault\s*\(|\[)\s*"Authorization"/i;

/** The policy forwards a token request (its backend is a token endpoint), so context.Response.Body is a token response. */
function forwardsTokenRequest(doc: PolicyDocument): boolean {
  return doc.elements.some((e) => {
    if (e.name === 'rewrite-uri') return /token/i.test(attributeValue(e, 'template') ?? '');
    if (e.name !== 'set-body' || e.parent?.name === 'send-request' || e.parent?.name === 'return-response') return false;
    return /grant_type=/.test(doc.text.slice(e.range.start, e.range.end));
  });
}

/** Variables that hold a bearer token or a whole token response. */
function tokenVariables(doc: PolicyDocument): { responses: Set<string>; holders: Set<string> } {
  const responses = new Set<string>();
  for (const request of elementsNamed(doc, 'send-request')) {
    const url = descendants(request, 'set-url').map((u) => doc.text.slice(u.range.start, u.range.end)).join(' ');
    const name = attributeValue(request, 'response-variable-name');
    if (name && /token|oauth2/i.test(url)) responses.add(name);
  }
  const holders = new Set<string>();
  for (const setter of elementsNamed(doc, 'set-variable')) {
    const value = decodeEntities(attributeValue(setter, 'value') ?? '');
    if (AUTHORIZATION_READ.test(value) || [...responses].some((r) => value.includes(`"${r}"`))) holders.add(attributeValue(setter, 'name') ?? '');
  }
  return { responses, holders };
}

/** A bearer token or a token endpoint's whole answer written to trace, where anyone reading traces or logs sees it. */
export const tokenInTrace: PolicyRule = {
  id: 'apim.policy.tokenInTrace',
  severity: 'error',
  title: 'Token written to trace',
  check({ doc, report }) {
    if (!doc.text.includes('race')) return;
    const { responses, holders } = tokenVariables(doc);
    const tokenResponse = forwardsTokenRequest(doc);
    const leaks = (code: string): boolean =>
      AUTHORIZATION_READ.test(code) ||
      (tokenResponse && /context\s*\.\s*Response\s*\??\s*\.\s*Body\b/.test(code)) || [...responses, ...holders].some((v) => v !== '' && new RegExp(`Variables\\s*(?:\\[|\\.\\s*GetValueOrDefault[^(]*\\()\\s*"${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`).test(code));
    for (const trace of elementsNamed(doc, 'trace')) {
      const code = doc.expressions.filter((x) => x.range.start >= trace.range.start && x.range.end <= trace.range.end).map((x) => decodeEntities(x.code)).join('\n');
      if (!leaks(code)) continue;
      report({
        message: 'This trace writes a bearer token (or a token endpoint\'s whole response) into the trace, where anyone who can read traces or the logs it flows to can replay it. Trace claims you need (oid, appid), never the token.',
        start: trace.nameRange.start,
        end: trace.nameRange.end,
      });
    }
    for (const expression of doc.expressions) {
      if (!expression.code.includes('Trace')) continue;
      const code = decodeEntities(expression.code);
      const call = /context\s*\.\s*Trace\s*\(/.exec(code);
      if (!call || !leaks(code.slice(call.index))) continue;
      report({
        message: 'context.Trace writes a bearer token (or a token endpoint\'s whole response) into the trace. Trace the claims you need, never the token.',
        start: expression.codeRange.start + call.index,
        end: expression.codeRange.start + call.index + call[0].length - 1,
      });
    }
  },
};

/** cache-store-value under one fixed key with a value that depends on the caller: every caller then reads the first one's. */
export const globalCacheKeyForCallerData: PolicyRule = {
  id: 'apim.policy.globalCacheKeyForCallerData',
  severity: 'error',
  title: 'One cache key for data that belongs to one caller',
  check({ doc, report }) {
    const facts = factsOf(doc);
    for (const store of elementsNamed(doc, 'cache-store-value')) {
      const key = attribute(store, 'key');
      const value = attributeValue(store, 'value') ?? '';
      if (!key || !isConstantKey(key.value) || !readsCallerInput(decodeEntities(value), facts)) continue;
      report({
        message: `The cache key ${key.value} is the same for every caller, but the value stored under it comes from this caller's request or token, so the next caller reads this one's data. Put the caller in the key (for example the token's oid or the subscription ID).`,
        start: key.range.start,
        end: key.range.end,
      });
    }
  },
};

function isConstantKey(raw: string): boolean {
  const value = decodeEntities(raw).trim();
  if (!value.startsWith('@')) return value !== '';
  return /^@\(\s*"[^"]*"\s*\)$/.test(value);
}
