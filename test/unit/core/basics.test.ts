import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorMessage, GUID, GUID_SOURCE } from '../../../src/core/basics';

describe('basics', () => {
  it('errorMessage: an Error gives its message, anything else its text', () => {
    assert.equal(errorMessage(new TypeError('bad input')), 'bad input');
    assert.equal(errorMessage('plain'), 'plain');
    assert.equal(errorMessage(42), '42');
    assert.equal(errorMessage(undefined), 'undefined');
  });

  const cases: [string, boolean][] = [
    ['6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f', true],
    ['6C8F4E2A-1B3D-4F5A-9E7C-2D4B6A8C0E1F', true],
    [' 6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f', false],
    ['6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f0', false],
    ['6c8f4e2a1b3d4f5a9e7c2d4b6a8c0e1f', false],
    ['g c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f', false],
    ['contoso.onmicrosoft.com', false],
  ];
  for (const [text, isGuid] of cases) it(`GUID ${JSON.stringify(text)} → ${isGuid}`, () => assert.equal(GUID.test(text), isGuid));

  it('GUID_SOURCE finds a GUID inside text', () => {
    assert.equal(new RegExp(`Trace ID: (${GUID_SOURCE})`).exec('Trace ID: 6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f\n')?.[1], '6c8f4e2a-1b3d-4f5a-9e7c-2d4b6a8c0e1f');
  });
});
