import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every regular file below `dir` (sockets and other special files skipped), or none when it does not exist. */
export function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      const stat = statSync(path);
      return stat.isDirectory() ? filesUnder(path) : stat.isFile() ? [path] : [];
    });
  } catch {
    return [];
  }
}
