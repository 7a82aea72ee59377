/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of bounded, typed, case-sensitive JSON reading. */
#include "build_config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "testutil.h"

struct parse_case {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen(text) */
	enum oauth_status want;
};

static const struct parse_case parse_cases[] = {
    {"plain object", "{\"a\":1}", 0, OAUTH_OK},
    {"whitespace around", " \r\n\t{\"a\":1} \n\t\r", 0, OAUTH_OK},
    {"empty object", "{}", 0, OAUTH_OK},
    {"empty text", "", 0, OAUTH_PROTOCOL},
    {"only spaces", "   ", 0, OAUTH_PROTOCOL},
    {"truncated object", "{\"a\":", 0, OAUTH_PROTOCOL},
    {"truncated string", "{\"a\":\"abc", 0, OAUTH_PROTOCOL},
    {"missing brace", "{\"a\":1", 0, OAUTH_PROTOCOL},
    {"malformed member", "{a:1}", 0, OAUTH_PROTOCOL},
    {"single quotes", "{'a':1}", 0, OAUTH_PROTOCOL},
    {"trailing comma", "{\"a\":1,}", 0, OAUTH_PROTOCOL},
    {"trailing garbage", "{\"a\":1}x", 0, OAUTH_PROTOCOL},
    {"two objects", "{\"a\":1}{\"b\":2}", 0, OAUTH_PROTOCOL},
    {"trailing NUL inside length", "{\"a\":1}\0", 8, OAUTH_PROTOCOL},
    {"NUL inside string", "{\"a\":\"x\0y\"}", 11, OAUTH_PROTOCOL},
    {"escaped NUL in value", "{\"sub\":\"root\\u0000evil\"}", 0, OAUTH_PROTOCOL},
    {"escaped NUL in name", "{\"a\\u0000b\":1}", 0, OAUTH_PROTOCOL},
    {"escaped backslash then u0000 text", "{\"a\":\"\\\\u0000\"}", 0, OAUTH_OK},
    {"length shorter than text", "{\"a\":1}garbage", 7, OAUTH_OK},
    {"length cuts object", "{\"a\":1}", 5, OAUTH_PROTOCOL},
    {"array root", "[1,2]", 0, OAUTH_PROTOCOL},
    {"string root", "\"a\"", 0, OAUTH_PROTOCOL},
    {"number root", "42", 0, OAUTH_PROTOCOL},
    {"null root", "null", 0, OAUTH_PROTOCOL},
    {"duplicate member", "{\"a\":1,\"a\":2}", 0, OAUTH_PROTOCOL},
    {"duplicate access_token", "{\"access_token\":\"x\",\"b\":1,\"access_token\":\"y\"}", 0,
     OAUTH_PROTOCOL},
    {"names differing in case", "{\"a\":1,\"A\":2}", 0, OAUTH_OK},
    {"duplicates nested are fine", "{\"o\":{\"a\":1},\"p\":{\"a\":1}}", 0, OAUTH_OK},
    {"brace inside string does not nest", "{\"a\":\"{{{{{{{{{{{{{{{{{{{{\"}", 0, OAUTH_OK},
    {"lone surrogate", "{\"a\":\"\\ud800\"}", 0, OAUTH_PROTOCOL},
    {"bad escape", "{\"a\":\"\\x41\"}", 0, OAUTH_PROTOCOL},
};

static void
test_parse_table(void)
{
	char err[OAUTH_ERR_SIZE];
	cJSON *obj;
	size_t i;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];

		t_case = c->name;
		err[0] = '\0';
		obj = (cJSON *)1;
		CHECK_INT(oauth_json_parse_object(c->text, c->len ? c->len : strlen(c->text), &obj,
		                                  err, sizeof(err)),
		          c->want);
		CHECK((obj != NULL) == (c->want == OAUTH_OK));
		if (c->want != OAUTH_OK)
			CHECK(err[0] != '\0');
		cJSON_Delete(obj);
	}
}

/* "{"a":" + depth-1 nested objects ... + "}" : total nesting depth. */
static char *
nested(int depth)
{
	size_t n = (size_t)depth * 6 + 8, len = 0;
	char *s = calloc(1, n);
	int i;

	for (i = 0; i < depth - 1; i++) {
		memcpy(s + len, "{\"a\":", 5);
		len += 5;
	}
	memcpy(s + len, "{}", 2);
	len += 2;
	for (i = 0; i < depth - 1; i++)
		s[len++] = '}';
	return s;
}

static void
test_nesting_at_limit_passes_and_beyond_fails(void)
{
	char err[OAUTH_ERR_SIZE] = "";
	cJSON *obj = NULL;
	char *at = nested(OAUTH_JSON_MAX_DEPTH), *over = nested(OAUTH_JSON_MAX_DEPTH + 1);
	char *arrays;

	CHECK_INT(oauth_json_parse_object(at, strlen(at), &obj, err, sizeof(err)), OAUTH_OK);
	cJSON_Delete(obj);
	CHECK_INT(oauth_json_parse_object(over, strlen(over), &obj, err, sizeof(err)),
	          OAUTH_PROTOCOL);
	CHECK(obj == NULL);
	CHECK(strstr(err, "nested") != NULL);
	/* Arrays count as nesting too. */
	arrays = calloc(1, 2 * OAUTH_JSON_MAX_DEPTH + 16);
	memcpy(arrays, "{\"a\":", 5);
	memset(arrays + 5, '[', OAUTH_JSON_MAX_DEPTH);
	memset(arrays + 5 + OAUTH_JSON_MAX_DEPTH, ']', OAUTH_JSON_MAX_DEPTH);
	arrays[5 + 2 * OAUTH_JSON_MAX_DEPTH] = '}';
	CHECK_INT(oauth_json_parse_object(arrays, strlen(arrays), &obj, err, sizeof(err)),
	          OAUTH_PROTOCOL);
	free(at);
	free(over);
	free(arrays);
}

static void
test_too_many_members_are_refused(void)
{
	char *s = calloc(1, 300 * 12 + 4);
	char err[OAUTH_ERR_SIZE] = "";
	size_t len = 0;
	cJSON *obj = NULL;
	int i;

	s[len++] = '{';
	for (i = 0; i < 300; i++)
		len += (size_t)snprintf(s + len, 16, "%s\"m%d\":1", i ? "," : "", i);
	s[len++] = '}';
	CHECK_INT(oauth_json_parse_object(s, len, &obj, err, sizeof(err)), OAUTH_PROTOCOL);
	free(s);
}

static cJSON *
parse(const char *text)
{
	char err[OAUTH_ERR_SIZE] = "";
	cJSON *obj = NULL;

	if (oauth_json_parse_object(text, strlen(text), &obj, err, sizeof(err)) != OAUTH_OK)
		fprintf(stderr, "parse: %s\n", err);
	return obj;
}

struct string_case {
	const char *name;
	const char *member;
	int required;
	enum oauth_status want;
	const char *value;
};

static const struct string_case string_cases[] = {
    {"present", "s", 1, OAUTH_OK, "hello"},
    {"escapes decoded", "esc", 1, OAUTH_OK, "a\"b\\c\nd\xc3\xa9"},
    {"missing optional", "nope", 0, OAUTH_OK, NULL},
    {"missing required", "nope", 1, OAUTH_PROTOCOL, NULL},
    {"null optional is absent", "nul", 0, OAUTH_OK, NULL},
    {"null required", "nul", 1, OAUTH_PROTOCOL, NULL},
    {"number", "n", 0, OAUTH_PROTOCOL, NULL},
    {"bool", "b", 0, OAUTH_PROTOCOL, NULL},
    {"array", "arr", 0, OAUTH_PROTOCOL, NULL},
    {"object", "obj", 0, OAUTH_PROTOCOL, NULL},
    {"empty", "empty", 0, OAUTH_PROTOCOL, NULL},
    {"name is case-sensitive", "S", 0, OAUTH_OK, NULL},
    {"name is case-sensitive, required", "S", 1, OAUTH_PROTOCOL, NULL},
};

static void
test_get_string_table(void)
{
	cJSON *obj = parse("{\"s\":\"hello\",\"esc\":\"a\\\"b\\\\c\\nd\\u00e9\",\"nul\":null,"
	                   "\"n\":1,\"b\":true,\"arr\":[\"x\"],\"obj\":{\"s\":\"x\"},"
	                   "\"empty\":\"\"}");
	char err[OAUTH_ERR_SIZE];
	char *out;
	size_t i;

	CHECK(obj != NULL);
	for (i = 0; obj != NULL && i < sizeof(string_cases) / sizeof(string_cases[0]); i++) {
		const struct string_case *c = &string_cases[i];

		t_case = c->name;
		out = (char *)1;
		CHECK_INT(
		    oauth_json_get_string(obj, c->member, c->required, &out, err, sizeof(err)),
		    c->want);
		CHECK_STR(out, c->value);
		free(out);
	}
	cJSON_Delete(obj);
}

static void
test_over_long_string_is_refused(void)
{
	size_t n = OAUTH_JSON_MAX_STRING + 1;
	char *text = malloc(n + 16);
	char err[OAUTH_ERR_SIZE] = "";
	char *out = NULL;
	cJSON *obj;

	memcpy(text, "{\"s\":\"", 6);
	memset(text + 6, 'a', n);
	memcpy(text + 6 + n, "\"}", 3);
	obj = parse(text);
	CHECK(obj != NULL);
	CHECK_INT(oauth_json_get_string(obj, "s", 1, &out, err, sizeof(err)), OAUTH_PROTOCOL);
	CHECK(out == NULL);
	cJSON_Delete(obj);
	/* Exactly at the limit is fine. */
	memcpy(text + 6 + n - 1, "\"}", 3);
	obj = parse(text);
	CHECK_INT(oauth_json_get_string(obj, "s", 1, &out, err, sizeof(err)), OAUTH_OK);
	CHECK(out != NULL && strlen(out) == OAUTH_JSON_MAX_STRING);
	free(out);
	cJSON_Delete(obj);
	free(text);
}

struct long_case {
	const char *name;
	const char *member;
	int required;
	long min, max;
	enum oauth_status want;
	long value;
};

static const struct long_case long_cases[] = {
    {"integer", "i", 1, 0, 100, OAUTH_OK, 42},
    {"integral float", "f0", 1, 0, 100, OAUTH_OK, 3},
    {"fraction", "frac", 1, 0, 100, OAUTH_PROTOCOL, -7},
    {"huge exponent", "big", 1, LONG_MIN, LONG_MAX, OAUTH_PROTOCOL, -7},
    {"2^63 is beyond long", "two63", 1, LONG_MIN, LONG_MAX, OAUTH_PROTOCOL, -7},
    {"-2^63 is long's minimum", "mtwo63", 1, LONG_MIN, LONG_MAX, OAUTH_OK, LONG_MIN},
    {"below -2^63", "below", 1, LONG_MIN, LONG_MAX, OAUTH_PROTOCOL, -7},
    {"negative refused by min", "neg", 1, 0, 100, OAUTH_PROTOCOL, -7},
    {"negative allowed by min", "neg", 1, -10, 100, OAUTH_OK, -5},
    {"above max", "i", 1, 0, 41, OAUTH_PROTOCOL, -7},
    {"at max", "i", 1, 0, 42, OAUTH_OK, 42},
    {"at min", "i", 1, 42, 50, OAUTH_OK, 42},
    {"missing optional gives default", "nope", 0, 0, 100, OAUTH_OK, -7},
    {"missing required", "nope", 1, 0, 100, OAUTH_PROTOCOL, -7},
    {"null optional gives default", "nul", 0, 0, 100, OAUTH_OK, -7},
    {"string number", "str", 0, 0, 100, OAUTH_PROTOCOL, -7},
    {"bool", "b", 0, 0, 100, OAUTH_PROTOCOL, -7},
    {"case-sensitive name", "I", 0, 0, 100, OAUTH_OK, -7},
};

static void
test_get_long_table(void)
{
	cJSON *obj = parse("{\"i\":42,\"f0\":3.0,\"frac\":1.5,\"big\":1e300,"
	                   "\"two63\":9223372036854775807,\"mtwo63\":-9223372036854775808,"
	                   "\"below\":-1e19,\"neg\":-5,\"nul\":null,\"str\":\"5\",\"b\":false}");
	char err[OAUTH_ERR_SIZE];
	size_t i;
	long v;

	CHECK(obj != NULL);
	for (i = 0; obj != NULL && i < sizeof(long_cases) / sizeof(long_cases[0]); i++) {
		const struct long_case *c = &long_cases[i];

		t_case = c->name;
		v = 12345;
		CHECK_INT(oauth_json_get_long(obj, c->member, c->required, -7, c->min, c->max, &v,
		                              err, sizeof(err)),
		          c->want);
		if (c->want == OAUTH_OK)
			CHECK_INT(v, c->value);
	}
	cJSON_Delete(obj);
}

int
main(void)
{
	RUN(test_parse_table);
	RUN(test_nesting_at_limit_passes_and_beyond_fails);
	RUN(test_too_many_members_are_refused);
	RUN(test_get_string_table);
	RUN(test_over_long_string_is_refused);
	RUN(test_get_long_table);
	return T_DONE();
}
