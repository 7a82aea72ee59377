/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* libFuzzer target: the token endpoint answer classifier and parser (RFC 6749 §5, RFC 8628 §3.5).
 */
#include "build_config.h"

#include "token.h"
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
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE];
	struct oauth_answer r;
	long status;
	char *body;

	if (size < 1)
		return 0;
	status = fuzz_status(data[0]);
	body = fuzz_strndup(data + 1, size - 1);
	if (body == NULL)
		return 0;
	r = oauth_token_response_parse(status, body, size - 1, &tr, err, sizeof(err));
	/* A token only from a 2xx answer that carries an access token. */
	if (r.next == OAUTH_NEXT_READ && (status < 200 || status > 299 || tr.access_token == NULL))
		__builtin_trap();
	oauth_token_response_free(&tr);
	free(body);
	return 0;
}
