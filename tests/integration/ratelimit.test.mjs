// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Abuse limits through the real libpam: a try over rate_limit or rate_limit_rhost is refused at
// once, says how long to wait, logs one outcome line and sends nothing; other accounts and
// addresses still sign in; a flood of names and addresses leaves the state file at its size.
// Every test keeps its counts in a directory of its own, never the machine's /run/pam_oauth.

import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import {
  chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  PAM, SLOW, baseConfig, builddir, dump, expectOutcome, requests, runPam, screen, skip, startIdp,
  tempDir,
} from './lib/index.mjs';

const floodTool = join(builddir, 'tests', 'tools', 'ratelimit_flood');
const checkTool = join(builddir, 'pam_oauth_check');

// pam_oauth.conf(5): the state file's size, whatever is tried.
const STATE_BYTES = 2293824;
const FLOOD = 10000;
// "At once": no request, no wait; pamtester and the wrappers starting up are most of it.
const REFUSED_WITHIN_MS = 1000 * SLOW;
const MESSAGE = /Too many sign-in requests (for this account )?from this (address|terminal); try again in (\d+) seconds?\./;
const LOG_ERR = 3; // syslog priority

// A state directory below a fresh private one, so the module may create it (0700 parent).
function stateDir() {
  return join(tempDir('pam-oauth-rl-'), 'state');
}

function limited(idp, dir, extra = {}) {
  return baseConfig(idp, { rate_limit_dir: dir, ...extra });
}

async function signsIn(t, idp, config, user, rhost) {
  const r = await runPam(t, { idp, config, user, rhost, approveAs: user });
  expectOutcome(r, {
    verdict: PAM.SUCCESS, result: 'ok', user, claim: user, rhost: rhost ?? '-',
  });
  return r;
}

/**
 * A try that must be refused by the limits: at once, with the message, one outcome line, and no
 * request at all. want: { which: 'account' | 'source', local, reason (RegExp) }. Returns the
 * wait the person was told, in seconds.
 */
async function refused(t, idp, config, user, rhost, want, flags) {
  const before = idp.log.length;
  const r = await runPam(t, { idp, config, user, rhost, flags });
  const o = expectOutcome(r, {
    verdict: PAM.AUTH_ERR, result: 'rate_limited', user, rhost: rhost ?? '-', claim: '-',
    reason: want.reason,
  });
  const m = screen(r).match(MESSAGE);
  assert.ok(m, `the person reads the limit's message${dump(r)}`);
  assert.equal(Boolean(m[1]), want.which === 'account', `which limit the message names${dump(r)}`);
  assert.equal(m[2], want.local ? 'terminal' : 'address', `where from${dump(r)}`);
  const wait = Number(m[3]);
  assert.ok(o.reason.endsWith(`; next try in ${wait} s`), `the log says the same wait${dump(r)}`);
  assert.ok(r.elapsedMs < REFUSED_WITHIN_MS, `refused in ${r.elapsedMs} ms${dump(r)}`);
  assert.equal(idp.log.length, before,
    `a refused try sends nothing: ${JSON.stringify(idp.log.slice(before))}${dump(r)}`);
  return { r, wait };
}

test('N+2 tries by one account from one address: N reach the provider, two are refused at once',
  { skip, timeout: 120000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const dir = stateDir();
    const config = limited(idp, dir, { rate_limit: '3/300' });
    const rhost = '198.51.100.7';
    const start = Date.now();
    for (let i = 0; i < 3; i += 1) await signsIn(t, idp, config, 'alice', rhost);
    assert.equal(requests(idp, 'codes').length, 3);
    const reason = /^rate_limit 3\/300 reached for this account from ip4:198\.51\.100\.7; next try in \d+ s$/;
    // PAM_SILENT does not hide it: like a denial, it is the outcome, not a remark.
    for (const flags of [undefined, 'PAM_SILENT']) {
      const { wait } = await refused(t, idp, config, 'alice', rhost,
        { which: 'account', reason }, flags);
      const sinceFirst = Math.ceil((Date.now() - start) / 1000);
      assert.ok(wait <= 300 && wait >= 300 - sinceFirst - 1,
        `wait ${wait} s: until the first of the three is 300 s old`);
    }
    assert.equal(requests(idp, 'deviceAuths').length, 3, 'exactly N device authorization requests');
    // Not a lock-out of the person nor of the address: the same account from elsewhere, and
    // another account from here, sign in.
    await signsIn(t, idp, config, 'alice', '198.51.100.8');
    await signsIn(t, idp, config, 'bob', rhost);
    assert.equal(requests(idp, 'codes').length, 5);
    const st = statSync(join(dir, 'ratelimit'));
    assert.equal(st.size, STATE_BYTES);
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

test('rate_limit_rhost counts every account from one address, and only that address',
  { skip, timeout: 120000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const config = limited(idp, stateDir(), { rate_limit_rhost: '3/300' });
    const rhost = '203.0.113.5';
    await signsIn(t, idp, config, 'alice', rhost);
    await signsIn(t, idp, config, 'bob', rhost);
    await signsIn(t, idp, config, 'alice', rhost);
    await refused(t, idp, config, 'bob', rhost, {
      which: 'source',
      reason: /^rate_limit_rhost 3\/300 reached from ip4:203\.0\.113\.5; next try in \d+ s$/,
    });
    await signsIn(t, idp, config, 'bob', '203.0.113.6');
    assert.equal(requests(idp, 'codes').length, 4);
  });

test('sshd\'s PAM_RHOST: an IPv6 /64 is one source, an IPv4-mapped address its IPv4 address',
  { skip, timeout: 120000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const config = limited(idp, stateDir(), { rate_limit: '1/300' });
    await signsIn(t, idp, config, 'alice', '2001:db8:1:2::10');
    await refused(t, idp, config, 'alice', '2001:db8:1:2:ffff::99', {
      which: 'account', reason: /from ip6:2001:db8:1:2::\/64; next try in \d+ s$/,
    });
    await signsIn(t, idp, config, 'alice', '2001:db8:1:3::10');
    await signsIn(t, idp, config, 'alice', '::ffff:192.0.2.1');
    await refused(t, idp, config, 'alice', '192.0.2.1', {
      which: 'account', reason: /from ip4:192\.0\.2\.1; next try in \d+ s$/,
    });
    assert.equal(requests(idp, 'codes').length, 3);
  });

test('a local login (no PAM_RHOST) counts per account and terminal',
  { skip, timeout: 90000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const config = limited(idp, stateDir(), { rate_limit: '1/300' });
    await signsIn(t, idp, config, 'alice', undefined);
    await refused(t, idp, config, 'alice', undefined, {
      which: 'account', local: true, reason: /from tty:; next try in \d+ s$/,
    });
    await signsIn(t, idp, config, 'bob', undefined);
  });

test('limits off: every try reaches the provider', { skip, timeout: 90000 * SLOW }, async (t) => {
  const idp = await startIdp(t);
  const dir = stateDir();
  const config = limited(idp, dir, { rate_limit: 'off', rate_limit_rhost: 'off' });
  for (let i = 0; i < 2; i += 1) await signsIn(t, idp, config, 'alice', '198.51.100.7');
  assert.equal(requests(idp, 'deviceAuths').length, 2);
  assert.equal(existsSync(dir), false, 'nothing stored when both limits are off');
});

test('a store that cannot be used is logged at LOG_ERR and the login goes on to the provider',
  { skip, timeout: 90000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const dir = stateDir();
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const config = limited(idp, dir, { rate_limit: '1/300' });
    for (let i = 0; i < 2; i += 1) {
      // Never a success without the person's approval, never a refusal for everyone.
      const r = await signsIn(t, idp, config, 'alice', '198.51.100.7');
      // libpam logs its own LOG_ERR lines under pam_wrapper ("_pam_init_handlers: ...").
      const errors = r.syslog.filter((l) => l.prio === LOG_ERR && !l.text.startsWith('_pam'));
      assert.equal(errors.length, 1, `one LOG_ERR line per login${dump(r)}`);
      assert.match(errors[0].text,
        /rate limits not applied to this login: rate_limit_dir \S+: mode 755, not 0700$/);
    }
    assert.equal(requests(idp, 'codes').length, 2);
    assert.deepEqual(readdirSync(dir), [], 'nothing written in an unsafe directory');
  });

function runTool(file, args) {
  return new Promise((res) => {
    execFile(file, args, { encoding: 'utf8', timeout: 120000 * SLOW }, (err, stdout, stderr) => {
      res({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

test('a flood of 10,000 names and addresses keeps the state at its size; honest logins work',
  { skip: skip || (existsSync(floodTool) ? false : `not built: ${floodTool}`), timeout: 180000 * SLOW },
  async (t) => {
    const idp = await startIdp(t);
    const dir = stateDir();
    const config = limited(idp, dir);
    const rhost = '198.51.100.7';
    await signsIn(t, idp, config, 'alice', rhost);
    assert.equal(statSync(join(dir, 'ratelimit')).size, STATE_BYTES);
    // The flood goes through the module's core on the same store, provider and client.
    const flood = await runTool(floodTool, [dir, idp.issuer, 'pam-test', String(FLOOD)]);
    assert.equal(flood.code, 0, `flood: ${flood.stdout}${flood.stderr}`);
    assert.match(flood.stdout, new RegExp(`^allowed ${FLOOD} of ${FLOOD}, refused 0, failed 0`));
    assert.deepEqual(readdirSync(dir), ['ratelimit'], 'one file, never one per name');
    assert.equal(statSync(join(dir, 'ratelimit')).size, STATE_BYTES);
    await signsIn(t, idp, config, 'alice', rhost);
    await signsIn(t, idp, config, 'bob', '2001:db8:ffff::1');
    assert.equal(statSync(join(dir, 'ratelimit')).size, STATE_BYTES);
  });

test('pam_oauth_check prints the limits in force, per service',
  { skip: existsSync(checkTool) ? false : `not built: ${checkTool}`, timeout: 30000 * SLOW },
  async (t) => {
    const dir = tempDir('pam-oauth-rl-check-');
    const config = join(dir, 'pam_oauth.conf');
    writeFileSync(config, 'issuer = http://127.0.0.1:9\nclient_id = c\nrate_limit_rhost = 10/600\n'
      + '[sudo]\nrate_limit = off\n');
    chmodSync(config, 0o600);
    writeFileSync(join(dir, 'sshd-T'), 'port 22\nlogingracetime 120\nusepam yes\n');
    mkdirSync(join(dir, 'pam.d'));
    const shown = (service) => {
      const r = spawnSync(checkTool, ['--config', config, '--service', service, '--sshd-t',
        join(dir, 'sshd-T'), '--pam-dir', join(dir, 'pam.d')], { encoding: 'utf8', timeout: 20000 * SLOW });
      const pick = (key) => (r.stdout.match(new RegExp(`^\\s+${key}\\s+(\\S+)$`, 'm')) ?? [])[1];
      return { rate_limit: pick('rate_limit'), rate_limit_rhost: pick('rate_limit_rhost'),
        rate_limit_dir: pick('rate_limit_dir'), out: r.stdout };
    };
    const sshd = shown('sshd');
    assert.deepEqual({ ...sshd, out: undefined },
      { rate_limit: '6/300', rate_limit_rhost: '10/600', rate_limit_dir: '/run/pam_oauth', out: undefined },
      sshd.out);
    const sudo = shown('sudo');
    assert.equal(sudo.rate_limit, 'off', sudo.out);
  });
