import { homedir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { targetFilePath, type ConfigTargetKind, type TargetLocations } from '../../core/config/targets';

/**
 * Where each config target lives in this window. The user profile folder is the grandparent of the extension's
 * global storage (`<User>/globalStorage/<id>` → `<User>`), where VS Code keeps the profile's `mcp.json`
 * (research/vscode-mcp-platform.md §1.1). Workspace targets use the first workspace folder.
 */
export class TargetLocator {
  constructor(private readonly globalStorageUri: vscode.Uri) {}

  get workspaceFolder(): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  }

  locations(): TargetLocations {
    return {
      workspaceFolder: this.workspaceFolder?.uri.fsPath,
      userProfileFolder: path.dirname(path.dirname(this.globalStorageUri.fsPath)),
      homeDir: homedir(),
      env: process.env,
    };
  }

  filePath(kind: ConfigTargetKind): string | undefined {
    return targetFilePath(kind, this.locations());
  }

  /** Every `.mcp.json` / `.vscode/mcp.json` in the workspace folders, for the lint and the terminal variables. */
  workspaceFiles(): { path: string; folder: vscode.WorkspaceFolder }[] {
    const out: { path: string; folder: vscode.WorkspaceFolder }[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      for (const kind of ['workspaceMcpJson', 'rootDotMcpJson'] as const) {
        const file = targetFilePath(kind, { ...this.locations(), workspaceFolder: folder.uri.fsPath });
        if (file) out.push({ path: file, folder });
      }
    }
    return out;
  }
}
