/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of env.c: library set-up never sees the caller's environment (SSLKEYLOGFILE). */
#include "build_config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "env.h"
#include "http.h"
#include "testutil.h"

extern char **environ;

/* A private directory for the key-log paths (mkdtemp). */
static char dir[] = "/tmp/pam-oauth-env.XXXXXX";

/* What fn saw of the environment while it ran hidden. */
struct seen {
	int calls;
	int had_variable;
	int empty;
};

static void
look(void *arg)
{
	struct seen *s = arg;

	s->calls++;
	s->had_variable = getenv("PAM_OAUTH_TEST_VARIABLE") != NULL;
	s->empty = environ != NULL && environ[0] == NULL;
}

static void
set_during(void *arg)
{
	(void)arg;
	setenv("PAM_OAUTH_TEST_LATE", "1", 1);
}

static void
test_function_runs_with_an_empty_environment(void)
{
	struct seen s = {0};

	CHECK_INT(setenv("PAM_OAUTH_TEST_VARIABLE", "x", 1), 0);
	CHECK_INT(oauth_env_run_hidden(look, &s), 0);
	CHECK_INT(s.calls, 1);
	CHECK_INT(s.had_variable, 0);
	CHECK_INT(s.empty, 1);
}

static void
test_the_callers_environment_comes_back_unchanged(void)
{
	struct seen s = {0};
	char **before;
	size_t i, n = 0;

	CHECK_INT(setenv("PAM_OAUTH_TEST_VARIABLE", "kept", 1), 0);
	before = environ;
	while (environ[n] != NULL)
		n++;
	CHECK_INT(oauth_env_run_hidden(look, &s), 0);
	CHECK(environ == before);
	for (i = 0; i < n; i++)
		CHECK(environ[i] != NULL);
	CHECK(environ[n] == NULL);
	CHECK_STR(getenv("PAM_OAUTH_TEST_VARIABLE"), "kept");
}

static void
test_a_change_made_meanwhile_is_kept(void)
{
	/* Not the caller's array put back over it: that would undo the other thread's setenv. */
	CHECK_INT(oauth_env_run_hidden(set_during, NULL), 1);
	CHECK_STR(getenv("PAM_OAUTH_TEST_LATE"), "1");
}

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/*
 * The control: libcurl itself, initialised with SSLKEYLOGFILE set and umask 0,
 * creates the file mode 0666 (the attack). In a child, so this process's own
 * initialisation below is still the first.
 */
static void
test_control_libcurl_alone_creates_the_key_log(void)
{
	char path[512];
	struct stat st;
	pid_t pid;
	int status = -1;

	snprintf(path, sizeof(path), "%s/control.log", dir);
	pid = fork();
	if (pid == 0) {
		umask(0);
		setenv("SSLKEYLOGFILE", path, 1);
		_exit(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(lstat(path, &st) == 0);
	CHECK_INT(st.st_mode & 0777, 0666);
}

static void
test_initialisation_creates_no_key_log(void)
{
	char path[512], err[OAUTH_ERR_SIZE] = "";
	mode_t old = umask(0);

	snprintf(path, sizeof(path), "%s/key.log", dir);
	CHECK_INT(setenv("SSLKEYLOGFILE", path, 1), 0);
	CHECK_INT(oauth_http_global_init(err, sizeof(err)), OAUTH_OK);
	CHECK(!exists(path));
	/* The caller's variable is still there for the caller. */
	CHECK_STR(getenv("SSLKEYLOGFILE"), path);
	umask(old);
	unsetenv("SSLKEYLOGFILE");
}

int
main(void)
{
	char path[512];

	if (mkdtemp(dir) == NULL)
		return 99;
	/* These two first: only a process's first initialisation reads SSLKEYLOGFILE. */
	RUN(test_control_libcurl_alone_creates_the_key_log);
	RUN(test_initialisation_creates_no_key_log);
	RUN(test_function_runs_with_an_empty_environment);
	RUN(test_the_callers_environment_comes_back_unchanged);
	RUN(test_a_change_made_meanwhile_is_kept);
	snprintf(path, sizeof(path), "%s/control.log", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/key.log", dir);
	unlink(path);
	rmdir(dir);
	return T_DONE();
}
