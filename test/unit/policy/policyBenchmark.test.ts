import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { generateMcpPolicy, lintPolicyFile } from '../../../src/core/apim/policy/index';

const DIR = join(__dirname, '..', '..', 'fixtures', 'policies');
const FILES = 1000;
/** Generous so a loaded 2-core CI box passes; the measured figure is printed. */
const BUDGET_MS_PER_FILE = 20;

/** 1,000 realistic policies: the fixtures and generated policies with 5–40 tools, each made distinct. */
function corpus(): { name: string; text: string }[] {
  const fixtures = ['gotchas.mcp.policy.xml', 'mcp-prm-oauth.mcp-api.policy.xml', 'remote-mcp-functions.mcp-api.policy.xml', 'session-rate-limit.mcp.policy.xml', 'mcp-api.bicep'];
  const texts = fixtures.map((f) => ({ name: f, text: readFileSync(join(DIR, f), 'utf8') }));
  const files: { name: string; text: string }[] = [];
  for (let i = 0; i < FILES; i++) {
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

it(`lints ${FILES} policy files of realistic size within ${BUDGET_MS_PER_FILE} ms per file`, (t) => {
  const files = corpus();
  const bytes = files.reduce((sum, f) => sum + f.text.length, 0);
  lintPolicyFile(files[0]!.name, files[0]!.text);
  const started = performance.now();
  let findings = 0;
  for (const file of files) findings += lintPolicyFile(file.name, file.text).length;
  const elapsed = performance.now() - started;
  const perFile = elapsed / files.length;
  const report = `[bench] policy lint: ${files.length} files, ${(bytes / files.length / 1024).toFixed(1)} KiB average, ${elapsed.toFixed(0)} ms total, ${perFile.toFixed(3)} ms per file, ${findings} findings`;
  t.diagnostic(report);
  console.log(report);
  assert.ok(findings > 0);
  assert.ok(perFile < BUDGET_MS_PER_FILE, report);
});
