/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* One login from start to verified identity, without PAM: a grant, the wait, the identity. */
#include "build_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "answer.h"
#include "ciba.h"
#include "cache.h"
#include "device_flow.h"
#include "discovery.h"
#include "http.h"
#include "json.h"
#include "jwa.h"
#include "jwks.h"
#include "jwt.h"
#include "login.h"
#include "policy.h"
#include "provider.h"
#include "qr.h"
#include "secret.h"
#include "token.h"

/* How often a wait between polls checks that the person is still there. */
#define ALIVE_CHECK_MS 250
/*
 * Between the answer to "Press Enter" and the first poll: ssh answers a prompt
 * on its way out when it gets SIGHUP, and its connection closes a few
 * milliseconds later. This long a wait lets the hang-up show before a poll.
 */
#define SETTLE_MS 200
/*
 * A signature that fails against a cached key set earns one fresh fetch, but
 * only when the cached set is at least this old (seconds): a provider that
 * rebuilt its key under the same kid is believed within a minute. A kid the
 * set lacks earns the fetch whatever the set's age (the provider rotated its
 * keys). Either way, one login fetches again at most once.
 */
#define JWKS_REFETCH_FLOOR 60

/* Everything one login holds; freed in one place. */
struct login {
	const struct oauth_config *cfg;           /* borrowed */
	const struct oauth_logger *log;           /* borrowed */
	const struct oauth_display_ops *display;  /* borrowed */
	char gone[OAUTH_ERR_SIZE];                /* why alive() ended a wait; "" if it did not */
	struct oauth_http *http;                  /* owned */
	struct oauth_endpoints ep;                /* owned */
	struct oauth_device_auth da;              /* owned; device_code is a secret */
	struct oauth_ciba_push push;              /* owned; auth_req_id is a secret */
	struct oauth_grant grant;                 /* into da or push: what is polled for */
	struct oauth_clock clock;                 /* mono_ms and sleep_ms on this login */
	struct oauth_token_transport send;        /* send_token_request on this login */
	struct oauth_token_response tr;           /* owned; tokens are secrets */
	struct oauth_jwks *jwks;                  /* owned */
	long jwks_age;                            /* seconds the cached set had; -1: fetched now */
	cJSON *claims;                            /* owned; verified ID token claims */
	cJSON *userinfo;                          /* owned */
	struct oauth_policy *policy;              /* owned */
	struct oauth_cache cache;                 /* owned: the discovery/JWKS cache */
	char *algs_copy;                          /* owned: id_token_algs split in place */
	const char *algs[OAUTH_JWA_MAX_ALGS + 1]; /* into algs_copy */
	const char *const *use_algs;              /* algs, or NULL for jwt.c's list */
};

static long long
mono_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
nap_ms(long long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * Waits in short naps, asking the display whether the person is still there:
 * after a hang-up nobody may be left to tell us (sshd 9.2 does not end its PAM
 * process while it waits), and every poll after it is wasted.
 */
static enum oauth_status
sleep_ms(void *ctx, long long ms)
{
	struct login *l = ctx;
	long long end = mono_ms(NULL) + ms, left;
	enum oauth_status rc;

	for (;;) {
		if (l->display->alive != NULL) {
			rc = l->display->alive(l->display->ctx, l->gone, sizeof(l->gone));
			if (rc != OAUTH_OK)
				return rc;
		}
		left = end - mono_ms(NULL);
		if (left <= 0)
			return OAUTH_OK;
		nap_ms(left < ALIVE_CHECK_MS ? left : ALIVE_CHECK_MS);
	}
}

static enum oauth_status
send_token_request(void *ctx, const struct oauth_grant *g, struct oauth_http_response *resp,
                   char *err, size_t errlen)
{
	struct login *l = ctx;

	return oauth_token_request(l->http, l->cfg, l->ep.token_endpoint, g, resp, err, errlen);
}

static enum oauth_status
show_code(struct login *l, const struct oauth_login_request *req, char *err, size_t errlen)
{
	struct oauth_display_info info = {
	    .user = req->user,
	    .service = req->service,
	    .host = req->host,
	    .rhost = req->rhost,
	    .verification_uri = l->da.verification_uri,
	    .verification_uri_complete = l->da.verification_uri_complete,
	    .user_code = l->da.user_code,
	    /* what the person has, not the provider's offer */
	    .expires_in = oauth_token_wait_secs(l->cfg->timeout, l->da.expires_in),
	    .qr = oauth_qr_style_for(l->cfg->qr),
	};
	char **msgs = NULL;
	size_t n = 0, i;
	enum oauth_status rc;

	rc = oauth_display_build(&info, &msgs, &n, err, errlen);
	for (i = 0; rc == OAUTH_OK && i < n; i++) {
		rc = l->display->info(l->display->ctx, msgs[i]);
		if (rc != OAUTH_OK)
			oauth_seterr(err, errlen, "conversation failed while showing the code");
	}
	oauth_display_msgs_free(msgs, n);
	return rc;
}

/* A fresh cached key set, parsed as if fetched; a bad one is dropped (OAUTH_OK: use it). */
static enum oauth_status
cached_jwks(struct login *l)
{
	char why[OAUTH_ERR_SIZE];
	enum oauth_status rc;
	char *body = NULL;
	size_t len = 0;

	rc = oauth_cache_read(&l->cache, OAUTH_CACHE_JWKS, l->ep.issuer, l->ep.jwks_uri, &body,
	                      &len);
	if (rc != OAUTH_OK)
		return rc;
	rc = oauth_jwks_parse(body, len, &l->jwks, why, sizeof(why));
	free(body);
	if (rc != OAUTH_OK) {
		oauth_log(l->log, LOG_WARNING, "cache: cached key set refused: %s", why);
		oauth_cache_drop(&l->cache, OAUTH_CACHE_JWKS, l->ep.issuer, l->ep.jwks_uri);
	}
	return rc;
}

/* Where fetch_jwks() may take the key set from. */
enum jwks_source {
	JWKS_CACHE_FIRST, /* a fresh cached copy will do */
	JWKS_PROVIDER,    /* only the provider's own, now (the token names a kid we lack) */
};

/* Fetches and parses the issuer's key set (RFC 7517) for the ID token signature. */
static enum oauth_status
fetch_jwks(struct login *l, enum jwks_source source, char *err, size_t errlen)
{
	struct oauth_http_response resp = {0};
	enum oauth_status rc;

	oauth_jwks_free(l->jwks);
	l->jwks = NULL;
	l->jwks_age = -1;
	if (source == JWKS_CACHE_FIRST) {
		rc = cached_jwks(l);
		if (rc == OAUTH_OK) {
			l->jwks_age = oauth_cache_age(&l->cache, OAUTH_CACHE_JWKS, l->ep.issuer,
			                              l->ep.jwks_uri);
			/* Read a moment ago, gone now: as fresh as can be. */
			if (l->jwks_age < 0)
				l->jwks_age = 0;
		}
		if (rc == OAUTH_OK || rc == OAUTH_NOMEM)
			return rc;
	}
	rc = oauth_http_get(l->http, l->ep.jwks_uri, NULL, &resp, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	if (resp.status != 200) {
		rc = oauth_answer_status(OAUTH_AT_JWKS, resp.status, resp.body, resp.len, err,
		                         errlen);
		goto out;
	}
	rc = oauth_jwks_parse(resp.body, resp.len, &l->jwks, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_cache_write(&l->cache, OAUTH_CACHE_JWKS, l->ep.issuer, l->ep.jwks_uri,
		                       resp.body, resp.len);
out:
	oauth_http_response_free(&resp);
	return rc;
}

/*
 * After a refused ID token, one fresh fetch of the key set (verify_id_token
 * never asks twice): when the token names a kid the set lacks (the provider
 * rotated its keys), or when the set came from the cache at least
 * JWKS_REFETCH_FLOOR seconds old (the provider may have rebuilt its key under
 * the same kid).
 */
static int
refetch_worth_it(struct login *l)
{
	if (oauth_jwt_kid_unknown(l->tr.id_token, l->jwks)) {
		oauth_debug(l->log, "ID token kid not in the key set: fetching jwks_uri again");
		return 1;
	}
	if (l->jwks_age >= JWKS_REFETCH_FLOOR) {
		oauth_debug(
		    l->log,
		    "ID token refused by a key set cached %ld s ago: fetching jwks_uri again",
		    l->jwks_age);
		return 1;
	}
	return 0; /* fetched in this login, or cached too recently to doubt */
}

/*
 * The second try after refetch_worth_it(). When the key set cannot be fetched,
 * the token stays refused: the provider's only answer is a token that did not
 * verify, and that is a refusal, not an outage.
 */
static enum oauth_status
verify_with_fresh_keys(struct login *l, const struct oauth_id_token_expect *expect, char *err,
                       size_t errlen)
{
	char why[OAUTH_ERR_SIZE];

	if (fetch_jwks(l, JWKS_PROVIDER, why, sizeof(why)) != OAUTH_OK) {
		oauth_log(l->log, LOG_WARNING, "fetching jwks_uri again failed: %s", why);
		return OAUTH_INVALID_TOKEN;
	}
	return oauth_jwt_verify_id_token(l->tr.id_token, l->jwks, l->use_algs, expect, &l->claims,
	                                 err, errlen);
}

/* OIDC Core §3.1.3.7: the ID token is trusted only after signature and claims check out. */
static enum oauth_status
verify_id_token(struct login *l, char *err, size_t errlen)
{
	struct oauth_id_token_expect expect = {
	    .issuer = l->ep.issuer,
	    .client_id = l->cfg->client_id,
	    .now = (long long)time(NULL),
	    .leeway = OAUTH_JWT_LEEWAY,
	};
	enum oauth_status rc;

	if (l->ep.jwks_uri != NULL) {
		rc = fetch_jwks(l, JWKS_CACHE_FIRST, err, errlen);
		if (rc != OAUTH_OK)
			return rc;
	} else {
		/* Core §3.1.3.7 allows this for a token straight from the token endpoint (TLS). */
		oauth_debug(l->log, "no jwks_uri: checking ID token claims without its signature");
	}
	rc = oauth_jwt_verify_id_token(l->tr.id_token, l->jwks, l->use_algs, &expect, &l->claims,
	                               err, errlen);
	if (rc == OAUTH_INVALID_TOKEN && refetch_worth_it(l))
		rc = verify_with_fresh_keys(l, &expect, err, errlen);
	if (rc != OAUTH_OK)
		oauth_log(l->log, LOG_WARNING, "ID token refused: %s", err);
	return rc;
}

/* OIDC Core §5.3: claims the ID token lacks, fetched with the access token. */
static enum oauth_status
fetch_userinfo(struct login *l, char *err, size_t errlen)
{
	struct oauth_http_response resp = {0};
	enum oauth_status rc;

	if (l->ep.userinfo_endpoint == NULL) {
		oauth_seterr(err, errlen,
		             "the answer named no account: claim \"%s\" not in the ID token, and "
		             "no userinfo_endpoint",
		             l->cfg->username_claim);
		return OAUTH_NO_ACCOUNT;
	}
	rc = oauth_http_get(l->http, l->ep.userinfo_endpoint, l->tr.access_token, &resp, err,
	                    errlen);
	if (rc != OAUTH_OK)
		goto out;
	if (resp.status != 200) {
		rc = oauth_answer_status(OAUTH_AT_USERINFO, resp.status, resp.body, resp.len, err,
		                         errlen);
		goto out;
	}
	rc = oauth_json_parse_object(resp.body, resp.len, &l->userinfo, err, errlen);
out:
	oauth_http_response_free(&resp);
	return rc;
}

static enum oauth_status
learn_identity(struct login *l, struct oauth_identity *id, char *err, size_t errlen)
{
	enum oauth_status rc;

	/*
	 * With an issuer this is OpenID Connect: the identity comes from a verified
	 * ID token, and userinfo may only fill a claim the token lacks. Without one
	 * (plain OAuth, GitHub) there is nothing to check a token against.
	 */
	if (l->ep.issuer != NULL && l->tr.id_token == NULL) {
		oauth_seterr(err, errlen, "token response without an ID token (issuer is set)");
		oauth_log(l->log, LOG_WARNING, "ID token refused: %s", err);
		return OAUTH_INVALID_TOKEN;
	}
	if (l->ep.issuer != NULL) {
		rc = verify_id_token(l, err, errlen);
		if (rc != OAUTH_OK)
			return rc;
	}
	rc = oauth_provider_check_claims(l->cfg, l->claims, err, errlen);
	if (rc != OAUTH_OK)
		return rc;
	if (l->claims == NULL || oauth_identity_needs_userinfo(l->claims, l->cfg->username_claim) ||
	    (l->ep.userinfo_endpoint != NULL &&
	     oauth_policy_needs_userinfo(l->policy, l->claims))) {
		rc = fetch_userinfo(l, err, errlen);
		if (rc != OAUTH_OK)
			return rc;
	}
	return oauth_identity_from_claims(l->claims, l->userinfo, l->cfg->username_claim, id, err,
	                                  errlen);
}

/* After the identity is known: map, verified email, scopes, groups, acr (policy.h). */
static enum oauth_status
check_policy(struct login *l, const struct oauth_identity *id, const char *account, char *err,
             size_t errlen)
{
	struct oauth_policy_input in = {
	    .id = id,
	    .id_claims = l->claims,
	    .userinfo = l->userinfo,
	    .granted_scope = l->tr.scope,
	    .now = (long long)time(NULL),
	    .log = l->log,
	};

	return oauth_policy_check(l->policy, &in, account, err, errlen);
}

static void
login_free(struct login *l)
{
	oauth_policy_free(l->policy);
	oauth_json_free(l->claims);
	oauth_json_free(l->userinfo);
	oauth_jwks_free(l->jwks);
	oauth_token_response_free(&l->tr);
	oauth_device_auth_free(&l->da);
	oauth_ciba_push_free(&l->push);
	oauth_endpoints_free(&l->ep);
	oauth_http_free(l->http);
	oauth_cache_close(&l->cache);
	free(l->algs_copy);
}

/* RFC 8628: a code for the person, shown with the QR code; the deadline runs from now. */
static enum oauth_status
device_phase(struct login *l, const struct oauth_login_request *req, char *err, size_t errlen)
{
	enum oauth_status rc;

	rc = oauth_device_authorize(l->http, l->cfg, &l->ep, &l->da, err, errlen);
	if (rc != OAUTH_OK)
		return rc;
	oauth_device_grant(&l->da, &l->grant);
	l->grant.deadline_ms = oauth_token_deadline(&l->clock, l->cfg->timeout, l->da.expires_in);
	oauth_debug(l->log, "device code issued: expires_in=%ld interval=%ld", l->da.expires_in,
	            l->da.interval);
	return show_code(l, req, err, errlen);
}

/* OpenID CIBA (ciba.c): a push to the phone, and one line on the terminal to match it. */
static enum oauth_status
ciba_phase(struct login *l, const struct oauth_login_request *req, char *err, size_t errlen)
{
	struct oauth_ciba_who who = {req->user, req->service, req->host, req->command};
	char line[OAUTH_MSG_MAX];
	enum oauth_status rc;

	rc = oauth_ciba_start(l->http, l->cfg, &l->ep, &who, l->log, &l->push, err, errlen);
	if (rc != OAUTH_OK)
		return rc;
	oauth_ciba_grant(&l->push, &l->grant);
	l->grant.deadline_ms =
	    oauth_token_deadline(&l->clock, l->cfg->timeout, l->push.ack.expires_in);
	oauth_ciba_push_line(&who, l->push.code, line, sizeof(line));
	rc = l->display->info(l->display->ctx, line);
	if (rc != OAUTH_OK)
		oauth_seterr(err, errlen, "conversation failed while showing the push request");
	return rc;
}

/*
 * Starts the grant the mode asks for. Under ciba-then-device a push refused
 * before anyone was asked (OAUTH_NO_PUSH) gives way to the device flow; a
 * denial or an expiry never does: a "no" is final.
 */
static enum oauth_status
start_grant(struct login *l, const struct oauth_login_request *req, char *err, size_t errlen)
{
	enum oauth_status rc;

	if (l->cfg->mode == OAUTH_MODE_DEVICE)
		return device_phase(l, req, err, errlen);
	rc = ciba_phase(l, req, err, errlen);
	if (rc != OAUTH_NO_PUSH)
		return rc;
	oauth_log(l->log, LOG_NOTICE, "push approval not available, using the device flow: %s",
	          err);
	rc = l->display->info(l->display->ctx, "Push approval is not available here; "
	                                       "sign in with a code instead.");
	if (rc != OAUTH_OK) {
		oauth_seterr(err, errlen, "conversation failed while showing the fallback");
		return rc;
	}
	return device_phase(l, req, err, errlen);
}

/*
 * Waits for the person: with prompt = enter they say when they approved, and
 * the first poll goes out SETTLE_MS later (nothing is polled if they hung up at
 * the prompt); else the first poll waits one interval.
 */
static enum oauth_status
wait_for_approval(struct login *l, char *err, size_t errlen)
{
	enum oauth_first_poll first = OAUTH_POLL_AFTER_INTERVAL;
	enum oauth_status rc;

	if (l->cfg->prompt == OAUTH_PROMPT_ENTER) {
		rc = oauth_display_prompt(l->display, err, errlen);
		if (rc == OAUTH_OK)
			rc = l->clock.sleep_ms(l->clock.ctx, SETTLE_MS);
		if (rc != OAUTH_OK)
			return rc;
		first = OAUTH_POLL_AT_ONCE;
	}
	return oauth_token_poll(&l->send, &l->clock, &l->grant, first, l->log, &l->tr, err, errlen);
}

enum oauth_status
oauth_login(const struct oauth_config *cfg, const struct oauth_login_request *req,
            const struct oauth_display_ops *display, const struct oauth_logger *log,
            struct oauth_identity *id, char *err, size_t errlen)
{
	return oauth_login_claims(cfg, req, display, log, id, NULL, err, errlen);
}

/* Hands the login's claims to the caller (the dry run); they stay owned by l otherwise. */
static void
give_claims(struct login *l, struct oauth_login_claims *out)
{
	if (out == NULL)
		return;
	out->id_claims = l->claims;
	out->userinfo = l->userinfo;
	l->claims = NULL;
	l->userinfo = NULL;
}

enum oauth_status
oauth_login_claims(const struct oauth_config *cfg, const struct oauth_login_request *req,
                   const struct oauth_display_ops *display, const struct oauth_logger *log,
                   struct oauth_identity *id, struct oauth_login_claims *claims, char *err,
                   size_t errlen)
{
	struct login l = {.cfg = cfg, .log = log, .display = display, .cache = {.dirfd = -1}};
	struct oauth_http_opts opts = {.ca_file = cfg->ca_file,
	                               .timeout = cfg->http_timeout,
	                               .proxy = cfg->https_proxy,
	                               .no_proxy = cfg->no_proxy};
	enum oauth_status rc;

	l.clock = (struct oauth_clock){mono_ms, sleep_ms, &l};
	l.send = (struct oauth_token_transport){send_token_request, &l};
	memset(id, 0, sizeof(*id));
	if (claims != NULL)
		memset(claims, 0, sizeof(*claims));
	rc = oauth_policy_new(cfg, &l.policy, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_http_global_init(err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_http_new(&l.http, &opts, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_jwa_list_split(cfg->id_token_algs, &l.algs_copy, l.algs, &l.use_algs,
		                          err, errlen);
	if (rc == OAUTH_OK)
		rc =
		    oauth_cache_open(&l.cache, cfg->cache_dir, cfg->cache_max_age, cfg->owner, log);
	if (rc == OAUTH_OK)
		rc = oauth_discovery_resolve_cached(cfg, l.http, &l.cache, &l.ep, err, errlen);
	if (rc == OAUTH_OK)
		rc = start_grant(&l, req, err, errlen);
	if (rc == OAUTH_OK)
		rc = wait_for_approval(&l, err, errlen);
	if (rc != OAUTH_OK && l.gone[0] != '\0')
		oauth_seterr(err, errlen, "%s", l.gone);
	if (rc != OAUTH_OK)
		goto out;
	rc = learn_identity(&l, id, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	rc = check_policy(&l, id, req->user, err, errlen);
out:
	give_claims(&l, claims);
	login_free(&l);
	return rc;
}
