/**
 * The heavy half of the policy tools, loaded on first use: runs the core linter on a document, publishes
 * diagnostics, serves quick fixes and drives the generator's quick input. Also built as its own bundle (dist/policy.js).
 */
import * as vscode from 'vscode';
import {
  generateMcpPolicy,
  lintPolicyFile,
  parseToolsList,
  toolsFileNamesFor,
  type GeneratePolicyInput,
  type PolicyFinding,
  type PolicySeverity,
  type TokenValidator,
} from '../../core/apim/policy/index';
import { GUID } from '../../core/basics';
import { LINTED_SCHEMES } from './policySchemes';
import { RuleDocs } from './ruleDocs';
import { walkthroughStepDone } from '../walkthroughProgress';

export interface PolicyFeatureDeps {
  readonly extensionUri: vscode.Uri;
  readonly diagnostics: vscode.DiagnosticCollection;
  readonly log: vscode.LogOutputChannel;
}

export interface PolicyFeature extends vscode.Disposable {
  lint(document: vscode.TextDocument): Promise<void>;
  forget(uri: vscode.Uri): void;
  generate(args?: unknown): Promise<GeneratedPolicyDocuments | undefined>;
}

export interface GeneratedPolicyDocuments {
  readonly policy: string;
  readonly prmPolicy?: string;
  readonly warnings: readonly string[];
}

/** Everything the command can be given instead of asking (by other features, and by tests). */
export interface GeneratePolicyArgs {
  readonly tools?: unknown;
  readonly roles?: Record<string, string[]>;
  readonly tenantId?: string;
  readonly api?: string;
  readonly mcpUrl?: string;
  readonly prmUrl?: string;
  readonly validator?: TokenValidator;
  readonly includePrmOperation?: boolean;
  /** Open the result in editors (default true). */
  readonly open?: boolean;
}

const SOURCE = 'APIM MCP';
const SEVERITY: Record<PolicySeverity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};
/** Any document: which ones are policies is decided by content (registerPolicyTools), and only linted ones get fixes. */
const SELECTOR: vscode.DocumentSelector = LINTED_SCHEMES.map((scheme) => ({ scheme }));

interface Linted {
  readonly version: number;
  readonly findings: readonly PolicyFinding[];
}

function toRange(document: vscode.TextDocument, start: number, end: number): vscode.Range {
  return new vscode.Range(document.positionAt(start), document.positionAt(end));
}

/** The quick fixes of this linter's diagnostics, from the findings of the document's current version. */
function quickFixes(entry: Linted | undefined, document: vscode.TextDocument, diagnostics: readonly vscode.Diagnostic[]): vscode.CodeAction[] {
  if (!entry || entry.version !== document.version) return [];
  const actions: vscode.CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== SOURCE) continue;
    const ruleId = typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : String(diagnostic.code);
    const finding = entry.findings.find((f) => f.ruleId === ruleId && toRange(document, f.range.start, f.range.end).isEqual(diagnostic.range) && f.message === diagnostic.message);
    if (!finding) continue;
    for (const fix of finding.fixes) {
      const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
      const edit = new vscode.WorkspaceEdit();
      for (const e of fix.edits) edit.replace(document.uri, toRange(document, e.range.start, e.range.end), e.newText);
      action.edit = edit;
      action.diagnostics = [diagnostic];
      action.isPreferred = finding.fixes.length === 1;
      actions.push(action);
    }
  }
  return actions;
}

export function createPolicyFeature(deps: PolicyFeatureDeps): PolicyFeature {
  const { diagnostics, log } = deps;
  const linted = new Map<string, Linted>();
  const docs = new RuleDocs(deps.extensionUri);

  const codeActions = vscode.languages.registerCodeActionsProvider(
    SELECTOR,
    { provideCodeActions: (document, _range, context) => quickFixes(linted.get(document.uri.toString()), document, context.diagnostics) },
    { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
  );

  async function toolsNextTo(document: vscode.TextDocument): Promise<string[] | undefined> {
    if (document.uri.scheme === 'untitled') return undefined;
    for (const name of toolsFileNamesFor(document.uri.path)) {
      const candidate = vscode.Uri.joinPath(document.uri, '..', name);
      try {
        const bytes = await vscode.workspace.fs.readFile(candidate);
        const parsed = parseToolsList(new TextDecoder().decode(bytes));
        if (parsed.tools.length > 0) return [...parsed.tools];
        log.warn(`[policy] ${candidate.toString(true)}: ${parsed.error ?? 'no tools'}`);
      } catch {
        // No tools file next to the policy: per-tool coverage is simply not checked.
      }
    }
    return undefined;
  }

  async function lint(document: vscode.TextDocument): Promise<void> {
    const version = document.version;
    const tools = await toolsNextTo(document);
    if (document.isClosed || document.version !== version) return;
    const started = Date.now();
    const findings = lintPolicyFile(document.fileName, document.getText(), tools ? { tools } : {});
    const targets = new Map(await Promise.all([...new Set(findings.map((f) => f.docsAnchor))].map(async (a) => [a, await docs.target(a)] as const)));
    if (document.isClosed || document.version !== version) return;
    linted.set(document.uri.toString(), { version, findings });
    diagnostics.set(
      document.uri,
      findings.map((finding) => {
        const diagnostic = new vscode.Diagnostic(toRange(document, finding.range.start, finding.range.end), finding.message, SEVERITY[finding.severity]);
        diagnostic.source = SOURCE;
        diagnostic.code = { value: finding.ruleId, target: targets.get(finding.docsAnchor)! };
        return diagnostic;
      }),
    );
    log.debug(`[policy] ${document.uri.toString(true)}: ${findings.length} finding(s) in ${Date.now() - started} ms`);
    walkthroughStepDone('policies');
  }

  return {
    lint,
    forget: (uri) => linted.delete(uri.toString()),
    generate: (args) => generate(args, log),
    dispose: () => {
      codeActions.dispose();
      docs.dispose();
      linted.clear();
    },
  };
}

function asArgs(args: unknown): GeneratePolicyArgs {
  return args && typeof args === 'object' && !Array.isArray(args) ? (args as GeneratePolicyArgs) : {};
}

const generateTitle = (): string => vscode.l10n.t('Generate MCP Authorization Policy');

/** One step of Generate MCP Authorization Policy: its title, and kept open when focus moves to look something up. */
function askGenerateStep(options: Omit<vscode.InputBoxOptions, 'title' | 'ignoreFocusOut'>): Thenable<string | undefined> {
  return vscode.window.showInputBox({ title: generateTitle(), ignoreFocusOut: true, ...options });
}

async function generate(rawArgs: unknown, log: vscode.LogOutputChannel): Promise<GeneratedPolicyDocuments | undefined> {
  const args = asArgs(rawArgs);
  const tools = args.tools !== undefined ? parseToolsList(args.tools).tools : await askForTools();
  if (!tools) return undefined;
  if (tools.length === 0) {
    await vscode.window.showErrorMessage(vscode.l10n.t('No tool names were found.'));
    return undefined;
  }
  const tenantId =
    args.tenantId ??
    (await askGenerateStep({
      prompt: vscode.l10n.t('Directory (tenant) ID of the API app registration'),
      placeHolder: '00000000-0000-0000-0000-000000000000',
      validateInput: (v) => (GUID.test(v.trim()) || /^\{\{[\w.-]+\}\}$/.test(v.trim()) ? undefined : vscode.l10n.t('Enter the tenant ID GUID (token issuers carry the GUID, not the domain).')),
    }));
  if (tenantId === undefined) return undefined;
  const api =
    args.api ??
    (await askGenerateStep({
      prompt: vscode.l10n.t('Application (client) ID of the API app, or api://<client ID>'),
      validateInput: (v) => (GUID.test(v.trim()) || /^api:\/\/[0-9a-f-]{36}\/?$/i.test(v.trim()) ? undefined : vscode.l10n.t('Enter the client ID GUID or api://<client ID>.')),
    }));
  if (api === undefined) return undefined;
  const mcpUrl =
    args.mcpUrl ??
    (await askGenerateStep({
      prompt: vscode.l10n.t('MCP server URL'),
      placeHolder: 'https://contoso.azure-api.net/products/mcp',
      validateInput: (v) => (/^https:\/\/\S+$/.test(v.trim()) ? undefined : vscode.l10n.t('Enter an https URL.')),
    }));
  if (mcpUrl === undefined) return undefined;
  const prmUrl =
    args.prmUrl ??
    (await askGenerateStep({
      prompt: vscode.l10n.t('Protected-resource metadata URL for resource_metadata'),
      value: defaultPrmUrl(mcpUrl),
      validateInput: (v) => (/^https?:\/\/\S+$/.test(v.trim()) ? undefined : vscode.l10n.t('Enter an http(s) URL.')),
    }));
  if (prmUrl === undefined) return undefined;
  const roles = args.roles ?? (await askForRoles(tools));
  if (!roles) return undefined;
  let includePrmOperation = args.includePrmOperation;
  if (includePrmOperation === undefined) {
    const yes = vscode.l10n.t('Yes, also write the PRM operation policy');
    const no = vscode.l10n.t('No, only the MCP server policy');
    const choice = await vscode.window.showQuickPick([yes, no], { title: generateTitle(), ignoreFocusOut: true });
    if (choice === undefined) return undefined;
    includePrmOperation = choice === yes;
  }
  const input: GeneratePolicyInput = {
    tenantId: tenantId.trim(),
    api: api.trim(),
    tools,
    roles,
    prmUrl: prmUrl.trim(),
    mcpUrl: mcpUrl.trim(),
    includePrmOperation,
    ...(args.validator ? { validator: args.validator } : {}),
  };
  const result = generateMcpPolicy(input);
  if (!result.ok) {
    log.warn(`[policy] generate refused: ${result.errors.join(' ')}`);
    await vscode.window.showErrorMessage(vscode.l10n.t('Could not generate the policy: {0}', result.errors.join(' ')));
    return undefined;
  }
  walkthroughStepDone('policies');
  log.info(`[policy] generated a policy for ${tools.length} tool(s)${result.prmPolicy ? ' and a PRM operation policy' : ''}`);
  if (args.open !== false) {
    const policyDoc = await vscode.workspace.openTextDocument({ language: 'xml', content: result.policy });
    await vscode.window.showTextDocument(policyDoc, { preview: false });
    if (result.prmPolicy) {
      const prmDoc = await vscode.workspace.openTextDocument({ language: 'xml', content: result.prmPolicy });
      await vscode.window.showTextDocument(prmDoc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
    }
    for (const warning of result.warnings) void vscode.window.showWarningMessage(warning);
  }
  return { policy: result.policy, warnings: result.warnings, ...(result.prmPolicy ? { prmPolicy: result.prmPolicy } : {}) };
}

/** RFC 9728 path insertion: https://host/.well-known/oauth-protected-resource/<path>. */
function defaultPrmUrl(mcpUrl: string): string {
  try {
    const url = new URL(mcpUrl.trim());
    const path = url.pathname.replace(/\/+$/, '');
    return `${url.origin}/.well-known/oauth-protected-resource${path}`;
  } catch {
    return '';
  }
}

async function askForTools(): Promise<string[] | undefined> {
  const typed = vscode.l10n.t('Type or paste tool names or a tools/list result');
  const file = vscode.l10n.t('Read a tools/list JSON file');
  const editor = vscode.window.activeTextEditor;
  const active = vscode.l10n.t('Use the JSON in the active editor');
  const choice = await vscode.window.showQuickPick(editor ? [typed, file, active] : [typed, file], {
    title: vscode.l10n.t('Generate MCP Authorization Policy: tools'),
    ignoreFocusOut: true,
  });
  if (choice === undefined) return undefined;
  let text: string | undefined;
  if (choice === typed) {
    text = await vscode.window.showInputBox({
      title: vscode.l10n.t('Generate MCP Authorization Policy: tools'),
      prompt: vscode.l10n.t('Tool names separated by commas, or the JSON of a tools/list result'),
      ignoreFocusOut: true,
      validateInput: (v) => parseToolsList(v).error,
    });
  } else if (choice === file) {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { JSON: ['json'] } });
    if (!picked?.[0]) return undefined;
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(picked[0]));
  } else {
    text = editor?.document.getText();
  }
  if (text === undefined) return undefined;
  const parsed = parseToolsList(text);
  if (parsed.error) {
    await vscode.window.showErrorMessage(parsed.error);
    return undefined;
  }
  return [...parsed.tools];
}

async function askForRoles(tools: readonly string[]): Promise<Record<string, string[]> | undefined> {
  const roles: Record<string, string[]> = {};
  let previous = '';
  for (const [index, tool] of tools.entries()) {
    const answer = await vscode.window.showInputBox({
      title: vscode.l10n.t('Generate MCP Authorization Policy: roles ({0}/{1})', index + 1, tools.length),
      prompt: vscode.l10n.t('App roles that may call {0}, separated by commas. Leave empty to allow any caller with a valid token.', tool),
      value: previous,
      ignoreFocusOut: true,
      validateInput: (v) => (/["'\s]/.test(v.replace(/,\s+/g, ',').trim()) ? vscode.l10n.t('Role values have no spaces or quotes.') : undefined),
    });
    if (answer === undefined) return undefined;
    previous = answer;
    roles[tool] = answer.split(',').map((r) => r.trim()).filter(Boolean);
  }
  return roles;
}
