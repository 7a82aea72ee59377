/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/*
 * Preloaded into a test's pamtester: initialises libcurl before anything else,
 * with the environment as it is, as a host program or another PAM module may
 * have done before pam_oauth runs. With SSLKEYLOGFILE set, libcurl then holds
 * a key-log file open for every TLS context it makes afterwards.
 */
#include <curl/curl.h>

__attribute__((constructor)) static void
init_curl_first(void)
{
	(void)curl_global_init(CURL_GLOBAL_DEFAULT);
}
