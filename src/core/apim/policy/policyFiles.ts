/**
 * Which files hold APIM policies. The content decides, never the name: a file is a policy when its root element is
 * `<policies>` or `<fragment>` (whatever it is called: `api-policy.xml`, `policy.xml.tpl`, `x.tftpl.xml`,
 * `examples/foo.xml`), and Bicep, ARM JSON and Terraform files are searched for policy strings. Kept apart from the
 * linter (and free of it) so the VS Code adapter can decide at activation without loading the linter.
 */
import { templateEnd } from './templateText';

/** Host languages whose string literals may hold a policy. */
export type EmbeddingHost = 'bicep' | 'json' | 'terraform';

export function embeddingHostOf(fileName: string): EmbeddingHost | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.bicep')) return 'bicep';
  if (lower.endsWith('.json') || lower.endsWith('.jsonc')) return 'json';
  if (lower.endsWith('.tf') || lower.endsWith('.hcl')) return 'terraform';
  return undefined;
}

/**
 * The root element, after what may come before it: a BOM, whitespace, `<?xml …?>`, comments, and template
 * directives (`%{ if … }`, `{% … %}`). `undefined` when the first element is anything else.
 */
export function policyRootOf(text: string): 'policies' | 'fragment' | undefined {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < n) {
    const c = text[i]!;
    let next = i;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') next = i + 1;
    else if (text.startsWith('<!--', i)) next = after(text, '-->', i + 4);
    else if (text.startsWith('<?', i)) next = after(text, '?>', i + 2);
    else if ((c === '%' || c === '$') && text[i + 1] === '{') next = templateEnd(text, i);
    else if (c === '{' && (text[i + 1] === '%' || text[i + 1] === '#')) next = after(text, `${text[i + 1]}}`, i + 2);
    if (next <= i) break;
    i = next;
  }
  const match = /^<(policies|fragment)(?=[\s>/])/.exec(text.slice(i, i + 12));
  return match ? (match[1] as 'policies' | 'fragment') : undefined;
}

function after(text: string, terminator: string, from: number): number {
  const at = text.indexOf(terminator, from);
  return at < 0 ? -1 : at + terminator.length;
}

/**
 * Whether a file by this name may be a policy before its content is read: always, except for the names of files
 * that are never one (lock files, source maps, minified bundles). The content check is `mayHoldPolicy`.
 */
export function isPolicyFileName(fileName: string): boolean {
  const base = (fileName.replace(/\\/g, '/').split('/').pop() ?? '').toLowerCase();
  return !/(^package-lock\.json$|\.min\.js$|\.map$|\.lock$|\.png$|\.jpe?g$|\.gif$|\.zip$|\.pdf$)/.test(base);
}

/** The content check: a policy document, or a Bicep / JSON / Terraform file that holds a policy string. */
export function mayHoldPolicy(fileName: string, text: string): boolean {
  if (embeddingHostOf(fileName)) return EMBEDDED_ROOT.test(text);
  return policyRootOf(text) !== undefined;
}

/** A string literal (or heredoc line) that starts with a policy root element, escaped line breaks allowed before it. */
const EMBEDDED_ROOT = /(?:^|["'])[ \t]*(?:\\[rnt][ \t]*)*<(?:policies|fragment)[\s>/\\]/m;
