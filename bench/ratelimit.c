/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/*
 * Benchmark, not a test: what the abuse limits cost one login. Calls
 * oauth_ratelimit_check() as the module does, once per login, with the
 * default limits and the real clock, on a state file on tmpfs (/dev/shm, as
 * /run is), and prints nanoseconds per check: the median, the 10th and the
 * 90th percentile, for two kinds of try:
 *   new     a new account from a new address each time (an entry made, and
 *           once the tables are full one replaced, then written);
 *   repeat  one account from one address again and again (refused after six:
 *           read and checked, nothing written).
 * Usage: bench/ratelimit [CHECKS] (default 20000 of each); `make bench-ratelimit`
 * builds and runs it. Instructions instead of time:
 *   valgrind --tool=callgrind --callgrind-out-file=rl.out bench/ratelimit 2000
 *   callgrind_annotate rl.out | head
 * (the total over 2 x 2000 checks, plus the set-up).
 */
#include "build_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ratelimit.h"

#define DEFAULT_CHECKS 20000
#define MAX_CHECKS 10000000
/* tmpfs, like /run; /tmp is often a disk. */
#define BENCH_PARENT "/dev/shm"

static void
quiet(void *ctx, int prio, const char *line)
{
	(void)ctx;
	if (prio <= LOG_WARNING)
		fprintf(stderr, "bench: %s\n", line);
}

static int
by_value(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static long long
ns_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (long long)(b.tv_sec - a->tv_sec) * 1000000000LL + (b.tv_nsec - a->tv_nsec);
}

/* Times n checks; new_source: a new account and address each time, else the same one. */
static int
run(const struct oauth_ratelimit *rl, long n, int new_source, long long *ns, long *allowed)
{
	struct oauth_ratelimit_refusal refusal;
	struct oauth_ratelimit_try t;
	char name[32], addr[64], err[OAUTH_ERR_SIZE];
	enum oauth_status st;
	struct timespec start;
	long i;

	*allowed = 0;
	for (i = 0; i < n; i++) {
		long k = new_source ? i : 0;

		snprintf(name, sizeof(name), "user%07ld", k);
		snprintf(addr, sizeof(addr), "2001:db8:%lx:%lx::1", (k >> 16) & 0xffff, k & 0xffff);
		t = (struct oauth_ratelimit_try){"https://idp.example.com", "pam-host", name, addr,
		                                 NULL};
		clock_gettime(CLOCK_MONOTONIC, &start);
		st = oauth_ratelimit_check(rl, &t, &refusal, err, sizeof(err));
		ns[i] = ns_since(&start);
		if (st != OAUTH_OK && st != OAUTH_RATE_LIMITED) {
			fprintf(stderr, "bench: %s\n", err);
			return 0;
		}
		*allowed += st == OAUTH_OK;
	}
	return 1;
}

static void
report(const char *what, long long *ns, long n, long allowed)
{
	qsort(ns, (size_t)n, sizeof(ns[0]), by_value);
	printf("%-7s %7ld checks (%ld allowed): median %lld ns, p10 %lld ns, p90 %lld ns\n", what,
	       n, allowed, ns[n / 2], ns[n / 10], ns[n - 1 - n / 10]);
}

int
main(int argc, char **argv)
{
	const struct oauth_logger log = {quiet, NULL, 0};
	/* Empty until made: the clean-up below then has nothing to remove. */
	char parent[] = BENCH_PARENT "/pam-oauth-bench.XXXXXX", dir[64] = "", file[96] = "";
	struct oauth_ratelimit rl = {.account = {6, 300}, .source = {30, 60}, .log = &log};
	long long *ns = NULL;
	long n = DEFAULT_CHECKS, allowed = 0;
	char *end = NULL;
	int rc = 1;

	if (argc > 1) {
		errno = 0;
		n = strtol(argv[1], &end, 10);
		if (errno != 0 || *end != '\0' || n < 10 || n > MAX_CHECKS) {
			fprintf(stderr, "usage: ratelimit [CHECKS, 10..%d]\n", MAX_CHECKS);
			return 2;
		}
	}
	ns = calloc((size_t)n, sizeof(*ns));
	if (ns == NULL || mkdtemp(parent) == NULL) {
		fprintf(stderr, "bench: no memory or no %s\n", BENCH_PARENT);
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s/state", parent);
	snprintf(file, sizeof(file), "%s/%s", dir, OAUTH_RATELIMIT_FILE);
	rl.dir = dir;
	rl.owner = geteuid();
	printf("state file %s (%zu bytes), limits 6/300 and 30/60\n", file,
	       oauth_ratelimit_file_bytes(0));
	if (!run(&rl, n, 1, ns, &allowed))
		goto out;
	report("new", ns, n, allowed);
	if (!run(&rl, n, 0, ns, &allowed))
		goto out;
	report("repeat", ns, n, allowed);
	rc = 0;
out:
	unlink(file);
	rmdir(dir);
	rmdir(parent);
	free(ns);
	return rc;
}
