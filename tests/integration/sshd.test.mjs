// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Logins through Debian's real sshd and ssh client: examples/pam.d/sshd and
// examples/sshd_config.d/pam_oauth.conf, a real terminal (tmux), approval through the provider's
// pages; then examples/pam.d/sshd-password-{then,or}-oauth with a password for alice. Runs as
// root in private mount and PID namespaces; the machine's sshd is never touched.

import assert from 'node:assert/strict';
import { chownSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  Terminal, loadIdp, USERS, adaptStack, decodeQr, deviceCodes, freePort, hostName, makeRoot, modulePath,
  nsCommand, run, setPassword, skipReason, sleep, startDaemon, startSyslog, tokenPolls, top,
  userCodeOf, waitFor,
  teardown,
} from './callers.mjs';

const SSHD = '/usr/sbin/sshd';
const PROMPT = /Press Enter once you have approved the login:\s*$/;
const PASSWORD = 'Alice4ssh';
const ASKED = /Password:\s*$/;
const skip = skipReason([SSHD, 'ssh', 'ssh-keygen']);

describe('real sshd and ssh client', { skip: skip ?? false, timeout: 240000 }, () => {
  let idp;
  let root;
  let syslog;
  let sshd;
  let term;
  let portKbd; // AuthenticationMethods keyboard-interactive
  let portKey; // the example's publickey,keyboard-interactive
  const captures = {};

  // Every test logs alice in from 127.0.0.1 through one provider, more often than a person
  // would: the abuse limits are off here and have tests of their own (ratelimit.test.mjs).
  function config({ timeout = 30 } = {}) {
    root.writeConfig(`issuer = ${idp.issuer}\nclient_id = pam-test\ntimeout = ${timeout}\n`
      + 'rate_limit = off\nrate_limit_rhost = off\n');
  }

  function sshArgs(port, user, { key = false, tries = null } = {}) {
    return ['ssh', '-F', '/dev/null', '-p', String(port),
      '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${root.dir}/known_hosts`,
      '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none',
      '-o', `PreferredAuthentications=${key ? 'publickey,' : ''}keyboard-interactive`,
      '-o', `PubkeyAuthentication=${key ? 'yes' : 'no'}`, '-i', join(root.dir, 'client_key'),
      ...(tries ? ['-o', `NumberOfPasswordPrompts=${tries}`] : []),
      `${user}@127.0.0.1`, 'id -un'];
  }

  let approve;

  before(async () => {
    let startProvider;
    ({ startProvider, approve } = await loadIdp());
    idp = await startProvider();
    idp.knobs.interval = 1; // tests poll every second instead of RFC 8628's default 5
    root = makeRoot({ stacks: { sshd: adaptStack('sshd', modulePath()) } });
    setPassword(root, 'alice', PASSWORD); // only the password stacks below ask for it
    syslog = await startSyslog(root);
    config();
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'host', '-f',
      join(root.dir, 'ssh_host_ed25519_key')]);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'client', '-f',
      join(root.dir, 'client_key')]);
    const ssh = join(root.dir, 'home', 'alice', '.ssh');
    writeFileSync(join(ssh, 'authorized_keys'), readFileSync(join(root.dir, 'client_key.pub')),
      { mode: 0o600 });
    chownSync(join(ssh, 'authorized_keys'), USERS.alice, USERS.alice);
    portKbd = await freePort();
    portKey = await freePort();
    // The host key is known in advance, as on a machine the person logged in to before.
    const hostKey = readFileSync(join(root.dir, 'ssh_host_ed25519_key.pub'), 'utf8').trim();
    writeFileSync(join(root.dir, 'known_hosts'),
      [portKbd, portKey].map((p) => `[127.0.0.1]:${p} ${hostKey}\n`).join(''));
    // Test lines first (sshd keeps the first value of each keyword), then the example, then a
    // Match that turns the key step off on one port.
    writeFileSync(join(root.dir, 'sshd_config'), [
      `Port ${portKbd}`, `Port ${portKey}`, 'ListenAddress 127.0.0.1',
      `HostKey ${join(root.dir, 'ssh_host_ed25519_key')}`, 'PidFile none', 'UseDNS no',
      'PrintMotd no', 'PrintLastLog no', 'LogLevel VERBOSE',
      `Include ${join(top, 'examples', 'sshd_config.d', 'pam_oauth.conf')}`,
      `Match LocalPort ${portKbd}`, '\tAuthenticationMethods keyboard-interactive', '',
    ].join('\n'));
    sshd = startDaemon(nsCommand(root, [SSHD, '-D', '-e', '-f', join(root.dir, 'sshd_config')]));
    await waitFor('sshd to listen', () => /Server listening on 127\.0\.0\.1 port/.test(sshd.out.text)
      || sshd.child.exitCode !== null, 10000);
    assert.equal(sshd.child.exitCode, null, `sshd did not start:\n${sshd.out.text}`);
    term = new Terminal(root.dir);
  });

  after(() => teardown({ term, daemon: sshd, syslog, idp, root, captures }));

  // Starts ssh in a fresh pane and waits for the code and the prompt.
  async function startLogin(name, user, opts) {
    await term.start(name, sshArgs(opts.port ?? portKbd, user, opts));
    const screen = await term.waitText(name, PROMPT);
    const code = userCodeOf(screen);
    assert.ok(code, `no user code on the screen:\n${screen}`);
    return { screen, code };
  }

  test('alice approves: the code and an ASCII QR code arrive before Enter, then a shell', async () => {
    const before = deviceCodes(idp).length;
    const { screen, code } = await startLogin('ok', 'alice', {});
    const host = hostName();
    assert.match(screen, new RegExp(`Sign-in request: sshd login as alice on ${host} from 127\\.0\\.0\\.1`));
    assert.match(screen, new RegExp(`^Open: ${idp.issuer}/device\\s*$`, 'm'));
    assert.match(screen, /^ *(##| )+$/m, 'ASCII QR code (qr=auto with PAM_RHOST set)');
    assert.doesNotMatch(screen, /[\u2580\u2584\u2588]|\\342/, 'no UTF-8 or escaped blocks over ssh');
    const qr = decodeQr(screen);
    assert.equal(qr.text, `${idp.issuer}/device?user_code=${code}`, qr.how);
    assert.match(qr.how, /ascii/);
    assert.equal(deviceCodes(idp).length, before + 1);
    const pollsBeforeEnter = tokenPolls(idp).length;
    await approve({ baseUrl: idp.issuer, userCode: code, login: 'alice' });
    await sleep(1500);
    assert.equal(tokenPolls(idp).length, pollsBeforeEnter, 'no poll before Enter (prompt=enter)');
    await term.sendKeys('ok', 'Enter');
    const st = await term.waitExit('ok', 20000);
    const out = await term.capture('ok');
    captures['ssh-approved'] = await term.transcript('ok');
    assert.equal(st.status, 0, out);
    assert.match(out, /^alice\s*$/m);
    const line = syslog.outcomes().find((l) => /service=sshd user=alice .*result=ok/.test(l));
    assert.ok(line, syslog.lines.join('\n'));
    assert.match(line, /rhost=127\.0\.0\.1 .*claim=alice sub=alice result=ok/);
  });

  test('publickey,keyboard-interactive (the example): key first, then the device approval',
    async () => {
      const { code } = await startLogin('key', 'alice', { port: portKey, key: true });
      await approve({ baseUrl: idp.issuer, userCode: code, login: 'alice' });
      await term.sendKeys('key', 'Enter');
      const st = await term.waitExit('key', 20000);
      const out = await term.capture('key');
      assert.equal(st.status, 0, out);
      assert.match(out, /^alice\s*$/m);
      assert.match(sshd.out.text, /Partial publickey for alice/);
    });

  test('without a key the example refuses before any device code is requested', async () => {
    const before = deviceCodes(idp).length;
    await term.start('nokey', sshArgs(portKey, 'alice', {}));
    const st = await term.waitExit('nokey', 20000);
    assert.equal(st.status, 255);
    assert.match(await term.capture('nokey'), /Permission denied \(publickey\)/);
    assert.equal(deviceCodes(idp).length, before);
  });

  test('approved by bob for alice: the login fails with a clear message', async () => {
    const { code } = await startLogin('bob', 'alice', { tries: 1 });
    await approve({ baseUrl: idp.issuer, userCode: code, login: 'bob' });
    await term.sendKeys('bob', 'Enter');
    const st = await term.waitExit('bob', 20000);
    const out = await term.capture('bob');
    assert.equal(st.status, 255, out);
    assert.match(out, /approved by a different account/);
    assert.match(out, /Permission denied/);
    assert.doesNotMatch(out, /^alice\s*$/m);
    assert.ok(syslog.outcomes().some((l) => /user=alice .*claim=bob .*result=wrong_identity/.test(l)),
      syslog.outcomes().join('\n'));
  });

  test('a denial is final: no second code although ssh would try three times', async () => {
    const before = deviceCodes(idp).length;
    const { code } = await startLogin('deny', 'alice', {});
    await approve({ baseUrl: idp.issuer, userCode: code, login: 'alice', deny: true });
    await term.sendKeys('deny', 'Enter');
    const st = await term.waitExit('deny', 20000);
    const out = await term.capture('deny');
    captures['ssh-denied'] = await term.transcript('deny');
    assert.equal(st.status, 255, out);
    assert.match(out, /The sign-in request was denied\./);
    assert.equal(out.match(/^Code: /gm).length, 1, out);
    assert.equal(deviceCodes(idp).length, before + 1, 'one device code only');
    assert.match(out, /Permission denied/);
  });

  test('no approval: the login fails at the deadline with a clear message', async () => {
    config({ timeout: 5 });
    try {
      const { code } = await startLogin('late', 'alice', { tries: 1 });
      const t0 = Date.now();
      await term.sendKeys('late', 'Enter'); // "approved" without approving
      const st = await term.waitExit('late', 20000);
      const out = await term.capture('late');
      assert.equal(st.status, 255, out);
      assert.match(out, /expired before it was approved/);
      assert.ok(Date.now() - t0 < 9000, 'ends at the 5 s deadline, not later');
      assert.ok(code);
    } finally {
      config();
    }
  });

  test('the client hangs up at the prompt: sshd ends the PAM process, nothing polls', async () => {
    await startLogin('hup0', 'alice', {});
    const deviceCode = idp.issued.device_code.at(-1); // this login's, issued just now
    const pamProcs = async () => (await run('sh', ['-c',
      `pgrep -f '^sshd: alice \\[pam\\]' || true`])).trim();
    assert.notEqual(await pamProcs(), '', 'the PAM process waits at the prompt');
    await term.killPane('hup0');
    await waitFor('the PAM process to end', async () => (await pamProcs()) === '', 5000);
    await sleep(1500); // a poll would come within the 1 s interval
    assert.ok(deviceCode, 'the login got a device code');
    assert.equal(tokenPolls(idp).filter((e) => e.deviceCode === deviceCode).length, 0,
      'no poll for this login');
  });

  test('the client hangs up while the module polls: polling stops at once', async () => {
    const { code } = await startLogin('hup', 'alice', {});
    const deviceCode = idp.issued.device_code.at(-1);
    const mine = () => tokenPolls(idp).filter((e) => e.deviceCode === deviceCode);
    await term.sendKeys('hup', 'Enter');
    // Also proves the provider tells polls apart by device code (the hang-up case above).
    await waitFor('polling', () => mine().length > 0, 5000);
    await term.killPane('hup'); // the ssh client and its connection go away
    const killedAt = Date.now();
    await sleep(4000); // four intervals
    const late = mine().filter((e) => e.t > killedAt + 1200);
    assert.equal(late.length, 0, `polls after the hang-up: ${late.length}`);
    const line = await waitFor('the outcome line', () => syslog.outcomes()
      .find((l) => /user=alice .*result=conversation reason=the connection to the person closed/.test(l)),
    3000).catch(() => null);
    assert.ok(line, `no hang-up outcome line:\n${syslog.outcomes().join('\n')}`);
    assert.ok(code);
  });

  // The password examples: sshd starts PAM for each connection, so a new stack applies to the
  // next login. The password comes first in the same keyboard-interactive conversation.
  async function withStack(example, fn) {
    root.writeStack('sshd', adaptStack(example, modulePath()));
    try {
      await fn();
    } finally {
      root.writeStack('sshd', adaptStack('sshd', modulePath()));
    }
  }

  async function typePassword(name, typed) {
    await term.start(name, sshArgs(portKbd, 'alice', { tries: 1 }));
    await term.waitText(name, ASKED);
    await term.sendKeys(name, typed, 'Enter');
  }

  test('password then approval: the right password, then the code; approval gives a shell',
    () => withStack('sshd-password-then-oauth', async () => {
      await typePassword('then', PASSWORD);
      const code = userCodeOf(await term.waitText('then', PROMPT));
      await approve({ baseUrl: idp.issuer, userCode: code, login: 'alice' });
      await term.sendKeys('then', 'Enter');
      const st = await term.waitExit('then', 20000);
      const out = await term.capture('then');
      assert.equal(st.status, 0, out);
      assert.match(out, /^alice\s*$/m);
    }));

  test('password then approval: a wrong password fails before any device code is requested',
    () => withStack('sshd-password-then-oauth', async () => {
      const before = idp.log.filter((e) => e.path === '/device/auth').length;
      await typePassword('thenbad', 'wrong');
      const st = await term.waitExit('thenbad', 20000);
      const out = await term.capture('thenbad');
      assert.equal(st.status, 255, out);
      assert.match(out, /Permission denied/);
      assert.doesNotMatch(out, /^Code: /m);
      assert.equal(idp.log.filter((e) => e.path === '/device/auth').length, before);
    }));

  test('password or approval: the right password gives a shell without a device flow',
    () => withStack('sshd-password-or-oauth', async () => {
      const before = idp.log.filter((e) => e.path === '/device/auth').length;
      await typePassword('or', PASSWORD);
      const st = await term.waitExit('or', 20000);
      const out = await term.capture('or');
      assert.equal(st.status, 0, out);
      assert.match(out, /^alice\s*$/m);
      assert.doesNotMatch(out, /^Code: /m);
      assert.equal(idp.log.filter((e) => e.path === '/device/auth').length, before);
    }));

  test('password or approval: a wrong password falls through to the code; approval logs in',
    () => withStack('sshd-password-or-oauth', async () => {
      await typePassword('orbad', 'wrong');
      const code = userCodeOf(await term.waitText('orbad', PROMPT));
      await approve({ baseUrl: idp.issuer, userCode: code, login: 'alice' });
      await term.sendKeys('orbad', 'Enter');
      const st = await term.waitExit('orbad', 20000);
      const out = await term.capture('orbad');
      assert.equal(st.status, 0, out);
      assert.match(out, /^alice\s*$/m);
    }));
});
