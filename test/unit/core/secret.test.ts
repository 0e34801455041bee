import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { format, inspect } from 'node:util';
import { Secret } from '../../../src/core/secret';

const CANARY = 'canary-key-5f0c9e1d';

describe('Secret', () => {
  it('never prints its value through string, JSON, inspect or template conversion', () => {
    const secret = Secret.of(CANARY);
    const renderings = [String(secret), `${secret}`, JSON.stringify({ secret }), inspect(secret), format('%s %o %j', secret, secret, secret), inspect({ nested: [secret] })];
    for (const text of renderings) assert.ok(!text.includes(CANARY), `leaked in: ${text}`);
    assert.equal(secret.reveal(), CANARY);
  });
});
