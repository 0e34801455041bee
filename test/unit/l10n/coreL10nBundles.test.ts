/**
 * Each bundle of dist/ carries its own copy of @vscode/l10n (CommonJS bundles share no modules), so a bundle the
 * extension loads translates the core's text only if it also carries src/core/text/coreL10n.ts, which hands the
 * shared translations to that copy when the bundle loads. The CLI speaks English and is left out.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { bundles } from '../../../scripts/bundles.mjs';

const ROOT = join(__dirname, '..', '..', '..');
const L10N = 'node_modules/@vscode/l10n/dist/main.js';
const CORE_L10N = 'src/core/text/coreL10n.ts';

describe('every extension bundle with l10n.t calls of the core takes the translations over', () => {
  it('each node bundle that has @vscode/l10n, except the CLI, also has coreL10n.ts', async () => {
    const extensionBundles = bundles(true).filter((b) => b.platform === 'node' && !Object.keys(b.entryPoints as Record<string, string>).some((name) => name.startsWith('cli')));
    const missing: string[] = [];
    let withL10n = 0;
    for (const options of extensionBundles) {
      const result = await esbuild.build({ ...options, absWorkingDir: ROOT, write: false, logLevel: 'silent' });
      const inputs = Object.keys(result.metafile!.inputs);
      if (!inputs.includes(L10N)) continue;
      withL10n++;
      if (!inputs.includes(CORE_L10N)) missing.push(Object.keys(options.entryPoints as Record<string, string>).join(', '));
    }
    assert.ok(withL10n >= 2, 'extension.js and diagnosis.js at least carry the core text');
    assert.deepEqual(missing, [], "bundles whose entry must import src/core/text/coreL10n.ts (or a module that does)");
  });
});
