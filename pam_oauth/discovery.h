/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* OpenID Connect Discovery 1.0 / RFC 8414: the provider's endpoints. */
#ifndef PAM_OAUTH_DISCOVERY_H
#define PAM_OAUTH_DISCOVERY_H

#include <stddef.h>

#include "cache.h"
#include "config.h"
#include "http.h"
#include "status.h"

/* The endpoints one login uses; all owned. */
struct oauth_endpoints {
	char *issuer; /* NULL when no issuer is configured (non-OpenID provider) */
	char *device_authorization_endpoint;
	char *token_endpoint;
	char *userinfo_endpoint; /* may be NULL */
	char *jwks_uri;          /* may be NULL */
	/* CIBA Core 1.0 §4; NULL when the provider has none. */
	char *backchannel_authentication_endpoint;
	/* Nonzero when backchannel_token_delivery_modes_supported lists "poll" (or configured). */
	int backchannel_poll;
};

void oauth_endpoints_free(struct oauth_endpoints *ep);

/*
 * Parses a discovery document (OIDC Discovery §3): its issuer must equal
 * expected_issuer exactly (§4.3), and every endpoint it gives must pass
 * oauth_url_allowed(). Fills ep (cleared at entry).
 */
enum oauth_status oauth_discovery_parse(const char *body, size_t len, const char *expected_issuer,
                                        struct oauth_endpoints *ep, char *err, size_t errlen);

/* Endpoints a discovery document must give: the others may come from the config. */
#define OAUTH_EP_DEVICE_AUTHORIZATION 0x1u
#define OAUTH_EP_TOKEN 0x2u
#define OAUTH_EP_USERINFO 0x4u
#define OAUTH_EP_JWKS 0x8u
#define OAUTH_EP_BACKCHANNEL 0x10u

/*
 * oauth_discovery_parse() with the set of endpoints that must be present given
 * as OAUTH_EP_* bits; oauth_discovery_parse() requires the device authorization
 * and token endpoints. Endpoints outside the set are still read and checked.
 */
enum oauth_status oauth_discovery_parse_required(const char *body, size_t len,
                                                 const char *expected_issuer, unsigned required,
                                                 struct oauth_endpoints *ep, char *err,
                                                 size_t errlen);

/*
 * The discovery URL for issuer (OIDC Discovery §4.1: one trailing '/' is dropped
 * before "/.well-known/openid-configuration" is appended). Owned by the caller.
 */
enum oauth_status oauth_discovery_url(const char *issuer, char **out, char *err, size_t errlen);

/*
 * Resolves the endpoints for cfg: the configured overrides win; discovery
 * ({issuer}/.well-known/openid-configuration) is fetched only when an endpoint
 * the login needs is not configured. The login needs the device authorization
 * and token endpoints, and jwks_uri when an issuer is set (to verify ID tokens);
 * the userinfo endpoint is taken from the document when one is fetched.
 * With cfg->mode ciba the backchannel authentication endpoint replaces the
 * device authorization endpoint; with ciba-then-device both are looked for and
 * only the device authorization endpoint is required.
 * http may be NULL when no fetch is needed.
 * Fails with OAUTH_CONFIG when neither gives a device authorization and token
 * endpoint.
 */
enum oauth_status oauth_discovery_resolve(const struct oauth_config *cfg, struct oauth_http *http,
                                          struct oauth_endpoints *ep, char *err, size_t errlen);

/*
 * oauth_discovery_resolve() through the on-disk cache (may be NULL or off): a
 * fresh cached document is parsed and checked exactly like a fetched one and
 * used instead of the request; one that fails is dropped and fetched again. A
 * fetched document that passes is stored for the next login.
 */
enum oauth_status oauth_discovery_resolve_cached(const struct oauth_config *cfg,
                                                 struct oauth_http *http,
                                                 const struct oauth_cache *cache,
                                                 struct oauth_endpoints *ep, char *err,
                                                 size_t errlen);

#endif
