// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Who may log in: groups, required scopes, the username map, deny_users/min_uid before any
// request, and per-service sections. The provider gives alice ["staff"], bob ["staff","admins"].

import assert from 'node:assert/strict';
import { writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  runPam, startIdp, tempDir, dump, SERVICE, SLOW, PAM, skip, baseConfig, expectOutcome,
  expectNoLeaks,
} from './lib/index.mjs';

const GROUPS_SCOPE = 'openid profile groups';

test('a user outside allowed_groups is refused after approval, a member passes',
  { skip, timeout: 90000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const config = baseConfig(idp, { scope: GROUPS_SCOPE, allowed_groups: 'admins' });
    const alice = await runPam(t, { idp, config, user: 'alice', approveAs: 'alice' });
    expectOutcome(alice, {
      verdict: PAM.AUTH_ERR, result: 'policy', user: 'alice', claim: 'alice',
      reason: /not in any of allowed_groups \(admins\)/,
    });
    expectNoLeaks(idp, alice);
    const bob = await runPam(t, { idp, config, user: 'bob', approveAs: 'bob' });
    expectOutcome(bob, { verdict: PAM.SUCCESS, result: 'ok', user: 'bob', claim: 'bob' });
  });

test('a required scope that was not granted refuses the login',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const r = await runPam(t, {
      idp,
      config: baseConfig(idp, { scope: 'openid profile', required_scopes: 'email' }),
      approveAs: 'alice',
    });
    expectOutcome(r, {
      verdict: PAM.AUTH_ERR, result: 'policy', claim: 'alice',
      reason: /required scope "email" was not granted/,
    });
  });

test('username_map maps alice@example.test (email claim) to alice, and only to alice',
  { skip, timeout: 90000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const dir = tempDir();
    const map = join(dir, 'usermap');
    writeFileSync(map, '# test map\nalice@example.test alice\nsub:bob carol\n');
    chmodSync(map, 0o644);
    const config = baseConfig(idp, {
      scope: 'openid profile email', username_claim: 'email', username_map: map,
    });
    const ok = await runPam(t, { idp, config, user: 'alice', approveAs: 'alice' });
    expectOutcome(ok, {
      verdict: PAM.SUCCESS, result: 'ok', user: 'alice', claim: 'alice@example.test', sub: 'alice',
    });
    // bob@example.test is not in the map, though "bob" is his account name.
    const other = await runPam(t, { idp, config, user: 'bob', approveAs: 'bob' });
    expectOutcome(other, {
      verdict: PAM.AUTH_ERR, result: 'wrong_identity', user: 'bob', claim: 'bob@example.test',
      reason: /username_map does not let/,
    });
  });

test('a map writable by others is refused before any request',
  { skip, timeout: 30000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const map = join(tempDir(), 'usermap');
    writeFileSync(map, 'alice@example.test alice\n');
    chmodSync(map, 0o666);
    const r = await runPam(t, {
      idp, config: baseConfig(idp, { username_claim: 'email', username_map: map }),
    });
    expectOutcome(r, {
      verdict: PAM.SERVICE_ERR, result: 'config', reason: /writable by group or others/,
    });
    assert.equal(idp.log.length, 0, `no request may reach the provider${dump(r)}`);
  });

test('deny_users (root by default) and min_uid refuse before any request',
  { skip, timeout: 30000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const root = await runPam(t, { idp, config: baseConfig(idp), user: 'root' });
    expectOutcome(root, {
      verdict: PAM.AUTH_ERR, result: 'policy', user: 'root', claim: '-',
      reason: /account "root" is in deny_users/,
    });
    const low = await runPam(t, {
      idp, config: baseConfig(idp, { min_uid: 1002 }), user: 'alice',
    });
    expectOutcome(low, {
      verdict: PAM.AUTH_ERR, result: 'policy', user: 'alice',
      reason: /uid 1001, below min_uid 1002/,
    });
    assert.equal(idp.log.length, 0,
      `no request may reach the provider: ${JSON.stringify(idp.log)}${dump(low)}`);
  });

// The harness runs every login as service SERVICE: a section named after it is "this service"
// (standing in for [sudo]), a section named otherwise must not apply (as [sudo] under sshd).
test('per-service sections: admins demanded by this service\'s section, not by another\'s',
  { skip, timeout: 120000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const base = baseConfig(idp, { scope: GROUPS_SCOPE, allowed_groups: 'staff' });
    // A setting whose value is an object is a section (writeConfig).
    const strictHere = { ...base, [SERVICE]: { allowed_groups: 'admins' } };
    const strictElsewhere = { ...base, sudo: { allowed_groups: 'admins' } };

    const refused = await runPam(t, { idp, config: strictHere, user: 'alice', approveAs: 'alice' });
    expectOutcome(refused, {
      verdict: PAM.AUTH_ERR, result: 'policy', user: 'alice', reason: /\(admins\)/,
    });
    const admin = await runPam(t, { idp, config: strictHere, user: 'bob', approveAs: 'bob' });
    expectOutcome(admin, { verdict: PAM.SUCCESS, result: 'ok', user: 'bob' });
    const allowed = await runPam(t, {
      idp, config: strictElsewhere, user: 'alice', approveAs: 'alice',
    });
    expectOutcome(allowed, { verdict: PAM.SUCCESS, result: 'ok', user: 'alice' });
  });
