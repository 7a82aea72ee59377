/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The settings: one key table and one setter for the file, its [service] section and arguments. */
#include "build_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "ciba.h"
#include "config.h"
#include "jwt.h"
#include "provider.h"
#include "secret.h"
#include "url.h"

/*
 * Why libinih, and how it is tamed. Debian 12 ships inih r55 built with its
 * defaults, which it also exports as process-wide variables (ini_max_line = 200,
 * ini_allow_multiline, ini_allow_inline_comments with ";", ini_stop_on_first_error
 * = 0, a stack line buffer, a handler without line numbers). Changing those
 * globals would change every other inih user in sshd or sudo, and raising
 * ini_max_line over a stack buffer of compile-time size would overflow it, so
 * they are left alone. Left to itself r55 would split an over-long line and parse
 * its tail as a new line (a value could smuggle in another key), take indented
 * lines as continuations, accept "key: value", cut section names at 49 bytes
 * and ignore text after "]". So the file is read here (opened and checked
 * first) and fed to ini_parse_stream() one line at a time by read_line(), which
 * counts lines for the messages, refuses a line that does not fit inih's buffer,
 * checks section headers, and hands inih only blank lines, "[name]" and
 * "key = value" with the indentation removed. inih then splits key from value
 * and drops an inline "; comment" (a ';' after white space).
 */

/* A config is a few hundred bytes; anything much bigger is a mistake (a log, a binary). */
#define MAX_FILE_BYTES (64 * 1024)
/* No setting needs more; URLs are capped at 2048 by url.c anyway (bytes). */
#define MAX_VALUE_BYTES 2048
/* inih r55 keeps 49 bytes of a section name (MAX_SECTION 50) and drops the rest. */
#define MAX_SECTION_NAME 48
/* A PAM service per section: far more than any host has, small enough to scan. */
#define MAX_SECTIONS 64
/* Keys and values quoted in messages are cut here so a message stays one line. */
#define MAX_QUOTE 64

enum key_type {
	KEY_URL,     /* oauth_url_allowed() */
	KEY_TEXT,    /* RFC 6749 appendix A VSCHAR: printable ASCII */
	KEY_SCOPE,   /* RFC 6749 section 3.3 scope tokens, single spaces */
	KEY_CLAIM,   /* [A-Za-z0-9_.:-]+ */
	KEY_PATH,    /* absolute path */
	KEY_SECONDS, /* integer in [min, max] */
	KEY_WORD,    /* one of words[] */
	KEY_BOOL,    /* yes, no, true, false */
	KEY_OPTPATH, /* absolute path, or "none" for NULL */
	KEY_ALGS,    /* JWS alg names jwt.c verifies, single spaces */
};

struct word {
	const char *name;
	int value;
};

struct key {
	const char *name;
	enum key_type type;
	size_t offset;            /* of the member in struct oauth_config (not KEY_WORD) */
	const char *def;          /* default, parsed like a file value; NULL: none */
	long min, max;            /* KEY_SECONDS */
	const struct word *words; /* KEY_WORD, KEY_BOOL; ends with a NULL name */
	void (*store)(struct oauth_config *cfg, int value); /* KEY_WORD */
	int secret;                                         /* file only; wiped */
};

static const struct word client_auth_words[] = {
    {"basic", OAUTH_CLIENT_AUTH_BASIC},
    {"post", OAUTH_CLIENT_AUTH_POST},
    {NULL, 0},
};

static const struct word qr_words[] = {
    {"auto", OAUTH_QR_AUTO},
    {"utf8", OAUTH_QR_UTF8},
    {"ascii", OAUTH_QR_ASCII},
    {"off", OAUTH_QR_OFF},
    {NULL, 0},
};

static const struct word prompt_words[] = {
    {"enter", OAUTH_PROMPT_ENTER},
    {"none", OAUTH_PROMPT_NONE},
    {NULL, 0},
};

static const struct word failmode_words[] = {
    {"secure", OAUTH_FAILMODE_SECURE},
    {"safe", OAUTH_FAILMODE_SAFE},
    {NULL, 0},
};

static const struct word bool_words[] = {
    {"yes", 1}, {"no", 0}, {"true", 1}, {"false", 0}, {NULL, 0},
};

static const struct word verified_email_words[] = {
    {"auto", -1}, {"yes", 1}, {"no", 0}, {"true", 1}, {"false", 0}, {NULL, 0},
};

static void
store_verified_email(struct oauth_config *cfg, int value)
{
	cfg->require_verified_email = value;
}

static const struct word mode_words[] = {
    {"device", OAUTH_MODE_DEVICE},
    {"ciba", OAUTH_MODE_CIBA},
    {"ciba-then-device", OAUTH_MODE_CIBA_THEN_DEVICE},
    {NULL, 0},
};

static void
store_mode(struct oauth_config *cfg, int value)
{
	cfg->mode = (enum oauth_mode)value;
}

static void
store_client_auth(struct oauth_config *cfg, int value)
{
	cfg->client_auth = (enum oauth_client_auth)value;
}

static void
store_qr(struct oauth_config *cfg, int value)
{
	cfg->qr = (enum oauth_qr_mode)value;
}

static void
store_prompt(struct oauth_config *cfg, int value)
{
	cfg->prompt = (enum oauth_prompt_mode)value;
}

static void
store_failmode(struct oauth_config *cfg, int value)
{
	cfg->failmode = (enum oauth_failmode)value;
}

#define OFF(member) offsetof(struct oauth_config, member)

static const struct key keys[] = {
    {"issuer", KEY_URL, OFF(issuer), NULL, 0, 0, NULL, NULL, 0},
    {"device_authorization_endpoint", KEY_URL, OFF(device_authorization_endpoint), NULL, 0, 0, NULL,
     NULL, 0},
    {"token_endpoint", KEY_URL, OFF(token_endpoint), NULL, 0, 0, NULL, NULL, 0},
    {"userinfo_endpoint", KEY_URL, OFF(userinfo_endpoint), NULL, 0, 0, NULL, NULL, 0},
    {"jwks_uri", KEY_URL, OFF(jwks_uri), NULL, 0, 0, NULL, NULL, 0},
    {"client_id", KEY_TEXT, OFF(client_id), NULL, 0, 0, NULL, NULL, 0},
    {"client_secret", KEY_TEXT, OFF(client_secret), NULL, 0, 0, NULL, NULL, 1},
    {"client_auth", KEY_WORD, 0, "basic", 0, 0, client_auth_words, store_client_auth, 0},
    {"scope", KEY_SCOPE, OFF(scope), "openid profile", 0, 0, NULL, NULL, 0},
    {"username_claim", KEY_CLAIM, OFF(username_claim), "preferred_username", 0, 0, NULL, NULL, 0},
    {"ca_file", KEY_PATH, OFF(ca_file), NULL, 0, 0, NULL, NULL, 0},
    /* Long enough to unlock a phone and approve; short of sshd's LoginGraceTime (120 s). */
    {"timeout", KEY_SECONDS, OFF(timeout), "90", 5, 3600, NULL, NULL, 0},
    {"http_timeout", KEY_SECONDS, OFF(http_timeout), "10", 1, 120, NULL, NULL, 0},
    {"qr", KEY_WORD, 0, "auto", 0, 0, qr_words, store_qr, 0},
    {"prompt", KEY_WORD, 0, "enter", 0, 0, prompt_words, store_prompt, 0},
    {"debug", KEY_BOOL, OFF(debug), "no", 0, 0, bool_words, NULL, 0},

    /* Identity mapping and policy (policy.c, usermap.c) */
    {"username_map", KEY_PATH, OFF(username_map), NULL, 0, 0, NULL, NULL, 0},
    {"require_verified_email", KEY_WORD, 0, "auto", 0, 0, verified_email_words,
     store_verified_email, 0},
    /* A company identity must never become root by accident. */
    {"deny_users", KEY_TEXT, OFF(deny_users), "root", 0, 0, NULL, NULL, 0},
    /* Debian and most distributions give people uids from 1000; below are system accounts. */
    {"min_uid", KEY_SECONDS, OFF(min_uid), "1000", 0, 2147483647L, NULL, NULL, 0},
    {"required_scopes", KEY_SCOPE, OFF(required_scopes), NULL, 0, 0, NULL, NULL, 0},
    {"allowed_groups", KEY_TEXT, OFF(allowed_groups), NULL, 0, 0, NULL, NULL, 0},
    {"groups_claim", KEY_CLAIM, OFF(groups_claim), "groups", 0, 0, NULL, NULL, 0},
    {"acr_values", KEY_SCOPE, OFF(acr_values), NULL, 0, 0, NULL, NULL, 0},
    /* Unset (0) by default; a year at most: any longer and the check means nothing. */
    {"max_age", KEY_SECONDS, OFF(max_age), NULL, 1, 31536000L, NULL, NULL, 0},
    /* Faults and proxies. */
    {"failmode", KEY_WORD, 0, "secure", 0, 0, failmode_words, store_failmode, 0},
    {"https_proxy", KEY_TEXT, OFF(https_proxy), NULL, 0, 0, NULL, NULL, 0},
    {"no_proxy", KEY_TEXT, OFF(no_proxy), NULL, 0, 0, NULL, NULL, 0},
    /* Cache, token verification and provider checks. */
    {"cache_dir", KEY_OPTPATH, OFF(cache_dir), "/var/cache/pam_oauth", 0, 0, NULL, NULL, 0},
    /* Key rotation is picked up at once (unknown kid); an hour bounds a stale discovery. */
    {"cache_max_age", KEY_SECONDS, OFF(cache_max_age), "3600", 60, 7 * 86400, NULL, NULL, 0},
    {"id_token_algs", KEY_ALGS, OFF(id_token_algs), NULL, 0, 0, NULL, NULL, 0},
    {"tenant_id", KEY_TEXT, OFF(tenant_id), NULL, 0, 0, NULL, NULL, 0},
    /* Push approval (OpenID CIBA, ciba.c) */
    {"mode", KEY_WORD, 0, "device", 0, 0, mode_words, store_mode, 0},
    {"login_hint_template", KEY_TEXT, OFF(login_hint_template), "{user}", 0, 0, NULL, NULL, 0},
    {"backchannel_authentication_endpoint", KEY_URL, OFF(backchannel_authentication_endpoint), NULL,
     0, 0, NULL, NULL, 0},
    /* A push a person has not answered in an hour will not be answered. */
    {"requested_expiry", KEY_SECONDS, OFF(requested_expiry), NULL, 1, 3600, NULL, NULL, 0},
    /* 20 fits oidc-provider, Keycloak (50) and the rest; ciba.h explains the limits. */
    {"binding_message_max", KEY_SECONDS, OFF(binding_message_max), "20", OAUTH_CIBA_MIN_BINDING,
     OAUTH_CIBA_MAX_BINDING, NULL, NULL, 0},
    /* sudo's command in the binding message (pam_oauth.c reads the caller's argv) */
    {"push_command", KEY_BOOL, OFF(push_command), "no", 0, 0, bool_words, NULL, 0},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* State of one oauth_config_load(): the reader, the handler and the setter share it. */
struct loader {
	struct oauth_config *cfg;    /* borrowed: the result */
	struct oauth_config scratch; /* owned: other services' sections are checked into it */
	struct oauth_config *target; /* borrowed: cfg or &scratch, by section */
	const char *service;         /* borrowed */
	char *err;                   /* borrowed: the caller's buffer */
	size_t errlen;
	enum oauth_status rc; /* the first failure; everything stops after it */

	int in_file;     /* 0: reading arguments */
	const char *buf; /* borrowed: the file's bytes */
	size_t len, pos;
	int lineno;
	char section[MAX_SECTION_NAME + 1];
	char sections[MAX_SECTIONS][MAX_SECTION_NAME + 1];
	size_t nsections;
	int seen[NKEYS]; /* line (1 for an argument) where each key was set in this scope */
	int file_has_secret;
};

/* Records the first failure as "where: key: reason" (file) or "argument key=value: reason". */
static void
fail(struct loader *ld, enum oauth_status rc, const char *key, const char *value,
     const char *reason)
{
	char k[MAX_QUOTE + 1], v[MAX_QUOTE + 1], p[256];

	if (ld->rc != OAUTH_OK)
		return;
	ld->rc = rc;
	oauth_sanitize(k, sizeof(k), key);
	oauth_sanitize(p, sizeof(p), ld->cfg->path);
	if (ld->in_file && key != NULL)
		oauth_seterr(ld->err, ld->errlen, "%s:%d: %s: %s", p, ld->lineno, k, reason);
	else if (ld->in_file)
		oauth_seterr(ld->err, ld->errlen, "%s:%d: %s", p, ld->lineno, reason);
	else if (value != NULL)
		oauth_seterr(ld->err, ld->errlen, "argument %s=%s: %s", k,
		             oauth_sanitize(v, sizeof(v), value), reason);
	else
		oauth_seterr(ld->err, ld->errlen, "argument %s: %s", k, reason);
}

/* A failure that concerns the file as a whole, not one of its lines. */
static void
fail_file(struct loader *ld, const char *reason)
{
	char p[256];

	if (ld->rc != OAUTH_OK)
		return;
	ld->rc = OAUTH_CONFIG;
	oauth_sanitize(p, sizeof(p), ld->cfg->path);
	oauth_seterr(ld->err, ld->errlen, "%s: %s", p, reason);
}

static const struct key *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
is_vschar(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), joined by one space. */
static int
is_scope(const char *s)
{
	int in_token = 0;
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == ' ') {
			if (!in_token)
				return 0;
			in_token = 0;
		} else if (c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e)) {
			in_token = 1;
		} else {
			return 0;
		}
	}
	return in_token;
}

static int
is_claim(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || strchr("_.:-", *s) != NULL))
			return 0;
	return 1;
}

static int
parse_seconds(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	long v;

	/* strtol would also take leading blanks and a sign: a setting is plain digits. */
	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

static int
parse_word(const struct word *words, const char *s, int *out)
{
	for (; words->name != NULL; words++) {
		if (strcmp(words->name, s) == 0) {
			*out = words->value;
			return 1;
		}
	}
	return 0;
}

/* "one of a, b, c" for a message about a KEY_WORD or KEY_BOOL value. */
static void
list_words(const struct word *words, char *why, size_t whylen)
{
	size_t used;

	oauth_seterr(why, whylen, "must be one of:");
	for (; words->name != NULL; words++) {
		used = strlen(why);
		oauth_seterr(why + used, whylen - used, " %s", words->name);
	}
}

static enum oauth_status
store_string(struct oauth_config *cfg, const struct key *k, const char *value)
{
	char **slot = (char **)((char *)cfg + k->offset);
	char *copy = strdup(value);

	if (copy == NULL)
		return OAUTH_NOMEM;
	if (k->secret)
		oauth_free_secret(*slot);
	else
		free(*slot);
	*slot = copy;
	return OAUTH_OK;
}

static enum oauth_status
set_optpath(struct oauth_config *cfg, const struct key *k, const char *value, char *why,
            size_t whylen)
{
	char **slot = (char **)((char *)cfg + k->offset);

	if (strcmp(value, "none") == 0) {
		free(*slot);
		*slot = NULL;
		return OAUTH_OK;
	}
	if (value[0] == '/' && is_vschar(value))
		return store_string(cfg, k, value);
	oauth_seterr(why, whylen, "must be an absolute path or none");
	return OAUTH_CONFIG;
}

/*
 * The one setter: checks value against k's type and stores it in cfg. On
 * OAUTH_CONFIG, why says what is wrong without quoting the value.
 */
static enum oauth_status
set_value(struct oauth_config *cfg, const struct key *k, const char *value, char *why,
          size_t whylen)
{
	int word = 0;
	long num = 0;

	oauth_seterr(why, whylen, "bad value");
	if (*value == '\0') {
		oauth_seterr(why, whylen, "empty value");
		return OAUTH_CONFIG;
	}
	if (strnlen(value, MAX_VALUE_BYTES + 1) > MAX_VALUE_BYTES) {
		oauth_seterr(why, whylen, "value longer than %d bytes", MAX_VALUE_BYTES);
		return OAUTH_CONFIG;
	}
	switch (k->type) {
	case KEY_URL:
		if (oauth_url_allowed(value))
			return store_string(cfg, k, value);
		oauth_seterr(why, whylen, "must be https:// (plain http only for loopback)");
		return OAUTH_CONFIG;
	case KEY_TEXT:
		if (is_vschar(value))
			return store_string(cfg, k, value);
		oauth_seterr(why, whylen, "must be printable ASCII");
		return OAUTH_CONFIG;
	case KEY_SCOPE:
		if (is_scope(value))
			return store_string(cfg, k, value);
		oauth_seterr(
		    why, whylen,
		    "not a list of scope tokens separated by single spaces (RFC 6749 3.3)");
		return OAUTH_CONFIG;
	case KEY_CLAIM:
		if (is_claim(value))
			return store_string(cfg, k, value);
		oauth_seterr(why, whylen, "not a claim name ([A-Za-z0-9_.:-]+)");
		return OAUTH_CONFIG;
	case KEY_PATH:
		if (value[0] == '/' && is_vschar(value))
			return store_string(cfg, k, value);
		oauth_seterr(why, whylen, "must be an absolute path");
		return OAUTH_CONFIG;
	case KEY_SECONDS:
		if (parse_seconds(value, k->min, k->max, &num)) {
			*(long *)((char *)cfg + k->offset) = num;
			return OAUTH_OK;
		}
		oauth_seterr(why, whylen, "not a number in %ld..%ld", k->min, k->max);
		return OAUTH_CONFIG;
	case KEY_BOOL:
		if (parse_word(k->words, value, &word)) {
			*(int *)((char *)cfg + k->offset) = word;
			return OAUTH_OK;
		}
		list_words(k->words, why, whylen);
		return OAUTH_CONFIG;
	case KEY_WORD:
		if (parse_word(k->words, value, &word)) {
			k->store(cfg, word);
			return OAUTH_OK;
		}
		list_words(k->words, why, whylen);
		return OAUTH_CONFIG;
	case KEY_OPTPATH:
		return set_optpath(cfg, k, value, why, whylen);
	case KEY_ALGS:
		if (is_scope(value) && oauth_jwt_algs_valid(value))
			return store_string(cfg, k, value);
		oauth_seterr(why, whylen, "not a list of JWS algs (RS256 PS256 ES256 EdDSA ...)");
		return OAUTH_CONFIG;
	}
	return OAUTH_CONFIG;
}

/*
 * A setting from a file line or an argument: known key, not twice in one scope,
 * the secret only from the file, then set_value() into the current target.
 */
static int
apply(struct loader *ld, const char *name, const char *value)
{
	const struct key *k = find_key(name);
	char why[128];
	enum oauth_status rc;
	size_t i;

	if (k == NULL) {
		fail(ld, OAUTH_CONFIG, name, NULL, "unknown key");
		return 0;
	}
	i = (size_t)(k - keys);
	if (k->secret && !ld->in_file) {
		fail(ld, OAUTH_CONFIG, name, NULL,
		     "client_secret may only be set in the config file "
		     "(PAM service files are world-readable)");
		return 0;
	}
	if (ld->seen[i] != 0 && ld->in_file) {
		oauth_seterr(why, sizeof(why), "duplicate key (first set on line %d)", ld->seen[i]);
		fail(ld, OAUTH_CONFIG, name, NULL, why);
		return 0;
	}
	if (ld->seen[i] != 0) {
		fail(ld, OAUTH_CONFIG, name, value, "duplicate argument");
		return 0;
	}
	rc = set_value(ld->target, k, value, why, sizeof(why));
	if (rc != OAUTH_OK) {
		fail(ld, rc, name, k->secret ? NULL : value,
		     rc == OAUTH_NOMEM ? "out of memory" : why);
		return 0;
	}
	ld->seen[i] = ld->in_file ? ld->lineno : 1;
	if (k->secret)
		ld->file_has_secret = 1;
	return 1;
}

/* inih's handler: called for each "key = value" line read_line() passed on. */
static int
on_pair(void *user, const char *section, const char *name, const char *value)
{
	struct loader *ld = user;

	if (ld->rc != OAUTH_OK)
		return 0;
	/* Only possible if another inih user turned on ini_allow_no_value. */
	if (name == NULL || value == NULL || strcmp(section, ld->section) != 0) {
		fail(ld, OAUTH_CONFIG, NULL, NULL, "malformed line (expected key = value)");
		return 0;
	}
	return apply(ld, name, value);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int
is_section_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-' || c == '+' || c == '@';
}

/* "[name]" with an optional comment after it; starts a new scope for duplicate keys. */
static int
open_section(struct loader *ld, const char *s, size_t n)
{
	size_t i = 1, j;
	int tail_ok;

	while (i < n && is_section_char(s[i]))
		i++;
	j = i + 1;
	while (j < n && is_blank(s[j]))
		j++;
	/* After "]" only a comment, set off by white space as on key lines. */
	tail_ok = j >= n || (j > i + 1 && (s[j] == ';' || s[j] == '#'));
	if (i == 1 || i >= n || s[i] != ']' || !tail_ok) {
		fail(ld, OAUTH_CONFIG, NULL, NULL,
		     "bad section header (expected [service], letters, digits and _.-+@)");
		return 0;
	}
	if (i - 1 > MAX_SECTION_NAME) {
		fail(ld, OAUTH_CONFIG, NULL, NULL, "section name longer than 48 bytes");
		return 0;
	}
	memcpy(ld->section, s + 1, i - 1);
	ld->section[i - 1] = '\0';
	for (j = 0; j < ld->nsections; j++) {
		if (strcmp(ld->sections[j], ld->section) == 0) {
			fail(ld, OAUTH_CONFIG, NULL, NULL, "duplicate section");
			return 0;
		}
	}
	if (ld->nsections == MAX_SECTIONS) {
		fail(ld, OAUTH_CONFIG, NULL, NULL, "more than 64 sections");
		return 0;
	}
	memcpy(ld->sections[ld->nsections++], ld->section, sizeof(ld->section));
	memset(ld->seen, 0, sizeof(ld->seen));
	ld->target = strcmp(ld->section, ld->service) == 0 ? ld->cfg : &ld->scratch;
	return 1;
}

/* A "key = value" line: a key, then '=' before any ':' (inih would take "key: value"). */
static int
check_pair(struct loader *ld, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n);
	const char *colon = memchr(s, ':', n);

	if (eq == NULL || eq == s || (colon != NULL && colon < eq)) {
		fail(ld, OAUTH_CONFIG, NULL, NULL, "malformed line (expected key = value)");
		return 0;
	}
	return 1;
}

/*
 * inih's fgets-style reader over the file buffer: one line per call, never
 * split, with indentation and comments removed (see the comment at the top).
 * str is inih's line buffer: it is wiped on every call, so the last call (end
 * of file or error) leaves no secret behind in inih's stack frame.
 */
static char *
read_line(char *str, int num, void *stream)
{
	struct loader *ld = stream;
	const char *s, *nl;
	size_t n, rest;

	if (num > 0)
		oauth_wipe(str, (size_t)num);
	if (ld->rc != OAUTH_OK || ld->pos >= ld->len || num < 2)
		return NULL;
	s = ld->buf + ld->pos;
	rest = ld->len - ld->pos;
	nl = memchr(s, '\n', rest);
	n = nl != NULL ? (size_t)(nl - s) : rest;
	ld->pos += nl != NULL ? n + 1 : n;
	ld->lineno++;
	/* inih needs room for the newline and the NUL; a longer line would be split. */
	if (n > (size_t)num - 2) {
		fail(ld, OAUTH_CONFIG, NULL, NULL, "line too long");
		return NULL;
	}
	if (memchr(s, '\0', n) != NULL) {
		fail(ld, OAUTH_CONFIG, NULL, NULL, "NUL byte in line");
		return NULL;
	}
	while (n > 0 && is_blank(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	if (n == 0 || *s == '#' || *s == ';') {
		n = 0;
	} else if (*s == '[') {
		if (!open_section(ld, s, n))
			return NULL;
		s = ld->section;
		oauth_seterr(str, (size_t)num, "[%s]", s);
		n = strlen(str);
		s = str;
	} else if (!check_pair(ld, s, n)) {
		return NULL;
	}
	memmove(str, s, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	return str;
}

/* Reads at most max + 1 bytes, so a file that grew after fstat is caught too. */
static enum oauth_status
read_all(int fd, size_t max, char **out, size_t *outlen)
{
	char *buf = malloc(max + 1);
	size_t len = 0;
	ssize_t got;

	*out = NULL;
	*outlen = 0;
	if (buf == NULL)
		return OAUTH_NOMEM;
	while (len < max + 1) {
		got = read(fd, buf + len, max + 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			oauth_wipe(buf, len);
			free(buf);
			return OAUTH_CONFIG;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	*out = buf;
	*outlen = len;
	return OAUTH_OK;
}

/* "path: reason" into err, the path cleaned, as every file-level message reads. */
static enum oauth_status
file_err(const struct oauth_admin_file *f, char *err, size_t errlen, const char *reason)
{
	char p[256];

	oauth_seterr(err, errlen, "%s: %s", oauth_sanitize(p, sizeof(p), f->path), reason);
	return OAUTH_CONFIG;
}

/*
 * Opens f->path without following a symlink or blocking on a FIFO, then checks
 * the descriptor: whoever can write the file can send logins to their own
 * provider, so it must be a regular file of owner's, writable by no one else.
 */
static enum oauth_status
open_checked(const struct oauth_admin_file *f, int *fd, struct stat *st, char *err, size_t errlen)
{
	char msg[160], ebuf[128];

	*fd = open(f->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (*fd < 0 && errno == ELOOP)
		return file_err(f, err, errlen, "is a symbolic link (refused)");
	if (*fd < 0) {
		oauth_seterr(msg, sizeof(msg), "cannot open: %s",
		             strerror_r(errno, ebuf, sizeof(ebuf)));
		return file_err(f, err, errlen, msg);
	}
	if (fstat(*fd, st) != 0) {
		oauth_seterr(msg, sizeof(msg), "cannot stat: %s",
		             strerror_r(errno, ebuf, sizeof(ebuf)));
		return file_err(f, err, errlen, msg);
	}
	if (!S_ISREG(st->st_mode))
		return file_err(f, err, errlen, "not a regular file");
	if (st->st_uid != f->owner) {
		oauth_seterr(msg, sizeof(msg),
		             "owned by uid %lu, not %lu (its owner could redirect logins)",
		             (unsigned long)st->st_uid, (unsigned long)f->owner);
		return file_err(f, err, errlen, msg);
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return file_err(f, err, errlen,
		                "writable by group or others (they could redirect logins)");
	return OAUTH_OK;
}

enum oauth_status
oauth_config_read_file(const struct oauth_admin_file *f, char **buf, size_t *len, mode_t *mode,
                       char *err, size_t errlen)
{
	struct stat st;
	char msg[160];
	enum oauth_status rc;
	int fd = -1;

	*buf = NULL;
	*len = 0;
	*mode = 0;
	rc = open_checked(f, &fd, &st, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	oauth_seterr(msg, sizeof(msg), "larger than %zu bytes (%s)", f->max_bytes, f->size_hint);
	if ((unsigned long long)st.st_size > f->max_bytes) {
		rc = file_err(f, err, errlen, msg);
		goto out;
	}
	rc = read_all(fd, f->max_bytes, buf, len);
	if (rc == OAUTH_NOMEM) {
		oauth_seterr(err, errlen, "out of memory");
		goto out;
	}
	if (rc != OAUTH_OK) {
		rc = file_err(f, err, errlen, "read error");
		goto out;
	}
	if (*len > f->max_bytes) {
		rc = file_err(f, err, errlen, msg);
		goto out;
	}
	*mode = st.st_mode;
	rc = OAUTH_OK;
out:
	if (rc != OAUTH_OK && *buf != NULL) {
		oauth_wipe(*buf, *len);
		free(*buf);
		*buf = NULL;
		*len = 0;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

static enum oauth_status
load_file(struct loader *ld, uid_t owner)
{
	const struct oauth_admin_file f = {ld->cfg->path, owner, MAX_FILE_BYTES,
	                                   "a config is a few hundred"};
	char *buf = NULL; /* owned; may hold the secret */
	size_t len = 0;
	mode_t mode = 0;
	int r;

	ld->rc = oauth_config_read_file(&f, &buf, &len, &mode, ld->err, ld->errlen);
	if (ld->rc != OAUTH_OK)
		goto out;
	ld->buf = buf;
	ld->len = len;
	/* A UTF-8 byte order mark from a Windows editor is not part of the first key. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		ld->pos = 3;
	ld->in_file = 1;
	r = ini_parse_stream(read_line, ld, on_pair, ld);
	if (ld->rc == OAUTH_OK && r == -2)
		ld->rc = OAUTH_NOMEM;
	else if (ld->rc == OAUTH_OK && r != 0) {
		ld->lineno = r;
		fail(ld, OAUTH_CONFIG, NULL, NULL, "malformed line (expected key = value)");
	}
	ld->in_file = 0;
	if (ld->rc == OAUTH_OK && ld->file_has_secret && (mode & (S_IRGRP | S_IROTH)) != 0)
		fail_file(ld, "sets client_secret but is readable by group or others (chmod 600)");
out:
	ld->buf = NULL;
	oauth_wipe(buf, len);
	free(buf);
	return ld->rc;
}

/* First pass over the arguments: config= and debug act before the file is read. */
static void
early_arguments(struct loader *ld, int argc, const char **argv)
{
	const char *path = OAUTH_DEFAULT_CONFIG;
	int i, have_path = 0;

	for (i = 0; i < argc && ld->rc == OAUTH_OK; i++) {
		if (argv[i] == NULL)
			fail(ld, OAUTH_CONFIG, "(null)", NULL, "missing argument");
		else if (strcmp(argv[i], "debug") == 0)
			ld->cfg->debug = 1;
		else if (strncmp(argv[i], "config=", 7) != 0)
			continue;
		else if (have_path)
			fail(ld, OAUTH_CONFIG, "config", NULL, "duplicate argument");
		else if (argv[i][7] != '/')
			fail(ld, OAUTH_CONFIG, "config", argv[i] + 7, "must be an absolute path");
		else {
			path = argv[i] + 7;
			have_path = 1;
		}
	}
	if (ld->rc != OAUTH_OK)
		return;
	ld->cfg->path = strdup(path);
	if (ld->cfg->path == NULL)
		ld->rc = OAUTH_NOMEM;
}

/* Last pass: every other argument, through the same setter as the file. */
static void
late_arguments(struct loader *ld, int argc, const char **argv)
{
	char name[MAX_QUOTE + 1];
	const char *eq;
	size_t n;
	int i;

	memset(ld->seen, 0, sizeof(ld->seen));
	ld->target = ld->cfg;
	for (i = 0; i < argc && ld->rc == OAUTH_OK; i++) {
		if (strncmp(argv[i], "config=", 7) == 0)
			continue;
		if (strcmp(argv[i], "debug") == 0) {
			apply(ld, "debug", "yes");
			continue;
		}
		eq = strchr(argv[i], '=');
		if (eq == NULL) {
			fail(ld, OAUTH_CONFIG, argv[i], NULL,
			     "unknown argument (expected key=value)");
			continue;
		}
		n = (size_t)(eq - argv[i]);
		if (n > MAX_QUOTE)
			n = MAX_QUOTE; /* no key is this long: it stays unknown */
		memcpy(name, argv[i], n);
		name[n] = '\0';
		apply(ld, name, eq + 1);
	}
}

static void
apply_defaults(struct loader *ld)
{
	char why[128];
	size_t i;

	for (i = 0; i < NKEYS && ld->rc == OAUTH_OK; i++)
		if (keys[i].def != NULL)
			ld->rc = set_value(ld->cfg, &keys[i], keys[i].def, why, sizeof(why));
}

/* Settings no single key can check: required keys and where the endpoints come from. */
static void
validate(struct loader *ld)
{
	char p[256], msg[OAUTH_ERR_SIZE], why[160];
	const struct oauth_config *c = ld->cfg;

	if (ld->rc != OAUTH_OK)
		return;
	oauth_sanitize(p, sizeof(p), c->path);
	if (c->client_id == NULL)
		oauth_seterr(msg, sizeof(msg), "%s: client_id: missing required key", p);
	else if (c->issuer == NULL &&
	         (c->device_authorization_endpoint == NULL || c->token_endpoint == NULL))
		oauth_seterr(msg, sizeof(msg),
		             "%s: issuer: missing (set issuer, or both "
		             "device_authorization_endpoint and token_endpoint)",
		             p);
	else if (oauth_provider_validate(c, why, sizeof(why)) != OAUTH_OK)
		oauth_seterr(msg, sizeof(msg), "%s: %s", p, why);
	else if (oauth_ciba_config_check(c, why, sizeof(why)) != OAUTH_OK)
		oauth_seterr(msg, sizeof(msg), "%s: %s", p, why);
	else
		return;
	ld->rc = OAUTH_CONFIG;
	oauth_seterr(ld->err, ld->errlen, "%s", msg);
}

enum oauth_status
oauth_config_load_as(struct oauth_config *cfg, const char *service, int argc, const char **argv,
                     uid_t owner, char *err, size_t errlen)
{
	struct loader *ld = NULL; /* owned; large (section names), so not on the stack */
	enum oauth_status rc = OAUTH_CONFIG;

	oauth_seterr(err, errlen, "%s", "");
	if (cfg == NULL) {
		oauth_seterr(err, errlen, "no settings to fill");
		goto out;
	}
	memset(cfg, 0, sizeof(*cfg));
	if (argc < 0 || (argc > 0 && argv == NULL)) {
		oauth_seterr(err, errlen, "bad argument list");
		goto out;
	}
	ld = calloc(1, sizeof(*ld));
	if (ld == NULL) {
		oauth_seterr(err, errlen, "out of memory");
		rc = OAUTH_NOMEM;
		goto out;
	}
	ld->cfg = cfg;
	ld->target = cfg;
	cfg->owner = owner;
	ld->service = service != NULL ? service : "";
	ld->err = err;
	ld->errlen = errlen;
	apply_defaults(ld);
	if (ld->rc == OAUTH_OK)
		early_arguments(ld, argc, argv);
	if (ld->rc == OAUTH_OK)
		load_file(ld, owner);
	if (ld->rc == OAUTH_OK)
		late_arguments(ld, argc, argv);
	validate(ld);
	if (ld->rc == OAUTH_NOMEM)
		oauth_seterr(err, errlen, "out of memory");
	rc = ld->rc;
	/* Half a configuration must not be usable by mistake. */
	if (rc != OAUTH_OK)
		oauth_config_free(cfg);
out:
	if (ld != NULL)
		oauth_config_free(&ld->scratch);
	free(ld);
	return rc;
}

enum oauth_status
oauth_config_load(struct oauth_config *cfg, const char *service, int argc, const char **argv,
                  char *err, size_t errlen)
{
	return oauth_config_load_as(cfg, service, argc, argv, 0, err, errlen);
}

void
oauth_config_free(struct oauth_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->issuer);
	free(cfg->device_authorization_endpoint);
	free(cfg->token_endpoint);
	free(cfg->userinfo_endpoint);
	free(cfg->jwks_uri);
	free(cfg->client_id);
	oauth_free_secret(cfg->client_secret);
	free(cfg->scope);
	free(cfg->username_claim);
	free(cfg->ca_file);
	free(cfg->username_map);
	free(cfg->deny_users);
	free(cfg->required_scopes);
	free(cfg->allowed_groups);
	free(cfg->groups_claim);
	free(cfg->acr_values);
	free(cfg->https_proxy);
	free(cfg->no_proxy);
	free(cfg->cache_dir);
	free(cfg->id_token_algs);
	free(cfg->tenant_id);
	free(cfg->login_hint_template);
	free(cfg->backchannel_authentication_endpoint);
	memset(cfg, 0, sizeof(*cfg));
}
