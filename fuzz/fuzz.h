/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* What every libFuzzer target shares: the entry point's prototype and a NUL-terminated copy. */
#ifndef PAM_OAUTH_FUZZ_H
#define PAM_OAUTH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The HTTP layer hands parsers a NUL-terminated body; so do the fuzzers, in an exact-size block. */
static inline char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		return NULL;
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* HTTP statuses a provider might send, chosen by one input byte. */
static inline long
fuzz_status(uint8_t b)
{
	static const long statuses[] = {200, 400, 401, 403, 429, 500, 503, 302, 201, 204, 418, 599};

	return statuses[b % (sizeof(statuses) / sizeof(statuses[0]))];
}

#endif
