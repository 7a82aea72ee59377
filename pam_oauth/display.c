/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* What the person sees: what they approve, the URL and code, the QR code, in PAM-sized messages. */
#include "build_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "log.h"

/*
 * Longest account, service, host or remote host shown, in bytes with the NUL.
 * Four of them plus the words around them stay one line of one PAM message
 * (4 * 99 + 40 < OAUTH_MSG_MAX), and HOST_NAME_MAX is 64.
 */
#define NAME_MAX_BYTES 100
/*
 * Longest verification URI, in characters: "Open: " plus the URI stays one
 * line in one message, so a terminal never breaks it where a copy would fail.
 */
#define URI_MAX_CHARS (OAUTH_MSG_MAX - 1 - 6)
/* Longest user code, in characters: RFC 8628 §6.1 codes are about 8 characters. */
#define CODE_MAX_CHARS 64
/* Below this many seconds the validity is said in seconds, above in minutes. */
#define MINUTES_FROM_SECONDS 120
/* The text around the QR code; bounded by the limits above. */
#define TAIL_MAX 2048
/* The smallest message that holds any UTF-8 character and its NUL. */
#define SPLIT_MIN_MAX 5

/* Sanitised copy of an untrusted name; a cut value ends in "..." so it can't pass for whole. */
static void
clean_name(char dst[NAME_MAX_BYTES], const char *src)
{
	if (src == NULL || src[0] == '\0')
		src = "(unknown)";
	oauth_sanitize(dst, NAME_MAX_BYTES, src);
	if (strnlen(src, NAME_MAX_BYTES) >= NAME_MAX_BYTES)
		memcpy(dst + NAME_MAX_BYTES - 4, "...", 4);
}

/* Sanitised copy of a provider string that is useless when cut: too long or empty is refused. */
static enum oauth_status
clean_value(char *dst, size_t max_chars, const char *src, const char *what, char *err,
            size_t errlen)
{
	size_t len = src == NULL ? 0 : strnlen(src, max_chars + 1);

	dst[0] = '\0';
	if (len == 0 || len > max_chars) {
		oauth_seterr(err, errlen, "%s is empty or longer than %zu characters", what,
		             max_chars);
		return OAUTH_PROTOCOL;
	}
	oauth_sanitize(dst, max_chars + 1, src);
	return OAUTH_OK;
}

/* Writes the text around the QR code (compose() puts its first line above); no final newline. */
static enum oauth_status
compose_tail(const struct oauth_display_info *info, const char *uri, const char *code, int has_qr,
             char *tail, size_t taillen, char *err, size_t errlen)
{
	char user[NAME_MAX_BYTES], service[NAME_MAX_BYTES], host[NAME_MAX_BYTES];
	char rhost[NAME_MAX_BYTES];
	int remote = info->rhost != NULL && info->rhost[0] != '\0';
	long amount = info->expires_in;
	const char *unit = "second";
	int n;

	if (info->expires_in <= 0) {
		oauth_seterr(err, errlen, "expires_in is not positive");
		return OAUTH_PROTOCOL;
	}
	/* Rounded down: telling the person more time than they have would be worse. */
	if (info->expires_in >= MINUTES_FROM_SECONDS) {
		amount = info->expires_in / 60;
		unit = "minute";
	}
	clean_name(user, info->user);
	clean_name(service, info->service);
	clean_name(host, info->host);
	clean_name(rhost, info->rhost);
	n = snprintf(tail, taillen,
	             "Sign-in request: %s login as %s on %s%s%s\n"
	             "Approve only if you started this login yourself. It expires in %ld %s%s.\n"
	             "%s\n"
	             "Open: %s\n"
	             "Code: %s",
	             service, user, host, remote ? " from " : "", remote ? rhost : "", amount, unit,
	             amount == 1 ? "" : "s",
	             has_qr ? "Scan the QR code, or open this address and enter the code:"
	                    : "To approve, open this address and enter the code:",
	             uri, code);
	if (n < 0 || (size_t)n >= taillen) {
		oauth_seterr(err, errlen, "sign-in text too long");
		return OAUTH_PROTOCOL;
	}
	return OAUTH_OK;
}

/*
 * The whole screen: the request line, then the QR code (when wanted), then the
 * rest of the text, so the URL and the code stay in view right above the prompt.
 * The request line goes first because OpenSSH's ssh puts "(user@host) " before
 * the first line of a prompt, which would shift the code's top row; and when
 * a larger code overflows a 24-line terminal, that line scrolls away first
 * while the QR code stays whole.
 */
static enum oauth_status
compose(const struct oauth_display_info *info, enum oauth_qr_style style, char **screen, char *err,
        size_t errlen)
{
	char uri[URI_MAX_CHARS + 1], complete[URI_MAX_CHARS + 1], code[CODE_MAX_CHARS + 1];
	char tail[TAIL_MAX];
	char *qr = NULL;
	size_t qrlen = 0, taillen, headlen;
	enum oauth_status rc;

	*screen = NULL;
	complete[0] = '\0';
	rc = clean_value(uri, URI_MAX_CHARS, info->verification_uri, "verification_uri", err,
	                 errlen);
	if (rc == OAUTH_OK)
		rc = clean_value(code, CODE_MAX_CHARS, info->user_code, "user_code", err, errlen);
	if (rc == OAUTH_OK && info->verification_uri_complete != NULL &&
	    info->verification_uri_complete[0] != '\0')
		rc = clean_value(complete, URI_MAX_CHARS, info->verification_uri_complete,
		                 "verification_uri_complete", err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	if (style != OAUTH_QR_STYLE_NONE) {
		rc = oauth_qr_render(complete[0] != '\0' ? complete : uri, style, &qr, err, errlen);
		if (rc != OAUTH_OK)
			goto out;
		qrlen = strlen(qr);
	}
	rc = compose_tail(info, uri, code, qr != NULL, tail, sizeof(tail), err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	taillen = strlen(tail);
	/* The tail has five lines: the first one is the request line. */
	headlen = (size_t)(strchr(tail, '\n') - tail) + 1;
	*screen = malloc(qrlen + taillen + 1);
	if (*screen == NULL) {
		oauth_seterr(err, errlen, "out of memory");
		rc = OAUTH_NOMEM;
		goto out;
	}
	/* The QR lines end in '\n', so the rest starts on its own line. */
	memcpy(*screen, tail, headlen);
	if (qr != NULL)
		memcpy(*screen + headlen, qr, qrlen);
	memcpy(*screen + headlen + qrlen, tail + headlen, taillen - headlen + 1);
	rc = OAUTH_OK;
out:
	free(qr);
	return rc;
}

enum oauth_status
oauth_display_build(const struct oauth_display_info *info, char ***msgs, size_t *nmsgs, char *err,
                    size_t errlen)
{
	char *screen = NULL;
	enum oauth_status rc = OAUTH_CONFIG;

	if (msgs != NULL)
		*msgs = NULL;
	if (nmsgs != NULL)
		*nmsgs = 0;
	if (info == NULL || msgs == NULL || nmsgs == NULL) {
		oauth_seterr(err, errlen, "display: missing argument");
		goto out;
	}
	rc = compose(info, info->qr, &screen, err, errlen);
	if (rc != OAUTH_OK)
		goto out;
	/* The limits above keep even the longest screen within OAUTH_MSG_MAX_COUNT (tested). */
	rc = oauth_display_split(screen, OAUTH_MSG_MAX, msgs, nmsgs);
	if (rc != OAUTH_OK) {
		oauth_seterr(err, errlen, "sign-in text does not fit in %d PAM messages",
		             OAUTH_MSG_MAX_COUNT);
		goto out;
	}
	rc = OAUTH_OK;
out:
	free(screen);
	return rc;
}

void
oauth_display_msgs_free(char **msgs, size_t nmsgs)
{
	size_t i;

	if (msgs == NULL)
		return;
	for (i = 0; i < nmsgs; i++)
		free(msgs[i]);
	free(msgs);
}

/* Where a line too long for one message is cut: never inside a UTF-8 character. */
static size_t
cut_point(const char *text, size_t pos, size_t limit)
{
	size_t cut = pos + limit;
	int back;

	/* A character is at most 4 bytes: at most 3 continuation bytes to step over. */
	for (back = 0; back < 3 && cut > pos && ((unsigned char)text[cut] & 0xc0) == 0x80; back++)
		cut--;
	/* Not UTF-8 after all (or nothing left before the cut): cut at the limit. */
	if (cut == pos || ((unsigned char)text[cut] & 0xc0) == 0x80)
		cut = pos + limit;
	return cut;
}

/*
 * Finds the message that starts at pos: as many whole lines as fit in limit
 * bytes, or a piece of one longer line. Sets *next to where the following
 * message starts; the '\n' between two messages is dropped there, since the
 * caller prints each message followed by a newline. Returns the end of this one.
 */
static size_t
message_end(const char *text, size_t len, size_t pos, size_t limit, size_t *next)
{
	size_t end = pos, start = pos;
	int lines = 0;

	for (;;) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t line_end = nl == NULL ? len : (size_t)(nl - text);

		if (line_end - pos > limit)
			break;
		end = line_end;
		lines++;
		if (line_end == len)
			break;
		start = line_end + 1;
	}
	if (lines == 0) {
		*next = cut_point(text, pos, limit);
		return *next;
	}
	/*
	 * A blank line at a message's end moves to the next one, so no message
	 * ends in '\n' because of a split. Blank lines that end the whole text
	 * stay: nothing follows that could carry them.
	 */
	while (end < len && end > pos && text[end - 1] == '\n')
		end--;
	*next = end < len ? end + 1 : len;
	return end;
}

enum oauth_status
oauth_display_split(const char *text, size_t max, char ***msgs, size_t *nmsgs)
{
	enum oauth_status rc = OAUTH_CONFIG;
	char **out = NULL;
	size_t n = 0, len, pos = 0;

	if (msgs != NULL)
		*msgs = NULL;
	if (nmsgs != NULL)
		*nmsgs = 0;
	if (text == NULL || msgs == NULL || nmsgs == NULL || max < SPLIT_MIN_MAX)
		goto out;
	len = strlen(text);
	/* A final newline is the one the caller prints after the last message. */
	if (len > 0 && text[len - 1] == '\n')
		len--;
	out = calloc(OAUTH_MSG_MAX_COUNT, sizeof(*out));
	if (out == NULL) {
		rc = OAUTH_NOMEM;
		goto out;
	}
	while (pos < len) {
		size_t next, end = message_end(text, len, pos, max - 1, &next);

		if (n == OAUTH_MSG_MAX_COUNT) {
			rc = OAUTH_PROTOCOL;
			goto out;
		}
		out[n] = strndup(text + pos, end - pos);
		if (out[n] == NULL) {
			rc = OAUTH_NOMEM;
			goto out;
		}
		n++;
		pos = next;
	}
	*msgs = out;
	*nmsgs = n;
	out = NULL;
	rc = OAUTH_OK;
out:
	oauth_display_msgs_free(out, n);
	return rc;
}

enum oauth_status
oauth_display_prompt(const struct oauth_display_ops *ops, char *err, size_t errlen)
{
	enum oauth_status rc;

	rc = ops->prompt(ops->ctx, OAUTH_PROMPT_TEXT);
	if (rc != OAUTH_OK) {
		oauth_seterr(err, errlen, "conversation failed at the prompt");
		return rc;
	}
	if (ops->alive != NULL)
		rc = ops->alive(ops->ctx, err, errlen);
	return rc;
}
