/**
 * Entry of dist/azure.js: Add from Azure, loaded the first time its command runs (the stub is in
 * wizard/registerAddServer.ts). It only picks; the server it found continues in the add-server flow it is handed.
 */
// This bundle's copy of @vscode/l10n takes the translations of the core's text (the ARM findings) when it loads.
import '../../core/text/coreL10n';
import type { AddServerPrefill, HeadlessPlacement } from '../../core/config/addServerPlan';
import { AddFromAzure, isAddFromAzureSpec, type AddFromAzureDeps, type AzurePick } from './addFromAzure';

/** The add-server flow a pick continues in (the wizard bundle's), as Add from Azure needs it. */
export interface AddServerFlow<Result> {
  continueWith(prefill: AddServerPrefill): Promise<Result | undefined>;
  addPrefilled(prefill: AddServerPrefill, placement: HeadlessPlacement): Promise<Result>;
}

export interface AzureFeature {
  /** From code with a spec: picks by name and saves without UI; otherwise the quick picks, then the wizard's steps. */
  addFromAzure<Result>(spec: unknown, flow: () => Promise<AddServerFlow<Result>>): Promise<Result | AzurePick | undefined>;
}

export function createAzureFeature(deps: AddFromAzureDeps): AzureFeature {
  const fromAzure = new AddFromAzure(deps);
  return {
    async addFromAzure(spec, flow) {
      if (isAddFromAzureSpec(spec)) {
        const picked = await fromAzure.pickFor(spec);
        return picked.ok ? await (await flow()).addPrefilled(picked.prefill, spec) : picked;
      }
      const picked = await fromAzure.pick();
      if (!picked?.ok) return picked;
      return (await flow()).continueWith(picked.prefill);
    },
  };
}
