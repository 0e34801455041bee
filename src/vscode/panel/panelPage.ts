import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { panelStrings } from './panelText';

/** Built assets only: the webview may load nothing else. */
function assetRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: assetRoots(extensionUri), retainContextWhenHidden: false, enableFindWidget: true };
}

function attr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The panel's page: strict CSP, one nonce'd external script, external styles, no inline code. */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const nonce = randomBytes(18).toString('base64');
  const asset = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${attr(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="apim-mcp-strings" content="${attr(JSON.stringify(panelStrings()))}">
<link rel="stylesheet" href="${attr(asset('dist', 'codicons', 'codicon.css'))}">
<link rel="stylesheet" href="${attr(asset('media', 'panel.css'))}">
<title>${attr(title)}</title>
</head>
<body>
<main id="app"></main>
<div id="notice" class="notice" role="status" aria-live="polite"></div>
<script nonce="${nonce}" src="${attr(asset('dist', 'webview.js'))}"></script>
</body>
</html>`;
}
