// extensionTestsPath for @vscode/test-electron: runs the bundled suites listed in APIM_MCP_TEST_FILES with mocha.
const Mocha = require('mocha');

exports.run = function run() {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120000, color: true });
  for (const file of JSON.parse(process.env.APIM_MCP_TEST_FILES || '[]')) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
};
