// paths.json in the tool cache: where each installed tool lives, read by test/harness/tools.ts. Several installers
// add to it (Node 24 and code-server now, more tools later), so an update merges its keys into what is there and
// replaces the file in one rename: a reader never sees half a file, and one tool's entry never drops another's.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const pathsFile = (toolsDir) => join(toolsDir, 'paths.json');

/** The recorded entries, or {} when the file is missing or not a JSON object (it is rewritten on the next record). */
export function readToolPaths(toolsDir) {
  try {
    const parsed = JSON.parse(readFileSync(pathsFile(toolsDir), 'utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** Merges `entries` (name → path or version string) into paths.json and returns the whole record. */
export function recordToolPaths(toolsDir, entries) {
  mkdirSync(toolsDir, { recursive: true });
  const current = readToolPaths(toolsDir);
  const record = { ...current, ...entries };
  if (JSON.stringify(record) === JSON.stringify(current)) return record; // a check-only run writes nothing
  const temporary = `${pathsFile(toolsDir)}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(temporary, pathsFile(toolsDir));
  return record;
}
