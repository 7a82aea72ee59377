// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Logins that must fail before any approval: provider unreachable or untrusted, bad
// configuration, unknown local account; most of them without sending a single request.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  runPam, startIdp, freePort, dump, SLOW, pki, PAM, skip, baseConfig, expectOutcome,
} from './lib/index.mjs';

test('provider down (closed port): AUTHINFO_UNAVAIL within 5 s', { skip, timeout: 30000 * SLOW },
  async (t) => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const r = await runPam(t, {
      config: { issuer, client_id: 'pam-test', prompt: 'none', timeout: 30, http_timeout: 5 },
    });
    expectOutcome(r, { verdict: PAM.AUTHINFO_UNAVAIL, result: 'unavailable', issuer });
    assert.ok(r.elapsedMs < 5000 * SLOW, `took ${r.elapsedMs} ms`);
    assert.doesNotMatch(r.stdout, /Code:/, 'no code shown');
  });

test('untrusted TLS certificate: AUTHINFO_UNAVAIL', { skip, timeout: 30000 * SLOW }, async (t) => {
  const idp = await startIdp(t, { untrusted: true });
  const r = await runPam(t, { idp, config: baseConfig(idp, { ca_file: pki().ca }) });
  expectOutcome(r, { verdict: PAM.AUTHINFO_UNAVAIL, result: 'unavailable' });
  assert.equal(idp.log.length, 0, 'no request got through the TLS handshake');
  assert.doesNotMatch(r.stdout, /Code:/, 'no code shown');
});

test('issuer = http://example.com (not loopback): service error naming the key, no request',
  { skip, timeout: 30000 * SLOW }, async (t) => {
    // The endpoints point at a live provider: had the module ignored the bad issuer, it would
    // have sent requests there.
    const idp = await startIdp(t);
    const r = await runPam(t, {
      idp,
      config: baseConfig(idp, {
        issuer: 'http://example.com',
        device_authorization_endpoint: `${idp.issuer}/device/auth`,
        token_endpoint: `${idp.issuer}/token`,
        jwks_uri: `${idp.issuer}/jwks`,
        userinfo_endpoint: `${idp.issuer}/me`,
      }),
    });
    expectOutcome(r, { verdict: PAM.SERVICE_ERR, result: 'config', reason: /issuer/ });
    assert.equal(idp.log.length, 0, `no request${dump(r)}`);
  });

test('client_secret in a world-readable file: service error, no request',
  { skip, timeout: 30000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const r = await runPam(t, {
      idp,
      config: baseConfig(idp, { client_id: 'pam-secret', client_secret: idp.clients.basic.secret }),
      configMode: 0o644,
    });
    expectOutcome(r, { verdict: PAM.SERVICE_ERR, result: 'config' });
    assert.equal(idp.log.length, 0, `no request${dump(r)}`);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(idp.clients.basic.secret), 'secret not shown');
  });

test('group-writable config file: service error, no request', { skip, timeout: 30000 * SLOW },
  async (t) => {
    const idp = await startIdp(t);
    const r = await runPam(t, { idp, config: baseConfig(idp), configMode: 0o664 });
    expectOutcome(r, { verdict: PAM.SERVICE_ERR, result: 'config' });
    assert.equal(idp.log.length, 0, `no request${dump(r)}`);
  });

test('unknown local user: USER_UNKNOWN and no request to the provider',
  { skip, timeout: 30000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const r = await runPam(t, { idp, config: baseConfig(idp), user: 'mallory' });
    expectOutcome(r, { verdict: PAM.USER_UNKNOWN, result: 'user_unknown', user: 'mallory' });
    assert.equal(idp.log.length, 0, `no request${dump(r)}`);
    assert.doesNotMatch(r.stdout, /Code:/, 'no code shown');
  });
