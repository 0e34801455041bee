import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { RESULTS_DIR, type Workbench } from '../harness/browser';
import { waitFor } from '../harness/processes';

/**
 * The browser half of a sign-in through the test auth provider (apimMcpTest.sandboxEntra configured with
 * `browser: true`): the provider opens the Entra emulator's authorize URL with VS Code's openExternal and waits on a
 * loopback redirect URI; the person signs in on the emulator's sign-in page in their browser, which the emulator
 * then sends back to that loopback address with the code. Nobody is signed in automatically, as with real Entra.
 */
export interface EntraSignIn {
  /** Waits for the tab VS Code opens, then signs in as `upn` on the sign-in page, in the person's browser. */
  signIn(upn: string): Promise<void>;
}

/** The authorize URL the tab was opened for: as it is, or through code-server's port proxy (VS Code tunnels localhost URLs). */
export function authorizeUrlOf(tabUrl: string, entraOrigin: string, codeServerUrl: string): string | undefined {
  const tab = new URL(tabUrl);
  const entra = new URL(entraOrigin);
  if (tab.origin === entra.origin) return tabUrl;
  const proxied = `${new URL(codeServerUrl).origin}/proxy/${entra.port}/`;
  return tabUrl.startsWith(proxied) ? `${entra.origin}/${tabUrl.slice(proxied.length)}` : undefined;
}

/**
 * Call before the action that starts the sign-in (it listens for the tab from then on). VS Code may ask before it
 * opens the site, or the browser may have blocked the tab and VS Code offers to open it: the person agrees.
 */
export function expectEntraSignIn(workbench: Workbench, entraOrigin: string, codeServerUrl: string, shot?: string): EntraSignIn {
  const context = workbench.page.context();
  const tabs: Page[] = [];
  const onTab = (tab: Page) => void tabs.push(tab);
  context.on('page', onTab);
  return {
    async signIn(upn: string) {
      const open = workbench.page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Open$/ });
      let authorizeUrl: string | undefined;
      try {
        await waitFor('the Entra sign-in tab VS Code opens', 60_000, async () => {
          if ((await open.isVisible()) && tabs.length === 0) await open.click();
          const tab = tabs[0];
          if (!tab || tab.url() === 'about:blank') return undefined;
          authorizeUrl = authorizeUrlOf(tab.url(), entraOrigin, codeServerUrl);
          if (!authorizeUrl) throw new Error(`the tab VS Code opened shows ${tab.url()}, not the Entra emulator's authorize URL`);
          return true;
        }, 250);
      } finally {
        context.off('page', onTab);
        for (const tab of tabs) await tab.close().catch(() => undefined);
      }
      // The person's browser trusts the emulator's throwaway certificate, as theirs trusts login.microsoftonline.com.
      const own = await workbench.browser.newContext({ ignoreHTTPSErrors: true });
      try {
        const page = await own.newPage();
        await page.goto(authorizeUrl!);
        const login = page.locator('#i0116');
        if (!(await login.waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false))) {
          throw new Error(`no sign-in page at the authorize URL; the page says: ${(await page.innerText('body')).slice(0, 400)}`);
        }
        await login.fill(upn);
        if (shot) await page.screenshot({ path: join(RESULTS_DIR, `${shot}.png`) });
        await page.getByRole('button', { name: 'Next' }).click();
        await page.locator('#sandbox-signed-in').waitFor({ state: 'visible', timeout: 30_000 });
      } finally {
        await own.close();
      }
    },
  };
}
