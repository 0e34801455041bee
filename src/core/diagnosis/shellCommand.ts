import { TERMINAL_UNSAFE } from '../basics';

/**
 * Shell command lines offered for copying. Values in them come from servers (a PRM `resource`, a redirect URI in an
 * Entra error, a role name in a policy), so every word is quoted for POSIX sh: a copied command runs exactly the
 * words it shows, whatever a value holds. Commands are written for sh/bash/zsh, which is where `az` examples run.
 */

/** Characters that need no quoting in any position of an argument. */
const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word for sh: bare when it is plainly safe, otherwise in single quotes (a `'` inside becomes `'\''`). */
export function shellQuote(word: string): string {
  if (BARE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line from its words (program, options, values), each quoted as needed. */
export function shellCommand(...words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

/** What stands in a command for a part the user fills in. Quoted like any word, so running it unedited does no harm. */
export function fillIn(what: string): string {
  return `<${what}>`;
}

/**
 * A value from elsewhere, as a command word: itself, or a fill-in when it holds characters a command must not carry
 * (control, line-separator and bidi characters: a terminal would act on them when the command is pasted).
 */
export function shellValue(value: string, what: string): string {
  // Such characters must not reach a clipboard at all: a pasted ESC sequence can end bracketed paste and run what follows.
  return TERMINAL_UNSAFE.test(value) ? fillIn(`${what}: not shown, it contains control characters`) : value;
}
