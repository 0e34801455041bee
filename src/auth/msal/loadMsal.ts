import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type Msal = typeof import('@azure/msal-node');

let loading: Promise<Msal> | undefined;

/**
 * Loads @azure/msal-node at first use. The packaged extension ships it as dist/msal.js next to extension.js
 * (a separate esbuild entry); from sources (unit tests) it comes from node_modules.
 */
export function loadMsal(): Promise<Msal> {
  loading ??= Promise.resolve().then(() => {
    const bundled = join(__dirname, 'msal.js');
    // A computed path keeps esbuild from inlining msal into extension.js.
    const id = existsSync(bundled) ? bundled : ['@azure', 'msal-node'].join('/');
    return require(id) as Msal;
  });
  return loading;
}
