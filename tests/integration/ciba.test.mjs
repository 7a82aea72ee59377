// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Push approval (OpenID CIBA, poll mode) through the real libpam: approval, the wrong person,
// denial, expiry, slow_down, fallback to the device flow, and a public client refused.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  runPam, startIdp, requests, answeredAfterSlowDown, screen, dump, waitFor, SLOW, HOST, SERVICE,
  PAM, skip, baseConfig, expectOutcome, expectNoLeaks,
} from './lib/index.mjs';

const LINE_RE = /Approve on your phone: (\S+) for (\S+) on (\S+) \(code (\d{4})\)/;

function cibaConfig(idp, extra = {}) {
  return baseConfig(idp, {
    client_id: idp.clients.ciba.id,
    client_secret: idp.clients.ciba.secret,
    scope: 'openid profile',
    mode: 'ciba',
    login_hint_template: '{user}@example.test',
    ...extra,
  });
}

/**
 * Starts a login, waits until the push reached the "phone", then runs decide(idp) (unless it is
 * null) and returns the finished run and the provider's record of the push.
 */
async function pushLogin(t, idp, opts, decide) {
  const running = runPam(t, { idp, ...opts });
  let entry = null;
  try {
    await waitFor('the push at the provider', () => idp.ciba.requests.length > 0, 20000 * SLOW);
    [entry] = idp.ciba.requests;
    if (decide) await decide(idp, entry);
  } catch (e) {
    const r = await running;
    throw new Error(`${e.message}${dump(r)}`);
  }
  return { r: await running, entry };
}

// The line on the terminal names service, account and host, and its code ends the binding message.
function expectPushLine(r, entry) {
  const m = screen(r).match(LINE_RE);
  assert.ok(m, `the terminal shows the push line${dump(r)}`);
  const [, service, user, host, code] = m;
  assert.equal(service, SERVICE);
  assert.equal(user, 'alice');
  assert.equal(host, HOST);
  assert.equal(entry.bindingMessage, `${SERVICE}/${HOST.split('.')[0]}#${code}`,
    'the phone shows the same code, the service and the host');
  assert.match(entry.bindingMessage, /^[a-zA-Z0-9-._+/!?#]{1,20}$/);
  return code;
}

test('push approved on the phone: success, no code to type, nothing leaked',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const { r, entry } = await pushLogin(t, idp, { config: cibaConfig(idp) },
      (p) => p.ciba.decide());
    expectOutcome(r, {
      verdict: PAM.SUCCESS, result: 'ok', user: 'alice', claim: 'alice', sub: 'alice',
    });
    expectPushLine(r, entry);
    assert.equal(entry.loginHint, 'alice@example.test');
    assert.equal(requests(idp, 'deviceAuths').length, 0, 'no device code was requested');
    assert.doesNotMatch(screen(r), /Code:/, 'no user code on the terminal');
    assert.ok(idp.log.filter((e) => e.client).every((e) => e.client === 'pam-ciba'));
    expectNoLeaks(idp, r);
  });

test('approved by another person (hint names alice, bob approves): denied',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const { r, entry } = await pushLogin(t, idp, { config: cibaConfig(idp) },
      (p) => p.ciba.decide(null, { as: 'bob' }));
    assert.equal(entry.decided, 'approved by bob');
    expectOutcome(r, {
      verdict: PAM.AUTH_ERR, result: 'wrong_identity', user: 'alice', claim: 'bob', sub: 'bob',
    });
  });

test('denied on the phone: final, no fallback to the device flow',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const { r } = await pushLogin(t, idp,
      { config: cibaConfig(idp, { mode: 'ciba-then-device' }) },
      (p) => p.ciba.decide(null, { approve: false }));
    // PAM_MAXTRIES: a no is final, as for the device flow (refusal.test.mjs).
    expectOutcome(r, { verdict: PAM.MAXTRIES, result: 'denied', user: 'alice' });
    assert.equal(requests(idp, 'polls').at(-1)?.error, 'access_denied');
    assert.equal(requests(idp, 'deviceAuths').length, 0, `no device code after a denial${dump(r)}`);
    assert.doesNotMatch(screen(r), /Code:/);
  });

test('push not answered before it expires: expired, no fallback',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t, { knobs: { cibaTtl: 3 } });
    const { r } = await pushLogin(t, idp,
      { config: cibaConfig(idp, { mode: 'ciba-then-device', timeout: 60 }) }, null);
    expectOutcome(r, { verdict: PAM.AUTH_ERR, result: 'expired', user: 'alice' });
    // The provider rounds the lifetime it announces down to whole seconds (3 s may read as 2).
    const lifetime = requests(idp, 'pushes')[0].response.expires_in;
    assert.ok(r.elapsedMs >= lifetime * 1000 - 100,
      `gave up after ${r.elapsedMs} ms, before the push expired (expires_in ${lifetime})`);
    assert.ok(r.elapsedMs < 12000 * SLOW, `gave up only after ${r.elapsedMs} ms`);
    assert.equal(requests(idp, 'deviceAuths').length, 0, 'no device code after an expiry');
  });

test('requested_expiry is sent and shortens the push', { skip, timeout: 60000 * SLOW },
  async (t) => {
    const idp = await startIdp(t);
    const { r, entry } = await pushLogin(t, idp,
      { config: cibaConfig(idp, { requested_expiry: 2, timeout: 60 }) }, null);
    assert.equal(entry.requestedExpiry, '2');
    assert.equal(requests(idp, 'pushes')[0].response.expires_in, 2);
    expectOutcome(r, { verdict: PAM.AUTH_ERR, result: 'expired', user: 'alice' });
    assert.ok(r.elapsedMs < 10000 * SLOW, `gave up only after ${r.elapsedMs} ms`);
  });

test('slow_down while waiting for the push adds 5 s to the interval',
  { skip, timeout: 90000 * SLOW }, async (t) => {
    const idp = await startIdp(t, { knobs: { interval: 1, slowDown: 1 } });
    const { r } = await pushLogin(t, idp, { config: cibaConfig(idp, { timeout: 60 }) },
      async (p) => {
        await waitFor('a poll answered after slow_down', () => answeredAfterSlowDown(idp),
          40000 * SLOW);
        await p.ciba.decide();
      });
    expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok', claim: 'alice' });
    const polls = requests(idp, 'polls');
    const i = polls.findIndex((p) => p.error === 'slow_down');
    assert.ok(i >= 0 && polls.length >= i + 3, `slow_down, then two polls${dump(r)}`);
    const gaps = polls.slice(1).map((p, k) => p.t - polls[k].t);
    const first = polls[0].t - requests(idp, 'pushes')[0].t;
    assert.ok(first >= 1000 - 250, `first poll ${first} ms after the push, before the interval`);
    gaps.slice(i).forEach((g) => assert.ok(g >= 6000 - 250, `gap ${g} ms after slow_down < 6 s`));
  });

test('provider without CIBA under ciba-then-device: the device flow, with a clear line',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t, { ciba: false });
    const r = await runPam(t, {
      idp, config: cibaConfig(idp, { mode: 'ciba-then-device' }), approveAs: 'alice',
    });
    expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok', claim: 'alice' });
    assert.match(screen(r), /Push approval is not available here; sign in with a code instead\./);
    assert.equal(requests(idp, 'codes').length, 1, 'one device code');
    assert.equal(requests(idp, 'pushes').length, 0, 'no push was attempted');
  });

test('account unknown to the provider (unknown_user_id) under ciba-then-device: device flow',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t, { knobs: { cibaUsers: [] } });
    const r = await runPam(t, {
      idp, config: cibaConfig(idp, { mode: 'ciba-then-device' }), approveAs: 'alice',
    });
    expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok', claim: 'alice' });
    assert.equal(requests(idp, 'pushes')[0]?.error, 'unknown_user_id');
    assert.equal(requests(idp, 'codes').length, 1, 'fell back to one device code');
  });

test('mode=ciba with a public client: configuration error, nothing sent',
  { skip, timeout: 30000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const r = await runPam(t, { idp, config: baseConfig(idp, { mode: 'ciba' }) });
    expectOutcome(r, { verdict: PAM.SERVICE_ERR, result: 'config', reason: /client_secret/ });
    assert.equal(idp.log.length, 0, 'the provider heard nothing');
  });
