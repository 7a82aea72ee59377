/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The command sudo was asked to run, read from sudo's own argv, for the push approval's message. */
#ifndef PAM_OAUTH_SUDO_ARGV_H
#define PAM_OAUTH_SUDO_ARGV_H

#include <stddef.h>

#include "status.h"

/* Longest command name kept, in bytes: the binding message keeps far fewer. */
#define OAUTH_SUDO_MAX_COMMAND 64

/*
 * The short name of the command sudo was asked to run, from sudo's own argv
 * (args: len bytes of NUL-separated words, as in /proc/self/cmdline; a last word
 * without its NUL was cut off and is ignored). Skips sudo's options as sudo 1.9
 * parses them (values attached or in the next word, long options and their
 * unique prefixes, "--") and leading VAR=value words, then writes the basename
 * of the first word left into out (cut to outlen). "sudoedit" for -e/--edit or
 * when argv[0] is sudoedit; "" when argv[0] is not sudo, no command runs (-l,
 * -v, -K, -V, --help, a shell without a command) or sudo would refuse the
 * options. The name is what the invoker asked for, a hint for the person
 * approving, not a guarantee of what the file is. OAUTH_CONFIG for no buffer.
 */
enum oauth_status oauth_sudo_command(const char *args, size_t len, char *out, size_t outlen);

/*
 * oauth_sudo_command() on this process's own argv (/proc/self/cmdline): the
 * module runs inside sudo, so that is sudo's argv. Unlike SUDO_COMMAND (set
 * later, in the command's environment) it exists during authentication, and
 * the invoker cannot change it after sudo started. "" when unknown.
 */
void oauth_sudo_command_of_self(char *out, size_t outlen);

#endif
