import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { bundles } from '../../../scripts/bundles.mjs';

const ROOT = join(__dirname, '..', '..', '..');
/** The bundles the stubs require (src/vscode/lazyFeature.ts imports vscode types, so it is read, not imported). */
const FEATURE_CHUNKS = JSON.parse(
  /FEATURE_CHUNKS = (\[[^\]]*\])/.exec(readFileSync(join(ROOT, 'src', 'vscode', 'lazyFeature.ts'), 'utf8'))![1]!.replaceAll("'", '"'),
) as FeatureChunk[];
type FeatureChunk = 'wizard' | 'azure' | 'panel' | 'policy' | 'configLint' | 'configCommands' | 'entra';
/** Issue 20: what VS Code parses at activation stays at or under this (minified, as packaged). */
const MAX_EXTENSION_BYTES = 120 * 1024;

/**
 * The code that must not be in extension.js: each lazy feature's bundle entry and the modules that are the feature.
 * Shared helpers (labels, stores, the config writer) may be in both; these may only be in their own bundle.
 */
const LAZY_ONLY: Record<FeatureChunk, string[]> = {
  wizard: ['src/vscode/wizard/wizardFeature.ts', 'src/vscode/wizard/addServerWizard.ts', 'src/vscode/wizard/serverSetup.ts', 'src/core/probe/detectAuth.ts'],
  azure: ['src/vscode/azure/azureFeature.ts', 'src/vscode/azure/addFromAzure.ts', 'src/core/azure/armClient.ts'],
  panel: ['src/vscode/panel/panelFeature.ts', 'src/vscode/panel/diagnosticsPanels.ts', 'src/vscode/panel/diagnosticsPanel.ts', 'src/vscode/panel/pastedError.ts', 'src/core/entra/aadstsCatalogue.ts'],
  policy: ['src/vscode/policy/policyFeature.ts', 'src/core/apim/policy/policyReader.ts'],
  configLint: ['src/vscode/config/configLintFeature.ts', 'src/vscode/config/plaintextKeyDiagnostics.ts', 'src/core/config/plaintextKeyLint.ts'],
  configCommands: ['src/vscode/config/configCommandsFeature.ts', 'src/vscode/config/configTargets.ts', 'src/vscode/config/configConfirmations.ts'],
  entra: ['src/vscode/auth/entraFeature.ts', 'src/vscode/auth/entraTokens.ts', 'src/auth/msal/msalTokenSource.ts', 'src/auth/msal/loopbackRedirect.ts', 'src/vscode/auth/vscodeSessionSource.ts'],
};

type Bundle = esbuild.BuildOptions & { entryPoints: Record<string, string> };

async function build(options: Bundle): Promise<esbuild.Metafile> {
  return (await buildWithText(options)).metafile;
}

/** The bundle's metafile and the text of its .js output. */
async function buildWithText(options: Bundle): Promise<{ metafile: esbuild.Metafile; text: string }> {
  const result = await esbuild.build({ ...options, absWorkingDir: ROOT, write: false, logLevel: 'silent' });
  return { metafile: result.metafile!, text: result.outputFiles!.find((f) => f.path.endsWith('.js'))!.text };
}

describe('activation loads only the core: extension.js leaves the features to their lazy bundles (issue 20)', () => {
  let builds: Bundle[];
  let core: esbuild.Metafile;

  before(async () => {
    builds = bundles(true);
    core = await build(builds.find((b) => 'extension' in b.entryPoints)!);
  });

  it('every feature the stubs load has its own bundle next to extension.js', () => {
    assert.deepEqual([...FEATURE_CHUNKS].sort(), Object.keys(LAZY_ONLY).sort());
    for (const chunk of FEATURE_CHUNKS) {
      const bundle = builds.find((b) => chunk in b.entryPoints);
      assert.ok(bundle, `scripts/bundles.mjs builds no ${chunk}.js, which src/vscode/lazyFeature.ts requires`);
      assert.equal(bundle.outdir, 'dist', `${chunk}.js must sit next to extension.js (requireChunk joins __dirname)`);
      assert.ok(LAZY_ONLY[chunk].includes(bundle.entryPoints[chunk]!), `${chunk}: its entry is not in the list of lazy-only modules`);
    }
  });

  it('no feature module is in extension.js', () => {
    const inCore = Object.keys(core.inputs);
    const leaked = Object.values(LAZY_ONLY).flat().filter((file) => inCore.includes(file));
    assert.deepEqual(leaked, [], 'imported (not `import type`) from the activation path; load it through its stub instead');
  });

  it(`extension.js is at most ${MAX_EXTENSION_BYTES / 1024} KiB minified`, () => {
    const bytes = Object.entries(core.outputs).find(([file]) => file.endsWith('extension.js'))![1].bytes;
    assert.ok(bytes <= MAX_EXTENSION_BYTES, `extension.js is ${(bytes / 1024).toFixed(1)} KiB`);
  });

  // Each `__toESM(require('vscode'))` copies the whole API onto a new object while the bundle is evaluated; one per
  // importing module made that the largest cost of loading extension.js (scripts/bundles.mjs, vscodeOnce).
  it('extension.js and each feature bundle require vscode once, whatever the number of modules importing it', async () => {
    for (const chunk of ['extension', ...FEATURE_CHUNKS]) {
      const { text } = await buildWithText(builds.find((b) => chunk in b.entryPoints)!);
      assert.equal(text.match(/require\("vscode"\)/g)?.length, 1, `${chunk}.js`);
    }
  });

  it('each feature bundle is built from its entry (a load from the stub finds it)', async () => {
    for (const chunk of FEATURE_CHUNKS) {
      const meta = await build(builds.find((b) => chunk in b.entryPoints)!);
      assert.ok(Object.keys(meta.outputs).includes(`dist/${chunk}.js`), `${chunk}: ${Object.keys(meta.outputs).join(', ')}`);
    }
  });
});
