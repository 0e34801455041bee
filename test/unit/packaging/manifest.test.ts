import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..', '..');
const read = (relative: string) => readFileSync(join(ROOT, relative), 'utf8');

// The packaged manifest is checked inside real VS Code by test/vscode/packaging.test.ts; these are the source-side
// checks that need no VS Code. The manifest's %key% strings and the l10n bundle are checked by test/unit/l10n.
describe('package manifest (sources)', () => {
  it('the apimMcp.servers name pattern takes ordinary names and refuses control characters and "/" (issue 16)', () => {
    const manifest = JSON.parse(read('package.json')) as { contributes: { configuration: { properties: Record<string, { items: { properties: { name: { pattern: string } } } }> } } };
    // VS Code compiles schema patterns with the u flag.
    const pattern = new RegExp(manifest.contributes.configuration.properties['apimMcp.servers']!.items.properties.name.pattern, 'u');
    for (const name of ['Prod', 'api1', 'Contoso Orders (prod)', 'Ünïcode-Naïve', 'a\\b']) assert.ok(pattern.test(name), name);
    for (const name of ['', 'a/b', 'bell\u0007', 'esc\u001b[31m', 'line\nbreak', 'nul\u0000', 'del\u007f', 'csi\u009b']) assert.ok(!pattern.test(name), JSON.stringify(name));
  });

  it('activates after start-up and to restore a panel, nothing earlier (issue 20)', () => {
    // onStartupFinished starts everything that runs unasked (the config lint, the terminal variables, the policy
    // listeners); the provider, the view and the commands have VS Code's implicit events. An XML, Bicep or
    // workspaceContains event would only activate the extension during start-up, when it competes with the window.
    const manifest = JSON.parse(read('package.json')) as { activationEvents: string[] };
    assert.deepEqual(manifest.activationEvents, ['onStartupFinished', 'onWebviewPanel:apimMcp.diagnostics']);
  });

  it('ships every bundle the build writes, the lazy feature bundles with extension.js', () => {
    const ignore = read('.vscodeignore').split('\n').map((l) => l.trim());
    assert.ok(ignore.includes('!dist/*.js'), '.vscodeignore must ship dist/*.js (extension.js and the bundles it requires on first use)');
  });

  it('keeps sources, tests, the sandbox and the bench out of the package', () => {
    const ignore = read('.vscodeignore').split('\n').map((l) => l.trim());
    assert.equal(ignore.find((l) => l && !l.startsWith('#')), '**', '.vscodeignore must start by excluding everything');
    for (const line of ignore.filter((l) => l.startsWith('!'))) {
      assert.doesNotMatch(line, /^!(src|test|bench|scripts|node_modules)\b/, `${line} would ship sources or tests`);
    }
  });

  it('18.7 ticks each walkthrough step from a context key set on success, never from pressing its button', () => {
    const manifest = JSON.parse(read('package.json')) as { contributes: { walkthroughs: { steps: { id: string; completionEvents?: string[] }[] }[] } };
    const progress = read('src/vscode/walkthroughProgress.ts');
    for (const step of manifest.contributes.walkthroughs.flatMap((w) => w.steps)) {
      assert.deepEqual(step.completionEvents, [`onContext:apimMcp.walkthrough.${step.id}Done`], step.id);
      assert.match(progress, new RegExp(`'${step.id}'`), `walkthroughProgress.ts has no step ${step.id}`);
      assert.ok(read('src/vscode/walkthroughProgress.ts').includes('`apimMcp.walkthrough.${step}Done`'));
    }
  });

  it('has the walkthrough media and the README screenshots it links to', () => {
    const manifest = JSON.parse(read('package.json')) as { contributes: { walkthroughs: { steps: { media: { markdown: string } }[] }[] } };
    for (const step of manifest.contributes.walkthroughs.flatMap((w) => w.steps)) {
      assert.ok(existsSync(join(ROOT, step.media.markdown)), step.media.markdown);
      // Each image a step's page shows, relative to that page (18.7: the Set Key step has one too).
      for (const [, image] of read(step.media.markdown).matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) assert.ok(existsSync(join(ROOT, dirname(step.media.markdown), image!)), `${step.media.markdown}: ${image}`);
    }
    const stepImages = manifest.contributes.walkthroughs.flatMap((w) => w.steps).filter((step) => /!\[/.test(read(step.media.markdown)));
    assert.ok(stepImages.some((step) => step.media.markdown.endsWith('set-key.md')), 'the Set Key step shows an image');
    const images = [...read('README.md').matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    assert.ok(images.length >= 3);
    for (const image of images) assert.ok(existsSync(join(ROOT, image)), image);
  });
});
