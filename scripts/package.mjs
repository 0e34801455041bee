// Packages the built extension as a .vsix with vsce. Bundles are self-contained, so no node_modules ship.
import vsce from '@vscode/vsce';
import { readFileSync } from 'node:fs';

const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
const packagePath = process.argv[2] ?? `${name}-${version}.vsix`;
await vsce.createVSIX({ cwd: process.cwd(), packagePath, dependencies: false, allowStarActivation: false });
console.log(`[package] ${packagePath}`);
