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

static int
hint_user_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       strchr("._@+-", c) != NULL;
}

/* Appends s (n bytes) to out at *used, escaped for a JSON string (RFC 8259 §7) when json. */
static void
put(char *out, size_t *used, const char *s, size_t n, int json)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (json && (s[i] == '"' || s[i] == '\\'))
			out[(*used)++] = '\\';
		if (json && (unsigned char)s[i] < 0x20) {
			*used += (size_t)snprintf(out + *used, 7, "\\u%04x", (unsigned char)s[i]);
			continue;
		}
		out[(*used)++] = s[i];
	}
}

/* tpl with its one "{user}" replaced by user (ulen bytes), into *out (owned). */
static enum oauth_status
fill_template(const char *tpl, const char *user, size_t ulen, char **out, char *err, size_t errlen)
{
	const char *at = strstr(tpl, OAUTH_HINT_PLACEHOLDER);
	const char *rest = at + strlen(OAUTH_HINT_PLACEHOLDER);
	size_t used = 0;

	/* Six bytes per character at most: a control character becomes \u00XX. */
	*out = malloc(strlen(tpl) + 6 * ulen + 1);
	if (*out == NULL) {
		oauth_seterr(err, errlen, "out of memory");
		return OAUTH_NOMEM;
	}
	put(*out, &used, tpl, (size_t)(at - tpl), 0);
	put(*out, &used, user, ulen, oauth_config_template_is_json(tpl));
	put(*out, &used, rest, strlen(rest), 0);
	(*out)[used] = '\0';
	return OAUTH_OK;
}

enum oauth_status
oauth_ciba_login_hint(const char *tpl, const char *user, char **out, char *err, size_t errlen)
{
	size_t i, ulen;

	*out = NULL;
	if (!oauth_config_template_ok(tpl)) {
		oauth_seterr(err, errlen, "login_hint_template is not usable");
		return OAUTH_CONFIG;
	}
	ulen = user != NULL ? strnlen(user, OAUTH_CIBA_MAX_HINT_USER + 1) : 0;
	if (ulen == 0 || ulen > OAUTH_CIBA_MAX_HINT_USER || user[0] == '-' || user[0] == '.')
		goto refuse;
	for (i = 0; i < ulen; i++)
		if (!hint_user_char(user[i]))
			goto refuse;
	return fill_template(tpl, user, ulen, out, err, errlen);
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
	if (out == NULL || max < OAUTH_BINDING_MIN || max > OAUTH_BINDING_MAX || outlen < max + 1 ||
	    !code_ok(code))
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

	rc = oauth_json_get_string(obj, "auth_req_id", OAUTH_JSON_REQUIRED, &ca->auth_req_id, err,
	                           errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_long(obj, "expires_in", OAUTH_JSON_REQUIRED, 0, 1,
		                         OAUTH_CIBA_MAX_EXPIRES_IN, &ca->expires_in, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_long(obj, "interval", OAUTH_JSON_OPTIONAL,
		                         OAUTH_DEFAULT_INTERVAL, LONG_MIN, LONG_MAX, &ca->interval,
		                         err, errlen);
	if (rc != OAUTH_OK)
		return rc;
	if (!auth_req_id_ok(ca->auth_req_id)) {
		oauth_seterr(err, errlen,
		             "backchannel authentication: auth_req_id is not 1-%d printable "
		             "characters",
		             OAUTH_CIBA_MAX_AUTH_REQ_ID);
		return OAUTH_PROTOCOL;
	}
	return OAUTH_OK; /* the interval as given: the poll loop clamps it (token.c) */
}

struct oauth_answer
oauth_ciba_auth_parse(long http_status, const char *body, size_t len, struct oauth_ciba_auth *ca,
                      char *err, size_t errlen)
{
	struct oauth_answer a;
	enum oauth_status rc;
	cJSON *obj = NULL;

	memset(ca, 0, sizeof(*ca));
	a = oauth_answer_read(OAUTH_AT_BACKCHANNEL, http_status, body, len, &obj, err, errlen);
	if (a.next == OAUTH_NEXT_READ) {
		rc = obj != NULL ? read_ack(obj, ca, err, errlen) : OAUTH_PROTOCOL;
		if (rc != OAUTH_OK) {
			a.next = OAUTH_NEXT_STOP;
			a.status = rc;
		}
	} else if (a.next == OAUTH_NEXT_RETRY) {
		a.next = OAUTH_NEXT_STOP; /* nothing retries a backchannel request */
	}
	if (a.next != OAUTH_NEXT_READ)
		oauth_ciba_auth_free(ca);
	oauth_json_free(obj);
	return a;
}

struct oauth_answer
oauth_ciba_authorize(struct oauth_http *http, const struct oauth_config *cfg,
                     const struct oauth_endpoints *ep, const struct oauth_ciba_request *creq,
                     struct oauth_ciba_auth *ca, char *err, size_t errlen)
{
	struct oauth_form_field fields[MAX_FIELDS];
	struct oauth_http_response resp = {0};
	const struct oauth_http_auth *authp = NULL;
	struct oauth_http_auth auth;
	char expiry[24];
	struct oauth_answer a = {OAUTH_NEXT_STOP, OAUTH_CONFIG, 0};
	enum oauth_status rc;
	size_t n = 0;

	memset(ca, 0, sizeof(*ca));
	if (cfg == NULL || cfg->client_id == NULL || ep == NULL ||
	    ep->backchannel_authentication_endpoint == NULL || creq == NULL ||
	    creq->login_hint == NULL) {
		oauth_seterr(err, errlen,
		             "backchannel authentication: no client, endpoint or login_hint");
		return a;
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
	if (rc == OAUTH_OK)
		a = oauth_ciba_auth_parse(resp.status, resp.body, resp.len, ca, err, errlen);
	else
		a.status = rc; /* a transport failure: the device flow would not fare better */
	oauth_http_response_free(&resp);
	return a;
}

/* The one line the person reads: what is being approved and the digits to match. */
void
oauth_ciba_push_line(const struct oauth_ciba_who *who, const char *code, char *out, size_t outlen)
{
	char service[OAUTH_LOG_FIELD_MAX], user[OAUTH_LOG_FIELD_MAX], host[OAUTH_LOG_FIELD_MAX];

	snprintf(out, outlen, "Approve on your phone: %s for %s on %s (code %s)",
	         oauth_sanitize(service, sizeof(service), who->service ? who->service : "login"),
	         oauth_sanitize(user, sizeof(user), who->user),
	         oauth_sanitize(host, sizeof(host), who->host ? who->host : "this host"), code);
}

/* Can this provider take a push at all? Nobody has been asked when it cannot. */
static struct oauth_answer
check_provider(const struct oauth_endpoints *ep, char *err, size_t errlen)
{
	struct oauth_answer a = {OAUTH_NEXT_READ, OAUTH_OK, 0};

	if (ep->backchannel_authentication_endpoint != NULL && ep->backchannel_poll)
		return a;
	oauth_seterr(err, errlen,
	             ep->backchannel_authentication_endpoint == NULL
	                 ? "provider has no backchannel_authentication_endpoint"
	                 : "provider does not offer CIBA poll mode");
	a.next = OAUTH_NEXT_STOP;
	a.status = OAUTH_CONFIG;
	a.no_push = 1;
	return a;
}

/* login_hint, the code and the binding message; a name the hint cannot carry asks nobody. */
static struct oauth_answer
compose(const struct oauth_config *cfg, const struct oauth_ciba_who *who,
        struct oauth_ciba_push *push, char **hint, char *err, size_t errlen)
{
	struct oauth_answer a = {OAUTH_NEXT_STOP, OAUTH_OK, 0};

	a.status = oauth_ciba_login_hint(cfg->login_hint_template, who->user, hint, err, errlen);
	a.no_push = a.status == OAUTH_POLICY;
	if (a.status == OAUTH_OK)
		a.status = oauth_ciba_code(push->code, sizeof(push->code), err, errlen);
	if (a.status == OAUTH_OK)
		a.status = oauth_ciba_binding_message(who->service, who->host, who->command,
		                                      push->code, (size_t)cfg->binding_message_max,
		                                      push->binding, sizeof(push->binding));
	if (a.status == OAUTH_OK)
		a.next = OAUTH_NEXT_READ;
	return a;
}

void
oauth_ciba_push_free(struct oauth_ciba_push *push)
{
	if (push == NULL)
		return;
	oauth_ciba_auth_free(&push->ack);
	memset(push, 0, sizeof(*push));
}

enum oauth_status
oauth_ciba_start(struct oauth_http *http, const struct oauth_config *cfg,
                 const struct oauth_endpoints *ep, const struct oauth_ciba_who *who,
                 const struct oauth_logger *log, struct oauth_ciba_push *push, char *err,
                 size_t errlen)
{
	struct oauth_ciba_request creq = {0};
	struct oauth_answer a;
	char *hint = NULL;

	memset(push, 0, sizeof(*push));
	a = check_provider(ep, err, errlen);
	if (a.next == OAUTH_NEXT_READ)
		a = compose(cfg, who, push, &hint, err, errlen);
	if (a.next == OAUTH_NEXT_READ) {
		creq.login_hint = hint;
		creq.binding_message = push->binding;
		oauth_debug(log, "CIBA: requesting a push, binding_message=%s", push->binding);
		a = oauth_ciba_authorize(http, cfg, ep, &creq, &push->ack, err, errlen);
	}
	free(hint);
	if (a.next == OAUTH_NEXT_READ) {
		oauth_debug(log, "CIBA: push sent: expires_in=%ld interval=%ld",
		            push->ack.expires_in, push->ack.interval);
		return OAUTH_OK;
	}
	oauth_ciba_push_free(push);
	/* Refused before anyone was asked: the device flow may take over, if the mode allows. */
	if (a.no_push && cfg->mode == OAUTH_MODE_CIBA_THEN_DEVICE)
		return OAUTH_NO_PUSH;
	return a.status;
}

void
oauth_ciba_grant(const struct oauth_ciba_push *push, struct oauth_grant *g)
{
	memset(g, 0, sizeof(*g));
	g->type = CIBA_GRANT;
	g->param = "auth_req_id";
	g->value = push->ack.auth_req_id;
	g->interval = push->ack.interval;
}
