// ESLint: the layers of ARCHITECTURE.md as import rules, and promise and type-import discipline (STYLE.md).
// Style and correctness beyond that are tsc's job (strict, noUnused*, noImplicitReturns) and scripts/check-size.ts's.
// `npm run lint`; `npm test` runs it before the tiers.
import { defineConfig } from 'eslint/config';
import { existsSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';

const VSCODE_API = { name: 'vscode', message: 'Only src/vscode and src/extension.ts use the VS Code API (ARCHITECTURE.md).' };
const NODE_MODULES = { regex: `^(node:|(${builtinModules.join('|')})(/|$))`, message: 'Runs in the webview (a browser): no Node.js modules.' };

/** Relative imports that reach one of src's layers (a folder, or extension.ts / cli.ts), from any depth. */
const into = (layers, message) => ({ regex: `^\\.\\.?/(.*/)?(${layers.join('|')})(/|$)`, message });

const declaredScripts = readdirSync(join(import.meta.dirname, 'scripts'), { recursive: true })
  .map((name) => `scripts/${name}`)
  .filter((path) => path.endsWith('.mjs') && existsSync(join(import.meta.dirname, path.replace(/\.mjs$/, '.d.mts'))));

const layers = [
  {
    files: ['src/core/**'],
    paths: [VSCODE_API, { name: '@azure/msal-node', message: 'MSAL belongs to src/auth, loaded lazily.' }],
    patterns: [into(['vscode', 'auth', 'webview', 'extension', 'cli'], 'src/core is pure: it may use src/shared, never the adapters, src/auth, the webview or an entry point.')],
  },
  {
    files: ['src/shared/**'],
    paths: [VSCODE_API],
    patterns: [NODE_MODULES, into(['core', 'vscode', 'auth', 'webview', 'extension', 'cli'], 'src/shared is the host<->webview protocol: it imports nothing else from src.')],
  },
  {
    files: ['src/auth/**'],
    paths: [VSCODE_API],
    patterns: [into(['vscode', 'webview', 'shared', 'extension', 'cli'], 'src/auth may use src/core only; its VS Code side lives in src/vscode/auth.')],
  },
  {
    files: ['src/webview/**'],
    paths: [VSCODE_API],
    patterns: [NODE_MODULES, into(['core', 'vscode', 'auth', 'extension', 'cli'], 'The webview talks to the host only through src/shared.')],
  },
  {
    files: ['src/cli.ts', 'src/cli/**'],
    paths: [VSCODE_API],
    patterns: [into(['vscode', 'auth', 'webview', 'shared', 'extension'], 'The CLI uses only src/core.')],
  },
  {
    files: ['src/vscode/**', 'src/extension.ts'],
    patterns: [into(['webview', 'cli'], 'The webview is a browser bundle and the CLI an entry point: the host loads neither.')],
  },
  {
    files: ['test/unit/**'],
    paths: [{ name: 'vscode', message: 'The unit tier runs under plain Node.js: test VS Code code in test/vscode.' }],
    patterns: [into(['vscode'], 'The unit tier runs under plain Node.js: test src/vscode in test/vscode.')],
  },
].map(({ files, paths = [], patterns = [] }) => ({ files, rules: { 'no-restricted-imports': ['error', { paths, patterns }] } }));

// User-visible text in the extension and the webview goes through vscode.l10n.t (literal) or a %key%; the l10n unit
// test checks each l10n.t call. These selectors catch the other way round: text handed to the UI without l10n.t.
// Notification text and buttons: anything with a word in it. UI properties (a title, a prompt, a tooltip, a
// placeholder…): prose, that is two words, since an example URL or GUID placeholder is not translated.
// showErrorWithLogs is errorNotice.ts's error notification with a "Show Logs" button.
const NOTIFY = '/^(show(Information|Warning|Error)Message|showErrorWithLogs)$/';
const WORD = '/[A-Za-z]{2,}/';
const PROSE = '/[A-Za-z]{2,}.*\\s[A-Za-z]{2,}/';
const UI_PROPERTY = '/^(title|prompt|placeHolder|placeholder|label|description|detail|tooltip|validationMessage|buttonLabel|textContent|ariaLabel|aria-label)$/';
const UNTRANSLATED = 'User-visible text goes through vscode.l10n.t(\'literal\') (the webview gets it from the host): STYLE.md.';
const untranslatedText = [
  `CallExpression:matches([callee.property.name=${NOTIFY}], [callee.name=${NOTIFY}]) > :matches(Literal[value=${WORD}], TemplateLiteral).arguments`,
  `NewExpression[callee.property.name=/^(TreeItem|MarkdownString)$/] > :matches(Literal[value=${WORD}], TemplateLiteral).arguments`,
  `Property:matches([key.name=${UI_PROPERTY}], [key.value=${UI_PROPERTY}]) > Literal.value[value=${PROSE}]`,
  `Property:matches([key.name=${UI_PROPERTY}], [key.value=${UI_PROPERTY}]) > TemplateLiteral.value:has(TemplateElement[value.raw=${PROSE}])`,
  `AssignmentExpression[left.property.name=${UI_PROPERTY}] > Literal.right[value=${PROSE}]`,
  `AssignmentExpression[left.property.name=${UI_PROPERTY}] > TemplateLiteral.right:has(TemplateElement[value.raw=${PROSE}])`,
].map((selector) => ({ selector, message: UNTRANSLATED }));

// The core's text the extension shows goes through l10n.t of @vscode/l10n (src/core/text/coreL10n.ts): a finding's
// title and fix summary, and a policy or config lint message, may not be plain prose.
const CORE_TEXT_PROPERTY = '/^(title|summary)$/';
const UNTRANSLATED_CORE = "The core's user-visible text goes through l10n.t('literal') of @vscode/l10n (src/core/text/coreL10n.ts).";
const untranslatedCoreText = [
  `Property[key.name=${CORE_TEXT_PROPERTY}] > Literal.value[value=${PROSE}]`,
  `Property[key.name=${CORE_TEXT_PROPERTY}] > TemplateLiteral.value:has(TemplateElement[value.raw=${PROSE}])`,
  `Property[key.name=${CORE_TEXT_PROPERTY}] BinaryExpression > Literal[value=${PROSE}]`,
  `Property[key.name=${CORE_TEXT_PROPERTY}] BinaryExpression > TemplateLiteral:has(TemplateElement[value.raw=${PROSE}])`,
].map((selector) => ({ selector, message: UNTRANSLATED_CORE }));

export default defineConfig(
  {
    // The .js files are the test driver extension and its suite index (CommonJS, no type information).
    ignores: ['node_modules/**', 'dist/**', 'out/**', 'test-results/**', '.vscode-test/**', '**/*.js'],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.mjs'],
    languageOptions: {
      parser: tseslint.parser,
      // Each file is checked with the program of its nearest tsconfig.json (the webview's has the DOM library).
      // tsc leaves a script with a .d.mts beside it out of its program, so those get a program of their own.
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.mjs', ...declaredScripts], defaultProject: 'scripts/tsconfig.json' },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      // `typeof import('…')` stays allowed: it names a lazily loaded module's type where the require happens.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
    },
  },
  ...layers,
  { files: ['src/vscode/**', 'src/extension.ts', 'src/webview/**'], rules: { 'no-restricted-syntax': ['error', ...untranslatedText] } },
  { files: ['src/core/diagnosis/rules/**', 'src/core/azure/armFindings.ts'], rules: { 'no-restricted-syntax': ['error', ...untranslatedCoreText] } },
);
