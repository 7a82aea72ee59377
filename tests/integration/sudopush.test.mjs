// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Debian's real sudo with examples/pam.d/sudo and mode=ciba: the push line on a real terminal
// (tmux), approval on the "phone" runs the command, a denial does not, push_command names the
// command to the phone. Same namespaces and private /etc as sudo.test.mjs; the machine's sudo
// is never touched.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { before, describe, test } from 'node:test';

import {
  adaptStack, callerMachine, callerSkip, hostName, sudoers, waitFor,
} from './lib/index.mjs';

const LINE_RE = /Approve on your phone: (\S+) for (\S+) on (\S+) \(code (\d{4})\)/;
const skip = callerSkip(['sudo', 'runuser']);

describe('real sudo, push approval', { skip, timeout: 120000 }, () => {
  const m = callerMachine({ stacks: { sudo: adaptStack('sudo') }, sudoers: sudoers() });

  // The push line on the terminal and the provider's record of the same push.
  async function pushOf(name) {
    const screen = await m.term.waitText(name, LINE_RE);
    const entry = await waitFor('the push at the provider', () => m.idp.ciba.pending().at(-1),
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

  // mode=ciba for [sudo]; extra: more settings for that section. It holds a client secret, so
  // only root may read the file (configure() makes it 0600).
  function config(extra = {}) {
    m.configure({
      client_id: m.idp.clients.ciba.id,
      client_secret: m.idp.clients.ciba.secret,
      scope: 'openid profile',
      sudo: { mode: 'ciba', login_hint_template: '{user}@example.test', ...extra },
    });
  }

  before(() => config());

  test('approved on the phone: the command runs as root', async () => {
    const mark = await m.sudo('push');
    const entry = await pushOf('push');
    await m.idp.ciba.decide(entry.authReqId);
    const { status, screen: out } = await m.term.waitExit('push', 20000);
    m.captures['sudo-push-approved'] = await m.term.transcript('push');
    m.captures['sudo-push-binding'] = entry.bindingMessage;
    assert.match(entry.bindingMessage, /^sudo\/[^/]+#\d{4}$/, 'no command without push_command');
    assert.equal(status, 0, out);
    assert.match(out, /^0\s*$/m, 'id -u printed 0');
    assert.ok(existsSync(mark), 'the command ran');
    assert.ok(m.outcomes().some((l) => /service=sudo user=alice .*claim=alice .*result=ok/
      .test(l)), m.outcomes().join('\n'));
  });

  test('denied on the phone: final, the command does not run', async () => {
    const mark = await m.sudo('deny');
    const entry = await pushOf('deny');
    const pushes = m.idp.ciba.requests.length;
    await m.idp.ciba.decide(entry.authReqId, { approve: false });
    const { status, screen: out } = await m.term.waitExit('deny', 20000);
    m.captures['sudo-push-denied'] = await m.term.transcript('deny');
    assert.equal(status, 1, out);
    assert.match(out, /denied/);
    assert.equal(m.idp.ciba.requests.length, pushes, 'no second push after a denial');
    assert.ok(!existsSync(mark), 'the command did not run');
    assert.doesNotMatch(out, /^0\s*$/m);
  });

  test('push_command = yes: the phone is told the command sudo will run', async () => {
    // 40 characters: room for the command after a long host name too.
    config({ push_command: 'yes', binding_message_max: 40 });
    try {
      const mark = await m.sudo('command');
      const entry = await pushOf('command');
      assert.match(entry.bindingMessage, /^sudo\/[^/]+\/sh#\d{4}$/, entry.bindingMessage);
      await m.idp.ciba.decide(entry.authReqId);
      const { status, screen: out } = await m.term.waitExit('command', 20000);
      m.captures['sudo-push-command-binding'] = entry.bindingMessage;
      assert.equal(status, 0, out);
      assert.ok(existsSync(mark), 'the command ran');
    } finally {
      config();
    }
  });
});
