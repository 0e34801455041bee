import * as vscode from 'vscode';
import { PANEL_VIEW_TYPE } from '../../shared/protocol';
import type { PolicyExpectationStore } from '../policyExpectationStore';
import type { EntraTokens } from '../auth/lazyEntraTokens';
import type { TokenOriginConsent } from '../auth/tokenOriginConsent';
import type { TargetLocator } from '../config/targetLocations';
import { LazyFeature, requireChunk } from '../lazyFeature';
import type { ConfigSources } from '../servers/configSources';
import type { ServersTreeDataProvider } from '../servers/serversView';
import type { SubscriptionKeyStore } from '../subscriptionKeyStore';
import type { EntryArg, PanelFeature } from './panelFeature';

type PanelChunk = typeof import('./panelFeature');

export interface TroubleshootingDeps {
  readonly extensionUri: vscode.Uri;
  readonly locator: TargetLocator;
  readonly sources: ConfigSources;
  readonly tree: ServersTreeDataProvider;
  readonly keys: SubscriptionKeyStore;
  readonly tokens?: EntraTokens;
  readonly tokenConsent?: TokenOriginConsent;
  readonly policyExpectations?: PolicyExpectationStore;
  readonly terminalVariables: (name: string) => boolean;
  readonly log: vscode.LogOutputChannel;
}

/**
 * Diagnose, Open Config and the diagnostics panels after a reload, as stubs: the panel host (dist/panel.js) loads
 * the first time one of them is used. The serializer is registered here, at activation, because VS Code asks for it
 * when it restores a panel (the onWebviewPanel activation event); it hands the panel to the bundle.
 */
export function registerTroubleshooting(deps: TroubleshootingDeps): vscode.Disposable {
  const { log } = deps;
  const panel = new LazyFeature<PanelFeature>('the diagnostics panel', log, () => requireChunk<PanelChunk>('panel').createPanelFeature(deps));
  const command = (id: string, run: (feature: PanelFeature, arg: EntryArg) => Promise<void>) =>
    vscode.commands.registerCommand(id, async (arg: EntryArg) => run(await panel.get(), arg));

  return vscode.Disposable.from(
    panel,
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (webviewPanel, state) => (await panel.get()).deserializeWebviewPanel(webviewPanel, state),
    }),
    command('apimMcp.diagnose', (feature, arg) => feature.diagnose(arg)),
    command('apimMcp.openConfig', (feature, arg) => feature.openConfig(arg)),
    // A read-only view (no secrets: the redacted panel state), for tests and other extensions. No panel loaded: none open.
    vscode.commands.registerCommand('apimMcp.diagnostics.state', () => panel.loaded?.states() ?? []),
  );
}
