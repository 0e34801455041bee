import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Diagnosis } from '../../core/diagnosis';
import { hasErrors } from '../../core/diagnosis/finding';
import { lookupAadsts, aadstsErrorUrl } from '../../core/entra/aadstsCatalogue';
import { parseAadstsText } from '../../core/entra/aadstsText';
import { identifyRedirectUri, PLATFORM_LABEL } from '../../core/entra/redirectUris';
import { Secret } from '../../core/secret';
import { usesEntra, usesSubscriptionKey } from '../../core/serverRecord';
import { isPanelState, MAX_PASTE_LENGTH, PANEL_VIEW_TYPE, parseWebviewMessage, type DiagnosisView, type HostMessage, type PanelState, type PasteResultView, type ServerAction, type ServerHeader, type WebviewMessage } from '../../shared/protocol';
import { PANEL_STRINGS, type PanelStrings } from '../../shared/strings';
import type { ConfigSources } from '../configSources';
import { SOURCE_LABELS } from '../configSources';
import { AUTH_LABELS, type ServersTreeDataProvider } from '../serversView';
import { showErrorWithLogs } from '../errorNotice';
import type { ServerEntry } from './configEntries';
import { applyConfigFix, fixFor } from './configFixes';
import { toDiagnosisView } from './diagnosisView';
import { DiagnosisCancelledError, runDiagnosis, type PolicyLocation, type RunnerDeps } from './diagnosisRunner';
import { errorMessage } from '../../core/basics';

export interface PanelDeps extends RunnerDeps {
  readonly extensionUri: vscode.Uri;
  readonly sources: ConfigSources;
  readonly tree: ServersTreeDataProvider;
}

/** Built assets only: the webview may load nothing else. */
function assetRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: assetRoots(extensionUri), retainContextWhenHidden: false, enableFindWidget: true };
}

function localisedStrings(): PanelStrings {
  return Object.fromEntries(Object.entries(PANEL_STRINGS).map(([k, v]) => [k, vscode.l10n.t(v)])) as PanelStrings;
}

function attr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The panel's page: strict CSP, one nonce'd external script, external styles, no inline code. */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const nonce = randomBytes(18).toString('base64');
  const asset = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${attr(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="apim-mcp-strings" content="${attr(JSON.stringify(localisedStrings()))}">
<link rel="stylesheet" href="${attr(asset('dist', 'codicons', 'codicon.css'))}">
<link rel="stylesheet" href="${attr(asset('media', 'panel.css'))}">
<title>${attr(title)}</title>
</head>
<body>
<main id="app"></main>
<div id="notice" class="notice" role="status" aria-live="polite"></div>
<script nonce="${nonce}" src="${attr(asset('dist', 'webview.js'))}"></script>
</body>
</html>`;
}

function headerFor(entry: ServerEntry): ServerHeader {
  const actions: ServerAction[] = ['openConfig'];
  if (entry.record && usesSubscriptionKey(entry.auth)) actions.push('setKey');
  if (entry.record && usesEntra(entry.auth)) actions.push('signIn');
  if (usesEntra(entry.auth)) actions.push('diagnoseWithToken');
  return {
    id: entry.id,
    name: entry.name,
    url: entry.url,
    auth: AUTH_LABELS[entry.auth],
    source: entry.file ? `${SOURCE_LABELS[entry.source]} (${entry.file})` : SOURCE_LABELS[entry.source],
    actions,
  };
}

/** What the "paste an error" box shows for the text: the AADSTS codes explained, the redirect URI identified. */
export function explainPastedError(text: string): PasteResultView {
  const parsed = parseAadstsText(text);
  const lines: { label: string; value: string }[] = [];
  for (const code of parsed.codes) {
    const entry = lookupAadsts(code);
    lines.push({ label: `AADSTS${code}`, value: entry ? `${entry.meaning} (${entry.findingId})` : vscode.l10n.t('Not in the catalogue.') });
    if (entry) lines.push({ label: vscode.l10n.t('Fix'), value: entry.fix });
    lines.push({ label: vscode.l10n.t('Reference'), value: aadstsErrorUrl(code) });
  }
  if (parsed.description) lines.push({ label: vscode.l10n.t('Message'), value: parsed.description });
  if (parsed.appId) lines.push({ label: vscode.l10n.t('App id'), value: parsed.appId });
  if (parsed.redirectUri) {
    const known = identifyRedirectUri(parsed.redirectUri);
    lines.push({
      label: vscode.l10n.t('Redirect URI'),
      value: known ? vscode.l10n.t('{0}: {1}, register it under "{2}"', parsed.redirectUri, known.client, PLATFORM_LABEL[known.platform]) : parsed.redirectUri,
    });
  }
  if (parsed.tenant) lines.push({ label: vscode.l10n.t('Tenant'), value: parsed.tenant });
  if (parsed.traceId) lines.push({ label: vscode.l10n.t('Trace ID'), value: parsed.traceId });
  if (parsed.correlationId) lines.push({ label: vscode.l10n.t('Correlation ID'), value: parsed.correlationId });
  if (parsed.timestamp) lines.push({ label: vscode.l10n.t('Timestamp'), value: parsed.timestamp });
  if (!parsed.codes.length && !parsed.redirectUri) return { lines, error: vscode.l10n.t('No AADSTS code or redirect URI found in the text.') };
  return { lines };
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
      const text = errorMessage(error);
      this.deps.log.error(`[panel] ${message.type}: ${text}`);
      void showErrorWithLogs(this.deps.log, vscode.l10n.t('APIM MCP: {0}', text));
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
    const safeName = this.state.server.name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'server';
    const target = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Save the redacted diagnosis report'),
      defaultUri: folder ? vscode.Uri.joinPath(folder, `apim-mcp-diagnosis-${safeName}.md`) : undefined,
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
        const pasted = await vscode.window.showInputBox({
          title: vscode.l10n.t('Access token for {0}', entry.name),
          prompt: vscode.l10n.t('Paste an Entra ID access token (for example from az account get-access-token). It is used for this run only and never stored or shown.'),
          password: true,
          ignoreFocusOut: true,
        });
        const token = pasted?.trim().replace(/^Bearer\s+/i, '');
        if (token) await this.run(Secret.of(token));
        return;
      }
    }
  }

  /** Runs the diagnosis with progress in the panel and a cancellable notification. */
  async run(pastedToken?: Secret): Promise<void> {
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
            pastedToken,
            progress: (message) => {
              progress.report({ message });
              if (this.running === controller) this.setState({ ...this.state, run: { kind: 'running', message } });
            },
          });
          if (this.running !== controller) return;
          this.diagnosis = result.diagnosis;
          this.policy = result.policy;
          const diagnosis = toDiagnosisView(result.diagnosis, {
            notes: result.notes,
            applicableFix: (finding) => fixFor(finding, entry)?.label,
            policyTools: new Set(result.policy.keys()),
          });
          const errors = result.diagnosis.findings.filter((f) => f.severity === 'error');
          this.deps.tree.setDiagnosed(entry.id, hasErrors(result.diagnosis) ? 'failing' : 'healthy', errors[0]?.title);
          this.setState({ ...this.state, run: { kind: 'idle' }, diagnosis });
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

/** All diagnostics panels, one per server, and the serializer that brings them back after a reload. */
export class DiagnosticsPanels implements vscode.WebviewPanelSerializer<unknown>, vscode.Disposable {
  private readonly panels = new Map<string, DiagnosticsPanel>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: PanelDeps) {
    this.disposables.push(vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, this));
  }

  /** Opens (or reveals) the panel for a server; runs the diagnosis when asked to. */
  async show(entry: ServerEntry, options: { run: boolean }): Promise<DiagnosticsPanel> {
    let panel = this.panels.get(entry.id);
    if (panel) {
      panel.reveal();
    } else {
      const webviewPanel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, entry.name, vscode.ViewColumn.Active, webviewOptions(this.deps.extensionUri));
      panel = this.track(new DiagnosticsPanel(webviewPanel, { version: 1, server: headerFor(entry), run: { kind: 'idle' } }, this.deps));
    }
    if (options.run) await panel.run();
    return panel;
  }

  async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    if (!isPanelState(state)) {
      this.deps.log.warn('[panel] restoring a diagnostics panel without a valid state; closing it');
      webviewPanel.dispose();
      return;
    }
    // A run that was in progress at reload is over; the restored view shows the last finished diagnosis.
    const restored: PanelState = { ...state, run: state.run.kind === 'running' ? { kind: 'cancelled' } : state.run };
    this.panels.get(restored.server.id)?.panel.dispose();
    this.track(new DiagnosticsPanel(webviewPanel, restored, this.deps));
  }

  get(id: string): DiagnosticsPanel | undefined {
    return this.panels.get(id);
  }

  all(): DiagnosticsPanel[] {
    return [...this.panels.values()];
  }

  private track(panel: DiagnosticsPanel): DiagnosticsPanel {
    this.panels.set(panel.id, panel);
    const subscription = panel.onDidDispose(() => {
      if (this.panels.get(panel.id) === panel) this.panels.delete(panel.id);
      subscription.dispose();
    });
    return panel;
  }

  dispose(): void {
    for (const panel of this.panels.values()) panel.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
