import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { targetFilePath, userProfileFolderOf, type ConfigTargetKind, type TargetLocations } from '../../core/config/targets';

/** A config file this extension reads (Servers view, plaintext-key lint, terminal variables) or writes. */
export interface ConfigFile {
  readonly kind: ConfigTargetKind;
  readonly path: string;
  /** The workspace folder a workspace file belongs to. */
  readonly folder?: vscode.WorkspaceFolder;
}

/**
 * Where each config target lives in this window: the one answer for every feature that reads or writes config files.
 * Only `file` locations count: the user profile folder comes from the extension's global storage when that is on
 * disk (`userProfileFolderOf`), and workspace files from the workspace folders that are on disk. Writes go to the
 * first such folder.
 */
export class TargetLocator {
  constructor(private readonly globalStorageUri: vscode.Uri) {}

  get workspaceFolder(): vscode.WorkspaceFolder | undefined {
    return this.fileFolders()[0];
  }

  locations(): TargetLocations {
    return {
      workspaceFolder: this.workspaceFolder?.uri.fsPath,
      userProfileFolder: userProfileFolderOf(this.globalStorageUri),
      homeDir: homedir(),
      env: process.env,
    };
  }

  filePath(kind: ConfigTargetKind): string | undefined {
    return targetFilePath(kind, this.locations());
  }

  /** Every `.vscode/mcp.json` and `.mcp.json` of every workspace folder. */
  workspaceFiles(): ConfigFile[] {
    const out: ConfigFile[] = [];
    for (const folder of this.fileFolders()) {
      for (const kind of ['workspaceMcpJson', 'rootDotMcpJson'] as const) {
        const file = targetFilePath(kind, { ...this.locations(), workspaceFolder: folder.uri.fsPath });
        if (file) out.push({ kind, path: file, folder });
      }
    }
    return out;
  }

  /** The files outside the workspace: the user `mcp.json` (when its folder is known) and the Copilot CLI config. */
  profileFiles(): ConfigFile[] {
    const out: ConfigFile[] = [];
    for (const kind of ['userMcpJson', 'copilotCli'] as const) {
      const file = this.filePath(kind);
      if (file) out.push({ kind, path: file });
    }
    return out;
  }

  allFiles(): ConfigFile[] {
    return [...this.workspaceFiles(), ...this.profileFiles()];
  }

  private fileFolders(): vscode.WorkspaceFolder[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  }
}
