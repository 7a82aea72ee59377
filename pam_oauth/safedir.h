/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Directories only their owner can write: where the cache and the rate-limit counts live. */
#ifndef PAM_OAUTH_SAFEDIR_H
#define PAM_OAUTH_SAFEDIR_H

#include <stddef.h>
#include <sys/types.h>

#include "status.h"

/*
 * Opens dir into *fd (O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC) when it is a
 * directory, not a symbolic link, owned by owner, with no group or other
 * permission bits: only owner can have put anything there. A missing dir is
 * created 0700, but only below a parent owned by owner and not writable by
 * group or others; another process may create it at the same moment.
 * OAUTH_OK; OAUTH_UNAVAILABLE with the reason in why ("mode 755, not 0700")
 * when the directory cannot be used; OAUTH_NOMEM. *fd is -1 unless OAUTH_OK.
 */
enum oauth_status oauth_safedir_open(const char *dir, uid_t owner, int *fd, char *why,
                                     size_t whylen);

#endif
