/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Keeping the caller's environment away from the libraries the module starts. */
#ifndef PAM_OAUTH_ENV_H
#define PAM_OAUTH_ENV_H

/*
 * Calls fn(arg) while the process environment is empty, then gives the caller's
 * environment back (the same array, untouched). Returns 0, or 1 when another
 * thread changed the environment meanwhile: then its change is kept and the
 * caller's array is not put back over it, so the process environment holds
 * that thread's variable alone (a setenv() racing one-time library set-up in a
 * PAM host; writing over it could free memory that thread still uses).
 *
 * The module runs inside su, chsh, chfn and other setuid programs whose
 * environment is the invoking user's. libcurl reads SSLKEYLOGFILE with plain
 * getenv() in curl_global_init() and opens that path for appending with the
 * program's privileges; OpenSSL reads its config path there too. Library
 * set-up that happens once per process runs through here, so nothing the user
 * set decides what it opens.
 */
int oauth_env_run_hidden(void (*fn)(void *arg), void *arg);

#endif
