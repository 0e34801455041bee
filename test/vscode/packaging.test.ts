import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID } from './helpers';

/**
 * The manifest as installed from the .vsix is complete: the Getting Started walkthrough and its media, every
 * %key% resolved from package.nls.json, the l10n bundle, the README's screenshots, the icon, changelog and license.
 */

interface Manifest {
  l10n?: string;
  icon?: string;
  contributes: {
    commands: { command: string }[];
    walkthroughs?: {
      id: string;
      title: string;
      steps: { id: string; title: string; description: string; media: { markdown?: string; image?: unknown }; completionEvents?: string[] }[];
    }[];
  };
}

const extension = () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  return ext;
};

async function readText(relative: string): Promise<string> {
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extension().extensionUri, relative));
  return new TextDecoder().decode(bytes);
}

async function exists(relative: string): Promise<boolean> {
  return vscode.workspace.fs.stat(vscode.Uri.joinPath(extension().extensionUri, relative)).then(
    () => true,
    () => false,
  );
}

function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}

describe('packaged manifest', () => {
  before(async () => {
    await activateExtension();
  });

  it('resolves every %key% of package.json from package.nls.json', async () => {
    const raw = JSON.parse(await readText('package.json')) as unknown;
    const nls = JSON.parse(await readText('package.nls.json')) as Record<string, string>;
    const keys = [...new Set(stringsOf(raw).flatMap((s) => [...s.matchAll(/^%([\w.-]+)%$/g)].map((m) => m[1]!)))];
    assert.ok(keys.length > 30, `only ${keys.length} nls keys found`);
    const missing = keys.filter((k) => typeof nls[k] !== 'string' || nls[k]!.length === 0);
    assert.deepEqual(missing, [], `package.nls.json lacks ${missing.join(', ')}`);
    // What VS Code hands to extensions is the localized manifest: no placeholder is left in it.
    const leftover = stringsOf(extension().packageJSON).filter((s) => /^%[\w.-]+%$/.test(s));
    assert.deepEqual(leftover, []);
  });

  it('has the Getting Started walkthrough, its media, and commands that exist', async () => {
    const manifest = extension().packageJSON as Manifest;
    const walkthrough = manifest.contributes.walkthroughs?.find((w) => w.id === 'apimMcp.gettingStarted');
    assert.ok(walkthrough, 'walkthrough apimMcp.gettingStarted missing');
    assert.equal(walkthrough.title, 'Getting Started with APIM MCP');
    assert.deepEqual(walkthrough.steps.map((s) => s.id), ['addServer', 'setKey', 'start', 'diagnose', 'policies']);
    const contributed = new Set(manifest.contributes.commands.map((c) => c.command));
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const step of walkthrough.steps) {
      assert.ok(step.title && step.description, `step ${step.id} has no localized title or description`);
      assert.ok(step.media.markdown, `step ${step.id} has no media`);
      assert.ok(await exists(step.media.markdown), `${step.media.markdown} is not in the package`);
      const markdown = await readText(step.media.markdown);
      for (const [, image] of markdown.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
        const path = vscode.Uri.joinPath(vscode.Uri.joinPath(extension().extensionUri, step.media.markdown), '..', image!);
        await vscode.workspace.fs.stat(path).then(undefined, () => assert.fail(`${step.media.markdown} shows ${image}, which is not in the package`));
      }
      const events = step.completionEvents ?? [];
      assert.ok(events.length > 0, `step ${step.id} has no completion event`);
      for (const event of events.filter((e) => e.startsWith('onCommand:'))) {
        const command = event.slice('onCommand:'.length);
        assert.ok(contributed.has(command), `${event}: ${command} is not contributed`);
        assert.ok(registered.has(command), `${event}: ${command} is not registered`);
      }
      for (const [, command] of step.description.matchAll(/\(command:([\w.]+)\)/g)) {
        assert.ok(registered.has(command!), `step ${step.id} links to ${command}, which is not registered`);
      }
    }
  });

  it('ships an l10n bundle that loads and holds the extension strings', async () => {
    const manifest = extension().packageJSON as Manifest;
    assert.equal(manifest.l10n, './l10n');
    const bundle = JSON.parse(await readText('l10n/bundle.l10n.json')) as Record<string, unknown>;
    const entries = Object.entries(bundle);
    assert.ok(entries.length > 100, `only ${entries.length} strings in the bundle`);
    for (const [key, value] of entries) {
      const message = typeof value === 'string' ? value : (value as { message?: unknown }).message;
      assert.equal(typeof message, 'string', `bundle entry ${key} is not a message`);
    }
    for (const expected of ['Show Logs', 'Forget Secrets', 'APIM MCP: {0}']) assert.ok(expected in bundle, `"${expected}" is not in the bundle`);
  });

  it('ships the icon, README screenshots, changelog and license', async () => {
    const manifest = extension().packageJSON as Manifest;
    assert.ok(manifest.icon && (await exists(manifest.icon)), 'icon missing');
    const readme = await readText('readme.md').catch(() => readText('README.md'));
    const images = [...readme.matchAll(/!\[[^\]]*\]\((media\/screenshots\/[^)]+)\)/g)].map((m) => m[1]!);
    assert.ok(images.length >= 3, `README shows ${images.length} screenshots`);
    for (const image of images) assert.ok(await exists(image), `${image} is not in the package`);
    assert.ok((await exists('changelog.md')) || (await exists('CHANGELOG.md')), 'changelog missing');
    assert.ok((await exists('LICENSE.txt')) || (await exists('LICENSE')), 'license missing');
    for (const hidden of ['src', 'test', 'node_modules', 'bench', 'tsconfig.json']) {
      assert.equal(await exists(hidden), false, `${hidden} should not be in the package`);
    }
  });
});
