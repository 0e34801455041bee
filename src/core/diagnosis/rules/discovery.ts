/**
 * Discovery family: whether an MCP client can find out how to sign in ("needs authentication" in VS Code and
 * Copilot CLI). The Bearer challenge's resource_metadata, the protected resource metadata (PRM, RFC 9728) and
 * its resource, authorization server and scopes, and the authorization server's own metadata. Only judged when
 * the server expects an Entra bearer token at all.
 */
import * as l10n from '@vscode/l10n';
import { FIX_COMMANDS } from '../fixCommands';
import { APIM_MESSAGES, apimMessage } from '../../apim/gatewayResponse';
import { authorityOf, scopeResource } from '../../entra/authority';
import { isStringArray, sameResource, type PrmAttempt, type PrmDocument } from '../../probe/prm';
import type { AuthServerObservation } from '../../probe/authServer';
import { quote } from '../finding';
import { bearerChallengePolicy, prmOperationPolicy } from '../fixes';
import { attemptExchanges, firstFailing, type Observations } from '../observe';
import { describeExchange, report, type FindingText, type RuleContext } from './ruleContext';

const EXAMPLE_SCOPE = 'api://<api-app-id>/user_impersonate';

/** What each discovery finding says; the rules below only decide which applies and gather the evidence. */
const TEXT = {
  prmInvalid: (mcpUrl: string, authority: string): FindingText => ({
    id: 'mcp.prm.invalid',
    severity: 'error',
    title: l10n.t('The protected resource metadata is not usable'),
    fix: {
      summary:
        l10n.t('Serve PRM as a JSON object with "resource" (a string equal to the MCP URL) and "authorization_servers" / "scopes_supported" as arrays of strings.'),
      snippet: { language: 'xml', code: prmOperationPolicy(mcpUrl, authority, [EXAMPLE_SCOPE]) },
    },
  }),
  noResourceMetadata: (mcpUrl: URL, prmUrl: string, authority: string): FindingText => ({
    id: 'mcp.auth.noResourceMetadata',
    severity: 'error',
    title: l10n.t('The Bearer challenge has no resource_metadata, so clients look for sign-in on the APIM host'),
    fix: {
      summary:
        l10n.t('Without resource_metadata and PRM, VS Code and Copilot CLI fall back to {0}/authorize, which APIM answers with 404: "needs authentication" forever. Add resource_metadata to the 401 challenge (on-error) and publish PRM at {1}.', mcpUrl.origin, prmUrl),
      snippet: { language: 'xml', code: `${bearerChallengePolicy(prmUrl)}\n\n${prmOperationPolicy(mcpUrl.href, authority, [EXAMPLE_SCOPE])}` },
    },
  }),
  prmMissing: (mcpUrl: URL, prmUrl: string, authority: string): FindingText => ({
    id: 'mcp.prm.missing',
    severity: 'error',
    title: l10n.t('No protected resource metadata (PRM) is published for this MCP server'),
    fix: {
      summary:
        l10n.t('MCP clients discover how to sign in from PRM (RFC 9728). Add an anonymous GET operation that returns it at {0} (and the well-known path {1}/.well-known/oauth-protected-resource{2}), and a 401 challenge that points to it.', prmUrl, mcpUrl.origin, mcpUrl.pathname.replace(/\/+$/, '')),
      snippet: { language: 'xml', code: `${prmOperationPolicy(mcpUrl.href, authority, [EXAMPLE_SCOPE])}\n\n${bearerChallengePolicy(prmUrl)}` },
    },
  }),
  resourceMismatch: (mcpUrl: string, doc: PrmDocument): FindingText => ({
    id: 'mcp.prm.resourceMismatch',
    severity: 'error',
    title: l10n.t('The PRM "resource" is not the MCP URL'),
    fix: {
      summary:
        l10n.t('Set "resource" in the PRM to exactly "{0}" (no trailing slash difference). VS Code refuses the metadata otherwise ("Protected Resource Metadata resource property value … does not match target server url"), and Entra needs the same value in the API app\'s identifierUris (AADSTS9010010 otherwise).', mcpUrl),
      snippet: { language: 'json', code: JSON.stringify({ ...doc, resource: mcpUrl }, null, 2) },
    },
  }),
  noAuthorizationServer: (): FindingText => ({
    id: 'mcp.prm.noAuthorizationServer',
    severity: 'error',
    title: l10n.t('The PRM names no authorization server'),
    fix: { summary: l10n.t('Add "authorization_servers": ["https://login.microsoftonline.com/<tenant-id>/v2.0"] to the PRM.') },
  }),
  authServerVersion: (base: string, tenant: string | undefined): FindingText => ({
    id: 'mcp.prm.authServerVersion',
    severity: 'error',
    title: l10n.t('The PRM names a v1 authority; MCP sign-in needs the v2.0 one'),
    fix: {
      summary:
        l10n.t('Use the v2.0 authority "{0}/{1}/v2.0" in authorization_servers, and set requestedAccessTokenVersion: 2 on the API app so tokens match it.', base, String(tenant)),
    },
  }),
  metadataUnreachable: (authorizationServer: string): FindingText => ({
    id: 'entra.metadata.unreachable',
    severity: 'error',
    title: l10n.t('The authorization server metadata cannot be fetched'),
    fix: {
      summary:
        l10n.t('Clients look for the metadata of {0} at the RFC 8414 URL (/.well-known/oauth-authorization-server inserted before the path), then the OpenID configuration inserted before and appended after the path (VS Code and the MCP spec, in that order); none answered. Check the authority in the PRM (tenant id, /v2.0, no trailing slash), or publish the metadata when the gateway is the authorization server.', authorizationServer),
    },
  }),
  originAuthorizationServer: (): FindingText => ({
    id: 'mcp.auth.originAuthorizationServer',
    severity: 'info',
    title: l10n.t('Sign-in goes to the MCP origin\'s own authorization server'),
    fix: {
      summary:
        l10n.t('No protected resource metadata names an authorization server, so clients fall back to the metadata the MCP origin publishes itself (the APIM-as-authorization-server samples), as VS Code does. That works; PRM with a resource_metadata challenge is the current MCP way and lets clients check the resource.'),
    },
  }),
  noClientRegistration: (mcpUrl: string): FindingText => ({
    id: 'mcp.auth.noClientRegistration',
    severity: 'error',
    title: l10n.t('The authorization server has no dynamic client registration and no client id is configured'),
    fix: {
      summary:
        l10n.t('Either the authorization server offers dynamic client registration (registration_endpoint), or the client gets a static client id: mcp.json "oauth": { "clientId": "<client-id>" } for VS Code, "oauthClientId" for Copilot CLI. Register the client\'s redirect URIs on that app.'),
      snippet: {
        language: 'json',
        code: JSON.stringify({ servers: { '<server-name>': { type: 'http', url: mcpUrl, oauth: { clientId: '<client-id>' } } } }, null, 2),
      },
    },
  }),
  noScopes: (): FindingText => ({
    id: 'mcp.prm.noScopes',
    severity: 'warning',
    title: l10n.t('The PRM publishes no scopes_supported'),
    fix: {
      summary:
        l10n.t('Publish the API scope (e.g. "{0}") in scopes_supported, so clients request a token for this API and not for Microsoft Graph.', EXAMPLE_SCOPE),
    },
  }),
  scopeResource: (resource: string): FindingText => ({
    id: 'mcp.prm.scopeResource',
    severity: 'warning',
    title: l10n.t('The PRM scopes belong to a different Application ID URI than its "resource"'),
    fix: {
      summary:
        l10n.t('Clients that send RFC 8707 resource={0} (VS Code, Claude, OpenCode) get AADSTS9010010 unless "{0}" is an Application ID URI of the app that owns the scopes. Add it to identifierUris and publish the scopes under it.', resource),
      commands: [FIX_COMMANDS.addIdentifierUri(undefined, resource)],
    },
  }),
  signInRequired: (): FindingText => ({
    id: 'entra.signIn.required',
    severity: 'info',
    title: l10n.t('The server asks for an Entra sign-in, and discovery works'),
    fix: {
      summary:
        l10n.t('Sign in when the client asks (VS Code: "The MCP server … requires authentication. Authenticate?"; Copilot CLI: /mcp auth <name>), or pass a token to the diagnosis with --token-env.'),
    },
  }),
} satisfies Record<string, FindingText | ((...args: never[]) => FindingText)>;

/** Where RFC 9728 puts the PRM for an MCP URL: its base path (without /mcp or /sse) plus the well-known suffix. */
function prmUrlFor(url: URL): string {
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/(mcp|sse)$/, '')}/.well-known/oauth-protected-resource`;
}

/** Does this server expect an Entra bearer token at all? (Bearer challenge, token messages, or a token configured.) */
function bearerInPlay(obs: Observations): boolean {
  const fail = firstFailing(attemptExchanges(obs, obs.unauthenticated));
  const message = fail ? apimMessage(fail.bodyText) ?? '' : '';
  const tokenMessages: string[] = [APIM_MESSAGES.jwtNotPresent, APIM_MESSAGES.aadJwtNotPresent, APIM_MESSAGES.invalidJwt, APIM_MESSAGES.invalidAadJwt];
  return Boolean(obs.challenge?.bearer || obs.authChallenge?.bearer || obs.input.accessToken || obs.prm || tokenMessages.includes(message));
}

export function discoveryRules(ctx: RuleContext): void {
  const { obs } = ctx;
  if (!bearerInPlay(obs)) return;
  if (!obs.prm) {
    noUsablePrmRules(ctx);
    return;
  }
  const doc = obs.prm.document!;
  const resource = doc.resource as string;
  // VS Code compares new URL(resource).toString() with the server URL: case of the host aside, a trailing slash counts.
  if (!sameResource(resource, obs.url.href)) {
    const evidence = [`PRM at ${obs.prm.url}: "resource": "${quote(resource, 200)}"`, `MCP URL: "${obs.url.href}"`, describeExchange(obs.prm.exchange)];
    report(ctx, TEXT.resourceMismatch(obs.url.href, doc), evidence);
  }
  const servers = isStringArray(doc.authorization_servers) ? doc.authorization_servers : [];
  if (!servers.length) {
    report(ctx, TEXT.noAuthorizationServer(), [`PRM at ${obs.prm.url}: ${quote(obs.prm.exchange.bodyText, 300)}`]);
    return;
  }
  authorizationServerRules(ctx, servers[0]!);
  scopeRules(ctx, doc, resource);
  signInRequiredRule(ctx, servers[0]!);
}

/** The resource_metadata URL a client is sent to: from the 401 without credentials, or (behind a key) with them. */
export function advertisedPrm(obs: Observations): string | undefined {
  return obs.challenge?.bearer?.resourceMetadata ?? obs.authChallenge?.bearer?.resourceMetadata;
}

/** The PRM fetches a client makes: only the named URL when the challenge names one, else the well-known ones. */
function discoveryAttempts(obs: Observations): PrmAttempt[] {
  const named = obs.prmAttempts.filter((a) => a.source === 'challenge');
  return named.length ? named : obs.prmAttempts.filter((a) => a.source === 'wellKnownPath' || a.source === 'wellKnownRoot');
}

/** No PRM was found: say whether it is broken, not advertised, or not published at all. */
function noUsablePrmRules(ctx: RuleContext): void {
  const { obs } = ctx;
  // A key refusal comes before any Bearer challenge: the key finding explains it, and discovery cannot be judged.
  if (ctx.out.some((f) => f.id.startsWith('apim.key.') && f.severity === 'error')) return;
  const prmUrl = prmUrlFor(obs.url);
  const advertised = advertisedPrm(obs);
  const discovery = discoveryAttempts(obs);
  const attempts = discovery.map((a) => `PRM ${a.source}: ${describeExchange(a.exchange)}${a.problem ? ` (${a.problem})` : ''}`);
  const authority = obs.input.signIn?.authority ?? 'https://login.microsoftonline.com/<tenant-id>/v2.0';
  const unauthFail = firstFailing(attemptExchanges(obs, obs.unauthenticated));
  const refusal = unauthFail ? [describeExchange(unauthFail)] : [];

  const invalid = discovery.find((a) => a.problem);
  if (invalid) {
    report(ctx, TEXT.prmInvalid(obs.url.href, authority), [describeExchange(invalid.exchange), `problem: ${invalid.problem}`]);
    return;
  }
  const bearer = obs.challenge?.bearer ?? obs.authChallenge?.bearer;
  if (bearer && !advertised) {
    if (obs.originAuthServer?.metadata) {
      originAuthorizationServerRules(ctx, obs.originAuthServer, [...refusal, ...attempts]);
      return;
    }
    const fallbacks = [...(obs.originAuthServer?.attempts ?? []), ...obs.fallbackProbes.map((exchange) => ({ exchange }))].map((p) => `client fallback: ${describeExchange(p.exchange)}`);
    report(ctx, TEXT.noResourceMetadata(obs.url, prmUrl, authority), [...refusal, ...attempts, ...fallbacks]);
    return;
  }
  const challengeLine = advertised ? `challenge resource_metadata="${quote(advertised, 200)}" (clients fetch only this URL: no well-known fallback)` : 'no Bearer challenge with resource_metadata';
  report(ctx, TEXT.prmMissing(obs.url, prmUrl, authority), [...refusal, challengeLine, ...attempts, ...prmElsewhere(obs, discovery)]);
}

/** PRM documents the probe found where clients do not look (not named by the challenge, or behind the key). */
function prmElsewhere(obs: Observations, discovery: readonly PrmAttempt[]): string[] {
  const lines = obs.prmAttempts
    .filter((a) => !discovery.includes(a) && a.document && !a.problem)
    .map((a) => `a PRM document exists at ${a.url}, but clients do not fetch it here`);
  const keyed = discovery.find((a) => a.exchange.status === 401 && /AzureApiManagementKey/i.test(a.exchange.headers['www-authenticate'] ?? ''));
  if (keyed && !obs.input.subscriptionKey) lines.push(`the PRM URL is inside the key-protected API (${keyed.url} asks for the subscription key): configure the key, VS Code sends it to same-origin metadata URLs`);
  return lines;
}

/** No PRM, but the origin serves its own authorization-server metadata (VS Code's Flow 2): works if clients can register. */
function originAuthorizationServerRules(ctx: RuleContext, origin: AuthServerObservation, evidence: string[]): void {
  const found = origin.attempts.find((a) => a.metadata);
  const lines = [...evidence, ...(found ? [`client fallback: ${describeExchange(found.exchange)}`] : [])];
  if (!origin.metadata?.registration_endpoint && !ctx.obs.input.signIn) {
    report(ctx, TEXT.noClientRegistration(ctx.obs.url.href), [...lines, `${origin.authorizationServer}: no registration_endpoint in its metadata`]);
    return;
  }
  report(ctx, TEXT.originAuthorizationServer(), lines);
}

/** The PRM's first authorization server: its version, and whether clients can fetch its metadata and register. */
function authorizationServerRules(ctx: RuleContext, server: string): void {
  const { obs } = ctx;
  const as = authorityOf(server);
  const entraShaped = Boolean(as?.tenant && as.version);
  if (as && as.version === 1) report(ctx, TEXT.authServerVersion(as.base, as.tenant), [`authorization_servers[0] = "${quote(server, 200)}"`]);
  const meta = obs.authServer;
  if (meta && !meta.metadata) {
    const tried = meta.attempts.filter((a) => a.kind !== 'oidcV1').map((a) => describeExchange(a.exchange));
    // A TLS failure is the network family's finding (net.tls on that host); this one would only repeat it.
    const tls = meta.attempts.some((a) => a.exchange.failure?.kind === 'tls');
    // VS Code then falls back to the MCP origin's own metadata (Flow 2): when that exists, sign-in still works.
    if (obs.originAuthServer?.metadata) originAuthorizationServerRules(ctx, obs.originAuthServer, tried);
    else if (!tls) report(ctx, TEXT.metadataUnreachable(server), tried);
  } else if (meta?.metadata && !entraShaped && !meta.metadata.registration_endpoint && !obs.input.signIn) {
    report(ctx, TEXT.noClientRegistration(obs.url.href), [`${server}: no registration_endpoint in its metadata`]);
  }
}

function scopeRules(ctx: RuleContext, doc: PrmDocument, resource: string): void {
  const { obs } = ctx;
  const scopes = isStringArray(doc.scopes_supported) ? doc.scopes_supported : [];
  if (!scopes.length) {
    report(ctx, TEXT.noScopes(), [`PRM at ${obs.prm!.url}`]);
    return;
  }
  const resources = [...new Set(scopes.map(scopeResource).filter((r): r is string => Boolean(r)))];
  // Once the preflight has Entra's own answer (AADSTS9010010 or another), the prediction adds nothing.
  if (resources.length && !resources.includes(resource) && !obs.preflights.some((p) => p.outcome.kind === 'aadsts')) {
    const evidence = [`"resource": "${quote(resource, 200)}"`, `scopes_supported: ${scopes.map((s) => `"${quote(s, 100)}"`).join(', ')}`];
    report(ctx, TEXT.scopeResource(resource), evidence);
  }
}

/** Before sign-in, a Bearer challenge is expected: say so when nothing else is wrong, so the user knows to sign in. */
function signInRequiredRule(ctx: RuleContext, server: string): void {
  const { obs } = ctx;
  if (obs.input.accessToken || obs.preflights.some((p) => p.outcome.kind === 'aadsts') || !(obs.challenge?.bearer ?? obs.authChallenge?.bearer)) return;
  if (ctx.out.some((f) => f.severity === 'error')) return;
  const fail = [obs.unauthenticated, obs.authenticated].map((a) => firstFailing(attemptExchanges(obs, a))).find((e) => /Bearer/i.test(e?.headers['www-authenticate'] ?? ''));
  const challenge = fail ? describeExchange(fail) : 'Bearer challenge';
  report(ctx, TEXT.signInRequired(), [challenge, `PRM at ${obs.prm!.url}`, `authorization server: ${server}`]);
}
