/**
 * Transport family: which MCP transport the URL speaks. A 4xx other than 401/403 to the first POST makes clients
 * try the legacy HTTP+SSE transport (VS Code extHostMcp.ts; MCP 2025-03-26 transports, backwards compatibility):
 * GET with Accept: text/event-stream, then the `endpoint` event. The probe does the same, so an /sse URL that
 * still works is not reported as "nothing is published", and one that does not says the SSE GET failed too.
 */
import * as l10n from '@vscode/l10n';
import type { HttpExchange } from '../../probe/probeHttpClient';
import type { McpAttempt } from '../../probe/mcpSession';
import type { Observations } from '../observe';
import { describeExchange, report, type FindingText, type RuleContext } from './ruleContext';

const TEXT = {
  legacySse: (url: URL): FindingText => ({
    id: 'mcp.transport.legacySse',
    severity: 'info',
    title: l10n.t('This URL speaks the legacy HTTP+SSE transport, not streamable HTTP'),
    fix: {
      summary:
        l10n.t('A POST to {0} is refused, and the deprecated SSE transport (GET, then the endpoint event) answers instead. VS Code falls back to it by itself; other clients need "type": "sse". Where the API also publishes streamable HTTP, use its …/mcp URL: SSE is deprecated since MCP 2025-03-26.', url.pathname),
    },
  }),
} satisfies Record<string, (...args: never[]) => FindingText>;

function exchangesOf(obs: Observations, prefix: string): HttpExchange[] {
  return obs.exchanges.filter((e) => e.step.startsWith(`${prefix} `));
}

export function transportRules(ctx: RuleContext): void {
  const { obs } = ctx;
  const attempt: McpAttempt = obs.authenticated ?? obs.unauthenticated;
  if (attempt.transport === 'sse' && attempt.initialized) {
    const refusedPost = obs.exchanges.find((e) => e.method === 'POST' && !e.step.startsWith(`${attempt.stepPrefix} `) && e.status !== undefined && e.status >= 400);
    const sseGet = exchangesOf(obs, attempt.stepPrefix).find((e) => e.method === 'GET');
    report(ctx, TEXT.legacySse(obs.url), [refusedPost, sseGet].filter((e): e is HttpExchange => Boolean(e)).map(describeExchange));
    return;
  }
  if (!attempt.sseTried) return;
  // Nothing answered the POST, and the SSE GET failed as well: add that to the path finding's evidence.
  const sseGet = exchangesOf(obs, `${attempt.stepPrefix} sse`).find((e) => e.method === 'GET');
  const notFound = ctx.out.find((f) => f.id === 'apim.path.notFound');
  if (sseGet && notFound) report(ctx, notFound, [`legacy SSE transport tried too: ${describeExchange(sseGet)}`]);
}
