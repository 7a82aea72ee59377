// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Debian's real sudo with examples/pam.d/sudo, run by a test user on a real terminal (tmux):
// prompt=none and prompt=enter, approval, denial (final) and time-out. Runs as root in private
// mount and PID namespaces with their own /etc/sudoers; the machine's sudo is never touched.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';

import {
  adaptStack, approve, callerMachine, callerSkip, decodeQr, requests, sudoers, userCodeOf,
} from './lib/index.mjs';

const PROMPT = /Press Enter once you have approved the login:\s*$/;
const skip = callerSkip(['sudo', 'runuser']);

describe('real sudo', { skip, timeout: 180000 }, () => {
  const m = callerMachine({ stacks: { sudo: adaptStack('sudo') }, sudoers: sudoers() });

  // The example as shipped (prompt=none), or with the documented prompt=enter variant.
  function stack(prompt = 'none') {
    m.root.writeStack('sudo', adaptStack('sudo', (s) => {
      if (prompt === 'none') return s;
      const line = /^(auth\s.*pam_oauth\.so.*?)\bprompt=none\b/m;
      assert.match(s, line);
      return s.replace(line, `$1prompt=${prompt}`);
    }));
  }

  test('prompt=none: the code and a UTF-8 QR code appear, approval runs the command as root',
    async () => {
      const mark = await m.sudo('none');
      const screen = await m.term.waitText('none', /^Code: \S+\s*$/m);
      const code = userCodeOf(screen);
      assert.match(screen, /Sign-in request: sudo login as alice on \S+/);
      assert.doesNotMatch(screen, / from /, 'no remote host under sudo');
      assert.match(screen, /[\u2580\u2584\u2588]/, 'UTF-8 half blocks on a local terminal');
      assert.doesNotMatch(screen, PROMPT);
      const qr = decodeQr(screen);
      assert.equal(qr.text, `${m.idp.issuer}/device?user_code=${code}`, qr.how);
      assert.match(qr.how, /utf8/);
      await approve(m.idp, code);
      const { status, screen: out } = await m.term.waitExit('none', 20000);
      m.captures['sudo-approved'] = await m.term.transcript('none');
      assert.equal(status, 0, out);
      assert.match(out, /^0\s*$/m, 'id -u printed 0');
      assert.ok(existsSync(mark), 'the command ran');
      assert.ok(m.outcomes().some((l) => /service=sudo user=alice rhost=- .*claim=alice .*result=ok/
        .test(l)), m.outcomes().join('\n'));
    });

  test('prompt=enter: the prompt follows the code; Enter after approval runs the command',
    async () => {
      stack('enter');
      try {
        const mark = await m.sudo('enter');
        const screen = await m.term.waitText('enter', PROMPT);
        const code = userCodeOf(screen);
        assert.ok(code, screen);
        await approve(m.idp, code);
        await m.term.sendKeys('enter', 'Enter');
        const { status, screen: out } = await m.term.waitExit('enter', 20000);
        assert.equal(status, 0, out);
        assert.match(out, /^0\s*$/m);
        assert.ok(existsSync(mark));
      } finally {
        stack();
      }
    });

  test('a denial is final: sudo asks again but no new code appears and nothing runs', async () => {
    const before = requests(m.idp, 'codes').length;
    const mark = await m.sudo('deny');
    const code = userCodeOf(await m.term.waitText('deny', /^Code: \S+\s*$/m));
    await approve(m.idp, code, { deny: true });
    const { status, screen: out } = await m.term.waitExit('deny', 20000);
    m.captures['sudo-denied'] = await m.term.transcript('deny');
    assert.equal(status, 1, out);
    assert.match(out, /The sign-in request was denied\./);
    assert.match(out, /not asking again/);
    assert.equal(out.match(/^Code: /gm).length, 1, out);
    assert.equal(requests(m.idp, 'codes').length, before + 1, 'one device code only');
    assert.ok(!existsSync(mark), 'the command did not run');
    assert.doesNotMatch(out, /^0\s*$/m);
  });

  test('time-out: the command does not run; the retry offers a fresh code', async () => {
    m.configure({ timeout: 5 });
    try {
      const mark = await m.sudo('late');
      const first = userCodeOf(await m.term.waitText('late', /^Code: \S+\s*$/m));
      const again = await m.term.waitText('late', /expired before it was approved[\s\S]*^Code: /m,
        15000);
      const second = userCodeOf(again);
      assert.notEqual(second, first, 'a fresh code after a time-out');
      await approve(m.idp, second, { deny: true });
      const { status, screen: out } = await m.term.waitExit('late', 20000);
      assert.equal(status, 1, out);
      assert.ok(!existsSync(mark), 'the command did not run');
    } finally {
      m.configure();
    }
  });
});
