/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The settings: one key table and one setter for the file, its [service] section and arguments. */
#include "build_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "json.h"
#include "jwa.h"
#include "log.h"
#include "secret.h"
#include "url.h"

/*
 * The file is read here, whole, after it was opened and checked, and lexed
 * line by line: a line is blank, a comment ('#' or ';' first), "[service]", or
 * "key = value". The value ends at a ';' that follows white space (an inline
 * comment) or at the end of the line, and white space around key and value is
 * dropped. Nothing else is taken: no continuation lines (an indented line is a
 * line of its own), no "key: value", no line longer than OAUTH_CONFIG_MAX_LINE
 * (refused, never split: a split tail could smuggle in another key).
 */

/* A config is a few hundred bytes; anything much bigger is a mistake (a log, a binary). */
#define MAX_FILE_BYTES (64 * 1024)
/* Most settings need far less; URLs are capped at 2048 by url.c anyway (bytes). */
#define MAX_VALUE_BYTES 2048
/* A list of names or group ids: a hundred Entra ID group ids (36 characters each) fit. */
#define MAX_LIST_BYTES 4096
/* Section names are PAM service names; longer is a typo or garbage. */
#define MAX_SECTION_NAME 48
/* A PAM service per section: far more than any host has, small enough to scan. */
#define MAX_SECTIONS 64
/* Keys and values quoted in messages are cut here so a message stays one line. */
#define MAX_QUOTE 64
/* A template longer than this is a mistake: hints are e-mail addresses or names (bytes). */
#define MAX_TEMPLATE 256
/* Room for a number, or two and a slash, as text in oauth_config_each(). */
#define NUMBER_TEXT 48

enum key_type {
	KEY_URL,     /* oauth_url_allowed() */
	KEY_TEXT,    /* RFC 6749 appendix A VSCHAR: printable ASCII */
	KEY_SCOPE,   /* RFC 6749 section 3.3 scope tokens, single spaces */
	KEY_CLAIM,   /* [A-Za-z0-9_.:-]+ */
	KEY_PATH,    /* absolute path */
	KEY_OPTPATH, /* absolute path, or "none" for NULL */
	KEY_ALGS,    /* JWS alg names jwa.c knows, single spaces */
	KEY_SECONDS, /* a whole number of seconds in [min, max] */
	KEY_UID,     /* a uid in [min, max] */
	KEY_COUNT,   /* a count (of characters) in [min, max] */
	KEY_WORD,    /* one of words[], stored as the word's value */
	KEY_RATE,    /* "N/SECONDS" (N in [min, max]) or "off", a struct oauth_rate_limit */
};

/* How a key's value is kept, and shown. */
enum key_flags {
	KEY_PLAIN = 0,
	KEY_SECRET = 1,      /* file only, wiped, never shown */
	KEY_CREDENTIALS = 2, /* shown as **** when it holds user:password@ (a proxy URL) */
};

struct word {
	const char *name;
	int value;
};

struct key {
	const char *name;
	enum key_type type;
	size_t offset;            /* of the member in struct oauth_config */
	const char *def;          /* default, parsed like a file value; NULL: none */
	long min, max;            /* KEY_SECONDS, KEY_UID, KEY_COUNT; KEY_RATE: the count */
	const struct word *words; /* KEY_WORD; ends with a NULL name; the first name is shown */
	enum key_flags flags;
	size_t max_bytes; /* longest value; 0: MAX_VALUE_BYTES */
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

static const struct word mode_words[] = {
    {"device", OAUTH_MODE_DEVICE},
    {"ciba", OAUTH_MODE_CIBA},
    {"ciba-then-device", OAUTH_MODE_CIBA_THEN_DEVICE},
    {NULL, 0},
};

/* KEY_WORD members are read and written as int: every one of them must be that size. */
#define IS_INT_SIZED(member) (sizeof(((struct oauth_config *)0)->member) == sizeof(int))
_Static_assert(IS_INT_SIZED(client_auth) && IS_INT_SIZED(qr) && IS_INT_SIZED(prompt) &&
                   IS_INT_SIZED(failmode) && IS_INT_SIZED(mode) &&
                   IS_INT_SIZED(require_verified_email) && IS_INT_SIZED(debug) &&
                   IS_INT_SIZED(push_command),
               "a KEY_WORD member is not int-sized");

#define OFF(member) .offset = offsetof(struct oauth_config, member)
#define RANGE(lo, hi) .min = (lo), .max = (hi)

/* Every setting: its name, grammar, member, default and limits. Documented in pam_oauth.conf(5). */
static const struct key keys[] = {
    {.name = "issuer", .type = KEY_URL, OFF(issuer)},
    {.name = "device_authorization_endpoint", .type = KEY_URL, OFF(device_authorization_endpoint)},
    {.name = "token_endpoint", .type = KEY_URL, OFF(token_endpoint)},
    {.name = "userinfo_endpoint", .type = KEY_URL, OFF(userinfo_endpoint)},
    {.name = "jwks_uri", .type = KEY_URL, OFF(jwks_uri)},
    {.name = "client_id", .type = KEY_TEXT, OFF(client_id)},
    {.name = "client_secret", .type = KEY_TEXT, OFF(client_secret), .flags = KEY_SECRET},
    {.name = "client_auth",
     .type = KEY_WORD,
     OFF(client_auth),
     .def = "basic",
     .words = client_auth_words},
    {.name = "scope", .type = KEY_SCOPE, OFF(scope), .def = "openid profile"},
    {.name = "username_claim", .type = KEY_CLAIM, OFF(username_claim), .def = "preferred_username"},
    {.name = "ca_file", .type = KEY_PATH, OFF(ca_file)},
    /* Long enough to unlock a phone and approve; short of sshd's LoginGraceTime (120 s). */
    {.name = "timeout", .type = KEY_SECONDS, OFF(timeout), .def = "90", RANGE(5, 3600)},
    {.name = "http_timeout", .type = KEY_SECONDS, OFF(http_timeout), .def = "10", RANGE(1, 120)},
    {.name = "qr", .type = KEY_WORD, OFF(qr), .def = "auto", .words = qr_words},
    {.name = "prompt", .type = KEY_WORD, OFF(prompt), .def = "enter", .words = prompt_words},
    {.name = "debug", .type = KEY_WORD, OFF(debug), .def = "no", .words = bool_words},

    /* Identity mapping and policy (policy.c, usermap.c) */
    {.name = "username_map", .type = KEY_PATH, OFF(username_map)},
    {.name = "require_verified_email",
     .type = KEY_WORD,
     OFF(require_verified_email),
     .def = "auto",
     .words = verified_email_words},
    /* A company identity must never become root by accident. */
    {.name = "deny_users",
     .type = KEY_TEXT,
     OFF(deny_users),
     .def = "root",
     .max_bytes = MAX_LIST_BYTES},
    /* Debian and most distributions give people uids from 1000; below are system accounts. */
    {.name = "min_uid", .type = KEY_UID, OFF(min_uid), .def = "1000", RANGE(0, 2147483647L)},
    {.name = "required_scopes", .type = KEY_SCOPE, OFF(required_scopes)},
    {.name = "allowed_groups", .type = KEY_TEXT, OFF(allowed_groups), .max_bytes = MAX_LIST_BYTES},
    {.name = "groups_claim", .type = KEY_CLAIM, OFF(groups_claim), .def = "groups"},
    {.name = "acr_values", .type = KEY_SCOPE, OFF(acr_values)},
    /* Unset (0) by default; a year at most: any longer and the check means nothing. */
    {.name = "max_age", .type = KEY_SECONDS, OFF(max_age), RANGE(1, 31536000L)},

    /* Faults and proxies. */
    {.name = "failmode", .type = KEY_WORD, OFF(failmode), .def = "secure", .words = failmode_words},
    {.name = "https_proxy", .type = KEY_TEXT, OFF(https_proxy), .flags = KEY_CREDENTIALS},
    {.name = "no_proxy", .type = KEY_TEXT, OFF(no_proxy)},

    /* Cache, token verification and provider checks. */
    {.name = "cache_dir", .type = KEY_OPTPATH, OFF(cache_dir), .def = "/var/cache/pam_oauth"},
    /* Key rotation is picked up at once (unknown kid); an hour bounds a stale discovery. */
    {.name = "cache_max_age",
     .type = KEY_SECONDS,
     OFF(cache_max_age),
     .def = "3600",
     RANGE(60, 7 * 86400)},
    {.name = "id_token_algs", .type = KEY_ALGS, OFF(id_token_algs)},
    {.name = "tenant_id", .type = KEY_TEXT, OFF(tenant_id)},

    /* Push approval (OpenID CIBA, ciba.c) */
    {.name = "mode", .type = KEY_WORD, OFF(mode), .def = "device", .words = mode_words},
    {.name = "login_hint_template",
     .type = KEY_TEXT,
     OFF(login_hint_template),
     .def = OAUTH_HINT_PLACEHOLDER,
     .max_bytes = MAX_TEMPLATE},
    {.name = "backchannel_authentication_endpoint",
     .type = KEY_URL,
     OFF(backchannel_authentication_endpoint)},
    /* A push a person has not answered in an hour will not be answered. */
    {.name = "requested_expiry", .type = KEY_SECONDS, OFF(requested_expiry), RANGE(1, 3600)},
    /* 20 fits oidc-provider, Keycloak (50) and the rest; ciba.h lists the limits. */
    {.name = "binding_message_max",
     .type = KEY_COUNT,
     OFF(binding_message_max),
     .def = "20",
     RANGE(OAUTH_BINDING_MIN, OAUTH_BINDING_MAX)},
    /* sudo's command in the binding message (sudo_argv.c reads the caller's argv) */
    {.name = "push_command", .type = KEY_WORD, OFF(push_command), .def = "no", .words = bool_words},

    /*
     * Abuse limits (ratelimit.c); pam_oauth.conf(5) gives the reasons at
     * length. One login is one request, a retry another: six in five minutes
     * leave a person five retries, and hold a scanner to about one a minute
     * per account and address.
     */
    {.name = "rate_limit",
     .type = KEY_RATE,
     OFF(rate_limit),
     .def = "6/300",
     RANGE(1, OAUTH_RATE_LIMIT_MAX_COUNT)},
    /* Ten people behind one address retrying twice in the same minute; a scanner gets one in 2 s.
     */
    {.name = "rate_limit_rhost",
     .type = KEY_RATE,
     OFF(rate_limit_rhost),
     .def = "30/60",
     RANGE(1, OAUTH_RATE_LIMIT_MAX_COUNT)},
    /* /run is a tmpfs emptied at boot, as the counts' clock (CLOCK_BOOTTIME) is. */
    {.name = "rate_limit_dir", .type = KEY_PATH, OFF(rate_limit_dir), .def = "/run/pam_oauth"},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* State of one oauth_config_load(): the reader and the setter share it. */
struct loader {
	struct oauth_config *cfg;    /* borrowed: the result */
	struct oauth_config scratch; /* owned: other services' sections are checked into it */
	struct oauth_config *target; /* borrowed: cfg or &scratch, by section */
	const char *service;         /* borrowed */
	char *err;                   /* borrowed: the caller's buffer */
	size_t errlen;
	enum oauth_status rc; /* the first failure; everything stops after it */

	int in_file; /* 0: reading arguments */
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

/* --- values ------------------------------------------------------------------------------- */

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

/* The first word with value: how the dump spells a setting. */
static const char *
word_of(const struct word *words, int value)
{
	for (; words->name != NULL; words++)
		if (words->value == value)
			return words->name;
	return "?";
}

/* "one of a, b, c" for a message about a KEY_WORD value. */
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

static char **
string_slot(struct oauth_config *cfg, const struct key *k)
{
	return (char **)((char *)cfg + k->offset);
}

static long *
number_slot(struct oauth_config *cfg, const struct key *k)
{
	return (long *)((char *)cfg + k->offset);
}

/* KEY_WORD members are enums or ints of int's size (checked above): copied, not cast. */
static void
set_word(struct oauth_config *cfg, const struct key *k, int value)
{
	memcpy((char *)cfg + k->offset, &value, sizeof(value));
}

static int
get_word(const struct oauth_config *cfg, const struct key *k)
{
	int value;

	memcpy(&value, (const char *)cfg + k->offset, sizeof(value));
	return value;
}

static int
is_string_type(enum key_type t)
{
	return t != KEY_SECONDS && t != KEY_UID && t != KEY_COUNT && t != KEY_WORD && t != KEY_RATE;
}

static struct oauth_rate_limit *
rate_slot(struct oauth_config *cfg, const struct key *k)
{
	return (struct oauth_rate_limit *)((char *)cfg + k->offset);
}

static void
free_string(struct oauth_config *cfg, const struct key *k)
{
	char **slot = string_slot(cfg, k);

	if (k->flags & KEY_SECRET)
		oauth_free_secret(*slot);
	else
		free(*slot);
	*slot = NULL;
}

static enum oauth_status
store_string(struct oauth_config *cfg, const struct key *k, const char *value)
{
	char *copy = strdup(value);

	if (copy == NULL)
		return OAUTH_NOMEM;
	free_string(cfg, k);
	*string_slot(cfg, k) = copy;
	return OAUTH_OK;
}

/* Nonzero when value fits k's string grammar; why says what is wrong otherwise. */
static int
string_ok(const struct key *k, const char *value, char *why, size_t whylen)
{
	switch (k->type) {
	case KEY_URL:
		oauth_seterr(why, whylen, "must be https:// (plain http only for loopback)");
		return oauth_url_allowed(value);
	case KEY_TEXT:
		oauth_seterr(why, whylen, "must be printable ASCII");
		return is_vschar(value);
	case KEY_SCOPE:
		oauth_seterr(
		    why, whylen,
		    "not a list of scope tokens separated by single spaces (RFC 6749 3.3)");
		return is_scope(value);
	case KEY_CLAIM:
		oauth_seterr(why, whylen, "not a claim name ([A-Za-z0-9_.:-]+)");
		return is_claim(value);
	case KEY_PATH:
		oauth_seterr(why, whylen, "must be an absolute path");
		return value[0] == '/' && is_vschar(value);
	case KEY_OPTPATH:
		oauth_seterr(why, whylen, "must be an absolute path or none");
		return value[0] == '/' && is_vschar(value);
	case KEY_ALGS:
		oauth_seterr(why, whylen, "not a list of JWS algs (RS256 PS256 ES256 EdDSA ...)");
		return is_scope(value) && oauth_jwa_list_valid(value);
	case KEY_SECONDS:
	case KEY_UID:
	case KEY_COUNT:
	case KEY_WORD:
	case KEY_RATE:
		break;
	}
	return 0;
}

/* KEY_SECONDS, KEY_UID and KEY_COUNT: plain digits in the key's range. */
static enum oauth_status
set_number(struct oauth_config *cfg, const struct key *k, const char *value, char *why,
           size_t whylen)
{
	long num = 0;

	if (oauth_parse_number(value, k->min, k->max, &num)) {
		*number_slot(cfg, k) = num;
		return OAUTH_OK;
	}
	oauth_seterr(why, whylen, "not a number in %ld..%ld", k->min, k->max);
	return OAUTH_CONFIG;
}

/*
 * KEY_RATE: "off", or the count in the key's range, a slash and the window in
 * seconds, plain digits without blanks ("6/300"). "0/300" is refused: off says it.
 */
static enum oauth_status
set_rate(struct oauth_config *cfg, const struct key *k, const char *value, char *why, size_t whylen)
{
	char count[NUMBER_TEXT];
	const char *slash = strchr(value, '/');
	struct oauth_rate_limit r = {0, 0};

	if (strcmp(value, "off") == 0) {
		*rate_slot(cfg, k) = r;
		return OAUTH_OK;
	}
	if (slash != NULL && (size_t)(slash - value) < sizeof(count)) {
		memcpy(count, value, (size_t)(slash - value));
		count[slash - value] = '\0';
		if (oauth_parse_number(count, k->min, k->max, &r.count) &&
		    oauth_parse_number(slash + 1, 1, OAUTH_RATE_LIMIT_MAX_SECONDS, &r.seconds)) {
			*rate_slot(cfg, k) = r;
			return OAUTH_OK;
		}
	}
	oauth_seterr(why, whylen, "must be off or N/SECONDS (N in %ld..%ld, SECONDS in 1..%d)",
	             k->min, k->max, OAUTH_RATE_LIMIT_MAX_SECONDS);
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
	size_t max = k->max_bytes != 0 ? k->max_bytes : MAX_VALUE_BYTES;
	int word = 0;

	if (*value == '\0') {
		oauth_seterr(why, whylen, "empty value");
		return OAUTH_CONFIG;
	}
	if (strnlen(value, max + 1) > max) {
		oauth_seterr(why, whylen, "value longer than %zu bytes", max);
		return OAUTH_CONFIG;
	}
	if (k->type == KEY_SECONDS || k->type == KEY_UID || k->type == KEY_COUNT)
		return set_number(cfg, k, value, why, whylen);
	if (k->type == KEY_RATE)
		return set_rate(cfg, k, value, why, whylen);
	if (k->type == KEY_WORD && parse_word(k->words, value, &word)) {
		set_word(cfg, k, word);
		return OAUTH_OK;
	}
	if (k->type == KEY_WORD) {
		list_words(k->words, why, whylen);
		return OAUTH_CONFIG;
	}
	if (k->type == KEY_OPTPATH && strcmp(value, "none") == 0) {
		free_string(cfg, k);
		return OAUTH_OK;
	}
	if (!string_ok(k, value, why, whylen))
		return OAUTH_CONFIG;
	return store_string(cfg, k, value);
}

/*
 * A setting from a file line or an argument: known key, not twice in one scope,
 * the secret only from the file, then set_value() into the current target.
 */
static int
apply(struct loader *ld, const char *name, const char *value)
{
	const struct key *k = find_key(name);
	const char *shown = value; /* quoted in an argument's message */
	char why[128];
	enum oauth_status rc;
	size_t i;

	if (k == NULL) {
		fail(ld, OAUTH_CONFIG, name, NULL, "unknown key");
		return 0;
	}
	i = (size_t)(k - keys);
	/* What oauth_config_each() masks stays out of messages (and the log) too. */
	if ((k->flags & KEY_SECRET) || ((k->flags & KEY_CREDENTIALS) && strchr(value, '@') != NULL))
		shown = NULL;
	if ((k->flags & KEY_SECRET) && !ld->in_file) {
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
		fail(ld, OAUTH_CONFIG, name, shown, "duplicate argument");
		return 0;
	}
	rc = set_value(ld->target, k, value, why, sizeof(why));
	if (rc != OAUTH_OK) {
		fail(ld, rc, name, shown, rc == OAUTH_NOMEM ? "out of memory" : why);
		return 0;
	}
	ld->seen[i] = ld->in_file ? ld->lineno : 1;
	if (k->flags & KEY_SECRET)
		ld->file_has_secret = 1;
	return 1;
}

/* --- the file ----------------------------------------------------------------------------- */

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
static void
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
		return;
	}
	if (i - 1 > MAX_SECTION_NAME) {
		fail(ld, OAUTH_CONFIG, NULL, NULL, "section name longer than 48 bytes");
		return;
	}
	memcpy(ld->section, s + 1, i - 1);
	ld->section[i - 1] = '\0';
	for (j = 0; j < ld->nsections; j++) {
		if (strcmp(ld->sections[j], ld->section) == 0) {
			fail(ld, OAUTH_CONFIG, NULL, NULL, "duplicate section");
			return;
		}
	}
	if (ld->nsections == MAX_SECTIONS) {
		fail(ld, OAUTH_CONFIG, NULL, NULL, "more than 64 sections");
		return;
	}
	memcpy(ld->sections[ld->nsections++], ld->section, sizeof(ld->section));
	memset(ld->seen, 0, sizeof(ld->seen));
	ld->target = strcmp(ld->section, ld->service) == 0 ? ld->cfg : &ld->scratch;
}

/* Where an inline comment starts in the value at s (n bytes): a ';' after white space. */
static size_t
value_length(const char *s, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (s[i] == ';' && is_blank(s[i - 1]))
			return i;
	return n;
}

/*
 * "key = value" (s trimmed, n bytes, inside the caller's writable copy of the
 * file): a key, then '=' before any ':', split in place with NULs.
 */
static void
pair(struct loader *ld, char *s, size_t n)
{
	char *eq = memchr(s, '=', n), *colon = memchr(s, ':', n), *value;
	size_t klen, vlen;

	if (eq == NULL || eq == s || (colon != NULL && colon < eq)) {
		fail(ld, OAUTH_CONFIG, NULL, NULL, "malformed line (expected key = value)");
		return;
	}
	klen = (size_t)(eq - s);
	while (klen > 0 && is_blank(s[klen - 1]))
		klen--;
	value = eq + 1;
	vlen = n - (size_t)(value - s);
	while (vlen > 0 && is_blank(*value)) {
		value++;
		vlen--;
	}
	vlen = vlen > 0 ? value_length(value, vlen) : 0;
	while (vlen > 0 && is_blank(value[vlen - 1]))
		vlen--;
	s[klen] = '\0';
	value[vlen] = '\0';
	apply(ld, s, value);
}

/* One line of n bytes at s: blank, a comment, a section header or a pair. */
static void
line(struct loader *ld, char *s, size_t n)
{
	if (n > OAUTH_CONFIG_MAX_LINE) {
		fail(ld, OAUTH_CONFIG, NULL, NULL, "line longer than 8192 bytes");
		return;
	}
	if (memchr(s, '\0', n) != NULL) {
		fail(ld, OAUTH_CONFIG, NULL, NULL, "NUL byte in line");
		return;
	}
	while (n > 0 && is_blank(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	if (n == 0 || *s == '#' || *s == ';')
		return;
	if (*s == '[')
		open_section(ld, s, n);
	else
		pair(ld, s, n);
}

/*
 * Every line of buf (len bytes, with one byte to spare after them: pair()
 * ends the last value there when the file has no final newline).
 */
static void
read_lines(struct loader *ld, char *buf, size_t len)
{
	size_t pos = 0, n;
	char *nl;

	/* A UTF-8 byte order mark from a Windows editor is not part of the first key. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (ld->rc == OAUTH_OK && pos < len) {
		nl = memchr(buf + pos, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;
		ld->lineno++;
		line(ld, buf + pos, n);
		pos += nl != NULL ? n + 1 : n;
	}
}

/* Reads at most max + 1 bytes (into max + 2), so a file that grew after fstat is caught too. */
static enum oauth_status
read_all(int fd, size_t max, char **out, size_t *outlen)
{
	char *buf = malloc(max + 2);
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
	buf[len] = '\0';
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

static enum oauth_status
load_file(struct loader *ld, uid_t owner)
{
	const struct oauth_admin_file f = {ld->cfg->path, owner, MAX_FILE_BYTES,
	                                   "a config is a few hundred"};
	char *buf = NULL; /* owned; may hold the secret */
	size_t len = 0;
	mode_t mode = 0;

	ld->rc = oauth_config_read_file(&f, &buf, &len, &mode, ld->err, ld->errlen);
	if (ld->rc != OAUTH_OK)
		goto out;
	ld->in_file = 1;
	read_lines(ld, buf, len);
	ld->in_file = 0;
	if (ld->rc == OAUTH_OK && ld->file_has_secret && (mode & (S_IRGRP | S_IROTH)) != 0)
		fail_file(ld, "sets client_secret but is readable by group or others (chmod 600)");
out:
	if (buf != NULL)
		oauth_wipe(buf, len + 1);
	free(buf);
	return ld->rc;
}

/* --- checks across keys ------------------------------------------------------------------- */

/* Nonzero when scope has the token "openid" (CIBA §7.1: it is an OpenID Connect request). */
static int
has_openid_scope(const char *scope)
{
	size_t n = strlen("openid");
	const char *p = scope;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, "openid", n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p = strchr(p, ' ');
		if (p != NULL)
			p++;
	}
	return 0;
}

/* A JSON template: an object, "{" then a member name (Glewlwyd's {"username":"{user}"}). */
static int
is_json_template(const char *tpl)
{
	size_t i = 1;

	if (tpl[0] != '{')
		return 0;
	while (tpl[i] == ' ')
		i++;
	return tpl[i] == '"';
}

/* Counts the string values of the tree that hold marker. */
static size_t
values_holding(const cJSON *item, const char *marker)
{
	size_t n = 0;

	for (; item != NULL; item = item->next) {
		if (cJSON_IsString(item) && strstr(item->valuestring, marker) != NULL)
			n++;
		n += values_holding(item->child, marker);
	}
	return n;
}

/*
 * The placeholder must sit inside one string value: what replaces it is
 * escaped for JSON and cannot change the object's shape. Checked by putting a
 * marker in its place and parsing the result.
 */
static int
json_template_ok(const char *tpl, const char *at)
{
	static const char marker[] = "pam-oauth-user-here";
	char doc[MAX_TEMPLATE + sizeof(marker)], jerr[OAUTH_ERR_SIZE];
	size_t pre = (size_t)(at - tpl), n;
	cJSON *obj = NULL;
	int ok;

	n = (size_t)snprintf(doc, sizeof(doc), "%.*s%s%s", (int)pre, tpl, marker,
	                     at + strlen(OAUTH_HINT_PLACEHOLDER));
	if (n >= sizeof(doc) ||
	    oauth_json_parse_object(doc, n, &obj, jerr, sizeof(jerr)) != OAUTH_OK)
		return 0;
	ok = values_holding(obj->child, marker) == 1;
	oauth_json_free(obj);
	return ok;
}

/* A plain template: no spaces, and no braces outside the one placeholder (a typo for another). */
static int
plain_template_ok(const char *tpl, const char *at)
{
	size_t i;

	for (i = 0; tpl[i] != '\0'; i++) {
		if (tpl + i >= at && tpl + i < at + strlen(OAUTH_HINT_PLACEHOLDER))
			continue;
		if (tpl[i] == ' ' || tpl[i] == '{' || tpl[i] == '}')
			return 0;
	}
	return 1;
}

int
oauth_config_template_ok(const char *tpl)
{
	const char *at;
	size_t i, n;

	if (tpl == NULL)
		return 0;
	n = strnlen(tpl, MAX_TEMPLATE + 1);
	if (n == 0 || n > MAX_TEMPLATE)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)tpl[i] < 0x20 || (unsigned char)tpl[i] > 0x7e)
			return 0;
	at = strstr(tpl, OAUTH_HINT_PLACEHOLDER);
	if (at == NULL || strstr(at + 1, OAUTH_HINT_PLACEHOLDER) != NULL)
		return 0;
	return is_json_template(tpl) ? json_template_ok(tpl, at) : plain_template_ok(tpl, at);
}

int
oauth_config_template_is_json(const char *tpl)
{
	return tpl != NULL && is_json_template(tpl);
}

/* A client, and a provider: an issuer to discover, or both endpoints the device flow needs. */
static enum oauth_status
check_required(const struct oauth_config *c, char *why, size_t whylen)
{
	if (c->client_id == NULL) {
		oauth_seterr(why, whylen, "client_id: missing required key");
		return OAUTH_CONFIG;
	}
	if (c->issuer == NULL &&
	    (c->device_authorization_endpoint == NULL || c->token_endpoint == NULL)) {
		oauth_seterr(why, whylen,
		             "issuer: missing (set issuer, or both "
		             "device_authorization_endpoint and token_endpoint)");
		return OAUTH_CONFIG;
	}
	return OAUTH_OK;
}

/*
 * Providers that need more than the standard: Google refuses a poll without
 * the secret only after the person approved; tid is read from the verified ID
 * token, so tenant_id needs an issuer.
 */
static enum oauth_status
check_provider(const struct oauth_config *c, char *why, size_t whylen)
{
	if (c->issuer != NULL && strcmp(c->issuer, OAUTH_GOOGLE_ISSUER) == 0 &&
	    c->client_secret == NULL) {
		oauth_seterr(why, whylen,
		             "client_secret: Google requires it for the device flow (its token "
		             "endpoint refuses a poll without it, after the person approved)");
		return OAUTH_CONFIG;
	}
	if (c->tenant_id != NULL && c->issuer == NULL) {
		oauth_seterr(why, whylen,
		             "tenant_id: needs issuer (tid is read from the verified ID token)");
		return OAUTH_CONFIG;
	}
	return OAUTH_OK;
}

/*
 * Push approval: CIBA §7.1 requires client authentication, the approving
 * identity comes from a verified ID token (an issuer, the openid scope), and
 * the hint needs a usable template.
 */
static enum oauth_status
check_push(const struct oauth_config *c, char *why, size_t whylen)
{
	if (c->mode == OAUTH_MODE_DEVICE)
		return OAUTH_OK;
	if (c->client_secret == NULL) {
		oauth_seterr(why, whylen,
		             "mode: push approval (CIBA) needs a confidential client: set "
		             "client_secret");
		return OAUTH_CONFIG;
	}
	if (c->issuer == NULL) {
		oauth_seterr(why, whylen,
		             "mode: push approval (CIBA) needs issuer, to verify the ID token");
		return OAUTH_CONFIG;
	}
	if (c->scope == NULL || !has_openid_scope(c->scope)) {
		oauth_seterr(why, whylen, "scope: push approval (CIBA) needs the scope openid");
		return OAUTH_CONFIG;
	}
	if (!oauth_config_template_ok(c->login_hint_template)) {
		oauth_seterr(why, whylen,
		             "login_hint_template: {user} once, no other braces or spaces; or a "
		             "JSON object with {user} inside one string value");
		return OAUTH_CONFIG;
	}
	return OAUTH_OK;
}

enum oauth_status
oauth_config_validate(const struct oauth_config *cfg, char *why, size_t whylen)
{
	enum oauth_status rc = check_required(cfg, why, whylen);

	if (rc == OAUTH_OK)
		rc = check_provider(cfg, why, whylen);
	if (rc == OAUTH_OK)
		rc = check_push(cfg, why, whylen);
	return rc;
}

/* oauth_config_validate() on the result, with the file's path before the reason. */
static void
validate(struct loader *ld)
{
	char p[256], why[OAUTH_ERR_SIZE - 64];

	if (ld->rc != OAUTH_OK || oauth_config_validate(ld->cfg, why, sizeof(why)) == OAUTH_OK)
		return;
	ld->rc = OAUTH_CONFIG;
	oauth_seterr(ld->err, ld->errlen, "%s: %s", oauth_sanitize(p, sizeof(p), ld->cfg->path),
	             why);
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

/* --- walking the table -------------------------------------------------------------------- */

/* One key's value as the file would say it, or NULL when unset; buf holds numbers. */
static const char *
value_text(const struct oauth_config *cfg, const struct key *k, char *buf, size_t buflen)
{
	const struct oauth_rate_limit *r;
	const char *s;

	if (k->type == KEY_WORD)
		return word_of(k->words, get_word(cfg, k));
	if (k->type == KEY_RATE) {
		r = (const struct oauth_rate_limit *)((const char *)cfg + k->offset);
		if (r->count == 0)
			return "off";
		snprintf(buf, buflen, "%ld/%ld", r->count, r->seconds);
		return buf;
	}
	if (!is_string_type(k->type)) {
		snprintf(buf, buflen, "%ld", *(const long *)((const char *)cfg + k->offset));
		return buf;
	}
	s = *(char *const *)((const char *)cfg + k->offset);
	if (s != NULL &&
	    ((k->flags & KEY_SECRET) || ((k->flags & KEY_CREDENTIALS) && strchr(s, '@') != NULL)))
		return "****";
	return s;
}

void
oauth_config_each(const struct oauth_config *cfg,
                  void (*fn)(void *ctx, const char *name, const char *value), void *ctx)
{
	char buf[NUMBER_TEXT];
	size_t i;

	for (i = 0; i < NKEYS; i++)
		fn(ctx, keys[i].name, value_text(cfg, &keys[i], buf, sizeof(buf)));
}

const char *
oauth_config_key_name(size_t i)
{
	return i < NKEYS ? keys[i].name : NULL;
}

void
oauth_config_free(struct oauth_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < NKEYS; i++)
		if (is_string_type(keys[i].type))
			free_string(cfg, &keys[i]);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}
