// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// What every integration test needs: where things are, how slow this run is, clean-up of what a
// test process leaves behind, waiting, free ports and reading QR codes off a screen.

import {
  chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { qrArt } from '../../tools/qr-decode.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const srcdir = resolve(process.env.top_srcdir ?? join(here, '..', '..', '..'));
export const builddir = resolve(process.env.top_builddir ?? srcdir);
export const modulePath = resolve(process.env.PAM_OAUTH_MODULE
  ?? join(builddir, '.libs', 'pam_oauth.so'));

// A command run around pamtester (e.g. valgrind, see tests/run-all.sh); it must follow exec.
export const WRAPPER = (process.env.PAM_OAUTH_WRAPPER ?? '').split(/\s+/).filter(Boolean);

// Under valgrind or a sanitizer everything is slower: stretch upper time bounds, never lower ones.
export const SLOW = WRAPPER.length ? 4 : 1;

// Why the tests that load the module cannot run, or false.
export const skip = existsSync(modulePath) ? false : `module not built: ${modulePath}`;

const groups = new Set(); // process groups still alive, killed on exit whatever happens
const tempDirs = new Set();

export function killGroup(child, signal = 'SIGKILL') {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Kills child's process group when this test process exits, however it exits; returns forget(). */
export function killOnExit(child) {
  groups.add(child);
  return () => groups.delete(child);
}

process.on('exit', () => {
  for (const c of groups) killGroup(c);
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});
// A signal would skip the exit handler and leave pamtester (or a namespace) running.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(1));

/** A directory below parent ($TMPDIR unless given), removed when the test process exits. */
export function tempDir(prefix = 'pam-oauth-it-', parent = tmpdir()) {
  const d = mkdtempSync(join(parent, prefix));
  tempDirs.add(d);
  return d;
}

/**
 * Writes dir/pam_oauth.conf: a line "key = value" for each setting (undefined and null left
 * out); a setting whose value is an object is a service section, [key] with its own lines, after
 * the others. mode: 0600 when it holds a client secret (the module refuses it otherwise).
 */
export function writeConfig(dir, settings, mode = settings.client_secret ? 0o600 : 0o644) {
  const path = join(dir, 'pam_oauth.conf');
  const lines = (o) => Object.entries(o)
    .filter(([, v]) => v !== undefined && v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k} = ${v}`);
  const sections = Object.entries(settings).filter(([, v]) => v !== null && typeof v === 'object')
    .map(([name, keys]) => [`[${name}]`, ...lines(keys)].join('\n'));
  writeFileSync(path, `# written by the integration tests\n${[...lines(settings), ...sections]
    .join('\n')}\n`, { mode });
  chmodSync(path, mode); // an existing file keeps its mode through writeFileSync
  return path;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Polls fn (which may be async) until it returns something truthy, and returns that; what names
 * the awaited thing in the error thrown after timeoutMs.
 */
export async function waitFor(what, fn, timeoutMs = 30000, stepMs = 100) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

/**
 * A port nothing listens on (bind, note, close): for a server of the test to take, or to stand
 * for a provider that is down.
 */
export function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

// The one QR decoder, also run by hand on a capture: decodeQr(text) finds the first code drawn
// in UTF-8 half blocks or ASCII '#' and returns { text, style, how } (text null: none decoded).
export { decodeQr } from '../../tools/qr-decode.mjs';

// Five lines of block or '#' art already look like a QR code to a person, decodable or not.
export function hasQrArt(text) {
  return qrArt(text).some((b) => b.lines.length >= 5);
}
