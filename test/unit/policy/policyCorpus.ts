import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateMcpPolicy } from '../../../src/core/apim/policy/index';

/** Shared by the lint benchmark test and `npm run bench` (bench/micro.ts). */
const DIR = join(__dirname, '..', '..', 'fixtures', 'policies');
export const FILES = 1000;
/** 1,000 realistic policies: the fixtures and generated policies with 5–40 tools, each made distinct. */
export function corpus(total = FILES): { name: string; text: string }[] {
  const fixtures = ['gotchas.mcp.policy.xml', 'mcp-prm-oauth.mcp-api.policy.xml', 'remote-mcp-functions.mcp-api.policy.xml', 'session-rate-limit.mcp.policy.xml', 'mcp-api.bicep'];
  const texts = fixtures.map((f) => ({ name: f, text: readFileSync(join(DIR, f), 'utf8') }));
  const files: { name: string; text: string }[] = [];
  for (let i = 0; i < total; i++) {
    if (i % 2 === 0) {
      const source = texts[(i / 2) % texts.length]!;
      files.push({ name: source.name, text: source.text.replace('<policies>', `<!-- copy ${i} --><policies>`) });
    } else {
      const count = 5 + (i % 36);
      const tools = Array.from({ length: count }, (_, k) => `tool${i}_${k}`);
      const result = generateMcpPolicy({
        tenantId: '11111111-2222-3333-4444-555555555555',
        api: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        tools,
        roles: Object.fromEntries(tools.map((t, k) => [t, k % 3 === 0 ? [] : [`Role.${k % 5}`]])),
        prmUrl: 'https://contoso.azure-api.net/.well-known/oauth-protected-resource/mcp',
      });
      assert.ok(result.ok);
      files.push({ name: `generated-${i}.mcp.policy.xml`, text: result.policy });
    }
  }
  return files;
}
