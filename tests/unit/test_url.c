/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of the URL policy: https anywhere, http only to loopback. */
#include "build_config.h"

#include <stddef.h>

#include "testutil.h"
#include "url.h"

struct url_case {
	const char *url;
	int allowed;
	int loopback;
};

static const struct url_case cases[] = {
    {"https://idp.example.com/device", 1, 0},
    {"HTTPS://idp.example.com", 1, 0},
    {"http://127.0.0.1:8080/token", 1, 1},
    {"http://127.45.6.7/", 1, 1},
    {"http://localhost:3000/x", 1, 1},
    {"http://[::1]:3000/x", 1, 1},
    {"https://localhost/x", 1, 1},
    {"http://example.com/", 0, 0},
    {"http://128.0.0.1/", 0, 0},
    {"http://localhost.example.com/", 0, 0},
    {"http://127.0.0.1.example.com/", 0, 0},
    {"http://[::2]/", 0, 0},
    {"ftp://127.0.0.1/", 0, 1},
    {"file:///etc/passwd", 0, 0},
    {"https://user:pw@idp.example.com/", 0, 0},
    {"idp.example.com/device", 0, 0},
    {"", 0, 0},
    {"javascript:alert(1)", 0, 0},
    {"https://", 0, 0},
    {"https://idp.example.com/\r\nInjected: 1", 0, 0},
};

static void
test_url_policy_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_case = cases[i].url;
		CHECK_INT(oauth_url_allowed(cases[i].url), cases[i].allowed);
		CHECK_INT(oauth_url_is_loopback(cases[i].url), cases[i].loopback);
	}
}

static void
test_null_and_overlong_urls_are_refused(void)
{
	char big[4096];

	CHECK_INT(oauth_url_allowed(NULL), 0);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "https://", 8);
	CHECK_INT(oauth_url_allowed(big), 0);
}

int
main(void)
{
	RUN(test_url_policy_table);
	RUN(test_null_and_overlong_urls_are_refused);
	return T_DONE();
}
