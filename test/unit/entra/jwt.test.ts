import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { claimList, claimString, claimTime, decodeAccessToken } from '../../../src/core/entra/jwt';
import { Secret } from '../../../src/core/secret';
import { FUZZ_RUNS } from '../fuzzRuns';

const b64url = (s: string | Buffer): string => Buffer.from(s).toString('base64url');
const SIGNATURE = 'canary0jwt0signature0000000000000000000000';

function jwt(header: unknown, claims: unknown, signature = SIGNATURE): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}.${signature}`;
}

describe('JWT decoder', () => {
  it('decodes header and claims of a well-formed token, with or without "Bearer "', () => {
    const token = jwt({ alg: 'RS256', kid: 'k1' }, { aud: 'api://x', scp: 'a b', roles: ['R'], exp: 1_900_000_000 });
    for (const raw of [token, `Bearer ${token}`, `  bearer ${token}  `]) {
      const r = decodeAccessToken(Secret.of(raw));
      assert.ok(r.ok, raw);
      assert.equal(r.token.header.kid, 'k1');
      assert.deepEqual(claimList(r.token.claims, 'scp'), ['a', 'b']);
      assert.deepEqual(claimList(r.token.claims, 'roles'), ['R']);
      assert.equal(claimTime(r.token.claims, 'exp'), 1_900_000_000);
      assert.equal(claimString(r.token.claims, 'aud'), 'api://x');
      assert.ok(!JSON.stringify(r).includes(SIGNATURE), 'the signature is not kept');
    }
  });

  it('refuses what is not a JWT with a reason', () => {
    for (const raw of ['', 'abc', 'a.b', 'a.b.c.d', `${b64url('{')}.${b64url('{}')}.x`, `${b64url('{}')}.${b64url('[1]')}.x`, `${b64url('{}')}.!!!.x`]) {
      const r = decodeAccessToken(Secret.of(raw));
      assert.equal(r.ok, false, raw);
      assert.ok(!r.ok && r.error.length > 10);
    }
  });

  /** Part generators: real base64url JSON (objects, arrays, scalars, odd claims), base64url of junk bytes, raw junk. */
  const jsonPart = fc.oneof(
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 }).map((o) => b64url(JSON.stringify(o))),
    fc.record({ roles: fc.anything(), scp: fc.anything(), exp: fc.anything(), aud: fc.anything(), __proto__: fc.anything() }, { requiredKeys: [] })
      .map((o) => b64url(JSON.stringify(o) ?? '{}')),
    fc.jsonValue({ maxDepth: 2 }).map((v) => b64url(JSON.stringify(v) ?? 'null')),
    fc.uint8Array({ maxLength: 60 }).map((a) => b64url(Buffer.from(a))),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('', '=', '==', 'e30', 'e30=', 'eyJ', '%%%', '\u0000', '.', 'bnVsbA'),
  );
  const token = fc.oneof(
    fc.tuple(jsonPart, jsonPart, fc.string({ maxLength: 20 })).map(([h, c, s]) => `${h}.${c}.${s}`),
    fc.tuple(fc.constantFrom('', 'Bearer ', 'bearer  ', ' '), jsonPart, jsonPart, jsonPart).map(([p, a, b, c]) => `${p}${a}.${b}.${c}`),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.array(jsonPart, { maxLength: 5 }).map((parts) => parts.join('.')),
  );

  it(`never throws or hangs, and the claim helpers accept whatever it returns (${FUZZ_RUNS} runs)`, () => {
    fc.assert(
      fc.property(token, (raw) => {
        const started = performance.now();
        const r = decodeAccessToken(Secret.of(raw));
        assert.ok(performance.now() - started < 1000, 'decoder took over a second');
        if (!r.ok) {
          assert.equal(typeof r.error, 'string');
          return;
        }
        assert.equal(typeof r.token.header, 'object');
        assert.equal(typeof r.token.claims, 'object');
        assert.ok(!Array.isArray(r.token.claims));
        for (const name of ['roles', 'scp', 'exp', 'aud', 'nbf', '__proto__', 'constructor']) {
          const s = claimString(r.token.claims, name);
          assert.ok(s === undefined || typeof s === 'string');
          const l = claimList(r.token.claims, name);
          assert.ok(l === undefined || l.every((x) => typeof x === 'string'));
          const t = claimTime(r.token.claims, name);
          assert.ok(t === undefined || Number.isFinite(t));
        }
        // A decoded token never carries its third part along.
        const sig = raw.replace(/^\s*Bearer\s+/i, '').trim().split('.')[2] ?? '';
        if (sig.length >= 12) assert.ok(!JSON.stringify(r.token).includes(sig), 'the signature leaked into the decoded token');
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
