/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* OpenID Connect Discovery 1.0 / RFC 8414: the provider's endpoints. */
#include "build_config.h"

#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "discovery.h"
#include "json.h"
#include "log.h"
#include "url.h"

/* OIDC Discovery §4: appended to the issuer (without its trailing '/'). */
#define WELL_KNOWN "/.well-known/openid-configuration"

/* One endpoint member: its name, its OAUTH_EP_* bit and where it lives. */
struct ep_member {
	const char *name;
	unsigned bit;
	size_t offset;
};

static const struct ep_member members[] = {
    {"device_authorization_endpoint", OAUTH_EP_DEVICE_AUTHORIZATION,
     offsetof(struct oauth_endpoints, device_authorization_endpoint)},
    {"token_endpoint", OAUTH_EP_TOKEN, offsetof(struct oauth_endpoints, token_endpoint)},
    {"userinfo_endpoint", OAUTH_EP_USERINFO, offsetof(struct oauth_endpoints, userinfo_endpoint)},
    {"jwks_uri", OAUTH_EP_JWKS, offsetof(struct oauth_endpoints, jwks_uri)},
    {"backchannel_authentication_endpoint", OAUTH_EP_BACKCHANNEL,
     offsetof(struct oauth_endpoints, backchannel_authentication_endpoint)},
};
#define NMEMBERS (sizeof(members) / sizeof(members[0]))

static char **
slot(struct oauth_endpoints *ep, const struct ep_member *m)
{
	return (char **)(void *)((char *)ep + m->offset);
}

void
oauth_endpoints_free(struct oauth_endpoints *ep)
{
	size_t i;

	if (ep == NULL)
		return;
	free(ep->issuer);
	for (i = 0; i < NMEMBERS; i++)
		free(*slot(ep, &members[i]));
	memset(ep, 0, sizeof(*ep));
}

/* Reads every endpoint member; the ones in required must be present. */
static enum oauth_status
read_endpoints(const cJSON *doc, unsigned required, struct oauth_endpoints *ep, char *err,
               size_t errlen)
{
	char where[OAUTH_LOG_FIELD_MAX];
	enum oauth_status rc;
	size_t i;
	char **s;

	for (i = 0; i < NMEMBERS; i++) {
		s = slot(ep, &members[i]);
		rc = oauth_json_get_string(doc, members[i].name,
		                           (required & members[i].bit) != 0 ? OAUTH_JSON_REQUIRED
		                                                            : OAUTH_JSON_OPTIONAL,
		                           s, err, errlen);
		if (rc != OAUTH_OK)
			return rc;
		if (*s != NULL && !oauth_url_allowed(*s)) {
			oauth_seterr(err, errlen,
			             "discovery: %s %s is not https (or http to loopback)",
			             members[i].name, oauth_sanitize(where, sizeof(where), *s));
			return OAUTH_PROTOCOL;
		}
	}
	return OAUTH_OK;
}

/* CIBA Core 1.0 §4: the client polls, so "poll" must be among the delivery modes. */
static int
lists_poll(const cJSON *doc)
{
	const cJSON *modes =
	    cJSON_GetObjectItemCaseSensitive(doc, "backchannel_token_delivery_modes_supported");
	const cJSON *m;

	if (!cJSON_IsArray(modes))
		return 0;
	cJSON_ArrayForEach(m, modes)
	{
		if (cJSON_IsString(m) && strcmp(m->valuestring, "poll") == 0)
			return 1;
	}
	return 0;
}

enum oauth_status
oauth_discovery_parse_required(const char *body, size_t len, const char *expected_issuer,
                               unsigned required, struct oauth_endpoints *ep, char *err,
                               size_t errlen)
{
	char got[OAUTH_LOG_FIELD_MAX], want[OAUTH_LOG_FIELD_MAX];
	enum oauth_status rc;
	cJSON *doc = NULL;
	char *issuer = NULL;

	memset(ep, 0, sizeof(*ep));
	if (expected_issuer == NULL) {
		oauth_seterr(err, errlen, "discovery needs a configured issuer");
		rc = OAUTH_CONFIG;
		goto out;
	}
	rc = oauth_json_parse_object(body, len, &doc, err, errlen);
	if (rc == OAUTH_OK)
		rc =
		    oauth_json_get_string(doc, "issuer", OAUTH_JSON_REQUIRED, &issuer, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	/* §4.3: exactly equal, no normalising: a trailing '/' or case change is a mismatch. */
	if (strcmp(issuer, expected_issuer) != 0) {
		oauth_seterr(err, errlen, "discovery: issuer %s does not equal the configured %s",
		             oauth_sanitize(got, sizeof(got), issuer),
		             oauth_sanitize(want, sizeof(want), expected_issuer));
		rc = OAUTH_PROTOCOL;
		goto out;
	}
	rc = read_endpoints(doc, required, ep, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	ep->backchannel_poll = ep->backchannel_authentication_endpoint != NULL && lists_poll(doc);
	ep->issuer = issuer; /* moved */
	issuer = NULL;
	rc = OAUTH_OK;
out:
	if (rc != OAUTH_OK)
		oauth_endpoints_free(ep);
	free(issuer);
	oauth_json_free(doc);
	return rc;
}

enum oauth_status
oauth_discovery_parse(const char *body, size_t len, const char *expected_issuer,
                      struct oauth_endpoints *ep, char *err, size_t errlen)
{
	return oauth_discovery_parse_required(body, len, expected_issuer,
	                                      OAUTH_EP_DEVICE_AUTHORIZATION | OAUTH_EP_TOKEN, ep,
	                                      err, errlen);
}

enum oauth_status
oauth_discovery_url(const char *issuer, char **out, char *err, size_t errlen)
{
	size_t n;

	*out = NULL;
	if (issuer == NULL || !oauth_url_allowed(issuer) || strpbrk(issuer, "?#") != NULL) {
		oauth_seterr(err, errlen,
		             "issuer must be an https (or loopback http) URL without query or "
		             "fragment");
		return OAUTH_CONFIG;
	}
	n = strlen(issuer);
	if (n > 0 && issuer[n - 1] == '/')
		n--;
	*out = malloc(n + sizeof(WELL_KNOWN));
	if (*out == NULL) {
		oauth_seterr(err, errlen, "out of memory");
		return OAUTH_NOMEM;
	}
	memcpy(*out, issuer, n);
	memcpy(*out + n, WELL_KNOWN, sizeof(WELL_KNOWN));
	return OAUTH_OK;
}

/* Copies the configured endpoints; returns the OAUTH_EP_* bits the login still needs. */
static enum oauth_status
take_config(const struct oauth_config *cfg, struct oauth_endpoints *ep, unsigned *missing,
            char *err, size_t errlen)
{
	const char *values[NMEMBERS] = {cfg->device_authorization_endpoint, cfg->token_endpoint,
	                                cfg->userinfo_endpoint, cfg->jwks_uri,
	                                cfg->backchannel_authentication_endpoint};
	unsigned needed = OAUTH_EP_TOKEN;
	char where[OAUTH_LOG_FIELD_MAX];
	size_t i;

	if (cfg->issuer != NULL)
		needed |= OAUTH_EP_JWKS;
	if (cfg->mode != OAUTH_MODE_CIBA)
		needed |= OAUTH_EP_DEVICE_AUTHORIZATION;
	if (cfg->mode != OAUTH_MODE_DEVICE)
		needed |= OAUTH_EP_BACKCHANNEL;
	*missing = 0;
	for (i = 0; i < NMEMBERS; i++) {
		if (values[i] == NULL) {
			*missing |= needed & members[i].bit;
			continue;
		}
		if (!oauth_url_allowed(values[i])) {
			oauth_seterr(err, errlen, "%s %s is not https (or http to loopback)",
			             members[i].name,
			             oauth_sanitize(where, sizeof(where), values[i]));
			return OAUTH_CONFIG;
		}
		*slot(ep, &members[i]) = strdup(values[i]);
		if (*slot(ep, &members[i]) == NULL)
			goto nomem;
	}
	/* An admin who configures the endpoint vouches for poll mode. */
	ep->backchannel_poll = ep->backchannel_authentication_endpoint != NULL;
	if (cfg->issuer != NULL) {
		ep->issuer = strdup(cfg->issuer);
		if (ep->issuer == NULL)
			goto nomem;
	}
	return OAUTH_OK;
nomem:
	oauth_seterr(err, errlen, "out of memory");
	return OAUTH_NOMEM;
}

/* A cached document, checked as if fetched; a bad one is dropped (OAUTH_OK: use doc). */
static enum oauth_status
from_cache(const struct oauth_cache *cache, const char *issuer, const char *url, unsigned need,
           struct oauth_endpoints *doc)
{
	char why[OAUTH_ERR_SIZE];
	enum oauth_status rc;
	char *body = NULL;
	size_t len = 0;

	rc = oauth_cache_read(cache, OAUTH_CACHE_DISCOVERY, issuer, url, &body, &len);
	if (rc != OAUTH_OK)
		return rc;
	rc = oauth_discovery_parse_required(body, len, issuer, need, doc, why, sizeof(why));
	free(body);
	if (rc != OAUTH_OK) {
		oauth_log(cache->log, LOG_WARNING, "cache: cached discovery refused: %s", why);
		oauth_cache_drop(cache, OAUTH_CACHE_DISCOVERY, issuer, url);
	}
	return rc;
}

/* Fetches and parses the discovery document; doc must give the endpoints in need. */
static enum oauth_status
fetch(struct oauth_http *http, const struct oauth_cache *cache, const char *issuer, unsigned need,
      struct oauth_endpoints *doc, char *err, size_t errlen)
{
	struct oauth_http_response resp = {0};
	char where[OAUTH_LOG_FIELD_MAX], why[OAUTH_ERR_SIZE];
	enum oauth_status rc;
	char *url = NULL;

	rc = oauth_discovery_url(issuer, &url, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	rc = from_cache(cache, issuer, url, need, doc);
	if (rc == OAUTH_OK || rc == OAUTH_NOMEM)
		goto out;
	rc = oauth_http_get(http, url, NULL, &resp, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	if (resp.status != 200) {
		/* The provider's error and description, and the URL that was asked. */
		rc = oauth_answer_status(OAUTH_AT_DISCOVERY, resp.status, resp.body, resp.len, why,
		                         sizeof(why));
		oauth_seterr(err, errlen, "%s from %s", why,
		             oauth_sanitize(where, sizeof(where), url));
		goto out;
	}
	rc = oauth_discovery_parse_required(resp.body, resp.len, issuer, need, doc, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_cache_write(cache, OAUTH_CACHE_DISCOVERY, issuer, url, resp.body,
		                       resp.len);
out:
	oauth_http_response_free(&resp);
	free(url);
	return rc;
}

enum oauth_status
oauth_discovery_resolve(const struct oauth_config *cfg, struct oauth_http *http,
                        struct oauth_endpoints *ep, char *err, size_t errlen)
{
	return oauth_discovery_resolve_cached(cfg, http, NULL, ep, err, errlen);
}

enum oauth_status
oauth_discovery_resolve_cached(const struct oauth_config *cfg, struct oauth_http *http,
                               const struct oauth_cache *cache, struct oauth_endpoints *ep,
                               char *err, size_t errlen)
{
	struct oauth_endpoints doc = {0};
	enum oauth_status rc;
	unsigned missing = 0, required;
	size_t i;
	char **mine, **theirs;

	memset(ep, 0, sizeof(*ep));
	rc = take_config(cfg, ep, &missing, err, errlen);
	if (rc != OAUTH_OK || missing == 0)
		goto out;
	rc = OAUTH_CONFIG;
	if (cfg->issuer == NULL) {
		oauth_seterr(err, errlen,
		             "no issuer to discover from, and device_authorization_endpoint or "
		             "token_endpoint is not configured");
		goto out;
	}
	if (http == NULL) {
		oauth_seterr(err, errlen, "discovery is needed but there is no HTTP handle");
		goto out;
	}
	/* Under ciba-then-device a provider without CIBA is fine: the device flow takes over. */
	required = missing;
	if (cfg->mode == OAUTH_MODE_CIBA_THEN_DEVICE)
		required &= ~OAUTH_EP_BACKCHANNEL;
	rc = fetch(http, cache, cfg->issuer, required, &doc, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	if (ep->backchannel_authentication_endpoint == NULL)
		ep->backchannel_poll = doc.backchannel_poll;
	/* The configured endpoints win; the document fills the gaps. */
	for (i = 0; i < NMEMBERS; i++) {
		mine = slot(ep, &members[i]);
		theirs = slot(&doc, &members[i]);
		if (*mine == NULL) {
			*mine = *theirs; /* moved */
			*theirs = NULL;
		}
	}
	rc = OAUTH_OK;
out:
	oauth_endpoints_free(&doc);
	if (rc != OAUTH_OK)
		oauth_endpoints_free(ep);
	return rc;
}
