/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* RFC 8628 §3.1-3.2: the device authorization request, its answer, and the grant to poll. */
#include "build_config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "device_flow.h"
#include "json.h"
#include "secret.h"
#include "token.h"
#include "url.h"

/* RFC 8628 §3.4 grant type. */
#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"
/* Form fields the request sends at most: client_id, scope, acr_values, max_age, secret. */
#define MAX_FIELDS 5

void
oauth_device_auth_free(struct oauth_device_auth *da)
{
	if (da == NULL)
		return;
	oauth_free_secret(da->device_code);
	free(da->user_code);
	free(da->verification_uri);
	free(da->verification_uri_complete);
	memset(da, 0, sizeof(*da));
}

/* Printable ASCII only, 1..OAUTH_MAX_USER_CODE bytes: a person reads and types it. */
static int
user_code_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e ||
		    i >= OAUTH_MAX_USER_CODE)
			return 0;
	return i > 0;
}

/* A URI the person is sent to: https (or loopback http) only. */
static enum oauth_status
check_shown_uri(const char *name, const char *uri, char *err, size_t errlen)
{
	char where[OAUTH_LOG_FIELD_MAX];

	if (uri == NULL || oauth_url_allowed(uri))
		return OAUTH_OK;
	oauth_seterr(err, errlen, "device authorization: %s %s is not https", name,
	             oauth_sanitize(where, sizeof(where), uri));
	return OAUTH_PROTOCOL;
}

/* RFC 8628 §3.2 members; Google says verification_url. */
static enum oauth_status
read_device_auth(const cJSON *obj, struct oauth_device_auth *da, char *err, size_t errlen)
{
	const char *uri_name = "verification_uri";
	enum oauth_status rc;

	if (cJSON_GetObjectItemCaseSensitive(obj, uri_name) == NULL &&
	    cJSON_GetObjectItemCaseSensitive(obj, "verification_url") != NULL)
		uri_name = "verification_url";
	rc = oauth_json_get_string(obj, "device_code", OAUTH_JSON_REQUIRED, &da->device_code, err,
	                           errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_string(obj, "user_code", OAUTH_JSON_REQUIRED, &da->user_code,
		                           err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_string(obj, uri_name, OAUTH_JSON_REQUIRED,
		                           &da->verification_uri, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_string(obj, "verification_uri_complete", OAUTH_JSON_OPTIONAL,
		                           &da->verification_uri_complete, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_long(obj, "expires_in", OAUTH_JSON_REQUIRED, 0, 1,
		                         OAUTH_MAX_EXPIRES_IN, &da->expires_in, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_long(obj, "interval", OAUTH_JSON_OPTIONAL,
		                         OAUTH_DEFAULT_INTERVAL, LONG_MIN, LONG_MAX, &da->interval,
		                         err, errlen);
	if (rc != OAUTH_OK)
		return rc;
	if (!user_code_ok(da->user_code)) {
		oauth_seterr(err, errlen,
		             "device authorization: user_code is not 1-%d printable ASCII "
		             "characters",
		             OAUTH_MAX_USER_CODE);
		return OAUTH_PROTOCOL;
	}
	rc = check_shown_uri(uri_name, da->verification_uri, err, errlen);
	if (rc == OAUTH_OK)
		rc = check_shown_uri("verification_uri_complete", da->verification_uri_complete,
		                     err, errlen);
	return rc; /* the interval as given: the poll loop clamps it (token.c) */
}

enum oauth_status
oauth_device_auth_parse(long http_status, const char *body, size_t len,
                        struct oauth_device_auth *da, char *err, size_t errlen)
{
	struct oauth_answer a;
	enum oauth_status rc;
	cJSON *obj = NULL;

	memset(da, 0, sizeof(*da));
	a = oauth_answer_read(OAUTH_AT_DEVICE_AUTH, http_status, body, len, &obj, err, errlen);
	if (a.next != OAUTH_NEXT_READ)
		rc = a.status; /* a passing fault is one here: nothing retries it */
	else if (obj == NULL)
		rc = OAUTH_PROTOCOL;
	else
		rc = read_device_auth(obj, da, err, errlen);
	if (rc != OAUTH_OK)
		oauth_device_auth_free(da);
	oauth_json_free(obj);
	return rc;
}

enum oauth_status
oauth_device_authorize(struct oauth_http *http, const struct oauth_config *cfg,
                       const struct oauth_endpoints *ep, struct oauth_device_auth *da, char *err,
                       size_t errlen)
{
	struct oauth_form_field fields[MAX_FIELDS];
	struct oauth_http_response resp = {0};
	const struct oauth_http_auth *authp = NULL;
	struct oauth_http_auth auth;
	enum oauth_status rc;
	char max_age[24];
	size_t n = 0;

	memset(da, 0, sizeof(*da));
	if (cfg == NULL || cfg->client_id == NULL || ep == NULL ||
	    ep->device_authorization_endpoint == NULL) {
		oauth_seterr(err, errlen,
		             "device authorization: no client_id or endpoint configured");
		rc = OAUTH_CONFIG;
		goto out;
	}
	fields[n].name = "client_id";
	fields[n++].value = cfg->client_id;
	if (cfg->scope != NULL) {
		fields[n].name = "scope";
		fields[n++].value = cfg->scope;
	}
	/*
	 * RFC 8628 §3.1 defines neither; OIDC Core §3.1.2.1 does, for the authorization
	 * request, and providers (oidc-provider, Keycloak) read them here too.
	 * policy.c enforces the answer, so a provider that ignores them fails closed.
	 */
	if (cfg->acr_values != NULL) {
		fields[n].name = "acr_values";
		fields[n++].value = cfg->acr_values;
	}
	if (cfg->max_age > 0) {
		snprintf(max_age, sizeof(max_age), "%ld", cfg->max_age);
		fields[n].name = "max_age";
		fields[n++].value = max_age;
	}
	oauth_client_auth_fields(cfg, fields, &n, &auth, &authp);
	rc = oauth_http_post_form(http, ep->device_authorization_endpoint, fields, n, authp, &resp,
	                          err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	rc = oauth_device_auth_parse(resp.status, resp.body, resp.len, da, err, errlen);
out:
	oauth_http_response_free(&resp);
	return rc;
}

void
oauth_device_grant(const struct oauth_device_auth *da, struct oauth_grant *g)
{
	memset(g, 0, sizeof(*g));
	g->type = DEVICE_GRANT;
	g->param = "device_code";
	g->value = da->device_code;
	g->interval = da->interval;
}
