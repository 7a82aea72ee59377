/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The module exports only pam_sm_*: a core symbol must never clash inside sshd or sudo. */
#include "build_config.h"

#include <dlfcn.h>
#include <stdlib.h>

#include "testutil.h"

static void *module;

static const char *const hidden[] = {
    "oauth_login",
    "oauth_config_load",
    "oauth_http_new",
    "oauth_device_poll",
    "oauth_jwt_decode",
    "oauth_jwks_parse",
    "oauth_identity_match",
    "oauth_qr_render",
    "oauth_display_build",
    "oauth_sanitize",
    "oauth_conv_ops",
    "oauth_url_allowed",
    "oauth_json_parse_object",
    "oauth_status_str",
};

static void
test_pam_entry_points_are_exported(void)
{
	CHECK(dlsym(module, "pam_sm_authenticate") != NULL);
	CHECK(dlsym(module, "pam_sm_setcred") != NULL);
}

static void
test_core_symbols_are_hidden(void)
{
	size_t i;

	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		t_case = hidden[i];
		CHECK(dlsym(module, hidden[i]) == NULL);
	}
}

int
main(void)
{
	const char *path = getenv("PAM_OAUTH_MODULE");

	if (path == NULL) {
		fprintf(stderr, "PAM_OAUTH_MODULE is not set\n");
		return 1;
	}
	module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (module == NULL) {
		fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
		return 1;
	}
	RUN(test_pam_entry_points_are_exported);
	RUN(test_core_symbols_are_hidden);
	dlclose(module);
	return T_DONE();
}
