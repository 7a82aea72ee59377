/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of the on-disk cache: directory and file checks, atomic writes, use by discovery. */
#include "build_config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "discovery.h"
#include "httpd.h"
#include "testutil.h"

#define ISS "https://idp.example.com"
#define URL ISS "/certs"
#define BODY "{\"keys\":[]}"
#define PATH_BUF 512
/* Fork-based race: writers and rounds enough to interleave renames with reads on 2 cores. */
#define WRITERS 4
#define ROUNDS 150
#define RACE_BODY_BYTES (64 * 1024)

static char tmproot[128];
static int warnings;

static void
count_warnings(void *ctx, int prio, const char *line)
{
	(void)ctx;
	(void)line;
	if (prio <= LOG_WARNING)
		warnings++;
}

static const struct oauth_logger logger = {count_warnings, NULL, 0};

/* A fresh directory below tmproot, mode given, for one case. */
static void
fresh_dir(const char *name, mode_t mode, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s", tmproot, name);
	if (mkdir(out, 0700) != 0 || chmod(out, mode) != 0)
		T_FAIL("mkdir %s", out);
}

/* Opens a cache on dir owned by us; returns whether it is on. */
static int
open_cache(struct oauth_cache *c, const char *dir)
{
	CHECK_INT(oauth_cache_open(c, dir, 3600, geteuid(), &logger), OAUTH_OK);
	return oauth_cache_on(c);
}

static void
file_path(const char *dir, enum oauth_cache_kind kind, char *out, size_t outlen)
{
	char name[128];

	CHECK_INT(oauth_cache_name(kind, ISS, URL, name, sizeof(name)), OAUTH_OK);
	snprintf(out, outlen, "%s/%s", dir, name);
}

static void
put_file(const char *path, const char *body, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, body, len) != (ssize_t)len || fchmod(fd, mode) != 0)
		T_FAIL("writing %s", path);
	if (fd >= 0)
		close(fd);
}

static enum oauth_status
read_body(const struct oauth_cache *c, char **body, size_t *len)
{
	return oauth_cache_read(c, OAUTH_CACHE_JWKS, ISS, URL, body, len);
}

static void
test_name_is_kind_and_sha256_of_issuer_and_url(void)
{
	char name[128], other[128];

	CHECK_INT(
	    oauth_cache_name(OAUTH_CACHE_JWKS, "https://i", "https://i/k", name, sizeof(name)),
	    OAUTH_OK);
	CHECK_STR(name,
	          "jwks-eaf9ca7571b21f539d3eda2a36041597be9411644bad0a5d35ddf35ed9344aac.json");
	CHECK_INT(oauth_cache_name(OAUTH_CACHE_DISCOVERY, "https://i", "https://i/k", other,
	                           sizeof(other)),
	          OAUTH_OK);
	CHECK(strncmp(other, "discovery-", 10) == 0 && strcmp(other + 10, name + 5) == 0);
	/* Another issuer with the same key set URL never shares the file. */
	CHECK_INT(
	    oauth_cache_name(OAUTH_CACHE_JWKS, "https://j", "https://i/k", other, sizeof(other)),
	    OAUTH_OK);
	CHECK(strcmp(other, name) != 0);
	CHECK_INT(oauth_cache_name((enum oauth_cache_kind)7, "a", "b", other, sizeof(other)),
	          OAUTH_CONFIG);
	CHECK_INT(oauth_cache_name(OAUTH_CACHE_JWKS, NULL, "b", other, sizeof(other)),
	          OAUTH_CONFIG);
	CHECK_INT(oauth_cache_name(OAUTH_CACHE_JWKS, "a", "b", other, 10), OAUTH_CONFIG);
}

static void
test_missing_dir_is_created_0700(void)
{
	char parent[PATH_BUF], dir[PATH_BUF + 16];
	struct oauth_cache c;
	struct stat st;

	fresh_dir("create", 0755, parent, sizeof(parent));
	snprintf(dir, sizeof(dir), "%s/pam_oauth/", parent);
	warnings = 0;
	CHECK(open_cache(&c, dir));
	CHECK_INT(warnings, 0);
	CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK_INT(st.st_mode & 0777, 0700);
	CHECK_INT(st.st_uid, geteuid());
	oauth_cache_close(&c);
	CHECK(!oauth_cache_on(&c));
	oauth_cache_close(&c);
	oauth_cache_close(NULL);
}

static void
test_missing_dir_under_unsafe_parent_is_not_created(void)
{
	char parent[PATH_BUF], dir[PATH_BUF + 16];
	struct oauth_cache c;
	struct stat st;

	fresh_dir("unsafe-parent", 0777, parent, sizeof(parent));
	snprintf(dir, sizeof(dir), "%s/pam_oauth", parent);
	warnings = 0;
	CHECK(!open_cache(&c, dir));
	CHECK_INT(warnings, 1);
	CHECK(stat(dir, &st) != 0);
	oauth_cache_close(&c);
}

struct dir_case {
	const char *name;
	mode_t mode;
	int chown_other; /* the directory belongs to uid 1 (needs root; skipped otherwise) */
	int symlink;     /* cache_dir is a symlink to a good directory */
};

static const struct dir_case dir_cases[] = {
    {"group readable", 0750, 0, 0},
    {"world writable", 0777, 0, 0},
    {"other owner", 0700, 1, 0},
    {"symlink to a good directory", 0700, 0, 1},
};

static void
test_unsafe_dir_is_not_used_and_warned_once(void)
{
	char dir[PATH_BUF], link[PATH_BUF + 8], name[32];
	const struct dir_case *k;
	struct oauth_cache c;
	size_t i;

	for (i = 0; i < sizeof(dir_cases) / sizeof(dir_cases[0]); i++) {
		k = &dir_cases[i];
		t_case = k->name;
		if (k->chown_other && geteuid() != 0) {
			printf("skip %s: needs root\n", k->name);
			continue;
		}
		snprintf(name, sizeof(name), "unsafe%zu", i);
		fresh_dir(name, k->mode, dir, sizeof(dir));
		if (k->chown_other && chown(dir, 1, 1) != 0)
			T_FAIL("chown %s", dir);
		snprintf(link, sizeof(link), "%s.link", dir);
		if (k->symlink && symlink(dir, link) != 0)
			T_FAIL("symlink");
		warnings = 0;
		CHECK_INT(oauth_cache_open(&c, k->symlink ? link : dir, 3600, geteuid(), &logger),
		          OAUTH_OK);
		CHECK(!oauth_cache_on(&c));
		CHECK_INT(warnings, 1);
		/* An unusable cache reads nothing and writes nothing. */
		CHECK_INT(oauth_cache_write(&c, OAUTH_CACHE_JWKS, ISS, URL, BODY, strlen(BODY)),
		          OAUTH_OK);
		CHECK_INT(t_count_entries(dir), 0);
		oauth_cache_close(&c);
	}
}

/* A process that is not the cache's owner (a screen locker as the user) leaves it alone. */
static void
test_cache_is_off_quietly_when_not_running_as_its_owner(void)
{
	char dir[PATH_BUF];
	struct oauth_cache c;

	fresh_dir("notowner", 0700, dir, sizeof(dir));
	warnings = 0;
	CHECK_INT(oauth_cache_open(&c, dir, 3600, geteuid() + 1, &logger), OAUTH_OK);
	CHECK(!oauth_cache_on(&c));
	CHECK_INT(warnings, 0);
	oauth_cache_close(&c);
}

static void
test_none_or_zero_age_is_off_without_warning(void)
{
	struct oauth_cache c;
	char *body = NULL;
	size_t len = 0;

	warnings = 0;
	CHECK_INT(oauth_cache_open(&c, NULL, 3600, geteuid(), &logger), OAUTH_OK);
	CHECK(!oauth_cache_on(&c));
	CHECK_INT(read_body(&c, &body, &len), OAUTH_UNAVAILABLE);
	CHECK(body == NULL);
	CHECK_INT(oauth_cache_open(&c, tmproot, 0, geteuid(), &logger), OAUTH_OK);
	CHECK(!oauth_cache_on(&c));
	CHECK_INT(warnings, 0);
	CHECK(!oauth_cache_on(NULL));
}

static void
test_write_then_read_round_trip_leaves_no_temp_file(void)
{
	char dir[PATH_BUF], path[PATH_BUF + 128];
	struct oauth_cache c;
	struct stat st;
	char *body = NULL;
	size_t len = 0;

	fresh_dir("roundtrip", 0700, dir, sizeof(dir));
	CHECK(open_cache(&c, dir));
	CHECK_INT(read_body(&c, &body, &len), OAUTH_UNAVAILABLE);
	CHECK_INT(oauth_cache_write(&c, OAUTH_CACHE_JWKS, ISS, URL, BODY, strlen(BODY)), OAUTH_OK);
	CHECK_INT(read_body(&c, &body, &len), OAUTH_OK);
	CHECK_STR(body, BODY);
	CHECK_INT(len, strlen(BODY));
	free(body);
	/* The other kind for the same issuer and URL is another file. */
	CHECK_INT(oauth_cache_read(&c, OAUTH_CACHE_DISCOVERY, ISS, URL, &body, &len),
	          OAUTH_UNAVAILABLE);
	file_path(dir, OAUTH_CACHE_JWKS, path, sizeof(path));
	CHECK(stat(path, &st) == 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(t_count_entries(dir), 1);
	oauth_cache_drop(&c, OAUTH_CACHE_JWKS, ISS, URL);
	CHECK_INT(t_count_entries(dir), 0);
	oauth_cache_close(&c);
}

/* Each way a file can be unfit; the cache must refuse it and a write must replace it. */
enum bad_file {
	BAD_SYMLINK,
	BAD_FOREIGN,
	BAD_GROUP_WRITABLE,
	BAD_STALE,
	BAD_FUTURE,
	BAD_OVERSIZE,
	BAD_EMPTY,
	BAD_FIFO,
	BAD_DIR
};

struct file_case {
	const char *name;
	enum bad_file bad;
};

static const struct file_case file_cases[] = {
    {"symlink to a good file", BAD_SYMLINK},
    {"owned by another uid", BAD_FOREIGN},
    {"group writable", BAD_GROUP_WRITABLE},
    {"older than max age", BAD_STALE},
    {"dated in the future", BAD_FUTURE},
    {"larger than the cap", BAD_OVERSIZE},
    {"empty", BAD_EMPTY},
    {"a fifo", BAD_FIFO},
    {"a directory", BAD_DIR},
};

static void
make_bad(const char *dir, const char *path, enum bad_file bad)
{
	char target[PATH_BUF + 16];
	struct timespec times[2];
	char *big;

	switch (bad) {
	case BAD_SYMLINK:
		snprintf(target, sizeof(target), "%s/target", dir);
		put_file(target, BODY, strlen(BODY), 0600);
		CHECK(symlink(target, path) == 0);
		break;
	case BAD_FOREIGN: /* the owner check is made against the cache's owner: see the caller */
	case BAD_GROUP_WRITABLE:
		put_file(path, BODY, strlen(BODY), bad == BAD_GROUP_WRITABLE ? 0620 : 0600);
		break;
	case BAD_STALE:
	case BAD_FUTURE:
		put_file(path, BODY, strlen(BODY), 0600);
		times[0].tv_sec = times[1].tv_sec =
		    time(NULL) + (bad == BAD_STALE ? -3601 : 2 * OAUTH_CACHE_FUTURE_SKEW);
		times[0].tv_nsec = times[1].tv_nsec = 0;
		CHECK(utimensat(AT_FDCWD, path, times, 0) == 0);
		break;
	case BAD_OVERSIZE:
		big = malloc(OAUTH_CACHE_MAX_BYTES + 1);
		if (big != NULL) {
			memset(big, ' ', OAUTH_CACHE_MAX_BYTES + 1);
			put_file(path, big, OAUTH_CACHE_MAX_BYTES + 1, 0600);
		}
		free(big);
		break;
	case BAD_EMPTY:
		put_file(path, "", 0, 0600);
		break;
	case BAD_FIFO:
		CHECK(mkfifo(path, 0600) == 0);
		break;
	case BAD_DIR:
		CHECK(mkdir(path, 0700) == 0);
		break;
	}
}

static void
test_unfit_file_is_ignored_and_rebuilt(void)
{
	char dir[PATH_BUF], path[PATH_BUF + 128], name[32];
	struct oauth_cache c, foreign;
	char *body = NULL;
	size_t len = 0;
	size_t i;

	for (i = 0; i < sizeof(file_cases) / sizeof(file_cases[0]); i++) {
		t_case = file_cases[i].name;
		snprintf(name, sizeof(name), "badfile%zu", i);
		fresh_dir(name, 0700, dir, sizeof(dir));
		CHECK(open_cache(&c, dir));
		file_path(dir, OAUTH_CACHE_JWKS, path, sizeof(path));
		make_bad(dir, path, file_cases[i].bad);
		/* The owner seam: the same directory seen by a cache that wants another owner. */
		foreign = c;
		if (file_cases[i].bad == BAD_FOREIGN)
			foreign.owner = geteuid() + 1;
		CHECK_INT(read_body(&foreign, &body, &len), OAUTH_UNAVAILABLE);
		CHECK(body == NULL && len == 0);
		if (file_cases[i].bad == BAD_DIR) {
			/* rename cannot replace a directory: the write fails quietly, reads go on
			 * failing. */
			CHECK_INT(
			    oauth_cache_write(&c, OAUTH_CACHE_JWKS, ISS, URL, BODY, strlen(BODY)),
			    OAUTH_OK);
			CHECK_INT(read_body(&c, &body, &len), OAUTH_UNAVAILABLE);
			oauth_cache_close(&c);
			continue;
		}
		CHECK_INT(oauth_cache_write(&c, OAUTH_CACHE_JWKS, ISS, URL, BODY, strlen(BODY)),
		          OAUTH_OK);
		CHECK_INT(read_body(&c, &body, &len), OAUTH_OK);
		CHECK_STR(body, BODY);
		free(body);
		body = NULL;
		oauth_cache_close(&c);
	}
}

/* A body of one repeated letter: a torn read would mix letters or have the wrong length. */
static void
race_body(char *buf, char letter)
{
	memset(buf, letter, RACE_BODY_BYTES);
	buf[RACE_BODY_BYTES] = '\0';
}

static int
body_whole(const char *body, size_t len)
{
	size_t i;

	if (len != RACE_BODY_BYTES)
		return 0;
	for (i = 1; i < len; i++)
		if (body[i] != body[0])
			return 0;
	return body[0] >= 'a' && body[0] < 'a' + WRITERS;
}

static void
test_concurrent_writers_never_show_a_torn_file(void)
{
	static char buf[RACE_BODY_BYTES + 1];
	char dir[PATH_BUF];
	struct oauth_cache c;
	pid_t pids[WRITERS];
	int i, r, status, torn = 0, reads = 0, failed_children = 0, running = 0;
	char *body = NULL;
	size_t len = 0;

	fresh_dir("race", 0700, dir, sizeof(dir));
	CHECK(open_cache(&c, dir));
	for (i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			race_body(buf, (char)('a' + i));
			for (r = 0; r < ROUNDS; r++)
				oauth_cache_write(&c, OAUTH_CACHE_JWKS, ISS, URL, buf,
				                  RACE_BODY_BYTES);
			_exit(0);
		}
		if (pids[i] > 0)
			running++;
		else
			failed_children++;
	}
	/* Read for as long as any writer runs. */
	while (running > 0) {
		if (read_body(&c, &body, &len) == OAUTH_OK) {
			reads++;
			torn += !body_whole(body, len);
			free(body);
			body = NULL;
		}
		for (i = 0; i < WRITERS; i++) {
			if (pids[i] <= 0 || waitpid(pids[i], &status, WNOHANG) != pids[i])
				continue;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				failed_children++;
			pids[i] = 0;
			running--;
		}
	}
	CHECK_INT(failed_children, 0);
	CHECK_INT(torn, 0);
	CHECK(reads > 0);
	CHECK_INT(read_body(&c, &body, &len), OAUTH_OK);
	CHECK(body != NULL && body_whole(body, len));
	free(body);
	/* Every writer renamed its temp file away: only the one cache file remains. */
	CHECK_INT(t_count_entries(dir), 1);
	oauth_cache_close(&c);
}

/* Discovery through the cache: a server that answers once, then never again. */
#define DOC_FMT                                                                                    \
	"{\"issuer\":\"%s\",\"device_authorization_endpoint\":\"%s/device\","                      \
	"\"token_endpoint\":\"%s/token\",\"jwks_uri\":\"%s/certs\"}"

static struct oauth_http *
new_handle(void)
{
	const struct oauth_http_opts opts = {.timeout = 2};
	struct oauth_http *http = NULL;
	char err[OAUTH_ERR_SIZE] = "";

	if (oauth_http_new(&http, &opts, err, sizeof(err)) != OAUTH_OK)
		fprintf(stderr, "oauth_http_new: %s\n", err);
	return http;
}

static void
put_discovery(const char *dir, const char *issuer, const char *body)
{
	char url[256], name[128], path[PATH_BUF + 128];

	snprintf(url, sizeof(url), "%s/.well-known/openid-configuration", issuer);
	CHECK_INT(oauth_cache_name(OAUTH_CACHE_DISCOVERY, issuer, url, name, sizeof(name)),
	          OAUTH_OK);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	put_file(path, body, strlen(body), 0600);
}

/* DOC_FMT with '@' for the issuer, filled in by fill_at(). */
#define DOC_AT                                                                                     \
	"{\"issuer\":\"@\",\"device_authorization_endpoint\":\"@/device\","                        \
	"\"token_endpoint\":\"@/token\",\"jwks_uri\":\"@/certs\"}"

/* Copies tmpl into out with every '@' replaced by issuer. */
static void
fill_at(const char *tmpl, const char *issuer, char *out, size_t outlen)
{
	size_t used = 0, n = strlen(issuer);

	for (; *tmpl != '\0' && used + n + 1 < outlen; tmpl++) {
		if (*tmpl == '@') {
			memcpy(out + used, issuer, n);
			used += n;
		} else {
			out[used++] = *tmpl;
		}
	}
	out[used] = '\0';
}

struct doc_case {
	const char *name;
	const char *cached; /* '@' stands for the issuer; NULL: no file */
	int fetches;        /* requests the server must see */
};

static const struct doc_case doc_cases[] = {
    {"warm cache: no request", DOC_AT, 0},
    {"corrupt JSON: refetched", "{\"issuer\":", 1},
    {"other issuer: refetched",
     "{\"issuer\":\"https://evil.example\","
     "\"device_authorization_endpoint\":\"https://evil.example/d\","
     "\"token_endpoint\":\"https://evil.example/t\","
     "\"jwks_uri\":\"https://evil.example/k\"}",
     1},
    {"missing jwks_uri: refetched",
     "{\"issuer\":\"@\",\"device_authorization_endpoint\":"
     "\"@/device\",\"token_endpoint\":\"@/token\"}",
     1},
    {"absent: fetched", NULL, 1},
};

static void
test_discovery_uses_cache_only_after_the_same_checks(void)
{
	static char reply[2048], doc[1024], cached[1024], issuer[64];
	struct httpd_reply replies[1] = {{reply, 0, 1}};
	char dir[PATH_BUF], name[32], err[OAUTH_ERR_SIZE];
	struct oauth_config cfg;
	struct oauth_endpoints ep;
	struct oauth_cache c;
	struct oauth_http *http;
	struct httpd h;
	const char *b;
	size_t i;
	int n;

	for (i = 0; i < sizeof(doc_cases) / sizeof(doc_cases[0]); i++) {
		t_case = doc_cases[i].name;
		CHECK_INT(httpd_start(&h, replies, 1), 0);
		b = h.base;
		n = snprintf(doc, sizeof(doc), DOC_FMT, b, b, b, b);
		snprintf(reply, sizeof(reply),
		         "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		         "Content-Length: %d\r\n\r\n%s",
		         n, doc);
		snprintf(name, sizeof(name), "disc%zu", i);
		fresh_dir(name, 0700, dir, sizeof(dir));
		if (doc_cases[i].cached != NULL) {
			fill_at(doc_cases[i].cached, b, cached, sizeof(cached));
			put_discovery(dir, b, cached);
		}
		CHECK(open_cache(&c, dir));
		memset(&cfg, 0, sizeof(cfg));
		snprintf(issuer, sizeof(issuer), "%s", b);
		cfg.issuer = issuer;
		http = new_handle();
		CHECK_INT(oauth_discovery_resolve_cached(&cfg, http, &c, &ep, err, sizeof(err)),
		          OAUTH_OK);
		httpd_stop(&h);
		CHECK_INT(httpd_nrequests(&h), doc_cases[i].fetches);
		CHECK_STR(ep.issuer, b);
		CHECK(ep.jwks_uri != NULL && strncmp(ep.jwks_uri, b, strlen(b)) == 0);
		oauth_endpoints_free(&ep);
		/* What was fetched is now cached; the next resolve needs no server at all. */
		CHECK_INT(oauth_discovery_resolve_cached(&cfg, http, &c, &ep, err, sizeof(err)),
		          OAUTH_OK);
		CHECK(ep.token_endpoint != NULL && strstr(ep.token_endpoint, "/token") != NULL);
		oauth_endpoints_free(&ep);
		oauth_http_free(http);
		oauth_cache_close(&c);
		httpd_free(&h);
	}
}

int
main(void)
{
	char tmpl[] = "/tmp/test_cache.XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return 99;
	snprintf(tmproot, sizeof(tmproot), "%s", tmpl);
	RUN(test_name_is_kind_and_sha256_of_issuer_and_url);
	RUN(test_missing_dir_is_created_0700);
	RUN(test_missing_dir_under_unsafe_parent_is_not_created);
	RUN(test_unsafe_dir_is_not_used_and_warned_once);
	RUN(test_cache_is_off_quietly_when_not_running_as_its_owner);
	RUN(test_none_or_zero_age_is_off_without_warning);
	RUN(test_write_then_read_round_trip_leaves_no_temp_file);
	RUN(test_unfit_file_is_ignored_and_rebuilt);
	RUN(test_concurrent_writers_never_show_a_torn_file);
	RUN(test_discovery_uses_cache_only_after_the_same_checks);
	/* Best effort: the directory tree is the test's own. */
	if (fork() == 0) {
		execl("/bin/rm", "rm", "-rf", tmproot, (char *)NULL);
		_exit(127);
	}
	wait(NULL);
	return T_DONE();
}
