// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Approves (or denies) a device login through oidc-provider's own pages, as a browser would.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pathToFileURL } from 'node:url';

const MAX_STEPS = 20; // redirects + form posts of one approval; the real flow needs about 10

// A browser's cookies, for one session (also Glewlwyd's pages: tests/idp/glewlwyd.mjs).
export class CookieJar {
  constructor() {
    this.cookies = new Map();
  }

  store(setCookie) {
    for (const line of setCookie ?? []) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

function request(url, { method = 'GET', form = null, jar, ca }) {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  const body = form ? new URLSearchParams(form).toString() : null;
  const headers = { accept: 'text/html', cookie: jar.header() };
  if (body !== null) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['content-length'] = Buffer.byteLength(body);
  }
  return new Promise((resolve, reject) => {
    const req = mod.request(u, { method, headers, ca, timeout: 10000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        jar.store(res.headers['set-cookie']);
        resolve({
          status: res.statusCode,
          location: res.headers.location ? new URL(res.headers.location, u).href : null,
          body: Buffer.concat(chunks).toString(),
          url: u.href,
        });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${u.pathname}`)));
    req.on('error', reject);
    if (body !== null) req.write(body);
    req.end();
  });
}

function decodeEntities(s) {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function attr(tag, name) {
  const m = tag.match(new RegExp(`\\b${name}="([^"]*)"`));
  return m ? decodeEntities(m[1]) : null;
}

// The first POST form of a page: its action and hidden/prefilled fields.
function parseForm(page) {
  const m = page.body.match(/<form\b([^>]*)>([\s\S]*?)<\/form>/);
  if (!m) return null;
  const fields = {};
  for (const input of m[2].match(/<input\b[^>]*>/g) ?? []) {
    const name = attr(input, 'name');
    if (name) fields[name] = attr(input, 'value') ?? '';
  }
  return { action: new URL(attr(m[1], 'action') ?? page.url, page.url).href, fields };
}

function pageTitle(page) {
  const m = page.body.match(/<title>([^<]*)<\/title>/);
  return m ? m[1].trim() : '';
}

async function follow(page, ctx) {
  let p = page;
  while (p.status >= 300 && p.status < 400 && p.location) {
    ctx.steps += 1;
    if (ctx.steps > MAX_STEPS) throw new Error('approve: too many steps');
    p = await request(p.location, { jar: ctx.jar, ca: ctx.ca });
  }
  return p;
}

async function submit(page, extra, ctx) {
  const form = parseForm(page);
  if (!form) throw new Error(`approve: no form on page "${pageTitle(page)}" (${page.status})`);
  ctx.steps += 1;
  const res = await request(form.action, {
    method: 'POST', form: { ...form.fields, ...extra }, jar: ctx.jar, ca: ctx.ca,
  });
  return follow(res, ctx);
}

/**
 * Drives the verification pages. opts: baseUrl (issuer), userCode, login (account id),
 * deny (abort instead of confirming), ca (PEM string/Buffer for https).
 * Resolves to { ok: true, title } after the success page (or the abort page when deny).
 */
export async function approve({ baseUrl, userCode, login = 'alice', deny = false, ca }) {
  const ctx = { jar: new CookieJar(), ca, steps: 0 };
  const base = baseUrl.replace(/\/+$/, '');
  let page = await follow(await request(`${base}/device`, { jar: ctx.jar, ca }), ctx);
  page = await submit(page, { user_code: userCode }, ctx);
  if (!/confirm/i.test(pageTitle(page)) || !parseForm(page)?.fields.confirm) {
    throw new Error(`approve: code ${userCode} not accepted (page "${pageTitle(page)}")`);
  }
  if (deny) {
    page = await submit(page, { abort: 'yes' }, ctx);
    return { ok: true, denied: true, title: pageTitle(page) };
  }
  page = await submit(page, { confirm: 'yes' }, ctx);
  for (let i = 0; i < 3 && parseForm(page)?.fields.prompt; i += 1) {
    const { prompt } = parseForm(page).fields;
    if (prompt === 'login') page = await submit(page, { login, password: 'any' }, ctx);
    else if (prompt === 'consent') page = await submit(page, {}, ctx);
    else throw new Error(`approve: unexpected prompt ${prompt}`);
  }
  const title = pageTitle(page);
  if (!/success/i.test(title)) {
    throw new Error(`approve: ended on "${title}" (${page.status}) instead of the success page`);
  }
  return { ok: true, denied: false, title };
}

async function main() {
  const args = { deny: false, login: 'alice' };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '--deny') args.deny = true;
    else if (a === '--login') args.login = argv[++i];
    else if (a === '--ca') args.ca = readFileSync(argv[++i]);
    else if (!args.baseUrl) args.baseUrl = a;
    else if (!args.userCode) args.userCode = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!args.baseUrl || !args.userCode) {
    throw new Error('usage: approve.mjs ISSUER_URL USER_CODE [--login ID] [--deny] [--ca FILE]');
  }
  const r = await approve(args);
  process.stdout.write(`${r.denied ? 'denied' : 'approved'} ${args.userCode}`
    + `${r.denied ? '' : ` as ${args.login}`}: ${r.title}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
}
