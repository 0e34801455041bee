/**
 * Cases for the preflight family whose fix is sharpened by what the request showed. Every catalogued AADSTS code
 * also gets a generated case in evaluate.test.ts.
 */
import { aadstsPreflight, healthyPrm, MCP_URL, signInPagePreflight } from '../observationBuilders';
import { BEARER_401, type FindingCase } from './findingCase';

const CUSTOM_CLIENT = '0a0b0c0d-1111-4222-8333-444455556666';

export const PREFLIGHT_CASES: readonly FindingCase[] = [
  {
    id: 'entra.preflight.beforeSignIn',
    name: 'the preflight meets Entra\'s sign-in page (nobody signed in)',
    setup: { unauth: BEARER_401, prm: healthyPrm(), preflights: [signInPagePreflight()] },
    severity: 'info',
    evidence: [/→ HTTP 200 Entra sign-in page \(nobody signed in\)$/, /^not checked until someone signs in: .*\(AADSTS65001\)/],
    says: /after sign-in/,
  },
  {
    id: 'entra.redirectUri.mismatch',
    name: 'VS Code\'s redirect URI not registered on a custom client',
    setup: {
      unauth: BEARER_401,
      prm: healthyPrm(),
      preflights: [aadstsPreflight(50011, { clientId: CUSTOM_CLIENT, redirectUri: 'https://vscode.dev/redirect' })],
    },
    severity: 'error',
    evidence: [/^redirect URI https:\/\/vscode\.dev\/redirect = VS Code, register under "Mobile and desktop applications \(public client\)"$/, /^Trace ID: /],
    says: /is VS Code's redirect URI/,
  },
  {
    id: 'entra.consent.required',
    name: 'VS Code not pre-authorized for the API scope',
    setup: { unauth: BEARER_401, prm: healthyPrm(), preflights: [aadstsPreflight(65001)] },
    severity: 'error',
    evidence: [/^AADSTS65001/, /^meaning here: /],
    says: /pre-authorize it/,
  },
  {
    id: 'entra.assignment.required',
    name: 'user not assigned to the API',
    setup: { unauth: BEARER_401, prm: healthyPrm(), preflights: [aadstsPreflight(50105)] },
    severity: 'error',
    evidence: [/^AADSTS50105/],
  },
  {
    id: 'entra.resource.mismatch',
    name: 'Entra refuses the RFC 8707 resource while PRM looks right',
    setup: { unauth: BEARER_401, prm: healthyPrm(), preflights: [aadstsPreflight(9010010, { resource: MCP_URL })] },
    severity: 'error',
    evidence: [/resource=https:\/\/contoso\.azure-api\.net\/products\/mcp\) → HTTP 200 error page$/],
  },
  {
    id: 'entra.signIn.failed',
    name: 'a code the catalogue does not know',
    setup: { preflights: [aadstsPreflight(4242424)] },
    severity: 'error',
    evidence: [/^AADSTS4242424/],
    says: /with AADSTS4242424/,
  },
];
