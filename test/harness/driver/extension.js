// Runs mocha suites in the extension host when APIM_MCP_TEST_RESULT is set on the server process, then writes
// { passed, failed, tests[] } to that file. code-server ignores extensionTestsPath, hence this extension.
const fs = require('fs');

exports.activate = function activate() {
  const resultFile = process.env.APIM_MCP_TEST_RESULT;
  if (!resultFile) return;
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
};
