/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* OpenID CIBA Core 1.0 in poll mode: a push to the person's phone instead of a code to type. */
#include "build_config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "answer.h"
#include "ciba.h"
#include "json.h"
#include "secret.h"

/* CIBA §10.1 grant type. */
#define CIBA_GRANT "urn:openid:params:grant-type:ciba"
/* Form fields one request sends at most: client_id, secret, scope, hint, message, expiry, acr. */
#define MAX_FIELDS 8
/* A template longer than this is a mistake: hints are e-mail addresses or names (bytes). */
#define MAX_TEMPLATE 256
/* The placeholder, the one thing a template may say besides literal text. */
#define USER_PLACEHOLDER "{user}"
/* Largest multiple of 10000 that fits two random bytes: values above it are drawn again. */
#define CODE_RANGE 60000u
/* Draws before giving up on RAND_bytes (each is rejected with p = 0.08). */
#define CODE_DRAWS 64

void
oauth_ciba_auth_free(struct oauth_ciba_auth *ca)
{
	if (ca == NULL)
		return;
	oauth_free_secret(ca->auth_req_id);
	memset(ca, 0, sizeof(*ca));
}

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

int
oauth_ciba_template_ok(const char *tpl)
{
	const char *at;
	size_t i, n;

	if (tpl == NULL)
		return 0;
	n = strnlen(tpl, MAX_TEMPLATE + 1);
	if (n == 0 || n > MAX_TEMPLATE)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)tpl[i] <= 0x20 || (unsigned char)tpl[i] > 0x7e)
			return 0;
	at = strstr(tpl, USER_PLACEHOLDER);
	if (at == NULL || strstr(at + 1, USER_PLACEHOLDER) != NULL)
		return 0;
	/* Braces outside the one placeholder would be a typo for another one. */
	for (i = 0; i < n; i++) {
		if (tpl + i >= at && tpl + i < at + strlen(USER_PLACEHOLDER))
			continue;
		if (tpl[i] == '{' || tpl[i] == '}')
			return 0;
	}
	return 1;
}

enum oauth_status
oauth_ciba_config_check(const struct oauth_config *cfg, char *err, size_t errlen)
{
	if (cfg->mode == OAUTH_MODE_DEVICE)
		return OAUTH_OK;
	if (cfg->client_secret == NULL) {
		oauth_seterr(err, errlen,
		             "mode: push approval (CIBA) needs a confidential client: set "
		             "client_secret");
		return OAUTH_CONFIG;
	}
	if (cfg->issuer == NULL) {
		oauth_seterr(err, errlen,
		             "mode: push approval (CIBA) needs issuer, to verify the ID token");
		return OAUTH_CONFIG;
	}
	if (cfg->scope == NULL || !has_openid_scope(cfg->scope)) {
		oauth_seterr(err, errlen, "scope: push approval (CIBA) needs the scope openid");
		return OAUTH_CONFIG;
	}
	if (!oauth_ciba_template_ok(cfg->login_hint_template)) {
		oauth_seterr(err, errlen,
		             "login_hint_template: must contain {user} once, no other braces, no "
		             "spaces");
		return OAUTH_CONFIG;
	}
	return OAUTH_OK;
}

static int
hint_user_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       strchr("._@+-", c) != NULL;
}

enum oauth_status
oauth_ciba_login_hint(const char *tpl, const char *user, char **out, char *err, size_t errlen)
{
	const char *at;
	size_t i, ulen, pre, total;

	*out = NULL;
	if (!oauth_ciba_template_ok(tpl)) {
		oauth_seterr(err, errlen, "login_hint_template is not usable");
		return OAUTH_CONFIG;
	}
	ulen = user != NULL ? strnlen(user, OAUTH_CIBA_MAX_HINT_USER + 1) : 0;
	if (ulen == 0 || ulen > OAUTH_CIBA_MAX_HINT_USER || user[0] == '-' || user[0] == '.')
		goto refuse;
	for (i = 0; i < ulen; i++)
		if (!hint_user_char(user[i]))
			goto refuse;
	at = strstr(tpl, USER_PLACEHOLDER);
	pre = (size_t)(at - tpl);
	total = strlen(tpl) - strlen(USER_PLACEHOLDER) + ulen;
	*out = malloc(total + 1);
	if (*out == NULL) {
		oauth_seterr(err, errlen, "out of memory");
		return OAUTH_NOMEM;
	}
	memcpy(*out, tpl, pre);
	memcpy(*out + pre, user, ulen);
	memcpy(*out + pre + ulen, at + strlen(USER_PLACEHOLDER),
	       strlen(at + strlen(USER_PLACEHOLDER)) + 1);
	return OAUTH_OK;
refuse:
	oauth_seterr(err, errlen,
	             "account name not usable in a login_hint (1-%d of A-Za-z0-9._@+-, not "
	             "starting with - or .)",
	             OAUTH_CIBA_MAX_HINT_USER);
	return OAUTH_POLICY;
}

enum oauth_status
oauth_ciba_code(char *out, size_t outlen, char *err, size_t errlen)
{
	unsigned char b[2];
	unsigned v;
	int i;

	if (out == NULL || outlen < OAUTH_CIBA_CODE_DIGITS + 1) {
		oauth_seterr(err, errlen, "CIBA: no room for the code");
		return OAUTH_CONFIG;
	}
	out[0] = '\0';
	for (i = 0; i < CODE_DRAWS; i++) {
		if (RAND_bytes(b, sizeof(b)) != 1)
			break;
		v = (unsigned)b[0] << 8 | b[1];
		if (v >= CODE_RANGE)
			continue; /* rejection keeps every code equally likely */
		snprintf(out, outlen, "%04u", v % 10000u);
		oauth_wipe(b, sizeof(b));
		return OAUTH_OK;
	}
	oauth_seterr(err, errlen, "CIBA: no random bytes for the code");
	return OAUTH_UNAVAILABLE;
}

/* A character that may appear inside a part: '/' and '#' separate the parts, so not those. */
static char
binding_char(char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("-._+!?", c) != NULL))
		return c;
	return '_';
}

/* Appends at most room characters of part (mapped), after a '/' unless it is the first. */
static void
append_part(char *out, size_t *used, size_t budget, const char *part, size_t partlen)
{
	size_t sep = *used > 0 ? 1 : 0, room, i;

	if (part == NULL || partlen == 0 || *used + sep >= budget)
		return;
	room = budget - *used - sep;
	if (partlen > room)
		partlen = room;
	if (sep)
		out[(*used)++] = '/';
	for (i = 0; i < partlen; i++)
		out[(*used)++] = binding_char(part[i]);
}

static int
code_ok(const char *code)
{
	size_t i;

	if (code == NULL || strlen(code) != OAUTH_CIBA_CODE_DIGITS)
		return 0;
	for (i = 0; i < OAUTH_CIBA_CODE_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	return 1;
}

enum oauth_status
oauth_ciba_binding_message(const char *service, const char *host, const char *command,
                           const char *code, size_t max, char *out, size_t outlen)
{
	size_t used = 0, budget, hostlen;

	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (out == NULL || max < OAUTH_CIBA_MIN_BINDING || max > OAUTH_CIBA_MAX_BINDING ||
	    outlen < max + 1 || !code_ok(code))
		return OAUTH_CONFIG;
	budget = max - 1 - OAUTH_CIBA_CODE_DIGITS; /* "#1234" always fits */
	append_part(out, &used, budget, service, service ? strlen(service) : 0);
	/* The short name: the person knows their own domain, the room is scarce. */
	hostlen = host ? strcspn(host, ".") : 0;
	append_part(out, &used, budget, host, hostlen);
	append_part(out, &used, budget, command, command ? strlen(command) : 0);
	out[used++] = '#';
	memcpy(out + used, code, OAUTH_CIBA_CODE_DIGITS);
	out[used + OAUTH_CIBA_CODE_DIGITS] = '\0';
	return OAUTH_OK;
}

/* Printable ASCII without spaces: it goes back in a form and into nothing else. */
static int
auth_req_id_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] > 0x7e ||
		    i >= OAUTH_CIBA_MAX_AUTH_REQ_ID)
			return 0;
	return i > 0;
}

static enum oauth_status
read_ack(const cJSON *obj, struct oauth_ciba_auth *ca, char *err, size_t errlen)
{
	enum oauth_status rc;

	rc = oauth_json_get_string(obj, "auth_req_id", 1, &ca->auth_req_id, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_long(obj, "expires_in", 1, 0, 1, OAUTH_CIBA_MAX_EXPIRES_IN,
		                         &ca->expires_in, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_long(obj, "interval", 0, OAUTH_DEFAULT_INTERVAL, LONG_MIN,
		                         LONG_MAX, &ca->interval, err, errlen);
	if (rc != OAUTH_OK)
		return rc;
	if (!auth_req_id_ok(ca->auth_req_id)) {
		oauth_seterr(err, errlen,
		             "backchannel authentication: auth_req_id is not 1-%d printable "
		             "characters",
		             OAUTH_CIBA_MAX_AUTH_REQ_ID);
		return OAUTH_PROTOCOL;
	}
	/* §7.3: absent means 5 s; nonsense is treated the same, a stall is capped. */
	if (ca->interval < 1)
		ca->interval = OAUTH_DEFAULT_INTERVAL;
	if (ca->interval > OAUTH_MAX_INTERVAL)
		ca->interval = OAUTH_MAX_INTERVAL;
	return OAUTH_OK;
}

enum oauth_status
oauth_ciba_auth_parse(long http_status, const char *body, size_t len, struct oauth_ciba_auth *ca,
                      int *fallback, char *err, size_t errlen)
{
	struct oauth_answer a;
	enum oauth_status rc;
	cJSON *obj = NULL;

	memset(ca, 0, sizeof(*ca));
	a = oauth_answer_read(OAUTH_AT_BACKCHANNEL, http_status, body, len, &obj, err, errlen);
	*fallback = a.no_push;
	if (a.next != OAUTH_NEXT_READ)
		rc = a.status;
	else if (obj == NULL)
		rc = OAUTH_PROTOCOL;
	else
		rc = read_ack(obj, ca, err, errlen);
	if (rc != OAUTH_OK)
		oauth_ciba_auth_free(ca);
	oauth_json_free(obj);
	return rc;
}

enum oauth_status
oauth_ciba_authorize(struct oauth_http *http, const struct oauth_config *cfg,
                     const struct oauth_endpoints *ep, const struct oauth_ciba_request *creq,
                     struct oauth_ciba_auth *ca, int *fallback, char *err, size_t errlen)
{
	struct oauth_form_field fields[MAX_FIELDS];
	struct oauth_http_response resp = {0};
	const struct oauth_http_auth *authp = NULL;
	struct oauth_http_auth auth;
	char expiry[24];
	enum oauth_status rc = OAUTH_CONFIG;
	size_t n = 0;

	memset(ca, 0, sizeof(*ca));
	*fallback = 0;
	if (cfg == NULL || cfg->client_id == NULL || ep == NULL ||
	    ep->backchannel_authentication_endpoint == NULL || creq == NULL ||
	    creq->login_hint == NULL) {
		oauth_seterr(err, errlen,
		             "backchannel authentication: no client, endpoint or login_hint");
		goto out;
	}
	fields[n].name = "client_id";
	fields[n++].value = cfg->client_id;
	fields[n].name = "scope";
	fields[n++].value = cfg->scope != NULL ? cfg->scope : "openid";
	fields[n].name = "login_hint";
	fields[n++].value = creq->login_hint;
	if (creq->binding_message != NULL) {
		fields[n].name = "binding_message";
		fields[n++].value = creq->binding_message;
	}
	if (cfg->requested_expiry > 0) {
		snprintf(expiry, sizeof(expiry), "%ld", cfg->requested_expiry);
		fields[n].name = "requested_expiry";
		fields[n++].value = expiry;
	}
	/* CIBA §7.1 takes acr_values as the authorization request does; policy.c checks acr. */
	if (cfg->acr_values != NULL) {
		fields[n].name = "acr_values";
		fields[n++].value = cfg->acr_values;
	}
	oauth_client_auth_fields(cfg, fields, &n, &auth, &authp);
	rc = oauth_http_post_form(http, ep->backchannel_authentication_endpoint, fields, n, authp,
	                          &resp, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	rc = oauth_ciba_auth_parse(resp.status, resp.body, resp.len, ca, fallback, err, errlen);
out:
	oauth_http_response_free(&resp);
	return rc;
}

enum oauth_status
oauth_ciba_token_request(struct oauth_http *http, const struct oauth_config *cfg,
                         const struct oauth_endpoints *ep, const char *auth_req_id,
                         struct oauth_http_response *resp, char *err, size_t errlen)
{
	struct oauth_form_field fields[MAX_FIELDS];
	const struct oauth_http_auth *authp = NULL;
	struct oauth_http_auth auth;
	size_t n = 0;

	memset(resp, 0, sizeof(*resp));
	resp->retry_after = -1;
	resp->date = -1;
	if (cfg == NULL || cfg->client_id == NULL || ep == NULL || ep->token_endpoint == NULL ||
	    auth_req_id == NULL) {
		oauth_seterr(err, errlen, "CIBA token request: no client, endpoint or auth_req_id");
		return OAUTH_CONFIG;
	}
	fields[n].name = "grant_type";
	fields[n++].value = CIBA_GRANT;
	fields[n].name = "auth_req_id";
	fields[n++].value = auth_req_id; /* secret: http.c wipes the encoded body */
	fields[n].name = "client_id";
	fields[n++].value = cfg->client_id;
	oauth_client_auth_fields(cfg, fields, &n, &auth, &authp);
	return oauth_http_post_form(http, ep->token_endpoint, fields, n, authp, resp, err, errlen);
}

/* What the poll loop's request needs, plus the caller's clock. */
struct ciba_poll {
	struct oauth_http *http;            /* borrowed */
	const struct oauth_config *cfg;     /* borrowed */
	const struct oauth_endpoints *ep;   /* borrowed */
	const char *auth_req_id;            /* borrowed; secret */
	const struct oauth_poll_ops *clock; /* borrowed */
};

static enum oauth_status
poll_request(void *ctx, struct oauth_http_response *resp, char *err, size_t errlen)
{
	struct ciba_poll *p = ctx;

	return oauth_ciba_token_request(p->http, p->cfg, p->ep, p->auth_req_id, resp, err, errlen);
}

static long long
poll_now_ms(void *ctx)
{
	struct ciba_poll *p = ctx;

	return p->clock->now_ms(p->clock->ctx);
}

static enum oauth_status
poll_sleep_ms(void *ctx, long long ms)
{
	struct ciba_poll *p = ctx;

	return p->clock->sleep_ms(p->clock->ctx, ms);
}

/* The one line the person reads: what is being approved and the digits to match. */
static enum oauth_status
show_request(const struct oauth_ciba_who *who, const struct oauth_display_ops *display,
             const char *code, char *err, size_t errlen)
{
	char service[OAUTH_LOG_FIELD_MAX], user[OAUTH_LOG_FIELD_MAX], host[OAUTH_LOG_FIELD_MAX];
	char line[OAUTH_MSG_MAX];
	enum oauth_status rc;

	snprintf(line, sizeof(line), "Approve on your phone: %s for %s on %s (code %s)",
	         oauth_sanitize(service, sizeof(service), who->service ? who->service : "login"),
	         oauth_sanitize(user, sizeof(user), who->user),
	         oauth_sanitize(host, sizeof(host), who->host ? who->host : "this host"), code);
	rc = display->info(display->ctx, line);
	if (rc != OAUTH_OK)
		oauth_seterr(err, errlen, "conversation failed while showing the push request");
	return rc;
}

/* Can this provider take a push at all? If not, say so and allow the fallback. */
static enum oauth_status
check_provider(const struct oauth_endpoints *ep, int *fallback, char *err, size_t errlen)
{
	if (ep->backchannel_authentication_endpoint != NULL && ep->backchannel_poll)
		return OAUTH_OK;
	*fallback = 1;
	oauth_seterr(err, errlen,
	             ep->backchannel_authentication_endpoint == NULL
	                 ? "provider has no backchannel_authentication_endpoint"
	                 : "provider does not offer CIBA poll mode");
	return OAUTH_CONFIG;
}

enum oauth_status
oauth_ciba_login(struct oauth_http *http, const struct oauth_config *cfg,
                 const struct oauth_endpoints *ep, const struct oauth_ciba_who *who,
                 const struct oauth_display_ops *display, const struct oauth_poll_ops *clock,
                 const struct oauth_logger *log, struct oauth_token_response *tr, int *fallback,
                 char *err, size_t errlen)
{
	struct ciba_poll p = {http, cfg, ep, NULL, clock};
	struct oauth_poll_ops ops = {poll_request, poll_now_ms, poll_sleep_ms, &p};
	struct oauth_ciba_auth ca = {0};
	struct oauth_ciba_request creq = {0};
	char code[OAUTH_CIBA_CODE_DIGITS + 1], binding[OAUTH_CIBA_MAX_BINDING + 1];
	char *hint = NULL;
	enum oauth_status rc;
	long long deadline;
	long secs;
	int poll_now = 0;

	memset(tr, 0, sizeof(*tr));
	*fallback = 0;
	rc = check_provider(ep, fallback, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	rc = oauth_ciba_login_hint(cfg->login_hint_template, who->user, &hint, err, errlen);
	*fallback = rc == OAUTH_POLICY;
	if (rc == OAUTH_OK)
		rc = oauth_ciba_code(code, sizeof(code), err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_ciba_binding_message(who->service, who->host, who->command, code,
		                                (size_t)cfg->binding_message_max, binding,
		                                sizeof(binding));
	if (rc != OAUTH_OK)
		goto out;
	creq.login_hint = hint;
	creq.binding_message = binding;
	oauth_debug(log, "CIBA: requesting a push, binding_message=%s", binding);
	rc = oauth_ciba_authorize(http, cfg, ep, &creq, &ca, fallback, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	secs = cfg->timeout < ca.expires_in ? cfg->timeout : ca.expires_in;
	deadline = clock->now_ms(clock->ctx) + (long long)secs * 1000;
	oauth_debug(log, "CIBA: push sent: expires_in=%ld interval=%ld", ca.expires_in,
	            ca.interval);
	rc = show_request(who, display, code, err, errlen);
	if (rc == OAUTH_OK && cfg->prompt == OAUTH_PROMPT_ENTER) {
		rc = oauth_display_prompt(display, err, errlen);
		poll_now = 1;
	}
	if (rc != OAUTH_OK)
		goto out;
	p.auth_req_id = ca.auth_req_id;
	/* CIBA §7.3: no poll before one interval, unless the person says they approved. */
	rc = oauth_device_poll(&ops, ca.interval, deadline, poll_now, log, tr, err, errlen);
	/* CIBA §10.1.1: the answer carries an ID token; the identity must come from it. */
	if (rc == OAUTH_OK && tr->id_token == NULL) {
		oauth_seterr(err, errlen, "CIBA token response without an ID token");
		oauth_token_response_free(tr);
		rc = OAUTH_PROTOCOL;
	}
out:
	oauth_ciba_auth_free(&ca);
	free(hint);
	return rc;
}

/* A sudo long option: its name and whether it takes a value. */
struct sudo_longopt {
	const char *name;
	int takes_value;
	char effect; /* 'e': edit files, 'x': no command runs (list, validate, ...), 0: neither */
};

/* sudo 1.9's options (sudo(8)); getopt_long also accepts an unambiguous prefix of each. */
static const struct sudo_longopt sudo_longopts[] = {
    {"askpass", 0, 0},
    {"auth-type", 1, 0},
    {"background", 0, 0},
    {"bell", 0, 0},
    {"chdir", 1, 0},
    {"chroot", 1, 0},
    {"close-from", 1, 0},
    {"command-timeout", 1, 0},
    {"edit", 0, 'e'},
    {"group", 1, 0},
    {"help", 0, 'x'},
    {"host", 1, 0},
    {"list", 0, 'x'},
    {"login", 0, 0},
    {"login-class", 1, 0},
    {"non-interactive", 0, 0},
    {"other-user", 1, 0},
    {"preserve-env", 0, 0},
    {"preserve-groups", 0, 0},
    {"prompt", 1, 0},
    {"remove-timestamp", 0, 'x'},
    {"reset-timestamp", 0, 0},
    {"role", 1, 0},
    {"set-home", 0, 0},
    {"shell", 0, 0},
    {"stdin", 0, 0},
    {"type", 1, 0},
    {"user", 1, 0},
    {"validate", 0, 'x'},
    {"version", 0, 'x'},
};

/* sudo's short options that take a value (attached, "-uroot", or as the next argument). */
#define SUDO_VALUE_OPTS "aCcDghpRrTtUu"
/* Short options after which sudo runs no command, or edits files. */
#define SUDO_NOCMD_OPTS "lvKV"

/* Where sudo's argument parsing stands. */
struct sudo_args {
	const char *args; /* borrowed: NUL-separated */
	size_t len, pos;  /* pos: start of the next argument */
	int edit, nocmd, bad;
};

/* The next complete (NUL-terminated) argument, or NULL at the end. */
static const char *
next_arg(struct sudo_args *a)
{
	const char *arg;
	const char *nul;

	if (a->pos >= a->len)
		return NULL;
	arg = a->args + a->pos;
	nul = memchr(arg, '\0', a->len - a->pos);
	if (nul == NULL) {
		a->pos = a->len; /* cut off by the read limit: not an argument we can trust */
		return NULL;
	}
	a->pos += (size_t)(nul - arg) + 1;
	return arg;
}

/* "--name[=value]": an exact name wins, else a unique prefix (as getopt_long); else bad. */
static void
sudo_long_option(struct sudo_args *a, const char *arg)
{
	const struct sudo_longopt *hit = NULL;
	size_t n = strcspn(arg, "="), i, hits = 0;

	for (i = 0; i < sizeof(sudo_longopts) / sizeof(sudo_longopts[0]); i++) {
		if (strncmp(sudo_longopts[i].name, arg, n) != 0)
			continue;
		if (sudo_longopts[i].name[n] == '\0') {
			hit = &sudo_longopts[i];
			hits = 1;
			break;
		}
		hit = &sudo_longopts[i];
		hits++;
	}
	if (hits != 1 || n == 0) {
		a->bad = 1; /* sudo refuses it too, before asking anyone */
		return;
	}
	a->edit |= hit->effect == 'e';
	a->nocmd |= hit->effect == 'x';
	if (hit->takes_value && arg[n] != '=' && next_arg(a) == NULL)
		a->bad = 1;
}

/* "-abc": flags, up to one that takes a value (the rest of the word, or the next argument). */
static void
sudo_short_options(struct sudo_args *a, const char *arg)
{
	for (; *arg != '\0'; arg++) {
		a->edit |= *arg == 'e';
		a->nocmd |= strchr(SUDO_NOCMD_OPTS, *arg) != NULL;
		if (strchr(SUDO_VALUE_OPTS, *arg) == NULL)
			continue;
		if (arg[1] == '\0' && next_arg(a) == NULL)
			a->bad = 1;
		return;
	}
}

/* Copies the last path component of cmd into out, cut to fit. */
static void
copy_basename(const char *cmd, char *out, size_t outlen)
{
	const char *base = strrchr(cmd, '/');

	base = base ? base + 1 : cmd;
	if (*base != '\0')
		(void)snprintf(out, outlen, "%s", base);
}

enum oauth_status
oauth_ciba_sudo_command(const char *args, size_t len, char *out, size_t outlen)
{
	struct sudo_args a = {args, len, 0, 0, 0, 0};
	const char *arg;

	if (out == NULL || outlen == 0)
		return OAUTH_CONFIG;
	out[0] = '\0';
	if (args == NULL || (arg = next_arg(&a)) == NULL)
		return OAUTH_OK;
	copy_basename(arg, out, outlen);
	if (strcmp(out, "sudoedit") == 0)
		return OAUTH_OK;
	if (strcmp(out, "sudo") != 0) {
		out[0] = '\0'; /* not sudo: its arguments mean something else */
		return OAUTH_OK;
	}
	out[0] = '\0';
	while ((arg = next_arg(&a)) != NULL && arg[0] == '-' && arg[1] != '\0' && !a.bad) {
		if (strcmp(arg, "--") == 0) {
			arg = next_arg(&a);
			break;
		}
		if (arg[1] == '-')
			sudo_long_option(&a, arg + 2);
		else
			sudo_short_options(&a, arg + 1);
	}
	/* sudo takes leading VAR=value words as environment settings, not as the command. */
	while (arg != NULL && !a.edit && strchr(arg, '=') != NULL)
		arg = next_arg(&a);
	if (a.bad || a.nocmd)
		return OAUTH_OK;
	if (a.edit)
		(void)snprintf(out, outlen, "sudoedit");
	else if (arg != NULL)
		copy_basename(arg, out, outlen);
	return OAUTH_OK;
}
