// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Debian's real setuid programs (su, chsh, chfn) with the module in common-auth, run by an
// unprivileged user who controls their environment, umask and descriptors. The module runs with
// root's effective uid inside them, so nothing in the caller's environment may make it, or a
// library it calls, open or create a file, load code, or change where or how it connects.
// Debian 12's libcurl reads SSLKEYLOGFILE with getenv() in curl_global_init and appends to that
// path as root, mode 0666 & ~umask, without close-on-exec: /etc/ld.so.preload would be created
// world-writable, and the shell su starts would inherit a descriptor to /etc/passwd.
//
// Everything runs in private mount and PID namespaces over a copy of the whole /etc (ns-run.sh
// --whole-etc), so a path such as /etc/ld.so.preload only ever reaches the copy; a check before
// the first login proves the namespace's /etc is that copy. The module enters common-auth through
// the real pam-auth-update, run in the namespace on copies of its state and profiles.

import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import {
  chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync,
  rmSync, statSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  USERS, approve, callerMachine, callerSkip, freePort, modulePath, requests, srcdir, userCodeOf,
} from './lib/index.mjs';

const PASSWORD = 'Alice4su';
const ASKED = /Passwor[dt]:\s*$/; // pam_unix's prompt, also under the German locale
const PROMPT = /Press Enter once you have approved the login:\s*$/;
// What the shell su starts runs: who it is and every descriptor it holds. ls opens one more, the
// directory it lists, which fdsOf() leaves out.
const SHOW = 'id -un; ls -l /proc/self/fd';
const UID = USERS.alice;
// The paths the module's requests use; approve() drives the provider's pages, not these.
const MODULE_PATHS = new Set(['/.well-known/openid-configuration', '/device/auth', '/token',
  '/jwks']);
const DE_SOURCE = '/usr/share/i18n/locales/de_DE';

function reasonToSkip() {
  if (process.env.PAM_OAUTH_WRAPPER) {
    return 'repeats the plain run: the setuid programs are not run under valgrind';
  }
  const r = callerSkip(['su', 'chsh', 'chfn', 'runuser', 'pam-auth-update', 'localedef', 'curl',
    'openssl']);
  if (r) return r;
  if (!existsSync(DE_SOURCE)) return `${DE_SOURCE} is missing (the locales package)`;
  if (!existsSync('/usr/share/pam-configs') || !existsSync('/var/lib/pam')) {
    return 'no pam-auth-update state (/usr/share/pam-configs, /var/lib/pam)';
  }
  return false;
}
const skip = reasonToSkip();

// The directory libpam loads "pam_oauth.so" from: where Debian's pam_unix.so is.
function pamModuleDir() {
  for (const d of readdirSync('/usr/lib')) {
    const dir = join('usr', 'lib', d, 'security');
    if (existsSync(join('/', dir, 'pam_unix.so'))) return dir;
  }
  throw new Error('no /usr/lib/*/security/pam_unix.so');
}

// Evidence for the reader of the test log: what each case saw.
function show(title, text) {
  process.stderr.write(`\n===== ${title}\n${String(text).replace(/\n?$/, '\n')}`);
}

// Runs argv to its end, failing or not: { status, stdout, stderr }. Not spawnSync for what talks
// to the provider, which answers from this very process.
function attempt(argv) {
  return new Promise((res) => {
    execFile(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 30000 }, (err, out, errOut) => {
      res({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: out,
        stderr: errOut });
    });
  });
}

// A login's terminal as the person saw it, with the program's exit status.
const pane = (r) => `${r.screen}\n[exit ${r.status}]`;

function ls(path) {
  const r = spawnSync('ls', ['-la', path], { encoding: 'utf8' });
  return `$ ls -la ${path}\n${r.stdout}${r.stderr}`;
}

// Every path below dir (names, types and modes), to tell whether anything appeared.
function tree(dir) {
  const out = [];
  const walk = (d, rel) => {
    const entries = readdirSync(d, { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      const st = statSync(p, { throwIfNoEntry: false });
      out.push(`${join(rel, e.name)} ${st ? st.mode.toString(8) : '?'}`);
      if (e.isDirectory()) walk(p, join(rel, e.name));
    }
  };
  walk(dir, '');
  return out;
}

// The descriptors "ls -l /proc/self/fd" showed, without the one ls opened itself; terminals
// compare equal whatever their number.
function fdsOf(screen) {
  const fds = [];
  for (const m of screen.matchAll(/^l\S+ .* (\d+) -> (.*?)\s*$/gm)) {
    if (/^\/proc\/\d+\/fd$/.test(m[2])) continue;
    fds.push(`${m[1]} -> ${m[2].replace(/^\/dev\/pts\/\d+$/, '/dev/pts/N')}`);
  }
  return fds.sort();
}

// The module's own text on the screen, from its first line to its prompt, the code masked, and
// each row of the UTF-8 QR code (which draws the code) too: a QR code in another style still shows.
function moduleText(screen, code) {
  const m = screen.match(/^Sign-in request:[\s\S]*?Press Enter once you have approved the login:/m);
  return m ? m[0].split(code).join('<code>').replace(/^[\u2580\u2584\u2588 ]+$/gm, '<qr row>')
    : null;
}

describe('setuid callers (su, chsh, chfn) under a hostile environment',
  { skip, timeout: 180000 }, () => {
    // The machine's own /etc/ld.so.preload, to prove afterwards that the tests never touched it.
    const machinePreload = () => (existsSync('/etc/ld.so.preload')
      ? readFileSync('/etc/ld.so.preload', 'utf8') : null);
    let preloadBefore;
    before(() => {
      preloadBefore = machinePreload();
    });

    // Over a copy of the whole /etc, with an https provider.
    const m = callerMachine({
      wholeEtc: true, passwords: { alice: PASSWORD }, provider: { https: true },
    });
    let root;
    let secret; // root-only directory: the user cannot create anything in it, root can
    let home;
    let n = 0;

    const BASE_ENV = () => ({
      PATH: '/usr/sbin:/usr/bin:/sbin:/bin', TERM: 'xterm-256color', LANG: 'C.UTF-8', HOME: home,
    });

    // argv run by alice (or root, who su lets in through pam_rootok before common-auth) on a
    // terminal of its own, with umask 000 and only the given environment. alice types her
    // password and approves her own code; root answers nothing.
    async function login(label, argv, { env = {}, asRoot = false } = {}) {
      const name = `${label}-${++n}`;
      const since = m.idp.log.length;
      const outcomesBefore = m.outcomes().length;
      const vars = Object.entries({ ...BASE_ENV(), ...env }).map(([k, v]) => `${k}=${v}`);
      const inner = ['env', '-i', ...vars, 'sh', '-c', 'umask 000; exec "$@"', 'sh', ...argv];
      await m.start(name, asRoot ? inner : ['runuser', '-u', 'alice', '--', ...inner]);
      let code = null;
      if (!asRoot) {
        await m.term.waitText(name, ASKED);
        await m.term.sendKeys(name, PASSWORD, 'Enter');
        code = userCodeOf(await m.term.waitText(name, PROMPT));
        assert.ok(code, `no code on the screen of ${name}`);
        await approve(m.idp, code);
        await m.term.sendKeys(name, 'Enter');
      }
      const { status } = await m.term.waitExit(name, 40000);
      const screen = await m.term.transcript(name);
      m.captures[name] = screen;
      return {
        name,
        status,
        screen,
        code,
        flows: requests(m.idp, 'codes', { since }),
        requests: m.idp.log.slice(since).filter((e) => MODULE_PATHS.has(e.path)),
        outcomes: m.outcomes().slice(outcomesBefore),
      };
    }

    // The module ran in this login: the provider answered its device authorization request
    // with the very code the user saw and approved.
    function assertModuleRan(r) {
      assert.equal(r.flows.length, 1, `one device authorization request\n${r.screen}`);
      assert.equal(r.flows[0].response.user_code, r.code,
        'the code on the screen is the one issued');
    }

    before(async () => {
      ({ root } = m);
      home = join(root.dir, 'home', 'alice');
      secret = join(root.dir, 'secret');
      mkdirSync(secret, { mode: 0o700 });
      chmodSync(secret, 0o700);

      // pam-auth-update's inputs and state, private: the profile as a test fixture (the lines an
      // administrator who adds the module to common-auth gets), the module under test where
      // libpam looks for "pam_oauth.so".
      const copy = (rel) => {
        mkdirSync(join(root.dir, rel, '..'), { recursive: true });
        const r = spawnSync('cp', ['-a', `/${rel}`, join(root.dir, rel)], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`cp -a /${rel}: ${r.stderr}`);
      };
      for (const rel of ['var/lib/pam', 'var/cache/debconf', 'usr/share/pam-configs',
        pamModuleDir(), 'usr/lib/locale']) copy(rel);
      // Empty: su records a failed attempt in /var/log/btmp, and this is not the machine's.
      mkdirSync(join(root.dir, 'var', 'log'), { recursive: true });
      copyFileSync(join(srcdir, 'tests', 'fixtures', 'pam-configs', 'oauth'),
        join(root.dir, 'usr', 'share', 'pam-configs', 'oauth'));
      copyFileSync(modulePath, join(root.dir, pamModuleDir(), 'pam_oauth.so'));
      chmodSync(join(root.dir, pamModuleDir(), 'pam_oauth.so'), 0o644);

      // de_DE.UTF-8, compiled into the namespace's /usr/lib/locale: the machine gets no locale.
      const loc = spawnSync('localedef', ['-i', 'de_DE', '-f', 'UTF-8',
        join(root.dir, 'usr', 'lib', 'locale', 'de_DE.utf8')], { encoding: 'utf8' });
      if (loc.status !== 0) throw new Error(`localedef de_DE.UTF-8 failed: ${loc.stderr}`);

      // A public client: no secret. No cache: the namespace shares /var/cache with the machine.
      // The provider's CA comes with it (ca_file).
      m.configure({ cache_dir: 'none' }, 0o600);

      // callerMachine() proved that the namespace's /etc is the copy (wholeEtc).
      await m.run(['env', 'DEBIAN_FRONTEND=noninteractive', 'pam-auth-update', '--enable', 'oauth'],
        { timeout: 60000 });
    });

    // After the machine's teardown.
    after(() => {
      assert.equal(machinePreload(), preloadBefore,
        "the machine's /etc/ld.so.preload is untouched");
    });

    test('pam-auth-update puts the profile into common-auth: after the password, failing closed',
      () => {
        const text = readFileSync(join(root.dir, 'etc', 'pam.d', 'common-auth'), 'utf8');
        show('common-auth in the namespace (pam-auth-update --enable oauth)',
          text.split('\n').filter((l) => l && !l.startsWith('#')).join('\n'));
        const lines = text.split('\n').filter((l) => /^auth\s/.test(l));
        const at = lines.findIndex((l) => /\bpam_oauth\.so\b/.test(l));
        assert.match(lines[at] ?? '', /^auth\t\[success=ok default=die\]\tpam_oauth\.so\s*$/);
        assert.equal(lines.filter((l) => /pam_oauth/.test(l)).length, 1);
        assert.ok(lines.slice(0, at).some((l) => /\bpam_unix\.so\b/.test(l)), 'password first');
        assert.ok(lines.slice(0, at).some((l) => /\bpam_permit\.so\b/.test(l)),
          'in the Additional block, after the primary block ends');
      });

    test('su to her own account, approved by her, works: the module in the stack lets her in',
      async () => {
        const r = await login('own', ['su', '-c', SHOW, 'alice']);
        show('su alice as alice, plain environment', pane(r));
        assertModuleRan(r);
        assert.equal(r.status, 0, r.screen);
        assert.match(r.screen, /^alice$/m, 'the shell ran as alice');
        assert.ok(r.outcomes.some((l) => /service=su user=alice .*result=ok/.test(l)),
          r.outcomes.join('\n'));
      });

    // One program, one SSLKEYLOGFILE target: the module runs, no file appears, and (su) the
    // shell holds the descriptors it holds when root's su never reaches the module.
    async function keylogCase(program, target, hostPath) {
      const argv = {
        su: ['su', '-c', SHOW, 'alice'],
        chsh: ['chsh', '-s', '/bin/sh'],
        chfn: ['chfn', '-r', '42'],
      }[program];
      const env = { SSLKEYLOGFILE: target };
      assert.ok(!existsSync(hostPath), `${target} must not exist before the login`);
      try {
        const base = program === 'su' ? await login(`${program}-root`, argv, { env, asRoot: true })
          : null;
        const r = await login(program, argv, { env });
        show(`${program} as alice, umask 000, SSLKEYLOGFILE=${target}`, pane(r));
        show(`after ${program}: ${target} (in the namespace: ${hostPath})`,
          hostPath === target ? ls(join(hostPath, '..')) : ls(hostPath));
        if (base) {
          show(`baseline: root runs su alice (pam_rootok, the module is not reached)`, pane(base));
          show('descriptors of the shell: with the module | baseline',
            `${fdsOf(r.screen).join('\n')}\n  |\n${fdsOf(base.screen).join('\n')}`);
          assert.equal(base.flows.length, 0, 'the baseline never reached the module');
          assert.equal(base.status, 0, base.screen);
        }
        assertModuleRan(r);
        assert.ok(!existsSync(hostPath), `${target} appeared:\n${ls(hostPath)}`);
        if (base) {
          assert.ok(!fdsOf(r.screen).some((f) => f.endsWith(` -> ${target}`)),
            `the shell holds a descriptor to ${target}`);
          assert.deepEqual(fdsOf(r.screen), fdsOf(base.screen),
            'the shell holds the descriptors it holds without the module');
        }
        assert.equal(r.status, 0, r.screen);
      } finally {
        // The next case starts clean even when this one failed: a preload file left in the
        // copy would make every program in the namespace complain.
        if (hostPath.startsWith(join(root.dir, 'etc'))) rmSync(hostPath, { force: true });
      }
    }

    for (const program of ['su', 'chsh', 'chfn']) {
      test(`${program}, umask 000, SSLKEYLOGFILE in a root-only directory: no file appears`,
        async () => {
          const target = join(secret, `keylog-${program}`);
          await keylogCase(program, target, target);
        });

      test(`${program}, umask 000, SSLKEYLOGFILE=/etc/ld.so.preload: no file appears`,
        async () => {
          await keylogCase(program, '/etc/ld.so.preload',
            join(root.dir, 'etc', 'ld.so.preload'));
        });
    }

    test('su, SSLKEYLOGFILE=/etc/passwd: no descriptor to it in the shell, the file unchanged',
      async () => {
        const file = join(root.dir, 'etc', 'passwd');
        const passwd = readFileSync(file, 'utf8');
        const env = { SSLKEYLOGFILE: '/etc/passwd' };
        const argv = ['su', '-c', SHOW, 'alice'];
        try {
          const base = await login('passwd-root', argv, { env, asRoot: true });
          const r = await login('passwd', argv, { env });
          const now = readFileSync(file, 'utf8');
          show('su as alice, umask 000, SSLKEYLOGFILE=/etc/passwd', pane(r));
          show('baseline: root runs su alice (pam_rootok, the module is not reached)', pane(base));
          show('descriptors of the shell: with the module | baseline',
            `${fdsOf(r.screen).join('\n')}\n  |\n${fdsOf(base.screen).join('\n')}`);
          show('/etc/passwd (the copy) after the login', `${ls(file)}lines added:\n${
            now.startsWith(passwd) ? now.slice(passwd.length).replace(/([0-9a-f]{16})[0-9a-f]+/g,
              '$1...') || '(none)\n' : '(rewritten)\n'}`);
          assert.equal(base.flows.length, 0, 'the baseline never reached the module');
          assertModuleRan(r);
          assert.equal(r.status, 0, r.screen);
          assert.ok(!fdsOf(r.screen).some((f) => f.endsWith(' -> /etc/passwd')),
            'the shell holds a descriptor to /etc/passwd');
          assert.deepEqual(fdsOf(r.screen), fdsOf(base.screen),
            'the shell holds the descriptors it holds without the module');
          assert.equal(now, passwd, '/etc/passwd is unchanged');
        } finally {
          writeFileSync(file, passwd);
        }
      });

    test('su with a hostile environment: the login works exactly as without it, no file appears',
      async () => {
        const closed = await freePort();
        const proxy = `http://127.0.0.1:${closed}`;
        for (const d of ['home', 'curlhome']) {
          mkdirSync(join(secret, d), { recursive: true, mode: 0o700 });
          // Credentials a honoured .netrc would send: the provider answers a public client's
          // request that carries them with 400 (client_id mismatch), so the login would fail.
          writeFileSync(join(secret, d, '.netrc'),
            'machine localhost login intruder password intruder\n', { mode: 0o600 });
        }
        // The OpenSSL configuration alice wrote. Honoured, it limits the handshake to ed25519
        // signatures, which the provider's RSA certificate cannot make: TLS fails and so would
        // the login (the control below shows it with curl). It changes behaviour visibly where
        // a provider or engine module in a root-only directory could only fail to load.
        const conf = join(home, 'openssl.cnf');
        writeFileSync(conf, 'openssl_conf = conf\n[conf]\nssl_conf = ssl\n[ssl]\n'
          + 'system_default = sys\n[sys]\nSignatureAlgorithms = ed25519\n');
        chownSync(conf, UID, UID);
        const hostile = {
          SSLKEYLOGFILE: join(secret, 'keylog-hostile'),
          HOME: join(secret, 'home'),
          CURL_HOME: join(secret, 'curlhome'),
          CURL_SSL_BACKEND: join(secret, 'backend'),
          http_proxy: proxy,
          https_proxy: proxy,
          HTTPS_PROXY: proxy,
          ALL_PROXY: proxy,
          all_proxy: proxy,
          // Names that do not cover the provider: were the proxies honoured, they would apply.
          NO_PROXY: 'example.invalid',
          no_proxy: 'example.invalid',
          SSL_CERT_FILE: join(secret, 'cert.pem'),
          SSL_CERT_DIR: join(secret, 'certs'),
          OPENSSL_CONF: conf,
          OPENSSL_MODULES: join(secret, 'ossl-modules'),
          OPENSSL_ENGINES: join(secret, 'engines'),
          LOCALDOMAIN: join(secret, 'localdomain'),
          RES_OPTIONS: join(secret, 'res-options'),
          HOSTALIASES: join(secret, 'hostaliases'),
          TZ: join(secret, 'zoneinfo'),
          LANG: 'de_DE.UTF-8',
          LC_ALL: 'de_DE.UTF-8',
          LC_NUMERIC: 'de_DE.UTF-8',
        };

        // Controls, in the namespace: a program that honours these variables (not setuid)
        // is steered by them, so the login below would notice them if the module were.
        const url = `${m.idp.issuer}/.well-known/openid-configuration`;
        const curl = (env) => attempt(m.ns(['env', '-i', 'PATH=/usr/bin:/bin', ...env,
          'curl', '-sS', '--max-time', '10', '-o', '/dev/null', '--cacert', m.idp.caFile, url]));
        const plain = await curl([]);
        const withConf = await curl([`OPENSSL_CONF=${conf}`]);
        const withProxy = await curl([`https_proxy=${proxy}`, 'NO_PROXY=example.invalid']);
        const number = await attempt(m.ns(['runuser', '-u', 'alice', '--', 'env', '-i',
          'LC_ALL=de_DE.UTF-8', '/usr/bin/printf', '%.1f', '1.5']));
        show('controls: curl (not setuid) with the same variables', [
          `plain: exit ${plain.status} ${plain.stderr.trim()}`,
          `OPENSSL_CONF=${conf}: exit ${withConf.status} ${withConf.stderr.trim()}`,
          `https_proxy=${proxy}: exit ${withProxy.status} ${withProxy.stderr.trim()}`,
          `LC_ALL=de_DE.UTF-8 printf %.1f 1.5 as alice: ${number.stdout} ${number.stderr}`,
        ].join('\n'));
        assert.equal(plain.status, 0, plain.stderr);
        assert.notEqual(withConf.status, 0, 'the user\'s OpenSSL configuration breaks TLS');
        assert.notEqual(withProxy.status, 0, 'the proxy at a closed port breaks the request');
        assert.equal(number.stdout, '1,5', 'the German numeric locale is in effect');

        const argv = ['su', '-c', SHOW, 'alice'];
        const watched = () => ({
          secret: tree(secret), home: tree(home), etc: tree(join(root.dir, 'etc')),
        });
        const reference = await login('plain', argv);
        const files = watched();
        const r = await login('hostile', argv, { env: hostile });
        const filesAfter = watched();
        show('su as alice, plain environment (reference)', pane(reference));
        show(`su as alice, hostile environment:\n${Object.entries(hostile)
          .map(([k, v]) => `  ${k}=${v}`).join('\n')}`, pane(r));
        show('root-only directory after the hostile login', ls(secret));
        const appeared = Object.fromEntries(Object.keys(files).map((k) => [k,
          filesAfter[k].filter((f) => !files[k].includes(f))]));
        show('paths that appeared during the hostile login', JSON.stringify(appeared, null, 2));
        show('module requests: reference | hostile',
          `${reference.requests.map((e) => `${e.method} ${e.path} ${e.status}`).join('\n')}\n  |\n${
            r.requests.map((e) => `${e.method} ${e.path} ${e.status}`).join('\n')}`);

        assertModuleRan(reference);
        assertModuleRan(r);
        assert.equal(reference.status, 0, reference.screen);
        assert.equal(r.status, 0, r.screen);
        const kinds = (x) => [...new Set(x.requests.map((e) => `${e.method} ${e.path}`))].sort();
        assert.deepEqual(kinds(r), kinds(reference), 'the same requests reach the provider');
        const polls = r.requests.filter((e) => e.path === '/token');
        assert.equal(polls.at(-1)?.status, 200, 'the last poll got the tokens');
        const text = moduleText(reference.screen, reference.code);
        assert.ok(text, `the module's text on the reference screen:\n${reference.screen}`);
        assert.equal(moduleText(r.screen, r.code), text, 'the module shows the same text');
        const outcome = (x) => x.outcomes.map((l) => l.slice(l.indexOf('service=')));
        assert.deepEqual(outcome(r), outcome(reference), 'the module logs the same outcome');
        assert.deepEqual(fdsOf(r.screen), fdsOf(reference.screen),
          'the shell holds the same descriptors');
        assert.deepEqual(appeared, { secret: [], home: [], etc: [] }, 'no file appeared');
      });
  });
