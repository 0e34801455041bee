import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from '../sandbox/index';

/** Debian's bundle of the system's trusted roots (the ca-certificates package). */
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/**
 * Environment under which a VS Code server's extension host trusts a sandbox CA everywhere: Node's own requests
 * (NODE_EXTRA_CA_CERTS) and the `https` module VS Code patches for extensions, which replaces the CA list with the
 * bundled roots plus the operating system's certificates and so ignores NODE_EXTRA_CA_CERTS. The system store is
 * pointed at a copy of the real one plus the CA, as a company CA installed on the machine would be.
 */
export function trustCaEnv(caCertPath: string): Record<string, string> {
  const bundle = `${caCertPath}.system-bundle.pem`;
  const system = existsSync(SYSTEM_BUNDLE) ? readFileSync(SYSTEM_BUNDLE, 'utf8') : '';
  writeFileSync(bundle, `${system}\n${readFileSync(caCertPath, 'utf8')}`);
  return { NODE_EXTRA_CA_CERTS: caCertPath, SSL_CERT_FILE: bundle };
}

/** One PEM file with the CA of every sandbox given (NODE_EXTRA_CA_CERTS names a single file); `dispose` deletes it. */
export function caBundleOf(sandboxes: readonly Sandbox[]): { readonly path: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'apim-mcp-ca-'));
  const path = join(dir, 'ca.pem');
  writeFileSync(path, sandboxes.map((s) => readFileSync(s.endpoints.caCertPath, 'utf8')).join('\n'));
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
