import * as vscode from 'vscode';
import type { AzureFeature } from '../azure/azureFeature';
import type { AddFromAzureDeps } from '../azure/addFromAzure';
import { reportFailure } from '../errorNotice';
import { LazyFeature, requireChunk } from '../lazyFeature';
import type { WizardDeps, WizardFeature } from './wizardFeature';

type WizardChunk = typeof import('./wizardFeature');
type AzureChunk = typeof import('../azure/azureFeature');

/**
 * Add Secured MCP Server and Add from Azure, as stubs: the wizard (dist/wizard.js) and Add from Azure
 * (dist/azure.js) load the first time their command runs. Each takes an object from code (other extensions, tests)
 * and then runs without UI; from the palette, the view or the walkthrough it runs the quick input. Add from Azure
 * only picks: the server it found continues in the same add-server flow.
 */
export function registerAddServer(deps: WizardDeps & AddFromAzureDeps): vscode.Disposable {
  const { log } = deps;
  const wizard = new LazyFeature<WizardFeature>('the Add Server wizard', log, () => requireChunk<WizardChunk>('wizard').createWizardFeature(deps));
  const fromAzure = new LazyFeature<AzureFeature>('Add from Azure', log, () => requireChunk<AzureChunk>('azure').createAzureFeature(deps));
  const fail = (operation: string, error: unknown) => {
    reportFailure(log, operation, error);
    return undefined;
  };

  return vscode.Disposable.from(
    wizard,
    fromAzure,
    vscode.commands.registerCommand('apimMcp.addServer', async (spec?: unknown) => {
      try {
        return await (await wizard.get()).addServer(spec);
      } catch (error: unknown) {
        return fail('addServer', error);
      }
    }),
    vscode.commands.registerCommand('apimMcp.addFromAzure', async (spec?: unknown) => {
      try {
        return await (await fromAzure.get()).addFromAzure(spec, () => wizard.get());
      } catch (error: unknown) {
        return fail('addFromAzure', error);
      }
    }),
  );
}
