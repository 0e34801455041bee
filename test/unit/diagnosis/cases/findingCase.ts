/** The shape of one table-test case, and the gateway answers several families' cases share. */
import type { Severity } from '../../../../src/core/diagnosis/finding';
import { apimError, BEARER_CHALLENGE, type Setup } from '../observationBuilders';

export interface FindingCase {
  readonly id: string;
  /** The situation the case fabricates. */
  readonly name: string;
  readonly setup: Setup;
  readonly severity: Severity;
  /** Each must match at least one evidence line: the finding quotes what was observed. */
  readonly evidence: readonly RegExp[];
  /** Must match the title or the fix summary. */
  readonly says?: RegExp;
  /** Ids the situation must not produce (a cause folded into another finding). */
  readonly not?: readonly string[];
}

/** The unauthenticated `initialize` refused with a Bearer challenge that names the PRM. */
export const BEARER_401 = { status: 401, headers: { 'www-authenticate': BEARER_CHALLENGE } };
/** A token the gateway answered 401 to (validate-jwt failed). */
export const TOKEN_REJECTED = { ...apimError(401, 'Invalid JWT.', { 'www-authenticate': BEARER_CHALLENGE }), sentSecretHeaders: ['Authorization'] };
/** A token the gateway accepted. */
export const TOKEN_ACCEPTED = { sentSecretHeaders: ['Authorization'] };
