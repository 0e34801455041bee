import * as vscode from 'vscode';
import { waitForEvent } from '../events';
import { checkGatewayAccess } from '../../core/apim/startupCheck';
import type { ServerDescription } from '../../core/config/serverEntries';
import { CONFIG_TARGETS, type ConfigTargetKind } from '../../core/config/targets';
import { detectAuth, type AuthDetection } from '../../core/probe/detectAuth';
import type { FetchLike } from '../../core/probe/nodeFetch';
import { Secret } from '../../core/secret';
import { keyEnvVarName } from '../../core/secrets/envVars';
import { DEFAULT_KEY_HEADER, usesEntra, usesSubscriptionKey, type AuthKind } from '../../core/serverRecord';
import { analyzeServerUrl, uniqueName, type UrlAnalysis } from '../../core/url/serverUrl';
import type { ConfigTargets } from '../config/configTargets';
import { TARGET_KINDS } from '../config/configTargets';
import type { TerminalKeyEnvironment } from '../config/terminalKeyEnvironment';
import type { ServerRegistry } from '../serverRegistry';
import type { ServerStatusStore } from '../serverStatus';
import type { SubscriptionKeyStore } from '../subscriptionKeyStore';
import { showErrorWithLogs } from '../errorNotice';
import { clientIdProblem, normaliseScopes, scopesProblem, serverNameProblem, tenantProblem } from './entraFields';
import { ButtonSignal, MultiStepInput } from './multiStepInput';
import { errorMessage } from '../../core/basics';

const DETECT_TIMEOUT_MS = 10_000;
const KEY_CHECK_TIMEOUT_MS = 10_000;

export interface WizardDeps {
  readonly extensionId: string;
  readonly registry: ServerRegistry;
  readonly keys: SubscriptionKeyStore;
  readonly status: ServerStatusStore;
  readonly targets: ConfigTargets;
  readonly terminalEnv: TerminalKeyEnvironment;
  readonly log: vscode.LogOutputChannel;
  readonly fetch?: FetchLike;
}

interface WizardState {
  rawUrl: string;
  url?: UrlAnalysis;
  /** The detection for `url.href`; cleared when the URL changes. */
  detection?: AuthDetection;
  detectedFor?: string;
  name: string;
  auth?: AuthKind;
  keyHeaderName: string;
  key?: Secret;
  tenant: string;
  scopes: string;
  clientId: string;
  target?: ConfigTargetKind;
}

export interface WizardOutcome {
  readonly name: string;
  readonly target: ConfigTargetKind;
  readonly path?: string;
}

/** A server to add without the quick input (see `AddServerWizard.add`). */
export interface AddServerSpec {
  readonly url: string;
  readonly target: ConfigTargetKind;
  readonly name?: string;
  readonly auth?: AuthKind;
  readonly key?: string;
  readonly tenant?: string;
  readonly scopes?: string;
  readonly clientId?: string;
  /** Start it in VS Code afterwards, as the wizard does. */
  readonly start?: boolean;
}

/**
 * What another flow (Add from Azure) already knows: the URL, the auth kind, the key header, the key itself (fetched,
 * never typed or shown) and the Entra fields. The wizard continues from there with its own name, Entra and target steps.
 */
export interface WizardPrefill {
  readonly url: string;
  readonly name?: string;
  readonly auth: AuthKind;
  readonly keyHeaderName?: string;
  readonly key?: Secret;
  readonly tenant?: string;
  readonly scopes?: string;
  readonly clientId?: string;
}

export type AddServerResult = ({ ok: true } & WizardOutcome) | { ok: false; message: string };

/** "Add from Azure…" on the URL step: pick the server and its key from Azure instead of pasting them. */
const FROM_AZURE_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('azure'), tooltip: vscode.l10n.t('Add from Azure…') };

const localize = (problem: string | undefined) => (problem ? vscode.l10n.t(problem) : undefined);

/**
 * APIM MCP: Add Secured MCP Server. Nothing is written, stored or started until the last step is accepted, so
 * Escape at any step leaves no trace. The key typed here stays in memory until it goes to SecretStorage.
 */
export class AddServerWizard {
  constructor(private readonly deps: WizardDeps) {}

  async run(): Promise<WizardOutcome | undefined> {
    const { log } = this.deps;
    const state: WizardState = { rawUrl: '', name: '', keyHeaderName: DEFAULT_KEY_HEADER, tenant: '', scopes: '', clientId: '' };
    const title = vscode.l10n.t('Add Secured MCP Server');
    const total = () => 4 + (state.auth && usesSubscriptionKey(state.auth) ? 1 : 0) + (state.auth && usesEntra(state.auth) ? 3 : 0);
    const keySteps = () => (state.auth && usesSubscriptionKey(state.auth) ? 1 : 0);
    const at = (n: number) => ({ title, step: n, totalSteps: Math.max(total(), n) });
    let completed: boolean;
    try {
      completed = await MultiStepInput.run(
        (input) => this.askUrl(input, state, at(1)),
        state,
        [
          (input) => this.askName(input, state, at(2)),
          (input) => this.askAuth(input, state, at(3)),
          async (input) => (state.auth && usesSubscriptionKey(state.auth) ? this.askKey(input, state, at(4)) : 'skip'),
          async (input) => (state.auth && usesEntra(state.auth) ? this.askTenant(input, state, at(4 + keySteps())) : 'skip'),
          async (input) => (state.auth && usesEntra(state.auth) ? this.askScopes(input, state, at(5 + keySteps())) : 'skip'),
          async (input) => (state.auth && usesEntra(state.auth) ? this.askClientId(input, state, at(6 + keySteps())) : 'skip'),
          (input) => this.askTarget(input, state, at(total())),
        ],
      );
    } catch (error: unknown) {
      if (!(error instanceof ButtonSignal) || error.button !== FROM_AZURE_BUTTON) throw error;
      log.info('[addServer] switching to Add from Azure');
      return vscode.commands.executeCommand<WizardOutcome | undefined>('apimMcp.addFromAzure');
    }
    if (!completed) {
      log.info('[addServer] cancelled; nothing was written');
      return undefined;
    }
    return this.finish(state);
  }

  /**
   * Continues from a prefill (Add from Azure): the name, the Entra fields when the API validates tokens, and where to
   * save it, with Back between them; then the same save and start as the full wizard. With `spec`, no UI: saved to
   * `spec.target` under `spec.name` (programmatic callers and tests).
   */
  async continueWith(prefill: WizardPrefill, spec?: { target: ConfigTargetKind; name?: string; start?: boolean }): Promise<AddServerResult | undefined> {
    const analysis = analyzeServerUrl(prefill.url);
    if (!analysis.ok) return { ok: false, message: analysis.error };
    const state: WizardState = {
      rawUrl: prefill.url,
      url: analysis.value,
      name: spec?.name?.trim() || prefill.name?.trim() || '',
      auth: prefill.auth,
      keyHeaderName: prefill.keyHeaderName || DEFAULT_KEY_HEADER,
      key: prefill.key,
      tenant: prefill.tenant ?? '',
      scopes: prefill.scopes ?? '',
      clientId: prefill.clientId ?? '',
      target: spec?.target,
    };
    if (!state.name) state.name = uniqueName(analysis.value.suggestedName, await this.allNames());
    else if (!spec) state.name = uniqueName(state.name, await this.allNames());
    if (spec) {
      const problem = serverNameProblem(state.name) ?? (usesEntra(prefill.auth) ? (tenantProblem(state.tenant) ?? scopesProblem(state.scopes) ?? clientIdProblem(state.clientId)) : undefined);
      if (problem) return { ok: false, message: problem };
      const saved = await this.save(state);
      if (saved.ok && spec.start) await this.start(state, this.description(state), saved);
      return saved;
    }
    const title = vscode.l10n.t('Add Secured MCP Server from Azure');
    const entra = usesEntra(prefill.auth);
    const total = entra ? 5 : 2;
    const at = (n: number) => ({ title, step: n, totalSteps: total });
    const completed = await MultiStepInput.run(
      (input) => this.askName(input, state, at(1)),
      state,
      [
        async (input) => (entra ? this.askTenant(input, state, at(2)) : 'skip'),
        async (input) => (entra ? this.askScopes(input, state, at(3)) : 'skip'),
        async (input) => (entra ? this.askClientId(input, state, at(4)) : 'skip'),
        (input) => this.askTarget(input, state, at(total)),
      ],
    );
    if (!completed) {
      this.deps.log.info('[addFromAzure] cancelled; nothing was written');
      return undefined;
    }
    const done = await this.finish(state);
    return done && { ok: true, ...done };
  }

  private async askUrl(input: MultiStepInput, state: WizardState, common: { title: string; step: number; totalSteps: number }): Promise<void> {
    let confirmedMistake: string | undefined;
    let confirmedUnreachable: string | undefined;
    const value = await input.showInputBox({
      ...common,
      value: state.rawUrl,
      prompt: vscode.l10n.t('The MCP endpoint, as shown in the Azure portal (APIM > MCP servers > Server URL).'),
      placeholder: 'https://contoso.azure-api.net/products/mcp',
      buttons: [FROM_AZURE_BUTTON],
      validate: (raw) => {
        if (!raw.includes('://')) return undefined;
        const analysis = analyzeServerUrl(raw);
        return analysis.ok ? undefined : analysis.error;
      },
      validateOnAccept: async (raw) => {
        const analysis = analyzeServerUrl(raw);
        if (!analysis.ok) return analysis.error;
        const url = analysis.value;
        if (url.pathMistake && confirmedMistake !== url.href) {
          confirmedMistake = url.href;
          return url.pathMistake === 'sse'
            ? vscode.l10n.t('This is the legacy SSE endpoint; APIM serves MCP at {0}. Edit the URL, or press Enter again to keep it.', url.suggestedUrl ?? '/mcp')
            : vscode.l10n.t('This is the SSE message channel, not the server; APIM serves MCP at {0}. Edit the URL, or press Enter again to keep it.', url.suggestedUrl ?? '/mcp');
        }
        if (state.detectedFor !== url.href) {
          state.detection = await this.detect(url);
          state.detectedFor = url.href;
        }
        if (state.detection && !state.detection.reached && confirmedUnreachable !== url.href) {
          confirmedUnreachable = url.href;
          return vscode.l10n.t('Could not reach {0} ({1}). Check the URL and your network, or press Enter again to continue without detection.', url.origin, state.detection.error);
        }
        return undefined;
      },
    });
    const analysis = analyzeServerUrl(value);
    if (!analysis.ok) throw new Error(analysis.error);
    if (state.url?.href !== analysis.value.href) {
      state.auth = undefined;
      state.name = '';
    }
    state.rawUrl = value.trim();
    state.url = analysis.value;
    const detection = state.detection;
    if (detection?.reached) {
      state.keyHeaderName = detection.keyChallenge?.headerName ?? DEFAULT_KEY_HEADER;
      if (detection.prm) {
        state.tenant ||= detection.prm.tenant ?? '';
        state.scopes ||= detection.prm.scopes.join(' ');
      }
    }
  }

  /** One unauthenticated `initialize` (plus PRM when a Bearer challenge names it), under a cancellable progress notification. */
  private detect(url: UrlAnalysis): Promise<AuthDetection | undefined> {
    const fetchFn = this.deps.fetch ?? fetch;
    return Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking what {0} asks for…', url.origin), cancellable: true },
        async (_progress, token) => {
          const controller = new AbortController();
          const listener = token.onCancellationRequested(() => controller.abort());
          try {
            const result = await detectAuth(fetchFn, url.href, { timeoutMs: DETECT_TIMEOUT_MS, signal: controller.signal });
            if (token.isCancellationRequested) {
              this.deps.log.info('[addServer] detection cancelled');
              return undefined;
            }
            this.deps.log.info(`[addServer] ${url.origin}: ${describeDetection(result)}`);
            return result;
          } finally {
            listener.dispose();
          }
        },
      ),
    );
  }

  private async askName(input: MultiStepInput, state: WizardState, common: { title: string; step: number; totalSteps: number }): Promise<void> {
    const taken = await this.allNames();
    const suggested = state.name || uniqueName(state.url!.suggestedName, taken);
    const value = await input.showInputBox({
      ...common,
      value: suggested,
      prompt: vscode.l10n.t('A name for the server, shown in VS Code and Copilot. It must be unique where you save it.'),
      validate: (v) => localize(serverNameProblem(v)),
    });
    state.name = value.trim();
  }

  private async askAuth(input: MultiStepInput, state: WizardState, common: { title: string; step: number; totalSteps: number }): Promise<void> {
    const detection = state.detection?.reached ? state.detection : undefined;
    const detected = detection?.suggestedAuth;
    const found = (kind: AuthKind) => (kind === detected ? vscode.l10n.t('Detected') : undefined);
    const items: (vscode.QuickPickItem & { auth: AuthKind })[] = [
      {
        auth: 'subscriptionKey',
        label: vscode.l10n.t('Subscription key'),
        description: found('subscriptionKey'),
        detail: vscode.l10n.t('An APIM subscription key, sent in {0}. Kept in secret storage, never in a file.', state.keyHeaderName),
      },
      {
        auth: 'entra',
        label: vscode.l10n.t('Microsoft Entra ID'),
        description: found('entra'),
        detail: detection?.prm
          ? vscode.l10n.t('Sign in; the server publishes its tenant and scopes (protected-resource metadata).')
          : vscode.l10n.t('Sign in with your Microsoft account; you give the tenant and the API scope.'),
      },
      {
        auth: 'subscriptionKeyAndEntra',
        label: vscode.l10n.t('Subscription key and Entra ID'),
        description: found('subscriptionKeyAndEntra'),
        detail: vscode.l10n.t('The API requires both.'),
      },
      { auth: 'none', label: vscode.l10n.t('None'), description: found('none'), detail: vscode.l10n.t('The server needs no credentials.') },
    ];
    const ordered = detected ? [...items.filter((i) => i.auth === detected), ...items.filter((i) => i.auth !== detected)] : items;
    const placeholder = !state.detection
      ? vscode.l10n.t('Detection was skipped. How does the gateway authenticate callers?')
      : !state.detection.reached
        ? vscode.l10n.t('The server could not be reached. How does the gateway authenticate callers?')
        : vscode.l10n.t('The server answered {0}. How does the gateway authenticate callers?', state.detection.status);
    const picked = await input.showQuickPick({ ...common, items: ordered, activeItem: ordered.find((i) => i.auth === (state.auth ?? detected)), placeholder });
    if (picked.auth !== state.auth) state.key = undefined;
    state.auth = picked.auth;
  }

  private async askKey(input: MultiStepInput, state: WizardState, common: { title: string; step: number; totalSteps: number }): Promise<void> {
    const url = state.url!;
    let unverified: string | undefined;
    const value = await input.showInputBox({
      ...common,
      title: vscode.l10n.t('Subscription key for {0}', state.name),
      password: true,
      prompt: vscode.l10n.t('Paste the APIM subscription key. It is checked now, sent as the {0} header to {1} only, and kept in secret storage.', state.keyHeaderName, url.origin),
      placeholder: vscode.l10n.t('APIM subscription key'),
      validate: (v) => (/\s/.test(v.trim()) ? vscode.l10n.t('A subscription key has no spaces or line breaks.') : undefined),
      validateOnAccept: async (raw) => {
        const v = raw.trim();
        if (!v) return vscode.l10n.t('Enter a key, or press Escape to cancel.');
        if (unverified === v) return undefined;
        const problem = await this.checkKey(state, Secret.of(v));
        if (problem?.retryable) unverified = v;
        return problem?.message;
      },
    });
    state.key = Secret.of(value.trim());
  }

  /** Sends one `initialize` with the key; APIM's "invalid subscription key" keeps the box open. */
  private async checkKey(state: WizardState, key: Secret): Promise<{ message: string; retryable?: boolean } | undefined> {
    const { log } = this.deps;
    const url = state.url!;
    const fetchFn = this.deps.fetch ?? fetch;
    for (let attempt = 0; attempt < 2; attempt++) {
      log.trace(`[addServer] ${state.name}: checking the key, sent as ${state.keyHeaderName} to ${url.origin} only`);
      const result = await checkGatewayAccess(fetchFn, url.href, { [state.keyHeaderName]: key }, KEY_CHECK_TIMEOUT_MS);
      if (!result.reached) {
        log.warn(`[addServer] ${state.name}: could not verify the key, ${result.error}`);
        return { message: vscode.l10n.t('Could not reach {0} to check the key ({1}). Press Enter again to keep it unverified.', url.origin, result.error), retryable: true };
      }
      log.info(`[addServer] ${state.name}: key check answered ${result.status} (${result.outcome.kind})`);
      const outcome = result.outcome;
      if (outcome.kind === 'keyInvalid') return { message: vscode.l10n.t('APIM rejected this key: "{0}"', result.message ?? 'invalid subscription key') };
      if (outcome.kind === 'keyNotRecognised') {
        return { message: vscode.l10n.t('APIM did not recognise the key sent in the {0} header (it answered "{1}"). Check that the whole key was pasted.', outcome.headerName, result.message ?? '') };
      }
      if (outcome.kind === 'keyMissing') {
        if (outcome.headerName && outcome.headerName.toLowerCase() !== state.keyHeaderName.toLowerCase()) {
          log.info(`[addServer] ${state.name}: the API expects the key in ${outcome.headerName}`);
          state.keyHeaderName = outcome.headerName;
          continue;
        }
        return { message: vscode.l10n.t('APIM did not find the key in the {0} header ("{1}").', state.keyHeaderName, result.message ?? '') };
      }
      if (outcome.kind === 'notFound') return { message: vscode.l10n.t('APIM has no API at this path ({0}). Go back and check the URL.', result.status) };
      return undefined;
    }
    return undefined;
  }

  private async askTenant(input: MultiStepInput, state: WizardState, common: { title: string; step: number; totalSteps: number }): Promise<void> {
    const prm = state.detection?.reached ? state.detection.prm : undefined;
    state.tenant = (
      await input.showInputBox({
        ...common,
        value: state.tenant,
        prompt: prm?.tenant
          ? vscode.l10n.t('Entra tenant (from the server\'s protected-resource metadata).')
          : vscode.l10n.t('Entra tenant id or domain that issues tokens for this API.'),
        placeholder: 'contoso.onmicrosoft.com',
        validate: (v) => (v.trim() ? localize(tenantProblem(v)) : undefined),
        validateOnAccept: async (v) => localize(tenantProblem(v)),
      })
    ).trim();
  }

  private async askScopes(input: MultiStepInput, state: WizardState, common: { title: string; step: number; totalSteps: number }): Promise<void> {
    const prm = state.detection?.reached ? state.detection.prm : undefined;
    state.scopes = (
      await input.showInputBox({
        ...common,
        value: state.scopes,
        prompt: prm?.scopes.length
          ? vscode.l10n.t('API scope (from the protected-resource metadata). An app ID URI alone means <uri>/.default.')
          : vscode.l10n.t('API scope, for example api://<app-id>/user_impersonation, or its app ID URI.'),
        placeholder: 'api://00000000-0000-0000-0000-000000000000/user_impersonation',
        validateOnAccept: async (v) => localize(scopesProblem(v)),
      })
    ).trim();
  }

  private async askClientId(input: MultiStepInput, state: WizardState, common: { title: string; step: number; totalSteps: number }): Promise<void> {
    state.clientId = (
      await input.showInputBox({
        ...common,
        value: state.clientId,
        prompt: vscode.l10n.t('Optional: your own app registration\'s client id. Leave empty to sign in with VS Code\'s.'),
        placeholder: vscode.l10n.t('(empty: VS Code\'s client)'),
        validate: (v) => localize(clientIdProblem(v)),
      })
    ).trim();
  }

  private async askTarget(input: MultiStepInput, state: WizardState, common: { title: string; step: number; totalSteps: number }): Promise<void> {
    const desc = this.description(state);
    const withKey = usesSubscriptionKey(desc.auth);
    const envVar = keyEnvVarName(desc.name);
    type Item = vscode.QuickPickItem & { target: ConfigTargetKind; problem?: string };
    const items: Item[] = [];
    for (const kind of TARGET_KINDS) {
      const availability = this.deps.targets.availability(kind, desc);
      const taken = availability.available && (await this.deps.targets.namesIn(kind)).some((n) => n.toLowerCase() === desc.name.toLowerCase());
      const problem = !availability.available ? availability.reason : taken ? vscode.l10n.t('A server named "{0}" is already there. Go back to choose another name.', desc.name) : undefined;
      const where = availability.available ? availability.path : undefined;
      const label = targetLabel(kind);
      const recommended = kind === 'extension' && (withKey || !desc.prmValid);
      const detail = problem ?? targetDetail(kind, withKey, envVar, where);
      items.push({ target: kind, label, description: problem ? vscode.l10n.t('Unavailable') : recommended ? vscode.l10n.t('Recommended') : undefined, detail, problem });
    }
    let placeholder = vscode.l10n.t('Where should {0} be saved?', desc.name);
    for (;;) {
      const picked = await input.showQuickPick({ ...common, items, activeItem: items.find((i) => i.target === (state.target ?? 'extension')), placeholder });
      if (!picked.problem) {
        state.target = picked.target;
        return;
      }
      placeholder = picked.problem;
    }
  }

  private description(state: WizardState): ServerDescription {
    const url = state.url!;
    const auth = state.auth ?? 'none';
    const entra = usesEntra(auth);
    return {
      name: state.name,
      url: url.href,
      origin: url.origin,
      auth,
      keyHeaderName: state.keyHeaderName,
      tenant: entra && state.tenant ? state.tenant : undefined,
      scopes: entra ? normaliseScopes(state.scopes) : [],
      clientId: entra && state.clientId ? state.clientId : undefined,
      prmValid: state.detection?.reached === true && state.detection.prm?.resourceMatches === true,
    };
  }

  private async allNames(): Promise<string[]> {
    const names: string[] = [];
    for (const kind of TARGET_KINDS) if (this.deps.targets.availability(kind).available) names.push(...(await this.deps.targets.namesIn(kind)));
    return names;
  }

  /**
   * The same steps without UI, for other extensions and tests: detect, check the key, save. People always get
   * the quick input; a key passed here is used once and goes only to SecretStorage.
   */
  async add(spec: AddServerSpec): Promise<AddServerResult> {
    const analysis = analyzeServerUrl(spec.url);
    if (!analysis.ok) return { ok: false, message: analysis.error };
    const url = analysis.value;
    const detection = await detectAuth(this.deps.fetch ?? fetch, url.href, { timeoutMs: DETECT_TIMEOUT_MS });
    this.deps.log.info(`[addServer] ${url.origin}: ${describeDetection(detection)}`);
    const prm = detection.reached ? detection.prm : undefined;
    const state: WizardState = {
      rawUrl: spec.url,
      url,
      detection,
      detectedFor: url.href,
      name: spec.name?.trim() || uniqueName(url.suggestedName, await this.allNames()),
      auth: spec.auth ?? (detection.reached ? detection.suggestedAuth : 'subscriptionKey'),
      keyHeaderName: (detection.reached ? detection.keyChallenge?.headerName : undefined) ?? DEFAULT_KEY_HEADER,
      key: spec.key ? Secret.of(spec.key) : undefined,
      tenant: spec.tenant ?? prm?.tenant ?? '',
      scopes: spec.scopes ?? prm?.scopes.join(' ') ?? '',
      clientId: spec.clientId ?? '',
      target: spec.target,
    };
    const nameProblem = serverNameProblem(state.name);
    if (nameProblem) return { ok: false, message: nameProblem };
    if (usesSubscriptionKey(state.auth!) && state.key) {
      const problem = await this.checkKey(state, state.key);
      if (problem && !problem.retryable) return { ok: false, message: problem.message };
    }
    if (usesEntra(state.auth!)) {
      const problem = tenantProblem(state.tenant) ?? scopesProblem(state.scopes) ?? clientIdProblem(state.clientId);
      if (problem) return { ok: false, message: problem };
    }
    const saved = await this.save(state);
    if (saved.ok && spec.start) await this.start(state, this.description(state), saved);
    return saved;
  }

  /** Writes the config and stores the key; nothing is left behind when either fails. */
  private async save(state: WizardState): Promise<AddServerResult> {
    const { log, targets, keys } = this.deps;
    const desc = this.description(state);
    const kind = state.target!;
    const written = await targets.add(kind, desc);
    if (!written.ok) return { ok: false, message: written.message };
    const keyHandling = CONFIG_TARGETS[kind].keyHandling;
    try {
      if (state.key && usesSubscriptionKey(desc.auth) && keyHandling !== 'passwordInput') await keys.set(desc, state.key);
    } catch (error: unknown) {
      // Without its key the new entry would only fail later: take it back out.
      await targets.remove(kind, desc.name);
      const message = errorMessage(error);
      log.error(`[addServer] ${desc.name}: could not store the key: ${message}`);
      return { ok: false, message: vscode.l10n.t('The key could not be stored in secret storage ({0}).', message) };
    }
    if (keyHandling === 'envVar') await this.deps.terminalEnv.refresh();
    log.info(`[addServer] ${desc.name}: added (${kind}, auth ${desc.auth})`);
    return { ok: true, name: desc.name, target: kind, path: written.path };
  }

  /** Saves, then starts the server where VS Code can, and reports the outcome. */
  private async finish(state: WizardState): Promise<WizardOutcome | undefined> {
    const { log } = this.deps;
    const saved = await this.save(state);
    if (!saved.ok) {
      log.error(`[addServer] ${state.name}: not added: ${saved.message}`);
      void showErrorWithLogs(log, vscode.l10n.t('APIM MCP: {0} was not added. {1}', state.name, saved.message));
      return undefined;
    }
    await this.start(state, this.description(state), saved);
    return saved;
  }

  private async start(state: WizardState, desc: ServerDescription, outcome: WizardOutcome): Promise<void> {
    const { log } = this.deps;
    try {
      if (outcome.target === 'extension') await this.startProvided(desc);
      else await this.startFromFile(state, desc, outcome);
    } catch (error: unknown) {
      const message = errorMessage(error);
      log.error(`[addServer] ${desc.name}: start failed: ${message}`);
      await this.offerDiagnose(desc, vscode.l10n.t('APIM MCP: {0} was added but did not start. {1}', desc.name, message), outcome);
    }
  }

  private async startProvided(desc: ServerDescription): Promise<void> {
    const { registry, status } = this.deps;
    await waitForEvent(registry.onDidChange, () => registry.find(desc.name) !== undefined, 10_000);
    if (usesEntra(desc.auth)) await vscode.commands.executeCommand('apimMcp.signIn', desc.name);
    await vscode.commands.executeCommand('apimMcp.startServer', desc.name);
    const result = status.get(desc.name);
    if (result.health === 'failing') {
      await this.offerDiagnose(desc, vscode.l10n.t('APIM MCP: {0} was added but cannot connect. {1}', desc.name, result.detail ?? ''), { name: desc.name, target: 'extension' });
      return;
    }
    void vscode.window.showInformationMessage(
      result.health === 'healthy'
        ? vscode.l10n.t('APIM MCP: {0} is connected. Its tools are available in Chat.', desc.name)
        : vscode.l10n.t('APIM MCP: {0} was added and VS Code was asked to start it.', desc.name),
    );
  }

  /** mcp.json and `.mcp.json` servers are VS Code's own: check the gateway answers, ask VS Code to start it, show the file. */
  private async startFromFile(state: WizardState, desc: ServerDescription, outcome: WizardOutcome): Promise<void> {
    const fetchFn = this.deps.fetch ?? fetch;
    const credentials = state.key && usesSubscriptionKey(desc.auth) ? { [desc.keyHeaderName]: state.key } : {};
    const check = usesEntra(desc.auth) ? undefined : await checkGatewayAccess(fetchFn, desc.url, credentials, KEY_CHECK_TIMEOUT_MS);
    if (check && (!check.reached || check.outcome.kind !== 'ok')) {
      const why = !check.reached ? check.error : `${check.status}${check.message ? ` "${check.message}"` : ''}`;
      await this.offerDiagnose(desc, vscode.l10n.t('APIM MCP: {0} was saved to {1}, but the gateway refused the check ({2}).', desc.name, outcome.path ?? '', why), outcome);
      return;
    }
    const id = vsCodeServerId(outcome.target, desc.name, this.workspaceFolderIndex());
    if (id) {
      this.deps.log.info(`[addServer] ${desc.name}: asking VS Code to start ${id}`);
      await Promise.resolve(vscode.commands.executeCommand('workbench.mcp.startServer', id, { waitForLiveTools: true })).catch((error: unknown) => {
        this.deps.log.warn(`[addServer] ${desc.name}: VS Code did not start ${id}: ${errorMessage(error)}`);
      });
    }
    const open = vscode.l10n.t('Open File');
    const message =
      outcome.target === 'copilotCli'
        ? vscode.l10n.t('APIM MCP: {0} was added to the Copilot CLI config. VS Code terminals get its key as {1}.', desc.name, keyEnvVarName(desc.name))
        : CONFIG_TARGETS[outcome.target].keyHandling === 'passwordInput' && usesSubscriptionKey(desc.auth)
          ? vscode.l10n.t('APIM MCP: {0} was added to {1}. VS Code asks for the key once when it starts the server and keeps it encrypted.', desc.name, outcome.path ?? '')
          : vscode.l10n.t('APIM MCP: {0} was added to {1}.', desc.name, outcome.path ?? '');
    void vscode.window.showInformationMessage(message, open).then((c) => {
      if (c === open && outcome.path) void vscode.window.showTextDocument(vscode.Uri.file(outcome.path));
    });
  }

  private workspaceFolderIndex(): number {
    return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.index ?? 0;
  }

  /** Failure: the diagnostics panel when it is installed, else the logs. */
  private async offerDiagnose(desc: ServerDescription, message: string, outcome: WizardOutcome): Promise<void> {
    const diagnose = vscode.l10n.t('Diagnose');
    const showLogs = vscode.l10n.t('Show Logs');
    const choice = await vscode.window.showErrorMessage(message, diagnose, showLogs);
    if (choice === diagnose) {
      const commands = await vscode.commands.getCommands(true);
      if (commands.includes('apimMcp.diagnose')) await vscode.commands.executeCommand('apimMcp.diagnose', outcome.target === 'extension' ? desc.name : desc.url);
      else this.deps.log.show();
    } else if (choice === showLogs) {
      this.deps.log.show();
    }
  }
}

/** VS Code's id for a server from a config file (research §2.5; `mcp.config.<configPathId>.<name>` in 1.139). */
export function vsCodeServerId(target: ConfigTargetKind, name: string, folderIndex: number): string | undefined {
  switch (target) {
    case 'userMcpJson':
      return `mcp.config.usrlocal.${name}`;
    case 'workspaceMcpJson':
      return `mcp.config.ws${folderIndex}.${name}`;
    case 'rootDotMcpJson':
      return `workspace-dot-mcp.${folderIndex}.${name}`;
    default:
      return undefined;
  }
}

function targetLabel(kind: ConfigTargetKind): string {
  switch (kind) {
    case 'extension':
      return vscode.l10n.t('$(key) VS Code, managed by APIM MCP');
    case 'workspaceMcpJson':
      return vscode.l10n.t('$(folder) Workspace .vscode/mcp.json');
    case 'userMcpJson':
      return vscode.l10n.t('$(account) User mcp.json');
    case 'rootDotMcpJson':
      return vscode.l10n.t('$(file) Workspace root .mcp.json (Copilot agents)');
    case 'copilotCli':
      return vscode.l10n.t('$(terminal) Copilot CLI (~/.copilot/mcp-config.json)');
  }
}

function targetDetail(kind: ConfigTargetKind, withKey: boolean, envVar: string, where: string | undefined): string {
  const suffix = where ? ` ${where}` : '';
  switch (kind) {
    case 'extension':
      return withKey
        ? vscode.l10n.t('The key stays in VS Code\'s secret storage, bound to this server\'s origin; only non-secret fields go to your user settings.')
        : vscode.l10n.t('The extension signs in for the server; only non-secret fields go to your user settings.');
    case 'workspaceMcpJson':
    case 'userMcpJson':
      return (withKey ? vscode.l10n.t('The key becomes a password input: VS Code asks once and keeps it encrypted.') : vscode.l10n.t('VS Code connects and signs in by itself.')) + suffix;
    case 'rootDotMcpJson':
    case 'copilotCli':
      return (withKey ? vscode.l10n.t('The header references the environment variable {0}; VS Code terminals get it from secret storage.', envVar) : vscode.l10n.t('No secret in the file.')) + suffix;
  }
}

function describeDetection(d: AuthDetection): string {
  if (!d.reached) return `not reached (${d.error})`;
  const parts = [`answered ${d.status} (${d.outcome.kind})`, `suggests ${d.suggestedAuth}`];
  if (d.keyChallenge) parts.push(`key header ${d.keyChallenge.headerName}`);
  if (d.bearer) parts.push(`Bearer challenge${d.bearer.resourceMetadata ? ' with resource_metadata' : ''}`);
  if (d.prm) parts.push(`PRM tenant ${d.prm.tenant ?? '?'}, scopes ${d.prm.scopes.join(' ') || '-'}, resource ${d.prm.resourceMatches ? 'matches' : 'differs'}`);
  if (d.prmProblem) parts.push(`PRM: ${d.prmProblem}`);
  return parts.join('; ');
}

