import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { RESULTS_DIR } from '../harness/browser';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { entraScenario } from '../unit/auth/entraScenario';

/**
 * The person's half of a device code sign-in (msal-node in the extension host): the notification VS Code shows, and
 * the Entra emulator's device login page, where the code is typed in the person's own browser. The emulator approves
 * only once the code was entered there, as Entra does.
 */

/** The device code notification's text: the device login page and the code. */
export const DEVICE_CODE_TEXT = /to sign in, open (https:\/\/\S+\/devicelogin) and enter the code (\w+)\./;

/** The auth tests' Entra scenario, with a device code approved only once the person enters it. */
export function startDeviceCodeSandbox(): Promise<Sandbox> {
  const scenario = entraScenario();
  return startSandbox({ ...scenario, entra: { ...scenario.entra, deviceCode: { approval: 'userEntersCode', approveAfterMs: 0, intervalSeconds: 1 } } } as never);
}

/** Enters the code on the device login page in the person's browser and waits for the emulator's confirmation. */
export async function enterDeviceCode(ownBrowser: BrowserContext, verificationUri: string, code: string, shot: string): Promise<void> {
  const page = await ownBrowser.newPage();
  await page.goto(verificationUri);
  await page.locator('#otc').fill(code);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText(/You have signed in to the Contoso MCP client application on your device/).waitFor({ state: 'visible', timeout: 15_000 });
  await page.screenshot({ path: join(RESULTS_DIR, `${shot}.png`) });
  await page.close();
}
