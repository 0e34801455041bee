/**
 * Resource Manager failures as findings (src/core/azure/armFindings.ts, "Azure Resource Manager" in
 * docs/findings.md): one fabricated `ArmError` per id, shaped like ARM's error bodies, for the table test.
 */
import { ArmError } from '../../../../src/core/azure/armClient';
import { LIST_SECRETS_ACTION } from '../../../../src/core/azure/armFindings';
import type { FindingCase } from './findingCase';

export interface ArmFindingCase extends Pick<FindingCase, 'id' | 'name' | 'severity' | 'evidence' | 'says'> {
  readonly error: unknown;
}

const SERVICE = '/subscriptions/0a0b0c0d-0000-4000-8000-00000000000a/resourceGroups/rg-mcp/providers/Microsoft.ApiManagement/service/contoso-apim';
const OBJECT_ID = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const denied = (action: string, scope: string): string =>
  `The client 'alex@contoso.onmicrosoft.com' with object id '${OBJECT_ID}' does not have authorization to perform action '${action}' over scope '${scope}' ` +
  'or the scope is invalid.';

export const ARM_CASES: readonly ArmFindingCase[] = [
  {
    id: 'azure.arm.listSecretsDenied',
    name: '403 on listSecrets',
    error: new ArmError(
      403,
      'AuthorizationFailed',
      denied(LIST_SECRETS_ACTION, `${SERVICE}/subscriptions/mcp-tools`),
      "list secrets of subscription 'mcp-tools'",
      `${SERVICE}/subscriptions/mcp-tools/listSecrets`,
    ),
    severity: 'error',
    evidence: [/^list secrets of subscription 'mcp-tools': HTTP 403 AuthorizationFailed$/, new RegExp(`object id '${OBJECT_ID}'`)],
    says: /API Management Service Contributor/,
  },
  {
    id: 'azure.arm.forbidden',
    name: '403 on listing the APIs',
    error: new ArmError(403, 'AuthorizationFailed', denied('Microsoft.ApiManagement/service/apis/read', SERVICE), 'list MCP servers', `${SERVICE}/apis`),
    severity: 'error',
    evidence: [/^list MCP servers: HTTP 403 AuthorizationFailed$/],
    says: /API Management Service Reader Role/,
  },
  {
    id: 'azure.arm.unauthorized',
    name: '401 from Resource Manager',
    error: new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', 'list subscriptions', '/subscriptions'),
    severity: 'error',
    evidence: [/^list subscriptions: HTTP 401 InvalidAuthenticationToken$/],
  },
  {
    id: 'azure.arm.throttled',
    name: '429 after the bounded retries',
    error: new ArmError(429, 'TooManyRequests', 'Too many requests.', 'list APIM services', `${SERVICE}`, 7),
    severity: 'warning',
    evidence: [/^Retry-After: 7$/],
    says: /Wait 7 seconds/,
  },
  {
    id: 'azure.arm.notFound',
    name: '404 for a service deleted since it was listed',
    error: new ArmError(404, 'ResourceNotFound', "The Resource 'Microsoft.ApiManagement/service/contoso-apim' was not found.", 'read the API policy', SERVICE),
    severity: 'error',
    evidence: [/^read the API policy: HTTP 404 ResourceNotFound$/],
  },
  {
    id: 'azure.arm.error',
    name: 'another Resource Manager error',
    error: new ArmError(500, 'InternalServerError', 'Something went wrong.', 'list subscriptions', '/subscriptions'),
    severity: 'error',
    evidence: [/^list subscriptions: HTTP 500 InternalServerError$/],
  },
  {
    id: 'azure.arm.error',
    name: 'no answer at all',
    error: new TypeError('fetch failed'),
    severity: 'error',
    evidence: [/^fetch failed$/],
    says: /could not be reached/,
  },
];
