/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* One login from start to verified identity, without PAM: a grant, the wait, the identity. */
#ifndef PAM_OAUTH_LOGIN_H
#define PAM_OAUTH_LOGIN_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "display.h"
#include "identity.h"
#include "log.h"
#include "status.h"

/* Who asks and from where. Strings borrowed. */
struct oauth_login_request {
	const char *user;    /* the local account being logged in */
	const char *service; /* PAM service */
	const char *host;    /* this machine */
	const char *rhost;   /* remote host; NULL or "" when local */
	const char *tty;     /* may be NULL */
	const char *command; /* what is approved (sudo's command name); NULL: not known */
};

/*
 * Logs req->user in with the grant cfg->mode names: resolve endpoints, request
 * a device code (and show it) or a push (and show its line), poll, verify the
 * ID token, read userinfo when needed, and match the identity to the account
 * (policy.c). OAUTH_OK only when every check passed. id is filled
 * (cleared at entry) as far as the identity was learnt, for the outcome log,
 * also on failure.
 */
enum oauth_status oauth_login(const struct oauth_config *cfg, const struct oauth_login_request *req,
                              const struct oauth_display_ops *display,
                              const struct oauth_logger *log, struct oauth_identity *id, char *err,
                              size_t errlen);

/* The claims a login learnt, for pam_oauth_check --login; owned (oauth_json_free); may be NULL. */
struct oauth_login_claims {
	cJSON *id_claims; /* verified ID token claims; NULL when none */
	cJSON *userinfo;  /* the userinfo response; NULL when not fetched */
};

/*
 * oauth_login() that also hands back the claims it learnt, whatever the outcome
 * (claims may be NULL; cleared at entry). For the check command's dry run.
 */
enum oauth_status oauth_login_claims(const struct oauth_config *cfg,
                                     const struct oauth_login_request *req,
                                     const struct oauth_display_ops *display,
                                     const struct oauth_logger *log, struct oauth_identity *id,
                                     struct oauth_login_claims *claims, char *err, size_t errlen);

#endif
