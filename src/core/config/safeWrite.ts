import * as path from 'node:path';
import type { ConfigEdit, ConfigEditError } from './configEditor';
import { errorMessage } from '../basics';

/**
 * Read → edit → atomic write for config files. The edit is a pure function of the file text, so when the file
 * changed on disk after it was read, the new content is read and the same edit is applied to it again: the other
 * writer's change and ours are both kept, nothing is overwritten.
 */
export interface FileSnapshot {
  readonly bytes: Uint8Array;
  readonly mtimeMs: number;
  /** Permission bits (`st_mode & 0o7777`), when the file system has them. */
  readonly mode?: number;
}

/** The I/O the writer needs. The VS Code adapter backs it with Node fs (see nodeConfigFileSystem) or `workspace.fs`. */
export interface ConfigFileSystem {
  /** The file's bytes and metadata, or undefined when it does not exist. */
  read(filePath: string): Promise<FileSnapshot | undefined>;
  /** Metadata only, or undefined when it does not exist. */
  stat(filePath: string): Promise<{ mtimeMs: number; size: number } | undefined>;
  /** Writes `bytes` to a new temporary file in `dir` (same volume as the target, so rename is atomic); returns its path. */
  writeTemp(dir: string, baseName: string, bytes: Uint8Array, mode?: number): Promise<string>;
  /** Replaces `to` with `from` atomically. */
  rename(from: string, to: string): Promise<void>;
  /** Deletes a file; no error when it is already gone. */
  remove(filePath: string): Promise<void>;
  /** Creates a folder and its parents (`.vscode/`, `~/.copilot/`). */
  mkdirp(dir: string): Promise<void>;
}

export type SafeEditResult =
  | { ok: true; changed: boolean; text: string; attempts: number }
  | { ok: false; error: ConfigEditError | { kind: 'io'; message: string } | { kind: 'encoding'; message: string } | { kind: 'conflict'; message: string } };

export interface SafeEditOptions {
  /** How many times to re-read and re-apply when the file keeps changing underneath. */
  readonly maxAttempts?: number;
}

const BOM = '\uFEFF';

export async function editConfigFile(
  fs: ConfigFileSystem,
  filePath: string,
  edit: (text: string) => ConfigEdit,
  options: SafeEditOptions = {},
): Promise<SafeEditResult> {
  const maxAttempts = options.maxAttempts ?? 5;
  const dir = path.dirname(filePath);
  const base = path.basename(filePath);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let before: FileSnapshot | undefined;
    try {
      before = await fs.read(filePath);
    } catch (err: unknown) {
      return ioError('read', filePath, err);
    }
    const decoded = decode(before?.bytes);
    if (decoded === undefined) {
      return { ok: false, error: { kind: 'encoding', message: `${filePath} is not valid UTF-8; it was left unchanged.` } };
    }
    const result = edit(decoded.text);
    if (!result.ok) return result;
    if (!result.changed) return { ok: true, changed: false, text: result.text, attempts: attempt };

    let temp: string;
    try {
      if (!before) await fs.mkdirp(dir);
      temp = await fs.writeTemp(dir, base, encode(decoded.bom + result.text), before?.mode);
    } catch (err: unknown) {
      return ioError('write', filePath, err);
    }
    try {
      if (await changedSince(fs, filePath, before)) {
        await fs.remove(temp);
        continue;
      }
      await fs.rename(temp, filePath);
    } catch (err: unknown) {
      await fs.remove(temp).catch(() => undefined);
      return ioError('write', filePath, err);
    }
    return { ok: true, changed: true, text: result.text, attempts: attempt };
  }
  return {
    ok: false,
    error: { kind: 'conflict', message: `${filePath} kept changing while it was being edited; it was left as the other writer saved it.` },
  };
}

/** Compares metadata first and then the bytes, since mtime alone misses two writes within one clock tick. */
async function changedSince(fs: ConfigFileSystem, filePath: string, before: FileSnapshot | undefined): Promise<boolean> {
  const stat = await fs.stat(filePath);
  if (!before || !stat) return Boolean(before) !== Boolean(stat);
  if (stat.mtimeMs !== before.mtimeMs || stat.size !== before.bytes.length) return true;
  const now = await fs.read(filePath);
  return !now || !sameBytes(now.bytes, before.bytes);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function decode(bytes: Uint8Array | undefined): { text: string; bom: string } | undefined {
  if (!bytes) return { text: '', bom: '' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
  return text.startsWith(BOM) ? { text: text.slice(1), bom: BOM } : { text, bom: '' };
}

function encode(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function ioError(op: string, filePath: string, err: unknown): SafeEditResult {
  const message = errorMessage(err);
  return { ok: false, error: { kind: 'io', message: `Could not ${op} ${filePath}: ${message}` } };
}
