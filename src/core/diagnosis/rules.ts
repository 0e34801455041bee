import { APIM_MESSAGES, apimMessage } from '../apim/gatewayResponse';
import { aadstsErrorUrl, lookupAadsts } from '../entra/aadstsCatalogue';
import { authorityOf, GUID, issuerShape, scopeName, scopeResource, VSCODE_CLIENT_ID } from '../entra/authority';
import { claimList, claimString, claimTime, type DecodedToken } from '../entra/jwt';
import { identifyRedirectUri, PLATFORM_LABEL } from '../entra/redirectUris';
import { isStringArray } from '../probe/prm';
import type { HttpExchange } from '../probe/probeHttpClient';
import { PORTAL, quote, type Finding, type Fix, type Severity } from './finding';
import { bearerChallengePolicy, mcpJsonKeySnippet, prmOperationPolicy, redirectUriFix } from './fixes';
import { attemptExchanges, firstFailing, toolCallExchange, type Observations } from './observe';

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** One line quoting an HTTP answer: status, the APIM message or a body excerpt, and WWW-Authenticate. */
export function describeExchange(e: HttpExchange): string {
  if (e.failure) return `${e.method} ${e.url} → no answer: ${e.failure.kind}${e.failure.code ? ` (${e.failure.code})` : ''}, ${e.failure.message}`;
  const parts = [`${e.method} ${e.url} → HTTP ${e.status}`];
  const challenge = e.headers['www-authenticate'];
  if (challenge) parts.push(`WWW-Authenticate: ${quote(challenge, 400)}`);
  if (e.headers['retry-after']) parts.push(`Retry-After: ${quote(e.headers['retry-after'], 40)}`);
  const body = e.bodyText.trim();
  if (body) parts.push(`body: ${quote(body, 300)}`);
  return parts.join(' · ');
}

interface Context {
  readonly obs: Observations;
  readonly out: Finding[];
}

function add(ctx: Context, id: string, severity: Severity, title: string, evidence: string[], fix: Fix): void {
  const existing = ctx.out.find((f) => f.id === id);
  if (existing) {
    const merged = [...existing.evidence, ...evidence.filter((e) => !existing.evidence.includes(e))];
    ctx.out[ctx.out.indexOf(existing)] = { ...existing, severity: existing.severity === 'error' || severity !== 'error' ? existing.severity : severity, evidence: merged };
    return;
  }
  ctx.out.push({ id, severity, title, evidence, fix });
}

function sentHeader(e: HttpExchange | undefined, name: string): boolean {
  return Boolean(e?.sentSecretHeaders.some((h) => h.toLowerCase() === name.toLowerCase()));
}

function prmUrlFor(url: URL): string {
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/(mcp|sse)$/, '')}/.well-known/oauth-protected-resource`;
}

export function evaluate(obs: Observations): Finding[] {
  const ctx: Context = { obs, out: [] };
  const unauthExchanges = attemptExchanges(obs, obs.unauthenticated);
  const authExchanges = attemptExchanges(obs, obs.authenticated);
  const primaryAttempt = obs.authenticated ?? obs.unauthenticated;
  const primaryExchanges = obs.authenticated ? authExchanges : unauthExchanges;
  const primaryFail = firstFailing(primaryExchanges);

  if (networkRules(ctx, primaryFail ?? firstFailing(unauthExchanges))) return ctx.out;
  redirectRules(ctx, primaryFail);
  sizeRules(ctx);

  if (primaryFail) {
    responseRules(ctx, primaryFail);
  } else if (!primaryAttempt.initialized || (primaryAttempt.error && !primaryAttempt.tools)) {
    invalidResponseRule(ctx, primaryExchanges, primaryAttempt.error);
  }
  discoveryRules(ctx);
  tokenRules(ctx, primaryFail);
  roleRules(ctx);
  preflightRules(ctx);
  otherHostNetworkRules(ctx);
  return ctx.out;
}

function networkRules(ctx: Context, e: HttpExchange | undefined): boolean {
  if (!e?.failure) return false;
  const host = ctx.obs.url.host;
  const evidence = [describeExchange(e)];
  switch (e.failure.kind) {
    case 'dns':
      add(ctx, 'net.dns', 'error', `The host ${host} does not resolve`, evidence, {
        summary: `Check the host name in the MCP URL. APIM gateways are https://<service>.azure-api.net (or your custom domain); copy the URL from the portal (APIM → APIs → MCP servers → Server URL).`,
        links: [{ label: 'API Management services', url: PORTAL.apim }],
      });
      return true;
    case 'tls':
      add(ctx, 'net.tls', 'error', `TLS to ${host} failed: ${e.failure.message}`, evidence, {
        summary: `The client does not trust the certificate of ${host}. Use a certificate from a trusted CA on the gateway's custom domain, or, for a private CA, trust it explicitly: pass --ca-cert <ca.pem> to the CLI, or set NODE_EXTRA_CA_CERTS=<ca.pem> for VS Code / Copilot CLI.`,
        commands: [`openssl s_client -connect ${ctx.obs.url.hostname}:${ctx.obs.url.port || 443} -servername ${ctx.obs.url.hostname} -showcerts </dev/null`],
      });
      return true;
    case 'timeout':
      add(ctx, 'net.timeout', 'error', `${host} did not answer in time`, evidence, {
        summary: 'The gateway accepted the connection but sent no complete answer before the time limit. Check the backend health and any policy that buffers the response body (reading context.Response.Body breaks MCP streaming).',
      });
      return true;
    case 'refused':
    case 'reset':
      add(ctx, 'net.connection', 'error', `The connection to ${host} failed: ${e.failure.message}`, evidence, {
        summary: 'Check that the gateway is running and reachable from this machine (firewall, proxy, VNet integration) and that the port is right.',
      });
      return true;
    default:
      add(ctx, 'net.connection', 'error', `The request to ${host} failed: ${e.failure.message}`, evidence, {
        summary: 'Check the URL and the network path to the gateway.',
      });
      return true;
  }
}

function otherHostNetworkRules(ctx: Context): void {
  for (const e of ctx.obs.exchanges) {
    if (e.failure?.kind !== 'tls') continue;
    let host: string;
    try {
      host = new URL(e.url).host;
    } catch {
      continue;
    }
    if (host === ctx.obs.url.host) continue;
    add(ctx, 'net.tls', 'error', `TLS to ${host} failed: ${e.failure.message}`, [describeExchange(e)], {
      summary: `The certificate of ${host} is not trusted here, so metadata and sign-in requests to it fail. For a private CA pass --ca-cert <ca.pem> (CLI) or set NODE_EXTRA_CA_CERTS; otherwise fix the server's certificate chain.`,
    });
  }
}

function redirectRules(ctx: Context, e: HttpExchange | undefined): void {
  if (!e || !e.status || e.status < 300 || e.status >= 400) return;
  const location = e.headers['location'];
  if (!location) return;
  let target: URL;
  try {
    target = new URL(location, ctx.obs.url);
  } catch {
    return;
  }
  const other = target.origin !== ctx.obs.url.origin;
  // A loop: the redirect points back at the URL itself, or a probe that follows redirects gave up on the count.
  const gaveUp = ctx.obs.exchanges.filter((x) => x.failure?.kind === 'redirect' && /^more than \d+ redirects/.test(x.failure.message));
  const loop = target.href === ctx.obs.url.href || gaveUp.length > 0;
  const title = loop ? 'The MCP URL redirects in a loop' : other ? `The MCP URL redirects to another origin (${target.origin})` : 'The MCP URL answers with a redirect';
  const evidence = [describeExchange(e), `Location: ${quote(location, 200)}`, ...gaveUp.slice(0, 2).map(describeExchange)];
  add(ctx, 'mcp.url.redirect', 'error', title, evidence, {
    summary: loop
      ? 'The gateway keeps redirecting (the probe stopped after a bounded number of hops). Check the rewrite or redirect rules in front of the MCP API (APIM policy, Front Door, App Gateway) and configure the client with a URL that answers directly.'
      : other
      ? `MCP clients do not follow a redirect to another origin, and never send the subscription key or token there. Configure the client with the final URL, or remove the redirect at the gateway.`
      : 'Configure the client with the final URL: MCP clients POST to the URL and a redirect turns the POST into a failure in most clients.',
  });
}

function sizeRules(ctx: Context): void {
  const cut = ctx.obs.exchanges.filter((e) => e.truncated);
  if (!cut.length) return;
  add(ctx, 'probe.response.tooLarge', 'warning', 'A response was larger than the diagnosis reads', cut.map((e) => `${e.method} ${e.url} → HTTP ${e.status ?? '?'}, body cut at the size cap`), {
    summary: 'The server sent a body larger than the probe size cap; the diagnosis read only its start. An MCP initialize or error answer is small: check what the gateway returns on this path.',
  });
}

function invalidResponseRule(ctx: Context, exchanges: readonly HttpExchange[], error: string | undefined): void {
  const e = exchanges.find((x) => x.method === 'POST') ?? exchanges[0];
  const evidence = e ? [describeExchange(e)] : [];
  if (e?.headers['content-type']) evidence.push(`Content-Type: ${quote(e.headers['content-type'], 100)}`);
  if (error) evidence.push(`MCP client error: ${quote(error, 300)}`);
  add(ctx, 'mcp.response.invalid', 'error', 'The server did not answer like an MCP server', evidence, {
    summary: 'The URL answered, but not with an MCP JSON-RPC response (application/json or text/event-stream). Check that the URL is the MCP endpoint (…/mcp for streamable HTTP) and not a portal, web app or HTML error page.',
  });
}

function responseRules(ctx: Context, e: HttpExchange): void {
  const { obs } = ctx;
  const message = apimMessage(e.bodyText) ?? '';
  const evidence = [describeExchange(e)];
  const challenge = e === firstFailing(attemptExchanges(obs, obs.authenticated)) ? obs.authChallenge : obs.challenge;
  const keySent = sentHeader(e, obs.keyHeaderName);
  const tokenSent = sentHeader(e, 'Authorization');
  const expectedKeyName = challenge?.apimKey?.name;
  const url = obs.url.href;
  switch (e.status) {
    case 401: {
      if (message.startsWith(APIM_MESSAGES.keyMissing) || (challenge?.apimKey && !message.startsWith(APIM_MESSAGES.keyInvalid))) {
        if (keySent && expectedKeyName && expectedKeyName.toLowerCase() !== obs.keyHeaderName.toLowerCase()) {
          add(ctx, 'apim.key.headerName', 'error', `The key is sent in ${obs.keyHeaderName}, but this API reads it from ${expectedKeyName}`, [...evidence, `key sent in header: ${obs.keyHeaderName}`, `challenge name="${quote(expectedKeyName, 100)}"`], {
            summary: `Send the subscription key in the header "${expectedKeyName}" (the API's subscriptionKeyParameterNames.header), not "${obs.keyHeaderName}". In the extension set "keyHeaderName": "${expectedKeyName}"; in mcp.json change the header name.`,
            snippet: { language: 'json', code: mcpJsonKeySnippet(url, expectedKeyName) },
          });
        } else if (tokenSent && !keySent) {
          add(ctx, 'apim.key.alsoRequired', 'error', 'The API wants a subscription key as well as the token', [...evidence, 'sent: Authorization (Bearer token), no subscription key'], {
            summary: `The API still has "Subscription required" on, so APIM rejects the request before validating the token. Either turn it off for this OAuth-only API (the MCP OAuth samples set subscriptionRequired: false), or send a key too in "${expectedKeyName ?? obs.keyHeaderName}".`,
            commands: ['az apim api update --resource-group <rg> --service-name <apim> --api-id <api-id> --subscription-required false'],
            links: [{ label: 'API Management services', url: PORTAL.apim }],
          });
        } else {
          add(ctx, 'apim.key.missing', 'error', 'The server needs a subscription key and none was sent', [...evidence, keySent ? `a key was sent in ${obs.keyHeaderName}` : 'no subscription key was sent'], {
            summary: `Send the subscription key in the "${expectedKeyName ?? obs.keyHeaderName}" header. Keep it out of files: use the extension's "Set Subscription Key" (SecretStorage) or an mcp.json password input. VS Code otherwise shows "Dynamic Client Registration not supported" for this plain missing key.`,
            commands: ['az rest --method POST --uri "https://management.azure.com/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ApiManagement/service/<apim>/subscriptions/<subscription-id>/listSecrets?api-version=2022-08-01"'],
            snippet: { language: 'json', code: mcpJsonKeySnippet(url, expectedKeyName ?? obs.keyHeaderName) },
          });
        }
        return;
      }
      if (message.startsWith(APIM_MESSAGES.keyInvalid)) {
        add(ctx, 'apim.key.invalid', 'error', 'The subscription key is not valid for this API', [...evidence, `key sent in header: ${obs.keyHeaderName}`], {
          summary: 'Use the primary or secondary key of an active subscription whose scope (product, API or all APIs) includes this MCP API. Regenerated keys invalidate the old value; suspended or cancelled subscriptions are rejected too.',
          commands: ['az rest --method POST --uri "https://management.azure.com/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ApiManagement/service/<apim>/subscriptions/<subscription-id>/listSecrets?api-version=2022-08-01"'],
          links: [{ label: 'API Management → Subscriptions', url: PORTAL.apim }],
        });
        return;
      }
      if (message === APIM_MESSAGES.jwtNotPresent || message === APIM_MESSAGES.aadJwtNotPresent) {
        const signsIn = obs.input.auth === 'entra' || obs.input.auth === 'subscriptionKeyAndEntra';
        if (tokenSent) {
          add(ctx, 'entra.token.missing', 'error', 'The gateway did not find the token that was sent', [...evidence, 'sent: Authorization: Bearer <token>'], {
            summary: 'The token was sent as "Authorization: Bearer …" but the policy looks elsewhere: check validate-jwt header-name / require-scheme (or validate-azure-ad-token header-name, whose value must not be prefixed with "Bearer ").',
          });
        } else if (keySent && !signsIn) {
          add(ctx, 'entra.token.missing', 'error', 'The API wants an Entra token as well as the subscription key', [...evidence, `the subscription key in ${obs.keyHeaderName} was accepted; no Authorization header was sent`], {
            summary: 'This API validates an Entra access token too. Configure the server with auth "subscriptionKeyAndEntra" (extension) so the client sends both, or drop token validation from the API if keys are meant to be enough.',
          });
        }
        // No token yet and the client signs in: "needs authentication" is expected; discoveryRules checks it can work.
        return;
      }
      if (tokenSent) return; // token rejected: explained by tokenRules
      return; // no token and a bearer challenge: "needs authentication", explained by discoveryRules
    }
    case 403: {
      if (message.startsWith('Out of call volume quota') || message.startsWith('Out of bandwidth quota')) {
        add(ctx, 'apim.quota.exceeded', 'error', 'The subscription has used up its quota', evidence, {
          summary: 'Wait until the quota renews (the message says when) or raise the quota in the product or API policy (quota / quota-by-key calls and renewal-period).',
          snippet: { language: 'xml', code: '<quota calls="<more calls>" renewal-period="<seconds>" />' },
        });
        return;
      }
      if (message.startsWith('Caller IP address') || message === 'Forbidden') {
        add(ctx, 'apim.ipFilter.forbidden', 'error', 'The gateway refuses this caller (ip-filter)', evidence, {
          summary: 'An ip-filter policy does not allow this machine\'s public IP address. Add the address (or range) to the policy, or call from an allowed network.',
          snippet: { language: 'xml', code: '<ip-filter action="allow">\n    <address><your public IP></address>\n</ip-filter>' },
        });
        return;
      }
      add(ctx, 'apim.forbidden', 'error', 'The gateway answered 403 Forbidden', evidence, {
        summary: 'A policy denied the request after authentication: check check-header / validate-jwt failed-validation-httpcode="403" and role checks in the MCP API\'s inbound policy.',
      });
      return;
    }
    case 404: {
      const probes = obs.pathProbes.map((p) => `sibling path: ${describeExchange(p)}`);
      const working = obs.pathProbes.find((p) => p.status && p.status >= 200 && p.status < 300);
      add(ctx, 'apim.path.notFound', 'error', `Nothing is published at ${obs.url.pathname}`, [...evidence, ...probes], {
        summary: working
          ? `Use ${working.url} instead: it answers, ${obs.url.pathname} does not. Streamable HTTP servers are at …/mcp; the deprecated SSE transport is at …/sse.`
          : 'Use the exact "Server URL" shown in the portal (APIM → APIs → MCP servers). Check the API base path, /mcp (streamable HTTP) vs /sse (deprecated SSE), and that the API is published on this gateway.',
        links: [{ label: 'API Management services', url: PORTAL.apim }],
      });
      return;
    }
    case 429: {
      const retry = e.headers['retry-after'];
      add(ctx, 'apim.rateLimited', 'error', `The gateway is rate-limiting this caller${retry ? ` (retry after ${quote(retry, 20)} s)` : ''}`, evidence, {
        summary: `Back off for the Retry-After seconds${retry ? ` (${quote(retry, 20)})` : ''} before retrying, or raise the limit in the rate-limit / rate-limit-by-key policy. Note that rate-limit applies only to calls made with a subscription key; use rate-limit-by-key for bearer-only MCP APIs.`,
        snippet: { language: 'xml', code: '<rate-limit-by-key calls="<calls>" renewal-period="<seconds>" counter-key="@(context.Request.Headers.GetValueOrDefault("Mcp-Session-Id", context.Request.IpAddress))" />' },
      });
      return;
    }
    case 400: {
      if (isParseError(e.bodyText)) {
        add(ctx, 'apim.policy.bodyWithoutPreserveContent', 'error', 'The MCP server received an empty or unreadable request body', [...evidence, 'the request body sent was a valid JSON-RPC initialize'], {
          summary: 'A gateway policy read the request body without preserveContent: true, so the backend got an empty body. Use context.Request.Body.As<JObject>(preserveContent: true) (or As<string>(preserveContent: true)) everywhere the body is read.',
          snippet: { language: 'xml', code: '<set-variable name="rpc" value="@(context.Request.Body.As<JObject>(preserveContent: true))" />' },
        });
        return;
      }
      break;
    }
    default:
      break;
  }
  if (e.status && e.status >= 500) {
    const apimShaped = (() => {
      try {
        const body = JSON.parse(e.bodyText) as { statusCode?: unknown };
        return body && typeof body === 'object' && body.statusCode === e.status;
      } catch {
        return false;
      }
    })();
    if (apimShaped && e.status === 500) {
      add(ctx, 'apim.policy.expressionError', 'error', 'A gateway policy expression failed (HTTP 500 from APIM)', evidence, {
        summary: 'A policy expression threw (LastError ExpressionValueEvaluationFailure), typically an unguarded claim read such as Claims["roles"] on a token without roles. Guard every read and return 401/403 yourself; get the exact expression from an APIM trace (Apim-Debug-Authorization).',
        snippet: { language: 'xml', code: '@(context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Claims.GetValueOrDefault("roles", "") ?? "")' },
      });
      return;
    }
    add(ctx, 'mcp.server.error', 'error', `The server answered HTTP ${e.status}`, evidence, {
      summary: 'The gateway or the MCP backend failed. Check the backend health, and the gateway trace for BackendConnectionFailure / Timeout.',
    });
    return;
  }
  if (e.status && e.status >= 300 && e.status < 400) return;
  add(ctx, 'mcp.server.error', 'error', `The server answered HTTP ${e.status}`, evidence, {
    summary: 'The MCP endpoint refused the initialize request. Check the URL and the gateway policy for this path.',
  });
}

function isParseError(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown } };
    return parsed?.error?.code === -32700;
  } catch {
    return false;
  }
}

/** Does this server expect an Entra bearer token at all? (Bearer challenge, token messages, or a token configured.) */
function bearerInPlay(obs: Observations): boolean {
  const fail = firstFailing(attemptExchanges(obs, obs.unauthenticated));
  const message = fail ? apimMessage(fail.bodyText) ?? '' : '';
  return Boolean(obs.challenge?.bearer || obs.authChallenge?.bearer || obs.input.accessToken || obs.prm || [APIM_MESSAGES.jwtNotPresent, APIM_MESSAGES.aadJwtNotPresent, APIM_MESSAGES.invalidJwt, APIM_MESSAGES.invalidAadJwt].includes(message as never));
}

function discoveryRules(ctx: Context): void {
  const { obs } = ctx;
  if (!bearerInPlay(obs)) return;
  const url = obs.url.href;
  const prmUrl = prmUrlFor(obs.url);
  const advertised = obs.challenge?.bearer?.resourceMetadata;
  const discovery = obs.prmAttempts.filter((a) => a.source !== 'apiBase');
  const attempts = discovery.map((a) => `PRM ${a.source}: ${describeExchange(a.exchange)}${a.problem ? ` (${a.problem})` : ''}`);
  const authority = obs.input.signIn?.authority ?? 'https://login.microsoftonline.com/<tenant-id>/v2.0';
  const unauthFail = firstFailing(attemptExchanges(obs, obs.unauthenticated));

  if (!obs.prm) {
    const invalid = discovery.find((a) => a.problem);
    if (invalid) {
      add(ctx, 'mcp.prm.invalid', 'error', 'The protected resource metadata is not usable', [describeExchange(invalid.exchange), `problem: ${invalid.problem}`], {
        summary: 'Serve PRM as a JSON object with "resource" (a string equal to the MCP URL) and "authorization_servers" / "scopes_supported" as arrays of strings.',
        snippet: { language: 'xml', code: prmOperationPolicy(url, authority, ['api://<api-app-id>/user_impersonate']) },
      });
      return;
    }
    if (obs.challenge?.bearer && !advertised) {
      add(ctx, 'mcp.auth.noResourceMetadata', 'error', 'The Bearer challenge has no resource_metadata, so clients look for sign-in on the APIM host', [
        ...(unauthFail ? [describeExchange(unauthFail)] : []),
        ...attempts,
        ...obs.fallbackProbes.map((p) => `client fallback: ${describeExchange(p)}`),
      ], {
        summary: `Without resource_metadata and PRM, VS Code and Copilot CLI fall back to ${obs.url.origin}/authorize, which APIM answers with 404: "needs authentication" forever. Add resource_metadata to the 401 challenge (on-error) and publish PRM at ${prmUrl}.`,
        snippet: { language: 'xml', code: `${bearerChallengePolicy(prmUrl)}\n\n${prmOperationPolicy(url, authority, ['api://<api-app-id>/user_impersonate'])}` },
      });
      return;
    }
    add(ctx, 'mcp.prm.missing', 'error', 'No protected resource metadata (PRM) is published for this MCP server', [
      ...(unauthFail ? [describeExchange(unauthFail)] : []),
      ...(advertised ? [`challenge resource_metadata="${quote(advertised, 200)}"`] : ['no Bearer challenge with resource_metadata']),
      ...attempts,
    ], {
      summary: `MCP clients discover how to sign in from PRM (RFC 9728). Add an anonymous GET operation that returns it at ${prmUrl} (and the well-known path ${obs.url.origin}/.well-known/oauth-protected-resource${obs.url.pathname.replace(/\/+$/, '')}), and a 401 challenge that points to it.`,
      snippet: { language: 'xml', code: `${prmOperationPolicy(url, authority, ['api://<api-app-id>/user_impersonate'])}\n\n${bearerChallengePolicy(prmUrl)}` },
    });
    return;
  }

  const doc = obs.prm.document!;
  const resource = doc.resource as string;
  if (resource !== url) {
    add(ctx, 'mcp.prm.resourceMismatch', 'error', 'The PRM "resource" is not the MCP URL', [`PRM at ${obs.prm.url}: "resource": "${quote(resource, 200)}"`, `MCP URL: "${url}"`, describeExchange(obs.prm.exchange)], {
      summary: `Set "resource" in the PRM to exactly "${url}" (no trailing slash difference). VS Code refuses the metadata otherwise ("Protected Resource Metadata resource property value … does not match target server url"), and Entra needs the same value in the API app's identifierUris (AADSTS9010010 otherwise).`,
      snippet: { language: 'json', code: JSON.stringify({ ...doc, resource: url }, null, 2) },
    });
  }
  const servers = isStringArray(doc.authorization_servers) ? doc.authorization_servers : [];
  if (!servers.length) {
    add(ctx, 'mcp.prm.noAuthorizationServer', 'error', 'The PRM names no authorization server', [`PRM at ${obs.prm.url}: ${quote(obs.prm.exchange.bodyText, 300)}`], {
      summary: `Add "authorization_servers": ["https://login.microsoftonline.com/<tenant-id>/v2.0"] to the PRM.`,
    });
    return;
  }
  const as = authorityOf(servers[0]!);
  const entraShaped = Boolean(as?.tenant && as.version);
  if (as && as.version === 1) {
    add(ctx, 'mcp.prm.authServerVersion', 'error', 'The PRM names a v1 authority; MCP sign-in needs the v2.0 one', [`authorization_servers[0] = "${quote(servers[0]!, 200)}"`], {
      summary: `Use the v2.0 authority "${as.base}/${as.tenant}/v2.0" in authorization_servers, and set requestedAccessTokenVersion: 2 on the API app so tokens match it.`,
    });
  }
  const meta = obs.authServer;
  if (meta && !meta.metadata) {
    const tried = meta.attempts.filter((a) => a.kind === 'oidcV2').map((a) => describeExchange(a.exchange));
    const tls = meta.attempts.some((a) => a.exchange.failure?.kind === 'tls');
    if (!tls) {
      add(ctx, 'entra.metadata.unreachable', 'error', 'The authorization server metadata cannot be fetched', tried, {
        summary: `Clients fetch ${servers[0]}/.well-known/openid-configuration to find the authorize and token endpoints. Check the authority in the PRM (tenant id, /v2.0, no trailing slash).`,
      });
    }
  } else if (meta?.metadata && !entraShaped && !meta.metadata.registration_endpoint && !obs.input.signIn) {
    add(ctx, 'mcp.auth.noClientRegistration', 'error', 'The authorization server has no dynamic client registration and no client id is configured', [`${servers[0]}: no registration_endpoint in its metadata`], {
      summary: 'Either the authorization server offers dynamic client registration (registration_endpoint), or the client gets a static client id: mcp.json "oauth": { "clientId": "<client-id>" } for VS Code, "oauthClientId" for Copilot CLI. Register the client\'s redirect URIs on that app.',
      snippet: { language: 'json', code: JSON.stringify({ servers: { '<server-name>': { type: 'http', url, oauth: { clientId: '<client-id>' } } } }, null, 2) },
    });
  }
  const scopes = isStringArray(doc.scopes_supported) ? doc.scopes_supported : [];
  if (!scopes.length) {
    add(ctx, 'mcp.prm.noScopes', 'warning', 'The PRM publishes no scopes_supported', [`PRM at ${obs.prm.url}`], {
      summary: 'Publish the API scope (e.g. "api://<api-app-id>/user_impersonate") in scopes_supported, so clients request a token for this API and not for Microsoft Graph.',
    });
  } else {
    const resources = [...new Set(scopes.map(scopeResource).filter((r): r is string => Boolean(r)))];
    if (resources.length && !resources.includes(resource) && !obs.preflights.some((p) => p.outcome.kind === 'aadsts')) {
      add(ctx, 'mcp.prm.scopeResource', 'warning', 'The PRM scopes belong to a different Application ID URI than its "resource"', [`"resource": "${quote(resource, 200)}"`, `scopes_supported: ${scopes.map((s) => `"${quote(s, 100)}"`).join(', ')}`], {
        summary: `Clients that send RFC 8707 resource=${resource} (VS Code, Claude, OpenCode) get AADSTS9010010 unless "${resource}" is an Application ID URI of the app that owns the scopes. Add it to identifierUris and publish the scopes under it.`,
        commands: [`az ad app update --id <api-app-id> --identifier-uris <existing URIs> ${resource}`],
      });
    }
  }
  if (!obs.input.accessToken && !obs.preflights.some((p) => p.outcome.kind === 'aadsts') && obs.challenge?.bearer && !ctx.out.some((f) => f.severity === 'error')) {
    add(ctx, 'entra.signIn.required', 'info', 'The server asks for an Entra sign-in, and discovery works', [unauthFail ? describeExchange(unauthFail) : 'Bearer challenge', `PRM at ${obs.prm.url}`, `authorization server: ${servers[0]}`], {
      summary: 'Sign in when the client asks (VS Code: "The MCP server … requires authentication. Authenticate?"; Copilot CLI: /mcp auth <name>), or pass a token to the diagnosis with --token-env.',
    });
  }
}

interface TokenProblem {
  readonly id: string;
  readonly title: string;
  readonly evidence: string[];
  readonly fix: Fix;
}

function expectedFromPrm(obs: Observations): { tenant?: string; audiences: string[]; scopes: string[]; v2Authority: boolean; apiAppId?: string } {
  const doc = obs.prm?.document;
  const servers = doc && isStringArray(doc.authorization_servers) ? doc.authorization_servers : [];
  const authority = servers[0] ? authorityOf(servers[0]) : obs.input.signIn?.authority ? authorityOf(obs.input.signIn.authority) : undefined;
  const scopes = doc && isStringArray(doc.scopes_supported) ? doc.scopes_supported : [];
  const audiences = new Set<string>();
  let apiAppId: string | undefined;
  for (const s of scopes) {
    const r = scopeResource(s);
    if (!r) continue;
    audiences.add(r);
    const guid = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i.exec(r)?.[1];
    if (guid) {
      audiences.add(guid.toLowerCase());
      apiAppId ??= guid.toLowerCase();
    }
  }
  return { tenant: authority?.tenant, audiences: [...audiences], scopes: scopes.map(scopeName), v2Authority: authority?.version === 2, apiAppId };
}

function tokenProblems(obs: Observations, token: DecodedToken): TokenProblem[] {
  const c = token.claims;
  const problems: TokenProblem[] = [];
  const now = Math.floor(obs.now / 1000);
  const exp = claimTime(c, 'exp');
  const nbf = claimTime(c, 'nbf');
  const aud = claimString(c, 'aud');
  const iss = claimString(c, 'iss');
  const tid = claimString(c, 'tid');
  const ver = claimString(c, 'ver');
  const azp = claimString(c, 'azp') ?? claimString(c, 'appid');
  const scp = claimList(c, 'scp');
  const prm = expectedFromPrm(obs);
  const expect = obs.input.expect ?? {};
  const iso = (t: number): string => new Date(t * 1000).toISOString();
  const signIn = 'Get a new token: in VS Code sign out of the account (Accounts menu) and start the server again; with the CLI, mint a new token (az account get-access-token --scope <api-scope>).';

  if (exp !== undefined && exp <= now) {
    problems.push({ id: 'entra.token.expired', title: 'The access token has expired', evidence: [`exp = ${exp} (${iso(exp)})`, `now = ${now} (${iso(now)})`, `expired ${now - exp} s ago`], fix: { summary: `${signIn} APIM's clock-skew is 0 s by default; clients must refresh before exp.` } });
  }
  if (nbf !== undefined && nbf > now) {
    problems.push({ id: 'entra.token.notYetValid', title: 'The access token is not valid yet', evidence: [`nbf = ${nbf} (${iso(nbf)})`, `now = ${now} (${iso(now)})`], fix: { summary: 'Check the clock of the machine that issued or checks the token; allow a small clock-skew in validate-jwt (clock-skew="60").' } });
  }
  const expectedTenant = expect.tenantId ?? prm.tenant;
  if (tid && expectedTenant && GUID.test(expectedTenant) && tid.toLowerCase() !== expectedTenant.toLowerCase()) {
    problems.push({ id: 'entra.token.tenant', title: 'The token comes from another tenant', evidence: [`tid = "${quote(tid, 60)}"`, `expected tenant = "${expectedTenant}" (${expect.tenantId ? 'policy' : 'PRM authorization_servers'})`], fix: { summary: `Sign in to tenant ${expectedTenant}: VS Code takes the tenant from the PRM authorization server; otherwise use VSCODE_TENANT:${expectedTenant} or az login --tenant ${expectedTenant}.` } });
  }
  const audiences = expect.audiences?.length ? [...expect.audiences] : prm.audiences;
  const audienceWrong = Boolean(aud && audienceMismatch(aud, expect.audiences, prm.apiAppId));
  if (aud && audienceWrong) {
    const form = GUID.test(aud) ? 'an application id (GUID)' : aud.startsWith('api://') ? 'an api:// Application ID URI' : 'a URI';
    problems.push({
      id: 'entra.token.audience',
      title: aud === GRAPH_APP_ID ? 'The token is for Microsoft Graph, not for this API' : 'The token audience is not one the gateway accepts',
      evidence: [
        `aud = "${quote(aud, 200)}" (${aud === GRAPH_APP_ID ? 'Microsoft Graph' : form})`,
        `ver = "${ver ?? '(none)'}"`,
        ...(scp ? [`scp = "${quote(scp.join(' '), 200)}"`] : []),
        `accepted audiences = ${audiences.map((a) => `"${a}"`).join(', ') || '(unknown)'} (${expect.audiences?.length ? 'policy' : 'PRM scopes_supported'})`,
      ],
      fix: {
        summary:
          aud === GRAPH_APP_ID
            ? `The client asked only for Graph scopes (User.Read/openid), so Entra issued a Microsoft Graph token. Request the API scope${prm.scopes.length ? ` (${(obs.prm?.document && isStringArray(obs.prm.document.scopes_supported) ? obs.prm.document.scopes_supported : [])[0]})` : ' (api://<api-app-id>/user_impersonate)'} and publish it in PRM scopes_supported.`
            : "v2 tokens carry the API's application id (GUID) as aud; v1 tokens may carry the Application ID URI (api://…). List both forms in the policy's <audiences>, or pin v2 tokens (requestedAccessTokenVersion: 2) and accept the GUID.",
        snippet: aud === GRAPH_APP_ID ? undefined : { language: 'xml', code: `<audiences>\n    <audience>${prm.apiAppId ?? '<api-app-id>'}</audience>\n    <audience>api://${prm.apiAppId ?? '<api-app-id>'}</audience>\n</audiences>` },
        commands: [`az ad app show --id ${prm.apiAppId ?? '<api-app-id>'} --query "{identifierUris:identifierUris, tokenVersion:api.requestedAccessTokenVersion}"`],
      },
    });
  }
  const shape = iss ? issuerShape(iss) : undefined;
  const issuerMismatch = expect.issuers?.length ? Boolean(iss && !expect.issuers.includes(iss)) : Boolean(shape?.version === 1 && prm.v2Authority);
  if (iss && issuerMismatch) {
    problems.push({
      id: 'entra.token.issuer',
      title: `The token has a v${shape?.version ?? '?'} issuer the gateway does not accept`,
      evidence: [`iss = "${quote(iss, 200)}"`, `ver = "${ver ?? '(none)'}"`, expect.issuers?.length ? `accepted issuers = ${expect.issuers.map((i) => `"${i}"`).join(', ')} (policy)` : 'PRM authorization server is the v2.0 authority'],
      fix: {
        summary: 'Entra has two issuers, not one: v1 https://sts.windows.net/<tenant-id>/ and v2 https://login.microsoftonline.com/<tenant-id>/v2.0. The API app decides which tokens are issued. Set requestedAccessTokenVersion: 2 on the API app, and accept both issuers in validate-jwt until old tokens expire (or use validate-azure-ad-token, which accepts both).',
        commands: [`az rest --method PATCH --uri "https://graph.microsoft.com/v1.0/applications(appId='${prm.apiAppId ?? '<api-app-id>'}')" --body '{"api":{"requestedAccessTokenVersion":2}}'`],
        snippet: { language: 'xml', code: `<issuers>\n    <issuer>https://login.microsoftonline.com/${tid ?? '<tenant-id>'}/v2.0</issuer>\n    <issuer>https://sts.windows.net/${tid ?? '<tenant-id>'}/</issuer>\n</issuers>` },
        links: [{ label: 'API app → Manifest', url: PORTAL.appManifest(prm.apiAppId ?? '<api-app-id>') }],
      },
    });
  }
  if (azp && expect.clientApplicationIds?.length && !expect.clientApplicationIds.some((id) => id.toLowerCase() === azp.toLowerCase())) {
    problems.push({
      id: 'entra.token.clientApp',
      title: 'The client application is not in the policy\'s client-application-ids',
      evidence: [`${claimString(c, 'azp') ? 'azp' : 'appid'} = "${quote(azp, 60)}"${azp === VSCODE_CLIENT_ID ? ' (VS Code)' : ''}`, `client-application-ids = ${expect.clientApplicationIds.map((i) => `"${i}"`).join(', ')}`],
      fix: { summary: `Add ${azp} to <client-application-ids> in validate-azure-ad-token (VS Code's client id is ${VSCODE_CLIENT_ID}).`, snippet: { language: 'xml', code: `<client-application-ids>\n    <application-id>${azp}</application-id>\n</client-application-ids>` } },
    });
  }
  const wantedScopes = expect.scopes?.length ? expect.scopes.map(scopeName) : prm.scopes;
  // A token for another resource lacks the scope as a consequence: the audience finding says it.
  if (!audienceWrong && scp && wantedScopes.length && !wantedScopes.some((s) => scp.includes(s))) {
    problems.push({ id: 'entra.token.scope', title: 'The token lacks the API scope', evidence: [`scp = "${quote(scp.join(' '), 200)}"`, `expected one of: ${wantedScopes.map((s) => `"${s}"`).join(', ')}`], fix: { summary: `Request the API scope (${wantedScopes[0]}) when signing in, and publish it in PRM scopes_supported so clients ask for it.` } });
  }
  if (c['cnf'] !== undefined) {
    problems.push({ id: 'entra.token.deviceBound', title: 'The token is device-bound (cnf claim)', evidence: [`cnf = ${quote(JSON.stringify(c['cnf']), 200)}`, `azp = "${azp ?? ''}"`], fix: { summary: 'VS Code ≥ 1.121 with the WAM broker issues proof-of-possession (cnf) tokens that APIM rejects: set "microsoft-authentication.implementation": "msal-no-broker" in VS Code settings and sign in again.', snippet: { language: 'json', code: '{\n  "microsoft-authentication.implementation": "msal-no-broker"\n}' } } });
  }
  return problems;
}

/**
 * Audience check. With the policy's audiences known, exact membership. From PRM alone only what is certain:
 * a Graph token, or a GUID-bearing aud that names another app than the API's (api://<guid> scope).
 * An https App ID URI does not reveal the API's app id, so a v2 GUID aud cannot be judged from outside.
 */
function audienceMismatch(aud: string, policyAudiences: readonly string[] | undefined, apiAppId: string | undefined): boolean {
  if (aud === GRAPH_APP_ID) return true;
  if (policyAudiences?.length) return !policyAudiences.some((a) => a.toLowerCase() === aud.toLowerCase());
  const guid = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i.exec(aud)?.[1]?.toLowerCase();
  return Boolean(apiAppId && guid && guid !== apiAppId);
}

function tokenRules(ctx: Context, primaryFail: HttpExchange | undefined): void {
  const { obs } = ctx;
  if (!obs.token) return;
  if (!obs.token.ok) {
    add(ctx, 'entra.token.notJwt', 'error', 'The access token is not a JWT', [obs.token.error], { summary: 'Pass the access token itself (three base64url parts separated by dots), without quotes; an opaque token or an ID token is not what APIM validates.' });
    return;
  }
  const rejected = Boolean(primaryFail && primaryFail.status === 401 && sentHeader(primaryFail, 'Authorization') && !ctx.out.some((f) => f.id.startsWith('apim.key.') || f.id === 'entra.token.missing'));
  const problems = tokenProblems(obs, obs.token.token);
  const gateway = primaryFail ? describeExchange(primaryFail) : undefined;
  for (const p of problems) add(ctx, p.id, rejected ? 'error' : 'warning', p.title, rejected && gateway ? [gateway, ...p.evidence] : p.evidence, p.fix);
  if (rejected && !problems.length) {
    const c = obs.token.token.claims;
    add(ctx, 'entra.token.rejected', 'error', 'The gateway rejected the token, and its claims do not show why', [gateway!, ...['aud', 'iss', 'tid', 'azp', 'appid', 'ver', 'scp', 'roles'].filter((k) => c[k] !== undefined).map((k) => `${k} = ${quote(JSON.stringify(c[k]), 200)}`)], {
      summary: 'Compare the claims with the validate-jwt / validate-azure-ad-token policy (audiences, issuers, required-claims, client-application-ids). A signature failure (token from another tenant\'s keys, or a signing key the gateway has not fetched yet) looks the same from outside: run an APIM trace (Apim-Debug-Authorization) to see the IDX reason.',
    });
  }
}

function roleRules(ctx: Context): void {
  const { obs } = ctx;
  const map = obs.input.toolRoles;
  const attempt = obs.authenticated;
  if (!map || !obs.token?.ok || !attempt?.initialized || !attempt.tools) return;
  const claimed = claimList(obs.token.token.claims, 'roles');
  const roles = claimed ?? [];
  const call = toolCallExchange(attemptExchanges(obs, attempt));
  const rolesLine = `roles = ${JSON.stringify(roles)}${claimed ? '' : ' (no roles claim in the token)'}`;
  if (call && call.status === 500 && apimMessage(call.bodyText) !== undefined) {
    add(ctx, 'apim.policy.expressionError', 'error', 'The per-tool role policy fails with HTTP 500 on a token without roles', [describeExchange(call), `tools/call ${attempt.toolCall?.name ?? ''} (read-only tool, called to check the policy)`, rolesLine], {
      summary: 'The policy reads Claims["roles"] without a guard, so a token with no roles claim makes the expression throw (ExpressionValueEvaluationFailure → 500). Read the claim with GetValueOrDefault and answer 403 yourself; then assign the app roles the user needs.',
      snippet: { language: 'xml', code: '<set-variable name="roles" value="@(context.Request.Headers.GetValueOrDefault("Authorization","").Split(\' \').Last().AsJwt()?.Claims.GetValueOrDefault("roles", new string[0]) ?? new string[0])" />' },
    });
    return;
  }
  const tools = attempt.tools.map((t) => t.name);
  const matrix = tools.map((tool) => ({ tool, role: map[tool], granted: map[tool] ? roles.includes(map[tool]!) : undefined }));
  const missing = matrix.filter((m) => m.role && !m.granted);
  if (!missing.length) return;
  const neededRoles = [...new Set(missing.map((m) => m.role!))];
  const apiAppId = expectedFromPrm(obs).apiAppId ?? '<api-app-id>';
  add(ctx, 'entra.token.roleMissing', 'error', `The token lacks the role${neededRoles.length > 1 ? 's' : ''} ${neededRoles.join(', ')} needed for ${missing.length} tool${missing.length > 1 ? 's' : ''}`, [
    rolesLine,
    ...matrix.map((m) => `${m.tool}: needs ${m.role ?? '(no role)'} → ${m.role ? (m.granted ? 'allowed' : 'denied (403)') : 'allowed'}`),
    ...(call ? [`checked with a read-only call: tools/call ${attempt.toolCall?.name ?? ''} → HTTP ${call.status ?? call.failure?.kind}`] : []),
  ], {
    summary: `Assign the app role${neededRoles.length > 1 ? 's' : ''} ${neededRoles.join(', ')} to the user (or the client app, for app-only tokens) on the API's enterprise application → Users and groups, then get a new token (roles are fixed at issuance: sign out and in again). Directory roles such as Global Administrator do not count: they are in wids, not roles.`,
    commands: [`az rest --method POST --uri "https://graph.microsoft.com/v1.0/users/<user-object-id>/appRoleAssignments" --body '{"principalId":"<user-object-id>","resourceId":"<api-service-principal-object-id>","appRoleId":"<app-role-id of ${neededRoles[0]}>"}'`],
    links: [{ label: 'Enterprise applications', url: PORTAL.enterpriseApps }, { label: 'API app → App roles', url: PORTAL.appRoles(apiAppId) }],
  });
}

function preflightRules(ctx: Context): void {
  for (const p of ctx.obs.preflights) {
    if (p.outcome.kind !== 'aadsts') continue;
    const parsed = p.outcome.parsed;
    for (const code of parsed.codes) {
      const entry = lookupAadsts(code);
      const evidence = [
        `GET ${p.exchange.url.split('?')[0]} (client_id=${p.request.clientId}, redirect_uri=${p.request.redirectUri}${p.request.resource ? `, resource=${p.request.resource}` : ''}) → HTTP ${p.exchange.status} ${p.outcome.via === 'redirect' ? 'error redirect' : p.outcome.via === 'page' ? 'error page' : 'code issued (single sign-on)'}`,
        ...(p.outcome.via === 'token' && p.redemption ? [`POST ${p.redemption.url} (code redemption as a public client: PKCE, no client secret) → HTTP ${p.redemption.status}`] : []),
        `AADSTS${code}${parsed.description ? `: ${quote(parsed.description.replace(/^AADSTS\d+:?\s*/, ''), 300)}` : ''}`,
        ...(parsed.traceId ? [`Trace ID: ${parsed.traceId}`] : []),
        ...(parsed.correlationId ? [`Correlation ID: ${parsed.correlationId}`] : []),
        ...(parsed.timestamp ? [`Timestamp: ${parsed.timestamp}`] : []),
      ];
      if (!entry) {
        add(ctx, 'entra.signIn.failed', 'error', `Entra refuses the sign-in with AADSTS${code}`, evidence, { summary: `Look the code up at ${aadstsErrorUrl(code)}.`, links: [{ label: `AADSTS${code}`, url: aadstsErrorUrl(code) }] });
        continue;
      }
      let fix: Fix = { summary: entry.fix, links: [{ label: `AADSTS${code}`, url: aadstsErrorUrl(code) }] };
      const redirectUri = parsed.redirectUri ?? p.request.redirectUri;
      const known = identifyRedirectUri(redirectUri);
      if (code === 50011 || code === 500113 || code === 7000218 || code === 9002326) {
        const platform = known?.platform ?? (/^https?:\/\/(localhost|127\.0\.0\.1)/.test(redirectUri) ? 'publicClient' : 'web');
        const appId = parsed.appId ?? p.request.clientId;
        const base = redirectUriFix(appId, redirectUri, platform);
        fix = { ...base, summary: `${known ? `${redirectUri} is ${known.client}'s redirect URI (${known.when}). ` : ''}${base.summary}${code === 7000218 ? ` It must not be under "Web": a Web redirect URI makes the app a confidential client.` : ''}`, links: [...(base.links ?? []), { label: `AADSTS${code}`, url: aadstsErrorUrl(code) }] };
        evidence.push(`redirect URI ${redirectUri}${known ? ` = ${known.client}, register under "${PLATFORM_LABEL[known.platform]}"` : ''}`);
      }
      if (entry.findingId === 'entra.consent.required') {
        const api = expectedFromPrm(ctx.obs).apiAppId ?? '<api-app-id>';
        fix = {
          summary: `${entry.fix}${p.request.clientId === VSCODE_CLIENT_ID ? ` VS Code signs in as ${VSCODE_CLIENT_ID} and shows no consent prompt, so pre-authorize it.` : ''}`,
          commands: [
            `az ad app show --id ${api} --query "api.oauth2PermissionScopes[].{value:value,id:id}"`,
            `az rest --method PATCH --uri "https://graph.microsoft.com/v1.0/applications(appId='${api}')" --body '{"api":{"preAuthorizedApplications":[{"appId":"${p.request.clientId}","delegatedPermissionIds":["<scope-id>"]}]}}'`,
          ],
          links: [{ label: 'API app → Expose an API', url: PORTAL.appExposeApi(api) }, { label: `AADSTS${code}`, url: aadstsErrorUrl(code) }],
        };
      }
      if (entry.findingId === 'entra.assignment.required') {
        const api = expectedFromPrm(ctx.obs).apiAppId ?? '<api-app-id>';
        fix = { ...fix, commands: [`az ad sp show --id ${api} --query appRoleAssignmentRequired`, `az ad sp update --id ${api} --set appRoleAssignmentRequired=false`], links: [{ label: 'Enterprise applications → Users and groups', url: PORTAL.enterpriseApps }, { label: `AADSTS${code}`, url: aadstsErrorUrl(code) }] };
      }
      if (entry.findingId === 'entra.resource.mismatch' && p.request.resource) {
        const api = expectedFromPrm(ctx.obs).apiAppId ?? '<api-app-id>';
        fix = { ...fix, commands: [`az ad app update --id ${api} --identifier-uris <existing URIs> ${p.request.resource}`] };
      }
      const prmMismatch = ctx.out.find((f) => f.id === 'mcp.prm.resourceMismatch');
      if (entry.findingId === 'entra.resource.mismatch' && prmMismatch) {
        // Same root cause: the PRM resource is wrong; Entra's refusal is more evidence for it.
        add(ctx, prmMismatch.id, prmMismatch.severity, prmMismatch.title, [`with resource=${p.request.resource}: ${evidence[1]}`], prmMismatch.fix);
        continue;
      }
      add(ctx, entry.findingId, 'error', `Entra refuses the sign-in: AADSTS${code}`, [...evidence, `meaning here: ${entry.meaning}`], fix);
    }
  }
}
