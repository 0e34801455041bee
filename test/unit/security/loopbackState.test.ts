import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EntraAuthorizeError, LoopbackRedirect } from '../../../src/auth/msal/loopbackRedirect';

/**
 * Issue 16, item 9: anything on this machine can reach the loopback port while a sign-in waits. A forged redirect
 * (wrong or missing state) used to end the sign-in with its error, and the real redirect that came after was told
 * "Sign-in complete" although nothing took its code. Only the response with this sign-in's state counts now.
 */
const STATE = 'state-0f3a9c1e5b7d';

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}

describe('loopback sign-in: first request does not win (issue 16, item 9)', () => {
  for (const forged of ['?error=access_denied&error_description=AADSTS50011%3A+forged&state=wrong', '?error=access_denied', '?code=forged-code&state=wrong', '?code=forged-code']) {
    it(`ignores ${forged} and the real redirect afterwards completes the sign-in`, async () => {
      const redirect = await LoopbackRedirect.start(STATE);
      try {
        const waiting = redirect.waitForCode(5000);
        const first = await get(`${redirect.redirectUri}/${forged}`);
        assert.equal(first.status, 400);
        assert.match(first.text, /not for the sign-in in progress/);
        const real = await get(`${redirect.redirectUri}/?code=real-code&state=${STATE}`);
        assert.equal(real.status, 200);
        assert.match(real.text, /Sign-in complete/);
        assert.equal(await waiting, 'real-code');
      } finally {
        redirect.close();
      }
    });
  }

  it('the real error redirect still reaches the caller, and a replay afterwards changes nothing', async () => {
    const redirect = await LoopbackRedirect.start(STATE);
    try {
      const waiting = redirect.waitForCode(5000);
      waiting.catch(() => undefined);
      const real = await get(`${redirect.redirectUri}/?error=invalid_request&error_description=AADSTS50011%3A+The+redirect+URI&state=${STATE}`);
      assert.equal(real.status, 400);
      assert.match(real.text, /Sign-in failed: AADSTS50011/);
      await assert.rejects(waiting, (e: unknown) => e instanceof EntraAuthorizeError && e.codes.includes(50011));
      const replay = await get(`${redirect.redirectUri}/?code=late&state=${STATE}`);
      assert.match(replay.text, /already finished/);
    } finally {
      redirect.close();
    }
  });

  it('accepts the response posted as a form (response_mode=form_post) with the right state only', async () => {
    const redirect = await LoopbackRedirect.start(STATE);
    try {
      const waiting = redirect.waitForCode(5000);
      const post = (body: string) => fetch(`${redirect.redirectUri}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      assert.equal((await post('error=access_denied&state=other')).status, 400);
      assert.equal((await post(`code=posted&state=${STATE}`)).status, 200);
      assert.equal(await waiting, 'posted');
    } finally {
      redirect.close();
    }
  });
});
