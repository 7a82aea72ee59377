/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of JWK Set parsing: key types, strict base64url, refused and skipped keys, lookup. */
#include "build_config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "jwks.h"
#include "status.h"
#include "testjose.h"
#include "testutil.h"

static EVP_PKEY *rsa2048, *rsa1024, *ec256, *ec384, *ec521, *ed25519, *ed448;

/* Parses text; returns the status, *out the set (freed by the caller). */
static enum oauth_status
parse(const char *text, struct oauth_jwks **out, char *err)
{
	err[0] = '\0';
	return oauth_jwks_parse(text, strlen(text), out, err, OAUTH_ERR_SIZE);
}

/* The set made of the single JWK jwk must be refused with OAUTH_PROTOCOL. */
static void
check_single_refused(const char *jwk, const char *reason_part)
{
	const char *one[1] = {jwk};
	char *set = tj_jwks(1, one);
	struct oauth_jwks *jwks = (struct oauth_jwks *)1;
	char err[OAUTH_ERR_SIZE];

	CHECK_INT(parse(set, &jwks, err), OAUTH_PROTOCOL);
	CHECK(jwks == NULL);
	if (reason_part != NULL && strstr(err, reason_part) == NULL)
		T_FAIL("err \"%s\" lacks \"%s\"", err, reason_part);
	free(set);
}

/* Parses a one-key set from pkey and checks the key equals pkey. */
static void
check_single_parses(EVP_PKEY *pkey, const char *kty, const char *crv)
{
	char *jwk = tj_jwk(pkey, "k1", "\"use\":\"sig\"");
	const char *one[1] = {jwk};
	char *set = tj_jwks(1, one);
	struct oauth_jwks *jwks = NULL;
	char err[OAUTH_ERR_SIZE];

	CHECK_INT(parse(set, &jwks, err), OAUTH_OK);
	if (jwks != NULL) {
		CHECK_INT(jwks->nkeys, 1);
		CHECK_STR(jwks->keys[0].kty, kty);
		CHECK_STR(jwks->keys[0].crv, crv);
		CHECK_STR(jwks->keys[0].kid, "k1");
		CHECK_STR(jwks->keys[0].use, "sig");
		CHECK(jwks->keys[0].alg == NULL);
		CHECK_INT(EVP_PKEY_eq(jwks->keys[0].pkey, pkey), 1);
	}
	oauth_jwks_free(jwks);
	free(set);
	free(jwk);
}

static void
test_rsa_key_parses(void)
{
	check_single_parses(rsa2048, "RSA", NULL);
}

static void
test_ec_keys_parse_on_every_curve(void)
{
	check_single_parses(ec256, "EC", "P-256");
	check_single_parses(ec384, "EC", "P-384");
	check_single_parses(ec521, "EC", "P-521");
}

static void
test_okp_keys_parse(void)
{
	check_single_parses(ed25519, "OKP", "Ed25519");
	if (ed448 != NULL)
		check_single_parses(ed448, "OKP", "Ed448");
}

static void
test_mixed_set_keeps_every_key_with_alg(void)
{
	char *k[3] = {tj_jwk(rsa2048, "r", "\"alg\":\"RS256\""), tj_jwk(ec256, "e", NULL),
	              tj_jwk(ed25519, "o", NULL)};
	char *set = tj_jwks(3, (const char *const *)k);
	struct oauth_jwks *jwks = NULL;
	char err[OAUTH_ERR_SIZE];
	size_t i;

	CHECK_INT(parse(set, &jwks, err), OAUTH_OK);
	if (jwks != NULL) {
		CHECK_INT(jwks->nkeys, 3);
		CHECK_STR(jwks->keys[0].alg, "RS256");
	}
	oauth_jwks_free(jwks);
	free(set);
	for (i = 0; i < 3; i++)
		free(k[i]);
}

static void
test_small_rsa_modulus_refused(void)
{
	char *jwk = tj_jwk(rsa1024, "small", NULL);

	check_single_refused(jwk, "1024 bits");
	free(jwk);
}

/* Replaces the value of member name in the JSON object jwk by value. */
static char *
with_member(const char *jwk, const char *name, const char *value)
{
	char key[32];
	const char *start, *end;
	char *out;

	snprintf(key, sizeof(key), "\"%s\":\"", name);
	start = strstr(jwk, key);
	if (start == NULL)
		return NULL;
	start += strlen(key);
	end = strchr(start, '"');
	out = tj_strf("%.*s%s%s", (int)(start - jwk), jwk, value, end);
	return out;
}

/* The value of member name in jwk (a fresh string). */
static char *
member(const char *jwk, const char *name)
{
	char key[32];
	const char *start, *end;

	snprintf(key, sizeof(key), "\"%s\":\"", name);
	start = strstr(jwk, key);
	if (start == NULL)
		return NULL;
	start += strlen(key);
	end = strchr(start, '"');
	return tj_strf("%.*s", (int)(end - start), start);
}

static void
test_ec_point_off_curve_refused(void)
{
	char *jwk = tj_jwk(ec256, "off", NULL);
	char *y = member(jwk, "y");
	char *bad;

	/* Change y only: (x, y') is then (almost surely) not on P-256. */
	y[0] = y[0] == 'A' ? 'B' : 'A';
	bad = with_member(jwk, "y", y);
	check_single_refused(bad, "not on curve");
	free(bad);
	free(y);
	free(jwk);
}

/* e = 1 makes every signature trivially forgeable; even e or n is no RSA key at all. */
static void
test_rsa_degenerate_parameters_refused(void)
{
	static const char *const bad_e[] = {"AQ", "AQAC"}; /* 1 and 65538 */
	char *jwk = tj_jwk(rsa2048, "weak", NULL);
	char *n = member(jwk, "n");
	char *bad;
	size_t i, len = strlen(n);
	char *even_n;

	for (i = 0; i < sizeof(bad_e) / sizeof(bad_e[0]); i++) {
		bad = with_member(jwk, "e", bad_e[i]);
		t_case = bad_e[i];
		check_single_refused(bad, "rejected");
		free(bad);
	}
	{
		BIGNUM *bn = NULL;
		unsigned char buf[256];

		CHECK(EVP_PKEY_get_bn_param(rsa2048, OSSL_PKEY_PARAM_RSA_N, &bn) == 1);
		CHECK(BN_sub_word(bn, 1) == 1);
		CHECK(BN_bn2binpad(bn, buf, sizeof(buf)) == (int)sizeof(buf));
		BN_free(bn);
		even_n = tj_b64url(buf, sizeof(buf));
		CHECK_INT(strlen(even_n), len);
		bad = with_member(jwk, "n", even_n);
		t_case = "even n";
		check_single_refused(bad, "rejected");
		free(bad);
		free(even_n);
	}
	free(n);
	free(jwk);
}

static void
test_ec_short_coordinate_refused(void)
{
	char *jwk = tj_jwk(ec256, "short", NULL);
	char *x = member(jwk, "x");
	char *bad;

	x[40] = '\0'; /* 30 bytes, not 32 */
	bad = with_member(jwk, "x", x);
	check_single_refused(bad, "wrong length");
	free(bad);
	free(x);
	free(jwk);
}

static void
test_private_member_refuses_whole_set(void)
{
	static const char *const privs[] = {"\"d\":\"AQAB\"",  "\"p\":\"AQAB\"",  "\"q\":\"AQAB\"",
	                                    "\"dp\":\"AQAB\"", "\"qi\":\"AQAB\"", "\"k\":\"AQAB\""};
	size_t i;

	for (i = 0; i < sizeof(privs) / sizeof(privs[0]); i++) {
		char *k[2] = {tj_jwk(ed25519, "good", NULL), tj_jwk(ec256, "priv", privs[i])};
		char *set = tj_jwks(2, (const char *const *)k);
		struct oauth_jwks *jwks = NULL;
		char err[OAUTH_ERR_SIZE];

		t_case = privs[i];
		CHECK_INT(parse(set, &jwks, err), OAUTH_PROTOCOL);
		CHECK(jwks == NULL);
		CHECK(strstr(err, "private") != NULL);
		free(set);
		free(k[0]);
		free(k[1]);
	}
}

/* A set of a good key and a skipped one: only the good key survives. */
static void
check_skipped(const char *skipped_jwk)
{
	char *good = tj_jwk(ed25519, "good", NULL);
	const char *k[2] = {skipped_jwk, good};
	char *set = tj_jwks(2, k);
	struct oauth_jwks *jwks = NULL;
	char err[OAUTH_ERR_SIZE];

	CHECK_INT(parse(set, &jwks, err), OAUTH_OK);
	if (jwks != NULL) {
		CHECK_INT(jwks->nkeys, 1);
		CHECK_STR(jwks->keys[0].kid, "good");
		CHECK(oauth_jwks_find(jwks, "skip", "RSA") == NULL);
		CHECK(oauth_jwks_find(jwks, "skip", "EC") == NULL);
		CHECK(oauth_jwks_find(jwks, "skip", "OKP") == NULL);
	}
	oauth_jwks_free(jwks);
	free(set);
	free(good);
	check_single_refused(skipped_jwk, "no usable signing key");
}

static void
test_encryption_key_skipped(void)
{
	char *enc = tj_jwk(rsa2048, "skip", "\"use\":\"enc\"");
	char *ops = tj_jwk(ec256, "skip", "\"key_ops\":[\"encrypt\"]");

	check_skipped(enc);
	check_skipped(ops);
	free(enc);
	free(ops);
}

static void
test_unknown_type_or_curve_skipped(void)
{
	char *k256 = tj_jwk(ec256, "skip", NULL);
	char *k1 = with_member(k256, "crv", "secp256k1");
	char *okp = tj_jwk(ed25519, "skip", NULL);
	char *x25519 = with_member(okp, "crv", "X25519");

	check_skipped("{\"kty\":\"XYZ\",\"kid\":\"skip\",\"n\":\"AQAB\"}");
	check_skipped("{\"kid\":\"skip\",\"x\":\"AQAB\"}");
	check_skipped("{\"kty\":7,\"kid\":\"skip\"}");
	check_skipped("{\"kty\":\"RSA\",\"kid\":\"skip\",\"e\":\"AQAB\"}");
	check_skipped(k1);
	check_skipped(x25519);
	free(k256);
	free(k1);
	free(okp);
	free(x25519);
}

static void
test_non_string_kid_skipped(void)
{
	char *jwk = tj_jwk(ed25519, NULL, "\"kid\":42");

	check_skipped(jwk);
	free(jwk);
}

static void
test_empty_or_malformed_set_refused(void)
{
	static const char *const docs[] = {
	    "{\"keys\":[]}",
	    "{}",
	    "{\"keys\":{}}",
	    "{\"keys\":\"x\"}",
	    "[]",
	    "not json",
	    "{\"keys\":[1,\"a\",null]}",
	    "{\"keys\":[]} trailing",
	};
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct oauth_jwks *jwks = (struct oauth_jwks *)1;
		char err[OAUTH_ERR_SIZE];

		t_case = docs[i];
		CHECK_INT(parse(docs[i], &jwks, err), OAUTH_PROTOCOL);
		CHECK(jwks == NULL);
		CHECK(err[0] != '\0');
	}
}

static void
test_bad_base64url_in_key_refused(void)
{
	char *jwk = tj_jwk(rsa2048, "b64", NULL);
	char *n = member(jwk, "n");
	size_t len = strlen(n);
	char *variants[6];
	size_t i;

	/* 2048-bit n is 256 bytes: 342 characters, the last one's low 4 bits must be zero. */
	variants[0] = tj_strf("%s==", n);
	variants[1] = tj_strf("+%s", n + 1);
	variants[2] = tj_strf("/%s", n + 1);
	variants[3] = tj_strf("%.*s %s", 10, n, n + 10);
	variants[4] = tj_strf("%.*s\\n%s", 10, n, n + 10);
	variants[5] = tj_strf("%.*sB", (int)len - 1, n);
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		char *bad = with_member(jwk, "n", variants[i]);

		t_case = variants[i];
		check_single_refused(bad, "\"n\"");
		free(bad);
		free(variants[i]);
	}
	free(n);
	free(jwk);
}

struct b64_case {
	const char *in;
	enum oauth_status rc;
	const char *out;
};

static const struct b64_case b64_cases[] = {
    {"", OAUTH_OK, ""},
    {"QQ", OAUTH_OK, "A"},
    {"QUI", OAUTH_OK, "AB"},
    {"QUJD", OAUTH_OK, "ABC"},
    {"-_-_", OAUTH_OK, "\xfb\xff\xbf"},
    {"Q", OAUTH_PROTOCOL, NULL},
    {"QR", OAUTH_PROTOCOL, NULL},  /* trailing bits not zero */
    {"QUJ", OAUTH_PROTOCOL, NULL}, /* trailing bits not zero */
    {"QQ==", OAUTH_PROTOCOL, NULL},
    {"QUI=", OAUTH_PROTOCOL, NULL},
    {"+/+/", OAUTH_PROTOCOL, NULL},
    {"QU D", OAUTH_PROTOCOL, NULL},
    {"QUJD\n", OAUTH_PROTOCOL, NULL},
    {"QU.D", OAUTH_PROTOCOL, NULL},
    {"\xc3\xa9QQ", OAUTH_PROTOCOL, NULL},
    {"QUJDRA", OAUTH_PROTOCOL, NULL}, /* 4 bytes, over the bound of 3 */
};

static void
test_base64url_strict_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(b64_cases) / sizeof(b64_cases[0]); i++) {
		unsigned char *out = (unsigned char *)1;
		size_t outlen = 99;

		t_case = b64_cases[i].in;
		CHECK_INT(oauth_jwks_base64url_decode(b64_cases[i].in, strlen(b64_cases[i].in), 3,
		                                      &out, &outlen),
		          b64_cases[i].rc);
		if (b64_cases[i].out != NULL) {
			CHECK_INT(outlen, strlen(b64_cases[i].out));
			CHECK(out != NULL && memcmp(out, b64_cases[i].out, outlen) == 0);
		} else {
			CHECK(out == NULL);
			CHECK_INT(outlen, 0);
		}
		free(out);
	}
}

/* A set of n Ed25519 JWKs, kids k0..k(n-1), all the same key. */
static char *
many_keys(size_t n)
{
	char **k = calloc(n, sizeof(*k));
	char *set, kid[24];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(kid, sizeof(kid), "k%zu", i);
		k[i] = tj_jwk(ed25519, kid, NULL);
	}
	set = tj_jwks(n, (const char *const *)k);
	for (i = 0; i < n; i++)
		free(k[i]);
	free(k);
	return set;
}

static void
test_too_many_keys_refused(void)
{
	char *ok = many_keys(OAUTH_JWKS_MAX_KEYS);
	char *over = many_keys(OAUTH_JWKS_MAX_KEYS + 1);
	struct oauth_jwks *jwks = NULL;
	char err[OAUTH_ERR_SIZE];

	CHECK_INT(parse(ok, &jwks, err), OAUTH_OK);
	CHECK(jwks != NULL && jwks->nkeys == OAUTH_JWKS_MAX_KEYS);
	oauth_jwks_free(jwks);
	jwks = NULL;
	CHECK_INT(parse(over, &jwks, err), OAUTH_PROTOCOL);
	CHECK(jwks == NULL);
	CHECK(strstr(err, "more than") != NULL);
	free(ok);
	free(over);
}

static void
test_oversize_document_refused(void)
{
	size_t len = OAUTH_JWKS_MAX_BYTES + 1;
	char *doc = malloc(len + 1);
	struct oauth_jwks *jwks = NULL;
	char err[OAUTH_ERR_SIZE];

	memset(doc, ' ', len);
	memcpy(doc, "{\"keys\":[]}", 11);
	doc[len] = '\0';
	CHECK_INT(oauth_jwks_parse(doc, len, &jwks, err, sizeof(err)), OAUTH_PROTOCOL);
	CHECK(jwks == NULL);
	free(doc);
}

static void
test_find_by_kid_and_kty(void)
{
	char *k[4] = {tj_jwk(ed25519, "ed1", NULL), tj_jwk(ed25519, "ed2", NULL),
	              tj_jwk(rsa2048, "ed2", NULL), tj_jwk(ec256, "dup", NULL)};
	char *set = tj_jwks(4, (const char *const *)k);
	struct oauth_jwks *jwks = NULL;
	char err[OAUTH_ERR_SIZE];
	const struct oauth_jwk *f;
	size_t i;

	CHECK_INT(parse(set, &jwks, err), OAUTH_OK);
	if (jwks != NULL) {
		f = oauth_jwks_find(jwks, "ed2", "OKP");
		CHECK(f == &jwks->keys[1]);
		f = oauth_jwks_find(jwks, "ed2", "RSA");
		CHECK(f == &jwks->keys[2]);
		CHECK(oauth_jwks_find(jwks, "ed1", "RSA") == NULL);
		CHECK(oauth_jwks_find(jwks, "nope", "OKP") == NULL);
		CHECK(oauth_jwks_find(jwks, "ED1", "OKP") == NULL);
		CHECK(oauth_jwks_find(jwks, "ed1", NULL) == NULL);
		CHECK(oauth_jwks_find(NULL, "ed1", "OKP") == NULL);
		/* No kid: the only key of the type, else nothing. */
		CHECK(oauth_jwks_find(jwks, NULL, "RSA") == &jwks->keys[2]);
		CHECK(oauth_jwks_find(jwks, NULL, "EC") == &jwks->keys[3]);
	}
	oauth_jwks_free(jwks);
	free(set);
	for (i = 0; i < 4; i++)
		free(k[i]);
}

static void
test_ambiguous_lookup_finds_nothing(void)
{
	char *k[3] = {tj_jwk(ed25519, "a", NULL), tj_jwk(ed25519, NULL, NULL),
	              tj_jwk(ec384, "same", NULL)};
	char *k2 = tj_jwk(ec256, "same", NULL);
	const char *all[4] = {k[0], k[1], k[2], k2};
	char *set = tj_jwks(4, all);
	struct oauth_jwks *jwks = NULL;
	char err[OAUTH_ERR_SIZE];
	size_t i;

	CHECK_INT(parse(set, &jwks, err), OAUTH_OK);
	if (jwks != NULL) {
		CHECK(oauth_jwks_find(jwks, NULL, "OKP") == NULL);
		CHECK(oauth_jwks_find(jwks, "same", "EC") == NULL);
		CHECK(oauth_jwks_find(jwks, NULL, "EC") == NULL);
		CHECK(oauth_jwks_find(jwks, "a", "OKP") == &jwks->keys[0]);
	}
	oauth_jwks_free(jwks);
	free(set);
	free(k2);
	for (i = 0; i < 3; i++)
		free(k[i]);
}

int main(void);
int
main(void)
{
	rsa2048 = tj_rsa(2048);
	rsa1024 = tj_rsa(1024);
	ec256 = tj_ec("P-256");
	ec384 = tj_ec("P-384");
	ec521 = tj_ec("P-521");
	ed25519 = tj_okp("ED25519");
	ed448 = tj_okp("ED448");
	if (rsa2048 == NULL || rsa1024 == NULL || ec256 == NULL || ec384 == NULL || ec521 == NULL ||
	    ed25519 == NULL) {
		fprintf(stderr, "key generation failed\n");
		return 1;
	}
	RUN(test_rsa_key_parses);
	RUN(test_ec_keys_parse_on_every_curve);
	RUN(test_okp_keys_parse);
	RUN(test_mixed_set_keeps_every_key_with_alg);
	RUN(test_small_rsa_modulus_refused);
	RUN(test_ec_point_off_curve_refused);
	RUN(test_rsa_degenerate_parameters_refused);
	RUN(test_ec_short_coordinate_refused);
	RUN(test_private_member_refuses_whole_set);
	RUN(test_encryption_key_skipped);
	RUN(test_unknown_type_or_curve_skipped);
	RUN(test_non_string_kid_skipped);
	RUN(test_empty_or_malformed_set_refused);
	RUN(test_bad_base64url_in_key_refused);
	RUN(test_base64url_strict_table);
	RUN(test_too_many_keys_refused);
	RUN(test_oversize_document_refused);
	RUN(test_find_by_kid_and_kty);
	RUN(test_ambiguous_lookup_finds_nothing);
	EVP_PKEY_free(rsa2048);
	EVP_PKEY_free(rsa1024);
	EVP_PKEY_free(ec256);
	EVP_PKEY_free(ec384);
	EVP_PKEY_free(ec521);
	EVP_PKEY_free(ed25519);
	EVP_PKEY_free(ed448);
	return T_DONE();
}
