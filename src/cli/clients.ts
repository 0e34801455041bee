/**
 * `apim-mcp diagnose <url> --config FILE…`: the server's entries in client config files, and each client's verdict.
 * A `${VAR}` key is sent as that client would send it: the variable's value from this shell, or the literal
 * reference when it is not set (Claude Code and Copilot CLI do that), so an unset variable is named as such.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { detectFileFormat } from '../core/config/configEditor';
import { formatForPath, type ConfigTargetKind } from '../core/config/targets';
import { CLIENT_LABELS, type ClientVerdict, type ServerSighting } from '../core/clients/verdicts';
import { Secret } from '../core/secret';
import { envReference } from '../core/secrets/envVars';
import { entriesInConfigFile } from '../core/config/configEntries';
import { sightingOf } from '../core/clients/sightings';

/** Which config source a file is, from its name (and, for `mcp.json`, whether it sits in `.vscode/`). */
export function sourceOfPath(path: string): ConfigTargetKind | undefined {
  const name = basename(path);
  if (name === '.mcp.json') return 'rootDotMcpJson';
  if (name === 'mcp-config.json') return 'copilotCli';
  if (name === 'mcp.json') return basename(dirname(path)) === '.vscode' ? 'workspaceMcpJson' : 'userMcpJson';
  return undefined;
}

function sameServer(a: string, b: string): boolean {
  try {
    return new URL(a).toString() === new URL(b).toString();
  } catch {
    return false;
  }
}

/** The entries for `url` in each file, or a message saying why a file could not be used. */
export function readSightings(files: readonly string[], url: string): { sightings: ServerSighting[]; problems: string[] } {
  const sightings: ServerSighting[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const source = sourceOfPath(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    } catch {
      problems.push(`${file}: cannot read the file.`);
      continue;
    }
    const format = detectFileFormat(text) ?? formatForPath(file);
    if (!source || !format) {
      problems.push(`${file}: not an MCP config file (.mcp.json, mcp-config.json or mcp.json).`);
      continue;
    }
    const read = entriesInConfigFile(text, format, source, file);
    if (!read.ok) problems.push(read.error);
    else sightings.push(...read.entries.filter((e) => sameServer(e.url, url)).map(sightingOf));
  }
  return { sightings, problems };
}

/** The key a client reading these entries would send, when it comes from a `${VAR}` header. */
export function keyFromSightings(sightings: readonly ServerSighting[], env: Readonly<Record<string, string | undefined>>): { key: Secret; header: string } | undefined {
  const withVar = sightings.find((s) => s.keySupply === 'env' && s.envVar);
  if (!withVar?.envVar) return undefined;
  const value = env[withVar.envVar]?.trim();
  return { key: Secret.of(value ? value : envReference(withVar.envVar)), header: withVar.keyHeaderName };
}

export function renderVerdicts(verdicts: readonly ClientVerdict[]): string[] {
  if (verdicts.length === 0) return [];
  const mark = { connects: '✔', signIn: '→', actionNeeded: '!', fails: '✘' } as const;
  return ['Clients', ...verdicts.map((v) => `  ${mark[v.outcome]} ${v.text} [${v.source}]`), ''];
}

export { CLIENT_LABELS };
