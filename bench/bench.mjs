// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Runs N concurrent real logins (pamtester + pam_wrapper, module loaded by libpam) against the
// test provider over HTTPS and reports what each login cost. Started by bench/run.sh.
//
// Options: N (default 200), --prompt none|enter (default none), --interval S (the provider's
// poll interval, default 5, RFC 8628's default), --approve-delay MS (approval this long after the
// code is shown, default 1000), --baseline K (pam_permit logins measured for the pamtester +
// libpam + wrappers cost, default 10), --cold (skip the warm-up login that fills the cache),
// --ramp MS (start the logins evenly over this many ms
// instead of all at once, default 0; they still overlap when MS is below the interval).
//
// Approvals go straight to the provider's device-code store (idp.approveDirect), not through its
// pages: the pages take about ten requests per approval, which would load the provider and mix
// into the module's request counts; the module cannot tell the difference.

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const MODULE = process.env.PAM_OAUTH_MODULE;
const IDP_DIR = process.env.PAM_OAUTH_IDP_DIR;
const PKI = process.env.PAM_OAUTH_PKI;
const WORK = process.env.BENCH_WORK;
const LOGIN_TIMEOUT_MS = 180000; // a login that takes longer than this has failed
const TIME_FORMAT = '%U %S %M'; // user s, system s, peak resident KiB (GNU time)

function parseArgs(argv) {
  const a = {
    n: 200, prompt: 'none', interval: 5, approveDelay: 1000, baseline: 10, ramp: 0, warm: true,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const val = () => {
      i += 1;
      if (i >= argv.length) throw new Error(`${argv[i - 1]} needs a value`);
      return argv[i];
    };
    const arg = argv[i];
    if (arg === '--prompt') a.prompt = val();
    else if (arg === '--interval') a.interval = Number(val());
    else if (arg === '--approve-delay') a.approveDelay = Number(val());
    else if (arg === '--baseline') a.baseline = Number(val());
    else if (arg === '--ramp') a.ramp = Number(val());
    else if (arg === '--cold') a.warm = false; // no warm-up login: every login fetches discovery
    else if (/^\d+$/.test(arg)) a.n = Number(arg);
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!['none', 'enter'].includes(a.prompt)) throw new Error('--prompt is none or enter');
  return a;
}

function writeEnv(dir, pamLine, settings) {
  mkdirSync(join(dir, 'service'), { recursive: true });
  writeFileSync(join(dir, 'service', 'pamtest'), `${pamLine}\n`);
  writeFileSync(join(dir, 'passwd'), 'alice:x:1001:1001:Alice:/home/alice:/bin/sh\n');
  writeFileSync(join(dir, 'group'), 'alice:x:1001:\n');
  if (settings) {
    const conf = join(dir, 'pam_oauth.conf');
    writeFileSync(conf, `${Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);
    chmodSync(conf, 0o644);
  }
}

/**
 * One pamtester under pam_wrapper, nss_wrapper and GNU time, in its own mount namespace with a
 * private /tmp: pam_wrapper copies the service directory to /tmp/pam.<one letter or digit>, 62
 * names for the whole machine, too few for hundreds of logins at once.
 */
function login(dir, id, hooks) {
  const timeFile = join(dir, `time.${id}`);
  const argv = ['-o0', 'unshare', '-m', 'sh', '-c',
    'mount -t tmpfs -o size=4m bench-tmp /tmp && exec "$@"', 'sh',
    '/usr/bin/time', '-f', TIME_FORMAT, '-o', timeFile,
    'sh', '-c', 'LD_PRELOAD="$PAM_PRELOAD${LD_PRELOAD:+:$LD_PRELOAD}" exec "$@"', 'sh',
    'pamtester', '-v', 'pamtest', 'alice', 'authenticate'];
  const env = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    PAM_PRELOAD: 'libpam_wrapper.so:libnss_wrapper.so',
    PAM_WRAPPER: '1',
    PAM_WRAPPER_SERVICE_DIR: join(dir, 'service'),
    PAM_WRAPPER_DEBUGLEVEL: '2', // the module's syslog lines, for the failure reasons
    NSS_WRAPPER_PASSWD: join(dir, 'passwd'),
    NSS_WRAPPER_GROUP: join(dir, 'group'),
    NSS_WRAPPER_HOSTNAME: 'bench.example',
  };
  const r = {
    id, out: '', startedAt: Date.now(), userCode: null, approvedAt: null, error: null,
  };
  const child = spawn('stdbuf', argv, { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => {});
  if (!hooks.keepStdin) child.stdin.end();
  const onData = (d) => {
    r.out += d;
    if (r.userCode) return;
    const m = r.out.match(/\bCode:\s+([A-Za-z0-9-]+)/);
    if (m) {
      [, r.userCode] = m;
      r.codeAt = Date.now();
      hooks.onCode?.(r, child);
    }
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }, LOGIN_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      r.endedAt = Date.now();
      r.exit = code;
      r.signal = signal;
      r.success = code === 0 && /successfully authenticated/.test(r.out);
      try {
        const [u, s, m] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(/\s+/);
        r.cpuMs = (Number(u) + Number(s)) * 1000;
        r.rssKiB = Number(m);
      } catch {
        r.cpuMs = NaN;
        r.rssKiB = NaN;
      }
      resolve(r);
    });
  });
}

function stats(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const q = (p) => v[Math.min(v.length - 1, Math.floor(p * v.length))];
  return {
    n: v.length, min: v[0], p50: q(0.5), p95: q(0.95), max: v[v.length - 1],
    mean: v.reduce((a, b) => a + b, 0) / v.length,
  };
}

function fmt(s, unit, digits = 0) {
  if (!s) return 'n/a';
  const f = (x) => x.toFixed(digits);
  return `mean ${f(s.mean)} ${unit}, p50 ${f(s.p50)}, p95 ${f(s.p95)}, max ${f(s.max)} (min ${f(s.min)})`;
}

async function baseline(k) {
  const dir = join(WORK, 'baseline');
  writeEnv(dir, 'auth required pam_permit.so', null);
  const runs = [];
  for (let i = 0; i < k; i += 1) runs.push(await login(dir, i, {})); // one at a time
  return runs;
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const { startProvider } = await import(pathToFileURL(join(IDP_DIR, 'server.mjs')).href);
  const idp = await startProvider({
    scheme: 'https',
    hostname: 'localhost',
    tls: { cert: readFileSync(join(PKI, 'server.pem')), key: readFileSync(join(PKI, 'server.key')) },
    knobs: { interval: a.interval },
  });
  const dir = join(WORK, 'logins');
  writeEnv(dir, `auth required ${MODULE} config=${join(dir, 'pam_oauth.conf')}`, {
    issuer: idp.issuer,
    client_id: 'pam-test',
    ca_file: join(PKI, 'ca.pem'),
    prompt: a.prompt,
    timeout: 170,
    http_timeout: 30,
    cache_dir: join(WORK, 'cache'), // never the host's /var/cache/pam_oauth
    // N logins of one account from one terminal at once: the abuse limits would refuse all but
    // a few; they are measured on their own (bench/ratelimit.c). Never the host's /run/pam_oauth.
    rate_limit: 'off',
    rate_limit_rhost: 'off',
    rate_limit_dir: join(WORK, 'ratelimit'),
  });

  const base = a.baseline > 0 ? await baseline(a.baseline) : [];
  const approveErrors = [];
  const hooks = {
    keepStdin: a.prompt === 'enter',
    onCode: (r, child) => {
      setTimeout(async () => {
        try {
          await idp.approveDirect(r.userCode, 'alice');
          r.approvedAt = Date.now();
          if (a.prompt === 'enter') child.stdin.end('\n');
        } catch (e) {
          approveErrors.push(e.message);
        }
      }, a.approveDelay);
    },
  };

  // One login first fills the discovery/JWKS cache, as on a server that has seen a login
  // before; the counters then start from zero, so they show what a login costs with it.
  if (a.warm) {
    await login(dir, 'warm', hooks);
    idp.log.length = 0;
    Object.assign(idp.stats, { tcpConnections: 0, tlsHandshakes: 0, tlsResumed: 0 });
  }
  const t0 = Date.now();
  const started = (i) => new Promise((res) => {
    setTimeout(() => res(login(dir, i, hooks)), Math.floor((i * a.ramp) / a.n));
  });
  const logins = await Promise.all(Array.from({ length: a.n }, (_, i) => started(i)));
  const wallMs = Date.now() - t0;
  const ok = logins.filter((r) => r.success);

  const byEndpoint = {};
  for (const e of idp.log) {
    const k = `${e.method} ${e.path}`;
    byEndpoint[k] = (byEndpoint[k] ?? 0) + 1;
  }
  const per = (x) => (x / a.n).toFixed(2);
  const out = [];
  out.push(`pam_oauth benchmark: ${a.n} concurrent logins, prompt=${a.prompt}, interval ${a.interval} s,`
    + ` approval ${a.approveDelay} ms after the code is shown, started over ${a.ramp} ms,`
    + ' HTTPS provider on loopback');
  out.push(`machine: ${(await import('node:os')).cpus().length} CPUs, ${new Date().toISOString()}`);
  out.push(`success: ${ok.length}/${a.n} (wall time ${(wallMs / 1000).toFixed(1)} s)`);
  const failed = logins.filter((r) => !r.success);
  for (const r of failed.slice(0, 5)) {
    const why = r.out.match(/result=\S+ reason=.*$/m)?.[0] ?? r.out.trim().split('\n').pop();
    out.push(`  failed #${r.id} after ${r.endedAt - r.startedAt} ms: exit ${r.exit}`
      + ` signal ${r.signal}: ${why}`);
  }
  if (approveErrors.length) out.push(`approval errors: ${approveErrors.length} (${approveErrors[0]})`);
  const cpu = stats(logins.map((r) => r.cpuMs));
  const rss = stats(logins.map((r) => r.rssKiB));
  out.push(`pamtester process CPU (user+sys) per login: ${fmt(cpu, 'ms')}`);
  out.push(`pamtester process peak RSS per login: ${fmt(rss, 'KiB')}`);
  if (base.length) {
    const bc = stats(base.map((r) => r.cpuMs));
    const br = stats(base.map((r) => r.rssKiB));
    out.push(`baseline, same pamtester with pam_permit (${base.length} runs): CPU ${fmt(bc, 'ms')};`
      + ` peak RSS ${fmt(br, 'KiB')}`);
    out.push(`the module's share (mean minus baseline mean): CPU ${(cpu.mean - bc.mean).toFixed(0)} ms,`
      + ` peak RSS +${(rss.mean - br.mean).toFixed(0)} KiB`);
  }
  out.push(`HTTP requests per login: ${per(idp.log.length)} (${Object.entries(byEndpoint)
    .map(([k, v]) => `${k} ${per(v)}`).join(', ')})`);
  out.push(`TCP connections per login: ${per(idp.stats.tcpConnections)}; TLS handshakes per login:`
    + ` ${per(idp.stats.tlsHandshakes)} (${idp.stats.tlsResumed} resumed)`);
  const lat = stats(ok.filter((r) => r.approvedAt).map((r) => r.endedAt - r.approvedAt));
  out.push(`approval${a.prompt === 'enter' ? ' + Enter' : ''} to PAM_SUCCESS (pamtester exit):`
    + ` ${fmt(lat, 'ms')}; interval ${a.interval * 1000} ms`);
  process.stdout.write(`${out.join('\n')}\n`);
  await idp.close();
  process.exitCode = ok.length === a.n ? 0 : 1;
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.stack}\n`);
  process.exit(2);
});
