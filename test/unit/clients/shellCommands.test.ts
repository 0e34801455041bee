import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setVariableCommands } from '../../../src/core/clients/shellCommands';

describe('commands that set a key variable', () => {
  it('one per shell, naming only the variable', () => {
    assert.deepEqual(setVariableCommands('APIM_MCP_KEY_PRODUCTS'), [
      { shell: 'bash/zsh', command: 'read -rs APIM_MCP_KEY_PRODUCTS && export APIM_MCP_KEY_PRODUCTS' },
      { shell: 'fish', command: 'read --silent --export APIM_MCP_KEY_PRODUCTS' },
      { shell: 'PowerShell', command: "$env:APIM_MCP_KEY_PRODUCTS = Read-Host -MaskInput 'APIM_MCP_KEY_PRODUCTS'" },
    ]);
  });

  it('refuses a name that is not a plain identifier (it comes from a config file)', () => {
    for (const bad of ['X; rm -rf ~', '$(id)', 'A B', '', '1ABC', "A'B"]) assert.throws(() => setVariableCommands(bad), /not an environment variable name/);
  });

  it('the bash command reads the value from the terminal and exports it to what the shell starts', () => {
    const [bash] = setVariableCommands('APIM_MCP_KEY_TEST');
    const run = spawnSync('bash', ['-c', `${bash!.command} && printenv APIM_MCP_KEY_TEST`], { input: 'typed-value\n', encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'typed-value');
  });
});
