// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// The real module against Glewlwyd, a second and independent OpenID provider (tests/idp/
// glewlwyd.mjs): the device flow with public and confidential clients, RS256, ES256 and EdDSA ID
// tokens, the wrong person, expiry, a wrong secret, and push approval (CIBA) with a JSON hint.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { glewlwydAvailable, startGlewlwyd } from '../idp/glewlwyd.mjs';
import {
  runPam, requests, screen, dump, waitFor, verdict, SLOW, PAM, skip as noModule, baseConfig,
  expectOutcome, expectNoLeaks,
} from './lib/index.mjs';

const skip = noModule || (glewlwydAvailable() ? false
  : 'glewlwyd not installed (sh tests/setup-debian.sh installs it)');

// What Glewlwyd takes as a login_hint: a JSON object naming the account, nothing else.
const JSON_HINT = '{"username":"{user}"}';
const FALLBACK_LINE = /Push approval is not available here; sign in with a code instead\./;

async function glewlwyd(t, opts) {
  const g = await startGlewlwyd(opts);
  t.after(() => g.close());
  return g;
}

function config(g, extra = {}) {
  return baseConfig(g, { scope: 'openid profile', ...extra });
}

// A login whose device code approveAs approves on Glewlwyd's pages (of the plugin instance
// that signs with alg, granting the scopes in grant).
async function login(t, g, opts = {}) {
  const { alg, grant, ...rest } = opts;
  const from = g.log.length;
  const r = await runPam(t, {
    idp: g,
    config: config(g),
    approve: (code, { login: who }) => g.approveDevice(code, who, { alg, grant }),
    ...rest,
  });
  return { ...r, from };
}

// What Glewlwyd answered the module since entry `from` of its log, in order, repeats counted:
// "ciba 200, token 400 authorization_pending x3, token 200".
function answers(g, from = 0) {
  const seen = [];
  for (const e of g.log.slice(from)) {
    if (!['device_authorization', 'ciba', 'token', 'userinfo'].includes(e.endpoint)) continue;
    const what = `${e.endpoint} ${e.status}${e.error ? ` ${e.error}` : ''}`;
    if (seen.at(-1)?.what === what) seen.at(-1).n += 1;
    else seen.push({ what, n: 1 });
  }
  return seen.map(({ what, n }) => (n > 1 ? `${what} x${n}` : what)).join(', ');
}

// expectOutcome, and the login's verdict, outcome line and Glewlwyd's answers in the test
// report: the case table of this provider, read off any run.
function expectLogin(t, g, r, want) {
  const o = expectOutcome(r, want);
  const line = r.syslog.find((l) => / result=/.test(l.text));
  t.diagnostic(`PAM: ${verdict(r)}`);
  t.diagnostic(`syslog: ${line.text}`);
  t.diagnostic(`Glewlwyd: ${answers(g, r.from)}`);
  return o;
}

function idTokenPart(g, i) {
  const jwt = g.issued.id_token.at(-1);
  assert.ok(jwt, 'Glewlwyd issued an ID token');
  return JSON.parse(Buffer.from(jwt.split('.')[i], 'base64url').toString());
}

// Every poll was answered "not yet": no tokens, no other error.
function assertOnlyPending(g, r) {
  const polls = requests(g, 'polls');
  assert.ok(polls.every((p) => ['authorization_pending', 'slow_down'].includes(p.error)),
    `only authorization_pending${dump(r)}`);
  return polls;
}

// A wrong client secret: Glewlwyd refuses the device authorization (403 unauthorized_client),
// the module reports a configuration error, shows no code and never polls.
function expectWrongSecret(t, g, r) {
  const [auth] = requests(g, 'deviceAuths');
  assert.equal(auth?.status, 403, `device authorization refused${dump(r)}`);
  assert.equal(auth.error, 'unauthorized_client');
  assert.equal(requests(g, 'polls').length, 0, 'no device code, no polls');
  expectLogin(t, g, r, {
    verdict: PAM.SERVICE_ERR, result: 'config', user: 'alice',
    reason: /device authorization: HTTP 403: unauthorized_client/,
  });
  assert.doesNotMatch(screen(r), /Code:/);
}

// Glewlwyd's sub is a random id of 32 letters and digits, not the account name.
const RANDOM_SUB = /^[A-Za-z0-9]{32}$/;

test('device flow, public client: alice approves her own code',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const g = await glewlwyd(t, { algs: ['RS256'] });
    const r = await login(t, g, { approveAs: 'alice' });
    const o = expectLogin(t, g, r, {
      verdict: PAM.SUCCESS, result: 'ok', user: 'alice', claim: 'alice', issuer: g.issuer,
    });
    assert.match(o.sub, RANDOM_SUB, 'sub is Glewlwyd\'s random id');
    const auths = requests(g, 'deviceAuths');
    assert.equal(auths.length, 1, 'Glewlwyd saw one device authorization request');
    assert.equal(auths[0].status, 200);
    assert.equal(auths[0].client, 'pam-test');
    assert.equal(auths[0].clientAuth, 'none');
    assert.equal(auths[0].response.interval, 1);
    assert.match(auths[0].response.verification_uri, /\/api\/rs256\/device$/);
    const polls = requests(g, 'polls');
    assert.ok(polls.length >= 1 && polls.at(-1).status === 200,
      `polled until the tokens${dump(r)}`);
    assert.ok(polls.every((p) => p.client === 'pam-test' && p.clientAuth === 'none'),
      'every poll by the public client');
    // No slow_down asserted: Glewlwyd reads the time of a poll in whole seconds, then records
    // it from its database a moment later, so a poll one interval after one that straddled a
    // second can read as too early. The unanswered login below measures the gaps instead.
    assert.equal(idTokenPart(g, 0).alg, 'RS256');
    assert.equal(idTokenPart(g, 1).preferred_username, 'alice', 'the name from the claim mapping');
    expectNoLeaks(g, r);
  });

for (const auth of ['basic', 'post']) {
  test(`device flow, confidential client (client_secret_${auth})`,
    { skip, timeout: 60000 * SLOW }, async (t) => {
      const g = await glewlwyd(t, { algs: ['RS256'] });
      const client = g.clients[auth];
      const r = await login(t, g, {
        config: config(g, {
          client_id: client.id, client_secret: client.secret, client_auth: auth,
        }),
        approveAs: 'alice',
      });
      expectLogin(t, g, r, { verdict: PAM.SUCCESS, result: 'ok', user: 'alice', claim: 'alice' });
      const calls = [...requests(g, 'deviceAuths'), ...requests(g, 'polls')];
      assert.ok(calls.length >= 2);
      assert.deepEqual([...new Set(calls.map((e) => `${e.client} ${e.clientAuth}`))],
        [`${client.id} ${auth}`], `every request authenticated with client_secret_${auth}`);
      expectNoLeaks(g, r);
    });
}

test('ID tokens signed with RS256, ES256 and EdDSA (one plugin instance each)',
  { skip, timeout: 90000 * SLOW }, async (t) => {
    const g = await glewlwyd(t);
    const subs = new Set();
    for (const alg of ['RS256', 'ES256', 'EdDSA']) {
      const before = g.issued.id_token.length;
      const r = await login(t, g, {
        config: config(g, { issuer: g.issuerFor(alg), id_token_algs: alg }),
        approveAs: 'alice',
        alg,
      });
      const o = expectLogin(t, g, r, {
        verdict: PAM.SUCCESS, result: 'ok', claim: 'alice', issuer: g.issuerFor(alg),
      });
      assert.equal(g.issued.id_token.length, before + 1, `one ID token from ${alg}`);
      const header = idTokenPart(g, 0);
      assert.equal(header.alg, alg);
      assert.equal(header.kid, g.plugins[alg].kid);
      subs.add(o.sub);
    }
    // The same person has another sub at each plugin instance.
    assert.equal(subs.size, 3, `subs ${[...subs].join(' ')}`);
  });

test('bob approves alice\'s code: refused, wrong_identity', { skip, timeout: 60000 * SLOW },
  async (t) => {
    const g = await glewlwyd(t, { algs: ['RS256'] });
    const r = await login(t, g, { approveAs: 'bob' });
    // Glewlwyd cannot tell: it hands out bob's tokens, and the module refuses them.
    assert.equal(requests(g, 'polls').at(-1)?.status, 200, 'Glewlwyd issued the tokens');
    expectLogin(t, g, r, {
      verdict: PAM.AUTH_ERR, result: 'wrong_identity', user: 'alice', claim: 'bob',
    });
  });

test('device code not approved before it expires: expired', { skip, timeout: 60000 * SLOW },
  async (t) => {
    const g = await glewlwyd(t, { algs: ['RS256'], deviceExpiry: 3 });
    const r = await login(t, g, { config: config(g, { timeout: 60 }) });
    expectLogin(t, g, r, { verdict: PAM.AUTH_ERR, result: 'expired', user: 'alice' });
    assert.equal(requests(g, 'deviceAuths')[0].response.expires_in, 3);
    // The module stops at the code's expires_in, before Glewlwyd would say expired_token.
    assertOnlyPending(g, r);
    assert.ok(r.elapsedMs >= 2500, `gave up after ${r.elapsedMs} ms, before the code expired`);
    assert.ok(r.elapsedMs < 12000 * SLOW, `gave up only after ${r.elapsedMs} ms`);
  });

// Glewlwyd's pages and API have no "deny" for a device code: the person can only leave it.
test('no way to deny a device code: an unanswered login ends at the module\'s timeout',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const g = await glewlwyd(t, { algs: ['RS256'] });
    const r = await login(t, g, { config: config(g, { timeout: 5 }) });
    expectLogin(t, g, r, {
      verdict: PAM.AUTH_ERR, result: 'expired', user: 'alice', reason: /no approval before/,
    });
    assert.ok(r.elapsedMs < 9000 * SLOW, `gave up only after ${r.elapsedMs} ms`);
    const polls = assertOnlyPending(g, r);
    // Never sooner than the interval (1 s), the first poll included.
    const times = [requests(g, 'deviceAuths')[0].t, ...polls.map((p) => p.t)];
    const gaps = times.slice(1).map((tm, i) => tm - times[i]);
    assert.ok(gaps.length >= 3 && gaps.every((gap) => gap >= 1000 - 100),
      `gaps ${gaps.join(' ')} ms${dump(r)}`);
  });

test('wrong client secret: Glewlwyd answers 403 unauthorized_client, a configuration error',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const g = await glewlwyd(t, { algs: ['RS256'] });
    const r = await login(t, g, {
      config: config(g, { client_id: g.clients.basic.id, client_secret: 'not-the-secret' }),
    });
    expectWrongSecret(t, g, r);
  });

test('the person grants no scope at all: Glewlwyd still approves, with openid',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const g = await glewlwyd(t, { algs: ['RS256'] });
    const r = await login(t, g, { approveAs: 'alice', grant: '' });
    expectLogin(t, g, r, { verdict: PAM.SUCCESS, result: 'ok', claim: 'alice' });
    assert.equal(requests(g, 'polls').at(-1).scope, 'openid', 'openid counts as granted');
  });

test('a device code is redeemed by every plugin instance, not only the one that issued it',
  { skip, timeout: 30000 * SLOW }, async (t) => {
    const g = await glewlwyd(t, { algs: ['RS256', 'ES256'] });
    const post = async (url, form) => {
      const res = await fetch(url, { method: 'POST', body: new URLSearchParams(form) });
      return { status: res.status, body: await res.json() };
    };
    const da = await post(`${g.issuerFor('RS256')}/device_authorization`,
      { client_id: 'pam-test', scope: 'openid' });
    assert.equal(da.status, 200);
    await g.approveDevice(da.body.user_code, 'alice');
    const tok = await post(`${g.issuerFor('ES256')}/token`, {
      client_id: 'pam-test', device_code: da.body.device_code,
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    });
    assert.equal(tok.status, 200, JSON.stringify(tok.body));
    const claims = JSON.parse(Buffer.from(tok.body.id_token.split('.')[1], 'base64url'));
    assert.equal(claims.iss, g.issuerFor('ES256'), 'the other instance signed as itself');
  });

// Push approval (CIBA, poll mode). Glewlwyd takes a login_hint only as JSON naming the account.

// Starts a login and waits for Glewlwyd's answer to the push request. decide(g), when given,
// then answers the push: Glewlwyd must have taken it (200) while the login still waits, or the
// test fails. Without decide the login runs to its end as it is.
async function pushLogin(t, g, opts, decide) {
  let ended = false;
  const running = runPam(t, { idp: g, ...opts }).finally(() => {
    ended = true;
  });
  try {
    await waitFor('Glewlwyd\'s answer to the push request',
      () => ended || requests(g, 'pushes').some((e) => e.status !== null), 20000 * SLOW);
    if (decide) {
      const [push] = requests(g, 'pushes');
      assert.ok(!ended && push?.status === 200,
        `Glewlwyd took the push (HTTP ${push?.status}) and the login waits for it`);
      await decide(g);
    }
  } catch (e) {
    const r = await running;
    throw new Error(`${e.message}${dump(r)}`);
  }
  return running;
}

function cibaConfig(g, extra = {}) {
  return config(g, {
    client_id: g.clients.ciba.id,
    client_secret: g.clients.ciba.secret,
    mode: 'ciba',
    login_hint_template: JSON_HINT,
    ...extra,
  });
}

test('push approved by alice (JSON login_hint): success, the name from userinfo',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const g = await glewlwyd(t, { algs: ['RS256'] });
    const r = await pushLogin(t, g, { config: cibaConfig(g) },
      async (p) => assert.equal((await p.approveCiba('alice')).message, 'complete'));
    expectLogin(t, g, r, { verdict: PAM.SUCCESS, result: 'ok', user: 'alice', claim: 'alice' });
    const [bc] = requests(g, 'pushes');
    assert.equal(bc.loginHint, '{"username":"alice"}');
    assert.equal(bc.clientAuth, 'basic');
    assert.match(bc.bindingMessage, /^pamtest\/pamtest#\d{4}$/);
    assert.equal(requests(g, 'deviceAuths').length, 0, 'no device code');
    assert.doesNotMatch(screen(r), /Code:/);
    // Glewlwyd's CIBA ID token lacks preferred_username: the module asks userinfo for it.
    assert.equal(idTokenPart(g, 1).preferred_username, undefined);
    assert.equal(requests(g, 'userinfo').at(-1)?.status, 200, `userinfo asked${dump(r)}`);
    expectNoLeaks(g, r);
  });

test('push denied by alice: denied, final, no device code',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const g = await glewlwyd(t, { algs: ['RS256'] });
    const r = await pushLogin(t, g, { config: cibaConfig(g, { mode: 'ciba-then-device' }) },
      async (p) => assert.equal((await p.denyCiba('alice')).message, 'cancelled'));
    expectLogin(t, g, r, { verdict: PAM.MAXTRIES, result: 'denied', user: 'alice' });
    assert.equal(requests(g, 'polls').at(-1)?.error, 'access_denied');
    assert.equal(requests(g, 'deviceAuths').length, 0, 'no device code after a denial');
    assert.doesNotMatch(screen(r), /Code:/);
  });

test('push for alice, bob follows her link: Glewlwyd sends him to its login, the push expires',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const g = await glewlwyd(t, { algs: ['RS256'] });
    const r = await pushLogin(t, g, { config: cibaConfig(g, { requested_expiry: 8 }) },
      async (p) => {
        const [req] = await p.cibaRequests('alice');
        assert.deepEqual(await p.cibaRequests('bob'), [], 'the push went to alice only');
        assert.equal((await p.approveCiba('bob', { request: req })).message, 'login');
      });
    expectLogin(t, g, r, { verdict: PAM.AUTH_ERR, result: 'expired', user: 'alice' });
    assert.equal(requests(g, 'pushes')[0].response.expires_in, 8);
    assert.ok(requests(g, 'polls').every((p) => p.status !== 200), 'no tokens for bob');
  });

test('ciba-then-device, push approved: success, no device code',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const g = await glewlwyd(t, { algs: ['RS256'] });
    const r = await pushLogin(t, g, { config: cibaConfig(g, { mode: 'ciba-then-device' }) },
      async (p) => assert.equal((await p.approveCiba('alice')).message, 'complete'));
    expectLogin(t, g, r, { verdict: PAM.SUCCESS, result: 'ok', claim: 'alice' });
    assert.equal(requests(g, 'deviceAuths').length, 0);
    assert.doesNotMatch(screen(r), FALLBACK_LINE);
  });

test('push with a plain login_hint: Glewlwyd says invalid_request, a configuration error',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const g = await glewlwyd(t, { algs: ['RS256'] });
    const r = await pushLogin(t, g, { config: cibaConfig(g, { login_hint_template: '{user}' }) },
      null);
    const [bc] = requests(g, 'pushes');
    assert.equal(bc.loginHint, 'alice');
    assert.equal(bc.status, 400);
    assert.equal(bc.error, 'invalid_request');
    expectLogin(t, g, r, {
      verdict: PAM.SERVICE_ERR, result: 'config', user: 'alice',
      reason: /backchannel authentication: HTTP 400: invalid_request/,
    });
    assert.equal(requests(g, 'deviceAuths').length, 0);
  });

test('ciba-then-device with a client Glewlwyd allows no push (invalid_client): device flow',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const g = await glewlwyd(t, { algs: ['RS256'] });
    const r = await login(t, g, {
      config: cibaConfig(g, {
        mode: 'ciba-then-device', client_id: g.clients.basic.id,
        client_secret: g.clients.basic.secret,
      }),
      approveAs: 'alice',
    });
    const [bc] = requests(g, 'pushes');
    assert.equal(bc.status, 403);
    assert.equal(bc.error, 'invalid_client');
    expectLogin(t, g, r, { verdict: PAM.SUCCESS, result: 'ok', claim: 'alice' });
    assert.match(screen(r), FALLBACK_LINE);
    assert.equal(requests(g, 'deviceAuths').length, 1, 'fell back to one device code');
    const fellBack = /push approval not available, using the device flow: .*invalid_client/;
    assert.ok(r.syslog.some((l) => fellBack.test(l.text)), `the fallback logged${dump(r)}`);
  });

test('ciba-then-device with a wrong secret: no push, and the device flow refuses it too',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const g = await glewlwyd(t, { algs: ['RS256'] });
    const r = await login(t, g, {
      config: cibaConfig(g, { mode: 'ciba-then-device', client_secret: 'not-the-secret' }),
    });
    const [bc] = requests(g, 'pushes');
    assert.equal(bc.status, 403);
    assert.equal(bc.error, 'invalid_client');
    expectWrongSecret(t, g, r);
  });

test('push for an account Glewlwyd does not have: refused before anyone was asked',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const g = await glewlwyd(t, { algs: ['RS256'], users: ['bob'] });
    const r = await pushLogin(t, g, { config: cibaConfig(g) }, null);
    const [bc] = requests(g, 'pushes');
    assert.equal(bc.loginHint, '{"username":"alice"}');
    // CIBA §13 has unknown_user_id for this; Glewlwyd says invalid_request.
    assert.equal(bc.status, 400);
    assert.equal(bc.error, 'invalid_request');
    expectLogin(t, g, r, { verdict: PAM.SERVICE_ERR, result: 'config', user: 'alice' });
  });
