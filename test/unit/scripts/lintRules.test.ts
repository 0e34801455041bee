import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

// The project's own eslint.config.mjs, run on edited copies of real files (the type-aware rules need a file its
// tsconfig knows): each rule that guards a layer, a promise or a user-visible string must fail on its violation.
const root = join(__dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: root });
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

async function ruleIds(path: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: join(root, path) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const CORE = 'src/core/basics.ts';
const ADAPTER = 'src/vscode/errorNotice.ts';
const WEBVIEW = 'src/webview/main.ts';
const CLI = 'src/cli/io.ts';
const RULES = 'src/core/diagnosis/rules/network.ts';

describe('eslint.config.mjs: each rule fails on its violation', () => {
  it('accepts the files as they are', async () => {
    for (const path of [CORE, ADAPTER, RULES]) assert.deepEqual(await ruleIds(path, read(path)), [], path);
  });

  for (const [what, path, line] of [
    ['src/core importing vscode', CORE, `import * as vscode from 'vscode';\nexport const kind = vscode.env.uiKind;`],
    ['src/core importing an adapter', CORE, `import { showErrorWithLogs } from '../vscode/errorNotice';\nexport const f = showErrorWithLogs;`],
    ['src/core importing MSAL', CORE, `import { PublicClientApplication } from '@azure/msal-node';\nexport const P = PublicClientApplication;`],
    ['the webview importing src/core', WEBVIEW, `import { GUID } from '../core/basics';\nexport const g = GUID;`],
    ['the webview importing a Node.js module', WEBVIEW, `import { join } from 'node:path';\nexport const j = join;`],
    ['the CLI importing vscode', CLI, `import * as vscode from 'vscode';\nexport const kind = vscode.env.uiKind;`],
  ] as const) {
    it(`refuses ${what}`, async () => {
      assert.deepEqual(await ruleIds(path, `${read(path)}\n${line}\n`), ['no-restricted-imports']);
    });
  }

  it('refuses a floating promise', async () => {
    const text = read(ADAPTER).replace('void showErrorWithLogs(', 'showErrorWithLogs(');
    assert.notEqual(text, read(ADAPTER));
    assert.deepEqual(await ruleIds(ADAPTER, text), ['@typescript-eslint/no-floating-promises']);
  });

  it('refuses a value import used only as a type', async () => {
    const text = `import { ServerHealth } from './serverStatus';\nexport type H = ServerHealth;\n${read(ADAPTER)}`;
    assert.deepEqual(await ruleIds(ADAPTER, text), ['@typescript-eslint/consistent-type-imports']);
  });

  for (const [what, path, line] of [
    ['a notification', ADAPTER, `export const n = (): Thenable<unknown> => vscode.window.showWarningMessage('Something failed');`],
    ['a notification button', ADAPTER, `export const n = (m: string): Thenable<unknown> => vscode.window.showWarningMessage(m, 'Retry');`],
    ['an error notification with Show Logs', ADAPTER, 'export const n = (l: vscode.LogOutputChannel, m: string): Promise<void> => showErrorWithLogs(l, `APIM MCP: ${m}`);'],
    ['a quick pick title', ADAPTER, `export const q = (): Thenable<unknown> => vscode.window.showQuickPick(['a'], { title: 'Pick a server' });`],
    ['a tree item', ADAPTER, `export const t = new vscode.TreeItem('No servers');`],
    ['a tooltip', ADAPTER, `export const t = (item: vscode.TreeItem): void => { item.tooltip = 'Signed in'; };`],
    ['a webview aria-label', WEBVIEW, `export const a = { 'aria-label': 'Copy the command' };`],
    ["a core finding's title", RULES, `export const f = { title: 'The host does not resolve' };`],
    ["a core finding's title with an argument", RULES, 'export const f = (host: string) => ({ title: `The host ${host} does not resolve` });'],
    ["a core finding's fix put together", RULES, `export const f = (host: string) => ({ summary: l10n.t('Check the host name.') + ' Copy the URL of ' + host });`],
  ] as const) {
    it(`refuses untranslated text in ${what}`, async () => {
      assert.deepEqual(await ruleIds(path, `${read(path)}\n${line}\n`), ['no-restricted-syntax']);
    });
  }

  it('lets an example URL stand as a placeholder', async () => {
    const line = `export const o: vscode.InputBoxOptions = { placeHolder: 'https://contoso.azure-api.net/products/mcp' };`;
    assert.deepEqual(await ruleIds(ADAPTER, `${read(ADAPTER)}\n${line}\n`), []);
  });
});
