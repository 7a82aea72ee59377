/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Who approved: the identity claim from the ID token or userinfo, matched to the account. */
#include "build_config.h"

#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "log.h"

/* A claim given as JSON null counts as absent, as in json.c. */
static const cJSON *
get_claim(const cJSON *obj, const char *name)
{
	const cJSON *item;

	if (obj == NULL)
		return NULL;
	item = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsNull(item) ? NULL : item;
}

/*
 * ASCII controls, DEL and the C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F)
 * could forge log lines or paint a terminal: such a name is refused, not cleaned,
 * since a cleaned name might then equal some other account.
 */
static int
has_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 1;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 1;
	}
	return 0;
}

/* Checks that item is an acceptable identity string; copies it into *out (owned). */
static enum oauth_status
take_identity(const cJSON *item, const char *what, char **out, char *err, size_t errlen)
{
	size_t n;

	*out = NULL;
	if (!cJSON_IsString(item) || item->valuestring == NULL) {
		oauth_seterr(err, errlen, "%s is not a string", what);
		return OAUTH_WRONG_IDENTITY;
	}
	n = strnlen(item->valuestring, OAUTH_IDENTITY_MAX + 1);
	if (n == 0 || n > OAUTH_IDENTITY_MAX) {
		oauth_seterr(err, errlen, "%s is empty or longer than %d bytes", what,
		             OAUTH_IDENTITY_MAX);
		return OAUTH_WRONG_IDENTITY;
	}
	if (has_control(item->valuestring)) {
		oauth_seterr(err, errlen, "%s holds control characters", what);
		return OAUTH_WRONG_IDENTITY;
	}
	*out = strdup(item->valuestring);
	if (*out == NULL) {
		oauth_seterr(err, errlen, "out of memory");
		return OAUTH_NOMEM;
	}
	return OAUTH_OK;
}

/* The subject, and the binding of userinfo to the ID token (OIDC Core §5.3.2). */
static enum oauth_status
take_subject(const cJSON *id_claims, const cJSON *userinfo, char **sub, char *err, size_t errlen)
{
	const cJSON *id_sub = get_claim(id_claims, "sub");
	const cJSON *ui_sub = get_claim(userinfo, "sub");

	*sub = NULL;
	if (id_claims != NULL && !cJSON_IsString(id_sub)) {
		oauth_seterr(err, errlen, "ID token has no \"sub\" string");
		return OAUTH_PROTOCOL;
	}
	if (id_claims != NULL && userinfo != NULL &&
	    (!cJSON_IsString(ui_sub) || strcmp(ui_sub->valuestring, id_sub->valuestring) != 0)) {
		oauth_seterr(err, errlen, "userinfo \"sub\" does not match the ID token's");
		return OAUTH_WRONG_IDENTITY;
	}
	if (id_sub == NULL && ui_sub == NULL)
		return OAUTH_OK; /* plain OAuth (GitHub): no subject, only the claim */
	return take_identity(id_sub != NULL ? id_sub : ui_sub, "\"sub\"", sub, err, errlen);
}

void
oauth_identity_free(struct oauth_identity *id)
{
	if (id == NULL)
		return;
	free(id->sub);
	free(id->username);
	id->sub = NULL;
	id->username = NULL;
}

int
oauth_identity_needs_userinfo(const cJSON *id_claims, const char *claim)
{
	return claim == NULL || get_claim(id_claims, claim) == NULL;
}

enum oauth_status
oauth_identity_from_claims(const cJSON *id_claims, const cJSON *userinfo, const char *claim,
                           struct oauth_identity *id, char *err, size_t errlen)
{
	enum oauth_status rc;
	const cJSON *item;
	char shown[OAUTH_LOG_FIELD_MAX];

	memset(id, 0, sizeof(*id));
	if (claim == NULL || claim[0] == '\0') {
		oauth_seterr(err, errlen, "no username claim configured");
		rc = OAUTH_CONFIG;
		goto out;
	}
	rc = take_subject(id_claims, userinfo, &id->sub, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	/* Present in the ID token, even if unusable: never fall back to userinfo then. */
	item = get_claim(id_claims, claim);
	if (item == NULL)
		item = get_claim(userinfo, claim);
	oauth_sanitize(shown, sizeof(shown), claim);
	if (item == NULL) {
		/* An approval whose answer names no account (no profile scope granted, say). */
		oauth_seterr(err, errlen,
		             "the answer named no account: claim \"%s\" not in the "
		             "ID token nor userinfo",
		             shown);
		rc = OAUTH_NO_ACCOUNT;
		goto out;
	}
	rc = take_identity(item, "identity claim", &id->username, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	rc = OAUTH_OK;
out:
	/* Who approved is known even when the answer named no account: the log says so. */
	if (rc != OAUTH_OK && rc != OAUTH_NO_ACCOUNT)
		oauth_identity_free(id);
	return rc;
}

enum oauth_status
oauth_identity_match(const struct oauth_identity *id, const char *account, char *err, size_t errlen)
{
	char who[OAUTH_LOG_FIELD_MAX], acct[OAUTH_LOG_FIELD_MAX];

	if (id != NULL && id->username != NULL && account != NULL &&
	    strcmp(id->username, account) == 0)
		return OAUTH_OK;
	oauth_seterr(err, errlen, "approved as \"%s\", not as account \"%s\"",
	             oauth_sanitize(who, sizeof(who), id != NULL ? id->username : NULL),
	             oauth_sanitize(acct, sizeof(acct), account));
	return OAUTH_WRONG_IDENTITY;
}
