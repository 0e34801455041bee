/**
 * RSA keys of the sandbox (CA, TLS leaf, token signing). Making three 2048-bit keys takes 0.3–2 s on a busy 2-core
 * machine, which would break the "< 1 s start" goal, so they are made once and cached:
 * - in memory for the process, and
 * - on disk for 24 h in `<tmpdir>/apim-mcp-sandbox-keys-<uid>/keys.json` (directory 0700, file 0600; never in the repo).
 * Each sandbox still gets a fresh CA certificate, leaf certificate and `kid`. Set APIM_SANDBOX_FRESH_KEYS=1 to skip the
 * disk cache.
 */
import { generateKeyPair } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface SandboxKeys {
  caKeyPem: string;
  leafKeyPem: string;
  tokenKeyPem: string;
}

const MAX_AGE_MS = 24 * 3600_000;
let memory: Promise<SandboxKeys> | undefined;

function rsaKeyPem(): Promise<string> {
  return new Promise((resolve, reject) =>
    generateKeyPair(
      'rsa',
      { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } },
      (err, _pub, priv) => (err ? reject(err) : resolve(priv)),
    ),
  );
}

function cacheFile(): string {
  let uid = 'user';
  try {
    uid = String(userInfo().uid);
  } catch {
    // no passwd entry
  }
  return join(tmpdir(), `apim-mcp-sandbox-keys-${uid}`, 'keys.json');
}

function readCache(file: string): SandboxKeys | undefined {
  try {
    const st = statSync(file);
    if (Date.now() - st.mtimeMs > MAX_AGE_MS) return undefined;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return undefined;
    if ((st.mode & 0o077) !== 0) return undefined;
    const keys = JSON.parse(readFileSync(file, 'utf8')) as SandboxKeys;
    if ([keys.caKeyPem, keys.leafKeyPem, keys.tokenKeyPem].every((k) => typeof k === 'string' && k.includes('PRIVATE KEY'))) return keys;
  } catch {
    // missing or unreadable: make new keys
  }
  return undefined;
}

function writeCache(file: string, keys: SandboxKeys): void {
  try {
    const dir = join(file, '..');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(keys), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // cache is best effort
  }
}

async function load(): Promise<SandboxKeys> {
  const useDisk = process.env.APIM_SANDBOX_FRESH_KEYS !== '1';
  const file = cacheFile();
  const cached = useDisk ? readCache(file) : undefined;
  if (cached) return cached;
  const [caKeyPem, leafKeyPem, tokenKeyPem] = await Promise.all([rsaKeyPem(), rsaKeyPem(), rsaKeyPem()]);
  const keys = { caKeyPem, leafKeyPem, tokenKeyPem };
  if (useDisk) writeCache(file, keys);
  return keys;
}

export function sandboxKeys(): Promise<SandboxKeys> {
  memory ??= load();
  memory.catch(() => {
    memory = undefined;
  });
  return memory;
}
