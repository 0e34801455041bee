/**
 * Network family: whether the MCP URL can be reached at all. DNS, TLS, timeouts and refused connections (to the
 * MCP host and, for TLS, to the metadata and sign-in hosts), redirects clients will not follow, and answers larger
 * than the probe reads. A failure to reach the MCP host ends the diagnosis: nothing after it was observed.
 */
import * as l10n from '@vscode/l10n';
import { FIX_COMMANDS } from '../fixCommands';
import type { HttpExchange } from '../../probe/probeHttpClient';
import { PORTAL, quote } from '../finding';
import { describeExchange, report, type FindingText, type RuleContext } from './ruleContext';

type RedirectKind = 'loop' | 'otherOrigin' | 'sameOrigin';

/** What each network finding says (translated: src/core/text/coreL10n.ts); the rules below only decide which applies and gather the evidence. */
const TEXT = {
  dns: (host: string): FindingText => ({
    id: 'net.dns',
    severity: 'error',
    title: l10n.t('The host {0} does not resolve', host),
    fix: {
      summary: l10n.t(
        'Check the host name in the MCP URL. APIM gateways are https://<service>.azure-api.net (or your custom domain); copy the URL from the portal (APIM → APIs → MCP servers → Server URL).',
      ),
      links: [{ label: 'API Management services', url: PORTAL.apim }],
    },
  }),
  tls: (url: URL, message: string): FindingText => ({
    id: 'net.tls',
    severity: 'error',
    title: l10n.t({ message: 'TLS to {0} failed: {1}', args: [url.host, message], comment: ['{0} is a host name, {1} the TLS error.'] }),
    fix: {
      summary: l10n.t(
        "The client does not trust the certificate of {0}. Use a certificate from a trusted CA on the gateway's custom domain, or, for a private CA, trust it explicitly: pass --ca-cert <ca.pem> to the CLI, or set NODE_EXTRA_CA_CERTS=<ca.pem> for VS Code / Copilot CLI.",
        url.host,
      ),
      commands: [FIX_COMMANDS.showCertificates(url.hostname, url.port)],
    },
  }),
  otherHostTls: (host: string, message: string): FindingText => ({
    id: 'net.tls',
    severity: 'error',
    title: l10n.t({ message: 'TLS to {0} failed: {1}', args: [host, message], comment: ['{0} is a host name, {1} the TLS error.'] }),
    fix: {
      summary: l10n.t(
        "The certificate of {0} is not trusted here, so metadata and sign-in requests to it fail. For a private CA pass --ca-cert <ca.pem> (CLI) or set NODE_EXTRA_CA_CERTS; otherwise fix the server's certificate chain.",
        host,
      ),
    },
  }),
  timeout: (host: string): FindingText => ({
    id: 'net.timeout',
    severity: 'error',
    title: l10n.t('{0} did not answer in time', host),
    fix: {
      summary: l10n.t(
        'The gateway accepted the connection but sent no complete answer before the time limit. Check the backend health and any policy that buffers the response body (reading context.Response.Body breaks MCP streaming).',
      ),
    },
  }),
  connectionFailed: (host: string, message: string): FindingText => ({
    id: 'net.connection',
    severity: 'error',
    title: l10n.t({ message: 'The connection to {0} failed: {1}', args: [host, message], comment: ['{0} is a host name, {1} the network error.'] }),
    fix: {
      summary: l10n.t('Check that the gateway is running and reachable from this machine (firewall, proxy, VNet integration) and that the port is right.'),
    },
  }),
  requestFailed: (host: string, message: string): FindingText => ({
    id: 'net.connection',
    severity: 'error',
    title: l10n.t({ message: 'The request to {0} failed: {1}', args: [host, message], comment: ['{0} is a host name, {1} the network error.'] }),
    fix: { summary: l10n.t('Check the URL and the network path to the gateway.') },
  }),
  redirect: (kind: RedirectKind, targetOrigin: string): FindingText => ({
    id: 'mcp.url.redirect',
    severity: 'error',
    title:
      kind === 'loop'
        ? l10n.t('The MCP URL redirects in a loop')
        : kind === 'otherOrigin'
          ? l10n.t('The MCP URL redirects to another origin ({0})', targetOrigin)
          : l10n.t('The MCP URL answers with a redirect'),
    fix: {
      summary:
        kind === 'loop'
          ? l10n.t(
              'The gateway keeps redirecting (the probe stopped after a bounded number of hops). Check the rewrite or redirect rules in front of the MCP API (APIM policy, Front Door, App Gateway) and configure the client with a URL that answers directly.',
            )
          : kind === 'otherOrigin'
            ? l10n.t(
                'MCP clients do not follow a redirect to another origin, and never send the subscription key or token there. Configure the client with the final URL, or remove the redirect at the gateway.',
              )
            : l10n.t('Configure the client with the final URL: MCP clients POST to the URL and a redirect turns the POST into a failure in most clients.'),
    },
  }),
  tooLarge: (): FindingText => ({
    id: 'probe.response.tooLarge',
    severity: 'warning',
    title: l10n.t('A response was larger than the diagnosis reads'),
    fix: {
      summary: l10n.t(
        'The server sent a body larger than the probe size cap; the diagnosis read only its start. An MCP initialize or error answer is small: check what the gateway returns on this path.',
      ),
    },
  }),
} satisfies Record<string, FindingText | ((...args: never[]) => FindingText)>;

/** Reports why the MCP host could not be reached; true when it could not, since no later rule has anything to read. */
export function unreachableRules(ctx: RuleContext, e: HttpExchange | undefined): boolean {
  if (!e?.failure) return false;
  const { url } = ctx.obs;
  const evidence = [describeExchange(e)];
  switch (e.failure.kind) {
    case 'dns':
      report(ctx, TEXT.dns(url.host), evidence);
      return true;
    case 'tls':
      report(ctx, TEXT.tls(url, e.failure.message), evidence);
      return true;
    case 'timeout':
      report(ctx, TEXT.timeout(url.host), evidence);
      return true;
    case 'refused':
    case 'reset':
      report(ctx, TEXT.connectionFailed(url.host, e.failure.message), evidence);
      return true;
    default:
      report(ctx, TEXT.requestFailed(url.host, e.failure.message), evidence);
      return true;
  }
}

/** TLS failures on other hosts (PRM, authorization server, Entra): sign-in breaks even though the MCP host answers. */
export function otherHostTlsRules(ctx: RuleContext): void {
  for (const e of ctx.obs.exchanges) {
    if (e.failure?.kind !== 'tls') continue;
    let host: string;
    try {
      host = new URL(e.url).host;
    } catch {
      continue;
    }
    if (host === ctx.obs.url.host) continue;
    report(ctx, TEXT.otherHostTls(host, e.failure.message), [describeExchange(e)]);
  }
}

export function redirectRules(ctx: RuleContext, e: HttpExchange | undefined): void {
  if (!e || !e.status || e.status < 300 || e.status >= 400) return;
  const location = e.headers['location'];
  if (!location) return;
  let target: URL;
  try {
    target = new URL(location, ctx.obs.url);
  } catch {
    return;
  }
  // A loop: the redirect points back at the URL itself, or a probe that follows redirects gave up on the count.
  const gaveUp = ctx.obs.exchanges.filter((x) => x.failure?.kind === 'redirect' && /^more than \d+ redirects/.test(x.failure.message));
  const loop = target.href === ctx.obs.url.href || gaveUp.length > 0;
  const kind: RedirectKind = loop ? 'loop' : target.origin !== ctx.obs.url.origin ? 'otherOrigin' : 'sameOrigin';
  const evidence = [describeExchange(e), `Location: ${quote(location, 200)}`, ...gaveUp.slice(0, 2).map(describeExchange)];
  report(ctx, TEXT.redirect(kind, target.origin), evidence);
}

/** Bodies cut at the probe's size cap: the diagnosis judged only their start. */
export function sizeRules(ctx: RuleContext): void {
  const cut = ctx.obs.exchanges.filter((e) => e.truncated);
  if (!cut.length) return;
  report(ctx, TEXT.tooLarge(), cut.map((e) => `${e.method} ${e.url} → HTTP ${e.status ?? '?'}, body cut at the size cap`));
}
