// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// The example stacks that combine a password with the device approval, under Debian's real sudo:
// examples/pam.d/sudo-password-then-oauth (both needed) and sudo-password-or-oauth (either one).
// alice has a known password in the namespace's shadow copy; sudoers allows one attempt, so each
// run is one pass through the stack. The sshd forms are in sshd.test.mjs.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  Terminal, loadIdp, adaptStack, freePort, makeRoot, modulePath, nsCommand, setPassword,
  skipReason, startSyslog, userCodeOf,
  teardown,
} from './callers.mjs';

const PASSWORD = 'Alice4sudo';
const ASKED = /\[sudo\] password for alice:\s*$/;
const SUDOERS = `Defaults env_reset
Defaults lecture=never
Defaults !fqdn
Defaults passwd_tries=1
root ALL=(ALL:ALL) ALL
alice ALL=(ALL:ALL) ALL
`;
// Under CI's valgrind pass (PAM_OAUTH_WRAPPER) the real callers run unwrapped, so this file would
// only repeat the gcc pass: skip it there to save its 25 s.
const skip = process.env.PAM_OAUTH_WRAPPER ? 'repeats the plain run: sudo is not run under valgrind'
  : skipReason(['sudo', 'runuser', 'openssl']);

describe('sudo with a password and the device approval', { skip: skip ?? false, timeout: 120000 },
  () => {
    let idp;
    let root;
    let syslog;
    let term;
    let approve;
    let n = 0;

    function config(extra = '', issuer = idp.issuer) {
      root.writeConfig(`issuer = ${issuer}\nclient_id = pam-test\ntimeout = 30\n${extra}`);
    }

    const deviceRequests = () => idp.log.filter((e) => e.path === '/device/auth').length;

    // alice runs sudo with the example stack, answers the password prompt with typed, and the
    // device flow (if one starts) is answered with decision ('approve', 'deny' or null).
    async function attempt(example, typed, decision) {
      root.writeStack('sudo', adaptStack(example, modulePath()));
      const name = `s${++n}`;
      const mark = join(root.dir, `ran-${name}`);
      const requests = deviceRequests();
      await term.start(name, nsCommand(root, ['runuser', '-u', 'alice', '--', 'sudo', '--',
        'sh', '-c', `id -u; touch ${mark}`]));
      await term.waitText(name, ASKED);
      await term.sendKeys(name, typed, 'Enter');
      let code = null;
      if (decision) {
        code = userCodeOf(await term.waitText(name, /^Code: \S+\s*$/m));
        await approve({ baseUrl: idp.issuer, userCode: code, login: 'alice',
          deny: decision === 'deny' });
      }
      const { status } = await term.waitExit(name, 20000);
      const out = await term.capture(name);
      return { status, out, ran: existsSync(mark), flows: deviceRequests() - requests, code };
    }

    before(async () => {
      let startProvider;
      ({ startProvider, approve } = await loadIdp());
      idp = await startProvider();
      idp.knobs.interval = 1;
      root = makeRoot({ stacks: {}, sudoers: SUDOERS });
      setPassword(root, 'alice', PASSWORD);
      syslog = await startSyslog(root);
      config();
      term = new Terminal(root.dir);
    });

    after(() => teardown({ term, syslog, idp, root }));

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
        config('failmode = safe\n', `https://127.0.0.1:${await freePort()}`);
        try {
          const r = await attempt(OR, 'wrong', null);
          assert.equal(r.status, 1, r.out);
          assert.ok(!r.ran, 'the command did not run');
          assert.doesNotMatch(r.out, /^0\s*$/m);
          const abstained = /issuer=https:\/\/127\.0\.0\.1:\d+ .*result=unavailable/;
          assert.ok(syslog.outcomes().some((l) => abstained.test(l)),
            `the module did not abstain:\n${syslog.outcomes().join('\n')}`);
        } finally {
          config();
        }
      });
  });
