/**
 * The files `apim-mcp lint` reads: the files it is given, and every policy under the folders it is given, found by
 * content (root element `<policies>` / `<fragment>`, or policy strings in Bicep, ARM JSON and Terraform).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { isPolicyFileName, mayHoldPolicy } from '../core/apim/policy/policyFiles';
import { inertText } from '../core/basics';
import { UsageError } from './io';

/** Folders never searched: dependencies, VCS data and build output. */
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.svn', '.hg', 'bin', 'obj', '.terraform', 'dist', 'out']);
/** Bigger files are not policies (a policy is a few KiB, a Bicep or ARM file a few hundred). */
const MAX_BYTES = 4 * 1024 * 1024;

export interface PolicySource {
  /** Relative to the working folder, with forward slashes (what is printed and put in SARIF). */
  readonly path: string;
  readonly absolute: string;
  readonly text: string;
}

export interface FoundPolicies {
  readonly sources: PolicySource[];
  /** Files named on the command line that are not policies. */
  readonly skipped: string[];
}

function readText(absolute: string): string | undefined {
  const size = statSync(absolute).size;
  if (size > MAX_BYTES) return undefined;
  const bytes = readFileSync(absolute);
  if (bytes.includes(0)) return undefined;
  return bytes.toString('utf8');
}

function* walk(folder: string): Generator<string> {
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) yield* walk(path);
    } else if (entry.isFile()) yield path;
  }
}

export function findPolicies(targets: readonly string[], cwd: string): FoundPolicies {
  const sources: PolicySource[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  const display = (absolute: string): string => relative(cwd, absolute).split(sep).join('/') || absolute;
  for (const target of targets) {
    const absolute = resolve(cwd, target);
    let stats;
    try {
      stats = statSync(absolute);
    } catch {
      throw new UsageError(`${inertText(target)}: no such file or folder.`);
    }
    const explicit = stats.isFile();
    for (const file of explicit ? [absolute] : walk(absolute)) {
      if (seen.has(file) || !isPolicyFileName(file)) continue;
      seen.add(file);
      const text = readText(file);
      if (text !== undefined && mayHoldPolicy(file, text)) sources.push({ path: display(file), absolute: file, text });
      else if (explicit) skipped.push(display(file));
    }
  }
  return { sources, skipped };
}
