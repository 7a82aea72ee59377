/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Names of core results and the error-buffer helper. */
#include "build_config.h"

#include <stdarg.h>
#include <stdio.h>

#include "status.h"

const char *
oauth_status_str(enum oauth_status status)
{
	switch (status) {
	case OAUTH_OK:
		return "ok";
	case OAUTH_DENIED:
		return "denied";
	case OAUTH_EXPIRED:
		return "expired";
	case OAUTH_WRONG_IDENTITY:
		return "wrong_identity";
	case OAUTH_NO_ACCOUNT:
		return "no_account";
	case OAUTH_POLICY:
		return "policy";
	case OAUTH_INVALID_TOKEN:
		return "invalid_token";
	case OAUTH_UNAVAILABLE:
		return "unavailable";
	case OAUTH_PROTOCOL:
		return "protocol";
	case OAUTH_CONFIG:
		return "config";
	case OAUTH_CONV:
		return "conversation";
	case OAUTH_NOMEM:
		return "nomem";
	case OAUTH_NO_PUSH:
		return "no_push";
	case OAUTH_RATE_LIMITED:
		return "rate_limited";
	}
	return "unknown";
}

void
oauth_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
