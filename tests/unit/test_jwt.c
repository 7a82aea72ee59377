/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of JWS decoding, signature verification and ID token claim checks. */
#include "build_config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "jwks.h"
#include "jwa.h"
#include "jwt.h"
#include "status.h"
#include "testjose.h"
#include "testutil.h"

#define NOW 1700000000LL
#define ISSUER "https://idp.example.com"
#define CLIENT "client-1"
/* A payload that passes every claim check at NOW. */
#define GOOD_CLAIMS                                                                                \
	"{\"iss\":\"" ISSUER "\",\"aud\":\"" CLIENT "\",\"sub\":\"alice-sub\","                    \
	"\"exp\":1700000300,\"iat\":1699999990}"

static EVP_PKEY *rsa, *ec256, *ec384, *ec521, *ed;
static struct oauth_jwks *jwks;     /* rsa1, rs (same RSA key, alg RS256), ec256/384/521, ed */
static struct oauth_jwks *jwks_one; /* only the Ed25519 key, no kid */

static const struct oauth_id_token_expect expect = {ISSUER, CLIENT, NOW, OAUTH_JWT_LEEWAY};

static struct oauth_jwks *
make_set(size_t n, char **jwk)
{
	char *set = tj_jwks(n, (const char *const *)jwk);
	struct oauth_jwks *out = NULL;
	char err[OAUTH_ERR_SIZE];
	size_t i;

	if (oauth_jwks_parse(set, strlen(set), &out, err, sizeof(err)) != OAUTH_OK)
		fprintf(stderr, "JWK set refused: %s\n", err);
	free(set);
	for (i = 0; i < n; i++)
		free(jwk[i]);
	return out;
}

static int
setup(void)
{
	char *k[6];

	rsa = tj_rsa(2048);
	ec256 = tj_ec("P-256");
	ec384 = tj_ec("P-384");
	ec521 = tj_ec("P-521");
	ed = tj_okp("ED25519");
	if (rsa == NULL || ec256 == NULL || ec384 == NULL || ec521 == NULL || ed == NULL)
		return 0;
	k[0] = tj_jwk(rsa, "rsa1", "\"use\":\"sig\"");
	k[1] = tj_jwk(rsa, "rs", "\"alg\":\"RS256\"");
	k[2] = tj_jwk(ec256, "ec256", NULL);
	k[3] = tj_jwk(ec384, "ec384", NULL);
	k[4] = tj_jwk(ec521, "ec521", NULL);
	k[5] = tj_jwk(ed, "ed", NULL);
	jwks = make_set(6, k);
	k[0] = tj_jwk(ed, NULL, NULL);
	jwks_one = make_set(1, k);
	return jwks != NULL && jwks_one != NULL;
}

/* A header naming alg and kid (kid NULL: none) plus extra raw members. */
static char *
header(const char *alg, const char *kid, const char *extra)
{
	char *kidm = kid != NULL ? tj_strf(",\"kid\":\"%s\"", kid) : tj_strf("%s", "");
	char *h = tj_strf("{\"alg\":\"%s\"%s%s%s}", alg, kidm, extra != NULL ? "," : "",
	                  extra != NULL ? extra : "");

	free(kidm);
	return h;
}

/* A token signed by pkey with alg, kid in the header, GOOD_CLAIMS as payload. */
static char *
good_token(EVP_PKEY *pkey, const char *alg, const char *kid)
{
	char *h = header(alg, kid, NULL);
	char *tok = tj_token(pkey, alg, h, GOOD_CLAIMS);

	free(h);
	return tok;
}

/* decode + verify_signature against set with algs; the status. */
static enum oauth_status
verify_in(const char *token, const struct oauth_jwks *set, const char *const *algs, char *err)
{
	struct oauth_jwt jwt;
	enum oauth_status rc;

	err[0] = '\0';
	rc = oauth_jwt_decode(token, &jwt, err, OAUTH_ERR_SIZE);
	if (rc == OAUTH_OK)
		rc = oauth_jwt_verify_signature(&jwt, set, algs, err, OAUTH_ERR_SIZE);
	oauth_jwt_free(&jwt);
	return rc;
}

static enum oauth_status
verify(const char *token, char *err)
{
	return verify_in(token, jwks, NULL, err);
}

/* The whole ID token check; claims are dropped. Also checks *claims is set only on success. */
static enum oauth_status
full(const char *token, const struct oauth_jwks *set)
{
	cJSON *claims = (cJSON *)1;
	char err[OAUTH_ERR_SIZE];
	enum oauth_status rc;

	rc = oauth_jwt_verify_id_token(token, set, NULL, &expect, &claims, err, sizeof(err));
	CHECK((rc == OAUTH_OK) == (claims != NULL));
	cJSON_Delete(claims);
	return rc;
}

static void
expect_refused(const char *token, const char *reason_part)
{
	char err[OAUTH_ERR_SIZE];

	CHECK_INT(verify(token, err), OAUTH_INVALID_TOKEN);
	if (reason_part != NULL && strstr(err, reason_part) == NULL)
		T_FAIL("err \"%s\" lacks \"%s\"", err, reason_part);
	CHECK_INT(full(token, jwks), OAUTH_INVALID_TOKEN);
}

struct good_case {
	const char *alg;
	const char *kid;
	EVP_PKEY **key;
};

static const struct good_case good_cases[] = {
    {"RS256", "rsa1", &rsa},    {"RS384", "rsa1", &rsa},    {"RS512", "rsa1", &rsa},
    {"PS256", "rsa1", &rsa},    {"PS384", "rsa1", &rsa},    {"PS512", "rsa1", &rsa},
    {"RS256", "rs", &rsa},      {"ES256", "ec256", &ec256}, {"ES384", "ec384", &ec384},
    {"ES512", "ec521", &ec521}, {"EdDSA", "ed", &ed},
};

static void
test_valid_tokens_of_every_alg_pass(void)
{
	size_t i;

	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		char *tok = good_token(*good_cases[i].key, good_cases[i].alg, good_cases[i].kid);
		cJSON *claims = NULL;
		char err[OAUTH_ERR_SIZE] = "";

		t_case = good_cases[i].alg;
		CHECK_INT(
		    oauth_jwt_verify_id_token(tok, jwks, NULL, &expect, &claims, err, sizeof(err)),
		    OAUTH_OK);
		if (err[0] != '\0')
			T_FAIL("%s: %s", good_cases[i].alg, err);
		CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(claims, "sub")), "alice-sub");
		cJSON_Delete(claims);
		free(tok);
	}
}

/* jwa.c's names and jwt.c's table agree: each alg verified is one id_token_algs may name. */
static void
test_every_alg_can_be_named_in_id_token_algs(void)
{
	const char *algs[OAUTH_JWA_MAX_ALGS + 1];
	const char *const *use = NULL;
	size_t i;

	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		char *tok = good_token(*good_cases[i].key, good_cases[i].alg, good_cases[i].kid);
		char err[OAUTH_ERR_SIZE] = "", *copy = NULL;
		cJSON *claims = NULL;

		t_case = good_cases[i].alg;
		CHECK_INT(
		    oauth_jwa_list_split(good_cases[i].alg, &copy, algs, &use, err, sizeof(err)),
		    OAUTH_OK);
		CHECK_INT(
		    oauth_jwt_verify_id_token(tok, jwks, use, &expect, &claims, err, sizeof(err)),
		    OAUTH_OK);
		cJSON_Delete(claims);
		free(copy);
		free(tok);
	}
}

static void
test_decode_fills_every_part(void)
{
	char *tok = good_token(rsa, "RS256", "rsa1");
	struct oauth_jwt jwt;
	char err[OAUTH_ERR_SIZE];

	CHECK_INT(oauth_jwt_decode(tok, &jwt, err, sizeof(err)), OAUTH_OK);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(jwt.header, "kid")), "rsa1");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(jwt.claims, "iss")), ISSUER);
	CHECK_INT(jwt.signature_len, 256);
	CHECK(jwt.signing_input != NULL &&
	      strncmp(tok, jwt.signing_input, strlen(jwt.signing_input)) == 0 &&
	      tok[strlen(jwt.signing_input)] == '.');
	oauth_jwt_free(&jwt);
	CHECK(jwt.header == NULL && jwt.signing_input == NULL && jwt.signature == NULL);
	oauth_jwt_free(NULL);
	free(tok);
}

static void
test_token_without_kid_uses_the_only_key(void)
{
	char *tok = good_token(ed, "EdDSA", NULL);
	char err[OAUTH_ERR_SIZE];

	CHECK_INT(verify_in(tok, jwks_one, NULL, err), OAUTH_OK);
	free(tok);
}

/* Replaces part idx (0..2) of token by part. */
static char *
replace_part(const char *token, int idx, const char *part)
{
	const char *d1 = strchr(token, '.'), *d2 = strchr(d1 + 1, '.');

	if (idx == 0)
		return tj_strf("%s%s", part, d1);
	if (idx == 1)
		return tj_strf("%.*s%s%s", (int)(d1 + 1 - token), token, part, d2);
	return tj_strf("%.*s%s", (int)(d2 + 1 - token), token, part);
}

static void
test_tampered_payload_fails(void)
{
	char *evil = tj_b64url_str("{\"iss\":\"" ISSUER "\",\"aud\":\"" CLIENT
	                           "\",\"sub\":\"root\",\"exp\":1700000300,\"iat\":1699999990}");
	size_t i;

	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		char *tok = good_token(*good_cases[i].key, good_cases[i].alg, good_cases[i].kid);
		char *bad = replace_part(tok, 1, evil);

		t_case = good_cases[i].alg;
		expect_refused(bad, "does not verify");
		free(bad);
		free(tok);
	}
	free(evil);
}

static void
test_tampered_signature_fails(void)
{
	size_t i;

	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		char *tok = good_token(*good_cases[i].key, good_cases[i].alg, good_cases[i].kid);
		char *sig = strrchr(tok, '.') + 1;

		t_case = good_cases[i].alg;
		sig[10] = sig[10] == 'A' ? 'B' : 'A';
		expect_refused(tok, "does not verify");
		free(tok);
	}
}

/* Header h and GOOD_CLAIMS with signature bytes sig (NULL: "sig"). */
static char *
forged(const char *h, const unsigned char *sig, size_t siglen)
{
	char *input = tj_signing_input(h, GOOD_CLAIMS);
	char *tok = sig != NULL ? tj_with_sig(input, sig, siglen)
	                        : tj_with_sig(input, (const unsigned char *)"sig", 3);

	free(input);
	return tok;
}

static void
test_alg_none_refused(void)
{
	static const char *const only_none[] = {"none", NULL};
	char *input = tj_signing_input("{\"alg\":\"none\"}", GOOD_CLAIMS);
	char *unsigned_tok = tj_strf("%s.", input);
	char *with_sig = forged("{\"alg\":\"none\",\"kid\":\"rsa1\"}", NULL, 0);
	char err[OAUTH_ERR_SIZE];

	expect_refused(unsigned_tok, "empty part");
	expect_refused(with_sig, "none");
	CHECK_INT(verify_in(with_sig, jwks, only_none, err), OAUTH_INVALID_TOKEN);
	free(input);
	free(unsigned_tok);
	free(with_sig);
}

/* The classic: an HMAC keyed with the bytes of the verifier's public RSA key. */
static void
test_hmac_keyed_with_public_key_refused(void)
{
	static const char *const allow_hs[] = {"HS256", "RS256", NULL};
	static const char *const hs[] = {"HS256", "HS384", "HS512"};
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL;
	long pemlen;
	size_t i;

	PEM_write_bio_PUBKEY(bio, rsa);
	pemlen = BIO_get_mem_data(bio, &pem);
	for (i = 0; i < 3; i++) {
		char *h = header(hs[i], "rsa1", NULL);
		char *input = tj_signing_input(h, GOOD_CLAIMS);
		unsigned char mac[64];
		size_t maclen = 0;
		char *tok, err[OAUTH_ERR_SIZE];

		t_case = hs[i];
		CHECK(EVP_Q_mac(NULL, "HMAC", NULL, tj_md_for(hs[i]), NULL, pem, (size_t)pemlen,
		                (const unsigned char *)input, strlen(input), mac, sizeof(mac),
		                &maclen) != NULL);
		tok = tj_with_sig(input, mac, maclen);
		expect_refused(tok, "HMAC");
		CHECK_INT(verify_in(tok, jwks, allow_hs, err), OAUTH_INVALID_TOKEN);
		free(tok);
		free(input);
		free(h);
	}
	BIO_free(bio);
}

static void
test_unknown_alg_refused(void)
{
	static const char *const algs[] = {"RS1",          "rs256", "ES256K",   "EdDSA ",
	                                   "PS256\\u0000", "",      "RSA-OAEP", "Ed25519"};
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		char *h = header(algs[i], "rsa1", NULL);
		char *tok = tj_token(rsa, "RS256", h, GOOD_CLAIMS);

		t_case = algs[i];
		expect_refused(tok, NULL);
		free(tok);
		free(h);
	}
	{
		char *tok = tj_token(rsa, "RS256", "{\"kid\":\"rsa1\"}", GOOD_CLAIMS);
		char *num = tj_token(rsa, "RS256", "{\"alg\":256,\"kid\":\"rsa1\"}", GOOD_CLAIMS);

		t_case = "no alg";
		expect_refused(tok, "no \"alg\"");
		expect_refused(num, "no \"alg\"");
		free(tok);
		free(num);
	}
}

static void
test_alg_outside_allowed_list_refused(void)
{
	static const char *const rs_only[] = {"RS256", NULL};
	char *es = good_token(ec256, "ES256", "ec256");
	char *rs = good_token(rsa, "RS256", "rsa1");
	char err[OAUTH_ERR_SIZE];

	CHECK_INT(verify_in(es, jwks, rs_only, err), OAUTH_INVALID_TOKEN);
	CHECK(strstr(err, "not allowed") != NULL);
	CHECK_INT(verify_in(rs, jwks, rs_only, err), OAUTH_OK);
	free(es);
	free(rs);
}

static void
test_crit_header_refused(void)
{
	char *h = header("RS256", "rsa1", "\"crit\":[\"exp\"],\"exp\":1700000300");
	char *tok = tj_token(rsa, "RS256", h, GOOD_CLAIMS);

	expect_refused(tok, "crit");
	free(tok);
	free(h);
}

static void
test_header_naming_its_own_key_refused(void)
{
	static const char *const extras[] = {
	    "\"jku\":\"https://evil.example/keys\"",
	    "\"x5u\":\"https://evil.example/cert.pem\"",
	    "\"jwk\":{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}",
	};
	size_t i;

	for (i = 0; i < sizeof(extras) / sizeof(extras[0]); i++) {
		char *h = header("ES256", "ec256", extras[i]);
		char *tok = tj_token(ec256, "ES256", h, GOOD_CLAIMS);

		t_case = extras[i];
		expect_refused(tok, "names its own key");
		free(tok);
		free(h);
	}
}

static void
test_kid_not_in_set_refused(void)
{
	char *tok = good_token(rsa, "RS256", "nope");
	char *num = tj_token(rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":5}", GOOD_CLAIMS);

	expect_refused(tok, "no single RSA key");
	expect_refused(num, "kid");
	free(tok);
	free(num);
}

/* Key rotation: only a kid the set lacks asks for a fresh set; anything else does not. */
static void
test_kid_unknown_only_for_a_kid_outside_the_set(void)
{
	char *rotated = good_token(rsa, "RS256", "rotated-key");
	char *known = good_token(rsa, "RS256", "rsa1");
	char *no_kid = good_token(ed, "EdDSA", NULL);
	char *num = tj_token(rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":5}", GOOD_CLAIMS);

	CHECK_INT(oauth_jwt_kid_unknown(rotated, jwks), 1);
	CHECK_INT(oauth_jwt_kid_unknown(known, jwks), 0);
	CHECK_INT(oauth_jwt_kid_unknown(no_kid, jwks_one), 0);
	CHECK_INT(oauth_jwt_kid_unknown(num, jwks), 0);
	CHECK_INT(oauth_jwt_kid_unknown("not.a.token", jwks), 0);
	CHECK_INT(oauth_jwt_kid_unknown(rotated, NULL), 0);
	CHECK_INT(oauth_jwt_kid_unknown(NULL, jwks), 0);
	free(rotated);
	free(known);
	free(no_kid);
	free(num);
}

/* id_token_algs = ES256: a valid RS256 token is refused, an ES256 one passes. */
static void
test_id_token_algs_restricts_the_accepted_algs(void)
{
	const char *algs[OAUTH_JWA_MAX_ALGS + 1];
	const char *const *use = NULL;
	char *rs = good_token(rsa, "RS256", "rsa1");
	char *es = good_token(ec256, "ES256", "ec256");
	char err[OAUTH_ERR_SIZE] = "";
	char *copy = NULL;
	cJSON *claims = NULL;

	CHECK_INT(oauth_jwa_list_split("ES256", &copy, algs, &use, err, sizeof(err)), OAUTH_OK);
	CHECK_INT(oauth_jwt_verify_id_token(rs, jwks, use, &expect, &claims, err, sizeof(err)),
	          OAUTH_INVALID_TOKEN);
	CHECK(claims == NULL && strstr(err, "not allowed") != NULL);
	CHECK_INT(oauth_jwt_verify_id_token(es, jwks, use, &expect, &claims, err, sizeof(err)),
	          OAUTH_OK);
	cJSON_Delete(claims);
	free(copy);
	free(rs);
	free(es);
}

static void
test_no_kid_with_two_candidate_keys_refused(void)
{
	char *tok = good_token(rsa, "RS256", NULL);

	expect_refused(tok, "no kid");
	free(tok);
}

static void
test_key_of_wrong_type_refused(void)
{
	char *rs_on_ec = good_token(rsa, "RS256", "ec256");
	char *h = header("EdDSA", "rsa1", NULL);
	char *tok = tj_token(ed, "EdDSA", h, GOOD_CLAIMS);

	expect_refused(rs_on_ec, "no single RSA key");
	expect_refused(tok, "no single OKP key");
	free(rs_on_ec);
	free(h);
	free(tok);
}

static void
test_ecdsa_signature_of_wrong_form_refused(void)
{
	char *h = header("ES256", "ec256", NULL);
	char *input = tj_signing_input(h, GOOD_CLAIMS);
	size_t rawlen = 0, derlen = 0;
	unsigned char *raw = tj_sign(ec256, "ES256", input, 0, &rawlen);
	unsigned char *der = tj_sign(ec256, "ES256", input, 1, &derlen);
	unsigned char longer[65];
	char *ok, *t_short, *t_long, *t_der;

	CHECK_INT(rawlen, 64);
	memcpy(longer, raw, 64);
	longer[64] = 0;
	ok = tj_with_sig(input, raw, rawlen);
	t_short = tj_with_sig(input, raw, 63);
	t_long = tj_with_sig(input, longer, 65);
	t_der = tj_with_sig(input, der, derlen);
	{
		char err[OAUTH_ERR_SIZE];

		CHECK_INT(verify(ok, err), OAUTH_OK);
	}
	expect_refused(t_short, "not 64");
	expect_refused(t_long, "not 64");
	expect_refused(t_der, "not 64");
	free(ok);
	free(t_short);
	free(t_long);
	free(t_der);
	free(raw);
	free(der);
	free(input);
	free(h);
}

static void
test_rsa_signature_of_wrong_length_refused(void)
{
	char *h = header("RS256", "rsa1", NULL);
	char *input = tj_signing_input(h, GOOD_CLAIMS);
	size_t len = 0;
	unsigned char *sig = tj_sign(rsa, "RS256", input, 0, &len);
	char *t_short = tj_with_sig(input, sig + 1, len - 1);

	expect_refused(t_short, "length");
	free(t_short);
	free(sig);
	free(input);
	free(h);
}

static void
test_key_declared_alg_mismatch_refused(void)
{
	char *ps_on_rs = good_token(rsa, "PS256", "rs");
	char *ps_on_any = good_token(rsa, "PS256", "rsa1");
	char err[OAUTH_ERR_SIZE];

	expect_refused(ps_on_rs, "not published for PS256");
	CHECK_INT(verify(ps_on_any, err), OAUTH_OK); /* the same key without an "alg" */
	free(ps_on_rs);
	free(ps_on_any);
}

/* RFC 7518 §3.5: the PSS salt is as long as the hash; other salt lengths are refused. */
static void
test_pss_salt_of_other_length_refused(void)
{
	static const int salts[] = {0, 20, 64};
	char *h = header("PS256", "rsa1", NULL);
	char *input = tj_signing_input(h, GOOD_CLAIMS);
	size_t i;

	for (i = 0; i < sizeof(salts) / sizeof(salts[0]); i++) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		EVP_PKEY_CTX *pctx = NULL;
		unsigned char sig[256];
		size_t len = sizeof(sig);
		char *tok;

		CHECK(EVP_DigestSignInit_ex(md, &pctx, "SHA256", NULL, NULL, rsa, NULL) == 1);
		CHECK(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
		CHECK(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salts[i]) == 1);
		CHECK(EVP_DigestSign(md, sig, &len, (const unsigned char *)input, strlen(input)) ==
		      1);
		EVP_MD_CTX_free(md);
		tok = tj_with_sig(input, sig, len);
		t_case = "salt length";
		expect_refused(tok, "does not verify");
		free(tok);
	}
	free(input);
	free(h);
}

static void
test_ec_curve_mismatch_refused(void)
{
	char *h = header("ES256", "ec384", NULL);
	char *input = tj_signing_input(h, GOOD_CLAIMS);
	size_t len = 0;
	unsigned char *sig = tj_sign(ec384, "ES256", input, 0, &len);
	char *tok = tj_with_sig(input, sig, len);
	char *h2 = header("ES384", "ec256", NULL);
	char *tok2 = tj_token(ec256, "ES256", h2, GOOD_CLAIMS);

	expect_refused(tok, "needs a P-256 key");
	expect_refused(tok2, "needs a P-384 key");
	free(tok);
	free(sig);
	free(input);
	free(h);
	free(tok2);
	free(h2);
}

/* No prefix of a valid token may pass, and none may crash. */
static void
test_every_prefix_of_a_token_fails(void)
{
	char *toks[3] = {good_token(rsa, "RS256", "rsa1"), good_token(ec256, "ES256", "ec256"),
	                 good_token(ed, "EdDSA", "ed")};
	size_t t, i, len;
	int passed = 0;

	for (t = 0; t < 3; t++) {
		len = strlen(toks[t]);
		CHECK_INT(full(toks[t], jwks), OAUTH_OK);
		for (i = 0; i < len; i++) {
			char *prefix = tj_strf("%.*s", (int)i, toks[t]);

			passed += full(prefix, jwks) == OAUTH_OK;
			free(prefix);
		}
		free(toks[t]);
	}
	CHECK_INT(passed, 0);
}

struct malformed_case {
	const char *name;
	const char *h; /* raw header part (already base64url), or NULL for a good one */
	const char *p; /* raw payload part, or NULL for a good one */
	const char *s; /* raw signature part */
	const char *tail;
};

/* eyJhbGciOiJSUzI1NiJ9 = {"alg":"RS256"}; e30 = {} */
static const struct malformed_case malformed[] = {
    {"two parts", "eyJhbGciOiJSUzI1NiJ9", "e30", NULL, NULL},
    {"four parts", NULL, NULL, "c2ln", ".c2ln"},
    {"trailing dot", NULL, NULL, "c2ln", "."},
    {"empty header", "", NULL, "c2ln", NULL},
    {"empty payload", NULL, "", "c2ln", NULL},
    {"empty signature", NULL, NULL, "", NULL},
    {"padding in header", "eyJhbGciOiJSUzI1NiJ9==", NULL, "c2ln", NULL},
    {"plus in payload", NULL, "e3+", "c2ln", NULL},
    {"slash in signature", NULL, NULL, "c2/n", NULL},
    {"space in signature", NULL, NULL, "c2 n", NULL},
    {"newline in payload", NULL, "e30\n", "c2ln", NULL},
    {"padding in signature", NULL, NULL, "c2ln==", NULL},
    {"header is an array", "WzFd", NULL, "c2ln", NULL},                     /* [1] */
    {"header is a string", "Ingi", NULL, "c2ln", NULL},                     /* "x" */
    {"header is null", "bnVsbA", NULL, "c2ln", NULL},                       /* null */
    {"header not JSON", "eyJhbGci", NULL, "c2ln", NULL},                    /* {"alg" */
    {"payload is a number", NULL, "MQ", "c2ln", NULL},                      /* 1 */
    {"payload trailing junk", NULL, "e30geA", "c2ln", NULL},                /* {} x */
    {"payload duplicate member", NULL, "eyJhIjoxLCJhIjoyfQ", "c2ln", NULL}, /* {"a":1,"a":2} */
    {"payload NUL escape", NULL, "eyJzdWIiOiJhXHUwMDAwYiJ9", "c2ln", NULL}, /* {"sub":"a\u0000b"} */
};

static void
test_malformed_compact_refused(void)
{
	char *good_h = tj_b64url_str("{\"alg\":\"RS256\",\"kid\":\"rsa1\"}");
	char *good_p = tj_b64url_str(GOOD_CLAIMS);
	size_t i;

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		const struct malformed_case *m = &malformed[i];
		char *tok;
		struct oauth_jwt jwt;
		char err[OAUTH_ERR_SIZE] = "";

		if (m->s == NULL)
			tok = tj_strf("%s.%s", m->h, m->p);
		else
			tok = tj_strf("%s.%s.%s%s", m->h != NULL ? m->h : good_h,
			              m->p != NULL ? m->p : good_p, m->s,
			              m->tail != NULL ? m->tail : "");
		t_case = m->name;
		CHECK_INT(oauth_jwt_decode(tok, &jwt, err, sizeof(err)), OAUTH_INVALID_TOKEN);
		CHECK(jwt.header == NULL && jwt.claims == NULL && jwt.signature == NULL &&
		      jwt.signing_input == NULL);
		CHECK(err[0] != '\0');
		CHECK_INT(full(tok, jwks), OAUTH_INVALID_TOKEN);
		free(tok);
	}
	{
		struct oauth_jwt jwt;
		char err[OAUTH_ERR_SIZE];

		t_case = "NULL token";
		CHECK_INT(oauth_jwt_decode(NULL, &jwt, err, sizeof(err)), OAUTH_INVALID_TOKEN);
		CHECK_INT(oauth_jwt_decode("", &jwt, err, sizeof(err)), OAUTH_INVALID_TOKEN);
		CHECK_INT(oauth_jwt_decode("..", &jwt, err, sizeof(err)), OAUTH_INVALID_TOKEN);
	}
	free(good_h);
	free(good_p);
}

static void
test_oversize_token_refused(void)
{
	size_t len = OAUTH_JWT_MAX_LEN + 1;
	char *tok = malloc(len + 1);
	struct oauth_jwt jwt;
	char err[OAUTH_ERR_SIZE];

	memset(tok, 'A', len);
	memcpy(tok, "e30.e30.", 8);
	tok[len] = '\0';
	CHECK_INT(oauth_jwt_decode(tok, &jwt, err, sizeof(err)), OAUTH_INVALID_TOKEN);
	CHECK(strstr(err, "longer") != NULL);
	free(tok);
}

struct claims_case {
	const char *name;
	const char *json;
	enum oauth_status rc;
	const char *reason_part;
};

#define I "\"iss\":\"" ISSUER "\""
#define A "\"aud\":\"" CLIENT "\""
#define S "\"sub\":\"alice-sub\""
#define E "\"exp\":1700000300"
#define T "\"iat\":1699999990"

static const struct claims_case claims_cases[] = {
    {"all good", "{" I "," A "," S "," E "," T "}", OAUTH_OK, NULL},
    {"iss other", "{\"iss\":\"https://evil.example\"," A "," S "," E "," T "}", OAUTH_INVALID_TOKEN,
     "iss"},
    {"iss trailing slash", "{\"iss\":\"" ISSUER "/\"," A "," S "," E "," T "}", OAUTH_INVALID_TOKEN,
     "iss"},
    {"iss missing", "{" A "," S "," E "," T "}", OAUTH_INVALID_TOKEN, "iss"},
    {"iss number", "{\"iss\":1," A "," S "," E "," T "}", OAUTH_INVALID_TOKEN, "iss"},
    {"aud missing", "{" I "," S "," E "," T "}", OAUTH_INVALID_TOKEN, "aud"},
    {"aud other", "{" I ",\"aud\":\"client-2\"," S "," E "," T "}", OAUTH_INVALID_TOKEN, "aud"},
    {"aud prefix", "{" I ",\"aud\":\"client-\"," S "," E "," T "}", OAUTH_INVALID_TOKEN, "aud"},
    {"aud array without us", "{" I ",\"aud\":[\"a\",\"b\"],\"azp\":\"a\"," S "," E "," T "}",
     OAUTH_INVALID_TOKEN, "aud"},
    {"aud empty array", "{" I ",\"aud\":[]," S "," E "," T "}", OAUTH_INVALID_TOKEN, "aud"},
    {"aud array non-string",
     "{" I ",\"aud\":[\"" CLIENT "\",1],\"azp\":\"" CLIENT "\"," S "," E "," T "}",
     OAUTH_INVALID_TOKEN, "aud"},
    {"aud number", "{" I ",\"aud\":1," S "," E "," T "}", OAUTH_INVALID_TOKEN, "aud"},
    {"aud array of one", "{" I ",\"aud\":[\"" CLIENT "\"]," S "," E "," T "}", OAUTH_OK, NULL},
    {"several aud with our azp",
     "{" I ",\"aud\":[\"x\",\"" CLIENT "\"],\"azp\":\"" CLIENT "\"," S "," E "," T "}", OAUTH_OK,
     NULL},
    {"several aud without azp", "{" I ",\"aud\":[\"x\",\"" CLIENT "\"]," S "," E "," T "}",
     OAUTH_INVALID_TOKEN, "azp"},
    {"several aud with other azp",
     "{" I ",\"aud\":[\"x\",\"" CLIENT "\"],\"azp\":\"x\"," S "," E "," T "}", OAUTH_INVALID_TOKEN,
     "azp"},
    {"azp wrong", "{" I "," A ",\"azp\":\"x\"," S "," E "," T "}", OAUTH_INVALID_TOKEN, "azp"},
    {"azp number", "{" I "," A ",\"azp\":1," S "," E "," T "}", OAUTH_INVALID_TOKEN, "azp"},
    {"azp ours", "{" I "," A ",\"azp\":\"" CLIENT "\"," S "," E "," T "}", OAUTH_OK, NULL},
    {"exp past beyond leeway", "{" I "," A "," S ",\"exp\":1699999879," T "}", OAUTH_INVALID_TOKEN,
     "exp"},
    {"exp at leeway edge", "{" I "," A "," S ",\"exp\":1699999880," T "}", OAUTH_INVALID_TOKEN,
     "exp"},
    {"exp past within leeway", "{" I "," A "," S ",\"exp\":1699999881,\"iat\":1699999000}",
     OAUTH_OK, NULL},
    {"exp string", "{" I "," A "," S ",\"exp\":\"1700000300\"," T "}", OAUTH_INVALID_TOKEN, "exp"},
    {"exp missing", "{" I "," A "," S "," T "}", OAUTH_INVALID_TOKEN, "exp"},
    {"exp negative", "{" I "," A "," S ",\"exp\":-1," T "}", OAUTH_INVALID_TOKEN, "exp"},
    {"exp null", "{" I "," A "," S ",\"exp\":null," T "}", OAUTH_INVALID_TOKEN, "exp"},
    {"iat future beyond leeway", "{" I "," A "," S "," E ",\"iat\":1700000121}",
     OAUTH_INVALID_TOKEN, "iat"},
    {"iat future within leeway", "{" I "," A "," S "," E ",\"iat\":1700000120}", OAUTH_OK, NULL},
    {"iat missing", "{" I "," A "," S "," E "}", OAUTH_INVALID_TOKEN, "iat"},
    {"iat string", "{" I "," A "," S "," E ",\"iat\":\"1\"}", OAUTH_INVALID_TOKEN, "iat"},
    {"nbf future", "{" I "," A "," S "," E "," T ",\"nbf\":1700000121}", OAUTH_INVALID_TOKEN,
     "nbf"},
    {"nbf within leeway", "{" I "," A "," S "," E "," T ",\"nbf\":1700000100}", OAUTH_OK, NULL},
    {"nbf string", "{" I "," A "," S "," E "," T ",\"nbf\":\"0\"}", OAUTH_INVALID_TOKEN, "nbf"},
    {"sub missing", "{" I "," A "," E "," T "}", OAUTH_INVALID_TOKEN, "sub"},
    {"sub empty", "{" I "," A ",\"sub\":\"\"," E "," T "}", OAUTH_INVALID_TOKEN, "sub"},
    {"sub number", "{" I "," A ",\"sub\":42," E "," T "}", OAUTH_INVALID_TOKEN, "sub"},
    {"sub array", "{" I "," A ",\"sub\":[\"a\"]," E "," T "}", OAUTH_INVALID_TOKEN, "sub"},
};

static void
test_claims_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(claims_cases) / sizeof(claims_cases[0]); i++) {
		const struct claims_case *c = &claims_cases[i];
		cJSON *claims = cJSON_Parse(c->json);
		char err[OAUTH_ERR_SIZE] = "";

		t_case = c->name;
		CHECK(claims != NULL);
		CHECK_INT(oauth_jwt_check_claims(claims, &expect, err, sizeof(err)), c->rc);
		if (c->reason_part != NULL && strstr(err, c->reason_part) == NULL)
			T_FAIL("err \"%s\" lacks \"%s\"", err, c->reason_part);
		cJSON_Delete(claims);
	}
}

static void
test_sub_length_limit(void)
{
	char long_sub[257];
	char *ok, *over;
	cJSON *c1, *c2;
	char err[OAUTH_ERR_SIZE];

	memset(long_sub, 's', sizeof(long_sub));
	long_sub[255] = '\0';
	ok = tj_strf("{" I "," A ",\"sub\":\"%s\"," E "," T "}", long_sub);
	long_sub[255] = 's';
	long_sub[256] = '\0';
	over = tj_strf("{" I "," A ",\"sub\":\"%s\"," E "," T "}", long_sub);
	c1 = cJSON_Parse(ok);
	c2 = cJSON_Parse(over);
	CHECK_INT(oauth_jwt_check_claims(c1, &expect, err, sizeof(err)), OAUTH_OK);
	CHECK_INT(oauth_jwt_check_claims(c2, &expect, err, sizeof(err)), OAUTH_INVALID_TOKEN);
	cJSON_Delete(c1);
	cJSON_Delete(c2);
	free(ok);
	free(over);
}

static void
test_claims_need_a_complete_expectation(void)
{
	cJSON *claims = cJSON_Parse(GOOD_CLAIMS);
	struct oauth_id_token_expect e = expect;
	char err[OAUTH_ERR_SIZE];

	CHECK_INT(oauth_jwt_check_claims(NULL, &expect, err, sizeof(err)), OAUTH_INVALID_TOKEN);
	CHECK_INT(oauth_jwt_check_claims(claims, NULL, err, sizeof(err)), OAUTH_CONFIG);
	e.issuer = NULL;
	CHECK_INT(oauth_jwt_check_claims(claims, &e, err, sizeof(err)), OAUTH_CONFIG);
	e = expect;
	e.client_id = "";
	CHECK_INT(oauth_jwt_check_claims(claims, &e, err, sizeof(err)), OAUTH_CONFIG);
	e = expect;
	e.leeway = -1;
	CHECK_INT(oauth_jwt_check_claims(claims, &e, err, sizeof(err)), OAUTH_CONFIG);
	cJSON_Delete(claims);
}

static void
test_id_token_with_bad_claims_fails_even_if_signed(void)
{
	char *h = header("RS256", "rsa1", NULL);
	char *tok =
	    tj_token(rsa, "RS256", h, "{\"iss\":\"https://evil.example\"," A "," S "," E "," T "}");

	CHECK_INT(full(tok, jwks), OAUTH_INVALID_TOKEN);
	free(tok);
	free(h);
}

/* jwks NULL skips the signature (no jwks_uri, token straight from TLS), never the claims. */
static void
test_without_jwks_only_the_signature_is_skipped(void)
{
	char *bogus = forged("{\"alg\":\"RS256\"}", NULL, 0);
	char *h = header("RS256", "rsa1", NULL);
	char *late =
	    tj_token(rsa, "RS256", h, "{" I "," A "," S ",\"exp\":1600000000,\"iat\":1599999990}");

	CHECK_INT(full(bogus, NULL), OAUTH_OK);
	CHECK_INT(full(bogus, jwks), OAUTH_INVALID_TOKEN);
	CHECK_INT(full(late, NULL), OAUTH_INVALID_TOKEN);
	CHECK_INT(full("not a token", NULL), OAUTH_INVALID_TOKEN);
	free(bogus);
	free(late);
	free(h);
}

int main(void);
int
main(void)
{
	if (!setup()) {
		fprintf(stderr, "key generation failed\n");
		return 1;
	}
	RUN(test_valid_tokens_of_every_alg_pass);
	RUN(test_every_alg_can_be_named_in_id_token_algs);
	RUN(test_decode_fills_every_part);
	RUN(test_token_without_kid_uses_the_only_key);
	RUN(test_tampered_payload_fails);
	RUN(test_tampered_signature_fails);
	RUN(test_alg_none_refused);
	RUN(test_hmac_keyed_with_public_key_refused);
	RUN(test_unknown_alg_refused);
	RUN(test_alg_outside_allowed_list_refused);
	RUN(test_crit_header_refused);
	RUN(test_header_naming_its_own_key_refused);
	RUN(test_kid_not_in_set_refused);
	RUN(test_kid_unknown_only_for_a_kid_outside_the_set);
	RUN(test_id_token_algs_restricts_the_accepted_algs);
	RUN(test_no_kid_with_two_candidate_keys_refused);
	RUN(test_key_of_wrong_type_refused);
	RUN(test_ecdsa_signature_of_wrong_form_refused);
	RUN(test_rsa_signature_of_wrong_length_refused);
	RUN(test_key_declared_alg_mismatch_refused);
	RUN(test_pss_salt_of_other_length_refused);
	RUN(test_ec_curve_mismatch_refused);
	RUN(test_every_prefix_of_a_token_fails);
	RUN(test_malformed_compact_refused);
	RUN(test_oversize_token_refused);
	RUN(test_claims_table);
	RUN(test_sub_length_limit);
	RUN(test_claims_need_a_complete_expectation);
	RUN(test_id_token_with_bad_claims_fails_even_if_signed);
	RUN(test_without_jwks_only_the_signature_is_skipped);
	oauth_jwks_free(jwks);
	oauth_jwks_free(jwks_one);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec256);
	EVP_PKEY_free(ec384);
	EVP_PKEY_free(ec521);
	EVP_PKEY_free(ed);
	return T_DONE();
}
