// The CLI's fetch with --ca-cert: the trust store (Node's roots + the extra CA) is parsed once per fetch, not once
// per TLS connection (issue 20: it was most of the engine's CPU time against an https server), and it still decides
// what is trusted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { createNodeFetch } from '../../../src/core/probe/nodeFetch';
import { selfSignedCert, startHttps } from './hostileServers';

test('--ca-cert: one secure context for every connection of a fetch, and the extra CA is trusted', async () => {
  const cert = selfSignedCert();
  const server = await startHttps(cert, (_req, res) => res.end('ok'));
  const original = tls.createSecureContext;
  let contexts = 0;
  tls.createSecureContext = (options) => {
    contexts++;
    return original(options);
  };
  // No keep-alive: each request is a connection (and a handshake) of its own.
  const net = createNodeFetch({ extraCaPem: [cert.cert], keepAlive: false });
  try {
    for (let i = 0; i < 3; i++) assert.equal(await (await net.fetch(`${server.origin}/products/mcp`)).text(), 'ok');
    assert.equal(server.received.length, 3);
    assert.equal(contexts, 1, 'the trust store was parsed for each connection');
  } finally {
    tls.createSecureContext = original;
    net.close();
    await server.close();
  }
});

test('without --ca-cert the extra CA is not trusted: a self-signed server is refused before anything is sent', async () => {
  const cert = selfSignedCert();
  const server = await startHttps(cert, (_req, res) => res.end('ok'));
  const net = createNodeFetch({ keepAlive: false });
  try {
    await assert.rejects(net.fetch(`${server.origin}/products/mcp`), /self-signed|SELF_SIGNED/i);
    assert.equal(server.received.length, 0);
  } finally {
    net.close();
    await server.close();
  }
});
