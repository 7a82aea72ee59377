// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// Shared expectations: the PAM verdict, exit code and the one syslog outcome line.

import assert from 'node:assert/strict';

import {
  dump, verdict, leaks, moduleExists, modulePath, SERVICE,
} from './helpers.mjs';

// pam_strerror texts of Linux-PAM 1.5.2, as pamtester prints them.
export const PAM = {
  SUCCESS: 'successfully authenticated',
  AUTH_ERR: 'Authentication failure',
  MAXTRIES: 'Have exhausted maximum number of retries for service',
  AUTHINFO_UNAVAIL: 'Authentication service cannot retrieve authentication info',
  SERVICE_ERR: 'Error in service module',
  USER_UNKNOWN: 'User not known to the underlying authentication module',
};

export const skip = moduleExists() ? false : `module not built: ${modulePath}`;

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

export function expectNoLeaks(idp, r) {
  const found = leaks(idp, r);
  assert.deepEqual(found.map((s) => `${s.slice(0, 6)}… (${s.length} chars)`), [],
    `secret values in pamtester's output${dump(r)}`);
}
