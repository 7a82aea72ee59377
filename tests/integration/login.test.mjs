// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Logins that must succeed: public and confidential clients, HTTP and HTTPS, both prompt modes.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  runPam, startIdp, requests, dump, freePort, SLOW, PAM, skip, baseConfig, expectOutcome,
  expectNoLeaks,
} from './lib/index.mjs';

test('success over http with prompt=none', { skip, timeout: 60000 * SLOW }, async (t) => {
  const idp = await startIdp(t);
  const r = await runPam(t, { idp, config: baseConfig(idp), approveAs: 'alice' });
  expectOutcome(r, {
    verdict: PAM.SUCCESS, result: 'ok', user: 'alice', claim: 'alice', sub: 'alice',
    rhost: '-', issuer: idp.issuer,
  });
  assert.equal(requests(idp, 'deviceAuths').length, 1, 'one device authorization request');
  assert.ok(idp.log.every((e) => !e.client || e.client === 'pam-test'), 'only the public client');
  expectNoLeaks(idp, r);
});

test('success over https with ca_file and prompt=enter; polling starts after Enter',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t, { https: true });
    const r = await runPam(t, {
      idp,
      config: baseConfig(idp, { prompt: 'enter' }),
      approveAs: 'alice',
      enter: 'after-approve',
      beforeApprove: async () => {
        // The module waits at the prompt: give it time to poll if it (wrongly) would.
        await new Promise((res) => setTimeout(res, 1500));
      },
    });
    expectOutcome(r, {
      verdict: PAM.SUCCESS, result: 'ok', user: 'alice', claim: 'alice', sub: 'alice',
    });
    assert.match(r.stderr, /Press Enter once you have approved the login: /, `prompt shown${dump(r)}`);
    const polls = requests(idp, 'polls');
    assert.ok(polls.length >= 1, 'polled the token endpoint');
    assert.ok(polls[0].t >= r.enterAt - 20, `first poll ${polls[0].t - r.enterAt} ms after Enter`);
    assert.ok(polls[0].t - r.enterAt < 2000 * SLOW, `polled ${polls[0].t - r.enterAt} ms after Enter`);
    expectNoLeaks(idp, r);
  });

test('success with a confidential client (client_secret_basic, 0600 file, debug on)',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const r = await runPam(t, {
      idp,
      config: baseConfig(idp, {
        client_id: 'pam-secret', client_secret: idp.clients.basic.secret, client_auth: 'basic',
        debug: 'yes',
      }),
      configMode: 0o600,
      args: ['debug'],
      approveAs: 'alice',
    });
    expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok', claim: 'alice', sub: 'alice' });
    const clients = new Set(idp.log.filter((e) => e.client).map((e) => e.client));
    assert.deepEqual([...clients], ['pam-secret'], 'authenticated as the confidential client');
    // The leak check below means most with the debug lines present.
    assert.ok(r.syslog.some((l) => l.prio === 7), `debug lines logged${dump(r)}`);
    expectNoLeaks(idp, r);
  });

test('success with a confidential client (client_secret_post)',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const r = await runPam(t, {
      idp,
      config: baseConfig(idp, {
        client_id: 'pam-post', client_secret: idp.clients.post.secret, client_auth: 'post',
      }),
      configMode: 0o600,
      approveAs: 'alice',
    });
    expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok', claim: 'alice', sub: 'alice' });
    expectNoLeaks(idp, r);
  });

test('proxy variables in the environment are ignored', { skip, timeout: 60000 * SLOW }, async (t) => {
  const idp = await startIdp(t);
  const dead = `http://127.0.0.1:${await freePort()}`;
  const r = await runPam(t, {
    idp,
    config: baseConfig(idp),
    approveAs: 'alice',
    env: {
      http_proxy: dead, HTTP_PROXY: dead, https_proxy: dead, HTTPS_PROXY: dead, ALL_PROXY: dead,
      all_proxy: dead,
    },
  });
  expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok', claim: 'alice' });
});
