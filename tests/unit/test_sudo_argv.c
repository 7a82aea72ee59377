/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of sudo_argv.c: the command's name from sudo's argv, as sudo 1.9 parses its options. */
#include "build_config.h"

#include <stdio.h>
#include <string.h>

#include "sudo_argv.h"
#include "testutil.h"

/* Longest argv a case spells out (words). */
#define ARGV_WORDS 10

struct argv_case {
	const char *name;
	const char *argv[ARGV_WORDS]; /* ends at the first NULL */
	const char *want;
};

static const struct argv_case argv_cases[] = {
    {"plain", {"sudo", "sh", "-c", "id -u"}, "sh"},
    {"full path", {"/usr/bin/sudo", "/usr/sbin/service", "ssh", "restart"}, "service"},
    {"double dash", {"sudo", "--", "sh", "-c", "id"}, "sh"},
    {"command after -- looks like an option", {"sudo", "--", "-u"}, "-u"},
    {"value in the next word", {"sudo", "-u", "bob", "-g", "adm", "vi"}, "vi"},
    {"value attached", {"sudo", "-ubob", "less", "/etc/shadow"}, "less"},
    {"flags then a value", {"sudo", "-nEu", "bob", "rm", "-rf", "/tmp/x"}, "rm"},
    {"every value option", {"sudo", "-C", "3", "-D", "/", "-h", "h", "-p", "P", "ls"}, "ls"},
    {"more value options", {"sudo", "-R", "/", "-r", "r", "-t", "t", "-T", "5", "ls"}, "ls"},
    {"value that looks like the command", {"sudo", "-u", "rm", "ls"}, "ls"},
    {"long option with =", {"sudo", "--user=bob", "--chdir=/", "make"}, "make"},
    {"long option, value next", {"sudo", "--user", "bob", "make"}, "make"},
    {"long prefix takes a value", {"sudo", "--us", "bob", "make"}, "make"},
    {"long flag", {"sudo", "--preserve-env", "--login", "env"}, "env"},
    {"environment words skipped", {"sudo", "FOO=1", "BAR=a=b", "env"}, "env"},
    {"edit option", {"sudo", "-e", "/etc/hosts"}, "sudoedit"},
    {"edit long", {"sudo", "--edit", "/etc/hosts"}, "sudoedit"},
    {"called as sudoedit", {"/usr/bin/sudoedit", "/etc/hosts"}, "sudoedit"},
    {"list runs nothing", {"sudo", "-l", "rm"}, ""},
    {"validate runs nothing", {"sudo", "-v"}, ""},
    {"list long runs nothing", {"sudo", "--list", "rm"}, ""},
    {"shell without a command", {"sudo", "-s"}, ""},
    {"shell with a command", {"sudo", "-i", "make"}, "make"},
    {"value missing", {"sudo", "-u"}, ""},
    {"long value missing", {"sudo", "--user"}, ""},
    {"ambiguous long prefix", {"sudo", "--pr", "x", "ls"}, ""},
    {"unknown long option", {"sudo", "--frobnicate", "ls"}, ""},
    {"not sudo", {"sshd: alice [priv]", "ls"}, ""},
    {"basename of a path with a trailing slash", {"sudo", "/usr/bin/"}, ""},
    {"nothing after the options", {"sudo", "-u", "bob"}, ""},
};

/* Joins argv into NUL-separated words as /proc/self/cmdline holds them; returns the length. */
static size_t
join_argv(const char *const *argv, char *buf, size_t buflen)
{
	size_t len = 0, n, i;

	for (i = 0; i < ARGV_WORDS && argv[i] != NULL; i++) {
		n = strlen(argv[i]) + 1;
		if (len + n > buflen)
			break;
		memcpy(buf + len, argv[i], n);
		len += n;
	}
	return len;
}

static void
test_sudo_command_from_argv_table(void)
{
	char args[512], out[OAUTH_SUDO_MAX_COMMAND + 1];
	size_t i, len;

	for (i = 0; i < sizeof(argv_cases) / sizeof(argv_cases[0]); i++) {
		len = join_argv(argv_cases[i].argv, args, sizeof(args));
		memset(out, 'x', sizeof(out));
		CHECK_INT(oauth_sudo_command(args, len, out, sizeof(out)), OAUTH_OK);
		if (strcmp(out, argv_cases[i].want) != 0)
			fprintf(stderr, "  case: %s\n", argv_cases[i].name);
		CHECK_STR(out, argv_cases[i].want);
	}
}

static void
test_sudo_command_cut_off_word_is_ignored(void)
{
	/* The read limit cut "make" short: "ma" is not a name to show. */
	static const char args[] = "sudo\0-u\0bob\0ma";
	char out[OAUTH_SUDO_MAX_COMMAND + 1];

	CHECK_INT(oauth_sudo_command(args, sizeof(args) - 1, out, sizeof(out)), OAUTH_OK);
	CHECK_STR(out, "");
	CHECK_INT(oauth_sudo_command(args, sizeof(args), out, sizeof(out)), OAUTH_OK);
	CHECK_STR(out, "ma");
}

static void
test_sudo_command_long_name_is_cut_to_the_buffer(void)
{
	static const char args[] = "sudo\0/opt/a-very-long-command-name";
	char out[8];

	CHECK_INT(oauth_sudo_command(args, sizeof(args), out, sizeof(out)), OAUTH_OK);
	CHECK_STR(out, "a-very-");
}

static void
test_sudo_command_empty_or_missing_input(void)
{
	char out[OAUTH_SUDO_MAX_COMMAND + 1] = "stale";

	CHECK_INT(oauth_sudo_command(NULL, 0, out, sizeof(out)), OAUTH_OK);
	CHECK_STR(out, "");
	(void)snprintf(out, sizeof(out), "stale");
	CHECK_INT(oauth_sudo_command("", 0, out, sizeof(out)), OAUTH_OK);
	CHECK_STR(out, "");
	CHECK_INT(oauth_sudo_command("sudo", 5, NULL, 0), OAUTH_CONFIG);
}

static void
test_own_argv_is_not_sudo_so_no_command(void)
{
	char out[OAUTH_SUDO_MAX_COMMAND + 1] = "stale";

	/* This program's argv[0] is test_sudo_argv: its words mean nothing to sudo. */
	oauth_sudo_command_of_self(out, sizeof(out));
	CHECK_STR(out, "");
}

int
main(void)
{
	RUN(test_sudo_command_from_argv_table);
	RUN(test_sudo_command_cut_off_word_is_ignored);
	RUN(test_sudo_command_long_name_is_cut_to_the_buffer);
	RUN(test_sudo_command_empty_or_missing_input);
	RUN(test_own_argv_is_not_sudo_so_no_command);
	return T_DONE();
}
