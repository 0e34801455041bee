import * as http from 'node:http';
import * as https from 'node:https';
import forge from 'node-forge';
import { listenOnLoopback } from '../../harness/processes';

export interface TestServer {
  readonly origin: string;
  /** Headers of every request received (lower-case names). */
  readonly received: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function listen(server: http.Server | https.Server, scheme: 'http' | 'https', received: http.IncomingHttpHeaders[]): Promise<TestServer> {
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listenOnLoopback(server);
  return {
    origin: `${scheme}://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function startHttp(handler: Handler): Promise<TestServer> {
  const received: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    received.push(req.headers);
    handler(req, res);
  });
  return listen(server, 'http', received);
}

/** A self-signed certificate for 127.0.0.1, made fresh for the test (never trusted by default). */
export function selfSignedCert(): { key: string; cert: string } {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3600_000);
  const attrs = [{ name: 'commonName', value: '127.0.0.1' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { key: forge.pki.privateKeyToPem(keys.privateKey), cert: forge.pki.certificateToPem(cert) };
}

export function startHttps(tls: { key: string; cert: string }, handler: Handler): Promise<TestServer> {
  const received: http.IncomingHttpHeaders[] = [];
  const server = https.createServer(tls, (req, res) => {
    received.push(req.headers);
    handler(req, res);
  });
  return listen(server, 'https', received);
}
