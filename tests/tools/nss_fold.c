/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/*
 * Preloaded into a test's pamtester ahead of nss_wrapper: a case-insensitive
 * name service, as SSSD's AD provider or winbind are by default. A lookup of
 * "Alice" answers with alice's entry, whose pw_name stays "alice".
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>

/* Longer names are passed on unchanged: the test uses short ones. */
#define MAX_NAME 256

static const char *
fold(const char *name, char *buf)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i < MAX_NAME - 1; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	if (name[i] != '\0')
		return name;
	buf[i] = '\0';
	return buf;
}

/* Exported whatever -fvisibility says: the point is to interpose. */
#define SHIM_EXPORT __attribute__((visibility("default")))

SHIM_EXPORT int
getpwnam_r(const char *name, struct passwd *pwd, char *buf, size_t buflen, struct passwd **result)
{
	int (*next)(const char *, struct passwd *, char *, size_t, struct passwd **) =
	    (int (*)(const char *, struct passwd *, char *, size_t, struct passwd **))dlsym(
	        RTLD_NEXT, "getpwnam_r");
	char lower[MAX_NAME];

	if (next == NULL) {
		*result = NULL;
		return ENOSYS;
	}
	return next(fold(name, lower), pwd, buf, buflen, result);
}

SHIM_EXPORT struct passwd *
getpwnam(const char *name)
{
	struct passwd *(*next)(const char *) =
	    (struct passwd * (*)(const char *)) dlsym(RTLD_NEXT, "getpwnam");
	char lower[MAX_NAME];

	return next != NULL ? next(fold(name, lower)) : NULL;
}
