import { inertText } from '../basics';

/**
 * A diagnosis finding. Ids are stable and dotted (docs/findings.md); evidence quotes what was observed,
 * fix says exactly what to change where. Everything here is plain data and may be shown or serialised.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Fix {
  /** What to change, where, in one or two sentences. */
  readonly summary: string;
  /** Shell commands (az CLI) that apply or inspect the fix. */
  readonly commands?: readonly string[];
  /** Azure portal blades or docs. */
  readonly links?: readonly { readonly label: string; readonly url: string }[];
  /** A config or policy snippet to paste. */
  readonly snippet?: { readonly language: 'json' | 'xml' | 'text'; readonly code: string };
}

export interface Finding {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  /** Observed facts, one per line; server-provided text is quoted inert (see `quote`). */
  readonly evidence: readonly string[];
  readonly fix: Fix;
}

/**
 * Server-provided text made safe to quote anywhere: inert (see `inertText`), cut to `max` characters. It stays data;
 * renderers add their own escaping. Secrets are gone before this cut: the probe client redacts answers as it captures them.
 */
export function quote(text: string, max = 300): string {
  const flat = inertText(text);
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export const PORTAL = {
  appRegistrations: 'https://portal.azure.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade',
  enterpriseApps: 'https://portal.azure.com/#view/Microsoft_AAD_IAM/StartboardApplicationsMenuBlade/~/AppAppsPreview',
  apim: 'https://portal.azure.com/#browse/Microsoft.ApiManagement%2Fservice',
  appAuthentication: (appId: string) => `https://portal.azure.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Authentication/appId/${appId}`,
  appExposeApi: (appId: string) => `https://portal.azure.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/ProtectAnAPI/appId/${appId}`,
  appManifest: (appId: string) => `https://portal.azure.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Manifest/appId/${appId}`,
  appRoles: (appId: string) => `https://portal.azure.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/AppRoles/appId/${appId}`,
} as const;

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || a.id.localeCompare(b.id));
}

/** True when any finding is an error: the CLI's exit code 1 and the panel's failing status. */
export function hasErrors(diagnosis: { readonly findings: readonly Finding[] }): boolean {
  return diagnosis.findings.some((f) => f.severity === 'error');
}
