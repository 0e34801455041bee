import * as vscode from 'vscode';
import {
  acceptUrl,
  clientIdProblem,
  hasUrl,
  newPlan,
  planDescription,
  planFromPrefill,
  scopesProblem,
  serverNameProblem,
  tenantProblem,
  type AddServerPlan,
  type AddServerPrefill,
  type PlanWithUrl,
} from '../../core/config/addServerPlan';
import { CONFIG_TARGETS, TARGET_KINDS, type ConfigTargetKind } from '../../core/config/targets';
import { flowSteps, keyDetectedWarning, stepCount, urlStepFinding, type WizardFlow, type WizardStep } from '../../core/config/wizardRoute';
import type { AuthDetection } from '../../core/probe/detectAuth';
import { Secret } from '../../core/secret';
import { keyEnvVarName } from '../../core/secrets/envVars';
import { usesSubscriptionKey, type AuthKind } from '../../core/serverRecord';
import { analyzeServerUrl, uniqueName, type UrlAnalysis } from '../../core/url/serverUrl';
import type { ConfigTargets } from '../config/configTargets';
import { targetLabel } from '../config/targetLabels';
import { ButtonSignal, MultiStepInput, type Step, type StepPosition } from '../multiStepInput';
import { subscriptionKeyInputProblem } from '../secretInput';
import { problemText } from './fieldProblems';
import { askSignInMethod, confirmKeyless, saveSignInMethod } from './wizardChoices';
import { authChoiceLabel, pathFixTooltip, urlFindingMessage } from './wizardWords';
import type { AddServerOutcome, AddServerResult, ServerSetup } from './serverSetup';

export interface WizardDeps {
  readonly setup: ServerSetup;
  readonly targets: ConfigTargets;
  readonly log: vscode.LogOutputChannel;
}

type PlanStep = Step<AddServerPlan>;

/** Where a step stands in its flow, or undefined when the flow passes it by. */
type Placer = (step: WizardStep) => StepPosition | undefined;

type AfterUrl = Exclude<WizardStep, 'url'>;

/** A flow's steps after the URL (the full wizard asks the URL first; Add from Azure got it from Azure). */
function stepsAfterUrl(flow: WizardFlow): AfterUrl[] {
  return flowSteps(flow).filter((step): step is AfterUrl => step !== 'url');
}

/** Numbers a flow's steps along its route as the plan now stands (issue 18.6: a total shown never changes). */
function placer(flow: WizardFlow, title: string, plan: AddServerPlan): Placer {
  const browserWindow = vscode.env.uiKind === vscode.UIKind.Web;
  return (step) => {
    const count = stepCount(flow, { auth: plan.auth, target: plan.target, browserWindow }, step);
    return count && { title, ...count };
  };
}

/** The detection the later steps may use: only one that reached the server. */
function reached(plan: AddServerPlan): Extract<AuthDetection, { reached: true }> | undefined {
  return plan.detection?.reached ? plan.detection : undefined;
}

/**
 * APIM MCP: Add Secured MCP Server, the quick-input steps. Nothing is written, stored or started until the last step
 * is accepted (then `ServerSetup.finish`), so Escape at any step leaves no trace. A key typed here stays in memory until
 * it goes to SecretStorage.
 */
export class AddServerWizard {
  /** "Add from Azure…" on the URL step: pick the server and its key from Azure instead of pasting them. */
  private readonly fromAzureButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('azure'), tooltip: vscode.l10n.t('Add from Azure…') };

  constructor(private readonly deps: WizardDeps) {}

  async run(): Promise<AddServerOutcome | undefined> {
    const { log } = this.deps;
    const plan = newPlan();
    const title = vscode.l10n.t('Add Secured MCP Server');
    const at = placer('full', title, plan);
    let completed: boolean;
    try {
      completed = await MultiStepInput.run((input) => this.askUrl(input, plan, at('url')!), plan, stepsAfterUrl('full').map((step) => this.stepFor(step, at)));
    } catch (error: unknown) {
      if (!(error instanceof ButtonSignal) || error.button !== this.fromAzureButton) throw error;
      log.info('[addServer] switching to Add from Azure');
      return vscode.commands.executeCommand<AddServerOutcome | undefined>('apimMcp.addFromAzure');
    }
    if (!completed || !hasUrl(plan) || !plan.target) {
      log.info('[addServer] cancelled; nothing was written');
      return undefined;
    }
    if (plan.signInMethod) await saveSignInMethod(plan.signInMethod, log);
    return this.deps.setup.finish(plan, plan.target);
  }

  /**
   * Continues from a prefill (Add from Azure): the name, the Entra fields when the API validates tokens, and where to
   * save it, with Back between them; then the same save and start as the full wizard.
   */
  async continueWith(prefill: AddServerPrefill): Promise<AddServerResult | undefined> {
    const analysis = analyzeServerUrl(prefill.url);
    if (!analysis.ok) return { ok: false, message: analysis.error };
    const plan = planFromPrefill(prefill, analysis.value, await this.deps.setup.takenNames());
    const title = vscode.l10n.t('Add Secured MCP Server from Azure');
    const [first, ...rest] = stepsAfterUrl('fromAzure').map((step) => this.stepFor(step, placer('fromAzure', title, plan)));
    const completed = await MultiStepInput.run(first, plan, rest);
    if (!completed || !plan.target) {
      this.deps.log.info('[addFromAzure] cancelled; nothing was written');
      return undefined;
    }
    if (plan.signInMethod) await saveSignInMethod(plan.signInMethod, this.deps.log);
    const done = await this.deps.setup.finish(plan, plan.target);
    return done && { ok: true, ...done };
  }

  /** A step after the URL, shown at its place in the route; a step the route passes by keeps no answer. */
  private stepFor(step: AfterUrl, at: Placer): PlanStep {
    return async (input, plan) => {
      const position = at(step);
      if (!position || !hasUrl(plan)) {
        if (step === 'signInMethod') plan.signInMethod = undefined;
        return 'skip';
      }
      switch (step) {
        case 'name':
          return this.askName(input, plan, position);
        case 'auth':
          return this.askAuth(input, plan, position);
        case 'target':
          return this.askTarget(input, plan, position);
        case 'key':
          return this.askKey(input, plan, position);
        case 'tenant':
          return this.askTenant(input, plan, position);
        case 'scopes':
          return this.askScopes(input, plan, position);
        case 'signInMethod':
          return askSignInMethod(input, plan, position);
        case 'clientId':
          return this.askClientId(input, plan, position);
      }
    };
  }

  private async askUrl(input: MultiStepInput, plan: AddServerPlan, position: StepPosition): Promise<void> {
    // The finding already shown for a URL: Enter again goes on with it.
    let confirmed: string | undefined;
    const value = await input.showInputBox({
      ...position,
      value: plan.rawUrl,
      prompt: vscode.l10n.t('The MCP endpoint, as shown in the Azure portal (APIM > MCP servers > Server URL).'),
      placeholder: 'https://contoso.azure-api.net/products/mcp',
      buttons: [this.fromAzureButton],
      validate: (raw) => {
        if (!raw.includes('://')) return undefined;
        const analysis = analyzeServerUrl(raw);
        if (!analysis.ok) return analysis.error;
        // The legacy SSE path is known before anything is sent.
        const finding = urlStepFinding(analysis.value, undefined);
        return finding && urlFindingMessage(finding, 'typed');
      },
      rewrite: (raw) => {
        const analysis = analyzeServerUrl(raw);
        const suggested = analysis.ok ? analysis.value.suggestedUrl : undefined;
        return suggested ? { tooltip: pathFixTooltip(suggested), value: suggested } : undefined;
      },
      validateOnAccept: async (raw) => {
        const analysis = analyzeServerUrl(raw);
        if (!analysis.ok) return analysis.error;
        const url = analysis.value;
        if (plan.detectedFor !== url.href) {
          plan.detection = await this.detect(url);
          plan.detectedFor = url.href;
        }
        const finding = urlStepFinding(url, plan.detection);
        const shown = finding && `${finding.kind} ${url.href}`;
        if (!finding || confirmed === shown) return undefined;
        confirmed = shown;
        return urlFindingMessage(finding, 'accepted', url.origin);
      },
    });
    const analysis = analyzeServerUrl(value);
    if (!analysis.ok) throw new Error(analysis.error);
    acceptUrl(plan, value, analysis.value);
  }

  /** The detection under a cancellable progress notification; undefined when the person cancelled it. */
  private detect(url: UrlAnalysis): Promise<AuthDetection | undefined> {
    return Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking what {0} asks for…', url.origin), cancellable: true },
        async (_progress, token) => {
          const controller = new AbortController();
          const listener = token.onCancellationRequested(() => controller.abort());
          try {
            const result = await this.deps.setup.detect(url, controller.signal);
            if (!token.isCancellationRequested) return result;
            this.deps.log.info('[addServer] detection cancelled');
            return undefined;
          } finally {
            listener.dispose();
          }
        },
      ),
    );
  }

  private async askName(input: MultiStepInput, plan: PlanWithUrl, position: StepPosition): Promise<void> {
    const suggested = plan.name || uniqueName(plan.url.suggestedName, await this.deps.setup.takenNames());
    const value = await input.showInputBox({
      ...position,
      value: suggested,
      prompt: vscode.l10n.t('A name for the server, shown in VS Code and Copilot. It must be unique where you save it.'),
      validate: (v) => problemText(serverNameProblem(v)),
    });
    plan.name = value.trim();
  }

  private async askAuth(input: MultiStepInput, plan: AddServerPlan, position: StepPosition): Promise<void> {
    const detection = reached(plan);
    const detected = detection?.suggestedAuth;
    const found = (kind: AuthKind) => (kind === detected ? vscode.l10n.t('Detected') : undefined);
    const details: Record<AuthKind, string> = {
      subscriptionKey: vscode.l10n.t('An APIM subscription key, sent in {0}. Kept in secret storage, never in a file.', plan.keyHeaderName),
      entra: detection?.prm
        ? vscode.l10n.t('Sign in; the server publishes its tenant and scopes (protected-resource metadata).')
        : vscode.l10n.t('Sign in with your Microsoft account; you give the tenant and the API scope.'),
      subscriptionKeyAndEntra: vscode.l10n.t('The API requires both.'),
      none: vscode.l10n.t('The server needs no credentials.'),
    };
    const kinds: AuthKind[] = ['subscriptionKey', 'entra', 'subscriptionKeyAndEntra', 'none'];
    const items = kinds.map((auth) => ({ auth, label: authChoiceLabel(auth), description: found(auth), detail: details[auth] }));
    const ordered = detected ? [...items.filter((i) => i.auth === detected), ...items.filter((i) => i.auth !== detected)] : items;
    const placeholder = !plan.detection
      ? vscode.l10n.t('Detection was skipped. How does the gateway authenticate callers?')
      : !plan.detection.reached
        ? vscode.l10n.t('The server could not be reached. How does the gateway authenticate callers?')
        : vscode.l10n.t('The server answered {0}. How does the gateway authenticate callers?', plan.detection.status);
    const picked = await input.showQuickPick({ ...position, items: ordered, activeItem: ordered.find((i) => i.auth === (plan.auth ?? detected)), placeholder });
    const warning = keyDetectedWarning(plan.detection, picked.auth);
    const auth = warning ? await confirmKeyless(input, position, picked.auth, warning) : picked.auth;
    if (auth !== plan.auth) plan.key = undefined;
    plan.auth = auth;
  }

  private async askKey(input: MultiStepInput, plan: PlanWithUrl, position: StepPosition): Promise<void> {
    let unverified: string | undefined;
    const value = await input.showInputBox({
      ...position,
      title: vscode.l10n.t('Subscription key for {0}', plan.name),
      password: true,
      prompt: vscode.l10n.t('Paste the APIM subscription key. It is checked now, sent as the {0} header to {1} only, and kept in secret storage.', plan.keyHeaderName, plan.url.origin),
      placeholder: vscode.l10n.t('APIM subscription key'),
      validate: (v) => (v.trim() ? subscriptionKeyInputProblem(v.trim()) : undefined),
      validateOnAccept: async (raw) => {
        const v = raw.trim();
        if (!v) return vscode.l10n.t('Enter a key, or press Escape to cancel.');
        const unusable = subscriptionKeyInputProblem(v);
        if (unusable) return unusable;
        if (unverified === v) return undefined;
        const problem = await this.deps.setup.checkKey(plan, Secret.of(v));
        if (problem?.retryable) unverified = v;
        return problem?.message;
      },
    });
    plan.key = Secret.of(value.trim());
  }

  private async askTenant(input: MultiStepInput, plan: AddServerPlan, position: StepPosition): Promise<void> {
    const value = await input.showInputBox({
      ...position,
      value: plan.tenant,
      prompt: reached(plan)?.prm?.tenant
        ? vscode.l10n.t('Entra tenant (from the server\'s protected-resource metadata).')
        : vscode.l10n.t('Entra tenant id or domain that issues tokens for this API.'),
      placeholder: 'contoso.onmicrosoft.com',
      validate: (v) => (v.trim() ? problemText(tenantProblem(v)) : undefined),
      validateOnAccept: async (v) => problemText(tenantProblem(v)),
    });
    plan.tenant = value.trim();
  }

  private async askScopes(input: MultiStepInput, plan: AddServerPlan, position: StepPosition): Promise<void> {
    const value = await input.showInputBox({
      ...position,
      value: plan.scopes,
      prompt: reached(plan)?.prm?.scopes.length
        ? vscode.l10n.t('API scope (from the protected-resource metadata). An app ID URI alone means <uri>/.default.')
        : vscode.l10n.t('API scope, for example api://<app-id>/user_impersonation, or its app ID URI.'),
      placeholder: 'api://00000000-0000-0000-0000-000000000000/user_impersonation',
      validateOnAccept: async (v) => problemText(scopesProblem(v)),
    });
    plan.scopes = value.trim();
  }

  private async askClientId(input: MultiStepInput, plan: AddServerPlan, position: StepPosition): Promise<void> {
    const required = plan.signInMethod === 'deviceCode';
    const value = await input.showInputBox({
      ...position,
      value: plan.clientId,
      prompt: required
        ? vscode.l10n.t('Your app registration\'s Application (client) ID: device code signs in with it.')
        : vscode.l10n.t('Optional: your own app registration\'s client id. Leave empty to sign in with VS Code\'s.'),
      placeholder: required ? '00000000-0000-0000-0000-000000000000' : vscode.l10n.t('(empty: VS Code\'s client)'),
      validate: (v) => problemText(clientIdProblem(v)),
      validateOnAccept: async (v) => problemText(clientIdProblem(v, required)),
    });
    plan.clientId = value.trim();
  }

  private async askTarget(input: MultiStepInput, plan: PlanWithUrl, position: StepPosition): Promise<void> {
    const items = await this.targetChoices(plan);
    const name = plan.name;
    let placeholder = vscode.l10n.t('Where should {0} be saved?', name);
    for (;;) {
      const picked = await input.showQuickPick({ ...position, items, activeItem: items.find((i) => i.target === (plan.target ?? 'extension')), placeholder });
      if (!picked.problem) {
        plan.target = picked.target;
        // VS Code asks for an mcp.json's key itself; a key typed for another target is not carried over.
        if (CONFIG_TARGETS[picked.target].keyHandling === 'passwordInput') plan.key = undefined;
        return;
      }
      placeholder = picked.problem;
    }
  }

  /** One choice per target: where it writes, how the key is kept there, or why it cannot take this server. */
  private async targetChoices(plan: PlanWithUrl): Promise<(vscode.QuickPickItem & { target: ConfigTargetKind; problem?: string })[]> {
    const { targets } = this.deps;
    const desc = planDescription(plan);
    const withKey = usesSubscriptionKey(desc.auth);
    const choices = [];
    for (const kind of TARGET_KINDS) {
      const availability = targets.availability(kind, desc);
      const taken = availability.available && (await targets.namesIn(kind)).some((n) => n.toLowerCase() === desc.name.toLowerCase());
      const problem = !availability.available ? availability.reason : taken ? vscode.l10n.t('A server named "{0}" is already there. Go back to choose another name.', desc.name) : undefined;
      const where = availability.available ? availability.path : undefined;
      const recommended = kind === 'extension' && (withKey || !desc.prmValid);
      const label = targetLabel(kind);
      choices.push({
        target: kind,
        label: `$(${label.icon}) ${label.choice}`,
        description: problem ? vscode.l10n.t('Unavailable') : recommended ? vscode.l10n.t('Recommended') : undefined,
        detail: problem ?? targetDetail(kind, withKey, keyEnvVarName(desc.name), where),
        problem,
      });
    }
    return choices;
  }
}

/** How the key is kept in a target, and the file it writes. */
function targetDetail(kind: ConfigTargetKind, withKey: boolean, envVar: string, where: string | undefined): string {
  const suffix = where ? ` ${where}` : '';
  switch (kind) {
    case 'extension':
      return withKey
        ? vscode.l10n.t('The key stays in VS Code\'s secret storage, bound to this server\'s origin; only non-secret fields go to your user settings.')
        : vscode.l10n.t('The extension signs in for the server; only non-secret fields go to your user settings.');
    case 'workspaceMcpJson':
    case 'userMcpJson':
      return (withKey ? vscode.l10n.t('VS Code asks for the key when it starts the server and keeps it in its own secret storage.') : vscode.l10n.t('VS Code connects and signs in by itself.')) + suffix;
    case 'rootDotMcpJson':
      // VS Code 1.139 lists a root .mcp.json's servers too but expands no variables there (FIDELITY K2), so a key
      // server from this file fails in VS Code itself: say so before the user picks it.
      return (withKey
        ? vscode.l10n.t('For Claude Code and Copilot CLI: the header references the environment variable {0}, which VS Code terminals get from secret storage. VS Code also lists this file but sends {0} unexpanded, so it fails there; in VS Code use the managed target.', envVar)
        : vscode.l10n.t('No secret in the file.')) + suffix;
    case 'copilotCli':
      return (withKey ? vscode.l10n.t('The header references the environment variable {0}; VS Code terminals get it from secret storage.', envVar) : vscode.l10n.t('No secret in the file.')) + suffix;
  }
}
