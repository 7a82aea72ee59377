/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* An on-disk cache of the provider's discovery document and key set, trusted for nothing. */
#include "build_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cache.h"
#include "safedir.h"

/* "discovery-" + 64 hex digits + ".json" fits with room to spare. */
#define NAME_MAX_BYTES 96
/* Temp names add "." + name + "." + pid + "." + a counter. */
#define TMP_NAME_MAX_BYTES (NAME_MAX_BYTES + 48)
/* Tries at a fresh temp name before giving up: O_EXCL collides only with a dead writer's file. */
#define TMP_TRIES 8
/* Why-messages are short, one line. */
#define WHY_MAX 160

static const char *const kind_prefix[] = {"discovery", "jwks"};

int
oauth_cache_on(const struct oauth_cache *cache)
{
	return cache != NULL && cache->dirfd >= 0;
}

enum oauth_status
oauth_cache_open(struct oauth_cache *cache, const char *dir, long max_age, uid_t owner,
                 const struct oauth_logger *log)
{
	char why[WHY_MAX], shown[OAUTH_LOG_FIELD_MAX];
	enum oauth_status rc;

	cache->dirfd = -1;
	cache->max_age = max_age;
	cache->owner = owner;
	cache->log = log;
	if (dir == NULL || max_age <= 0)
		return OAUTH_OK;
	/* Not its owner (a screen locker running as the user): it could neither read nor write. */
	if (geteuid() != owner) {
		oauth_debug(log, "cache: off, not running as uid %lu", (unsigned long)owner);
		return OAUTH_OK;
	}
	why[0] = '\0';
	rc = oauth_safedir_open(dir, owner, &cache->dirfd, why, sizeof(why));
	if (rc != OAUTH_UNAVAILABLE)
		return rc;
	/* The one line per login about it: the login goes on without the cache. */
	oauth_log(log, LOG_WARNING, "cache_dir %s not used: %s",
	          oauth_sanitize(shown, sizeof(shown), dir), why);
	return OAUTH_OK;
}

void
oauth_cache_close(struct oauth_cache *cache)
{
	if (cache == NULL || cache->dirfd < 0)
		return;
	close(cache->dirfd);
	cache->dirfd = -1;
}

enum oauth_status
oauth_cache_name(enum oauth_cache_kind kind, const char *issuer, const char *url, char *name,
                 size_t namelen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	char digest[2 * EVP_MAX_MD_SIZE + 1];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx = NULL;
	enum oauth_status rc = OAUTH_NOMEM;

	if (namelen > 0)
		name[0] = '\0';
	if ((unsigned)kind >= sizeof(kind_prefix) / sizeof(kind_prefix[0]) || issuer == NULL ||
	    url == NULL || namelen < NAME_MAX_BYTES)
		return OAUTH_CONFIG;
	ctx = EVP_MD_CTX_new();
	/* The newline cannot occur in either URL, so (issuer, url) pairs never collide. */
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, issuer, strlen(issuer)) != 1 ||
	    EVP_DigestUpdate(ctx, "\n", 1) != 1 || EVP_DigestUpdate(ctx, url, strlen(url)) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		goto out;
	for (i = 0; i < mdlen; i++) {
		digest[2 * i] = hex[md[i] >> 4];
		digest[2 * i + 1] = hex[md[i] & 0xf];
	}
	digest[2 * mdlen] = '\0';
	oauth_seterr(name, namelen, "%s-%s.json", kind_prefix[kind], digest);
	rc = OAUTH_OK;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* Checks the open file: regular, ours, not writable by others, not too big, fresh. */
static int
file_usable(const struct oauth_cache *cache, int fd, char *why, size_t whylen)
{
	struct stat st;
	time_t now = time(NULL);

	if (fstat(fd, &st) != 0)
		oauth_seterr(why, whylen, "cannot stat");
	else if (!S_ISREG(st.st_mode))
		oauth_seterr(why, whylen, "not a regular file");
	else if (st.st_uid != cache->owner)
		oauth_seterr(why, whylen, "owned by uid %lu", (unsigned long)st.st_uid);
	else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		oauth_seterr(why, whylen, "writable by group or others");
	else if (st.st_size > OAUTH_CACHE_MAX_BYTES)
		oauth_seterr(why, whylen, "larger than %d bytes", OAUTH_CACHE_MAX_BYTES);
	else if (st.st_mtime > now + OAUTH_CACHE_FUTURE_SKEW)
		oauth_seterr(why, whylen, "dated in the future");
	else if ((long long)now - (long long)st.st_mtime >= (long long)cache->max_age)
		oauth_seterr(why, whylen, "older than cache_max_age");
	else
		return 1;
	return 0;
}

/* Reads at most OAUTH_CACHE_MAX_BYTES + 1 bytes, so a file that grew after fstat is caught. */
static enum oauth_status
read_capped(int fd, char **out, size_t *outlen)
{
	char *buf = malloc(OAUTH_CACHE_MAX_BYTES + 2);
	size_t len = 0;
	ssize_t got = 0;

	*out = NULL;
	*outlen = 0;
	if (buf == NULL)
		return OAUTH_NOMEM;
	while (len < OAUTH_CACHE_MAX_BYTES + 1) {
		got = read(fd, buf + len, OAUTH_CACHE_MAX_BYTES + 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	if (got < 0 || len > OAUTH_CACHE_MAX_BYTES || len == 0) {
		free(buf);
		return OAUTH_UNAVAILABLE;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return OAUTH_OK;
}

enum oauth_status
oauth_cache_read(const struct oauth_cache *cache, enum oauth_cache_kind kind, const char *issuer,
                 const char *url, char **body, size_t *len)
{
	char name[NAME_MAX_BYTES], why[WHY_MAX];
	enum oauth_status rc = OAUTH_UNAVAILABLE;
	int fd = -1;

	*body = NULL;
	*len = 0;
	if (!oauth_cache_on(cache))
		return OAUTH_UNAVAILABLE;
	rc = oauth_cache_name(kind, issuer, url, name, sizeof(name));
	if (rc != OAUTH_OK)
		return rc == OAUTH_NOMEM ? rc : OAUTH_UNAVAILABLE;
	rc = OAUTH_UNAVAILABLE;
	fd = openat(cache->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		oauth_seterr(why, sizeof(why), "%s",
		             errno == ENOENT ? "not cached yet" : "cannot open (a symbolic link?)");
		goto out;
	}
	if (!file_usable(cache, fd, why, sizeof(why)))
		goto out;
	rc = read_capped(fd, body, len);
	if (rc == OAUTH_UNAVAILABLE)
		oauth_seterr(why, sizeof(why), "empty, unreadable, or grew past the size cap");
out:
	if (fd >= 0)
		close(fd);
	if (rc == OAUTH_UNAVAILABLE)
		oauth_debug(cache->log, "cache: %s: %s", name, why);
	else if (rc == OAUTH_OK)
		oauth_debug(cache->log, "cache: %s: %zu bytes", name, *len);
	return rc;
}

long
oauth_cache_age(const struct oauth_cache *cache, enum oauth_cache_kind kind, const char *issuer,
                const char *url)
{
	char name[NAME_MAX_BYTES];
	struct stat st;
	time_t now = time(NULL);

	if (!oauth_cache_on(cache) ||
	    oauth_cache_name(kind, issuer, url, name, sizeof(name)) != OAUTH_OK ||
	    fstatat(cache->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return -1;
	return now > st.st_mtime ? (long)(now - st.st_mtime) : 0;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t put;

	while (len > 0) {
		put = write(fd, buf, len);
		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return 0;
		buf += put;
		len -= (size_t)put;
	}
	return 1;
}

/* A temp file of our own next to the target: the rename stays in one directory (atomic). */
static int
create_tmp(const struct oauth_cache *cache, const char *name, char *tmp, size_t tmplen)
{
	static unsigned counter;
	int i, fd = -1;

	for (i = 0; i < TMP_TRIES && fd < 0; i++) {
		oauth_seterr(tmp, tmplen, ".%s.%ld.%u.%ld", name, (long)getpid(), counter++,
		             (long)(time(NULL) & 0xffff));
		fd = openat(cache->dirfd, tmp,
		            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	return fd;
}

enum oauth_status
oauth_cache_write(const struct oauth_cache *cache, enum oauth_cache_kind kind, const char *issuer,
                  const char *url, const char *body, size_t len)
{
	char name[NAME_MAX_BYTES], tmp[TMP_NAME_MAX_BYTES], ebuf[96];
	enum oauth_status rc;
	int fd = -1, ok = 0, saved = 0;

	if (!oauth_cache_on(cache) || body == NULL || len == 0 || len > OAUTH_CACHE_MAX_BYTES)
		return OAUTH_OK;
	rc = oauth_cache_name(kind, issuer, url, name, sizeof(name));
	if (rc != OAUTH_OK)
		return rc == OAUTH_NOMEM ? rc : OAUTH_OK;
	fd = create_tmp(cache, name, tmp, sizeof(tmp));
	if (fd < 0) {
		saved = errno;
		goto out;
	}
	/* fsync before rename: after a crash the name holds the old body or the whole new one. */
	ok = write_all(fd, body, len) && fsync(fd) == 0;
	if (close(fd) != 0)
		ok = 0;
	if (ok && renameat(cache->dirfd, tmp, cache->dirfd, name) != 0)
		ok = 0;
	if (!ok) {
		saved = errno;
		unlinkat(cache->dirfd, tmp, 0);
	}
out:
	if (!ok)
		oauth_log(cache->log, LOG_WARNING, "cache: cannot store %s: %s", name,
		          strerror_r(saved, ebuf, sizeof(ebuf)));
	else
		oauth_debug(cache->log, "cache: stored %s (%zu bytes)", name, len);
	return OAUTH_OK;
}

void
oauth_cache_drop(const struct oauth_cache *cache, enum oauth_cache_kind kind, const char *issuer,
                 const char *url)
{
	char name[NAME_MAX_BYTES];

	if (!oauth_cache_on(cache) ||
	    oauth_cache_name(kind, issuer, url, name, sizeof(name)) != OAUTH_OK)
		return;
	if (unlinkat(cache->dirfd, name, 0) == 0)
		oauth_debug(cache->log, "cache: dropped %s", name);
}
