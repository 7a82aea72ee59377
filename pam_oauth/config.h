/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The administrator's settings: one grammar for the file and the PAM arguments. */
#ifndef PAM_OAUTH_CONFIG_H
#define PAM_OAUTH_CONFIG_H

#include <stddef.h>
#include <sys/types.h>

#include "log.h"
#include "status.h"

#define OAUTH_DEFAULT_CONFIG "/etc/security/pam_oauth.conf"

/*
 * Longest line of the file, in bytes: a list of a hundred Entra ID group ids
 * (36 characters each) fits; each value keeps its own cap besides.
 */
#define OAUTH_CONFIG_MAX_LINE 8192

/* Google's issuer: its token endpoint wants client_secret even from "TVs and limited input". */
#define OAUTH_GOOGLE_ISSUER "https://accounts.google.com"

/*
 * binding_message_max's range, in characters. CIBA §7.1 says only "relatively
 * short"; ciba.h lists what providers accept.
 */
/* Room for "s#1234" and a little more; below this the message says nothing. */
#define OAUTH_BINDING_MIN 8
/* Keycloak's limit is 50; a phone notification shows little more anyway. */
#define OAUTH_BINDING_MAX 64

/*
 * rate_limit and rate_limit_rhost: at most count sign-in requests in any
 * window of seconds (ratelimit.c). count 0: the limit is off.
 */
struct oauth_rate_limit {
	long count;   /* requests; 0: off */
	long seconds; /* the window */
};

/*
 * Most requests one limit may allow: ratelimit.c keeps this many request times
 * per entry, so the window is exact. Far above what a person needs (a few per
 * login); a larger budget is no limit.
 */
#define OAUTH_RATE_LIMIT_MAX_COUNT 64
/* Longest window, in seconds: a day; longer windows only remember a person's retries longer. */
#define OAUTH_RATE_LIMIT_MAX_SECONDS 86400

enum oauth_qr_mode {
	OAUTH_QR_AUTO = 0, /* UTF-8, over ssh too (qr.c says why) */
	OAUTH_QR_UTF8,
	OAUTH_QR_ASCII,
	OAUTH_QR_OFF,
};

enum oauth_prompt_mode {
	OAUTH_PROMPT_ENTER = 0, /* show all with a "press Enter" prompt: sshd needs a prompt */
	OAUTH_PROMPT_NONE,      /* show as info and poll at once: fits sudo */
};

/* What the PAM layer returns when the provider cannot be reached or answers nonsense. */
enum oauth_failmode {
	OAUTH_FAILMODE_SECURE = 0, /* PAM_AUTHINFO_UNAVAIL: fails unless the stack says otherwise */
	OAUTH_FAILMODE_SAFE,       /* PAM_IGNORE: the module abstains, the stack decides */
};

/* How a login asks for approval (CIBA Core 1.0 poll mode or RFC 8628). */
enum oauth_mode {
	OAUTH_MODE_DEVICE = 0,       /* device grant: code and QR code on the terminal */
	OAUTH_MODE_CIBA,             /* push to the phone; no fallback */
	OAUTH_MODE_CIBA_THEN_DEVICE, /* push; device grant when the provider or account can't */
};

enum oauth_client_auth {
	OAUTH_CLIENT_AUTH_BASIC = 0, /* RFC 6749 §2.3.1 HTTP Basic: every server must accept it */
	OAUTH_CLIENT_AUTH_POST,      /* client_secret in the form body */
};

/*
 * Effective settings for one PAM service. All strings are owned; client_secret
 * is wiped by oauth_config_free().
 */
struct oauth_config {
	char *path; /* the file that was read */
	int debug;

	char *issuer;
	char *device_authorization_endpoint;
	char *token_endpoint;
	char *userinfo_endpoint;
	char *jwks_uri;

	char *client_id;
	char *client_secret; /* secret; NULL for public clients */
	enum oauth_client_auth client_auth;
	char *scope;          /* default "openid profile" */
	char *username_claim; /* default "preferred_username" */
	char *ca_file;        /* NULL: the system's trust store */

	long timeout;      /* seconds to wait for approval, capped by expires_in */
	long http_timeout; /* seconds for one HTTP request */
	enum oauth_qr_mode qr;
	enum oauth_prompt_mode prompt;

	/* Identity mapping and policy (policy.c, usermap.c) */
	char *username_map;         /* NULL: the claim must equal the account */
	int require_verified_email; /* -1 auto (yes when username_claim is email), 0, 1 */
	char *deny_users;           /* names, comma or space separated; "none": empty */
	long min_uid;               /* accounts below it are refused; 0 turns it off */
	char *required_scopes;      /* NULL: none; every one must be granted */
	char *allowed_groups;       /* NULL: no group check; else at least one */
	char *groups_claim;         /* default "groups" */
	char *acr_values;           /* NULL: none requested nor enforced */
	long max_age;               /* seconds; 0: none requested nor enforced */
	uid_t owner;                /* required owner of files the settings name */
	/* Faults and proxies. */
	enum oauth_failmode failmode;
	char *https_proxy; /* libcurl proxy URL; NULL: no proxy at all (never the environment's) */
	char *no_proxy;    /* libcurl no-proxy host list; NULL: none */

	/* Cache, token verification and provider checks (cache.c, jwt.c, provider.c). */
	char *cache_dir;     /* NULL: no on-disk cache (cache_dir = none) */
	long cache_max_age;  /* seconds a cached document is used */
	char *id_token_algs; /* JWS algs allowed, space-separated; NULL: jwt.c's safe list */
	char *tenant_id;     /* Entra ID: the ID token's tid must equal it; NULL: no check */
	/* Push approval (OpenID CIBA, ciba.c) */
	enum oauth_mode mode;
	char *login_hint_template;                 /* default "{user}" */
	char *backchannel_authentication_endpoint; /* override; NULL: from discovery */
	long requested_expiry;                     /* seconds; 0: not sent */
	long binding_message_max;                  /* characters, default 20 */
	/* sudo's command in the binding message (pam_oauth.c) */
	int push_command; /* name the command from sudo's argv; default no */
	/* Abuse limits (ratelimit.c) */
	struct oauth_rate_limit rate_limit;       /* per account and source; default 6/300 */
	struct oauth_rate_limit rate_limit_rhost; /* per source, all accounts; default 30/60 */
	char *rate_limit_dir;                     /* the shared counts; default /run/pam_oauth */
};

/*
 * Builds the settings for service from, in order: the arguments config=PATH and
 * debug, the file (default OAUTH_DEFAULT_CONFIG), the file's [service] section,
 * then the other key=value arguments. Validates the result (required keys,
 * https:// except loopback http://, the secret file's owner and mode) before any
 * I/O elsewhere. On failure returns OAUTH_CONFIG (or OAUTH_NOMEM) and puts
 * "file:line: key: reason" or "argument key: reason" into err.
 * cfg is cleared at entry; free it with oauth_config_free() on every path.
 */
enum oauth_status oauth_config_load(struct oauth_config *cfg, const char *service, int argc,
                                    const char **argv, char *err, size_t errlen);

/*
 * oauth_config_load() with the file's required owner as a parameter: the module
 * passes root (uid 0) through oauth_config_load(); unit tests that run without
 * root pass their own uid. Not exported from the module (export.map).
 */
enum oauth_status oauth_config_load_as(struct oauth_config *cfg, const char *service, int argc,
                                       const char **argv, uid_t owner, char *err, size_t errlen);

/* A file the administrator controls (the config, the username map). Strings borrowed. */
struct oauth_admin_file {
	const char *path;
	uid_t owner;           /* required owner: root in the module */
	size_t max_bytes;      /* larger files are refused */
	const char *size_hint; /* why that size, for the message ("a config is a few hundred") */
};

/*
 * Opens f->path with O_NOFOLLOW|O_CLOEXEC|O_NOCTTY|O_NONBLOCK, checks the
 * descriptor (a regular file owned by f->owner, not writable by group or
 * others, at most f->max_bytes) and reads it whole into *buf (owned, not
 * NUL-terminated; wipe before freeing if it may hold secrets), with *mode its
 * st_mode. OAUTH_CONFIG with "path: reason" in err, or OAUTH_NOMEM.
 * Out-parameters are cleared at entry.
 */
enum oauth_status oauth_config_read_file(const struct oauth_admin_file *f, char **buf, size_t *len,
                                         mode_t *mode, char *err, size_t errlen);

/*
 * The checks no single key can make: required keys, where the endpoints come
 * from, settings that only make sense together (Google's secret, tenant_id
 * needs issuer, push approval's client, issuer, scope and hint). The loader
 * runs it; OAUTH_CONFIG with "key: reason" in why.
 */
enum oauth_status oauth_config_validate(const struct oauth_config *cfg, char *why, size_t whylen);

/* The one placeholder a login_hint_template may hold. */
#define OAUTH_HINT_PLACEHOLDER "{user}"

/*
 * Nonzero when tpl is a usable login_hint template, at most 256 bytes of
 * printable ASCII with "{user}" exactly once: plain, without spaces or other
 * braces ("{user}@example.com"), or a JSON object with "{user}" inside one
 * string value ({"username":"{user}"}, which Glewlwyd and Auth0 want).
 */
int oauth_config_template_ok(const char *tpl);

/* Nonzero when tpl is a JSON template ('{' then a member name): the account is escaped for JSON. */
int oauth_config_template_is_json(const char *tpl);

/*
 * Calls fn once for each key, in the key table's order, with the effective
 * value as the file would spell it, or NULL when unset. A secret is "****", and
 * so is a proxy URL that carries credentials. For pam_oauth_check.
 */
void oauth_config_each(const struct oauth_config *cfg,
                       void (*fn)(void *ctx, const char *name, const char *value), void *ctx);

/* The i-th key's name in the table, or NULL past the end. */
const char *oauth_config_key_name(size_t i);

/* Frees every member (wiping the secret); cfg itself is the caller's; NULL is fine. */
void oauth_config_free(struct oauth_config *cfg);

#endif
