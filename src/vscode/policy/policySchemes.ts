/** URI schemes whose documents are linted as policies (shared by the activation listeners and the lazy feature). */
export const LINTED_SCHEMES: readonly string[] = ['file', 'untitled', 'vscode-remote', 'vscode-vfs', 'vscode-test-web'];
