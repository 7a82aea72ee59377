// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Glewlwyd (Debian's glewlwyd package) as a second, independent OpenID provider for the
// integration tests: its own binary on a config file and a sqlite database in a temporary
// directory, set up through its admin API and approved through the calls its web pages make.
// Nothing of the machine's Glewlwyd (service, /etc, /var) is used or touched.

import { spawn, execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync,
} from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { freePort, waitFor } from '../integration/lib/common.mjs';
import { CookieJar } from './approve.mjs';

export const GLEWLWYD_BIN = process.env.GLEWLWYD_BIN ?? '/usr/bin/glewlwyd';
const LIB_DIR = '/usr/lib/glewlwyd';
// The package's initial database (tables, the admin user, the openid scope): dbconfig-common's
// copy, else the documentation's (some images leave /usr/share/doc out).
const SCHEMAS = [
  '/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3',
  '/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz',
];
// The initial admin account of that schema.
const ADMIN = { username: 'admin', password: 'password' };

const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';

// The kinds of request the module makes, for requests() of tests/integration/lib: Glewlwyd's
// endpoints sit below each plugin instance's /api/NAME/, so the relay's log names them.
const KINDS = {
  polls: { method: 'POST', endpoint: 'token' },
  deviceAuths: { method: 'POST', endpoint: 'device_authorization' },
  codes: { method: 'POST', endpoint: 'device_authorization', answered: true },
  pushes: { method: 'POST', endpoint: 'ciba' },
  userinfo: { endpoint: 'userinfo' },
};

// One OpenID plugin instance per ID token algorithm: Glewlwyd signs with its instance's keys.
const KEY_TYPES = {
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  EdDSA: () => generateKeyPairSync('ed25519'),
};

/** Whether this machine can run the provider (tests skip without it). */
export function glewlwydAvailable() {
  return existsSync(GLEWLWYD_BIN) && SCHEMAS.some((s) => existsSync(s))
    && existsSync(join(LIB_DIR, 'plugin', 'libprotocol_oidc.so'));
}

function schemaSql() {
  const path = SCHEMAS.find((s) => existsSync(s));
  if (!path) throw new Error(`glewlwyd: no initial schema (looked for ${SCHEMAS.join(', ')})`);
  const raw = readFileSync(path);
  return { path, sql: path.endsWith('.gz') ? gunzipSync(raw) : raw };
}

// Instances still running when the test process exits (a failed or killed test): stopped then.
const running = new Set();
process.on('exit', () => {
  for (const { child, dir } of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

// libconfig strings: the values here are paths and URLs the tests choose, never quotes.
function glewlwydConfig({ port, externalUrl, dir }) {
  return `# written by tests/idp/glewlwyd.mjs
port=${port}
bind_address="127.0.0.1"
external_url="${externalUrl}"
login_url="login.html"
api_prefix="api"
static_files_path="/usr/share/glewlwyd/webapp/"
log_mode="file"
log_level="DEBUG"
log_file="${join(dir, 'glewlwyd.log')}"
cookie_domain="127.0.0.1"
cookie_secure=0
session_expiration=3600
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="${LIB_DIR}/user"
client_module_path="${LIB_DIR}/client"
user_auth_scheme_module_path="${LIB_DIR}/scheme"
plugin_module_path="${LIB_DIR}/plugin"
hash_algorithm="SHA512"
database = { type = "sqlite3"; path = "${join(dir, 'glewlwyd.db')}"; };
`;
}

function signingJwks(alg) {
  const { privateKey } = KEY_TYPES[alg]();
  const kid = `${alg.toLowerCase()}-${randomBytes(6).toString('hex')}`;
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { kid, jwks: { keys: [jwk] } };
}

// How long one exchange with Glewlwyd may take, through the relay or from it.
const REQUEST_MS = 10000;

/** One HTTP exchange, no redirects followed. json: a body sent as JSON. */
function request(base, path, { method = 'GET', json, jar } = {}) {
  const url = new URL(path, base);
  const body = json === undefined ? null : JSON.stringify(json);
  const headers = { accept: 'application/json' };
  if (jar?.cookies.size) headers.cookie = jar.header();
  if (body !== null) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(body);
  }
  return new Promise((resolve, reject) => {
    // A whole exchange, not only an idle socket, is bounded: an answer cut off after its headers
    // would otherwise leave the caller waiting for an 'end' that never comes.
    const timer = setTimeout(() => req.destroy(new Error(`timeout: ${method} ${url.pathname}`)),
      REQUEST_MS);
    const fail = (e) => {
      clearTimeout(timer);
      reject(e);
    };
    const req = http.request(url, { method, headers, agent: false, timeout: REQUEST_MS }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', fail);
      res.on('aborted', () => fail(new Error(`answer cut off: ${method} ${url.pathname}`)));
      res.on('end', () => {
        clearTimeout(timer);
        jar?.store(res.headers['set-cookie']);
        const text = Buffer.concat(chunks).toString();
        let data = null;
        try {
          data = text ? JSON.parse(text) : null;
        } catch {
          data = null;
        }
        resolve({
          status: res.statusCode,
          location: res.headers.location ? new URL(res.headers.location, url) : null,
          text,
          data,
        });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${url.pathname}`)));
    req.on('error', fail);
    if (body !== null) req.write(body);
    req.end();
  });
}

async function expectOk(what, p) {
  const r = await p;
  if (r.status !== 200) throw new Error(`glewlwyd: ${what}: HTTP ${r.status} ${r.text}`);
  return r;
}

// A request's form fields (the OAuth endpoints take urlencoded bodies).
function formOf(req, body) {
  if (!/application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) return {};
  return Object.fromEntries(new URLSearchParams(body.toString()));
}

function basicClient(req) {
  const auth = req.headers.authorization ?? '';
  if (!auth.startsWith('Basic ')) return null;
  const raw = Buffer.from(auth.slice(6), 'base64').toString();
  return decodeURIComponent(raw.split(':')[0]);
}

/*
 * Glewlwyd logs no requests, so the public port is a recording relay in front of it: each
 * exchange becomes an entry of `log` (endpoint, client, status, OAuth error), and what it hands
 * out goes to `issued` for leak checks. The relay asks for uncompressed answers, to read them;
 * everything else passes unchanged.
 */
function recordingRelay(innerPort, log, issued) {
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers };
      delete headers['accept-encoding'];
      const url = new URL(req.url, 'http://relay');
      const m = url.pathname.match(/^\/api\/([^/]+)\/(.*?)\/?$/);
      const form = formOf(req, body);
      const entry = {
        t: Date.now(),
        method: req.method,
        path: url.pathname,
        plugin: m ? m[1] : null,
        endpoint: m ? m[2] : null,
        client: basicClient(req) ?? form.client_id ?? null,
        clientAuth: req.headers.authorization?.startsWith('Basic ') ? 'basic'
          : (form.client_secret ? 'post' : 'none'),
        grantType: form.grant_type ?? null,
        deviceCode: form.device_code ?? null,
        authReqId: form.auth_req_id ?? null,
        loginHint: form.login_hint ?? null,
        bindingMessage: form.binding_message ?? null,
        status: null,
        error: null,
      };
      log.push(entry);
      const up = http.request({
        host: '127.0.0.1',
        port: innerPort,
        method: req.method,
        path: req.url,
        headers,
        agent: false,
      }, (ur) => {
        const out = [];
        ur.on('error', failed);
        ur.on('data', (c) => out.push(c));
        ur.on('end', () => {
          const buf = Buffer.concat(out);
          entry.status = ur.statusCode;
          try {
            const data = JSON.parse(buf.toString());
            if (data && typeof data === 'object' && !Array.isArray(data)) {
              entry.error = typeof data.error === 'string' ? data.error : null;
              if (typeof data.scope === 'string') entry.scope = data.scope;
              for (const k of Object.keys(issued)) {
                if (typeof data[k] === 'string') issued[k].push(data[k]);
              }
              // As tests/idp/server.mjs: the answer of a request that got a code.
              if (typeof data.device_code === 'string' || typeof data.auth_req_id === 'string') {
                entry.response = { ...data };
                delete entry.response.device_code; // kept in `issued` with the other secrets
                delete entry.response.auth_req_id;
              }
            }
          } catch {
            // not JSON: pages, redirects
          }
          const h = { ...ur.headers };
          delete h['transfer-encoding'];
          h['content-length'] = buf.length;
          res.writeHead(ur.statusCode, h);
          res.end(buf);
        });
      });
      const failed = (e) => {
        entry.status = 502;
        entry.error = `relay: ${e.message}`;
        if (res.headersSent) res.destroy();
        else res.writeHead(502).end();
      };
      up.setTimeout(REQUEST_MS, () => up.destroy(new Error('Glewlwyd did not answer')));
      up.on('error', failed);
      up.end(body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return { server, sockets };
}

function pluginParameters({
  issuer, jwks, kid, deviceExpiry, deviceInterval, cibaExpiry,
}) {
  return {
    iss: issuer,
    'jwks-private': JSON.stringify(jwks),
    'default-kid': kid,
    'jwks-show': true,
    'access-token-duration': 600,
    'refresh-token-duration': 3600,
    'code-duration': 600,
    'refresh-token-rolling': false,
    'allow-non-oidc': false,
    'auth-type-code-enabled': false,
    'auth-type-token-enabled': false,
    'auth-type-none-enabled': false,
    'auth-type-password-enabled': false,
    'auth-type-client-enabled': false,
    'auth-type-refresh-enabled': true,
    'auth-type-device-enabled': true,
    'device-authorization-expiration': deviceExpiry,
    'device-authorization-interval': deviceInterval,
    'subject-type': 'public',
    'name-claim': 'on-demand',
    'email-claim': 'on-demand',
    'scope-claim': 'no',
    // The account name: Glewlwyd's sub is a random id, so the name comes from a claim.
    claims: [
      {
        name: 'preferred_username', 'user-property': 'username', type: 'string',
        mandatory: true, 'on-demand': false, scope: [],
      },
    ],
    'oauth-ciba-allowed': true,
    'oauth-ciba-mode-poll-allowed': true,
    'oauth-ciba-mode-ping-allowed': false,
    'oauth-ciba-mode-push-allowed': false,
    'oauth-ciba-default-expiry': cibaExpiry,
    'oauth-ciba-maximum-expiry': Math.max(cibaExpiry, 600),
    'oauth-ciba-user-code-allowed': false,
    'oauth-ciba-email-allowed': false,
  };
}

/**
 * Starts Glewlwyd for one test. opts: algs (ID token algorithms, one plugin instance each,
 * default RS256 ES256 EdDSA; the first is the default issuer), users (default alice, bob),
 * deviceInterval (s, default 1), deviceExpiry (s a device code lives, default 600), cibaExpiry
 * (s a push lives unless the client asks for less, default 120).
 * Returns { issuer, issuerFor(alg), plugins, url, port, log, kinds, issued, clients, users,
 * addClient(), approveDevice(), cibaRequests(), approveCiba(), denyCiba(), glewlwydLog(),
 * close() }.
 */
export async function startGlewlwyd(opts = {}) {
  const algs = opts.algs ?? ['RS256', 'ES256', 'EdDSA'];
  const deviceInterval = opts.deviceInterval ?? 1;
  const deviceExpiry = opts.deviceExpiry ?? 600;
  const cibaExpiry = opts.cibaExpiry ?? 120;
  const userNames = opts.users ?? ['alice', 'bob'];

  const dir = mkdtempSync(join(tmpdir(), 'pam-oauth-glewlwyd-'));
  const instance = { child: null, dir };
  const log = [];
  const issued = {
    device_code: [], auth_req_id: [], access_token: [], id_token: [], refresh_token: [],
  };
  let child = null;
  let exited = null;
  let relay = null;
  const close = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(instance);
    if (relay) {
      await new Promise((r) => {
        relay.server.close(() => r());
        for (const s of relay.sockets) s.destroy();
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const { sql } = schemaSql();
    execFileSync('sqlite3', [join(dir, 'glewlwyd.db')],
      { input: sql, stdio: ['pipe', 'ignore', 'pipe'] });
    const innerPort = await freePort();
    relay = recordingRelay(innerPort, log, issued);
    const port = await new Promise((resolve, reject) => {
      relay.server.once('error', reject);
      relay.server.listen(0, '127.0.0.1', () => resolve(relay.server.address().port));
    });
    const url = `http://127.0.0.1:${port}`;
    writeFileSync(join(dir, 'glewlwyd.conf'),
      glewlwydConfig({ port: innerPort, externalUrl: url, dir }));
    const out = openSync(join(dir, 'glewlwyd.out'), 'a');
    child = spawn(GLEWLWYD_BIN, ['-c', join(dir, 'glewlwyd.conf')], {
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    let early = null; // how it ended, if it did
    exited = new Promise((r) => {
      child.once('exit', (code, sig) => r(`exit ${code ?? sig}`));
      child.once('error', (e) => r(e.message));
    }).then((why) => {
      early = why;
    });
    instance.child = child;
    running.add(instance);

    // Up once it serves its public configuration.
    try {
      await waitFor('glewlwyd to serve /config', async () => early
        || (await request(url, '/config').catch(() => null))?.status === 200, 15000);
      if (early) throw new Error(early);
    } catch (e) {
      throw new Error(`glewlwyd did not start (${e.message}):\n`
        + `${readFileSync(join(dir, 'glewlwyd.out'), 'utf8').slice(-2000)}`);
    }

    // As the admin web app: a session for the database's initial admin, then the setup.
    const admin = new CookieJar();
    await expectOk('admin login',
      request(url, '/api/auth/', { method: 'POST', json: ADMIN, jar: admin }));
    const adminCall = (what, method, path, json) => expectOk(what,
      request(url, path, { method, json, jar: admin }));
    await adminCall('scope profile', 'POST', '/api/scope/', {
      name: 'profile', display_name: 'Profile', description: 'The account name',
      password_required: false, scheme: {},
    });

    const plugins = {};
    for (const alg of algs) {
      const name = alg.toLowerCase();
      const issuer = `${url}/api/${name}`;
      const { kid, jwks } = signingJwks(alg);
      await adminCall(`plugin ${name}`, 'POST', '/api/mod/plugin/', {
        module: 'oidc',
        name,
        display_name: `OpenID Connect, ID tokens ${alg}`,
        enabled: true,
        parameters: pluginParameters({
          issuer, jwks, kid, deviceExpiry, deviceInterval, cibaExpiry,
        }),
      });
      plugins[alg] = { name, issuer, kid, alg };
    }

    const users = {};
    for (const u of userNames) {
      users[u] = randomBytes(12).toString('base64url');
      await adminCall(`user ${u}`, 'POST', '/api/user/', {
        username: u, name: u, email: `${u}@example.test`, password: users[u], enabled: true,
        scope: ['g_profile', 'openid', 'profile'],
      });
    }

    const clients = {};
    /**
     * Adds a client. c: id, secret (none: public), auth ('basic'|'post', with a secret),
     * ciba (also the CIBA grant, poll mode). Returns { id, secret }.
     */
    const addClient = async ({ id, secret = null, auth = 'basic', ciba = false }) => {
      await adminCall(`client ${id}`, 'POST', '/api/client/', {
        client_id: id,
        client_name: id,
        enabled: true,
        confidential: !!secret,
        ...(secret ? {
          client_secret: secret,
          token_endpoint_auth_method: [`client_secret_${auth === 'post' ? 'post' : 'basic'}`],
        } : {}),
        authorization_type: ['device_authorization', 'refresh_token',
          ...(ciba ? [CIBA_GRANT] : [])],
        redirect_uri: [],
        scope: [],
        ...(ciba ? { backchannel_token_delivery_mode: 'poll' } : {}),
      });
      return { id, secret };
    };
    const secret = () => randomBytes(24).toString('base64url');
    clients.public = await addClient({ id: 'pam-test' });
    clients.basic = await addClient({ id: 'pam-secret', secret: secret(), auth: 'basic' });
    clients.post = await addClient({ id: 'pam-post', secret: secret(), auth: 'post' });
    clients.ciba = await addClient({ id: 'pam-ciba', secret: secret(), auth: 'basic', ciba: true });

    const pluginName = (alg) => (plugins[alg ?? algs[0]] ?? (() => {
      throw new Error(`glewlwyd: no plugin instance for ${alg}`);
    })()).name;

    // A browser session: the login page posts the password to the auth API.
    const loginAs = async (username) => {
      if (!(username in users)) throw new Error(`glewlwyd: no user ${username}`);
      const jar = new CookieJar();
      await expectOk(`login ${username}`, request(url, '/api/auth/', {
        method: 'POST', json: { username, password: users[username] }, jar,
      }));
      return jar;
    };
    // The grant page: the scopes the login page was sent with, for that client. Glewlwyd
    // splits the list at spaces (its API document says commas).
    const grant = (jar, clientId, scope) => expectOk(`grant ${clientId}`, request(url,
      `/api/auth/grant/${encodeURIComponent(clientId)}`, {
        method: 'PUT', json: { scope: scope.split(/[ ,]+/).filter(Boolean).join(' ') }, jar,
      }));
    const params = (loc) => (loc ? Object.fromEntries(loc.searchParams) : {});

    /**
     * Approves a device code as `username`, as the browser pages do: the verification URL
     * sends to the login page with the client and scopes; the user logs in, grants them and
     * continues. Resolves to the final page's prompt ('deviceComplete' when approved); throws
     * when Glewlwyd does not take the code (deviceCodeError: unknown, used or expired).
     * opts: alg (the plugin instance whose verification URL is used; default: the first),
     * grant (the scopes the person grants, separated by spaces; default: all the page asks).
     */
    const approveDevice = async (userCode, username, { alg, grant: granted } = {}) => {
      const path = `/api/${pluginName(alg)}/device?code=${encodeURIComponent(userCode)}`;
      const jar = await loginAs(username);
      const first = await request(url, path, { jar });
      const p = params(first.location);
      if (first.status !== 302 || !p.client_id) {
        const why = p.prompt ?? first.status;
        throw new Error(`glewlwyd: code ${userCode} not taken (prompt ${why})`);
      }
      await grant(jar, p.client_id, granted ?? p.scope ?? 'openid');
      const done = await request(url, `${path}&g_continue`, { jar });
      const prompt = params(done.location).prompt ?? `HTTP ${done.status}`;
      if (prompt !== 'deviceComplete') throw new Error(`glewlwyd: approval ended on ${prompt}`);
      return prompt;
    };

    /**
     * The push requests waiting for `username`, as the profile page lists them:
     * [{ user_req_id, client_id, binding_message, connect_uri, cancel_uri, ... }].
     */
    const cibaRequests = async (username, { alg } = {}) => {
      const jar = await loginAs(username);
      const r = await expectOk('ciba_user_list',
        request(url, `/api/${pluginName(alg)}/ciba_user_list`, { jar }));
      return r.data ?? [];
    };

    // which.request: an entry of someone's list (a link passed on); else the latest of
    // username's own list, or the one showing which.bindingMessage.
    const pickRequest = async (username, { request: given, bindingMessage, alg }) => {
      if (given) return given;
      const list = await cibaRequests(username, { alg });
      const hit = [...list].reverse().find((c) => !bindingMessage
        || c.binding_message === bindingMessage);
      if (!hit) throw new Error(`glewlwyd: no push request waiting for ${username}`);
      return hit;
    };

    /**
     * Approves a push as `username` by following the profile page's connect link (the link of
     * the e-mail): log in, grant, continue. which: { request, bindingMessage, alg } (see
     * pickRequest). Resolves to { request, message }: the final page's ciba_message
     * ('complete' when approved, 'invalid', ...) or 'login' when Glewlwyd sent the browser back
     * to the login page instead (the request is someone else's).
     */
    const approveCiba = async (username, which = {}) => {
      const req = await pickRequest(username, which);
      const jar = await loginAs(username);
      const first = await request(url, req.connect_uri, { jar });
      const p = params(first.location);
      if (p.ciba_message) return { request: req, message: p.ciba_message };
      if (p.client_id && p.scope) await grant(jar, p.client_id, p.scope);
      const done = await request(url, `${req.connect_uri}&g_continue`, { jar });
      return { request: req, message: params(done.location).ciba_message ?? 'login' };
    };

    /** Refuses a push as `username` by following its cancel link. Same arguments and result. */
    const denyCiba = async (username, which = {}) => {
      const req = await pickRequest(username, which);
      const jar = await loginAs(username);
      const r = await request(url, req.cancel_uri, { jar });
      return { request: req, message: params(r.location).ciba_message ?? `HTTP ${r.status}` };
    };

    return {
      issuer: plugins[algs[0]].issuer,
      /** The issuer of the plugin instance that signs with alg. */
      issuerFor: (alg) => plugins[alg].issuer,
      plugins,
      url,
      port,
      log,
      kinds: KINDS,
      issued,
      clients,
      users,
      addClient: async (c) => {
        const made = await addClient(c);
        clients[c.id] = made;
        return made;
      },
      approveDevice,
      cibaRequests,
      approveCiba,
      denyCiba,
      /** Glewlwyd's own log so far (DEBUG level). */
      glewlwydLog: () => {
        try {
          return readFileSync(join(dir, 'glewlwyd.log'), 'utf8');
        } catch {
          return '';
        }
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
