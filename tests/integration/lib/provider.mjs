// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// The providers the module talks to in the tests: the real OpenID provider (tests/idp) with its
// approver, and the fault server (tests/fault) that answers what a test tells it; what they
// were asked, and the secrets they handed out.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { srcdir, tempDir } from './common.mjs';
import { startFaultServer, routes as faultRoutes } from '../../fault/server.mjs';

// The fault server's JSON answer and its ready-made routes (device, tokens, jwks, pending...).
export { sendJson, routes as faultRoutes } from '../../fault/server.mjs';

let pkiDir = null;
// Test certificates: the run script makes them once (PAM_OAUTH_PKI); else make them here.
export function pki() {
  if (!pkiDir) {
    pkiDir = process.env.PAM_OAUTH_PKI;
    if (!pkiDir) {
      pkiDir = tempDir('pam-oauth-pki-');
      execFileSync('sh', [join(srcdir, 'tests', 'tools', 'ca.sh'), pkiDir]);
    }
  }
  const f = (n) => join(pkiDir, n);
  return {
    ca: f('ca.pem'),
    otherCa: f('other-ca.pem'),
    server: { cert: readFileSync(f('server.pem')), key: readFileSync(f('server.key')) },
    otherServer: { cert: readFileSync(f('other-server.pem')), key: readFileSync(f('other-server.key')) },
    // Certificates the module must refuse (tests/fault): wrong name, expired, self-signed.
    wrongName: { cert: readFileSync(f('wrong-name.pem')), key: readFileSync(f('wrong-name.key')) },
    expired: { cert: readFileSync(f('expired.pem')), key: readFileSync(f('expired.key')) },
    selfSigned: { cert: readFileSync(f('self-signed.pem')), key: readFileSync(f('self-signed.key')) },
  };
}

// The test provider and approver (tests/idp); run.sh installs them with their packages in the
// build tree and says where in PAM_OAUTH_IDP_DIR.
let idpModules = null;
async function idpImports() {
  if (!idpModules) {
    const dir = resolve(process.env.PAM_OAUTH_IDP_DIR ?? join(srcdir, 'tests', 'idp'));
    const server = await import(pathToFileURL(join(dir, 'server.mjs')).href);
    const approver = await import(pathToFileURL(join(dir, 'approve.mjs')).href);
    idpModules = { startProvider: server.startProvider, approve: approver.approve };
  }
  return idpModules;
}

/**
 * Starts the provider; the caller closes it. opts: https (bool), untrusted (serve the second
 * CA's certificate), knobs, ciba (false: a provider without CIBA). Tests poll every second
 * instead of RFC 8628's default 5 (knobs.interval). Adds caFile and caPem: the CA that signed
 * its certificate, null over http.
 */
export async function startProvider(opts = {}) {
  const { startProvider: start } = await idpImports();
  const p = opts.https || opts.untrusted ? pki() : null;
  const idp = await start({
    scheme: p ? 'https' : 'http',
    hostname: p ? 'localhost' : '127.0.0.1',
    tls: p ? (opts.untrusted ? p.otherServer : p.server) : undefined,
    knobs: { interval: 1, ...(opts.knobs ?? {}) },
    ciba: opts.ciba,
  });
  idp.caFile = p ? p.ca : null;
  idp.caPem = p ? readFileSync(p.ca) : null;
  return idp;
}

/** Starts a provider for one test and stops it when the test ends. opts: see startProvider. */
export async function startIdp(t, opts = {}) {
  const idp = await startProvider(opts);
  t.after(() => idp.close());
  return idp;
}

/**
 * Starts a fault server for one test and closes it when the test ends (passed or not).
 * routes: { '/path': handler } (the provider's key set at /jwks unless given); tls: { cert, key }.
 */
export async function startFault(t, { routes = {}, tls } = {}) {
  const f = await startFaultServer({ routes: { '/jwks': faultRoutes.jwks, ...routes }, tls });
  t.after(() => f.close());
  return f;
}

/**
 * Answers userCode on the provider's pages as a person would: approves as login, or aborts the
 * request with deny.
 */
export async function approve(idp, userCode, { login = 'alice', deny = false } = {}) {
  const { approve: approveOnPages } = await idpImports();
  return approveOnPages({
    baseUrl: idp.issuer, userCode, login, deny, ca: idp.caPem ?? undefined,
  });
}

// The kinds of request the module makes, by what they are for. A provider whose log names its
// endpoints otherwise (Glewlwyd: tests/idp/glewlwyd.mjs) brings its own table as server.kinds.
// A kind matches the log entries whose fields equal all it gives; answered: only those the
// provider answered with a code (their entry keeps the answer, code removed).
const KINDS = {
  // Asking whether the login was approved (device grant and CIBA alike).
  polls: { method: 'POST', path: '/token' },
  // Every device authorization request, answered or not.
  deviceAuths: { path: '/device/auth' },
  // Those the provider answered with a device code.
  codes: { path: '/device/auth', answered: true },
  // CIBA backchannel requests (pushes to the phone).
  pushes: { method: 'POST', path: '/backchannel' },
};

/**
 * What a provider (or fault server) was asked, oldest first: the one way the tests count a
 * login's requests. what: a kind above (or of server.kinds) or a path. since: a mark taken
 * earlier as server.log.length (only what came after it). deviceCode: only the polls of the
 * login that got this code (idp.issued.device_code), for logins that run side by side.
 */
export function requests(server, what, { since = 0, deviceCode } = {}) {
  const k = (server.kinds ?? KINDS)[what] ?? (what.startsWith('/') ? { path: what } : null);
  if (!k) throw new Error(`requests(): no kind of request "${what}" for this server`);
  const { answered, ...fields } = k;
  return server.log.slice(since).filter((e) => Object.entries(fields).every(([f, v]) => e[f] === v)
    && (!answered || e.response)
    && (deviceCode === undefined || e.deviceCode === deviceCode));
}

/**
 * Whether a poll after the provider's slow_down was answered: from then on the login has a gap
 * after slow_down to measure, whatever its next poll brings.
 */
export function answeredAfterSlowDown(idp) {
  const polls = requests(idp, 'polls');
  const i = polls.findIndex((p) => p.error === 'slow_down');
  return i >= 0 && polls[i + 1]?.status;
}

/** Everything secret the provider handed out for this test, for leak checks. */
export function issuedSecrets(idp) {
  const values = [
    ...idp.issued.device_code, ...idp.issued.access_token, ...idp.issued.refresh_token,
    ...idp.issued.id_token, ...(idp.issued.auth_req_id ?? []),
    idp.clients.basic.secret, idp.clients.post.secret, idp.clients.ciba?.secret,
  ];
  // Parts of an ID token are as telling as the whole (payload, signature).
  for (const jwt of idp.issued.id_token) {
    for (const part of jwt.split('.')) if (part.length >= 16) values.push(part);
  }
  return values.filter((v) => typeof v === 'string' && v.length >= 8);
}
