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
	char *kid;      /* owned; may be NULL */
	char *kty;      /* owned: "RSA", "EC", "OKP" */
	char *alg;      /* owned; may be NULL */
	char *use;      /* owned; may be NULL */
	char *crv;      /* owned; EC/OKP curve, else NULL */
	EVP_PKEY *pkey; /* owned public key */
};

struct oauth_jwks {
	struct oauth_jwk *keys; /* owned array */
	size_t nkeys;
};

/* A JWK Set document larger than this is refused: real sets are a few KiB. */
#define OAUTH_JWKS_MAX_BYTES (256 * 1024)
/* RSA moduli outside [min, max] bits are skipped: < 2048 is breakable (NIST SP 800-131A). */
#define OAUTH_JWKS_RSA_MIN_BITS 2048
#define OAUTH_JWKS_RSA_MAX_BITS 8192

/*
 * Parses a JWK Set (RFC 7517 §5). Signing keys of type RSA (>= 2048 bits), EC
 * (P-256, P-384, P-521; point checked on the curve) and OKP (Ed25519, Ed448
 * when libcrypto has it) become public keys. Keys of unknown kty or crv, with
 * "use" other than "sig", with "key_ops" lacking "verify", or with invalid
 * parameters (bad base64url, wrong sizes, weak or off-curve keys) are skipped:
 * a set may hold keys for other uses, and a skipped key can never verify.
 * A key with private members ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
 * makes the whole set OAUTH_PROTOCOL: a provider publishing private keys is
 * broken. So are more than OAUTH_JWKS_MAX_KEYS keys and a set with no usable
 * key. *out owned; free with oauth_jwks_free.
 */
enum oauth_status oauth_jwks_parse(const char *body, size_t len, struct oauth_jwks **out, char *err,
                                   size_t errlen);

void oauth_jwks_free(struct oauth_jwks *jwks);

/*
 * The key for kid (NULL kid: the only key of kty, if exactly one) whose kty is
 * kty; NULL when none or ambiguous.
 */
const struct oauth_jwk *oauth_jwks_find(const struct oauth_jwks *jwks, const char *kid,
                                        const char *kty);

/*
 * Strict base64url (RFC 4648 §5) as JOSE uses it (RFC 7515 §2): alphabet
 * A-Z a-z 0-9 - _ only, no padding, no whitespace, unused trailing bits zero.
 * More than maxout decoded bytes is refused. *out (owned) is NUL-terminated
 * for convenience; *outlen excludes the NUL. OAUTH_PROTOCOL on any defect.
 */
enum oauth_status oauth_jwks_base64url_decode(const char *in, size_t inlen, size_t maxout,
                                              unsigned char **out, size_t *outlen);

#endif
