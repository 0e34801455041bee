import { chromium, type Browser, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { toolPaths } from './tools';

export const RESULTS_DIR = join(__dirname, '..', '..', 'test-results');

export interface Workbench {
  readonly browser: Browser;
  readonly page: Page;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Opens the VS Code workbench in Debian's Chromium with the flags that keep it off the (absent) network. */
export async function openWorkbench(url: string): Promise<Workbench> {
  const browser = await chromium.launch({
    executablePath: toolPaths().chromium,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    return {
      browser,
      page,
      async screenshot(name: string) {
        mkdirSync(RESULTS_DIR, { recursive: true });
        const path = join(RESULTS_DIR, `${name}.png`);
        await page.screenshot({ path });
        return path;
      },
      close: () => browser.close(),
    };
  } catch (error: unknown) {
    await browser.close();
    throw error;
  }
}
