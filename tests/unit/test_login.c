/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of one whole login (login.c) against a scripted provider on loopback. */
#include "build_config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"
#include "login.h"
#include "testjose.h"
#include "testutil.h"

#define ISSUER "https://issuer.test"

/* What the fake person saw and did. */
struct screen {
	char text[16384];
	int prompts;
	enum oauth_status prompt_answer;
	int alive_calls;
	int alive_until; /* alive() answers OAUTH_CONV from this call on; 0: always alive */
};

static enum oauth_status
screen_info(void *ctx, const char *text)
{
	struct screen *s = ctx;
	size_t used = strlen(s->text);

	snprintf(s->text + used, sizeof(s->text) - used, "%s\n", text);
	return OAUTH_OK;
}

static enum oauth_status
screen_prompt(void *ctx, const char *text)
{
	struct screen *s = ctx;

	(void)text;
	s->prompts++;
	return s->prompt_answer;
}

static enum oauth_status
screen_alive(void *ctx, char *err, size_t errlen)
{
	struct screen *s = ctx;

	s->alive_calls++;
	if (s->alive_until == 0 || s->alive_calls < s->alive_until)
		return OAUTH_OK;
	oauth_seterr(err, errlen, "the person hung up");
	return OAUTH_CONV;
}

static EVP_PKEY *signer;
static EVP_PKEY *other;

static char *
reply_json(int status, const char *body)
{
	return tj_strf(
	    "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    status, strlen(body), body);
}

static char *id_token_kid(EVP_PKEY *key, const char *kid, const char *sub, const char *username);

static char *
id_token_for(EVP_PKEY *key, const char *sub, const char *username)
{
	return id_token_kid(key, "k1", sub, username);
}

static char *
id_token_kid(EVP_PKEY *key, const char *kid, const char *sub, const char *username)
{
	char *header = tj_strf("{\"alg\":\"RS256\",\"kid\":\"%s\"}", kid);
	long long now = (long long)time(NULL);
	char *claims, *tok;

	claims = username != NULL
	             ? tj_strf("{\"iss\":\"%s\",\"aud\":\"pam-test\",\"sub\":\"%s\",\"exp\":%lld,"
	                       "\"iat\":%lld,\"preferred_username\":\"%s\"}",
	                       ISSUER, sub, now + 300, now, username)
	             : tj_strf("{\"iss\":\"%s\",\"aud\":\"pam-test\",\"sub\":\"%s\",\"exp\":%lld,"
	                       "\"iat\":%lld}",
	                       ISSUER, sub, now + 300, now);
	tok = tj_token(key, "RS256", header, claims);
	free(claims);
	free(header);
	return tok;
}

/* The replies of one scripted login, freed together. */
struct script {
	char *raw[8];
	struct httpd_reply replies[8];
	size_t n;
};

static void
script_add(struct script *s, char *raw)
{
	s->raw[s->n] = raw;
	s->replies[s->n].raw = raw;
	s->n++;
}

static void
script_free(struct script *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->raw[i]);
}

static char *
device_reply(void)
{
	return reply_json(200,
	                  "{\"device_code\":\"dc-secret-123\",\"user_code\":\"WDJB-MJHT\","
	                  "\"verification_uri\":\"https://issuer.test/device\","
	                  "\"verification_uri_complete\":\"https://issuer.test/device?c=WDJB\","
	                  "\"expires_in\":600,\"interval\":1}");
}

static char *
token_reply(const char *id_token)
{
	char *body = id_token != NULL ? tj_strf("{\"access_token\":\"at-secret\",\"token_type\":"
	                                        "\"Bearer\",\"id_token\":\"%s\"}",
	                                        id_token)
	                              : tj_strf("%s", "{\"access_token\":\"at-secret\","
	                                              "\"token_type\":\"Bearer\"}");
	char *r = reply_json(200, body);

	free(body);
	return r;
}

static char *
jwks_reply_kid(EVP_PKEY *key, const char *kid)
{
	char *jwk = tj_jwk(key, kid, "\"alg\":\"RS256\",\"use\":\"sig\"");
	const char *one[1] = {jwk};
	char *set = tj_jwks(1, one);
	char *r = reply_json(200, set);

	free(jwk);
	free(set);
	return r;
}

static char *
jwks_reply(EVP_PKEY *key)
{
	return jwks_reply_kid(key, "k1");
}

/* Settings for a login against the scripted server h; free with oauth_config_free. */
static void
fill_config(struct oauth_config *cfg, const struct httpd *h)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->issuer = strdup(ISSUER);
	cfg->device_authorization_endpoint = tj_strf("%s/device/auth", h->base);
	cfg->token_endpoint = tj_strf("%s/token", h->base);
	cfg->jwks_uri = tj_strf("%s/jwks", h->base);
	cfg->userinfo_endpoint = tj_strf("%s/me", h->base);
	cfg->client_id = strdup("pam-test");
	cfg->scope = strdup("openid profile");
	cfg->username_claim = strdup("preferred_username");
	cfg->timeout = 30;
	cfg->http_timeout = 5;
	cfg->qr = OAUTH_QR_AUTO;
	cfg->prompt = OAUTH_PROMPT_ENTER;
}

/* run_login() that also takes the claims back, as pam_oauth_check --login does. */
static enum oauth_status
run_login_claims(struct script *s, const char *account, struct screen *screen,
                 struct oauth_identity *id, struct oauth_login_claims *claims, struct httpd *h,
                 char *err)
{
	struct oauth_config cfg;
	struct oauth_login_request req = {
	    .user = account, .service = "sshd", .host = "web01", .rhost = "203.0.113.5"};
	struct oauth_display_ops ops = {screen_info, screen_prompt, screen, screen_alive};
	enum oauth_status rc;

	if (httpd_start(h, s->replies, s->n) != 0)
		return OAUTH_UNAVAILABLE;
	fill_config(&cfg, h);
	rc = oauth_login_claims(&cfg, &req, &ops, NULL, id, claims, err, OAUTH_ERR_SIZE);
	httpd_stop(h);
	oauth_config_free(&cfg);
	return rc;
}

/* Runs a login for account against the script; endpoints point at the scripted server. */
static enum oauth_status
run_login(struct script *s, const char *account, struct screen *screen, struct oauth_identity *id,
          struct httpd *h, char *err)
{
	return run_login_claims(s, account, screen, id, NULL, h, err);
}

static void
test_login_succeeds_for_the_matching_account(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "", *tok = id_token_for(signer, "u-1", "alice");

	script_add(&s, device_reply());
	script_add(&s, token_reply(tok));
	script_add(&s, jwks_reply(signer));
	CHECK_INT(run_login(&s, "alice", &screen, &id, &h, err), OAUTH_OK);
	CHECK_STR(id.username, "alice");
	CHECK_STR(id.sub, "u-1");
	CHECK_INT(screen.prompts, 1);
	CHECK(strstr(screen.text, "Code: WDJB-MJHT") != NULL);
	CHECK(strstr(screen.text, "alice") != NULL);
	CHECK(strstr(screen.text, "203.0.113.5") != NULL);
	/* The device code is a secret: it goes to the token endpoint, never to the screen. */
	CHECK(strstr(screen.text, "dc-secret-123") == NULL);
	CHECK_INT(httpd_nrequests(&h), 3);
	CHECK_INT(httpd_accepted(&h), 1);
	CHECK(strstr(httpd_request(&h, 1), "device_code=dc-secret-123") != NULL);
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
	free(tok);
}

static void
test_approval_by_another_account_is_wrong_identity(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "", *tok = id_token_for(signer, "u-2", "bob");

	script_add(&s, device_reply());
	script_add(&s, token_reply(tok));
	script_add(&s, jwks_reply(signer));
	CHECK_INT(run_login(&s, "alice", &screen, &id, &h, err), OAUTH_WRONG_IDENTITY);
	CHECK_STR(id.username, "bob");
	CHECK(strstr(err, "bob") != NULL && strstr(err, "alice") != NULL);
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
	free(tok);
}

static void
test_dry_run_gets_the_verified_claims_even_when_refused(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_login_claims claims = {(cJSON *)1, (cJSON *)1};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "", *tok = id_token_for(signer, "u-2", "bob");
	const cJSON *name;

	script_add(&s, device_reply());
	script_add(&s, token_reply(tok));
	script_add(&s, jwks_reply(signer));
	CHECK_INT(run_login_claims(&s, "alice", &screen, &id, &claims, &h, err),
	          OAUTH_WRONG_IDENTITY);
	name = cJSON_GetObjectItemCaseSensitive(claims.id_claims, "preferred_username");
	CHECK(cJSON_IsString(name) && strcmp(name->valuestring, "bob") == 0);
	CHECK(claims.userinfo == NULL); /* cleared at entry, never fetched */
	cJSON_Delete(claims.id_claims);
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
	free(tok);
}

static void
test_token_signed_by_a_foreign_key_is_refused(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "", *tok = id_token_for(other, "u-1", "alice");

	script_add(&s, device_reply());
	script_add(&s, token_reply(tok));
	script_add(&s, jwks_reply(signer));
	CHECK_INT(run_login(&s, "alice", &screen, &id, &h, err), OAUTH_INVALID_TOKEN);
	CHECK(id.username == NULL);
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
	free(tok);
}

static void
test_claim_missing_from_id_token_comes_from_userinfo(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "", *tok = id_token_for(signer, "u-1", NULL);

	script_add(&s, device_reply());
	script_add(&s, token_reply(tok));
	script_add(&s, jwks_reply(signer));
	script_add(&s, reply_json(200, "{\"sub\":\"u-1\",\"preferred_username\":\"alice\"}"));
	CHECK_INT(run_login(&s, "alice", &screen, &id, &h, err), OAUTH_OK);
	CHECK_STR(id.username, "alice");
	CHECK_INT(httpd_nrequests(&h), 4);
	CHECK(httpd_has_header(httpd_request(&h, 3), "Authorization: Bearer at-secret"));
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
	free(tok);
}

/* OpenID Connect (issuer set): userinfo alone must never name the account. */
static void
test_token_without_id_token_is_refused_when_issuer_is_set(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "";

	script_add(&s, device_reply());
	script_add(&s, token_reply(NULL));
	script_add(&s, reply_json(200, "{\"sub\":\"u-1\",\"preferred_username\":\"alice\"}"));
	CHECK_INT(run_login(&s, "alice", &screen, &id, &h, err), OAUTH_INVALID_TOKEN);
	CHECK(strstr(err, "without an ID token") != NULL);
	CHECK(id.username == NULL);
	CHECK_INT(httpd_nrequests(&h), 2); /* userinfo never asked */
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
}

static void
test_userinfo_for_another_subject_is_refused(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "", *tok = id_token_for(signer, "u-1", NULL);

	script_add(&s, device_reply());
	script_add(&s, token_reply(tok));
	script_add(&s, jwks_reply(signer));
	script_add(&s, reply_json(200, "{\"sub\":\"u-9\",\"preferred_username\":\"alice\"}"));
	CHECK_INT(run_login(&s, "alice", &screen, &id, &h, err), OAUTH_WRONG_IDENTITY);
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
	free(tok);
}

static void
test_denial_is_final(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "";

	script_add(&s, device_reply());
	script_add(&s, reply_json(400, "{\"error\":\"access_denied\"}"));
	CHECK_INT(run_login(&s, "alice", &screen, &id, &h, err), OAUTH_DENIED);
	CHECK_INT(httpd_nrequests(&h), 2);
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
}

static void
test_conversation_failure_at_the_prompt_stops_before_polling(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_CONV};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "";

	script_add(&s, device_reply());
	CHECK_INT(run_login(&s, "alice", &screen, &id, &h, err), OAUTH_CONV);
	CHECK_INT(httpd_nrequests(&h), 1);
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
}

static void
test_hang_up_between_polls_stops_at_once(void)
{
	struct script s = {0};
	/* Alive after the prompt and twice in the short wait before the first poll, then gone. */
	struct screen screen = {.prompt_answer = OAUTH_OK, .alive_until = 4};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "";

	script_add(&s, device_reply());
	script_add(&s, reply_json(400, "{\"error\":\"authorization_pending\"}"));
	script_add(&s, reply_json(400, "{\"error\":\"authorization_pending\"}"));
	CHECK_INT(run_login(&s, "alice", &screen, &id, &h, err), OAUTH_CONV);
	CHECK_STR(err, "the person hung up");
	/* The code, one poll after Enter, then the wait noticed: no second poll. */
	CHECK_INT(httpd_nrequests(&h), 2);
	CHECK_INT(screen.alive_calls, 4);
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
}

/* ssh answers the prompt on its way out when it gets SIGHUP: the hang-up shows a moment later. */
static void
test_hang_up_just_after_the_prompt_sends_no_poll(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK, .alive_until = 2};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "";

	script_add(&s, device_reply());
	script_add(&s, reply_json(400, "{\"error\":\"authorization_pending\"}"));
	CHECK_INT(run_login(&s, "alice", &screen, &id, &h, err), OAUTH_CONV);
	CHECK_INT(httpd_nrequests(&h), 1); /* the code only */
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
}

static void
test_screen_gives_the_timeout_not_the_code_lifetime(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "";

	script_add(&s, device_reply()); /* expires_in 600; run_login's timeout is 30 */
	script_add(&s, reply_json(400, "{\"error\":\"access_denied\"}"));
	CHECK_INT(run_login(&s, "alice", &screen, &id, &h, err), OAUTH_DENIED);
	CHECK(strstr(screen.text, "It expires in 30 seconds.") != NULL);
	CHECK(strstr(screen.text, "10 minutes") == NULL);
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
}

static void
test_unreachable_provider_is_unavailable(void)
{
	struct oauth_config cfg = {0};
	struct oauth_login_request req = {.user = "alice", .service = "sshd", .host = "h"};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_display_ops ops = {screen_info, screen_prompt, &screen, NULL};
	struct oauth_identity id;
	char err[OAUTH_ERR_SIZE] = "";
	int port = httpd_refusing_port();

	cfg.device_authorization_endpoint = tj_strf("http://127.0.0.1:%d/device", port);
	cfg.token_endpoint = tj_strf("http://127.0.0.1:%d/token", port);
	cfg.client_id = strdup("pam-test");
	cfg.scope = strdup("openid");
	cfg.username_claim = strdup("preferred_username");
	cfg.timeout = 30;
	cfg.http_timeout = 2;
	CHECK_INT(oauth_login(&cfg, &req, &ops, NULL, &id, err, sizeof(err)), OAUTH_UNAVAILABLE);
	CHECK_STR(screen.text, "");
	oauth_identity_free(&id);
	oauth_config_free(&cfg);
}

/* Key rotation: the token names a kid the first set lacks; one fresh fetch brings it. */
static void
test_unknown_kid_fetches_the_key_set_once_more(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "", *tok = id_token_kid(other, "k2", "u-1", "alice");

	script_add(&s, device_reply());
	script_add(&s, token_reply(tok));
	script_add(&s, jwks_reply(signer));
	script_add(&s, jwks_reply_kid(other, "k2"));
	CHECK_INT(run_login(&s, "alice", &screen, &id, &h, err), OAUTH_OK);
	CHECK_STR(id.username, "alice");
	CHECK_INT(httpd_nrequests(&h), 4);
	CHECK(strncmp(httpd_request(&h, 3), "GET /jwks ", 10) == 0);
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
	free(tok);
}

static void
test_kid_still_unknown_after_one_refetch_is_refused(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "", *tok = id_token_kid(other, "k2", "u-1", "alice");

	script_add(&s, device_reply());
	script_add(&s, token_reply(tok));
	script_add(&s, jwks_reply(signer));
	script_add(&s, jwks_reply(signer));
	script_add(&s, jwks_reply_kid(other, "k2")); /* never asked for: one refetch only */
	CHECK_INT(run_login(&s, "alice", &screen, &id, &h, err), OAUTH_INVALID_TOKEN);
	CHECK_INT(httpd_nrequests(&h), 4);
	CHECK(id.username == NULL);
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
	free(tok);
}

/* The refetch the refused token earned fails: the token stays refused, never an outage. */
static void
test_key_set_unreachable_on_refetch_keeps_the_refusal(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "", *tok = id_token_kid(other, "k2", "u-1", "alice");

	script_add(&s, device_reply());
	script_add(&s, token_reply(tok));
	script_add(&s, jwks_reply(signer));
	script_add(&s, reply_json(503, "{}"));
	CHECK_INT(run_login(&s, "alice", &screen, &id, &h, err), OAUTH_INVALID_TOKEN);
	CHECK_INT(httpd_nrequests(&h), 4);
	CHECK(strstr(err, "k2") != NULL || strstr(err, "key") != NULL);
	CHECK(id.username == NULL);
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
	free(tok);
}

/* Removes the files of a flat test directory, then the directory. */
static void
remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dirfd(d), e->d_name, 0);
	if (d != NULL)
		closedir(d);
	CHECK(rmdir(dir) == 0);
}

/* A second login with a warm cache costs the device request and the polls only. */
static void
test_warm_cache_skips_the_key_set_request(void)
{
	char dir[] = "/tmp/test_login_cache.XXXXXX";
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_login_request req = {.user = "alice", .service = "sshd", .host = "h"};
	struct oauth_display_ops ops = {
	    .info = screen_info, .prompt = screen_prompt, .ctx = &screen};
	struct oauth_identity id;
	struct oauth_config cfg;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "", *tok = id_token_for(signer, "u-1", "alice");

	CHECK(mkdtemp(dir) != NULL);
	script_add(&s, device_reply());
	script_add(&s, token_reply(tok));
	script_add(&s, jwks_reply(signer));
	script_add(&s, device_reply());
	script_add(&s, token_reply(tok));
	CHECK_INT(httpd_start(&h, s.replies, s.n), 0);
	fill_config(&cfg, &h);
	cfg.cache_dir = strdup(dir);
	cfg.cache_max_age = 3600;
	cfg.owner = geteuid(); /* the seam: the module always wants root */
	CHECK_INT(oauth_login(&cfg, &req, &ops, NULL, &id, err, sizeof(err)), OAUTH_OK);
	oauth_identity_free(&id);
	CHECK_INT(oauth_login(&cfg, &req, &ops, NULL, &id, err, sizeof(err)), OAUTH_OK);
	CHECK_STR(id.username, "alice");
	httpd_stop(&h);
	CHECK_INT(httpd_nrequests(&h), 5);
	CHECK(strncmp(httpd_request(&h, 3), "POST /device/auth ", 18) == 0);
	oauth_identity_free(&id);
	oauth_config_free(&cfg);
	httpd_free(&h);
	script_free(&s);
	free(tok);
	remove_dir(dir);
}

/* Makes every file in dir look written seconds ago. */
static void
age_files(const char *dir, long seconds)
{
	struct timespec times[2];
	struct dirent *e;
	DIR *d = opendir(dir);

	CHECK(d != NULL);
	if (d == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &times[0]);
	times[0].tv_sec -= seconds;
	times[1] = times[0];
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			CHECK(utimensat(dirfd(d), e->d_name, times, AT_SYMLINK_NOFOLLOW) == 0);
	closedir(d);
}

/*
 * A provider rebuilt its key under the same kid after the key set was cached:
 * the second login's token fails against the cached set. Returns the second
 * login's status; *requests counts both logins' requests.
 */
static enum oauth_status
login_after_key_rebuilt(long cache_age, size_t *requests)
{
	char dir[] = "/tmp/test_login_rebuilt.XXXXXX";
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_login_request req = {.user = "alice", .service = "sshd", .host = "h"};
	struct oauth_display_ops ops = {
	    .info = screen_info, .prompt = screen_prompt, .ctx = &screen};
	struct oauth_identity id;
	struct oauth_config cfg;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "", *old = id_token_for(signer, "u-1", "alice");
	char *rebuilt = id_token_kid(other, "k1", "u-1", "alice");
	enum oauth_status rc = OAUTH_CONFIG;

	CHECK(mkdtemp(dir) != NULL);
	script_add(&s, device_reply());
	script_add(&s, token_reply(old));
	script_add(&s, jwks_reply(signer));
	script_add(&s, device_reply());
	script_add(&s, token_reply(rebuilt));
	script_add(&s, jwks_reply_kid(other, "k1"));
	CHECK_INT(httpd_start(&h, s.replies, s.n), 0);
	fill_config(&cfg, &h);
	cfg.cache_dir = strdup(dir);
	cfg.cache_max_age = 3600;
	cfg.owner = geteuid(); /* the seam: the module always wants root */
	CHECK_INT(oauth_login(&cfg, &req, &ops, NULL, &id, err, sizeof(err)), OAUTH_OK);
	oauth_identity_free(&id);
	age_files(dir, cache_age);
	rc = oauth_login(&cfg, &req, &ops, NULL, &id, err, sizeof(err));
	httpd_stop(&h);
	*requests = httpd_nrequests(&h);
	oauth_identity_free(&id);
	oauth_config_free(&cfg);
	httpd_free(&h);
	script_free(&s);
	free(old);
	free(rebuilt);
	remove_dir(dir);
	return rc;
}

static void
test_key_rebuilt_under_the_same_kid_is_fetched_again(void)
{
	size_t n = 0;

	/* The cached set is two minutes old: one fresh fetch, and the new key verifies. */
	CHECK_INT(login_after_key_rebuilt(120, &n), OAUTH_OK);
	CHECK_INT(n, 6);
}

static void
test_a_bad_signature_does_not_refetch_a_recent_key_set(void)
{
	size_t n = 0;

	/* Cached 10 s ago (below the floor): no request to jwks_uri; the token is refused. */
	CHECK_INT(login_after_key_rebuilt(10, &n), OAUTH_INVALID_TOKEN);
	CHECK_INT(n, 5);
}

/* ---- Push approval (CIBA) through the whole login ---- */

#define ACK "{\"auth_req_id\":\"rid-1\",\"expires_in\":120,\"interval\":1}"

/* A login in mode against the script; endpoints point at the scripted server. */
static enum oauth_status
run_push_login(struct script *s, enum oauth_mode mode, struct screen *screen,
               struct oauth_identity *id, struct httpd *h, char *err)
{
	struct oauth_config cfg;
	struct oauth_login_request req = {.user = "alice", .service = "sshd", .host = "web01"};
	struct oauth_display_ops ops = {screen_info, screen_prompt, screen, screen_alive};
	enum oauth_status rc;

	if (httpd_start(h, s->replies, s->n) != 0)
		return OAUTH_UNAVAILABLE;
	fill_config(&cfg, h);
	cfg.mode = mode;
	cfg.backchannel_authentication_endpoint = tj_strf("%s/bc", h->base);
	cfg.login_hint_template = strdup("{user}");
	cfg.binding_message_max = 20;
	rc = oauth_login(&cfg, &req, &ops, NULL, id, err, OAUTH_ERR_SIZE);
	httpd_stop(h);
	oauth_config_free(&cfg);
	return rc;
}

static void
test_push_login_shows_one_line_matching_the_binding_message(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "", want[64], *tok = id_token_for(signer, "u-1", "alice");
	const char *code;

	script_add(&s, reply_json(200, ACK));
	script_add(&s, token_reply(tok));
	script_add(&s, jwks_reply(signer));
	CHECK_INT(run_push_login(&s, OAUTH_MODE_CIBA, &screen, &id, &h, err), OAUTH_OK);
	code = strstr(screen.text, "(code ");
	CHECK(strncmp(screen.text, "Approve on your phone: sshd for alice on web01 (code ", 52) ==
	      0);
	CHECK(code != NULL);
	if (code != NULL) {
		snprintf(want, sizeof(want), "binding_message=sshd%%2Fweb01%%23%.4s", code + 6);
		CHECK(strstr(httpd_body(httpd_request(&h, 0)), want) != NULL);
	}
	CHECK(strncmp(httpd_request(&h, 0), "POST /bc ", 9) == 0);
	CHECK(strstr(httpd_body(httpd_request(&h, 1)), "auth_req_id=rid-1") != NULL);
	CHECK_INT(screen.prompts, 1);
	CHECK(strstr(screen.text, "Code:") == NULL);
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
	free(tok);
}

/* The push went out and the poll ended with error: under ciba-then-device, no code follows. */
static void
push_ends_with(const char *error, enum oauth_status want)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "", *body = tj_strf("{\"error\":\"%s\"}", error);

	t_case = error;
	script_add(&s, reply_json(200, ACK));
	script_add(&s, reply_json(400, body));
	script_add(&s, device_reply());
	CHECK_INT(run_push_login(&s, OAUTH_MODE_CIBA_THEN_DEVICE, &screen, &id, &h, err), want);
	CHECK_INT(httpd_nrequests(&h), 2); /* no device code after a "no" */
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
	free(body);
}

static void
test_push_denied_or_expired_is_final_even_with_a_fallback(void)
{
	push_ends_with("access_denied", OAUTH_DENIED);
	push_ends_with("expired_token", OAUTH_EXPIRED);
}

static void
test_push_refused_before_anyone_was_asked_falls_back_to_a_code(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_identity id;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "", *tok = id_token_for(signer, "u-1", "alice");

	script_add(&s, reply_json(400, "{\"error\":\"unknown_user_id\"}"));
	script_add(&s, device_reply());
	script_add(&s, token_reply(tok));
	script_add(&s, jwks_reply(signer));
	CHECK_INT(run_push_login(&s, OAUTH_MODE_CIBA_THEN_DEVICE, &screen, &id, &h, err), OAUTH_OK);
	CHECK(strncmp(screen.text, "Push approval is not available here", 35) == 0);
	CHECK(strstr(screen.text, "Code: WDJB-MJHT") != NULL);
	CHECK(strstr(screen.text, "Approve on your phone") == NULL);
	CHECK(strncmp(httpd_request(&h, 1), "POST /device/auth ", 18) == 0);
	httpd_free(&h);
	oauth_identity_free(&id);
	script_free(&s);
	free(tok);
}

/* GitHub: no issuer, no ID token; the identity is "login" from GET /user with the token. */
static void
test_github_shape_login_uses_the_user_login(void)
{
	struct script s = {0};
	struct screen screen = {.prompt_answer = OAUTH_OK};
	struct oauth_login_request req = {.user = "octocat", .service = "sshd", .host = "h"};
	struct oauth_display_ops ops = {
	    .info = screen_info, .prompt = screen_prompt, .ctx = &screen};
	struct oauth_identity id;
	struct oauth_config cfg;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "";

	script_add(&s, device_reply());
	script_add(&s, reply_json(200, "{\"access_token\":\"at-secret\",\"token_type\":\"bearer\","
	                               "\"scope\":\"read:user\"}"));
	script_add(&s, reply_json(200, "{\"login\":\"octocat\",\"id\":1,\"type\":\"User\"}"));
	CHECK_INT(httpd_start(&h, s.replies, s.n), 0);
	fill_config(&cfg, &h);
	free(cfg.issuer);
	cfg.issuer = NULL;
	free(cfg.jwks_uri);
	cfg.jwks_uri = NULL;
	free(cfg.username_claim);
	cfg.username_claim = strdup("login");
	CHECK_INT(oauth_login(&cfg, &req, &ops, NULL, &id, err, sizeof(err)), OAUTH_OK);
	httpd_stop(&h);
	CHECK_STR(id.username, "octocat");
	CHECK(id.sub == NULL);
	CHECK_INT(httpd_nrequests(&h), 3);
	CHECK(strncmp(httpd_request(&h, 2), "GET /me ", 8) == 0);
	CHECK(httpd_has_header(httpd_request(&h, 2), "Authorization: Bearer at-secret"));
	CHECK(httpd_has_header(httpd_request(&h, 2), "Accept: application/json"));
	CHECK(httpd_has_header_name(httpd_request(&h, 2), "User-Agent"));
	oauth_identity_free(&id);
	oauth_config_free(&cfg);
	httpd_free(&h);
	script_free(&s);
}

int
main(void)
{
	signer = tj_rsa(2048);
	other = tj_rsa(2048);
	RUN(test_login_succeeds_for_the_matching_account);
	RUN(test_approval_by_another_account_is_wrong_identity);
	RUN(test_dry_run_gets_the_verified_claims_even_when_refused);
	RUN(test_token_signed_by_a_foreign_key_is_refused);
	RUN(test_claim_missing_from_id_token_comes_from_userinfo);
	RUN(test_token_without_id_token_is_refused_when_issuer_is_set);
	RUN(test_userinfo_for_another_subject_is_refused);
	RUN(test_denial_is_final);
	RUN(test_conversation_failure_at_the_prompt_stops_before_polling);
	RUN(test_hang_up_between_polls_stops_at_once);
	RUN(test_hang_up_just_after_the_prompt_sends_no_poll);
	RUN(test_screen_gives_the_timeout_not_the_code_lifetime);
	RUN(test_unreachable_provider_is_unavailable);
	RUN(test_unknown_kid_fetches_the_key_set_once_more);
	RUN(test_kid_still_unknown_after_one_refetch_is_refused);
	RUN(test_key_set_unreachable_on_refetch_keeps_the_refusal);
	RUN(test_warm_cache_skips_the_key_set_request);
	RUN(test_key_rebuilt_under_the_same_kid_is_fetched_again);
	RUN(test_a_bad_signature_does_not_refetch_a_recent_key_set);
	RUN(test_github_shape_login_uses_the_user_login);
	RUN(test_push_login_shows_one_line_matching_the_binding_message);
	RUN(test_push_denied_or_expired_is_final_even_with_a_fallback);
	RUN(test_push_refused_before_anyone_was_asked_falls_back_to_a_code);
	EVP_PKEY_free(signer);
	EVP_PKEY_free(other);
	return T_DONE();
}
