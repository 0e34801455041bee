/**
 * Facts about one policy document that several rules need: which variables hold a `send-request` response, a cache
 * lookup or caller input, which fragments it includes, its text without comments. Computed once per document.
 */
import { attributeValue, elementsNamed } from './policyQueries';
import type { PolicyDocument, PolicyElement } from './policyTypes';

export const VALIDATORS = ['validate-jwt', 'validate-azure-ad-token'] as const;

const ENTITIES: Readonly<Record<string, string>> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };
const ENTITY = /&(quot|amp|lt|gt|apos);/g;
/** At one offset (sticky), for the offset-mapping decoder. */
const ENTITY_AT = /&(quot|amp|lt|gt|apos);/y;

/** `&quot;`, `&amp;`, `&lt;`, `&gt;`, `&apos;` decoded: strict-XML policies spell C# that way. */
export function decodeEntities(raw: string): string {
  return raw.includes('&') ? raw.replace(ENTITY, (_, e: string) => ENTITIES[e]!) : raw;
}

const sameOffset = (offset: number): number => offset;

/** Entities decoded, with a map from each decoded offset back to the raw offset (for ranges in the document). */
export function decodeWithMap(raw: string): { text: string; toRaw: (offset: number) => number } {
  if (!raw.includes('&')) return { text: raw, toRaw: sameOffset };
  const rawAt: number[] = [];
  let text = '';
  for (let i = 0; i < raw.length; ) {
    rawAt.push(i);
    ENTITY_AT.lastIndex = i;
    const entity = raw[i] === '&' ? ENTITY_AT.exec(raw) : null;
    if (entity) {
      text += ENTITIES[entity[1]!]!;
      i += entity[0].length;
    } else text += raw[i++];
  }
  return { text, toRaw: (offset) => (offset < rawAt.length ? rawAt[offset]! : raw.length) };
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `context.Variables["x"]` read by indexer (throws when x is missing), with its offset in `code`. */
export const VARIABLE_INDEX = /context\s*\.\s*Variables\s*\[\s*"([^"]+)"\s*\]/g;
/** Reads that cannot throw for a missing variable, or checks for it. */
export const VARIABLE_GUARD = (name: string): RegExp => new RegExp(`(?:ContainsKey|GetValueOrDefault(?:\\s*<[^>]*>)?|TryGetValue)\\s*\\(\\s*"${escapeRegExp(name)}"`);

/** Code that reads what the caller sent: request headers, query, body, the token and what it says. */
const CALLER_INPUT = /context\s*\.\s*Request\b|AsJwt\s*\(|\(\s*Jwt\s*\)|\.Claims\b|context\s*\.\s*User\b/;

export interface PolicyFacts {
  readonly validators: readonly PolicyElement[];
  /** Variables set by `cache-lookup-value` without `default-value` (unset on a miss). */
  readonly cacheLookups: ReadonlyMap<string, PolicyElement>;
  /** Variables given a value by `set-variable` (or a validator's `output-token-variable-name`). */
  readonly assigned: ReadonlySet<string>;
  /** Variables whose value comes from the caller's request, directly or through other such variables. */
  readonly callerVariables: ReadonlySet<string>;
  /** `fragment-id` of every `include-fragment`, in document order. */
  readonly fragments: readonly { readonly id: string; readonly element: PolicyElement }[];
  /** The document text with comments blanked out (same offsets); entities are not decoded. Built on first use. */
  readonly uncommented: string;
  /** Reads of each caller variable (`Variables["x"]`, `GetValueOrDefault("x")`), compiled once. */
  readonly callerVariableReads: readonly { readonly name: string; readonly read: RegExp }[];
}

const cache = new WeakMap<PolicyDocument, PolicyFacts>();

/** The document asked about last: every rule asks, one document after another; this skips the WeakMap. */
let last: { doc: PolicyDocument; facts: PolicyFacts } | undefined;

export function factsOf(doc: PolicyDocument): PolicyFacts {
  if (last?.doc === doc) return last.facts;
  let facts = cache.get(doc);
  if (!facts) {
    facts = new DocumentFacts(doc);
    cache.set(doc, facts);
  }
  last = { doc, facts };
  return facts;
}

/**
 * Facts most documents never need are worked out on first use. A class rather than an object of closures: every
 * document gets one, and its methods are shared instead of made again for each.
 */
class DocumentFacts implements PolicyFacts {
  readonly validators: readonly PolicyElement[];
  readonly fragments: readonly { readonly id: string; readonly element: PolicyElement }[];
  #setters: { assigned: Set<string>; setterCode: Map<string, string> } | undefined;
  #callers: Set<string> | undefined;
  #callerReads: { name: string; read: RegExp }[] | undefined;
  #cacheLookups: Map<string, PolicyElement> | undefined;
  #uncommented: string | undefined;

  constructor(private readonly doc: PolicyDocument) {
    this.validators = elementsNamed(doc, ...VALIDATORS);
    this.fragments = elementsNamed(doc, 'include-fragment').map((element) => ({ id: attributeValue(element, 'fragment-id') ?? '', element }));
  }

  get cacheLookups(): ReadonlyMap<string, PolicyElement> {
    return (this.#cacheLookups ??= cacheLookupVariables(this.doc));
  }

  get assigned(): ReadonlySet<string> {
    return this.#variableSetters().assigned;
  }

  get callerVariables(): ReadonlySet<string> {
    return (this.#callers ??= callerVariables(this.#variableSetters().setterCode));
  }

  get callerVariableReads(): readonly { readonly name: string; readonly read: RegExp }[] {
    return (this.#callerReads ??= [...this.callerVariables].map((name) => ({ name, read: variableRead(name) })));
  }

  get uncommented(): string {
    return (this.#uncommented ??= withoutComments(this.doc));
  }

  #variableSetters(): { assigned: Set<string>; setterCode: Map<string, string> } {
    return (this.#setters ??= variableSetters(this.doc));
  }
}

function cacheLookupVariables(doc: PolicyDocument): Map<string, PolicyElement> {
  const lookups = new Map<string, PolicyElement>();
  for (const lookup of elementsNamed(doc, 'cache-lookup-value')) {
    const name = attributeValue(lookup, 'variable-name');
    if (name && attributeValue(lookup, 'default-value') === undefined) lookups.set(name, lookup);
  }
  return lookups;
}

/** Variables given a value (set-variable, a validator's output-token-variable-name) and the code that sets them. */
function variableSetters(doc: PolicyDocument): { assigned: Set<string>; setterCode: Map<string, string> } {
  const assigned = new Set<string>();
  const setterCode = new Map<string, string>();
  for (const setter of elementsNamed(doc, 'set-variable')) {
    const name = attributeValue(setter, 'name');
    if (!name) continue;
    assigned.add(name);
    setterCode.set(name, `${setterCode.get(name) ?? ''}\n${decodeEntities(attributeValue(setter, 'value') ?? '')}`);
  }
  for (const validator of elementsNamed(doc, ...VALIDATORS)) {
    const name = attributeValue(validator, 'output-token-variable-name');
    if (name) {
      assigned.add(name);
      setterCode.set(name, `${setterCode.get(name) ?? ''}\n(Jwt)`);
    }
  }
  return { assigned, setterCode };
}

function withoutComments(doc: PolicyDocument): string {
  const parts: string[] = [];
  let at = 0;
  for (const comment of doc.comments) {
    parts.push(doc.text.slice(at, comment.range.start), ' '.repeat(comment.range.end - comment.range.start));
    at = comment.range.end;
  }
  parts.push(doc.text.slice(at));
  return parts.join('');
}

const variableRead = (name: string): RegExp => new RegExp(`Variables\\s*(?:\\[|\\.\\s*GetValueOrDefault)[^;]{0,40}"${escapeRegExp(name)}"`);

/** Variables set from caller input, followed through other variables until nothing changes. */
function callerVariables(setterCode: ReadonlyMap<string, string>): Set<string> {
  const found = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, code] of setterCode) {
      if (found.has(name)) continue;
      if (CALLER_INPUT.test(code) || [...found].some((v) => readsVariable(code, v))) {
        found.add(name);
        changed = true;
      }
    }
  }
  return found;
}

/** The code reads variable `name` (by indexer or GetValueOrDefault). */
export function readsVariable(code: string, name: string): boolean {
  return code.includes(`"${name}"`) && variableRead(name).test(code);
}

/** The code reads caller input directly or through a variable set from it. */
export function readsCallerInput(code: string, facts: PolicyFacts): boolean {
  return CALLER_INPUT.test(code) || facts.callerVariableReads.some((v) => code.includes(`"${v.name}"`) && v.read.test(code));
}
