/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of the HTTP layer against a scripted server on 127.0.0.1. */
#include "build_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"
#include "httpd.h"
#include "status.h"
#include "testutil.h"

/* Time-out for one request in these tests, in seconds: the silent server must be cut fast. */
#define TEST_TIMEOUT 1

static const struct oauth_http_opts opts = {.timeout = TEST_TIMEOUT};

#define OK_JSON                                                                                    \
	"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "                    \
	"11\r\n\r\n{\"a\":\"ok\"}\n"

static struct oauth_http *
new_handle(void)
{
	struct oauth_http *http = NULL;
	char err[OAUTH_ERR_SIZE] = "";

	if (oauth_http_new(&http, &opts, err, sizeof(err)) != OAUTH_OK)
		fprintf(stderr, "oauth_http_new: %s\n", err);
	return http;
}

static char *
url_of(const struct httpd *h, const char *path)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s%s", h->base, path);
	return buf;
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
test_form_body_and_basic_header_are_escaped_exactly(void)
{
	static const struct httpd_reply replies[] = {{OK_JSON, 0, 0}};
	const struct oauth_form_field fields[] = {
	    {"client_id", "my:client+id \xc3\xa9"},
	    {"scope", "openid profile"},
	    {"device_code", "a+b/c=d&e"},
	};
	const struct oauth_http_auth auth = {"my:client+id \xc3\xa9", "p@ss:w+rd/ \xc3\xa9%"};
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_http *http = new_handle();
	struct httpd h;
	const char *req;

	CHECK_INT(httpd_start(&h, replies, 1), 0);
	CHECK_INT(oauth_http_post_form(http, url_of(&h, "/token"), fields, 3, &auth, &resp, err,
	                               sizeof(err)),
	          OAUTH_OK);
	httpd_stop(&h);
	req = httpd_request(&h, 0);
	CHECK(req != NULL && strncmp(req, "POST /token HTTP/1.1\r\n", 22) == 0);
	CHECK_STR(httpd_body(req), "client_id=my%3Aclient%2Bid%20%C3%A9&scope=openid%20profile"
	                           "&device_code=a%2Bb%2Fc%3Dd%26e");
	/* base64("my%3Aclient%2Bid%20%C3%A9:p%40ss%3Aw%2Brd%2F%20%C3%A9%25") */
	CHECK(httpd_has_header(req, "Authorization: Basic bXklM0FjbGllbnQlMkJpZCUyMCVDMyVBOTpwJTQ"
	                            "wc3MlM0F3JTJCcmQlMkYlMjAlQzMlQTklMjU="));
	CHECK(httpd_has_header(req, "Content-Type: application/x-www-form-urlencoded"));
	CHECK(httpd_has_header(req, "Accept: application/json"));
	CHECK(httpd_has_header(req, "User-Agent: pam_oauth/" PACKAGE_VERSION));
	CHECK_INT(resp.status, 200);
	CHECK_STR(resp.body, "{\"a\":\"ok\"}\n");
	CHECK_INT(resp.len, 11);
	CHECK_STR(resp.content_type, "application/json");
	CHECK_INT(resp.retry_after, -1);
	oauth_http_response_free(&resp);
	oauth_http_free(http);
	httpd_free(&h);
}

static void
test_post_without_auth_sends_no_authorization(void)
{
	static const struct httpd_reply replies[] = {{OK_JSON, 0, 0}};
	const struct oauth_form_field fields[] = {{"client_id", "public"}};
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_http *http = new_handle();
	struct httpd h;

	CHECK_INT(httpd_start(&h, replies, 1), 0);
	CHECK_INT(
	    oauth_http_post_form(http, url_of(&h, "/d"), fields, 1, NULL, &resp, err, sizeof(err)),
	    OAUTH_OK);
	httpd_stop(&h);
	CHECK_STR(httpd_body(httpd_request(&h, 0)), "client_id=public");
	CHECK(!httpd_has_header_name(httpd_request(&h, 0), "Authorization"));
	oauth_http_response_free(&resp);
	oauth_http_free(http);
	httpd_free(&h);
}

static void
test_body_over_cap_is_protocol_error(void)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n";
	size_t n = sizeof(head) - 1 + OAUTH_HTTP_MAX_BODY + 100;
	char *raw = malloc(n + 1);
	struct httpd_reply replies[1];
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_http *http = new_handle();
	struct httpd h;

	/* No Content-Length: the cap must hold while bytes stream in, not only up front. */
	memcpy(raw, head, sizeof(head) - 1);
	memset(raw + sizeof(head) - 1, 'x', n - (sizeof(head) - 1));
	raw[n] = '\0';
	replies[0].raw = raw;
	replies[0].len = n;
	replies[0].close = 1;
	CHECK_INT(httpd_start(&h, replies, 1), 0);
	CHECK_INT(oauth_http_get(http, url_of(&h, "/big"), NULL, &resp, err, sizeof(err)),
	          OAUTH_PROTOCOL);
	CHECK(strstr(err, "larger than") != NULL);
	CHECK(resp.body == NULL);
	oauth_http_free(http);
	httpd_free(&h);
	free(raw);
}

static void
test_declared_length_over_cap_is_protocol_error(void)
{
	static const struct httpd_reply replies[] = {
	    {"HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n{", 0, 1}};
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_http *http = new_handle();
	struct httpd h;

	CHECK_INT(httpd_start(&h, replies, 1), 0);
	CHECK_INT(oauth_http_get(http, url_of(&h, "/"), NULL, &resp, err, sizeof(err)),
	          OAUTH_PROTOCOL);
	oauth_http_free(http);
	httpd_free(&h);
}

static void
test_body_at_cap_is_accepted(void)
{
	char head[128];
	size_t hl, n;
	char *raw;
	struct httpd_reply replies[1];
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_http *http = new_handle();
	struct httpd h;

	hl = (size_t)snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n",
	                      OAUTH_HTTP_MAX_BODY);
	n = hl + OAUTH_HTTP_MAX_BODY;
	raw = malloc(n + 1);
	memcpy(raw, head, hl);
	memset(raw + hl, 'y', OAUTH_HTTP_MAX_BODY);
	raw[n] = '\0';
	replies[0].raw = raw;
	replies[0].len = n;
	replies[0].close = 0;
	CHECK_INT(httpd_start(&h, replies, 1), 0);
	CHECK_INT(oauth_http_get(http, url_of(&h, "/"), NULL, &resp, err, sizeof(err)), OAUTH_OK);
	CHECK_INT(resp.len, OAUTH_HTTP_MAX_BODY);
	CHECK(resp.body != NULL && resp.body[OAUTH_HTTP_MAX_BODY] == '\0');
	oauth_http_response_free(&resp);
	oauth_http_free(http);
	httpd_free(&h);
	free(raw);
}

static void
test_header_flood_is_refused(void)
{
	static const char head[] = "HTTP/1.1 200 OK\r\n";
	static const char tail[] = "Content-Length: 2\r\n\r\n{}";
	char line[1002];
	size_t i, n = 0, cap = 100 * 1024;
	char *raw = malloc(cap);
	struct httpd_reply replies[1];
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_http *http = new_handle();
	struct httpd h;

	memset(line, 'h', sizeof(line));
	memcpy(line, "X-Pad: ", 7);
	memcpy(line + sizeof(line) - 2, "\r\n", 2);
	memcpy(raw, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	for (i = 0; i < 80; i++) { /* 80 KB of headers, each line well under curl's own limit */
		memcpy(raw + n, line, sizeof(line));
		n += sizeof(line);
	}
	memcpy(raw + n, tail, sizeof(tail));
	n += sizeof(tail) - 1;
	replies[0].raw = raw;
	replies[0].len = n;
	replies[0].close = 1;
	CHECK_INT(httpd_start(&h, replies, 1), 0);
	CHECK_INT(oauth_http_get(http, url_of(&h, "/"), NULL, &resp, err, sizeof(err)),
	          OAUTH_PROTOCOL);
	CHECK(strstr(err, "headers") != NULL);
	oauth_http_free(http);
	httpd_free(&h);
	free(raw);
}

static void
test_silent_server_times_out_unavailable(void)
{
	static const struct httpd_reply replies[] = {{NULL, 0, 0}};
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_http *http = new_handle();
	struct timespec t0;
	struct httpd h;
	double took;

	CHECK_INT(httpd_start(&h, replies, 1), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(oauth_http_get(http, url_of(&h, "/"), NULL, &resp, err, sizeof(err)),
	          OAUTH_UNAVAILABLE);
	took = seconds_since(&t0);
	CHECK(took >= TEST_TIMEOUT - 0.2 && took < TEST_TIMEOUT + 2.0);
	CHECK(err[0] != '\0');
	CHECK(resp.body == NULL);
	oauth_http_free(http);
	httpd_free(&h);
}

static void
test_connection_refused_is_unavailable(void)
{
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "", url[64];
	struct oauth_http *http = new_handle();

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", httpd_refusing_port());
	CHECK_INT(oauth_http_get(http, url, NULL, &resp, err, sizeof(err)), OAUTH_UNAVAILABLE);
	CHECK(strstr(err, "127.0.0.1") != NULL);
	oauth_http_free(http);
}

static void
test_redirect_is_not_followed(void)
{
	static char reply[256];
	struct httpd_reply replies[2] = {{reply, 0, 0}, {OK_JSON, 0, 0}};
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_http *http = new_handle();
	struct httpd h;

	CHECK_INT(httpd_start(&h, replies, 2), 0);
	snprintf(reply, sizeof(reply),
	         "HTTP/1.1 302 Found\r\nLocation: %s/elsewhere\r\nContent-Length: 0\r\n\r\n",
	         h.base);
	CHECK_INT(oauth_http_get(http, url_of(&h, "/start"), NULL, &resp, err, sizeof(err)),
	          OAUTH_OK);
	CHECK_INT(resp.status, 302);
	CHECK_STR(resp.body, "");
	httpd_stop(&h);
	CHECK_INT(httpd_nrequests(&h), 1);
	oauth_http_response_free(&resp);
	oauth_http_free(http);
	httpd_free(&h);
}

static void
test_retry_after_content_type_and_date_are_read(void)
{
	static const struct httpd_reply replies[] = {
	    {"HTTP/1.1 429 Too Many\r\nContent-Type:  text/plain; charset=utf-8 \r\n"
	     "Retry-After: 7\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 4\r\n\r\n"
	     "slow",
	     0, 0},
	    {"HTTP/1.1 503 Busy\r\nRetry-After: Fri, 31 Dec 1999 23:59:59 GMT\r\n"
	     "Content-Length: 0\r\n\r\n",
	     0, 0},
	    {"HTTP/1.1 503 Busy\r\nRetry-After: 99999999999999999999\r\nDate: garbage\r\n"
	     "Content-Length: 0\r\n\r\n",
	     0, 0},
	};
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_http *http = new_handle();
	struct httpd h;

	CHECK_INT(httpd_start(&h, replies, 3), 0);
	CHECK_INT(oauth_http_get(http, url_of(&h, "/"), NULL, &resp, err, sizeof(err)), OAUTH_OK);
	CHECK_INT(resp.status, 429);
	CHECK_INT(resp.retry_after, 7);
	CHECK_INT(resp.date, 784111777);
	CHECK_STR(resp.content_type, "text/plain; charset=utf-8");
	CHECK_STR(resp.body, "slow");
	oauth_http_response_free(&resp);
	/* An HTTP-date Retry-After is not read (seconds only). */
	CHECK_INT(oauth_http_get(http, url_of(&h, "/"), NULL, &resp, err, sizeof(err)), OAUTH_OK);
	CHECK_INT(resp.status, 503);
	CHECK_INT(resp.retry_after, -1);
	CHECK_INT(resp.date, -1);
	CHECK(resp.content_type == NULL);
	oauth_http_response_free(&resp);
	/* A huge one is bounded; a bad Date is absent. */
	CHECK_INT(oauth_http_get(http, url_of(&h, "/"), NULL, &resp, err, sizeof(err)), OAUTH_OK);
	CHECK(resp.retry_after > 0 && resp.retry_after <= 3600);
	CHECK_INT(resp.date, -1);
	oauth_http_response_free(&resp);
	oauth_http_free(http);
	httpd_free(&h);
}

static void
test_disallowed_urls_are_refused_without_connecting(void)
{
	static const char *const bad[] = {
	    "http://example.com/token", "http://192.0.2.1/token",           "ftp://127.0.0.1/",
	    "file:///etc/passwd",       "https://user:pw@idp.example.com/", "gopher://127.0.0.1/",
	};
	const struct oauth_form_field fields[] = {{"a", "b"}};
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE];
	struct oauth_http *http = new_handle();
	struct timespec t0;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t_case = bad[i];
		err[0] = '\0';
		CHECK_INT(oauth_http_get(http, bad[i], NULL, &resp, err, sizeof(err)),
		          OAUTH_CONFIG);
		CHECK(strstr(err, "refusing") != NULL);
		CHECK_INT(
		    oauth_http_post_form(http, bad[i], fields, 1, NULL, &resp, err, sizeof(err)),
		    OAUTH_CONFIG);
	}
	/* 192.0.2.1 is unroutable: a connection attempt would take the full second. */
	CHECK(seconds_since(&t0) < 0.5);
	oauth_http_free(http);
}

static void
test_environment_proxies_are_ignored(void)
{
	static const struct httpd_reply proxied[] = {
	    {"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n\"proxied\"", 0, 0}};
	static const struct httpd_reply direct[] = {{OK_JSON, 0, 0}};
	static const char *const vars[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
	                                   "HTTPS_PROXY", "all_proxy",  "ALL_PROXY"};
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_http *http;
	struct httpd proxy, h;
	size_t i;

	CHECK_INT(httpd_start(&proxy, proxied, 1), 0);
	CHECK_INT(httpd_start(&h, direct, 1), 0);
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		setenv(vars[i], proxy.base, 1);
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
	http = new_handle();
	CHECK_INT(oauth_http_get(http, url_of(&h, "/"), NULL, &resp, err, sizeof(err)), OAUTH_OK);
	CHECK_STR(resp.body, "{\"a\":\"ok\"}\n");
	httpd_stop(&proxy);
	httpd_stop(&h);
	CHECK_INT(httpd_accepted(&proxy), 0);
	CHECK_INT(httpd_nrequests(&h), 1);
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	oauth_http_response_free(&resp);
	oauth_http_free(http);
	httpd_free(&proxy);
	httpd_free(&h);
}

/* opts.proxy carries the request even when the environment says no_proxy=*. */
static void
test_configured_proxy_carries_the_request(void)
{
	static const struct httpd_reply proxied[] = {{OK_JSON, 0, 0}};
	struct oauth_http_opts popts = opts;
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "", want[128];
	struct oauth_http *http = NULL;
	struct httpd proxy;
	int port = httpd_refusing_port();

	CHECK_INT(httpd_start(&proxy, proxied, 1), 0);
	popts.proxy = proxy.base;
	setenv("no_proxy", "*", 1);
	CHECK_INT(oauth_http_new(&http, &popts, err, sizeof(err)), OAUTH_OK);
	snprintf(want, sizeof(want), "http://127.0.0.1:%d/token", port);
	CHECK_INT(oauth_http_get(http, want, NULL, &resp, err, sizeof(err)), OAUTH_OK);
	CHECK_STR(resp.body, "{\"a\":\"ok\"}\n");
	httpd_stop(&proxy);
	unsetenv("no_proxy");
	CHECK_INT(httpd_nrequests(&proxy), 1);
	snprintf(want, sizeof(want), "GET http://127.0.0.1:%d/token HTTP/1.1\r\n", port);
	CHECK(httpd_request(&proxy, 0) != NULL &&
	      strncmp(httpd_request(&proxy, 0), want, strlen(want)) == 0);
	oauth_http_response_free(&resp);
	oauth_http_free(http);
	httpd_free(&proxy);
}

/* https goes through CONNECT, and the name is the proxy's to resolve, not ours. */
static void
test_configured_proxy_tunnels_https_with_connect(void)
{
	static const struct httpd_reply refusal[] = {
	    {"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", 0, 1}};
	static const char want[] = "CONNECT idp.invalid:443 HTTP/1.1\r\n";
	struct oauth_http_opts popts = opts;
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_http *http = NULL;
	struct httpd proxy;

	CHECK_INT(httpd_start(&proxy, refusal, 1), 0);
	popts.proxy = proxy.base;
	CHECK_INT(oauth_http_new(&http, &popts, err, sizeof(err)), OAUTH_OK);
	CHECK_INT(oauth_http_get(http, "https://idp.invalid/jwks", NULL, &resp, err, sizeof(err)),
	          OAUTH_UNAVAILABLE);
	httpd_stop(&proxy);
	CHECK_INT(httpd_nrequests(&proxy), 1);
	CHECK(httpd_request(&proxy, 0) != NULL &&
	      strncmp(httpd_request(&proxy, 0), want, sizeof(want) - 1) == 0);
	oauth_http_response_free(&resp);
	oauth_http_free(http);
	httpd_free(&proxy);
}

/* opts.no_proxy exempts a host from the configured proxy. */
static void
test_configured_no_proxy_goes_direct(void)
{
	static const struct httpd_reply proxied[] = {{OK_JSON, 0, 0}};
	static const struct httpd_reply direct[] = {{OK_JSON, 0, 0}};
	struct oauth_http_opts popts = opts;
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_http *http = NULL;
	struct httpd proxy, h;

	CHECK_INT(httpd_start(&proxy, proxied, 1), 0);
	CHECK_INT(httpd_start(&h, direct, 1), 0);
	popts.proxy = proxy.base;
	popts.no_proxy = "127.0.0.1";
	CHECK_INT(oauth_http_new(&http, &popts, err, sizeof(err)), OAUTH_OK);
	CHECK_INT(oauth_http_get(http, url_of(&h, "/"), NULL, &resp, err, sizeof(err)), OAUTH_OK);
	httpd_stop(&proxy);
	httpd_stop(&h);
	CHECK_INT(httpd_accepted(&proxy), 0);
	CHECK_INT(httpd_nrequests(&h), 1);
	oauth_http_response_free(&resp);
	oauth_http_free(http);
	httpd_free(&proxy);
	httpd_free(&h);
}

static void
test_two_requests_share_one_connection(void)
{
	static const struct httpd_reply replies[] = {{OK_JSON, 0, 0}, {OK_JSON, 0, 0}};
	const struct oauth_form_field fields[] = {{"device_code", "x"}};
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_http *http = new_handle();
	struct httpd h;

	CHECK_INT(httpd_start(&h, replies, 2), 0);
	CHECK_INT(
	    oauth_http_post_form(http, url_of(&h, "/t"), fields, 1, NULL, &resp, err, sizeof(err)),
	    OAUTH_OK);
	oauth_http_response_free(&resp);
	CHECK_INT(
	    oauth_http_post_form(http, url_of(&h, "/t"), fields, 1, NULL, &resp, err, sizeof(err)),
	    OAUTH_OK);
	oauth_http_response_free(&resp);
	httpd_stop(&h);
	CHECK_INT(httpd_nrequests(&h), 2);
	CHECK_INT(httpd_accepted(&h), 1);
	oauth_http_free(http);
	httpd_free(&h);
}

static void
test_bearer_header_on_get_and_not_after(void)
{
	static const struct httpd_reply replies[] = {
	    {OK_JSON, 0, 0}, {OK_JSON, 0, 0}, {OK_JSON, 0, 0}};
	const struct oauth_form_field fields[] = {{"client_id", "c"}};
	const struct oauth_http_auth auth = {"c", "s"};
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_http *http = new_handle();
	struct httpd h;
	const char *req;

	CHECK_INT(httpd_start(&h, replies, 3), 0);
	CHECK_INT(
	    oauth_http_get(http, url_of(&h, "/userinfo"), "tok.en-123", &resp, err, sizeof(err)),
	    OAUTH_OK);
	oauth_http_response_free(&resp);
	CHECK_INT(
	    oauth_http_post_form(http, url_of(&h, "/t"), fields, 1, &auth, &resp, err, sizeof(err)),
	    OAUTH_OK);
	oauth_http_response_free(&resp);
	/* Neither the bearer nor the Basic credential may carry into a later request. */
	CHECK_INT(oauth_http_get(http, url_of(&h, "/jwks"), NULL, &resp, err, sizeof(err)),
	          OAUTH_OK);
	oauth_http_response_free(&resp);
	httpd_stop(&h);
	req = httpd_request(&h, 0);
	CHECK(req != NULL && strncmp(req, "GET /userinfo HTTP/1.1\r\n", 24) == 0);
	CHECK(httpd_has_header(req, "Authorization: Bearer tok.en-123"));
	req = httpd_request(&h, 1);
	CHECK(req != NULL && strncmp(req, "POST /t ", 8) == 0);
	CHECK(httpd_has_header(req, "Authorization: Basic Yzpz"));
	req = httpd_request(&h, 2);
	CHECK(req != NULL && strncmp(req, "GET /jwks HTTP/1.1\r\n", 20) == 0);
	CHECK(!httpd_has_header_name(req, "Authorization"));
	CHECK_STR(httpd_body(req), "");
	oauth_http_free(http);
	httpd_free(&h);
}

static void
test_bearer_with_line_break_is_refused(void)
{
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_http *http = new_handle();

	CHECK_INT(
	    oauth_http_get(http, "http://127.0.0.1:1/", "a\r\nX-Evil: 1", &resp, err, sizeof(err)),
	    OAUTH_PROTOCOL);
	oauth_http_free(http);
}

static void
test_bad_options_and_null_handle(void)
{
	const struct oauth_http_opts bad = {.timeout = -1};
	struct oauth_http_response resp;
	struct oauth_http *http = (void *)&resp;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(oauth_http_new(&http, &bad, err, sizeof(err)), OAUTH_CONFIG);
	CHECK(http == NULL);
	CHECK_INT(oauth_http_get(NULL, "https://idp.example.com/", NULL, &resp, err, sizeof(err)),
	          OAUTH_CONFIG);
	oauth_http_free(NULL);
	oauth_http_response_free(NULL);
	CHECK_INT(oauth_http_global_init(err, sizeof(err)), OAUTH_OK);
	CHECK_INT(oauth_http_global_init(err, sizeof(err)), OAUTH_OK);
}

int
main(void)
{
	RUN(test_form_body_and_basic_header_are_escaped_exactly);
	RUN(test_post_without_auth_sends_no_authorization);
	RUN(test_body_over_cap_is_protocol_error);
	RUN(test_declared_length_over_cap_is_protocol_error);
	RUN(test_body_at_cap_is_accepted);
	RUN(test_header_flood_is_refused);
	RUN(test_silent_server_times_out_unavailable);
	RUN(test_connection_refused_is_unavailable);
	RUN(test_redirect_is_not_followed);
	RUN(test_retry_after_content_type_and_date_are_read);
	RUN(test_disallowed_urls_are_refused_without_connecting);
	RUN(test_environment_proxies_are_ignored);
	RUN(test_configured_proxy_carries_the_request);
	RUN(test_configured_proxy_tunnels_https_with_connect);
	RUN(test_configured_no_proxy_goes_direct);
	RUN(test_two_requests_share_one_connection);
	RUN(test_bearer_header_on_get_and_not_after);
	RUN(test_bearer_with_line_break_is_refused);
	RUN(test_bad_options_and_null_handle);
	return T_DONE();
}
