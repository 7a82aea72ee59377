// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// The discovery/JWKS cache through the real module: a warm cache saves both requests, a key
// rotation refetches the key set once, and an unfit cache is ignored and rebuilt, never trusted.

import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync,
  statSync, symlinkSync, utimesSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  runPam, startIdp, tempDir, closedPort, dump, SLOW,
} from './helpers.mjs';
import {
  PAM, skip, baseConfig, expectOutcome,
} from './expect.mjs';

const DISCOVERY = '/.well-known/openid-configuration';

// The module's file names: kind, then the SHA-256 of issuer, a newline and the URL.
function cacheName(kind, issuer, url) {
  return `${kind}-${createHash('sha256').update(`${issuer}\n${url}`).digest('hex')}.json`;
}

function cacheFiles(idp, dir) {
  return {
    discovery: join(dir, cacheName('discovery', idp.issuer, `${idp.issuer}${DISCOVERY}`)),
    jwks: join(dir, cacheName('jwks', idp.issuer, `${idp.issuer}/jwks`)),
  };
}

// Requests the module made (the approver only uses /device pages and /interaction).
function fetches(idp, from = 0) {
  const log = idp.log.slice(from);
  return {
    discovery: log.filter((e) => e.path === DISCOVERY).length,
    jwks: log.filter((e) => e.path === '/jwks').length,
    deviceAuth: log.filter((e) => e.path === '/device/auth').length,
  };
}

async function login(t, idp, cacheDir, extra = {}) {
  return runPam(t, {
    idp,
    approveAs: 'alice',
    // One test logs alice in more often than the abuse limits allow a person.
    config: baseConfig(idp, {
      cache_dir: cacheDir, debug: 'yes', rate_limit: 'off', ...extra.config,
    }),
    beforeApprove: extra.beforeApprove,
  });
}

function expectSuccess(r) {
  return expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok', user: 'alice' });
}

// A file the module wrote: regular, root's, 0600.
function assertOurs(path, what) {
  const st = lstatSync(path);
  assert.ok(st.isFile(), `${what} is a regular file`);
  assert.equal(st.uid, 0, `${what} owned by root`);
  assert.equal(st.mode & 0o777, 0o600, `${what} mode 0600`);
}

// Bodies that pass every content check but would break the login if trusted: the endpoints of
// a dead port under the right issuer, and a key set whose key for the right kid is someone else's.
async function poison(idp) {
  const port = await closedPort();
  const dead = `http://127.0.0.1:${port}`;
  const discovery = JSON.stringify({
    issuer: idp.issuer,
    device_authorization_endpoint: `${dead}/device/auth`,
    token_endpoint: `${dead}/token`,
    jwks_uri: `${idp.issuer}/jwks`,
  });
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = {
    ...publicKey.export({ format: 'jwk' }), kid: idp.signingKid, alg: 'RS256', use: 'sig',
  };
  return { discovery, jwks: JSON.stringify({ keys: [jwk] }) };
}

test('warm cache: the second login asks for neither discovery nor the key set',
  { skip, timeout: 90000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const cacheDir = join(tempDir(), 'pam_oauth');
    const r1 = await login(t, idp, cacheDir);
    expectSuccess(r1);
    assert.deepEqual(fetches(idp), { discovery: 1, jwks: 1, deviceAuth: 1 }, dump(r1));
    const st = statSync(cacheDir);
    assert.equal(st.mode & 0o777, 0o700, 'created 0700');
    assert.equal(st.uid, 0, 'owned by root');
    const files = cacheFiles(idp, cacheDir);
    assertOurs(files.discovery, 'discovery file');
    assertOurs(files.jwks, 'jwks file');
    assert.equal(JSON.parse(readFileSync(files.discovery, 'utf8')).issuer, idp.issuer);
    assert.deepEqual(readdirSync(cacheDir).sort(),
      [files.discovery, files.jwks].map((f) => f.slice(cacheDir.length + 1)).sort(),
      'no temporary file left behind');

    const mark = idp.log.length;
    const r2 = await login(t, idp, cacheDir);
    expectSuccess(r2);
    assert.deepEqual(fetches(idp, mark), { discovery: 0, jwks: 0, deviceAuth: 1 }, dump(r2));
  });

test('key rotation while logins go on: the unknown kid refetches the key set once, and the '
  + 'cache holds the new set', { skip, timeout: 120000 * SLOW }, async (t) => {
  const idp = await startIdp(t);
  const cacheDir = join(tempDir(), 'pam_oauth');
  expectSuccess(await login(t, idp, cacheDir));
  const oldKid = idp.signingKid;

  // The cache holds the old set; the provider now signs with a key it lacks.
  const newKid = idp.rotateSigningKey();
  assert.notEqual(newKid, oldKid);
  const mark = idp.log.length;
  const r = await login(t, idp, cacheDir);
  expectSuccess(r);
  assert.deepEqual(fetches(idp, mark), { discovery: 0, jwks: 1, deviceAuth: 1 }, dump(r));
  assert.ok(r.syslog.some((l) => /kid not in the key set/.test(l.text)), `rotation noticed${dump(r)}`);
  const kids = JSON.parse(readFileSync(cacheFiles(idp, cacheDir).jwks, 'utf8')).keys.map((k) => k.kid);
  assert.deepEqual(kids, [newKid], 'the cache was rebuilt with the new set');

  const mark2 = idp.log.length;
  expectSuccess(await login(t, idp, cacheDir));
  assert.deepEqual(fetches(idp, mark2), { discovery: 0, jwks: 0, deviceAuth: 1 });
});

// Each fault keeps the poisoned body and adds one flaw; trusting the file would fail the login.
const FILE_FAULTS = [
  { name: 'corrupt JSON', apply: (f) => writeFileSync(f, '{"issuer":', { mode: 0o600 }) },
  { name: 'owned by another user', apply: (f) => chownSync(f, 1001, 1001) },
  { name: 'group-writable', apply: (f) => chmodSync(f, 0o620) },
  {
    name: 'a symlink to a root-owned file',
    apply: (f) => {
      renameSync(f, `${f}.target`);
      symlinkSync(`${f}.target`, f);
    },
  },
  {
    name: 'older than cache_max_age',
    apply: (f) => {
      const old = Date.now() / 1000 - 7200;
      utimesSync(f, old, old);
    },
  },
  { name: 'larger than 256 KiB', apply: (f) => writeFileSync(f, ' '.repeat(256 * 1024 + 1)) },
];

test('a corrupt, foreign-owned, writable, symlinked, stale or oversize cache file is ignored and '
  + 'rebuilt', { skip, timeout: 240000 * SLOW }, async (t) => {
  const idp = await startIdp(t);
  const cacheDir = join(tempDir(), 'pam_oauth');
  expectSuccess(await login(t, idp, cacheDir));
  const files = cacheFiles(idp, cacheDir);
  const bad = await poison(idp);
  for (const fault of FILE_FAULTS) {
    for (const kind of ['discovery', 'jwks']) {
      writeFileSync(files[kind], bad[kind], { mode: 0o600 });
      fault.apply(files[kind]);
    }
    const mark = idp.log.length;
    const r = await login(t, idp, cacheDir);
    expectSuccess(r);
    assert.deepEqual(fetches(idp, mark), { discovery: 1, jwks: 1, deviceAuth: 1 },
      `${fault.name}: both fetched again${dump(r)}`);
    assertOurs(files.discovery, `${fault.name}: rebuilt discovery file`);
    assertOurs(files.jwks, `${fault.name}: rebuilt jwks file`);
    const doc = JSON.parse(readFileSync(files.discovery, 'utf8'));
    assert.equal(doc.device_authorization_endpoint, `${idp.issuer}/device/auth`,
      `${fault.name}: the rebuilt file is the provider's`);
  }
});

test('control: a fresh, root-owned, poisoned file is used (so the faults above prove the '
  + 'ignoring); a missing file is fetched', { skip, timeout: 120000 * SLOW }, async (t) => {
  // The control case for the faults above: the same poisoned files with no flaw are trusted
  // (they are root's, fresh, well-formed), and the login fails as the poison intends.
  const idp = await startIdp(t);
  const cacheDir = join(tempDir(), 'pam_oauth');
  expectSuccess(await login(t, idp, cacheDir));
  const files = cacheFiles(idp, cacheDir);
  const bad = await poison(idp);
  writeFileSync(files.discovery, bad.discovery, { mode: 0o600 });
  const r = await login(t, idp, cacheDir, { config: { timeout: 10 } });
  expectOutcome(r, { verdict: PAM.AUTHINFO_UNAVAIL, result: 'unavailable' });
  rmSync(files.discovery);
  // The key set: its key for the token's kid is someone else's, so the signature fails (the kid
  // is known, so no refetch rescues it).
  writeFileSync(files.jwks, bad.jwks, { mode: 0o600 });
  const rj = await login(t, idp, cacheDir);
  expectOutcome(rj, { verdict: PAM.AUTH_ERR, result: 'invalid_token' });

  // And a removed file is simply fetched again (discovery was rebuilt by the login before).
  rmSync(files.jwks);
  const mark = idp.log.length;
  const r2 = await login(t, idp, cacheDir);
  expectSuccess(r2);
  assert.deepEqual(fetches(idp, mark), { discovery: 0, jwks: 1, deviceAuth: 1 }, dump(r2));
  assertOurs(files.jwks, 'rebuilt jwks file');
});

const DIR_FAULTS = [
  { name: 'mode 0755', apply: (d) => chmodSync(d, 0o755) },
  { name: 'owned by another user', apply: (d) => chownSync(d, 1001, 1001) },
  {
    name: 'a symlink to a good directory',
    apply: (d) => {
      renameSync(d, `${d}.real`);
      symlinkSync(`${d}.real`, d);
    },
  },
];

test('a cache directory that is not root-only is not used: one warning, the login goes on',
  { skip, timeout: 180000 * SLOW }, async (t) => {
    for (const fault of DIR_FAULTS) {
      const idp = await startIdp(t);
      const cacheDir = join(tempDir(), 'pam_oauth');
      mkdirSync(cacheDir, { mode: 0o700 });
      const files = cacheFiles(idp, cacheDir);
      const bad = await poison(idp);
      writeFileSync(files.discovery, bad.discovery, { mode: 0o600 });
      writeFileSync(files.jwks, bad.jwks, { mode: 0o600 });
      fault.apply(cacheDir);
      const r = await login(t, idp, cacheDir);
      expectSuccess(r);
      assert.deepEqual(fetches(idp), { discovery: 1, jwks: 1, deviceAuth: 1 },
        `${fault.name}: nothing read from it${dump(r)}`);
      const warnings = r.syslog.filter((l) => /cache_dir .* not used/.test(l.text));
      assert.equal(warnings.length, 1, `${fault.name}: one warning${dump(r)}`);
      assert.equal(readFileSync(files.discovery, 'utf8'), bad.discovery,
        `${fault.name}: nothing written to it`);
    }
  });
