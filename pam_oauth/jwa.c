/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The JWS algorithm names an ID token may be signed with (RFC 7518 §3.1, RFC 8037 §3.1). */
#include "build_config.h"

#include <stdlib.h>
#include <string.h>

#include "jwa.h"

/*
 * jwt.c's table has one entry for each: both hold OAUTH_JWA_MAX_ALGS, and
 * test_jwt verifies a token of every one with it named in id_token_algs.
 */
static const char *const known[] = {
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
};
_Static_assert(sizeof(known) / sizeof(known[0]) == OAUTH_JWA_MAX_ALGS,
               "OAUTH_JWA_MAX_ALGS is not the number of known algs");

int
oauth_jwa_known(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i], name) == 0)
			return 1;
	return 0;
}

int
oauth_jwa_list_valid(const char *list)
{
	char *copy = NULL;
	const char *algs[OAUTH_JWA_MAX_ALGS + 1];
	const char *const *use = NULL;
	int ok;

	if (list == NULL)
		return 0;
	ok = oauth_jwa_list_split(list, &copy, algs, &use, NULL, 0) == OAUTH_OK;
	free(copy);
	return ok;
}

enum oauth_status
oauth_jwa_list_split(const char *list, char **copy, const char **algs, const char *const **use,
                     char *err, size_t errlen)
{
	size_t n = 0, i;
	char *p;

	*copy = NULL;
	*use = NULL;
	algs[0] = NULL;
	if (list == NULL)
		return OAUTH_OK;
	*copy = strdup(list);
	if (*copy == NULL) {
		oauth_seterr(err, errlen, "out of memory");
		return OAUTH_NOMEM;
	}
	for (p = *copy; *p != '\0';) {
		algs[n] = p;
		p += strcspn(p, " ");
		if (*p == ' ')
			*p++ = '\0';
		/* none and HS* are not names of this list: jwt.c never verifies them. */
		if (algs[n][0] == '\0' || !oauth_jwa_known(algs[n]))
			goto bad;
		for (i = 0; i < n; i++)
			if (strcmp(algs[i], algs[n]) == 0)
				goto bad;
		if (++n > OAUTH_JWA_MAX_ALGS)
			goto bad;
	}
	if (n == 0)
		goto bad;
	algs[n] = NULL;
	*use = algs;
	return OAUTH_OK;
bad:
	free(*copy);
	*copy = NULL;
	algs[0] = NULL;
	oauth_seterr(err, errlen, "id_token_algs: not a list of supported JWS algs");
	return OAUTH_CONFIG;
}
