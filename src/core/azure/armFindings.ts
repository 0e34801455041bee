/**
 * Resource Manager failures as diagnosis findings (docs/findings.md, "Azure Resource Manager"): a permission gap
 * names the role and the exact `az role assignment create` command, throttling says when to retry.
 */
import * as l10n from '@vscode/l10n';
import { quote, type Finding } from '../diagnosis/finding';
import { FIX_COMMANDS } from '../diagnosis/fixCommands';
import { ArmError } from './armClient';
import { errorMessage } from '../basics';

export const APIM_CONTRIBUTOR_ROLE = 'API Management Service Contributor';
export const LIST_SECRETS_ACTION = 'Microsoft.ApiManagement/service/subscriptions/listSecrets/action';
export const APIM_READER_ROLE = 'API Management Service Reader Role';

/** The object id, action and scope named by an `AuthorizationFailed` message. */
export function parseAuthorizationFailed(message: string): { objectId?: string; action?: string; scope?: string } {
  const objectId = /object id '([^']+)'/i.exec(message)?.[1];
  const action = /perform action '([^']+)'/i.exec(message)?.[1];
  const scope = /over scope '([^']+)'/i.exec(message)?.[1];
  return { objectId, action, scope };
}

/** The APIM service id (`/subscriptions/…/service/<name>`) within a resource path. */
export function serviceScopeOf(resource: string): string | undefined {
  return /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ApiManagement\/service\/[^/?]+)/i.exec(resource)?.[1];
}

export function armErrorFinding(error: unknown): Finding {
  if (!(error instanceof ArmError)) {
    const message = errorMessage(error);
    return { id: 'azure.arm.error', severity: 'error', title: l10n.t('Azure Resource Manager could not be reached'), evidence: [quote(message)], fix: { summary: l10n.t('Check your network and proxy settings, then try again.') } };
  }
  const evidence = [`${error.operation}: HTTP ${error.status} ${error.code}`, ...(error.message ? [`"${quote(error.message)}"`] : [])];
  if (error.status === 403 || error.code === 'AuthorizationFailed') {
    const parsed = parseAuthorizationFailed(error.message);
    const action = parsed.action ?? '';
    const scope = serviceScopeOf(parsed.scope ?? error.resource) ?? parsed.scope ?? error.resource;
    if (/listSecrets/i.test(action) || /\/listSecrets$/i.test(error.resource)) {
      return {
        id: 'azure.arm.listSecretsDenied',
        severity: 'error',
        title: l10n.t('You can read this API Management service but not list subscription keys'),
        evidence,
        fix: {
          summary: l10n.t('Reading a key needs the "{0}" role on the service, or a custom role with {1}. Ask an owner of the service to assign it, sign in again, and retry; or paste the key by hand in Add Secured MCP Server.', APIM_CONTRIBUTOR_ROLE, LIST_SECRETS_ACTION),
          commands: [
            FIX_COMMANDS.assignRole(parsed.objectId, APIM_CONTRIBUTOR_ROLE, scope),
            FIX_COMMANDS.createKeyReaderRole([LIST_SECRETS_ACTION, 'Microsoft.ApiManagement/service/subscriptions/read'], scope),
          ],
        },
      };
    }
    return {
      id: 'azure.arm.forbidden',
      severity: 'error',
      title: action ? l10n.t({ message: 'Azure denied {0}', args: [action], comment: ['{0} is an Azure RBAC action such as Microsoft.ApiManagement/service/read.'] }) : l10n.t('Azure denied the request'),
      evidence,
      fix: {
        summary: l10n.t('Your account needs read access to the API Management service (for example "{0}" or Reader) at {1}.', APIM_READER_ROLE, scope),
        commands: [FIX_COMMANDS.assignRole(parsed.objectId, APIM_READER_ROLE, scope)],
      },
    };
  }
  if (error.status === 401) {
    return {
      id: 'azure.arm.unauthorized',
      severity: 'error',
      title: l10n.t('Azure Resource Manager rejected the sign-in'),
      evidence,
      fix: { summary: l10n.t('Sign in again with an account of the tenant that owns the subscription (Accounts menu), and check the cloud setting (apimMcp.azure.cloud).') },
    };
  }
  if (error.status === 429 || error.status === 503) {
    return {
      id: 'azure.arm.throttled',
      severity: 'warning',
      title: l10n.t('Azure Resource Manager is throttling requests'),
      evidence: [...evidence, ...(error.retryAfterSeconds !== undefined ? [`Retry-After: ${error.retryAfterSeconds}`] : [])],
      fix: { summary: l10n.t('Wait {0} seconds and try again.', error.retryAfterSeconds ?? 60) },
    };
  }
  if (error.status === 404) {
    return { id: 'azure.arm.notFound', severity: 'error', title: l10n.t('The Azure resource was not found'), evidence, fix: { summary: l10n.t('It may have been deleted or moved; refresh the lists and choose again.') } };
  }
  return { id: 'azure.arm.error', severity: 'error', title: l10n.t('Azure Resource Manager failed'), evidence, fix: { summary: l10n.t('Try again; if it persists, check the Azure status page.') } };
}
