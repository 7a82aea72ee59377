/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/*
 * Floods a rate-limit store the way a scanner with many names and addresses
 * would, fast: COUNT tries, each a new account from a new address (IPv4 and
 * IPv6 in turn), through the module's own core, with the default limits and
 * the real clock. tests/integration/ratelimit.test.mjs then logs in through
 * libpam on the same store.
 * Usage: ratelimit_flood DIR PROVIDER CLIENT_ID COUNT
 * Prints "allowed A of COUNT, refused R, failed F" and exits 0 when every try
 * was allowed (a full table never refuses newcomers), else 1.
 */
#include "build_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ratelimit.h"

/* A scanner's flood: far more than the 2 x 4096 entries the tables hold. */
#define MAX_COUNT 1000000

static void
print_line(void *ctx, int prio, const char *line)
{
	(void)ctx;
	fprintf(stderr, "ratelimit_flood: <%d> %s\n", prio, line);
}

int
main(int argc, char **argv)
{
	const struct oauth_logger log = {print_line, NULL, 0};
	struct oauth_ratelimit rl = {.account = {6, 300}, .source = {30, 60}, .log = &log};
	struct oauth_ratelimit_refusal refusal;
	struct oauth_ratelimit_try t;
	char name[32], addr[64], err[OAUTH_ERR_SIZE], *end = NULL;
	long i, count, allowed = 0, refused = 0, failed = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: ratelimit_flood DIR PROVIDER CLIENT_ID COUNT\n");
		return 2;
	}
	errno = 0;
	count = strtol(argv[4], &end, 10);
	if (errno != 0 || *end != '\0' || count < 1 || count > MAX_COUNT) {
		fprintf(stderr, "ratelimit_flood: COUNT must be 1..%d\n", MAX_COUNT);
		return 2;
	}
	rl.dir = argv[1];
	rl.owner = geteuid();
	for (i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "flood%07ld", i);
		if (i % 2 == 0)
			snprintf(addr, sizeof(addr), "10.%ld.%ld.%ld", (i >> 16) & 255,
			         (i >> 8) & 255, i & 255);
		else
			snprintf(addr, sizeof(addr), "2001:db8:%lx:%lx::1", (i >> 16) & 0xffff,
			         i & 0xffff);
		t = (struct oauth_ratelimit_try){argv[2], argv[3], name, addr, NULL};
		switch (oauth_ratelimit_check(&rl, &t, &refusal, err, sizeof(err))) {
		case OAUTH_OK:
			allowed++;
			break;
		case OAUTH_RATE_LIMITED:
			refused++;
			break;
		default:
			if (failed++ == 0)
				fprintf(stderr, "ratelimit_flood: %s\n", err);
		}
	}
	printf("allowed %ld of %ld, refused %ld, failed %ld\n", allowed, count, refused, failed);
	return allowed == count ? 0 : 1;
}
