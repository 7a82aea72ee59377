// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// pam_oauth_check against the test provider: each setup mistake gives its finding and exit status.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  builddir, startIdp, tempDir, writeConfig, freePort, approve, HOST, SLOW, baseConfig,
} from './lib/index.mjs';

const tool = join(builddir, 'pam_oauth_check');
const skip = existsSync(tool) ? false : `not built: ${tool}`;
const T = { skip, timeout: 30000 * SLOW };

// A host with sshd's LoginGraceTime above any timeout used here, no traps in its PAM files,
// and nss_wrapper's accounts (alice is uid 1001; root is uid 0).
function host() {
  const dir = tempDir('pam-oauth-check-');
  writeFileSync(join(dir, 'sshd-T'), 'port 22\nlogingracetime 120\nusepam yes\n');
  mkdirSync(join(dir, 'pam.d'));
  writeFileSync(join(dir, 'pam.d', 'common-auth'), 'auth [success=1 default=ignore] pam_unix.so\n');
  writeFileSync(join(dir, 'passwd'),
    'root:x:0:0:root:/root:/bin/sh\nalice:x:1001:1001:Alice:/home/alice:/bin/sh\n');
  writeFileSync(join(dir, 'group'), 'root:x:0:\nalice:x:1001:\n');
  return dir;
}

/** Runs the tool; opts: args, approve ({ idp, as }) answers the device code then presses Enter. */
async function runCheck(t, dir, config, opts = {}) {
  const args = ['--config', config, '--sshd-t', join(dir, 'sshd-T'), '--pam-dir',
    join(dir, 'pam.d'), ...(opts.args ?? [])];
  const env = {
    PATH: process.env.PATH,
    // Under the sanitizer run the tool is an ASan binary too: its runtime must load first.
    LD_PRELOAD: [process.env.PAM_OAUTH_PRELOAD, 'libnss_wrapper.so'].filter(Boolean).join(':'),
    NSS_WRAPPER_PASSWD: join(dir, 'passwd'),
    NSS_WRAPPER_GROUP: join(dir, 'group'),
    NSS_WRAPPER_HOSTNAME: HOST,
    ...(process.env.ASAN_OPTIONS ? { ASAN_OPTIONS: process.env.ASAN_OPTIONS } : {}),
  };
  const child = spawn(tool, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  const r = { stdout: '', stderr: '', approving: null };
  child.stdin.on('error', () => {});
  if (!opts.approve) child.stdin.end();
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { r.stderr += d; });
  child.stdout.on('data', (d) => {
    r.stdout += d;
    const m = r.stdout.match(/\bCode:\s+([A-Za-z0-9-]+)/);
    if (opts.approve && m && !r.approving) {
      r.approving = approve(opts.approve.idp, m[1], { login: opts.approve.as })
        .then(() => child.stdin.end('\n'));
    }
  });
  [r.exit] = await new Promise((res) => { child.on('close', (code, sig) => res([code, sig])); });
  if (r.approving) await r.approving;
  r.lines = r.stdout.split('\n');
  return r;
}

const show = (r) => `\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
function expectFinding(r, level, re) {
  assert.ok(r.lines.some((l) => l.startsWith(`${level}: `) && re.test(l)),
    `expected "${level}: ${re}"${show(r)}`);
}

test('a good config: every check ok, exit 0, the secret masked', T, async (t) => {
  const idp = await startIdp(t);
  const dir = host();
  const secret = idp.clients.basic.secret;
  const config = writeConfig(dir, baseConfig(idp, { client_id: 'pam-secret',
    client_secret: secret }), 0o600);
  const r = await runCheck(t, dir, config, { args: ['--service', 'sshd', '--user', 'alice'] });
  assert.equal(r.exit, 0, show(r));
  assert.ok(!r.stdout.includes(secret), `secret shown${show(r)}`);
  assert.match(r.stdout, /client_secret\s+\*\*\*\*/, show(r));
  for (const re of [/^ok: config: /, /^ok: discovery: /, /^ok: clock: /, /^ok: jwks: 1 usable/,
    /^ok: device authorization: .* issued a code/, /^ok: user: alice/, /^ok: sshd: /]) {
    assert.ok(r.lines.some((l) => re.test(l)), `no line ${re}${show(r)}`);
  }
  assert.ok(!r.lines.some((l) => /^(warning|error):/.test(l)), show(r));
  // No device code reaches the output.
  assert.ok(!idp.issued.device_code.some((c) => r.stdout.includes(c)), show(r));
  const j = await runCheck(t, dir, config, { args: ['--json'] });
  const o = JSON.parse(j.stdout);
  assert.equal(o.status, 0);
  assert.equal(o.settings.client_secret, '****');
  assert.ok(o.findings.every((f) => f.level === 'ok'), j.stdout);
});

test('a world-readable file with a secret, and an unknown key: the loader error, exit 2', T,
  async (t) => {
    const idp = await startIdp(t);
    const dir = host();
    const open = writeConfig(dir, baseConfig(idp, { client_secret: 's3cr3t-value' }), 0o644);
    const r = await runCheck(t, dir, open);
    assert.equal(r.exit, 2, show(r));
    expectFinding(r, 'error', /^error: config: .*(readable|mode)/);
    assert.ok(!r.stdout.includes('s3cr3t-value'), show(r));
    const typo = writeConfig(dir, baseConfig(idp, { clientid: 'x' }));
    const u = await runCheck(t, dir, typo);
    assert.equal(u.exit, 2, show(u));
    expectFinding(u, 'error', /clientid/);
  });

test('an unreachable provider and a wrong CA: exit 2 naming discovery', T, async (t) => {
  const dir = host();
  const port = await freePort();
  const down = writeConfig(dir, { issuer: `http://127.0.0.1:${port}`, client_id: 'pam-test',
    http_timeout: 2 });
  const r = await runCheck(t, dir, down);
  assert.equal(r.exit, 2, show(r));
  expectFinding(r, 'error', /^error: discovery: /);
  const idp = await startIdp(t, { untrusted: true });
  const wrongCa = writeConfig(dir, baseConfig(idp, { ca_file: idp.caFile }));
  const w = await runCheck(t, dir, wrongCa);
  assert.equal(w.exit, 2, show(w));
  expectFinding(w, 'error', /^error: discovery: .*(certificate|SSL|TLS)/i);
});

test('a provider clock off by 90 s warns, by 10 minutes is an error', T, async (t) => {
  const idp = await startIdp(t, { knobs: { dateOffset: -90 } });
  const dir = host();
  const config = writeConfig(dir, baseConfig(idp));
  const r = await runCheck(t, dir, config);
  assert.equal(r.exit, 1, show(r));
  expectFinding(r, 'warning', /clock: .*differs from ours by -9\d s/);
  idp.knobs.dateOffset = -600;
  const e = await runCheck(t, dir, config);
  assert.equal(e.exit, 2, show(e));
  expectFinding(e, 'error', /clock: .*-(59\d|60\d) s \(more than the 120 s/);
});

test('a username map that reaches root, and deny_users without root: errors', T, async (t) => {
  const idp = await startIdp(t);
  const dir = host();
  const map = join(dir, 'usermap');
  writeFileSync(map, 'alice root\n');
  chmodSync(map, 0o644);
  const config = writeConfig(dir, baseConfig(idp, { username_map: map, deny_users: 'none',
    min_uid: 0 }));
  const r = await runCheck(t, dir, config, { args: ['--service', 'sshd'] });
  assert.equal(r.exit, 2, show(r));
  expectFinding(r, 'error', /root: deny_users does not name root/);
  expectFinding(r, 'error', /root: .*usermap:1 maps an identity to root \(uid 0\)/);
  // With the default deny_users the module itself refuses that map: the same line, as an error.
  const dflt = writeConfig(dir, baseConfig(idp, { username_map: map }));
  const d = await runCheck(t, dir, dflt);
  assert.equal(d.exit, 2, show(d));
  expectFinding(d, 'error', /policy: .*usermap:1/);
});

test('traps: LoginGraceTime under timeout, pam_oauth in common-auth, ignored group check', T,
  async (t) => {
    const idp = await startIdp(t);
    const dir = host();
    writeFileSync(join(dir, 'sshd-T'), 'logingracetime 30\n');
    writeFileSync(join(dir, 'pam.d', 'common-auth'), 'auth sufficient pam_oauth.so\n');
    writeFileSync(join(dir, 'pam.d', 'sshd'),
      'account [success=ok default=ignore] pam_succeed_if.so user ingroup staff\n');
    const config = writeConfig(dir, baseConfig(idp, { timeout: 90 }));
    const r = await runCheck(t, dir, config, { args: ['--service', 'sshd', '--user', 'nosuch'] });
    assert.equal(r.exit, 2, show(r));
    expectFinding(r, 'warning', /sshd: LoginGraceTime 30 s is not above timeout 90 s/);
    expectFinding(r, 'warning', /common-auth:1 names pam_oauth/);
    expectFinding(r, 'warning', /sshd:1: a group check with default=ignore/);
    expectFinding(r, 'error', /user: no local account nosuch/);
  });

test('--login approved at the provider prints the claims and the mapped account', T,
  async (t) => {
    const idp = await startIdp(t);
    const dir = host();
    const config = writeConfig(dir, baseConfig(idp, { prompt: 'enter',
      cache_dir: join(dir, 'cache') }));
    const r = await runCheck(t, dir, config, {
      args: ['--user', 'alice', '--login'], approve: { idp, as: 'alice' },
    });
    assert.equal(r.exit, 0, show(r));
    assert.match(r.stdout, /ID token claims \(verified\):\n(.*\n)*\s+sub\s+\S+/, show(r));
    expectFinding(r, 'ok', /^ok: login: preferred_username=alice, account alice: allowed/);
    assert.ok(!idp.issued.id_token.some((s) => r.stdout.includes(s)), show(r));
  });
