// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// A throwaway OpenID provider (oidc-provider) with the device grant, CIBA (poll mode) and test
// knobs, for pam_oauth's integration tests and demo. Nothing here is fit for production.

import {
  randomBytes, generateKeyPairSync, createPrivateKey, sign as cryptoSign,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pathToFileURL } from 'node:url';

import Provider, { errors } from 'oidc-provider';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';

// Group claims the tests rely on; any other login id is an account without groups.
const GROUPS = { alice: ['staff'], bob: ['staff', 'admins'] };

function accountFor(id) {
  return {
    accountId: id,
    async claims() {
      return {
        sub: id,
        preferred_username: id,
        name: id,
        email: `${id}@example.test`,
        email_verified: true,
        groups: GROUPS[id] ?? [],
      };
    },
  };
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

function clientList(secrets, ciba) {
  const common = {
    grant_types: [DEVICE_GRANT, 'refresh_token'],
    response_types: [],
    redirect_uris: [],
    id_token_signed_response_alg: 'RS256',
  };
  return [
    { ...common, client_id: 'pam-test', token_endpoint_auth_method: 'none' },
    {
      ...common,
      client_id: 'pam-secret',
      client_secret: secrets.basic,
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      ...common,
      client_id: 'pam-post',
      client_secret: secrets.post,
      token_endpoint_auth_method: 'client_secret_post',
    },
    {
      // The push client: confidential, CIBA in poll mode (when the provider has CIBA at all).
      ...common,
      client_id: 'pam-ciba',
      client_secret: secrets.ciba,
      token_endpoint_auth_method: 'client_secret_basic',
      ...(ciba ? {
        grant_types: [...common.grant_types, CIBA_GRANT],
        backchannel_token_delivery_mode: 'poll',
      } : {}),
    },
  ];
}

// Test knobs are read on every request, so tests may change them while a login runs.
function defaultKnobs() {
  return {
    interval: null, // seconds added to the device authorization response; null: omit (RFC: 5 s)
    slowDown: 0, // answer slow_down instead of authorization_pending for this many polls
    deviceCodeTtl: 600, // seconds a device code lives
    hang: false, // accept requests but never answer (http timeout tests)
    dateOffset: 0, // seconds added to the HTTP Date header (clock skew tests); 0: the real time
    // Rewrites the ID token the token endpoint returns: 'signature' (signed by a stranger's
    // key under the provider's kid), 'issuer', 'audience' or 'expired' (re-signed with the
    // provider's real key, so only that claim is wrong). null: untouched.
    tamperIdToken: null,
    cibaTtl: 120, // seconds a push request lives, unless the client asks for less
    cibaUsers: ['alice', 'bob'], // accounts a login_hint may name; others: unknown_user_id
    // Answer slow_down to a poll that comes sooner than the interval after the one before for
    // the same device code (RFC 8628 §3.5), 100 ms of network jitter aside; such polls are
    // marked early in the log.
    strictInterval: false,
    // Text appended to verification_uri_complete (a longer URL, as some providers send, for a
    // larger QR code); the approval pages only look at the user code. '': untouched.
    completeUriSuffix: '',
  };
}

function clientIdOf(ctx) {
  if (ctx.oidc?.client?.clientId) return ctx.oidc.client.clientId;
  const auth = ctx.get('authorization');
  if (auth.startsWith('Basic ')) {
    const raw = Buffer.from(auth.slice(6), 'base64').toString();
    return decodeURIComponent(raw.split(':')[0]);
  }
  return null;
}

// Remembers everything issued so tests can prove none of it leaked into the module's output.
function rememberIssued(issued, body) {
  if (!body || typeof body !== 'object') return;
  for (const key of ['device_code', 'auth_req_id', 'access_token', 'id_token', 'refresh_token']) {
    if (typeof body[key] === 'string') issued[key].push(body[key]);
  }
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

// Re-signs an ID token after changing one thing about it (knobs.tamperIdToken).
function tamperIdToken(idToken, how, signingJwk) {
  const [h, p] = idToken.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  const now = Math.floor(Date.now() / 1000);
  if (how === 'issuer') claims.iss = `${claims.iss}/other`;
  if (how === 'audience') claims.aud = 'another-client';
  if (how === 'expired') Object.assign(claims, { iat: now - 3600, exp: now - 1800 });
  const key = how === 'signature'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    : createPrivateKey({ key: signingJwk, format: 'jwk' });
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(cryptoSign('sha256', Buffer.from(input), key))}`;
}

// The last poll and the interval so far, per device code, for knobs.strictInterval.
function checkInterval(polls, knobs, entry, ctx, body) {
  const code = entry.deviceCode;
  if (!code || body?.error !== 'authorization_pending') return;
  const seen = polls.get(code) ?? { last: null, interval: knobs.interval ?? 5 };
  if (seen.last !== null && entry.t - seen.last < seen.interval * 1000 - 100) {
    entry.early = true;
    seen.interval += 5;
    ctx.body = { ...body, error: 'slow_down', error_description: 'sooner than the interval' };
  }
  seen.last = entry.t;
  polls.set(code, seen);
}

function installKnobs(provider, knobs, log, issued, keys) {
  const polls = new Map();
  provider.use(async (ctx, next) => {
    const entry = { method: ctx.method, path: ctx.path, t: Date.now(), client: null };
    log.push(entry);
    if (knobs.hang) {
      await new Promise((resolve) => ctx.req.once('close', resolve));
      return;
    }
    await next();
    entry.client = clientIdOf(ctx);
    // Which login a poll belongs to (kept with the log, never shown): tests that run several
    // logins side by side tell their polls apart by it.
    if (ctx.path === '/token') entry.deviceCode = ctx.oidc?.params?.device_code ?? null;
    entry.status = ctx.status;
    const body = ctx.body && typeof ctx.body === 'object' && !Buffer.isBuffer(ctx.body)
      ? ctx.body : null;
    if (ctx.path === '/token' && knobs.strictInterval) checkInterval(polls, knobs, entry, ctx, body);
    if (ctx.path === '/token' && body?.error === 'authorization_pending' && knobs.slowDown > 0) {
      knobs.slowDown -= 1;
      ctx.body = { ...body, error: 'slow_down', error_description: 'polling too fast' };
    }
    if (ctx.path === '/backchannel' && body?.auth_req_id) {
      if (knobs.interval != null) ctx.body = { ...body, interval: knobs.interval };
      entry.response = { ...ctx.body };
      delete entry.response.auth_req_id; // kept in `issued` with the other secrets
    }
    if (ctx.path === '/device/auth' && body?.device_code) {
      if (knobs.interval != null) ctx.body = { ...body, interval: knobs.interval };
      if (knobs.completeUriSuffix && body.verification_uri_complete) {
        ctx.body = {
          ...ctx.body,
          verification_uri_complete: body.verification_uri_complete + knobs.completeUriSuffix,
        };
      }
      entry.response = { ...ctx.body };
      delete entry.response.device_code; // kept in `issued` with the other secrets
    }
    if (knobs.dateOffset) ctx.set('Date', new Date(Date.now() + knobs.dateOffset * 1000).toUTCString());
    if (ctx.path === '/token' && body?.id_token && knobs.tamperIdToken) {
      ctx.body = { ...body, id_token: tamperIdToken(body.id_token, knobs.tamperIdToken,
        keys.signing[0]) };
    }
    entry.error = ctx.body?.error ?? null;
    rememberIssued(issued, ctx.body);
  });
}

/*
 * CIBA as the phone would see it: every push request is recorded (login_hint, binding_message,
 * account) and stays pending until a test decides it with decide().
 */
function cibaState() {
  return {
    requests: [], // { authReqId, loginHint, bindingMessage, accountId, decided, request }
    provider: null,
    pending() {
      return this.requests.filter((r) => !r.decided);
    },
    /**
     * Approves or denies a pending push as the phone would. which: auth_req_id or login_hint
     * (default: the latest pending request). approve: false denies (access_denied). as: the
     * account that approves (default: the one the hint named); another account stands for a
     * provider that resolved the hint to someone else.
     */
    async decide(which, { approve = true, as } = {}) {
      const entry = [...this.pending()].reverse().find((r) => !which
        || r.authReqId === which || r.loginHint === which);
      if (!entry) throw new Error(`no pending push request for ${which ?? '(any)'}`);
      const { request } = entry;
      if (!approve) {
        await this.provider.backchannelResult(request,
          new errors.AccessDenied('denied on the authentication device'));
      } else {
        request.accountId = as ?? request.accountId;
        const grant = new this.provider.Grant({
          accountId: request.accountId, clientId: request.clientId,
        });
        grant.addOIDCScope(request.scope);
        await grant.save();
        await this.provider.backchannelResult(request, grant,
          { authTime: Math.floor(Date.now() / 1000) });
      }
      entry.decided = approve ? `approved by ${request.accountId}` : 'denied';
      return entry;
    },
  };
}

function cibaFeature(knobs, state) {
  return {
    enabled: true,
    deliveryModes: ['poll'],
    // "alice" or "alice@example.test": the part before '@' names the account.
    async processLoginHint(ctx, hint) {
      const m = /^([a-z][a-z0-9]*)(?:@example\.test)?$/.exec(hint ?? '');
      return m && knobs.cibaUsers.includes(m[1]) ? m[1] : undefined;
    },
    async verifyUserCode() {},
    async validateRequestContext() {},
    async triggerAuthenticationDevice(ctx, request, account) {
      state.requests.push({
        authReqId: request.jti,
        loginHint: ctx.oidc.params.login_hint,
        bindingMessage: ctx.oidc.params.binding_message ?? null,
        requestedExpiry: ctx.oidc.params.requested_expiry ?? null,
        accountId: account.accountId,
        decided: null,
        request,
      });
    },
  };
}

// keys: { signing: [private JWKs], cookie: secret }; signing is replaced on key rotation.
function providerConfig(knobs, secrets, keys, ciba) {
  return {
    clients: clientList(secrets, !!ciba),
    findAccount: (ctx, id) => accountFor(id),
    jwks: { keys: keys.signing },
    cookies: { keys: [keys.cookie] },
    scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
    claims: {
      openid: ['sub'],
      profile: ['preferred_username', 'name'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    conformIdTokenClaims: false,
    responseTypes: ['none'],
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      userinfo: { enabled: true },
      ...(ciba ? { ciba: cibaFeature(knobs, ciba) } : {}),
    },
    ttl: {
      DeviceCode: () => knobs.deviceCodeTtl,
      BackchannelAuthenticationRequest: (ctx) => {
        const asked = Number(ctx?.oidc?.params?.requested_expiry);
        return Number.isSafeInteger(asked) && asked > 0 ? Math.min(asked, knobs.cibaTtl)
          : knobs.cibaTtl;
      },
      AccessToken: 600,
      IdToken: 600,
      RefreshToken: 3600,
      Grant: 3600,
      Interaction: 600,
      Session: 3600,
    },
  };
}

/**
 * Approves a pending device code as `login` without the provider's pages: what a person's
 * browser would leave behind (a grant for the requested scope, the account on the code). For
 * load tests: the pages cost about ten requests per approval and would blur the module's own
 * request counts. Throws when the code is unknown, expired or already decided.
 */
async function approveDirect(provider, userCode, login) {
  const normalized = userCode.replace(/[^A-Za-z]/g, '').toUpperCase(); // as the pages do
  const code = await provider.DeviceCode.findByUserCode(normalized);
  if (!code || code.isExpired || code.accountId || code.error) {
    throw new Error(`approveDirect: no pending device code ${userCode}`);
  }
  const grant = new provider.Grant({ accountId: login, clientId: code.clientId });
  const scope = code.params?.scope ?? 'openid';
  grant.addOIDCScope(scope);
  Object.assign(code, {
    accountId: login,
    authTime: Math.floor(Date.now() / 1000),
    grantId: await grant.save(),
    scope,
  });
  await code.save();
}

function listen(server, host, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

/**
 * Starts a provider. opts: scheme ('http'|'https'), host (default 127.0.0.1), port (0: any),
 * tls {key, cert} (PEM) for https, hostname (name in the issuer; default the host),
 * ciba (default true; false: a provider without CIBA, no backchannel endpoint).
 * Returns { issuer, url, close(), knobs, log, issued, clients, provider, ciba, stats (connection
 * counters; requests are in log), approveDirect(userCode, login) }.
 */
export async function startProvider(opts = {}) {
  const scheme = opts.scheme ?? 'http';
  const host = opts.host ?? '127.0.0.1';
  let handler = (req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const dispatch = (req, res) => handler(req, res);
  const server = scheme === 'https'
    ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, dispatch)
    : http.createServer(dispatch);
  const sockets = new Set();
  // Connection counters for the benchmark (bench/): TCP connections accepted, TLS handshakes
  // completed and how many of those resumed an earlier session.
  const stats = { tcpConnections: 0, tlsHandshakes: 0, tlsResumed: 0 };
  server.on('connection', (s) => {
    stats.tcpConnections += 1;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s) => {
    stats.tlsHandshakes += 1;
    if (s.isSessionReused()) stats.tlsResumed += 1;
  });
  const port = await listen(server, host, opts.port ?? 0);
  const url = `${scheme}://${opts.hostname ?? host}:${port}`;
  const knobs = { ...defaultKnobs(), ...(opts.knobs ?? {}) };
  const log = [];
  const issued = {
    device_code: [], auth_req_id: [], access_token: [], id_token: [], refresh_token: [],
  };
  const secrets = {
    basic: opts.secret ?? randomBytes(24).toString('base64url'),
    post: opts.postSecret ?? randomBytes(24).toString('base64url'),
    ciba: randomBytes(24).toString('base64url'),
  };
  const keys = { signing: [signingKey()], cookie: randomBytes(32).toString('hex') };
  // oidc-provider takes its keys once, at construction: a rotation builds a new instance on the
  // same URL. Rotate between logins: a login in progress across the swap is not supported.
  // The record of pushes outlives a key rotation; decide() uses the current instance.
  const ciba = opts.ciba === false ? null : cibaState();
  const build = () => {
    const p = new Provider(url, providerConfig(knobs, secrets, keys, ciba));
    if (ciba) ciba.provider = p;
    installKnobs(p, knobs, log, issued, keys);
    return p;
  };
  let provider = build();
  handler = provider.callback();
  return {
    issuer: url,
    url,
    port,
    knobs,
    log,
    issued,
    get provider() {
      return provider;
    },
    /** The kid ID tokens are signed with now. */
    get signingKid() {
      return keys.signing[0].kid;
    },
    /**
     * Test knob: key rotation at run time. Tokens are signed with a new key from now on, and
     * the JWKS publishes only the new key (keepOld: the old one too, after it). Returns the new
     * kid.
     */
    rotateSigningKey({ keepOld = false } = {}) {
      keys.signing = [signingKey(), ...(keepOld ? keys.signing : [])];
      provider = build();
      handler = provider.callback();
      return keys.signing[0].kid;
    },
    ciba,
    stats,
    approveDirect: (userCode, login) => approveDirect(provider, userCode, login),
    clients: {
      public: { id: 'pam-test' },
      basic: { id: 'pam-secret', secret: secrets.basic },
      post: { id: 'pam-post', secret: secrets.post },
      ciba: { id: 'pam-ciba', secret: secrets.ciba },
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

function parseArgs(argv) {
  const args = { port: 8765, host: '127.0.0.1', https: false, interval: null };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const val = () => {
      i += 1;
      if (i >= argv.length) throw new Error(`${a} needs a value`);
      return argv[i];
    };
    if (a === '--port') args.port = Number(val());
    else if (a === '--host') args.host = val();
    else if (a === '--https') args.https = true;
    else if (a === '--cert') args.cert = val();
    else if (a === '--key') args.key = val();
    else if (a === '--interval') args.interval = Number(val());
    else if (a === '--secret') args.secret = val();
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const opts = {
    scheme: args.https ? 'https' : 'http',
    host: args.host,
    port: args.port,
    secret: args.secret,
    knobs: { interval: args.interval },
  };
  if (args.https) {
    opts.tls = { cert: readFileSync(args.cert), key: readFileSync(args.key) };
    opts.hostname = 'localhost';
  }
  const idp = await startProvider(opts);
  process.stdout.write(`issuer ${idp.issuer}\n`);
  process.stdout.write(`clients: pam-test (public), pam-secret (secret ${idp.clients.basic.secret},`
    + ` client_secret_basic), pam-post (secret ${idp.clients.post.secret}, client_secret_post)\n`);
  process.stdout.write(`approve at ${idp.issuer}/device with any login (e.g. alice) and any password\n`);
  const stop = async () => {
    await idp.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    process.stderr.write(`server.mjs: ${e.message}\n`);
    process.exit(1);
  });
}
