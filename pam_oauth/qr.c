/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* QR codes as terminal text (libqrencode): UTF-8 half blocks or plain ASCII. */
#include "build_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "qr.h"

/*
 * Quiet zone in modules on each side. ISO/IEC 18004 asks for 4, but ours is
 * drawn: the zone is ink, not the terminal's background, so a reader sees
 * where the symbol ends even against a dark terminal. zbar decodes it with
 * only these 2 modules and dark all around (tests/tools/qr-decode.mjs). Each
 * module saved is a line saved in ASCII on a 24-row terminal.
 */
#define QUIET_ZONE 2

/* One module in UTF-8 style takes at most 3 bytes (the block characters). */
#define UTF8_CELL_MAX 3

static const char FULL_BLOCK[] = "\xe2\x96\x88"; /* U+2588: both halves light */
static const char UPPER_HALF[] = "\xe2\x96\x80"; /* U+2580: top light only */
static const char LOWER_HALF[] = "\xe2\x96\x84"; /* U+2584: bottom light only */

enum oauth_qr_style
oauth_qr_style_for(enum oauth_qr_mode mode)
{
	switch (mode) {
	/*
	 * Half blocks over ssh too: an ASCII code is at least 25 lines tall, so on an
	 * 80x24 terminal its top scrolls away and it never scans. OpenSSH's ssh and
	 * PuTTY's plink in a UTF-8 locale pass the blocks; where a client drops them
	 * (Dropbear's dbclient, plink in the C locale) or escapes them (ssh in the C
	 * locale), the URL and the code below the QR code still fit on the screen.
	 */
	case OAUTH_QR_AUTO:
	case OAUTH_QR_UTF8:
		return OAUTH_QR_STYLE_UTF8;
	case OAUTH_QR_ASCII:
		return OAUTH_QR_STYLE_ASCII;
	case OAUTH_QR_OFF:
		return OAUTH_QR_STYLE_NONE;
	}
	return OAUTH_QR_STYLE_NONE;
}

/*
 * Whether the cell at (x, y) of the padded symbol gets ink. The quiet zone is
 * ink; below the padded symbol (the spare half row of an odd UTF-8 height) is
 * the terminal's background, so the zone stays QUIET_ZONE modules everywhere.
 */
static int
is_ink(const QRcode *code, int x, int y)
{
	int side = code->width + 2 * QUIET_ZONE;
	int mx = x - QUIET_ZONE, my = y - QUIET_ZONE;

	if (y >= side)
		return 0;
	if (mx < 0 || my < 0 || mx >= code->width || my >= code->width)
		return 1;
	/* Bit 0 set means a dark module; light modules are the ones drawn. */
	return (code->data[my * code->width + mx] & 1) == 0;
}

static size_t
append(char *out, size_t pos, const char *s, size_t len)
{
	memcpy(out + pos, s, len);
	return pos + len;
}

static char *
render_utf8(const QRcode *code)
{
	int side = code->width + 2 * QUIET_ZONE;
	int rows = (side + 1) / 2;
	size_t cap = (size_t)rows * ((size_t)side * UTF8_CELL_MAX + 1) + 1;
	size_t pos = 0;
	char *out = malloc(cap);
	int x, r;

	if (out == NULL)
		return NULL;
	for (r = 0; r < rows; r++) {
		for (x = 0; x < side; x++) {
			int top = is_ink(code, x, 2 * r), bottom = is_ink(code, x, 2 * r + 1);

			if (top && bottom)
				pos = append(out, pos, FULL_BLOCK, sizeof(FULL_BLOCK) - 1);
			else if (top)
				pos = append(out, pos, UPPER_HALF, sizeof(UPPER_HALF) - 1);
			else if (bottom)
				pos = append(out, pos, LOWER_HALF, sizeof(LOWER_HALF) - 1);
			else
				pos = append(out, pos, " ", 1);
		}
		pos = append(out, pos, "\n", 1);
	}
	out[pos] = '\0';
	return out;
}

static char *
render_ascii(const QRcode *code)
{
	int side = code->width + 2 * QUIET_ZONE;
	size_t cap = (size_t)side * ((size_t)side * 2 + 1) + 1;
	size_t pos = 0;
	char *out = malloc(cap);
	int x, y;

	if (out == NULL)
		return NULL;
	for (y = 0; y < side; y++) {
		for (x = 0; x < side; x++)
			pos = append(out, pos, is_ink(code, x, y) ? "##" : "  ", 2);
		pos = append(out, pos, "\n", 1);
	}
	out[pos] = '\0';
	return out;
}

enum oauth_status
oauth_qr_render(const char *text, enum oauth_qr_style style, char **out, char *err, size_t errlen)
{
	enum oauth_status rc = OAUTH_PROTOCOL;
	QRcode *code = NULL;
	size_t len;

	if (out != NULL)
		*out = NULL;
	if (out == NULL || (style != OAUTH_QR_STYLE_UTF8 && style != OAUTH_QR_STYLE_ASCII)) {
		oauth_seterr(err, errlen, "QR code: no output or no style");
		rc = OAUTH_CONFIG;
		goto out;
	}
	len = text == NULL ? 0 : strnlen(text, OAUTH_QR_MAX_TEXT + 1);
	if (len == 0 || len > OAUTH_QR_MAX_TEXT) {
		oauth_seterr(err, errlen, "QR code: text is empty or longer than %d bytes",
		             OAUTH_QR_MAX_TEXT);
		goto out;
	}
	/* Version 0: the smallest symbol that holds the text; case kept as given. */
	errno = 0;
	code = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	if (code == NULL) {
		rc = errno == ENOMEM ? OAUTH_NOMEM : OAUTH_PROTOCOL;
		oauth_seterr(err, errlen, "QR code: encoding failed (%s)",
		             errno == ERANGE ? "text too large" : "libqrencode error");
		goto out;
	}
	*out = style == OAUTH_QR_STYLE_UTF8 ? render_utf8(code) : render_ascii(code);
	if (*out == NULL) {
		oauth_seterr(err, errlen, "QR code: out of memory");
		rc = OAUTH_NOMEM;
		goto out;
	}
	rc = OAUTH_OK;
out:
	if (code != NULL)
		QRcode_free(code);
	return rc;
}
