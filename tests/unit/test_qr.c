/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of the QR renderer: every module, polarity, quiet zone and size, read back from the text.
 */
#include "build_config.h"

#include <stdlib.h>

#include <qrencode.h>

#include "qr.h"
#include "testutil.h"

#define URI "https://idp.example.com/device?user_code=WDJB-MJHT"
/* 60 characters: a long but realistic verification_uri_complete. */
#define URI60 "https://login.example.com/activate/device?user_code=WDJBMJHT"
/* The quiet zone the renderer promises, in modules. */
#define QUIET 2
/* Biggest padded symbol we parse: version 40 is 177 modules. */
#define SIDE_MAX (177 + 2 * QUIET + 1)

struct grid {
	int w, h;                              /* in modules */
	unsigned char ink[SIDE_MAX][SIDE_MAX]; /* 1 where the terminal draws a light module */
};

static size_t
line_len(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl == NULL ? strlen(s) : (size_t)(nl - s);
}

/* Reads "##"/"  " pairs back into modules; returns 0 on any other character. */
static int
parse_ascii(const char *text, struct grid *g)
{
	const char *p = text;

	memset(g, 0, sizeof(*g));
	while (*p != '\0') {
		size_t len = line_len(p), i;

		if (p[len] != '\n' || len % 2 != 0 || len / 2 >= SIDE_MAX || g->h >= SIDE_MAX)
			return 0;
		if (g->h > 0 && (int)(len / 2) != g->w)
			return 0;
		g->w = (int)(len / 2);
		for (i = 0; i < len; i += 2) {
			if (p[i] == '#' && p[i + 1] == '#')
				g->ink[g->h][i / 2] = 1;
			else if (!(p[i] == ' ' && p[i + 1] == ' '))
				return 0;
		}
		g->h++;
		p += len + 1;
	}
	return 1;
}

/* Reads half blocks back into modules, two rows per line; returns 0 on anything else. */
static int
parse_utf8(const char *text, struct grid *g)
{
	const char *p = text;

	memset(g, 0, sizeof(*g));
	while (*p != '\0') {
		int x = 0;

		if (g->h + 1 >= SIDE_MAX)
			return 0;
		while (*p != '\n' && *p != '\0') {
			int top, bottom;

			if (x >= SIDE_MAX)
				return 0;
			if (*p == ' ') {
				top = 0, bottom = 0, p += 1;
			} else if (strncmp(p, "\xe2\x96\x88", 3) == 0) {
				top = 1, bottom = 1, p += 3;
			} else if (strncmp(p, "\xe2\x96\x80", 3) == 0) {
				top = 1, bottom = 0, p += 3;
			} else if (strncmp(p, "\xe2\x96\x84", 3) == 0) {
				top = 0, bottom = 1, p += 3;
			} else {
				return 0;
			}
			g->ink[g->h][x] = (unsigned char)top;
			g->ink[g->h + 1][x] = (unsigned char)bottom;
			x++;
		}
		if (*p != '\n' || (g->h > 0 && x != g->w))
			return 0;
		g->w = x;
		g->h += 2;
		p++;
	}
	return 1;
}

/* Compares the parsed grid with libqrencode's own matrix: light = ink, quiet zone = ink. */
static int
grid_matches(const struct grid *g, const QRcode *code)
{
	int side = code->width + 2 * QUIET, x, y, bad = 0;

	for (y = 0; y < side; y++) {
		for (x = 0; x < side; x++) {
			int mx = x - QUIET, my = y - QUIET, want = 1;

			if (mx >= 0 && my >= 0 && mx < code->width && my < code->width)
				want = (code->data[my * code->width + mx] & 1) == 0;
			if (g->ink[y][x] != want)
				bad++;
		}
	}
	return bad == 0;
}

static QRcode *
reference(const char *text)
{
	return QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
}

static void
test_ascii_matches_libqrencode_module_for_module(void)
{
	static struct grid g;
	char err[OAUTH_ERR_SIZE] = "";
	char *out = NULL;
	QRcode *code = reference(URI);
	int side;

	CHECK(code != NULL);
	if (code == NULL)
		return;
	side = code->width + 2 * QUIET;
	CHECK_INT(oauth_qr_render(URI, OAUTH_QR_STYLE_ASCII, &out, err, sizeof(err)), OAUTH_OK);
	CHECK(out != NULL && parse_ascii(out, &g));
	CHECK_INT(g.w * 2, 2 * side);
	CHECK_INT(g.h, side);
	CHECK(grid_matches(&g, code));
	free(out);
	QRcode_free(code);
}

static void
test_utf8_matches_libqrencode_module_for_module(void)
{
	static struct grid g;
	char err[OAUTH_ERR_SIZE] = "";
	char *out = NULL;
	QRcode *code = reference(URI);
	int side, x;

	CHECK(code != NULL);
	if (code == NULL)
		return;
	side = code->width + 2 * QUIET;
	CHECK_INT(oauth_qr_render(URI, OAUTH_QR_STYLE_UTF8, &out, err, sizeof(err)), OAUTH_OK);
	CHECK(out != NULL && parse_utf8(out, &g));
	CHECK_INT(g.w, side);
	CHECK_INT(g.h / 2, (side + 1) / 2);
	CHECK(grid_matches(&g, code));
	/* A symbol side is odd: the spare half row under the last line stays background. */
	CHECK_INT(side % 2, 1);
	for (x = 0; x < side; x++)
		CHECK_INT(g.ink[side][x], 0);
	free(out);
	QRcode_free(code);
}

static void
test_mixed_case_text_is_kept_case_sensitive(void)
{
	char *upper = NULL, *lower = NULL;

	CHECK_INT(
	    oauth_qr_render("https://x.example/?c=AbCd", OAUTH_QR_STYLE_ASCII, &upper, NULL, 0),
	    OAUTH_OK);
	CHECK_INT(
	    oauth_qr_render("https://x.example/?c=abcd", OAUTH_QR_STYLE_ASCII, &lower, NULL, 0),
	    OAUTH_OK);
	CHECK(upper != NULL && lower != NULL && strcmp(upper, lower) != 0);
	free(upper);
	free(lower);
}

static void
test_lowest_error_correction_gives_smallest_symbol(void)
{
	/* 50 bytes fit version 3 (29 modules) only at level L (M holds 42). */
	const char *text = "https://idp.example.com/device?user_code=WDJBMJHT";
	char *out = NULL;

	CHECK_INT(strlen(text), 49);
	CHECK_INT(oauth_qr_render(text, OAUTH_QR_STYLE_ASCII, &out, NULL, 0), OAUTH_OK);
	CHECK(out != NULL);
	if (out != NULL)
		CHECK_INT(line_len(out), 2 * (29 + 2 * QUIET));
	free(out);
}

static void
test_lines_end_in_ink_never_in_spaces(void)
{
	static const enum oauth_qr_style styles[] = {OAUTH_QR_STYLE_ASCII, OAUTH_QR_STYLE_UTF8};
	size_t i;

	for (i = 0; i < 2; i++) {
		char *out = NULL;
		const char *p;

		CHECK_INT(oauth_qr_render(URI, styles[i], &out, NULL, 0), OAUTH_OK);
		for (p = out; p != NULL && *p != '\0'; p += line_len(p) + 1) {
			size_t len = line_len(p);

			CHECK(len > 0 && p[len - 1] != ' ' && p[0] != ' ');
			CHECK_INT(p[len], '\n');
		}
		free(out);
	}
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* Columns on screen: one per UTF-8 character. */
static size_t
max_columns(const char *s)
{
	size_t max = 0, cols = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			max = cols > max ? cols : max;
			cols = 0;
		} else if (((unsigned char)*s & 0xc0) != 0x80) {
			cols++;
		}
	}
	return max;
}

static void
test_sixty_char_uri_fits_eighty_columns(void)
{
	char *ascii = NULL, *utf8 = NULL;

	CHECK_INT(strlen(URI60), 60);
	CHECK_INT(oauth_qr_render(URI60, OAUTH_QR_STYLE_ASCII, &ascii, NULL, 0), OAUTH_OK);
	CHECK_INT(oauth_qr_render(URI60, OAUTH_QR_STYLE_UTF8, &utf8, NULL, 0), OAUTH_OK);
	if (ascii == NULL || utf8 == NULL)
		goto out;
	/* Version 4 (33 modules) + 2 * 2 quiet: ASCII 74 x 37, UTF-8 37 x 19. */
	CHECK(max_columns(ascii) <= 80);
	CHECK(max_columns(utf8) <= 80);
	CHECK_INT(max_columns(ascii), 74);
	CHECK_INT(count_lines(ascii), 37);
	CHECK_INT(max_columns(utf8), 37);
	CHECK_INT(count_lines(utf8), 19);
	printf("60-char URI: ascii %zux%d, utf8 %zux%d (columns x lines)\n", max_columns(ascii),
	       count_lines(ascii), max_columns(utf8), count_lines(utf8));
out:
	free(ascii);
	free(utf8);
}

static void
test_empty_null_and_oversize_text_refused(void)
{
	char big[OAUTH_QR_MAX_TEXT + 2];
	char err[OAUTH_ERR_SIZE];
	char *out = (char *)1;

	CHECK_INT(oauth_qr_render("", OAUTH_QR_STYLE_UTF8, &out, err, sizeof(err)), OAUTH_PROTOCOL);
	CHECK(out == NULL);
	CHECK(strstr(err, "empty") != NULL);
	CHECK_INT(oauth_qr_render(NULL, OAUTH_QR_STYLE_UTF8, &out, err, sizeof(err)),
	          OAUTH_PROTOCOL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(oauth_qr_render(big, OAUTH_QR_STYLE_ASCII, &out, err, sizeof(err)),
	          OAUTH_PROTOCOL);
	CHECK(out == NULL);
	/* Exactly the limit is still rendered. */
	big[OAUTH_QR_MAX_TEXT] = '\0';
	CHECK_INT(oauth_qr_render(big, OAUTH_QR_STYLE_ASCII, &out, err, sizeof(err)), OAUTH_OK);
	CHECK(out != NULL);
	free(out);
}

static void
test_style_none_or_null_out_refused(void)
{
	char *out = (char *)1;

	CHECK_INT(oauth_qr_render(URI, OAUTH_QR_STYLE_NONE, &out, NULL, 0), OAUTH_CONFIG);
	CHECK(out == NULL);
	CHECK_INT(oauth_qr_render(URI, OAUTH_QR_STYLE_UTF8, NULL, NULL, 0), OAUTH_CONFIG);
}

static void
test_style_auto_is_utf8(void)
{
	CHECK_INT(oauth_qr_style_for(OAUTH_QR_AUTO), OAUTH_QR_STYLE_UTF8);
	CHECK_INT(oauth_qr_style_for(OAUTH_QR_UTF8), OAUTH_QR_STYLE_UTF8);
	CHECK_INT(oauth_qr_style_for(OAUTH_QR_ASCII), OAUTH_QR_STYLE_ASCII);
	CHECK_INT(oauth_qr_style_for(OAUTH_QR_OFF), OAUTH_QR_STYLE_NONE);
}

int main(void);

int
main(void)
{
	RUN(test_ascii_matches_libqrencode_module_for_module);
	RUN(test_utf8_matches_libqrencode_module_for_module);
	RUN(test_mixed_case_text_is_kept_case_sensitive);
	RUN(test_lowest_error_correction_gives_smallest_symbol);
	RUN(test_lines_end_in_ink_never_in_spaces);
	RUN(test_sixty_char_uri_fits_eighty_columns);
	RUN(test_empty_null_and_oversize_text_refused);
	RUN(test_style_none_or_null_out_refused);
	RUN(test_style_auto_is_utf8);
	return T_DONE();
}
