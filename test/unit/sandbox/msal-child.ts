/**
 * Runs real @azure/msal-node flows against the sandbox's Entra emulator. Started by msal.test.ts in a child process
 * with NODE_EXTRA_CA_CERTS = the sandbox CA (Node reads it only at start). Prints one JSON line: per flow, the claims
 * that matter (never a token).
 */
import { ConfidentialClientApplication, CryptoProvider, PublicClientApplication, type AuthenticationResult } from '@azure/msal-node';
import { SandboxBrowser } from '../../sandbox/browserSignIn';

interface Input {
  authority: string;
  host: string;
  mcpUrl: string;
  apiAppId: string;
  publicClientId: string;
  daemonClientId: string;
  daemonSecret: string;
  redirectUri: string;
}

const input = JSON.parse(process.argv[2]) as Input;
const CLAIMS = ['aud', 'iss', 'ver', 'azp', 'azpacr', 'appid', 'scp', 'roles', 'idtyp', 'preferred_username', 'tid', 'oid'];

function claims(token: string | undefined): Record<string, unknown> | undefined {
  if (!token) return undefined;
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  return Object.fromEntries(CLAIMS.filter((c) => c in payload).map((c) => [c, payload[c]]));
}

function summary(r: AuthenticationResult | null) {
  return { claims: claims(r?.accessToken), idTokenAud: r?.idTokenClaims ? (r.idTokenClaims as { aud?: string }).aud : undefined, account: r?.account?.username, scopes: r?.scopes };
}

async function run(name: string, fn: () => Promise<unknown>, out: Record<string, unknown>) {
  try {
    out[name] = { ok: true, ...(await fn() as object) };
  } catch (error) {
    const e = error as { errorCode?: string; errorMessage?: string; message: string; subError?: string };
    out[name] = { ok: false, errorCode: e.errorCode, message: (e.errorMessage ?? e.message).split('\n')[0] };
  }
}

async function main() {
  const out: Record<string, unknown> = {};
  const system = { loggerOptions: { piiLoggingEnabled: false, loggerCallback: () => undefined } };
  const apiScope = `${input.mcpUrl}/user_impersonate`;

  await run(
    'clientCredentials',
    async () => {
      const cca = new ConfidentialClientApplication({
        auth: { clientId: input.daemonClientId, clientSecret: input.daemonSecret, authority: input.authority, knownAuthorities: [input.host] },
        system,
      });
      return summary(await cca.acquireTokenByClientCredential({ scopes: [`api://${input.apiAppId}/.default`] }));
    },
    out,
  );

  await run(
    'clientCredentialsBadSecret',
    async () => {
      const cca = new ConfidentialClientApplication({
        auth: { clientId: input.daemonClientId, clientSecret: 'not-the-secret', authority: input.authority, knownAuthorities: [input.host] },
        system,
      });
      return summary(await cca.acquireTokenByClientCredential({ scopes: [`api://${input.apiAppId}/.default`] }));
    },
    out,
  );

  const pca = new PublicClientApplication({ auth: { clientId: input.publicClientId, authority: input.authority, knownAuthorities: [input.host] }, system });

  await run(
    'deviceCode',
    async () => {
      let message = '';
      const r = await pca.acquireTokenByDeviceCode({
        scopes: [apiScope],
        deviceCodeCallback: (resp) => {
          message = resp.message;
        },
      });
      return { ...summary(r), deviceMessage: message.replace(/code \S+/, 'code <user code>') };
    },
    out,
  );

  await run(
    'authCode',
    async () => {
      const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
      const url = await pca.getAuthCodeUrl({
        scopes: [apiScope],
        redirectUri: input.redirectUri,
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
        state: 'state-123',
      });
      // A person signs in on the sign-in page (nobody is signed in at first), then SSO serves the second request.
      const browser = new SandboxBrowser();
      const res = await browser.authorize(url, 'alex@contoso.onmicrosoft.com');
      const location = new URL(res.location ?? 'about:blank');
      const code = location.searchParams.get('code');
      if (!code) throw new Error(`no code in redirect (${res.status}; error=${location.searchParams.get('error')})`);
      // PKCE is enforced: a wrong verifier is refused by /token.
      let wrongVerifier = '';
      try {
        await pca.acquireTokenByCode({ code, scopes: [apiScope], redirectUri: input.redirectUri, codeVerifier: `${verifier}x` });
      } catch (error) {
        wrongVerifier = (error as { errorCode?: string }).errorCode ?? 'error';
      }
      // That attempt did not burn the code? Entra burns codes on redemption attempts that pass the grant checks only;
      // ask for a fresh code for the real redemption.
      const res2 = await browser.authorize(url);
      const code2 = new URL(res2.location ?? 'about:blank').searchParams.get('code')!;
      const r = await pca.acquireTokenByCode({ code: code2, scopes: [apiScope], redirectUri: input.redirectUri, codeVerifier: verifier });
      const state = location.searchParams.get('state');
      const refreshed = await pca.acquireTokenSilent({ account: r!.account!, scopes: [apiScope], forceRefresh: true });
      return { ...summary(r), state, wrongVerifier, silent: summary(refreshed), silentNewToken: refreshed.accessToken !== r!.accessToken };
    },
    out,
  );

  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`msal-child: ${(error as Error).message}\n`);
  process.exit(1);
});
