/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* RFC 8628: the device authorization request and the token polling loop. */
#include "build_config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "device_flow.h"
#include "json.h"
#include "secret.h"
#include "url.h"

/* RFC 8628 §3.4 grant type. */
#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"
/*
 * Form fields one request sends at most: grant_type, device_code, client_id, secret,
 * scope, acr_values, max_age.
 */
#define MAX_FIELDS 7
/*
 * A sleep cut to end at the deadline wakes a little after it (timer slack, a busy machine):
 * within this many ms the last poll still happens, as the cut promised.
 */
#define LAST_POLL_GRACE_MS 1000

void
oauth_device_auth_free(struct oauth_device_auth *da)
{
	if (da == NULL)
		return;
	oauth_free_secret(da->device_code);
	free(da->user_code);
	free(da->verification_uri);
	free(da->verification_uri_complete);
	memset(da, 0, sizeof(*da));
}

void
oauth_token_response_free(struct oauth_token_response *tr)
{
	if (tr == NULL)
		return;
	oauth_free_secret(tr->access_token);
	oauth_free_secret(tr->id_token);
	free(tr->token_type);
	free(tr->scope);
	memset(tr, 0, sizeof(*tr));
}

/* Printable ASCII only, 1..OAUTH_MAX_USER_CODE bytes: a person reads and types it. */
static int
user_code_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e ||
		    i >= OAUTH_MAX_USER_CODE)
			return 0;
	return i > 0;
}

/* A URI the person is sent to: https (or loopback http) only. */
static enum oauth_status
check_shown_uri(const char *name, const char *uri, char *err, size_t errlen)
{
	char where[OAUTH_LOG_FIELD_MAX];

	if (uri == NULL || oauth_url_allowed(uri))
		return OAUTH_OK;
	oauth_seterr(err, errlen, "device authorization: %s %s is not https", name,
	             oauth_sanitize(where, sizeof(where), uri));
	return OAUTH_PROTOCOL;
}

/* RFC 8628 §3.2 members; Google says verification_url. */
static enum oauth_status
read_device_auth(const cJSON *obj, struct oauth_device_auth *da, char *err, size_t errlen)
{
	const char *uri_name = "verification_uri";
	enum oauth_status rc;

	if (cJSON_GetObjectItemCaseSensitive(obj, uri_name) == NULL &&
	    cJSON_GetObjectItemCaseSensitive(obj, "verification_url") != NULL)
		uri_name = "verification_url";
	rc = oauth_json_get_string(obj, "device_code", 1, &da->device_code, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_string(obj, "user_code", 1, &da->user_code, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_string(obj, uri_name, 1, &da->verification_uri, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_string(obj, "verification_uri_complete", 0,
		                           &da->verification_uri_complete, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_long(obj, "expires_in", 1, 0, 1, OAUTH_MAX_EXPIRES_IN,
		                         &da->expires_in, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_long(obj, "interval", 0, OAUTH_DEFAULT_INTERVAL, LONG_MIN,
		                         LONG_MAX, &da->interval, err, errlen);
	if (rc != OAUTH_OK)
		return rc;
	if (!user_code_ok(da->user_code)) {
		oauth_seterr(err, errlen,
		             "device authorization: user_code is not 1-%d printable ASCII "
		             "characters",
		             OAUTH_MAX_USER_CODE);
		return OAUTH_PROTOCOL;
	}
	rc = check_shown_uri(uri_name, da->verification_uri, err, errlen);
	if (rc == OAUTH_OK)
		rc = check_shown_uri("verification_uri_complete", da->verification_uri_complete,
		                     err, errlen);
	/* §3.2: absent means 5 s; nonsense is treated the same, a stall is capped. */
	if (da->interval < 1)
		da->interval = OAUTH_DEFAULT_INTERVAL;
	if (da->interval > OAUTH_MAX_INTERVAL)
		da->interval = OAUTH_MAX_INTERVAL;
	return rc;
}

enum oauth_status
oauth_device_auth_parse(long http_status, const char *body, size_t len,
                        struct oauth_device_auth *da, char *err, size_t errlen)
{
	struct oauth_answer a;
	enum oauth_status rc;
	cJSON *obj = NULL;

	memset(da, 0, sizeof(*da));
	a = oauth_answer_read(OAUTH_AT_DEVICE_AUTH, http_status, body, len, &obj, err, errlen);
	if (a.next != OAUTH_NEXT_READ)
		rc = a.status; /* a passing fault is one here: nothing retries it */
	else if (obj == NULL)
		rc = OAUTH_PROTOCOL;
	else
		rc = read_device_auth(obj, da, err, errlen);
	if (rc != OAUTH_OK)
		oauth_device_auth_free(da);
	oauth_json_free(obj);
	return rc;
}

int
oauth_token_response_transient(long http_status)
{
	return oauth_answer_classify(OAUTH_AT_TOKEN, http_status, NULL).next == OAUTH_NEXT_RETRY;
}

/* RFC 6749 §5.1 members; scope may be "" (GitHub, nothing granted), kept as "". */
static enum oauth_status
read_tokens(const cJSON *obj, struct oauth_token_response *tr, char *err, size_t errlen)
{
	const cJSON *scope = cJSON_GetObjectItemCaseSensitive(obj, "scope");
	enum oauth_status rc;

	rc = oauth_json_get_string(obj, "access_token", 1, &tr->access_token, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_string(obj, "id_token", 0, &tr->id_token, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_string(obj, "token_type", 0, &tr->token_type, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_long(obj, "expires_in", 0, 0, 0, LONG_MAX, &tr->expires_in, err,
		                         errlen);
	if (rc != OAUTH_OK)
		return rc;
	if (cJSON_IsString(scope) && scope->valuestring != NULL && scope->valuestring[0] == '\0') {
		tr->scope = strdup("");
		if (tr->scope == NULL) {
			oauth_seterr(err, errlen, "out of memory");
			return OAUTH_NOMEM;
		}
		return OAUTH_OK;
	}
	return oauth_json_get_string(obj, "scope", 0, &tr->scope, err, errlen);
}

struct oauth_answer
oauth_token_response_parse(long http_status, const char *body, size_t len,
                           struct oauth_token_response *tr, char *err, size_t errlen)
{
	char why[OAUTH_ERR_SIZE] = "";
	struct oauth_answer a;
	enum oauth_status rc;
	cJSON *obj = NULL;

	memset(tr, 0, sizeof(*tr));
	a = oauth_answer_read(OAUTH_AT_TOKEN, http_status, body, len, &obj, err, errlen);
	if (a.next == OAUTH_NEXT_READ && obj == NULL) {
		a.next = OAUTH_NEXT_STOP;
		a.status = OAUTH_PROTOCOL;
	} else if (a.next == OAUTH_NEXT_READ) {
		rc = read_tokens(obj, tr, why, sizeof(why));
		if (rc != OAUTH_OK) {
			oauth_seterr(err, errlen, "token endpoint: %s", why);
			a.next = OAUTH_NEXT_STOP;
			a.status = rc;
		}
	}
	if (a.next != OAUTH_NEXT_READ)
		oauth_token_response_free(tr);
	oauth_json_free(obj);
	return a;
}

/* Where the poll loop stands between requests. */
struct poll_state {
	long interval;     /* seconds; grows by OAUTH_SLOW_DOWN_STEP on slow_down */
	int failures;      /* transient failures in a row */
	long long wait_ms; /* before the next request */
	int done;          /* the loop ends with the returned status */
};

/*
 * Waits st->wait_ms, never past the deadline: a wait that would cross it is cut
 * short so one last poll happens at the deadline. OAUTH_OK means "poll now".
 */
static enum oauth_status
wait_turn(const struct oauth_poll_ops *ops, long long wait_ms, long long deadline_ms,
          const struct oauth_logger *log, char *err, size_t errlen)
{
	long long now = ops->now_ms(ops->ctx), grace = 0;
	enum oauth_status rc;

	if (now > deadline_ms || (wait_ms > 0 && now >= deadline_ms))
		goto expired;
	if (wait_ms > 0 && wait_ms >= deadline_ms - now) {
		wait_ms = deadline_ms - now;
		grace = LAST_POLL_GRACE_MS;
		oauth_debug(log, "device flow: last wait cut to %lld ms by the deadline", wait_ms);
	}
	if (wait_ms > 0) {
		oauth_debug(log, "device flow: waiting %lld ms before polling", wait_ms);
		rc = ops->sleep_ms(ops->ctx, wait_ms);
		if (rc != OAUTH_OK) {
			oauth_seterr(err, errlen, "device flow: waiting ended: %s",
			             oauth_status_str(rc));
			return rc;
		}
		if (ops->now_ms(ops->ctx) > deadline_ms + grace)
			goto expired;
	}
	return OAUTH_OK;
expired:
	oauth_debug(log, "device flow: deadline reached, no more polls");
	oauth_seterr(err, errlen, "device flow: no approval before the deadline");
	return OAUTH_EXPIRED;
}

/* A transport failure or a 5xx/429: back off, doubling, honouring Retry-After. */
static enum oauth_status
transient_failure(struct poll_state *st, long retry_after, const struct oauth_logger *log,
                  char *err)
{
	long wait_s;

	st->failures++;
	if (st->failures >= OAUTH_MAX_POLL_FAILURES) {
		oauth_debug(log, "device flow: %d failed polls in a row, giving up", st->failures);
		st->done = 1;
		return OAUTH_UNAVAILABLE;
	}
	wait_s = st->interval << st->failures;
	if (retry_after > wait_s)
		wait_s = retry_after;
	if (wait_s > OAUTH_MAX_INTERVAL)
		wait_s = OAUTH_MAX_INTERVAL;
	st->wait_ms = wait_s * 1000LL;
	oauth_debug(log, "device flow: poll failed (%d of %d), backing off %ld s: %s", st->failures,
	            OAUTH_MAX_POLL_FAILURES, wait_s, err != NULL ? err : "");
	return OAUTH_OK;
}

/* Acts on one classified answer (answer.c): sets the next wait, or ends the loop. */
static enum oauth_status
step(struct poll_state *st, struct oauth_answer a, const struct oauth_http_response *resp,
     const struct oauth_logger *log, char *err)
{
	st->done = 1;
	switch (a.next) {
	case OAUTH_NEXT_READ:
		oauth_debug(log, "device flow: token issued");
		return OAUTH_OK;
	case OAUTH_NEXT_STOP:
		oauth_debug(log, "device flow: final answer: %s", oauth_status_str(a.status));
		return a.status;
	case OAUTH_NEXT_RETRY:
		st->done = 0;
		return transient_failure(st, resp->retry_after, log, err);
	case OAUTH_NEXT_SLOW_DOWN:
		/* §3.5: for this and every later request. */
		st->interval += OAUTH_SLOW_DOWN_STEP;
		if (st->interval > OAUTH_MAX_INTERVAL)
			st->interval = OAUTH_MAX_INTERVAL;
		oauth_debug(log, "device flow: slow_down, interval now %ld s", st->interval);
		break;
	case OAUTH_NEXT_PENDING:
		oauth_debug(log, "device flow: authorization_pending");
		break;
	}
	st->done = 0;
	st->failures = 0;
	st->wait_ms = st->interval * 1000LL;
	return OAUTH_OK;
}

/* Sends one token request and acts on the answer. */
static enum oauth_status
poll_once(const struct oauth_poll_ops *ops, struct poll_state *st, const struct oauth_logger *log,
          struct oauth_token_response *tr, char *err, size_t errlen)
{
	struct oauth_http_response resp = {0};
	struct oauth_answer a;
	enum oauth_status rc;

	oauth_debug(log, "device flow: polling the token endpoint");
	resp.retry_after = -1;
	rc = ops->request(ops->ctx, &resp, err, errlen);
	if (rc == OAUTH_UNAVAILABLE) {
		rc = transient_failure(st, -1, log, err);
		goto out;
	}
	if (rc != OAUTH_OK) {
		st->done = 1;
		goto out;
	}
	a = oauth_token_response_parse(resp.status, resp.body, resp.len, tr, err, errlen);
	rc = step(st, a, &resp, log, err);
out:
	oauth_http_response_free(&resp);
	return rc;
}

enum oauth_status
oauth_device_poll(const struct oauth_poll_ops *ops, long interval_s, long long deadline_ms,
                  int poll_now, const struct oauth_logger *log, struct oauth_token_response *tr,
                  char *err, size_t errlen)
{
	struct poll_state st = {0};
	enum oauth_status rc = OAUTH_CONFIG;

	memset(tr, 0, sizeof(*tr));
	if (ops == NULL || ops->request == NULL || ops->now_ms == NULL || ops->sleep_ms == NULL) {
		oauth_seterr(err, errlen, "device flow: poll loop without its operations");
		goto out;
	}
	st.interval = interval_s;
	if (st.interval < 1)
		st.interval = OAUTH_DEFAULT_INTERVAL;
	if (st.interval > OAUTH_MAX_INTERVAL)
		st.interval = OAUTH_MAX_INTERVAL;
	st.wait_ms = poll_now ? 0 : st.interval * 1000LL;
	while (!st.done) {
		rc = wait_turn(ops, st.wait_ms, deadline_ms, log, err, errlen);
		if (rc != OAUTH_OK)
			break;
		rc = poll_once(ops, &st, log, tr, err, errlen);
	}
out:
	if (rc != OAUTH_OK)
		oauth_token_response_free(tr);
	return rc;
}

void
oauth_client_auth_fields(const struct oauth_config *cfg, struct oauth_form_field *fields, size_t *n,
                         struct oauth_http_auth *auth, const struct oauth_http_auth **authp)
{
	*authp = NULL;
	if (cfg->client_secret == NULL)
		return; /* a public client (RFC 6749 §2.1) sends its id only */
	if (cfg->client_auth == OAUTH_CLIENT_AUTH_POST) {
		fields[*n].name = "client_secret";
		fields[*n].value = cfg->client_secret;
		(*n)++;
		return;
	}
	auth->user = cfg->client_id;
	auth->secret = cfg->client_secret;
	*authp = auth;
}

static enum oauth_status
check_client(const struct oauth_config *cfg, const char *endpoint, const char *what, char *err,
             size_t errlen)
{
	if (cfg == NULL || cfg->client_id == NULL || endpoint == NULL) {
		oauth_seterr(err, errlen, "%s: no client_id or endpoint configured", what);
		return OAUTH_CONFIG;
	}
	return OAUTH_OK;
}

enum oauth_status
oauth_device_authorize(struct oauth_http *http, const struct oauth_config *cfg,
                       const struct oauth_endpoints *ep, struct oauth_device_auth *da, char *err,
                       size_t errlen)
{
	struct oauth_form_field fields[MAX_FIELDS];
	struct oauth_http_response resp = {0};
	const struct oauth_http_auth *authp = NULL;
	struct oauth_http_auth auth;
	enum oauth_status rc;
	char max_age[24];
	size_t n = 0;

	memset(da, 0, sizeof(*da));
	rc = check_client(cfg, ep ? ep->device_authorization_endpoint : NULL,
	                  "device authorization", err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	fields[n].name = "client_id";
	fields[n++].value = cfg->client_id;
	if (cfg->scope != NULL) {
		fields[n].name = "scope";
		fields[n++].value = cfg->scope;
	}
	/*
	 * RFC 8628 §3.1 defines neither; OIDC Core §3.1.2.1 does, for the authorization
	 * request, and providers (oidc-provider, Keycloak) read them here too.
	 * policy.c enforces the answer, so a provider that ignores them fails closed.
	 */
	if (cfg->acr_values != NULL) {
		fields[n].name = "acr_values";
		fields[n++].value = cfg->acr_values;
	}
	if (cfg->max_age > 0) {
		snprintf(max_age, sizeof(max_age), "%ld", cfg->max_age);
		fields[n].name = "max_age";
		fields[n++].value = max_age;
	}
	oauth_client_auth_fields(cfg, fields, &n, &auth, &authp);
	rc = oauth_http_post_form(http, ep->device_authorization_endpoint, fields, n, authp, &resp,
	                          err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	rc = oauth_device_auth_parse(resp.status, resp.body, resp.len, da, err, errlen);
out:
	oauth_http_response_free(&resp);
	return rc;
}

enum oauth_status
oauth_device_token_request(struct oauth_http *http, const struct oauth_config *cfg,
                           const struct oauth_endpoints *ep, const char *device_code,
                           struct oauth_http_response *resp, char *err, size_t errlen)
{
	struct oauth_form_field fields[MAX_FIELDS];
	const struct oauth_http_auth *authp = NULL;
	struct oauth_http_auth auth;
	enum oauth_status rc;
	size_t n = 0;

	memset(resp, 0, sizeof(*resp));
	resp->retry_after = -1;
	resp->date = -1;
	rc = check_client(cfg, ep ? ep->token_endpoint : NULL, "token request", err, errlen);
	if (rc != OAUTH_OK)
		return rc;
	if (device_code == NULL) {
		oauth_seterr(err, errlen, "token request: no device code");
		return OAUTH_CONFIG;
	}
	fields[n].name = "grant_type";
	fields[n++].value = DEVICE_GRANT;
	fields[n].name = "device_code";
	fields[n++].value = device_code; /* secret: http.c wipes the encoded body */
	fields[n].name = "client_id";
	fields[n++].value = cfg->client_id;
	oauth_client_auth_fields(cfg, fields, &n, &auth, &authp);
	return oauth_http_post_form(http, ep->token_endpoint, fields, n, authp, resp, err, errlen);
}
