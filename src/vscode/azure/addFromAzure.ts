import * as vscode from 'vscode';
import { ArmClient, isMcpApi, mcpUrls, type ApimApi, type ApimService, type ApimSubscription, type AzureSubscription } from '../../core/azure/armClient';
import { armErrorFinding } from '../../core/azure/armFindings';
import { azureCloud, resourceManagerEndpoint, type AzureCloud } from '../../core/azure/clouds';
import { readPolicyExpectations } from '../../core/apim/policy/tokenValidation';
import { entraFromPolicy, type EntraPrefill } from '../../core/azure/policyPrefill';
import { expectFromPolicy } from '../../core/diagnosis/policyExpect';
import type { AddServerPrefill } from '../../core/config/addServerPlan';
import { isConfigTargetKind, type ConfigTargetKind } from '../../core/config/targets';
import type { Finding } from '../../core/diagnosis/finding';
import type { FetchLike } from '../../core/probe/nodeFetch';
import { Secret } from '../../core/secret';
import type { AuthKind } from '../../core/serverRecord';
import { CancelledSignal, MultiStepInput, type StepPosition } from '../multiStepInput';
import type { PolicyExpectationStore } from '../policyExpectationStore';

export interface AddFromAzureDeps {
  readonly log: vscode.LogOutputChannel;
  readonly fetch?: FetchLike;
  /** Where what the API's policy expects is kept for the diagnosis. */
  readonly policyExpectations?: PolicyExpectationStore;
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

/** The server picked in Azure, as a prefill for the add-server flow; or why there is none. */
export type AzurePick = { ok: true; prefill: AddServerPrefill } | { ok: false; message: string; finding?: Finding };

interface Picks {
  subscription?: AzureSubscription;
  service?: ApimService;
  api?: ApimApi;
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
 * server, fetches the chosen key with `listSecrets` into memory only, and reads the key names and the Entra policy.
 * What it found is a prefill: the Add Secured MCP Server flow continues from there (wizard/registerAddServer.ts).
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
    const choice = await show(vscode.l10n.t('APIM MCP: {0}. {1}', finding.title, finding.fix.summary), ...buttons);
    const command = finding.fix.commands?.[0];
    if (choice === copy && command) await vscode.env.clipboard.writeText(command);
    else if (choice === logs) this.deps.log.show();
  }

  /** The interactive picks (command palette, the wizard's first step); undefined when the person cancelled. */
  async pick(): Promise<AzurePick | undefined> {
    const client = this.client(true);
    const picks: Picks = {};
    const title = vscode.l10n.t('Add from Azure');
    // The APIM subscription step (4) comes only for an API that needs a key, so no total is shown before the API is
    // picked: a "/4" that then ends at 3 would be a total that changed (issue 18.6).
    const at = (step: number): StepPosition => ({ title, step, totalSteps: step === 4 ? 4 : undefined });
    try {
      const completed = await MultiStepInput.run((input) => this.pickSubscription(input, client, picks, at(1)), picks, [
        async (input) => (picks.subscription ? this.pickService(input, client, picks, picks.subscription, at(2)) : 'skip'),
        async (input) => (picks.service ? this.pickApi(input, client, picks, picks.service, at(3)) : 'skip'),
        async (input) => (picks.service && picks.api?.subscriptionRequired ? this.pickApimSubscription(input, client, picks, picks.service, picks.api, at(4)) : 'skip'),
      ]);
      if (!completed || !picks.service || !picks.api) {
        this.deps.log.info('[addFromAzure] cancelled; nothing was written');
        return undefined;
      }
      return { ok: true, prefill: await this.prefill(client, { service: picks.service, api: picks.api, apimSubscription: picks.apimSubscription }) };
    } catch (error: unknown) {
      if (error instanceof CancelledSignal) return undefined;
      if (error instanceof ShownFailure) return { ok: false, message: error.finding.title, finding: error.finding };
      throw error;
    }
  }

  private async pickSubscription(input: MultiStepInput, client: ArmClient, picks: Picks, position: StepPosition): Promise<void> {
    const subs = await this.load(vscode.l10n.t('Listing Azure subscriptions…'), (s) => client.listSubscriptions(s));
    if (subs.length === 0) throw new ShownFailure(this.empty(vscode.l10n.t('This account sees no Azure subscriptions.')));
    const items = subs.map((sub) => ({ label: sub.displayName, description: sub.subscriptionId, sub }));
    const active = items.find((i) => i.sub.subscriptionId === picks.subscription?.subscriptionId);
    picks.subscription = (await input.showQuickPick({ ...position, items, placeholder: vscode.l10n.t('Azure subscription'), activeItem: active })).sub;
  }

  private async pickService(input: MultiStepInput, client: ArmClient, picks: Picks, sub: AzureSubscription, position: StepPosition): Promise<void> {
    const services = await this.load(vscode.l10n.t('Listing API Management services in {0}…', sub.displayName), (s) => client.listServices(sub.subscriptionId, s));
    if (services.length === 0) throw new ShownFailure(this.empty(vscode.l10n.t('No API Management service in {0}.', sub.displayName)));
    const items = services.map((svc) => ({ label: svc.name, description: [svc.resourceGroup, svc.location, svc.sku].filter(Boolean).join(' · '), detail: this.gateway(svc), svc }));
    picks.service = (await input.showQuickPick({ ...position, items, placeholder: vscode.l10n.t('API Management service') })).svc;
  }

  private async pickApi(input: MultiStepInput, client: ArmClient, picks: Picks, svc: ApimService, position: StepPosition): Promise<void> {
    const apis = (await this.load(vscode.l10n.t('Listing the MCP servers of {0}…', svc.name), (s) => client.listApis(svc.id, s))).filter(isMcpApi);
    if (apis.length === 0) throw new ShownFailure(this.empty(vscode.l10n.t('{0} has no MCP servers (APIs of type MCP).', svc.name)));
    const items = apis.map((api) => {
      const urls = mcpUrls(this.gateway(svc), api.path);
      return { label: api.displayName, description: api.subscriptionRequired ? vscode.l10n.t('subscription key required') : vscode.l10n.t('no subscription key'), detail: `${urls.mcp}  ·  SSE ${urls.sse}`, api };
    });
    picks.api = (await input.showQuickPick({ ...position, items, placeholder: vscode.l10n.t('MCP server') })).api;
  }

  private async pickApimSubscription(input: MultiStepInput, client: ArmClient, picks: Picks, svc: ApimService, api: ApimApi, position: StepPosition): Promise<void> {
    const covering = await this.load(vscode.l10n.t('Listing the subscriptions that cover {0}…', api.displayName), (s) => client.subscriptionsCovering(svc.id, api, s));
    if (covering.length === 0) throw new ShownFailure(this.empty(vscode.l10n.t('No APIM subscription covers {0}. Create one in the portal (APIM > Subscriptions) for a product that includes it.', api.displayName)));
    const items = covering.map((sub) => ({
      label: sub.displayName,
      description: `${scopeLabel(sub)} · ${sub.state}`,
      detail: sub.state === 'active' ? undefined : vscode.l10n.t('This subscription is {0}; its key is refused by the gateway.', sub.state),
      sub,
    }));
    let placeholder = vscode.l10n.t('APIM subscription whose key to use (fetched into secret storage, never shown)');
    for (;;) {
      const picked = (await input.showQuickPick({ ...position, items, placeholder })).sub;
      if (picked.state === 'active') {
        picks.apimSubscription = picked;
        return;
      }
      placeholder = vscode.l10n.t('APIM subscription whose key to use: {0} is {1}, choose an active one', picked.displayName, picked.state);
    }
  }

  /** The same picks without UI, by name or id. */
  async pickFor(spec: AddFromAzureSpec): Promise<AzurePick> {
    const client = this.client(false);
    const match = (want: string, ...names: (string | undefined)[]) => names.some((n) => n !== undefined && n.toLowerCase() === want.toLowerCase());
    try {
      const subs = await this.load(vscode.l10n.t('Listing Azure subscriptions…'), (s) => client.listSubscriptions(s), true);
      const subscription = subs.find((s) => match(spec.subscription, s.subscriptionId, s.displayName));
      if (!subscription) return { ok: false, message: vscode.l10n.t('No Azure subscription "{0}".', spec.subscription) };
      const services = await this.load(vscode.l10n.t('Listing API Management services in {0}…', subscription.displayName), (s) => client.listServices(subscription.subscriptionId, s), true);
      const service = services.find((s) => match(spec.service, s.name, s.id));
      if (!service) return { ok: false, message: vscode.l10n.t('No API Management service "{0}".', spec.service) };
      const apis = (await this.load(vscode.l10n.t('Listing the MCP servers of {0}…', service.name), (s) => client.listApis(service.id, s), true)).filter(isMcpApi);
      const api = apis.find((a) => match(spec.api, a.name, a.displayName, a.id));
      if (!api) return { ok: false, message: vscode.l10n.t('No MCP server "{0}" in {1}.', spec.api, service.name) };
      let apimSubscription: ApimSubscription | undefined;
      if (api.subscriptionRequired) {
        const covering = await this.load(vscode.l10n.t('Listing the subscriptions that cover {0}…', api.displayName), (s) => client.subscriptionsCovering(service.id, api, s), true);
        apimSubscription = covering.find((s) => match(spec.apimSubscription ?? '', s.name, s.displayName, s.id));
        if (!apimSubscription) return { ok: false, message: vscode.l10n.t('No APIM subscription "{0}" covers {1}.', spec.apimSubscription ?? '', api.name) };
      }
      return { ok: true, prefill: await this.prefill(client, { service, api, apimSubscription }, true) };
    } catch (error: unknown) {
      if (error instanceof ShownFailure) return { ok: false, finding: error.finding, message: error.finding.title };
      throw error;
    }
  }

  /** Fetches the key (listSecrets, memory only) and the API policy, and decides the auth kind. */
  private async prefill(client: ArmClient, chosen: { service: ApimService; api: ApimApi; apimSubscription?: ApimSubscription }, quiet = false): Promise<AddServerPrefill> {
    const { service: svc, api, apimSubscription } = chosen;
    const url = mcpUrls(this.gateway(svc), api.path).mcp;
    const [key, policy] = await this.load(
      vscode.l10n.t('Reading {0} from Azure…', api.displayName),
      async (signal) => {
        const secrets = apimSubscription ? client.listSecrets(apimSubscription.id, signal) : Promise.resolve(undefined);
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
    // What the live policy expects, for later diagnoses of this server (issue 15.a); not the policy itself.
    await this.deps.policyExpectations?.set(url, policy ? expectFromPolicy(readPolicyExpectations(policy), `the policy of API ${api.name} in Azure`) : undefined);
    const auth: AuthKind = api.subscriptionRequired ? (entra ? 'subscriptionKeyAndEntra' : 'subscriptionKey') : entra ? 'entra' : 'none';
    this.deps.log.info(
      `[addFromAzure] ${svc.name}/${api.name}: ${url}, auth ${auth}, key header ${api.keyHeaderName} (query ${api.keyQueryName})` +
        `${apimSubscription ? `, key of subscription ${apimSubscription.name} fetched into memory` : ''}${entra ? `, ${entra.policy} tenant ${entra.tenant ?? '?'} audiences ${entra.audiences.join(' ')}` : ''}`,
    );
    return { url, name: api.displayName, auth, keyHeaderName: api.keyHeaderName, key, tenant: entra?.tenant, scopes: entra?.scope };
  }

  private empty(message: string): Finding {
    this.deps.log.info(`[addFromAzure] azure.arm.empty: ${message}`);
    void vscode.window.showInformationMessage(vscode.l10n.t('APIM MCP: {0}', message));
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
  return typeof v.subscription === 'string' && typeof v.service === 'string' && typeof v.api === 'string' && isConfigTargetKind(v.target);
}

