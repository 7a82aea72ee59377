/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of the sign-in screen: what it says, what it cleans, and how it is cut into PAM messages.
 */
#include "build_config.h"

#include <stdlib.h>

#include "display.h"
#include "testutil.h"

#define URI "https://idp.example.com/device"
#define COMPLETE "https://idp.example.com/device?user_code=WDJB-MJHT"

static struct oauth_display_info
typical(enum oauth_qr_style qr)
{
	struct oauth_display_info info = {
	    .user = "alice",
	    .service = "sshd",
	    .host = "web01",
	    .rhost = "203.0.113.5",
	    .verification_uri = URI,
	    .verification_uri_complete = COMPLETE,
	    .user_code = "WDJB-MJHT",
	    .expires_in = 600,
	    .qr = qr,
	};

	return info;
}

/* The messages joined the way callers print them: each followed by a newline. */
static char *
join(char **msgs, size_t n)
{
	size_t total = 1, i;
	char *s;

	for (i = 0; i < n; i++)
		total += strlen(msgs[i]) + 1;
	s = malloc(total);
	if (s == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < n; i++) {
		size_t len = strlen(s);

		memcpy(s + len, msgs[i], strlen(msgs[i]));
		s[len + strlen(msgs[i])] = '\0';
		if (i + 1 < n)
			memcpy(s + strlen(s), "\n", 2);
	}
	return s;
}

/* Builds and joins; returns NULL (and fails the case) when building fails. */
static char *
screen_of(const struct oauth_display_info *info)
{
	char err[OAUTH_ERR_SIZE] = "";
	char **msgs = NULL;
	size_t n = 0, i;
	enum oauth_status rc = oauth_display_build(info, &msgs, &n, err, sizeof(err));
	char *s;

	CHECK_INT(rc, OAUTH_OK);
	if (rc != OAUTH_OK) {
		fprintf(stderr, "  err: %s\n", err);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		size_t len = strlen(msgs[i]);

		CHECK(len < OAUTH_MSG_MAX);
		CHECK(len > 0 && msgs[i][len - 1] != '\n');
	}
	CHECK(n <= OAUTH_MSG_MAX_COUNT);
	s = join(msgs, n);
	oauth_display_msgs_free(msgs, n);
	return s;
}

/* The last line, or the one before it (which = 1). */
static const char *
line_from_end(const char *s, int which, size_t *len)
{
	const char *end = s + strlen(s), *p = end;
	int i;

	for (i = 0; i <= which; i++) {
		end = p;
		if (i > 0)
			end--; /* step over the '\n' */
		p = end;
		while (p > s && p[-1] != '\n')
			p--;
	}
	*len = (size_t)(end - p);
	return p;
}

static int
count_lines(const char *s)
{
	int n = 1;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void
test_screen_says_what_is_approved(void)
{
	struct oauth_display_info info = typical(OAUTH_QR_STYLE_NONE);
	char *s = screen_of(&info);

	if (s == NULL)
		return;
	CHECK(strstr(s, "Sign-in request: sshd login as alice on web01 from 203.0.113.5\n") !=
	      NULL);
	CHECK(strstr(s, "expires in 10 minutes.") != NULL);
	CHECK(strstr(s, "Open: " URI "\n") != NULL);
	CHECK(strstr(s, "Code: WDJB-MJHT") != NULL);
	free(s);
}

static void
test_exact_screen_without_qr(void)
{
	struct oauth_display_info info = typical(OAUTH_QR_STYLE_NONE);
	char *s = screen_of(&info);

	CHECK_STR(s, "Sign-in request: sshd login as alice on web01 from 203.0.113.5\n"
	             "Approve only if you started this login yourself. It expires in 10 minutes.\n"
	             "To approve, open this address and enter the code:\n"
	             "Open: https://idp.example.com/device\n"
	             "Code: WDJB-MJHT");
	free(s);
}

static void
test_every_text_line_fits_eighty_columns(void)
{
	struct oauth_display_info info = typical(OAUTH_QR_STYLE_UTF8);
	char *s = screen_of(&info);
	const char *p;

	for (p = s; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl == NULL ? strlen(p) : (size_t)(nl - p);

		/* QR lines are 3-byte characters; text lines must leave a column for the cursor. */
		if ((unsigned char)p[0] < 0x80)
			CHECK(len < 80);
		p += len + (nl != NULL);
	}
	free(s);
}

static void
test_url_and_code_are_the_last_lines_under_the_qr(void)
{
	static const enum oauth_qr_style styles[] = {OAUTH_QR_STYLE_UTF8, OAUTH_QR_STYLE_ASCII,
	                                             OAUTH_QR_STYLE_NONE};
	size_t i, len;

	for (i = 0; i < 3; i++) {
		struct oauth_display_info info = typical(styles[i]);
		char *s = screen_of(&info);
		const char *line;

		if (s == NULL)
			continue;
		line = line_from_end(s, 0, &len);
		CHECK(len == 15 && strncmp(line, "Code: WDJB-MJHT", len) == 0);
		line = line_from_end(s, 1, &len);
		CHECK(len == strlen("Open: " URI) && strncmp(line, "Open: " URI, len) == 0);
		/* Five text lines; with a QR code its lines come first. */
		if (styles[i] == OAUTH_QR_STYLE_NONE)
			CHECK_INT(count_lines(s), 5);
		else
			CHECK(count_lines(s) > 5 + 10);
		free(s);
	}
}

/* The screen after its first line, the request line; NULL when there is none. */
static const char *
after_request_line(const char *s)
{
	const char *nl;

	if (s == NULL || strncmp(s, "Sign-in request: ", 17) != 0)
		return NULL;
	nl = strchr(s, '\n');
	return nl == NULL ? NULL : nl + 1;
}

static void
test_request_line_then_qr_of_complete_uri_then_text(void)
{
	struct oauth_display_info info = typical(OAUTH_QR_STYLE_ASCII);
	char *s = screen_of(&info), *qr = NULL;
	const char *rest = after_request_line(s);

	CHECK_INT(oauth_qr_render(COMPLETE, OAUTH_QR_STYLE_ASCII, &qr, NULL, 0), OAUTH_OK);
	CHECK(rest != NULL);
	if (rest != NULL && qr != NULL) {
		CHECK(strncmp(rest, qr, strlen(qr)) == 0);
		CHECK(strncmp(rest + strlen(qr), "Approve only if ", 16) == 0);
		CHECK(strstr(s, "Scan the QR code, or open this address") != NULL);
	}
	free(s);
	free(qr);
}

static void
test_qr_encodes_plain_uri_without_complete(void)
{
	struct oauth_display_info info = typical(OAUTH_QR_STYLE_UTF8);
	char *s, *qr = NULL;

	info.verification_uri_complete = "";
	s = screen_of(&info);
	CHECK_INT(oauth_qr_render(URI, OAUTH_QR_STYLE_UTF8, &qr, NULL, 0), OAUTH_OK);
	CHECK(after_request_line(s) != NULL);
	if (after_request_line(s) != NULL && qr != NULL)
		CHECK(strncmp(after_request_line(s), qr, strlen(qr)) == 0);
	free(s);
	free(qr);
	info.verification_uri_complete = NULL;
	s = screen_of(&info);
	CHECK(after_request_line(s) != NULL && strncmp(after_request_line(s), "\xe2\x96", 2) == 0);
	free(s);
}

static void
test_no_rhost_no_from(void)
{
	static const char *rhosts[] = {NULL, ""};
	size_t i;

	for (i = 0; i < 2; i++) {
		struct oauth_display_info info = typical(OAUTH_QR_STYLE_NONE);
		char *s;

		info.rhost = rhosts[i];
		s = screen_of(&info);
		CHECK(s != NULL && strstr(s, " from ") == NULL);
		CHECK(s != NULL && strstr(s, "login as alice on web01\n") != NULL);
		free(s);
	}
}

static void
test_qr_off_has_no_qr_lines(void)
{
	struct oauth_display_info info = typical(OAUTH_QR_STYLE_NONE);
	char *s = screen_of(&info);

	CHECK(s != NULL && strchr(s, '#') == NULL && strstr(s, "\xe2\x96") == NULL);
	CHECK(s != NULL && strncmp(s, "Sign-in request: ", 17) == 0);
	CHECK(s != NULL && strstr(s, "Scan") == NULL);
	free(s);
}

struct expiry_case {
	long seconds;
	const char *text;
};

static void
test_expiry_in_minutes_from_two_minutes_else_seconds(void)
{
	static const struct expiry_case cases[] = {
	    {600, "expires in 10 minutes."}, {120, "expires in 2 minutes."},
	    {179, "expires in 2 minutes."},  {119, "expires in 119 seconds."},
	    {1, "expires in 1 second."},     {1800, "expires in 30 minutes."},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct oauth_display_info info = typical(OAUTH_QR_STYLE_NONE);
		char *s;

		info.expires_in = cases[i].seconds;
		s = screen_of(&info);
		t_case = cases[i].text;
		CHECK(s != NULL && strstr(s, cases[i].text) != NULL);
		free(s);
	}
}

static void
test_nonpositive_expiry_refused(void)
{
	struct oauth_display_info info = typical(OAUTH_QR_STYLE_NONE);
	char **msgs = NULL;
	size_t n = 7;

	info.expires_in = 0;
	CHECK_INT(oauth_display_build(&info, &msgs, &n, NULL, 0), OAUTH_PROTOCOL);
	CHECK(msgs == NULL && n == 0);
	info.expires_in = -5;
	CHECK_INT(oauth_display_build(&info, &msgs, &n, NULL, 0), OAUTH_PROTOCOL);
}

/* No byte a terminal could act on: controls other than '\n', DEL, or anything >= 0x80. */
static int
only_printable_ascii(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && c != '\n') || c >= 0x7f)
			return 0;
	}
	return 1;
}

static void
test_provider_strings_are_sanitised(void)
{
	struct oauth_display_info info = typical(OAUTH_QR_STYLE_ASCII);
	char *s;

	info.user_code = "AB\x1b[2J\rCD\n\x7f\xc3\xa9";
	info.verification_uri = "https://idp.example.com/\x1b]0;pwn\x07\r\ndevice\xc3\xa9";
	info.verification_uri_complete = "https://idp.example.com/c\x1b[31m";
	s = screen_of(&info);
	if (s == NULL)
		return;
	CHECK(only_printable_ascii(s));
	CHECK(strstr(s, "Code: AB?[2J?CD????") != NULL);
	CHECK(strstr(s, "Open: https://idp.example.com/?]0;pwn???device??") != NULL);
	/* The code stays the last line despite its '\n'. */
	CHECK_INT(count_lines(s) > 5, 1);
	CHECK(strstr(s, "\nCode: AB?[2J?CD????") != NULL && s[strlen(s) - 1] == '?');
	free(s);
}

static void
test_pam_items_are_sanitised_and_bounded(void)
{
	struct oauth_display_info info = typical(OAUTH_QR_STYLE_NONE);
	char longhost[400];
	char *s;

	memset(longhost, 'h', sizeof(longhost) - 1);
	longhost[sizeof(longhost) - 1] = '\0';
	info.user = "root\nSign-in request: fake";
	info.service = "sshd\x1b[8m";
	info.host = longhost;
	info.rhost = "evil\r\x9b"
	             "1m";
	s = screen_of(&info);
	if (s == NULL)
		return;
	CHECK(only_printable_ascii(s));
	CHECK(strstr(s, "login as root?Sign-in request: fake on ") != NULL);
	CHECK(strstr(s, "Sign-in request: sshd?[8m login") != NULL);
	CHECK(strstr(s, " from evil??1m\n") != NULL);
	/* A cut name says so: 96 characters and "...". */
	CHECK(strstr(s, "hhh... from") != NULL);
	CHECK(strstr(s, "hhhhh...") - strstr(s, " on ") == 4 + 96 - 5);
	CHECK_INT(count_lines(s), 5);
	free(s);
}

static void
test_missing_names_shown_as_unknown(void)
{
	struct oauth_display_info info = typical(OAUTH_QR_STYLE_NONE);
	char *s;

	info.user = NULL;
	info.host = "";
	s = screen_of(&info);
	CHECK(s != NULL && strstr(s, "login as (unknown) on (unknown) from") != NULL);
	free(s);
}

struct bad_case {
	const char *uri, *complete, *code;
};

static void
test_empty_or_oversize_provider_strings_refused(void)
{
	static char long_uri[600], long_code[80], max_uri[506];
	struct bad_case cases[] = {
	    {NULL, NULL, "WDJB-MJHT"}, {"", NULL, "WDJB-MJHT"},       {URI, NULL, NULL},
	    {URI, NULL, ""},           {long_uri, NULL, "WDJB-MJHT"}, {URI, long_uri, "WDJB"},
	    {URI, NULL, long_code},
	};
	size_t i;

	memset(long_uri, 'u', sizeof(long_uri) - 1);
	memcpy(long_uri, "https://", 8);
	memset(long_code, 'C', sizeof(long_code) - 1);
	long_code[65] = '\0';
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct oauth_display_info info = typical(OAUTH_QR_STYLE_UTF8);
		char err[OAUTH_ERR_SIZE] = "";
		char **msgs = NULL;
		size_t n = 0;

		info.verification_uri = cases[i].uri;
		info.verification_uri_complete = cases[i].complete;
		info.user_code = cases[i].code;
		CHECK_INT(oauth_display_build(&info, &msgs, &n, err, sizeof(err)), OAUTH_PROTOCOL);
		CHECK(msgs == NULL && n == 0 && err[0] != '\0');
	}
	/* 505 characters: "Open: " and the URI still make one message line. */
	memset(max_uri, 'm', sizeof(max_uri) - 1);
	memcpy(max_uri, "https://", 8);
	{
		struct oauth_display_info info = typical(OAUTH_QR_STYLE_NONE);
		char *s;

		info.verification_uri = max_uri;
		s = screen_of(&info);
		CHECK(s != NULL && strstr(s, max_uri) != NULL);
		free(s);
	}
}

static void
test_longest_inputs_with_ascii_qr_fit_the_message_count(void)
{
	static char uri[506], name[300];
	struct oauth_display_info info = typical(OAUTH_QR_STYLE_ASCII);
	char **msgs = NULL;
	size_t n = 0;

	memset(uri, 'x', sizeof(uri) - 1);
	memcpy(uri, "https://", 8);
	memset(name, 'n', sizeof(name) - 1);
	info.verification_uri = uri;
	info.verification_uri_complete = uri;
	info.user = info.service = info.host = info.rhost = name;
	info.user_code = "0123456789012345678901234567890123456789012345678901234567890123";
	CHECK_INT(oauth_display_build(&info, &msgs, &n, NULL, 0), OAUTH_OK);
	CHECK(n > 20 && n <= OAUTH_MSG_MAX_COUNT);
	printf("longest inputs, ASCII QR: %zu messages\n", n);
	oauth_display_msgs_free(msgs, n);
}

static void
test_messages_join_back_to_the_screen(void)
{
	static const enum oauth_qr_style styles[] = {OAUTH_QR_STYLE_UTF8, OAUTH_QR_STYLE_ASCII};
	size_t i;

	for (i = 0; i < 2; i++) {
		struct oauth_display_info info = typical(styles[i]);
		char *qr = NULL, *s = screen_of(&info), *want;
		const char *head =
		    "Sign-in request: sshd login as alice on web01 from 203.0.113.5\n";
		const char *tail = "Approve only if you started this login yourself. It expires in "
		                   "10 minutes.\n"
		                   "Scan the QR code, or open this address and enter the code:\n"
		                   "Open: https://idp.example.com/device\n"
		                   "Code: WDJB-MJHT";

		CHECK_INT(oauth_qr_render(COMPLETE, styles[i], &qr, NULL, 0), OAUTH_OK);
		want = malloc(strlen(head) + (qr ? strlen(qr) : 0) + strlen(tail) + 1);
		if (want != NULL && qr != NULL) {
			memcpy(want, head, strlen(head));
			memcpy(want + strlen(head), qr, strlen(qr));
			memcpy(want + strlen(head) + strlen(qr), tail, strlen(tail) + 1);
			CHECK_STR(s, want);
		}
		free(want);
		free(qr);
		free(s);
	}
}

/* Splits text at max and checks the contract; returns the message count or -1. */
static long
split_checked(const char *text, size_t max, char ***msgs)
{
	size_t n = 0, i, len = strlen(text);
	char *joined;

	*msgs = NULL;
	if (oauth_display_split(text, max, msgs, &n) != OAUTH_OK)
		return -1;
	for (i = 0; i < n; i++)
		CHECK(strlen((*msgs)[i]) < max);
	joined = join(*msgs, n);
	if (len > 0 && text[len - 1] == '\n')
		len--;
	CHECK(joined != NULL && strlen(joined) == len && strncmp(joined, text, len) == 0);
	free(joined);
	return (long)n;
}

struct split_case {
	const char *text;
	size_t max;
	long count;
	const char *first, *last;
};

static void
test_split_table(void)
{
	static const struct split_case cases[] = {
	    {"one line", 512, 1, "one line", "one line"},
	    {"a\nb\nc", 512, 1, "a\nb\nc", "a\nb\nc"},
	    {"a\nb\nc\n", 512, 1, "a\nb\nc", "a\nb\nc"},
	    {"aaaa\nbbbb\ncccc", 10, 2, "aaaa\nbbbb", "cccc"},
	    {"aaaa\nbbbb\ncccc", 9, 3, "aaaa", "cccc"},
	    /* A blank line at a split starts the next message; none ends in '\n'. */
	    {"aaaa\n\nbbbb", 8, 2, "aaaa", "\nbbbb"},
	    {"aaaa\n\n\nbbbb", 8, 2, "aaaa", "\n\nbbbb"},
	    {"\nlead", 512, 1, "\nlead", "\nlead"},
	    {"end\n\n", 512, 1, "end\n", "end\n"},
	    {"", 512, 0, NULL, NULL},
	    {"\n", 512, 0, NULL, NULL},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char **msgs = NULL;
		long n;

		t_case = cases[i].text;
		n = split_checked(cases[i].text, cases[i].max, &msgs);
		CHECK_INT(n, cases[i].count);
		if (n > 0) {
			CHECK_STR(msgs[0], cases[i].first);
			CHECK_STR(msgs[n - 1], cases[i].last);
		}
		oauth_display_msgs_free(msgs, n > 0 ? (size_t)n : 0);
	}
}

static void
test_split_ascii_qr_on_line_boundaries(void)
{
	char *qr = NULL, **msgs = NULL;
	long n, i;
	size_t width;

	CHECK_INT(oauth_qr_render(COMPLETE, OAUTH_QR_STYLE_ASCII, &qr, NULL, 0), OAUTH_OK);
	if (qr == NULL)
		return;
	CHECK(strlen(qr) > 2048);
	width = (size_t)(strchr(qr, '\n') - qr);
	n = split_checked(qr, OAUTH_MSG_MAX, &msgs);
	CHECK(n >= 5);
	for (i = 0; i < n; i++) {
		const char *p = msgs[i];

		/* Whole lines only: every line in every message is a full QR row. */
		while (*p != '\0') {
			const char *nl = strchr(p, '\n');
			size_t len = nl == NULL ? strlen(p) : (size_t)(nl - p);

			CHECK_INT(len, width);
			p += len + (nl != NULL);
		}
	}
	oauth_display_msgs_free(msgs, n > 0 ? (size_t)n : 0);
	free(qr);
}

static int
starts_utf8_character(const char *s)
{
	return ((unsigned char)s[0] & 0xc0) != 0x80;
}

static void
test_split_never_cuts_a_utf8_character(void)
{
	/* 300 three-byte characters on one line: longer than any message. */
	static char line[3 * 300 + 1];
	static const char four[] = "\xf0\x9f\x94\x91"; /* U+1F511 */
	static char line4[4 * 200 + 1];
	char **msgs = NULL;
	size_t n = 0, i, max;

	for (i = 0; i < 300; i++)
		memcpy(line + 3 * i, "\xe2\x96\x88", 3);
	for (i = 0; i < 200; i++)
		memcpy(line4 + 4 * i, four, 4);
	/* From 13 characters a message up: fewer would need more than 32 messages. */
	for (max = 40; max <= 512; max += 94) {
		CHECK_INT(oauth_display_split(line, max, &msgs, &n), OAUTH_OK);
		for (i = 0; i < n; i++) {
			CHECK(strlen(msgs[i]) < max && strlen(msgs[i]) % 3 == 0);
			CHECK(starts_utf8_character(msgs[i]));
		}
		oauth_display_msgs_free(msgs, n);
		msgs = NULL;
	}
	/* The smallest max still holds one character; plain ASCII is cut at the limit. */
	CHECK_INT(oauth_display_split("\xe2\x96\x88\xe2\x96\x84", 5, &msgs, &n), OAUTH_OK);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(msgs[0], "\xe2\x96\x88");
		CHECK_STR(msgs[1], "\xe2\x96\x84");
	}
	oauth_display_msgs_free(msgs, n);
	CHECK_INT(oauth_display_split("abcdefgh", 5, &msgs, &n), OAUTH_OK);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(msgs[0], "abcd");
		CHECK_STR(msgs[1], "efgh");
	}
	oauth_display_msgs_free(msgs, n);
	CHECK_INT(oauth_display_split(line4, OAUTH_MSG_MAX, &msgs, &n), OAUTH_OK);
	CHECK_INT(n, 2);
	for (i = 0; i < n; i++)
		CHECK(strlen(msgs[i]) % 4 == 0 && starts_utf8_character(msgs[i]));
	if (n == 2) {
		CHECK_INT(strlen(msgs[0]), 508);
		CHECK(strncmp(msgs[0], line4, 508) == 0 && strcmp(msgs[1], line4 + 508) == 0);
	}
	oauth_display_msgs_free(msgs, n);
}

static void
test_split_refuses_more_than_max_count(void)
{
	/* 33 lines of 400 bytes: one message each, one too many. */
	static char text[33 * 401 + 1];
	char **msgs = (char **)1;
	size_t n = 9, i;

	for (i = 0; i < 33; i++) {
		memset(text + i * 401, 'q', 400);
		text[i * 401 + 400] = '\n';
	}
	CHECK_INT(oauth_display_split(text, OAUTH_MSG_MAX, &msgs, &n), OAUTH_PROTOCOL);
	CHECK(msgs == NULL && n == 0);
	text[32 * 401] = '\0';
	CHECK_INT(oauth_display_split(text, OAUTH_MSG_MAX, &msgs, &n), OAUTH_OK);
	CHECK_INT(n, OAUTH_MSG_MAX_COUNT);
	oauth_display_msgs_free(msgs, n);
}

static void
test_split_and_build_refuse_bad_arguments(void)
{
	char **msgs = NULL;
	size_t n = 0;

	CHECK_INT(oauth_display_split(NULL, 512, &msgs, &n), OAUTH_CONFIG);
	CHECK_INT(oauth_display_split("abc", 4, &msgs, &n), OAUTH_CONFIG);
	CHECK_INT(oauth_display_split("abc", 512, NULL, &n), OAUTH_CONFIG);
	CHECK_INT(oauth_display_build(NULL, &msgs, &n, NULL, 0), OAUTH_CONFIG);
	CHECK(msgs == NULL && n == 0);
	oauth_display_msgs_free(NULL, 3);
}

int main(void);

int
main(void)
{
	RUN(test_screen_says_what_is_approved);
	RUN(test_exact_screen_without_qr);
	RUN(test_every_text_line_fits_eighty_columns);
	RUN(test_url_and_code_are_the_last_lines_under_the_qr);
	RUN(test_request_line_then_qr_of_complete_uri_then_text);
	RUN(test_qr_encodes_plain_uri_without_complete);
	RUN(test_no_rhost_no_from);
	RUN(test_qr_off_has_no_qr_lines);
	RUN(test_expiry_in_minutes_from_two_minutes_else_seconds);
	RUN(test_nonpositive_expiry_refused);
	RUN(test_provider_strings_are_sanitised);
	RUN(test_pam_items_are_sanitised_and_bounded);
	RUN(test_missing_names_shown_as_unknown);
	RUN(test_empty_or_oversize_provider_strings_refused);
	RUN(test_longest_inputs_with_ascii_qr_fit_the_message_count);
	RUN(test_messages_join_back_to_the_screen);
	RUN(test_split_table);
	RUN(test_split_ascii_qr_on_line_boundaries);
	RUN(test_split_never_cuts_a_utf8_character);
	RUN(test_split_refuses_more_than_max_count);
	RUN(test_split_and_build_refuse_bad_arguments);
	return T_DONE();
}
