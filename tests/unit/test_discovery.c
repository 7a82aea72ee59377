/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of OIDC discovery: exact issuer, allowed endpoints, overrides, fetching. */
#include "build_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery.h"
#include "httpd.h"
#include "testutil.h"

#define ISS "https://idp.example.com/realms/x"
/* A writable copy of a literal for struct oauth_config's char * members (block lifetime). */
#define S(lit) ((char[]){lit})

#define GOOD_DOC                                                                                   \
	"{\"issuer\":\"" ISS "\","                                                                 \
	"\"device_authorization_endpoint\":\"" ISS "/device\","                                    \
	"\"token_endpoint\":\"" ISS "/token\",\"userinfo_endpoint\":\"" ISS "/me\","               \
	"\"jwks_uri\":\"" ISS "/certs\",\"response_types_supported\":[\"code\"]}"

static enum oauth_status
parse_doc(const char *doc, const char *issuer, struct oauth_endpoints *ep, char *err, size_t n)
{
	return oauth_discovery_parse(doc, strlen(doc), issuer, ep, err, n);
}

static void
test_parse_good_document(void)
{
	struct oauth_endpoints ep;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(parse_doc(GOOD_DOC, ISS, &ep, err, sizeof(err)), OAUTH_OK);
	CHECK_STR(ep.issuer, ISS);
	CHECK_STR(ep.device_authorization_endpoint, ISS "/device");
	CHECK_STR(ep.token_endpoint, ISS "/token");
	CHECK_STR(ep.userinfo_endpoint, ISS "/me");
	CHECK_STR(ep.jwks_uri, ISS "/certs");
	oauth_endpoints_free(&ep);
	CHECK(ep.issuer == NULL && ep.token_endpoint == NULL);
	oauth_endpoints_free(NULL);
}

struct issuer_case {
	const char *name;
	const char *configured;
	const char *doc_issuer;
};

static const struct issuer_case issuer_cases[] = {
    {"other host", ISS, "https://evil.example.com/realms/x"},
    {"trailing slash in document", ISS, ISS "/"},
    {"trailing slash configured", ISS "/", ISS},
    {"case differs", ISS, "https://IDP.example.com/realms/x"},
    {"prefix only", ISS, "https://idp.example.com/realms"},
    {"http instead of https", ISS, "http://idp.example.com/realms/x"},
};

static void
test_issuer_mismatch_is_refused(void)
{
	char doc[512], err[OAUTH_ERR_SIZE];
	struct oauth_endpoints ep;
	size_t i;

	for (i = 0; i < sizeof(issuer_cases) / sizeof(issuer_cases[0]); i++) {
		t_case = issuer_cases[i].name;
		snprintf(doc, sizeof(doc),
		         "{\"issuer\":\"%s\",\"device_authorization_endpoint\":\"" ISS
		         "/device\",\"token_endpoint\":\"" ISS "/token\"}",
		         issuer_cases[i].doc_issuer);
		err[0] = '\0';
		CHECK_INT(parse_doc(doc, issuer_cases[i].configured, &ep, err, sizeof(err)),
		          OAUTH_PROTOCOL);
		CHECK(strstr(err, "issuer") != NULL);
		CHECK(ep.device_authorization_endpoint == NULL);
	}
}

struct doc_case {
	const char *name;
	const char *doc;
	enum oauth_status want;
};

static const struct doc_case doc_cases[] = {
    {"no issuer member",
     "{\"device_authorization_endpoint\":\"" ISS "/d\","
     "\"token_endpoint\":\"" ISS "/t\"}",
     OAUTH_PROTOCOL},
    {"issuer not a string", "{\"issuer\":7}", OAUTH_PROTOCOL},
    {"no device endpoint", "{\"issuer\":\"" ISS "\",\"token_endpoint\":\"" ISS "/t\"}",
     OAUTH_PROTOCOL},
    {"no token endpoint",
     "{\"issuer\":\"" ISS "\",\"device_authorization_endpoint\":\"" ISS "/d\"}", OAUTH_PROTOCOL},
    {"token endpoint a number",
     "{\"issuer\":\"" ISS "\",\"device_authorization_endpoint\":\"" ISS
     "/d\",\"token_endpoint\":5}",
     OAUTH_PROTOCOL},
    {"http token endpoint on remote host",
     "{\"issuer\":\"" ISS "\",\"device_authorization_endpoint\":\"" ISS
     "/d\",\"token_endpoint\":\"http://idp.example.com/t\"}",
     OAUTH_PROTOCOL},
    {"http jwks on remote host",
     "{\"issuer\":\"" ISS "\",\"device_authorization_endpoint\":\"" ISS
     "/d\",\"token_endpoint\":\"" ISS "/t\",\"jwks_uri\":\"http://idp.example.com/k\"}",
     OAUTH_PROTOCOL},
    {"javascript userinfo",
     "{\"issuer\":\"" ISS "\",\"device_authorization_endpoint\":\"" ISS
     "/d\",\"token_endpoint\":\"" ISS "/t\",\"userinfo_endpoint\":\"javascript:alert(1)\"}",
     OAUTH_PROTOCOL},
    {"http loopback endpoints are fine",
     "{\"issuer\":\"" ISS "\",\"device_authorization_endpoint\":\"http://127.0.0.1:9/d\","
     "\"token_endpoint\":\"http://localhost:9/t\"}",
     OAUTH_OK},
    {"not JSON", "<html>nope</html>", OAUTH_PROTOCOL},
    {"array root", "[]", OAUTH_PROTOCOL},
    {"duplicate token endpoint",
     "{\"issuer\":\"" ISS "\",\"device_authorization_endpoint\":\"" ISS
     "/d\",\"token_endpoint\":\"" ISS "/t\",\"token_endpoint\":\"https://evil.example/t\"}",
     OAUTH_PROTOCOL},
};

static void
test_document_table(void)
{
	struct oauth_endpoints ep;
	char err[OAUTH_ERR_SIZE];
	size_t i;

	for (i = 0; i < sizeof(doc_cases) / sizeof(doc_cases[0]); i++) {
		t_case = doc_cases[i].name;
		err[0] = '\0';
		CHECK_INT(parse_doc(doc_cases[i].doc, ISS, &ep, err, sizeof(err)),
		          doc_cases[i].want);
		if (doc_cases[i].want != OAUTH_OK) {
			CHECK(err[0] != '\0');
			CHECK(ep.issuer == NULL && ep.token_endpoint == NULL);
		}
		oauth_endpoints_free(&ep);
	}
}

static void
test_parse_required_set_allows_missing_endpoints(void)
{
	const char *doc = "{\"issuer\":\"" ISS "\",\"jwks_uri\":\"" ISS "/certs\"}";
	struct oauth_endpoints ep;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(oauth_discovery_parse_required(doc, strlen(doc), ISS, OAUTH_EP_JWKS, &ep, err,
	                                         sizeof(err)),
	          OAUTH_OK);
	CHECK_STR(ep.jwks_uri, ISS "/certs");
	CHECK(ep.token_endpoint == NULL);
	oauth_endpoints_free(&ep);
	CHECK_INT(oauth_discovery_parse_required(doc, strlen(doc), ISS, OAUTH_EP_USERINFO, &ep, err,
	                                         sizeof(err)),
	          OAUTH_PROTOCOL);
	CHECK_INT(oauth_discovery_parse_required(doc, strlen(doc), NULL, 0, &ep, err, sizeof(err)),
	          OAUTH_CONFIG);
}

struct url_case {
	const char *issuer;
	enum oauth_status want;
	const char *url;
};

static const struct url_case url_cases[] = {
    {"https://idp.example.com", OAUTH_OK,
     "https://idp.example.com/.well-known/openid-configuration"},
    {"https://idp.example.com/", OAUTH_OK,
     "https://idp.example.com/.well-known/openid-configuration"},
    {"https://idp.example.com/realms/x/", OAUTH_OK,
     "https://idp.example.com/realms/x/.well-known/openid-configuration"},
    {"https://idp.example.com/realms/x", OAUTH_OK,
     "https://idp.example.com/realms/x/.well-known/openid-configuration"},
    {"http://idp.example.com", OAUTH_CONFIG, NULL},
    {"https://idp.example.com/?a=b", OAUTH_CONFIG, NULL},
    {"https://idp.example.com/#frag", OAUTH_CONFIG, NULL},
    {"idp.example.com", OAUTH_CONFIG, NULL},
};

static void
test_discovery_url_drops_one_trailing_slash(void)
{
	char err[OAUTH_ERR_SIZE];
	char *url;
	size_t i;

	for (i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++) {
		t_case = url_cases[i].issuer;
		CHECK_INT(oauth_discovery_url(url_cases[i].issuer, &url, err, sizeof(err)),
		          url_cases[i].want);
		CHECK_STR(url, url_cases[i].url);
		free(url);
	}
}

static void
test_resolve_with_overrides_needs_no_fetch(void)
{
	struct oauth_config cfg;
	struct oauth_endpoints ep;
	char err[OAUTH_ERR_SIZE] = "";

	memset(&cfg, 0, sizeof(cfg));
	cfg.issuer = S(ISS);
	cfg.device_authorization_endpoint = S("https://idp.example.com/d");
	cfg.token_endpoint = S("https://idp.example.com/t");
	cfg.jwks_uri = S("https://idp.example.com/k");
	CHECK_INT(oauth_discovery_resolve(&cfg, NULL, &ep, err, sizeof(err)), OAUTH_OK);
	CHECK_STR(ep.issuer, ISS);
	CHECK_STR(ep.device_authorization_endpoint, "https://idp.example.com/d");
	CHECK_STR(ep.token_endpoint, "https://idp.example.com/t");
	CHECK_STR(ep.jwks_uri, "https://idp.example.com/k");
	CHECK(ep.userinfo_endpoint == NULL);
	oauth_endpoints_free(&ep);

	/* A non-OpenID provider (GitHub): no issuer, no JWKS needed. */
	cfg.issuer = NULL;
	cfg.jwks_uri = NULL;
	cfg.userinfo_endpoint = S("https://api.github.com/user");
	CHECK_INT(oauth_discovery_resolve(&cfg, NULL, &ep, err, sizeof(err)), OAUTH_OK);
	CHECK(ep.issuer == NULL);
	CHECK_STR(ep.userinfo_endpoint, "https://api.github.com/user");
	oauth_endpoints_free(&ep);
}

static void
test_resolve_without_issuer_or_endpoints_is_config_error(void)
{
	struct oauth_config cfg;
	struct oauth_endpoints ep;
	char err[OAUTH_ERR_SIZE] = "";

	memset(&cfg, 0, sizeof(cfg));
	cfg.token_endpoint = S("https://idp.example.com/t");
	CHECK_INT(oauth_discovery_resolve(&cfg, NULL, &ep, err, sizeof(err)), OAUTH_CONFIG);
	CHECK(strstr(err, "issuer") != NULL);
	CHECK(ep.token_endpoint == NULL);
	/* An issuer but no handle to fetch with. */
	cfg.issuer = S(ISS);
	CHECK_INT(oauth_discovery_resolve(&cfg, NULL, &ep, err, sizeof(err)), OAUTH_CONFIG);
	/* A plain-http override on a remote host is refused. */
	cfg.device_authorization_endpoint = S("http://idp.example.com/d");
	cfg.jwks_uri = S("https://idp.example.com/k");
	CHECK_INT(oauth_discovery_resolve(&cfg, NULL, &ep, err, sizeof(err)), OAUTH_CONFIG);
	CHECK(strstr(err, "device_authorization_endpoint") != NULL);
}

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

static void
test_resolve_fetches_and_config_wins(void)
{
	static char reply[2048], doc[1024], issuer[128];
	struct httpd_reply replies[1] = {{reply, 0, 0}};
	struct oauth_http *http = new_handle();
	struct oauth_config cfg;
	struct oauth_endpoints ep;
	char err[OAUTH_ERR_SIZE] = "";
	struct httpd h;
	int n;

	CHECK_INT(httpd_start(&h, replies, 1), 0);
	/* An issuer with a path and a trailing slash, as Auth0 has. */
	snprintf(issuer, sizeof(issuer), "%s/tenant/", h.base);
	n = snprintf(doc, sizeof(doc),
	             "{\"issuer\":\"%s\",\"device_authorization_endpoint\":\"%sdevice\","
	             "\"token_endpoint\":\"%stoken\",\"userinfo_endpoint\":\"%sme\","
	             "\"jwks_uri\":\"%scerts\"}",
	             issuer, issuer, issuer, issuer, issuer);
	snprintf(
	    reply, sizeof(reply),
	    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", n,
	    doc);
	memset(&cfg, 0, sizeof(cfg));
	cfg.issuer = issuer;
	cfg.token_endpoint = S("https://override.example.com/token");
	CHECK_INT(oauth_discovery_resolve(&cfg, http, &ep, err, sizeof(err)), OAUTH_OK);
	httpd_stop(&h);
	CHECK(httpd_request(&h, 0) != NULL &&
	      strncmp(httpd_request(&h, 0),
	              "GET /tenant/.well-known/openid-configuration HTTP/1.1\r\n", 55) == 0);
	CHECK_STR(ep.issuer, issuer);
	CHECK_STR(ep.token_endpoint, "https://override.example.com/token");
	CHECK(ep.device_authorization_endpoint != NULL &&
	      strstr(ep.device_authorization_endpoint, "/tenant/device") != NULL);
	CHECK(ep.jwks_uri != NULL && strstr(ep.jwks_uri, "/tenant/certs") != NULL);
	CHECK(ep.userinfo_endpoint != NULL && strstr(ep.userinfo_endpoint, "/tenant/me") != NULL);
	oauth_endpoints_free(&ep);
	oauth_http_free(http);
	httpd_free(&h);
}

struct status_case {
	const char *name;
	const char *reply;
	enum oauth_status want;
};

static const struct status_case status_cases[] = {
    {"503", "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n", OAUTH_UNAVAILABLE},
    {"500 with JSON", "HTTP/1.1 500 Oops\r\nContent-Length: 2\r\n\r\n{}", OAUTH_UNAVAILABLE},
    {"404: nothing at the issuer, so issuer is wrong",
     "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", OAUTH_CONFIG},
    {"302", "HTTP/1.1 302 Found\r\nLocation: https://evil.example/\r\nContent-Length: 0\r\n\r\n",
     OAUTH_PROTOCOL},
    {"200 HTML", "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n<html>", OAUTH_PROTOCOL},
};

static void
test_resolve_failures_are_classified(void)
{
	struct httpd_reply replies[1] = {{NULL, 0, 1}};
	struct oauth_config cfg;
	struct oauth_endpoints ep;
	char err[OAUTH_ERR_SIZE], issuer[128];
	struct oauth_http *http;
	struct httpd h;
	size_t i;

	for (i = 0; i < sizeof(status_cases) / sizeof(status_cases[0]); i++) {
		t_case = status_cases[i].name;
		replies[0].raw = status_cases[i].reply;
		http = new_handle();
		CHECK_INT(httpd_start(&h, replies, 1), 0);
		snprintf(issuer, sizeof(issuer), "%s/x", h.base);
		memset(&cfg, 0, sizeof(cfg));
		cfg.issuer = issuer;
		err[0] = '\0';
		CHECK_INT(oauth_discovery_resolve(&cfg, http, &ep, err, sizeof(err)),
		          status_cases[i].want);
		CHECK(err[0] != '\0');
		CHECK(ep.issuer == NULL && ep.token_endpoint == NULL);
		oauth_http_free(http);
		httpd_free(&h);
	}
}

/* The message names the provider's error and the URL asked, for the admin to try by hand. */
static void
test_resolve_failure_says_error_and_url(void)
{
	struct httpd_reply replies[1] = {
	    {"HTTP/1.1 400 Bad\r\nContent-Type: application/json\r\nContent-Length: 59\r\n\r\n"
	     "{\"error\":\"invalid_request\",\"error_description\":\"no tenant\"}",
	     0, 1}};
	struct oauth_http *http = new_handle();
	struct oauth_config cfg;
	struct oauth_endpoints ep;
	char err[OAUTH_ERR_SIZE] = "", issuer[128], want[OAUTH_ERR_SIZE];
	struct httpd h;

	CHECK_INT(httpd_start(&h, replies, 1), 0);
	snprintf(issuer, sizeof(issuer), "%s/x", h.base);
	memset(&cfg, 0, sizeof(cfg));
	cfg.issuer = issuer;
	CHECK_INT(oauth_discovery_resolve(&cfg, http, &ep, err, sizeof(err)), OAUTH_PROTOCOL);
	snprintf(want, sizeof(want),
	         "discovery: HTTP 400: invalid_request (no tenant) from "
	         "%s/.well-known/openid-configuration",
	         issuer);
	CHECK_STR(err, want);
	oauth_http_free(http);
	httpd_free(&h);
}

static void
test_resolve_unreachable_is_unavailable(void)
{
	struct oauth_http *http = new_handle();
	struct oauth_config cfg;
	struct oauth_endpoints ep;
	char err[OAUTH_ERR_SIZE] = "", issuer[64];

	snprintf(issuer, sizeof(issuer), "http://127.0.0.1:%d", httpd_refusing_port());
	memset(&cfg, 0, sizeof(cfg));
	cfg.issuer = issuer;
	CHECK_INT(oauth_discovery_resolve(&cfg, http, &ep, err, sizeof(err)), OAUTH_UNAVAILABLE);
	oauth_http_free(http);
}

int
main(void)
{
	RUN(test_parse_good_document);
	RUN(test_issuer_mismatch_is_refused);
	RUN(test_document_table);
	RUN(test_parse_required_set_allows_missing_endpoints);
	RUN(test_discovery_url_drops_one_trailing_slash);
	RUN(test_resolve_with_overrides_needs_no_fetch);
	RUN(test_resolve_without_issuer_or_endpoints_is_config_error);
	RUN(test_resolve_fetches_and_config_wins);
	RUN(test_resolve_failures_are_classified);
	RUN(test_resolve_failure_says_error_and_url);
	RUN(test_resolve_unreachable_is_unavailable);
	return T_DONE();
}
