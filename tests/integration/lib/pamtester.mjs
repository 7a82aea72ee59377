// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Runs the real module through libpam (pam_wrapper + pamtester) against a test provider, and
// what the tests expect of such a login: the PAM verdict, the exit code, the one outcome line.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  mkdirSync, rmdirSync, statSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import {
  SLOW, WRAPPER, killGroup, killOnExit, modulePath, sleep, tempDir, writeConfig,
} from './common.mjs';
import { approve, issuedSecrets } from './provider.mjs';

// The host name the module sees (nss_wrapper answers gethostname with it).
export const HOST = 'pamtest.example';
export const SERVICE = 'pamtest';

// valgrind's error exit code in tests/run-all.sh; its reports are lines starting "==pid==".
const WRAPPER_ERROR_EXIT = 99;
const WRAPPER_REPORT_RE = /^==\d+== .*$/gm;

// pam_strerror texts of Linux-PAM 1.5.2, as pamtester prints them.
export const PAM = {
  SUCCESS: 'successfully authenticated',
  AUTH_ERR: 'Authentication failure',
  MAXTRIES: 'Have exhausted maximum number of retries for service',
  AUTHINFO_UNAVAIL: 'Authentication service cannot retrieve authentication info',
  SERVICE_ERR: 'Error in service module',
  USER_UNKNOWN: 'User not known to the underlying authentication module',
};

/** The settings of a login against idp: public client, no prompt, 30 s; extra on top. */
export function baseConfig(idp, extra = {}) {
  return {
    issuer: idp.issuer,
    client_id: 'pam-test',
    ca_file: idp.caFile ?? undefined,
    prompt: 'none',
    timeout: 30,
    http_timeout: 5,
    ...extra,
  };
}

// stack: the service's lines, "MODULE" standing for the module and its arguments; default one
// "auth required" line.
function writeEnvFiles(dir, service, config, args, stack = ['auth required MODULE']) {
  const svc = join(dir, 'service');
  mkdirSync(svc, { recursive: true });
  const module = `${modulePath} config=${config}${args.length ? ` ${args.join(' ')}` : ''}`;
  writeFileSync(join(svc, service), `${stack.map((l) => l.replace('MODULE', module)).join('\n')}\n`);
  writeFileSync(join(dir, 'passwd'), [
    'root:x:0:0:root:/root:/bin/sh',
    'alice:x:1001:1001:Alice:/home/alice:/bin/sh',
    'bob:x:1002:1002:Bob:/home/bob:/bin/sh',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'group'), 'root:x:0:\nalice:x:1001:\nbob:x:1002:\n');
  return svc;
}

// The outcome line, with or without pam_syslog's "pam_oauth(service:auth): " prefix.
const OUTCOME_RE = /(?:^|\s)service=(\S*) user=(\S*) rhost=(\S*) issuer=(\S*) claim=(\S*) sub=(\S*) result=(\S*) reason=(.*)$/;

export function parseSyslog(stderr) {
  const lines = [];
  for (const line of stderr.split('\n')) {
    const m = line.match(/SYSLOG\((\d+)\): (.*)$/);
    if (m) lines.push({ prio: Number(m[1]), text: m[2] });
  }
  return lines;
}

export function outcomes(syslog) {
  const out = [];
  for (const { prio, text } of syslog) {
    const m = text.match(OUTCOME_RE);
    if (m) {
      out.push({
        prio,
        service: m[1],
        user: m[2],
        rhost: m[3],
        issuer: m[4],
        claim: m[5],
        sub: m[6],
        result: m[7],
        reason: m[8],
      });
    }
  }
  return out;
}

/*
 * pam_wrapper copies each pamtester's service directory into the first /tmp/pam.X it finds
 * free, checking with lstat() before mkdir() and carrying on when mkdir() fails: two pamtesters
 * that start at the same moment can share one directory and read each other's stack (and so
 * talk to each other's provider). So pamtesters start one at a time, across test files too: a
 * lock directory is held from the spawn until pam_wrapper says it is set up, or the process
 * ended. A lock left by a test process that died is broken after STALE_LOCK_MS.
 */
const PWRAP_LOCK = '/tmp/pam-oauth-pam-wrapper-start.lock';
const PWRAP_READY_RE = /pwrap_init: Successfully initialized pam_wrapper/;
const STALE_LOCK_MS = 30000 * SLOW;

async function lockPamWrapperStart() {
  const end = Date.now() + 4 * STALE_LOCK_MS;
  for (;;) {
    try {
      mkdirSync(PWRAP_LOCK);
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    try {
      if (Date.now() - statSync(PWRAP_LOCK).mtimeMs > STALE_LOCK_MS) rmdirSync(PWRAP_LOCK);
    } catch {
      // released meanwhile
    }
    if (Date.now() > end) throw new Error(`${PWRAP_LOCK}: held for too long`);
    await sleep(20);
  }
}

function unlockPamWrapperStart() {
  try {
    rmdirSync(PWRAP_LOCK);
  } catch {
    // broken as stale by another test process
  }
}

/**
 * One login: pamtester authenticate under pam_wrapper and nss_wrapper.
 * opts: config (settings, see writeConfig), configMode, args (extra PAM arguments), user, rhost,
 *   flags (pamtester operation flags, e.g. "PAM_SILENT"), env (extra environment),
 *   preload (shared objects preloaded into pamtester ahead of the wrappers, so they interpose),
 *   launcher (argv that runs the rest, e.g. to hand pamtester an open descriptor),
 *   stack (the service's PAM lines, "MODULE" for the module: see writeEnvFiles),
 *   approveAs (account that approves on seeing the code), deny (abort instead),
 *   approve (async (userCode, { login, deny }): how another provider's pages answer the code;
 *   default: the test provider's, see approve() in provider.mjs),
 *   beforeApprove (async hook awaited before approving), enter ("after-approve": send Enter
 *   once approved; "never": keep stdin open, send nothing; default: close stdin at once),
 *   timeoutMs.
 * Resolves to { exit, signal, stdout, stderr, syslog, outcome, outcomes, elapsedMs, userCode,
 *   approvedAt, enterAt, approveError, startedAt }.
 */
export async function runPam(t, opts) {
  const dir = tempDir();
  const user = opts.user ?? 'alice';
  // Each login caches and counts sign-in requests in directories of its own unless the test
  // shares them: never the host's /var/cache/pam_oauth or /run/pam_oauth.
  const settings = {
    ...opts.config,
    cache_dir: opts.config.cache_dir ?? join(dir, 'cache'),
    rate_limit_dir: opts.config.rate_limit_dir ?? join(dir, 'ratelimit'),
  };
  const config = writeConfig(dir, settings, opts.configMode);
  const svc = writeEnvFiles(dir, SERVICE, config, opts.args ?? [], opts.stack);
  const preload = [process.env.PAM_OAUTH_PRELOAD, ...(opts.preload ?? []), 'libpam_wrapper.so',
    'libnss_wrapper.so'].filter(Boolean).join(':');
  const env = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    ...(process.env.ASAN_OPTIONS ? { ASAN_OPTIONS: process.env.ASAN_OPTIONS } : {}),
    ...(process.env.UBSAN_OPTIONS ? { UBSAN_OPTIONS: process.env.UBSAN_OPTIONS } : {}),
    PAM_PRELOAD: preload,
    PAM_WRAPPER: '1',
    PAM_WRAPPER_SERVICE_DIR: svc,
    PAM_WRAPPER_DEBUGLEVEL: '2',
    NSS_WRAPPER_PASSWD: join(dir, 'passwd'),
    NSS_WRAPPER_GROUP: join(dir, 'group'),
    NSS_WRAPPER_HOSTNAME: HOST,
    ...(opts.env ?? {}),
  };
  const op = opts.flags ? `authenticate(${opts.flags})` : 'authenticate';
  // The wrappers are preloaded into pamtester only: preloaded into stdbuf, or into a wrapper
  // command (valgrind is a shell script, then a dynamic launcher), pam_wrapper would set up (and,
  // at exec, leak) another copy of the service directory in each of them. So the wrapper runs
  // the preloading shell and must follow its exec (valgrind: --trace-children=yes).
  const argv = ['-o0', ...WRAPPER, ...(opts.launcher ?? []), 'sh', '-c',
    'LD_PRELOAD="$PAM_PRELOAD${LD_PRELOAD:+:$LD_PRELOAD}" exec "$@"',
    'sh', 'pamtester', '-v', ...(opts.rhost ? ['-I', `rhost=${opts.rhost}`] : []),
    SERVICE, user, op];

  const r = {
    stdout: '', stderr: '', userCode: null, approvedAt: null, enterAt: null, approveError: null,
  };
  await lockPamWrapperStart();
  let locked = true;
  const unlock = () => {
    if (locked) unlockPamWrapperStart();
    locked = false;
  };
  r.startedAt = Date.now();
  const child = spawn('stdbuf', argv, { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  child.on('close', unlock);
  child.on('error', unlock);
  const forget = killOnExit(child);
  t.after(() => killGroup(child));
  child.stdin.on('error', () => {}); // the module may exit before we write
  if (!opts.enter) child.stdin.end();

  let approving = null;
  const onOutput = () => {
    if (r.userCode) return;
    const m = `${r.stdout}\n${r.stderr}`.match(/\bCode:\s+([A-Za-z0-9-]+)/);
    if (!m) return;
    [, r.userCode] = m;
    if (!opts.approveAs && !opts.deny) return;
    approving = (async () => {
      if (opts.beforeApprove) await opts.beforeApprove(r);
      const answer = opts.approve ?? ((code, how) => approve(opts.idp, code, how));
      await answer(r.userCode, { login: opts.approveAs ?? 'alice', deny: !!opts.deny });
      r.approvedAt = Date.now();
      if (opts.enter === 'after-approve') {
        r.enterAt = Date.now();
        child.stdin.end('\n');
      }
    })().catch((e) => {
      r.approveError = e;
    });
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    r.stdout += d;
    onOutput();
  });
  child.stderr.on('data', (d) => {
    r.stderr += d;
    if (locked && PWRAP_READY_RE.test(r.stderr)) unlock();
    onOutput();
  });

  const timeoutMs = (opts.timeoutMs ?? 45000) * SLOW;
  const timer = setTimeout(() => killGroup(child), timeoutMs);
  const [exit, signal] = await new Promise((res) => {
    child.on('close', (code, sig) => res([code, sig]));
  });
  clearTimeout(timer);
  forget();
  killGroup(child); // anything it left behind in its group
  if (approving) await approving;
  r.exit = exit;
  r.signal = signal;
  r.elapsedMs = Date.now() - r.startedAt;
  r.syslog = parseSyslog(r.stderr);
  r.outcomes = outcomes(r.syslog);
  r.outcome = r.outcomes[r.outcomes.length - 1] ?? null;
  if (signal) r.killed = `pamtester killed by ${signal} after ${r.elapsedMs} ms (timeout ${timeoutMs})`;
  // Whatever the test expects of the login, a memory error or leak fails it.
  const report = WRAPPER.length ? r.stderr.match(WRAPPER_REPORT_RE) : null;
  if (report || (WRAPPER.length && exit === WRAPPER_ERROR_EXIT)) {
    throw new Error(`${WRAPPER[0]} reported errors (exit ${exit}):\n${(report ?? []).join('\n')}`);
  }
  return r;
}

// pamtester's verdict: "successfully authenticated" (printed on stdout) or a pam_strerror
// text (on stderr).
export function verdict(r) {
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.startsWith('pamtester: ')
    && !/invoking pam_start|performing operation/.test(l));
  return lines.length ? lines[lines.length - 1].slice('pamtester: '.length).trim() : null;
}

// Everything the person saw (info on stdout, prompts and errors on stderr), wrapper noise removed.
export function screen(r) {
  const err = r.stderr.split('\n').filter((l) => !/^PWRAP_|SYSLOG\(/.test(l)).join('\n');
  return `${r.stdout}\n${err}`;
}

/** The secrets server handed out that appear in pamtester's output. */
export function leaks(server, r) {
  const all = `${r.stdout}\n${r.stderr}`;
  return issuedSecrets(server).filter((s) => all.includes(s));
}

/** A readable dump for assertion messages. */
export function dump(r) {
  return `\n--- exit ${r.exit} signal ${r.signal} elapsed ${r.elapsedMs} ms`
    + `${r.approveError ? `\n--- approve error: ${r.approveError.message}` : ''}`
    + `\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/**
 * Asserts the verdict, exit code and the outcome line. want: { verdict, result, user, claim,
 * sub, rhost, issuer, reason (RegExp) }; unspecified fields are not checked.
 */
export function expectOutcome(r, want) {
  const d = dump(r);
  assert.equal(r.signal, null, `pamtester was killed${d}`);
  assert.equal(r.approveError, null, `approval failed${d}`);
  assert.equal(verdict(r), want.verdict, `PAM verdict${d}`);
  assert.equal(r.exit, want.verdict === PAM.SUCCESS ? 0 : 1, `exit code${d}`);
  assert.equal(r.outcomes.length, 1, `exactly one outcome line expected${d}`);
  const o = r.outcome;
  assert.equal(o.service, SERVICE, `outcome service${d}`);
  assert.equal(o.result, want.result, `outcome result${d}`);
  for (const k of ['user', 'claim', 'sub', 'rhost', 'issuer']) {
    if (want[k] !== undefined) assert.equal(o[k], want[k], `outcome ${k}${d}`);
  }
  if (want.reason) assert.match(o.reason, want.reason, `outcome reason${d}`);
  return o;
}

export function expectNoLeaks(server, r) {
  const found = leaks(server, r);
  assert.deepEqual(found.map((s) => `${s.slice(0, 6)}… (${s.length} chars)`), [],
    `secret values in pamtester's output${dump(r)}`);
}
