// The esbuild builds of the extension (node, CJS), its lazy feature bundles, the CLI (node, CJS) and the webview
// (browser, IIFE). scripts/build.mjs runs them; the activation-bundle unit test reads them without writing anything.
import { cliBuilds } from './cliBundles.mjs';

/**
 * Every `import * as vscode from 'vscode'` of a bundle shares one namespace object. Left to itself esbuild wraps the
 * external require once per importing module (`__toESM(require('vscode'))`), copying each of the API's ~200 names
 * onto a fresh object every time: about 30 copies in extension.js, the largest cost of evaluating it at activation.
 * Here 'vscode' resolves to one module of the bundle that re-exports the API, so the names are copied once.
 */
const vscodeOnce = {
  name: 'vscode-once',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) => (args.namespace === 'vscode-once' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-once' }));
    build.onLoad({ filter: /.*/, namespace: 'vscode-once' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
  },
};

/** @param {boolean} production */
export function bundles(production) {
  const common = {
    bundle: true,
    minify: production,
    sourcemap: production ? false : 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    metafile: true,
    legalComments: 'none',
  };
  const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'], outdir: 'dist', external: ['vscode'], plugins: [vscodeOnce] };
  return [
    // What activation loads: the MCP provider, the Servers view, the terminal environment and the command stubs.
    { ...node, entryPoints: { extension: 'src/extension.ts' }, external: ['vscode', '@azure/msal-node'] },
    // The feature bundles, each required on first use by its stub (src/vscode/lazyFeature.ts). They are CommonJS like
    // extension.js (VS Code loads `main` with require), so esbuild's code splitting (ESM only) does not apply: a module
    // two bundles use is in both, and the stateful services are handed to a feature by the core, never re-created.
    { ...node, entryPoints: { wizard: 'src/vscode/wizard/wizardFeature.ts' } },
    { ...node, entryPoints: { azure: 'src/vscode/azure/azureFeature.ts' } },
    { ...node, entryPoints: { panel: 'src/vscode/panel/panelFeature.ts' } },
    { ...node, entryPoints: { policy: 'src/vscode/policy/policyFeature.ts' } },
    { ...node, entryPoints: { configLint: 'src/vscode/config/configLintFeature.ts' } },
    { ...node, entryPoints: { configCommands: 'src/vscode/config/configCommandsFeature.ts' } },
    // The Entra ID token service and the msal-node wrapper, made on the first token or Entra command (lazyEntraTokens.ts).
    { ...node, entryPoints: { entra: 'src/vscode/auth/entraFeature.ts' }, external: ['vscode', '@azure/msal-node'] },
    // @azure/msal-node in its own file, required on first Entra sign-in through MSAL (src/auth/msal/loadMsal.ts).
    { ...node, entryPoints: { msal: 'src/auth/msal/msalModule.ts' } },
    // The diagnosis engine and the MCP SDK, loaded when a diagnosis first runs (src/vscode/panel/diagnosisRunner.ts).
    { ...node, entryPoints: { diagnosis: 'src/core/diagnosis/diagnose.ts' } },
    // The CLI: a small dispatcher and one bundle per command, loaded when that command runs (scripts/cliBundles.mjs).
    ...cliBuilds(node),
    { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: { webview: 'src/webview/main.ts' }, outdir: 'dist' },
  ];
}
