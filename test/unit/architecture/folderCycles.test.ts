import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { folderCycles, importGraph } from './importGraph';

const SRC = join(__dirname, '..', '..', '..', 'src');

/**
 * The rooms of the code import each other one way only: the top-level rooms of src (core, auth, shared, vscode,
 * webview), the rooms of src/core, and every folder of src/vscode (one folder per feature; the files directly in
 * src/vscode are the base the features share). A folder whose own files and subfolders import each other is not
 * checked below src/core's rooms: a rules/ family folder next to the engine that runs it is that by design.
 */
const CHECKED = (label: string) => label === 'src' || label === 'src/core' || label === 'src/vscode' || label.startsWith('src/vscode/');

describe('architecture: no import cycles between folders', () => {
  const graph = importGraph(SRC);

  it('reads the source tree', () => {
    assert.ok(graph.size > 100, `only ${graph.size} files under ${SRC}`);
    assert.ok(graph.get('extension.ts')?.includes('vscode/safeRegister.ts'), 'the graph misses extension.ts → vscode/safeRegister.ts');
    // A type-only import ties two rooms as much as any other.
    assert.ok(graph.get('vscode/panel/registerTroubleshooting.ts')?.includes('vscode/auth/lazyEntraTokens.ts'), 'the graph misses an `import type`');
  });

  it('finds none in src, src/core and src/vscode', () => {
    const cycles = folderCycles(graph, 'src').filter((c) => CHECKED(c.slice(0, c.indexOf(':'))));
    assert.deepEqual(cycles, []);
  });

  it('names the folders of a cycle, the files directly in a folder as "."', () => {
    const fake = new Map<string, string[]>([
      ['vscode/config/a.ts', ['vscode/wizard/b.ts']],
      ['vscode/wizard/b.ts', ['vscode/config/c.ts']],
      ['vscode/config/c.ts', []],
      ['vscode/base.ts', []],
    ]);
    assert.deepEqual(folderCycles(fake, 'src'), ['src/vscode: config → wizard → config']);
    fake.set('vscode/base.ts', ['vscode/wizard/b.ts']);
    fake.set('vscode/wizard/b.ts', ['vscode/base.ts']);
    assert.deepEqual(folderCycles(fake, 'src'), ['src/vscode: . → wizard → .']);
  });
});
