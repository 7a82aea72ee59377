/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Which URLs the module will talk to or show: https, or http to a loopback host only. */
#include "build_config.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "url.h"

/* A URL longer than this is refused: endpoints and verification URIs are short. */
#define MAX_URL_LEN 2048

static int
host_is_loopback(const char *host)
{
	struct in_addr v4;

	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	return 0;
}

/* Parses url with libcurl's URL API (no guessing of schemes); fills scheme and host. */
static int
split_url(const char *url, char **scheme, char **host, int *has_userinfo)
{
	CURLU *u = NULL;
	char *user = NULL;
	int ok = 0;

	*scheme = NULL;
	*host = NULL;
	*has_userinfo = 0;
	if (url == NULL || strnlen(url, MAX_URL_LEN + 1) > MAX_URL_LEN)
		goto out;
	u = curl_url();
	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, host, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
		*has_userinfo = 1;
	ok = 1;
out:
	curl_free(user);
	curl_url_cleanup(u);
	if (!ok) {
		curl_free(*scheme);
		curl_free(*host);
		*scheme = NULL;
		*host = NULL;
	}
	return ok;
}

int
oauth_url_is_loopback(const char *url)
{
	char *scheme = NULL, *host = NULL;
	int userinfo = 0, rc = 0;

	if (split_url(url, &scheme, &host, &userinfo))
		rc = host_is_loopback(host);
	curl_free(scheme);
	curl_free(host);
	return rc;
}

int
oauth_url_allowed(const char *url)
{
	char *scheme = NULL, *host = NULL;
	int userinfo = 0, rc = 0;

	if (!split_url(url, &scheme, &host, &userinfo) || userinfo || host[0] == '\0')
		goto out;
	if (strcasecmp(scheme, "https") == 0)
		rc = 1;
	else if (strcasecmp(scheme, "http") == 0)
		rc = host_is_loopback(host);
out:
	curl_free(scheme);
	curl_free(host);
	return rc;
}
