import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolPaths } from './tools';

export const RESULTS_DIR = join(__dirname, '..', '..', 'test-results');

export interface Workbench {
  readonly browser: Browser;
  readonly page: Page;
  screenshot(name: string): Promise<string>;
  /**
   * A README and walkthrough image: only the part that matters (the box around `targets`, plus a margin), so it stays
   * readable where it is shown small. Written to test-results as `media-<name>.png`, and to `$APIM_MCP_MEDIA_DIR/<name>.png`
   * when that is set (`npm run media` sets it to media/screenshots).
   */
  crop(name: string, ...targets: Locator[]): Promise<string>;
  close(): Promise<void>;
}

const CROP_MARGIN = 8;

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
      async crop(name: string, ...targets: Locator[]) {
        // The pointer's last position can leave a hover over what is cropped: move it off and let the hover go.
        await page.mouse.move(0, 0);
        await page.locator('.monaco-hover, .workbench-hover').filter({ visible: true }).first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
        const boxes = await Promise.all(targets.map((t) => t.boundingBox()));
        if (boxes.length === 0 || boxes.some((b) => !b)) throw new Error(`${name}: a part to crop is not on screen`);
        const viewport = page.viewportSize() ?? { width: 1400, height: 900 };
        const left = Math.max(0, Math.min(...boxes.map((b) => b!.x)) - CROP_MARGIN);
        const top = Math.max(0, Math.min(...boxes.map((b) => b!.y)) - CROP_MARGIN);
        const right = Math.min(viewport.width, Math.max(...boxes.map((b) => b!.x + b!.width)) + CROP_MARGIN);
        const bottom = Math.min(viewport.height, Math.max(...boxes.map((b) => b!.y + b!.height)) + CROP_MARGIN);
        const png = await page.screenshot({ clip: { x: left, y: top, width: right - left, height: bottom - top } });
        mkdirSync(RESULTS_DIR, { recursive: true });
        const path = join(RESULTS_DIR, `media-${name}.png`);
        writeFileSync(path, png);
        const mediaDir = process.env.APIM_MCP_MEDIA_DIR;
        if (mediaDir) writeFileSync(join(mediaDir, `${name}.png`), png);
        return path;
      },
      close: () => browser.close(),
    };
  } catch (error: unknown) {
    await browser.close();
    throw error;
  }
}
