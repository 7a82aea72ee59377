/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* QR codes as terminal text (libqrencode): UTF-8 half blocks or plain ASCII. */
#ifndef PAM_OAUTH_QR_H
#define PAM_OAUTH_QR_H

#include <stddef.h>

#include "config.h"
#include "status.h"

enum oauth_qr_style {
	OAUTH_QR_STYLE_NONE = 0,
	OAUTH_QR_STYLE_UTF8,  /* one character per module wide, two modules tall */
	OAUTH_QR_STYLE_ASCII, /* two characters per module wide, one tall */
};

/* Longest text we encode: a verification URI is well under this. */
#define OAUTH_QR_MAX_TEXT 512

/* Picks the style for mode: auto is UTF-8, local or remote (see qr.c). */
enum oauth_qr_style oauth_qr_style_for(enum oauth_qr_mode mode);

/*
 * Renders text as a QR code at the lowest error correction, with a quiet zone,
 * as '\n'-terminated lines. Light modules are drawn with ink (the quiet zone
 * too), so the code reads right on the usual dark terminal background and has
 * a visible border on a light one. *out is owned by the caller.
 */
enum oauth_status oauth_qr_render(const char *text, enum oauth_qr_style style, char **out,
                                  char *err, size_t errlen);

#endif
