/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of the identity decision: which claim, userinfo binding, hostile values, exact match. */
#include "build_config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "json.h"
#include "jwt.h"
#include "status.h"
#include "testjose.h"
#include "testutil.h"

static cJSON *
json(const char *text)
{
	cJSON *obj = NULL;
	char err[OAUTH_ERR_SIZE];

	if (text != NULL &&
	    oauth_json_parse_object(text, strlen(text), &obj, err, sizeof(err)) != OAUTH_OK)
		T_FAIL("fixture not accepted: %s (%s)", text, err);
	return obj;
}

/* Runs from_claims on the two documents; the status, and id filled for the caller to free. */
static enum oauth_status
build(const char *id_text, const char *ui_text, const char *claim, struct oauth_identity *id,
      char *err)
{
	cJSON *idc = json(id_text), *ui = json(ui_text);
	enum oauth_status rc;

	err[0] = '\0';
	rc = oauth_identity_from_claims(idc, ui, claim, id, err, OAUTH_ERR_SIZE);
	cJSON_Delete(idc);
	cJSON_Delete(ui);
	return rc;
}

static void
test_claim_from_id_token(void)
{
	struct oauth_identity id;
	char err[OAUTH_ERR_SIZE];

	CHECK_INT(build("{\"sub\":\"s1\",\"preferred_username\":\"alice\"}",
	                "{\"sub\":\"s1\",\"preferred_username\":\"mallory\"}", "preferred_username",
	                &id, err),
	          OAUTH_OK);
	CHECK_STR(id.username, "alice");
	CHECK_STR(id.sub, "s1");
	oauth_identity_free(&id);
	CHECK(id.username == NULL && id.sub == NULL);
	oauth_identity_free(NULL);
}

static void
test_claim_only_in_userinfo(void)
{
	struct oauth_identity id;
	char err[OAUTH_ERR_SIZE];
	cJSON *idc = json("{\"sub\":\"s1\"}");

	CHECK_INT(oauth_identity_needs_userinfo(idc, "email"), 1);
	CHECK_INT(oauth_identity_needs_userinfo(idc, "sub"), 0);
	CHECK_INT(oauth_identity_needs_userinfo(NULL, "email"), 1);
	CHECK_INT(build("{\"sub\":\"s1\"}", "{\"sub\":\"s1\",\"email\":\"alice@example.com\"}",
	                "email", &id, err),
	          OAUTH_OK);
	CHECK_STR(id.username, "alice@example.com");
	CHECK_STR(id.sub, "s1");
	oauth_identity_free(&id);
	cJSON_Delete(idc);
}

static void
test_userinfo_alone_without_sub(void)
{
	struct oauth_identity id;
	char err[OAUTH_ERR_SIZE];

	/* GitHub: no ID token, /user has "login" and no "sub". */
	CHECK_INT(build(NULL, "{\"login\":\"alice\",\"id\":1}", "login", &id, err), OAUTH_OK);
	CHECK_STR(id.username, "alice");
	CHECK(id.sub == NULL);
	oauth_identity_free(&id);
}

static void
test_userinfo_sub_mismatch_is_wrong_identity(void)
{
	struct oauth_identity id;
	char err[OAUTH_ERR_SIZE];

	CHECK_INT(
	    build("{\"sub\":\"s1\"}", "{\"sub\":\"s2\",\"email\":\"alice\"}", "email", &id, err),
	    OAUTH_WRONG_IDENTITY);
	CHECK(id.username == NULL && id.sub == NULL);
	CHECK(strstr(err, "sub") != NULL);
	CHECK_INT(build("{\"sub\":\"s1\"}", "{\"email\":\"alice\"}", "email", &id, err),
	          OAUTH_WRONG_IDENTITY);
	CHECK_INT(build("{\"sub\":\"s1\"}", "{\"sub\":1,\"email\":\"alice\"}", "email", &id, err),
	          OAUTH_WRONG_IDENTITY);
	/* Even when the claim itself comes from the ID token, a foreign userinfo is refused. */
	CHECK_INT(
	    build("{\"sub\":\"s1\",\"email\":\"alice\"}", "{\"sub\":\"s2\"}", "email", &id, err),
	    OAUTH_WRONG_IDENTITY);
}

/* An approval whose answer names no account (no profile scope, say) is a refusal, not a fault. */
static void
test_claim_missing_everywhere_names_no_account(void)
{
	struct oauth_identity id;
	char err[OAUTH_ERR_SIZE];

	CHECK_INT(build("{\"sub\":\"s1\"}", "{\"sub\":\"s1\"}", "email", &id, err),
	          OAUTH_NO_ACCOUNT);
	CHECK(strstr(err, "email") != NULL && strstr(err, "named no account") != NULL);
	/* Who approved stays known for the log line; the caller frees it. */
	CHECK_STR(id.sub, "s1");
	CHECK(id.username == NULL);
	oauth_identity_free(&id);
	CHECK_INT(build("{\"sub\":\"s1\",\"email\":null}", NULL, "email", &id, err),
	          OAUTH_NO_ACCOUNT);
	oauth_identity_free(&id);
	CHECK_INT(build(NULL, NULL, "email", &id, err), OAUTH_NO_ACCOUNT);
	oauth_identity_free(&id);
	CHECK_INT(build("{\"email\":\"alice\"}", NULL, "email", &id, err), OAUTH_PROTOCOL);
	CHECK(id.username == NULL && id.sub == NULL);
}

static void
test_no_claim_configured_is_config(void)
{
	struct oauth_identity id;
	char err[OAUTH_ERR_SIZE];

	CHECK_INT(build("{\"sub\":\"s1\"}", NULL, NULL, &id, err), OAUTH_CONFIG);
	CHECK_INT(build("{\"sub\":\"s1\"}", NULL, "", &id, err), OAUTH_CONFIG);
}

struct value_case {
	const char *name;
	const char *json_value; /* the claim's value as JSON text */
	enum oauth_status rc;
};

static const struct value_case value_cases[] = {
    {"plain", "\"alice\"", OAUTH_OK},
    {"utf-8 letters", "\"j\\u00fcrgen\"", OAUTH_OK},
    {"number", "42", OAUTH_WRONG_IDENTITY},
    {"array", "[\"alice\"]", OAUTH_WRONG_IDENTITY},
    {"object", "{\"name\":\"alice\"}", OAUTH_WRONG_IDENTITY},
    {"boolean", "true", OAUTH_WRONG_IDENTITY},
    {"empty", "\"\"", OAUTH_WRONG_IDENTITY},
    {"newline", "\"alice\\nroot\"", OAUTH_WRONG_IDENTITY},
    {"carriage return", "\"alice\\r\"", OAUTH_WRONG_IDENTITY},
    {"tab", "\"alice\\t\"", OAUTH_WRONG_IDENTITY},
    {"escape", "\"\\u001b[2Jalice\"", OAUTH_WRONG_IDENTITY},
    {"delete", "\"alice\\u007f\"", OAUTH_WRONG_IDENTITY},
    {"C1 next line", "\"alice\\u0085\"", OAUTH_WRONG_IDENTITY},
    {"C1 CSI", "\"\\u009b2Jalice\"", OAUTH_WRONG_IDENTITY},
};

static void
test_claim_value_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++) {
		char *text = tj_strf("{\"sub\":\"s1\",\"name\":%s}", value_cases[i].json_value);
		struct oauth_identity id;
		char err[OAUTH_ERR_SIZE];

		t_case = value_cases[i].name;
		CHECK_INT(build(text, NULL, "name", &id, err), value_cases[i].rc);
		CHECK((id.username != NULL) == (value_cases[i].rc == OAUTH_OK));
		oauth_identity_free(&id);
		free(text);
	}
}

static void
test_unusable_id_token_claim_does_not_fall_back(void)
{
	struct oauth_identity id;
	char err[OAUTH_ERR_SIZE];

	CHECK_INT(build("{\"sub\":\"s1\",\"name\":[\"alice\"]}",
	                "{\"sub\":\"s1\",\"name\":\"alice\"}", "name", &id, err),
	          OAUTH_WRONG_IDENTITY);
	CHECK(id.username == NULL);
}

static void
test_length_limit(void)
{
	char name[OAUTH_IDENTITY_MAX + 2];
	char *ok, *over;
	struct oauth_identity id;
	char err[OAUTH_ERR_SIZE];

	memset(name, 'a', sizeof(name));
	name[OAUTH_IDENTITY_MAX] = '\0';
	ok = tj_strf("{\"sub\":\"s1\",\"name\":\"%s\"}", name);
	name[OAUTH_IDENTITY_MAX] = 'a';
	name[OAUTH_IDENTITY_MAX + 1] = '\0';
	over = tj_strf("{\"sub\":\"s1\",\"name\":\"%s\"}", name);
	CHECK_INT(build(ok, NULL, "name", &id, err), OAUTH_OK);
	CHECK_INT(strlen(id.username != NULL ? id.username : ""), OAUTH_IDENTITY_MAX);
	oauth_identity_free(&id);
	CHECK_INT(build(over, NULL, "name", &id, err), OAUTH_WRONG_IDENTITY);
	CHECK(id.username == NULL);
	free(ok);
	free(over);
}

struct match_case {
	const char *identity;
	const char *account;
	enum oauth_status rc;
};

static const struct match_case match_cases[] = {
    {"alice", "alice", OAUTH_OK},
    {"Alice", "alice", OAUTH_WRONG_IDENTITY},
    {"alice", "Alice", OAUTH_WRONG_IDENTITY},
    {"alice ", "alice", OAUTH_WRONG_IDENTITY},
    {" alice", "alice", OAUTH_WRONG_IDENTITY},
    {"alice2", "alice", OAUTH_WRONG_IDENTITY},
    {"alice", "alice2", OAUTH_WRONG_IDENTITY},
    {"alice@example.com", "alice", OAUTH_WRONG_IDENTITY},
    {"root", "alice", OAUTH_WRONG_IDENTITY},
    {"alice", "", OAUTH_WRONG_IDENTITY},
};

static void
test_match_is_exact(void)
{
	size_t i;

	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		char name[64];
		struct oauth_identity id = {NULL, name};
		char err[OAUTH_ERR_SIZE] = "";

		snprintf(name, sizeof(name), "%s", match_cases[i].identity);

		t_case = match_cases[i].identity;
		CHECK_INT(oauth_identity_match(&id, match_cases[i].account, err, sizeof(err)),
		          match_cases[i].rc);
		if (match_cases[i].rc != OAUTH_OK)
			CHECK(strstr(err, match_cases[i].identity) != NULL);
	}
	{
		struct oauth_identity none = {NULL, NULL};
		char err[OAUTH_ERR_SIZE], alice[] = "alice";

		t_case = "no identity";
		CHECK_INT(oauth_identity_match(&none, "alice", err, sizeof(err)),
		          OAUTH_WRONG_IDENTITY);
		CHECK_INT(oauth_identity_match(NULL, "alice", err, sizeof(err)),
		          OAUTH_WRONG_IDENTITY);
		none.username = alice;
		CHECK_INT(oauth_identity_match(&none, NULL, err, sizeof(err)),
		          OAUTH_WRONG_IDENTITY);
	}
}

static void
test_mismatch_error_is_sanitised_and_bounded(void)
{
	char hostile[400];
	struct oauth_identity id = {NULL, hostile};
	char err[OAUTH_ERR_SIZE];
	size_t i;

	memset(hostile, 'x', sizeof(hostile));
	memcpy(hostile, "\x1b[2J\xc2\x9b", 6);
	hostile[sizeof(hostile) - 1] = '\0';
	CHECK_INT(oauth_identity_match(&id, "bob\r\nforged: yes", err, sizeof(err)),
	          OAUTH_WRONG_IDENTITY);
	CHECK(strstr(err, "bob??forged: yes") != NULL);
	CHECK(strlen(err) < sizeof(err));
	for (i = 0; err[i] != '\0'; i++)
		CHECK((unsigned char)err[i] >= 0x20 && (unsigned char)err[i] < 0x7f);
}

/*
 * cJSON ends a string at \u0000, so "alice\u0000evil" would read as "alice":
 * the JWS decoder refuses the escape, so such a claim never reaches us.
 */
static void
test_nul_embedding_impossible_through_the_token(void)
{
	char *h = tj_b64url_str("{\"alg\":\"RS256\"}");
	char *p = tj_b64url_str("{\"sub\":\"s1\",\"preferred_username\":\"alice\\u0000evil\"}");
	char *lit = tj_b64url_str("{\"sub\":\"s1\",\"preferred_username\":\"alice\\\\u0000\"}");
	char *tok = tj_strf("%s.%s.c2ln", h, p);
	char *tok2 = tj_strf("%s.%s.c2ln", h, lit);
	struct oauth_jwt jwt;
	struct oauth_identity id;
	char err[OAUTH_ERR_SIZE];

	CHECK_INT(oauth_jwt_decode(tok, &jwt, err, sizeof(err)), OAUTH_INVALID_TOKEN);
	CHECK(jwt.claims == NULL);
	/* An escaped backslash is just text: it decodes, and is not "alice". */
	CHECK_INT(oauth_jwt_decode(tok2, &jwt, err, sizeof(err)), OAUTH_OK);
	CHECK_INT(oauth_identity_from_claims(jwt.claims, NULL, "preferred_username", &id, err,
	                                     sizeof(err)),
	          OAUTH_OK);
	CHECK_STR(id.username, "alice\\u0000");
	CHECK_INT(oauth_identity_match(&id, "alice", err, sizeof(err)), OAUTH_WRONG_IDENTITY);
	oauth_identity_free(&id);
	oauth_jwt_free(&jwt);
	free(h);
	free(p);
	free(lit);
	free(tok);
	free(tok2);
}

int main(void);
int
main(void)
{
	RUN(test_claim_from_id_token);
	RUN(test_claim_only_in_userinfo);
	RUN(test_userinfo_alone_without_sub);
	RUN(test_userinfo_sub_mismatch_is_wrong_identity);
	RUN(test_claim_missing_everywhere_names_no_account);
	RUN(test_no_claim_configured_is_config);
	RUN(test_claim_value_table);
	RUN(test_unusable_id_token_claim_does_not_fall_back);
	RUN(test_length_limit);
	RUN(test_match_is_exact);
	RUN(test_mismatch_error_is_sanitised_and_bounded);
	RUN(test_nul_embedding_impossible_through_the_token);
	return T_DONE();
}
