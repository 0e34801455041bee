import type * as vscode from 'vscode';
import type { DiagnoseExpect } from '../core/diagnosis/policyExpect';

const KEY = 'apimMcp.azurePolicyExpectations';

/**
 * What each server's API policy in Azure expects of a request, as Add from Azure read it: the accepted audiences,
 * issuers, tenant and client applications and the forward-request timeout, with the lines that say them. Never the
 * policy itself (a policy may hold literal secrets) and never a secret. The diagnosis uses it when the workspace has
 * no policy for the server (issue 15.a). Kept in the extension's global state, keyed by the MCP URL.
 */
export class PolicyExpectationStore {
  constructor(private readonly state: vscode.Memento) {}

  get(url: string): DiagnoseExpect | undefined {
    return this.state.get<Record<string, DiagnoseExpect>>(KEY, {})[url];
  }

  async set(url: string, expect: DiagnoseExpect | undefined): Promise<void> {
    const all = { ...this.state.get<Record<string, DiagnoseExpect>>(KEY, {}) };
    if (expect) all[url] = expect;
    else delete all[url];
    await this.state.update(KEY, all);
  }
}
