/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Compact JWS decoding and signature checks (RFC 7515/7518), and ID token claims (OIDC Core). */
#include "build_config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "json.h"
#include "jwa.h"
#include "jwt.h"
#include "log.h"
#include "secret.h"

/* Longest signature we decode, in bytes: an 8192-bit RSA signature. */
#define MAX_SIGNATURE_BYTES (OAUTH_JWKS_RSA_MAX_BITS / 8)
/* OIDC Core §2: sub "MUST NOT exceed 255 ASCII characters". */
#define MAX_SUB_LEN 255

enum sig_kind { SIG_RSA_PKCS1, SIG_RSA_PSS, SIG_ECDSA, SIG_EDDSA };

/* The JWS algorithms we verify (RFC 7518 §3.1, RFC 8037 §3.1); HMAC and "none" never. */
struct jws_alg {
	const char *name;
	enum sig_kind kind;
	const char *kty;  /* key type the alg needs */
	const char *md;   /* digest name; NULL for EdDSA (no prehash) */
	const char *crv;  /* ECDSA: the one curve the alg is defined on */
	size_t coord_len; /* ECDSA: bytes of R and of S in the JWS signature */
};

static const struct jws_alg jws_algs[] = {
    {"RS256", SIG_RSA_PKCS1, "RSA", "SHA256", NULL, 0},
    {"RS384", SIG_RSA_PKCS1, "RSA", "SHA384", NULL, 0},
    {"RS512", SIG_RSA_PKCS1, "RSA", "SHA512", NULL, 0},
    {"PS256", SIG_RSA_PSS, "RSA", "SHA256", NULL, 0},
    {"PS384", SIG_RSA_PSS, "RSA", "SHA384", NULL, 0},
    {"PS512", SIG_RSA_PSS, "RSA", "SHA512", NULL, 0},
    {"ES256", SIG_ECDSA, "EC", "SHA256", "P-256", 32},
    {"ES384", SIG_ECDSA, "EC", "SHA384", "P-384", 48},
    {"ES512", SIG_ECDSA, "EC", "SHA512", "P-521", 66},
    {"EdDSA", SIG_EDDSA, "OKP", NULL, NULL, 0},
};

/* jwa.c names the same algorithms for id_token_algs; test_jwt checks each name is there. */
_Static_assert(sizeof(jws_algs) / sizeof(jws_algs[0]) == OAUTH_JWA_MAX_ALGS,
               "jws_algs and jwa.c's list of names differ");

/* Header parameters that ask us to fetch or trust a key named by the token itself. */
static const char *const key_carrying_headers[] = {"jku", "x5u", "jwk"};

void
oauth_jwt_free(struct oauth_jwt *jwt)
{
	if (jwt == NULL)
		return;
	oauth_json_free(jwt->header);
	oauth_json_free(jwt->claims);
	oauth_wipe(jwt->signature, jwt->signature_len);
	free(jwt->signature);
	oauth_free_secret(jwt->signing_input);
	memset(jwt, 0, sizeof(*jwt));
}

/*
 * cJSON turns the escape \u0000 into a NUL that silently ends the string, so
 * "alice\u0000x" would read as "alice": refuse the escape outright.
 */
static int
has_nul_escape(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == 'u' && i + 5 < n && memcmp(s + i + 2, "0000", 4) == 0)
			return 1;
		i++; /* the escaped character, so "\\u0000" (a literal backslash) is text */
	}
	return 0;
}

/* Decodes one base64url part holding a JSON object. */
static enum oauth_status
decode_json_part(const char *part, size_t len, const char *what, cJSON **out, char *err,
                 size_t errlen)
{
	enum oauth_status rc;
	unsigned char *text = NULL;
	size_t n = 0;
	char why[OAUTH_ERR_SIZE];

	*out = NULL;
	rc = oauth_jwks_base64url_decode(part, len, OAUTH_JWT_MAX_LEN, &text, &n);
	if (rc != OAUTH_OK) {
		oauth_seterr(err, errlen, "JWS %s is not strict base64url", what);
		goto out;
	}
	if (has_nul_escape((const char *)text, n)) {
		rc = OAUTH_PROTOCOL;
		oauth_seterr(err, errlen, "JWS %s holds a \\u0000 escape", what);
		goto out;
	}
	rc = oauth_json_parse_object((const char *)text, n, out, why, sizeof(why));
	if (rc != OAUTH_OK)
		oauth_seterr(err, errlen, "JWS %s: %s", what, why);
out:
	oauth_wipe(text, n);
	free(text);
	if (rc == OAUTH_PROTOCOL)
		rc = OAUTH_INVALID_TOKEN;
	return rc;
}

enum oauth_status
oauth_jwt_decode(const char *compact, struct oauth_jwt *jwt, char *err, size_t errlen)
{
	enum oauth_status rc = OAUTH_INVALID_TOKEN;
	const char *dot1, *dot2;
	size_t len, hlen, plen, slen;

	memset(jwt, 0, sizeof(*jwt));
	if (compact == NULL) {
		oauth_seterr(err, errlen, "no token");
		goto out;
	}
	len = strnlen(compact, OAUTH_JWT_MAX_LEN + 1);
	if (len > OAUTH_JWT_MAX_LEN) {
		oauth_seterr(err, errlen, "token longer than %d bytes", OAUTH_JWT_MAX_LEN);
		goto out;
	}
	dot1 = memchr(compact, '.', len);
	dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - compact)) : NULL;
	if (dot2 == NULL || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - compact)) != NULL) {
		oauth_seterr(err, errlen, "token is not three dot-separated parts");
		goto out;
	}
	hlen = (size_t)(dot1 - compact);
	plen = (size_t)(dot2 - dot1 - 1);
	slen = len - (size_t)(dot2 + 1 - compact);
	if (hlen == 0 || plen == 0 || slen == 0) {
		oauth_seterr(err, errlen, "token has an empty part");
		goto out;
	}
	rc = decode_json_part(compact, hlen, "header", &jwt->header, err, errlen);
	if (rc == OAUTH_OK)
		rc = decode_json_part(dot1 + 1, plen, "payload", &jwt->claims, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	rc = oauth_jwks_base64url_decode(dot2 + 1, slen, MAX_SIGNATURE_BYTES, &jwt->signature,
	                                 &jwt->signature_len);
	if (rc != OAUTH_OK) {
		rc = rc == OAUTH_NOMEM ? rc : OAUTH_INVALID_TOKEN;
		oauth_seterr(err, errlen, "JWS signature is not strict base64url or too long");
		goto out;
	}
	jwt->signing_input = strndup(compact, (size_t)(dot2 - compact));
	if (jwt->signing_input == NULL) {
		rc = OAUTH_NOMEM;
		oauth_seterr(err, errlen, "out of memory");
		goto out;
	}
	rc = OAUTH_OK;
out:
	if (rc != OAUTH_OK)
		oauth_jwt_free(jwt);
	return rc;
}

static const struct jws_alg *
find_alg(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(jws_algs) / sizeof(jws_algs[0]); i++)
		if (strcmp(jws_algs[i].name, name) == 0)
			return &jws_algs[i];
	return NULL;
}

static int
alg_allowed(const char *name, const char *const *algs)
{
	size_t i;

	if (algs == NULL)
		return 1; /* every entry of jws_algs */
	for (i = 0; algs[i] != NULL; i++)
		if (strcmp(algs[i], name) == 0)
			return 1;
	return 0;
}

/* JWS ECDSA signatures are R || S, fixed size (RFC 7518 §3.4); libcrypto wants DER. */
static unsigned char *
ecdsa_raw_to_der(const unsigned char *raw, size_t coord_len, int *derlen)
{
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;

	*derlen = 0;
	sig = ECDSA_SIG_new();
	r = BN_bin2bn(raw, (int)coord_len, NULL);
	s = BN_bin2bn(raw + coord_len, (int)coord_len, NULL);
	if (sig == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(sig, r, s) != 1)
		goto out;
	r = NULL; /* owned by sig now */
	s = NULL;
	*derlen = i2d_ECDSA_SIG(sig, &der);
	if (*derlen <= 0) {
		der = NULL;
		*derlen = 0;
	}
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return der;
}

static int
set_rsa_padding(EVP_PKEY_CTX *pctx, const struct jws_alg *a)
{
	if (a->kind == SIG_RSA_PKCS1)
		return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
	/* RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash. */
	return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0 &&
	       EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, a->md, NULL) > 0;
}

static enum oauth_status
verify_with_key(const struct oauth_jwt *jwt, const struct jws_alg *a, EVP_PKEY *pkey, char *err,
                size_t errlen)
{
	enum oauth_status rc = OAUTH_INVALID_TOKEN;
	const unsigned char *sig = jwt->signature;
	size_t siglen = jwt->signature_len;
	unsigned char *der = NULL;
	EVP_MD_CTX *mdctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int derlen = 0;

	if (a->kind == SIG_ECDSA) {
		if (siglen != 2 * a->coord_len) {
			oauth_seterr(err, errlen, "%s signature is %zu bytes, not %zu", a->name,
			             siglen, 2 * a->coord_len);
			goto out;
		}
		der = ecdsa_raw_to_der(sig, a->coord_len, &derlen);
		if (der == NULL) {
			rc = OAUTH_NOMEM;
			oauth_seterr(err, errlen, "cannot encode ECDSA signature");
			goto out;
		}
		sig = der;
		siglen = (size_t)derlen;
	} else if (a->kind != SIG_EDDSA && siglen != (size_t)EVP_PKEY_get_size(pkey)) {
		oauth_seterr(err, errlen, "%s signature length does not match the key", a->name);
		goto out;
	}
	mdctx = EVP_MD_CTX_new();
	if (mdctx == NULL ||
	    EVP_DigestVerifyInit_ex(mdctx, &pctx, a->md, NULL, NULL, pkey, NULL) <= 0 ||
	    ((a->kind == SIG_RSA_PKCS1 || a->kind == SIG_RSA_PSS) && !set_rsa_padding(pctx, a))) {
		oauth_seterr(err, errlen, "cannot set up %s verification", a->name);
		goto out;
	}
	if (EVP_DigestVerify(mdctx, sig, siglen, (const unsigned char *)jwt->signing_input,
	                     strlen(jwt->signing_input)) != 1) {
		oauth_seterr(err, errlen, "%s signature does not verify", a->name);
		goto out;
	}
	rc = OAUTH_OK;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(mdctx);
	OPENSSL_free(der);
	return rc;
}

/* Refuses what the header asks that we do not or must not honour. */
static enum oauth_status
check_header(const cJSON *header, const char **kid, char *err, size_t errlen)
{
	const cJSON *item;
	size_t i;

	*kid = NULL;
	/* RFC 7515 §4.1.11: we understand no extension, so any "crit" must be refused. */
	if (cJSON_GetObjectItemCaseSensitive(header, "crit") != NULL) {
		oauth_seterr(err, errlen, "JWS header has \"crit\"");
		return OAUTH_INVALID_TOKEN;
	}
	for (i = 0; i < sizeof(key_carrying_headers) / sizeof(key_carrying_headers[0]); i++) {
		if (cJSON_GetObjectItemCaseSensitive(header, key_carrying_headers[i]) != NULL) {
			oauth_seterr(err, errlen, "JWS header names its own key (\"%s\")",
			             key_carrying_headers[i]);
			return OAUTH_INVALID_TOKEN;
		}
	}
	item = cJSON_GetObjectItemCaseSensitive(header, "kid");
	if (item != NULL) {
		if (!cJSON_IsString(item) || item->valuestring == NULL ||
		    item->valuestring[0] == '\0') {
			oauth_seterr(err, errlen, "JWS header \"kid\" is not a string");
			return OAUTH_INVALID_TOKEN;
		}
		*kid = item->valuestring;
	}
	return OAUTH_OK;
}

/* The alg named by the header, if it is one we verify and the caller allows. */
static const struct jws_alg *
header_alg(const cJSON *header, const char *const *algs, char *err, size_t errlen)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(header, "alg");
	const struct jws_alg *a;
	char name[32];

	if (!cJSON_IsString(item) || item->valuestring == NULL) {
		oauth_seterr(err, errlen, "JWS header has no \"alg\" string");
		return NULL;
	}
	oauth_sanitize(name, sizeof(name), item->valuestring);
	if (strcmp(item->valuestring, "none") == 0) {
		oauth_seterr(err, errlen, "unsigned token (alg \"none\") refused");
		return NULL;
	}
	/* A public key used as an HMAC secret is the classic forgery (RFC 8725 §2.1). */
	if (strncmp(item->valuestring, "HS", 2) == 0) {
		oauth_seterr(err, errlen, "HMAC alg \"%s\" refused", name);
		return NULL;
	}
	a = find_alg(item->valuestring);
	if (a == NULL || !alg_allowed(a->name, algs)) {
		oauth_seterr(err, errlen, "alg \"%s\" is not allowed", name);
		return NULL;
	}
	return a;
}

enum oauth_status
oauth_jwt_verify_signature(const struct oauth_jwt *jwt, const struct oauth_jwks *jwks,
                           const char *const *algs, char *err, size_t errlen)
{
	const struct jws_alg *a;
	const struct oauth_jwk *key;
	const char *kid = NULL;
	enum oauth_status rc;

	if (jwt == NULL || jwt->header == NULL || jwt->signing_input == NULL || jwks == NULL) {
		oauth_seterr(err, errlen, "nothing to verify");
		return OAUTH_INVALID_TOKEN;
	}
	a = header_alg(jwt->header, algs, err, errlen);
	if (a == NULL)
		return OAUTH_INVALID_TOKEN;
	rc = check_header(jwt->header, &kid, err, errlen);
	if (rc != OAUTH_OK)
		return rc;
	key = oauth_jwks_find(jwks, kid, a->kty);
	if (key == NULL) {
		oauth_seterr(err, errlen, "no single %s key in the JWK set for this token%s",
		             a->kty, kid == NULL ? " (no kid)" : "");
		return OAUTH_INVALID_TOKEN;
	}
	if (a->crv != NULL && (key->crv == NULL || strcmp(key->crv, a->crv) != 0)) {
		oauth_seterr(err, errlen, "%s needs a %s key", a->name, a->crv);
		return OAUTH_INVALID_TOKEN;
	}
	if ((key->alg != NULL && strcmp(key->alg, a->name) != 0) ||
	    (key->use != NULL && strcmp(key->use, "sig") != 0)) {
		oauth_seterr(err, errlen, "the key is not published for %s signatures", a->name);
		return OAUTH_INVALID_TOKEN;
	}
	return verify_with_key(jwt, a, key->pkey, err, errlen);
}

/* A NumericDate (RFC 7519 §2): a finite non-negative JSON number. 1 ok, 0 missing, -1 bad. */
static int
get_time(const cJSON *claims, const char *name, double *out)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(claims, name);

	*out = 0;
	if (item == NULL)
		return 0;
	if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble) || item->valuedouble < 0)
		return -1;
	*out = item->valuedouble;
	return 1;
}

static enum oauth_status
check_times(const cJSON *claims, const struct oauth_id_token_expect *expect, char *err,
            size_t errlen)
{
	double exp, iat, nbf;
	double early = (double)expect->now - (double)expect->leeway;
	double late = (double)expect->now + (double)expect->leeway;
	int got;

	if (get_time(claims, "exp", &exp) != 1) {
		oauth_seterr(err, errlen, "\"exp\" missing or not a number");
		return OAUTH_INVALID_TOKEN;
	}
	if (!(exp > early)) {
		oauth_seterr(err, errlen, "\"exp\" has passed");
		return OAUTH_INVALID_TOKEN;
	}
	if (get_time(claims, "iat", &iat) != 1) {
		oauth_seterr(err, errlen, "\"iat\" missing or not a number");
		return OAUTH_INVALID_TOKEN;
	}
	if (iat > late) {
		oauth_seterr(err, errlen, "\"iat\" is in the future");
		return OAUTH_INVALID_TOKEN;
	}
	got = get_time(claims, "nbf", &nbf);
	if (got < 0 || (got == 1 && nbf > late)) {
		oauth_seterr(err, errlen, "\"nbf\" not a number or in the future");
		return OAUTH_INVALID_TOKEN;
	}
	return OAUTH_OK;
}

/* aud is our client_id or an array holding it; azp required with several audiences. */
static enum oauth_status
check_audience(const cJSON *claims, const char *client_id, char *err, size_t errlen)
{
	const cJSON *aud = cJSON_GetObjectItemCaseSensitive(claims, "aud");
	const cJSON *azp = cJSON_GetObjectItemCaseSensitive(claims, "azp");
	const cJSON *v;
	int naud = 0, found = 0;

	if (cJSON_IsString(aud)) {
		naud = 1;
		found = strcmp(aud->valuestring, client_id) == 0;
	} else if (cJSON_IsArray(aud)) {
		cJSON_ArrayForEach(v, aud)
		{
			if (!cJSON_IsString(v)) {
				oauth_seterr(err, errlen, "\"aud\" holds a non-string");
				return OAUTH_INVALID_TOKEN;
			}
			naud++;
			found |= strcmp(v->valuestring, client_id) == 0;
		}
	}
	if (!found) {
		oauth_seterr(err, errlen, "\"aud\" missing or does not contain our client_id");
		return OAUTH_INVALID_TOKEN;
	}
	if (azp != NULL && (!cJSON_IsString(azp) || strcmp(azp->valuestring, client_id) != 0)) {
		oauth_seterr(err, errlen, "\"azp\" is not our client_id");
		return OAUTH_INVALID_TOKEN;
	}
	if (azp == NULL && naud > 1) {
		oauth_seterr(err, errlen, "several audiences but no \"azp\"");
		return OAUTH_INVALID_TOKEN;
	}
	return OAUTH_OK;
}

enum oauth_status
oauth_jwt_check_claims(const cJSON *claims, const struct oauth_id_token_expect *expect, char *err,
                       size_t errlen)
{
	const cJSON *iss, *sub;
	enum oauth_status rc;
	char shown[OAUTH_LOG_FIELD_MAX];

	if (expect == NULL || expect->issuer == NULL || expect->issuer[0] == '\0' ||
	    expect->client_id == NULL || expect->client_id[0] == '\0' || expect->leeway < 0) {
		oauth_seterr(err, errlen,
		             "no issuer, client_id or leeway to check the token against");
		return OAUTH_CONFIG;
	}
	if (!cJSON_IsObject(claims)) {
		oauth_seterr(err, errlen, "no claims");
		return OAUTH_INVALID_TOKEN;
	}
	iss = cJSON_GetObjectItemCaseSensitive(claims, "iss");
	if (!cJSON_IsString(iss) || strcmp(iss->valuestring, expect->issuer) != 0) {
		oauth_seterr(err, errlen, "\"iss\" \"%s\" is not the configured issuer",
		             oauth_sanitize(shown, sizeof(shown),
		                            cJSON_IsString(iss) ? iss->valuestring : NULL));
		return OAUTH_INVALID_TOKEN;
	}
	rc = check_audience(claims, expect->client_id, err, errlen);
	if (rc == OAUTH_OK)
		rc = check_times(claims, expect, err, errlen);
	if (rc != OAUTH_OK)
		return rc;
	sub = cJSON_GetObjectItemCaseSensitive(claims, "sub");
	if (!cJSON_IsString(sub) || sub->valuestring[0] == '\0' ||
	    strnlen(sub->valuestring, MAX_SUB_LEN + 1) > MAX_SUB_LEN) {
		oauth_seterr(err, errlen, "\"sub\" missing, empty, too long or not a string");
		return OAUTH_INVALID_TOKEN;
	}
	return OAUTH_OK;
}

enum oauth_status
oauth_jwt_verify_id_token(const char *compact, const struct oauth_jwks *jwks,
                          const char *const *algs, const struct oauth_id_token_expect *expect,
                          cJSON **claims, char *err, size_t errlen)
{
	struct oauth_jwt jwt = {0};
	enum oauth_status rc;

	*claims = NULL;
	rc = oauth_jwt_decode(compact, &jwt, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	if (jwks != NULL) {
		rc = oauth_jwt_verify_signature(&jwt, jwks, algs, err, errlen);
		if (rc != OAUTH_OK)
			goto out;
	}
	rc = oauth_jwt_check_claims(jwt.claims, expect, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	*claims = jwt.claims;
	jwt.claims = NULL; /* moved to the caller */
	rc = OAUTH_OK;
out:
	oauth_jwt_free(&jwt);
	return rc;
}

int
oauth_jwt_kid_unknown(const char *compact, const struct oauth_jwks *jwks)
{
	struct oauth_jwt jwt = {0};
	const cJSON *kid;
	size_t i;
	int unknown = 0;

	if (jwks == NULL || oauth_jwt_decode(compact, &jwt, NULL, 0) != OAUTH_OK)
		goto out;
	kid = cJSON_GetObjectItemCaseSensitive(jwt.header, "kid");
	if (!cJSON_IsString(kid) || kid->valuestring == NULL || kid->valuestring[0] == '\0')
		goto out;
	unknown = 1;
	for (i = 0; i < jwks->nkeys; i++)
		if (jwks->keys[i].kid != NULL && strcmp(jwks->keys[i].kid, kid->valuestring) == 0)
			unknown = 0;
out:
	oauth_jwt_free(&jwt);
	return unknown;
}
