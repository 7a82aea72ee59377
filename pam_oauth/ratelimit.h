/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Abuse limits: sign-in requests per account and source, counted for every process on the host. */
#ifndef PAM_OAUTH_RATELIMIT_H
#define PAM_OAUTH_RATELIMIT_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "log.h"
#include "status.h"

/*
 * Every try that would reach the provider is counted in one file, shared by
 * every process on the host (sshd forks one per connection): a header with a
 * random salt, then two fixed-size tables, one keyed by (provider client,
 * account, source), one by (provider client, source). An entry holds a
 * truncated salted SHA-256 of its key, never a name or an address, and the
 * times of its last OAUTH_RATE_LIMIT_MAX_COUNT requests, so "at most N in
 * SECONDS" is exact for any N allowed. Tables are set-associative: the key
 * picks a set of OAUTH_RATELIMIT_WAYS entries, and a new key replaces the
 * entry of the set whose last request is oldest. The file never grows.
 */

/* The file's name in rate_limit_dir. */
#define OAUTH_RATELIMIT_FILE "ratelimit"
/*
 * Sets per table, and entries per set: 4096 entries per table. Replacing an
 * entry someone used a moment ago takes about as many new sources as the
 * table holds, each one a request to the provider that rate_limit_rhost
 * holds back; and the file stays 2.2 MiB (pam_oauth.conf(5) gives the sum).
 */
#define OAUTH_RATELIMIT_SETS 512
#define OAUTH_RATELIMIT_WAYS 8
/* Longest source text, with its NUL: "host:" and the longest DNS name (253 bytes) fit. */
#define OAUTH_RATELIMIT_SOURCE_MAX 272

/* A point on the counts' clock: seconds since boot, and which boot. */
struct oauth_ratelimit_time {
	unsigned char boot[16]; /* the kernel's boot_id; all zero when unknown */
	long long seconds;      /* CLOCK_BOOTTIME, whole seconds */
};

/* The limits and where their counts live, for one check. */
struct oauth_ratelimit {
	const char *dir;                 /* borrowed: rate_limit_dir */
	struct oauth_rate_limit account; /* rate_limit: one account from one source */
	struct oauth_rate_limit source;  /* rate_limit_rhost: one source, all accounts */
	uid_t owner;                     /* of the directory and file: root in the module */
	unsigned sets; /* sets per table; 0: OAUTH_RATELIMIT_SETS (tests: fewer) */
	/* The clock seam: fills now or fails (OAUTH_UNAVAILABLE). NULL: the real clock. */
	enum oauth_status (*clock)(void *ctx, struct oauth_ratelimit_time *now);
	void *clock_ctx;
	const struct oauth_logger *log; /* borrowed; may be NULL */
};

/* Who asks, and from where. Strings borrowed. */
struct oauth_ratelimit_try {
	const char *provider;  /* whose quota: the issuer, or the device authorization endpoint */
	const char *client_id; /* and which client of it */
	const char *account;   /* the local account */
	const char *rhost;     /* PAM_RHOST; NULL or "": a local login */
	const char *tty;       /* PAM_TTY: a local login's source; may be NULL */
};

/* Which limit refused a try. */
enum oauth_ratelimit_which {
	OAUTH_RATELIMIT_NONE = 0,
	OAUTH_RATELIMIT_ACCOUNT, /* rate_limit: this account from this source */
	OAUTH_RATELIMIT_SOURCE,  /* rate_limit_rhost: this source, whatever the account */
};

/* Why a try was refused, for the person's message. */
struct oauth_ratelimit_refusal {
	enum oauth_ratelimit_which which;
	int local;        /* the source is a terminal (no PAM_RHOST) */
	long retry_after; /* seconds until both limits allow a try again, at least 1 */
};

/*
 * The source a try counts against, as text in out (at least
 * OAUTH_RATELIMIT_SOURCE_MAX bytes): "ip4:192.0.2.7"; "ip6:2001:db8:1:2::/64"
 * for any IPv6 address of that /64 (a zone "%eth0" is dropped); an IPv4-mapped
 * IPv6 address as its "ip4:"; "host:bastion.example" for a host name, lower
 * case, without a final dot; "tty:pts/3" for a local login (a leading "/dev/"
 * dropped), "tty:" without a terminal. Text longer than any DNS name is cut.
 * OAUTH_OK, or OAUTH_CONFIG when out is too small.
 */
enum oauth_status oauth_ratelimit_source(const char *rhost, const char *tty, char *out,
                                         size_t outlen);

/*
 * Checks the try against both limits and, only when both allow it, counts it
 * against both: a refused try is not counted, so retrying while refused never
 * extends the wait. A limit that is off is neither checked nor counted.
 * Returns
 *  - OAUTH_OK: go ahead (counted); also when both limits are off, or when the
 *    process does not run as rl->owner (it could not open the store, and an
 *    unprivileged program can send the same requests itself): nothing touched;
 *  - OAUTH_RATE_LIMITED: refused; refusal filled, err says which limit and the
 *    source, for the log;
 *  - OAUTH_UNAVAILABLE: the store cannot be used (directory or file unsafe,
 *    lock not had in time, write failed, clock failed); nothing counted; err
 *    says why. The caller decides; the module goes on without the limits;
 *  - OAUTH_NOMEM; OAUTH_CONFIG for missing arguments or a limit outside what
 *    pam_oauth.conf allows (one above OAUTH_RATE_LIMIT_MAX_COUNT never refuses).
 * A file that is not the module's, or from an earlier boot, is started afresh
 * and a damaged entry cleared, with a line through rl->log.
 */
enum oauth_status oauth_ratelimit_check(const struct oauth_ratelimit *rl,
                                        const struct oauth_ratelimit_try *t,
                                        struct oauth_ratelimit_refusal *refusal, char *err,
                                        size_t errlen);

/*
 * What the person reads: "Too many sign-in requests for this account from
 * this address; try again in 287 seconds." ("from this address" alone for
 * rate_limit_rhost, "this terminal" for a local login).
 */
void oauth_ratelimit_message(const struct oauth_ratelimit_refusal *r, char *buf, size_t buflen);

/* The state file's size in bytes for sets per table (0: OAUTH_RATELIMIT_SETS). */
size_t oauth_ratelimit_file_bytes(unsigned sets);

#endif
