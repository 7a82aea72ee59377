/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The policy decision: may this identity use this account here (map, email, scopes, groups, acr).
 */
#ifndef PAM_OAUTH_POLICY_H
#define PAM_OAUTH_POLICY_H

#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "identity.h"
#include "log.h"
#include "status.h"

/* Items in one list setting (deny_users, allowed_groups, required_scopes, acr_values). */
#define OAUTH_POLICY_MAX_ITEMS 64
/* Entries in a groups claim: Entra ID switches to an overage claim past 200. */
#define OAUTH_POLICY_MAX_GROUPS 1024
/* One group name or acr value from the provider, in bytes. */
#define OAUTH_POLICY_MAX_VALUE 1024

/*
 * The checks that need only the local account, made in the PAM layer before
 * anything is sent to the provider: account must not be in cfg->deny_users
 * ("none": an empty list), and uid must be at least cfg->min_uid (0: no uid
 * check). OAUTH_POLICY with the reason in err; OAUTH_CONFIG when deny_users is
 * malformed.
 */
enum oauth_status oauth_policy_account_allowed(const struct oauth_config *cfg, const char *account,
                                               uid_t uid, char *err, size_t errlen);

struct oauth_policy;

/*
 * Checks the list settings and loads cfg->username_map (owner cfg->owner) before
 * any network I/O. A map entry that names an account in deny_users is
 * OAUTH_CONFIG ("map:line: ..."). cfg is borrowed and must outlive *out.
 */
enum oauth_status oauth_policy_new(const struct oauth_config *cfg, struct oauth_policy **out,
                                   char *err, size_t errlen);

void oauth_policy_free(struct oauth_policy *policy);

/*
 * Nonzero when a claim the policy needs (the groups claim, or email for
 * require_verified_email) is not in the verified ID token claims (NULL: no ID
 * token), so the caller should also read userinfo.
 */
int oauth_policy_needs_userinfo(const struct oauth_policy *policy, const cJSON *id_claims);

/* What the login learnt. All borrowed. */
struct oauth_policy_input {
	const struct oauth_identity *id; /* from oauth_identity_from_claims() */
	const cJSON *id_claims;          /* verified ID token claims; NULL when none */
	const cJSON *userinfo;           /* userinfo, bound to the ID token by sub; may be NULL */
	const char *granted_scope;       /* token response "scope"; NULL when omitted */
	long long now;                   /* seconds since the epoch */
	const struct oauth_logger *log;  /* debug lines; may be NULL */
};

/*
 * The decision for account, in this order:
 * 1. require_verified_email: email_verified (from the document that holds
 *    "email") must be JSON true or the exact string "true" (AWS Cognito's
 *    userinfo); else OAUTH_POLICY.
 * 2. identity to account: with username_map, an entry must allow it
 *    (oauth_usermap_allows), else the claim must equal account byte for byte;
 *    else OAUTH_WRONG_IDENTITY. An account in deny_users is refused
 *    (OAUTH_POLICY) whatever the map says.
 * 3. required_scopes: each must be in the granted scope (RFC 6749 §5.1: the
 *    requested cfg->scope when the response omitted it); tokens are separated
 *    by spaces, and by commas too (GitHub's token response). Else OAUTH_POLICY
 *    naming the first missing scope.
 * 4. allowed_groups: the groups_claim from the ID token, else userinfo, must be
 *    an array of at most OAUTH_POLICY_MAX_GROUPS strings, one of them equal to
 *    an allowed group. Else OAUTH_POLICY.
 * 5. acr_values: the ID token's acr must be one of them. max_age: the ID
 *    token's auth_time must be a number, not in the future and at most
 *    max_age + OAUTH_JWT_LEEWAY seconds old. Else OAUTH_POLICY.
 * The reason in err names what was missing; provider text in it is sanitised.
 */
enum oauth_status oauth_policy_check(const struct oauth_policy *policy,
                                     const struct oauth_policy_input *in, const char *account,
                                     char *err, size_t errlen);

#endif
