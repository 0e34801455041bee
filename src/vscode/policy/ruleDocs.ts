import * as vscode from 'vscode';
import { anchorLine } from '../../core/docs/anchorLine';

/**
 * The policy rules' documentation as a read-only document (issue 18.8): a rule id in the Problems panel or a hover
 * opens it at the rule's heading, not the extension's own docs/policy-rules.md as an editable file at line 1.
 * VS Code opens a diagnostic's code target in an editor and selects the line its `#L<n>` fragment names.
 */
export const RULE_DOCS_SCHEME = 'apim-mcp-docs';
const RULE_DOCS_PATH = '/policy-rules.md';

export class RuleDocs implements vscode.Disposable {
  readonly #registration: vscode.Disposable;
  #text: Promise<string> | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {
    this.#registration = vscode.workspace.registerTextDocumentContentProvider(RULE_DOCS_SCHEME, {
      provideTextDocumentContent: (uri) => (uri.path === RULE_DOCS_PATH ? this.text() : undefined),
    });
  }

  text(): Promise<string> {
    this.#text ??= Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.extensionUri, 'docs', 'policy-rules.md'))).then(
      (bytes) => new TextDecoder().decode(bytes),
    );
    return this.#text;
  }

  /** Where a rule id links to: the read-only docs at the rule's heading (the top when the docs lack the rule). */
  async target(anchor: string): Promise<vscode.Uri> {
    const line = anchorLine(await this.text().catch(() => ''), anchor);
    return vscode.Uri.from({ scheme: RULE_DOCS_SCHEME, path: RULE_DOCS_PATH, fragment: line ? `L${line}` : '' });
  }

  dispose(): void {
    this.#registration.dispose();
  }
}
