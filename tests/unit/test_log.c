/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of core logging through the callback, the untrusted-text sanitiser and number reader. */
#include "build_config.h"

#include "log.h"
#include "testutil.h"

/* What the capturing callback saw. */
struct capture {
	int calls;
	int prio;
	char line[4096];
};

static void
capture_fn(void *ctx, int prio, const char *line)
{
	struct capture *c = ctx;
	size_t len = strlen(line);

	c->calls++;
	c->prio = prio;
	if (len >= sizeof(c->line))
		len = sizeof(c->line) - 1;
	memcpy(c->line, line, len);
	c->line[len] = '\0';
}

struct sanitize_case {
	const char *name;
	const char *src;
	size_t dstlen;
	const char *want;
};

static void
test_sanitize_table(void)
{
	static const struct sanitize_case cases[] = {
	    {"plain text kept", "WDJB-MJHT https://x/?a=b", 64, "WDJB-MJHT https://x/?a=b"},
	    {"space and tilde kept", " ~", 64, " ~"},
	    {"ESC sequence", "a\x1b[31mb", 64, "a?[31mb"},
	    {"CR LF TAB", "x\r\n\ty", 64, "x???y"},
	    {"unit separator", "\x1f", 64, "?"},
	    {"DEL", "\x7f", 64, "?"},
	    {"UTF-8 bytes", "caf\xc3\xa9", 64, "caf??"},
	    {"C1 CSI and 0xff", "\x9b\x80\xff", 64, "???"},
	    {"forged log line", "ok\nresult=success", 64, "ok?result=success"},
	    {"cut at dstlen-1", "abcdef", 4, "abc"},
	    {"exact fit", "abc", 4, "abc"},
	    {"dstlen 1 gives empty", "abc", 1, ""},
	    {"NULL src gives empty", NULL, 8, ""},
	    {"empty src", "", 8, ""},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char dst[64];

		t_case = cases[i].name;
		memset(dst, 'Z', sizeof(dst));
		CHECK(oauth_sanitize(dst, cases[i].dstlen, cases[i].src) == dst);
		CHECK_STR(dst, cases[i].want);
	}
}

static void
test_sanitize_never_writes_past_dstlen(void)
{
	char buf[16];
	size_t dstlen;

	for (dstlen = 1; dstlen <= 8; dstlen++) {
		memset(buf, 'Z', sizeof(buf));
		oauth_sanitize(buf, dstlen, "0123456789abcdef");
		CHECK_INT(strlen(buf), dstlen - 1);
		CHECK_INT(buf[dstlen], 'Z');
	}
	memset(buf, 'Z', sizeof(buf));
	CHECK(oauth_sanitize(buf, 0, "abc") == buf);
	CHECK_INT(buf[0], 'Z');
	CHECK(oauth_sanitize(NULL, 8, "abc") == NULL);
}

static void
test_log_delivers_formatted_line_with_priority(void)
{
	struct capture c = {0};
	struct oauth_logger log = {capture_fn, &c, 0};

	oauth_log(&log, LOG_ERR, "service=%s result=%s code=%d", "sshd", "denied", 7);
	CHECK_INT(c.calls, 1);
	CHECK_INT(c.prio, LOG_ERR);
	CHECK_STR(c.line, "service=sshd result=denied code=7");
	oauth_log(&log, LOG_INFO, "second");
	CHECK_INT(c.calls, 2);
	CHECK_INT(c.prio, LOG_INFO);
	CHECK_STR(c.line, "second");
}

static void
test_argument_text_is_not_a_format(void)
{
	struct capture c = {0};
	struct oauth_logger log = {capture_fn, &c, 0};

	oauth_log(&log, LOG_ERR, "reason=%s", "%n%s%x%%");
	CHECK_STR(c.line, "reason=%n%s%x%%");
}

static void
test_debug_only_when_debug_set(void)
{
	struct capture c = {0};
	struct oauth_logger log = {capture_fn, &c, 0};

	oauth_debug(&log, "step %d", 1);
	CHECK_INT(c.calls, 0);
	log.debug = 1;
	oauth_debug(&log, "step %d", 2);
	CHECK_INT(c.calls, 1);
	CHECK_INT(c.prio, LOG_DEBUG);
	CHECK_STR(c.line, "step 2");
	/* A LOG_DEBUG line through oauth_log is delivered as asked. */
	log.debug = 0;
	oauth_log(&log, LOG_WARNING, "warn");
	CHECK_INT(c.calls, 2);
	CHECK_INT(c.prio, LOG_WARNING);
}

static void
test_null_logger_and_null_callback_are_safe(void)
{
	struct oauth_logger nofn = {NULL, NULL, 1};

	oauth_log(NULL, LOG_ERR, "x %s", "y");
	oauth_debug(NULL, "x");
	oauth_log(&nofn, LOG_ERR, "x");
	oauth_debug(&nofn, "x");
	CHECK(1);
}

static void
test_long_line_is_cut_not_overflowed(void)
{
	static char big[5000];
	struct capture c = {0};
	struct oauth_logger log = {capture_fn, &c, 1};
	size_t len;

	memset(big, 'L', sizeof(big) - 1);
	oauth_log(&log, LOG_ERR, "start %s", big);
	len = strlen(c.line);
	CHECK_INT(c.calls, 1);
	CHECK(len > 500 && len < sizeof(big) - 1);
	CHECK(strncmp(c.line, "start LLL", 9) == 0);
	CHECK_INT(c.line[len - 1], 'L');
	oauth_debug(&log, "%s", big);
	CHECK_INT(strlen(c.line), len);
}

struct number_case {
	const char *name;
	const char *s;
	long min, max;
	int ok;
	long want;
};

static void
test_parse_number_takes_plain_digits_in_range_only(void)
{
	static const struct number_case cases[] = {
	    {"plain", "90", 5, 3600, 1, 90},
	    {"lowest", "5", 5, 3600, 1, 5},
	    {"highest", "3600", 5, 3600, 1, 3600},
	    {"zero in range", "0", 0, 10, 1, 0},
	    {"leading zeros", "007", 0, 10, 1, 7},
	    {"below", "4", 5, 3600, 0, -1},
	    {"above", "3601", 5, 3600, 0, -1},
	    {"empty", "", 0, 10, 0, -1},
	    {"sign", "+5", 0, 10, 0, -1},
	    {"minus", "-1", -5, 10, 0, -1},
	    {"leading blank", " 5", 0, 10, 0, -1},
	    {"trailing blank", "5 ", 0, 10, 0, -1},
	    {"trailing text", "5s", 0, 10, 0, -1},
	    {"hex", "0x10", 0, 100, 0, -1},
	    {"overflow", "99999999999999999999999", 0, 2147483647L, 0, -1},
	    {"NULL", NULL, 0, 10, 0, -1},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long out = -1;

		t_case = cases[i].name;
		CHECK_INT(oauth_parse_number(cases[i].s, cases[i].min, cases[i].max, &out),
		          cases[i].ok);
		CHECK_INT(out, cases[i].want);
	}
}

int main(void);

int
main(void)
{
	RUN(test_sanitize_table);
	RUN(test_sanitize_never_writes_past_dstlen);
	RUN(test_log_delivers_formatted_line_with_priority);
	RUN(test_argument_text_is_not_a_format);
	RUN(test_debug_only_when_debug_set);
	RUN(test_null_logger_and_null_callback_are_safe);
	RUN(test_long_line_is_cut_not_overflowed);
	RUN(test_parse_number_takes_plain_digits_in_range_only);
	return T_DONE();
}
