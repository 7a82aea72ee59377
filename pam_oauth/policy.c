/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The policy decision: may this identity use this account here (map, email, scopes, groups, acr).
 */
#include "build_config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jwt.h"
#include "policy.h"
#include "usermap.h"

/* deny_users and allowed_groups: "a, b c" and "a,b" both read as a list. */
#define LIST_SEPS " ,"
/* RFC 6749 §3.3: scope tokens (and acr_values, OIDC Core §3.1.2.1) are space separated. */
#define SCOPE_SEPS " "
/* Granted scopes: spaces per RFC 6749, commas as GitHub's token response writes them. */
#define GRANTED_SEPS " ,"
/* The deny_users value that means "deny no account by name". */
#define DENY_NONE "none"
/* An auth_time beyond this (year 5138) is nonsense, and keeps the long long cast defined. */
#define MAX_EPOCH 1e11

struct oauth_policy {
	const struct oauth_config *cfg; /* borrowed */
	struct oauth_usermap *map;      /* owned; NULL without username_map */
};

/* The next item of *s separated by any of seps; 0 when there is none left. */
static int
next_item(const char **s, const char *seps, const char **item, size_t *len)
{
	const char *p = *s;

	while (*p != '\0' && strchr(seps, *p) != NULL)
		p++;
	*item = p;
	while (*p != '\0' && strchr(seps, *p) == NULL)
		p++;
	*len = (size_t)(p - *item);
	*s = p;
	return *len > 0;
}

/* Nonzero when list (may be NULL) holds the vlen bytes at value as one whole item. */
static int
list_has_n(const char *list, const char *seps, const char *value, size_t vlen)
{
	const char *item;
	size_t len;

	if (list == NULL)
		return 0;
	while (next_item(&list, seps, &item, &len))
		if (len == vlen && memcmp(item, value, len) == 0)
			return 1;
	return 0;
}

static int
list_has(const char *list, const char *seps, const char *value)
{
	return list_has_n(list, seps, value, strlen(value));
}

static int
deny_list_empty(const struct oauth_config *cfg)
{
	return cfg->deny_users == NULL || strcmp(cfg->deny_users, DENY_NONE) == 0;
}

static int
is_denied(const struct oauth_config *cfg, const char *account)
{
	return !deny_list_empty(cfg) && list_has(cfg->deny_users, LIST_SEPS, account);
}

/* Counts and checks the items of a list setting; value NULL is an unset (empty) list. */
static enum oauth_status
check_list(const char *key, const char *value, const char *seps, int accounts, char *err,
           size_t errlen)
{
	const char *item, *s = value;
	char copy[OAUTH_ACCOUNT_MAX + 1];
	size_t len, n = 0;

	if (value == NULL)
		return OAUTH_OK;
	while (next_item(&s, seps, &item, &len)) {
		if (++n > OAUTH_POLICY_MAX_ITEMS) {
			oauth_seterr(err, errlen, "%s: more than %d items", key,
			             OAUTH_POLICY_MAX_ITEMS);
			return OAUTH_CONFIG;
		}
		if (accounts && len <= OAUTH_ACCOUNT_MAX) {
			memcpy(copy, item, len);
			copy[len] = '\0';
		}
		if (accounts && (len > OAUTH_ACCOUNT_MAX || !oauth_usermap_valid_account(copy))) {
			oauth_seterr(err, errlen, "%s: item %zu is not an account name", key, n);
			return OAUTH_CONFIG;
		}
	}
	if (n == 0) {
		oauth_seterr(err, errlen, "%s: empty list", key);
		return OAUTH_CONFIG;
	}
	return OAUTH_OK;
}

static enum oauth_status
check_deny_users(const struct oauth_config *cfg, char *err, size_t errlen)
{
	if (deny_list_empty(cfg))
		return OAUTH_OK;
	return check_list("deny_users", cfg->deny_users, LIST_SEPS, 1, err, errlen);
}

enum oauth_status
oauth_policy_account_allowed(const struct oauth_config *cfg, const char *account, uid_t uid,
                             char *err, size_t errlen)
{
	char acct[OAUTH_LOG_FIELD_MAX];
	enum oauth_status rc;

	if (cfg == NULL || account == NULL) {
		oauth_seterr(err, errlen, "no settings or account");
		return OAUTH_CONFIG;
	}
	rc = check_deny_users(cfg, err, errlen);
	if (rc != OAUTH_OK)
		return rc;
	oauth_sanitize(acct, sizeof(acct), account);
	if (is_denied(cfg, account)) {
		oauth_seterr(err, errlen, "account \"%s\" is in deny_users", acct);
		return OAUTH_POLICY;
	}
	if (cfg->min_uid > 0 && (unsigned long long)uid < (unsigned long long)cfg->min_uid) {
		oauth_seterr(err, errlen, "account \"%s\" has uid %lu, below min_uid %ld", acct,
		             (unsigned long)uid, cfg->min_uid);
		return OAUTH_POLICY;
	}
	return OAUTH_OK;
}

/* A required scope with a comma could never be found: granted scopes are split at commas. */
static enum oauth_status
check_settings(const struct oauth_config *cfg, char *err, size_t errlen)
{
	enum oauth_status rc = check_deny_users(cfg, err, errlen);

	if (rc == OAUTH_OK)
		rc = check_list("allowed_groups", cfg->allowed_groups, LIST_SEPS, 0, err, errlen);
	if (rc == OAUTH_OK)
		rc =
		    check_list("required_scopes", cfg->required_scopes, SCOPE_SEPS, 0, err, errlen);
	if (rc == OAUTH_OK)
		rc = check_list("acr_values", cfg->acr_values, SCOPE_SEPS, 0, err, errlen);
	if (rc == OAUTH_OK && cfg->required_scopes != NULL &&
	    strchr(cfg->required_scopes, ',') != NULL) {
		oauth_seterr(err, errlen,
		             "required_scopes: separate scopes with spaces, not commas");
		rc = OAUTH_CONFIG;
	}
	return rc;
}

/* The map must not hand out an account that deny_users refuses (say root). */
static enum oauth_status
check_map_against_deny(const struct oauth_config *cfg, const struct oauth_usermap *map, char *err,
                       size_t errlen)
{
	const char *item, *s = cfg->deny_users;
	char name[OAUTH_ACCOUNT_MAX + 1], path[256];
	size_t len;
	int line;

	if (deny_list_empty(cfg))
		return OAUTH_OK;
	while (next_item(&s, LIST_SEPS, &item, &len)) {
		memcpy(name, item, len); /* check_deny_users() bounded len */
		name[len] = '\0';
		line = oauth_usermap_names_account(map, name);
		if (line > 0) {
			oauth_seterr(err, errlen, "%s:%d: maps to \"%s\", which deny_users refuses",
			             oauth_sanitize(path, sizeof(path), cfg->username_map), line,
			             name);
			return OAUTH_CONFIG;
		}
	}
	return OAUTH_OK;
}

enum oauth_status
oauth_policy_new(const struct oauth_config *cfg, struct oauth_policy **out, char *err,
                 size_t errlen)
{
	struct oauth_policy *p = NULL;
	enum oauth_status rc;

	*out = NULL;
	if (cfg == NULL) {
		oauth_seterr(err, errlen, "no settings");
		return OAUTH_CONFIG;
	}
	rc = check_settings(cfg, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		oauth_seterr(err, errlen, "out of memory");
		rc = OAUTH_NOMEM;
		goto out;
	}
	p->cfg = cfg;
	if (cfg->username_map != NULL) {
		rc = oauth_usermap_load(cfg->username_map, cfg->owner, &p->map, err, errlen);
		if (rc == OAUTH_OK)
			rc = check_map_against_deny(cfg, p->map, err, errlen);
		if (rc != OAUTH_OK)
			goto out;
	}
	*out = p;
	p = NULL;
	rc = OAUTH_OK;
out:
	oauth_policy_free(p);
	return rc;
}

void
oauth_policy_free(struct oauth_policy *policy)
{
	if (policy == NULL)
		return;
	oauth_usermap_free(policy->map);
	free(policy);
}

/* A claim given as JSON null counts as absent, as in identity.c. */
static const cJSON *
get_claim(const cJSON *obj, const char *name)
{
	const cJSON *item;

	if (obj == NULL || name == NULL)
		return NULL;
	item = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsNull(item) ? NULL : item;
}

static int
wants_verified_email(const struct oauth_config *cfg)
{
	if (cfg->require_verified_email >= 0)
		return cfg->require_verified_email;
	return cfg->username_claim != NULL && strcmp(cfg->username_claim, "email") == 0;
}

int
oauth_policy_needs_userinfo(const struct oauth_policy *policy, const cJSON *id_claims)
{
	const struct oauth_config *cfg;

	if (policy == NULL)
		return 0;
	cfg = policy->cfg;
	if (cfg->allowed_groups != NULL && get_claim(id_claims, cfg->groups_claim) == NULL)
		return 1;
	return wants_verified_email(cfg) && get_claim(id_claims, "email") == NULL;
}

/*
 * OIDC Core §5.1 makes email_verified a boolean. AWS Cognito's userinfo sends
 * the string "true" (pomerium#792, zitadel/oidc#137); that exact string is an
 * equally plain statement by the provider, so it counts too. Nothing else does.
 */
static enum oauth_status
check_verified_email(const struct oauth_config *cfg, const struct oauth_policy_input *in, char *err,
                     size_t errlen)
{
	const cJSON *doc = get_claim(in->id_claims, "email") != NULL ? in->id_claims : in->userinfo;
	const cJSON *v = get_claim(doc, "email_verified");

	if (!wants_verified_email(cfg))
		return OAUTH_OK;
	if (cJSON_IsTrue(v) || (cJSON_IsString(v) && strcmp(v->valuestring, "true") == 0))
		return OAUTH_OK;
	oauth_seterr(err, errlen, "email_verified is %s (require_verified_email)",
	             v == NULL ? "missing" : "not true");
	return OAUTH_POLICY;
}

static enum oauth_status
check_account(const struct oauth_policy *p, const struct oauth_policy_input *in,
              const char *account, char *err, size_t errlen)
{
	const struct oauth_identity *id = in->id;
	char who[OAUTH_LOG_FIELD_MAX], sub[OAUTH_LOG_FIELD_MAX], acct[OAUTH_LOG_FIELD_MAX];
	int line = 0;

	oauth_sanitize(acct, sizeof(acct), account);
	/* Checked before anything was sent too; here again so no map can undo it. */
	if (account == NULL || is_denied(p->cfg, account)) {
		oauth_seterr(err, errlen, "account \"%s\" is in deny_users", acct);
		return OAUTH_POLICY;
	}
	if (p->map == NULL)
		return oauth_identity_match(id, account, err, errlen);
	if (id != NULL && oauth_usermap_allows(p->map, id->username, id->sub, account, &line)) {
		oauth_debug(in->log, "username_map line %d lets the identity use \"%s\"", line,
		            acct);
		return OAUTH_OK;
	}
	oauth_seterr(err, errlen,
	             "username_map does not let \"%s\" (sub \"%s\") use account \"%s\"",
	             oauth_sanitize(who, sizeof(who), id != NULL ? id->username : NULL),
	             oauth_sanitize(sub, sizeof(sub), id != NULL ? id->sub : NULL), acct);
	return OAUTH_WRONG_IDENTITY;
}

static enum oauth_status
check_scopes(const struct oauth_config *cfg, const struct oauth_policy_input *in, char *err,
             size_t errlen)
{
	const char *granted = in->granted_scope != NULL ? in->granted_scope : cfg->scope;
	const char *item, *s = cfg->required_scopes;
	char want[OAUTH_LOG_FIELD_MAX];
	size_t len;

	if (s == NULL)
		return OAUTH_OK;
	while (next_item(&s, SCOPE_SEPS, &item, &len)) {
		if (list_has_n(granted, GRANTED_SEPS, item, len))
			continue;
		/* Only for the message: cut to a log field (config values are printable ASCII). */
		if (len >= sizeof(want))
			len = sizeof(want) - 1;
		memcpy(want, item, len);
		want[len] = '\0';
		oauth_seterr(err, errlen, "required scope \"%s\" was not granted", want);
		return OAUTH_POLICY;
	}
	return OAUTH_OK;
}

/* The groups claim: the ID token's when present (even if unusable), else userinfo's. */
static enum oauth_status
check_groups(const struct oauth_config *cfg, const struct oauth_policy_input *in, char *err,
             size_t errlen)
{
	const cJSON *groups = get_claim(in->id_claims, cfg->groups_claim), *g;
	char name[OAUTH_LOG_FIELD_MAX], allowed[OAUTH_LOG_FIELD_MAX];
	int n = 0, hit = 0;

	if (cfg->allowed_groups == NULL)
		return OAUTH_OK;
	oauth_sanitize(name, sizeof(name), cfg->groups_claim);
	if (groups == NULL)
		groups = get_claim(in->userinfo, cfg->groups_claim);
	if (groups == NULL) {
		oauth_seterr(err, errlen, "no \"%s\" claim, which allowed_groups needs", name);
		return OAUTH_POLICY;
	}
	if (!cJSON_IsArray(groups)) {
		oauth_seterr(err, errlen, "claim \"%s\" is not an array of strings", name);
		return OAUTH_POLICY;
	}
	cJSON_ArrayForEach(g, groups)
	{
		if (!cJSON_IsString(g) || g->valuestring == NULL ||
		    strnlen(g->valuestring, OAUTH_POLICY_MAX_VALUE + 1) > OAUTH_POLICY_MAX_VALUE) {
			oauth_seterr(err, errlen, "claim \"%s\" is not an array of short strings",
			             name);
			return OAUTH_POLICY;
		}
		if (++n > OAUTH_POLICY_MAX_GROUPS) {
			oauth_seterr(err, errlen, "claim \"%s\" lists more than %d groups", name,
			             OAUTH_POLICY_MAX_GROUPS);
			return OAUTH_POLICY;
		}
		if (g->valuestring[0] != '\0' &&
		    list_has(cfg->allowed_groups, LIST_SEPS, g->valuestring))
			hit = 1;
	}
	if (hit)
		return OAUTH_OK;
	oauth_seterr(err, errlen, "not in any of allowed_groups (%s)",
	             oauth_sanitize(allowed, sizeof(allowed), cfg->allowed_groups));
	return OAUTH_POLICY;
}

static enum oauth_status
check_acr(const struct oauth_config *cfg, const struct oauth_policy_input *in, char *err,
          size_t errlen)
{
	const cJSON *acr = get_claim(in->id_claims, "acr");
	char shown[OAUTH_LOG_FIELD_MAX];

	if (cfg->acr_values == NULL)
		return OAUTH_OK;
	if (!cJSON_IsString(acr) || acr->valuestring == NULL || acr->valuestring[0] == '\0' ||
	    strnlen(acr->valuestring, OAUTH_POLICY_MAX_VALUE + 1) > OAUTH_POLICY_MAX_VALUE) {
		oauth_seterr(err, errlen, "acr_values set but the ID token has no acr string");
		return OAUTH_POLICY;
	}
	if (list_has(cfg->acr_values, SCOPE_SEPS, acr->valuestring))
		return OAUTH_OK;
	oauth_seterr(err, errlen, "acr \"%s\" is not one of acr_values",
	             oauth_sanitize(shown, sizeof(shown), acr->valuestring));
	return OAUTH_POLICY;
}

/* OIDC Core §3.1.2.1 max_age and §2 auth_time: the person signed in recently enough. */
static enum oauth_status
check_auth_time(const struct oauth_config *cfg, const struct oauth_policy_input *in, char *err,
                size_t errlen)
{
	const cJSON *at = get_claim(in->id_claims, "auth_time");
	long long when, age;

	if (cfg->max_age <= 0)
		return OAUTH_OK;
	if (!cJSON_IsNumber(at) || !isfinite(at->valuedouble) || at->valuedouble < 0 ||
	    at->valuedouble > MAX_EPOCH) {
		oauth_seterr(err, errlen, "max_age set but the ID token has no auth_time");
		return OAUTH_POLICY;
	}
	when = (long long)at->valuedouble;
	if (when > in->now + OAUTH_JWT_LEEWAY) {
		oauth_seterr(err, errlen, "auth_time is in the future");
		return OAUTH_POLICY;
	}
	age = in->now - when;
	if (age > (long long)cfg->max_age + OAUTH_JWT_LEEWAY) {
		oauth_seterr(err, errlen, "signed in %lld s ago, more than max_age %ld", age,
		             cfg->max_age);
		return OAUTH_POLICY;
	}
	return OAUTH_OK;
}

enum oauth_status
oauth_policy_check(const struct oauth_policy *policy, const struct oauth_policy_input *in,
                   const char *account, char *err, size_t errlen)
{
	enum oauth_status rc;

	if (policy == NULL || in == NULL || in->id == NULL || account == NULL) {
		oauth_seterr(err, errlen, "policy check without settings, identity or account");
		return OAUTH_CONFIG;
	}
	rc = check_verified_email(policy->cfg, in, err, errlen);
	if (rc == OAUTH_OK)
		rc = check_account(policy, in, account, err, errlen);
	if (rc == OAUTH_OK)
		rc = check_scopes(policy->cfg, in, err, errlen);
	if (rc == OAUTH_OK)
		rc = check_groups(policy->cfg, in, err, errlen);
	if (rc == OAUTH_OK)
		rc = check_acr(policy->cfg, in, err, errlen);
	if (rc == OAUTH_OK)
		rc = check_auth_time(policy->cfg, in, err, errlen);
	return rc;
}
