/**
 * The real-pattern corpus (test/fixtures/policy-corpus): files that model public APIM policies, each with the
 * findings a person listed by hand before the linter ran. Shared by the precision/recall test and `npm run bench`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const CORPUS_DIR = join(__dirname, '..', '..', 'fixtures', 'policy-corpus');

export interface CorpusEntry {
  /** Path relative to the corpus folder, with forward slashes. */
  readonly path: string;
  readonly text: string;
  /** `repository:path` of the public file it models. */
  readonly models: string;
  /** `rule@line` (1-based), `clean`, or `not-a-policy` (discovery must skip the file). */
  readonly expect: readonly string[] | 'clean' | 'not-a-policy';
}

interface Manifest {
  readonly files: Record<string, { models: string; expect: string[] | 'clean' | 'not-a-policy' }>;
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (name !== 'corpus.json') yield path;
  }
}

/** Every file of the corpus folder with its manifest entry; throws when the two disagree. */
export function loadCorpus(): CorpusEntry[] {
  const manifest = JSON.parse(readFileSync(join(CORPUS_DIR, 'corpus.json'), 'utf8')) as Manifest;
  const entries: CorpusEntry[] = [];
  for (const file of walk(CORPUS_DIR)) {
    const path = relative(CORPUS_DIR, file).split('\\').join('/');
    const listed = manifest.files[path];
    if (!listed) throw new Error(`${path} is in the corpus folder but not in corpus.json`);
    entries.push({ path, text: readFileSync(file, 'utf8'), models: listed.models, expect: listed.expect });
  }
  const missing = Object.keys(manifest.files).filter((p) => !entries.some((e) => e.path === p));
  if (missing.length > 0) throw new Error(`corpus.json lists files that do not exist: ${missing.join(', ')}`);
  return entries;
}
