/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The username map: which provider identities may use which local accounts. */
#ifndef PAM_OAUTH_USERMAP_H
#define PAM_OAUTH_USERMAP_H

#include <stddef.h>
#include <sys/types.h>

#include "status.h"

/* A map of tens of thousands of people fits; a bigger file is a mistake (a log, a dump). */
#define OAUTH_USERMAP_MAX_BYTES (4 * 1024 * 1024)
/* An identity (OAUTH_IDENTITY_MAX) plus an account plus blanks fits with room to spare. */
#define OAUTH_USERMAP_MAX_LINE 1024
/* Lines that map something; each lookup scans them, so keep the scan short. */
#define OAUTH_USERMAP_MAX_ENTRIES 100000
/* Linux-PAM and glibc cap user names at LOGIN_NAME_MAX (256) with the NUL. */
#define OAUTH_ACCOUNT_MAX 255

/*
 * File format (man pam_oauth.conf(5), USERNAME MAP). One entry per line, two
 * fields separated by blanks; blank lines and lines starting with '#' are
 * ignored:
 *
 *   alice.smith@example.com   alice     the claim value, byte for byte
 *   sub:248289761001          bob       the subject (sub claim), byte for byte
 *   *@example.com             =         a claim value ending in "@example.com":
 *                                       the part before it is the account
 *
 * Several lines may give one identity several accounts. An identity field holds
 * no control characters, at most OAUTH_IDENTITY_MAX bytes; an account is
 * [A-Za-z0-9_.@-] (not starting with '-'), an optional final '$', at most
 * OAUTH_ACCOUNT_MAX bytes. "=" is only allowed (and required) after a pattern.
 */
struct oauth_usermap;

/*
 * Parses len bytes of a map; name is the file name used in messages
 * ("name:line: reason"). A syntax error, an over-long line, a NUL byte or a
 * duplicate entry is OAUTH_CONFIG. *out (cleared at entry) is owned.
 */
enum oauth_status oauth_usermap_parse(const char *name, const char *buf, size_t len,
                                      struct oauth_usermap **out, char *err, size_t errlen);

/*
 * Reads path through oauth_config_read_file() (a regular file owned by owner,
 * not writable by group or others, not a symlink) and parses it.
 */
enum oauth_status oauth_usermap_load(const char *path, uid_t owner, struct oauth_usermap **out,
                                     char *err, size_t errlen);

void oauth_usermap_free(struct oauth_usermap *map);

/*
 * Nonzero when an entry lets this identity use account: an exact line for the
 * claim value username, a sub: line for sub, or a pattern whose suffix ends
 * username with a non-empty rest equal to account. username and sub may be NULL
 * (then no line of that kind matches); so may map (nothing matches). On a match
 * *line (may be NULL) is the entry's line number.
 */
int oauth_usermap_allows(const struct oauth_usermap *map, const char *username, const char *sub,
                         const char *account, int *line);

/*
 * Line number of the first exact or sub: entry naming account, 0 when none:
 * lets the policy refuse a map that hands out a denied account.
 */
int oauth_usermap_names_account(const struct oauth_usermap *map, const char *account);

/* Nonzero when name is a well-formed account name (the rule above). */
int oauth_usermap_valid_account(const char *name);

#endif
