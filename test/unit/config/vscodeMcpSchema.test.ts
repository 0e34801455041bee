import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mcpSchemaAcceptsOauthClientId } from '../../../src/core/config/vscodeMcpSchema';

const stdio = { type: 'object', additionalProperties: false, properties: { type: { enum: ['stdio'] }, command: { type: 'string' } } };
const httpEntry = (more: Record<string, unknown> = {}) => ({
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: { type: { enum: ['http', 'sse'] }, url: { type: 'string' }, headers: { type: 'object' }, ...more },
});
const schema = (http: unknown) => JSON.stringify({ type: 'object', additionalProperties: false, properties: { servers: { type: 'object', additionalProperties: { oneOf: [stdio, http] } }, inputs: { type: 'array' } } });

describe('the running VS Code\'s mcp.json schema and oauth.clientId', () => {
  it('a schema whose HTTP entry declares oauth.clientId accepts it', () => {
    assert.equal(mcpSchemaAcceptsOauthClientId(schema(httpEntry({ oauth: { type: 'object', additionalProperties: false, properties: { clientId: { type: 'string' } } } }))), true);
  });

  it('an older schema: a closed HTTP entry without oauth refuses it', () => {
    assert.equal(mcpSchemaAcceptsOauthClientId(schema(httpEntry())), false);
  });

  it('an oauth object that lists fields but not clientId does not count', () => {
    assert.equal(mcpSchemaAcceptsOauthClientId(schema(httpEntry({ oauth: { type: 'object', properties: { enterpriseManaged: { type: 'boolean' } } } }))), false);
  });

  it('an open HTTP entry, or text that is no schema, says nothing (the writers keep their default)', () => {
    assert.equal(mcpSchemaAcceptsOauthClientId(schema({ ...httpEntry(), additionalProperties: true })), undefined);
    assert.equal(mcpSchemaAcceptsOauthClientId('not json'), undefined);
    assert.equal(mcpSchemaAcceptsOauthClientId('{}'), undefined);
  });
});
