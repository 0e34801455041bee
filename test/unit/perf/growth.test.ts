/**
 * How cost grows with the work, as a shape, never as an absolute time: each operation does the same total work once
 * at N = 2,000 and ten times at N = 200, and the two CPU times are compared. Linear work gives a ratio near 1; the
 * quadratic versions these tests guard against (a line lookup that scans from offset 0 per server, a document-wide
 * rescan per element) give about 10. The limit, 4, leaves room for load and garbage collection on a shared machine.
 * Speed itself is measured in `npm run bench -- scaling`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mcpJsonWithServers, policyWithSetHeaders, policyWithToolRules, policyWithValidateJwt } from '../../../bench/scalingInputs';
import { lintPolicyFile } from '../../../src/core/apim/policy/index';
import { toolRolesFromPolicy } from '../../../src/core/apim/policy/toolRoles';
import { entriesInConfigFile } from '../../../src/core/config/configEntries';
import { findPlaintextSecrets, migratePlaintextSecret } from '../../../src/core/config/plaintextKeyLint';

const SMALL = 200;
const LARGE = 2_000;
const LIMIT = 4;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function cpuOf(fn: () => unknown, reps: number): number {
  const started = cpuMs();
  for (let i = 0; i < reps; i++) fn();
  return cpuMs() - started;
}

/** Median over 5 interleaved pairs of (one LARGE run) / (LARGE / SMALL runs of SMALL). */
function growthRatio(input: (n: number) => string, run: (text: string) => unknown): number {
  const small = input(SMALL);
  const large = input(LARGE);
  const reps = LARGE / SMALL;
  cpuOf(() => run(small), reps * 2); // warm-up: the JIT settles first
  run(large);
  const ratios: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = cpuOf(() => run(small), reps);
    const l = cpuOf(() => run(large), 1);
    ratios.push(l / Math.max(s, 0.5));
  }
  return ratios.sort((a, b) => a - b)[2]!;
}

const KEY = 'Ocp-Apim-Subscription-Key';

const OPERATIONS: { name: string; input: (n: number) => string; run: (text: string) => unknown }[] = [
  { name: 'the Servers view listing of one mcp.json', input: mcpJsonWithServers, run: (t) => entriesInConfigFile(t, 'vscodeMcpJson', 'workspaceMcpJson', '/w/.vscode/mcp.json') },
  { name: 'the plaintext-key lint of one mcp.json', input: mcpJsonWithServers, run: (t) => findPlaintextSecrets(t, 'vscodeMcpJson') },
  { name: 'one plaintext-key quick fix', input: mcpJsonWithServers, run: (t) => migratePlaintextSecret(t, 'vscodeMcpJson', { serverName: 'server-0', headerName: KEY }) },
  { name: 'toolRolesFromPolicy', input: policyWithToolRules, run: (t) => toolRolesFromPolicy(t) },
  { name: 'policy lint of N validate-jwt blocks', input: policyWithValidateJwt, run: (t) => lintPolicyFile('g.policy.xml', t) },
  { name: 'policy lint of N set-header elements with expressions', input: policyWithSetHeaders, run: (t) => lintPolicyFile('g.policy.xml', t) },
];

describe('cost grows linearly with the work (ratio of sizes, not absolute time)', () => {
  for (const op of OPERATIONS) {
    it(`${op.name}: N = ${LARGE} costs about ten runs of N = ${SMALL}`, () => {
      const ratio = growthRatio(op.input, op.run);
      assert.ok(ratio < LIMIT, `N = ${LARGE} took ${ratio.toFixed(1)}× ten N = ${SMALL} runs (linear ≈ 1, quadratic ≈ 10)`);
    });
  }
});
