import * as vscode from 'vscode';
import { checkGatewayAccess, type StartupCheckResult } from '../core/apim/startupCheck';
import type { Secret } from '../core/secret';
import { usesSubscriptionKey, type ServerRecord } from '../core/serverRecord';
import { promptForSubscriptionKey } from './keyPrompt';
import type { ServerRegistry } from './serverRegistry';
import type { ServerStatusStore } from './serverStatus';
import type { SubscriptionKeyStore } from './subscriptionKeyStore';

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
  ) {
    this.disposables.push(
      registry.onDidChange(() => this._onDidChangeMcpServerDefinitions.fire()),
      keys.onDidChange((name) => {
        this.keyGenerations.set(name, (this.keyGenerations.get(name) ?? 0) + 1);
        this._onDidChangeMcpServerDefinitions.fire();
      }),
    );
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
        return undefined;
      }
      credentials[server.keyHeaderName] = key;
    }
    const check = await checkGatewayAccess(fetch, server.url, credentials, STARTUP_CHECK_TIMEOUT_MS);
    const problem = this.report(server, check);
    if (problem && isFatal(check)) {
      // Starting anyway would turn a plain key or path error into VS Code's OAuth discovery and a misleading prompt.
      throw new Error(problem);
    }
    const headers: Record<string, string> = {};
    for (const [name, secret] of Object.entries(credentials)) headers[name] = secret.reveal();
    definition.headers = headers;
    return definition;
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
  private report(server: ServerRecord, check: StartupCheckResult): string | undefined {
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
    const problem = describeOutcome(server, check);
    this.status.set(server.name, 'failing', problem);
    this.log.error(`[resolve] ${server.name}: ${problem}`);
    const setKey = vscode.l10n.t('Set Subscription Key');
    const showLogs = vscode.l10n.t('Show Logs');
    const actions = outcome.kind === 'keyInvalid' || outcome.kind === 'keyMissing' ? [setKey, showLogs] : [showLogs];
    void vscode.window.showErrorMessage(vscode.l10n.t('APIM MCP: {0} cannot connect. {1}', server.name, problem), ...actions).then((choice) => {
      if (choice === setKey) void vscode.commands.executeCommand('apimMcp.setSubscriptionKey', server.name);
      if (choice === showLogs) this.log.show();
    });
    return problem;
  }

  private versionOf(server: ServerRecord): string {
    return `${JSON.stringify(server)}#${this.keyGenerations.get(server.name) ?? 0}`;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Resolves true as soon as `condition` holds (checked now and after each event), false after the timeout. */
function waitForEvent<T>(event: vscode.Event<T>, condition: () => boolean, timeoutMs: number): Promise<boolean> {
  if (condition()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      listener.dispose();
      resolve(false);
    }, timeoutMs);
    const listener = event(() => {
      if (!condition()) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(true);
    });
  });
}

/** Failures VS Code's own client cannot recover from by signing in, so starting would only mislead. */
function isFatal(check: StartupCheckResult): boolean {
  if (!check.reached) return true;
  return ['keyInvalid', 'keyMissing', 'notFound'].includes(check.outcome.kind);
}

function describeOutcome(server: ServerRecord, check: Extract<StartupCheckResult, { reached: true }>): string {
  const quoted = check.message ? ` "${check.message}"` : '';
  switch (check.outcome.kind) {
    case 'keyInvalid':
      return vscode.l10n.t('APIM rejected the subscription key ({0}{1}). Set a valid key for an active subscription that covers this API.', check.status, quoted);
    case 'keyMissing':
      return check.outcome.headerName && check.outcome.headerName.toLowerCase() !== server.keyHeaderName.toLowerCase()
        ? vscode.l10n.t('APIM expects the key in the {0} header, but this server sends {1}. Set "keyHeaderName": "{0}".', check.outcome.headerName, server.keyHeaderName)
        : vscode.l10n.t('APIM requires a subscription key ({0}{1}).', check.status, quoted);
    case 'notFound':
      return vscode.l10n.t('APIM has no API at this path ({0}{1}). Check the URL ends in /mcp and matches the portal\'s Server URL.', check.status, quoted);
    case 'rateLimited':
      return vscode.l10n.t('APIM is rate limiting ({0}{1}).', check.status, quoted);
    default:
      return vscode.l10n.t('The gateway answered {0}{1}.', check.status, quoted);
  }
}
