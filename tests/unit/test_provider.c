/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of provider quirks against response shapes written from GitHub, Google and Entra docs. */
#include "build_config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "device_flow.h"
#include "identity.h"
#include "json.h"
#include "jwa.h"
#include "jwt.h"
#include "provider.h"
#include "testutil.h"

#define PATH_BUF 512
/* Fixtures are a few hundred bytes. */
#define MAX_FIXTURE 8192
#define ENTRA_TID "9122040d-6c67-4c5b-b112-36a304b66dad"

static char fixtures[PATH_BUF];

/* Reads tests/fixtures/providers/name into buf (NUL-terminated); returns its length. */
static size_t
fixture(const char *name, char *buf, size_t buflen)
{
	char path[PATH_BUF + 64];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fixtures, name);
	f = fopen(path, "r");
	if (f == NULL) {
		T_FAIL("missing fixture %s", path);
		buf[0] = '\0';
		return 0;
	}
	n = fread(buf, 1, buflen - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

static cJSON *
fixture_json(const char *name)
{
	char buf[MAX_FIXTURE], err[OAUTH_ERR_SIZE];
	size_t n = fixture(name, buf, sizeof(buf));
	cJSON *obj = NULL;

	if (oauth_json_parse_object(buf, n, &obj, err, sizeof(err)) != OAUTH_OK)
		T_FAIL("%s: %s", name, err);
	return obj;
}

static enum oauth_next
token_fixture(long status, const char *name, struct oauth_token_response *tr)
{
	char buf[MAX_FIXTURE], err[OAUTH_ERR_SIZE] = "";
	size_t n = fixture(name, buf, sizeof(buf));

	return oauth_token_response_parse(status, buf, n, tr, err, sizeof(err)).next;
}

static void
test_github_device_response_is_standard(void)
{
	char buf[MAX_FIXTURE], err[OAUTH_ERR_SIZE] = "";
	struct oauth_device_auth da;
	size_t n = fixture("github-device-code.json", buf, sizeof(buf));

	CHECK_INT(oauth_device_auth_parse(200, buf, n, &da, err, sizeof(err)), OAUTH_OK);
	CHECK_STR(da.user_code, "WDJB-MJHT");
	CHECK_STR(da.verification_uri, "https://github.com/login/device");
	CHECK(da.verification_uri_complete == NULL);
	CHECK_INT(da.expires_in, 900);
	CHECK_INT(da.interval, 5);
	oauth_device_auth_free(&da);
}

static void
test_github_errors_at_http_200_keep_polling(void)
{
	struct oauth_token_response tr;

	/* GitHub answers a pending poll with 200 and "error": the member decides, not the status.
	 */
	CHECK_INT(token_fixture(200, "github-token-pending.json", &tr), OAUTH_NEXT_PENDING);
	CHECK(tr.access_token == NULL);
	/* Its slow_down carries the new interval too; we add RFC 8628's 5 s, which matches. */
	CHECK_INT(token_fixture(200, "github-token-slow-down.json", &tr), OAUTH_NEXT_SLOW_DOWN);
	CHECK(tr.access_token == NULL);
}

static void
test_github_token_has_no_id_token(void)
{
	struct oauth_token_response tr;

	CHECK_INT(token_fixture(200, "github-token.json", &tr), OAUTH_NEXT_READ);
	CHECK(tr.access_token != NULL);
	CHECK(tr.id_token == NULL);
	CHECK_STR(tr.token_type, "bearer");
	CHECK_STR(tr.scope, "read:user");
	oauth_token_response_free(&tr);
}

static void
test_github_user_login_is_the_identity_without_sub(void)
{
	cJSON *user = fixture_json("github-user.json");
	struct oauth_identity id;
	char err[OAUTH_ERR_SIZE] = "";

	/* No ID token (not OpenID): the identity is userinfo's (GET /user) "login". */
	CHECK_INT(oauth_identity_from_claims(NULL, user, "login", &id, err, sizeof(err)), OAUTH_OK);
	CHECK_STR(id.username, "octocat");
	CHECK(id.sub == NULL);
	CHECK_INT(oauth_identity_match(&id, "octocat", err, sizeof(err)), OAUTH_OK);
	CHECK_INT(oauth_identity_match(&id, "Octocat", err, sizeof(err)), OAUTH_WRONG_IDENTITY);
	oauth_identity_free(&id);
	/* The numeric "id" is not a string claim: refused, never stringified. */
	CHECK(oauth_identity_from_claims(NULL, user, "id", &id, err, sizeof(err)) != OAUTH_OK);
	CHECK(id.username == NULL);
	cJSON_Delete(user);
}

static void
test_google_verification_url_is_read(void)
{
	char buf[MAX_FIXTURE], err[OAUTH_ERR_SIZE] = "";
	struct oauth_device_auth da;
	size_t n = fixture("google-device-code.json", buf, sizeof(buf));

	CHECK_INT(oauth_device_auth_parse(200, buf, n, &da, err, sizeof(err)), OAUTH_OK);
	CHECK_STR(da.verification_uri, "https://www.google.com/device");
	CHECK_STR(da.user_code, "GQVQ-JKEC");
	CHECK_INT(da.expires_in, 1800);
	oauth_device_auth_free(&da);
}

static void
test_google_missing_secret_is_a_token_error(void)
{
	struct oauth_token_response tr;

	char buf[MAX_FIXTURE], err[OAUTH_ERR_SIZE] = "";
	size_t n = fixture("google-token-invalid-client.json", buf, sizeof(buf));
	struct oauth_answer a = oauth_token_response_parse(401, buf, n, &tr, err, sizeof(err));

	/* What Google says when polled without a secret: the loop ends, and it is the setup's
	 * fault. */
	CHECK_INT(a.next, OAUTH_NEXT_STOP);
	CHECK_INT(a.status, OAUTH_CONFIG);
}

static void
test_entra_message_is_ignored(void)
{
	char buf[MAX_FIXTURE], err[OAUTH_ERR_SIZE] = "";
	struct oauth_device_auth da;
	size_t n = fixture("entra-device-code.json", buf, sizeof(buf));

	/* Its "message" repeats URL and code in prose; we show our own text, so it is unused. */
	CHECK_INT(oauth_device_auth_parse(200, buf, n, &da, err, sizeof(err)), OAUTH_OK);
	CHECK_STR(da.verification_uri, "https://microsoft.com/devicelogin");
	CHECK_STR(da.user_code, "FQK5HW3UF");
	CHECK(da.verification_uri_complete == NULL);
	oauth_device_auth_free(&da);
}

struct tid_case {
	const char *name;
	const char *tenant_id;
	const char *tid_json; /* the member as JSON, or NULL: removed */
	int no_claims;
	enum oauth_status want;
};

static const struct tid_case tid_cases[] = {
    {"same tenant", ENTRA_TID, "\"" ENTRA_TID "\"", 0, OAUTH_OK},
    {"other tenant", ENTRA_TID, "\"72f988bf-86f1-41af-91ab-2d7cd011db47\"", 0,
     OAUTH_WRONG_IDENTITY},
    {"case differs", ENTRA_TID, "\"9122040D-6C67-4C5B-B112-36A304B66DAD\"", 0,
     OAUTH_WRONG_IDENTITY},
    {"prefix only", ENTRA_TID, "\"9122040d\"", 0, OAUTH_WRONG_IDENTITY},
    {"tid missing", ENTRA_TID, NULL, 0, OAUTH_WRONG_IDENTITY},
    {"tid not a string", ENTRA_TID, "42", 0, OAUTH_WRONG_IDENTITY},
    {"tid null", ENTRA_TID, "null", 0, OAUTH_WRONG_IDENTITY},
    {"no ID token at all", ENTRA_TID, NULL, 1, OAUTH_WRONG_IDENTITY},
    {"no tenant_id: no check", NULL, "\"anything\"", 0, OAUTH_OK},
    {"no tenant_id, no ID token", NULL, NULL, 1, OAUTH_OK},
};

static void
test_entra_tid_must_equal_tenant_id(void)
{
	const struct tid_case *k;
	struct oauth_config cfg;
	char err[OAUTH_ERR_SIZE];
	cJSON *claims, *tid;
	size_t i;

	for (i = 0; i < sizeof(tid_cases) / sizeof(tid_cases[0]); i++) {
		k = &tid_cases[i];
		t_case = k->name;
		claims = fixture_json("entra-id-token-claims.json");
		cJSON_DeleteItemFromObjectCaseSensitive(claims, "tid");
		if (k->tid_json != NULL) {
			tid = cJSON_Parse(k->tid_json);
			cJSON_AddItemToObject(claims, "tid", tid);
		}
		memset(&cfg, 0, sizeof(cfg));
		cfg.tenant_id = (char *)(uintptr_t)k->tenant_id;
		err[0] = '\0';
		CHECK_INT(oauth_provider_check_claims(&cfg, k->no_claims ? NULL : claims, err,
		                                      sizeof(err)),
		          k->want);
		if (k->want != OAUTH_OK)
			CHECK(strstr(err, "tid") != NULL);
		cJSON_Delete(claims);
	}
}

static void
test_entra_username_carries_the_domain(void)
{
	cJSON *claims = fixture_json("entra-id-token-claims.json");
	struct oauth_identity id;
	char err[OAUTH_ERR_SIZE] = "";

	/* preferred_username is user@domain: it equals no local account without a mapping. */
	CHECK_INT(
	    oauth_identity_from_claims(claims, NULL, "preferred_username", &id, err, sizeof(err)),
	    OAUTH_OK);
	CHECK_STR(id.username, "AbeLi@microsoft.com");
	CHECK_STR(id.sub, "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ");
	CHECK_INT(oauth_identity_match(&id, "abeli", err, sizeof(err)), OAUTH_WRONG_IDENTITY);
	oauth_identity_free(&id);
	cJSON_Delete(claims);
}

struct algs_case {
	const char *list;
	int valid;
	int n; /* algs after splitting */
};

static const struct algs_case algs_cases[] = {
    {"RS256", 1, 1},
    {"RS256 ES256 EdDSA", 1, 3},
    {"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA", 1, 10},
    {"none", 0, 0},
    {"HS256", 0, 0},
    {"RS256 HS256", 0, 0},
    {"rs256", 0, 0},
    {"RS256 RS256", 0, 0},
    {"RS256,ES256", 0, 0},
    {"RS256  ES256", 0, 0},
    {"", 0, 0},
};

static void
test_id_token_algs_accepts_only_known_safe_algs(void)
{
	const char *algs[OAUTH_JWA_MAX_ALGS + 1];
	const char *const *use = NULL;
	char *copy = NULL;
	size_t i;
	int n;

	for (i = 0; i < sizeof(algs_cases) / sizeof(algs_cases[0]); i++) {
		t_case = algs_cases[i].list;
		CHECK_INT(oauth_jwa_list_valid(algs_cases[i].list), algs_cases[i].valid);
		CHECK_INT(oauth_jwa_list_split(algs_cases[i].list, &copy, algs, &use, NULL, 0),
		          algs_cases[i].valid ? OAUTH_OK : OAUTH_CONFIG);
		for (n = 0; use != NULL && use[n] != NULL; n++)
			;
		CHECK_INT(n, algs_cases[i].n);
		CHECK(algs_cases[i].valid ? use == algs : use == NULL && copy == NULL);
		free(copy);
	}
	/* No list: the default, which jwt.c takes as NULL. */
	CHECK_INT(oauth_jwa_list_split(NULL, &copy, algs, &use, NULL, 0), OAUTH_OK);
	CHECK(use == NULL && copy == NULL);
	CHECK_INT(oauth_jwa_list_valid(NULL), 0);
}

static void
find_fixtures(void)
{
	const char *srcdir = getenv("top_srcdir");

	if (srcdir != NULL)
		snprintf(fixtures, sizeof(fixtures), "%s/tests/fixtures/providers", srcdir);
	else if (access("../tests/fixtures/providers", R_OK) == 0)
		snprintf(fixtures, sizeof(fixtures), "../tests/fixtures/providers");
	else
		snprintf(fixtures, sizeof(fixtures), "tests/fixtures/providers");
}

int
main(void)
{
	find_fixtures();
	RUN(test_github_device_response_is_standard);
	RUN(test_github_errors_at_http_200_keep_polling);
	RUN(test_github_token_has_no_id_token);
	RUN(test_github_user_login_is_the_identity_without_sub);
	RUN(test_google_verification_url_is_read);
	RUN(test_google_missing_secret_is_a_token_error);
	RUN(test_entra_message_is_ignored);
	RUN(test_entra_tid_must_equal_tenant_id);
	RUN(test_entra_username_carries_the_domain);
	RUN(test_id_token_algs_accepts_only_known_safe_algs);
	return T_DONE();
}
