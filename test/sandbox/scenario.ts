/** Loading scenario files: `extends` resolution, deep merge and validation against the zod model. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { scenarioSchema, type Scenario } from './scenarioSchema';

export const SCENARIOS_DIR = join(__dirname, 'scenarios');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isPlainObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const MERGE_KEYS = ['appId', 'upn', 'tenantId'];

function mergeKeyOf(items: Json[]): string | undefined {
  if (items.length === 0 || !items.every(isPlainObject)) return undefined;
  return MERGE_KEYS.find((k) => items.every((i) => typeof (i as Record<string, Json>)[k] === 'string'));
}

/** Keys whose null is a value, not a deletion. */
const NULL_IS_VALUE = new Set(['requestedAccessTokenVersion']);

/**
 * Objects merge key by key; a null in `over` deletes the key (JSON merge patch, RFC 7396), except for the keys in
 * NULL_IS_VALUE. Arrays of objects that all carry `appId`, `upn` or `tenantId` (apps, users, tenants) merge
 * item by item on that key (new items are appended). Other arrays and scalars from `over` replace those of `base`.
 */
export function deepMerge(base: Json, over: Json): Json {
  if (Array.isArray(base) && Array.isArray(over)) {
    const key = mergeKeyOf([...base, ...over]);
    if (!key) return over;
    const out = base.map((b) => {
      const match = over.find((o) => (o as Record<string, Json>)[key] === (b as Record<string, Json>)[key]);
      return match ? deepMerge(b, match) : b;
    });
    for (const o of over) if (!base.some((b) => (b as Record<string, Json>)[key] === (o as Record<string, Json>)[key])) out.push(o);
    return out;
  }
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, Json> = { ...base };
    for (const [key, value] of Object.entries(over)) {
      if (value === null && NULL_IS_VALUE.has(key)) out[key] = null;
      else if (value === null) delete out[key];
      else out[key] = key in base ? deepMerge(base[key], value) : value;
    }
    return out;
  }
  return over;
}

function resolveScenarioPath(nameOrPath: string, relativeTo: string): string {
  const candidates = isAbsolute(nameOrPath)
    ? [nameOrPath]
    : [resolve(relativeTo, nameOrPath), resolve(relativeTo, `${nameOrPath}.json`), join(SCENARIOS_DIR, `${nameOrPath}.json`), resolve(nameOrPath)];
  const found = candidates.find((c) => existsSync(c) && c.endsWith('.json'));
  if (!found) throw new Error(`sandbox: scenario not found: ${nameOrPath} (looked in ${SCENARIOS_DIR})`);
  return found;
}

function readRaw(path: string, seen: string[]): Record<string, Json> {
  if (seen.includes(path)) throw new Error(`sandbox: scenario extends cycle: ${[...seen, path].join(' -> ')}`);
  let raw: Json;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Json;
  } catch (error) {
    throw new Error(`sandbox: cannot read scenario ${path}: ${(error as Error).message}`);
  }
  if (!isPlainObject(raw)) throw new Error(`sandbox: scenario ${path} is not a JSON object`);
  const name = typeof raw.name === 'string' ? raw.name : basename(path, '.json');
  let merged: Record<string, Json> = { ...raw, name };
  if (typeof raw.extends === 'string') {
    const base = readRaw(resolveScenarioPath(raw.extends, dirname(path)), [...seen, path]);
    const { expect: _e, description: _d, name: _n, extends: _x, ...inheritable } = base;
    merged = deepMerge(inheritable, merged) as Record<string, Json>;
  }
  return merged;
}

/** Parses and validates an in-memory scenario object (defaults applied). */
export function parseScenario(input: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new Error(`sandbox: invalid ${source}:\n${issues}`);
  }
  return result.data;
}

/** 'healthy-key' (a file in scenarios/) or a path to a scenario JSON file. */
export function loadScenario(nameOrPath: string): Scenario {
  const path = resolveScenarioPath(nameOrPath, process.cwd());
  return parseScenario(readRaw(path, []), path);
}

/** A scenario file with changes on top, as `extends` would merge them (tests build variants this way). */
export function extendScenario(base: string, patch: Record<string, unknown>): Scenario {
  const raw = readRaw(resolveScenarioPath(base, process.cwd()), []);
  const { expect: _e, description: _d, extends: _x, ...inheritable } = raw;
  return parseScenario(deepMerge(inheritable, { expect: { findings: [] }, ...(patch as Record<string, Json>) }), `${base} + patch`);
}
