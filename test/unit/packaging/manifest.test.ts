import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..', '..');
const read = (relative: string) => readFileSync(join(ROOT, relative), 'utf8');

function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}

// The packaged manifest is checked inside real VS Code by test/vscode/packaging.test.ts; these are the source-side
// checks that need no VS Code.
describe('package manifest (sources)', () => {
  it('resolves every %key% from package.nls.json, and every nls key is used', () => {
    const manifest = JSON.parse(read('package.json')) as unknown;
    const nls = JSON.parse(read('package.nls.json')) as Record<string, string>;
    const used = new Set(stringsOf(manifest).flatMap((s) => [...s.matchAll(/^%([\w.-]+)%$/g)].map((m) => m[1]!)));
    assert.deepEqual([...used].filter((k) => !(k in nls)), []);
    assert.deepEqual(Object.keys(nls).filter((k) => !used.has(k)), []);
  });

  it('has every single-literal vscode.l10n.t string of src in l10n/bundle.l10n.json (npm run l10n regenerates it)', () => {
    // A cheap check (npm run package regenerates the bundle with @vscode/l10n-dev, which parses every file).
    const shipped = JSON.parse(read('l10n/bundle.l10n.json')) as Record<string, unknown>;
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.ts')) files.push(path);
      }
    };
    walk(join(ROOT, 'src'));
    const literals = files.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/l10n\.t\(\s*'((?:[^'\\\n]|\\.)*)'\s*[,)]/g)].map((m) => m[1]!.replace(/\\'/g, "'").replace(/\\\\/g, '\\')),
    );
    assert.ok(literals.length > 100, `found only ${literals.length} l10n.t literals`);
    assert.deepEqual(literals.filter((l) => !(l in shipped)), []);
  });

  it('the apimMcp.servers name pattern takes ordinary names and refuses control characters and "/" (issue 16)', () => {
    const manifest = JSON.parse(read('package.json')) as { contributes: { configuration: { properties: Record<string, { items: { properties: { name: { pattern: string } } } }> } } };
    // VS Code compiles schema patterns with the u flag.
    const pattern = new RegExp(manifest.contributes.configuration.properties['apimMcp.servers']!.items.properties.name.pattern, 'u');
    for (const name of ['Prod', 'api1', 'Contoso Orders (prod)', 'Ünïcode-Naïve', 'a\\b']) assert.ok(pattern.test(name), name);
    for (const name of ['', 'a/b', 'bell\u0007', 'esc\u001b[31m', 'line\nbreak', 'nul\u0000', 'del\u007f', 'csi\u009b']) assert.ok(!pattern.test(name), JSON.stringify(name));
  });

  it('keeps sources, tests, the sandbox and the bench out of the package', () => {
    const ignore = read('.vscodeignore').split('\n').map((l) => l.trim());
    assert.equal(ignore.find((l) => l && !l.startsWith('#')), '**', '.vscodeignore must start by excluding everything');
    for (const line of ignore.filter((l) => l.startsWith('!'))) {
      assert.doesNotMatch(line, /^!(src|test|bench|scripts|node_modules)\b/, `${line} would ship sources or tests`);
    }
  });

  it('has the walkthrough media and the README screenshots it links to', () => {
    const manifest = JSON.parse(read('package.json')) as { contributes: { walkthroughs: { steps: { media: { markdown: string } }[] }[] } };
    for (const step of manifest.contributes.walkthroughs.flatMap((w) => w.steps)) assert.ok(existsSync(join(ROOT, step.media.markdown)), step.media.markdown);
    const images = [...read('README.md').matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    assert.ok(images.length >= 3);
    for (const image of images) assert.ok(existsSync(join(ROOT, image)), image);
  });
});
