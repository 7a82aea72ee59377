// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// The fault matrix: the real module against a provider (tests/fault/server.mjs) that is down,
// untrusted, slow or answers nonsense. Each case bounds the time the login took and checks the
// PAM verdict and the outcome line; faults never give PAM_SUCCESS.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  runPam, startFault, faultRoutes as R, sendJson, requests, freePort, dump, SLOW, pki,
  PAM, skip, expectOutcome, expectNoLeaks,
} from './lib/index.mjs';

// libpam turns a stack in which every module returned PAM_IGNORE (pam_strerror: "The return
// value should be ignored by PAM dispatch") into PAM_PERM_DENIED: that is what pamtester shows
// for our one-line stack. failmode=secure shows AUTHINFO_UNAVAIL for the same fault instead.
const ALL_IGNORED = 'Permission denied';
// Per-request limit (http_timeout) and overall deadline (timeout) of every case, in seconds.
// Under valgrind everything is slower: a loopback request must not trip the limit by itself.
const HT = 2 * SLOW;
const DEADLINE = 12;
// Margin on every upper time bound: process start, TLS, a loaded machine. Not a benchmark.
const SLACK_MS = 4000;
// Logins at once: they mostly sleep (poll intervals, time-outs); valgrind does not.
const CONCURRENCY = SLOW > 1 ? 3 : 10;
const CASE = { skip, timeout: 60000 * SLOW };

const bound = (seconds) => (seconds * 1000 + SLACK_MS) * SLOW;

function within(r, seconds, atLeast = 0) {
  assert.ok(r.elapsedMs <= bound(seconds), `took ${r.elapsedMs} ms, bound ${bound(seconds)}${dump(r)}`);
  assert.ok(r.elapsedMs >= atLeast * 1000, `took ${r.elapsedMs} ms, expected at least ${atLeast} s${dump(r)}`);
}

/** A fault server for one test, closed when the test ends (passed or not). */
function faulty(t, routes, tls) {
  return startFault(t, { routes, tls });
}

// The endpoints under base, named in the config so no discovery request is made.
function endpointsAt(base) {
  return {
    issuer: base,
    device_authorization_endpoint: `${base}/device`,
    token_endpoint: `${base}/token`,
    jwks_uri: `${base}/jwks`,
  };
}

function config(endpoints, extra = {}) {
  return {
    ...endpoints,
    client_id: 'pam-test',
    prompt: 'none',
    timeout: DEADLINE,
    http_timeout: HT,
    ...extra,
  };
}

async function login(t, f, extra = {}) {
  const r = await runPam(t, {
    config: config(f.endpoints, { ca_file: f.issuer.startsWith('https:') ? pki().ca : undefined, ...extra }),
    timeoutMs: 40000,
  });
  expectNoLeaks(f, r);
  return r;
}

function unavailable(r, reason) {
  return expectOutcome(r, { verdict: PAM.AUTHINFO_UNAVAIL, result: 'unavailable', reason });
}

function protocol(r, reason) {
  return expectOutcome(r, { verdict: PAM.AUTHINFO_UNAVAIL, result: 'protocol', reason });
}

// Seconds between the device authorization and each poll, and between polls.
function pollTimes(f) {
  const start = requests(f, '/device')[0].at;
  const polls = requests(f, '/token').map((e) => (e.at - start) / 1000);
  const gaps = polls.slice(1).map((p, i) => p - polls[i]);
  return { polls, gaps };
}

const MIB = 1024 * 1024;

describe('fault matrix', { concurrency: CONCURRENCY }, () => {
  // --- unreachable or untrusted: no request ever completes ---

  test('connection refused: AUTHINFO_UNAVAIL at once', CASE, async (t) => {
    const base = `http://127.0.0.1:${await freePort()}`;
    const r = await runPam(t, {
      config: config(endpointsAt(base)),
    });
    unavailable(r, /device/);
    within(r, 0);
    assert.doesNotMatch(r.stdout, /Code:/, 'no code shown');
  });

  test('DNS failure (idp.invalid): AUTHINFO_UNAVAIL within http_timeout', CASE, async (t) => {
    const base = 'https://idp.invalid';
    const r = await runPam(t, {
      config: config(endpointsAt(base)),
    });
    unavailable(r, /idp\.invalid/);
    within(r, HT);
  });

  for (const [name, which] of [
    ['name mismatch (certificate for wrong.example only)', 'wrongName'],
    ['expired certificate (2020)', 'expired'],
    ['self-signed certificate', 'selfSigned'],
  ]) {
    test(`TLS ${name}: AUTHINFO_UNAVAIL, no request gets through`, CASE, async (t) => {
      const f = await faulty(t, { '/device': R.device() }, pki()[which]);
      const r = await login(t, f);
      unavailable(r);
      within(r, HT);
      assert.equal(f.log.length, 0, `no request passed the handshake${dump(r)}`);
    });
  }

  test('failmode=safe, provider unreachable: PAM_IGNORE (stack: denied), never success', CASE,
    async (t) => {
      const base = `http://127.0.0.1:${await freePort()}`;
      const r = await runPam(t, { config: config(endpointsAt(base), { failmode: 'safe' }) });
      expectOutcome(r, { verdict: ALL_IGNORED, result: 'unavailable' });
      within(r, 0);
    });

  test('failmode=safe, malformed answer: PAM_IGNORE (stack: denied), never success', CASE,
    async (t) => {
      const f = await faulty(t, { '/device': (req, res) => sendJson(res, 200, '{"device') });
      const r = await login(t, f, { failmode: 'safe' });
      expectOutcome(r, { verdict: ALL_IGNORED, result: 'protocol' });
      within(r, 0);
    });

  // --- HTTP errors ---

  for (const [status, headers] of [
    [500, {}],
    [503, {}],
    [503, { 'Retry-After': '5' }],
  ]) {
    const ra = headers['Retry-After'] ? ` with Retry-After ${headers['Retry-After']}` : '';
    test(`device authorization HTTP ${status}${ra}: AUTHINFO_UNAVAIL at once, no retry`, CASE,
      async (t) => {
        const f = await faulty(t, {
          '/device': (req, res) => sendJson(res, status, '<html>down</html>', headers),
        });
        const r = await login(t, f);
        unavailable(r, new RegExp(`HTTP ${status}`));
        within(r, 0);
        assert.equal(requests(f, '/device').length, 1, `one attempt${dump(r)}`);
        assert.equal(requests(f, '/token').length, 0, `no poll${dump(r)}`);
      });
  }

  test('polling: HTTP 500 twice, then a token: backs off 2 s then 4 s, then succeeds', CASE,
    async (t) => {
      const f = await faulty(t, {
        '/device': R.device(),
        '/token': (req, res, ctx) => (ctx.n < 2
          ? sendJson(res, 500, { error: 'server_error' }) : R.tokens(req, res, ctx)),
      });
      const r = await login(t, f);
      expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok', claim: 'alice' });
      const { gaps } = pollTimes(f);
      assert.equal(gaps.length, 2, `three polls${dump(r)}`);
      assert.ok(gaps[0] >= 1.9 && gaps[1] >= 3.9, `backoff doubles from the interval: ${gaps}`);
      within(r, 1 + 2 + 4);
    });

  test('polling: HTTP 503 with Retry-After 4, then a token: waits 4 s, then succeeds', CASE,
    async (t) => {
      const f = await faulty(t, {
        '/device': R.device(),
        '/token': (req, res, ctx) => (ctx.n < 1
          ? sendJson(res, 503, '', { 'Retry-After': '4' }) : R.tokens(req, res, ctx)),
      });
      const r = await login(t, f);
      expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok', claim: 'alice' });
      const { gaps } = pollTimes(f);
      assert.equal(gaps.length, 1, `two polls${dump(r)}`);
      assert.ok(gaps[0] >= 3.9, `Retry-After honoured (backoff alone is 2 s): ${gaps}`);
      within(r, 1 + 4);
    });

  test('polling: HTTP 503 on every poll: backs off, gives up, AUTHINFO_UNAVAIL', CASE,
    async (t) => {
      const f = await faulty(t, {
        '/device': R.device(),
        '/token': (req, res) => sendJson(res, 503, 'busy'),
      });
      const r = await login(t, f);
      unavailable(r, /HTTP 503/);
      const { gaps } = pollTimes(f);
      // Polls at 1, 3 and 7 s (backing off 2 s, then 4 s); the 8 s back-off would pass the 12 s
      // deadline, so the deadline ends it, as the provider's failure, not the person's.
      assert.equal(gaps.length, 2, `three polls${dump(r)}`);
      assert.ok(gaps[0] >= 1.9 && gaps[1] >= 3.9, `backoff doubles: ${gaps}`);
      within(r, DEADLINE);
    });

  // --- bodies that are not what they claim ---

  const badBodies = [
    ['malformed JSON', (req, res) => sendJson(res, 200, '{"device_code": ,}')],
    ['truncated JSON', (req, res) => sendJson(res, 200, '{"device_code":"abc","user_code":"WD')],
    ['deeply nested JSON (50000 levels)', (req, res) => sendJson(res, 200,
      `{"device_code":${'['.repeat(50000)}${']'.repeat(50000)}}`)],
    ['a JSON array, not an object', (req, res) => sendJson(res, 200, '[]')],
    ['huge (10 MiB) JSON body, chunked', (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"device_code":"');
      const chunk = Buffer.alloc(MIB, 'A');
      let sent = 0;
      const more = () => {
        while (sent < 10 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return res.once('drain', more);
        }
        return res.end('"}');
      };
      more();
    }],
    ['huge (10 MiB) body with its Content-Length', (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 10 * MIB });
      res.end(Buffer.alloc(10 * MIB, ' '));
    }],
    ['expires_in 0', R.device({ expires_in: 0 })],
    ['expires_in absent', R.device({ expires_in: undefined })],
    ['unknown error code (HTTP 400)', (req, res) => sendJson(res, 400, { error: 'flux_capacitor' })],
    ['redirect to another host', null], // filled in below
  ];
  for (const [name, handler] of badBodies) {
    test(`device authorization, ${name}: protocol error, AUTHINFO_UNAVAIL`, CASE, async (t) => {
      let other = null;
      let route = handler;
      if (!handler) {
        other = await faulty(t, { '/device': R.device() });
        route = (req, res) => {
          res.writeHead(307, { Location: `${other.issuer}/device`, 'Content-Length': 0 });
          res.end();
        };
      }
      const f = await faulty(t, { '/device': route, '/token': R.tokens });
      const r = await login(t, f);
      protocol(r);
      within(r, HT);
      assert.equal(requests(f, '/token').length, 0, `no poll${dump(r)}`);
      assert.doesNotMatch(r.stdout, /Code:/, 'no code shown');
      if (other) assert.equal(other.log.length, 0, `redirect not followed${dump(r)}`);
    });
  }

  test('wrong Content-Type (text/html) on every answer: the JSON is parsed anyway', CASE,
    async (t) => {
      // The module does not look at Content-Type: it validates the body itself. So a
      // mislabelled but valid answer logs in, and a mislabelled bad one fails as bad JSON.
      const html = { 'Content-Type': 'text/html; charset=utf-8' };
      const f = await faulty(t, {
        '/device': (req, res, ctx) => sendJson(res, 200, ctx.deviceAuth(), html),
        '/token': (req, res, ctx) => sendJson(res, 200, ctx.tokens(), html),
        '/jwks': (req, res, ctx) => sendJson(res, 200, ctx.jwks(), html),
      });
      const r = await login(t, f);
      expectOutcome(r, { verdict: PAM.SUCCESS, result: 'ok', claim: 'alice' });
      within(r, 1);
    });

  test('polling: unknown error code (HTTP 400): protocol error after one poll', CASE,
    async (t) => {
      const f = await faulty(t, {
        '/device': R.device(),
        '/token': (req, res) => sendJson(res, 400, { error: 'flux_capacitor' }),
      });
      const r = await login(t, f);
      protocol(r, /flux_capacitor/);
      assert.equal(requests(f, '/token').length, 1, `one poll${dump(r)}`);
      within(r, 1);
    });

  test('reset mid-body: AUTHINFO_UNAVAIL', CASE, async (t) => {
    const f = await faulty(t, {
      '/device': (req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 400 });
        res.write('{"device_code":"abcdefgh","user_code":"WDJB');
        setTimeout(() => res.socket?.resetAndDestroy?.() ?? res.destroy(), 100);
      },
    });
    const r = await login(t, f);
    unavailable(r);
    within(r, HT);
  });

  // --- slow providers: bounded by http_timeout ---

  test('accepts, then says nothing: AUTHINFO_UNAVAIL after http_timeout', CASE, async (t) => {
    const f = await faulty(t, { '/device': () => {} });
    const r = await login(t, f);
    unavailable(r, /device/);
    within(r, HT, HT - 0.5);
  });

  test('trickles a byte a second (HTTPS): AUTHINFO_UNAVAIL within http_timeout', CASE,
    async (t) => {
      const answer = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n'
        + 'Content-Length: 200\r\n\r\n{"device_code":"abcdefgh","user_code":"WDJB-MJHT"}');
      const f = await faulty(t, {
        '/device': (req, res, ctx) => {
          let i = 0;
          const tick = () => {
            if (i >= answer.length || res.socket?.destroyed !== false) return;
            res.socket.write(answer.subarray(i, i + 1));
            i++;
            ctx.later(1000, tick);
          };
          tick();
        },
      }, pki().server);
      const r = await login(t, f);
      unavailable(r, /device/);
      within(r, HT, HT - 0.5);
    });

  // --- polling pace ---

  test('slow_down on every poll: interval grows by 5 s, ends expired at the deadline', CASE,
    async (t) => {
      const f = await faulty(t, {
        '/device': R.device({ interval: 1 }),
        '/token': (req, res) => sendJson(res, 400, { error: 'slow_down' }),
      });
      const r = await login(t, f);
      expectOutcome(r, { verdict: PAM.AUTH_ERR, result: 'expired' });
      const { polls, gaps } = pollTimes(f);
      // Polls at 1 s and 7 s (1 + 5); the next turn, 11 s later, is past the deadline: no poll
      // sooner than the interval (RFC 8628 §3.5), the login waits the deadline out.
      assert.equal(polls.length, 2, `two polls: ${polls}${dump(r)}`);
      assert.ok(gaps[0] >= 5.9 && gaps[0] <= 7.5, `first gap 6 s: ${gaps}`);
      within(r, DEADLINE, DEADLINE - 1);
    });

  for (const [name, interval, first] of [
    ['0', 0, 5],
    ['negative (-3)', -3, 5],
    ['huge (1e9)', 1e9, null],
  ]) {
    const what = first ? `first poll after ${first} s` : 'no poll before the deadline';
    test(`interval ${name}: clamped (${what}), expired at the deadline`,
      CASE, async (t) => {
        const f = await faulty(t, { '/device': R.device({ interval }), '/token': R.pending });
        const r = await login(t, f);
        expectOutcome(r, { verdict: PAM.AUTH_ERR, result: 'expired' });
        const { polls, gaps } = pollTimes(f);
        if (first === null) {
          assert.equal(polls.length, 0, `no poll: ${polls}${dump(r)}`);
        } else {
          // Polls at 5 and 10 s; the turn at 15 s is past the deadline.
          assert.equal(polls.length, 2, `polls at 5 and 10 s: ${polls}${dump(r)}`);
          assert.ok(polls[0] >= first - 0.6 && polls[0] <= first + 2,
            `first poll after ${first} s: ${polls}`);
          for (const g of gaps) assert.ok(g >= 4.9, `gap ${g} s: ${polls}`);
        }
        within(r, DEADLINE, DEADLINE - 1);
      });
  }

  // --- a token that does not verify ---

  for (const failmode of ['secure', 'safe']) {
    test(`ID token signed by a foreign key (failmode=${failmode}): Authentication failure`,
      CASE, async (t) => {
        const f = await faulty(t, {
          '/device': R.device(),
          '/token': (req, res, ctx) => sendJson(res, 200, ctx.tokens({ foreign: true })),
        });
        const r = await login(t, f, { failmode });
        expectOutcome(r, { verdict: PAM.AUTH_ERR, result: 'invalid_token', claim: '-' });
        assert.equal(requests(f, '/jwks').length, 1, `keys fetched${dump(r)}`);
        within(r, 1);
      });
  }
});
