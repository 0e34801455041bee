/** Cases for the network family: the MCP host unreachable, TLS elsewhere, redirects, oversized and non-MCP answers. */
import type { NetworkFailureKind } from '../../../../src/core/probe/networkFailure';
import { exchange, MCP_URL } from '../observationBuilders';
import type { FindingCase } from './findingCase';

const failure = (kind: NetworkFailureKind, code: string | undefined, message: string) => ({ status: undefined, failure: { kind, code, message } });
const AS_METADATA = 'https://login.contoso.example/t/v2.0/.well-known/openid-configuration';

export const NETWORK_CASES: readonly FindingCase[] = [
  {
    id: 'net.dns',
    name: 'the host does not resolve',
    setup: { unauth: failure('dns', 'ENOTFOUND', 'getaddrinfo ENOTFOUND contoso.azure-api.net') },
    severity: 'error',
    evidence: [/no answer: dns \(ENOTFOUND\)/],
    says: /does not resolve/,
  },
  {
    id: 'net.tls',
    name: 'the MCP host has an untrusted certificate',
    setup: { unauth: failure('tls', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate') },
    severity: 'error',
    evidence: [/no answer: tls \(DEPTH_ZERO_SELF_SIGNED_CERT\)/],
    says: /--ca-cert/,
  },
  {
    id: 'net.tls',
    name: 'the authorization server has an untrusted certificate while the MCP host answers',
    setup: { exchanges: [exchange({ url: AS_METADATA, ...failure('tls', 'SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in chain') })] },
    severity: 'error',
    evidence: [/login\.contoso\.example.*no answer: tls/],
    says: /TLS to login\.contoso\.example failed/,
  },
  {
    id: 'net.timeout',
    name: 'no answer in time',
    setup: { unauth: failure('timeout', undefined, 'no answer within 10000 ms') },
    severity: 'error',
    evidence: [/no answer: timeout/],
    says: /did not answer in time/,
  },
  {
    id: 'net.connection',
    name: 'connection refused',
    setup: { unauth: failure('refused', 'ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.4:443') },
    severity: 'error',
    evidence: [/no answer: refused \(ECONNREFUSED\)/],
    says: /The connection to/,
  },
  {
    id: 'net.connection',
    name: 'another network failure',
    setup: { unauth: failure('other', undefined, 'socket hang up') },
    severity: 'error',
    evidence: [/socket hang up/],
    says: /The request to/,
  },
  {
    id: 'mcp.url.redirect',
    name: 'a redirect to another origin',
    setup: { unauth: { status: 302, headers: { location: 'https://login.contoso.example/start' } } },
    severity: 'error',
    evidence: [/HTTP 302/, /^Location: https:\/\/login\.contoso\.example\/start$/],
    says: /another origin/,
  },
  {
    id: 'mcp.url.redirect',
    name: 'a redirect to itself',
    setup: { unauth: { status: 307, headers: { location: MCP_URL } } },
    severity: 'error',
    evidence: [/HTTP 307/],
    says: /in a loop/,
  },
  {
    id: 'probe.response.tooLarge',
    name: 'a body cut at the size cap',
    setup: { exchanges: [exchange({ url: 'https://contoso.azure-api.net/.well-known/oauth-protected-resource', status: 200, truncated: true })] },
    severity: 'warning',
    evidence: [/oauth-protected-resource → HTTP 200, body cut at the size cap$/],
  },
  {
    id: 'mcp.response.invalid',
    name: 'an HTML page where MCP was expected',
    setup: {
      unauth: { status: 200, headers: { 'content-type': 'text/html' }, bodyText: '<html>Developer portal</html>' },
      unauthAttempt: { initialized: false, tools: undefined, error: 'Unexpected content type: text/html' },
    },
    severity: 'error',
    evidence: [/^Content-Type: text\/html$/, /^MCP client error: Unexpected content type/],
  },
  {
    id: 'mcp.server.error',
    name: 'a 502 HTML page',
    setup: { unauth: { status: 502, headers: { 'content-type': 'text/html' }, bodyText: '<h1>502 Bad Gateway</h1>' } },
    severity: 'error',
    evidence: [/HTTP 502 · body: <h1>502 Bad Gateway/],
    says: /BackendConnectionFailure/,
  },
  {
    id: 'mcp.server.error',
    name: 'a 405 to initialize',
    setup: { unauth: { status: 405, bodyText: 'Method Not Allowed' } },
    severity: 'error',
    evidence: [/HTTP 405/],
    says: /refused the initialize request/,
  },
];
