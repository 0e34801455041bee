/**
 * SARIF 2.1.0 (OASIS) for lint and diagnose results, the format GitHub code scanning and Azure DevOps read.
 * Locations are relative to the folder the command ran in (`SRCROOT`), as code scanning expects.
 */
import { pathToFileURL } from 'node:url';
import { terminalJson } from './io';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://github.com/apim-mcp/apim-mcp';

export type SarifLevel = 'error' | 'warning' | 'note';

export interface SarifRule {
  readonly id: string;
  readonly title: string;
  readonly level: SarifLevel;
  /** Where the rule is explained (a repository-relative docs path and anchor, or a URL). */
  readonly help: string;
}

export interface SarifResult {
  readonly ruleId: string;
  readonly level: SarifLevel;
  readonly message: string;
  /** A path relative to the run folder, with forward slashes; or an absolute URI (a server URL). */
  readonly location: string;
  /** 1-based, UTF-16 columns; absent for results without a place in a file. */
  readonly region?: { readonly startLine: number; readonly startColumn: number; readonly endLine: number; readonly endColumn: number };
}

export function sarifLevel(severity: string): SarifLevel {
  return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

/** A relative path as a URI reference: each segment percent-encoded, so spaces and `#` survive. */
function relativeUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function renderSarif(version: string, rules: readonly SarifRule[], results: readonly SarifResult[], cwd: string): string {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const root = pathToFileURL(cwd.endsWith('/') ? cwd : `${cwd}/`).href;
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'apim-mcp',
            informationUri: INFORMATION_URI,
            semanticVersion: version,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/^.*\./, ''),
              shortDescription: { text: r.title },
              help: { text: `See ${r.help}` },
              defaultConfiguration: { level: r.level },
            })),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: root } },
        columnKind: 'utf16CodeUnits',
        results: results.map((r) => ({
          ruleId: r.ruleId,
          ...(index.has(r.ruleId) ? { ruleIndex: index.get(r.ruleId) } : {}),
          level: r.level,
          message: { text: r.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: /^[a-z][a-z0-9+.-]*:/i.test(r.location) ? { uri: r.location } : { uri: relativeUri(r.location), uriBaseId: 'SRCROOT' },
                ...(r.region ? { region: r.region } : {}),
              },
            },
          ],
        })),
      },
    ],
  };
  return terminalJson(log);
}
