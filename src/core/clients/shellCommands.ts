import { ENV_VAR_NAME } from '../secrets/envVars';

/**
 * Commands that set an environment variable to a subscription key in the shell a client is started from. Each one
 * prompts for the value without echoing it, so the key never lands in a command line, the shell history or a
 * copied snippet; only the variable name is in the text, and it must be a plain identifier (it comes from a config
 * file, so it is checked, never quoted into a command as it is).
 */
export interface ShellCommand {
  readonly shell: 'bash/zsh' | 'fish' | 'PowerShell';
  readonly command: string;
}

export function setVariableCommands(name: string): ShellCommand[] {
  if (!ENV_VAR_NAME.test(name)) throw new Error(`not an environment variable name: ${JSON.stringify(name)}`);
  return [
    { shell: 'bash/zsh', command: `read -rs ${name} && export ${name}` },
    { shell: 'fish', command: `read --silent --export ${name}` },
    // -MaskInput: PowerShell 7.1 and later.
    { shell: 'PowerShell', command: `$env:${name} = Read-Host -MaskInput '${name}'` },
  ];
}
