// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// What the person sees: the request line, the URL and code as text, and a QR code that scans.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  runPam, startIdp, requests, decodeQr, hasQrArt, dump, screen, SLOW, HOST, SERVICE, PAM, skip,
  baseConfig, expectOutcome, expectNoLeaks,
} from './lib/index.mjs';

function expectTextParts(r, idp, { user, rhost }) {
  const d = dump(r);
  const s = screen(r);
  const shown = requests(idp, 'codes')[0]?.response;
  assert.ok(shown, `device authorization answered${d}`);
  const request = `Sign-in request: ${SERVICE} login as ${user} on ${HOST}`;
  assert.ok(s.includes(rhost ? `${request} from ${rhost}` : request),
    `request line "${request}${rhost ? ` from ${rhost}` : ''}"${d}`);
  if (!rhost) assert.ok(!s.includes(`${request} from`), `no " from" without PAM_RHOST${d}`);
  const codeLine = s.split('\n').find((l) => /\bCode:/.test(l));
  assert.ok(codeLine?.includes(shown.user_code), `code line with ${shown.user_code}${d}`);
  const uriLine = s.split('\n').find((l) => l.includes(shown.verification_uri)
    && !l.includes('user_code='));
  assert.ok(uriLine, `a line with ${shown.verification_uri}${d}`);
  return shown;
}

test('local terminal: request line, URL, code and a UTF-8 QR code of verification_uri_complete',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const r = await runPam(t, { idp, config: baseConfig(idp, { qr: 'auto' }), approveAs: 'alice' });
    expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok' });
    const shown = expectTextParts(r, idp, { user: 'alice' });
    const qr = decodeQr(r.stdout);
    assert.equal(qr.style, 'utf8', `UTF-8 half-block QR code on the screen (${qr.how})${dump(r)}`);
    assert.equal(qr.text, shown.verification_uri_complete, `QR content${dump(r)}`);
    expectNoLeaks(idp, r);
  });

test('remote login (PAM_RHOST set): request line names the remote host, UTF-8 QR code',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const rhost = '198.51.100.7';
    const r = await runPam(t, {
      idp, config: baseConfig(idp, { qr: 'auto' }), rhost, approveAs: 'alice',
    });
    expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok', rhost });
    const shown = expectTextParts(r, idp, { user: 'alice', rhost });
    const qr = decodeQr(r.stdout);
    assert.equal(qr.style, 'utf8', `UTF-8 half-block QR code on the screen (${qr.how})${dump(r)}`);
    assert.equal(qr.text, shown.verification_uri_complete, `QR content${dump(r)}`);
  });

test('qr=ascii: an ASCII-only screen with an ASCII QR code', { skip, timeout: 60000 * SLOW },
  async (t) => {
    const idp = await startIdp(t);
    const rhost = '198.51.100.7';
    const r = await runPam(t, {
      idp, config: baseConfig(idp, { qr: 'ascii' }), rhost, approveAs: 'alice',
    });
    expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok', rhost });
    const shown = expectTextParts(r, idp, { user: 'alice', rhost });
    assert.ok(/^[\x09\x0a\x0d\x20-\x7e]*$/.test(r.stdout), `ASCII-only screen${dump(r)}`);
    const qr = decodeQr(r.stdout);
    assert.equal(qr.style, 'ascii', `ASCII QR code on the screen (${qr.how})${dump(r)}`);
    assert.equal(qr.text, shown.verification_uri_complete, `QR content${dump(r)}`);
  });

test('qr=off: URL and code without a QR code', { skip, timeout: 60000 * SLOW }, async (t) => {
  const idp = await startIdp(t);
  const r = await runPam(t, { idp, config: baseConfig(idp, { qr: 'off' }), approveAs: 'alice' });
  expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok' });
  expectTextParts(r, idp, { user: 'alice' });
  assert.ok(!hasQrArt(screen(r)), `no QR code${dump(r)}`);
});

test('PAM_SILENT still shows the code (nobody could log in otherwise)',
  { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t);
    const r = await runPam(t, {
      idp, config: baseConfig(idp, { qr: 'off' }), flags: 'PAM_SILENT', approveAs: 'alice',
    });
    expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok' });
    expectTextParts(r, idp, { user: 'alice' });
  });
