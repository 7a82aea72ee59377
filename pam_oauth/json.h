/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Reading provider JSON with cJSON: bounded, typed, case-sensitive members. */
#ifndef PAM_OAUTH_JSON_H
#define PAM_OAUTH_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "status.h"

/* Deeper nesting than this is refused before parsing: real responses are flat. */
#define OAUTH_JSON_MAX_DEPTH 16
/* A single string member longer than this is refused (tokens are a few KiB). */
#define OAUTH_JSON_MAX_STRING (64 * 1024)

/*
 * Parses exactly len bytes as one JSON object (no trailing garbage, nesting at
 * most OAUTH_JSON_MAX_DEPTH, no duplicate member names at the top level).
 * Returns OAUTH_PROTOCOL with a reason in err otherwise. Free with oauth_json_free().
 */
enum oauth_status oauth_json_parse_object(const char *text, size_t len, cJSON **out, char *err,
                                          size_t errlen);

/* Whether a member must be there. */
enum oauth_json_need {
	OAUTH_JSON_OPTIONAL = 0,
	OAUTH_JSON_REQUIRED = 1,
};

/*
 * Copies the string member name (case-sensitive) into *out (owned, caller frees).
 * Missing: *out = NULL and OAUTH_OK unless OAUTH_JSON_REQUIRED (then OAUTH_PROTOCOL).
 * Present but not a string, empty, longer than OAUTH_JSON_MAX_STRING or with a
 * NUL: OAUTH_PROTOCOL.
 */
enum oauth_status oauth_json_get_string(const cJSON *obj, const char *name,
                                        enum oauth_json_need need, char **out, char *err,
                                        size_t errlen);

/*
 * Reads the integer member name into *out. Missing: *out = dflt, OAUTH_OK unless
 * OAUTH_JSON_REQUIRED. Not a number, not integral, or outside [min, max]: OAUTH_PROTOCOL.
 */
enum oauth_status oauth_json_get_long(const cJSON *obj, const char *name, enum oauth_json_need need,
                                      long dflt, long min, long max, long *out, char *err,
                                      size_t errlen);

/*
 * Wipes every string of the tree (member names and values), then frees it;
 * NULL is fine. Provider answers hold device codes and tokens, and cJSON keeps
 * its own copy of each (cJSON_Delete() frees them as they are).
 */
void oauth_json_free(cJSON *item);

#endif
