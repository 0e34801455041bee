/**
 * Entry of dist/wizard.js: Add Secured MCP Server, loaded the first time one of its commands runs
 * (registerAddServer.ts holds the stubs). It works on the core services it is given, never on copies of its own.
 */
import type { AddServerPrefill, AddServerSpec, HeadlessPlacement } from '../../core/config/addServerPlan';
import type { ConfigFileSystem } from '../../core/config/safeWrite';
import { isConfigTargetKind } from '../../core/config/targets';
import { ConfigTargets } from '../config/configTargets';
import type { TargetLocator } from '../config/targetLocations';
import { walkthroughStepDone } from '../walkthroughProgress';
import { AddServerWizard } from './addServerWizard';
import { ServerSetup, type AddServerOutcome, type AddServerResult, type SetupDeps } from './serverSetup';

export interface WizardFeature {
  /** From code with a spec: runs without UI; from the palette, the view or the walkthrough: the quick input. */
  addServer(spec?: unknown): Promise<AddServerOutcome | AddServerResult | undefined>;
  /** Add from Azure's pick, continued in the quick input. */
  continueWith(prefill: AddServerPrefill): Promise<AddServerResult | undefined>;
  /** Add from Azure's pick, saved without UI. */
  addPrefilled(prefill: AddServerPrefill, placement: HeadlessPlacement): Promise<AddServerResult>;
}

/** What the wizard is handed by the core; the config writer holds no state of its own, so the bundle makes its own. */
export type WizardDeps = Omit<SetupDeps, 'targets'> & { readonly locator: TargetLocator; readonly fs: ConfigFileSystem };

export function createWizardFeature(deps: WizardDeps): WizardFeature {
  const targets = new ConfigTargets(deps.locator, deps.fs, deps.log);
  const setup = new ServerSetup({ ...deps, targets });
  const wizard = new AddServerWizard({ setup, targets, log: deps.log });
  return {
    addServer: async (spec) => {
      const result = isAddServerSpec(spec) ? await setup.add(spec) : await wizard.run();
      if (result && !('ok' in result && !result.ok)) walkthroughStepDone('addServer');
      return result;
    },
    continueWith: (prefill) => wizard.continueWith(prefill),
    addPrefilled: (prefill, placement) => setup.addPrefilled(prefill, placement),
  };
}

/** A programmatic add (other extensions, tests); the palette and the view pass nothing or a tree node. */
function isAddServerSpec(value: unknown): value is AddServerSpec {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.url === 'string' && isConfigTargetKind(v.target);
}
