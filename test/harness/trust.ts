import { existsSync, readFileSync, writeFileSync } from 'node:fs';

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
