import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before } from 'node:test';
import type { Page } from 'playwright-core';
import { openWorkbench, type Workbench } from './browser';
import { startCodeServer, type CodeServer } from './codeServer';
import { filesUnder } from './files';
import { packagedDriver, packagedExtension } from './packages';
import { Teardown } from './teardown';

/** What one e2e suite's VS Code differs in; everything else is the same for every suite. */
export interface WorkbenchSuiteSetup {
  /** Names the temp folders and the screenshot of a failed test. */
  readonly label: string;
  /** Installs the test-driver extension beside APIM MCP (the sandbox Entra auth provider, claimed commands). */
  readonly testDriver?: boolean;
  /**
   * Opens the folder in Restricted Mode: VS Code's own default, where a folder is trusted only when the person says
   * so. Without it workspace trust is off (QUIET_SETTINGS), so the folder is trusted without a question.
   */
  readonly restrictedMode?: boolean;
  /** Grants the page clipboard read and write, for the suites that press Copy buttons and read what was copied. */
  readonly clipboard?: boolean;
  readonly userSettings?: Record<string, unknown>;
  readonly workspaceFiles?: Record<string, string>;
  readonly userFiles?: Record<string, string>;
  readonly env?: Record<string, string>;
}

/** What a suite's setup registers to be undone when the suite ends: the sandboxes, emulators and proxies it starts. */
export type SuiteTeardown = Pick<Teardown, 'stopAfter' | 'atTeardown'>;

export interface WorkbenchSuite {
  readonly server: CodeServer;
  readonly workbench: Workbench;
  readonly page: Page;
  /** Everything the APIM MCP output channels have written to their log files so far. */
  extensionLog(): string;
  /** For what is started after VS Code (in a test or a later `before`): stopped before VS Code is. */
  readonly teardown: SuiteTeardown;
}

/**
 * The e2e suite fixture: registers, in the calling `describe`, the hooks every e2e suite needs. Before the tests it
 * runs `setUp` (which starts what the suite's VS Code talks to and says how that VS Code differs), starts code-server
 * with the packaged extension and opens the workbench in Chromium. After each failed test it takes a screenshot
 * (`<label>-failed-<test>.png` in test-results), since the page is gone once the suite ends. After the tests it
 * closes the browser, stops code-server by its PID and stops what `setUp` registered, even when setup failed halfway.
 */
export function workbenchSuite(setUp: (teardown: SuiteTeardown) => Promise<WorkbenchSuiteSetup> | WorkbenchSuiteSetup): WorkbenchSuite {
  const teardown = new Teardown();
  let label = 'e2e';
  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the suite's ${what} is not running: its before hook has not run or failed`);
    return value;
  };

  before(async () => {
    const setup = await setUp(teardown);
    label = setup.label;
    const running = teardown.stopAfter(await startCodeServer(codeServerOptions(setup, await extensionsFor(setup))));
    server = running;
    const opened = await openWorkbench(running.url);
    teardown.atTeardown(() => opened.close());
    workbench = opened;
    if (setup.clipboard) await opened.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(running.url).origin });
  });

  afterEach(async (t) => {
    // TestContext.passed is there at run time since Node 20.12; @types/node 20 does not declare it yet.
    if ((t as { passed?: boolean }).passed !== false || !workbench) return;
    await workbench.screenshot(`${label}-failed-${t.name.replace(/\W+/g, '-').slice(0, 80)}`).catch(() => undefined);
  });

  after(() => teardown.run());

  return {
    get server() {
      return started(server, 'code-server');
    },
    get workbench() {
      return started(workbench, 'workbench');
    },
    get page() {
      return started(workbench, 'workbench').page;
    },
    extensionLog: () =>
      filesUnder(join(started(server, 'code-server').userDataDir, 'logs'))
        .filter((f) => /APIM MCP/.test(f))
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n'),
    teardown,
  };
}

async function extensionsFor(setup: WorkbenchSuiteSetup): Promise<string[]> {
  return setup.testDriver ? [await packagedExtension(), await packagedDriver()] : [await packagedExtension()];
}

function codeServerOptions(setup: WorkbenchSuiteSetup, extensions: string[]) {
  const trust = setup.restrictedMode ? { 'security.workspace.trust.enabled': true } : {};
  return {
    label: setup.label,
    extensions,
    userSettings: { ...trust, ...setup.userSettings },
    workspaceFiles: setup.workspaceFiles,
    userFiles: setup.userFiles,
    env: setup.env,
  };
}
