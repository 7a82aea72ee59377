// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Logins that must fail after the device flow started: wrong account, denial, expiry, time-out;
// and the polling rules (interval, slow_down).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  runPam, startIdp, requests, answeredAfterSlowDown, dump, waitFor, SLOW, PAM, skip, baseConfig,
  expectOutcome, expectNoLeaks,
} from './lib/index.mjs';

test('approval by another account (bob for alice) fails and logs both identities',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const r = await runPam(t, { idp, config: baseConfig(idp), user: 'alice', approveAs: 'bob' });
    expectOutcome(r, {
      verdict: PAM.AUTH_ERR, result: 'wrong_identity', user: 'alice', claim: 'bob', sub: 'bob',
    });
    expectNoLeaks(idp, r);
  });

test('the person aborts the request: denied', { skip, timeout: 60000 * SLOW }, async (t) => {
  const idp = await startIdp(t);
  const r = await runPam(t, { idp, config: baseConfig(idp), deny: true });
  // PAM_MAXTRIES: a no is final (sshd stops asking; see sshd.test.mjs and sudo.test.mjs).
  expectOutcome(r, { verdict: PAM.MAXTRIES, result: 'denied', user: 'alice', claim: '-' });
  const last = requests(idp, 'polls').at(-1);
  assert.equal(last?.error, 'access_denied', 'the provider told it access_denied');
});

test('the code expires before approval', { skip, timeout: 60000 * SLOW }, async (t) => {
  const idp = await startIdp(t, { knobs: { deviceCodeTtl: 4 } });
  const r = await runPam(t, { idp, config: baseConfig(idp, { timeout: 60 }) });
  expectOutcome(r, { verdict: PAM.AUTH_ERR, result: 'expired', user: 'alice' });
  assert.ok(r.elapsedMs >= 3000, `gave up after ${r.elapsedMs} ms, before the code expired`);
  assert.ok(r.elapsedMs < 12000 * SLOW, `gave up only after ${r.elapsedMs} ms`);
  assert.ok(requests(idp, 'polls').length >= 2, 'kept polling while the code was valid');
});

test('the module timeout ends the wait before the code expires',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t, { knobs: { deviceCodeTtl: 600 } });
    const r = await runPam(t, { idp, config: baseConfig(idp, { timeout: 5 }) });
    expectOutcome(r, { verdict: PAM.AUTH_ERR, result: 'expired', user: 'alice' });
    assert.ok(r.elapsedMs >= 4500, `gave up after ${r.elapsedMs} ms, before timeout=5`);
    assert.ok(r.elapsedMs < 9000 * SLOW, `gave up only after ${r.elapsedMs} ms (timeout=5)`);
  });

// RFC 8628 §3.5: the deadline never makes a poll come sooner than the interval. This provider
// answers slow_down to any poll that comes sooner than the interval after the one before.
// With a 2 s interval and timeout=5 the polls come at 2 s and 4 s; the next turn (6 s) is past
// the deadline, so there is no third poll at 5 s, one second after the one before.
test('timeout=5 with a 2 s interval: no poll comes sooner than the interval, the last one neither',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t, { knobs: { interval: 2, strictInterval: true } });
    const r = await runPam(t, { idp, config: baseConfig(idp, { timeout: 5 }) });
    expectOutcome(r, { verdict: PAM.AUTH_ERR, result: 'expired', user: 'alice' });
    const polls = requests(idp, 'polls');
    assert.ok(polls.length >= 2, `kept polling: ${polls.length} polls${dump(r)}`);
    assert.deepEqual(polls.filter((p) => p.early).map((p) => p.t - polls[0].t), [],
      'polls the provider found sooner than the interval (ms after the first)');
    assert.ok(polls.every((p) => p.error === 'authorization_pending'), 'never slow_down');
  });

test('polls at the provider interval and honours slow_down (+5 s, kept)',
  { skip, timeout: 90000 * SLOW }, async (t) => {
    const idp = await startIdp(t, { knobs: { interval: 1, slowDown: 1 } });
    const r = await runPam(t, {
      idp,
      config: baseConfig(idp, { timeout: 60 }),
      approveAs: 'alice',
      // Approve only once a second poll after slow_down was answered "pending": two gaps to check.
      beforeApprove: () => waitFor('a poll answered after slow_down',
        () => answeredAfterSlowDown(idp), 40000 * SLOW),
    });
    expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok', claim: 'alice' });
    const polls = requests(idp, 'polls');
    const i = polls.findIndex((p) => p.error === 'slow_down');
    assert.ok(i >= 0, `the provider answered slow_down once${dump(r)}`);
    const gaps = polls.slice(1).map((p, k) => p.t - polls[k].t);
    const tolerance = 250;
    gaps.slice(0, i).forEach((g) => assert.ok(g >= 1000 - tolerance, `gap ${g} ms < interval 1 s`));
    assert.ok(polls.length >= i + 3, `two polls after slow_down: ${gaps.join(', ')} ms`);
    assert.ok(gaps[i] >= 6000 - 50, `first gap after slow_down ${gaps[i]} ms < 6 s`);
    gaps.slice(i + 1).forEach((g) => assert.ok(g >= 6000 - tolerance,
      `later gap ${g} ms < 6 s: slow_down not kept (gaps ${gaps.join(', ')})`));
    gaps.forEach((g) => assert.ok(g < 6000 + 2000 * SLOW, `gap ${g} ms far above the interval`));
  });
