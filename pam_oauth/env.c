/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Keeping the caller's environment away from the libraries the module starts. */
#include "build_config.h"

#include <stddef.h>

#include "env.h"

extern char **environ;

int
oauth_env_run_hidden(void (*fn)(void *arg), void *arg)
{
	/*
	 * Swapping the array instead of unsetenv()/setenv() leaves the caller's
	 * strings and their order as they were, and a thread that reads the
	 * environment meanwhile sees one valid array or the other, never a half-edited one.
	 */
	static char *empty[] = {NULL};
	char **saved = environ;

	environ = empty;
	fn(arg);
	if (environ != empty)
		return 1; /* a setenv() in another thread built a new array: keep it */
	environ = saved;
	return 0;
}
