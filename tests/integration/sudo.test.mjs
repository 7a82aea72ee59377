// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Debian's real sudo with examples/pam.d/sudo, run by a test user on a real terminal (tmux):
// prompt=none and prompt=enter, approval, denial (final) and time-out. Runs as root in private
// mount and PID namespaces with their own /etc/sudoers; the machine's sudo is never touched.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  Terminal, loadIdp, adaptStack, decodeQr, deviceCodes, makeRoot, modulePath, nsCommand, skipReason,
  startSyslog, userCodeOf,
  teardown,
} from './callers.mjs';

const PROMPT = /Press Enter once you have approved the login:\s*$/;
const SUDOERS = `Defaults env_reset
Defaults lecture=never
Defaults !fqdn
root ALL=(ALL:ALL) ALL
alice ALL=(ALL:ALL) ALL
`;
const skip = skipReason(['sudo', 'runuser']);

describe('real sudo', { skip: skip ?? false, timeout: 180000 }, () => {
  let idp;
  let root;
  let syslog;
  let term;
  const captures = {};

  // The example as shipped (prompt=none), or with the documented prompt=enter variant.
  function stack(prompt = 'none') {
    root.writeStack('sudo', adaptStack('sudo', modulePath(), (s) => {
      if (prompt === 'none') return s;
      const line = /^(auth\s.*pam_oauth\.so.*?)\bprompt=none\b/m;
      assert.match(s, line);
      return s.replace(line, `$1prompt=${prompt}`);
    }));
  }

  function config({ timeout = 30 } = {}) {
    root.writeConfig(`issuer = ${idp.issuer}\nclient_id = pam-test\ntimeout = ${timeout}\n`);
  }

  // alice runs "sudo sh -c 'id -u; touch MARK'" on the pane's terminal.
  async function startSudo(name) {
    const mark = join(root.dir, `ran-${name}`);
    await term.start(name, nsCommand(root, ['runuser', '-u', 'alice', '--', 'sudo', '--',
      'sh', '-c', `id -u; touch ${mark}`]));
    return mark;
  }

  let approve;

  before(async () => {
    let startProvider;
    ({ startProvider, approve } = await loadIdp());
    idp = await startProvider();
    idp.knobs.interval = 1;
    root = makeRoot({ stacks: {}, sudoers: SUDOERS });
    syslog = await startSyslog(root);
    stack();
    config();
    term = new Terminal(root.dir);
  });

  after(() => teardown({ term, syslog, idp, root, captures }));

  test('prompt=none: the code and a UTF-8 QR code appear, approval runs the command as root',
    async () => {
      const mark = await startSudo('none');
      const screen = await term.waitText('none', /^Code: \S+\s*$/m);
      const code = userCodeOf(screen);
      assert.match(screen, /Sign-in request: sudo login as alice on \S+/);
      assert.doesNotMatch(screen, / from /, 'no remote host under sudo');
      assert.match(screen, /[\u2580\u2584\u2588]/, 'UTF-8 half blocks on a local terminal');
      assert.doesNotMatch(screen, PROMPT);
      const qr = decodeQr(screen);
      assert.equal(qr.text, `${idp.issuer}/device?user_code=${code}`, qr.how);
      assert.match(qr.how, /utf8/);
      await approve({ baseUrl: idp.issuer, userCode: code, login: 'alice' });
      const { status } = await term.waitExit('none', 20000);
      const out = await term.capture('none');
      captures['sudo-approved'] = await term.transcript('none');
      assert.equal(status, 0, out);
      assert.match(out, /^0\s*$/m, 'id -u printed 0');
      assert.ok(existsSync(mark), 'the command ran');
      assert.ok(syslog.outcomes().some((l) => /service=sudo user=alice rhost=- .*claim=alice .*result=ok/
        .test(l)), syslog.outcomes().join('\n'));
    });

  test('prompt=enter: the prompt follows the code; Enter after approval runs the command',
    async () => {
      stack('enter');
      try {
        const mark = await startSudo('enter');
        const screen = await term.waitText('enter', PROMPT);
        const code = userCodeOf(screen);
        assert.ok(code, screen);
        await approve({ baseUrl: idp.issuer, userCode: code, login: 'alice' });
        await term.sendKeys('enter', 'Enter');
        const { status } = await term.waitExit('enter', 20000);
        const out = await term.capture('enter');
        assert.equal(status, 0, out);
        assert.match(out, /^0\s*$/m);
        assert.ok(existsSync(mark));
      } finally {
        stack();
      }
    });

  test('a denial is final: sudo asks again but no new code appears and nothing runs', async () => {
    const before = deviceCodes(idp).length;
    const mark = await startSudo('deny');
    const code = userCodeOf(await term.waitText('deny', /^Code: \S+\s*$/m));
    await approve({ baseUrl: idp.issuer, userCode: code, login: 'alice', deny: true });
    const { status } = await term.waitExit('deny', 20000);
    const out = await term.capture('deny');
    captures['sudo-denied'] = await term.transcript('deny');
    assert.equal(status, 1, out);
    assert.match(out, /The sign-in request was denied\./);
    assert.match(out, /not asking again/);
    assert.equal(out.match(/^Code: /gm).length, 1, out);
    assert.equal(deviceCodes(idp).length, before + 1, 'one device code only');
    assert.ok(!existsSync(mark), 'the command did not run');
    assert.doesNotMatch(out, /^0\s*$/m);
  });

  test('time-out: the command does not run; the retry offers a fresh code', async () => {
    config({ timeout: 5 });
    try {
      const mark = await startSudo('late');
      const first = userCodeOf(await term.waitText('late', /^Code: \S+\s*$/m));
      const again = await term.waitText('late', /expired before it was approved[\s\S]*^Code: /m,
        15000);
      const second = userCodeOf(again);
      assert.notEqual(second, first, 'a fresh code after a time-out');
      await approve({ baseUrl: idp.issuer, userCode: second, login: 'alice', deny: true });
      const { status } = await term.waitExit('late', 20000);
      const out = await term.capture('late');
      assert.equal(status, 1, out);
      assert.ok(!existsSync(mark), 'the command did not run');
    } finally {
      config();
    }
  });
});
