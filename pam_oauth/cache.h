/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* An on-disk cache of the provider's discovery document and key set, trusted for nothing. */
#ifndef PAM_OAUTH_CACHE_H
#define PAM_OAUTH_CACHE_H

#include <stddef.h>
#include <sys/types.h>

#include "log.h"
#include "status.h"

/*
 * What is cached is the provider's response body, byte for byte. A body read
 * back is handed to the same parser as a fresh one (issuer match, endpoint
 * checks, key parsing), so the cache saves requests, never checks: a file
 * that fails any check is ignored and rebuilt from the network.
 */

/* A cached body larger than this is ignored: the HTTP layer caps responses at the same size. */
#define OAUTH_CACHE_MAX_BYTES (256 * 1024)
/* A file dated later than now by more than this (seconds) is ignored: the clock went back. */
#define OAUTH_CACHE_FUTURE_SKEW 300

enum oauth_cache_kind {
	OAUTH_CACHE_DISCOVERY, /* {issuer}/.well-known/openid-configuration */
	OAUTH_CACHE_JWKS,      /* the document at jwks_uri */
};

/* One login's view of the cache directory; freed with oauth_cache_close(). */
struct oauth_cache {
	int dirfd;                      /* -1: cache off (disabled or unsafe) */
	long max_age;                   /* seconds a file is fresh */
	uid_t owner;                    /* files and directory must belong to it */
	const struct oauth_logger *log; /* borrowed; may be NULL */
};

/*
 * Opens dir (NULL: cache off) for this login. The cache is off, quietly, when
 * the process's effective uid is not owner. dir must be a directory (not a
 * symlink) owned by owner with no group or other permission bits. When dir is
 * missing it is created 0700, but only when its parent is owned by owner and
 * not writable by group or others. When the directory cannot be used, one
 * warning says why and the cache stays off: that is never an error. Returns
 * OAUTH_OK, or OAUTH_NOMEM. cache is filled on every path.
 */
enum oauth_status oauth_cache_open(struct oauth_cache *cache, const char *dir, long max_age,
                                   uid_t owner, const struct oauth_logger *log);

/* Closes the directory; cache may be NULL or off. */
void oauth_cache_close(struct oauth_cache *cache);

/* Nonzero when the cache is on. */
int oauth_cache_on(const struct oauth_cache *cache);

/*
 * The file name for a body of kind fetched from url on behalf of issuer
 * ("discovery-" or "jwks-" followed by the hex SHA-256 of issuer, a newline,
 * and url), so two issuers, or two key sets of one issuer, never share a file.
 */
enum oauth_status oauth_cache_name(enum oauth_cache_kind kind, const char *issuer, const char *url,
                                   char *name, size_t namelen);

/*
 * Reads the cached body (owned, NUL-terminated; *len excludes the NUL) for
 * kind/issuer/url. OAUTH_OK only for a regular file (not a symlink) owned by
 * the cache's owner, not writable by group or others, at most
 * OAUTH_CACHE_MAX_BYTES, and younger than max_age. Anything else, or cache
 * off, gives OAUTH_UNAVAILABLE (a debug line says why) and the caller fetches.
 */
enum oauth_status oauth_cache_read(const struct oauth_cache *cache, enum oauth_cache_kind kind,
                                   const char *issuer, const char *url, char **body, size_t *len);

/*
 * Seconds since the cached body for kind/issuer/url was written, or -1 when
 * there is none (or the cache is off).
 */
long oauth_cache_age(const struct oauth_cache *cache, enum oauth_cache_kind kind,
                     const char *issuer, const char *url);

/*
 * Stores body atomically: a new file in the directory (O_EXCL, O_NOFOLLOW,
 * 0600), written, fsync'd, then renamed over the old one, so a concurrent
 * reader sees the old body or the new one, never a torn one. Call only with a
 * body that passed its parser. Failures are logged and otherwise ignored:
 * OAUTH_OK unless out of memory.
 */
enum oauth_status oauth_cache_write(const struct oauth_cache *cache, enum oauth_cache_kind kind,
                                    const char *issuer, const char *url, const char *body,
                                    size_t len);

/* Removes the cached body, e.g. one that failed its parser; ignored when missing. */
void oauth_cache_drop(const struct oauth_cache *cache, enum oauth_cache_kind kind,
                      const char *issuer, const char *url);

#endif
