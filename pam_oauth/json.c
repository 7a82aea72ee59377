/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Reading provider JSON with cJSON: bounded, typed, case-sensitive members. */
#include "build_config.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "secret.h"

/* More top-level members than this is refused: the duplicate check is quadratic. */
#define MAX_MEMBERS 256

/*
 * Scans text outside and inside strings: fails when nesting goes deeper than
 * OAUTH_JSON_MAX_DEPTH, or when a string holds the escape \u0000. cJSON keeps
 * strings NUL-terminated, so "root\u0000x" would silently read as "root": a
 * claim must never be shortened behind our back.
 */
static const char *
scan_text(const char *text, size_t len)
{
	int depth = 0, in_string = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (c == '\\') {
				if (len - i > 5 && memcmp(text + i + 1, "u0000", 5) == 0)
					return "escaped NUL in JSON string";
				i++;
			} else if (c == '"')
				in_string = 0;
			continue;
		}
		if (c == '"')
			in_string = 1;
		else if (c == '{' || c == '[') {
			if (++depth > OAUTH_JSON_MAX_DEPTH)
				return "JSON nested too deeply";
		} else if (c == '}' || c == ']')
			depth--;
	}
	return NULL;
}

static int
has_duplicate_member(const cJSON *obj)
{
	const cJSON *a, *b;
	int n = 0;

	for (a = obj->child; a != NULL; a = a->next) {
		if (++n > MAX_MEMBERS)
			return 1;
		for (b = a->next; b != NULL; b = b->next)
			if (a->string != NULL && b->string != NULL &&
			    strcmp(a->string, b->string) == 0)
				return 1;
	}
	return 0;
}

enum oauth_status
oauth_json_parse_object(const char *text, size_t len, cJSON **out, char *err, size_t errlen)
{
	enum oauth_status rc = OAUTH_PROTOCOL;
	const char *end = NULL, *reason = NULL;
	cJSON *root = NULL;

	*out = NULL;
	if (text == NULL || len == 0) {
		oauth_seterr(err, errlen, "empty JSON document");
		goto out;
	}
	if (memchr(text, '\0', len) != NULL) {
		oauth_seterr(err, errlen, "NUL byte in JSON document");
		goto out;
	}
	reason = scan_text(text, len);
	if (reason != NULL) {
		oauth_seterr(err, errlen, "%s", reason);
		goto out;
	}
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (root == NULL) {
		oauth_seterr(err, errlen, "malformed JSON");
		goto out;
	}
	while (end != NULL && end < text + len && strchr(" \t\r\n", *end) != NULL)
		end++;
	if (end != text + len) {
		oauth_seterr(err, errlen, "trailing data after JSON");
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		oauth_seterr(err, errlen, "JSON document is not an object");
		goto out;
	}
	if (has_duplicate_member(root)) {
		oauth_seterr(err, errlen, "JSON object has duplicate or too many members");
		goto out;
	}
	*out = root;
	root = NULL;
	rc = OAUTH_OK;
out:
	oauth_json_free(root);
	return rc;
}

/*
 * The member name of obj into *item; a JSON null counts as missing. A missing
 * member is OAUTH_OK with *item NULL when optional, OAUTH_PROTOCOL when required.
 */
static enum oauth_status
member(const cJSON *obj, const char *name, enum oauth_json_need need, const cJSON **item, char *err,
       size_t errlen)
{
	*item = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (*item != NULL && !cJSON_IsNull(*item))
		return OAUTH_OK;
	*item = NULL;
	if (need == OAUTH_JSON_OPTIONAL)
		return OAUTH_OK;
	oauth_seterr(err, errlen, "missing \"%s\"", name);
	return OAUTH_PROTOCOL;
}

enum oauth_status
oauth_json_get_string(const cJSON *obj, const char *name, enum oauth_json_need need, char **out,
                      char *err, size_t errlen)
{
	const cJSON *item;
	enum oauth_status rc;
	size_t n;

	*out = NULL;
	rc = member(obj, name, need, &item, err, errlen);
	if (rc != OAUTH_OK || item == NULL)
		return rc;
	if (!cJSON_IsString(item) || item->valuestring == NULL) {
		oauth_seterr(err, errlen, "\"%s\" is not a string", name);
		return OAUTH_PROTOCOL;
	}
	n = strnlen(item->valuestring, OAUTH_JSON_MAX_STRING + 1);
	if (n == 0 || n > OAUTH_JSON_MAX_STRING) {
		oauth_seterr(err, errlen, "\"%s\" is empty or too long", name);
		return OAUTH_PROTOCOL;
	}
	*out = strdup(item->valuestring);
	if (*out == NULL) {
		oauth_seterr(err, errlen, "out of memory");
		return OAUTH_NOMEM;
	}
	return OAUTH_OK;
}

enum oauth_status
oauth_json_get_long(const cJSON *obj, const char *name, enum oauth_json_need need, long dflt,
                    long min, long max, long *out, char *err, size_t errlen)
{
	const cJSON *item;
	enum oauth_status rc;
	double v;

	*out = dflt;
	rc = member(obj, name, need, &item, err, errlen);
	if (rc != OAUTH_OK || item == NULL)
		return rc;
	if (!cJSON_IsNumber(item)) {
		oauth_seterr(err, errlen, "\"%s\" is not a number", name);
		return OAUTH_PROTOCOL;
	}
	v = item->valuedouble;
	/*
	 * LONG_MAX is not a double: (double)LONG_MAX rounds up to 2^63, so compare
	 * against that bound exclusively before converting, else the cast is undefined.
	 */
	if (!isfinite(v) || floor(v) != v || v < -((double)LONG_MAX + 1.0) ||
	    v >= (double)LONG_MAX + 1.0 || (long)v < min || (long)v > max) {
		oauth_seterr(err, errlen, "\"%s\" is not an integer in [%ld, %ld]", name, min, max);
		return OAUTH_PROTOCOL;
	}
	*out = (long)v;
	return OAUTH_OK;
}

/* Recursion is bounded: parsed trees are at most OAUTH_JSON_MAX_DEPTH deep. */
static void
wipe_strings(cJSON *item)
{
	for (; item != NULL; item = item->next) {
		/* A reference's strings belong to another tree. */
		if (item->type & cJSON_IsReference)
			continue;
		if (item->valuestring != NULL)
			oauth_wipe(item->valuestring, strlen(item->valuestring));
		if (item->string != NULL && !(item->type & cJSON_StringIsConst))
			oauth_wipe(item->string, strlen(item->string));
		wipe_strings(item->child);
	}
}

void
oauth_json_free(cJSON *item)
{
	if (item == NULL)
		return;
	wipe_strings(item);
	cJSON_Delete(item);
}
