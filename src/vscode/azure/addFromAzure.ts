import * as vscode from 'vscode';
import { ArmClient, isMcpApi, mcpUrls, type ApimApi, type ApimService, type ApimSubscription, type AzureSubscription } from '../../core/azure/armClient';
import { armErrorFinding } from '../../core/azure/armFindings';
import { azureCloud, resourceManagerEndpoint, type AzureCloud } from '../../core/azure/clouds';
import { entraFromPolicy, type EntraPrefill } from '../../core/azure/policyPrefill';
import type { Finding } from '../../core/diagnosis/finding';
import type { ConfigTargetKind } from '../../core/config/targets';
import type { FetchLike } from '../../core/probe/nodeFetch';
import { Secret } from '../../core/secret';
import type { AuthKind } from '../../core/serverRecord';
import { TARGET_KINDS } from '../config/configTargets';
import type { AddServerResult, AddServerWizard } from '../wizard/addServerWizard';
import { CancelledSignal, MultiStepInput } from '../wizard/multiStepInput';

export interface AddFromAzureDeps {
  readonly wizard: AddServerWizard;
  readonly log: vscode.LogOutputChannel;
  readonly fetch?: FetchLike;
}

/**
 * A programmatic run (tests, other extensions): each pick by name or id instead of a quick pick. The key still goes
 * from `listSecrets` straight to SecretStorage; it is never returned.
 */
export interface AddFromAzureSpec {
  readonly subscription: string;
  readonly service: string;
  readonly api: string;
  /** The APIM subscription (name or display name); needed when the API requires a key. */
  readonly apimSubscription?: string;
  readonly target: ConfigTargetKind;
  readonly name?: string;
  readonly start?: boolean;
}

export type AddFromAzureResult = AddServerResult | { ok: false; finding: Finding; message: string };

interface Picks {
  subscription?: AzureSubscription;
  services?: ApimService[];
  service?: ApimService;
  apis?: ApimApi[];
  api?: ApimApi;
  apimSubscriptions?: ApimSubscription[];
  apimSubscription?: ApimSubscription;
}

/** A Resource Manager failure already shown to the user as a finding. */
class ShownFailure extends Error {
  constructor(readonly finding: Finding) {
    super(finding.title);
  }
}

/**
 * APIM MCP: Add from Azure. Signs in to Resource Manager with VS Code's Microsoft provider (the ARM scope of the
 * chosen cloud), lists subscriptions → APIM services → MCP servers → the APIM subscriptions whose scope covers the
 * server, fetches the chosen key with `listSecrets` into memory only, reads the key names and the Entra policy, and
 * hands over to the Add Secured MCP Server wizard's name / Entra / target steps.
 */
export class AddFromAzure {
  private sessionToken?: Secret;

  constructor(private readonly deps: AddFromAzureDeps) {}

  /** The service's gateway: as Resource Manager reports it, else `<name>.<the cloud's gateway domain>`. */
  private gateway(svc: ApimService): string {
    return svc.gatewayUrl || `https://${svc.name}.${this.cloud().cloud.gatewayDomain}`;
  }

  private cloud(): { cloud: AzureCloud; endpoint: string } {
    const config = vscode.workspace.getConfiguration('apimMcp');
    const cloud = azureCloud(config.get<string>('azure.cloud'));
    return { cloud, endpoint: resourceManagerEndpoint(cloud, config.get<string>('azure.resourceManagerEndpoint')) };
  }

  private client(interactive: boolean): ArmClient {
    const { cloud, endpoint } = this.cloud();
    const providerId = vscode.workspace.getConfiguration('apimMcp').get<string>('authProviderId', 'microsoft') || 'microsoft';
    const scopes = [cloud.armScope];
    this.sessionToken = undefined;
    this.deps.log.info(`[addFromAzure] Resource Manager ${endpoint} (${cloud.name}), sign-in with ${providerId}`);
    return new ArmClient({
      fetch: this.deps.fetch ?? fetch,
      endpoint,
      getToken: async () => {
        if (this.sessionToken) return this.sessionToken;
        const session = await this.session(providerId, scopes, interactive);
        this.sessionToken = Secret.of(session.accessToken);
        return this.sessionToken;
      },
      trace: (line) => this.deps.log.trace(`[addFromAzure] ${line}`),
    });
  }

  private async session(providerId: string, scopes: string[], interactive: boolean): Promise<vscode.AuthenticationSession> {
    const silent = await vscode.authentication.getSession(providerId, scopes, { silent: true });
    if (silent) return silent;
    if (interactive) {
      return vscode.authentication.getSession(providerId, scopes, {
        createIfNone: { detail: vscode.l10n.t('APIM MCP lists your API Management services and MCP servers with Azure Resource Manager.') },
      });
    }
    // No dialog from code: a sign-in request under Accounts, and wait for it to be accepted.
    const changed = new Promise<void>((resolve) => {
      const sub = vscode.authentication.onDidChangeSessions((e) => {
        if (e.provider.id === providerId) {
          sub.dispose();
          resolve();
        }
      });
    });
    void vscode.authentication.getSession(providerId, scopes, {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([changed, new Promise((r) => (timer = setTimeout(r, 120_000)))]);
    clearTimeout(timer);
    const session = await vscode.authentication.getSession(providerId, scopes, { silent: true });
    if (!session) throw new Error(vscode.l10n.t('Not signed in to Azure.'));
    return session;
  }

  /** Runs `fn` under a cancellable progress notification; Resource Manager failures are shown as findings. */
  private async load<T>(title: string, fn: (signal: AbortSignal) => Promise<T>, quiet = false): Promise<T> {
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_p, token) => {
        const controller = new AbortController();
        const listener = token.onCancellationRequested(() => controller.abort(new CancelledSignal()));
        try {
          return await fn(controller.signal);
        } finally {
          listener.dispose();
        }
      });
    } catch (error: unknown) {
      if (error instanceof CancelledSignal || error instanceof ShownFailure) throw error;
      const finding = armErrorFinding(error);
      this.deps.log.error(`[addFromAzure] ${finding.id}: ${finding.title}; ${finding.evidence.join(' | ')}; fix: ${finding.fix.summary} ${(finding.fix.commands ?? []).join(' ; ')}`);
      if (!quiet) void this.showFinding(finding);
      throw new ShownFailure(finding);
    }
  }

  private async showFinding(finding: Finding): Promise<void> {
    const copy = vscode.l10n.t('Copy Command');
    const logs = vscode.l10n.t('Show Logs');
    const buttons = finding.fix.commands?.length ? [copy, logs] : [logs];
    const show = finding.severity === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    const choice = await show(`APIM MCP: ${finding.title}. ${finding.fix.summary}`, ...buttons);
    if (choice === copy) await vscode.env.clipboard.writeText(finding.fix.commands![0]!);
    else if (choice === logs) this.deps.log.show();
  }

  /** The interactive flow (command palette, the wizard's first step). */
  async run(): Promise<AddServerResult | undefined> {
    const client = this.client(true);
    const picks: Picks = {};
    const title = vscode.l10n.t('Add from Azure');
    const at = (step: number) => ({ title, step, totalSteps: 4 });
    try {
      const completed = await MultiStepInput.run(
        async (input) => {
          const subs = await this.load(vscode.l10n.t('Listing Azure subscriptions…'), (s) => client.listSubscriptions(s));
          if (subs.length === 0) throw new ShownFailure(this.empty(vscode.l10n.t('This account sees no Azure subscriptions.')));
          const items = subs.map((sub) => ({ label: sub.displayName, description: sub.subscriptionId, sub }));
          picks.subscription = (await input.showQuickPick({ ...at(1), items, placeholder: vscode.l10n.t('Azure subscription'), activeItem: items.find((i) => i.sub.subscriptionId === picks.subscription?.subscriptionId) })).sub;
        },
        picks,
        [
          async (input) => {
            const sub = picks.subscription!;
            const services = await this.load(vscode.l10n.t('Listing API Management services in {0}…', sub.displayName), (s) => client.listServices(sub.subscriptionId, s));
            if (services.length === 0) throw new ShownFailure(this.empty(vscode.l10n.t('No API Management service in {0}.', sub.displayName)));
            const items = services.map((svc) => ({ label: svc.name, description: [svc.resourceGroup, svc.location, svc.sku].filter(Boolean).join(' · '), detail: this.gateway(svc), svc }));
            picks.service = (await input.showQuickPick({ ...at(2), items, placeholder: vscode.l10n.t('API Management service') })).svc;
          },
          async (input) => {
            const svc = picks.service!;
            const apis = (await this.load(vscode.l10n.t('Listing the MCP servers of {0}…', svc.name), (s) => client.listApis(svc.id, s))).filter(isMcpApi);
            if (apis.length === 0) throw new ShownFailure(this.empty(vscode.l10n.t('{0} has no MCP servers (APIs of type MCP).', svc.name)));
            const items = apis.map((api) => {
              const urls = mcpUrls(this.gateway(svc), api.path);
              return { label: api.displayName, description: api.subscriptionRequired ? vscode.l10n.t('subscription key required') : vscode.l10n.t('no subscription key'), detail: `${urls.mcp}  ·  SSE ${urls.sse}`, api };
            });
            picks.api = (await input.showQuickPick({ ...at(3), items, placeholder: vscode.l10n.t('MCP server') })).api;
          },
          async (input) => {
            const api = picks.api!;
            if (!api.subscriptionRequired) return 'skip';
            const covering = await this.load(vscode.l10n.t('Listing the subscriptions that cover {0}…', api.displayName), (s) => client.subscriptionsCovering(picks.service!.id, api, s));
            if (covering.length === 0) throw new ShownFailure(this.empty(vscode.l10n.t('No APIM subscription covers {0}. Create one in the portal (APIM > Subscriptions) for a product that includes it.', api.displayName)));
            const items = covering.map((sub) => ({
              label: sub.displayName,
              description: `${scopeLabel(sub)} · ${sub.state}`,
              detail: sub.state === 'active' ? undefined : vscode.l10n.t('This subscription is {0}; its key is refused by the gateway.', sub.state),
              sub,
            }));
            let placeholder = vscode.l10n.t('APIM subscription whose key to use (fetched into secret storage, never shown)');
            for (;;) {
              const picked = (await input.showQuickPick({ ...at(4), items, placeholder })).sub;
              if (picked.state === 'active') {
                picks.apimSubscription = picked;
                return;
              }
              placeholder = vscode.l10n.t('APIM subscription whose key to use: {0} is {1}, choose an active one', picked.displayName, picked.state);
            }
          },
        ],
      );
      if (!completed) {
        this.deps.log.info('[addFromAzure] cancelled; nothing was written');
        return undefined;
      }
      const prefill = await this.prefill(client, picks);
      return await this.deps.wizard.continueWith(prefill);
    } catch (error: unknown) {
      if (error instanceof CancelledSignal) return undefined;
      if (error instanceof ShownFailure) return { ok: false, message: error.finding.title };
      throw error;
    }
  }

  /** The same path without UI, picking by name or id. */
  async add(spec: AddFromAzureSpec): Promise<AddFromAzureResult> {
    const client = this.client(false);
    const picks: Picks = {};
    const match = (want: string, ...names: (string | undefined)[]) => names.some((n) => n !== undefined && n.toLowerCase() === want.toLowerCase());
    try {
      const subs = await this.load('Listing Azure subscriptions…', (s) => client.listSubscriptions(s), true);
      picks.subscription = subs.find((s) => match(spec.subscription, s.subscriptionId, s.displayName));
      if (!picks.subscription) return { ok: false, message: `No Azure subscription "${spec.subscription}".` };
      const services = await this.load('Listing API Management services…', (s) => client.listServices(picks.subscription!.subscriptionId, s), true);
      picks.service = services.find((s) => match(spec.service, s.name, s.id));
      if (!picks.service) return { ok: false, message: `No API Management service "${spec.service}".` };
      const apis = (await this.load('Listing MCP servers…', (s) => client.listApis(picks.service!.id, s), true)).filter(isMcpApi);
      picks.api = apis.find((a) => match(spec.api, a.name, a.displayName, a.id));
      if (!picks.api) return { ok: false, message: `No MCP server "${spec.api}" in ${picks.service.name}.` };
      if (picks.api.subscriptionRequired) {
        const covering = await this.load('Listing subscriptions…', (s) => client.subscriptionsCovering(picks.service!.id, picks.api!, s), true);
        picks.apimSubscription = covering.find((s) => match(spec.apimSubscription ?? '', s.name, s.displayName, s.id));
        if (!picks.apimSubscription) return { ok: false, message: `No APIM subscription "${spec.apimSubscription ?? ''}" covers ${picks.api.name}.` };
      }
      const prefill = await this.prefill(client, picks, true);
      const result = await this.deps.wizard.continueWith(prefill, { target: spec.target, name: spec.name, start: spec.start });
      return result ?? { ok: false, message: 'cancelled' };
    } catch (error: unknown) {
      if (error instanceof ShownFailure) return { ok: false, finding: error.finding, message: error.finding.title };
      throw error;
    }
  }

  /** Fetches the key (listSecrets, memory only) and the API policy, and decides the auth kind. */
  private async prefill(client: ArmClient, picks: Picks, quiet = false) {
    const svc = picks.service!;
    const api = picks.api!;
    const url = mcpUrls(this.gateway(svc), api.path).mcp;
    const [key, policy] = await this.load(
      vscode.l10n.t('Reading {0} from Azure…', api.displayName),
      async (signal) => {
        const secrets = picks.apimSubscription ? client.listSecrets(picks.apimSubscription.id, signal) : Promise.resolve(undefined);
        const policyXml = client.apiPolicy(api.id, signal).catch((error: unknown) => {
          // A policy we cannot read only loses the Entra prefill.
          this.deps.log.warn(`[addFromAzure] ${api.name}: policy not read (${armErrorFinding(error).id})`);
          return undefined;
        });
        return Promise.all([secrets.then((s) => s?.primaryKey ?? s?.secondaryKey), policyXml]);
      },
      quiet,
    );
    const entra: EntraPrefill | undefined = entraFromPolicy(policy);
    const auth: AuthKind = api.subscriptionRequired ? (entra ? 'subscriptionKeyAndEntra' : 'subscriptionKey') : entra ? 'entra' : 'none';
    this.deps.log.info(
      `[addFromAzure] ${svc.name}/${api.name}: ${url}, auth ${auth}, key header ${api.keyHeaderName} (query ${api.keyQueryName})` +
        `${picks.apimSubscription ? `, key of subscription ${picks.apimSubscription.name} fetched into memory` : ''}${entra ? `, ${entra.policy} tenant ${entra.tenant ?? '?'} audiences ${entra.audiences.join(' ')}` : ''}`,
    );
    return { url, name: api.displayName, auth, keyHeaderName: api.keyHeaderName, key, tenant: entra?.tenant, scopes: entra?.scope };
  }

  private empty(message: string): Finding {
    void vscode.window.showInformationMessage(`APIM MCP: ${message}`);
    return { id: 'azure.arm.empty', severity: 'info', title: message, evidence: [], fix: { summary: message } };
  }
}

function scopeLabel(sub: ApimSubscription): string {
  switch (sub.scope.kind) {
    case 'service':
      return vscode.l10n.t('all APIs (built-in all-access subscription)');
    case 'allApis':
      return vscode.l10n.t('all APIs');
    case 'api':
      return vscode.l10n.t('API {0}', sub.scope.apiName);
    case 'product':
      return vscode.l10n.t('product {0}', sub.scope.productName);
    case 'other':
      return sub.rawScope;
  }
}

export function isAddFromAzureSpec(value: unknown): value is AddFromAzureSpec {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.subscription === 'string' && typeof v.service === 'string' && typeof v.api === 'string' && typeof v.target === 'string' && (TARGET_KINDS as readonly string[]).includes(v.target);
}

