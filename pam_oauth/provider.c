/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Checks for providers that need more than the standard: Entra ID's tenant in the ID token. */
#include "build_config.h"

#include <string.h>

#include "log.h"
#include "provider.h"

enum oauth_status
oauth_provider_check_claims(const struct oauth_config *cfg, const cJSON *id_claims, char *err,
                            size_t errlen)
{
	const cJSON *tid;
	char got[OAUTH_LOG_FIELD_MAX];

	if (cfg->tenant_id == NULL)
		return OAUTH_OK;
	/* Only the signed ID token vouches for the tenant: userinfo is never asked. */
	tid = id_claims != NULL ? cJSON_GetObjectItemCaseSensitive(id_claims, "tid") : NULL;
	if (!cJSON_IsString(tid) || tid->valuestring == NULL) {
		oauth_seterr(err, errlen,
		             "tenant_id is set but no verified ID token has a \"tid\"");
		return OAUTH_WRONG_IDENTITY;
	}
	if (strcmp(tid->valuestring, cfg->tenant_id) != 0) {
		oauth_seterr(err, errlen, "ID token \"tid\" %s is not the configured tenant_id",
		             oauth_sanitize(got, sizeof(got), tid->valuestring));
		return OAUTH_WRONG_IDENTITY;
	}
	return OAUTH_OK;
}
