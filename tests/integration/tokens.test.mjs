// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// ID tokens the real provider hands out, altered on their way to the module: each alteration
// must refuse the login (OIDC Core §3.1.3.7), even though the person approved as alice.

import { test } from 'node:test';

import {
  runPam, startIdp, SLOW, PAM, skip, baseConfig, expectOutcome, expectNoLeaks,
} from './lib/index.mjs';

const cases = [
  { how: 'signature', why: 'a signature that is not the issuer key\'s' },
  { how: 'issuer', why: 'a token from another issuer' },
  { how: 'audience', why: 'a token for another client' },
  { how: 'expired', why: 'an expired token' },
];

for (const { how, why } of cases) {
  test(`${why} is refused though alice approved`, { skip, timeout: 60000 * SLOW }, async (t) => {
    const idp = await startIdp(t, { knobs: { tamperIdToken: how } });
    const r = await runPam(t, { idp, config: baseConfig(idp), user: 'alice', approveAs: 'alice' });
    expectOutcome(r, { verdict: PAM.AUTH_ERR, result: 'invalid_token', user: 'alice', claim: '-' });
    expectNoLeaks(idp, r);
  });
}
