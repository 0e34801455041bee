// Runs mocha suites in the extension host when APIM_MCP_TEST_RESULT is set on the server process, then writes
// { passed, failed, tests[] } to that file. code-server ignores extensionTestsPath, hence this extension.
const fs = require('fs');

exports.activate = function activate(context) {
  const vscode = require('vscode');
  // Command ids taken before APIM MCP activates, so one of its features fails to register for real (the activation
  // e2e suite). That suite's workspace holds .apim-mcp-test-claims, which activates this extension first.
  for (const id of (process.env.APIM_MCP_TEST_CLAIM_COMMANDS || '').split(',').filter(Boolean)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, () => undefined));
  }
  // Test-only auth provider backed by the sandbox Entra emulator; suites reach it through this extension's exports.
  const { createSandboxEntra, PROVIDER_ID } = require('./sandboxEntraProvider');
  const sandboxEntra = createSandboxEntra();
  context.subscriptions.push(vscode.authentication.registerAuthenticationProvider(PROVIDER_ID, 'Sandbox Entra (tests)', sandboxEntra.provider, { supportsMultipleAccounts: false }));
  // The Servers view's list, read from APIM MCP's exported API (no secrets), for suites that run in another process.
  context.subscriptions.push(
    vscode.commands.registerCommand('apimMcpTest.servers.list', async () => {
      const apimMcp = vscode.extensions.getExtension('apim-mcp.apim-mcp');
      if (!apimMcp) throw new Error('apim-mcp.apim-mcp is not installed');
      return (await apimMcp.activate()).listServers();
    }),
  );
  const exports = {
    sandboxEntra: sandboxEntra.api,
    logUri: context.logUri,
    globalStorageUri: context.globalStorageUri,
    secrets: context.secrets,
    environmentVariableCollection: context.environmentVariableCollection,
  };
  // e2e runs cannot call the exports from the browser: they pass the emulator's origin and CA file in the environment,
  // and the person signs in in the browser (the test fills the emulator's sign-in page).
  if (process.env.APIM_MCP_SANDBOX_ENTRA) {
    const given = JSON.parse(process.env.APIM_MCP_SANDBOX_ENTRA);
    sandboxEntra.api.configure({ entra: given.entra, caPem: fs.readFileSync(given.caCertPath, 'utf8'), browser: true });
  }
  const resultFile = process.env.APIM_MCP_TEST_RESULT;
  if (!resultFile) return exports;
  const write = (result) => fs.writeFileSync(resultFile + '.tmp', JSON.stringify(result, null, 2)) || fs.renameSync(resultFile + '.tmp', resultFile);
  try {
    const Mocha = require(process.env.APIM_MCP_MOCHA_PATH);
    const files = JSON.parse(process.env.APIM_MCP_TEST_FILES || '[]');
    const mocha = new Mocha({ ui: 'bdd', timeout: Number(process.env.APIM_MCP_TEST_TIMEOUT || 120000), color: false, reporter: 'spec' });
    const grep = process.env.APIM_MCP_TEST_GREP;
    if (grep) mocha.grep(grep);
    for (const file of files) mocha.addFile(file);
    const tests = [];
    const runner = mocha.run(() => {
      write({ passed: tests.filter((t) => t.state === 'passed').length, failed: tests.filter((t) => t.state === 'failed').length, tests });
    });
    runner.on('pass', (test) => tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration }));
    runner.on('fail', (test, error) => tests.push({ title: test.fullTitle(), state: 'failed', error: String((error && error.stack) || error) }));
  } catch (error) {
    write({ passed: 0, failed: 1, tests: [{ title: 'test driver', state: 'failed', error: String((error && error.stack) || error) }] });
  }
  return exports;
};
