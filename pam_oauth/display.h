/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* What the person sees: what they approve, the URL and code, the QR code, in PAM-sized messages. */
#ifndef PAM_OAUTH_DISPLAY_H
#define PAM_OAUTH_DISPLAY_H

#include <stddef.h>

#include "qr.h"
#include "status.h"

/*
 * Linux-PAM's PAM_MAX_MSG_SIZE, counting the NUL: some callers cut or refuse
 * longer messages, so every message we send is shorter.
 */
#define OAUTH_MSG_MAX 512
/* Linux-PAM's PAM_MAX_NUM_MSG: we never need more messages than this. */
#define OAUTH_MSG_MAX_COUNT 32

/*
 * How the core talks to the person; the PAM layer implements it with the
 * conversation, tests with buffers. Each text is shorter than OAUTH_MSG_MAX.
 */
struct oauth_display_ops {
	enum oauth_status (*info)(void *ctx, const char *text);
	/* Shows text as a prompt and waits for Enter; the reply is discarded. */
	enum oauth_status (*prompt)(void *ctx, const char *text);
	void *ctx;
	/*
	 * Optional (NULL: never asked). Asked again and again while the login waits
	 * between polls, when no conversation runs: anything but OAUTH_OK ends the
	 * login at once with that status, err saying why (e.g. OAUTH_CONV: the
	 * person's connection closed). Must not block.
	 */
	enum oauth_status (*alive)(void *ctx, char *err, size_t errlen);
};

/* Everything the device-code screen says. Strings borrowed; provider strings untrusted. */
struct oauth_display_info {
	const char *user;    /* the local account */
	const char *service; /* PAM service, e.g. "sshd" */
	const char *host;    /* this machine's name */
	const char *rhost;   /* remote host, may be NULL or "" */
	const char *verification_uri;
	const char *verification_uri_complete; /* may be NULL */
	const char *user_code;
	long expires_in; /* seconds */
	enum oauth_qr_style qr;
};

/*
 * Composes the screen: what is being approved (account, host, service, remote
 * host, validity), the verification URI and user code, and the QR code of
 * verification_uri_complete (else verification_uri). Provider strings are
 * sanitised and bounded. The text is split on line boundaries into at most
 * OAUTH_MSG_MAX_COUNT messages each shorter than OAUTH_MSG_MAX. *msgs is an
 * owned array of owned strings; free with oauth_display_msgs_free.
 *
 * Layout: the request line, the QR code, the rest of the text, and "Open: <uri>"
 * and "Code: <code>" as the last two lines, so they sit right above the prompt
 * and stay in view on an 80x24 terminal. The QR code starts on a line of its
 * own even when the caller prefixes the first line (OpenSSH's ssh does). Empty or
 * oversize URIs (over 505 characters) or user codes (over 64) and a
 * non-positive expires_in are OAUTH_PROTOCOL: cut, they would be useless.
 */
enum oauth_status oauth_display_build(const struct oauth_display_info *info, char ***msgs,
                                      size_t *nmsgs, char *err, size_t errlen);

void oauth_display_msgs_free(char **msgs, size_t nmsgs);

/*
 * Splits text into messages on '\n' boundaries, each shorter than max bytes
 * (a single longer line is cut at a UTF-8 character boundary). Used by
 * oauth_display_build; exposed for tests.
 *
 * Callers print each message followed by a newline, so no message carries the
 * '\n' it was split at, and a final '\n' of text is dropped: the messages
 * joined with '\n' give text back (lines shorter than max). A blank line at a
 * split starts the next message. OAUTH_CONFIG for NULL arguments or max < 5
 * (no room for a UTF-8 character), OAUTH_PROTOCOL when more than
 * OAUTH_MSG_MAX_COUNT messages would be needed, OAUTH_NOMEM.
 */
enum oauth_status oauth_display_split(const char *text, size_t max, char ***msgs, size_t *nmsgs);

/* The prompt shown with prompt=enter. */
#define OAUTH_PROMPT_TEXT "Press Enter once you have approved the login: "

/*
 * Shows OAUTH_PROMPT_TEXT and waits for Enter, then asks ops->alive (when set)
 * whether the person is still there: a caller may answer the prompt as the
 * connection goes away, and a poll then would be wasted. err says which failed.
 */
enum oauth_status oauth_display_prompt(const struct oauth_display_ops *ops, char *err,
                                       size_t errlen);

#endif
