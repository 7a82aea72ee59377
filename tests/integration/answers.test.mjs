// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Every provider answer classified right, through the real libpam: one test per row of the table
// in pam_oauth/answer.c and pam_oauth(8) "PROVIDER ANSWERS". An answer the provider gave on
// purpose is never reported as a fault ("cannot be reached"); a wrong client secret is the
// setup's error and an approval that names no account is a refusal, also under failmode=safe.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  runPam, startIdp, startFault, faultRoutes as R, sendJson, requests, dump, screen, SLOW,
  PAM, skip, baseConfig, expectOutcome, expectNoLeaks,
} from './lib/index.mjs';

// What the person reads for each outcome (pam_oauth.c user_message).
const SAYS = {
  config: 'Sign-in is not configured correctly; contact your administrator.',
  unavailable: 'The identity provider cannot be reached right now.',
  protocol: 'The identity provider cannot be reached right now.',
  denied: 'The sign-in request was denied.',
  expired: 'The sign-in request expired before it was approved.',
  no_account: "The identity provider's answer named no account for this login.",
  invalid_token: "The identity provider's answer could not be verified.",
};
const VERDICT = {
  config: PAM.SERVICE_ERR,
  unavailable: PAM.AUTHINFO_UNAVAIL,
  protocol: PAM.AUTHINFO_UNAVAIL,
  denied: PAM.MAXTRIES,
  expired: PAM.AUTH_ERR,
  no_account: PAM.AUTH_ERR,
  invalid_token: PAM.AUTH_ERR,
};
const SECRET = 'fault-server-client-secret';
const CASE = { skip, timeout: 60000 * SLOW };

const answer = (status, body) => (req, res) => sendJson(res, status, body);
const noAccountTokens = (req, res, ctx) => sendJson(res, 200,
  ctx.tokens({ claims: { preferred_username: undefined } }));

// Where the answer comes from: the routes that lead there, and the settings that need it.
const AT = {
  discovery: (a) => ({ routes: { '/.well-known/openid-configuration': a }, discover: true }),
  jwks: (a) => ({ routes: { '/device': R.device(), '/token': R.tokens, '/jwks': a } }),
  device: (a) => ({ routes: { '/device': a } }),
  token: (a) => ({ routes: { '/device': R.device(), '/token': a } }),
  userinfo: (a) => ({
    routes: { '/device': R.device(), '/token': noAccountTokens, '/userinfo': a },
  }),
  backchannel: (a) => ({ routes: { '/bc': a }, ciba: 'ciba' }),
};

// [endpoint, HTTP status, body, outcome word]: the table, row by row.
const ROWS = [
  ['device', 400, { error: 'invalid_client', error_description: 'bad secret' }, 'config'],
  ['device', 401, '', 'config'],
  ['device', 403, { error: 'unauthorized_client' }, 'config'],
  ['device', 400, { error: 'invalid_request' }, 'config'],
  ['device', 400, { error: 'invalid_scope' }, 'config'],
  ['device', 400, { error: 'something_new' }, 'protocol'],
  ['device', 404, 'not here', 'protocol'],
  ['device', 503, '', 'unavailable'],
  ['device', 429, '', 'unavailable'],
  ['device', 400, { error: 'server_error' }, 'unavailable'],
  ['token', 400, { error: 'access_denied' }, 'denied'],
  ['token', 400, { error: 'expired_token' }, 'expired'],
  ['token', 400, { error: 'invalid_grant' }, 'expired'],
  ['token', 401, { error: 'invalid_client' }, 'config'],
  ['token', 400, { error: 'unauthorized_client' }, 'config'],
  ['token', 400, { error: 'unsupported_grant_type' }, 'config'],
  ['token', 400, { error: 'invalid_request' }, 'config'],
  ['token', 400, { error: 'something_new' }, 'protocol'],
  ['token', 200, { token_type: 'Bearer' }, 'protocol'],
  ['userinfo', 200, { sub: 'alice' }, 'no_account'],
  ['userinfo', 401, '', 'invalid_token'],
  ['userinfo', 403, '', 'no_account'],
  ['userinfo', 500, '', 'unavailable'],
  ['discovery', 404, '', 'config'],
  ['discovery', 503, '', 'unavailable'],
  ['jwks', 404, '', 'protocol'],
  ['jwks', 500, '', 'unavailable'],
  ['backchannel', 400, { error: 'unknown_user_id' }, 'no_account'],
  ['backchannel', 400, { error: 'unauthorized_client' }, 'config'],
  ['backchannel', 401, { error: 'invalid_client' }, 'config'],
  ['backchannel', 400, { error: 'invalid_binding_message' }, 'config'],
  ['backchannel', 403, { error: 'access_denied' }, 'denied'],
  ['backchannel', 503, '', 'unavailable'],
];

async function faulty(t, routes) {
  const f = await startFault(t, { routes });
  f.clients.basic.secret = SECRET; // the leak check looks for it too
  return f;
}

function settings(f, where, extra = {}) {
  const e = f.endpoints;
  return {
    issuer: e.issuer,
    ...(where.discover ? {} : {
      device_authorization_endpoint: e.device_authorization_endpoint,
      token_endpoint: e.token_endpoint,
      jwks_uri: e.jwks_uri,
      userinfo_endpoint: `${e.issuer}/userinfo`,
    }),
    ...(where.ciba ? {
      mode: where.ciba, backchannel_authentication_endpoint: `${e.issuer}/bc`,
    } : {}),
    client_id: 'pam-test',
    client_secret: SECRET,
    prompt: 'none',
    timeout: 15,
    http_timeout: 3 * SLOW,
    ...extra,
  };
}

describe('provider answers, row by row', { concurrency: SLOW > 1 ? 3 : 8 }, () => {
  for (const [at, status, body, word] of ROWS) {
    const shown = typeof body === 'string' ? (body ? 'text' : 'no body') : JSON.stringify(body);
    test(`${at}: HTTP ${status} ${shown} -> ${word}`, CASE, async (t) => {
      const where = AT[at](answer(status, body));
      const f = await faulty(t, where.routes);
      const r = await runPam(t, { config: settings(f, where), timeoutMs: 40000 });
      expectOutcome(r, { verdict: VERDICT[word], result: word });
      assert.ok(screen(r).includes(SAYS[word]), `the person reads "${SAYS[word]}"${dump(r)}`);
      expectNoLeaks(f, r);
    });
  }

  test('backchannel refusal under ciba-then-device: the device flow takes over', CASE,
    async (t) => {
      const f = await faulty(t, {
        '/bc': answer(400, { error: 'unknown_user_id' }),
        '/device': R.device(),
        '/token': R.tokens,
      });
      const r = await runPam(t, {
        config: settings(f, { ciba: 'ciba-then-device' }), timeoutMs: 40000,
      });
      expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok' });
      assert.equal(requests(f, '/device').length, 1, 'one device authorization');
    });
});

// A fallback module after the line: only a fault (PAM_IGNORE) may reach it.
const SAFE_STACK = ['auth [success=done ignore=ignore default=die] MODULE',
  'auth required pam_permit.so'];

describe('failmode=safe with a fallback module', { concurrency: 3 }, () => {
  test('a wrong client secret never reaches the fallback', CASE, async (t) => {
    const f = await faulty(t, AT.device(answer(401, { error: 'invalid_client' })).routes);
    const r = await runPam(t, {
      config: settings(f, {}, { failmode: 'safe' }), stack: SAFE_STACK, timeoutMs: 40000,
    });
    expectOutcome(r, { verdict: PAM.SERVICE_ERR, result: 'config' });
  });

  test('an approval that names no account never reaches the fallback', CASE, async (t) => {
    const f = await faulty(t, AT.userinfo(answer(200, { sub: 'alice' })).routes);
    const r = await runPam(t, {
      config: settings(f, {}, { failmode: 'safe' }), stack: SAFE_STACK, timeoutMs: 40000,
    });
    expectOutcome(r, { verdict: PAM.AUTH_ERR, result: 'no_account' });
  });

  test('control: an unreachable provider does reach it (PAM_IGNORE)', CASE, async (t) => {
    const f = await faulty(t, AT.device(answer(503, '')).routes);
    const r = await runPam(t, {
      config: settings(f, {}, { failmode: 'safe' }), stack: SAFE_STACK, timeoutMs: 40000,
    });
    expectOutcome(r, { verdict: PAM.SUCCESS, result: 'unavailable' });
  });
});

// The same two answers from the real provider.
describe('the real provider', { concurrency: 2 }, () => {
  test('a wrong client secret: not configured correctly, never "cannot be reached"', CASE,
    async (t) => {
      const idp = await startIdp(t);
      const r = await runPam(t, {
        idp,
        config: baseConfig(idp, {
          client_id: 'pam-secret', client_secret: 'not-the-secret', failmode: 'safe',
        }),
        stack: SAFE_STACK,
      });
      expectOutcome(r, { verdict: PAM.SERVICE_ERR, result: 'config', reason: /invalid_client/ });
      assert.ok(screen(r).includes(SAYS.config), `message${dump(r)}`);
      assert.equal(requests(idp, 'deviceAuths').length, 1, 'the provider answered the request');
    });

  test('approved without the profile scope: the answer named no account', CASE, async (t) => {
    const idp = await startIdp(t);
    const r = await runPam(t, {
      idp,
      config: baseConfig(idp, { scope: 'openid', failmode: 'safe' }),
      stack: SAFE_STACK,
      approveAs: 'alice',
    });
    expectOutcome(r, {
      verdict: PAM.AUTH_ERR, result: 'no_account', sub: 'alice', reason: /named no account/,
    });
    assert.ok(screen(r).includes(SAYS.no_account), `message${dump(r)}`);
  });
});
