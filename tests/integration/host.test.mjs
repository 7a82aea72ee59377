// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// What the host process brings with it must not steer a login: a libcurl it initialised first
// with SSLKEYLOGFILE set, a case-insensitive name service, an unrelated connection that closes.

import assert from 'node:assert/strict';
import { existsSync, statSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  runPam, startIdp, requests, builddir, tempDir, waitFor, sleep, dump, SLOW, PAM, skip, baseConfig,
  expectOutcome,
} from './lib/index.mjs';

const tools = join(builddir, 'tests', 'tools', '.libs');
const shim = (name) => join(tools, `${name}.so`);
const shimSkip = skip || (!existsSync(shim('curl_first')) || !existsSync(shim('nss_fold'))
  ? `test shims not built in ${tools} (make check builds them)` : false);

test('a libcurl the host initialised with SSLKEYLOGFILE logs none of the login\'s TLS secrets',
  { skip: shimSkip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t, { https: true });
    const keylog = join(tempDir(), 'keys.log');
    const r = await runPam(t, {
      idp,
      config: baseConfig(idp),
      approveAs: 'alice',
      preload: [shim('curl_first')],
      env: { SSLKEYLOGFILE: keylog },
    });
    expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok', user: 'alice', claim: 'alice' });
    // The host's initialisation opened it: the test really had a key log to write to.
    assert.ok(existsSync(keylog), `the host's libcurl opened ${keylog}${dump(r)}`);
    assert.equal(statSync(keylog).size, 0,
      `TLS secrets written to the key log:\n${readFileSync(keylog, 'utf8').slice(0, 400)}`);
  });

test('case-insensitive name service: "Alice" is alice, approved by alice',
  { skip: shimSkip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const r = await runPam(t, {
      idp, config: baseConfig(idp), user: 'Alice', approveAs: 'alice', preload: [shim('nss_fold')],
    });
    expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok', user: 'alice', claim: 'alice' });
    assert.ok(r.syslog.some((l) => /user name "Alice" is the local account "alice"/.test(l.text)),
      `the alias is logged${dump(r)}`);
    assert.match(r.stdout, /login as alice on /, `the screen names the account${dump(r)}`);
  });

test('case-insensitive name service: identity "Alice" does not log in as alice',
  { skip: shimSkip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const r = await runPam(t, {
      idp, config: baseConfig(idp), user: 'Alice', approveAs: 'Alice', preload: [shim('nss_fold')],
    });
    expectOutcome(r, {
      verdict: PAM.AUTH_ERR, result: 'wrong_identity', user: 'alice', claim: 'Alice',
      reason: /approved as "Alice", not as account "alice"/,
    });
  });

// A server that accepts one connection and closes it after ms: what sudo's LDAP connection does
// when the directory times it out. closed(): whether it has closed that connection.
async function closingServer(t, ms) {
  let done = false;
  const server = net.createServer((sock) => {
    sock.on('error', () => {});
    sock.on('close', () => {
      done = true;
    });
    setTimeout(() => sock.destroy(), ms);
  });
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  t.after(() => server.close());
  return { port: server.address().port, closed: () => done };
}

test('an unrelated connection of the caller closing does not end the login',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const { port, closed } = await closingServer(t, 1000);
    // pamtester holds a connection of its own when the login starts: bash's /dev/tcp opens it
    // and exec keeps it on descriptor 9 across the exec of pamtester. --norc: with stdin a socket
    // (node's pipes are socket pairs) bash takes itself for a command run by sshd and reads
    // ~/.bashrc, whose programs would run under the valgrind wrapper too and fail the login.
    const r = await runPam(t, {
      idp,
      config: baseConfig(idp),
      approveAs: 'alice',
      // The connection closes while the module waits; the approval comes two seconds later,
      // time for the module to end the login were it to take that close for the person's.
      beforeApprove: async () => {
        await waitFor('the unrelated connection to close', closed, 10000 * SLOW);
        await sleep(2000);
      },
      launcher: ['bash', '--norc', '-c', `exec 9<>/dev/tcp/127.0.0.1/${port} && exec "$@"`,
        'bash'],
    });
    expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok', user: 'alice' });
    assert.equal(requests(idp, 'codes').length, 1);
  });
