/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The JWS algorithm names an ID token may be signed with (RFC 7518 §3.1, RFC 8037 §3.1). */
#ifndef PAM_OAUTH_JWA_H
#define PAM_OAUTH_JWA_H

#include <stddef.h>

#include "status.h"

/* Longest id_token_algs list: each known alg, once. */
#define OAUTH_JWA_MAX_ALGS 10

/*
 * Nonzero for a name jwt.c verifies: RS256 RS384 RS512 PS256 PS384 PS512
 * ES256 ES384 ES512 EdDSA. Never none, never HS*: a key the provider shares
 * with every client, or no key at all.
 */
int oauth_jwa_known(const char *name);

/*
 * Nonzero when list is known alg names separated by single spaces, each at
 * most once: the id_token_algs setting.
 */
int oauth_jwa_list_valid(const char *list);

/*
 * Splits a list that passed oauth_jwa_list_valid(): algs (OAUTH_JWA_MAX_ALGS +
 * 1 slots) gets NULL-terminated pointers into *copy (owned; free() it). list
 * NULL: *copy NULL and *use NULL (jwt.c's own list); else *use is algs.
 */
enum oauth_status oauth_jwa_list_split(const char *list, char **copy, const char **algs,
                                       const char *const **use, char *err, size_t errlen);

#endif
