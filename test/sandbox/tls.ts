/**
 * A throwaway CA and a leaf certificate for the Entra emulator (SAN IP 127.0.0.1, DNS localhost), made with node-forge
 * at start. RSA keys come from node:crypto (fast, off the main thread); forge only builds and signs the certificates.
 */
import { randomBytes, sign as cryptoSign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { sandboxKeys } from './keys';

export interface TlsMaterial {
  caCertPem: string;
  caCertPath: string;
  certPem: string;
  keyPem: string;
  dispose(): void;
}

/** Signs a forge certificate with node:crypto (forge's pure-JS RSA signing is slow). */
function signWith(cert: forge.pki.Certificate, keyPem: string): void {
  const c = cert as forge.pki.Certificate & { signatureOid: string; siginfo: { algorithmOid: string }; tbsCertificate: forge.asn1.Asn1; signature: string };
  c.signatureOid = c.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption;
  c.tbsCertificate = (forge.pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(c.tbsCertificate).getBytes(), 'binary');
  c.signature = cryptoSign('sha256', tbs, keyPem).toString('binary');
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f; // positive
  return bytes.toString('hex');
}

export async function makeTlsMaterial(): Promise<TlsMaterial> {
  const { caKeyPem, leafKeyPem } = await sandboxKeys();
  const caKey = forge.pki.privateKeyFromPem(caKeyPem) as forge.pki.rsa.PrivateKey;
  const leafKey = forge.pki.privateKeyFromPem(leafKeyPem) as forge.pki.rsa.PrivateKey;
  const caPub = forge.pki.setRsaPublicKey(caKey.n, caKey.e);
  const leafPub = forge.pki.setRsaPublicKey(leafKey.n, leafKey.e);
  const now = Date.now();

  const ca = forge.pki.createCertificate();
  ca.publicKey = caPub;
  ca.serialNumber = serial();
  ca.validity.notBefore = new Date(now - 60_000);
  ca.validity.notAfter = new Date(now + 7 * 24 * 3600_000);
  const caName = [
    { name: 'commonName', value: 'APIM MCP sandbox throwaway CA' },
    { name: 'organizationName', value: 'APIM MCP sandbox' },
  ];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signWith(ca, caKeyPem);

  const leaf = forge.pki.createCertificate();
  leaf.publicKey = leafPub;
  leaf.serialNumber = serial();
  leaf.validity.notBefore = new Date(now - 60_000);
  leaf.validity.notAfter = new Date(now + 7 * 24 * 3600_000);
  leaf.setSubject([{ name: 'commonName', value: '127.0.0.1' }]);
  leaf.setIssuer(caName);
  leaf.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  signWith(leaf, caKeyPem);

  const caCertPem = forge.pki.certificateToPem(ca);
  const dir = mkdtempSync(join(tmpdir(), 'apim-mcp-sandbox-'));
  const caCertPath = join(dir, 'sandbox-ca.pem');
  writeFileSync(caCertPath, caCertPem, { mode: 0o644 });
  return {
    caCertPem,
    caCertPath,
    certPem: forge.pki.certificateToPem(leaf),
    keyPem: leafKeyPem,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
