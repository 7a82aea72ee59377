/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Wiping secrets before their memory is released. */
#include "build_config.h"

#include <stdlib.h>
#include <string.h>

#include "secret.h"

void
oauth_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		explicit_bzero(p, len);
}

void
oauth_free_secret(char *s)
{
	if (s == NULL)
		return;
	oauth_wipe(s, strlen(s));
	free(s);
}
