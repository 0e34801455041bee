import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** Every relative import of every .ts file under `root`, type-only imports included, as paths relative to `root`. */
export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(root)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, false);
    const targets = importedFiles
      .map((i) => i.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => resolveTs(resolve(dirname(file), name)))
      .filter((target): target is string => target !== undefined && target.startsWith(root + sep))
      .map((target) => relative(root, target));
    graph.set(relative(root, file), targets);
  }
  return graph;
}

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* tsFiles(path);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) yield path;
  }
}

function resolveTs(base: string): string | undefined {
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not this one.
    }
  }
  return undefined;
}

/**
 * The folder-level cycles under every folder of the graph: within a folder, each child folder is one node and the
 * folder's own files together are another (`.`). An edge A → B means a file in A imports a file in B. Returns each
 * cycle as its path of nodes, for example `src/vscode: config → wizard → config`.
 */
export function folderCycles(graph: Map<string, string[]>, rootLabel: string): string[] {
  const folders = new Set<string>(['']);
  for (const file of graph.keys()) {
    const parts = file.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  const cycles: string[] = [];
  for (const folder of [...folders].sort()) {
    const prefix = folder ? `${folder}/` : '';
    const nodeOf = (file: string) => (file.startsWith(prefix) ? (file.slice(prefix.length).split('/').length > 1 ? file.slice(prefix.length).split('/')[0]! : '.') : undefined);
    const edges = new Map<string, Set<string>>();
    for (const [file, targets] of graph) {
      const from = nodeOf(file);
      if (from === undefined) continue;
      for (const target of targets) {
        const to = nodeOf(target);
        if (to === undefined || to === from) continue;
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)!.add(to);
      }
    }
    for (const cycle of findCycles(edges)) cycles.push(`${[rootLabel, folder].filter(Boolean).join('/')}: ${cycle.join(' → ')}`);
  }
  return cycles;
}

/** One cycle per strongly connected component with more than one node, found by depth-first search. */
function findCycles(edges: Map<string, Set<string>>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const visit = (node: string, path: string[]): void => {
    const at = path.indexOf(node);
    if (at >= 0) {
      const cycle = [...path.slice(at), node];
      const key = [...cycle.slice(0, -1)].sort().join('|');
      if (!cycles.some((c) => [...c.slice(0, -1)].sort().join('|') === key)) cycles.push(cycle);
      return;
    }
    if (done.has(node)) return;
    for (const next of [...(edges.get(node) ?? [])].sort()) visit(next, [...path, node]);
    done.add(node);
  };
  for (const node of [...edges.keys()].sort()) visit(node, []);
  return cycles;
}
