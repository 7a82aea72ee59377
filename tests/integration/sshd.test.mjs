// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Logins through Debian's real sshd and ssh client: examples/pam.d/sshd and
// examples/sshd_config.d/pam_oauth.conf, a real terminal (tmux), approval through the provider's
// pages; then examples/pam.d/sshd-password-{then,or}-oauth with a password for alice. Runs as
// root in private mount and PID namespaces; the machine's sshd is never touched.

import assert from 'node:assert/strict';
import { chownSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import {
  USERS, adaptStack, approve, callerMachine, callerSkip, decodeQr, freePort, hostName, requests,
  run, sleep, srcdir, userCodeOf, waitFor,
} from './lib/index.mjs';

const SSHD = '/usr/sbin/sshd';
const PROMPT = /Press Enter once you have approved the login:\s*$/;
const PASSWORD = 'Alice4ssh';
const ASKED = /Password:\s*$/;
const skip = callerSkip([SSHD, 'ssh', 'ssh-keygen']);

describe('real sshd and ssh client', { skip, timeout: 240000 }, () => {
  // alice's password: only the password stacks below ask for it.
  const m = callerMachine({ stacks: { sshd: adaptStack('sshd') }, passwords: { alice: PASSWORD } });
  let sshd;
  let portKbd; // AuthenticationMethods keyboard-interactive
  let portKey; // the example's publickey,keyboard-interactive

  function sshArgs(port, user, { key = false, tries = null, from = null } = {}) {
    return ['ssh', '-F', '/dev/null', '-p', String(port), ...(from ? ['-b', from] : []),
      '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${m.root.dir}/known_hosts`,
      '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none',
      '-o', `PreferredAuthentications=${key ? 'publickey,' : ''}keyboard-interactive`,
      '-o', `PubkeyAuthentication=${key ? 'yes' : 'no'}`, '-i', join(m.root.dir, 'client_key'),
      ...(tries ? ['-o', `NumberOfPasswordPrompts=${tries}`] : []),
      `${user}@127.0.0.1`, 'id -un'];
  }

  before(async () => {
    const dir = m.root.dir;
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'host', '-f',
      join(dir, 'ssh_host_ed25519_key')]);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'client', '-f',
      join(dir, 'client_key')]);
    const ssh = join(dir, 'home', 'alice', '.ssh');
    writeFileSync(join(ssh, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')),
      { mode: 0o600 });
    chownSync(join(ssh, 'authorized_keys'), USERS.alice, USERS.alice);
    portKbd = await freePort();
    portKey = await freePort();
    // The host key is known in advance, as on a machine the person logged in to before.
    const hostKey = readFileSync(join(dir, 'ssh_host_ed25519_key.pub'), 'utf8').trim();
    writeFileSync(join(dir, 'known_hosts'),
      [portKbd, portKey].map((p) => `[127.0.0.1]:${p} ${hostKey}\n`).join(''));
    // Test lines first (sshd keeps the first value of each keyword), then the example, then a
    // Match that turns the key step off on one port.
    writeFileSync(join(dir, 'sshd_config'), [
      `Port ${portKbd}`, `Port ${portKey}`, 'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'ssh_host_ed25519_key')}`, 'PidFile none', 'UseDNS no',
      'PrintMotd no', 'PrintLastLog no', 'LogLevel VERBOSE',
      `Include ${join(srcdir, 'examples', 'sshd_config.d', 'pam_oauth.conf')}`,
      `Match LocalPort ${portKbd}`, '\tAuthenticationMethods keyboard-interactive', '',
    ].join('\n'));
    sshd = m.daemon([SSHD, '-D', '-e', '-f', join(dir, 'sshd_config')]);
    await waitFor('sshd to listen', () => /Server listening on 127\.0\.0\.1 port/.test(sshd.out.text)
      || sshd.child.exitCode !== null, 10000);
    assert.equal(sshd.child.exitCode, null, `sshd did not start:\n${sshd.out.text}`);
  });

  // Starts ssh in a fresh pane and waits for the code and the prompt.
  async function startLogin(name, user, opts) {
    await m.term.start(name, sshArgs(opts.port ?? portKbd, user, opts));
    const screen = await m.term.waitText(name, PROMPT);
    const code = userCodeOf(screen);
    assert.ok(code, `no user code on the screen:\n${screen}`);
    return { screen, code };
  }

  test('alice approves: the code and a UTF-8 QR code arrive before Enter, then a shell', async () => {
    const before = requests(m.idp, 'codes').length;
    const { screen, code } = await startLogin('ok', 'alice', {});
    const host = hostName();
    assert.match(screen, new RegExp(`Sign-in request: sshd login as alice on ${host} from 127\\.0\\.0\\.1`));
    assert.match(screen, new RegExp(`^Open: ${m.idp.issuer}/device\\s*$`, 'm'));
    assert.match(screen, /[\u2580\u2584\u2588]/, 'UTF-8 QR code (qr=auto, over ssh too)');
    assert.doesNotMatch(screen, /\\342/, 'blocks not escaped (a UTF-8 locale)');
    const qr = decodeQr(screen);
    assert.equal(qr.text, `${m.idp.issuer}/device?user_code=${code}`, qr.how);
    assert.match(qr.how, /utf8/);
    assert.equal(requests(m.idp, 'codes').length, before + 1);
    const pollsBeforeEnter = requests(m.idp, 'polls').length;
    await approve(m.idp, code);
    await sleep(1500);
    assert.equal(requests(m.idp, 'polls').length, pollsBeforeEnter,
      'no poll before Enter (prompt=enter)');
    await m.term.sendKeys('ok', 'Enter');
    const { status, screen: out } = await m.term.waitExit('ok', 20000);
    m.captures['ssh-approved'] = await m.term.transcript('ok');
    assert.equal(status, 0, out);
    assert.match(out, /^alice\s*$/m);
    const line = m.outcomes().find((l) => /service=sshd user=alice .*result=ok/.test(l));
    assert.ok(line, m.syslog.lines.join('\n'));
    assert.match(line, /rhost=127\.0\.0\.1 .*claim=alice sub=alice result=ok/);
  });

  test('publickey,keyboard-interactive (the example): key first, then the device approval',
    async () => {
      const { code } = await startLogin('key', 'alice', { port: portKey, key: true });
      await approve(m.idp, code);
      await m.term.sendKeys('key', 'Enter');
      const { status, screen: out } = await m.term.waitExit('key', 20000);
      assert.equal(status, 0, out);
      assert.match(out, /^alice\s*$/m);
      assert.match(sshd.out.text, /Partial publickey for alice/);
    });

  test('without a key the example refuses before any device code is requested', async () => {
    const before = requests(m.idp, 'deviceAuths').length;
    await m.term.start('nokey', sshArgs(portKey, 'alice', {}));
    const { status, screen } = await m.term.waitExit('nokey', 20000);
    assert.equal(status, 255);
    assert.match(screen, /Permission denied \(publickey\)/);
    assert.equal(requests(m.idp, 'deviceAuths').length, before);
  });

  test('approved by bob for alice: the login fails with a clear message', async () => {
    const { code } = await startLogin('bob', 'alice', { tries: 1 });
    await approve(m.idp, code, { login: 'bob' });
    await m.term.sendKeys('bob', 'Enter');
    const { status, screen: out } = await m.term.waitExit('bob', 20000);
    assert.equal(status, 255, out);
    assert.match(out, /approved by a different account/);
    assert.match(out, /Permission denied/);
    assert.doesNotMatch(out, /^alice\s*$/m);
    assert.ok(m.outcomes().some((l) => /user=alice .*claim=bob .*result=wrong_identity/.test(l)),
      m.outcomes().join('\n'));
  });

  test('a denial is final: no second code although ssh would try three times', async () => {
    const before = requests(m.idp, 'codes').length;
    const { code } = await startLogin('deny', 'alice', {});
    await approve(m.idp, code, { deny: true });
    await m.term.sendKeys('deny', 'Enter');
    const { status, screen: out } = await m.term.waitExit('deny', 20000);
    m.captures['ssh-denied'] = await m.term.transcript('deny');
    assert.equal(status, 255, out);
    assert.match(out, /The sign-in request was denied\./);
    assert.equal(out.match(/^Code: /gm).length, 1, out);
    assert.equal(requests(m.idp, 'codes').length, before + 1, 'one device code only');
    assert.match(out, /Permission denied/);
  });

  test('no approval: the login fails at the deadline with a clear message', async () => {
    m.configure({ timeout: 5 });
    try {
      const { code } = await startLogin('late', 'alice', { tries: 1 });
      const t0 = Date.now();
      await m.term.sendKeys('late', 'Enter'); // "approved" without approving
      const { status, screen: out } = await m.term.waitExit('late', 20000);
      assert.equal(status, 255, out);
      assert.match(out, /expired before it was approved/);
      assert.ok(Date.now() - t0 < 9000, 'ends at the 5 s deadline, not later');
      assert.ok(code);
    } finally {
      m.configure();
    }
  });

  test('the client hangs up at the prompt: sshd ends the PAM process, nothing polls', async () => {
    await startLogin('hup0', 'alice', {});
    const deviceCode = m.idp.issued.device_code.at(-1); // this login's, issued just now
    // Only this sshd's: its namespace's first process is unshare's child. Other tests (and other
    // runs on the machine) may have an "sshd: alice [pam]" of their own.
    const nsInit = (await run('pgrep', ['-P', String(sshd.child.pid)])).trim();
    const pamProcs = async () => (await run('sh', ['-c',
      `pgrep --ns ${nsInit} --nslist pid -f '^sshd: alice \\[pam\\]' || true`])).trim();
    assert.notEqual(await pamProcs(), '', 'the PAM process waits at the prompt');
    await m.term.killPane('hup0');
    await waitFor('the PAM process to end', async () => (await pamProcs()) === '', 5000);
    await sleep(1500); // a poll would come within the 1 s interval
    assert.ok(deviceCode, 'the login got a device code');
    assert.equal(requests(m.idp, 'polls', { deviceCode }).length, 0,
      'no poll for this login');
  });

  test('the client hangs up while the module polls: polling stops at once', async () => {
    const { code } = await startLogin('hup', 'alice', {});
    const deviceCode = m.idp.issued.device_code.at(-1);
    const mine = () => requests(m.idp, 'polls', { deviceCode });
    await m.term.sendKeys('hup', 'Enter');
    // Also proves the provider tells polls apart by device code (the hang-up case above).
    await waitFor('polling', () => mine().length > 0, 5000);
    await m.term.killPane('hup'); // the ssh client and its connection go away
    const killedAt = Date.now();
    await sleep(4000); // four intervals
    const late = mine().filter((e) => e.t > killedAt + 1200);
    assert.equal(late.length, 0, `polls after the hang-up: ${late.length}`);
    const line = await waitFor('the outcome line', () => m.outcomes()
      .find((l) => /user=alice .*result=conversation reason=the connection to the person closed/.test(l)),
    3000).catch(() => null);
    assert.ok(line, `no hang-up outcome line:\n${m.outcomes().join('\n')}`);
    assert.ok(code);
  });

  test('abuse limits: over rate_limit from 127.0.0.1 refused at once; 127.0.0.2 still signs in',
    async () => {
      // Counts of their own: the tests above logged alice in with the limits off.
      m.configure({ rate_limit: '2/300', rate_limit_dir: '/run/pam_oauth-limits' });
      try {
        const before = requests(m.idp, 'deviceAuths').length;
        for (const name of ['rl1', 'rl2']) {
          await startLogin(name, 'alice', { tries: 1 });
          await m.term.killPane(name);
        }
        assert.equal(requests(m.idp, 'deviceAuths').length, before + 2);
        const t0 = Date.now();
        await m.term.start('rl3', sshArgs(portKbd, 'alice', { tries: 1 }));
        const { status, screen: out } = await m.term.waitExit('rl3', 20000);
        const took = Date.now() - t0;
        m.captures['ssh-rate-limited'] = await m.term.transcript('rl3');
        assert.equal(status, 255, out);
        const told = out.match(/Too many sign-in requests for this account from this address; try again in (\d+) seconds\./);
        assert.ok(told, out);
        assert.ok(Number(told[1]) > 250 && Number(told[1]) <= 300, `wait told: ${told[1]} s`);
        assert.match(out, /Permission denied/);
        assert.doesNotMatch(out, /^Code: /m);
        assert.equal(requests(m.idp, 'deviceAuths').length, before + 2, 'the refused try sent nothing');
        assert.ok(took < 5000, `refused after ${took} ms (ssh and sshd start-up included)`);
        const line = m.outcomes().find((l) => /result=rate_limited/.test(l));
        assert.ok(line, m.outcomes().join('\n'));
        assert.match(line, /service=sshd user=alice rhost=127\.0\.0\.1 .*result=rate_limited reason=rate_limit 2\/300 reached for this account from ip4:127\.0\.0\.1; next try in \d+ s$/);
        // The same account from a second address is not locked out.
        const { code } = await startLogin('rl4', 'alice', { tries: 1, from: '127.0.0.2' });
        await approve(m.idp, code);
        await m.term.sendKeys('rl4', 'Enter');
        const done = await m.term.waitExit('rl4', 20000);
        assert.equal(done.status, 0, done.screen);
        assert.match(done.screen, /^alice\s*$/m);
        assert.ok(m.outcomes().some((l) => /user=alice rhost=127\.0\.0\.2 .*result=ok/.test(l)),
          m.outcomes().join('\n'));
      } finally {
        m.configure();
      }
    });

  // The password examples: sshd starts PAM for each connection, so a new stack applies to the
  // next login. The password comes first in the same keyboard-interactive conversation.
  async function withStack(example, fn) {
    m.root.writeStack('sshd', adaptStack(example));
    try {
      await fn();
    } finally {
      m.root.writeStack('sshd', adaptStack('sshd'));
    }
  }

  async function typePassword(name, typed) {
    await m.term.start(name, sshArgs(portKbd, 'alice', { tries: 1 }));
    await m.term.waitText(name, ASKED);
    await m.term.sendKeys(name, typed, 'Enter');
  }

  test('password then approval: the right password, then the code; approval gives a shell',
    () => withStack('sshd-password-then-oauth', async () => {
      await typePassword('then', PASSWORD);
      const code = userCodeOf(await m.term.waitText('then', PROMPT));
      await approve(m.idp, code);
      await m.term.sendKeys('then', 'Enter');
      const { status, screen: out } = await m.term.waitExit('then', 20000);
      assert.equal(status, 0, out);
      assert.match(out, /^alice\s*$/m);
    }));

  test('password then approval: a wrong password fails before any device code is requested',
    () => withStack('sshd-password-then-oauth', async () => {
      const before = requests(m.idp, 'deviceAuths').length;
      await typePassword('thenbad', 'wrong');
      const { status, screen: out } = await m.term.waitExit('thenbad', 20000);
      assert.equal(status, 255, out);
      assert.match(out, /Permission denied/);
      assert.doesNotMatch(out, /^Code: /m);
      assert.equal(requests(m.idp, 'deviceAuths').length, before);
    }));

  test('password or approval: the right password gives a shell without a device flow',
    () => withStack('sshd-password-or-oauth', async () => {
      const before = requests(m.idp, 'deviceAuths').length;
      await typePassword('or', PASSWORD);
      const { status, screen: out } = await m.term.waitExit('or', 20000);
      assert.equal(status, 0, out);
      assert.match(out, /^alice\s*$/m);
      assert.doesNotMatch(out, /^Code: /m);
      assert.equal(requests(m.idp, 'deviceAuths').length, before);
    }));

  test('password or approval: a wrong password falls through to the code; approval logs in',
    () => withStack('sshd-password-or-oauth', async () => {
      await typePassword('orbad', 'wrong');
      const code = userCodeOf(await m.term.waitText('orbad', PROMPT));
      await approve(m.idp, code);
      await m.term.sendKeys('orbad', 'Enter');
      const { status, screen: out } = await m.term.waitExit('orbad', 20000);
      assert.equal(status, 0, out);
      assert.match(out, /^alice\s*$/m);
    }));
});
