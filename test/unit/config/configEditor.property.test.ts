import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'jsonc-parser';
import { addServer, removeServer } from '../../../src/core/config/configEditor';
import { buildMcpJsonEntry, buildMcpServersEntry } from '../../../src/core/config/serverEntries';
import type { ConfigFileFormat } from '../../../src/core/config/targets';
import { server } from './serverFixtures';

import { FUZZ_RUNS as RUNS } from '../fuzzRuns';

/** A JSONC file as people write them: any indentation, CRLF or LF, comments anywhere between members, trailing commas. */
interface Child {
  readonly key?: string;
  readonly value: unknown;
  readonly compact: boolean;
  readonly lead?: string;
  readonly trail?: string;
}
interface FileSpec {
  readonly format: ConfigFileFormat;
  readonly unit: string;
  readonly eol: string;
  readonly header?: string;
  readonly finalEol: boolean;
  readonly trailingCommas: readonly boolean[];
  readonly rootExtras: readonly Child[];
  readonly servers: readonly Child[];
  readonly inputs: readonly Child[];
  readonly serversFirst: boolean;
}

const comment = fc.constantFrom('// note', '/* block */', '// ü ☃ "quoted", {braces}', '/* two\nlines */', '//');
const optComment = fc.option(comment, { nil: undefined });
const key = fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__');
const child = (value: fc.Arbitrary<unknown>, withKey: boolean): fc.Arbitrary<Child> =>
  fc.record({
    key: withKey ? key : fc.constant(undefined),
    value,
    compact: fc.boolean(),
    lead: optComment,
    trail: optComment.map((c) => (c?.includes('\n') ? undefined : c)),
  });
const uniqueKeys = (children: Child[]) => new Set(children.map((c) => c.key!.toLowerCase())).size === children.length;
const serverValue = fc.oneof(
  fc.record({ type: fc.constant('http'), url: fc.webUrl(), headers: fc.dictionary(key, fc.string(), { maxKeys: 2 }) }, { requiredKeys: ['url'] }),
  fc.jsonValue({ maxDepth: 2 }),
);
const inputValue = fc.record({ type: fc.constant('promptString'), id: fc.string({ maxLength: 8 }), password: fc.boolean() });

const fileSpec: fc.Arbitrary<FileSpec> = fc.record({
  format: fc.constantFrom<ConfigFileFormat>('vscodeMcpJson', 'mcpServers'),
  unit: fc.constantFrom('\t', '  ', '    ', '   '),
  eol: fc.constantFrom('\n', '\r\n'),
  header: optComment,
  finalEol: fc.boolean(),
  trailingCommas: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  rootExtras: fc.array(child(fc.jsonValue({ maxDepth: 1 }), true), { maxLength: 2 }).filter(uniqueKeys),
  servers: fc.array(child(serverValue, true), { maxLength: 4 }).filter(uniqueKeys),
  // An `inputs` list is absent or non-empty: removing the last input removes the list (see configEditor.test.ts).
  inputs: fc.array(child(inputValue, false), { maxLength: 3 }),
  serversFirst: fc.boolean(),
});

function render(spec: FileSpec): string {
  const { unit, eol } = spec;
  const nl = (c: string) => c.replace(/\n/g, eol);
  const value = (v: unknown, indent: string, compact: boolean): string => {
    if (compact || v === null || typeof v !== 'object') return JSON.stringify(v);
    const entries: Child[] = Array.isArray(v)
      ? v.map((x) => ({ value: x, compact: false }))
      : Object.entries(v as Record<string, unknown>).map(([k, x]) => ({ key: k, value: x, compact: false }));
    return container(Array.isArray(v) ? '[' : '{', Array.isArray(v) ? ']' : '}', entries, indent, false);
  };
  const container = (open: string, close: string, children: readonly Child[], indent: string, trailing: boolean): string => {
    if (children.length === 0) return open + close;
    const inner = indent + unit;
    const parts = children.map((c, i) => {
      let s = c.lead ? eol + inner + nl(c.lead) : '';
      s += eol + inner + (c.key !== undefined ? JSON.stringify(c.key) + ': ' : '') + value(c.value, inner, c.compact);
      if (i < children.length - 1 || trailing) s += ',';
      if (c.trail) s += ' ' + c.trail;
      return s;
    });
    return open + parts.join('') + eol + indent + close;
  };
  const serversKey = spec.format === 'vscodeMcpJson' ? 'servers' : 'mcpServers';
  const [tcRoot, tcServers, tcInputs] = spec.trailingCommas;
  const serversChild: Child = { key: serversKey, value: container('{', '}', spec.servers, unit, tcServers!), compact: true };
  const inputsChild: Child | undefined =
    spec.format === 'vscodeMcpJson' && spec.inputs.length > 0 ? { key: 'inputs', value: container('[', ']', spec.inputs, unit, tcInputs!), compact: true } : undefined;
  const extras = spec.rootExtras.filter((c) => !['servers', 'mcpservers', 'inputs'].includes(c.key!.toLowerCase()));
  const ours = [serversChild, ...(inputsChild ? [inputsChild] : [])];
  const rootChildren = spec.serversFirst ? [...ours, ...extras] : [...extras, ...ours];
  // Pre-rendered containers are inserted verbatim.
  const raw = (c: Child): Child => (ours.includes(c) ? { ...c, value: RAW } : c);
  let out = container('{', '}', rootChildren.map(raw), '', tcRoot!);
  for (const c of ours) out = out.replace(JSON.stringify(c.key) + ': ' + JSON.stringify(RAW), () => JSON.stringify(c.key) + ': ' + (c.value as string));
  return (spec.header ? nl(spec.header) + eol : '') + out + (spec.finalEol ? eol : '');
}
const RAW = '\u0000raw\u0000';

const newServer = fc.record({
  name: fc.string({ minLength: 1, maxLength: 20 }).filter((n) => n.trim() === n && n !== '__proto__' && !/[\u0000-\u001f/]/.test(n)),
  auth: fc.constantFrom('subscriptionKey', 'none', 'entra', 'subscriptionKeyAndEntra'),
  keyHeaderName: fc.constantFrom('Ocp-Apim-Subscription-Key', 'X-Key'),
  prmValid: fc.constant(true),
});

function semantic(text: string): Record<string, unknown> {
  return parse(text, [], { allowTrailingComma: true }) as Record<string, unknown>;
}

describe('config editor properties', () => {
  it('the generated files are valid JSONC', () => {
    fc.assert(
      fc.property(fileSpec, (spec) => {
        const errors: unknown[] = [];
        parse(render(spec), errors as never, { allowTrailingComma: true });
        assert.deepEqual(errors, []);
      }),
      { numRuns: Math.min(RUNS, 500) },
    );
  });

  it('add then remove gives back the original bytes; add only inserts; the result means old + new entry', () => {
    fc.assert(
      fc.property(fileSpec, newServer, (spec, raw) => {
        const original = render(spec);
        const serversKey = spec.format === 'vscodeMcpJson' ? 'servers' : 'mcpServers';
        fc.pre(!spec.servers.some((s) => s.key!.toLowerCase() === raw.name.toLowerCase()));
        const desc = server(raw);
        const added = addServer(original, spec.format, desc);
        if (!added.ok) {
          // The only legitimate refusal here: two names mapping to one env var in a portable file.
          assert.equal(added.error.kind, 'envVarTaken');
          return;
        }
        assertInsertOnly(original, added.text);

        const before = semantic(original);
        const after = semantic(added.text);
        const inputsBefore = (before.inputs as unknown[] | undefined) ?? [];
        let expected: Record<string, unknown>;
        if (spec.format === 'vscodeMcpJson') {
          const built = buildMcpJsonEntry(desc, (JSON.stringify(after).match(/apim-mcp-key-[^}"]*/) ?? [''])[0]);
          assert.ok(built.ok);
          expected = { ...before, [serversKey]: { ...(before[serversKey] as object), [desc.name]: built.value.server } };
          if (built.value.inputs.length) expected.inputs = [...inputsBefore, ...built.value.inputs];
        } else {
          const built = buildMcpServersEntry(desc);
          assert.ok(built.ok);
          expected = { ...before, [serversKey]: { ...(before[serversKey] as object), [desc.name]: built.value.server } };
        }
        assert.deepEqual(after, expected);

        const removed = removeServer(added.text, spec.format, desc.name);
        assert.ok(removed.ok);
        assert.equal(removed.text, original);
      }),
      { numRuns: RUNS },
    );
  });

  it('removing an existing server only deletes, and leaves every other member as it was', () => {
    fc.assert(
      fc.property(fileSpec, fc.nat(), (spec, pick) => {
        fc.pre(spec.servers.length > 0);
        const original = render(spec);
        const serversKey = spec.format === 'vscodeMcpJson' ? 'servers' : 'mcpServers';
        const name = spec.servers[pick % spec.servers.length]!.key!;
        const removed = removeServer(original, spec.format, name);
        assert.ok(removed.ok);
        assertDeleteOnly(original, removed.text);
        const before = semantic(original);
        const after = semantic(removed.text);
        const servers = { ...(before[serversKey] as Record<string, unknown>) };
        delete servers[name];
        assert.deepEqual(after[serversKey], servers);
        // Inputs are only removed when the removed server referenced them.
        for (const k of Object.keys(before)) if (k !== serversKey && k !== 'inputs') assert.deepEqual(after[k], before[k]);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a broken file and reports a position inside it', () => {
    fc.assert(
      fc.property(fileSpec, fc.nat(), fc.constantFrom('{', '}', '"', ':', 'x', ']'), (spec, at, junk) => {
        const original = render(spec);
        const pos = at % (original.length + 1);
        const broken = original.slice(0, pos) + junk + original.slice(pos);
        const errors: unknown[] = [];
        parse(broken, errors as never, { allowTrailingComma: true });
        fc.pre(errors.length > 0);
        const edit = addServer(broken, spec.format, server({ name: 'fresh-one' }));
        assert.equal(edit.ok, false);
        assert.ok(!edit.ok && edit.error.kind === 'malformed');
        const lines = broken.split(/\r\n|\r|\n/).length; // the line breaks VS Code counts: LF, CRLF and a lone CR
        assert.ok(edit.error.line >= 1 && edit.error.line <= lines, `line ${edit.error.line} of ${lines}`);
        assert.ok(edit.error.column >= 1);
      }),
      { numRuns: RUNS },
    );
  });
});

/** `before` is `after` with some segments taken out: nothing of the original was deleted or rewritten. */
function assertInsertOnly(before: string, after: string): void {
  assertSubsequence(before, after);
}

function assertDeleteOnly(before: string, after: string): void {
  assertSubsequence(after, before);
}

function assertSubsequence(small: string, big: string): void {
  let j = 0;
  for (let i = 0; i < big.length && j < small.length; i++) if (big[i] === small[j]) j++;
  assert.equal(j, small.length, 'every original byte is still there, in order');
}
