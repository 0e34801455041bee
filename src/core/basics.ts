/**
 * Small things every layer needs the same way: the text of a caught error, the shape of a GUID (tenant ids, client
 * ids, trace ids), and text made inert for a terminal. Pure, so the core, the auth layer and the adapters share one copy.
 */

/** The message of a caught value: an `Error`'s message, anything else as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A GUID's pattern, unanchored and case-insensitive by its character classes, to embed in larger expressions. */
export const GUID_SOURCE = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** A whole string that is a GUID, in any letter case. */
export const GUID = new RegExp(`^${GUID_SOURCE}$`);

/** Characters a terminal acts on or that reorder a line: C0 and C1 controls, DEL, bidi controls, line separators. */
const UNSAFE_CHARACTERS = '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
export const TERMINAL_UNSAFE = new RegExp(`[${UNSAFE_CHARACTERS}]`);
const TERMINAL_UNSAFE_ALL = new RegExp(`[${UNSAFE_CHARACTERS}]`, 'g');

/** `\uXXXX` for one character: how inert text shows what it took out. */
export function escapedCharacter(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Text made inert for a terminal or a file someone will `cat`: control and bidi characters shown as `\uXXXX` (no
 * terminal escapes, no reordered lines), line breaks as `\n`. Renderers apply it to every value they print.
 */
export function inertText(text: string): string {
  return text.replace(/\r?\n/g, '\\n').replace(TERMINAL_UNSAFE_ALL, escapedCharacter);
}

/** Several lines of text (a snippet), each made inert; the line breaks themselves stay. */
export function inertLines(text: string): string {
  return text.split(/\r?\n/).map(inertText).join('\n');
}
