/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of the owner-only directories the cache and the rate-limit counts live in. */
#include "build_config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "safedir.h"
#include "testutil.h"

#define PATH_BUF 512

static char tmproot[128];

/* How a row prepares the path it then opens. */
enum setup {
	MAKE_DIR,     /* a directory of the given mode */
	MAKE_FILE,    /* a regular file */
	MAKE_SYMLINK, /* a symbolic link to a good 0700 directory */
	MAKE_NOTHING, /* missing, below a parent of the given mode */
	MAKE_FOREIGN, /* a 0700 directory of uid 1 (needs root) */
};

struct dir_case {
	const char *name;
	enum setup setup;
	mode_t mode;
	const char *suffix; /* appended to the path when opening ("/" or "") */
	enum oauth_status want;
	const char *why; /* expected reason when refused */
};

static const struct dir_case cases[] = {
    {"a 0700 directory is used", MAKE_DIR, 0700, "", OAUTH_OK, NULL},
    {"trailing slashes are fine", MAKE_DIR, 0700, "//", OAUTH_OK, NULL},
    {"a group-readable directory is refused", MAKE_DIR, 0750, "", OAUTH_UNAVAILABLE,
     "mode 750, not 0700"},
    {"a world-writable directory is refused", MAKE_DIR, 0777, "", OAUTH_UNAVAILABLE,
     "mode 777, not 0700"},
    {"a sticky /tmp-like directory is refused", MAKE_DIR, 01777, "", OAUTH_UNAVAILABLE,
     "mode 777, not 0700"},
    {"a regular file is refused", MAKE_FILE, 0600, "", OAUTH_UNAVAILABLE,
     "a symbolic link or not a directory"},
    {"a symbolic link to a good directory is refused", MAKE_SYMLINK, 0700, "", OAUTH_UNAVAILABLE,
     "a symbolic link or not a directory"},
    {"a missing directory below a safe parent is created", MAKE_NOTHING, 0755, "", OAUTH_OK, NULL},
    {"a missing directory below a writable parent is not created", MAKE_NOTHING, 0777, "",
     OAUTH_UNAVAILABLE, "missing, and its parent is not safe to create it in"},
    {"another owner's directory is refused", MAKE_FOREIGN, 0700, "", OAUTH_UNAVAILABLE,
     "owned by uid 1, not 0"},
};

/* Prepares row i below tmproot; path is what gets opened. Returns 0 to skip the row. */
static int
prepare(const struct dir_case *k, size_t i, char *path, size_t pathlen)
{
	char base[PATH_BUF];
	int fd;

	snprintf(base, sizeof(base), "%s/case%zu", tmproot, i);
	snprintf(path, pathlen, "%s", base);
	switch (k->setup) {
	case MAKE_DIR:
		return mkdir(base, 0700) == 0 && chmod(base, k->mode) == 0;
	case MAKE_FILE:
		fd = open(base, O_WRONLY | O_CREAT | O_EXCL, k->mode);
		if (fd >= 0)
			close(fd);
		return fd >= 0;
	case MAKE_SYMLINK:
		snprintf(path, pathlen, "%s.link", base);
		return mkdir(base, 0700) == 0 && symlink(base, path) == 0;
	case MAKE_NOTHING:
		snprintf(path, pathlen, "%s/state", base);
		return mkdir(base, 0700) == 0 && chmod(base, k->mode) == 0;
	case MAKE_FOREIGN:
		if (geteuid() != 0) {
			printf("skip %s: needs root\n", k->name);
			return 0;
		}
		return mkdir(base, 0700) == 0 && chown(base, 1, 1) == 0;
	}
	return 0;
}

static void
test_each_directory_row(void)
{
	char path[PATH_BUF + 16], open_path[PATH_BUF + 32], why[160];
	const struct dir_case *k;
	struct stat st;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		k = &cases[i];
		t_case = k->name;
		if (!prepare(k, i, path, sizeof(path)))
			continue;
		snprintf(open_path, sizeof(open_path), "%s%s", path, k->suffix);
		why[0] = '\0';
		CHECK_INT(oauth_safedir_open(open_path, geteuid(), &fd, why, sizeof(why)), k->want);
		if (k->want == OAUTH_OK) {
			CHECK(fd >= 0);
			CHECK(fstat(fd, &st) == 0 && S_ISDIR(st.st_mode));
			CHECK_INT(st.st_mode & 0777, 0700);
		} else {
			CHECK_INT(fd, -1);
			CHECK_STR(why, k->why);
		}
		if (k->setup == MAKE_NOTHING && k->want != OAUTH_OK)
			CHECK(stat(path, &st) != 0);
		if (fd >= 0)
			close(fd);
	}
}

static void
test_relative_or_missing_path_is_refused(void)
{
	char why[160];
	int fd;

	CHECK_INT(oauth_safedir_open("run/pam_oauth", geteuid(), &fd, why, sizeof(why)),
	          OAUTH_UNAVAILABLE);
	CHECK_STR(why, "not an absolute path to a directory");
	CHECK_INT(fd, -1);
	CHECK_INT(oauth_safedir_open(NULL, geteuid(), &fd, why, sizeof(why)), OAUTH_UNAVAILABLE);
	CHECK_INT(fd, -1);
}

int
main(void)
{
	char tmpl[] = "/tmp/test_safedir.XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return 99;
	snprintf(tmproot, sizeof(tmproot), "%s", tmpl);
	RUN(test_each_directory_row);
	RUN(test_relative_or_missing_path_is_refused);
	/* Best effort: the directory tree is the test's own. */
	if (fork() == 0) {
		execl("/bin/rm", "rm", "-rf", tmproot, (char *)NULL);
		_exit(127);
	}
	wait(NULL);
	return T_DONE();
}
