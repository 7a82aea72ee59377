/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Checks for providers that need more than the standard: Entra ID's tenant in the ID token. */
#ifndef PAM_OAUTH_PROVIDER_H
#define PAM_OAUTH_PROVIDER_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "status.h"

/*
 * Checks on the verified ID token claims (id_claims may be NULL: no ID token)
 * beyond OIDC Core: with tenant_id set, the Entra ID claim "tid" must be a
 * string equal to it byte for byte, else OAUTH_WRONG_IDENTITY (the approval
 * came from another tenant, or no ID token vouches for one).
 */
enum oauth_status oauth_provider_check_claims(const struct oauth_config *cfg,
                                              const cJSON *id_claims, char *err, size_t errlen);

#endif
