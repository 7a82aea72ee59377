/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* HTTP over libcurl: one handle per login, capped bodies, strict TLS, no ambient proxy. */
#include "build_config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "env.h"
#include "http.h"
#include "log.h"
#include "secret.h"
#include "url.h"

/* All response headers together beyond this are refused: real ones are under 4 KiB. */
#define MAX_HEADER_BYTES (64 * 1024)
/* A Retry-After above this many seconds is read as this: the poll loop caps it further. */
#define MAX_RETRY_AFTER 3600
/* Connect time-out when none is given, and the cap on the default: a login waits on it. */
#define DEFAULT_CONNECT_TIMEOUT 10
/* Whole-request time-out when none is given, in seconds. */
#define DEFAULT_TIMEOUT 10
/* Fewer than this many bytes per second ... */
#define LOW_SPEED_BYTES 16
/* ... for this many seconds (at most) ends a transfer: a trickling provider is cut early. */
#define LOW_SPEED_SECONDS 10
/* First allocation for a response body; it doubles up to OAUTH_HTTP_MAX_BODY. */
#define BODY_INITIAL 4096
/* Longest escaped "id:secret" for Basic auth: real ones are under 1 KiB; EVP takes an int. */
#define MAX_BASIC_CREDENTIALS (16 * 1024)
/* Longest Content-Type kept; a longer one is cut (it is only compared with a media type). */
#define MAX_CONTENT_TYPE 256

struct oauth_http {
	CURL *curl;                       /* owned */
	char errbuf[CURL_ERROR_SIZE];     /* curl writes its detail here */
	struct oauth_http_response *resp; /* borrowed: the answer being filled */
	char *buf;                        /* owned body under construction; wiped */
	size_t len, cap;
	size_t header_bytes;
	int body_too_big;
	int headers_too_big;
	int nomem; /* a callback ran out of memory */
};

/* Names the option that failed, like postgres's CHECK_SETOPT. */
#define CHECK_SETOPT(h, opt, val, err, errlen)                                                     \
	do {                                                                                       \
		CURLcode setopt_rc = curl_easy_setopt((h)->curl, opt, val);                        \
		if (setopt_rc != CURLE_OK) {                                                       \
			oauth_seterr(err, errlen, "curl_easy_setopt(%s) failed: %s", #opt,         \
			             curl_easy_strerror(setopt_rc));                               \
			rc = OAUTH_CONFIG;                                                         \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void
curl_init(void *arg)
{
	(void)arg;
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/*
 * curl_global_init() opens $SSLKEYLOGFILE for appending and has OpenSSL read
 * $OPENSSL_CONF: inside su or chsh those are the invoking user's, the
 * privileges root's. It runs with the environment hidden (env.h).
 */
static void
global_init_once(void)
{
	(void)oauth_env_run_hidden(curl_init, NULL);
}

enum oauth_status
oauth_http_global_init(char *err, size_t errlen)
{
	if (pthread_once(&global_once, global_init_once) != 0) {
		oauth_seterr(err, errlen, "pthread_once failed");
		return OAUTH_NOMEM;
	}
	if (global_rc != CURLE_OK) {
		oauth_seterr(err, errlen, "curl_global_init failed: %s",
		             curl_easy_strerror(global_rc));
		return OAUTH_NOMEM;
	}
	return OAUTH_OK;
}

void
oauth_http_response_free(struct oauth_http_response *resp)
{
	if (resp == NULL)
		return;
	if (resp->body != NULL) {
		oauth_wipe(resp->body, resp->len);
		free(resp->body);
	}
	free(resp->content_type);
	memset(resp, 0, sizeof(*resp));
	resp->retry_after = -1;
	resp->date = -1;
}

static void
response_clear(struct oauth_http_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->retry_after = -1;
	resp->date = -1;
}

/* Releases the body under construction, wiping it: it may hold tokens. */
static void
drop_buf(struct oauth_http *http)
{
	if (http->buf != NULL) {
		oauth_wipe(http->buf, http->cap);
		free(http->buf);
	}
	http->buf = NULL;
	http->len = 0;
	http->cap = 0;
}

/* Grows the body buffer without realloc, so no unwiped copy of a token is left behind. */
static int
grow_buf(struct oauth_http *http, size_t need)
{
	size_t cap = http->cap ? http->cap : BODY_INITIAL;
	char *nbuf;

	while (cap < need)
		cap *= 2;
	if (cap > OAUTH_HTTP_MAX_BODY + 1)
		cap = OAUTH_HTTP_MAX_BODY + 1;
	nbuf = malloc(cap);
	if (nbuf == NULL)
		return -1;
	if (http->buf != NULL)
		memcpy(nbuf, http->buf, http->len);
	oauth_wipe(http->buf, http->cap);
	free(http->buf);
	http->buf = nbuf;
	http->cap = cap;
	return 0;
}

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct oauth_http *http = userdata;
	size_t n = size * nmemb;

	if (n > OAUTH_HTTP_MAX_BODY - http->len) {
		http->body_too_big = 1;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	/* One spare byte for the NUL the caller is promised. */
	if (http->len + n + 1 > http->cap && grow_buf(http, http->len + n + 1) != 0) {
		http->nomem = 1;
		return 0;
	}
	memcpy(http->buf + http->len, data, n);
	http->len += n;
	return n;
}

/* Trims blanks and CR/LF around a header value in place; returns the start. */
static char *
trim(char *s, size_t *len)
{
	while (*len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		(*len)--;
	}
	while (*len > 0 && strchr(" \t\r\n", s[*len - 1]) != NULL)
		(*len)--;
	return s;
}

/* Retry-After as delta-seconds only (RFC 9110 §10.2.3); an HTTP-date is ignored. */
static long
parse_retry_after(const char *v)
{
	char *end = NULL;
	long long n;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (end == v || *end != '\0')
		return -1;
	if (errno == ERANGE || n > MAX_RETRY_AFTER)
		return MAX_RETRY_AFTER;
	return (long)n;
}

/* Stores one header we care about; value is a NUL-terminated trimmed copy. */
static int
store_header(struct oauth_http_response *resp, const char *name, size_t namelen, const char *value)
{
	time_t t;

	if (namelen == 12 && strncasecmp(name, "Content-Type", 12) == 0) {
		free(resp->content_type);
		resp->content_type = strndup(value, MAX_CONTENT_TYPE);
		if (resp->content_type == NULL)
			return -1;
	} else if (namelen == 11 && strncasecmp(name, "Retry-After", 11) == 0) {
		resp->retry_after = parse_retry_after(value);
	} else if (namelen == 4 && strncasecmp(name, "Date", 4) == 0) {
		t = curl_getdate(value, NULL);
		resp->date = (t < 0) ? -1 : (long)t;
	}
	return 0;
}

static size_t
header_cb(char *data, size_t size, size_t nitems, void *userdata)
{
	struct oauth_http *http = userdata;
	struct oauth_http_response *resp = http->resp;
	size_t n = size * nitems, vlen;
	const char *colon;
	char *value = NULL, *v;
	int rc;

	http->header_bytes += n;
	if (http->header_bytes > MAX_HEADER_BYTES) {
		http->headers_too_big = 1;
		return 0;
	}
	/* A new status line (after 100 Continue, say): forget the earlier answer's headers. */
	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		free(resp->content_type);
		response_clear(resp);
		return n;
	}
	colon = memchr(data, ':', n);
	if (colon == NULL)
		return n;
	vlen = n - (size_t)(colon + 1 - data);
	value = malloc(vlen + 1);
	if (value == NULL) {
		http->nomem = 1;
		return 0;
	}
	memcpy(value, colon + 1, vlen);
	v = trim(value, &vlen);
	v[vlen] = '\0';
	rc = store_header(resp, data, (size_t)(colon - data), v);
	free(value);
	if (rc != 0) {
		http->nomem = 1;
		return 0;
	}
	return n;
}

/*
 * libcurl gives every TLS context it makes the key-log callback when it opened
 * a key-log file at initialisation, which the host program (or another module)
 * may have done with its own environment before the module ran. The TLS
 * secrets of a login are never written anywhere.
 */
static CURLcode
no_keylog(CURL *curl, void *ssl_ctx, void *arg)
{
	(void)curl;
	(void)arg;
	SSL_CTX_set_keylog_callback(ssl_ctx, NULL);
	return CURLE_OK;
}

/* Options that hold for every request on the handle. */
static enum oauth_status
set_fixed_options(struct oauth_http *http, const struct oauth_http_opts *opts, char *err,
                  size_t errlen)
{
	enum oauth_status rc = OAUTH_CONFIG;
	long timeout = opts->timeout > 0 ? opts->timeout : DEFAULT_TIMEOUT;
	long connect = opts->connect_timeout;
	long low_speed = timeout < LOW_SPEED_SECONDS ? timeout : LOW_SPEED_SECONDS;

	if (connect <= 0)
		connect = timeout < DEFAULT_CONNECT_TIMEOUT ? timeout : DEFAULT_CONNECT_TIMEOUT;
	CHECK_SETOPT(http, CURLOPT_NOSIGNAL, 1L, err, errlen);
#if LIBCURL_VERSION_NUM >= 0x075500
	CHECK_SETOPT(http, CURLOPT_PROTOCOLS_STR, "https,http", err, errlen);
	CHECK_SETOPT(http, CURLOPT_REDIR_PROTOCOLS_STR, "https,http", err, errlen);
#else
	CHECK_SETOPT(http, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTPS | CURLPROTO_HTTP), err,
	             errlen);
	CHECK_SETOPT(http, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTPS | CURLPROTO_HTTP), err,
	             errlen);
#endif
	/* A redirect is an answer we reject (not JSON), never a place we go. */
	CHECK_SETOPT(http, CURLOPT_FOLLOWLOCATION, 0L, err, errlen);
	/*
	 * A user's environment must not steer a login: "" disables https_proxy and
	 * friends, and a NOPROXY of "" keeps no_proxy from bypassing a configured proxy.
	 */
	CHECK_SETOPT(http, CURLOPT_PROXY, opts->proxy != NULL ? opts->proxy : "", err, errlen);
	CHECK_SETOPT(http, CURLOPT_NOPROXY, opts->no_proxy != NULL ? opts->no_proxy : "", err,
	             errlen);
	/* Never $HOME/.netrc (or $CURL_HOME's): credentials come from the config only. */
	CHECK_SETOPT(http, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED, err, errlen);
	/* Fails (CURLE_NOT_BUILT_IN) when libcurl does not use OpenSSL: refused, not ignored. */
	CHECK_SETOPT(http, CURLOPT_SSL_CTX_FUNCTION, no_keylog, err, errlen);
	CHECK_SETOPT(http, CURLOPT_SSL_VERIFYPEER, 1L, err, errlen);
	CHECK_SETOPT(http, CURLOPT_SSL_VERIFYHOST, 2L, err, errlen);
	CHECK_SETOPT(http, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2, err, errlen);
	if (opts->ca_file != NULL) {
		/* Only the configured bundle is trusted, not also the system's directory. */
		CHECK_SETOPT(http, CURLOPT_CAINFO, opts->ca_file, err, errlen);
		CHECK_SETOPT(http, CURLOPT_CAPATH, NULL, err, errlen);
	}
	CHECK_SETOPT(http, CURLOPT_TIMEOUT, timeout, err, errlen);
	CHECK_SETOPT(http, CURLOPT_CONNECTTIMEOUT, connect, err, errlen);
	CHECK_SETOPT(http, CURLOPT_LOW_SPEED_LIMIT, (long)LOW_SPEED_BYTES, err, errlen);
	CHECK_SETOPT(http, CURLOPT_LOW_SPEED_TIME, low_speed, err, errlen);
	CHECK_SETOPT(http, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)OAUTH_HTTP_MAX_BODY, err, errlen);
	CHECK_SETOPT(http, CURLOPT_WRITEFUNCTION, write_cb, err, errlen);
	CHECK_SETOPT(http, CURLOPT_WRITEDATA, http, err, errlen);
	CHECK_SETOPT(http, CURLOPT_HEADERFUNCTION, header_cb, err, errlen);
	CHECK_SETOPT(http, CURLOPT_HEADERDATA, http, err, errlen);
	CHECK_SETOPT(http, CURLOPT_USERAGENT, "pam_oauth/" PACKAGE_VERSION, err, errlen);
	CHECK_SETOPT(http, CURLOPT_ERRORBUFFER, http->errbuf, err, errlen);
	CHECK_SETOPT(http, CURLOPT_TCP_KEEPALIVE, 1L, err, errlen);
	rc = OAUTH_OK;
out:
	return rc;
}

enum oauth_status
oauth_http_new(struct oauth_http **out, const struct oauth_http_opts *opts, char *err,
               size_t errlen)
{
	enum oauth_status rc;
	struct oauth_http *http = NULL;

	*out = NULL;
	rc = oauth_http_global_init(err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	if (opts == NULL || opts->timeout < 0 || opts->connect_timeout < 0) {
		oauth_seterr(err, errlen, "invalid HTTP time-outs");
		rc = OAUTH_CONFIG;
		goto out;
	}
	rc = OAUTH_NOMEM;
	http = calloc(1, sizeof(*http));
	if (http != NULL)
		http->curl = curl_easy_init();
	if (http == NULL || http->curl == NULL) {
		oauth_seterr(err, errlen, "out of memory");
		goto out;
	}
	rc = set_fixed_options(http, opts, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	*out = http;
	http = NULL;
	rc = OAUTH_OK;
out:
	oauth_http_free(http);
	return rc;
}

void
oauth_http_free(struct oauth_http *http)
{
	if (http == NULL)
		return;
	drop_buf(http);
	if (http->curl != NULL)
		curl_easy_cleanup(http->curl);
	free(http);
}

/* Wipes each header line (one may carry a credential) and frees the list. */
static void
free_headers(struct curl_slist *list)
{
	struct curl_slist *l;

	for (l = list; l != NULL; l = l->next)
		if (l->data != NULL)
			oauth_wipe(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

/* Appends one header; on failure frees the list and returns NULL. */
static struct curl_slist *
add_header(struct curl_slist *list, const char *line)
{
	struct curl_slist *n = curl_slist_append(list, line);

	if (n == NULL)
		free_headers(list);
	return n;
}

/* Maps a failed transfer to a status and a clean message. */
static enum oauth_status
transfer_error(struct oauth_http *http, CURLcode cc, const char *url, char *err, size_t errlen)
{
	char detail[CURL_ERROR_SIZE], where[OAUTH_LOG_FIELD_MAX];

	oauth_sanitize(where, sizeof(where), url);
	if (http->nomem || cc == CURLE_OUT_OF_MEMORY) {
		oauth_seterr(err, errlen, "%s: out of memory", where);
		return OAUTH_NOMEM;
	}
	if (http->body_too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		oauth_seterr(err, errlen, "%s: response body larger than %d bytes", where,
		             OAUTH_HTTP_MAX_BODY);
		return OAUTH_PROTOCOL;
	}
	if (http->headers_too_big) {
		oauth_seterr(err, errlen, "%s: response headers larger than %d bytes", where,
		             MAX_HEADER_BYTES);
		return OAUTH_PROTOCOL;
	}
	oauth_sanitize(detail, sizeof(detail),
	               http->errbuf[0] != '\0' ? http->errbuf : curl_easy_strerror(cc));
	oauth_seterr(err, errlen, "%s: %s", where, detail);
	return OAUTH_UNAVAILABLE;
}

/* Runs the request prepared on the handle and moves the answer into resp. */
static enum oauth_status
perform(struct oauth_http *http, const char *url, struct oauth_http_response *resp, char *err,
        size_t errlen)
{
	enum oauth_status rc = OAUTH_CONFIG;
	CURLcode cc;
	long status = 0;

	CHECK_SETOPT(http, CURLOPT_URL, url, err, errlen);
	drop_buf(http);
	http->resp = resp;
	http->header_bytes = 0;
	http->body_too_big = 0;
	http->headers_too_big = 0;
	http->nomem = 0;
	http->errbuf[0] = '\0';
	cc = curl_easy_perform(http->curl);
	if (cc != CURLE_OK) {
		rc = transfer_error(http, cc, url, err, errlen);
		goto out;
	}
	cc = curl_easy_getinfo(http->curl, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK || status < 100 || status > 999) {
		oauth_seterr(err, errlen, "no valid HTTP status in the answer");
		rc = OAUTH_PROTOCOL;
		goto out;
	}
	if (http->buf == NULL && grow_buf(http, 1) != 0) {
		oauth_seterr(err, errlen, "out of memory");
		rc = OAUTH_NOMEM;
		goto out;
	}
	http->buf[http->len] = '\0';
	resp->status = status;
	resp->body = http->buf; /* moved */
	resp->len = http->len;
	http->buf = NULL;
	http->len = 0;
	http->cap = 0;
	rc = OAUTH_OK;
out:
	if (rc != OAUTH_OK)
		oauth_http_response_free(resp);
	drop_buf(http);
	http->resp = NULL;
	return rc;
}

/* Refuses a URL the policy forbids before curl sees it. */
static enum oauth_status
check_request(struct oauth_http *http, const char *url, char *err, size_t errlen)
{
	char where[OAUTH_LOG_FIELD_MAX];

	if (http == NULL || http->curl == NULL) {
		oauth_seterr(err, errlen, "no HTTP handle");
		return OAUTH_CONFIG;
	}
	if (!oauth_url_allowed(url)) {
		oauth_seterr(err, errlen, "refusing URL %s: https, or http to loopback only",
		             oauth_sanitize(where, sizeof(where), url));
		return OAUTH_CONFIG;
	}
	return OAUTH_OK;
}

/* Form-urlencodes s (RFC 6749 Appendix B) into a curl-allocated string; NULL on failure. */
static char *
escape(struct oauth_http *http, const char *s)
{
	return curl_easy_escape(http->curl, s, 0);
}

static void
free_escaped(char *s)
{
	if (s != NULL)
		oauth_wipe(s, strlen(s));
	curl_free(s);
}

/* Appends "name=value" (escaped) to the body at *len; body has room (see form_body). */
static int
append_field(struct oauth_http *http, char *body, size_t cap, size_t *len,
             const struct oauth_form_field *f)
{
	char *name = escape(http, f->name), *value = escape(http, f->value);
	size_t nl, vl;
	int rc = -1;

	if (name == NULL || value == NULL)
		goto out;
	nl = strlen(name);
	vl = strlen(value);
	if (*len + (*len ? 1 : 0) + nl + 1 + vl + 1 > cap)
		goto out;
	if (*len > 0)
		body[(*len)++] = '&';
	memcpy(body + *len, name, nl);
	*len += nl;
	body[(*len)++] = '=';
	memcpy(body + *len, value, vl);
	*len += vl;
	body[*len] = '\0';
	rc = 0;
out:
	free_escaped(name);
	free_escaped(value);
	return rc;
}

/*
 * Builds the form body. Escaping grows a byte at most threefold, which sizes the
 * buffer once: a secret is never copied into a buffer that is then abandoned.
 */
static enum oauth_status
form_body(struct oauth_http *http, const struct oauth_form_field *fields, size_t nfields,
          char **out, size_t *outcap, char *err, size_t errlen)
{
	enum oauth_status rc = OAUTH_NOMEM;
	size_t i, cap = 1, len = 0;
	char *body = NULL;

	*out = NULL;
	*outcap = 0;
	for (i = 0; i < nfields; i++) {
		if (fields[i].name == NULL || fields[i].value == NULL) {
			oauth_seterr(err, errlen, "form field %zu has no name or value", i);
			rc = OAUTH_CONFIG;
			goto out;
		}
		cap += 3 * (strlen(fields[i].name) + strlen(fields[i].value)) + 2;
	}
	body = calloc(1, cap);
	if (body == NULL)
		goto out;
	for (i = 0; i < nfields; i++)
		if (append_field(http, body, cap, &len, &fields[i]) != 0)
			goto out;
	*out = body;
	*outcap = cap;
	body = NULL;
	rc = OAUTH_OK;
out:
	if (rc == OAUTH_NOMEM)
		oauth_seterr(err, errlen, "out of memory building the form body");
	if (body != NULL) {
		oauth_wipe(body, cap);
		free(body);
	}
	return rc;
}

/*
 * "Authorization: Basic base64(escape(user) ":" escape(secret))" (RFC 6749
 * §2.3.1: both are form-urlencoded first, so a ':' in the id stays unambiguous).
 * Built here rather than with CURLOPT_USERNAME/PASSWORD so that every copy of
 * the secret we make is wiped; curl would keep its own copies until cleanup.
 */
static enum oauth_status
basic_header(struct oauth_http *http, const struct oauth_http_auth *auth, char **out, char *err,
             size_t errlen)
{
	static const char prefix[] = "Authorization: Basic ";
	enum oauth_status rc = OAUTH_NOMEM;
	char *user = NULL, *secret = NULL, *plain = NULL, *line = NULL;
	size_t ul, sl, pl = 0, linecap = 0;

	*out = NULL;
	if (auth->user == NULL || auth->secret == NULL) {
		oauth_seterr(err, errlen, "client authentication without id or secret");
		rc = OAUTH_CONFIG;
		goto out;
	}
	user = escape(http, auth->user);
	secret = escape(http, auth->secret);
	if (user == NULL || secret == NULL)
		goto out;
	ul = strlen(user);
	sl = strlen(secret);
	pl = ul + 1 + sl;
	if (pl > MAX_BASIC_CREDENTIALS) {
		oauth_seterr(err, errlen, "client id and secret longer than %d bytes",
		             MAX_BASIC_CREDENTIALS);
		rc = OAUTH_CONFIG;
		pl = 0;
		goto out;
	}
	plain = malloc(pl + 1);
	if (plain == NULL)
		goto out;
	memcpy(plain, user, ul);
	plain[ul] = ':';
	memcpy(plain + ul + 1, secret, sl + 1);
	linecap = sizeof(prefix) + 4 * ((pl + 2) / 3) + 1;
	line = malloc(linecap);
	if (line == NULL)
		goto out;
	memcpy(line, prefix, sizeof(prefix) - 1);
	EVP_EncodeBlock((unsigned char *)line + sizeof(prefix) - 1, (const unsigned char *)plain,
	                (int)pl);
	*out = line;
	line = NULL;
	rc = OAUTH_OK;
out:
	if (rc == OAUTH_NOMEM)
		oauth_seterr(err, errlen, "out of memory building the Authorization header");
	free_escaped(user);
	free_escaped(secret);
	if (plain != NULL)
		oauth_wipe(plain, pl);
	free(plain);
	free(line);
	return rc;
}

/* Returns the handle to a neutral state: nothing from one request reaches the next. */
static void
reset_request(struct oauth_http *http)
{
	/* Return values ignored on purpose: resetting to defaults cannot fail. */
	(void)curl_easy_setopt(http->curl, CURLOPT_HTTPHEADER, NULL);
	(void)curl_easy_setopt(http->curl, CURLOPT_POSTFIELDS, NULL);
	(void)curl_easy_setopt(http->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)-1);
	(void)curl_easy_setopt(http->curl, CURLOPT_HTTPGET, 1L);
}

/* What a request carries: a form body (POST) or nothing (GET). */
enum body {
	NO_BODY,
	FORM_BODY,
};

/* The headers every request sends, plus an optional credential line. */
static enum oauth_status
request_headers(struct curl_slist **out, enum body body, const char *credential, char *err,
                size_t errlen)
{
	struct curl_slist *list = NULL;

	*out = NULL;
	list = add_header(list, "Accept: application/json");
	/* No "Expect: 100-continue" round trip: bodies are small. */
	if (list != NULL)
		list = add_header(list, "Expect:");
	if (list != NULL && body == FORM_BODY)
		list = add_header(list, "Content-Type: application/x-www-form-urlencoded");
	if (list != NULL && credential != NULL)
		list = add_header(list, credential);
	if (list == NULL) {
		oauth_seterr(err, errlen, "out of memory building request headers");
		return OAUTH_NOMEM;
	}
	*out = list;
	return OAUTH_OK;
}

enum oauth_status
oauth_http_post_form(struct oauth_http *http, const char *url,
                     const struct oauth_form_field *fields, size_t nfields,
                     const struct oauth_http_auth *auth, struct oauth_http_response *resp,
                     char *err, size_t errlen)
{
	enum oauth_status rc;
	struct curl_slist *headers = NULL;
	char *body = NULL, *authline = NULL;
	size_t bodycap = 0;

	response_clear(resp);
	rc = check_request(http, url, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	rc = form_body(http, fields, nfields, &body, &bodycap, err, errlen);
	if (rc == OAUTH_OK && auth != NULL)
		rc = basic_header(http, auth, &authline, err, errlen);
	if (rc == OAUTH_OK)
		rc = request_headers(&headers, FORM_BODY, authline, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	CHECK_SETOPT(http, CURLOPT_HTTPHEADER, headers, err, errlen);
	CHECK_SETOPT(http, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body), err, errlen);
	CHECK_SETOPT(http, CURLOPT_POSTFIELDS, body, err, errlen);
	rc = perform(http, url, resp, err, errlen);
out:
	if (http != NULL && http->curl != NULL)
		reset_request(http);
	free_headers(headers);
	if (body != NULL)
		oauth_wipe(body, bodycap);
	free(body);
	oauth_free_secret(authline);
	return rc;
}

enum oauth_status
oauth_http_get(struct oauth_http *http, const char *url, const char *bearer,
               struct oauth_http_response *resp, char *err, size_t errlen)
{
	static const char prefix[] = "Authorization: Bearer ";
	enum oauth_status rc;
	struct curl_slist *headers = NULL;
	char *authline = NULL;
	size_t bl;

	response_clear(resp);
	rc = check_request(http, url, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	if (bearer != NULL) {
		bl = strlen(bearer);
		/* A CR or LF in the token would let it inject headers. */
		if (bl == 0 || strpbrk(bearer, "\r\n") != NULL) {
			oauth_seterr(err, errlen, "bearer token is empty or has a line break");
			rc = OAUTH_PROTOCOL;
			goto out;
		}
		authline = malloc(sizeof(prefix) + bl);
		if (authline == NULL) {
			oauth_seterr(err, errlen, "out of memory");
			rc = OAUTH_NOMEM;
			goto out;
		}
		memcpy(authline, prefix, sizeof(prefix) - 1);
		memcpy(authline + sizeof(prefix) - 1, bearer, bl + 1);
	}
	rc = request_headers(&headers, NO_BODY, authline, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	CHECK_SETOPT(http, CURLOPT_HTTPGET, 1L, err, errlen);
	CHECK_SETOPT(http, CURLOPT_HTTPHEADER, headers, err, errlen);
	rc = perform(http, url, resp, err, errlen);
out:
	if (http != NULL && http->curl != NULL)
		reset_request(http);
	free_headers(headers);
	oauth_free_secret(authline);
	return rc;
}
