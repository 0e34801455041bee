/**
 * Every command's usage text, apart from the commands themselves: the dispatcher prints it on any usage error
 * without loading a command it was not asked to run (src/cli.ts loads each command on demand).
 */
import { AUTH_KINDS } from '../core/serverRecord';

export const DIAGNOSE_USAGE = `  apim-mcp diagnose <mcp-url> [options]

Options for diagnose:
  --key-env VAR        read the subscription key from environment variable VAR
  --key-header NAME    header to send the key in (default Ocp-Apim-Subscription-Key)
  --token-env VAR      read the Entra access token from environment variable VAR
  --auth MODE          the client's auth mode: ${AUTH_KINDS.join(' | ')}
  --client-id ID       client id to preflight at the authorize endpoint
  --redirect-uri URI   redirect URI to preflight (repeatable; default: VS Code's for Entra,
                       http://localhost and https://vscode.dev/redirect)
  --scope SCOPE        scope for the preflight (repeatable; default: the PRM scopes)
  --authority URL      Entra authority when PRM names none (https://login.microsoftonline.com/<tenant>/v2.0)
  --tool-roles FILE    JSON {"<tool>": "<app role>"} from the gateway policy, for the tool × role matrix
  --policy FILE        the API's policy XML: the token is judged against its validate-jwt / validate-azure-ad-token
                       settings and a 500 against its forward-request timeout, quoting the policy's lines
  --ca-cert FILE       trust this extra CA certificate (PEM)
  --timeout MS         per-request time limit (default 10000)
  --config FILE        a client config that holds this server (.mcp.json, mcp-config.json, mcp.json; repeatable):
                       each client's verdict, and a \${VAR} key sent as that client would send it
  --report FILE        also write the redacted Markdown report to FILE
  --format FORMAT      text (default), json ({"server","findings","timeline","clients"}), sarif, or markdown
  --json               the same as --format json
  --fail-on LEVEL      exit 1 when a finding is at least error (default), warning or info
  --no-color           no colour even on a terminal`;

export const LINT_USAGE = `  apim-mcp lint <files|folders>... [options]

Options for lint:
  --format FORMAT      text (default), json, or sarif (SARIF 2.1.0, for GitHub code scanning and Azure DevOps)
  --fail-on LEVEL      exit 1 when a finding is at least error (default), warning or info
  --no-color           no colour even on a terminal

Folders are searched for policies by content: files whose root element is <policies> or <fragment>, whatever
their name, and policy strings in .bicep, ARM .json and Terraform files.`;

export const EXPLAIN_USAGE = '  apim-mcp explain "<pasted AADSTS error text or redirect URL>"';

