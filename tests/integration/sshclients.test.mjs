// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// The three ssh clients Debian packages, OpenSSH's ssh, PuTTY's plink and Dropbear's dbclient,
// each in an 80x24 tmux pane in a UTF-8 locale, log in through Debian's real sshd with
// examples/pam.d/sshd: what the person sees at the prompt, judged from the visible screen only
// (no scrollback), and that approval gives a shell. Runs as root in private mount and PID
// namespaces; the machine's sshd is never touched.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import {
  adaptStack, approve, callerMachine, callerSkip, decodeQr, freePort, hostName, requests, run,
  sleep, srcdir, waitFor,
} from './lib/index.mjs';

const SSHD = '/usr/sbin/sshd';
const PROMPT = /Press Enter once you have approved the login:\s*$/;
const BLOCKS = /[\u2580\u2584\u2588]/;
const ESCAPED = /\\342\\226/; // the blocks as OpenSSH escapes them outside a UTF-8 locale
const skip = callerSkip([SSHD, 'ssh', 'ssh-keygen', 'plink', 'dbclient', 'stty']);
const ROWS = 24;

// How each client shows a keyboard-interactive prompt that holds the whole screen (Debian 12's
// sshd sends the module's text and its prompt as one prompt). margin: what the client puts before
// each line; first: the client's own line above the server's text, or the server's first line
// as this client shows it; request: what stands before the request line on its line.
const CLIENTS = {
  ssh: {
    margin: '',
    first: /^\(alice@127\.0\.0\.1\) Sign-in request: /,
    request: '(alice@127.0.0.1) ',
  },
  plink: {
    margin: '| ',
    first: /^-- Keyboard-interactive authentication prompts from server: -+$/,
    request: '',
    // After the prompts plink asks for one more Return before it starts the session.
    returnAgain: /Access granted\. Press Return to begin session\.\s*$/,
  },
  dbclient: { margin: '', first: /^Login for alice@127\.0\.0\.1$/, request: '' },
};

describe('ssh, plink and dbclient in an 80x24 terminal', { skip, timeout: 300000 }, () => {
  const m = callerMachine({ stacks: { sshd: adaptStack('sshd') } });
  let port;
  let hostKeyHash; // for plink's -hostkey
  let home; // HOME of plink and dbclient: their host key files and seeds, nothing of root's

  function argv(client) {
    const target = ['alice@127.0.0.1', 'id -un'];
    if (client === 'ssh') {
      return ['ssh', '-F', '/dev/null', '-p', String(port),
        '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${m.root.dir}/known_hosts`,
        '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'IdentityAgent=none',
        '-o', 'PreferredAuthentications=keyboard-interactive', '-o', 'PubkeyAuthentication=no',
        ...target];
    }
    // plink leaves the terminal's output processing off when it ends; stty sane and a
    // carriage return put the exit marker back at the start of a line.
    const tail = 'st=$?; stty sane; printf "\\r"; exit $st';
    const args = client === 'plink'
      ? ['plink', '-ssh', '-P', String(port), '-hostkey', hostKeyHash, ...target]
      : ['dbclient', '-p', String(port), ...target];
    return ['sh', '-c', `env -u SSH_AUTH_SOCK HOME="$0" "$@"; ${tail}`, home, ...args];
  }

  before(async () => {
    const dir = m.root.dir;
    const keyFile = join(dir, 'ssh_host_ed25519_key');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'host', '-f', keyFile]);
    port = await freePort();
    // The host key is known in advance, as on a machine the person logged in to before.
    const hostKey = readFileSync(`${keyFile}.pub`, 'utf8').trim();
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
    hostKeyHash = (await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${keyFile}.pub`]))
      .split(' ')[1];
    home = join(dir, 'client-home');
    mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    // Dropbear matches the host name only, without the port.
    const [type, blob] = hostKey.split(' ');
    writeFileSync(join(home, '.ssh', 'known_hosts'), `127.0.0.1 ${type} ${blob}\n`);
    // Test lines first: sshd keeps the first value of each keyword, so keyboard-interactive
    // alone wins over the example's publickey,keyboard-interactive.
    writeFileSync(join(dir, 'sshd_config'), [
      `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${keyFile}`, 'PidFile none',
      'UseDNS no', 'PrintMotd no', 'PrintLastLog no', 'LogLevel VERBOSE',
      'AuthenticationMethods keyboard-interactive',
      `Include ${join(srcdir, 'examples', 'sshd_config.d', 'pam_oauth.conf')}`, '',
    ].join('\n'));
    const sshd = m.daemon([SSHD, '-D', '-e', '-f', join(dir, 'sshd_config')]);
    await waitFor('sshd to listen', () => sshd.child.exitCode !== null
      || /Server listening on 127\.0\.0\.1 port/.test(sshd.out.text), 10000);
    assert.equal(sshd.child.exitCode, null, `sshd did not start:\n${sshd.out.text}`);
    assert.equal(m.term.width, 80);
    assert.equal(m.term.height, ROWS);
  });

  const unmargin = (client, text) => text.split('\n').map((l) => {
    const { margin } = CLIENTS[client];
    return l.startsWith(margin) ? l.slice(margin.length) : l;
  });

  /**
   * Starts client in a fresh pane with the module set to qr (null: the default) and waits for
   * the prompt. Returns what was shown: screen (the visible 80x24 only), lines (the screen's
   * lines without the client's margin), all (every terminal line so far, scrollback included,
   * without the margin), used (terminal lines from the first to the prompt's), issued (the
   * provider's device authorization response).
   */
  async function prompted(name, client, { qr = null, env = [] } = {}) {
    m.configure({ qr: qr ?? undefined, timeout: 60 });
    const before = requests(m.idp, 'codes').length;
    await m.term.start(name, [...(env.length ? ['env', ...env] : []), ...argv(client)]);
    await m.term.waitText(name, PROMPT);
    const codes = requests(m.idp, 'codes');
    assert.equal(codes.length, before + 1, 'one device code for this login');
    const issued = codes.at(-1).response;
    const screen = await m.term.screen(name);
    m.captures[name] = screen;
    // Terminal lines as they are, long ones not joined: how many rows the login took.
    const all = (await m.term.tmux('capture-pane', '-p', '-S', '-', '-E', '-', '-t', name))
      .replace(/\s+$/, '');
    return {
      screen, lines: unmargin(client, screen), all: unmargin(client, all),
      used: all.split('\n').length, issued,
    };
  }

  // The request line, whole, with the text the client puts before it.
  function requestLine(client) {
    return `${CLIENTS[client].request}Sign-in request: sshd login as alice on ${hostName()} `
      + 'from 127.0.0.1';
  }

  // The URL, the code and the prompt, as the last lines of the visible screen, below the
  // module's two lines of instructions.
  function assertTextVisible({ lines, screen }, issued) {
    assert.equal(lines.at(-5),
      'Approve only if you started this login yourself. It expires in 60 seconds.', screen);
    assert.equal(lines.at(-4), 'Scan the QR code, or open this address and enter the code:',
      screen);
    assert.equal(lines.at(-3), `Open: ${issued.verification_uri}`, screen);
    assert.equal(lines.at(-2), `Code: ${issued.user_code}`, screen);
    assert.match(lines.at(-1), PROMPT, screen);
  }

  // Approves, answers the prompt (and plink's second question), and expects alice's shell.
  async function approveAndLogIn(name, client, issued) {
    await approve(m.idp, issued.user_code);
    await m.term.sendKeys(name, 'Enter');
    const again = CLIENTS[client].returnAgain;
    if (again) {
      await m.term.waitText(name, again);
      await sleep(1000);
      assert.doesNotMatch(await m.term.capture(name), /^alice\s*$/m, 'no session before Return');
      await m.term.sendKeys(name, 'Enter');
    }
    const { status, screen: out } = await m.term.waitExit(name, 20000);
    m.captures[`${name}-after`] = await m.term.screen(name);
    assert.equal(status, 0, out);
    assert.match(out, /^alice\s*$/m);
    assert.ok(m.outcomes().some((l) => /service=sshd user=alice .*result=ok/.test(l)),
      m.outcomes().join('\n'));
  }

  for (const client of ['ssh', 'plink']) {
    test(`${client}, defaults: a UTF-8 QR code on lines of its own scans from the visible screen`,
      async (t) => {
        const name = `${client}-defaults`;
        const shown = await prompted(name, client);
        const { lines, screen, used, issued } = shown;
        t.diagnostic(`${used} lines up to the prompt`);
        assert.ok(used <= ROWS, `${used} lines do not fit ${ROWS}:\n${screen}`);
        assert.match(screen.split('\n')[0], CLIENTS[client].first, screen);
        // The request line, then the code: nothing but the client's margin shares its lines.
        const top = lines.findIndex((l) => BLOCKS.test(l));
        assert.equal(lines[top - 1], requestLine(client), screen);
        const qrLines = lines.filter((l) => BLOCKS.test(l));
        assert.ok(qrLines.length >= 13, screen);
        for (const l of qrLines) assert.match(l, /^[\u2580\u2584\u2588 ]+$/, screen);
        assert.equal(lines[top + qrLines.length], lines.at(-5), 'the text follows the code');
        const qr = decodeQr(lines.join('\n'));
        assert.equal(qr.text, issued.verification_uri_complete, qr.how);
        assert.equal(qr.style, 'utf8', qr.how);
        assertTextVisible(shown, issued);
        await approveAndLogIn(name, client, issued);
      });
  }

  test('dbclient, defaults: the blocks are dropped; the URL and the code stay visible',
    async (t) => {
      const name = 'dbclient-defaults';
      const shown = await prompted(name, 'dbclient');
      const { lines, screen, used, issued } = shown;
      t.diagnostic(`${used} lines up to the prompt`);
      assert.ok(used <= ROWS, `${used} lines do not fit ${ROWS}:\n${screen}`);
      assert.match(screen.split('\n')[0], CLIENTS.dbclient.first, screen);
      assert.match(screen, /^[\x20-\x7e\n]*$/, 'Dropbear prints printable ASCII only');
      // The code's lines are there, emptied: Dropbear drops the blocks and keeps the spaces.
      const top = lines.indexOf(requestLine('dbclient'));
      assert.ok(top > 0, screen);
      const gap = lines.slice(top + 1, -5);
      assert.ok(gap.length >= 13, screen);
      for (const l of gap) assert.match(l, /^ *$/, screen);
      assert.equal(decodeQr(screen).text, null, 'no QR code to scan');
      assertTextVisible(shown, issued);
      await approveAndLogIn(name, 'dbclient', issued);
    });

  for (const client of ['ssh', 'plink', 'dbclient']) {
    test(`${client}, qr=ascii: the code is too tall for 24 lines; the URL and the code stay`,
      async (t) => {
        const name = `${client}-ascii`;
        const shown = await prompted(name, client, { qr: 'ascii' });
        const { lines, all, screen, used, issued } = shown;
        t.diagnostic(`${used} lines up to the prompt`);
        assert.ok(used > ROWS + 10, `${used} lines`);
        assert.ok(lines.filter((l) => /^[# ]+$/.test(l)).length >= ROWS - 7, screen);
        // The whole code went out (the scrollback holds it) but its top left the screen.
        const whole = decodeQr(all.join('\n'));
        assert.equal(whole.text, issued.verification_uri_complete, whole.how);
        assert.equal(whole.style, 'ascii', whole.how);
        const visible = decodeQr(lines.join('\n'));
        assert.equal(visible.text, null, `the visible part scanned: ${visible.how}`);
        assertTextVisible(shown, issued);
        await approveAndLogIn(name, client, issued);
      });
  }

  // A longer verification_uri_complete, as some providers send, needs a version 4 code (54 to
  // 78 characters at level L): two more lines, more than 24 in all. The request line scrolls
  // away, the code stays whole.
  for (const client of ['ssh', 'plink']) {
    test(`${client}, defaults, a URL too long for version 3: a taller code still scans`,
      async (t) => {
        const name = `${client}-long`;
        m.idp.knobs.completeUriSuffix = '&realm=corporate';
        try {
          const shown = await prompted(name, client);
          const { lines, screen, used, issued } = shown;
          t.diagnostic(`${used} lines up to the prompt`);
          assert.ok(issued.verification_uri_complete.endsWith('&realm=corporate'));
          const { length } = issued.verification_uri_complete;
          assert.ok(length > 53 && length <= 78, `${length} characters: a version 4 code`);
          assert.ok(used > ROWS, `${used} lines`);
          const qr = decodeQr(lines.join('\n'));
          assert.equal(qr.text, issued.verification_uri_complete, qr.how);
          // 33 modules and a border of two on each side.
          assert.match(lines[0], /^\u2588{37}$/, `the code's top row comes first:\n${screen}`);
          assertTextVisible(shown, issued);
          await approveAndLogIn(name, client, issued);
        } finally {
          m.idp.knobs.completeUriSuffix = '';
        }
      });
  }

  // Outside a UTF-8 locale ssh escapes each block as \342\226\210 and plink drops them: no
  // code to scan, but the text below it is still on the screen.
  for (const client of ['ssh', 'plink']) {
    test(`${client} in the C locale: no QR code, the URL and the code stay visible`, async () => {
      const name = `${client}-C`;
      const shown = await prompted(name, client, { env: ['LANG=C', 'LC_ALL=C'] });
      const { screen, issued } = shown;
      assert.doesNotMatch(screen, BLOCKS);
      if (client === 'ssh') assert.match(screen, ESCAPED);
      else assert.match(screen, /^[\x20-\x7e\n]*$/);
      assert.equal(decodeQr(screen).text, null, 'no QR code to scan');
      assertTextVisible(shown, issued);
      await approveAndLogIn(name, client, issued);
    });
  }
});
