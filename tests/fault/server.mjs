// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// A scripted provider that misbehaves on purpose (HTTP or HTTPS, node built-ins only), for the
// faults a real provider cannot be made to show: see tests/integration/faults.test.mjs.

import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';
import {
  createHash, generateKeyPairSync, randomBytes, sign,
} from 'node:crypto';

export const CLIENT_ID = 'pam-test';

function b64url(buf) {
  return Buffer.from(buf).toString('base64url');
}

// One RSA key per process is enough: each server serves its public half as its JWKS.
let sharedKey = null;
function signingKey() {
  if (!sharedKey) sharedKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return sharedKey;
}
let foreignKey = null;
function otherKey() {
  if (!foreignKey) foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return foreignKey;
}

function kidOf(publicKey) {
  const { n, e } = publicKey.export({ format: 'jwk' });
  return b64url(createHash('sha256').update(`${e}.${n}`).digest()).slice(0, 16);
}

export function sendJson(res, status, obj, headers = {}) {
  const body = typeof obj === 'string' ? obj : JSON.stringify(obj);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(body);
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

/**
 * Starts a server on 127.0.0.1 (or opts.hostname) on a free port.
 * opts.tls: { cert, key } for HTTPS. opts.routes: { '/path': handler(req, res, ctx) }; a
 * handler may be async; unknown paths get 404. ctx: the server (issuer, log, helpers below),
 * the request's parsed form (ctx.form) and its 0-based number on that path (ctx.n).
 * Resolves to { issuer, port, log, issued, clients, close(), ... }.
 */
export async function startFaultServer(opts = {}) {
  const routes = opts.routes ?? {};
  const sockets = new Set();
  const timers = new Set();
  const counts = new Map();
  const started = Date.now();
  const srv = {
    log: [], // { method, path, at (ms since start), form }
    // Shaped like tests/idp's, so the harness's leak check reads it.
    issued: {
      device_code: [], access_token: [], refresh_token: [], id_token: [],
    },
    clients: { basic: { secret: null }, post: { secret: null } },
  };

  const handle = async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const path = url.pathname;
    const raw = req.method === 'POST' ? await readBody(req) : '';
    const form = Object.fromEntries(new URLSearchParams(raw));
    const n = counts.get(path) ?? 0;
    counts.set(path, n + 1);
    srv.log.push({
      method: req.method, path, at: Date.now() - started, form,
    });
    const route = routes[path];
    if (!route) {
      sendJson(res, 404, { error: 'not_found' });
      return;
    }
    await route(req, res, { ...srv, form, n });
  };

  const server = opts.tls
    ? createHttps({ cert: opts.tls.cert, key: opts.tls.key }, handle)
    : createHttp(handle);
  // A refused handshake (the point of the TLS cases) is not an error of the server.
  server.on('tlsClientError', () => {});
  server.on('clientError', (e, socket) => socket.destroy());
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('error', () => {}); // the module hangs up on huge or trickling answers
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, opts.hostname ?? '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const host = opts.tls ? 'localhost' : '127.0.0.1';
  srv.port = port;
  srv.issuer = `${opts.tls ? 'https' : 'http'}://${host}:${port}`;

  // The endpoints the module is configured with (no discovery: the config names them).
  srv.endpoints = {
    issuer: srv.issuer,
    device_authorization_endpoint: `${srv.issuer}/device`,
    token_endpoint: `${srv.issuer}/token`,
    jwks_uri: `${srv.issuer}/jwks`,
  };

  srv.later = (ms, fn) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  /** A valid RFC 8628 §3.2 answer; fields override or (undefined) remove members. */
  srv.deviceAuth = (fields = {}) => {
    const deviceCode = b64url(randomBytes(24));
    srv.issued.device_code.push(deviceCode);
    const obj = {
      device_code: deviceCode,
      user_code: 'WDJB-MJHT',
      verification_uri: `${srv.issuer}/activate`,
      expires_in: 600,
      interval: 1,
      ...fields,
    };
    for (const k of Object.keys(obj)) if (obj[k] === undefined) delete obj[k];
    return obj;
  };

  /**
   * A token response whose ID token names sub/user; foreign: signed by a key not in the JWKS;
   * claims override (or, undefined, remove) the ID token's claims.
   */
  srv.tokens = ({ user = 'alice', foreign = false, claims: extra = {} } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const { publicKey } = signingKey();
    const header = { alg: 'RS256', typ: 'JWT', kid: kidOf(publicKey) };
    const claims = {
      iss: srv.issuer,
      aud: CLIENT_ID,
      sub: user,
      preferred_username: user,
      iat: now,
      exp: now + 300,
      ...extra,
    };
    for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const key = foreign ? otherKey().privateKey : signingKey().privateKey;
    const idToken = `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`;
    const accessToken = b64url(randomBytes(24));
    srv.issued.id_token.push(idToken);
    srv.issued.access_token.push(accessToken);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'openid profile',
      id_token: idToken,
    };
  };

  srv.jwks = () => {
    const { publicKey } = signingKey();
    const jwk = publicKey.export({ format: 'jwk' });
    return {
      keys: [{
        ...jwk, kid: kidOf(publicKey), use: 'sig', alg: 'RS256',
      }],
    };
  };

  srv.close = () => new Promise((resolve) => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  return srv;
}

// Canned route handlers.
export const routes = {
  jwks: (req, res, ctx) => sendJson(res, 200, ctx.jwks()),
  device: (fields) => (req, res, ctx) => sendJson(res, 200, ctx.deviceAuth(fields)),
  pending: (req, res) => sendJson(res, 400, { error: 'authorization_pending' }),
  tokens: (req, res, ctx) => sendJson(res, 200, ctx.tokens()),
};
