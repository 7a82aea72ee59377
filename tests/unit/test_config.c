/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of the settings loader: file, [service] sections, arguments, file safety, errors. */
#include "build_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "testutil.h"

/* Room for a path under tmpdir or the fixture directory (bytes). */
#define PATH_BUF 512
/* A writable copy of a literal for struct oauth_config's char * members (block lifetime). */
#define S(lit) ((char[]){lit})
/* Arguments a test passes besides config=. */
#define MAX_ARGS 8

static char tmpdir[] = "/tmp/test_config.XXXXXX";
static char fixtures[PATH_BUF];
static char created[64][PATH_BUF];
static size_t ncreated;

static void
remember(const char *path)
{
	size_t i;

	for (i = 0; i < ncreated; i++)
		if (strcmp(created[i], path) == 0)
			return;
	if (ncreated < sizeof(created) / sizeof(created[0]))
		snprintf(created[ncreated++], sizeof(created[0]), "%s", path);
}

/* Writes len bytes of data to tmpdir/name with mode; returns the path in out. */
static void
write_bytes(const char *name, const char *data, size_t len, mode_t mode, char *out, size_t outlen)
{
	FILE *f;

	snprintf(out, outlen, "%s/%s", tmpdir, name);
	unlink(out);
	f = fopen(out, "w");
	if (f == NULL || fwrite(data, 1, len, f) != len) {
		T_FAIL("cannot write %s", out);
		if (f != NULL)
			fclose(f);
		return;
	}
	fclose(f);
	if (chmod(out, mode) != 0)
		T_FAIL("chmod %s", out);
	remember(out);
}

static void
write_text(const char *name, const char *text, mode_t mode, char *out, size_t outlen)
{
	write_bytes(name, text, strlen(text), mode, out, outlen);
}

/* Copies a fixture into tmpdir with mode, since git keeps neither mode nor owner. */
static void
install(const char *fixture, mode_t mode, char *out, size_t outlen)
{
	char src[PATH_BUF * 2], buf[8192];
	size_t len;
	FILE *f;

	snprintf(src, sizeof(src), "%s/%s", fixtures, fixture);
	f = fopen(src, "r");
	if (f == NULL) {
		T_FAIL("missing fixture %s", src);
		snprintf(out, outlen, "%s/missing-fixture", tmpdir);
		return;
	}
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	write_bytes(fixture, buf, len, mode, out, outlen);
}

/*
 * Loads path for service with extra arguments (NULL-terminated). As root this is
 * the real call (the file must be root's); otherwise the file must be ours.
 */
static enum oauth_status
load_args(struct oauth_config *cfg, const char *service, const char *path, const char **extra,
          char *err)
{
	const char *argv[MAX_ARGS + 1];
	char config_arg[PATH_BUF + 8];
	int argc = 0;

	if (path != NULL) {
		snprintf(config_arg, sizeof(config_arg), "config=%s", path);
		argv[argc++] = config_arg;
	}
	while (extra != NULL && *extra != NULL && argc < MAX_ARGS)
		argv[argc++] = *extra++;
	argv[argc] = NULL;
	if (geteuid() == 0)
		return oauth_config_load(cfg, service, argc, argv, err, OAUTH_ERR_SIZE);
	return oauth_config_load_as(cfg, service, argc, argv, geteuid(), err, OAUTH_ERR_SIZE);
}

static enum oauth_status
load(struct oauth_config *cfg, const char *service, const char *path, char *err)
{
	return load_args(cfg, service, path, NULL, err);
}

/* err must read exactly "<path><rest>". */
static void
check_err(const char *err, const char *path, const char *rest)
{
	char want[1024];

	snprintf(want, sizeof(want), "%s%s", path, rest);
	CHECK_STR(err, want);
}

/* Loads a fixture (mode 0600) for service; expects failure with "<path><rest>". */
static void
expect_fixture_error(const char *fixture, const char *service, const char *rest)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];

	install(fixture, 0600, path, sizeof(path));
	CHECK_INT(load(&cfg, service, path, err), OAUTH_CONFIG);
	check_err(err, path, rest);
	CHECK(cfg.client_id == NULL && cfg.path == NULL && cfg.scope == NULL);
	oauth_config_free(&cfg);
}

static void
test_minimal_file_gets_defaults(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];

	install("minimal.conf", 0644, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_OK);
	CHECK_STR(err, "");
	CHECK_STR(cfg.path, path);
	CHECK_STR(cfg.issuer, "https://idp.example.com");
	CHECK_STR(cfg.client_id, "pam-host");
	CHECK(cfg.client_secret == NULL);
	CHECK(cfg.device_authorization_endpoint == NULL && cfg.token_endpoint == NULL);
	CHECK(cfg.userinfo_endpoint == NULL && cfg.jwks_uri == NULL && cfg.ca_file == NULL);
	CHECK_INT(cfg.client_auth, OAUTH_CLIENT_AUTH_BASIC);
	CHECK_STR(cfg.scope, "openid profile");
	CHECK_STR(cfg.username_claim, "preferred_username");
	CHECK_INT(cfg.timeout, 90);
	CHECK_INT(cfg.http_timeout, 10);
	CHECK_INT(cfg.qr, OAUTH_QR_AUTO);
	CHECK_INT(cfg.prompt, OAUTH_PROMPT_ENTER);
	CHECK_INT(cfg.debug, 0);
	oauth_config_free(&cfg);
}

static void
test_every_key_is_parsed(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];

	install("full.conf", 0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_OK);
	CHECK_STR(err, "");
	CHECK_STR(cfg.issuer, "https://idp.example.com/realms/main");
	CHECK_STR(cfg.device_authorization_endpoint, "https://idp.example.com/device");
	CHECK_STR(cfg.token_endpoint, "https://idp.example.com/token");
	CHECK_STR(cfg.userinfo_endpoint, "https://idp.example.com/userinfo");
	CHECK_STR(cfg.jwks_uri, "https://idp.example.com/jwks");
	CHECK_STR(cfg.client_id, "pam-host");
	CHECK_STR(cfg.client_secret, "s3cret-value");
	CHECK_INT(cfg.client_auth, OAUTH_CLIENT_AUTH_POST);
	CHECK_STR(cfg.scope, "openid email groups");
	CHECK_STR(cfg.username_claim, "email");
	CHECK_STR(cfg.ca_file, "/etc/ssl/certs/idp-ca.pem");
	CHECK_INT(cfg.timeout, 120);
	CHECK_INT(cfg.http_timeout, 20);
	CHECK_INT(cfg.qr, OAUTH_QR_ASCII);
	CHECK_INT(cfg.prompt, OAUTH_PROMPT_NONE);
	CHECK_INT(cfg.debug, 1);
	oauth_config_free(&cfg);
	CHECK(cfg.client_secret == NULL && cfg.issuer == NULL);
}

static void
test_failmode_defaults_to_secure_and_proxies_to_none(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];
	const char *args[] = {"failmode=safe", "https_proxy=http://127.0.0.1:3128",
	                      "no_proxy=.corp.example", NULL};

	install("minimal.conf", 0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_OK);
	CHECK_INT(cfg.failmode, OAUTH_FAILMODE_SECURE);
	CHECK(cfg.https_proxy == NULL && cfg.no_proxy == NULL);
	oauth_config_free(&cfg);
	CHECK_INT(load_args(&cfg, "sshd", path, args, err), OAUTH_OK);
	CHECK_STR(err, "");
	CHECK_INT(cfg.failmode, OAUTH_FAILMODE_SAFE);
	CHECK_STR(cfg.https_proxy, "http://127.0.0.1:3128");
	CHECK_STR(cfg.no_proxy, ".corp.example");
	oauth_config_free(&cfg);
	CHECK(cfg.https_proxy == NULL && cfg.no_proxy == NULL);
}

static void
test_service_section_applies_to_its_service_only(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];

	install("sections.conf", 0644, path, sizeof(path));
	CHECK_INT(load(&cfg, "sudo", path, err), OAUTH_OK);
	CHECK_INT(cfg.timeout, 30);
	CHECK_INT(cfg.prompt, OAUTH_PROMPT_NONE);
	CHECK_STR(cfg.client_id, "pam-sudo");
	CHECK_INT(cfg.qr, OAUTH_QR_AUTO);
	oauth_config_free(&cfg);

	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_OK);
	CHECK_INT(cfg.timeout, 60);
	CHECK_INT(cfg.prompt, OAUTH_PROMPT_ENTER);
	CHECK_STR(cfg.client_id, "pam-host");
	CHECK_INT(cfg.qr, OAUTH_QR_ASCII);
	oauth_config_free(&cfg);

	/* Exact match only: no prefix, no case folding. */
	CHECK_INT(load(&cfg, "SUDO", path, err), OAUTH_OK);
	CHECK_INT(cfg.timeout, 60);
	oauth_config_free(&cfg);
	CHECK_INT(load(&cfg, "sud", path, err), OAUTH_OK);
	CHECK_INT(cfg.timeout, 60);
	oauth_config_free(&cfg);
	CHECK_INT(load(&cfg, NULL, path, err), OAUTH_OK);
	CHECK_STR(cfg.client_id, "pam-host");
	oauth_config_free(&cfg);
}

static void
test_arguments_override_file_and_section(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];
	const char *args[] = {"timeout=45", "prompt=enter", "client_id=from-arg", "qr=off", NULL};

	install("sections.conf", 0644, path, sizeof(path));
	CHECK_INT(load_args(&cfg, "sudo", path, args, err), OAUTH_OK);
	CHECK_STR(err, "");
	CHECK_INT(cfg.timeout, 45);
	CHECK_INT(cfg.prompt, OAUTH_PROMPT_ENTER);
	CHECK_STR(cfg.client_id, "from-arg");
	CHECK_INT(cfg.qr, OAUTH_QR_OFF);
	oauth_config_free(&cfg);
}

static void
test_debug_argument_and_key(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], off[PATH_BUF], err[OAUTH_ERR_SIZE];
	const char *bare[] = {"debug", NULL};
	const char *word[] = {"debug=true", NULL};
	const char *twice[] = {"debug", "debug=no", NULL};

	install("minimal.conf", 0600, path, sizeof(path));
	CHECK_INT(load_args(&cfg, "sshd", path, bare, err), OAUTH_OK);
	CHECK_INT(cfg.debug, 1);
	oauth_config_free(&cfg);
	CHECK_INT(load_args(&cfg, "sshd", path, word, err), OAUTH_OK);
	CHECK_INT(cfg.debug, 1);
	oauth_config_free(&cfg);

	/* The argument is the admin's switch for this stack line: it beats the file. */
	write_text("debug-off.conf",
	           "issuer = https://idp.example.com\nclient_id = c\ndebug = false\n", 0600, off,
	           sizeof(off));
	CHECK_INT(load_args(&cfg, "sshd", off, bare, err), OAUTH_OK);
	CHECK_INT(cfg.debug, 1);
	oauth_config_free(&cfg);
	CHECK_INT(load(&cfg, "sshd", off, err), OAUTH_OK);
	CHECK_INT(cfg.debug, 0);
	oauth_config_free(&cfg);

	CHECK_INT(load_args(&cfg, "sshd", path, twice, err), OAUTH_CONFIG);
	CHECK_STR(err, "argument debug=no: duplicate argument");
	oauth_config_free(&cfg);
}

static void
test_config_argument_rules(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];
	const char *relative[] = {"config=pam_oauth.conf", NULL};
	const char *empty[] = {"config=", NULL};
	const char *second[] = {"config=/etc/other.conf", NULL};

	CHECK_INT(load_args(&cfg, "sshd", NULL, relative, err), OAUTH_CONFIG);
	CHECK_STR(err, "argument config=pam_oauth.conf: must be an absolute path");
	oauth_config_free(&cfg);
	CHECK_INT(load_args(&cfg, "sshd", NULL, empty, err), OAUTH_CONFIG);
	CHECK_STR(err, "argument config=: must be an absolute path");
	oauth_config_free(&cfg);

	install("minimal.conf", 0600, path, sizeof(path));
	CHECK_INT(load_args(&cfg, "sshd", path, second, err), OAUTH_CONFIG);
	CHECK_STR(err, "argument config: duplicate argument");
	oauth_config_free(&cfg);
}

static void
test_default_path_is_used_without_config_argument(void)
{
	struct oauth_config cfg;
	char err[OAUTH_ERR_SIZE];
	enum oauth_status rc = oauth_config_load(&cfg, "sshd", 0, NULL, err, sizeof(err));

	/* Whatever this machine has there, the loader must have looked there. */
	if (rc == OAUTH_OK)
		CHECK_STR(cfg.path, OAUTH_DEFAULT_CONFIG);
	else
		CHECK(strncmp(err, OAUTH_DEFAULT_CONFIG ":", strlen(OAUTH_DEFAULT_CONFIG) + 1) ==
		      0);
	oauth_config_free(&cfg);
}

static void
test_unknown_key_names_file_line_and_key(void)
{
	expect_fixture_error("unknown-key.conf", "sshd", ":3: timout: unknown key");
	/* Other services' sections are checked too: a typo there is still a typo. */
	expect_fixture_error("unknown-key-other-section.conf", "sudo", ":5: qrcode: unknown key");
	expect_fixture_error("bad-value-other-section.conf", "sudo",
	                     ":5: timeout: not a number in 5..3600");
}

static void
test_unknown_argument_is_refused(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];
	const char *typo[] = {"timout=30", NULL};
	const char *bare[] = {"nullok", NULL};
	const char *config_key[] = {"issuer=https://idp.example.com", "path=/x", NULL};

	install("minimal.conf", 0600, path, sizeof(path));
	CHECK_INT(load_args(&cfg, "sshd", path, typo, err), OAUTH_CONFIG);
	CHECK_STR(err, "argument timout: unknown key");
	oauth_config_free(&cfg);
	CHECK_INT(load_args(&cfg, "sshd", path, bare, err), OAUTH_CONFIG);
	CHECK_STR(err, "argument nullok: unknown argument (expected key=value)");
	oauth_config_free(&cfg);
	CHECK_INT(load_args(&cfg, "sshd", path, config_key, err), OAUTH_CONFIG);
	CHECK_STR(err, "argument path: unknown key");
	oauth_config_free(&cfg);
}

static void
test_duplicates_are_refused(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];
	const char *args[] = {"timeout=5", "timeout=6", NULL};

	expect_fixture_error("duplicate-key.conf", "sshd",
	                     ":4: timeout: duplicate key (first set on line 2)");
	expect_fixture_error("duplicate-section.conf", "sudo", ":5: duplicate section");
	install("minimal.conf", 0600, path, sizeof(path));
	CHECK_INT(load_args(&cfg, "sshd", path, args, err), OAUTH_CONFIG);
	CHECK_STR(err, "argument timeout=6: duplicate argument");
	oauth_config_free(&cfg);
}

struct value_case {
	const char *key;
	const char *value;
	const char *reason; /* NULL: accepted */
};

#define RATE_REASON "must be off or N/SECONDS (N in 1..64, SECONDS in 1..86400)"

static const struct value_case value_cases[] = {
    {"timeout", "0", "not a number in 5..3600"},
    {"timeout", "4", "not a number in 5..3600"},
    {"timeout", "3601", "not a number in 5..3600"},
    {"timeout", "10s", "not a number in 5..3600"},
    {"timeout", "", "empty value"},
    {"timeout", "-5", "not a number in 5..3600"},
    {"timeout", "+10", "not a number in 5..3600"},
    {"timeout", "0x10", "not a number in 5..3600"},
    {"timeout", "99999999999999999999999", "not a number in 5..3600"},
    {"timeout", "5", NULL},
    {"timeout", "3600", NULL},
    {"http_timeout", "0", "not a number in 1..120"},
    {"http_timeout", "121", "not a number in 1..120"},
    {"http_timeout", "1", NULL},
    {"http_timeout", "120", NULL},
    {"qr", "fancy", "must be one of: auto utf8 ascii off"},
    {"qr", "ASCII", "must be one of: auto utf8 ascii off"},
    {"qr", "utf8", NULL},
    {"prompt", "maybe", "must be one of: enter none"},
    {"prompt", "none", NULL},
    {"client_auth", "jwt", "must be one of: basic post"},
    {"client_auth", "post", NULL},
    {"debug", "maybe", "must be one of: yes no true false"},
    {"debug", "1", "must be one of: yes no true false"},
    {"debug", "no", NULL},
    {"scope", "openid  profile",
     "not a list of scope tokens separated by single spaces "
     "(RFC 6749 3.3)"},
    {"scope", "openid \"email\"",
     "not a list of scope tokens separated by single spaces "
     "(RFC 6749 3.3)"},
    {"scope", "openid a\\b",
     "not a list of scope tokens separated by single spaces "
     "(RFC 6749 3.3)"},
    {"scope", "openid\tprofile",
     "not a list of scope tokens separated by single spaces "
     "(RFC 6749 3.3)"},
    {"scope", "openid email groups offline_access", NULL},
    {"scope", "read:user", NULL},
    {"username_claim", "user name", "not a claim name ([A-Za-z0-9_.:-]+)"},
    {"username_claim", "name$", "not a claim name ([A-Za-z0-9_.:-]+)"},
    {"username_claim", "email", NULL},
    {"username_claim", "urn:x-claims.login_1", NULL},
    {"ca_file", "certs/ca.pem", "must be an absolute path"},
    {"ca_file", "/etc/ssl/ca.pem", NULL},
    {"issuer", "http://idp.example.com", "must be https:// (plain http only for loopback)"},
    {"issuer", "ftp://127.0.0.1/", "must be https:// (plain http only for loopback)"},
    {"issuer", "https://user:pw@idp.example.com",
     "must be https:// (plain http only for "
     "loopback)"},
    {"issuer", "idp.example.com", "must be https:// (plain http only for loopback)"},
    {"issuer", "http://127.0.0.1:8080", NULL},
    {"issuer", "http://localhost:3000/realm", NULL},
    {"token_endpoint", "http://evil.example/token",
     "must be https:// (plain http only for "
     "loopback)"},
    {"jwks_uri", "http://10.0.0.1/jwks", "must be https:// (plain http only for loopback)"},
    {"userinfo_endpoint", "https://idp.example.com/me", NULL},
    {"device_authorization_endpoint", "https://idp.example.com/d", NULL},
    {"client_id", "caf\xc3\xa9", "must be printable ASCII"},
    {"client_id", "with space", NULL},
    /* Faults and proxies. */
    {"failmode", "open", "must be one of: secure safe"},
    {"failmode", "SAFE", "must be one of: secure safe"},
    {"failmode", "safe", NULL},
    {"https_proxy", "http://proxy.example:3128\x01", "must be printable ASCII"},
    {"https_proxy", "http://proxy.example:3128", NULL},
    {"no_proxy", "idp.internal,.corp.example", NULL},
    /* Abuse limits: "N/SECONDS" or "off", nothing looser. */
    {"rate_limit", "6/300", NULL},
    {"rate_limit", "off", NULL},
    {"rate_limit", "1/1", NULL},
    {"rate_limit", "64/86400", NULL},
    {"rate_limit_rhost", "30/60", NULL},
    {"rate_limit", "0/300", RATE_REASON},
    {"rate_limit", "65/300", RATE_REASON},
    {"rate_limit", "6/0", RATE_REASON},
    {"rate_limit", "6/86401", RATE_REASON},
    {"rate_limit", "6", RATE_REASON},
    {"rate_limit", "/300", RATE_REASON},
    {"rate_limit", "6/", RATE_REASON},
    {"rate_limit", "6/300/1", RATE_REASON},
    {"rate_limit", "6 / 300", RATE_REASON},
    {"rate_limit", "+6/300", RATE_REASON},
    {"rate_limit", "6/-300", RATE_REASON},
    {"rate_limit", "6/3e2", RATE_REASON},
    {"rate_limit", "0x6/300", RATE_REASON},
    {"rate_limit", "6/300s", RATE_REASON},
    {"rate_limit", "OFF", RATE_REASON},
    {"rate_limit", "no", RATE_REASON},
    {"rate_limit", "99999999999999999999999/300", RATE_REASON},
    {"rate_limit_rhost", "6:300", RATE_REASON},
    {"rate_limit_dir", "run/pam_oauth", "must be an absolute path"},
    {"rate_limit_dir", "/run/pam_oauth-test", NULL},
};

/* value as an error message echoes it: control and non-ASCII bytes become '?'. */
static const char *
printable(const char *value, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; value[i] != '\0' && i + 1 < outlen; i++)
		out[i] = (unsigned char)value[i] < 0x20 || (unsigned char)value[i] > 0x7e
		             ? '?'
		             : value[i];
	out[i] = '\0';
	return out;
}

/* Each row through a PAM argument: "argument key=value: reason". */
static void
test_values_through_arguments(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], arg[256], shown[256], want[1024], err[OAUTH_ERR_SIZE];
	const char *args[2] = {arg, NULL};
	size_t i;

	install("minimal.conf", 0600, path, sizeof(path));
	for (i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++) {
		const struct value_case *c = &value_cases[i];

		t_case = c->value;
		snprintf(arg, sizeof(arg), "%s=%s", c->key, c->value);
		if (c->reason == NULL) {
			CHECK_INT(load_args(&cfg, "sshd", path, args, err), OAUTH_OK);
			CHECK_STR(err, "");
		} else {
			CHECK_INT(load_args(&cfg, "sshd", path, args, err), OAUTH_CONFIG);
			snprintf(want, sizeof(want), "argument %s=%s: %s", c->key,
			         printable(c->value, shown, sizeof(shown)), c->reason);
			CHECK_STR(err, want);
		}
		oauth_config_free(&cfg);
	}
}

/* Each row as line 3 of a file: "path:3: key: reason", value never quoted. */
static void
test_values_through_file(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], text[512], want[1024], err[OAUTH_ERR_SIZE];
	size_t i;

	for (i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++) {
		const struct value_case *c = &value_cases[i];

		if (strcmp(c->key, "client_id") == 0)
			continue; /* covered by the argument rows: client_id is line 1 here */
		t_case = c->value;
		/* issuer is given last so that an issuer row is line 3 and not a duplicate. */
		snprintf(text, sizeof(text), "client_id = pam-host\n#\n%s = %s\n%s", c->key,
		         c->value,
		         strcmp(c->key, "issuer") == 0 ? "" : "issuer = https://idp.example.com\n");
		write_text("value.conf", text, 0600, path, sizeof(path));
		if (c->reason == NULL) {
			CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_OK);
			CHECK_STR(err, "");
		} else {
			CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_CONFIG);
			snprintf(want, sizeof(want), "%s:3: %s: %s", path, c->key, c->reason);
			CHECK_STR(err, want);
		}
		oauth_config_free(&cfg);
	}
}

static void
test_missing_required_keys(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];

	expect_fixture_error("missing-client-id.conf", "sshd", ": client_id: missing required key");
	expect_fixture_error("missing-issuer.conf", "sshd",
	                     ": issuer: missing (set issuer, or both "
	                     "device_authorization_endpoint and token_endpoint)");
	expect_fixture_error("empty.conf", "sshd", ": client_id: missing required key");

	install("endpoints-only.conf", 0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_OK);
	CHECK(cfg.issuer == NULL);
	CHECK_STR(cfg.token_endpoint, "https://idp.example.com/token");
	oauth_config_free(&cfg);
}

static void
test_issuer_must_be_https_except_loopback(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];

	expect_fixture_error("http-issuer.conf", "sshd",
	                     ":1: issuer: must be https:// (plain http only for loopback)");
	install("loopback-issuer.conf", 0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_OK);
	CHECK_STR(cfg.issuer, "http://127.0.0.1:8080");
	oauth_config_free(&cfg);
}

struct mode_case {
	const char *fixture;
	mode_t mode;
	const char *rest; /* NULL: accepted */
};

static const struct mode_case mode_cases[] = {
    {"minimal.conf", 0644, NULL},
    {"minimal.conf", 0600, NULL},
    {"minimal.conf", 0400, NULL},
    {"minimal.conf", 0664, ": writable by group or others (they could redirect logins)"},
    {"minimal.conf", 0646, ": writable by group or others (they could redirect logins)"},
    {"minimal.conf", 0666, ": writable by group or others (they could redirect logins)"},
    {"secret.conf", 0600, NULL},
    {"secret.conf", 0400, NULL},
    {"secret.conf", 0644, ": sets client_secret but is readable by group or others (chmod 600)"},
    {"secret.conf", 0640, ": sets client_secret but is readable by group or others (chmod 600)"},
    {"secret.conf", 0604, ": sets client_secret but is readable by group or others (chmod 600)"},
    {"secret-other-section.conf", 0644,
     ": sets client_secret but is readable by group or others (chmod 600)"},
};

static void
test_file_mode_rules(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];
	size_t i;

	for (i = 0; i < sizeof(mode_cases) / sizeof(mode_cases[0]); i++) {
		const struct mode_case *c = &mode_cases[i];

		t_case = c->fixture;
		install(c->fixture, c->mode, path, sizeof(path));
		if (c->rest == NULL) {
			CHECK_INT(load(&cfg, "sudo", path, err), OAUTH_OK);
		} else {
			CHECK_INT(load(&cfg, "sudo", path, err), OAUTH_CONFIG);
			check_err(err, path, c->rest);
			CHECK(cfg.client_secret == NULL);
		}
		oauth_config_free(&cfg);
	}
}

static void
test_symlink_directory_and_fifo_are_refused(void)
{
	struct oauth_config cfg;
	char target[PATH_BUF], link[PATH_BUF], fifo[PATH_BUF], err[OAUTH_ERR_SIZE];

	install("minimal.conf", 0600, target, sizeof(target));
	snprintf(link, sizeof(link), "%s/link.conf", tmpdir);
	unlink(link);
	CHECK(symlink(target, link) == 0);
	remember(link);
	CHECK_INT(load(&cfg, "sshd", link, err), OAUTH_CONFIG);
	check_err(err, link, ": is a symbolic link (refused)");
	oauth_config_free(&cfg);

	CHECK_INT(load(&cfg, "sshd", tmpdir, err), OAUTH_CONFIG);
	check_err(err, tmpdir, ": not a regular file");
	oauth_config_free(&cfg);

	/* A FIFO must not hang the login waiting for a writer. */
	snprintf(fifo, sizeof(fifo), "%s/fifo.conf", tmpdir);
	unlink(fifo);
	CHECK(mkfifo(fifo, 0600) == 0);
	remember(fifo);
	CHECK_INT(load(&cfg, "sshd", fifo, err), OAUTH_CONFIG);
	check_err(err, fifo, ": not a regular file");
	oauth_config_free(&cfg);
}

static void
test_file_not_owned_by_root_is_refused(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], want[128], err[OAUTH_ERR_SIZE];
	const char *argv[2];
	char arg[PATH_BUF + 8];
	uid_t owner = geteuid();

	install("minimal.conf", 0600, path, sizeof(path));
	if (geteuid() == 0) {
		owner = 65534;
		CHECK(chown(path, owner, (gid_t)-1) == 0);
	}
	snprintf(arg, sizeof(arg), "config=%s", path);
	argv[0] = arg;
	argv[1] = NULL;
	/* The real entry point: root must own the file. */
	CHECK_INT(oauth_config_load(&cfg, "sshd", 1, argv, err, sizeof(err)), OAUTH_CONFIG);
	snprintf(want, sizeof(want), ": owned by uid %lu, not 0 (its owner could redirect logins)",
	         (unsigned long)owner);
	check_err(err, path, want);
	oauth_config_free(&cfg);
}

static void
test_client_secret_argument_is_refused(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];
	const char *args[] = {"client_secret=hunter2", NULL};

	install("minimal.conf", 0600, path, sizeof(path));
	CHECK_INT(load_args(&cfg, "sshd", path, args, err), OAUTH_CONFIG);
	CHECK(strstr(err, "client_secret may only be set in the config file") != NULL);
	CHECK(strstr(err, "hunter2") == NULL);
	CHECK(cfg.client_secret == NULL);
	oauth_config_free(&cfg);
}

static void
test_secret_never_appears_in_errors(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];

	write_text("dup-secret.conf",
	           "issuer = https://idp.example.com\nclient_id = c\n"
	           "client_secret = TOPSECRET1\nclient_secret = TOPSECRET2\n",
	           0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_CONFIG);
	check_err(err, path, ":4: client_secret: duplicate key (first set on line 3)");
	CHECK(strstr(err, "TOPSECRET") == NULL);
	oauth_config_free(&cfg);

	write_text("bad-secret.conf", "client_secret = TOP\x01SECRET\n", 0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_CONFIG);
	check_err(err, path, ":1: client_secret: must be printable ASCII");
	oauth_config_free(&cfg);
}

/* A proxy URL with user:password@ is masked by pam_oauth_check; a message about it is too. */
static void
test_proxy_password_never_appears_in_errors(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];
	const char *twice[] = {"https_proxy=http://u:PROXYPW@proxy:3128",
	                       "https_proxy=http://u:PROXYPW@proxy:3128", NULL};
	const char *bad[] = {"https_proxy=http://u:PROXYPW@proxy:3128/\x01", NULL};
	const char *plain[] = {"https_proxy=http://proxy:3128", "https_proxy=http://proxy:3128",
	                       NULL};

	install("minimal.conf", 0600, path, sizeof(path));
	CHECK_INT(load_args(&cfg, "sshd", path, twice, err), OAUTH_CONFIG);
	CHECK_STR(err, "argument https_proxy: duplicate argument");
	oauth_config_free(&cfg);
	CHECK_INT(load_args(&cfg, "sshd", path, bad, err), OAUTH_CONFIG);
	CHECK_STR(err, "argument https_proxy: must be printable ASCII");
	oauth_config_free(&cfg);
	/* Without credentials the value is still quoted: it helps find the line. */
	CHECK_INT(load_args(&cfg, "sshd", path, plain, err), OAUTH_CONFIG);
	CHECK_STR(err, "argument https_proxy=http://proxy:3128: duplicate argument");
	oauth_config_free(&cfg);
}

static void
test_malformed_files_are_refused(void)
{
	expect_fixture_error("malformed-line.conf", "sshd",
	                     ":2: malformed line (expected key = value)");
	expect_fixture_error("colon-separator.conf", "sshd",
	                     ":2: malformed line (expected key = value)");
	expect_fixture_error("bad-section.conf", "sudo",
	                     ":3: bad section header (expected [service], letters, digits and "
	                     "_.-+@)");
	expect_fixture_error("section-trailing-text.conf", "sudo",
	                     ":3: bad section header (expected [service], letters, digits and "
	                     "_.-+@)");
	expect_fixture_error("long-section-name.conf", "sudo",
	                     ":3: section name longer than 48 bytes");
	expect_fixture_error("missing-key-name.conf", "sshd",
	                     ":3: malformed line (expected key = value)");
	/* An indented line is not a continuation: it stands alone and must be key = value. */
	expect_fixture_error("continuation-line.conf", "sshd",
	                     ":4: malformed line (expected key = value)");
}

static void
test_comments_and_blank_lines(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];

	install("comments.conf", 0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sudo", path, err), OAUTH_OK);
	CHECK_STR(err, "");
	CHECK_STR(cfg.issuer, "https://idp.example.com");
	CHECK_STR(cfg.client_id, "pam-host");
	CHECK_INT(cfg.timeout, 30);
	CHECK_INT(cfg.prompt, OAUTH_PROMPT_NONE);
	oauth_config_free(&cfg);

	/* '#' after a value is not a comment: the value is then not a number. */
	write_text("hash.conf",
	           "issuer = https://idp.example.com\nclient_id = c\ntimeout = 30 # s\n", 0600,
	           path, sizeof(path));
	CHECK_INT(load(&cfg, "sudo", path, err), OAUTH_CONFIG);
	check_err(err, path, ":3: timeout: not a number in 5..3600");
	oauth_config_free(&cfg);

	/* ';' without white space before it is part of the value. */
	write_text("semi.conf", "issuer = https://idp.example.com\nclient_id = a;b\n", 0600, path,
	           sizeof(path));
	CHECK_INT(load(&cfg, "sudo", path, err), OAUTH_OK);
	CHECK_STR(cfg.client_id, "a;b");
	oauth_config_free(&cfg);
}

static void
test_crlf_and_byte_order_mark_are_accepted(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];

	write_text("crlf.conf",
	           "\xef\xbb\xbfissuer = https://idp.example.com\r\nclient_id = c\r\n[sudo]\r\n"
	           "timeout = 33\r\n",
	           0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sudo", path, err), OAUTH_OK);
	CHECK_STR(cfg.issuer, "https://idp.example.com");
	CHECK_STR(cfg.client_id, "c");
	CHECK_INT(cfg.timeout, 33);
	oauth_config_free(&cfg);
}

static void
test_nul_byte_is_refused(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];
	static const char text[] = "issuer = https://idp.example.com\nclient_id = c\0x\n";

	write_bytes("nul.conf", text, sizeof(text) - 1, 0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_CONFIG);
	check_err(err, path, ":2: NUL byte in line");
	oauth_config_free(&cfg);
}

static void
test_overlong_line_is_refused_not_split(void)
{
	static char text[OAUTH_CONFIG_MAX_LINE + 128];
	const char *head = "issuer = https://idp.example.com\nclient_id = c\n";
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];
	size_t at = strlen(head);

	/* A comment line of exactly OAUTH_CONFIG_MAX_LINE bytes loads. */
	memcpy(text, head, at);
	memset(text + at, '#', OAUTH_CONFIG_MAX_LINE);
	text[at + OAUTH_CONFIG_MAX_LINE] = '\n';
	text[at + OAUTH_CONFIG_MAX_LINE + 1] = '\0';
	write_text("longest.conf", text, 0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_OK);
	oauth_config_free(&cfg);

	/* One byte more is refused, and its tail " scope=smuggled" never becomes a setting. */
	memset(text + at, '#', OAUTH_CONFIG_MAX_LINE + 1);
	memcpy(text + at + OAUTH_CONFIG_MAX_LINE + 1 - 15, " scope=smuggled", 15);
	text[at + OAUTH_CONFIG_MAX_LINE + 1] = '\n';
	text[at + OAUTH_CONFIG_MAX_LINE + 2] = '\0';
	write_text("longest1.conf", text, 0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_CONFIG);
	check_err(err, path, ":3: line longer than 8192 bytes");
	oauth_config_free(&cfg);
}

/* Entra ID names groups by 36-character ids: a real allowed_groups list is long. */
static void
test_a_1200_byte_allowed_groups_line_loads(void)
{
	static const char id[] = "0f6f1d2c-8b1e-4c5a-9d3e-2a7b6c5d4e3f";
	char text[2048], value[1300], path[PATH_BUF], err[OAUTH_ERR_SIZE];
	struct oauth_config cfg;
	size_t n = 0;

	while (n + sizeof(id) < 1200) {
		memcpy(value + n, id, sizeof(id) - 1);
		n += sizeof(id) - 1;
		value[n++] = ',';
	}
	memset(value + n, 'g', 1200 - n);
	value[1200] = '\0';
	snprintf(text, sizeof(text),
	         "issuer = https://idp.example.com\nclient_id = c\nallowed_groups = %s\n", value);
	write_text("groups.conf", text, 0600, path, sizeof(path));
	CHECK_INT(strlen("allowed_groups = ") + strlen(value), 17 + 1200);
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_OK);
	CHECK_STR(cfg.allowed_groups, value);
	oauth_config_free(&cfg);
}

/*
 * pam_oauth.conf(5) documents every key of the table, each as ".It Cm key", and
 * no key the table lacks: a new key cannot be added undocumented.
 */
static void
test_every_key_is_documented_and_no_other(void)
{
	char page[PATH_BUF], line[512], word[128];
	const char *src = getenv("top_srcdir"), *name;
	char documented[128][64];
	size_t n = 0, i, j;
	int found;
	FILE *f;

	snprintf(page, sizeof(page), "%s/man/pam_oauth.conf.5", src != NULL ? src : "..");
	f = fopen(page, "r");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL && n < 128) {
		if (strncmp(line, ".It Cm ", 7) != 0)
			continue;
		word[0] = '\0';
		for (i = 0; line[7 + i] != '\0' && strchr(" \n", line[7 + i]) == NULL && i < 127;
		     i++)
			word[i] = line[7 + i];
		word[i] = '\0';
		snprintf(documented[n++], sizeof(documented[0]), "%s", word);
	}
	fclose(f);
	for (i = 0; (name = oauth_config_key_name(i)) != NULL; i++) {
		for (found = 0, j = 0; j < n && !found; j++)
			found = strcmp(documented[j], name) == 0;
		if (!found)
			T_FAIL("key %s is not documented in %s", name, page);
		t_checks++;
	}
	for (j = 0; j < n; j++) {
		for (found = 0, i = 0; (name = oauth_config_key_name(i)) != NULL && !found; i++)
			found = strcmp(documented[j], name) == 0;
		if (!found)
			T_FAIL("%s documents %s, which is no key", page, documented[j]);
		t_checks++;
	}
}

static void
test_file_size_cap(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];
	static char big[64 * 1024 + 2];
	const char *keys = "issuer = https://idp.example.com\nclient_id = c\n";
	size_t i;

	/* Exactly 64 KiB of keys and comment lines loads. */
	memset(big, ' ', sizeof(big));
	memcpy(big, keys, strlen(keys));
	for (i = strlen(keys); i + 64 <= 64 * 1024; i += 64) {
		big[i] = '#';
		big[i + 63] = '\n';
	}
	write_bytes("cap.conf", big, 64 * 1024, 0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_OK);
	CHECK_STR(err, "");
	oauth_config_free(&cfg);

	big[64 * 1024] = '\n';
	write_bytes("oversize.conf", big, 64 * 1024 + 1, 0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_CONFIG);
	check_err(err, path, ": larger than 65536 bytes (a config is a few hundred)");
	oauth_config_free(&cfg);
}

static void
test_missing_file_is_refused(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];

	snprintf(path, sizeof(path), "%s/does-not-exist.conf", tmpdir);
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_CONFIG);
	check_err(err, path, ": cannot open: No such file or directory");
	CHECK(cfg.path == NULL);
	oauth_config_free(&cfg);
}

static void
test_unreadable_file_is_refused(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];

	if (geteuid() == 0) {
		printf("skip test_unreadable_file_is_refused: root reads mode 000 files\n");
		return;
	}
	install("minimal.conf", 0000, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_CONFIG);
	check_err(err, path, ": cannot open: Permission denied");
	oauth_config_free(&cfg);
}

static void
test_cfg_is_cleared_and_free_is_safe(void)
{
	struct oauth_config cfg;
	char err[OAUTH_ERR_SIZE];
	const char *bad[] = {"config=relative", NULL};

	memset(&cfg, 0xa5, sizeof(cfg));
	CHECK_INT(load_args(&cfg, "sshd", NULL, bad, err), OAUTH_CONFIG);
	CHECK(cfg.issuer == NULL && cfg.client_secret == NULL && cfg.path == NULL);
	oauth_config_free(&cfg);
	oauth_config_free(&cfg);
	oauth_config_free(NULL);
	CHECK_INT(oauth_config_load(NULL, "sshd", 0, NULL, err, sizeof(err)), OAUTH_CONFIG);
	CHECK_INT(oauth_config_load(&cfg, "sshd", 1, NULL, err, sizeof(err)), OAUTH_CONFIG);
	CHECK_STR(err, "bad argument list");
	oauth_config_free(&cfg);
	/* A NULL or tiny error buffer is fine. */
	CHECK_INT(load_args(&cfg, "sshd", NULL, bad, err), OAUTH_CONFIG);
	oauth_config_free(&cfg);
	CHECK_INT(oauth_config_load(&cfg, "sshd", 1, bad, NULL, 0), OAUTH_CONFIG);
	oauth_config_free(&cfg);
	CHECK_INT(oauth_config_load(&cfg, "sshd", 1, bad, err, 4), OAUTH_CONFIG);
	CHECK_STR(err, "arg");
	oauth_config_free(&cfg);
}

static void
find_fixtures(void)
{
	const char *srcdir = getenv("top_srcdir");

	if (srcdir != NULL)
		snprintf(fixtures, sizeof(fixtures), "%s/tests/fixtures/config", srcdir);
	else if (access("../tests/fixtures/config/minimal.conf", R_OK) == 0)
		snprintf(fixtures, sizeof(fixtures), "../tests/fixtures/config");
	else
		snprintf(fixtures, sizeof(fixtures), "tests/fixtures/config");
}

int main(void);

/* Cache, token verification and provider keys: defaults, values, refusals. */
struct cache_key_case {
	const char *arg;
	enum oauth_status want;
};

static const struct cache_key_case cache_key_cases[] = {
    {"cache_dir=none", OAUTH_OK},
    {"cache_dir=/run/pam_oauth", OAUTH_OK},
    {"cache_dir=relative/dir", OAUTH_CONFIG},
    {"cache_max_age=60", OAUTH_OK},
    {"cache_max_age=59", OAUTH_CONFIG},
    {"cache_max_age=604801", OAUTH_CONFIG},
    {"id_token_algs=RS256 ES256", OAUTH_OK},
    {"id_token_algs=HS256", OAUTH_CONFIG},
    {"id_token_algs=none", OAUTH_CONFIG},
    {"id_token_algs=RS256,ES256", OAUTH_CONFIG},
    {"tenant_id=9122040d-6c67-4c5b-b112-36a304b66dad", OAUTH_OK},
};

static void
test_cache_and_verification_keys(void)
{
	const char *extra[2] = {NULL, NULL};
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];
	size_t i;

	install("minimal.conf", 0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_OK);
	CHECK_STR(cfg.cache_dir, "/var/cache/pam_oauth");
	CHECK_INT(cfg.cache_max_age, 3600);
	CHECK(cfg.id_token_algs == NULL && cfg.tenant_id == NULL);
	oauth_config_free(&cfg);
	for (i = 0; i < sizeof(cache_key_cases) / sizeof(cache_key_cases[0]); i++) {
		t_case = cache_key_cases[i].arg;
		extra[0] = cache_key_cases[i].arg;
		CHECK_INT(load_args(&cfg, "sshd", path, extra, err), cache_key_cases[i].want);
		if (strcmp(extra[0], "cache_dir=none") == 0)
			CHECK(cfg.cache_dir == NULL);
		if (strncmp(extra[0], "id_token_algs=R", 15) == 0 &&
		    cache_key_cases[i].want == OAUTH_OK)
			CHECK_STR(cfg.id_token_algs, "RS256 ES256");
		oauth_config_free(&cfg);
	}
	t_case = "google without secret";
	install("google-without-secret.conf", 0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_CONFIG);
	CHECK(strstr(err, "client_secret: Google requires it") != NULL);
	oauth_config_free(&cfg);
}

/* One name = value pair of the dump, looked up by a test. */
struct dump_lookup {
	const char *name;
	char value[64];
	int found;
};

static void
find_in_dump(void *ctx, const char *name, const char *value)
{
	struct dump_lookup *l = ctx;

	if (strcmp(name, l->name) != 0)
		return;
	l->found++;
	snprintf(l->value, sizeof(l->value), "%s", value != NULL ? value : "(unset)");
}

/* What pam_oauth_check prints for key: the dump spells the value as the file would. */
static void
check_dump(const struct oauth_config *cfg, const char *key, const char *want)
{
	struct dump_lookup l = {key, "", 0};

	oauth_config_each(cfg, find_in_dump, &l);
	CHECK_INT(l.found, 1);
	CHECK_STR(l.value, want);
}

static void
test_rate_limits_default_on_and_dump_as_written(void)
{
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];

	install("minimal.conf", 0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_OK);
	CHECK_INT(cfg.rate_limit.count, 6);
	CHECK_INT(cfg.rate_limit.seconds, 300);
	CHECK_INT(cfg.rate_limit_rhost.count, 30);
	CHECK_INT(cfg.rate_limit_rhost.seconds, 60);
	CHECK_STR(cfg.rate_limit_dir, "/run/pam_oauth");
	check_dump(&cfg, "rate_limit", "6/300");
	check_dump(&cfg, "rate_limit_rhost", "30/60");
	check_dump(&cfg, "rate_limit_dir", "/run/pam_oauth");
	oauth_config_free(&cfg);
}

/* A [service] section sets its own limits, as every key; other services keep the top's. */
static void
test_rate_limits_per_service(void)
{
	static const char text[] = "issuer = https://idp.example.com\n"
	                           "client_id = c\n"
	                           "rate_limit = 3/60\n"
	                           "[sudo]\n"
	                           "rate_limit = off\n"
	                           "rate_limit_rhost = 10/600\n";
	struct oauth_config cfg;
	char path[PATH_BUF], err[OAUTH_ERR_SIZE];

	write_text("rate.conf", text, 0600, path, sizeof(path));
	CHECK_INT(load(&cfg, "sshd", path, err), OAUTH_OK);
	check_dump(&cfg, "rate_limit", "3/60");
	check_dump(&cfg, "rate_limit_rhost", "30/60");
	oauth_config_free(&cfg);
	CHECK_INT(load(&cfg, "sudo", path, err), OAUTH_OK);
	CHECK_INT(cfg.rate_limit.count, 0);
	check_dump(&cfg, "rate_limit", "off");
	check_dump(&cfg, "rate_limit_rhost", "10/600");
	oauth_config_free(&cfg);
}

/* ---- Checks across keys (oauth_config_validate) ---- */

static void
test_template_table(void)
{
	static const struct {
		const char *tpl;
		int ok;
	} rows[] = {
	    {"{user}", 1},
	    {"{user}@example.com", 1},
	    {"corp\\{user}", 1},
	    {"", 0},
	    {"alice", 0},
	    {"{user}{user}", 0},
	    {"{user}@{domain}", 0},
	    {"{user} x", 0},
	    {"{usr}", 0},
	    {"{user}}", 0},
	    {"{{user}", 0},
	    {"{ user}", 0},
	    {"\xc3\xa9{user}", 0},
	    {"{user}\t", 0},
	    /* JSON: Glewlwyd and Auth0 take the hint only as an object. */
	    {"{\"username\":\"{user}\"}", 1},
	    {"{ \"username\" : \"{user}\" }", 1},
	    {"{\"login_hint\":\"corp:{user}\",\"realm\":\"x\"}", 1},
	    {"{\"a\":{user}}", 0},
	    {"{\"{user}\":\"x\"}", 0},
	    {"{\"a\":\"{user}\",\"b\":\"{user}\"}", 0},
	    {"{\"a\":\"{user}\"", 0},
	    {"{\"a\":\"{user}\"}x", 0},
	    {"{\"a\":\"{user}\t\"}", 0},
	    {"{\"a\":[\"{user}\"]}", 1},
	    {NULL, 0},
	};
	char longtpl[300];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		t_case = rows[i].tpl ? rows[i].tpl : "(null)";
		CHECK_INT(oauth_config_template_ok(rows[i].tpl), rows[i].ok);
	}
	t_case = "test_template_table";
	memset(longtpl, 'a', sizeof(longtpl));
	memcpy(longtpl, "{user}", 6);
	longtpl[sizeof(longtpl) - 1] = '\0';
	CHECK_INT(oauth_config_template_ok(longtpl), 0);
}

static void
test_push_settings_are_validated(void)
{
	struct oauth_config c;
	char err[OAUTH_ERR_SIZE];

	memset(&c, 0, sizeof(c));
	c.client_id = S("cid");
	c.device_authorization_endpoint = S("https://idp.example.com/device");
	c.token_endpoint = S("https://idp.example.com/token");
	c.mode = OAUTH_MODE_DEVICE;
	CHECK_INT(oauth_config_validate(&c, err, sizeof(err)), OAUTH_OK);
	c.mode = OAUTH_MODE_CIBA;
	c.issuer = S("https://idp.example.com");
	c.scope = S("openid profile");
	c.login_hint_template = S("{user}");
	CHECK_INT(oauth_config_validate(&c, err, sizeof(err)), OAUTH_CONFIG);
	CHECK(strstr(err, "client_secret") != NULL);
	c.client_secret = S("sec");
	CHECK_INT(oauth_config_validate(&c, err, sizeof(err)), OAUTH_OK);
	c.mode = OAUTH_MODE_CIBA_THEN_DEVICE;
	CHECK_INT(oauth_config_validate(&c, err, sizeof(err)), OAUTH_OK);
	c.scope = S("profile openid");
	CHECK_INT(oauth_config_validate(&c, err, sizeof(err)), OAUTH_OK);
	c.scope = S("openidx profile");
	CHECK_INT(oauth_config_validate(&c, err, sizeof(err)), OAUTH_CONFIG);
	c.scope = S("openid");
	c.login_hint_template = S("alice");
	CHECK_INT(oauth_config_validate(&c, err, sizeof(err)), OAUTH_CONFIG);
	c.login_hint_template = S("{user}");
	c.issuer = NULL;
	CHECK_INT(oauth_config_validate(&c, err, sizeof(err)), OAUTH_CONFIG);
}

struct validate_case {
	const char *name;
	const char *issuer;
	const char *secret;
	const char *tenant;
	enum oauth_status want;
	const char *word; /* in the reason */
};

static const struct validate_case validate_cases[] = {
    {"google without secret", "https://accounts.google.com", NULL, NULL, OAUTH_CONFIG,
     "client_secret"},
    {"google with secret", "https://accounts.google.com", "s3cret", NULL, OAUTH_OK, NULL},
    {"google lookalike with slash is not google", "https://accounts.google.com/", NULL, NULL,
     OAUTH_OK, NULL},
    {"other issuer without secret", "https://idp.example.com", NULL, NULL, OAUTH_OK, NULL},
    {"tenant_id without issuer", NULL, NULL, "7f4e9c2a-0000-4000-8000-00000000e1d1", OAUTH_CONFIG,
     "tenant_id"},
    {"tenant_id with issuer",
     "https://login.microsoftonline.com/"
     "7f4e9c2a-0000-4000-8000-00000000e1d1"
     "/v2.0",
     NULL, "7f4e9c2a-0000-4000-8000-00000000e1d1", OAUTH_OK, NULL},
    {"no issuer, no tenant (GitHub)", NULL, NULL, NULL, OAUTH_OK, NULL},
};

static void
test_provider_settings_are_validated(void)
{
	const struct validate_case *k;
	struct oauth_config cfg;
	char why[256];
	size_t i;

	for (i = 0; i < sizeof(validate_cases) / sizeof(validate_cases[0]); i++) {
		k = &validate_cases[i];
		t_case = k->name;
		memset(&cfg, 0, sizeof(cfg));
		cfg.client_id = S("cid");
		cfg.device_authorization_endpoint = S("https://idp.example.com/device");
		cfg.token_endpoint = S("https://idp.example.com/token");
		cfg.issuer = (char *)(uintptr_t)k->issuer;
		cfg.client_secret = (char *)(uintptr_t)k->secret;
		cfg.tenant_id = (char *)(uintptr_t)k->tenant;
		why[0] = '\0';
		CHECK_INT(oauth_config_validate(&cfg, why, sizeof(why)), k->want);
		if (k->word != NULL)
			CHECK(strstr(why, k->word) != NULL);
	}
}

int
main(void)
{
	size_t i;

	find_fixtures();
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	RUN(test_minimal_file_gets_defaults);
	RUN(test_every_key_is_parsed);
	RUN(test_failmode_defaults_to_secure_and_proxies_to_none);
	RUN(test_service_section_applies_to_its_service_only);
	RUN(test_arguments_override_file_and_section);
	RUN(test_debug_argument_and_key);
	RUN(test_config_argument_rules);
	RUN(test_default_path_is_used_without_config_argument);
	RUN(test_unknown_key_names_file_line_and_key);
	RUN(test_unknown_argument_is_refused);
	RUN(test_duplicates_are_refused);
	RUN(test_values_through_arguments);
	RUN(test_values_through_file);
	RUN(test_missing_required_keys);
	RUN(test_issuer_must_be_https_except_loopback);
	RUN(test_file_mode_rules);
	RUN(test_symlink_directory_and_fifo_are_refused);
	RUN(test_file_not_owned_by_root_is_refused);
	RUN(test_client_secret_argument_is_refused);
	RUN(test_secret_never_appears_in_errors);
	RUN(test_proxy_password_never_appears_in_errors);
	RUN(test_malformed_files_are_refused);
	RUN(test_comments_and_blank_lines);
	RUN(test_crlf_and_byte_order_mark_are_accepted);
	RUN(test_nul_byte_is_refused);
	RUN(test_overlong_line_is_refused_not_split);
	RUN(test_a_1200_byte_allowed_groups_line_loads);
	RUN(test_every_key_is_documented_and_no_other);
	RUN(test_file_size_cap);
	RUN(test_missing_file_is_refused);
	RUN(test_unreadable_file_is_refused);
	RUN(test_cfg_is_cleared_and_free_is_safe);
	RUN(test_cache_and_verification_keys);
	RUN(test_rate_limits_default_on_and_dump_as_written);
	RUN(test_rate_limits_per_service);

	for (i = 0; i < ncreated; i++)
		unlink(created[i]);
	if (rmdir(tmpdir) != 0)
		fprintf(stderr, "cannot remove %s: %s\n", tmpdir, strerror(errno));
	RUN(test_template_table);
	RUN(test_push_settings_are_validated);
	RUN(test_provider_settings_are_validated);
	return T_DONE();
}
