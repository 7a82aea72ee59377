/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Directories only their owner can write: where the cache and the rate-limit counts live. */
#include "build_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safedir.h"

/* Which directory dir_safe() looks at: the one asked for, or the one it is created in. */
enum dir_role {
	PARENT_DIR, /* writable by owner only */
	OWN_DIR,    /* exactly 0700 */
};

/* The checks every directory on the way must pass: only owner could have put files there. */
static int
dir_safe(int fd, uid_t owner, enum dir_role role, char *why, size_t whylen)
{
	struct stat st;
	char ebuf[96];

	if (fstat(fd, &st) != 0) {
		oauth_seterr(why, whylen, "cannot stat: %s", strerror_r(errno, ebuf, sizeof(ebuf)));
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		oauth_seterr(why, whylen, "not a directory");
		return 0;
	}
	if (st.st_uid != owner) {
		oauth_seterr(why, whylen, "owned by uid %lu, not %lu", (unsigned long)st.st_uid,
		             (unsigned long)owner);
		return 0;
	}
	/* The directory itself is 0700; its parent may be read by others, written by owner only. */
	if ((st.st_mode & (role == OWN_DIR ? (mode_t)077 : (mode_t)(S_IWGRP | S_IWOTH))) != 0) {
		oauth_seterr(why, whylen,
		             role == OWN_DIR ? "mode %03o, not 0700"
		                             : "mode %03o: writable by others",
		             (unsigned)(st.st_mode & 0777));
		return 0;
	}
	return 1;
}

/* Creates path's last component 0700 below a safe parent; returns the open parent or -1. */
static int
make_dir(char *path, uid_t owner, char *why, size_t whylen)
{
	char *slash = strrchr(path, '/');
	char ebuf[96];
	int pfd;

	if (slash == NULL || slash[1] == '\0') {
		oauth_seterr(why, whylen, "not an absolute path to a directory");
		return -1;
	}
	*slash = '\0';
	pfd = open(slash == path ? "/" : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*slash = '/';
	if (pfd < 0) {
		oauth_seterr(why, whylen, "missing, and its parent cannot be opened: %s",
		             strerror_r(errno, ebuf, sizeof(ebuf)));
		return -1;
	}
	if (!dir_safe(pfd, owner, PARENT_DIR, why, whylen)) {
		oauth_seterr(why, whylen, "missing, and its parent is not safe to create it in");
		close(pfd);
		return -1;
	}
	/* Another login may create it at the same time: EEXIST is fine, the checks follow. */
	if (mkdirat(pfd, slash + 1, 0700) != 0 && errno != EEXIST) {
		oauth_seterr(why, whylen, "cannot create: %s",
		             strerror_r(errno, ebuf, sizeof(ebuf)));
		close(pfd);
		return -1;
	}
	return pfd;
}

enum oauth_status
oauth_safedir_open(const char *dir, uid_t owner, int *fd, char *why, size_t whylen)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	enum oauth_status rc = OAUTH_UNAVAILABLE;
	char *path = NULL; /* owned: dir without trailing slashes */
	char ebuf[96];
	size_t n;
	int pfd = -1;

	*fd = -1;
	if (dir == NULL || dir[0] != '/') {
		oauth_seterr(why, whylen, "not an absolute path to a directory");
		goto out;
	}
	path = strdup(dir);
	if (path == NULL) {
		rc = OAUTH_NOMEM;
		goto out;
	}
	n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	*fd = open(path, flags);
	if (*fd < 0 && errno == ENOENT) {
		pfd = make_dir(path, owner, why, whylen);
		if (pfd < 0)
			goto out;
		*fd = openat(pfd, strrchr(path, '/') + 1, flags);
	}
	if (*fd < 0) {
		oauth_seterr(why, whylen, "%s",
		             errno == ELOOP || errno == ENOTDIR
		                 ? "a symbolic link or not a directory"
		                 : strerror_r(errno, ebuf, sizeof(ebuf)));
		goto out;
	}
	if (!dir_safe(*fd, owner, OWN_DIR, why, whylen))
		goto out;
	rc = OAUTH_OK;
out:
	if (rc != OAUTH_OK && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	if (pfd >= 0)
		close(pfd);
	free(path);
	return rc;
}
