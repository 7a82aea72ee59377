/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The token endpoint both grants poll: client authentication, one request, its answer, the loop. */
#include "build_config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "secret.h"
#include "token.h"

/* Form fields one token request sends at most: grant_type, its parameter, client_id, secret. */
#define MAX_FIELDS 4
/*
 * A sleep wakes a little late (timer slack, a busy machine): a turn due by the deadline
 * still polls when it comes this many ms after it.
 */
#define LAST_POLL_GRACE_MS 1000

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

/* RFC 6749 §5.1 members; scope may be "" (GitHub, nothing granted), kept as "". */
static enum oauth_status
read_tokens(const cJSON *obj, struct oauth_token_response *tr, char *err, size_t errlen)
{
	const cJSON *scope = cJSON_GetObjectItemCaseSensitive(obj, "scope");
	enum oauth_status rc;

	rc = oauth_json_get_string(obj, "access_token", OAUTH_JSON_REQUIRED, &tr->access_token, err,
	                           errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_string(obj, "id_token", OAUTH_JSON_OPTIONAL, &tr->id_token, err,
		                           errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_string(obj, "token_type", OAUTH_JSON_OPTIONAL, &tr->token_type,
		                           err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_long(obj, "expires_in", OAUTH_JSON_OPTIONAL, 0, 0, LONG_MAX,
		                         &tr->expires_in, err, errlen);
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
	return oauth_json_get_string(obj, "scope", OAUTH_JSON_OPTIONAL, &tr->scope, err, errlen);
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

enum oauth_status
oauth_token_request(struct oauth_http *http, const struct oauth_config *cfg,
                    const char *token_endpoint, const struct oauth_grant *g,
                    struct oauth_http_response *resp, char *err, size_t errlen)
{
	struct oauth_form_field fields[MAX_FIELDS];
	const struct oauth_http_auth *authp = NULL;
	struct oauth_http_auth auth;
	size_t n = 0;

	memset(resp, 0, sizeof(*resp));
	resp->retry_after = -1;
	resp->date = -1;
	if (cfg == NULL || cfg->client_id == NULL || token_endpoint == NULL || g == NULL ||
	    g->type == NULL || g->param == NULL || g->value == NULL) {
		oauth_seterr(err, errlen, "token request: no client, endpoint or grant");
		return OAUTH_CONFIG;
	}
	fields[n].name = "grant_type";
	fields[n++].value = g->type;
	fields[n].name = g->param;
	fields[n++].value = g->value; /* secret: http.c wipes the encoded body */
	fields[n].name = "client_id";
	fields[n++].value = cfg->client_id;
	oauth_client_auth_fields(cfg, fields, &n, &auth, &authp);
	return oauth_http_post_form(http, token_endpoint, fields, n, authp, resp, err, errlen);
}

long
oauth_token_wait_secs(long timeout, long expires_in)
{
	return timeout < expires_in ? timeout : expires_in;
}

long long
oauth_token_deadline(const struct oauth_clock *clock, long timeout, long expires_in)
{
	return clock->now_ms(clock->ctx) +
	       (long long)oauth_token_wait_secs(timeout, expires_in) * 1000;
}

/* RFC 8628 §3.2, CIBA §7.3: absent means 5 s; nonsense is treated the same, a stall is capped. */
static long
clamp_interval(long interval)
{
	if (interval < 1)
		return OAUTH_DEFAULT_INTERVAL;
	return interval > OAUTH_MAX_INTERVAL ? OAUTH_MAX_INTERVAL : interval;
}

/*
 * Where the poll loop stands between requests. It ends on a status other than
 * OAUTH_OK, or once tr holds an access token: nothing else can end it well.
 */
struct poll_state {
	long interval;                     /* seconds; grows by OAUTH_SLOW_DOWN_STEP on slow_down */
	int failures;                      /* transient failures in a row */
	long long wait_ms;                 /* before the next request */
	char last_failure[OAUTH_ERR_SIZE]; /* why the last of those failures failed */
};

/*
 * Waits wait_ms, the interval or a back-off: RFC 8628 §3.5 (and CIBA §7.3)
 * allow no poll sooner. A turn that would come after the deadline never
 * comes: the wait ends at the deadline, and the loop with it. A sleep that
 * wakes a little late (timer slack) still polls, within LAST_POLL_GRACE_MS of
 * the deadline. OAUTH_OK means "poll now".
 */
static enum oauth_status
wait_turn(const struct oauth_clock *clock, long long wait_ms, long long deadline_ms,
          const struct oauth_logger *log, char *err, size_t errlen)
{
	long long now = clock->now_ms(clock->ctx);
	int last = 0;
	enum oauth_status rc;

	if (now > deadline_ms || (wait_ms > 0 && now >= deadline_ms))
		goto expired;
	if (wait_ms > deadline_ms - now) {
		oauth_debug(log, "polling: the next turn is past the deadline: waiting it out");
		wait_ms = deadline_ms - now;
		last = 1;
	}
	if (wait_ms > 0) {
		oauth_debug(log, "polling: waiting %lld ms", wait_ms);
		rc = clock->sleep_ms(clock->ctx, wait_ms);
		if (rc != OAUTH_OK) {
			oauth_seterr(err, errlen, "polling: waiting ended: %s",
			             oauth_status_str(rc));
			return rc;
		}
		if (last || clock->now_ms(clock->ctx) > deadline_ms + LAST_POLL_GRACE_MS)
			goto expired;
	}
	return OAUTH_OK;
expired:
	oauth_debug(log, "polling: deadline reached, no more polls");
	oauth_seterr(err, errlen, "polling: no approval before the deadline");
	return OAUTH_EXPIRED;
}

/* A transport failure or a 5xx/429: back off, doubling, honouring Retry-After. */
static enum oauth_status
transient_failure(struct poll_state *st, long retry_after, const struct oauth_logger *log,
                  char *err)
{
	long wait_s;

	st->failures++;
	snprintf(st->last_failure, sizeof(st->last_failure), "%s", err != NULL ? err : "");
	if (st->failures >= OAUTH_MAX_POLL_FAILURES) {
		oauth_debug(log, "polling: %d failed polls in a row, giving up", st->failures);
		return OAUTH_UNAVAILABLE;
	}
	wait_s = st->interval << st->failures;
	if (retry_after > wait_s)
		wait_s = retry_after;
	if (wait_s > OAUTH_MAX_INTERVAL)
		wait_s = OAUTH_MAX_INTERVAL;
	st->wait_ms = wait_s * 1000LL;
	oauth_debug(log, "polling: poll failed (%d of %d), backing off %ld s: %s", st->failures,
	            OAUTH_MAX_POLL_FAILURES, wait_s, err != NULL ? err : "");
	return OAUTH_OK;
}

/*
 * The deadline came while the provider was failing: the provider, not the
 * person, ended this login, and the outcome says so.
 */
static enum oauth_status
failing_at_deadline(const struct poll_state *st, char *err, size_t errlen)
{
	oauth_seterr(err, errlen,
	             "polling: the provider failed the last %d polls before the deadline: %s",
	             st->failures, st->last_failure);
	return OAUTH_UNAVAILABLE;
}

/* Acts on one classified answer (answer.c): sets the next wait, or ends the loop. */
static enum oauth_status
step(struct poll_state *st, struct oauth_answer a, const struct oauth_http_response *resp,
     const struct oauth_logger *log, char *err)
{
	switch (a.next) {
	case OAUTH_NEXT_READ:
		oauth_debug(log, "polling: token issued");
		return OAUTH_OK;
	case OAUTH_NEXT_STOP:
		oauth_debug(log, "polling: final answer: %s", oauth_status_str(a.status));
		return a.status;
	case OAUTH_NEXT_RETRY:
		return transient_failure(st, resp->retry_after, log, err);
	case OAUTH_NEXT_SLOW_DOWN:
		/* §3.5: for this and every later request. */
		st->interval += OAUTH_SLOW_DOWN_STEP;
		if (st->interval > OAUTH_MAX_INTERVAL)
			st->interval = OAUTH_MAX_INTERVAL;
		oauth_debug(log, "polling: slow_down, interval now %ld s", st->interval);
		break;
	case OAUTH_NEXT_PENDING:
		oauth_debug(log, "polling: authorization_pending");
		break;
	}
	st->failures = 0;
	st->wait_ms = st->interval * 1000LL;
	return OAUTH_OK;
}

/* Sends one token request and acts on the answer. */
static enum oauth_status
poll_once(const struct oauth_token_transport *send, const struct oauth_grant *g,
          struct poll_state *st, const struct oauth_logger *log, struct oauth_token_response *tr,
          char *err, size_t errlen)
{
	struct oauth_http_response resp = {0};
	struct oauth_answer a;
	enum oauth_status rc;

	oauth_debug(log, "polling: asking the token endpoint");
	resp.retry_after = -1;
	rc = send->send(send->ctx, g, &resp, err, errlen);
	if (rc == OAUTH_UNAVAILABLE) {
		rc = transient_failure(st, -1, log, err);
		goto out;
	}
	if (rc != OAUTH_OK)
		goto out;
	a = oauth_token_response_parse(resp.status, resp.body, resp.len, tr, err, errlen);
	rc = step(st, a, &resp, log, err);
out:
	oauth_http_response_free(&resp);
	return rc;
}

enum oauth_status
oauth_token_poll(const struct oauth_token_transport *send, const struct oauth_clock *clock,
                 const struct oauth_grant *g, enum oauth_first_poll first,
                 const struct oauth_logger *log, struct oauth_token_response *tr, char *err,
                 size_t errlen)
{
	struct poll_state st = {0};
	enum oauth_status rc = OAUTH_CONFIG;

	memset(tr, 0, sizeof(*tr));
	if (send == NULL || send->send == NULL || clock == NULL || clock->now_ms == NULL ||
	    clock->sleep_ms == NULL || g == NULL) {
		oauth_seterr(err, errlen, "polling: no transport, clock or grant");
		goto out;
	}
	st.interval = clamp_interval(g->interval);
	st.wait_ms = first == OAUTH_POLL_AT_ONCE ? 0 : st.interval * 1000LL;
	do {
		rc = wait_turn(clock, st.wait_ms, g->deadline_ms, log, err, errlen);
		if (rc == OAUTH_EXPIRED && st.failures > 0)
			rc = failing_at_deadline(&st, err, errlen);
		if (rc == OAUTH_OK)
			rc = poll_once(send, g, &st, log, tr, err, errlen);
	} while (rc == OAUTH_OK && tr->access_token == NULL);
out:
	if (rc != OAUTH_OK)
		oauth_token_response_free(tr);
	return rc;
}
