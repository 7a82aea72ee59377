// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// The example stacks that combine a password with the device approval, under Debian's real sudo:
// examples/pam.d/sudo-password-then-oauth (both needed) and sudo-password-or-oauth (either one).
// alice has a known password in the namespace's shadow copy; sudoers allows one attempt, so each
// run is one pass through the stack. The sshd forms are in sshd.test.mjs.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';

import {
  adaptStack, approve, callerMachine, callerSkip, freePort, requests, sudoers, userCodeOf,
} from './lib/index.mjs';

const PASSWORD = 'Alice4sudo';
const ASKED = /\[sudo\] password for alice:\s*$/;
// Under CI's valgrind pass (PAM_OAUTH_WRAPPER) the real callers run unwrapped, so this file would
// only repeat the gcc pass: skip it there to save its 25 s.
const skip = process.env.PAM_OAUTH_WRAPPER ? 'repeats the plain run: sudo is not run under valgrind'
  : callerSkip(['sudo', 'runuser', 'openssl']);

describe('sudo with a password and the device approval', { skip, timeout: 120000 },
  () => {
    // One attempt: each run is one pass through the stack.
    const m = callerMachine({ sudoers: sudoers('passwd_tries=1'), passwords: { alice: PASSWORD } });
    let n = 0;

    // alice runs sudo with the example stack, answers the password prompt with typed, and the
    // device flow (if one starts) is answered with decision ('approve', 'deny' or null).
    async function attempt(example, typed, decision) {
      m.root.writeStack('sudo', adaptStack(example));
      const name = `s${++n}`;
      const since = m.idp.log.length;
      const mark = await m.sudo(name);
      await m.term.waitText(name, ASKED);
      await m.term.sendKeys(name, typed, 'Enter');
      let code = null;
      if (decision) {
        code = userCodeOf(await m.term.waitText(name, /^Code: \S+\s*$/m));
        await approve(m.idp, code, { deny: decision === 'deny' });
      }
      const { status, screen: out } = await m.term.waitExit(name, 20000);
      return {
        status, out, ran: existsSync(mark), flows: requests(m.idp, 'deviceAuths', { since }).length,
        code,
      };
    }

    const THEN = 'sudo-password-then-oauth';
    const OR = 'sudo-password-or-oauth';

    test('then: right password and approval run the command as root', async () => {
      const r = await attempt(THEN, PASSWORD, 'approve');
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, /^0\s*$/m, 'id -u printed 0');
      assert.ok(r.ran, 'the command ran');
      assert.equal(r.flows, 1);
    });

    test('then: right password and a denial leave the command unrun', async () => {
      const r = await attempt(THEN, PASSWORD, 'deny');
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, /The sign-in request was denied\./);
      assert.ok(!r.ran, 'the command did not run');
    });

    test('then: a wrong password fails before any device code is requested', async () => {
      const r = await attempt(THEN, 'wrong', null);
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, /incorrect password attempt/);
      assert.doesNotMatch(r.out, /^Code: /m);
      assert.equal(r.flows, 0, 'no /device/auth request');
      assert.ok(!r.ran);
    });

    test('or: the right password runs the command without a device flow', async () => {
      const r = await attempt(OR, PASSWORD, null);
      assert.equal(r.status, 0, r.out);
      assert.ok(r.ran);
      assert.doesNotMatch(r.out, /^Code: /m);
      assert.equal(r.flows, 0, 'no /device/auth request');
    });

    test('or: a wrong password falls through to the device flow; approval runs it', async () => {
      const r = await attempt(OR, 'wrong', 'approve');
      assert.equal(r.status, 0, r.out);
      assert.ok(r.ran);
      assert.equal(r.flows, 1);
    });

    test('or: a wrong password and a denial leave the command unrun', async () => {
      const r = await attempt(OR, 'wrong', 'deny');
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, /The sign-in request was denied\./);
      assert.ok(!r.ran);
    });

    test('or: wrong password, provider down, failmode=safe: PAM_IGNORE never lets it run',
      async () => {
        m.configure({ issuer: `https://127.0.0.1:${await freePort()}`, failmode: 'safe' });
        try {
          const r = await attempt(OR, 'wrong', null);
          assert.equal(r.status, 1, r.out);
          assert.ok(!r.ran, 'the command did not run');
          assert.doesNotMatch(r.out, /^0\s*$/m);
          const abstained = /issuer=https:\/\/127\.0\.0\.1:\d+ .*result=unavailable/;
          assert.ok(m.outcomes().some((l) => abstained.test(l)),
            `the module did not abstain:\n${m.outcomes().join('\n')}`);
        } finally {
          m.configure();
        }
      });
  });
