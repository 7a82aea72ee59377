/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of device_flow.c: the device authorization answer, the requests sent, the grant. */
#include "build_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_flow.h"
#include "httpd.h"
#include "testutil.h"

/* A writable copy of a literal for struct oauth_config's char * members (block lifetime). */
#define S(lit) ((char[]){lit})

#define URI "\"verification_uri\":\"https://idp.example.com/device\""
#define DC "\"device_code\":\"dc-secret\""
#define UC "\"user_code\":\"ABCD-EFGH\""
#define EXP "\"expires_in\":600"

struct da_case {
	const char *name;
	long status;
	const char *body;
	enum oauth_status want;
	long interval; /* checked when want is OAUTH_OK */
};

static const struct da_case da_cases[] = {
    {"good", 200, "{" DC "," UC "," URI "," EXP ",\"interval\":7}", OAUTH_OK, 7},
    {"google verification_url", 200,
     "{" DC "," UC ",\"verification_url\":\"https://www.google.com/device\"," EXP "}", OAUTH_OK,
     OAUTH_DEFAULT_INTERVAL},
    {"missing device_code", 200, "{" UC "," URI "," EXP "}", OAUTH_PROTOCOL, 0},
    {"missing user_code", 200, "{" DC "," URI "," EXP "}", OAUTH_PROTOCOL, 0},
    {"missing verification_uri", 200, "{" DC "," UC "," EXP "}", OAUTH_PROTOCOL, 0},
    {"missing expires_in", 200, "{" DC "," UC "," URI "}", OAUTH_PROTOCOL, 0},
    {"device_code a number", 200, "{\"device_code\":5," UC "," URI "," EXP "}", OAUTH_PROTOCOL, 0},
    {"user_code an array", 200, "{" DC ",\"user_code\":[\"A\"]," URI "," EXP "}", OAUTH_PROTOCOL,
     0},
    {"verification_uri an object", 200, "{" DC "," UC ",\"verification_uri\":{}," EXP "}",
     OAUTH_PROTOCOL, 0},
    {"expires_in a string", 200, "{" DC "," UC "," URI ",\"expires_in\":\"600\"}", OAUTH_PROTOCOL,
     0},
    {"interval a string", 200, "{" DC "," UC "," URI "," EXP ",\"interval\":\"5\"}", OAUTH_PROTOCOL,
     0},
    /* The interval as given: the poll loop clamps it (test_token.c). */
    {"interval 0", 200, "{" DC "," UC "," URI "," EXP ",\"interval\":0}", OAUTH_OK, 0},
    {"interval -1", 200, "{" DC "," UC "," URI "," EXP ",\"interval\":-1}", OAUTH_OK, -1},
    {"interval huge", 200, "{" DC "," UC "," URI "," EXP ",\"interval\":99999999999}", OAUTH_OK,
     99999999999L},
    {"interval 1e300", 200, "{" DC "," UC "," URI "," EXP ",\"interval\":1e300}", OAUTH_PROTOCOL,
     0},
    {"interval absent", 200, "{" DC "," UC "," URI "," EXP "}", OAUTH_OK, OAUTH_DEFAULT_INTERVAL},
    {"interval null", 200, "{" DC "," UC "," URI "," EXP ",\"interval\":null}", OAUTH_OK,
     OAUTH_DEFAULT_INTERVAL},
    {"expires_in 0", 200, "{" DC "," UC "," URI ",\"expires_in\":0}", OAUTH_PROTOCOL, 0},
    {"expires_in negative", 200, "{" DC "," UC "," URI ",\"expires_in\":-600}", OAUTH_PROTOCOL, 0},
    {"expires_in huge", 200, "{" DC "," UC "," URI ",\"expires_in\":86401}", OAUTH_PROTOCOL, 0},
    {"expires_in a day", 200, "{" DC "," UC "," URI ",\"expires_in\":86400}", OAUTH_OK,
     OAUTH_DEFAULT_INTERVAL},
    {"http verification_uri on remote host", 200,
     "{" DC "," UC ",\"verification_uri\":\"http://idp.example.com/device\"," EXP "}",
     OAUTH_PROTOCOL, 0},
    {"http verification_uri_complete on remote host", 200,
     "{" DC "," UC "," URI ",\"verification_uri_complete\":\"http://evil.example/?c=1\"," EXP "}",
     OAUTH_PROTOCOL, 0},
    {"javascript verification_uri", 200,
     "{" DC "," UC ",\"verification_uri\":\"javascript:alert(1)\"," EXP "}", OAUTH_PROTOCOL, 0},
    {"loopback http verification_uri", 200,
     "{" DC "," UC ",\"verification_uri\":\"http://127.0.0.1:3000/device\"," EXP "}", OAUTH_OK,
     OAUTH_DEFAULT_INTERVAL},
    {"escape sequence in user_code", 200,
     "{" DC ",\"user_code\":\"AB\\u001b[31mCD\"," URI "," EXP "}", OAUTH_PROTOCOL, 0},
    {"newline in user_code", 200, "{" DC ",\"user_code\":\"AB\\nCD\"," URI "," EXP "}",
     OAUTH_PROTOCOL, 0},
    {"non-ASCII user_code", 200, "{" DC ",\"user_code\":\"AB\\u00e9CD\"," URI "," EXP "}",
     OAUTH_PROTOCOL, 0},
    {"empty user_code", 200, "{" DC ",\"user_code\":\"\"," URI "," EXP "}", OAUTH_PROTOCOL, 0},
    {"user_code of 64", 200,
     "{" DC
     ",\"user_code\":\"0123456789012345678901234567890123456789012345678901234567890123\"," URI
     "," EXP "}",
     OAUTH_OK, OAUTH_DEFAULT_INTERVAL},
    {"user_code of 65", 200,
     "{" DC
     ",\"user_code\":\"01234567890123456789012345678901234567890123456789012345678901234\"," URI
     "," EXP "}",
     OAUTH_PROTOCOL, 0},
    {"invalid_client: a wrong secret", 400,
     "{\"error\":\"invalid_client\",\"error_description\":\"bad id\"}", OAUTH_CONFIG, 0},
    {"error object with 200", 200, "{\"error\":\"invalid_scope\"," DC "," UC "," URI "," EXP "}",
     OAUTH_CONFIG, 0},
    {"unauthorized_client at 403", 403, "{\"error\":\"unauthorized_client\"}", OAUTH_CONFIG, 0},
    {"401 without body: client authentication refused", 401, "", OAUTH_CONFIG, 0},
    {"an error code not for this endpoint", 400, "{\"error\":\"authorization_pending\"}",
     OAUTH_PROTOCOL, 0},
    {"404 without a code", 404, "not found", OAUTH_PROTOCOL, 0},
    {"302 redirect", 302, "", OAUTH_PROTOCOL, 0},
    {"good body with 201", 201, "{" DC "," UC "," URI "," EXP "}", OAUTH_PROTOCOL, 0},
    {"503", 503, "Service Unavailable", OAUTH_UNAVAILABLE, 0},
    {"500 with error object", 500, "{\"error\":\"server_error\"}", OAUTH_UNAVAILABLE, 0},
    {"not JSON", 200, "device_code=x&user_code=y", OAUTH_PROTOCOL, 0},
    {"duplicate device_code", 200, "{" DC "," DC "," UC "," URI "," EXP "}", OAUTH_PROTOCOL, 0},
};

static void
test_device_auth_parse_table(void)
{
	struct oauth_device_auth da;
	char err[OAUTH_ERR_SIZE];
	size_t i;

	for (i = 0; i < sizeof(da_cases) / sizeof(da_cases[0]); i++) {
		const struct da_case *c = &da_cases[i];

		t_case = c->name;
		err[0] = '\0';
		CHECK_INT(oauth_device_auth_parse(c->status, c->body, strlen(c->body), &da, err,
		                                  sizeof(err)),
		          c->want);
		if (c->want == OAUTH_OK) {
			CHECK_INT(da.interval, c->interval);
			CHECK(da.device_code != NULL && da.user_code != NULL &&
			      da.verification_uri != NULL && da.expires_in > 0);
		} else {
			CHECK(err[0] != '\0');
			CHECK(da.device_code == NULL && da.user_code == NULL);
		}
		oauth_device_auth_free(&da);
	}
}

static void
test_device_auth_fields_are_read(void)
{
	static const char body[] =
	    "{" DC "," UC "," URI ",\"verification_uri_complete\":\"https://idp.example.com/"
	    "device?user_code=ABCD-EFGH\"," EXP ",\"interval\":7,\"message\":\"hello\"}";
	static const char google[] =
	    "{" DC "," UC ",\"verification_url\":\"https://www.google.com/device\"," EXP "}";
	struct oauth_device_auth da;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(oauth_device_auth_parse(200, body, strlen(body), &da, err, sizeof(err)),
	          OAUTH_OK);
	CHECK_STR(da.device_code, "dc-secret");
	CHECK_STR(da.user_code, "ABCD-EFGH");
	CHECK_STR(da.verification_uri, "https://idp.example.com/device");
	CHECK_STR(da.verification_uri_complete,
	          "https://idp.example.com/device?user_code=ABCD-EFGH");
	CHECK_INT(da.expires_in, 600);
	CHECK_INT(da.interval, 7);
	oauth_device_auth_free(&da);
	CHECK(da.device_code == NULL);
	CHECK_INT(oauth_device_auth_parse(200, google, strlen(google), &da, err, sizeof(err)),
	          OAUTH_OK);
	CHECK_STR(da.verification_uri, "https://www.google.com/device");
	CHECK(da.verification_uri_complete == NULL);
	oauth_device_auth_free(&da);
	oauth_device_auth_free(NULL);
}

static void
test_provider_error_is_sanitised_and_bounded(void)
{
	char body[2048], err[OAUTH_ERR_SIZE] = "";
	struct oauth_device_auth da;
	size_t i;

	snprintf(body, sizeof(body), "%s",
	         "{\"error\":\"invalid_client\",\"error_description\":\"\\u001b[2Jbad\\r\\nFAKE "
	         "LOG\"}");
	CHECK_INT(oauth_device_auth_parse(401, body, strlen(body), &da, err, sizeof(err)),
	          OAUTH_CONFIG);
	CHECK(strstr(err, "invalid_client") != NULL);
	CHECK(strstr(err, "bad") != NULL);
	for (i = 0; err[i] != '\0'; i++)
		CHECK((unsigned char)err[i] >= 0x20 && (unsigned char)err[i] < 0x7f);
	/* A 1500-byte description is cut. */
	memcpy(body, "{\"error\":\"x\",\"error_description\":\"", 35);
	memset(body + 35, 'd', 1500);
	memcpy(body + 35 + 1500, "\"}", 3);
	CHECK_INT(oauth_device_auth_parse(400, body, strlen(body), &da, err, sizeof(err)),
	          OAUTH_PROTOCOL);
	CHECK(strlen(err) < 200);
}

/* ---- The requests on the wire ---- */

#define DA_BODY                                                                                    \
	"{\"device_code\":\"dc\",\"user_code\":\"ABCD-EFGH\",\"verification_uri\":"                \
	"\"https://idp.example.com/device\",\"expires_in\":600}"

static char da_reply[512];

static struct oauth_http *
new_handle(void)
{
	const struct oauth_http_opts opts = {.timeout = 2};
	struct oauth_http *http = NULL;
	char err[OAUTH_ERR_SIZE] = "";

	if (oauth_http_new(&http, &opts, err, sizeof(err)) != OAUTH_OK)
		fprintf(stderr, "oauth_http_new: %s\n", err);
	return http;
}

/* Sends a device authorization and a token request for cfg; returns the two requests seen. */
static void
exchange(struct oauth_config *cfg, struct httpd *h, enum oauth_status *da_rc,
         enum oauth_status *tok_rc)
{
	static const char tok_reply[] =
	    "HTTP/1.1 400 Bad\r\nContent-Type: application/json\r\n"
	    "Content-Length: 33\r\n\r\n{\"error\":\"authorization_pending\"}";
	static struct httpd_reply replies[2] = {{da_reply, 0, 0}, {tok_reply, 0, 0}};
	struct oauth_http *http = new_handle();
	struct oauth_http_response resp;
	struct oauth_endpoints ep = {0};
	struct oauth_device_auth da, polled = {.device_code = S("DC+1/2=")};
	struct oauth_grant g;
	char err[OAUTH_ERR_SIZE] = "", dev[128], tok[128];

	snprintf(
	    da_reply, sizeof(da_reply),
	    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    strlen(DA_BODY), DA_BODY);
	if (httpd_start(h, replies, 2) != 0)
		return;
	snprintf(dev, sizeof(dev), "%s/device", h->base);
	snprintf(tok, sizeof(tok), "%s/token", h->base);
	ep.device_authorization_endpoint = dev;
	ep.token_endpoint = tok;
	*da_rc = oauth_device_authorize(http, cfg, &ep, &da, err, sizeof(err));
	oauth_device_grant(&polled, &g);
	*tok_rc = oauth_token_request(http, cfg, ep.token_endpoint, &g, &resp, err, sizeof(err));
	CHECK_INT(resp.status, 400);
	oauth_http_response_free(&resp);
	oauth_device_auth_free(&da);
	oauth_http_free(http);
	httpd_stop(h);
}

#define GRANT "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"

static void
test_requests_use_basic_auth_by_default(void)
{
	struct oauth_config cfg;
	enum oauth_status a = OAUTH_CONFIG, t = OAUTH_CONFIG;
	struct httpd h;

	memset(&cfg, 0, sizeof(cfg));
	cfg.client_id = S("cid");
	cfg.client_secret = S("sec");
	cfg.scope = S("openid profile");
	exchange(&cfg, &h, &a, &t);
	CHECK_INT(a, OAUTH_OK);
	CHECK_INT(t, OAUTH_OK);
	CHECK(strncmp(httpd_request(&h, 0), "POST /device ", 13) == 0);
	CHECK_STR(httpd_body(httpd_request(&h, 0)), "client_id=cid&scope=openid%20profile");
	CHECK(httpd_has_header(httpd_request(&h, 0), "Authorization: Basic Y2lkOnNlYw=="));
	CHECK(strncmp(httpd_request(&h, 1), "POST /token ", 12) == 0);
	CHECK_STR(httpd_body(httpd_request(&h, 1)),
	          GRANT "&device_code=DC%2B1%2F2%3D&client_id=cid");
	CHECK(httpd_has_header(httpd_request(&h, 1), "Authorization: Basic Y2lkOnNlYw=="));
	CHECK_INT(httpd_accepted(&h), 1);
	httpd_free(&h);
}

static void
test_requests_put_secret_in_body_when_asked(void)
{
	struct oauth_config cfg;
	enum oauth_status a = OAUTH_CONFIG, t = OAUTH_CONFIG;
	struct httpd h;

	memset(&cfg, 0, sizeof(cfg));
	cfg.client_id = S("cid");
	cfg.client_secret = S("s&c=t");
	cfg.client_auth = OAUTH_CLIENT_AUTH_POST;
	exchange(&cfg, &h, &a, &t);
	CHECK_INT(a, OAUTH_OK);
	CHECK_INT(t, OAUTH_OK);
	CHECK_STR(httpd_body(httpd_request(&h, 0)), "client_id=cid&client_secret=s%26c%3Dt");
	CHECK(!httpd_has_header_name(httpd_request(&h, 0), "Authorization"));
	CHECK_STR(httpd_body(httpd_request(&h, 1)),
	          GRANT "&device_code=DC%2B1%2F2%3D&client_id=cid&client_secret=s%26c%3Dt");
	CHECK(!httpd_has_header_name(httpd_request(&h, 1), "Authorization"));
	httpd_free(&h);
}

static void
test_public_client_sends_no_secret(void)
{
	struct oauth_config cfg;
	enum oauth_status a = OAUTH_CONFIG, t = OAUTH_CONFIG;
	struct httpd h;

	memset(&cfg, 0, sizeof(cfg));
	cfg.client_id = S("cid");
	exchange(&cfg, &h, &a, &t);
	CHECK_INT(a, OAUTH_OK);
	CHECK_STR(httpd_body(httpd_request(&h, 0)), "client_id=cid");
	CHECK(!httpd_has_header_name(httpd_request(&h, 0), "Authorization"));
	CHECK_STR(httpd_body(httpd_request(&h, 1)),
	          GRANT "&device_code=DC%2B1%2F2%3D&client_id=cid");
	CHECK(!httpd_has_header_name(httpd_request(&h, 1), "Authorization"));
	httpd_free(&h);
}

static void
test_requests_without_client_or_endpoint_are_config_errors(void)
{
	struct oauth_config cfg;
	struct oauth_endpoints ep = {0};
	struct oauth_device_auth da;
	struct oauth_http_response resp;
	struct oauth_grant g;
	char err[OAUTH_ERR_SIZE] = "";

	memset(&cfg, 0, sizeof(cfg));
	CHECK_INT(oauth_device_authorize(NULL, &cfg, &ep, &da, err, sizeof(err)), OAUTH_CONFIG);
	cfg.client_id = S("cid");
	CHECK_INT(oauth_device_authorize(NULL, &cfg, &ep, &da, err, sizeof(err)), OAUTH_CONFIG);
	da.device_code = S("dc");
	oauth_device_grant(&da, &g);
	CHECK_INT(oauth_token_request(NULL, &cfg, NULL, &g, &resp, err, sizeof(err)), OAUTH_CONFIG);
	g.value = NULL;
	CHECK_INT(oauth_token_request(NULL, &cfg, "https://idp.example.com/t", &g, &resp, err,
	                              sizeof(err)),
	          OAUTH_CONFIG);
}

int
main(void)
{
	RUN(test_device_auth_parse_table);
	RUN(test_device_auth_fields_are_read);
	RUN(test_provider_error_is_sanitised_and_bounded);
	RUN(test_requests_use_basic_auth_by_default);
	RUN(test_requests_put_secret_in_body_when_asked);
	RUN(test_public_client_sends_no_secret);
	RUN(test_requests_without_client_or_endpoint_are_config_errors);
	return T_DONE();
}
