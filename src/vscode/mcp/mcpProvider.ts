import * as vscode from 'vscode';
import { isExpired } from '../../auth/entraTarget';
import type { AccessToken } from '../../auth/tokenSource';
import { blocksStart, checkGatewayAccess, type StartupCheckResult } from '../../core/apim/startupCheck';
import { errorMessage } from '../../core/basics';
import { claimList, claimString, claimTime, decodeAccessToken } from '../../core/entra/jwt';
import { Secret } from '../../core/secret';
import { usesEntra, usesSubscriptionKey, type ServerRecord } from '../../core/serverRecord';
import { isSignInRequired, type EntraTokens } from '../auth/lazyEntraTokens';
import type { TokenOriginConsent } from '../auth/tokenOriginConsent';
import { waitForEvent } from '../events';
import { promptForSubscriptionKey } from '../keyPrompt';
import type { ServerRegistry } from '../serverRegistry';
import type { ServerStatusStore } from '../serverStatus';
import type { SubscriptionKeyStore } from '../subscriptionKeyStore';
import { startUntilResolved } from './startServer';

export const MCP_PROVIDER_ID = 'apimMcp.servers';
const STARTUP_CHECK_TIMEOUT_MS = 10_000;

/** The id VS Code gives a provider-defined server: `<extension id, lower-cased>/<label>`. */
export function mcpServerId(extensionId: string, serverName: string): string {
  return `${extensionId.toLowerCase()}/${serverName}`;
}

/**
 * Serves `apimMcp.servers` to VS Code's MCP client. Definitions carry no secrets; the key is read from
 * SecretStorage in `resolveMcpServerDefinition`, right before VS Code connects, and never touches disk.
 */
export class ApimMcpServerProvider implements vscode.McpServerDefinitionProvider<vscode.McpHttpServerDefinition>, vscode.Disposable {
  private readonly _onDidChangeMcpServerDefinitions = new vscode.EventEmitter<void>();
  readonly onDidChangeMcpServerDefinitions = this._onDidChangeMcpServerDefinitions.event;
  /** Bumped when a key changes, so VS Code sees a new `version` and resolves the server again. */
  private readonly keyGenerations = new Map<string, number>();
  /** Bumped when a server gets a new Entra token, for the same reason. */
  private readonly tokenGenerations = new Map<string, number>();
  /** Entra servers VS Code tried to start and that did not fail for good: a new token (re)starts them. */
  private readonly started = new Set<string>();
  /** The version of each server VS Code last received from `provideMcpServerDefinitions`. */
  private readonly providedVersions = new Map<string, string>();
  private readonly _onDidProvide = new vscode.EventEmitter<void>();
  private readonly _onDidResolve = new vscode.EventEmitter<string>();
  /** Fires with the server name each time VS Code asks to resolve (start) a server. */
  readonly onDidResolve = this._onDidResolve.event;
  private readonly disposables: vscode.Disposable[] = [this._onDidChangeMcpServerDefinitions, this._onDidProvide, this._onDidResolve];

  constructor(
    private readonly registry: ServerRegistry,
    private readonly keys: SubscriptionKeyStore,
    private readonly status: ServerStatusStore,
    private readonly log: vscode.LogOutputChannel,
    private readonly entra?: { readonly tokens: EntraTokens; readonly extensionId: string; readonly consent: TokenOriginConsent },
  ) {
    this.disposables.push(
      registry.onDidChange(() => this._onDidChangeMcpServerDefinitions.fire()),
      keys.onDidChange((name) => {
        this.keyGenerations.set(name, (this.keyGenerations.get(name) ?? 0) + 1);
        // What the last start showed was with the previous key; VS Code resolves the server again before it uses a new one.
        if (status.get(name).health !== 'unknown') status.set(name, 'unknown', vscode.l10n.t('The subscription key changed after the last start.'));
        this._onDidChangeMcpServerDefinitions.fire();
      }),
    );
    if (entra) {
      this.disposables.push(
        entra.tokens.onDidRenewToken((name) => void this.restartWithNewToken(name)),
        entra.tokens.onDidSignOut((name) => {
          this.started.delete(name);
          status.set(name, 'unknown', vscode.l10n.t('Signed out; VS Code was asked to stop it.'));
          void vscode.commands.executeCommand('workbench.mcp.stopServer', mcpServerId(entra.extensionId, name));
        }),
      );
    }
  }

  /**
   * VS Code 1.139 re-reads headers only when it starts a server: a new `version` makes it call provide again, and a
   * stop + start makes it resolve again, which picks up the new token.
   */
  private async restartWithNewToken(name: string): Promise<void> {
    this.tokenGenerations.set(name, (this.tokenGenerations.get(name) ?? 0) + 1);
    this._onDidChangeMcpServerDefinitions.fire();
    if (!this.entra || !this.started.has(name)) return;
    const id = mcpServerId(this.entra.extensionId, name);
    this.log.info(`[refresh] ${name}: restarting so VS Code connects with the new token`);
    try {
      await this.whenProvided(name, 5_000);
      await vscode.commands.executeCommand('workbench.mcp.stopServer', id);
      if (!(await startUntilResolved(this, id, name, this.log, 'refresh'))) this.log.warn(`[refresh] ${name}: VS Code did not restart the server`);
    } catch (error: unknown) {
      this.log.error(`[refresh] ${name}: restart failed: ${errorMessage(error)}`);
    }
  }

  provideMcpServerDefinitions(): vscode.McpHttpServerDefinition[] {
    const definitions = this.registry.servers.map(
      (server) => new vscode.McpHttpServerDefinition(server.name, vscode.Uri.parse(server.url, true), {}, this.versionOf(server)),
    );
    this.providedVersions.clear();
    for (const definition of definitions) this.providedVersions.set(definition.label, definition.version!);
    this._onDidProvide.fire();
    return definitions;
  }

  /**
   * Resolves once VS Code has been given the current definition of the server, so that a start request right
   * after adding a server or changing its key does not race the definition update. False after the timeout.
   */
  whenProvided(name: string, timeoutMs: number): Promise<boolean> {
    const isCurrent = () => {
      const server = this.registry.find(name);
      return server !== undefined && this.providedVersions.get(name) === this.versionOf(server);
    };
    return waitForEvent(this._onDidProvide.event, isCurrent, timeoutMs);
  }

  /** Resolves true when VS Code asks to resolve the server within the timeout. */
  waitForResolve(name: string, timeoutMs: number): Promise<boolean> {
    let resolved = false;
    const listener = this.onDidResolve((n) => (resolved ||= n === name));
    return waitForEvent(this.onDidResolve, () => resolved, timeoutMs).finally(() => listener.dispose());
  }

  async resolveMcpServerDefinition(definition: vscode.McpHttpServerDefinition): Promise<vscode.McpHttpServerDefinition | undefined> {
    this._onDidResolve.fire(definition.label);
    const server = this.registry.find(definition.label);
    if (!server) {
      this.log.warn(`[resolve] ${definition.label}: no longer in apimMcp.servers`);
      return undefined;
    }
    const credentials: Record<string, Secret> = {};
    if (usesSubscriptionKey(server.auth)) {
      const key = await this.subscriptionKeyFor(server);
      if (!key) {
        this.log.info(`[resolve] ${server.name}: no subscription key given, not starting`);
        this.status.set(server.name, 'unknown', vscode.l10n.t('Not started: no subscription key was given.'));
        return undefined;
      }
      credentials[server.keyHeaderName] = key;
    }
    let token: AccessToken | undefined;
    if (usesEntra(server.auth)) {
      if (this.entra && !(await this.entra.consent.allows(server))) {
        this.log.info(`[resolve] ${server.name}: Entra ID tokens may not go to ${server.origin}; not starting`);
        this.status.set(server.name, 'unknown', vscode.l10n.t('Not started: you did not allow Entra ID tokens to be sent to {0}.', server.origin));
        return undefined;
      }
      this.started.add(server.name);
      token = await this.entraToken(server);
      credentials.Authorization = bearer(token);
    }
    let check = await checkGatewayAccess(fetch, server.url, credentials, STARTUP_CHECK_TIMEOUT_MS);
    if (token && this.entra && isTokenRefusal(check) && isExpired(token.expiresOn)) {
      // An expired token is renewed without asking anyone; any other refusal is reported below.
      this.log.info(`[resolve] ${server.name}: the gateway refused an expired token; renewing it`);
      this.entra.tokens.forget(server.name);
      token = await this.entraToken(server);
      credentials.Authorization = bearer(token);
      check = await checkGatewayAccess(fetch, server.url, credentials, STARTUP_CHECK_TIMEOUT_MS);
    }
    const problem = this.report(server, check, token);
    if (problem && blocksStart(check)) {
      this.started.delete(server.name);
      // Starting anyway would turn a plain key or path error into VS Code's OAuth discovery and a misleading prompt.
      throw new Error(problem);
    }
    const headers: Record<string, string> = {};
    for (const [name, secret] of Object.entries(credentials)) headers[name] = secret.reveal();
    definition.headers = headers;
    return definition;
  }

  private async entraToken(server: ServerRecord): Promise<AccessToken> {
    if (!this.entra) throw new Error(vscode.l10n.t('Entra ID sign-in is not available.'));
    try {
      const token = await this.entra.tokens.tokenFor(server, 'interactive');
      this.log.info(`[resolve] ${server.name}: Entra token for ${token.account ?? 'unknown account'}, sent as Authorization to ${server.origin}`);
      return token;
    } catch (error: unknown) {
      const message = errorMessage(error);
      this.status.set(server.name, 'failing', message);
      if (isSignInRequired(error)) this.log.info(`[resolve] ${server.name}: waiting for sign-in`);
      else this.log.error(`[resolve] ${server.name}: no Entra token: ${message}`);
      throw error;
    }
  }

  private async subscriptionKeyFor(server: ServerRecord): Promise<Secret | undefined> {
    const lookup = await this.keys.get(server);
    if (lookup.kind === 'found') {
      this.log.info(`[resolve] ${server.name}: subscription key from SecretStorage, sent as ${server.keyHeaderName} to ${server.origin}`);
      return lookup.key;
    }
    if (lookup.kind === 'originMismatch') {
      this.log.warn(`[resolve] ${server.name}: the stored key belongs to ${lookup.storedOrigin}, not ${server.origin}; asking again`);
    }
    const key = await promptForSubscriptionKey(server, this.log);
    if (key) await this.keys.set(server, key);
    return key;
  }

  /**
   * Records the check's outcome and, on a failure, says what is wrong before VS Code's client fails vaguely.
   * Returns the problem, or undefined when the gateway let the request through.
   */
  private report(server: ServerRecord, check: StartupCheckResult, token?: AccessToken): string | undefined {
    if (!check.reached) {
      const problem = vscode.l10n.t('{0} is not reachable: {1}', server.origin, check.error);
      this.status.set(server.name, 'failing', problem);
      this.log.error(`[resolve] ${server.name}: ${problem}`);
      return problem;
    }
    const { outcome, status } = check;
    this.log.info(`[resolve] ${server.name}: startup check answered ${status} (${outcome.kind})`);
    if (outcome.kind === 'ok') {
      this.status.set(server.name, 'healthy');
      return undefined;
    }
    const problem = describeOutcome(server, check, token);
    this.status.set(server.name, 'failing', problem);
    this.log.error(`[resolve] ${server.name}: ${problem}`);
    const setKey = vscode.l10n.t('Set Subscription Key');
    const showLogs = vscode.l10n.t('Show Logs');
    const switchAccount = vscode.l10n.t('Switch Account');
    const actions =
      outcome.kind === 'keyInvalid' || outcome.kind === 'keyMissing' || outcome.kind === 'keyNotRecognised'
        ? [setKey, showLogs]
        : token && isTokenRefusal(check)
          ? [switchAccount, showLogs]
          : [showLogs];
    void vscode.window.showErrorMessage(vscode.l10n.t('APIM MCP: {0} cannot connect. {1}', server.name, problem), ...actions).then((choice) => {
      if (choice === setKey) void vscode.commands.executeCommand('apimMcp.setSubscriptionKey', server.name);
      if (choice === switchAccount) void vscode.commands.executeCommand('apimMcp.switchAccount', server.name);
      if (choice === showLogs) this.log.show();
    });
    return problem;
  }

  private versionOf(server: ServerRecord): string {
    return `${JSON.stringify(server)}#${this.keyGenerations.get(server.name) ?? 0}#${this.tokenGenerations.get(server.name) ?? 0}`;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function isTokenRefusal(check: StartupCheckResult): boolean {
  return check.reached && ['tokenMissing', 'tokenRejected', 'bearerChallenge'].includes(check.outcome.kind);
}

function bearer(token: AccessToken): Secret {
  return Secret.of(`Bearer ${token.token.reveal()}`);
}

/** What the token says about itself, for the report: audience, issuer, tenant, client, scopes and expiry. Never the token. */
function describeToken(token: AccessToken): string {
  const decoded = decodeAccessToken(token.token);
  if (!decoded.ok) return decoded.error;
  const c = decoded.token.claims;
  const exp = claimTime(c, 'exp');
  const parts = [
    vscode.l10n.t('audience {0}', claimString(c, 'aud') ?? '?'),
    vscode.l10n.t('issuer {0}', claimString(c, 'iss') ?? '?'),
    vscode.l10n.t('tenant {0}', claimString(c, 'tid') ?? '?'),
    vscode.l10n.t('client {0}', claimString(c, 'azp') ?? claimString(c, 'appid') ?? '?'),
  ];
  const scopes = claimList(c, 'scp') ?? claimList(c, 'roles');
  if (scopes?.length) parts.push(vscode.l10n.t('scopes/roles {0}', scopes.join(' ')));
  if (exp !== undefined) parts.push(exp * 1000 <= Date.now() ? vscode.l10n.t('expired {0}', new Date(exp * 1000).toISOString()) : vscode.l10n.t('expires {0}', new Date(exp * 1000).toISOString()));
  return parts.join(', ');
}

function describeOutcome(server: ServerRecord, check: Extract<StartupCheckResult, { reached: true }>, token?: AccessToken): string {
  const quoted = check.message ? ` "${check.message}"` : '';
  // VS Code's client follows redirects, and Node's fetch keeps the key header on a 307 to another origin.
  if (check.redirect?.crossOrigin) {
    return vscode.l10n.t('The gateway redirects ({0}) to {1}, another origin. The key and token would follow the redirect there, so the server is not started. If that address is right, use it as the server URL.', check.status, check.redirect.to);
  }
  if (check.redirect) return vscode.l10n.t('The gateway redirects ({0}) to {1}.', check.status, check.redirect.to);
  switch (check.outcome.kind) {
    case 'tokenRejected':
    case 'bearerChallenge':
      return token
        ? vscode.l10n.t('APIM rejected the Entra ID token ({0}{1}). The token has {2}. Check that the scope {3} is the API the gateway validates (its audience), and the tenant.', check.status, quoted, describeToken(token), server.scopes.join(' '))
        : vscode.l10n.t('APIM requires an Entra ID token ({0}{1}). Set "auth": "entra" or "subscriptionKeyAndEntra" with the API\'s scope.', check.status, quoted);
    case 'tokenMissing':
      return vscode.l10n.t('APIM did not find the Entra ID token ({0}{1}).', check.status, quoted);
    case 'keyInvalid':
      return vscode.l10n.t('APIM rejected the subscription key ({0}{1}). Set a valid key for an active subscription that covers this API.', check.status, quoted);
    case 'keyNotRecognised':
      return vscode.l10n.t('APIM did not recognise the subscription key sent in the {0} header ({1}{2}). Set the whole key of an active subscription that covers this API.', check.outcome.headerName, check.status, quoted);
    case 'keyMissing':
      return check.outcome.headerName && check.outcome.headerName.toLowerCase() !== server.keyHeaderName.toLowerCase()
        ? vscode.l10n.t('APIM expects the key in the {0} header, but this server sends {1}. Set "keyHeaderName": "{0}".', check.outcome.headerName, server.keyHeaderName)
        : vscode.l10n.t('APIM requires a subscription key ({0}{1}).', check.status, quoted);
    case 'notFound':
      return vscode.l10n.t('APIM has no API at this path ({0}{1}). Check the URL ends in /mcp and matches the portal\'s Server URL.', check.status, quoted);
    case 'forbidden':
      return vscode.l10n.t('APIM refused access ({0}{1}). VS Code treats a 403 like a 401 and would ask you to sign in, which does not help: check the quota and ip-filter policies of the API.', check.status, quoted);
    case 'rateLimited':
      return vscode.l10n.t('APIM is rate limiting ({0}{1}).', check.status, quoted);
    default:
      return vscode.l10n.t('The gateway answered {0}{1}.', check.status, quoted);
  }
}
