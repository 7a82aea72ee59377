/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* libFuzzer target: the RFC 8628 device authorization response parser. */
#include "build_config.h"

#include "device_flow.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* First byte: the HTTP status; the rest: the body. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oauth_device_auth da;
	char err[OAUTH_ERR_SIZE];
	char *body;

	if (size < 1)
		return 0;
	body = fuzz_strndup(data + 1, size - 1);
	if (body == NULL)
		return 0;
	if (oauth_device_auth_parse(fuzz_status(data[0]), body, size - 1, &da, err, sizeof(err)) ==
	    OAUTH_OK) {
		/* What the parser promises on success; token.c clamps the interval. */
		if (da.device_code == NULL || da.user_code == NULL || da.verification_uri == NULL ||
		    da.expires_in <= 0 || da.expires_in > OAUTH_MAX_EXPIRES_IN)
			__builtin_trap();
	}
	oauth_device_auth_free(&da);
	free(body);
	return 0;
}
