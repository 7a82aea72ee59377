/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Test helpers: keys generated at run time, JWK Sets and signed compact JWS built from them. */
#ifndef PAM_OAUTH_TESTJOSE_H
#define PAM_OAUTH_TESTJOSE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

/* printf into a fresh heap string; the tests free it. */
static char *tj_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
static char *
tj_strf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = malloc((size_t)n + 1);
	if (s == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* base64url without padding (RFC 7515 §2). */
static __attribute__((unused)) char *
tj_b64url(const unsigned char *in, size_t len)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *out = malloc(len / 3 * 4 + 5);
	size_t i, o = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		unsigned long v =
		    ((unsigned long)in[i] << 16) | ((unsigned long)in[i + 1] << 8) | in[i + 2];
		out[o++] = abc[(v >> 18) & 63];
		out[o++] = abc[(v >> 12) & 63];
		out[o++] = abc[(v >> 6) & 63];
		out[o++] = abc[v & 63];
	}
	if (len - i == 1) {
		out[o++] = abc[in[i] >> 2];
		out[o++] = abc[(in[i] & 3) << 4];
	} else if (len - i == 2) {
		unsigned long v = ((unsigned long)in[i] << 8) | in[i + 1];
		out[o++] = abc[(v >> 10) & 63];
		out[o++] = abc[(v >> 4) & 63];
		out[o++] = abc[(v << 2) & 63];
	}
	out[o] = '\0';
	return out;
}

static __attribute__((unused)) char *
tj_b64url_str(const char *s)
{
	return tj_b64url((const unsigned char *)s, strlen(s));
}

static __attribute__((unused)) EVP_PKEY *
tj_rsa(unsigned bits)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
}

static __attribute__((unused)) EVP_PKEY *
tj_ec(const char *curve)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
}

/* "ED25519" or "ED448"; NULL when libcrypto lacks it. */
static __attribute__((unused)) EVP_PKEY *
tj_okp(const char *type)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, type);
}

static __attribute__((unused)) char *
tj_bn_param(const EVP_PKEY *pkey, const char *name, int pad)
{
	BIGNUM *bn = NULL;
	unsigned char buf[1100];
	int n;
	char *s;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
		return NULL;
	n = pad > 0 ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf);
	BN_free(bn);
	s = n > 0 ? tj_b64url(buf, (size_t)n) : NULL;
	return s;
}

static __attribute__((unused)) size_t
tj_ec_coord_len(const EVP_PKEY *pkey)
{
	return ((size_t)EVP_PKEY_get_bits(pkey) + 7) / 8;
}

static __attribute__((unused)) const char *
tj_ec_crv(const EVP_PKEY *pkey)
{
	switch (EVP_PKEY_get_bits(pkey)) {
	case 256:
		return "P-256";
	case 384:
		return "P-384";
	default:
		return "P-521";
	}
}

/*
 * The public JWK of pkey as a JSON object: kid (NULL: none) and extra (raw JSON
 * members, e.g. "\"alg\":\"RS256\"", or NULL) included.
 */
static __attribute__((unused)) char *
tj_jwk(const EVP_PKEY *pkey, const char *kid, const char *extra)
{
	char *a = NULL, *b = NULL, *body = NULL, *out = NULL, *kidm = NULL;
	unsigned char raw[64];
	size_t rawlen = sizeof(raw);

	if (EVP_PKEY_is_a(pkey, "RSA")) {
		a = tj_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, 0);
		b = tj_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, 0);
		body = tj_strf("\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\"", a, b);
	} else if (EVP_PKEY_is_a(pkey, "EC")) {
		int pad = (int)tj_ec_coord_len(pkey);

		a = tj_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, pad);
		b = tj_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, pad);
		body = tj_strf("\"kty\":\"EC\",\"crv\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"",
		               tj_ec_crv(pkey), a, b);
	} else {
		const char *crv = EVP_PKEY_is_a(pkey, "ED25519") ? "Ed25519" : "Ed448";

		if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, raw, sizeof(raw),
		                                    &rawlen) == 1)
			a = tj_b64url(raw, rawlen);
		body = tj_strf("\"kty\":\"OKP\",\"crv\":\"%s\",\"x\":\"%s\"", crv, a);
	}
	kidm = kid != NULL ? tj_strf(",\"kid\":\"%s\"", kid) : tj_strf("%s", "");
	out =
	    tj_strf("{%s%s%s%s}", body, kidm, extra != NULL ? "," : "", extra != NULL ? extra : "");
	free(a);
	free(b);
	free(body);
	free(kidm);
	return out;
}

/* {"keys":[k0,k1,...]} from n JWK strings. */
static __attribute__((unused)) char *
tj_jwks(size_t n, const char *const *jwks)
{
	char *acc = tj_strf("%s", "{\"keys\":[");
	size_t i;

	for (i = 0; i < n; i++) {
		char *next = tj_strf("%s%s%s", acc, i > 0 ? "," : "", jwks[i]);

		free(acc);
		acc = next;
	}
	{
		char *done = tj_strf("%s]}", acc);

		free(acc);
		acc = done;
	}
	return acc;
}

/* A DER ECDSA signature as JWS wants it: R || S, each coord_len bytes. */
static __attribute__((unused)) unsigned char *
tj_der_to_raw(const unsigned char *der, size_t derlen, size_t coord_len, size_t *rawlen)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	unsigned char *raw = malloc(2 * coord_len);

	*rawlen = 0;
	if (sig != NULL && raw != NULL &&
	    BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, (int)coord_len) > 0 &&
	    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + coord_len, (int)coord_len) > 0)
		*rawlen = 2 * coord_len;
	ECDSA_SIG_free(sig);
	if (*rawlen == 0) {
		free(raw);
		raw = NULL;
	}
	return raw;
}

static __attribute__((unused)) const char *
tj_md_for(const char *alg)
{
	if (strcmp(alg, "EdDSA") == 0)
		return NULL;
	if (strcmp(alg + 2, "384") == 0)
		return "SHA384";
	if (strcmp(alg + 2, "512") == 0)
		return "SHA512";
	return "SHA256";
}

/*
 * Signs data with pkey as JWS alg would (RS*, PS*, ES*, EdDSA). der nonzero
 * keeps an ECDSA signature DER-encoded (the classic interoperability mistake).
 */
static __attribute__((unused)) unsigned char *
tj_sign(EVP_PKEY *pkey, const char *alg, const char *data, int der, size_t *siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *sig = NULL, *raw;
	size_t len = 0;

	*siglen = 0;
	if (EVP_DigestSignInit_ex(md, &pctx, tj_md_for(alg), NULL, NULL, pkey, NULL) != 1)
		goto out;
	if (alg[0] == 'P') {
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
		EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, tj_md_for(alg), NULL);
	}
	if (EVP_DigestSign(md, NULL, &len, (const unsigned char *)data, strlen(data)) != 1)
		goto out;
	sig = malloc(len);
	if (sig == NULL ||
	    EVP_DigestSign(md, sig, &len, (const unsigned char *)data, strlen(data)) != 1) {
		free(sig);
		sig = NULL;
		goto out;
	}
	*siglen = len;
	if (alg[0] == 'E' && alg[1] == 'S' && !der) {
		raw = tj_der_to_raw(sig, len, tj_ec_coord_len(pkey), siglen);
		free(sig);
		sig = raw;
	}
out:
	EVP_MD_CTX_free(md);
	return sig;
}

/* "b64(header).b64(payload)" */
static __attribute__((unused)) char *
tj_signing_input(const char *header, const char *payload)
{
	char *h = tj_b64url_str(header), *p = tj_b64url_str(payload);
	char *s = tj_strf("%s.%s", h, p);

	free(h);
	free(p);
	return s;
}

/* signing input + "." + b64(sig) */
static __attribute__((unused)) char *
tj_with_sig(const char *input, const unsigned char *sig, size_t siglen)
{
	char *b = tj_b64url(sig, siglen);
	char *s = tj_strf("%s.%s", input, b);

	free(b);
	return s;
}

/* A compact JWS of header and payload signed by pkey with alg. */
static __attribute__((unused)) char *
tj_token(EVP_PKEY *pkey, const char *alg, const char *header, const char *payload)
{
	char *input = tj_signing_input(header, payload);
	size_t siglen = 0;
	unsigned char *sig = tj_sign(pkey, alg, input, 0, &siglen);
	char *tok = sig != NULL ? tj_with_sig(input, sig, siglen) : NULL;

	free(input);
	free(sig);
	return tok;
}

#endif
