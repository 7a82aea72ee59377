/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Several threads of one process log users in at once: no shared mutable state may leak across. */
#include "build_config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "http.h"
#include "httpd.h"
#include "identity.h"
#include "login.h"
#include "status.h"
#include "testjose.h"
#include "testutil.h"

/* Logins run at once: more than the cores, so the threads really interleave. */
#define NTHREADS 8
/* Rounds of global init + request per thread in the HTTP-only case. */
#define HTTP_ROUNDS 20
/* Answers one login needs: discovery, device authorization, token, JWKS. */
#define LOGIN_REPLIES 4

/* One signing key for every thread: read-only once made. */
static EVP_PKEY *signing_key;
static char *jwks_json;

struct worker {
	pthread_t thread;
	int index;
	struct httpd h;
	struct httpd_reply replies[LOGIN_REPLIES];
	char *bodies[LOGIN_REPLIES];
	char user[32];
	enum oauth_status rc;
	char err[OAUTH_ERR_SIZE];
	char username[64]; /* the identity the login learnt */
};

static char *
json_reply(const char *body)
{
	return tj_strf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	               "Content-Length: %zu\r\n\r\n%s",
	               strlen(body), body);
}

/* Each thread its own provider on its own port, with an ID token for its own user. */
static int
script_provider(struct worker *w)
{
	static const char header[] = "{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}";
	char *payload, *token, *body;
	long long now = (long long)time(NULL);
	int i;

	/* The port is known only once the server runs: start it, then fill the script. */
	for (i = 0; i < LOGIN_REPLIES; i++) {
		w->replies[i].raw = NULL;
		w->replies[i].len = 0;
		w->replies[i].close = 0;
	}
	if (httpd_start(&w->h, w->replies, LOGIN_REPLIES) != 0)
		return -1;
	snprintf(w->user, sizeof(w->user), "user%d", w->index);
	body = tj_strf("{\"issuer\":\"%s\",\"device_authorization_endpoint\":\"%s/device\","
	               "\"token_endpoint\":\"%s/token\",\"jwks_uri\":\"%s/jwks\"}",
	               w->h.base, w->h.base, w->h.base, w->h.base);
	w->bodies[0] = json_reply(body);
	free(body);
	w->bodies[1] = json_reply("{\"device_code\":\"dc\",\"user_code\":\"ABCD-EFGH\","
	                          "\"verification_uri\":\"https://idp.example/device\","
	                          "\"expires_in\":60,\"interval\":1}");
	payload = tj_strf("{\"iss\":\"%s\",\"aud\":\"pam-host\",\"sub\":\"sub-%d\",\"iat\":%lld,"
	                  "\"exp\":%lld,\"preferred_username\":\"%s\"}",
	                  w->h.base, w->index, now, now + 300, w->user);
	token = tj_token(signing_key, "RS256", header, payload);
	body = tj_strf("{\"access_token\":\"at-%d\",\"token_type\":\"Bearer\",\"id_token\":\"%s\"}",
	               w->index, token);
	w->bodies[2] = json_reply(body);
	free(body);
	free(token);
	free(payload);
	w->bodies[3] = json_reply(jwks_json);
	/* The server reads replies only when a request arrives: none has yet. */
	pthread_mutex_lock(&w->h.lock);
	for (i = 0; i < LOGIN_REPLIES; i++)
		w->replies[i].raw = w->bodies[i];
	pthread_mutex_unlock(&w->h.lock);
	return 0;
}

static enum oauth_status
quiet_info(void *ctx, const char *text)
{
	(void)ctx;
	(void)text;
	return OAUTH_OK;
}

static void *
run_login(void *arg)
{
	struct worker *w = arg;
	struct oauth_config cfg = {0};
	struct oauth_login_request req = {0};
	struct oauth_display_ops ops = {quiet_info, quiet_info, NULL, NULL};
	struct oauth_logger log = {NULL, NULL, 0};
	struct oauth_identity id = {0};

	cfg.issuer = strdup(w->h.base);
	cfg.client_id = strdup("pam-host");
	cfg.scope = strdup("openid profile");
	cfg.username_claim = strdup("preferred_username");
	cfg.timeout = 30;
	cfg.http_timeout = 5;
	cfg.qr = OAUTH_QR_OFF;
	cfg.prompt = OAUTH_PROMPT_ENTER;
	req.user = w->user;
	req.service = "sshd";
	req.host = "testhost";
	w->rc = oauth_login(&cfg, &req, &ops, &log, &id, w->err, sizeof(w->err));
	if (id.username != NULL)
		snprintf(w->username, sizeof(w->username), "%s", id.username);
	oauth_identity_free(&id);
	oauth_config_free(&cfg);
	return NULL;
}

/* NTHREADS full logins at once, each against its own provider, each for its own user. */
static void
test_parallel_logins_each_get_their_own_identity(void)
{
	struct worker *w = calloc(NTHREADS, sizeof(*w));
	int i, j, started[NTHREADS] = {0};

	for (i = 0; i < NTHREADS; i++) {
		w[i].index = i;
		CHECK_INT(script_provider(&w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		started[i] = pthread_create(&w[i].thread, NULL, run_login, &w[i]) == 0;
	for (i = 0; i < NTHREADS; i++) {
		CHECK(started[i]);
		if (started[i])
			pthread_join(w[i].thread, NULL);
		httpd_stop(&w[i].h);
		if (w[i].rc != OAUTH_OK)
			fprintf(stderr, "login %d: %s\n", i, w[i].err);
		CHECK_INT(w[i].rc, OAUTH_OK);
		CHECK_STR(w[i].username, w[i].user);
		CHECK_INT(httpd_nrequests(&w[i].h), LOGIN_REPLIES);
		httpd_free(&w[i].h);
		for (j = 0; j < LOGIN_REPLIES; j++)
			free(w[i].bodies[j]);
	}
	free(w);
}

struct http_worker {
	pthread_t thread;
	const char *url;
	int ok; /* rounds that returned the expected body */
};

static void *
run_requests(void *arg)
{
	struct http_worker *w = arg;
	struct oauth_http_opts opts = {.timeout = 5};
	struct oauth_http_response resp;
	struct oauth_http *http = NULL;
	char err[OAUTH_ERR_SIZE];
	int i;

	for (i = 0; i < HTTP_ROUNDS; i++) {
		/* Racing the one-time global init is the point: every round asks again. */
		if (oauth_http_global_init(err, sizeof(err)) != OAUTH_OK ||
		    oauth_http_new(&http, &opts, err, sizeof(err)) != OAUTH_OK)
			continue;
		if (oauth_http_get(http, w->url, NULL, &resp, err, sizeof(err)) == OAUTH_OK &&
		    resp.status == 200 && resp.body != NULL && strcmp(resp.body, "{}") == 0)
			w->ok++;
		oauth_http_response_free(&resp);
		oauth_http_free(http);
		http = NULL;
	}
	return NULL;
}

/* Global init and requests from many threads at once, all through one server. */
static void
test_global_init_and_requests_race_cleanly(void)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	                         "Content-Length: 2\r\nConnection: close\r\n\r\n{}";
	struct httpd_reply *replies = calloc(NTHREADS * HTTP_ROUNDS, sizeof(*replies));
	struct http_worker w[NTHREADS];
	char url[128];
	int i, started[NTHREADS] = {0};
	struct httpd h;

	for (i = 0; i < NTHREADS * HTTP_ROUNDS; i++) {
		replies[i].raw = ok;
		replies[i].close = 1;
	}
	CHECK_INT(httpd_start(&h, replies, NTHREADS * HTTP_ROUNDS), 0);
	snprintf(url, sizeof(url), "%s/r", h.base);
	for (i = 0; i < NTHREADS; i++) {
		w[i].url = url;
		w[i].ok = 0;
		started[i] = pthread_create(&w[i].thread, NULL, run_requests, &w[i]) == 0;
	}
	for (i = 0; i < NTHREADS; i++) {
		CHECK(started[i]);
		if (started[i])
			pthread_join(w[i].thread, NULL);
		CHECK_INT(w[i].ok, HTTP_ROUNDS);
	}
	httpd_stop(&h);
	CHECK_INT(httpd_nrequests(&h), NTHREADS * HTTP_ROUNDS);
	httpd_free(&h);
	free(replies);
}

int
main(void)
{
	char *jwk;
	const char *one[1];

	signing_key = tj_rsa(2048);
	jwk = tj_jwk(signing_key, "k1", NULL);
	one[0] = jwk;
	jwks_json = tj_jwks(1, one);
	free(jwk);
	RUN(test_parallel_logins_each_get_their_own_identity);
	RUN(test_global_init_and_requests_race_cleanly);
	free(jwks_json);
	EVP_PKEY_free(signing_key);
	return T_DONE();
}
