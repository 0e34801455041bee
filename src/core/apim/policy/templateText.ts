/**
 * Template placeholders that deployment tools replace before APIM sees a policy: Terraform `${var}` / `%{ for … }`,
 * APIM named values `{{name}}` (and Terraform-built `{{${name}}}`), Azure DevOps `#{token}#`. They are values, never
 * errors: the reader skips them whole and the rules treat them as "some value we cannot see".
 */

/** Just past the `}` that closes the placeholder at `at` (`${…}` / `%{…}`), skipping its strings; `at + 1` if never closed on its line. */
export function templateEnd(text: string, at: number): number {
  let depth = 0;
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
    else if (c === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) break;
      i = close;
    } else if (c === '\n') break;
  }
  return at + 1;
}

const PLACEHOLDER = /\{\{[^{}]*(?:\$\{[^{}]*\}[^{}]*)?\}\}|\$\{[^{}]*\}|%\{[^{}]*\}|#\{[^{}]*\}#/;
const WHOLE_PLACEHOLDER = new RegExp(`^(?:${PLACEHOLDER.source})$`);

/** The whole value is one placeholder (`{{ClientId}}`, `${client_id}`, `{{${nv}}}`, `#{ClientId}#`). */
export function isPlaceholder(value: string): boolean {
  return WHOLE_PLACEHOLDER.test(value.trim());
}

/** The value holds a placeholder somewhere, so its final text is not known here. */
export function hasPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value);
}
