/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Logging from the core through a caller's callback, and reading untrusted text strictly. */
#ifndef PAM_OAUTH_LOG_H
#define PAM_OAUTH_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>

/*
 * The core never calls syslog itself: the PAM layer routes lines to pam_syslog,
 * tests capture them. prio is a syslog priority (LOG_ERR, LOG_INFO, LOG_DEBUG).
 */
struct oauth_logger {
	void (*fn)(void *ctx, int prio, const char *line);
	void *ctx;
	int debug; /* nonzero: LOG_DEBUG lines are delivered too */
};

/* Formats and delivers one line; log may be NULL (nothing happens). */
void oauth_log(const struct oauth_logger *log, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* LOG_DEBUG line, delivered only when log->debug is set. */
void oauth_debug(const struct oauth_logger *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Copies src into dst (size dstlen, always NUL-terminated) keeping printable
 * ASCII only: control bytes, DEL and bytes >= 0x80 become '?', and the copy is
 * cut at dstlen-1 bytes. Text from the provider goes through this before it
 * reaches a terminal or a log, so a hostile provider cannot paint a terminal
 * or forge log lines. src may be NULL (gives ""). Returns dst.
 */
char *oauth_sanitize(char *dst, size_t dstlen, const char *src);

/* Longest value of one field in a log line; longer values are cut. */
#define OAUTH_LOG_FIELD_MAX 128

/*
 * Reads s as a whole decimal number in [min, max] into *out: plain digits only,
 * no blanks, sign or trailing text (strtol alone would take " +12abc" as 12).
 * Returns 1, or 0 with *out untouched. For config values, /proc names and what
 * the caller's environment says (SSH_CONNECTION's ports).
 */
int oauth_parse_number(const char *s, long min, long max, long *out);

#endif
