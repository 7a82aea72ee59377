/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Wiping secrets (device codes, tokens, client secrets, replies, HTTP bodies) before release. */
#ifndef PAM_OAUTH_SECRET_H
#define PAM_OAUTH_SECRET_H

#include <stddef.h>

/* Zeroes len bytes at p in a way the compiler may not elide; p may be NULL. */
void oauth_wipe(void *p, size_t len);

/* Zeroes the NUL-terminated string s, then frees it; s may be NULL. */
void oauth_free_secret(char *s);

#endif
