/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of the policy decision: deny_users, min_uid, map, verified email, scopes, groups, acr. */
#include "build_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "identity.h"
#include "json.h"
#include "policy.h"
#include "status.h"
#include "testutil.h"

static char tmpdir[] = "/tmp/test_policy.XXXXXX";
static char conf_path[256], map_path[256];

/* A fixed clock: 2026-01-01. */
#define NOW 1767225600LL

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		T_FAIL("cannot write %s", path);
	if (chmod(path, mode) != 0)
		T_FAIL("cannot chmod %s", path);
}

/*
 * Loads settings for service from the lines in text (after a minimal provider
 * block), through the real loader; "@MAP@" stands for the map file's path.
 */
static enum oauth_status
load(const char *text, const char *service, struct oauth_config *cfg, char *err)
{
	char buf[4096], arg[300];
	const char *argv[1];
	const char *at = strstr(text, "@MAP@");
	int n;

	if (at != NULL)
		n = snprintf(buf, sizeof(buf),
		             "client_id = c\nissuer = https://idp.example\n%.*s%s%s",
		             (int)(at - text), text, map_path, at + 5);
	else
		n = snprintf(buf, sizeof(buf), "client_id = c\nissuer = https://idp.example\n%s",
		             text);
	if (n < 0 || (size_t)n >= sizeof(buf))
		T_FAIL("config text too long");
	write_file(conf_path, buf, 0600);
	snprintf(arg, sizeof(arg), "config=%s", conf_path);
	argv[0] = arg;
	err[0] = '\0';
	return oauth_config_load_as(cfg, service, 1, argv, getuid(), err, OAUTH_ERR_SIZE);
}

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

/* One decision: settings, service, what the provider said, the account; expected outcome. */
struct row {
	const char *name;
	const char *config;  /* lines after client_id and issuer */
	const char *service; /* NULL: "login" */
	const char *map;     /* map file text; NULL: leave the last one */
	const char *account;
	const char *username, *sub;
	const char *id_claims, *userinfo; /* JSON; NULL: none */
	const char *granted;              /* token response scope; NULL: omitted */
	enum oauth_status want;
	const char *want_err; /* substring of err when want != OAUTH_OK; NULL: don't care */
};

static void
run_rows(const struct row *rows, size_t n)
{
	struct oauth_config cfg;
	struct oauth_policy *policy = NULL;
	struct oauth_identity id;
	struct oauth_policy_input in;
	cJSON *idc, *ui;
	char err[OAUTH_ERR_SIZE];
	enum oauth_status rc;
	size_t i;

	for (i = 0; i < n; i++) {
		t_case = rows[i].name;
		if (rows[i].map != NULL)
			write_file(map_path, rows[i].map, 0644);
		rc = load(rows[i].config, rows[i].service ? rows[i].service : "login", &cfg, err);
		if (rc != OAUTH_OK) {
			T_FAIL("config refused: %s", err);
			continue;
		}
		rc = oauth_policy_new(&cfg, &policy, err, sizeof(err));
		if (rc != OAUTH_OK) {
			T_FAIL("policy refused: %s", err);
			oauth_config_free(&cfg);
			continue;
		}
		id.username = rows[i].username ? strdup(rows[i].username) : NULL;
		id.sub = rows[i].sub ? strdup(rows[i].sub) : NULL;
		idc = json(rows[i].id_claims);
		ui = json(rows[i].userinfo);
		memset(&in, 0, sizeof(in));
		in.id = &id;
		in.id_claims = idc;
		in.userinfo = ui;
		in.granted_scope = rows[i].granted;
		in.now = NOW;
		err[0] = '\0';
		rc = oauth_policy_check(policy, &in, rows[i].account, err, sizeof(err));
		CHECK_INT(rc, rows[i].want);
		if (rows[i].want_err != NULL && strstr(err, rows[i].want_err) == NULL)
			T_FAIL("err \"%s\" lacks \"%s\"", err, rows[i].want_err);
		cJSON_Delete(idc);
		cJSON_Delete(ui);
		oauth_identity_free(&id);
		oauth_policy_free(policy);
		policy = NULL;
		oauth_config_free(&cfg);
	}
}

#define ROWS(r) run_rows(r, sizeof(r) / sizeof(r[0]))
#define SUB_ALICE "{\"sub\":\"alice\"}"

static void
test_without_map_claim_must_equal_account(void)
{
	const struct row rows[] = {
	    {"equal", "", NULL, NULL, "alice", "alice", "s", SUB_ALICE, NULL, NULL, OAUTH_OK, NULL},
	    {"other person", "", NULL, NULL, "alice", "bob", "s", SUB_ALICE, NULL, NULL,
	     OAUTH_WRONG_IDENTITY, "approved as \"bob\", not as account \"alice\""},
	    {"case differs", "", NULL, NULL, "alice", "Alice", "s", SUB_ALICE, NULL, NULL,
	     OAUTH_WRONG_IDENTITY, NULL},
	    {"claim is the email", "username_claim = email\n", NULL, NULL, "alice",
	     "alice@example.test", "s",
	     "{\"email\":\"alice@example.test\",\"email_verified\":true}", NULL, NULL,
	     OAUTH_WRONG_IDENTITY, NULL},
	};
	ROWS(rows);
}

static void
test_map_decides_when_set(void)
{
	static const char *map = "alice@example.test alice\nsub:s-bob bob\n*@corp.test =\n";
	const struct row rows[] = {
	    {"exact line", "username_map = @MAP@\n", NULL, map, "alice", "alice@example.test", "s",
	     SUB_ALICE, NULL, NULL, OAUTH_OK, NULL},
	    {"sub line", "username_map = @MAP@\n", NULL, NULL, "bob", "whatever", "s-bob",
	     SUB_ALICE, NULL, NULL, OAUTH_OK, NULL},
	    {"pattern", "username_map = @MAP@\n", NULL, NULL, "carol", "carol@corp.test", "s",
	     SUB_ALICE, NULL, NULL, OAUTH_OK, NULL},
	    /* With a map the claim alone no longer equals permission. */
	    {"claim equal to account but not mapped", "username_map = @MAP@\n", NULL, NULL, "dave",
	     "dave", "s", SUB_ALICE, NULL, NULL, OAUTH_WRONG_IDENTITY,
	     "username_map does not let \"dave\" (sub \"s\") use account \"dave\""},
	    {"mapped identity, other account", "username_map = @MAP@\n", NULL, NULL, "bob",
	     "alice@example.test", "s", SUB_ALICE, NULL, NULL, OAUTH_WRONG_IDENTITY, NULL},
	    /* The pattern would give root; deny_users (default root) wins over the map. */
	    {"pattern to a denied account", "username_map = @MAP@\n", NULL, NULL, "root",
	     "root@corp.test", "s", SUB_ALICE, NULL, NULL, OAUTH_POLICY,
	     "account \"root\" is in deny_users"},
	    {"pattern to root with deny_users = none", "username_map = @MAP@\ndeny_users = none\n",
	     NULL, NULL, "root", "root@corp.test", "s", SUB_ALICE, NULL, NULL, OAUTH_OK, NULL},
	    {"deny list other than root", "username_map = @MAP@\ndeny_users = admin, carol\n", NULL,
	     NULL, "carol", "carol@corp.test", "s", SUB_ALICE, NULL, NULL, OAUTH_POLICY,
	     "account \"carol\" is in deny_users"},
	    /* Hostile text from the provider is cleaned before it reaches the log. */
	    {"hostile claim in message", "username_map = @MAP@\n", NULL, NULL, "alice",
	     "x\xc3\xa9y", "s", SUB_ALICE, NULL, NULL, OAUTH_WRONG_IDENTITY, "\"x??y\""},
	};
	ROWS(rows);
}

static void
test_verified_email(void)
{
	static const char *map = "alice@example.test alice\n";
	static const char *cfg = "username_claim = email\nusername_map = @MAP@\n";
	const struct row rows[] = {
	    {"true", cfg, NULL, map, "alice", "alice@example.test", "s",
	     "{\"email\":\"a\",\"email_verified\":true}", NULL, NULL, OAUTH_OK, NULL},
	    {"false", cfg, NULL, NULL, "alice", "alice@example.test", "s",
	     "{\"email\":\"a\",\"email_verified\":false}", NULL, NULL, OAUTH_POLICY,
	     "email_verified is not true"},
	    {"missing", cfg, NULL, NULL, "alice", "alice@example.test", "s", "{\"email\":\"a\"}",
	     NULL, NULL, OAUTH_POLICY, "email_verified is missing"},
	    {"null", cfg, NULL, NULL, "alice", "alice@example.test", "s",
	     "{\"email\":\"a\",\"email_verified\":null}", NULL, NULL, OAUTH_POLICY,
	     "email_verified is missing"},
	    {"Cognito string true", cfg, NULL, NULL, "alice", "alice@example.test", "s", NULL,
	     "{\"email\":\"a\",\"email_verified\":\"true\"}", NULL, OAUTH_OK, NULL},
	    {"string True", cfg, NULL, NULL, "alice", "alice@example.test", "s", NULL,
	     "{\"email\":\"a\",\"email_verified\":\"True\"}", NULL, OAUTH_POLICY, NULL},
	    {"number 1", cfg, NULL, NULL, "alice", "alice@example.test", "s",
	     "{\"email\":\"a\",\"email_verified\":1}", NULL, NULL, OAUTH_POLICY, NULL},
	    {"string yes", cfg, NULL, NULL, "alice", "alice@example.test", "s",
	     "{\"email\":\"a\",\"email_verified\":\"yes\"}", NULL, NULL, OAUTH_POLICY, NULL},
	    /* Read beside the email it vouches for: the ID token's email, the ID token's flag. */
	    {"flag from the other document", cfg, NULL, NULL, "alice", "alice@example.test", "s",
	     "{\"email\":\"a\",\"email_verified\":false}", "{\"email_verified\":true}", NULL,
	     OAUTH_POLICY, NULL},
	    {"turned off",
	     "username_claim = email\nusername_map = @MAP@\nrequire_verified_email = no\n", NULL,
	     NULL, "alice", "alice@example.test", "s", "{\"email\":\"a\",\"email_verified\":false}",
	     NULL, NULL, OAUTH_OK, NULL},
	    {"not email: off by default", "", NULL, NULL, "alice", "alice", "s",
	     "{\"email\":\"a\",\"email_verified\":false}", NULL, NULL, OAUTH_OK, NULL},
	    {"turned on for another claim", "require_verified_email = yes\n", NULL, NULL, "alice",
	     "alice", "s", "{\"email\":\"a\",\"email_verified\":false}", NULL, NULL, OAUTH_POLICY,
	     NULL},
	};
	ROWS(rows);
}

static void
test_required_scopes(void)
{
	static const char *one = "required_scopes = sudo\nscope = openid sudo\n";
	const struct row rows[] = {
	    {"granted", one, NULL, NULL, "alice", "alice", "s", NULL, NULL, "openid sudo", OAUTH_OK,
	     NULL},
	    {"only a longer name", one, NULL, NULL, "alice", "alice", "s", NULL, NULL,
	     "openid sudoers", OAUTH_POLICY, "required scope \"sudo\" was not granted"},
	    {"only a prefix", one, NULL, NULL, "alice", "alice", "s", NULL, NULL, "openid su",
	     OAUTH_POLICY, NULL},
	    {"case differs", one, NULL, NULL, "alice", "alice", "s", NULL, NULL, "openid SUDO",
	     OAUTH_POLICY, NULL},
	    {"extra blanks", one, NULL, NULL, "alice", "alice", "s", NULL, NULL, "  openid   sudo ",
	     OAUTH_OK, NULL},
	    {"GitHub commas", one, NULL, NULL, "alice", "alice", "s", NULL, NULL, "read:org,sudo",
	     OAUTH_OK, NULL},
	    {"nothing granted", one, NULL, NULL, "alice", "alice", "s", NULL, NULL, "",
	     OAUTH_POLICY, NULL},
	    /* RFC 6749 §5.1: omitted means the requested scope was granted. */
	    {"omitted, requested", one, NULL, NULL, "alice", "alice", "s", NULL, NULL, NULL,
	     OAUTH_OK, NULL},
	    {"omitted, not requested", "required_scopes = sudo\n", NULL, NULL, "alice", "alice",
	     "s", NULL, NULL, NULL, OAUTH_POLICY, "required scope \"sudo\" was not granted"},
	    {"every one", "required_scopes = a b\n", NULL, NULL, "alice", "alice", "s", NULL, NULL,
	     "b a", OAUTH_OK, NULL},
	    {"names the missing one", "required_scopes = a b\n", NULL, NULL, "alice", "alice", "s",
	     NULL, NULL, "a", OAUTH_POLICY, "required scope \"b\" was not granted"},
	};
	ROWS(rows);
}

static void
test_allowed_groups(void)
{
	static const char *staff = "allowed_groups = staff\n";
	const struct row rows[] = {
	    {"member", staff, NULL, NULL, "alice", "alice", "s", "{\"groups\":[\"staff\"]}", NULL,
	     NULL, OAUTH_OK, NULL},
	    {"one of several", "allowed_groups = admins, staff ops\n", NULL, NULL, "alice", "alice",
	     "s", "{\"groups\":[\"x\",\"ops\"]}", NULL, NULL, OAUTH_OK, NULL},
	    {"not a member", "allowed_groups = admins\n", NULL, NULL, "alice", "alice", "s",
	     "{\"groups\":[\"staff\"]}", NULL, NULL, OAUTH_POLICY,
	     "not in any of allowed_groups (admins)"},
	    {"empty array", staff, NULL, NULL, "alice", "alice", "s", "{\"groups\":[]}", NULL, NULL,
	     OAUTH_POLICY, NULL},
	    {"a string, not an array", staff, NULL, NULL, "alice", "alice", "s",
	     "{\"groups\":\"staff\"}", NULL, NULL, OAUTH_POLICY,
	     "claim \"groups\" is not an array of strings"},
	    {"an object", staff, NULL, NULL, "alice", "alice", "s", "{\"groups\":{\"staff\":true}}",
	     NULL, NULL, OAUTH_POLICY, NULL},
	    {"numbers", staff, NULL, NULL, "alice", "alice", "s", "{\"groups\":[1,2]}", NULL, NULL,
	     OAUTH_POLICY, "not an array of short strings"},
	    {"a match beside a number", staff, NULL, NULL, "alice", "alice", "s",
	     "{\"groups\":[\"staff\",1]}", NULL, NULL, OAUTH_POLICY, NULL},
	    {"nested array", staff, NULL, NULL, "alice", "alice", "s", "{\"groups\":[[\"staff\"]]}",
	     NULL, NULL, OAUTH_POLICY, NULL},
	    {"null element", staff, NULL, NULL, "alice", "alice", "s",
	     "{\"groups\":[null,\"staff\"]}", NULL, NULL, OAUTH_POLICY, NULL},
	    {"missing", staff, NULL, NULL, "alice", "alice", "s", SUB_ALICE, NULL, NULL,
	     OAUTH_POLICY, "no \"groups\" claim, which allowed_groups needs"},
	    {"null claim", staff, NULL, NULL, "alice", "alice", "s", "{\"groups\":null}", NULL,
	     NULL, OAUTH_POLICY, NULL},
	    {"from userinfo", staff, NULL, NULL, "alice", "alice", "s", SUB_ALICE,
	     "{\"sub\":\"alice\",\"groups\":[\"staff\"]}", NULL, OAUTH_OK, NULL},
	    {"ID token wins over userinfo", staff, NULL, NULL, "alice", "alice", "s",
	     "{\"groups\":[\"other\"]}", "{\"groups\":[\"staff\"]}", NULL, OAUTH_POLICY, NULL},
	    {"a name holding blanks is one name", staff, NULL, NULL, "alice", "alice", "s",
	     "{\"groups\":[\"staff admins\",\"staff,x\"]}", NULL, NULL, OAUTH_POLICY, NULL},
	    {"case differs", staff, NULL, NULL, "alice", "alice", "s", "{\"groups\":[\"Staff\"]}",
	     NULL, NULL, OAUTH_POLICY, NULL},
	    {"other claim name", "allowed_groups = staff\ngroups_claim = roles\n", NULL, NULL,
	     "alice", "alice", "s", "{\"groups\":[\"x\"],\"roles\":[\"staff\"]}", NULL, NULL,
	     OAUTH_OK, NULL},
	    {"no check without allowed_groups", "", NULL, NULL, "alice", "alice", "s",
	     "{\"groups\":7}", NULL, NULL, OAUTH_OK, NULL},
	};
	ROWS(rows);
}

static void
test_too_many_or_too_long_groups_are_refused(void)
{
	static char many[OAUTH_POLICY_MAX_GROUPS * 6 + 64], longname[OAUTH_POLICY_MAX_VALUE + 64];
	size_t used, i;
	struct row rows[2] = {
	    {"1025 groups", "allowed_groups = staff\n", NULL, NULL, "alice", "alice", "s", many,
	     NULL, NULL, OAUTH_POLICY, "lists more than 1024 groups"},
	    {"1025-byte group", "allowed_groups = staff\n", NULL, NULL, "alice", "alice", "s",
	     longname, NULL, NULL, OAUTH_POLICY, "not an array of short strings"},
	};

	used = (size_t)snprintf(many, sizeof(many), "{\"groups\":[");
	for (i = 0; i < OAUTH_POLICY_MAX_GROUPS; i++)
		used += (size_t)snprintf(many + used, sizeof(many) - used, "\"g\",");
	snprintf(many + used, sizeof(many) - used, "\"staff\"]}");
	used = (size_t)snprintf(longname, sizeof(longname), "{\"groups\":[\"staff\",\"");
	memset(longname + used, 'x', OAUTH_POLICY_MAX_VALUE + 1);
	snprintf(longname + used + OAUTH_POLICY_MAX_VALUE + 1,
	         sizeof(longname) - used - OAUTH_POLICY_MAX_VALUE - 1, "\"]}");
	ROWS(rows);
}

static void
test_per_service_sections(void)
{
	static const char *cfg = "allowed_groups = staff\n[sudo]\nallowed_groups = admins\n"
	                         "required_scopes = sudo\nscope = openid sudo\n";
	const struct row rows[] = {
	    {"sshd: staff is enough", cfg, "sshd", NULL, "alice", "alice", "s",
	     "{\"groups\":[\"staff\"]}", NULL, "openid", OAUTH_OK, NULL},
	    {"sudo: staff is not", cfg, "sudo", NULL, "alice", "alice", "s",
	     "{\"groups\":[\"staff\"]}", NULL, "openid sudo", OAUTH_POLICY, "(admins)"},
	    {"sudo: admins without the scope", cfg, "sudo", NULL, "bob", "bob", "s",
	     "{\"groups\":[\"staff\",\"admins\"]}", NULL, "openid", OAUTH_POLICY,
	     "required scope \"sudo\""},
	    {"sudo: admins with the scope", cfg, "sudo", NULL, "bob", "bob", "s",
	     "{\"groups\":[\"staff\",\"admins\"]}", NULL, "openid sudo", OAUTH_OK, NULL},
	    /* Requested scope, granted implicitly (scope omitted): the section's scope counts. */
	    {"sudo: scope omitted", cfg, "sudo", NULL, "bob", "bob", "s",
	     "{\"groups\":[\"admins\"]}", NULL, NULL, OAUTH_OK, NULL},
	};
	ROWS(rows);
}

static void
test_acr_and_max_age(void)
{
	static const char *acr = "acr_values = phr mfa\n";
	static const char *age = "max_age = 300\n";
	const struct row rows[] = {
	    {"acr one of them", acr, NULL, NULL, "alice", "alice", "s", "{\"acr\":\"mfa\"}", NULL,
	     NULL, OAUTH_OK, NULL},
	    {"acr not listed", acr, NULL, NULL, "alice", "alice", "s", "{\"acr\":\"pwd\"}", NULL,
	     NULL, OAUTH_POLICY, "acr \"pwd\" is not one of acr_values"},
	    {"acr a prefix", acr, NULL, NULL, "alice", "alice", "s", "{\"acr\":\"mf\"}", NULL, NULL,
	     OAUTH_POLICY, NULL},
	    {"acr two words", acr, NULL, NULL, "alice", "alice", "s", "{\"acr\":\"phr mfa\"}", NULL,
	     NULL, OAUTH_POLICY, NULL},
	    {"acr missing", acr, NULL, NULL, "alice", "alice", "s", SUB_ALICE, NULL, NULL,
	     OAUTH_POLICY, "the ID token has no acr string"},
	    {"acr a number", acr, NULL, NULL, "alice", "alice", "s", "{\"acr\":2}", NULL, NULL,
	     OAUTH_POLICY, NULL},
	    {"acr only in userinfo", acr, NULL, NULL, "alice", "alice", "s", NULL,
	     "{\"acr\":\"mfa\"}", NULL, OAUTH_POLICY, NULL},
	    {"recent", age, NULL, NULL, "alice", "alice", "s", "{\"auth_time\":1767225500}", NULL,
	     NULL, OAUTH_OK, NULL},
	    {"at the edge (max_age + leeway)", age, NULL, NULL, "alice", "alice", "s",
	     "{\"auth_time\":1767225180}", NULL, NULL, OAUTH_OK, NULL},
	    {"a second too old", age, NULL, NULL, "alice", "alice", "s",
	     "{\"auth_time\":1767225179}", NULL, NULL, OAUTH_POLICY,
	     "signed in 421 s ago, more than max_age 300"},
	    {"auth_time missing", age, NULL, NULL, "alice", "alice", "s", SUB_ALICE, NULL, NULL,
	     OAUTH_POLICY, "max_age set but the ID token has no auth_time"},
	    {"auth_time a string", age, NULL, NULL, "alice", "alice", "s",
	     "{\"auth_time\":\"1767225500\"}", NULL, NULL, OAUTH_POLICY, NULL},
	    {"auth_time in the future", age, NULL, NULL, "alice", "alice", "s",
	     "{\"auth_time\":1767226000}", NULL, NULL, OAUTH_POLICY, "auth_time is in the future"},
	    {"auth_time huge", age, NULL, NULL, "alice", "alice", "s", "{\"auth_time\":1e300}",
	     NULL, NULL, OAUTH_POLICY, NULL},
	    {"auth_time negative", age, NULL, NULL, "alice", "alice", "s", "{\"auth_time\":-5}",
	     NULL, NULL, OAUTH_POLICY, NULL},
	    {"no ID token at all", age, NULL, NULL, "alice", "alice", "s", NULL, SUB_ALICE, NULL,
	     OAUTH_POLICY, NULL},
	};
	ROWS(rows);
}

static void
test_deny_users_and_min_uid(void)
{
	static const struct {
		const char *config, *account;
		unsigned uid;
		enum oauth_status want;
		const char *want_err;
	} rows[] = {
	    {"", "root", 0, OAUTH_POLICY, "account \"root\" is in deny_users"},
	    {"", "root", 5000, OAUTH_POLICY, "account \"root\" is in deny_users"},
	    {"", "alice", 1001, OAUTH_OK, NULL},
	    {"", "alice", 1000, OAUTH_OK, NULL},
	    {"", "daemon", 1, OAUTH_POLICY, "account \"daemon\" has uid 1, below min_uid 1000"},
	    {"", "alice", 999, OAUTH_POLICY, "below min_uid 1000"},
	    {"min_uid = 0\n", "daemon", 1, OAUTH_OK, NULL},
	    {"min_uid = 0\n", "root", 0, OAUTH_POLICY, "in deny_users"},
	    {"min_uid = 0\ndeny_users = none\n", "root", 0, OAUTH_OK, NULL},
	    {"min_uid = 500\n", "svc", 499, OAUTH_POLICY, "below min_uid 500"},
	    {"deny_users = root, admin,ops\n", "ops", 2000, OAUTH_POLICY,
	     "\"ops\" is in deny_users"},
	    {"deny_users = root, admin,ops\n", "admin", 2000, OAUTH_POLICY, NULL},
	    {"deny_users = root, admin,ops\n", "adm", 2000, OAUTH_OK, NULL},
	    {"deny_users = root, admin,ops\n", "root", 2000, OAUTH_POLICY, NULL},
	    /* Replacing the list drops root from it: the admin said so. */
	    {"deny_users = admin\nmin_uid = 0\n", "root", 0, OAUTH_OK, NULL},
	    {"deny_users = -x\n", "alice", 2000, OAUTH_CONFIG,
	     "deny_users: item 1 is not an account"},
	    {"deny_users = ,\n", "alice", 2000, OAUTH_CONFIG, "deny_users: empty list"},
	    {"deny_users = a b/c\n", "alice", 2000, OAUTH_CONFIG, "item 2"},
	};
	struct oauth_config cfg;
	char err[OAUTH_ERR_SIZE];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		t_case = rows[i].config;
		if (load(rows[i].config, "login", &cfg, err) != OAUTH_OK) {
			T_FAIL("config refused: %s", err);
			continue;
		}
		err[0] = '\0';
		CHECK_INT(oauth_policy_account_allowed(&cfg, rows[i].account, (uid_t)rows[i].uid,
		                                       err, sizeof(err)),
		          rows[i].want);
		if (rows[i].want_err != NULL && strstr(err, rows[i].want_err) == NULL)
			T_FAIL("err \"%s\" lacks \"%s\"", err, rows[i].want_err);
		oauth_config_free(&cfg);
	}
}

static void
test_settings_refused_before_any_request(void)
{
	static char many[OAUTH_POLICY_MAX_ITEMS * 3 + 64];
	static const struct {
		const char *config, *map, *want_err;
	} rows[] = {
	    {"username_map = @MAP@\n", "x@y root\n",
	     ":1: maps to \"root\", which deny_users refuses"},
	    {"username_map = @MAP@\ndeny_users = root ops\n", "a alice\nb ops\n",
	     ":2: maps to \"ops\", which deny_users refuses"},
	    {"username_map = @MAP@\n", "a alice\nbroken\n", ":2: expected two fields"},
	    {"required_scopes = a,b\n", NULL, "required_scopes: separate scopes with spaces"},
	    {"allowed_groups = ,\n", NULL, "allowed_groups: empty list"},
	    {many, NULL, "allowed_groups: more than 64 items"},
	};
	struct oauth_config cfg;
	struct oauth_policy *policy;
	char err[OAUTH_ERR_SIZE];
	size_t i, used;

	used = (size_t)snprintf(many, sizeof(many), "allowed_groups =");
	for (i = 0; i <= OAUTH_POLICY_MAX_ITEMS; i++)
		used += (size_t)snprintf(many + used, sizeof(many) - used, " g");
	snprintf(many + used, sizeof(many) - used, "\n");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		t_case = rows[i].want_err;
		if (rows[i].map != NULL)
			write_file(map_path, rows[i].map, 0644);
		if (load(rows[i].config, "login", &cfg, err) != OAUTH_OK) {
			T_FAIL("config refused: %s", err);
			continue;
		}
		policy = (struct oauth_policy *)1;
		CHECK_INT(oauth_policy_new(&cfg, &policy, err, sizeof(err)), OAUTH_CONFIG);
		CHECK(policy == NULL);
		if (strstr(err, rows[i].want_err) == NULL)
			T_FAIL("err \"%s\" lacks \"%s\"", err, rows[i].want_err);
		oauth_config_free(&cfg);
	}
	/* The same map is fine once deny_users no longer names root. */
	write_file(map_path, "x@y root\n", 0644);
	CHECK_INT(load("username_map = @MAP@\ndeny_users = none\n", "login", &cfg, err), OAUTH_OK);
	CHECK_INT(oauth_policy_new(&cfg, &policy, err, sizeof(err)), OAUTH_OK);
	oauth_policy_free(policy);
	oauth_config_free(&cfg);
	/* A map writable by others is refused like the config. */
	write_file(map_path, "x@y alice\n", 0666);
	CHECK_INT(load("username_map = @MAP@\n", "login", &cfg, err), OAUTH_OK);
	CHECK_INT(oauth_policy_new(&cfg, &policy, err, sizeof(err)), OAUTH_CONFIG);
	CHECK(strstr(err, ": writable by group or others") != NULL);
	oauth_config_free(&cfg);
	oauth_policy_free(NULL);
}

static void
test_needs_userinfo_for_missing_policy_claims(void)
{
	struct oauth_config cfg;
	struct oauth_policy *policy = NULL;
	char err[OAUTH_ERR_SIZE];
	cJSON *with = json("{\"groups\":[\"a\"],\"email\":\"e\"}"), *without = json(SUB_ALICE);

	CHECK_INT(load("allowed_groups = staff\n", "login", &cfg, err), OAUTH_OK);
	CHECK_INT(oauth_policy_new(&cfg, &policy, err, sizeof(err)), OAUTH_OK);
	CHECK_INT(oauth_policy_needs_userinfo(policy, without), 1);
	CHECK_INT(oauth_policy_needs_userinfo(policy, NULL), 1);
	CHECK_INT(oauth_policy_needs_userinfo(policy, with), 0);
	oauth_policy_free(policy);
	oauth_config_free(&cfg);

	CHECK_INT(load("username_claim = email\n", "login", &cfg, err), OAUTH_OK);
	CHECK_INT(oauth_policy_new(&cfg, &policy, err, sizeof(err)), OAUTH_OK);
	CHECK_INT(oauth_policy_needs_userinfo(policy, without), 1);
	CHECK_INT(oauth_policy_needs_userinfo(policy, with), 0);
	oauth_policy_free(policy);
	oauth_config_free(&cfg);

	CHECK_INT(load("", "login", &cfg, err), OAUTH_OK);
	CHECK_INT(oauth_policy_new(&cfg, &policy, err, sizeof(err)), OAUTH_OK);
	CHECK_INT(oauth_policy_needs_userinfo(policy, without), 0);
	CHECK_INT(oauth_policy_needs_userinfo(NULL, without), 0);
	oauth_policy_free(policy);
	oauth_config_free(&cfg);
	cJSON_Delete(with);
	cJSON_Delete(without);
}

static void
test_config_keys_defaults_and_bad_values(void)
{
	static const struct {
		const char *line, *want_err;
	} bad[] = {
	    {"max_age = 0\n", "max_age: not a number in 1..31536000"},
	    {"max_age = -1\n", "max_age: not a number"},
	    {"min_uid = -1\n", "min_uid: not a number in 0..2147483647"},
	    {"require_verified_email = maybe\n", "must be one of: auto yes no true false"},
	    {"groups_claim = a b\n", "groups_claim: not a claim name"},
	    {"username_map = relative/map\n", "username_map: must be an absolute path"},
	    {"acr_values = a  b\n", "acr_values: not a list of scope tokens"},
	    {"required_scopes = \"x\"\n", "required_scopes: not a list of scope tokens"},
	};
	struct oauth_config cfg;
	char err[OAUTH_ERR_SIZE];
	size_t i;

	CHECK_INT(load("", "login", &cfg, err), OAUTH_OK);
	CHECK_STR(cfg.deny_users, "root");
	CHECK_INT(cfg.min_uid, 1000);
	CHECK_STR(cfg.groups_claim, "groups");
	CHECK_INT(cfg.require_verified_email, -1);
	CHECK_INT(cfg.max_age, 0);
	CHECK(cfg.username_map == NULL && cfg.required_scopes == NULL &&
	      cfg.allowed_groups == NULL && cfg.acr_values == NULL);
	CHECK_INT(cfg.owner, getuid());
	oauth_config_free(&cfg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t_case = bad[i].line;
		CHECK_INT(load(bad[i].line, "login", &cfg, err), OAUTH_CONFIG);
		if (strstr(err, bad[i].want_err) == NULL)
			T_FAIL("err \"%s\" lacks \"%s\"", err, bad[i].want_err);
	}
}

int main(void);

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	snprintf(conf_path, sizeof(conf_path), "%s/pam_oauth.conf", tmpdir);
	snprintf(map_path, sizeof(map_path), "%s/usermap", tmpdir);
	RUN(test_without_map_claim_must_equal_account);
	RUN(test_map_decides_when_set);
	RUN(test_verified_email);
	RUN(test_required_scopes);
	RUN(test_allowed_groups);
	RUN(test_too_many_or_too_long_groups_are_refused);
	RUN(test_per_service_sections);
	RUN(test_acr_and_max_age);
	RUN(test_deny_users_and_min_uid);
	RUN(test_settings_refused_before_any_request);
	RUN(test_needs_userinfo_for_missing_policy_claims);
	RUN(test_config_keys_defaults_and_bad_values);
	unlink(conf_path);
	unlink(map_path);
	rmdir(tmpdir);
	return T_DONE();
}
