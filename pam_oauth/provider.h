/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Checks for providers that need more than the standard: Google's secret, Entra ID's tenant. */
#ifndef PAM_OAUTH_PROVIDER_H
#define PAM_OAUTH_PROVIDER_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "status.h"

/* Google's issuer: its token endpoint wants client_secret even from "TVs and limited input". */
#define OAUTH_GOOGLE_ISSUER "https://accounts.google.com"

/*
 * Settings that only make sense together, checked when the config is loaded
 * (before any I/O): issuer OAUTH_GOOGLE_ISSUER without client_secret (Google
 * would refuse the token request only after the person approved), and
 * tenant_id without an issuer (tid is read from the verified ID token).
 * OAUTH_CONFIG with the reason in why.
 */
enum oauth_status oauth_provider_validate(const struct oauth_config *cfg, char *why, size_t whylen);

/*
 * Checks on the verified ID token claims (id_claims may be NULL: no ID token)
 * beyond OIDC Core: with tenant_id set, the Entra ID claim "tid" must be a
 * string equal to it byte for byte, else OAUTH_WRONG_IDENTITY (the approval
 * came from another tenant, or no ID token vouches for one).
 */
enum oauth_status oauth_provider_check_claims(const struct oauth_config *cfg,
                                              const cJSON *id_claims, char *err, size_t errlen);

#endif
