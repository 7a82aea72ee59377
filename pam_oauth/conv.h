/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The PAM conversation behind the core's display callbacks. */
#ifndef PAM_OAUTH_CONV_H
#define PAM_OAUTH_CONV_H

#include <locale.h>

#include <security/pam_modules.h>

#include "display.h"
#include "watch.h"

struct oauth_conv {
	pam_handle_t *pamh;       /* borrowed */
	int flags;                /* pam_sm_authenticate's flags (PAM_SILENT) */
	int pam_error;            /* the last conversation failure, PAM_SUCCESS if none */
	struct oauth_watch watch; /* what ops->alive looks at */
	locale_t caller_locale;   /* the caller's, for its conversation function; 0: unchanged */
};

/*
 * Fills ops with callbacks that talk through c's PAM conversation, and notes
 * what ops->alive watches: the parent process and the person's connection,
 * the one SSH_CONNECTION in the PAM environment names (sshd sets it). Call it
 * before the core opens connections of its own.
 */
void oauth_conv_ops(struct oauth_conv *c, struct oauth_display_ops *ops);

/* Tells the person why the login failed (PAM_ERROR_MSG), unless PAM_SILENT. */
void oauth_conv_error(struct oauth_conv *c, const char *text);

/*
 * Tells the person why the sign-in failed (PAM_ERROR_MSG) even under
 * PAM_SILENT, as the code itself is shown: sudo always passes PAM_SILENT, and
 * its "Sorry, try again." alone does not say whether they were denied, late,
 * or the provider was down.
 */
void oauth_conv_outcome(struct oauth_conv *c, const char *text);

#endif
