// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// The tests with the real callers (sshd, sudo, su): a private copy of the machine's accounts and
// PAM files, private mount and PID namespaces over it (ns-run.sh), a syslog socket, a
// tmux-driven terminal, and callerMachine(), which sets all of that up for a suite.

import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync,
  statSync, writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  killOnExit, modulePath, srcdir, tempDir, waitFor, writeConfig,
} from './common.mjs';
import { startProvider } from './provider.mjs';

const nsRun = join(dirname(fileURLToPath(import.meta.url)), '..', 'ns-run.sh');

// Test accounts: ids far from what Debian hands out, so they never collide with real ones.
export const USERS = { alice: 23001, bob: 23002 };

// Why these tests cannot run here, or false. CI runs them as root with the packages installed.
export function callerSkip(programs) {
  if (process.getuid() !== 0) return 'needs root (namespaces, bind mounts, sshd, sudo)';
  if (process.env.PAM_OAUTH_PRELOAD) {
    return 'sanitizer build: the real callers cannot load the ASan runtime (sudo is setuid)';
  }
  if (!existsSync(modulePath)) return `module not built: ${modulePath}`;
  for (const p of ['unshare', 'tmux', 'zbarimg', ...programs]) {
    const found = p.startsWith('/') ? existsSync(p)
      : spawnSync('sh', ['-c', `command -v ${p}`]).status === 0;
    if (!found) return `${p} is not installed (tests/setup-debian.sh installs it)`;
  }
  return false;
}

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

function shellQuote(args) {
  return args.map((a) => `'${String(a).replace(/'/g, "'\\''")}'`).join(' ');
}

// The example stack with only the module's path changed; fails when the example lost the line.
export function adaptStack(name, edit = (s) => s) {
  const text = readFileSync(join(srcdir, 'examples', 'pam.d', name), 'utf8');
  const lines = text.split('\n').filter((l) => /^\s*auth\b.*\bpam_oauth\.so\b/.test(l));
  if (lines.length !== 1) throw new Error(`examples/pam.d/${name}: expected one pam_oauth line`);
  return edit(text.replace(/(^\s*auth\b.*?)\bpam_oauth\.so\b/m, `$1${modulePath}`));
}

// sudoers for the sudo tests: alice may run anything as root once authenticated. defaults: more
// "Defaults" settings.
export function sudoers(...defaults) {
  return ['env_reset', 'lecture=never', '!fqdn', ...defaults].map((d) => `Defaults ${d}\n`).join('')
    + 'root ALL=(ALL:ALL) ALL\nalice ALL=(ALL:ALL) ALL\n';
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
 * accounts, the given stacks and sudoers; an empty dev/. stacks: { service: text }. wholeEtc:
 * copy all of /etc (cp -a: owners and modes kept) for ns-run.sh --whole-etc, so that nothing run
 * in the namespace can create a file in the real /etc.
 * Returns { dir, wholeEtc, writeConfig(settings, mode), writeStack(service, text), cleanup() }.
 */
function makeRoot({ stacks = {}, sudoers: sudoersText = null, users = USERS, wholeEtc = false }) {
  // In /tmp itself, not $TMPDIR: run.sh's TMPDIR is private (0700), but sshd reads
  // authorized_keys as the test user, who must reach their home below this directory. Removed
  // at teardown, or when the test process exits whatever way (run.sh removes only its TMPDIR).
  const dir = tempDir('pam-oauth-callers-', '/tmp');
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
    writeConfig(settings, mode) {
      writeConfig(join(etc, 'security'), { cache_dir: '/run/pam_oauth', ...settings }, mode);
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const [service, text] of Object.entries(stacks)) root.writeStack(service, text);
  if (sudoersText !== null) {
    writeFileSync(join(etc, 'sudoers'), sudoersText, { mode: 0o440 });
    chmodSync(join(etc, 'sudoers'), 0o440);
  }
  return root;
}

// Gives a test account a password in root's shadow copy (SHA-512 crypt from openssl passwd -6),
// for the stacks that ask for a password before or instead of the device approval.
function setPassword(root, user, password) {
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

// The command line that runs cmd inside fresh mount and PID namespaces over root. ns-run.sh
// mounts over /etc, /dev and /run: it must never run outside such a namespace (it checks).
function nsCommand(root, cmd) {
  return ['unshare', '--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child',
    '--mount-proc', 'sh', nsRun, ...(root.wholeEtc ? ['--whole-etc'] : []), root.dir, ...cmd];
}

/**
 * Listens on root/dev/log (seen as /dev/log in the namespace) like syslogd. glibc falls back to
 * a stream socket when a datagram connect fails, ending each message with a NUL.
 */
async function startSyslog(root) {
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

  // The exit status and the whole pane (as capture() gives it) once the program ended.
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

/** Starts a detached process group; kill() ends the whole group (the namespace dies with it). */
function startDaemon(argv, logFile) {
  const out = { text: '' };
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const forget = killOnExit(child);
  const onData = (d) => {
    out.text += d.toString();
    if (logFile) writeFileSync(logFile, out.text);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((res) => child.once('exit', (code, sig) => res({ code, sig })));
  exited.then(forget);
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

// The machine's host name, as the module inside the namespace sees it.
export const hostName = () => readFileSync('/proc/sys/kernel/hostname', 'utf8').trim();

// The last user code on a screen.
export function userCodeOf(screen) {
  const m = [...screen.matchAll(/^Code: (\S+)\s*$/gm)];
  return m.length ? m[m.length - 1][1] : null;
}

/**
 * Stops what the machine started, in order (terminal, daemons, syslog, provider), keeps the
 * terminal captures when PAM_OAUTH_KEEP_CAPTURES names a directory, and removes the root.
 * Anything not started yet (a before() that failed) is passed over.
 */
async function teardown({ term, daemons, syslog, idp, root, captures }) {
  if (process.env.PAM_OAUTH_TEST_DEBUG) {
    const daemonText = daemons.map((d) => `--- daemon:\n${d.out.text}\n`).join('');
    process.stderr.write(`${daemonText}--- syslog:\n${syslog?.lines.join('\n')}\n`);
  }
  await term?.close();
  for (const d of daemons) await d.kill();
  await syslog?.close();
  await idp?.close();
  if (process.env.PAM_OAUTH_KEEP_CAPTURES) {
    for (const [name, text] of Object.entries(captures)) {
      writeFileSync(join(process.env.PAM_OAUTH_KEEP_CAPTURES, `${name}.txt`), `${text}\n`);
    }
  }
  root?.cleanup();
}

/**
 * The machine a suite of caller tests runs on, set up in a before() hook and torn down in an
 * after() hook of the describe() it is called in; its fields are there from then on, and a
 * before() the suite adds later may build on them.
 * opts: stacks, sudoers, users, wholeEtc (the private root, see makeRoot); passwords
 *   ({ user: password } in its shadow copy); provider (startProvider's opts, e.g. { https }).
 * The machine: idp, root, syslog, term, captures ({ name: text } kept on request, see
 *   teardown) and
 *   configure(settings, mode): the module's configuration, defaults: this provider, the public
 *     client, timeout 30 (written once at the start);
 *   ns(argv): the command line that runs argv in the namespaces;
 *   start(name, argv): argv in the namespaces on a new terminal pane;
 *   run(argv, opts): argv in the namespaces to its end, resolving to its output (see run());
 *   daemon(argv, logFile): a daemon in the namespaces, stopped at teardown;
 *   sudo(name): alice runs a command with sudo on a new pane (see below);
 *   outcomes(): the module's outcome lines so far.
 */
export function callerMachine(opts = {}) {
  const m = {
    captures: {},
    daemons: [],
    configure(settings = {}, mode = undefined) {
      m.root.writeConfig({
        issuer: m.idp.issuer,
        client_id: 'pam-test',
        ca_file: m.idp.caFile ?? undefined,
        timeout: 30,
        // A caller test logs alice in from one address more often than a person would; the
        // abuse limits have tests of their own, which turn them on.
        rate_limit: 'off',
        rate_limit_rhost: 'off',
        ...settings,
      }, mode);
    },
    ns: (argv) => nsCommand(m.root, argv),
    start: (name, argv) => m.term.start(name, m.ns(argv)),
    run(argv, runOpts) {
      const cmd = m.ns(argv);
      return run(cmd[0], cmd.slice(1), runOpts);
    },
    daemon(argv, logFile) {
      const d = startDaemon(m.ns(argv), logFile);
      m.daemons.push(d);
      return d;
    },
    // alice runs "sudo sh -c 'id -u; touch MARK'" on the pane's terminal; returns MARK, which
    // exists once the command ran as root.
    async sudo(name) {
      const mark = join(m.root.dir, `ran-${name}`);
      await m.start(name, ['runuser', '-u', 'alice', '--', 'sudo', '--',
        'sh', '-c', `id -u; touch ${mark}`]);
      return mark;
    },
    outcomes: () => m.syslog.outcomes(),
  };

  before(async () => {
    m.idp = await startProvider(opts.provider);
    m.root = makeRoot(opts);
    for (const [user, password] of Object.entries(opts.passwords ?? {})) {
      setPassword(m.root, user, password);
    }
    m.syslog = await startSyslog(m.root);
    m.term = new Terminal(m.root.dir);
    m.configure();
    if (m.root.wholeEtc) {
      // The guard: inside the namespace /etc must be the copy, or nothing may run there (a
      // program that creates a file in /etc would create it in the machine's).
      const inside = (await m.run(['stat', '-c', '%d:%i', '/etc'])).trim();
      const copy = statSync(join(m.root.dir, 'etc'));
      assert.equal(inside, `${copy.dev}:${copy.ino}`, 'the namespace /etc is the copy');
    }
  });

  after(() => teardown(m));
  return m;
}
