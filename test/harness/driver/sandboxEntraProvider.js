// Test-only AuthenticationProvider ("apimMcpTest.sandboxEntra") backed by the sandbox's Entra emulator. It reads
// scopes the way VS Code's Microsoft provider does (VSCODE_TENANT:, VSCODE_CLIENT_ID:, the rest sent to Entra),
// signs in with auth code + PKCE and renews tokens with the refresh token when they have under 30 s left, like
// MSAL's renewal window. Never ships. Two ways to get past the emulator's sign-in page (real Entra wants a person
// signed in before it issues a code):
// - configure({ user }): this posts the user name to the page itself (the vscode tier, which has no browser);
// - configure({ browser: true }): the browser sign-in a person does. The authorize URL opens in the browser
//   (vscode.env.openExternal) with a loopback redirect URI this listens on; the person (the e2e test, with
//   Playwright) signs in on the page and the emulator redirects their browser back here with the code.
const http = require('http');
const https = require('https');
const crypto = require('crypto');
const vscode = require('vscode');

const PROVIDER_ID = 'apimMcpTest.sandboxEntra';
const VSCODE_CLIENT_ID = 'aebc6443-996d-45c2-90f0-388ff96faa56';
const RENEW_WINDOW_MS = 30000;
/** How long a browser sign-in waits for the person before it fails. */
const BROWSER_SIGN_IN_MS = 120000;

function b64url(buffer) {
  return buffer.toString('base64url');
}

function parseScopes(scopes) {
  let tenant = 'organizations';
  let clientId = VSCODE_CLIENT_ID;
  const resource = [];
  for (const scope of scopes) {
    if (scope.startsWith('VSCODE_TENANT:')) tenant = scope.slice('VSCODE_TENANT:'.length);
    else if (scope.startsWith('VSCODE_CLIENT_ID:')) clientId = scope.slice('VSCODE_CLIENT_ID:'.length);
    else resource.push(scope);
  }
  return { tenant, clientId, resource };
}

/** The $Config object of an Entra page (the data the page's script renders), or undefined. Test code: pages are the emulator's. */
function pageConfig(html) {
  const start = html.indexOf('$Config=');
  const end = html.indexOf(';\n//]]></script>', start);
  if (start < 0 || end < 0) return undefined;
  try {
    return JSON.parse(html.slice(start + '$Config='.length, end));
  } catch {
    return undefined;
  }
}

function scopeKey(scopes) {
  return [...scopes].sort().join(' ');
}

function expiryOf(jwt) {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
  return payload.exp * 1000;
}

function createSandboxEntra() {
  let config;
  let sessions = [];
  const requested = [];
  const issued = [];
  const emitter = new vscode.EventEmitter();

  function request(method, url, form) {
    return new Promise((resolve, reject) => {
      const body = form ? new URLSearchParams(form).toString() : undefined;
      const req = https.request(url, { method, ca: config.caPem, headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {} }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async function tokenRequest(tenant, form) {
    const res = await request('POST', `${config.entra}/${tenant}/oauth2/v2.0/token`, form);
    const json = JSON.parse(res.body);
    if (res.status !== 200) throw new Error(json.error_description || json.error || `token endpoint answered ${res.status}`);
    issued.push(json.access_token);
    return json;
  }

  function authorizeUrl(parsed, params) {
    const authorize = new URL(`${config.entra}/${parsed.tenant}/oauth2/v2.0/authorize`);
    for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);
    return authorize.toString();
  }

  /**
   * Listens on a loopback port for the browser coming back from the emulator with `state`; `opened(redirectUri)`
   * opens the sign-in. Requests with another state are answered and ignored. Resolves with the redirect's query.
   */
  function loopbackRedirect(state, opened) {
    return new Promise((resolve, reject) => {
      const finish = (fn, value) => {
        clearTimeout(timer);
        server.close();
        fn(value);
      };
      const server = http.createServer((req, res) => {
        const query = new URL(req.url, 'http://127.0.0.1').searchParams;
        if (query.get('state') !== state) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('Not the sign-in this page waits for.');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' }).end('<!DOCTYPE html><title>Signed in</title><p id="sandbox-signed-in">Sign-in finished. You can close this tab.</p>');
        finish(resolve, query);
      });
      const timer = setTimeout(() => finish(reject, new Error(`sandboxEntra: nobody finished the sign-in in the browser within ${BROWSER_SIGN_IN_MS / 1000} s`)), BROWSER_SIGN_IN_MS);
      server.on('error', (error) => finish(reject, error));
      server.listen(0, '127.0.0.1', () => {
        Promise.resolve(opened(`http://127.0.0.1:${server.address().port}`)).catch((error) => finish(reject, error));
      });
    });
  }

  /** The browser sign-in: the page opens in the person's browser and they sign in there. */
  function signInInBrowser(parsed, params) {
    const state = b64url(crypto.randomBytes(16));
    // select_account: every sign-in asks the person (the emulator has no account picker, so it shows its sign-in page).
    return loopbackRedirect(state, async (redirectUri) => {
      params.redirect_uri = redirectUri;
      const url = authorizeUrl(parsed, { ...params, state, prompt: 'select_account' });
      if (!(await vscode.env.openExternal(vscode.Uri.parse(url, true)))) throw new Error('sandboxEntra: the sign-in page was not opened');
    });
  }

  /** Posts the configured user name to the sign-in page, without a browser; resolves with the redirect's query. */
  async function signInWithoutBrowser(parsed, params) {
    params.redirect_uri = config.redirectUri || 'http://127.0.0.1:33418';
    let res = await request('GET', authorizeUrl(parsed, { ...params, state: 'sandbox' }));
    const signInPage = !res.headers.location && pageConfig(res.body);
    if (signInPage && signInPage.pgid === 'ConvergedSignIn') {
      if (!config.user) throw new Error('sandboxEntra: configure({ user }) names the account to sign in with on the sign-in page');
      res = await request('POST', new URL(signInPage.urlPost, config.entra).toString(), { login: config.user, ctx: signInPage.sCtx });
    }
    if (!res.headers.location) throw new Error(`the emulator did not redirect (${res.status}): ${res.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 400)}`);
    return new URL(res.headers.location).searchParams;
  }

  async function signIn(parsed) {
    const verifier = b64url(crypto.randomBytes(32));
    const challenge = b64url(crypto.createHash('sha256').update(verifier).digest());
    const scope = [...parsed.resource, 'openid', 'profile', 'offline_access'].join(' ');
    const params = { client_id: parsed.clientId, response_type: 'code', scope, code_challenge: challenge, code_challenge_method: 'S256' };
    const back = config.browser ? await signInInBrowser(parsed, params) : await signInWithoutBrowser(parsed, params);
    if (back.get('error')) throw new Error(back.get('error_description') || back.get('error'));
    return tokenRequest(parsed.tenant, { grant_type: 'authorization_code', client_id: parsed.clientId, code: back.get('code'), redirect_uri: params.redirect_uri, code_verifier: verifier, scope });
  }

  function toSession(s) {
    return { id: s.id, accessToken: s.accessToken, account: { id: s.account, label: s.account }, scopes: s.scopes };
  }

  function remember(s, json) {
    s.accessToken = json.access_token;
    s.refreshToken = json.refresh_token || s.refreshToken;
    s.expiresOn = expiryOf(json.access_token);
    const idClaims = json.id_token ? JSON.parse(Buffer.from(json.id_token.split('.')[1], 'base64url').toString('utf8')) : {};
    s.account = idClaims.preferred_username || s.account || 'sandbox user';
  }

  const provider = {
    onDidChangeSessions: emitter.event,
    async getSessions(scopes) {
      if (scopes) requested.push([...scopes]);
      const matching = scopes ? sessions.filter((s) => s.key === scopeKey(scopes)) : sessions;
      for (const s of matching) {
        if (s.serveAsIsOnce && scopes) {
          s.serveAsIsOnce = false;
          continue;
        }
        if (s.expiresOn - Date.now() < RENEW_WINDOW_MS && s.refreshToken) {
          const parsed = parseScopes(s.scopes);
          remember(s, await tokenRequest(parsed.tenant, { grant_type: 'refresh_token', client_id: parsed.clientId, refresh_token: s.refreshToken, scope: [...parsed.resource, 'openid', 'profile', 'offline_access'].join(' ') }));
        }
      }
      return matching.map(toSession);
    },
    async createSession(scopes) {
      if (!config) throw new Error('sandboxEntra is not configured');
      requested.push([...scopes]);
      const s = { id: crypto.randomUUID(), scopes: [...scopes], key: scopeKey(scopes) };
      remember(s, await signIn(parseScopes(scopes)));
      sessions = sessions.filter((x) => x.key !== s.key).concat(s);
      emitter.fire({ added: [toSession(s)], removed: [], changed: [] });
      return toSession(s);
    },
    async removeSession(id) {
      const gone = sessions.filter((s) => s.id === id);
      sessions = sessions.filter((s) => s.id !== id);
      if (gone.length) emitter.fire({ added: [], removed: gone.map(toSession), changed: [] });
    },
  };

  const api = {
    providerId: PROVIDER_ID,
    /** { entra: emulator origin, caPem, redirectUri?, user? (signs in without a browser), browser? (the person signs in in the browser) } */
    configure(c) {
      config = c;
    },
    /** Every scope list the provider was asked for (what the extension under test passed to getSession). */
    requestedScopes: () => requested.map((s) => [...s]),
    /** Every access token handed out, so tests can check none of them leaked. */
    issuedTokens: () => [...issued],
    sessionCount: () => sessions.length,
    /**
     * Adds a session as if the user had signed in earlier and its access token had expired since (the machine slept
     * past its expiry): the first request for these scopes gets the expired token as it is, later ones a renewed one.
     */
    async seedExpiredSession(scopes, expiredAccessToken) {
      const s = { id: crypto.randomUUID(), scopes: [...scopes], key: scopeKey(scopes) };
      remember(s, await signIn(parseScopes(scopes)));
      Object.assign(s, { accessToken: expiredAccessToken, expiresOn: expiryOf(expiredAccessToken), serveAsIsOnce: true });
      sessions = sessions.filter((x) => x.key !== s.key).concat(s);
      emitter.fire({ added: [toSession(s)], removed: [], changed: [] });
    },
    async reset() {
      const gone = sessions;
      sessions = [];
      requested.length = 0;
      issued.length = 0;
      if (gone.length) emitter.fire({ added: [], removed: gone.map(toSession), changed: [] });
    },
  };
  return { provider, api };
}

module.exports = { createSandboxEntra, PROVIDER_ID };
