/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* JWS (RFC 7515) verification with libcrypto, and ID token claim checks (OIDC Core §3.1.3.7). */
#ifndef PAM_OAUTH_JWT_H
#define PAM_OAUTH_JWT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "jwks.h"
#include "status.h"

/* A compact JWS longer than this is refused before decoding. */
#define OAUTH_JWT_MAX_LEN (32 * 1024)
/* Clock skew we forgive on exp, iat and nbf, in seconds. */
#define OAUTH_JWT_LEEWAY 120

/* A decoded compact JWS; nothing here is trusted until verified. */
struct oauth_jwt {
	cJSON *header;            /* owned */
	cJSON *claims;            /* owned */
	unsigned char *signature; /* owned */
	size_t signature_len;
	char *signing_input; /* owned: "header.payload" as received */
};

/* Frees (wiping the token bytes) what jwt holds, not jwt itself; jwt may be NULL. */
void oauth_jwt_free(struct oauth_jwt *jwt);

/*
 * Splits and decodes a compact JWS (three non-empty base64url parts, no padding,
 * header and payload JSON objects without \u0000 escapes, at most
 * OAUTH_JWT_MAX_LEN bytes). Fills jwt (cleared at entry; freed again on
 * failure). OAUTH_INVALID_TOKEN on any defect.
 */
enum oauth_status oauth_jwt_decode(const char *compact, struct oauth_jwt *jwt, char *err,
                                   size_t errlen);

/*
 * Checks the signature of a decoded JWS with a key from jwks: alg must be in
 * algs (NULL: RS256 PS256 ES256 EdDSA and the other RSA/EC SHA-2 variants),
 * never "none" or HS*; a "crit" header is refused; the key is chosen by kid and
 * must match alg's key type (and the key's own "alg"/"use" when present).
 * Returns OAUTH_OK, or OAUTH_INVALID_TOKEN with the reason.
 */
enum oauth_status oauth_jwt_verify_signature(const struct oauth_jwt *jwt,
                                             const struct oauth_jwks *jwks, const char *const *algs,
                                             char *err, size_t errlen);

/* What an ID token must say (OIDC Core §3.1.3.7). Strings borrowed. */
struct oauth_id_token_expect {
	const char *issuer;    /* iss must equal it exactly */
	const char *client_id; /* aud must contain it; azp must equal it when present */
	long long now;         /* seconds since the epoch */
	long leeway;           /* seconds forgiven on exp/iat/nbf */
};

/*
 * Checks iss, aud (string or array), azp (required when several audiences),
 * exp > now - leeway, iat <= now + leeway, nbf, and that sub is a non-empty
 * string. OAUTH_INVALID_TOKEN with the failing claim named in err.
 */
enum oauth_status oauth_jwt_check_claims(const cJSON *claims,
                                         const struct oauth_id_token_expect *expect, char *err,
                                         size_t errlen);

/*
 * decode + verify_signature (when jwks is non-NULL) + check_claims. On success
 * *claims (owned) is the verified payload.
 *
 * jwks == NULL skips the signature step, and only it. Pass NULL only when the
 * provider publishes no jwks_uri and the token came straight from the token
 * endpoint over verified TLS (OIDC Core §3.1.3.7 item 6): then TLS, not the
 * signature, vouches for the token. Whenever a jwks_uri exists, fetch it and
 * pass the set; never fall back to NULL because fetching or parsing failed.
 */
enum oauth_status oauth_jwt_verify_id_token(const char *compact, const struct oauth_jwks *jwks,
                                            const char *const *algs,
                                            const struct oauth_id_token_expect *expect,
                                            cJSON **claims, char *err, size_t errlen);

/*
 * Nonzero when the compact token names a kid that no key in jwks has: the
 * provider may have rotated its keys since jwks was fetched (fetch once more).
 */
int oauth_jwt_kid_unknown(const char *compact, const struct oauth_jwks *jwks);

#endif
