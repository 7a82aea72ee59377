/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests for ciba.c: binding message, login hint, acknowledgement parsing, requests, the push login.
 */
#include "build_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ciba.h"
#include "sudo_argv.h"
#include "httpd.h"
#include "testutil.h"

#define S(lit) ((char[]){lit})

/* ---- Binding message ---- */

struct bm_case {
	const char *name;
	const char *service, *host, *command, *code;
	size_t max;
	enum oauth_status rc;
	const char *want;
};

static const struct bm_case bm_cases[] = {
    {"default", "sudo", "web01.example.com", NULL, "4821", 20, OAUTH_OK, "sudo/web01#4821"},
    {"host cut to fit", "sshd", "averyveryverylonghostname", NULL, "0042", 20, OAUTH_OK,
     "sshd/averyveryv#0042"},
    {"service first, host left out", "averyveryverylongservice", "web01", NULL, "1234", 20,
     OAUTH_OK, "averyveryverylo#1234"},
    {"hostile characters become _", "su do\n", "we b;01", NULL, "1234", 20, OAUTH_OK,
     "su_do_/we_b_01#1234"},
    {"separators inside parts", "a/b#c", "h", NULL, "1234", 20, OAUTH_OK, "a_b_c/h#1234"},
    {"UTF-8 bytes", "sudo",
     "w\xc3\xa9"
     "b",
     NULL, "1234", 20, OAUTH_OK, "sudo/w__b#1234"},
    {"command when room", "sudo", "web01", "/usr/bin/apt upgrade", "1234", 50, OAUTH_OK,
     "sudo/web01/_usr_bin_apt_upgrade#1234"},
    {"command without room", "sudo", "web01", "/usr/bin/apt upgrade", "1234", 20, OAUTH_OK,
     "sudo/web01/_usr#1234"},
    {"command left out when full", "sudo", "web01x.example", "rm", "1234", 17, OAUTH_OK,
     "sudo/web01x#1234"},
    {"nothing but the code", NULL, NULL, NULL, "9999", 20, OAUTH_OK, "#9999"},
    {"empty parts skipped", "", ".example.com", "", "0000", 20, OAUTH_OK, "#0000"},
    {"max below minimum", "sudo", "web01", NULL, "1234", 7, OAUTH_CONFIG, ""},
    {"max above maximum", "sudo", "web01", NULL, "1234", 65, OAUTH_CONFIG, ""},
    {"code with a letter", "sudo", "web01", NULL, "12a4", 20, OAUTH_CONFIG, ""},
    {"code too short", "sudo", "web01", NULL, "123", 20, OAUTH_CONFIG, ""},
    {"code too long", "sudo", "web01", NULL, "12345", 20, OAUTH_CONFIG, ""},
    {"no code", "sudo", "web01", NULL, NULL, 20, OAUTH_CONFIG, ""},
};

static void
test_binding_message_table(void)
{
	char out[OAUTH_BINDING_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(bm_cases) / sizeof(bm_cases[0]); i++) {
		const struct bm_case *c = &bm_cases[i];
		enum oauth_status rc;

		t_case = c->name;
		rc = oauth_ciba_binding_message(c->service, c->host, c->command, c->code, c->max,
		                                out, sizeof(out));
		CHECK_INT(rc, c->rc);
		CHECK_STR(out, c->want);
		CHECK(strlen(out) <= c->max);
	}
}

static void
test_binding_message_needs_room_in_the_buffer(void)
{
	char out[20];

	CHECK_INT(oauth_ciba_binding_message("sudo", "h", NULL, "1234", 20, out, sizeof(out)),
	          OAUTH_CONFIG);
	CHECK_STR(out, "");
	CHECK_INT(oauth_ciba_binding_message("sudo", "h", NULL, "1234", 20, NULL, 0), OAUTH_CONFIG);
}

/* oidc-provider's check: ^[a-zA-Z0-9-._+/!?#]{1,20}$, for every byte in every part. */
static int
provider_accepts(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("-._+/!?#", s[i]) != NULL))
			return 0;
	return 1;
}

static void
test_binding_message_is_always_in_the_provider_charset(void)
{
	char part[4], out[OAUTH_BINDING_MAX + 1];
	int b, bad = 0;

	for (b = 1; b < 256; b++) {
		part[0] = 'x';
		part[1] = (char)b;
		part[2] = 'y';
		part[3] = '\0';
		if (oauth_ciba_binding_message(part, part, part, "5555", 20, out, sizeof(out)) !=
		        OAUTH_OK ||
		    !provider_accepts(out, 20) || strcmp(out + strlen(out) - 5, "#5555") != 0)
			bad++;
	}
	CHECK_INT(bad, 0);
}

static void
test_code_is_four_random_digits(void)
{
	char code[OAUTH_CIBA_CODE_DIGITS + 1], first[OAUTH_CIBA_CODE_DIGITS + 1], err[128];
	int i, j, differs = 0, bad = 0;

	CHECK_INT(oauth_ciba_code(first, sizeof(first), err, sizeof(err)), OAUTH_OK);
	for (i = 0; i < 50; i++) {
		if (oauth_ciba_code(code, sizeof(code), err, sizeof(err)) != OAUTH_OK ||
		    strlen(code) != OAUTH_CIBA_CODE_DIGITS)
			bad++;
		for (j = 0; j < OAUTH_CIBA_CODE_DIGITS; j++)
			if (code[j] < '0' || code[j] > '9')
				bad++;
		if (strcmp(code, first) != 0)
			differs = 1;
	}
	CHECK_INT(bad, 0);
	CHECK(differs);
	CHECK_INT(oauth_ciba_code(code, 4, err, sizeof(err)), OAUTH_CONFIG);
}

/* ---- Login hint ---- */

static void
test_login_hint_table(void)
{
	static const struct {
		const char *user;
		enum oauth_status rc;
		const char *want;
	} rows[] = {
	    {"alice", OAUTH_OK, "alice@example.com"},
	    {"a.b-c_d+e9", OAUTH_OK, "a.b-c_d+e9@example.com"},
	    {"bob@corp", OAUTH_OK, "bob@corp@example.com"},
	    {"", OAUTH_POLICY, NULL},
	    {"-rf", OAUTH_POLICY, NULL},
	    {".hidden", OAUTH_POLICY, NULL},
	    {"al ice", OAUTH_POLICY, NULL},
	    {"al\nice", OAUTH_POLICY, NULL},
	    {"a&login_hint=bob", OAUTH_POLICY, NULL},
	    {"a{user}", OAUTH_POLICY, NULL},
	    {"\xc3\xbcnic", OAUTH_POLICY, NULL},
	    {"a%40b", OAUTH_POLICY, NULL},
	    {NULL, OAUTH_POLICY, NULL},
	};
	char longuser[OAUTH_CIBA_MAX_HINT_USER + 2], err[OAUTH_ERR_SIZE];
	char *out = S("x");
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		t_case = rows[i].user ? rows[i].user : "(null)";
		CHECK_INT(oauth_ciba_login_hint("{user}@example.com", rows[i].user, &out, err,
		                                sizeof(err)),
		          rows[i].rc);
		CHECK_STR(out, rows[i].want);
		free(out);
	}
	t_case = "test_login_hint_table";
	memset(longuser, 'a', sizeof(longuser));
	longuser[OAUTH_CIBA_MAX_HINT_USER] = '\0';
	CHECK_INT(oauth_ciba_login_hint("{user}", longuser, &out, err, sizeof(err)), OAUTH_OK);
	free(out);
	longuser[OAUTH_CIBA_MAX_HINT_USER] = 'a';
	longuser[OAUTH_CIBA_MAX_HINT_USER + 1] = '\0';
	CHECK_INT(oauth_ciba_login_hint("{user}", longuser, &out, err, sizeof(err)), OAUTH_POLICY);
	CHECK(out == NULL);
	CHECK_INT(oauth_ciba_login_hint("nobody", "alice", &out, err, sizeof(err)), OAUTH_CONFIG);
	CHECK_INT(oauth_ciba_login_hint("pre-{user}-post", "al", &out, err, sizeof(err)), OAUTH_OK);
	CHECK_STR(out, "pre-al-post");
	free(out);
}

/* Glewlwyd and Auth0 take the hint only as JSON; an account name outside the set is refused. */
static void
test_json_login_hint(void)
{
	char err[OAUTH_ERR_SIZE], *out = NULL;

	CHECK_INT(
	    oauth_ciba_login_hint("{\"username\":\"{user}\"}", "alice", &out, err, sizeof(err)),
	    OAUTH_OK);
	CHECK_STR(out, "{\"username\":\"alice\"}");
	free(out);
	CHECK_INT(
	    oauth_ciba_login_hint("{\"sub\":\"corp:{user}\"}", "bob@corp", &out, err, sizeof(err)),
	    OAUTH_OK);
	CHECK_STR(out, "{\"sub\":\"corp:bob@corp\"}");
	free(out);
	/* A quote or backslash in the name could rewrite the object: refused, never escaped. */
	CHECK_INT(
	    oauth_ciba_login_hint("{\"username\":\"{user}\"}", "al\"ice", &out, err, sizeof(err)),
	    OAUTH_POLICY);
	CHECK(out == NULL);
	CHECK_INT(
	    oauth_ciba_login_hint("{\"username\":\"{user}\"}", "al\\ice", &out, err, sizeof(err)),
	    OAUTH_POLICY);
}

/* ---- Acknowledgement (CIBA §7.3) and errors (§13) ---- */

struct ack_case {
	const char *name;
	long status;
	const char *body;
	enum oauth_status rc;
	int fallback;
	long interval; /* checked when rc is OAUTH_OK */
};

static const struct ack_case ack_cases[] = {
    {"ok", 200, "{\"auth_req_id\":\"abc\",\"expires_in\":120,\"interval\":2}", OAUTH_OK, 0, 2},
    {"interval absent", 200, "{\"auth_req_id\":\"abc\",\"expires_in\":120}", OAUTH_OK, 0, 5},
    /* The interval as given: the poll loop clamps it (test_token.c). */
    {"interval 0", 200, "{\"auth_req_id\":\"a\",\"expires_in\":1,\"interval\":0}", OAUTH_OK, 0, 0},
    {"interval negative", 200, "{\"auth_req_id\":\"a\",\"expires_in\":9,\"interval\":-3}", OAUTH_OK,
     0, -3},
    {"interval huge", 200, "{\"auth_req_id\":\"a\",\"expires_in\":9,\"interval\":99999}", OAUTH_OK,
     0, 99999},
    {"no auth_req_id", 200, "{\"expires_in\":120}", OAUTH_PROTOCOL, 0, 0},
    {"empty auth_req_id", 200, "{\"auth_req_id\":\"\",\"expires_in\":120}", OAUTH_PROTOCOL, 0, 0},
    {"auth_req_id with space", 200, "{\"auth_req_id\":\"a b\",\"expires_in\":120}", OAUTH_PROTOCOL,
     0, 0},
    {"auth_req_id with newline", 200, "{\"auth_req_id\":\"a\\nb\",\"expires_in\":120}",
     OAUTH_PROTOCOL, 0, 0},
    {"auth_req_id with NUL", 200, "{\"auth_req_id\":\"a\\u0000b\",\"expires_in\":120}",
     OAUTH_PROTOCOL, 0, 0},
    {"auth_req_id a number", 200, "{\"auth_req_id\":7,\"expires_in\":120}", OAUTH_PROTOCOL, 0, 0},
    {"duplicate auth_req_id", 200,
     "{\"auth_req_id\":\"a\",\"auth_req_id\":\"b\",\"expires_in\":120}", OAUTH_PROTOCOL, 0, 0},
    {"no expires_in", 200, "{\"auth_req_id\":\"abc\"}", OAUTH_PROTOCOL, 0, 0},
    {"expires_in 0", 200, "{\"auth_req_id\":\"abc\",\"expires_in\":0}", OAUTH_PROTOCOL, 0, 0},
    {"expires_in over a day", 200, "{\"auth_req_id\":\"abc\",\"expires_in\":86401}", OAUTH_PROTOCOL,
     0, 0},
    {"expires_in a string", 200, "{\"auth_req_id\":\"abc\",\"expires_in\":\"120\"}", OAUTH_PROTOCOL,
     0, 0},
    {"expires_in fractional", 200, "{\"auth_req_id\":\"abc\",\"expires_in\":1.5}", OAUTH_PROTOCOL,
     0, 0},
    {"not JSON", 200, "auth_req_id=abc", OAUTH_PROTOCOL, 0, 0},
    {"array", 200, "[{\"auth_req_id\":\"abc\",\"expires_in\":1}]", OAUTH_PROTOCOL, 0, 0},
    {"trailing garbage", 200, "{\"auth_req_id\":\"abc\",\"expires_in\":1}x", OAUTH_PROTOCOL, 0, 0},
    {"201 is not success", 201, "{\"auth_req_id\":\"abc\",\"expires_in\":120}", OAUTH_PROTOCOL, 0,
     0},
    {"unknown_user_id falls back", 400, "{\"error\":\"unknown_user_id\"}", OAUTH_NO_ACCOUNT, 1, 0},
    {"unauthorized_client falls back", 400, "{\"error\":\"unauthorized_client\"}", OAUTH_CONFIG, 1,
     0},
    {"error member decides even on 200", 200, "{\"error\":\"unknown_user_id\"}", OAUTH_NO_ACCOUNT,
     1, 0},
    {"invalid_request falls back", 400, "{\"error\":\"invalid_request\"}", OAUTH_CONFIG, 1, 0},
    {"invalid_client falls back: a client without the CIBA grant (Glewlwyd)", 403,
     "{\"error\":\"invalid_client\"}", OAUTH_CONFIG, 1, 0},
    {"access_denied is final", 403, "{\"error\":\"access_denied\"}", OAUTH_DENIED, 0, 0},
    {"invalid_binding_message", 400, "{\"error\":\"invalid_binding_message\"}", OAUTH_CONFIG, 1, 0},
    {"error code compared exactly", 400, "{\"error\":\"Unknown_User_Id\"}", OAUTH_PROTOCOL, 0, 0},
    {"error not a string", 400, "{\"error\":[\"unknown_user_id\"]}", OAUTH_PROTOCOL, 0, 0},
    {"5xx without body", 503, "", OAUTH_UNAVAILABLE, 0, 0},
    {"5xx with error", 500, "{\"error\":\"server_error\"}", OAUTH_UNAVAILABLE, 0, 0},
    {"4xx without body", 404, "not found", OAUTH_PROTOCOL, 0, 0},
};

static void
test_ack_parse_table(void)
{
	struct oauth_ciba_auth ca;
	struct oauth_answer a;
	char err[OAUTH_ERR_SIZE];
	size_t i;

	for (i = 0; i < sizeof(ack_cases) / sizeof(ack_cases[0]); i++) {
		const struct ack_case *c = &ack_cases[i];

		t_case = c->name;
		a = oauth_ciba_auth_parse(c->status, c->body, strlen(c->body), &ca, err,
		                          sizeof(err));
		CHECK_INT(a.next == OAUTH_NEXT_READ ? OAUTH_OK : a.status, c->rc);
		CHECK_INT(a.next, c->rc == OAUTH_OK ? OAUTH_NEXT_READ : OAUTH_NEXT_STOP);
		CHECK_INT(a.no_push, c->fallback);
		if (a.next == OAUTH_NEXT_READ) {
			CHECK(ca.auth_req_id != NULL);
			CHECK_INT(ca.interval, c->interval);
		} else {
			CHECK(ca.auth_req_id == NULL);
		}
		oauth_ciba_auth_free(&ca);
	}
}

static void
test_ack_fields_are_read(void)
{
	static const char body[] = "{\"auth_req_id\":\"1c266114-a1be\",\"expires_in\":120}";
	struct oauth_ciba_auth ca;
	char err[OAUTH_ERR_SIZE];

	CHECK_INT(oauth_ciba_auth_parse(200, body, strlen(body), &ca, err, sizeof(err)).next,
	          OAUTH_NEXT_READ);
	CHECK_STR(ca.auth_req_id, "1c266114-a1be");
	CHECK_INT(ca.expires_in, 120);
	oauth_ciba_auth_free(&ca);
	oauth_ciba_auth_free(NULL);
}

static void
test_provider_error_is_sanitised(void)
{
	static const char body[] =
	    "{\"error\":\"unknown_user_id\",\"error_description\":\"no \\u001b[31mone\\n\"}";
	struct oauth_ciba_auth ca;
	char err[OAUTH_ERR_SIZE];
	size_t i;
	int ctl = 0;

	CHECK_INT(oauth_ciba_auth_parse(400, body, strlen(body), &ca, err, sizeof(err)).status,
	          OAUTH_NO_ACCOUNT);
	for (i = 0; err[i] != '\0'; i++)
		if ((unsigned char)err[i] < 0x20)
			ctl++;
	CHECK_INT(ctl, 0);
	CHECK(strstr(err, "unknown_user_id") != NULL);
}

/* ---- Settings ---- */

/* mode = ciba with a public client fails at load time, through the real loader. */
static void
test_config_load_refuses_ciba_for_public_client(void)
{
	static const char pub[] = "issuer = https://idp.example.com\nclient_id = cid\n"
	                          "[sudo]\nmode = ciba\n";
	static const char conf[] = "issuer = https://idp.example.com\nclient_id = cid\n"
	                           "client_secret = sec\n[sudo]\nmode = ciba-then-device\n"
	                           "login_hint_template = {user}@example.com\n"
	                           "requested_expiry = 120\n";
	char path[] = "/tmp/test_ciba_XXXXXX", arg[64], err[OAUTH_ERR_SIZE];
	const char *argv[1];
	struct oauth_config cfg;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	snprintf(arg, sizeof(arg), "config=%s", path);
	argv[0] = arg;
	CHECK(write(fd, pub, strlen(pub)) == (ssize_t)strlen(pub));
	CHECK_INT(oauth_config_load_as(&cfg, "sudo", 1, argv, getuid(), err, sizeof(err)),
	          OAUTH_CONFIG);
	CHECK(strstr(err, "client_secret") != NULL);
	oauth_config_free(&cfg);
	CHECK_INT(oauth_config_load_as(&cfg, "sshd", 1, argv, getuid(), err, sizeof(err)),
	          OAUTH_OK);
	CHECK_INT(cfg.mode, OAUTH_MODE_DEVICE);
	CHECK_INT(cfg.binding_message_max, 20);
	CHECK_STR(cfg.login_hint_template, "{user}");
	oauth_config_free(&cfg);
	CHECK(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0);
	CHECK(write(fd, conf, strlen(conf)) == (ssize_t)strlen(conf));
	CHECK_INT(oauth_config_load_as(&cfg, "sudo", 1, argv, getuid(), err, sizeof(err)),
	          OAUTH_OK);
	CHECK_INT(cfg.mode, OAUTH_MODE_CIBA_THEN_DEVICE);
	CHECK_STR(cfg.login_hint_template, "{user}@example.com");
	CHECK_INT(cfg.requested_expiry, 120);
	oauth_config_free(&cfg);
	close(fd);
	unlink(path);
}

/* ---- The requests on the wire and the whole push login ---- */

static char replies_buf[4][512];

static const char *
reply(int i, const char *status, const char *body)
{
	snprintf(replies_buf[i], sizeof(replies_buf[i]),
	         "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	         status, strlen(body), body);
	return replies_buf[i];
}

static struct oauth_http *
new_handle(void)
{
	const struct oauth_http_opts opts = {.ca_file = NULL, .timeout = 2};
	struct oauth_http *http = NULL;
	char err[OAUTH_ERR_SIZE] = "";

	if (oauth_http_new(&http, &opts, err, sizeof(err)) != OAUTH_OK)
		fprintf(stderr, "oauth_http_new: %s\n", err);
	return http;
}

static char cfg_id[] = "cid", cfg_secret[] = "sec", cfg_scope[] = "openid";
static char cfg_tpl[] = "{user}@example.com", cfg_acr[] = "phr";

static void
ciba_cfg(struct oauth_config *cfg, enum oauth_mode mode)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->client_id = cfg_id;
	cfg->client_secret = cfg_secret;
	cfg->scope = cfg_scope;
	cfg->login_hint_template = cfg_tpl;
	cfg->mode = mode;
	cfg->prompt = OAUTH_PROMPT_NONE;
	cfg->timeout = 90;
	cfg->binding_message_max = 20;
}

/* Runs oauth_ciba_start for user against h answering replies; returns its status. */
static enum oauth_status
start_push(struct httpd *h, const struct httpd_reply *replies, size_t n,
           const struct oauth_config *cfg, const char *user, int with_endpoint,
           struct oauth_ciba_push *push)
{
	struct oauth_ciba_who who = {user, "sudo", "web01.example.com", NULL};
	struct oauth_endpoints ep = {0};
	struct oauth_http *http = new_handle();
	char err[OAUTH_ERR_SIZE] = "", bc[128];
	enum oauth_status rc = OAUTH_CONFIG;

	if (httpd_start(h, replies, n) != 0)
		goto out;
	snprintf(bc, sizeof(bc), "%s/bc", h->base);
	ep.backchannel_authentication_endpoint = with_endpoint ? bc : NULL;
	ep.backchannel_poll = with_endpoint;
	rc = oauth_ciba_start(http, cfg, &ep, &who, NULL, push, err, sizeof(err));
	if (rc != OAUTH_OK)
		printf("  oauth_ciba_start: %s\n", err);
	httpd_stop(h);
out:
	oauth_http_free(http);
	return rc;
}

#define ACK "{\"auth_req_id\":\"r+1/2\",\"expires_in\":120,\"interval\":1}"

static void
test_start_sends_hint_and_binding_message_with_the_code(void)
{
	struct httpd_reply replies[1] = {{reply(0, "200 OK", ACK), 0, 0}};
	struct oauth_ciba_push push;
	struct oauth_config cfg;
	struct oauth_grant g;
	struct httpd h;
	char want[256];

	ciba_cfg(&cfg, OAUTH_MODE_CIBA);
	cfg.requested_expiry = 120;
	cfg.acr_values = cfg_acr;
	CHECK_INT(start_push(&h, replies, 1, &cfg, "alice", 1, &push), OAUTH_OK);
	CHECK_INT(strlen(push.code), OAUTH_CIBA_CODE_DIGITS);
	snprintf(want, sizeof(want),
	         "client_id=cid&scope=openid&login_hint=alice%%40example.com&binding_message="
	         "sudo%%2Fweb01%%23%s&requested_expiry=120&acr_values=phr",
	         push.code);
	CHECK_STR(httpd_body(httpd_request(&h, 0)), want);
	CHECK(strncmp(httpd_request(&h, 0), "POST /bc ", 9) == 0);
	CHECK(httpd_has_header(httpd_request(&h, 0), "Authorization: Basic Y2lkOnNlYw=="));
	oauth_ciba_grant(&push, &g);
	CHECK_STR(g.type, "urn:openid:params:grant-type:ciba");
	CHECK_STR(g.param, "auth_req_id");
	CHECK_STR(g.value, "r+1/2");
	CHECK_INT(g.interval, 1);
	CHECK_INT(push.ack.expires_in, 120);
	oauth_ciba_push_free(&push);
	httpd_free(&h);
}

static void
test_start_refused_before_anyone_was_asked_is_no_push_under_ciba_then_device(void)
{
	struct httpd_reply replies[1] = {
	    {reply(0, "400 Bad", "{\"error\":\"unknown_user_id\"}"), 0, 0}};
	struct oauth_ciba_push push;
	struct oauth_config cfg;
	struct httpd h;

	ciba_cfg(&cfg, OAUTH_MODE_CIBA_THEN_DEVICE);
	CHECK_INT(start_push(&h, replies, 1, &cfg, "alice", 1, &push), OAUTH_NO_PUSH);
	CHECK(push.ack.auth_req_id == NULL);
	httpd_free(&h);
	/* With mode = ciba there is nothing to fall back to: the answer's own status. */
	ciba_cfg(&cfg, OAUTH_MODE_CIBA);
	CHECK_INT(start_push(&h, replies, 1, &cfg, "alice", 1, &push), OAUTH_NO_ACCOUNT);
	httpd_free(&h);
}

static void
test_start_denial_is_final_under_ciba_then_device(void)
{
	struct httpd_reply replies[1] = {
	    {reply(0, "403 Forbidden", "{\"error\":\"access_denied\"}"), 0, 0}};
	struct oauth_ciba_push push;
	struct oauth_config cfg;
	struct httpd h;

	ciba_cfg(&cfg, OAUTH_MODE_CIBA_THEN_DEVICE);
	CHECK_INT(start_push(&h, replies, 1, &cfg, "alice", 1, &push), OAUTH_DENIED);
	httpd_free(&h);
}

static void
test_start_without_poll_mode_sends_nothing(void)
{
	struct httpd_reply replies[1] = {{reply(0, "200 OK", ACK), 0, 0}};
	struct oauth_ciba_push push;
	struct oauth_config cfg;
	struct httpd h;

	ciba_cfg(&cfg, OAUTH_MODE_CIBA_THEN_DEVICE);
	CHECK_INT(start_push(&h, replies, 1, &cfg, "alice", 0, &push), OAUTH_NO_PUSH);
	CHECK_INT(httpd_nrequests(&h), 0);
	httpd_free(&h);
	ciba_cfg(&cfg, OAUTH_MODE_CIBA);
	CHECK_INT(start_push(&h, replies, 1, &cfg, "alice", 0, &push), OAUTH_CONFIG);
	CHECK_INT(httpd_nrequests(&h), 0);
	httpd_free(&h);
}

static void
test_start_with_a_name_no_hint_can_carry_asks_nobody(void)
{
	struct httpd_reply replies[1] = {{reply(0, "200 OK", ACK), 0, 0}};
	struct oauth_ciba_push push;
	struct oauth_config cfg;
	struct httpd h;

	ciba_cfg(&cfg, OAUTH_MODE_CIBA_THEN_DEVICE);
	CHECK_INT(start_push(&h, replies, 1, &cfg, "al ice", 1, &push), OAUTH_NO_PUSH);
	CHECK_INT(httpd_nrequests(&h), 0);
	httpd_free(&h);
	ciba_cfg(&cfg, OAUTH_MODE_CIBA);
	CHECK_INT(start_push(&h, replies, 1, &cfg, "al ice", 1, &push), OAUTH_POLICY);
	httpd_free(&h);
}

static void
test_push_line_names_what_is_approved(void)
{
	struct oauth_ciba_who who = {"alice", "sudo", "web01.example.com", NULL};
	struct oauth_ciba_who hostile = {"al\x1b[2Jice", NULL, NULL, NULL};
	char line[256];

	oauth_ciba_push_line(&who, "4821", line, sizeof(line));
	CHECK_STR(line, "Approve on your phone: sudo for alice on web01.example.com (code 4821)");
	oauth_ciba_push_line(&hostile, "0001", line, sizeof(line));
	CHECK(strchr(line, '\x1b') == NULL);
	CHECK(strstr(line, "login for") != NULL && strstr(line, "this host") != NULL);
}

/* ---- sudo's command in the binding message ---- */

static void
test_sudo_command_goes_into_the_binding_message(void)
{
	static const char args[] = "sudo\0--\0sh\0-c\0id -u";
	char cmd[OAUTH_SUDO_MAX_COMMAND + 1], msg[OAUTH_BINDING_MAX + 1];

	CHECK_INT(oauth_sudo_command(args, sizeof(args), cmd, sizeof(cmd)), OAUTH_OK);
	CHECK_INT(oauth_ciba_binding_message("sudo", "web01.example.com", cmd, "4821", 20, msg,
	                                     sizeof(msg)),
	          OAUTH_OK);
	CHECK_STR(msg, "sudo/web01/sh#4821");
}

int
main(void)
{
	char err[OAUTH_ERR_SIZE];

	if (oauth_http_global_init(err, sizeof(err)) != OAUTH_OK) {
		fprintf(stderr, "%s\n", err);
		return 99;
	}
	RUN(test_binding_message_table);
	RUN(test_binding_message_needs_room_in_the_buffer);
	RUN(test_binding_message_is_always_in_the_provider_charset);
	RUN(test_code_is_four_random_digits);
	RUN(test_login_hint_table);
	RUN(test_json_login_hint);
	RUN(test_ack_parse_table);
	RUN(test_ack_fields_are_read);
	RUN(test_provider_error_is_sanitised);
	RUN(test_config_load_refuses_ciba_for_public_client);
	RUN(test_start_sends_hint_and_binding_message_with_the_code);
	RUN(test_start_refused_before_anyone_was_asked_is_no_push_under_ciba_then_device);
	RUN(test_start_denial_is_final_under_ciba_then_device);
	RUN(test_start_without_poll_mode_sends_nothing);
	RUN(test_start_with_a_name_no_hint_can_carry_asks_nobody);
	RUN(test_push_line_names_what_is_approved);
	RUN(test_sudo_command_goes_into_the_binding_message);
	return T_DONE();
}
