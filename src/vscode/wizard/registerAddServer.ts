import * as vscode from 'vscode';
import type { AddServerSpec } from '../../core/config/addServerPlan';
import { isConfigTargetKind } from '../../core/config/targets';
import { AddFromAzure, isAddFromAzureSpec } from '../azure/addFromAzure';
import { reportFailure } from '../errorNotice';
import type { PolicyExpectationStore } from '../policyExpectationStore';
import { AddServerWizard } from './addServerWizard';
import { ServerSetup, type SetupDeps } from './serverSetup';
import { walkthroughStepDone } from '../walkthroughProgress';

/**
 * Add Secured MCP Server and Add from Azure. Each takes an object from code (other extensions, tests) and then runs
 * without UI; from the palette, the view or the walkthrough it runs the quick input. Add from Azure only picks: the
 * server it found continues in the same add-server flow.
 */
export function registerAddServer(deps: SetupDeps, policyExpectations?: PolicyExpectationStore): vscode.Disposable {
  const { log } = deps;
  const setup = new ServerSetup(deps);
  const wizard = new AddServerWizard({ setup, targets: deps.targets, log });
  const fromAzure = new AddFromAzure({ log, fetch: deps.fetch, policyExpectations });
  const fail = (operation: string, error: unknown) => {
    reportFailure(log, operation, error);
    return undefined;
  };

  return vscode.Disposable.from(
    vscode.commands.registerCommand('apimMcp.addServer', async (spec?: unknown) => {
      try {
        const result = isAddServerSpec(spec) ? await setup.add(spec) : await wizard.run();
        if (result && !('ok' in result && !result.ok)) walkthroughStepDone('addServer');
        return result;
      } catch (error: unknown) {
        return fail('addServer', error);
      }
    }),
    vscode.commands.registerCommand('apimMcp.addFromAzure', async (spec?: unknown) => {
      try {
        if (isAddFromAzureSpec(spec)) {
          const picked = await fromAzure.pickFor(spec);
          return picked.ok ? await setup.addPrefilled(picked.prefill, spec) : picked;
        }
        const picked = await fromAzure.pick();
        if (!picked?.ok) return picked;
        return await wizard.continueWith(picked.prefill);
      } catch (error: unknown) {
        return fail('addFromAzure', error);
      }
    }),
  );
}

/** A programmatic add (other extensions, tests); the palette and the view pass nothing or a tree node. */
function isAddServerSpec(value: unknown): value is AddServerSpec {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.url === 'string' && isConfigTargetKind(v.target);
}
