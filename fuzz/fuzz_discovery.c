/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* libFuzzer target: the OpenID Connect discovery document parser. */
#include "build_config.h"

#include "discovery.h"
#include "fuzz.h"
#include "url.h"

/* The issuer the seeds name; the fuzzer finds its way to it from there. */
#define ISSUER "https://idp.example.com"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
check_url(const char *u)
{
	if (u != NULL && !oauth_url_allowed(u))
		__builtin_trap();
}

/* First byte: which endpoints are required (OAUTH_EP_* bits); the rest: the document. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oauth_endpoints ep;
	char err[OAUTH_ERR_SIZE];
	char *body;

	if (size < 1)
		return 0;
	body = fuzz_strndup(data + 1, size - 1);
	if (body == NULL)
		return 0;
	if (oauth_discovery_parse_required(body, size - 1, ISSUER, data[0] & 0xfu, &ep, err,
	                                   sizeof(err)) == OAUTH_OK) {
		/* An accepted document names the issuer we expect and only allowed URLs. */
		if (ep.issuer == NULL || strcmp(ep.issuer, ISSUER) != 0)
			__builtin_trap();
		check_url(ep.device_authorization_endpoint);
		check_url(ep.token_endpoint);
		check_url(ep.userinfo_endpoint);
		check_url(ep.jwks_uri);
	}
	oauth_endpoints_free(&ep);
	free(body);
	return 0;
}
