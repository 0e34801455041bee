import * as vscode from 'vscode';
import { Teardown } from '../harness/teardown';
import { activateExtension, mcpServerId, removeAllServers, setServers, type ApimMcpApi } from './helpers';

/** What one vscode-tier suite sets up differently; the rest is the same for every suite. */
export interface ExtensionSuiteSetup {
  /** `apimMcp.servers` for the suite, written once the extension is active and waited for until it has read them. */
  readonly servers?: Record<string, unknown>[];
  /** Other user settings, by their full key (`apimMcp.entra.allowedTokenOrigins`), each put back to unset at the end. */
  readonly settings?: Record<string, unknown>;
}

/** What a suite's setup gets: the extension's API, and where to register what it starts so that it is stopped. */
export type ExtensionSuiteContext = { readonly api: ApimMcpApi } & Pick<Teardown, 'stopAfter' | 'atTeardown'>;

export interface ExtensionSuite {
  readonly api: ApimMcpApi;
}

/**
 * The vscode-tier suite fixture (the e2e tier's is test/harness/workbenchSuite.ts; this one runs inside the extension
 * host, so it lives beside the suites). Registers, in the calling mocha `describe`, a `before` that activates APIM MCP,
 * runs `setUp` and applies its settings and servers, and an `after` that leaves the shared VS Code as the next suite
 * expects it: its servers stopped in VS Code, no editor open, no server configured, the settings unset, and
 * what `setUp` registered stopped (last registered first), even when setup failed halfway.
 */
export function extensionSuite(setUp: (context: ExtensionSuiteContext) => Promise<ExtensionSuiteSetup | void> = async () => undefined): ExtensionSuite {
  const teardown = new Teardown();
  let api: ApimMcpApi | undefined;

  before(async () => {
    const active = await activateExtension();
    api = active;
    const setup = (await setUp({ api: active, stopAfter: teardown.stopAfter, atTeardown: teardown.atTeardown })) ?? {};
    for (const [key, value] of Object.entries(setup.settings ?? {})) {
      teardown.atTeardown(() => vscode.workspace.getConfiguration().update(key, undefined, vscode.ConfigurationTarget.Global));
      await vscode.workspace.getConfiguration().update(key, value, vscode.ConfigurationTarget.Global);
    }
    if (setup.servers) await setServers(active, setup.servers);
  });

  after(async () => {
    // Every server the extension knows, also those a test added: VS Code may have started it. A stop for one it never
    // started is refused, which is fine here.
    for (const name of api?.serverNames() ?? []) await Promise.resolve(vscode.commands.executeCommand('workbench.mcp.stopServer', mcpServerId(name))).catch(() => undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (api) await removeAllServers(api);
    await teardown.run();
  });

  return {
    get api() {
      if (!api) throw new Error("the suite's before hook has not run or failed: APIM MCP is not active");
      return api;
    },
  };
}
