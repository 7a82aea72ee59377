/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Logging from the core through a caller's callback, and reading untrusted text strictly. */
#include "build_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

/* Longest log line; pam_syslog lines beyond this help nobody. */
#define MAX_LINE 1024

/* fmt is a caller's checked format passed on: says so to -Wformat-nonliteral (clang). */
static void vlog(const struct oauth_logger *log, int prio, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void
vlog(const struct oauth_logger *log, int prio, const char *fmt, va_list ap)
{
	char line[MAX_LINE];

	if (log == NULL || log->fn == NULL)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	log->fn(log->ctx, prio, line);
}

void
oauth_log(const struct oauth_logger *log, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(log, prio, fmt, ap);
	va_end(ap);
}

void
oauth_debug(const struct oauth_logger *log, const char *fmt, ...)
{
	va_list ap;

	if (log == NULL || !log->debug)
		return;
	va_start(ap, fmt);
	vlog(log, LOG_DEBUG, fmt, ap);
	va_end(ap);
}

char *
oauth_sanitize(char *dst, size_t dstlen, const char *src)
{
	size_t i = 0;

	if (dst == NULL || dstlen == 0)
		return dst;
	for (; src != NULL && src[i] != '\0' && i + 1 < dstlen; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	dst[i] = '\0';
	return dst;
}

int
oauth_parse_number(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	long v;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}
