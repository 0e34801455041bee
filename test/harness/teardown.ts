/** Something a suite starts and must stop when it ends: a sandbox, an emulator, a proxy, code-server. */
export interface Stoppable {
  stop(): unknown;
}

/**
 * What a suite has started, undone last-started first (a proxy before the sandbox it forwards to, the browser before
 * the server it shows). Every step runs even when one fails, so one broken stop cannot leave a process behind; the
 * first failure is thrown once all have run. Used by the e2e and the vscode-tier suite fixtures alike.
 */
export class Teardown {
  private readonly steps: (() => unknown)[] = [];


  // Arrow properties, so that a suite can take them apart: `async ({ stopAfter }) => …`.
  /** Registers `service` to be stopped at teardown, and returns it. */
  readonly stopAfter = <T extends Stoppable>(service: T): T => {
    this.steps.push(() => service.stop());
    return service;
  };

  /** Registers a step that is not a `stop()`: closing a browser context, deleting a file, restoring a setting. */
  readonly atTeardown = (step: () => unknown): void => {
    this.steps.push(step);
  };

  /** Runs every registered step, the last registered first, and forgets them. */
  async run(): Promise<void> {
    const failures: unknown[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error: unknown) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}
