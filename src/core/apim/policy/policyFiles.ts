/**
 * Which files hold APIM policies: `*.policy.xml`, `policy.xml`, `policies/*.xml`, and `.bicep` files (whose policy
 * strings are found by content). Kept apart from the linter so the VS Code adapter can check names at activation
 * without loading the linter.
 */
export function isPolicyFileName(fileName: string): boolean {
  const parts = fileName.replace(/\\/g, '/').toLowerCase().split('/');
  const base = parts[parts.length - 1] ?? '';
  const folder = parts[parts.length - 2] ?? '';
  return base.endsWith('.policy.xml') || base === 'policy.xml' || (folder === 'policies' && base.endsWith('.xml')) || base.endsWith('.bicep');
}

/** Cheap content check: a `.bicep` file is only worth reading when it holds policy XML. */
export function mayHoldPolicy(fileName: string, text: string): boolean {
  return !fileName.toLowerCase().endsWith('.bicep') || /<(?:policies|fragment)\b/.test(text);
}
