/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* JSON Web Key Sets (RFC 7517/7518) turned into libcrypto public keys, strictly. */
#include "build_config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "json.h"
#include "jwks.h"

/* Largest RSA public exponent we take, in bytes: real keys use 65537 (3 bytes). */
#define RSA_MAX_E_BYTES 8
/* Largest decoded key parameter, in bytes: an 8192-bit modulus, plus a stray leading zero. */
#define MAX_PARAM_BYTES (OAUTH_JWKS_RSA_MAX_BITS / 8 + 1)

/* Members that only a private (or symmetric) JWK carries (RFC 7518 §6.2.2, §6.3.2, §6.4). */
static const char *const private_members[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};

/* Curves we accept for signatures: JWK name, libcrypto name, coordinate size in bytes. */
struct curve {
	const char *crv;
	const char *ossl_name;
	size_t coord_len;
};

static const struct curve ec_curves[] = {
    {"P-256", "P-256", 32},
    {"P-384", "P-384", 48},
    {"P-521", "P-521", 66},
};

/* RFC 8037 §2: for Ed25519/Ed448, "x" is the raw public key. */
static const struct curve okp_curves[] = {
    {"Ed25519", "ED25519", 32},
    {"Ed448", "ED448", 57},
};

static int
b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

enum oauth_status
oauth_jwks_base64url_decode(const char *in, size_t inlen, size_t maxout, unsigned char **out,
                            size_t *outlen)
{
	unsigned char *buf = NULL;
	unsigned long acc = 0;
	size_t i, n = 0, need;
	int bits = 0, v;

	*out = NULL;
	*outlen = 0;
	/* One leftover character carries only 6 bits: never a whole byte. */
	if (in == NULL || inlen % 4 == 1)
		return OAUTH_PROTOCOL;
	need = inlen / 4 * 3 + (inlen % 4 == 0 ? 0 : inlen % 4 - 1);
	if (need > maxout)
		return OAUTH_PROTOCOL;
	buf = malloc(need + 1);
	if (buf == NULL)
		return OAUTH_NOMEM;
	for (i = 0; i < inlen; i++) {
		v = b64url_value((unsigned char)in[i]);
		if (v < 0)
			goto bad;
		acc = ((acc << 6) | (unsigned long)v) & 0xffffffUL;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (unsigned char)((acc >> bits) & 0xff);
		}
	}
	/* Canonical encoding only: the bits left over must be zero. */
	if ((acc & ((1UL << bits) - 1)) != 0)
		goto bad;
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return OAUTH_OK;
bad:
	free(buf);
	return OAUTH_PROTOCOL;
}

/* get_b64_param()'s len when the member may have any length up to maxlen. */
#define ANY_LENGTH 0

/* Decodes the base64url string member name of key, exactly len bytes unless ANY_LENGTH. */
static int
get_b64_param(const cJSON *key, const char *name, size_t len, size_t maxlen, unsigned char **out,
              size_t *outlen, char *why, size_t whylen)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(key, name);

	*out = NULL;
	*outlen = 0;
	if (!cJSON_IsString(item) || item->valuestring == NULL || item->valuestring[0] == '\0') {
		oauth_seterr(why, whylen, "\"%s\" missing or not a string", name);
		return 0;
	}
	if (oauth_jwks_base64url_decode(item->valuestring, strlen(item->valuestring), maxlen, out,
	                                outlen) != OAUTH_OK) {
		oauth_seterr(why, whylen, "\"%s\" is not strict base64url or too long", name);
		return 0;
	}
	if (*outlen == 0 || (len != 0 && *outlen != len)) {
		oauth_seterr(why, whylen, "\"%s\" has the wrong length", name);
		free(*out);
		*out = NULL;
		return 0;
	}
	return 1;
}

/* Builds a public key of type name from params, then lets libcrypto check it. */
static EVP_PKEY *
pkey_from_params(const char *name, OSSL_PARAM_BLD *bld)
{
	EVP_PKEY_CTX *ctx = NULL, *check = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;

	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	/* For EC this proves the point lies on the curve (and is not infinity). */
	check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (check == NULL || EVP_PKEY_public_check(check) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	ERR_clear_error();
	return pkey;
}

static EVP_PKEY *
rsa_key(const cJSON *key, char *why, size_t whylen)
{
	unsigned char *n = NULL, *e = NULL;
	size_t nlen = 0, elen = 0;
	BIGNUM *bn_n = NULL, *bn_e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;
	int bits;

	if (!get_b64_param(key, "n", ANY_LENGTH, MAX_PARAM_BYTES, &n, &nlen, why, whylen) ||
	    !get_b64_param(key, "e", ANY_LENGTH, RSA_MAX_E_BYTES, &e, &elen, why, whylen))
		goto out;
	bn_n = BN_bin2bn(n, (int)nlen, NULL);
	bn_e = BN_bin2bn(e, (int)elen, NULL);
	if (bn_n == NULL || bn_e == NULL)
		goto out;
	bits = BN_num_bits(bn_n);
	if (bits < OAUTH_JWKS_RSA_MIN_BITS || bits > OAUTH_JWKS_RSA_MAX_BITS) {
		oauth_seterr(why, whylen, "RSA modulus of %d bits (need %d to %d)", bits,
		             OAUTH_JWKS_RSA_MIN_BITS, OAUTH_JWKS_RSA_MAX_BITS);
		goto out;
	}
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
		goto out;
	pkey = pkey_from_params("RSA", bld);
	if (pkey == NULL)
		oauth_seterr(why, whylen, "RSA key rejected by libcrypto");
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	free(n);
	free(e);
	return pkey;
}

static const struct curve *
find_curve(const struct curve *table, size_t n, const char *crv)
{
	size_t i;

	for (i = 0; crv != NULL && i < n; i++)
		if (strcmp(table[i].crv, crv) == 0)
			return &table[i];
	return NULL;
}

static EVP_PKEY *
ec_key(const cJSON *key, const struct curve *c, char *why, size_t whylen)
{
	unsigned char *x = NULL, *y = NULL, *point = NULL;
	size_t xlen = 0, ylen = 0;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;

	/* RFC 7518 §6.2.1.2: coordinates are the full size of the field, no shorter. */
	if (!get_b64_param(key, "x", c->coord_len, c->coord_len, &x, &xlen, why, whylen) ||
	    !get_b64_param(key, "y", c->coord_len, c->coord_len, &y, &ylen, why, whylen))
		goto out;
	point = malloc(1 + 2 * c->coord_len);
	if (point == NULL)
		goto out;
	point[0] = 0x04; /* SEC 1 uncompressed point: 04 || X || Y */
	memcpy(point + 1, x, xlen);
	memcpy(point + 1 + xlen, y, ylen);
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, c->ossl_name, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point,
	                                      1 + 2 * c->coord_len))
		goto out;
	pkey = pkey_from_params("EC", bld);
	if (pkey == NULL)
		oauth_seterr(why, whylen, "EC point not on curve %s", c->crv);
out:
	OSSL_PARAM_BLD_free(bld);
	free(point);
	free(x);
	free(y);
	return pkey;
}

static EVP_PKEY *
okp_key(const cJSON *key, const struct curve *c, char *why, size_t whylen)
{
	unsigned char *x = NULL;
	size_t xlen = 0;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;

	if (!get_b64_param(key, "x", c->coord_len, c->coord_len, &x, &xlen, why, whylen))
		goto out;
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL || !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, x, xlen))
		goto out;
	pkey = pkey_from_params(c->ossl_name, bld);
	if (pkey == NULL)
		oauth_seterr(why, whylen, "%s key rejected (not available or invalid)", c->crv);
out:
	OSSL_PARAM_BLD_free(bld);
	free(x);
	return pkey;
}

static int
has_private_member(const cJSON *key)
{
	size_t i;

	for (i = 0; i < sizeof(private_members) / sizeof(private_members[0]); i++)
		if (cJSON_GetObjectItemCaseSensitive(key, private_members[i]) != NULL)
			return 1;
	return 0;
}

/* RFC 7517 §4.3: a key_ops list, when present, must allow "verify". */
static int
ops_allow_verify(const cJSON *key)
{
	const cJSON *ops = cJSON_GetObjectItemCaseSensitive(key, "key_ops");
	const cJSON *op;

	if (ops == NULL)
		return 1;
	if (!cJSON_IsArray(ops))
		return 0;
	cJSON_ArrayForEach(op, ops)
	{
		if (cJSON_IsString(op) && strcmp(op->valuestring, "verify") == 0)
			return 1;
	}
	return 0;
}

static void
jwk_clear(struct oauth_jwk *k)
{
	free(k->kid);
	free(k->kty);
	free(k->alg);
	free(k->use);
	free(k->crv);
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof(*k));
}

/* Reads the optional string members; any of them present but not a non-empty string skips. */
static enum oauth_status
read_members(const cJSON *key, struct oauth_jwk *k, char *why, size_t whylen)
{
	enum oauth_status rc;

	rc = oauth_json_get_string(key, "kty", OAUTH_JSON_REQUIRED, &k->kty, why, whylen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_string(key, "kid", OAUTH_JSON_OPTIONAL, &k->kid, why, whylen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_string(key, "alg", OAUTH_JSON_OPTIONAL, &k->alg, why, whylen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_string(key, "use", OAUTH_JSON_OPTIONAL, &k->use, why, whylen);
	if (rc == OAUTH_OK)
		rc = oauth_json_get_string(key, "crv", OAUTH_JSON_OPTIONAL, &k->crv, why, whylen);
	return rc;
}

/*
 * Fills k from one JWK. OAUTH_OK with k->pkey set: usable; OAUTH_OK with
 * k->pkey NULL: skipped (why says why); other statuses end the whole parse.
 */
static enum oauth_status
parse_key(const cJSON *key, struct oauth_jwk *k, char *why, size_t whylen)
{
	const struct curve *c;
	enum oauth_status rc;

	memset(k, 0, sizeof(*k));
	if (!cJSON_IsObject(key)) {
		oauth_seterr(why, whylen, "key is not an object");
		return OAUTH_OK;
	}
	if (has_private_member(key))
		return OAUTH_PROTOCOL;
	rc = read_members(key, k, why, whylen);
	if (rc == OAUTH_NOMEM)
		return rc;
	if (rc != OAUTH_OK)
		return OAUTH_OK;
	if ((k->use != NULL && strcmp(k->use, "sig") != 0) || !ops_allow_verify(key)) {
		oauth_seterr(why, whylen, "key not for signatures");
		return OAUTH_OK;
	}
	if (strcmp(k->kty, "RSA") == 0) {
		k->pkey = rsa_key(key, why, whylen);
	} else if (strcmp(k->kty, "EC") == 0) {
		c = find_curve(ec_curves, sizeof(ec_curves) / sizeof(ec_curves[0]), k->crv);
		if (c != NULL)
			k->pkey = ec_key(key, c, why, whylen);
		else
			oauth_seterr(why, whylen, "unsupported EC curve");
	} else if (strcmp(k->kty, "OKP") == 0) {
		c = find_curve(okp_curves, sizeof(okp_curves) / sizeof(okp_curves[0]), k->crv);
		if (c != NULL)
			k->pkey = okp_key(key, c, why, whylen);
		else
			oauth_seterr(why, whylen, "unsupported OKP curve");
	} else {
		oauth_seterr(why, whylen, "unsupported key type");
	}
	return OAUTH_OK;
}

enum oauth_status
oauth_jwks_parse(const char *body, size_t len, struct oauth_jwks **out, char *err, size_t errlen)
{
	enum oauth_status rc = OAUTH_PROTOCOL;
	struct oauth_jwks *set = NULL;
	cJSON *root = NULL;
	const cJSON *keys, *key;
	char why[OAUTH_ERR_SIZE] = "";
	int n;

	*out = NULL;
	if (len > OAUTH_JWKS_MAX_BYTES) {
		oauth_seterr(err, errlen, "JWK set larger than %d bytes", OAUTH_JWKS_MAX_BYTES);
		goto out;
	}
	rc = oauth_json_parse_object(body, len, &root, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	rc = OAUTH_PROTOCOL;
	keys = cJSON_GetObjectItemCaseSensitive(root, "keys");
	if (!cJSON_IsArray(keys)) {
		oauth_seterr(err, errlen, "JWK set has no \"keys\" array");
		goto out;
	}
	n = cJSON_GetArraySize(keys);
	if (n > OAUTH_JWKS_MAX_KEYS) {
		oauth_seterr(err, errlen, "JWK set has more than %d keys", OAUTH_JWKS_MAX_KEYS);
		goto out;
	}
	set = calloc(1, sizeof(*set));
	if (set != NULL && n > 0)
		set->keys = calloc((size_t)n, sizeof(*set->keys));
	if (set == NULL || (n > 0 && set->keys == NULL)) {
		rc = OAUTH_NOMEM;
		oauth_seterr(err, errlen, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach(key, keys)
	{
		struct oauth_jwk *k = &set->keys[set->nkeys];

		rc = parse_key(key, k, why, sizeof(why));
		if (rc != OAUTH_OK) {
			jwk_clear(k);
			oauth_seterr(err, errlen,
			             rc == OAUTH_NOMEM ? "out of memory"
			                               : "JWK set publishes a private key");
			goto out;
		}
		if (k->pkey == NULL)
			jwk_clear(k);
		else
			set->nkeys++;
	}
	if (set->nkeys == 0) {
		rc = OAUTH_PROTOCOL;
		oauth_seterr(err, errlen, "JWK set has no usable signing key%s%s",
		             why[0] != '\0' ? ": " : "", why);
		goto out;
	}
	*out = set;
	set = NULL;
	rc = OAUTH_OK;
out:
	oauth_jwks_free(set);
	oauth_json_free(root);
	return rc;
}

void
oauth_jwks_free(struct oauth_jwks *jwks)
{
	size_t i;

	if (jwks == NULL)
		return;
	for (i = 0; i < jwks->nkeys; i++)
		jwk_clear(&jwks->keys[i]);
	free(jwks->keys);
	free(jwks);
}

const struct oauth_jwk *
oauth_jwks_find(const struct oauth_jwks *jwks, const char *kid, const char *kty)
{
	const struct oauth_jwk *found = NULL;
	size_t i;

	if (jwks == NULL || kty == NULL)
		return NULL;
	for (i = 0; i < jwks->nkeys; i++) {
		const struct oauth_jwk *k = &jwks->keys[i];

		if (strcmp(k->kty, kty) != 0)
			continue;
		if (kid != NULL && (k->kid == NULL || strcmp(k->kid, kid) != 0))
			continue;
		/* Two candidates: refuse to guess which one signed. */
		if (found != NULL)
			return NULL;
		found = k;
	}
	return found;
}
