/** Cases for the transport family: an URL that speaks only the legacy HTTP+SSE transport, or neither transport. */
import { apimError, exchange } from '../observationBuilders';
import type { FindingCase } from './findingCase';

const SSE_URL = 'https://contoso.azure-api.net/products/sse';
const UNAUTH = 'mcp (no credentials)';

export const TRANSPORT_CASES: readonly FindingCase[] = [
  {
    id: 'mcp.transport.legacySse',
    name: 'the POST is refused, the legacy SSE transport answers',
    setup: {
      input: { url: SSE_URL },
      unauth: { url: SSE_URL, ...apimError(404, 'Resource not found') },
      unauthAttempt: { transport: 'sse', initialized: true, tools: [{ name: 'listProducts' }], stepPrefix: `${UNAUTH} sse` },
      exchanges: [exchange({ step: `${UNAUTH} sse GET`, url: SSE_URL, status: 200, headers: { 'content-type': 'text/event-stream' }, bodyText: 'event: endpoint\ndata: /products/messages?sessionId=1\n\n' })],
    },
    severity: 'info',
    evidence: [/^POST https:\/\/contoso\.azure-api\.net\/products\/sse → HTTP 404/, /^GET https:\/\/contoso\.azure-api\.net\/products\/sse → HTTP 200/],
    not: ['apim.path.notFound'],
  },
  {
    id: 'apim.path.notFound',
    name: 'neither the POST nor the legacy SSE GET finds an operation',
    setup: {
      input: { url: SSE_URL },
      unauth: { url: SSE_URL, ...apimError(404, 'Resource not found') },
      unauthAttempt: { sseTried: true },
      exchanges: [exchange({ step: `${UNAUTH} sse GET`, url: SSE_URL, ...apimError(404, 'Resource not found') })],
    },
    severity: 'error',
    evidence: [/^legacy SSE transport tried too: GET https:\/\/contoso\.azure-api\.net\/products\/sse → HTTP 404/],
  },
];
