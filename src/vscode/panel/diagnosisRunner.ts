import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Diagnosis, DiagnoseInput } from '../../core/diagnosis';
import { isPolicyFileName, mayHoldPolicy } from '../../core/apim/policy/policyFiles';
import { createNodeFetch, type FetchLike } from '../../core/probe/nodeFetch';
import type { Secret } from '../../core/secret';
import { VSCODE_ENTRA_REDIRECT_URIS } from '../../core/entra/redirectUris';
import { usesEntra, usesSubscriptionKey } from '../../core/serverRecord';
import type { EntraTokens } from '../auth/lazyEntraTokens';
import type { TokenOriginConsent } from '../auth/tokenOriginConsent';
import { runCredentials } from './runCredentials';
import type { PolicyExpectationStore } from '../policyExpectationStore';
import type { SubscriptionKeyStore } from '../subscriptionKeyStore';
import type { ServerEntry } from '../../core/config/configEntries';
import { toolRoleRecord, toolRolesFromPolicy } from '../../core/apim/policy/toolRoles';
import { policyForServer, readPolicyExpectations } from '../../core/apim/policy/tokenValidation';
import { expectFromPolicy } from '../../core/diagnosis/policyExpect';
import { keylessVerdict } from '../../core/diagnosis/heldCredentials';

type DiagnosisEngine = typeof import('../../core/diagnosis/diagnose');

/**
 * The engine and the MCP SDK it drives are a bundle of their own (dist/diagnosis.js, see scripts/build.mjs),
 * loaded the first time a diagnosis runs so that activation does not parse them.
 */
function loadDiagnosisEngine(): DiagnosisEngine {
  return require(join(__dirname, 'diagnosis.js')) as DiagnosisEngine;
}

const REQUEST_TIMEOUT_MS = 10_000;
const MAX_POLICY_FILES = 200;

export interface RunnerDeps {
  readonly keys: SubscriptionKeyStore;
  /** Whether the extension sets this variable in VS Code terminals (its environmentVariableCollection). */
  readonly terminalVariables: (name: string) => boolean;
  readonly tokens?: EntraTokens;
  /** Asks before a token goes to an origin for the first time; required wherever `tokens` is given. */
  readonly tokenConsent?: TokenOriginConsent;
  /** What the API's policy in Azure expected when the server was added from Azure. */
  readonly policyExpectations?: PolicyExpectationStore;
  readonly log: vscode.LogOutputChannel;
}

export interface PolicyLocation {
  readonly uri: vscode.Uri;
  readonly line: number;
}

export interface RunOptions {
  /** A token the user pasted into a password box for this run only; it is never stored. */
  readonly pastedToken?: Secret;
  /** A subscription key typed for this run only (the one VS Code keeps for an mcp.json server); it is never stored. */
  readonly oneTimeKey?: Secret;
  readonly signal: AbortSignal;
  readonly progress?: (message: string) => void;
}

export interface RunResult {
  readonly diagnosis: Diagnosis;
  readonly notes: string[];
  /** Where each tool's rule is in the workspace policies. */
  readonly policy: Map<string, PolicyLocation>;
  /** The run lacked the key VS Code keeps for this server: what the key decides was not judged (see keylessVerdict). */
  readonly keyless: boolean;
}

export class DiagnosisCancelledError extends Error {
  constructor() {
    super('The diagnosis was cancelled.');
    this.name = 'DiagnosisCancelledError';
  }
}

interface WorkspacePolicies {
  roles: Record<string, string>;
  where: Map<string, PolicyLocation>;
  files: string[];
  /** Every policy file read, for finding the one that belongs to the server (`policyForServer`). */
  texts: { path: string; text: string }[];
}

/** Tool → role rules from the workspace's APIM policy files; the first file that names a tool wins. */
async function policyToolRoles(log: vscode.LogOutputChannel): Promise<WorkspacePolicies> {
  const where = new Map<string, PolicyLocation>();
  const roles: Record<string, string> = {};
  const files: string[] = [];
  const texts: { path: string; text: string }[] = [];
  if (!vscode.workspace.workspaceFolders?.length) return { roles, where, files, texts };
  const uris = await vscode.workspace.findFiles('**/*.{xml,bicep}', '**/node_modules/**', MAX_POLICY_FILES);
  for (const uri of uris.filter((u) => isPolicyFileName(u.path)).sort((a, b) => a.path.localeCompare(b.path))) {
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      continue;
    }
    if (!mayHoldPolicy(uri.path, text)) continue;
    texts.push({ path: vscode.workspace.asRelativePath(uri), text });
    const found = toolRolesFromPolicy(text);
    if (found.size === 0) continue;
    files.push(vscode.workspace.asRelativePath(uri));
    for (const [tool, location] of found) {
      if (where.has(tool)) continue;
      where.set(tool, { uri, line: location.line });
      Object.assign(roles, toolRoleRecord(new Map([[tool, location]])));
    }
  }
  log.info(`[diagnose] tool roles from ${files.length} policy file(s): ${Object.keys(roles).length} tool(s)`);
  return { roles, where, files, texts };
}

export async function buildInput(entry: ServerEntry, deps: RunnerDeps, options: RunOptions): Promise<{ input: DiagnoseInput; notes: string[]; policy: Map<string, PolicyLocation> }> {
  const notes: string[] = [];
  const { key, token } = await runCredentials(entry, deps, options, notes);
  let policy = new Map<string, PolicyLocation>();
  let toolRoles: Record<string, string> | undefined;
  let expect: DiagnoseInput['expect'];
  options.progress?.(vscode.l10n.t('Reading the workspace policies…'));
  const found = await policyToolRoles(deps.log);
  if (usesEntra(entry.auth) || token) {
    policy = found.where;
    if (Object.keys(found.roles).length > 0) {
      toolRoles = found.roles;
      notes.push(vscode.l10n.t('Tool roles read from {0}.', found.files.join(', ')));
    }
  }
  // The token and a 500's timing are judged against the policy of this server's API, when the workspace has it (issue 15.a).
  const own = policyForServer(found.texts, entry.url);
  const fromAzure = own ? undefined : deps.policyExpectations?.get(entry.url);
  if (own) {
    expect = expectFromPolicy(readPolicyExpectations(own.text), own.path);
    notes.push(vscode.l10n.t('Judged against the policy in {0}.', own.path));
  } else if (fromAzure) {
    expect = fromAzure;
    notes.push(vscode.l10n.t('Judged against {0}, read when the server was added from Azure.', fromAzure.source?.label ?? 'the API policy in Azure'));
  }
  const clientId = entry.oauthClientId;
  const input: DiagnoseInput = {
    url: entry.url,
    auth: entry.auth,
    subscriptionKey: key,
    keyHeaderName: entry.keyHeaderName,
    keyVariableInVsCodeTerminals: entry.keySupply === 'env' && entry.envRefs[0] ? deps.terminalVariables(entry.envRefs[0]) : undefined,
    accessToken: token,
    signIn: clientId
      ? {
          clientId,
          redirectUris: VSCODE_ENTRA_REDIRECT_URIS,
          scopes: entry.record?.scopes.length ? [...entry.record.scopes] : undefined,
          // No authority: the engine takes PRM's authorization server, which is what VS Code signs in with.
        }
      : undefined,
    toolRoles,
    expect,
  };
  return { input, notes, policy };
}

/** An mcp.json server whose key is a password input: VS Code keeps the value and this extension cannot read it. */
export function keyHeldByVsCode(entry: ServerEntry): boolean {
  return usesSubscriptionKey(entry.auth) && entry.keySupply === 'input';
}

/** Runs the engine for one server. Every request is aborted when `signal` fires, and the run rejects at once. */
export async function runDiagnosis(entry: ServerEntry, deps: RunnerDeps, options: RunOptions): Promise<RunResult> {
  const { input, notes, policy } = await buildInput(entry, deps, options);
  if (options.signal.aborted) throw new DiagnosisCancelledError();
  options.progress?.(vscode.l10n.t('Probing {0}…', new URL(entry.url).host));
  const net = createNodeFetch({ keepAlive: true });
  const fetch: FetchLike = (url, init) => net.fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, options.signal]) : options.signal });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(new DiagnosisCancelledError());
    options.signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    const { diagnose } = loadDiagnosisEngine();
    const raw = await Promise.race([diagnose(input, { fetch, timeoutMs: REQUEST_TIMEOUT_MS }), aborted]);
    // Without the key only VS Code holds, the gateway answered a keyless client: no error verdict on what the key decides.
    const keyless = keyHeldByVsCode(entry) && input.subscriptionKey === undefined;
    const diagnosis = keyless ? keylessVerdict(raw) : raw;
    deps.log.info(`[diagnose] ${entry.name}: ${diagnosis.findings.length} finding(s)${keyless ? ' (without the key VS Code keeps)' : ''}: ${diagnosis.findings.map((f) => f.id).join(', ') || 'none'}`);
    return { diagnosis, notes, policy, keyless };
  } finally {
    if (onAbort) options.signal.removeEventListener('abort', onAbort);
    net.close();
  }
}
