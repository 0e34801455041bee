import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { portIsFree, raw, waitFor } from './helpers';

const CLI = join(__dirname, '..', '..', 'sandbox', 'cli.ts');

test('CLI prints the endpoints as one JSON line, serves the control API, and stops cleanly on SIGTERM', { timeout: 20_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--scenario', 'healthy-key', '--latency', '5'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const line = await waitFor(() => (stdout.includes('\n') ? stdout.split('\n')[0] : ''), 'endpoints line', 15_000);
    const endpoints = JSON.parse(line) as Record<string, string>;
    assert.equal(endpoints.scenario, 'healthy-key');
    assert.equal(endpoints.mcpUrl, `${endpoints.gateway}/products/mcp`);
    assert.equal(endpoints.control, `${endpoints.gateway}/__sandbox`);
    const fromControl = JSON.parse((await raw(`${endpoints.control}/endpoints`)).text) as Record<string, string>;
    assert.deepEqual(fromControl, endpoints);
    assert.ok(!stderr.includes(endpoints.subscriptionKey), 'the key is not logged');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(await portIsFree(Number(new URL(endpoints.gateway).port)), true);
    assert.equal(await portIsFree(Number(new URL(endpoints.entra).port)), true);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
