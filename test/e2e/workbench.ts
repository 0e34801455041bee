import type { Page } from 'playwright-core';
import { waitFor } from '../harness/processes';

const QUICK_INPUT = '.quick-input-widget';

/**
 * Runs a command from the command palette by its title, as a person would: F1, type, Enter. The workbench keeps
 * loading for a while after it first paints, so the palette is retried until the command shows up.
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  await waitFor(`"${title}" in the command palette`, 45_000, async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
    await input.waitFor({ state: 'visible', timeout: 5000 });
    await input.fill(`>${title}`);
    const row = page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`, { hasText: title }).first();
    const shown = await row.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false);
    if (!shown) return undefined;
    await row.click();
    return true;
  }, 0);
}

/** The quick input's text box for the prompt whose title or prompt contains `text`. */
export async function quickInputFor(page: Page, text: string | RegExp) {
  const widget = page.locator(QUICK_INPUT, { hasText: text });
  await widget.waitFor({ state: 'visible', timeout: 15_000 });
  return widget.locator('.quick-input-box input');
}

/** A notification toast containing `text`. */
export function notification(page: Page, text: string | RegExp) {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text });
}

/** The row of the APIM MCP Servers view for a server. */
export function serverRow(page: Page, name: string) {
  return page.locator('.pane-body .monaco-list-row', { hasText: name });
}
