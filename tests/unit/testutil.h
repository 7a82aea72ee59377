/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* A tiny table-friendly test harness: named cases, asserts that print expected vs actual. */
#ifndef PAM_OAUTH_TESTUTIL_H
#define PAM_OAUTH_TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>

static int t_failures;
static int t_checks;
static const char *t_case = "";

#define T_FAIL(...)                                                                                \
	do {                                                                                       \
		t_failures++;                                                                      \
		fprintf(stderr, "FAIL %s (%s:%d): ", t_case, __FILE__, __LINE__);                  \
		fprintf(stderr, __VA_ARGS__);                                                      \
		fputc('\n', stderr);                                                               \
	} while (0)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		t_checks++;                                                                        \
		if (!(cond))                                                                       \
			T_FAIL("%s", #cond);                                                       \
	} while (0)

#define CHECK_INT(actual, expected)                                                                \
	do {                                                                                       \
		long long t_a = (long long)(actual), t_e = (long long)(expected);                  \
		t_checks++;                                                                        \
		if (t_a != t_e)                                                                    \
			T_FAIL("%s: expected %lld, got %lld", #actual, t_e, t_a);                  \
	} while (0)

#define CHECK_STR(actual, expected)                                                                \
	do {                                                                                       \
		const char *t_a = (actual), *t_e = (expected);                                     \
		t_checks++;                                                                        \
		if ((t_a == NULL) != (t_e == NULL) || (t_a != NULL && strcmp(t_a, t_e) != 0))      \
			T_FAIL("%s: expected \"%s\", got \"%s\"", #actual, t_e ? t_e : "(null)",   \
			       t_a ? t_a : "(null)");                                              \
	} while (0)

/* Runs one named case: a function taking no arguments. */
#define RUN(fn)                                                                                    \
	do {                                                                                       \
		int t_before = t_failures;                                                         \
		t_case = #fn;                                                                      \
		fn();                                                                              \
		printf("%s %s\n", t_failures == t_before ? "ok  " : "FAIL", #fn);                  \
	} while (0)

/* Entries in dir other than . and .. (a file left behind shows up here); -1 when unreadable. */
static inline int
t_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Exit status for automake: 0 pass, 1 fail; a file with no checks fails too. */
#define T_DONE()                                                                                   \
	(printf("%d checks, %d failed\n", t_checks, t_failures),                                   \
	 (t_failures == 0 && t_checks > 0) ? 0 : 1)

#endif
