/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The PAM conversation behind the core's display callbacks. */
#ifndef PAM_OAUTH_CONV_H
#define PAM_OAUTH_CONV_H

#include <security/pam_modules.h>

#include "display.h"

struct oauth_conv {
	pam_handle_t *pamh; /* borrowed */
	int flags;	    /* pam_sm_authenticate's flags (PAM_SILENT) */
	int pam_error;	    /* the last conversation failure, PAM_SUCCESS if none */
};

/* Fills ops with callbacks that talk through c's PAM conversation. */
void oauth_conv_ops(struct oauth_conv *c, struct oauth_display_ops *ops);

/* Tells the person why the login failed (PAM_ERROR_MSG), unless PAM_SILENT. */
void oauth_conv_error(struct oauth_conv *c, const char *text);

#endif
