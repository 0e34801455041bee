/**
 * The clients family: causes that lie in how a client fills in its config, not in the gateway. Claude Code and
 * Copilot CLI send an unset `${NAME}` reference as it is, and APIM refuses that "key" (FIDELITY.md C4, C15): the
 * cause is the variable, not the subscription.
 */
import * as l10n from '@vscode/l10n';
import { setVariableCommands } from '../../clients/shellCommands';
import { parseEnvReference } from '../../secrets/envVars';
import { type RuleContext, type FindingText } from './ruleContext';

/** Findings the unset variable explains: APIM refused the literal reference as a key. */
const EXPLAINED = ['apim.key.invalid', 'apim.key.missing'];

function unsetText(name: string, inVsCodeTerminals: boolean | undefined): FindingText {
  const terminals =
    inVsCodeTerminals === true
      ? ` ${l10n.t('VS Code terminals already have it (the extension sets it there from secret storage): start the client from one, or set it in your own shell.')}`
      : inVsCodeTerminals === false
        ? ` ${l10n.t('VS Code terminals do not have it yet: store the key with "APIM MCP: Set Subscription Key" and open a new terminal, or set it in your shell.')}`
        : '';
  return {
    id: 'apim.key.variableUnset',
    severity: 'error',
    title: l10n.t('Environment variable {0} is not set where this client runs', name),
    fix: {
      summary: l10n.t({
        message:
          'Set {0} to the subscription key in the shell that starts the client, then start the client again. With the variable unset, Claude Code and Copilot CLI send the text {1} as the key and APIM answers "invalid subscription key".{2} Each command below asks for the key without showing it.',
        args: [name, `\${${name}}`, terminals],
        comment: ['{0} is an environment variable name, {1} its ${NAME} reference; {2} is an optional sentence about VS Code terminals, starting with a space.'],
      }),
      commands: setVariableCommands(name).map((c) => c.command),
    },
  };
}

/** A key that is literally `${NAME}` (or `$NAME`) and was refused: name the variable instead of blaming the key. */
export function unsetVariableRules(ctx: RuleContext): void {
  const { obs } = ctx;
  const sent = obs.input.subscriptionKey?.reveal();
  const name = sent === undefined ? undefined : parseEnvReference(sent);
  if (!name) return;
  const refused = ctx.out.filter((f) => EXPLAINED.includes(f.id));
  if (refused.length === 0) return;
  const evidence = [`the key sent in ${obs.keyHeaderName} was the unexpanded text \${${name}}`, ...refused.flatMap((f) => f.evidence)];
  for (const f of refused) ctx.out.splice(ctx.out.indexOf(f), 1);
  const text = unsetText(name, obs.input.keyVariableInVsCodeTerminals);
  ctx.out.push({ id: text.id, severity: text.severity, title: text.title, evidence, fix: text.fix });
}
