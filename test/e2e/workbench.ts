import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import type { Workbench } from '../harness/browser';
import { filesUnder } from '../harness/files';
import { waitFor } from '../harness/processes';

export const QUICK_INPUT = '.quick-input-widget';

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
/**
 * The title bar's step counter once the quick input shows the step whose prompt or placeholder has `text`: "n/total",
 * or "n" alone when the step was given no total (VS Code's quick input then shows the number only).
 */
export async function counterAt(page: Page, text: string): Promise<string> {
  const widget = page.locator(QUICK_INPUT).filter({ has: page.locator(`input[placeholder*="${text}"]`) }).or(page.locator(QUICK_INPUT, { hasText: text }));
  await widget.first().waitFor({ state: 'visible', timeout: 20_000 });
  const title = await page.locator(`${QUICK_INPUT} .quick-input-title`).innerText();
  return /\((\d+(?:\/\d+)?)\)/.exec(title)?.[1] ?? `no counter in "${title}"`;
}

/** The text of the row the current quick pick pre-selected (its focused row). */
export async function focusedRow(page: Page): Promise<string> {
  const active = page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row.focused`);
  await active.waitFor({ state: 'visible', timeout: 10_000 });
  return active.innerText();
}

export async function quickInputFor(page: Page, text: string | RegExp) {
  const widget = page.locator(QUICK_INPUT, { hasText: text });
  await widget.waitFor({ state: 'visible', timeout: 15_000 });
  return widget.locator('.quick-input-box input');
}

/** A notification toast containing `text`. */
export function notification(page: Page, text: string | RegExp) {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text });
}

/**
 * Set/Rotate Subscription Key as a person does it: the command, the key typed into the password box (checked to be
 * one), Enter, and the "saved" notification.
 */
export async function setKeyThroughPasswordBox(page: Page, server: string, key: string): Promise<void> {
  await runCommand(page, 'APIM MCP: Set/Rotate Subscription Key');
  const input = await quickInputFor(page, `Subscription key for ${server}`);
  if ((await input.getAttribute('type')) !== 'password') throw new Error(`the key box for ${server} is not a password box`);
  await input.fill(key);
  await page.keyboard.press('Enter');
  await notification(page, `subscription key saved for ${server}`).waitFor({ state: 'visible', timeout: 15_000 });
}

/**
 * The notification containing `text`, as a toast or, when VS Code did not pop it up as one (toasts are not
 * guaranteed, for example while other notifications hold the corner), in the notification center where a person
 * would look next.
 */
export async function findNotification(page: Page, text: string | RegExp, timeoutMs = 30_000) {
  const toast = notification(page, text);
  if (await toast.waitFor({ state: 'visible', timeout: timeoutMs / 2 }).then(() => true, () => false)) return toast;
  await runCommand(page, 'Notifications: Show Notifications');
  const listed = page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
  await listed.waitFor({ state: 'visible', timeout: timeoutMs / 2 });
  return listed;
}

/** The row of the APIM MCP Servers view for a server. */
export function serverRow(page: Page, name: string) {
  return page.locator('.pane-body .monaco-list-row', { hasText: name });
}

/**
 * Clicks an inline action of a server's row in the Servers view, as a person does: focus the view, hover the row,
 * click the icon (`play` starts, `pulse` diagnoses). Returns the row.
 */
export async function clickServerAction(page: Page, name: string, icon: 'play' | 'pulse') {
  await runCommand(page, 'APIM MCP: Focus on Servers View');
  const row = serverRow(page, name);
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.hover();
  await row.locator(`.action-label.codicon-${icon}`).click();
  return row;
}

/** The diagnostics panel's content: VS Code nests the extension's page in a second iframe. */
export function diagnosticsPanel(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/**
 * Diagnoses a server from its row and waits until the panel shows it and `result` (a selector: the findings by
 * default). On a timeout, takes a screenshot and puts the panel's text in the error.
 */
export async function diagnoseFromTree(workbench: Workbench, name: string, result = 'section.findings'): Promise<FrameLocator> {
  const { page } = workbench;
  await runCommand(page, 'View: Close All Editors');
  await clickServerAction(page, name, 'pulse');
  const frame = diagnosticsPanel(page);
  await frame.locator('header.server h1', { hasText: name }).waitFor({ state: 'visible', timeout: 30_000 });
  await frame.locator(result).first().waitFor({ state: 'visible', timeout: 60_000 }).catch(async (error: unknown) => {
    await workbench.screenshot(`e2e-diagnose-failed-${name.replace(/\W+/g, '-')}`);
    throw new Error(`${String(error)}\n--- panel ---\n${await frame.locator('body').innerText().catch(() => '(no panel)')}`);
  });
  return frame;
}

/** What the browser's clipboard holds (the context must have been granted clipboard-read). */
export function readClipboard(page: Page): Promise<string> {
  return page.evaluate('navigator.clipboard.readText()') as Promise<string>;
}

/** The rows of MCP: List Servers, as a person reads them; the picker is closed again. */
export async function mcpListServers(workbench: Workbench, shot: string): Promise<string[]> {
  const { page } = workbench;
  await runCommand(page, 'MCP: List Servers');
  const rows = page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`);
  await rows.first().waitFor({ state: 'visible', timeout: 15_000 });
  await workbench.screenshot(shot);
  const texts = await rows.allInnerTexts();
  await page.keyboard.press('Escape');
  return texts.map((t) => t.replace(/\s+/g, ' '));
}

export { filesUnder };

/** Types into the wizard's current step (found by its prompt or title) and presses Enter. */
export async function answer(page: Page, prompt: string | RegExp, value: string): Promise<void> {
  const input = await quickInputFor(page, prompt);
  await input.fill(value);
  await page.keyboard.press('Enter');
}

/**
 * Moves the mouse off the quick input, as a person's hand leaves where it last clicked on its way to the next thing.
 * Left there, the pointer is over whatever the widget shows now (another step's row, the input box), and that
 * element's hover (a row's badge, the box's placeholder) can cover what is clicked next.
 */
/**
 * Does what a person repeats when a keypress or click goes nowhere under load (a menu that takes the click while it is
 * still laid out, a Ctrl+. before the code actions are ready): act, then wait a little for `shown`; again until the
 * deadline. Once `shown` is visible nothing more is done, so a dialog or menu is never acted past.
 */
export async function actUntilShown(what: string, shown: Locator, act: () => Promise<void>, timeoutMs = 30_000): Promise<void> {
  await waitFor(what, timeoutMs, async () => {
    if (await shown.isVisible()) return true;
    await act();
    return shown.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => undefined);
  }, 0);
}

export async function moveMouseAway(page: Page): Promise<void> {
  await page.mouse.move(0, 0);
}

/** Accepts the row of the current quick pick (found by its placeholder, when given) whose text matches. */
export async function choose(page: Page, placeholder: string | undefined, row: string | RegExp): Promise<string> {
  const widget = placeholder
    ? page.locator(QUICK_INPUT).filter({ has: page.locator(`input[placeholder*="${placeholder}"]`) })
    : page.locator(QUICK_INPUT);
  await widget.waitFor({ state: 'visible', timeout: 20_000 });
  const item = widget.locator('.quick-input-list .monaco-list-row', { hasText: row }).first();
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  const text = await item.innerText();
  await moveMouseAway(page);
  await item.click();
  return text;
}

/**
 * Puts every log at Trace, as a person would with "Developer: Set Log Level". Waits for the extension's own log
 * first: a log channel created after the change can start at the extension host's initial level.
 */
export async function setTraceLogLevel(page: Page, userDataDir: string): Promise<void> {
  await waitFor('the APIM MCP log', 60_000, () => (filesUnder(join(userDataDir, 'logs')).some((f) => /APIM MCP/.test(f)) ? true : undefined));
  await runCommand(page, 'Developer: Set Log Level');
  await choose(page, undefined, /^Trace/);
}

/**
 * Opens the chat "Configure Tools" picker, where a person sees which tools a server gave VS Code, expands the
 * server's node, takes a screenshot, closes the picker and returns the picker's text.
 */
export async function toolsListed(workbench: Workbench, server: string, shot: string, media?: string): Promise<string> {
  const { page } = workbench;
  await page.keyboard.press('Escape');
  await page.locator('.interactive-input-part a.action-label[aria-label^="Configure Tools"]').click();
  const widget = page.locator(QUICK_INPUT, { hasText: 'Configure Tools' });
  const serverNode = widget.locator('.monaco-list-row', { hasText: server }).first();
  await serverNode.waitFor({ state: 'visible', timeout: 20_000 });
  await serverNode.locator('.monaco-tl-twistie').click();
  await widget.locator('.monaco-list-row', { hasText: 'listProducts' }).first().waitFor({ state: 'visible', timeout: 15_000 });
  await workbench.screenshot(shot);
  if (media) await workbench.crop(media, widget);
  const listed = await widget.innerText();
  await page.keyboard.press('Escape');
  return listed;
}

/**
 * Changes user settings as a person does, in VS Code's own editor for settings.json (code-server does not notice a
 * write from outside), and waits until the file holds the change.
 */
export async function editUserSettings(page: Page, userDataDir: string, patch: Record<string, unknown>): Promise<void> {
  const file = join(userDataDir, 'User', 'settings.json');
  const current = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const wanted = { ...current, ...patch };
  await runCommand(page, 'Preferences: Open User Settings (JSON)');
  // The line with the file's first key: the content has loaded (an empty editor would be saved over the file), and
  // no other open editor has that line.
  await page.locator('.monaco-editor .view-line', { hasText: `"${Object.keys(current)[0]}"` }).first().click();
  await page.keyboard.press('Control+A');
  // One line, so nothing is auto-indented; what the editor auto-closed after the cursor is deleted.
  await page.keyboard.insertText(JSON.stringify(wanted));
  await page.keyboard.press('Control+Shift+End');
  await page.keyboard.press('Delete');
  await page.keyboard.press('Control+S');
  await waitFor('the settings file to hold the change', 15_000, () =>
    Object.entries(patch).every(([key, value]) => JSON.stringify((JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)[key]) === JSON.stringify(value)) ? true : undefined);
  await runCommand(page, 'View: Close All Editors');
}

/**
 * APIM MCP: Remove Server from the palette, as a person does: picks the server, lets `inspect` look at the
 * confirmation dialog, presses Remove and waits for the notification that says where it was removed from.
 */
export async function removeServerFromPalette(page: Page, name: string, inspect?: (dialog: Locator) => Promise<void>): Promise<void> {
  await runCommand(page, 'APIM MCP: Remove Server');
  await choose(page, 'Choose a server', name);
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 15_000 });
  await inspect?.(dialog);
  await dialog.locator('.monaco-button', { hasText: /^Remove$/ }).click();
  await findNotification(page, `${name} removed from`);
}

/**
 * Trusts the opened folder as a person does: Workspaces: Manage Workspace Trust, Trust, and the trust editor (a
 * modal editor) closed with the X in its title bar. Waits until the status bar no longer says Restricted Mode.
 */
export async function trustFolder(workbench: Workbench): Promise<void> {
  const { page } = workbench;
  await runCommand(page, 'Workspaces: Manage Workspace Trust');
  const trust = page.locator('.workspace-trust-editor').getByRole('button', { name: /^Trust$/ }).first();
  await trust.waitFor({ state: 'visible', timeout: 30_000 });
  await trust.click();
  await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'hidden', timeout: 30_000 });
  await page.locator('.workspace-trust-editor', { hasText: 'You trust this folder' }).waitFor({ state: 'visible', timeout: 10_000 });
  await workbench.screenshot('e2e-restricted-trusted');
  const modal = page.locator('.monaco-modal-editor-block');
  await modal.locator('.action-label.codicon-close, .action-label.codicon-chrome-close').first().click();
  await modal.waitFor({ state: 'hidden', timeout: 10_000 });
}
