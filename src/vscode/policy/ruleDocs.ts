import * as vscode from 'vscode';
import { anchorLine } from '../../core/docs/anchorLine';

/**
 * The policy rules' documentation on a read-only file system (issue 18.8): a rule id in the Problems panel or a
 * hover opens it at the rule's heading, not the extension's own docs/policy-rules.md as an editable file at line 1.
 * VS Code opens a diagnostic's code target in an editor and selects the line its `#L<n>` fragment names.
 */
export const RULE_DOCS_SCHEME = 'apim-mcp-docs';
const RULE_DOCS_PATH = '/policy-rules.md';

export class RuleDocs implements vscode.Disposable, vscode.FileSystemProvider {
  readonly #registration: vscode.Disposable;
  readonly #changes = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.#changes.event;
  #bytes: Promise<Uint8Array> | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {
    this.#registration = vscode.workspace.registerFileSystemProvider(RULE_DOCS_SCHEME, this, { isReadonly: true, isCaseSensitive: true });
  }

  #read(): Promise<Uint8Array> {
    this.#bytes ??= Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.extensionUri, 'docs', 'policy-rules.md')));
    return this.#bytes;
  }

  /** Where a rule id links to: the read-only docs at the rule's heading (the top when the docs lack the rule). */
  async target(anchor: string): Promise<vscode.Uri> {
    const text = await this.#read().then((bytes) => new TextDecoder().decode(bytes), () => '');
    const line = anchorLine(text, anchor);
    return vscode.Uri.from({ scheme: RULE_DOCS_SCHEME, path: RULE_DOCS_PATH, fragment: line ? `L${line}` : '' });
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    if (uri.path === '/') return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0, permissions: vscode.FilePermission.Readonly };
    if (uri.path !== RULE_DOCS_PATH) throw vscode.FileSystemError.FileNotFound(uri);
    return { type: vscode.FileType.File, ctime: 0, mtime: 0, size: (await this.#read()).byteLength, permissions: vscode.FilePermission.Readonly };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    if (uri.path !== RULE_DOCS_PATH) throw vscode.FileSystemError.FileNotFound(uri);
    return this.#read();
  }

  readDirectory(): [string, vscode.FileType][] {
    return [[RULE_DOCS_PATH.slice(1), vscode.FileType.File]];
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  writeFile(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(oldUri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(oldUri);
  }

  dispose(): void {
    this.#registration.dispose();
    this.#changes.dispose();
  }
}
