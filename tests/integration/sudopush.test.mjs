// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Debian's real sudo with examples/pam.d/sudo and mode=ciba: the push line on a real terminal
// (tmux), approval on the "phone" runs the command, a denial does not, push_command names the
// command to the phone. Same namespaces and private /etc as sudo.test.mjs; the machine's sudo
// is never touched.

import assert from 'node:assert/strict';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  Terminal, loadIdp, adaptStack, hostName, makeRoot, modulePath, nsCommand, skipReason,
  startSyslog, waitFor,
  teardown,
} from './callers.mjs';

const LINE_RE = /Approve on your phone: (\S+) for (\S+) on (\S+) \(code (\d{4})\)/;
const SUDOERS = `Defaults env_reset
Defaults lecture=never
Defaults !fqdn
root ALL=(ALL:ALL) ALL
alice ALL=(ALL:ALL) ALL
`;
const skip = skipReason(['sudo', 'runuser']);

describe('real sudo, push approval', { skip: skip ?? false, timeout: 120000 }, () => {
  let idp;
  let root;
  let syslog;
  let term;
  const captures = {};

  // alice runs "sudo sh -c 'id -u; touch MARK'" on the pane's terminal.
  async function startSudo(name) {
    const mark = join(root.dir, `ran-${name}`);
    await term.start(name, nsCommand(root, ['runuser', '-u', 'alice', '--', 'sudo', '--',
      'sh', '-c', `id -u; touch ${mark}`]));
    return mark;
  }

  // The push line on the terminal and the provider's record of the same push.
  async function pushOf(name) {
    const screen = await term.waitText(name, LINE_RE);
    const entry = await waitFor('the push at the provider', () => idp.ciba.pending().at(-1),
      10000);
    const [, service, user, host, code] = screen.match(LINE_RE);
    assert.equal(service, 'sudo');
    assert.equal(user, 'alice');
    assert.equal(host, hostName().split('.')[0]);
    assert.equal(entry.loginHint, 'alice@example.test');
    assert.ok(entry.bindingMessage.includes(code), `${entry.bindingMessage} has ${code}`);
    assert.ok(entry.bindingMessage.startsWith('sudo/'), entry.bindingMessage);
    assert.ok(entry.bindingMessage.endsWith(`#${code}`), entry.bindingMessage);
    assert.match(entry.bindingMessage, /^[a-zA-Z0-9-._+/!?#]{1,40}$/);
    assert.doesNotMatch(screen, /^Code: /m, 'no user code under mode=ciba');
    return entry;
  }

  // mode=ciba for [sudo]; extra: more lines for that section.
  function config(extra = '') {
    root.writeConfig(`issuer = ${idp.issuer}\nclient_id = ${idp.clients.ciba.id}\n`
      + `client_secret = ${idp.clients.ciba.secret}\nscope = openid profile\ntimeout = 30\n`
      + `[sudo]\nmode = ciba\nlogin_hint_template = {user}@example.test\n${extra}`);
    // It holds a client secret: the module refuses it unless only root can read it.
    chmodSync(join(root.dir, 'etc', 'security', 'pam_oauth.conf'), 0o600);
  }

  before(async () => {
    const { startProvider } = await loadIdp();
    idp = await startProvider();
    idp.knobs.interval = 1;
    root = makeRoot({ stacks: {}, sudoers: SUDOERS });
    syslog = await startSyslog(root);
    root.writeStack('sudo', adaptStack('sudo', modulePath()));
    config();
    term = new Terminal(root.dir);
  });

  after(() => teardown({ term, syslog, idp, root, captures }));

  test('approved on the phone: the command runs as root', async () => {
    const mark = await startSudo('push');
    const entry = await pushOf('push');
    await idp.ciba.decide(entry.authReqId);
    const { status } = await term.waitExit('push', 20000);
    const out = await term.capture('push');
    captures['sudo-push-approved'] = await term.transcript('push');
    captures['sudo-push-binding'] = entry.bindingMessage;
    assert.match(entry.bindingMessage, /^sudo\/[^/]+#\d{4}$/, 'no command without push_command');
    assert.equal(status, 0, out);
    assert.match(out, /^0\s*$/m, 'id -u printed 0');
    assert.ok(existsSync(mark), 'the command ran');
    assert.ok(syslog.outcomes().some((l) => /service=sudo user=alice .*claim=alice .*result=ok/
      .test(l)), syslog.outcomes().join('\n'));
  });

  test('denied on the phone: final, the command does not run', async () => {
    const mark = await startSudo('deny');
    const entry = await pushOf('deny');
    const before = idp.ciba.requests.length;
    await idp.ciba.decide(entry.authReqId, { approve: false });
    const { status } = await term.waitExit('deny', 20000);
    const out = await term.capture('deny');
    captures['sudo-push-denied'] = await term.transcript('deny');
    assert.equal(status, 1, out);
    assert.match(out, /denied/);
    assert.equal(idp.ciba.requests.length, before, 'no second push after a denial');
    assert.ok(!existsSync(mark), 'the command did not run');
    assert.doesNotMatch(out, /^0\s*$/m);
  });

  test('push_command = yes: the phone is told the command sudo will run', async () => {
    // 40 characters: room for the command after a long host name too.
    config('push_command = yes\nbinding_message_max = 40\n');
    try {
      const mark = await startSudo('command');
      const entry = await pushOf('command');
      assert.match(entry.bindingMessage, /^sudo\/[^/]+\/sh#\d{4}$/, entry.bindingMessage);
      await idp.ciba.decide(entry.authReqId);
      const { status } = await term.waitExit('command', 20000);
      const out = await term.capture('command');
      captures['sudo-push-command-binding'] = entry.bindingMessage;
      assert.equal(status, 0, out);
      assert.ok(existsSync(mark), 'the command ran');
    } finally {
      config();
    }
  });
});
