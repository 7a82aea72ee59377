// SPDX-License-Identifier: BSD-3-Clause
// Copyright (c) 2026 The pam_oauth authors
// The integration test library: every test file imports what it needs from here.
//   common.mjs     paths, SLOW, temporary directories, waitFor, freePort, writeConfig, QR codes
//   provider.mjs   the test provider and the fault server, approvals, requests(), leaked secrets
//   pamtester.mjs  logins through libpam under pam_wrapper (runPam) and what they must show
//   machine.mjs    the real callers (sshd, sudo, su) in private namespaces: callerMachine()

export * from './common.mjs';
export * from './provider.mjs';
export * from './pamtester.mjs';
export * from './machine.mjs';
