/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* JSON Web Key Sets (RFC 7517/7518) as libcrypto public keys. */
#ifndef PAM_OAUTH_JWKS_H
#define PAM_OAUTH_JWKS_H

#include <stddef.h>

#include <openssl/evp.h>

#include "status.h"

/* More keys than this in one set is refused: real sets hold a handful. */
#define OAUTH_JWKS_MAX_KEYS 64

struct oauth_jwk {
	char *kid; /* owned; may be NULL */
	char *kty; /* owned: "RSA", "EC", "OKP" */
	char *alg; /* owned; may be NULL */
	char *use; /* owned; may be NULL */
	char *crv; /* owned; EC/OKP curve, else NULL */
	EVP_PKEY *pkey; /* owned public key */
};

struct oauth_jwks {
	struct oauth_jwk *keys; /* owned array */
	size_t nkeys;
};

/*
 * Parses a JWK Set. Keys of unknown type, private keys' extra members aside,
 * or with invalid parameters are skipped (a set may hold keys for other uses);
 * a set with no usable key is OAUTH_PROTOCOL. *out owned; free with
 * oauth_jwks_free.
 */
enum oauth_status oauth_jwks_parse(const char *body, size_t len, struct oauth_jwks **out,
				   char *err, size_t errlen);

void oauth_jwks_free(struct oauth_jwks *jwks);

/*
 * The key for kid (NULL kid: the only key of kty, if exactly one) whose kty is
 * kty; NULL when none or ambiguous.
 */
const struct oauth_jwk *oauth_jwks_find(const struct oauth_jwks *jwks, const char *kid,
					const char *kty);

#endif
