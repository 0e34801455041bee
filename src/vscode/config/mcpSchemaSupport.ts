import * as vscode from 'vscode';
import { mcpSchemaAcceptsOauthClientId } from '../../core/config/vscodeMcpSchema';
import { errorMessage } from '../../core/basics';

const MCP_SCHEMA = 'vscode://schemas/mcp';
let cached: Promise<boolean | undefined> | undefined;

/**
 * Whether this VS Code's own mcp.json schema takes `oauth.clientId` on HTTP servers, read once from the schema it
 * registers. undefined when the schema cannot be read: the writers then keep their default.
 */
export function vscodeAcceptsOauthClientId(log: vscode.LogOutputChannel): Promise<boolean | undefined> {
  cached ??= (async () => {
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(MCP_SCHEMA));
      const accepts = mcpSchemaAcceptsOauthClientId(doc.getText());
      log.info(`[config] ${MCP_SCHEMA}: oauth.clientId ${accepts === undefined ? 'not determined' : accepts ? 'accepted' : 'not accepted'}`);
      return accepts;
    } catch (error: unknown) {
      log.warn(`[config] could not read ${MCP_SCHEMA}: ${errorMessage(error)}`);
      return undefined;
    }
  })();
  return cached;
}
