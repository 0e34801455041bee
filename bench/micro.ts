/**
 * In-process benchmarks for `npm run bench`: the mcp.json edit on a 5 MB file and policy lint throughput.
 * Each figure is a median over several runs, printed as a ratio against a baseline measured in the same run.
 */
import { parse, parseTree } from 'jsonc-parser';
import { addServer } from '../src/core/config/configEditor';
import { lintPolicyFile, readPolicy } from '../src/core/apim/policy/index';
import { parseServerRecord } from '../src/core/serverRecord';
import { corpus } from '../test/unit/policy/policyCorpus';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeRuns(runs: number, fn: () => void): number[] {
  fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    times.push(performance.now() - started);
  }
  return times;
}

/** A workspace mcp.json as a large team might keep it: comments, trailing commas, inputs, ~5 MB. */
export function generateMcpJson(targetBytes: number): string {
  const lines = ['{', '\t// Team MCP servers (generated for the benchmark)', '\t"inputs": [', '\t\t{ "type": "promptString", "id": "gh-token", "description": "GitHub token", "password": true },', '\t],', '\t"servers": {'];
  let size = lines.join('\n').length;
  for (let i = 0; size < targetBytes; i++) {
    const block = [
      `\t\t// server ${i}: owned by team-${i % 17}`,
      `\t\t"server-${i}": {`,
      '\t\t\t"type": "http",',
      `\t\t\t"url": "https://contoso-${i % 50}.azure-api.net/api-${i}/mcp", /* APIM */`,
      `\t\t\t"headers": { "x-team": "team-${i % 17}", "x-trace": "${'t'.repeat(i % 40)}" },`,
      '\t\t},',
    ];
    size += block.join('\n').length + 1;
    lines.push(...block);
  }
  lines.push('\t},', '}', '');
  return lines.join('\n');
}

export interface McpJsonEditResult {
  bytes: number;
  servers: number;
  addServerMedianMs: number;
  parseTreeMedianMs: number;
  jsonParseMedianMs: number;
  ratioToParseTree: number;
  ratioToJsonParse: number;
}

export function benchMcpJsonEdit(runs = 9): McpJsonEditResult {
  const text = generateMcpJson(5 * 1024 * 1024);
  const parsed = parseServerRecord({ name: 'bench-added', url: 'https://contoso.azure-api.net/products-mcp/mcp', auth: 'subscriptionKey' });
  if (!parsed.ok) throw new Error(parsed.error);
  const desc = { ...parsed.value, prmValid: false };
  const edit = addServer(text, 'vscodeMcpJson', desc);
  if (!edit.ok || !edit.changed || !edit.text.includes('"bench-added"')) throw new Error(`addServer failed on the generated file: ${JSON.stringify(edit)}`);
  // Plain JSON.parse baseline: the same content without comments or trailing commas.
  const strict = JSON.stringify(parseTreeValue(text));
  const add = timeRuns(runs, () => void addServer(text, 'vscodeMcpJson', desc));
  const tree = timeRuns(runs, () => void parseTree(text, [], { allowTrailingComma: true }));
  const json = timeRuns(runs, () => void JSON.parse(strict));
  return {
    bytes: Buffer.byteLength(text),
    servers: (text.match(/^\t\t"server-/gm) ?? []).length,
    addServerMedianMs: round(median(add)),
    parseTreeMedianMs: round(median(tree)),
    jsonParseMedianMs: round(median(json)),
    ratioToParseTree: Number((median(add) / median(tree)).toFixed(2)),
    ratioToJsonParse: Number((median(add) / median(json)).toFixed(2)),
  };
}

function parseTreeValue(text: string): unknown {
  // jsonc-parser's parse drops comments and trailing commas; used only to build the JSON.parse baseline input.
  return parse(text, [], { allowTrailingComma: true });
}

export interface PolicyLintResult {
  files: number;
  bytes: number;
  findings: number;
  lintMedianMs: number;
  filesPerSecond: number;
  mbPerSecond: number;
  readerMedianMs: number;
  readerFilesPerSecond: number;
  ratioToReader: number;
}

/** Lints the 1,000-file corpus of the unit benchmark (test/unit/policy/policyCorpus.ts); baseline: the XML reader alone. */
export function benchPolicyLint(runs = 5): PolicyLintResult {
  const files = corpus();
  const xml = files.filter((f) => !f.name.endsWith('.bicep'));
  const bytes = files.reduce((sum, f) => sum + Buffer.byteLength(f.text), 0);
  let findings = 0;
  for (const f of files) findings += lintPolicyFile(f.name, f.text).length;
  const lint = timeRuns(runs, () => {
    for (const f of files) lintPolicyFile(f.name, f.text);
  });
  // The reader baseline parses the XML files only (.bicep files need extraction first), scaled to the full count.
  const reader = timeRuns(runs, () => {
    for (const f of xml) readPolicy(f.text);
  });
  const lintMs = median(lint);
  const readerMs = (median(reader) * files.length) / xml.length;
  return {
    files: files.length,
    bytes,
    findings,
    lintMedianMs: round(lintMs),
    filesPerSecond: Math.round((files.length / lintMs) * 1000),
    mbPerSecond: Number((bytes / 1024 / 1024 / (lintMs / 1000)).toFixed(2)),
    readerMedianMs: round(readerMs),
    readerFilesPerSecond: Math.round((files.length / readerMs) * 1000),
    ratioToReader: Number((lintMs / readerMs).toFixed(2)),
  };
}

function round(ms: number): number {
  return Number(ms.toFixed(1));
}
