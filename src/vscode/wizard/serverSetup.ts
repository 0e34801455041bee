import * as vscode from 'vscode';
import { checkGatewayAccess } from '../../core/apim/startupCheck';
import { errorMessage } from '../../core/basics';
import {
  planDescription,
  planFromPrefill,
  planFromSpec,
  planProblem,
  type AddServerPrefill,
  type AddServerSpec,
  type HeadlessPlacement,
  type PlanWithUrl,
} from '../../core/config/addServerPlan';
import type { ServerDescription } from '../../core/config/serverEntries';
import { entryId } from '../../core/config/configEntries';
import { CONFIG_TARGETS, TARGET_KINDS, type ConfigTargetKind } from '../../core/config/targets';
import { detectAuth, type AuthDetection } from '../../core/probe/detectAuth';
import type { FetchLike } from '../../core/probe/nodeFetch';
import type { Secret } from '../../core/secret';
import { keyEnvVarName } from '../../core/secrets/envVars';
import { usesEntra, usesSubscriptionKey } from '../../core/serverRecord';
import { analyzeServerUrl, type UrlAnalysis } from '../../core/url/serverUrl';
import type { ConfigTargets } from '../config/configTargets';
import type { TerminalKeyEnvironment } from '../config/terminalKeyEnvironment';
import { showErrorWithLogs } from '../errorNotice';
import { waitForEvent } from '../events';
import { startInVsCodeAndObserve, vsCodeIdOf } from '../mcp/fileServers';
import type { ServerRegistry } from '../serverRegistry';
import type { ServerStatusStore } from '../serverStatus';
import type { SubscriptionKeyStore } from '../subscriptionKeyStore';
import { fieldProblemText } from './fieldProblems';
import { subscriptionKeyInputProblem } from '../secretInput';

const DETECT_TIMEOUT_MS = 10_000;
const KEY_CHECK_TIMEOUT_MS = 10_000;

export interface SetupDeps {
  readonly registry: ServerRegistry;
  readonly keys: SubscriptionKeyStore;
  readonly status: ServerStatusStore;
  readonly targets: ConfigTargets;
  readonly terminalEnv: TerminalKeyEnvironment;
  readonly log: vscode.LogOutputChannel;
  readonly fetch?: FetchLike;
}

/** Where a server was added. */
export interface AddServerOutcome {
  readonly name: string;
  readonly target: ConfigTargetKind;
  readonly path?: string;
  /** For the mcp.json files VS Code reads: whether VS Code holds the file as written (see whenVsCodeHasRead). */
  readonly vscodeRead?: boolean;
}

export type AddServerResult = ({ ok: true } & AddServerOutcome) | { ok: false; message: string };

/** Why a key was not accepted; `retryable` when the gateway could not be asked, so the key may be kept unverified. */
export interface KeyProblem {
  readonly message: string;
  readonly retryable?: boolean;
}

/**
 * What happens once a server is planned, whoever planned it (the quick input, Add from Azure, or code): the gateway
 * checks (detection and the key), saving it where it goes with its key, starting it in VS Code, and offering
 * Diagnose when that fails. Nothing is written before `save`, and a failed key store takes the new entry back out.
 */
export class ServerSetup {
  constructor(private readonly deps: SetupDeps) {}

  /** The names already used in every target this window can write, so a suggested name can be made unique. */
  async takenNames(): Promise<string[]> {
    const { targets } = this.deps;
    const names: string[] = [];
    for (const kind of TARGET_KINDS) if (targets.availability(kind).available) names.push(...(await targets.namesIn(kind)));
    return names;
  }

  /** One unauthenticated `initialize` (plus PRM when a Bearer challenge names it). Never sends a secret. */
  async detect(url: UrlAnalysis, signal?: AbortSignal): Promise<AuthDetection> {
    const result = await detectAuth(this.fetch(), url.href, { timeoutMs: DETECT_TIMEOUT_MS, signal });
    this.deps.log.info(`[addServer] ${url.origin}: ${describeDetection(result)}`);
    return result;
  }

  /**
   * Sends one `initialize` with the key, to the server's origin only. APIM's "invalid subscription key" is a problem;
   * a key challenge that names another header moves the plan to that header and asks again.
   */
  async checkKey(plan: PlanWithUrl, key: Secret): Promise<KeyProblem | undefined> {
    const { log } = this.deps;
    const { url } = plan;
    // Refused before anything is sent or stored: a control character would leak the key through the header error.
    const unusable = subscriptionKeyInputProblem(key.reveal());
    if (unusable) return { message: unusable };
    for (let attempt = 0; attempt < 2; attempt++) {
      log.trace(`[addServer] ${plan.name}: checking the key, sent as ${plan.keyHeaderName} to ${url.origin} only`);
      const result = await checkGatewayAccess(this.fetch(), url.href, { [plan.keyHeaderName]: key }, KEY_CHECK_TIMEOUT_MS);
      if (!result.reached) {
        log.warn(`[addServer] ${plan.name}: could not verify the key, ${result.error}`);
        return { message: vscode.l10n.t('Could not reach {0} to check the key ({1}). Press Enter again to keep it unverified.', url.origin, result.error), retryable: true };
      }
      log.info(`[addServer] ${plan.name}: key check answered ${result.status} (${result.outcome.kind})`);
      const outcome = result.outcome;
      if (outcome.kind === 'keyInvalid') return { message: vscode.l10n.t('APIM rejected this key: "{0}"', result.message ?? 'invalid subscription key') };
      if (outcome.kind === 'keyNotRecognised') {
        return { message: vscode.l10n.t('APIM did not recognise the key sent in the {0} header (it answered "{1}"). Check that the whole key was pasted.', outcome.headerName, result.message ?? '') };
      }
      if (outcome.kind === 'keyMissing') {
        if (outcome.headerName && outcome.headerName.toLowerCase() !== plan.keyHeaderName.toLowerCase()) {
          log.info(`[addServer] ${plan.name}: the API expects the key in ${outcome.headerName}`);
          plan.keyHeaderName = outcome.headerName;
          continue;
        }
        return { message: vscode.l10n.t('APIM did not find the key in the {0} header ("{1}").', plan.keyHeaderName, result.message ?? '') };
      }
      if (outcome.kind === 'notFound') return { message: vscode.l10n.t('APIM has no API at this path ({0}). Go back and check the URL.', result.status) };
      return undefined;
    }
    return undefined;
  }

  /**
   * The wizard's steps without UI, for other extensions and tests: detect, check the key, save, and start when asked.
   * People always get the quick input; a key passed here is used once and goes only to SecretStorage.
   */
  async add(spec: AddServerSpec): Promise<AddServerResult> {
    const analysis = analyzeServerUrl(spec.url);
    if (!analysis.ok) return { ok: false, message: analysis.error };
    const url = analysis.value;
    const plan = planFromSpec(spec, url, await this.detect(url), await this.takenNames());
    const problem = planProblem(plan);
    if (problem) return { ok: false, message: fieldProblemText(problem) };
    if (plan.key && usesSubscriptionKey(planDescription(plan).auth)) {
      const keyProblem = await this.checkKey(plan, plan.key);
      if (keyProblem && !keyProblem.retryable) return { ok: false, message: keyProblem.message };
    }
    return this.saveAndMaybeStart(plan, spec.target, spec.start);
  }

  /** A prefilled server (Add from Azure) saved without UI, to `placement.target`. */
  async addPrefilled(prefill: AddServerPrefill, placement: HeadlessPlacement): Promise<AddServerResult> {
    const analysis = analyzeServerUrl(prefill.url);
    if (!analysis.ok) return { ok: false, message: analysis.error };
    const plan = planFromPrefill(prefill, analysis.value, await this.takenNames(), placement);
    const problem = planProblem(plan);
    if (problem) return { ok: false, message: fieldProblemText(problem) };
    return this.saveAndMaybeStart(plan, placement.target, placement.start);
  }

  /** The end of the quick input: saves, starts the server where VS Code can, and reports the outcome. */
  async finish(plan: PlanWithUrl, target: ConfigTargetKind): Promise<AddServerOutcome | undefined> {
    const saved = await this.save(plan, target);
    if (!saved.ok) {
      this.deps.log.error(`[addServer] ${plan.name}: not added: ${saved.message}`);
      void showErrorWithLogs(this.deps.log, vscode.l10n.t('APIM MCP: {0} was not added. {1}', plan.name, saved.message));
      return undefined;
    }
    await this.start(plan, saved);
    return saved;
  }

  private async saveAndMaybeStart(plan: PlanWithUrl, target: ConfigTargetKind, start: boolean | undefined): Promise<AddServerResult> {
    const saved = await this.save(plan, target);
    if (saved.ok && start) await this.start(plan, saved);
    return saved;
  }

  /** Writes the config and stores the key; nothing is left behind when either fails. */
  private async save(plan: PlanWithUrl, kind: ConfigTargetKind): Promise<AddServerResult> {
    const { log, targets, keys } = this.deps;
    const desc = planDescription(plan);
    const written = await targets.add(kind, desc);
    if (!written.ok) return { ok: false, message: written.message };
    const keyHandling = CONFIG_TARGETS[kind].keyHandling;
    try {
      if (plan.key && usesSubscriptionKey(desc.auth) && keyHandling !== 'passwordInput') await keys.set(desc, plan.key);
    } catch (error: unknown) {
      // Without its key the new entry would only fail later: take it back out.
      await targets.remove(kind, desc.name);
      const message = errorMessage(error);
      log.error(`[addServer] ${desc.name}: could not store the key: ${message}`);
      return { ok: false, message: vscode.l10n.t('The key could not be stored in secret storage ({0}).', message) };
    }
    if (keyHandling === 'envVar') await this.deps.terminalEnv.refresh();
    log.info(`[addServer] ${desc.name}: added (${kind}, auth ${desc.auth})`);
    return { ok: true, name: desc.name, target: kind, path: written.path, vscodeRead: written.vscodeRead };
  }

  private async start(plan: PlanWithUrl, outcome: AddServerOutcome): Promise<void> {
    const desc = planDescription(plan);
    try {
      if (outcome.target === 'extension') await this.startProvided(desc);
      else await this.startFromFile(plan.key, desc, outcome);
    } catch (error: unknown) {
      const message = errorMessage(error);
      this.deps.log.error(`[addServer] ${desc.name}: start failed: ${message}`);
      await this.offerDiagnose(desc, vscode.l10n.t('APIM MCP: {0} was added but did not start. {1}', desc.name, message), outcome);
    }
  }

  /** An extension-managed server: sign in when it uses Entra, then the same Start Server as the Servers view. */
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

  /**
   * A server in a file: VS Code starts the ones it reads (an mcp.json asks for the key itself, in its own prompt);
   * the Copilot CLI config is only saved.
   */
  private async startFromFile(key: Secret | undefined, desc: ServerDescription, outcome: AddServerOutcome): Promise<void> {
    const keyHandling = CONFIG_TARGETS[outcome.target].keyHandling;
    if (outcome.target === 'copilotCli') {
      void this.showAdded(vscode.l10n.t('APIM MCP: {0} was added to the Copilot CLI config. VS Code terminals get its key as {1}.', desc.name, keyEnvVarName(desc.name)), outcome);
      return;
    }
    if (keyHandling === 'envVar' && !(await this.gatewayAccepts(key, desc, outcome))) return;
    if (outcome.vscodeRead === false) {
      await this.offerDiagnose(desc, vscode.l10n.t('APIM MCP: {0} was saved to {1}, but VS Code has not read the file yet, so it cannot start it. Run "Developer: Reload Window", then start it from MCP: List Servers.', desc.name, outcome.path ?? ''), outcome);
      return;
    }
    const id = vsCodeIdOf(outcome.target, desc.name, this.deps.targets.workspaceFolder?.index ?? 0)!;
    const asksForKey = keyHandling === 'passwordInput' && usesSubscriptionKey(desc.auth);
    const title = asksForKey
      ? vscode.l10n.t('VS Code keeps the key of {0} in its own secret storage and asks for it now.', desc.name)
      : vscode.l10n.t('Starting {0} in VS Code…', desc.name);
    const started = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, () => startInVsCodeAndObserve(id, this.deps.log));
    if (started.toolsAdded === 0) {
      await this.offerDiagnose(desc, vscode.l10n.t('APIM MCP: {0} was added to {1}, but VS Code did not list its tools. MCP: List Servers shows its state.', desc.name, outcome.path ?? ''), outcome);
      return;
    }
    this.deps.status.setFileStarted(entryId(outcome.target, desc.name, outcome.path), desc.name, started.toolsAdded);
    void this.showAdded(vscode.l10n.t('APIM MCP: {0} is running in VS Code with {1} tool(s), available in Chat. It is saved in {2}.', desc.name, started.toolsAdded, outcome.path ?? ''), outcome);
  }

  /** `.mcp.json` reads its key from an environment variable: one request with the key first, so a refusal is explained. */
  private async gatewayAccepts(key: Secret | undefined, desc: ServerDescription, outcome: AddServerOutcome): Promise<boolean> {
    const credentials = key && usesSubscriptionKey(desc.auth) ? { [desc.keyHeaderName]: key } : {};
    const check = usesEntra(desc.auth) ? undefined : await checkGatewayAccess(this.fetch(), desc.url, credentials, KEY_CHECK_TIMEOUT_MS);
    if (!check || (check.reached && check.outcome.kind === 'ok')) return true;
    const why = !check.reached ? check.error : `${check.status}${check.message ? ` "${check.message}"` : ''}`;
    await this.offerDiagnose(desc, vscode.l10n.t('APIM MCP: {0} was saved to {1}, but the gateway refused the check ({2}).', desc.name, outcome.path ?? '', why), outcome);
    return false;
  }

  private async showAdded(message: string, outcome: AddServerOutcome): Promise<void> {
    const open = vscode.l10n.t('Open File');
    const choice = await vscode.window.showInformationMessage(message, open);
    if (choice === open && outcome.path) await vscode.window.showTextDocument(vscode.Uri.file(outcome.path));
  }

  /** Failure: the diagnostics panel when that feature is running, else the logs. */
  private async offerDiagnose(desc: ServerDescription, message: string, outcome: AddServerOutcome): Promise<void> {
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

  private fetch(): FetchLike {
    return this.deps.fetch ?? fetch;
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
