// extensionTestsPath for @vscode/test-electron and for F5's "Extension Tests" (.vscode/launch.json): runs the bundled
// suites listed in APIM_MCP_TEST_FILES, or every suite in the folder APIM_MCP_TEST_DIR, with mocha.
const { readdirSync } = require('fs');
const { join } = require('path');
const Mocha = require('mocha');

function suiteFiles() {
  if (process.env.APIM_MCP_TEST_FILES) return JSON.parse(process.env.APIM_MCP_TEST_FILES);
  const dir = process.env.APIM_MCP_TEST_DIR;
  if (!dir) throw new Error('Set APIM_MCP_TEST_FILES (a JSON list of bundled suites) or APIM_MCP_TEST_DIR (their folder).');
  return readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort().map((f) => join(dir, f));
}

exports.run = function run() {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120000, color: true });
  for (const file of suiteFiles()) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
};
