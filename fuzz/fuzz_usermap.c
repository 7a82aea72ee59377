/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* libFuzzer target: the username-map parser and its lookups, fed the input as a map file. */
#include "build_config.h"

#include <string.h>

#include "fuzz.h"
#include "usermap.h"

/* Identities a map may be asked about; "root" must never come out of a pattern unchecked. */
static const char *const identities[] = {"alice@example.com", "alice", "root@example.com", "", "@"};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oauth_usermap *map = NULL;
	char err[OAUTH_ERR_SIZE];
	size_t i;
	int line = 0;

	if (oauth_usermap_parse("fuzz", (const char *)data, size, &map, err, sizeof(err)) !=
	    OAUTH_OK) {
		if (map != NULL) /* a failed parse must hand back nothing */
			__builtin_trap();
		return 0;
	}
	for (i = 0; i < sizeof(identities) / sizeof(identities[0]); i++) {
		if (oauth_usermap_allows(map, identities[i], "sub-1", "alice", &line) && line <= 0)
			__builtin_trap();
		/* An account that is not a valid name can never be granted. */
		if (oauth_usermap_allows(map, identities[i], NULL, "-bad name", NULL))
			__builtin_trap();
	}
	(void)oauth_usermap_names_account(map, "root");
	oauth_usermap_free(map);
	return 0;
}
