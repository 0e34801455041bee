import * as vscode from 'vscode';
import type { ServerEntry } from '../../core/config/configEntries';
import { isPanelState, PANEL_VIEW_TYPE, type PanelState } from '../../shared/protocol';
import { DiagnosticsPanel, headerFor, type PanelDeps } from './diagnosticsPanel';
import { webviewOptions } from './panelPage';

/**
 * All diagnostics panels, one per server, and what brings them back after a reload (the serializer registered at
 * activation, registerTroubleshooting.ts, hands restored panels here).
 */
export class DiagnosticsPanels implements vscode.WebviewPanelSerializer<unknown>, vscode.Disposable {
  private readonly panels = new Map<string, DiagnosticsPanel>();

  constructor(private readonly deps: PanelDeps) {}

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
  }
}
