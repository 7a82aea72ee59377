/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Who approved: the identity claim from the ID token or userinfo, matched to the account. */
#ifndef PAM_OAUTH_IDENTITY_H
#define PAM_OAUTH_IDENTITY_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "status.h"

/* Longest identity value we accept; longer ones are refused, not cut. */
#define OAUTH_IDENTITY_MAX 256

struct oauth_identity {
	char *sub;      /* owned; the subject */
	char *username; /* owned; the username_claim value */
};

void oauth_identity_free(struct oauth_identity *id);

/*
 * Builds the identity. id_claims are the verified ID token claims (may be NULL
 * when no ID token was issued); userinfo is the userinfo response (may be NULL).
 * The username comes from id_claims when it has claim, else from userinfo. When
 * both are given, userinfo's sub must equal id_claims' sub (OIDC Core §5.3.2),
 * else OAUTH_WRONG_IDENTITY. The claim must be a non-empty string without
 * control characters, at most OAUTH_IDENTITY_MAX bytes: else OAUTH_WRONG_IDENTITY
 * (missing claim: OAUTH_NO_ACCOUNT). Fills id (cleared at entry; freed again on
 * failure, except id->sub with OAUTH_NO_ACCOUNT: who approved, for the log). With id_claims,
 * userinfo must carry the same sub (missing or other: OAUTH_WRONG_IDENTITY); id->sub is NULL only
 * when neither document has a sub (plain OAuth such as GitHub's /user). A claim present in
 * id_claims but unusable is refused, never looked up in userinfo instead. A claim given as JSON
 * null counts as missing. No claim name: OAUTH_CONFIG.
 */
enum oauth_status oauth_identity_from_claims(const cJSON *id_claims, const cJSON *userinfo,
                                             const char *claim, struct oauth_identity *id,
                                             char *err, size_t errlen);

/* Nonzero when id_claims lacks claim, so the caller must ask userinfo. */
int oauth_identity_needs_userinfo(const cJSON *id_claims, const char *claim);

/*
 * OAUTH_OK only when id->username equals account byte for byte (no case
 * folding, no trimming); else OAUTH_WRONG_IDENTITY naming both (sanitised).
 */
enum oauth_status oauth_identity_match(const struct oauth_identity *id, const char *account,
                                       char *err, size_t errlen);

#endif
