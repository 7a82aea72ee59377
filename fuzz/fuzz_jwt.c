/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* libFuzzer target: JWK Set parsing, JWS decoding and verification, and ID token claim checks. */
#include "build_config.h"

#include <time.h>

#include "fuzz.h"
#include "jwks.h"
#include "jwt.h"
#include "testjose.h"

/* What the seeds' claims say: iss, aud and a time inside their exp. */
#define ISSUER "https://idp.example.com"
#define CLIENT_ID "pam-host"
#define NOW 1800000000LL

/* Made once per process at start-up: an RSA, an EC P-256 and an Ed25519 key under fixed kids. */
static EVP_PKEY *rsa_key, *ec_key, *ed_key;
static struct oauth_jwks *jwks;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *jwk[3], *set;
	char err[OAUTH_ERR_SIZE];
	const char *list[3];
	int i;

	(void)argc;
	(void)argv;
	rsa_key = tj_rsa(2048);
	ec_key = tj_ec("P-256");
	ed_key = tj_okp("ED25519");
	jwk[0] = tj_jwk(rsa_key, "rsa", "\"alg\":\"RS256\"");
	jwk[1] = tj_jwk(ec_key, "ec", NULL);
	jwk[2] = tj_jwk(ed_key, "ed", NULL);
	for (i = 0; i < 3; i++)
		list[i] = jwk[i];
	set = tj_jwks(3, list);
	if (set == NULL || oauth_jwks_parse(set, strlen(set), &jwks, err, sizeof(err)) != OAUTH_OK)
		__builtin_trap(); /* the fixture itself is broken */
	for (i = 0; i < 3; i++)
		free(jwk[i]);
	free(set);
	return 0;
}

static void
verify(const char *compact)
{
	const struct oauth_id_token_expect expect = {ISSUER, CLIENT_ID, NOW, OAUTH_JWT_LEEWAY};
	struct oauth_jwt jwt = {0};
	cJSON *claims = NULL;
	char err[OAUTH_ERR_SIZE];

	if (oauth_jwt_verify_id_token(compact, jwks, NULL, &expect, &claims, err, sizeof(err)) ==
	        OAUTH_OK &&
	    claims == NULL)
		__builtin_trap();
	cJSON_Delete(claims);
	/* The claim checks on whatever decodes, signed or not, so they are reached without a key.
	 */
	if (oauth_jwt_decode(compact, &jwt, err, sizeof(err)) == OAUTH_OK)
		(void)oauth_jwt_check_claims(jwt.claims, &expect, err, sizeof(err));
	oauth_jwt_free(&jwt);
}

/* header "\n" payload, signed with key as alg: the fuzzer writes JSON, we make it authentic. */
static void
sign_and_verify(char *text, EVP_PKEY *key, const char *alg)
{
	char *nl = strchr(text, '\n'), *token;

	if (nl == NULL)
		return;
	*nl = '\0';
	token = tj_token(key, alg, text, nl + 1);
	if (token != NULL)
		verify(token);
	free(token);
}

/*
 * First byte picks the mode: 0 a compact token as is, 1 and 2 a header and
 * payload signed here with ES256 or EdDSA, 3 a JWK Set.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oauth_jwks *set = NULL;
	char err[OAUTH_ERR_SIZE];
	char *text;

	if (size < 1)
		return 0;
	text = fuzz_strndup(data + 1, size - 1);
	if (text == NULL)
		return 0;
	switch (data[0] % 4) {
	case 0:
		verify(text);
		break;
	case 1:
		sign_and_verify(text, ec_key, "ES256");
		break;
	case 2:
		sign_and_verify(text, ed_key, "EdDSA");
		break;
	default:
		if (oauth_jwks_parse(text, size - 1, &set, err, sizeof(err)) == OAUTH_OK) {
			(void)oauth_jwks_find(set, "rsa", "RSA");
			(void)oauth_jwks_find(set, NULL, "EC");
		}
		oauth_jwks_free(set);
		break;
	}
	free(text);
	return 0;
}
