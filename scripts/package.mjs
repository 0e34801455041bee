// Packages the built extension as a .vsix with vsce. Bundles are self-contained, so no node_modules ship.
import vsce from '@vscode/vsce';
import { existsSync, readFileSync } from 'node:fs';
import { writeL10nBundle } from './l10n.mjs';

const { name, version, l10n } = JSON.parse(readFileSync('package.json', 'utf8'));
// The extension (not the test driver, which has no l10n): regenerate the string bundle from the sources first.
if (l10n && existsSync('src')) console.log(`[package] l10n bundle: ${await writeL10nBundle()} strings`);
const packagePath = process.argv[2] ?? `${name}-${version}.vsix`;
// The README's screenshots ship in the package (media/screenshots) and keep their relative links, which VS Code's
// extension page resolves against the installed extension. vsce would otherwise rewrite them to the repository's
// raw URL, and the repository URL here is a placeholder (example.invalid), so that link would be dead. Set
// baseContentUrl/baseImagesUrl here when publishing from a real repository.
await vsce.createVSIX({ cwd: process.cwd(), packagePath, dependencies: false, allowStarActivation: false, rewriteRelativeLinks: false });
console.log(`[package] ${packagePath}`);
