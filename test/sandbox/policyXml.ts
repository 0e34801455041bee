/**
 * The APIM policy that the gateway emulator enforces, written out as policy XML: what a user would have in the
 * workspace or read from the API in Azure. Diagnosis tests read it with the product's own policy reader, so the
 * expectations the engine judges a token against come from the same place as for a real gateway.
 */
import type { ResolvedGatewayConfig } from './gateway';

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xmlAttr = (text: string) => xmlText(text).replace(/"/g, '&quot;');

function list(parent: string, child: string, values: readonly string[], indent: string): string[] {
  return values.length ? [`${indent}<${parent}>`, ...values.map((v) => `${indent}    <${child}>${xmlText(v)}</${child}>`), `${indent}</${parent}>`] : [];
}

function tokenValidation(c: ResolvedGatewayConfig): string[] {
  const tv = c.tokenValidation;
  if (!tv) return [];
  const failed = [`failed-validation-httpcode="${tv.failedValidationHttpCode}"`, ...(tv.failedValidationErrorMessage ? [`failed-validation-error-message="${xmlAttr(tv.failedValidationErrorMessage)}"`] : [])];
  const claims = tv.requiredClaims.flatMap((claim) => [
    `            <claim name="${xmlAttr(claim.name)}" match="${claim.match}">`,
    ...claim.values.map((v) => `                <value>${xmlText(v)}</value>`),
    '            </claim>',
  ]);
  const required = claims.length ? ['        <required-claims>', ...claims, '        </required-claims>'] : [];
  if (tv.policy === 'validate-azure-ad-token') {
    return [
      `    <validate-azure-ad-token tenant-id="${xmlAttr(tv.tenantId ?? c.primaryTenantId)}" header-name="${xmlAttr(tv.headerName)}" ${failed.join(' ')}>`,
      ...list('client-application-ids', 'application-id', tv.clientApplicationIds, '        '),
      ...list('audiences', 'audience', tv.audiences, '        '),
      ...required,
      '    </validate-azure-ad-token>',
    ];
  }
  return [
    `    <validate-jwt header-name="${xmlAttr(tv.headerName)}" require-scheme="${xmlAttr(tv.requireScheme)}" clock-skew="${tv.clockSkewSeconds}" ${failed.join(' ')}>`,
    `        <openid-config url="${xmlAttr(c.openidConfigUrl)}" />`,
    ...list('audiences', 'audience', tv.audiences, '        '),
    ...list('issuers', 'issuer', tv.issuers, '        '),
    ...required,
    '    </validate-jwt>',
  ];
}

export function policyXml(c: ResolvedGatewayConfig): string {
  return [
    '<policies>',
    '  <inbound>',
    '    <base />',
    ...tokenValidation(c),
    '  </inbound>',
    '  <backend>',
    `    <forward-request timeout="${c.forwardRequestTimeoutSeconds}" buffer-response="false" />`,
    '  </backend>',
    '  <outbound><base /></outbound>',
    '  <on-error><base /></on-error>',
    '</policies>',
    '',
  ].join('\n');
}
