import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { ConfigFileSystem } from './safeWrite';

/** ConfigFileSystem over Node's fs: temp file next to the target, fsync, exact mode, then rename. */
export function createNodeConfigFileSystem(): ConfigFileSystem {
  return {
    async read(filePath) {
      try {
        const handle = await fsp.open(filePath, 'r');
        try {
          const stat = await handle.stat();
          const bytes = await handle.readFile();
          return { bytes: new Uint8Array(bytes), mtimeMs: stat.mtimeMs, mode: stat.mode & 0o7777 };
        } finally {
          await handle.close();
        }
      } catch (err: unknown) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async stat(filePath) {
      try {
        const stat = await fsp.stat(filePath);
        return { mtimeMs: stat.mtimeMs, size: stat.size };
      } catch (err: unknown) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async writeTemp(dir, baseName, bytes, mode) {
      const temp = path.join(dir, `.${baseName}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
      const handle = await fsp.open(temp, 'wx', mode ?? 0o666);
      try {
        await handle.writeFile(bytes);
        // The umask applies at creation; set the original mode exactly.
        if (mode !== undefined) await handle.chmod(mode);
        await handle.sync();
      } catch (err: unknown) {
        await handle.close();
        await fsp.rm(temp, { force: true });
        throw err;
      }
      await handle.close();
      return temp;
    },
    async rename(from, to) {
      await fsp.rename(from, to);
    },
    async remove(filePath) {
      await fsp.rm(filePath, { force: true });
    },
    async mkdirp(dir) {
      await fsp.mkdir(dir, { recursive: true });
    },
  };
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}
