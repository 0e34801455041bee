/**
 * The translations of the text the core writes (finding titles and fixes, policy and config lint messages). The core
 * cannot use `vscode.l10n`, so its text goes through `l10n.t` of @vscode/l10n, which has the same signatures; the
 * extractor (`npm run l10n`) puts both kinds of call into the one l10n/bundle.l10n.json, and the extension hands VS
 * Code's loaded bundle over at activation (`useL10nBundle`). Without a bundle (English, the CLI, the unit tier)
 * `l10n.t` only fills in its `{0}` arguments.
 *
 * Each bundle of dist/ (extension.js, diagnosis.js and the feature bundles, see scripts/bundles.mjs) carries its own
 * copy of @vscode/l10n, so the translations are kept on `globalThis` too, and this module, imported by each bundle's
 * entry, hands them to its copy when that bundle loads: a feature loaded after activation is translated as well.
 */
import * as l10n from '@vscode/l10n';

type L10nBundle = Record<string, string>;

const SHARED = Symbol.for('apimMcp.l10nBundle');
const shared = globalThis as { [SHARED]?: L10nBundle };

/** Translates the core's text with `contents` (VS Code's `l10n.bundle`) in this bundle and every bundle loaded later. */
export function useL10nBundle(contents: L10nBundle): void {
  shared[SHARED] = contents;
  l10n.config({ contents });
}

const adopted = shared[SHARED];
if (adopted) l10n.config({ contents: adopted });
