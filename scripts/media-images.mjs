// Regenerates the README and walkthrough images in media/screenshots. Each one is cropped (Workbench.crop) by the
// e2e test that reaches its screen in real VS Code (code-server + Chromium), so an image always shows the current UI:
//   wizard-targets, tools-listed   test/e2e/wizard.test.ts
//   diagnose-role-missing          test/e2e/diagnose.test.ts
//   policy-quick-fix               test/e2e/policyLint.test.ts
//   set-key                        test/e2e/serversView.test.ts
// `npm run media`; it takes a few minutes and needs the tools of `npm run setup-tools`. Look at the images before
// committing them.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const mediaDir = join(root, 'media', 'screenshots');
const IMAGES = ['wizard-targets', 'tools-listed', 'diagnose-role-missing', 'policy-quick-fix', 'set-key'];
const startedAt = Date.now();

const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/harness/runE2eTier.ts', 'wizard.test', 'diagnose.test', 'policyLint.test', 'serversView.test'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, APIM_MCP_MEDIA_DIR: mediaDir },
});

let stale = 0;
for (const name of IMAGES) {
  const path = join(mediaDir, `${name}.png`);
  const { mtimeMs, size } = statSync(path);
  // A PNG's width and height are the two big-endian words after the IHDR tag.
  const header = readFileSync(path).subarray(16, 24);
  const fresh = mtimeMs >= startedAt;
  if (!fresh) stale++;
  console.log(`[media] ${name}.png ${header.readUInt32BE(0)}x${header.readUInt32BE(4)} ${(size / 1024).toFixed(0)} KiB${fresh ? '' : ' (NOT regenerated)'}`);
}
process.exit(run.status !== 0 || stale > 0 ? 1 : 0);
