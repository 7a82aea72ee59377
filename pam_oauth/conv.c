/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The PAM conversation behind the core's display callbacks. */
#include "build_config.h"

#include <stdio.h>
#include <stdlib.h>

#include <security/pam_ext.h>

#include "conv.h"
#include "secret.h"

/*
 * pam_prompt() in the caller's locale: the module runs in "C" (pam_oauth.c),
 * but the conversation function is the caller's code and may translate or
 * format in the person's language.
 */
static int
prompt(struct oauth_conv *c, int style, char **reply, const char *text)
{
	locale_t mine = c->caller_locale != (locale_t)0 ? uselocale(c->caller_locale) : (locale_t)0;
	int rc = pam_prompt(c->pamh, style, reply, "%s", text);

	if (mine != (locale_t)0)
		(void)uselocale(mine);
	return rc;
}

static enum oauth_status
to_status(struct oauth_conv *c, int pam_rc)
{
	if (pam_rc == PAM_SUCCESS)
		return OAUTH_OK;
	c->pam_error = pam_rc;
	return pam_rc == PAM_BUF_ERR ? OAUTH_NOMEM : OAUTH_CONV;
}

/*
 * PAM_SILENT does not hide the code: without it the person cannot log in, and
 * the code is the point of the exchange, not a side remark.
 */
static enum oauth_status
conv_info(void *ctx, const char *text)
{
	struct oauth_conv *c = ctx;

	return to_status(c, prompt(c, PAM_TEXT_INFO, NULL, text));
}

static enum oauth_status
conv_prompt(void *ctx, const char *text)
{
	struct oauth_conv *c = ctx;
	char *reply = NULL;
	int rc;

	rc = prompt(c, PAM_PROMPT_ECHO_OFF, &reply, text);
	/* The reply means nothing to us, but a person may have typed a password here. */
	oauth_free_secret(reply);
	return to_status(c, rc);
}

/*
 * sshd's PAM process holds the client's socket but, while we poll without a
 * conversation, nobody reads it: when the client hangs up, sshd 9.2 leaves us
 * polling until the deadline. So the waits ask watch.c.
 */
static enum oauth_status
conv_alive(void *ctx, char *err, size_t errlen)
{
	struct oauth_conv *c = ctx;

	return oauth_watch_check(&c->watch, err, errlen);
}

void
oauth_conv_ops(struct oauth_conv *c, struct oauth_display_ops *ops)
{
	oauth_watch_start(&c->watch, pam_getenv(c->pamh, "SSH_CONNECTION"));
	ops->info = conv_info;
	ops->prompt = conv_prompt;
	ops->alive = conv_alive;
	ops->ctx = c;
}

void
oauth_conv_error(struct oauth_conv *c, const char *text)
{
	if (text == NULL || (c->flags & PAM_SILENT))
		return;
	(void)prompt(c, PAM_ERROR_MSG, NULL, text);
}

void
oauth_conv_outcome(struct oauth_conv *c, const char *text)
{
	if (text == NULL)
		return;
	(void)prompt(c, PAM_ERROR_MSG, NULL, text);
}
