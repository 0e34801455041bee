import * as vscode from 'vscode';
import { errorMessage } from '../../core/basics';
import type { ServerEntry } from '../../core/config/configEntries';
import type { Diagnosis } from '../../core/diagnosis';
import { hasErrors } from '../../core/diagnosis/finding';
import { credentialAccess } from '../../core/config/credentialAccess';
import { Secret } from '../../core/secret';
import { redactUrl } from '../../core/secrets/urlRedaction';
import { usesEntra, usesSubscriptionKey } from '../../core/serverRecord';
import { toDiagnosisView } from '../../core/diagnosis/diagnosisView';
import { reportFileName } from '../../core/diagnosis/reportFileName';
import { MAX_PASTE_LENGTH, parseWebviewMessage, type DiagnosisView, type HostMessage, type PanelState, type ServerAction, type ServerHeader, type WebviewMessage } from '../../shared/protocol';
import { targetLabel } from '../config/targetLabels';
import { reportFailure } from '../errorNotice';
import { secretInputProblem, subscriptionKeyInputProblem } from '../secretInput';
import type { ConfigSources } from '../servers/configSources';
import { authLabel } from '../servers/serverLabels';
import type { ServersTreeDataProvider } from '../servers/serversView';
import { applyConfigFix, fixFor } from './configFixes';
import { clientVerdictViews } from './clientVerdictsView';
import { DiagnosisCancelledError, keyHeldByVsCode, runDiagnosis, type PolicyLocation, type RunnerDeps } from './diagnosisRunner';
import { panelHtml, webviewOptions } from './panelPage';
import { viewLabels } from './panelText';
import { explainPastedError } from './pastedError';
import { walkthroughStepDone } from '../walkthroughProgress';

export interface PanelDeps extends RunnerDeps {
  readonly extensionUri: vscode.Uri;
  readonly sources: ConfigSources;
  readonly tree: ServersTreeDataProvider;
}

/**
 * The panel's header for a server: what it is, where it is defined, and the actions that apply to it. The URL is shown
 * redacted (a `subscription-key` query parameter is a key); a token can be pasted only where secrets may be used.
 */
export function headerFor(entry: ServerEntry): ServerHeader {
  const actions: ServerAction[] = ['openConfig'];
  if (entry.record && usesSubscriptionKey(entry.auth)) actions.push('setKey');
  if (entry.record && usesEntra(entry.auth)) actions.push('signIn');
  // No box for a token or a key where no secret may be used (Restricted Mode, http to another host).
  const secretsAllowed = credentialAccess(entry, vscode.workspace.isTrusted).allowed;
  if (usesEntra(entry.auth) && secretsAllowed) actions.push('diagnoseWithToken');
  if (keyHeldByVsCode(entry) && secretsAllowed) actions.push('diagnoseWithKey');
  const source = targetLabel(entry.source).name;
  return {
    id: entry.id,
    name: entry.name,
    url: redactUrl(entry.url),
    auth: authLabel(entry.auth),
    source: entry.file ? `${source} (${entry.file})` : source,
    actions,
  };
}

/** One diagnostics panel, for one server. */
export class DiagnosticsPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private state: PanelState;
  private ready = false;
  private running: AbortController | undefined;
  /** The engine's result of this session's last run (redacted); undefined after a reload. */
  private diagnosis: Diagnosis | undefined;
  private policy = new Map<string, PolicyLocation>();
  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this._onDidDispose.event;
  private readonly _onDidChangeState = new vscode.EventEmitter<PanelState>();
  readonly onDidChangeState = this._onDidChangeState.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    state: PanelState,
    private readonly deps: PanelDeps,
  ) {
    this.state = state;
    panel.webview.options = webviewOptions(deps.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'activitybar.svg');
    panel.title = vscode.l10n.t('Diagnose: {0}', state.server.name);
    this.disposables.push(
      this._onDidDispose,
      this._onDidChangeState,
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidDispose(() => this.dispose()),
    );
    panel.webview.html = panelHtml(panel.webview, deps.extensionUri, panel.title);
  }

  get id(): string {
    return this.state.server.id;
  }

  get currentState(): PanelState {
    return this.state;
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  private entry(): ServerEntry | undefined {
    return this.deps.sources.find(this.state.server.id);
  }

  private setState(next: PanelState): void {
    this.state = next;
    this._onDidChangeState.fire(next);
    this.post({ type: 'state', state: next });
  }

  private post(message: HostMessage): void {
    // Nothing is posted before the webview said it is listening (the `ready` handshake).
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private notice(text: string): void {
    this.post({ type: 'notice', text });
  }

  private async receive(raw: unknown): Promise<void> {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.deps.log.warn('[panel] ignored a malformed message from the webview');
      return;
    }
    try {
      await this.handle(message);
    } catch (error: unknown) {
      reportFailure(this.deps.log, `panel ${message.type}`, error);
    }
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.post({ type: 'state', state: this.state });
        return;
      case 'rerun':
        await this.run();
        return;
      case 'cancel':
        this.running?.abort();
        return;
      case 'findingAction':
        await this.findingAction(message.findingId, message.action, message.index);
        return;
      case 'openPolicyForTool':
        await this.openPolicy(message.tool);
        return;
      case 'export':
        await this.exportReport(message.mode);
        return;
      case 'parseError':
        this.setState({ ...this.state, paste: explainPastedError(message.text.slice(0, MAX_PASTE_LENGTH)) });
        return;
      case 'serverAction':
        await this.serverAction(message.action);
        return;
    }
  }

  private view(): DiagnosisView | undefined {
    return this.state.diagnosis;
  }

  private async findingAction(findingId: string, action: string, index: number): Promise<void> {
    // The webview names a finding and an index; what is copied or opened comes from the host's own state.
    const finding = this.view()?.findings.find((f) => f.id === findingId);
    if (!finding) return;
    switch (action) {
      case 'copyCommand': {
        const command = finding.commands[index];
        if (command === undefined) return;
        await vscode.env.clipboard.writeText(command);
        this.notice(vscode.l10n.t('Command copied to the clipboard.'));
        return;
      }
      case 'copySnippet':
        if (!finding.snippet) return;
        await vscode.env.clipboard.writeText(finding.snippet.code);
        this.notice(vscode.l10n.t('Snippet copied to the clipboard.'));
        return;
      case 'openLink': {
        const link = finding.links[index];
        if (!link || !/^https:\/\//i.test(link.url)) return;
        await vscode.env.openExternal(vscode.Uri.parse(link.url, true));
        return;
      }
      case 'openPolicy': {
        const tool = this.view()?.matrix?.rows.find((r) => r.userAllowed === false && this.policy.has(r.tool))?.tool ?? [...this.policy.keys()][0];
        if (tool) await this.openPolicy(tool);
        return;
      }
      case 'applyFix':
        await this.applyFix(findingId);
        return;
    }
  }

  private async applyFix(findingId: string): Promise<void> {
    const entry = this.entry();
    const finding = this.diagnosis?.findings.find((f) => f.id === findingId);
    if (!entry || !finding) {
      this.notice(vscode.l10n.t('Re-run the diagnosis first: the server or its finding is no longer known.'));
      return;
    }
    const fix = fixFor(finding, entry);
    if (!fix) return;
    if (fix.kind === 'command') {
      await vscode.commands.executeCommand(fix.command, entry.name);
      await this.run();
      return;
    }
    const result = await applyConfigFix(entry, fix, this.deps.log);
    this.notice(result.message);
    if (result.ok) {
      await this.deps.sources.refresh();
      await this.run();
    }
  }

  private async openPolicy(tool: string): Promise<void> {
    const location = this.policy.get(tool);
    if (!location) {
      this.notice(vscode.l10n.t('Re-run the diagnosis to locate the policy for {0}.', tool));
      return;
    }
    const position = new vscode.Position(location.line, 0);
    await vscode.window.showTextDocument(location.uri, { selection: new vscode.Range(position, position), viewColumn: vscode.ViewColumn.One, preview: false });
  }

  private async exportReport(mode: 'save' | 'copy'): Promise<void> {
    const report = this.view()?.report;
    if (!report) return;
    if (mode === 'copy') {
      await vscode.env.clipboard.writeText(report);
      this.notice(vscode.l10n.t('Report copied to the clipboard.'));
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Save the redacted diagnosis report'),
      defaultUri: folder ? vscode.Uri.joinPath(folder, reportFileName(this.state.server.name)) : undefined,
      filters: { Markdown: ['md'] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(report));
    this.deps.log.info(`[panel] report saved to ${target.toString(true)}`);
    this.notice(vscode.l10n.t('Report saved to {0}.', vscode.workspace.asRelativePath(target)));
  }

  private async serverAction(action: ServerAction): Promise<void> {
    const entry = this.entry();
    if (!entry) {
      this.notice(vscode.l10n.t('{0} is no longer in any config source.', this.state.server.name));
      return;
    }
    switch (action) {
      case 'openConfig':
        await vscode.commands.executeCommand('apimMcp.openConfig', entry.id);
        return;
      case 'setKey':
        if (entry.record && usesSubscriptionKey(entry.auth)) await vscode.commands.executeCommand('apimMcp.setSubscriptionKey', entry.name);
        return;
      case 'signIn':
        if (entry.record && usesEntra(entry.auth)) await vscode.commands.executeCommand('apimMcp.signIn', entry.name);
        return;
      case 'diagnoseWithToken': {
        const token = await this.askForSecret(entry, 'token');
        if (token) await this.run({ pastedToken: token });
        return;
      }
      case 'diagnoseWithKey': {
        // The key VS Code keeps for an mcp.json server cannot be read by an extension: typed here, used for this run, never stored.
        const key = await this.askForSecret(entry, 'key');
        if (key) await this.run({ oneTimeKey: key });
        return;
      }
    }
  }

  /** A token or key typed for one run, in a password box that says where it goes; none where secrets may not be used. */
  private async askForSecret(entry: ServerEntry, kind: 'token' | 'key'): Promise<Secret | undefined> {
    const origin = new URL(entry.url).origin;
    if (!credentialAccess(entry, vscode.workspace.isTrusted).allowed) {
      this.notice(vscode.l10n.t('Nothing secret is sent to {0}: this folder is not trusted, or the URL is http to another host.', origin));
      return undefined;
    }
    const typed = await vscode.window.showInputBox(
      kind === 'token'
        ? {
            title: vscode.l10n.t('Access token for {0}', entry.name),
            prompt: vscode.l10n.t('Paste an Entra ID access token (for example from az account get-access-token). It is sent as the Authorization header to {0} only, for this run, and is never stored or shown.', origin),
            password: true,
            ignoreFocusOut: true,
            validateInput: (value) => (value.trim() ? secretInputProblem(value.trim()) : undefined),
          }
        : {
            // Not Set Key's title: this key is used once and kept nowhere, and the box says so before anything else.
            title: vscode.l10n.t('Subscription key for {0}: this diagnosis only, not stored', entry.name),
            prompt: vscode.l10n.t('Type the key VS Code keeps for this server. It is sent as the {0} header to {1} only, for this run, and is never stored or shown.', entry.keyHeaderName, origin),
            password: true,
            ignoreFocusOut: true,
            validateInput: (value) => (value.trim() ? subscriptionKeyInputProblem(value.trim()) : undefined),
          },
    );
    const value = kind === 'token' ? typed?.trim().replace(/^Bearer\s+/i, '') : typed?.trim();
    if (!value) return undefined;
    // validateInput only advises: Enter is taken anyway, so the value is checked once more before it is used.
    if ((kind === 'token' ? secretInputProblem(value) : subscriptionKeyInputProblem(value)) !== undefined) return undefined;
    return Secret.of(value);
  }

  /** Runs the diagnosis with progress in the panel and a cancellable notification. */
  async run(oneTime: { pastedToken?: Secret; oneTimeKey?: Secret } = {}): Promise<void> {
    const entry = this.entry();
    if (!entry) {
      this.setState({ ...this.state, run: { kind: 'failed', message: vscode.l10n.t('{0} is no longer in any config source.', this.state.server.name) } });
      return;
    }
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    const server = headerFor(entry);
    this.setState({ ...this.state, server, run: { kind: 'running', message: vscode.l10n.t('Diagnosing {0}…', entry.name) } });
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Diagnosing {0}', entry.name), cancellable: true },
      async (progress, token) => {
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
          const result = await runDiagnosis(entry, this.deps, {
            signal: controller.signal,
            ...oneTime,
            progress: (message) => {
              progress.report({ message });
              if (this.running === controller) this.setState({ ...this.state, run: { kind: 'running', message } });
            },
          });
          if (this.running !== controller) return;
          this.diagnosis = result.diagnosis;
          this.policy = result.policy;
          const diagnosis = toDiagnosisView(result.diagnosis, {
            labels: viewLabels(),
            notes: result.notes,
            applicableFix: (finding) => fixFor(finding, entry)?.label,
            policyTools: new Set(result.policy.keys()),
            clients: clientVerdictViews(entry, this.deps.sources.entries, result.diagnosis.traits, this.deps.terminalVariables),
          });
          const errors = result.diagnosis.findings.filter((f) => f.severity === 'error');
          // A run without the key VS Code keeps says nothing about the server's state: the row keeps what VS Code showed.
          if (!result.keyless) this.deps.tree.setDiagnosed(entry, hasErrors(result.diagnosis) ? 'failing' : 'healthy', errors[0]?.title);
          this.setState({ ...this.state, run: { kind: 'idle' }, diagnosis });
          walkthroughStepDone('diagnose');
        } catch (error: unknown) {
          if (this.running !== controller) return;
          if (error instanceof DiagnosisCancelledError || controller.signal.aborted) {
            this.deps.log.info(`[diagnose] ${entry.name}: cancelled`);
            this.setState({ ...this.state, run: { kind: 'cancelled' } });
            return;
          }
          const message = errorMessage(error);
          this.deps.log.error(`[diagnose] ${entry.name}: ${message}`);
          this.setState({ ...this.state, run: { kind: 'failed', message } });
        } finally {
          subscription.dispose();
          if (this.running === controller) this.running = undefined;
        }
      },
    );
  }

  dispose(): void {
    this.running?.abort();
    this._onDidDispose.fire();
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
  }
}
