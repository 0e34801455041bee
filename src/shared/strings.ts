/**
 * The panel's UI text. The extension host localises every entry (src/vscode/panel/panelText.ts, where the compiler
 * checks that none is missing) and hands them to the webview in a `<meta>` element.
 */
export interface PanelStrings {
  readonly auth: string;
  readonly source: string;
  readonly rerun: string;
  readonly cancel: string;
  readonly running: string;
  readonly cancelled: string;
  readonly failed: string;
  readonly notRun: string;
  readonly runNow: string;
  readonly healthy: string;
  /** The healthy verdict when the server listed its tools: `{0}` is how many. */
  readonly healthyTools: string;
  readonly healthyOneTool: string;
  readonly findings: string;
  readonly errors: string;
  readonly warnings: string;
  readonly infos: string;
  readonly evidence: string;
  readonly fix: string;
  readonly timeline: string;
  readonly step: string;
  readonly status: string;
  readonly duration: string;
  readonly detail: string;
  readonly token: string;
  readonly tokenNote: string;
  readonly claim: string;
  readonly value: string;
  readonly check: string;
  readonly matches: string;
  readonly mismatch: string;
  readonly matrix: string;
  readonly clients: string;
  readonly clientsNote: string;
  readonly clientSource: string;
  readonly clientVerdict: string;
  readonly tool: string;
  readonly you: string;
  readonly allowed: string;
  readonly denied: string;
  readonly unknown: string;
  readonly anyToken: string;
  readonly openPolicy: string;
  readonly export: string;
  readonly saveReport: string;
  readonly copyReport: string;
  readonly paste: string;
  readonly pasteHint: string;
  readonly explain: string;
  readonly openConfig: string;
  readonly setKey: string;
  readonly signIn: string;
  readonly withToken: string;
  readonly withKey: string;
  readonly notes: string;
  readonly finishedAt: string;
}

export type PanelStringKey = keyof PanelStrings;
