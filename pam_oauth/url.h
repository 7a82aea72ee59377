/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Which URLs the module will talk to or show: https, or http to a loopback host only. */
#ifndef PAM_OAUTH_URL_H
#define PAM_OAUTH_URL_H

/* Nonzero when url's host is loopback: localhost, 127.0.0.0/8 or [::1]. */
int oauth_url_is_loopback(const char *url);

/*
 * Nonzero when url is an absolute https:// URL, or http:// to a loopback host,
 * with a host and without user:password@ (credentials in a URL would leak into
 * logs). Everything the module fetches or shows passes this first.
 */
int oauth_url_allowed(const char *url);

#endif
