/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The command sudo was asked to run, read from sudo's own argv, for the push approval's message. */
#include "build_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sudo_argv.h"

/* Bytes of the caller's argv read: sudo's options and the command's name come first. */
#define CMDLINE_MAX 4096

/* A sudo long option: its name and whether it takes a value. */
struct sudo_longopt {
	const char *name;
	int takes_value;
	char effect; /* 'e': edit files, 'x': no command runs (list, validate, ...), 0: neither */
};

/* sudo 1.9's options (sudo(8)); getopt_long also accepts an unambiguous prefix of each. */
static const struct sudo_longopt sudo_longopts[] = {
    {"askpass", 0, 0},
    {"auth-type", 1, 0},
    {"background", 0, 0},
    {"bell", 0, 0},
    {"chdir", 1, 0},
    {"chroot", 1, 0},
    {"close-from", 1, 0},
    {"command-timeout", 1, 0},
    {"edit", 0, 'e'},
    {"group", 1, 0},
    {"help", 0, 'x'},
    {"host", 1, 0},
    {"list", 0, 'x'},
    {"login", 0, 0},
    {"login-class", 1, 0},
    {"non-interactive", 0, 0},
    {"other-user", 1, 0},
    {"preserve-env", 0, 0},
    {"preserve-groups", 0, 0},
    {"prompt", 1, 0},
    {"remove-timestamp", 0, 'x'},
    {"reset-timestamp", 0, 0},
    {"role", 1, 0},
    {"set-home", 0, 0},
    {"shell", 0, 0},
    {"stdin", 0, 0},
    {"type", 1, 0},
    {"user", 1, 0},
    {"validate", 0, 'x'},
    {"version", 0, 'x'},
};

/* sudo's short options that take a value (attached, "-uroot", or as the next argument). */
#define SUDO_VALUE_OPTS "aCcDghpRrTtUu"
/* Short options after which sudo runs no command, or edits files. */
#define SUDO_NOCMD_OPTS "lvKV"

/* Where sudo's argument parsing stands. */
struct sudo_args {
	const char *args; /* borrowed: NUL-separated */
	size_t len, pos;  /* pos: start of the next argument */
	int edit, nocmd, bad;
};

/* The next complete (NUL-terminated) argument, or NULL at the end. */
static const char *
next_arg(struct sudo_args *a)
{
	const char *arg;
	const char *nul;

	if (a->pos >= a->len)
		return NULL;
	arg = a->args + a->pos;
	nul = memchr(arg, '\0', a->len - a->pos);
	if (nul == NULL) {
		a->pos = a->len; /* cut off by the read limit: not an argument we can trust */
		return NULL;
	}
	a->pos += (size_t)(nul - arg) + 1;
	return arg;
}

/* "--name[=value]": an exact name wins, else a unique prefix (as getopt_long); else bad. */
static void
sudo_long_option(struct sudo_args *a, const char *arg)
{
	const struct sudo_longopt *hit = NULL;
	size_t n = strcspn(arg, "="), i, hits = 0;

	for (i = 0; i < sizeof(sudo_longopts) / sizeof(sudo_longopts[0]); i++) {
		if (strncmp(sudo_longopts[i].name, arg, n) != 0)
			continue;
		if (sudo_longopts[i].name[n] == '\0') {
			hit = &sudo_longopts[i];
			hits = 1;
			break;
		}
		hit = &sudo_longopts[i];
		hits++;
	}
	if (hits != 1 || n == 0) {
		a->bad = 1; /* sudo refuses it too, before asking anyone */
		return;
	}
	a->edit |= hit->effect == 'e';
	a->nocmd |= hit->effect == 'x';
	if (hit->takes_value && arg[n] != '=' && next_arg(a) == NULL)
		a->bad = 1;
}

/* "-abc": flags, up to one that takes a value (the rest of the word, or the next argument). */
static void
sudo_short_options(struct sudo_args *a, const char *arg)
{
	for (; *arg != '\0'; arg++) {
		a->edit |= *arg == 'e';
		a->nocmd |= strchr(SUDO_NOCMD_OPTS, *arg) != NULL;
		if (strchr(SUDO_VALUE_OPTS, *arg) == NULL)
			continue;
		if (arg[1] == '\0' && next_arg(a) == NULL)
			a->bad = 1;
		return;
	}
}

/* Copies the last path component of cmd into out, cut to fit. */
static void
copy_basename(const char *cmd, char *out, size_t outlen)
{
	const char *base = strrchr(cmd, '/');

	base = base ? base + 1 : cmd;
	if (*base != '\0')
		(void)snprintf(out, outlen, "%s", base);
}

enum oauth_status
oauth_sudo_command(const char *args, size_t len, char *out, size_t outlen)
{
	struct sudo_args a = {args, len, 0, 0, 0, 0};
	const char *arg;

	if (out == NULL || outlen == 0)
		return OAUTH_CONFIG;
	out[0] = '\0';
	if (args == NULL || (arg = next_arg(&a)) == NULL)
		return OAUTH_OK;
	copy_basename(arg, out, outlen);
	if (strcmp(out, "sudoedit") == 0)
		return OAUTH_OK;
	if (strcmp(out, "sudo") != 0) {
		out[0] = '\0'; /* not sudo: its arguments mean something else */
		return OAUTH_OK;
	}
	out[0] = '\0';
	while ((arg = next_arg(&a)) != NULL && arg[0] == '-' && arg[1] != '\0' && !a.bad) {
		if (strcmp(arg, "--") == 0) {
			arg = next_arg(&a);
			break;
		}
		if (arg[1] == '-')
			sudo_long_option(&a, arg + 2);
		else
			sudo_short_options(&a, arg + 1);
	}
	/* sudo takes leading VAR=value words as environment settings, not as the command. */
	while (arg != NULL && !a.edit && strchr(arg, '=') != NULL)
		arg = next_arg(&a);
	if (a.bad || a.nocmd)
		return OAUTH_OK;
	if (a.edit)
		(void)snprintf(out, outlen, "sudoedit");
	else if (arg != NULL)
		copy_basename(arg, out, outlen);
	return OAUTH_OK;
}

void
oauth_sudo_command_of_self(char *out, size_t outlen)
{
	char buf[CMDLINE_MAX];
	size_t len = 0;
	ssize_t n;
	int fd;

	if (out == NULL || outlen == 0)
		return;
	out[0] = '\0';
	fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	(void)close(fd);
	(void)oauth_sudo_command(buf, len, out, outlen);
}
