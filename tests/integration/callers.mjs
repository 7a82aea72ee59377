// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Helpers for the tests with the real callers (sshd, sudo): a private copy of the machine's
// accounts and PAM files, a syslog socket, a namespace launcher and a tmux-driven terminal.

import { execFile, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const top = resolve(process.env.top_srcdir ?? join(here, '..', '..'));
export const nsRun = join(here, 'ns-run.sh');
export const qrDecode = join(top, 'tests', 'tools', 'qr-decode.mjs');

// Test accounts: ids far from what Debian hands out, so they never collide with real ones.
export const USERS = { alice: 23001, bob: 23002 };

// The test provider and approver (tests/idp); run.sh installs them with their packages in the
// build tree and says where in PAM_OAUTH_IDP_DIR.
export async function loadIdp() {
  const dir = resolve(process.env.PAM_OAUTH_IDP_DIR ?? join(top, 'tests', 'idp'));
  const server = await import(pathToFileURL(join(dir, 'server.mjs')).href);
  const approver = await import(pathToFileURL(join(dir, 'approve.mjs')).href);
  return { startProvider: server.startProvider, approve: approver.approve };
}

export function modulePath() {
  return resolve(process.env.PAM_OAUTH_MODULE ?? join(top, 'build', '.libs', 'pam_oauth.so'));
}

// Why these tests cannot run here, or null. CI runs them as root with the packages installed.
export function skipReason(programs) {
  if (process.getuid() !== 0) return 'needs root (namespaces, bind mounts, sshd, sudo)';
  if (process.env.PAM_OAUTH_PRELOAD) {
    return 'sanitizer build: the real callers cannot load the ASan runtime (sudo is setuid)';
  }
  if (!existsSync(modulePath())) return `module not built: ${modulePath()}`;
  for (const p of ['unshare', 'tmux', 'zbarimg', ...programs]) {
    const found = p.startsWith('/') ? existsSync(p)
      : spawnSync('sh', ['-c', `command -v ${p}`]).status === 0;
    if (!found) return `${p} is not installed (tests/setup-debian.sh installs it)`;
  }
  return null;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function run(cmd, args, opts = {}) {
  return new Promise((res, rej) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: 20000, ...opts }, (err, stdout, stderr) => {
      if (err) {
        err.message += `\n${stderr}`;
        rej(err);
      } else {
        res(stdout);
      }
    });
  });
}

export function shellQuote(args) {
  return args.map((a) => `'${String(a).replace(/'/g, "'\\''")}'`).join(' ');
}

// The example stack with only the module's path changed; fails when the example lost the line.
export function adaptStack(name, module, edit = (s) => s) {
  const text = readFileSync(join(top, 'examples', 'pam.d', name), 'utf8');
  const lines = text.split('\n').filter((l) => /^\s*auth\b.*\bpam_oauth\.so\b/.test(l));
  if (lines.length !== 1) throw new Error(`examples/pam.d/${name}: expected one pam_oauth line`);
  return edit(text.replace(/(^\s*auth\b.*?)\bpam_oauth\.so\b/m, `$1${module}`));
}

function appendAccounts(root, users) {
  const add = (file, line) => writeFileSync(file, readFileSync(file, 'utf8').replace(/\n?$/, '\n') + line);
  for (const [name, uid] of Object.entries(users)) {
    const home = join(root, 'home', name);
    add(join(root, 'etc', 'passwd'), `${name}:x:${uid}:${uid}:${name}:${home}:/bin/sh\n`);
    add(join(root, 'etc', 'group'), `${name}:x:${uid}:\n`);
    // No password: only pam_oauth can let these accounts in.
    add(join(root, 'etc', 'shadow'), `${name}:*:19000:0:99999:7:::\n`);
    mkdirSync(join(root, 'home'), { recursive: true, mode: 0o755 });
    mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    chmodSync(home, 0o755);
    chownSync(home, uid, uid);
    chownSync(join(home, '.ssh'), uid, uid);
  }
}

/**
 * A private machine root: copies of /etc/passwd, shadow, group, pam.d, security with the test
 * accounts, the examples' stacks (module path adapted) and pam_oauth.conf; an empty dev/.
 * stacks: { service: text }. wholeEtc: copy all of /etc (cp -a: owners and modes kept) for
 * ns-run.sh --whole-etc, so that nothing run in the namespace can create a file in the real /etc.
 * Returns { dir, wholeEtc, writeConfig(text), writeStack(service, text) }.
 */
export function makeRoot({ stacks, sudoers = null, users = USERS, wholeEtc = false }) {
  // In /tmp itself, not $TMPDIR: run.sh's TMPDIR is private (0700), but sshd reads
  // authorized_keys as the test user, who must reach their home below this directory.
  const dir = mkdtempSync(join('/tmp', 'pam-oauth-callers-'));
  chmodSync(dir, 0o755);
  const etc = join(dir, 'etc');
  mkdirSync(join(dir, 'dev'));
  if (wholeEtc) {
    const r = spawnSync('cp', ['-a', '/etc', etc], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cp -a /etc ${etc} failed: ${r.stderr}`);
  } else {
    mkdirSync(etc);
    for (const f of ['passwd', 'shadow', 'group']) cpSync(`/etc/${f}`, join(etc, f));
    chmodSync(join(etc, 'shadow'), 0o640);
    for (const d of ['pam.d', 'security']) {
      cpSync(`/etc/${d}`, join(etc, d), { recursive: true, verbatimSymlinks: true });
    }
  }
  appendAccounts(dir, users);
  const root = {
    dir,
    wholeEtc,
    writeStack(service, text) {
      writeFileSync(join(etc, 'pam.d', service), text, { mode: 0o644 });
    },
    // The discovery and key cache goes to the namespace's own /run (a tmpfs), never to the
    // machine's /var/cache/pam_oauth, unless the test names a cache_dir itself.
    writeConfig(text) {
      const cache = /^\s*cache_dir\s*=/m.test(text) ? '' : 'cache_dir = /run/pam_oauth\n';
      writeFileSync(join(etc, 'security', 'pam_oauth.conf'), `${text.replace(/\n?$/, '\n')}${cache}`,
        { mode: 0o644 });
      chmodSync(join(etc, 'security', 'pam_oauth.conf'), 0o644);
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const [service, text] of Object.entries(stacks)) root.writeStack(service, text);
  if (sudoers !== null) {
    writeFileSync(join(etc, 'sudoers'), sudoers, { mode: 0o440 });
    chmodSync(join(etc, 'sudoers'), 0o440);
  }
  return root;
}

// Gives a test account a password in root's shadow copy (SHA-512 crypt from openssl passwd -6),
// for the stacks that ask for a password before or instead of the device approval.
export function setPassword(root, user, password) {
  const r = spawnSync('openssl', ['passwd', '-6', '-stdin'],
    { input: `${password}\n`, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl passwd failed: ${r.stderr}`);
  const hash = r.stdout.trim();
  const file = join(root.dir, 'etc', 'shadow');
  const re = new RegExp(`^${user}:[^:]*:`, 'm');
  const text = readFileSync(file, 'utf8');
  if (!re.test(text)) throw new Error(`no shadow entry for ${user}`);
  writeFileSync(file, text.replace(re, () => `${user}:${hash}:`));
}

// The command line that runs cmd inside fresh mount and PID namespaces over root.
export function nsCommand(root, cmd) {
  return ['unshare', '--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child',
    '--mount-proc', 'sh', nsRun, ...(root.wholeEtc ? ['--whole-etc'] : []), root.dir, ...cmd];
}

/**
 * Listens on root/dev/log (seen as /dev/log in the namespace) like syslogd. glibc falls back to
 * a stream socket when a datagram connect fails, ending each message with a NUL.
 */
export async function startSyslog(root) {
  const path = join(root.dir, 'dev', 'log');
  const lines = [];
  const server = net.createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (d) => {
      buf += d;
      const parts = buf.split(/\0|\n/);
      buf = parts.pop();
      for (const p of parts) if (p) lines.push(p);
    });
    sock.on('error', () => {});
  });
  await new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(path, res);
  });
  chmodSync(path, 0o666);
  return {
    lines,
    // Lines of the module's outcome log ("service=... result=...").
    outcomes: () => lines.filter((l) => /pam_oauth.*service=\S+ user=/.test(l)),
    close: () => new Promise((res) => server.close(() => res())),
  };
}

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

export async function waitFor(what, fn, timeoutMs, stepMs = 100) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(stepMs);
  }
}

/** A tmux server of its own with one window per test; panes stay after their program ends. */
export class Terminal {
  constructor(dir, { width = 80, height = 24 } = {}) {
    this.sock = join(dir, 'tmux.sock');
    this.conf = join(dir, 'tmux.conf');
    this.width = width;
    this.height = height;
    this.env = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TERM: 'xterm-256color' };
    writeFileSync(this.conf, 'set -g remain-on-exit on\nset -g history-limit 10000\n'
      + 'set -g status off\n');
  }

  tmux(...args) {
    return run('tmux', ['-u', '-S', this.sock, '-f', this.conf, ...args], { env: this.env });
  }

  // Runs argv in a new pane; its exit status then shows as "[exit N]" and the pane stays (tmux
  // 3.3a sometimes leaves a finished pane unreaped, so pane_dead cannot be relied on).
  async start(name, argv) {
    const cmd = `${shellQuote(argv)}; echo "[exit $?]"; exec sleep 86400`;
    await this.tmux('new-session', '-d', '-s', name, '-x', String(this.width), '-y',
      String(this.height), shellQuote(['sh', '-c', cmd]));
    return name;
  }

  // The whole pane with its history, wrapped lines joined, trailing blank lines dropped.
  async capture(name) {
    const out = await this.tmux('capture-pane', '-p', '-J', '-S', '-', '-E', '-', '-t', name);
    return out.replace(/\s+$/, '');
  }

  // What the person saw: the capture without the exit marker.
  async transcript(name) {
    return (await this.capture(name)).replace(/\n?\[exit \d+\]$/, '');
  }

  // Only what a 80x24 screen shows at this moment.
  async screen(name) {
    return (await this.tmux('capture-pane', '-p', '-t', name)).replace(/\s+$/, '');
  }

  async waitText(name, re, timeoutMs = 20000) {
    let last = '';
    try {
      return await waitFor(`${re} in pane ${name}`, async () => {
        last = await this.capture(name);
        if (re.test(last)) return last;
        if (/^\[exit \d+\]$/m.test(last)) throw new Error(`pane ${name} ended before ${re}`);
        return null;
      }, timeoutMs, 150);
    } catch (e) {
      e.message += `\n--- pane ${name}:\n${last}`;
      throw e;
    }
  }

  async status(name) {
    const m = (await this.capture(name)).match(/^\[exit (\d+)\]$/m);
    return m ? Number(m[1]) : null;
  }

  async waitExit(name, timeoutMs = 30000) {
    const screen = await this.waitText(name, /^\[exit \d+\]$/m, timeoutMs);
    return { status: Number(screen.match(/^\[exit (\d+)\]$/m)[1]), screen };
  }

  sendKeys(name, ...keys) {
    return this.tmux('send-keys', '-t', name, ...keys);
  }

  async killPane(name) {
    await this.tmux('kill-session', '-t', name).catch(() => {});
  }

  async close() {
    await this.tmux('kill-server').catch(() => {});
  }
}

// Decodes the QR code in captured terminal text with tests/tools/qr-decode.mjs.
export function decodeQr(text) {
  const r = spawnSync(process.execPath, [qrDecode, '-v'], { input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`qr-decode failed (${r.status}): ${r.stderr}`);
  return { text: r.stdout.replace(/\n$/, ''), how: r.stderr.trim() };
}

/** Starts a detached process group; kill() ends the whole group (the namespace dies with it). */
export function startDaemon(argv, logFile) {
  const out = { text: '' };
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const onData = (d) => {
    out.text += d.toString();
    if (logFile) writeFileSync(logFile, out.text);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((res) => child.once('exit', (code, sig) => res({ code, sig })));
  return {
    child,
    out,
    exited,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch { /* gone */ }
      }, 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

export const hostName = () => readFileSync('/proc/sys/kernel/hostname', 'utf8').trim();

export function tokenPolls(idp) {
  return idp.log.filter((e) => e.method === 'POST' && e.path === '/token');
}

export function deviceCodes(idp) {
  return idp.log.filter((e) => e.path === '/device/auth' && e.status === 200);
}

export function userCodeOf(screen) {
  const m = [...screen.matchAll(/^Code: (\S+)\s*$/gm)];
  return m.length ? m[m.length - 1][1] : null;
}

/**
 * Stops what a caller test started, in order (terminal, daemon, syslog, provider), keeps the
 * terminal captures when PAM_OAUTH_KEEP_CAPTURES names a directory, and removes the root.
 * parts: { term, daemon, syslog, idp, root, captures }; any may be missing.
 */
export async function teardown({ term, daemon, syslog, idp, root, captures = {} }) {
  if (process.env.PAM_OAUTH_TEST_DEBUG) {
    const daemonText = daemon ? `--- daemon:\n${daemon.out.text}\n` : '';
    process.stderr.write(`${daemonText}--- syslog:\n${syslog?.lines.join('\n')}\n`);
  }
  await term?.close();
  await daemon?.kill();
  await syslog?.close();
  await idp?.close();
  if (process.env.PAM_OAUTH_KEEP_CAPTURES) {
    for (const [name, text] of Object.entries(captures)) {
      writeFileSync(join(process.env.PAM_OAUTH_KEEP_CAPTURES, `${name}.txt`), `${text}\n`);
    }
  }
  root?.cleanup();
}

export { sleep };
