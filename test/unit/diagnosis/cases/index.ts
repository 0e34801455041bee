/**
 * The table test's cases, one file per rule family as in src/core/diagnosis/rules: fabricated situations for
 * every finding id, with what the finding must say. evaluate.test.ts runs them; findingsDoc.test.ts checks that
 * every id documented in docs/findings.md has one.
 */
import { DISCOVERY_CASES } from './discovery';
import type { FindingCase } from './findingCase';
import { NETWORK_CASES } from './network';
import { PREFLIGHT_CASES } from './preflight';
import { RESPONSE_CASES } from './response';
import { TOKEN_CASES } from './token';
import { TRANSPORT_CASES } from './transport';

export { ARM_CASES, type ArmFindingCase } from './arm';
export type { FindingCase } from './findingCase';

export const FINDING_CASES: readonly FindingCase[] = [...NETWORK_CASES, ...RESPONSE_CASES, ...DISCOVERY_CASES, ...TOKEN_CASES, ...PREFLIGHT_CASES, ...TRANSPORT_CASES];
