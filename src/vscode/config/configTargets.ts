import * as vscode from 'vscode';
import { addServer, mcpJsonInputIds, readConfiguredServers, removeServer, type ConfigEditError } from '../../core/config/configEditor';
import { editConfigFile, type ConfigFileSystem, type SafeEditResult } from '../../core/config/safeWrite';
import { buildMcpJsonEntry, buildSettingEntry, withoutSettingEntry, withSettingEntry, type EntryRefusal, type ServerDescription } from '../../core/config/serverEntries';
import { CONFIG_TARGETS, TARGET_KINDS, type ConfigTargetKind } from '../../core/config/targets';
import { errorMessage } from '../../core/basics';
import type { TargetLocator } from './targetLocations';
import { vscodeAcceptsOauthClientId } from './mcpSchemaSupport';
import { whenVsCodeHasRead } from './vscodeMcpJsonSync';

export type TargetAvailability = { available: true; path?: string } | { available: false; reason: string };
/** `vscodeRead`: for the mcp.json files VS Code reads, whether its configuration holds the file as written. */
export type WriteResult = { ok: true; changed: boolean; path?: string; vscodeRead?: boolean } | { ok: false; message: string };

const SECTION = 'apimMcp';
const KEY = 'servers';

/** Human words for a config edit error: a malformed file names its line and column; nothing was written. */
export function describeEditError(error: ConfigEditError | { kind: 'io' | 'encoding' | 'conflict'; message: string }, where: string): string {
  switch (error.kind) {
    case 'malformed':
      return vscode.l10n.t('{0} has a syntax error at line {1}, column {2} ({3}). It was left unchanged; fix it and try again.', where, error.line, error.column, error.message);
    case 'shape':
      return vscode.l10n.t('{0} is not an MCP configuration this extension can edit: {1} It was left unchanged.', where, error.message);
    case 'nameTaken':
      return vscode.l10n.t('{0} already has a server named "{1}".', where, error.name);
    case 'envVarTaken':
      return vscode.l10n.t('{0}: the variable {1} is already used by server "{2}". Choose another name.', where, error.envVar, error.usedBy);
    case 'unsupported':
      return error.reason;
    default:
      return error.message;
  }
}

/**
 * Writes servers to the five config targets through the core writers (jsonc-parser edits, atomic, re-read and merge)
 * and the `apimMcp.servers` setting. Workspace files are never written or read here in Restricted Mode.
 */
export class ConfigTargets {
  constructor(
    private readonly locator: TargetLocator,
    private readonly fs: ConfigFileSystem,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  filePath(kind: ConfigTargetKind): string | undefined {
    return this.locator.filePath(kind);
  }

  /** The workspace folder the workspace targets are written to. */
  get workspaceFolder(): vscode.WorkspaceFolder | undefined {
    return this.locator.workspaceFolder;
  }

  availability(kind: ConfigTargetKind, desc?: ServerDescription): TargetAvailability {
    const target = CONFIG_TARGETS[kind];
    if (target.workspaceScoped && !vscode.workspace.isTrusted) {
      return { available: false, reason: vscode.l10n.t('Restricted Mode: trust this folder to write workspace files.') };
    }
    const path = this.locator.filePath(kind);
    if (kind !== 'extension' && !path) {
      return { available: false, reason: target.workspaceScoped ? vscode.l10n.t('Open a folder first.') : vscode.l10n.t('VS Code\'s user profile is not on this machine\'s file system.') };
    }
    const built = desc && target.format ? buildMcpJsonEntry(desc) : undefined;
    if (built && !built.ok) return { available: false, reason: refusalText(built.refusal) };
    return { available: true, path };
  }

  /** Server names already in the target (empty when the file is missing, unreadable or unavailable). */
  async namesIn(kind: ConfigTargetKind): Promise<string[]> {
    if (kind === 'extension') return settingNames();
    const format = CONFIG_TARGETS[kind].format!;
    const path = this.readablePath(kind);
    if (!path) return [];
    try {
      const snapshot = await this.fs.read(path);
      if (!snapshot) return [];
      const read = readConfiguredServers(new TextDecoder().decode(snapshot.bytes).replace(/^\uFEFF/, ''), format);
      return read.ok ? read.servers.map((s) => s.name) : [];
    } catch (error: unknown) {
      this.log.warn(`[config] could not read ${path}: ${errorMessage(error)}`);
      return [];
    }
  }

  /** The targets that hold a server with this name (case-insensitive). */
  async locate(name: string): Promise<ConfigTargetKind[]> {
    const lower = name.trim().toLowerCase();
    const found: ConfigTargetKind[] = [];
    for (const kind of TARGET_KINDS) {
      if ((await this.namesIn(kind)).some((n) => n.toLowerCase() === lower)) found.push(kind);
    }
    return found;
  }

  async add(kind: ConfigTargetKind, desc: ServerDescription): Promise<WriteResult> {
    const availability = this.availability(kind, desc);
    if (!availability.available) return { ok: false, message: availability.reason };
    if (kind === 'extension') {
      const inspected = vscode.workspace.getConfiguration(SECTION).inspect<unknown[]>(KEY);
      const list = withSettingEntry(inspected?.globalValue, buildSettingEntry(desc));
      if (!list) return { ok: false, message: vscode.l10n.t('Your user settings already have a server named "{0}".', desc.name) };
      await vscode.workspace.getConfiguration(SECTION).update(KEY, list, vscode.ConfigurationTarget.Global);
      this.log.info(`[config] ${desc.name}: added to apimMcp.servers (user settings)`);
      return { ok: true, changed: true };
    }
    const path = availability.path!;
    const target = CONFIG_TARGETS[kind];
    const vscodeOauthClientId = target.format === 'vscodeMcpJson' ? await vscodeAcceptsOauthClientId(this.log) : undefined;
    const options = { newFileIndent: target.newFileIndent, toolsAllowList: target.toolsAllowList, vscodeOauthClientId };
    let before = '';
    const result = await editConfigFile(this.fs, path, (text) => addServer((before = text), target.format!, desc, options));
    return this.afterWrite(kind, this.report('add', desc.name, path, result), before, result);
  }

  async remove(kind: ConfigTargetKind, name: string): Promise<WriteResult> {
    if (kind === 'extension') {
      const config = vscode.workspace.getConfiguration(SECTION);
      const inspected = config.inspect<unknown[]>(KEY);
      let changed = false;
      const scopes: [unknown, vscode.ConfigurationTarget][] = [[inspected?.globalValue, vscode.ConfigurationTarget.Global]];
      if (vscode.workspace.isTrusted) scopes.push([inspected?.workspaceValue, vscode.ConfigurationTarget.Workspace]);
      for (const [value, scope] of scopes) {
        if (!Array.isArray(value)) continue;
        const kept = withoutSettingEntry(value, name);
        if (kept === value) continue;
        await config.update(KEY, kept, scope);
        changed = true;
      }
      if (changed) this.log.info(`[config] ${name}: removed from apimMcp.servers`);
      return { ok: true, changed };
    }
    const path = this.readablePath(kind);
    if (!path) return { ok: true, changed: false };
    const format = CONFIG_TARGETS[kind].format!;
    // The file holds the name in its own case; remove exactly that entry.
    const names = await this.namesIn(kind);
    const exact = names.find((n) => n.toLowerCase() === name.trim().toLowerCase());
    if (!exact) return { ok: true, changed: false };
    let before = '';
    const result = await editConfigFile(this.fs, path, (text) => removeServer((before = text), format, exact));
    return this.afterWrite(kind, this.report('remove', exact, path, result), before, result);
  }

  /** For the mcp.json files VS Code reads: waits until VS Code holds the inputs as written (see whenVsCodeHasRead). */
  private async afterWrite(kind: ConfigTargetKind, written: WriteResult, before: string, result: SafeEditResult): Promise<WriteResult> {
    if (!written.ok || !written.changed || !result.ok || (kind !== 'userMcpJson' && kind !== 'workspaceMcpJson')) return written;
    const present = mcpJsonInputIds(result.text);
    const removed = mcpJsonInputIds(before).filter((id) => !present.includes(id));
    if (present.length === 0 && removed.length === 0) return written;
    const folder = kind === 'workspaceMcpJson' ? this.locator.workspaceFolder : undefined;
    return { ...written, vscodeRead: await whenVsCodeHasRead(kind, { present, removed }, this.log, folder) };
  }

  private readablePath(kind: ConfigTargetKind): string | undefined {
    if (CONFIG_TARGETS[kind].workspaceScoped && !vscode.workspace.isTrusted) return undefined;
    return this.locator.filePath(kind);
  }

  private report(op: 'add' | 'remove', name: string, path: string, result: SafeEditResult): WriteResult {
    if (!result.ok) {
      const message = describeEditError(result.error, path);
      this.log.error(`[config] ${op} ${name}: ${message}`);
      return { ok: false, message };
    }
    this.log.info(`[config] ${name}: ${op === 'add' ? 'written to' : 'removed from'} ${path}${result.attempts > 1 ? ` (re-read and merged ${result.attempts - 1} time(s))` : ''}`);
    return { ok: true, changed: result.changed, path };
  }
}

function refusalText(refusal: EntryRefusal): string {
  switch (refusal) {
    case 'entraNeedsPrm':
      return vscode.l10n.t('Clients can sign in to this server by themselves only when it publishes valid protected-resource metadata. Fix the metadata, or add the server to VS Code through the extension, which signs in for it.');
  }
}

function settingNames(): string[] {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<unknown[]>(KEY);
  const values = [inspected?.globalValue, vscode.workspace.isTrusted ? inspected?.workspaceValue : undefined];
  return values.flatMap((v) => (Array.isArray(v) ? v : [])).map((i) => (i as { name?: unknown })?.name).filter((n): n is string => typeof n === 'string');
}
