/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of the abuse limits: counts, window, waits, sources, eviction, the shared file's safety. */
#include "build_config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ratelimit.h"
#include "testutil.h"

#define PATH_BUF 512
#define PROVIDER "https://idp.example.com"
#define CLIENT "pam-host"
/* The layout ratelimit.c writes: a 64-byte header, then the entries. */
#define HEADER_BYTES 64
/* Where an entry's first time sits: after the key (16) and used, next, check (8). */
#define FIRST_TIME_AT 24
/* The flood: distinct names and addresses, far more than the tables hold. */
#define FLOOD 10000
/* Processes and tries per process in the race; the limit allows fewer than all of them. */
#define RACERS 4
#define RACE_TRIES 50

static char tmproot[128];
static int warnings;
static char last_line[512];

static void
capture(void *ctx, int prio, const char *line)
{
	(void)ctx;
	if (prio <= LOG_WARNING)
		warnings++;
	snprintf(last_line, sizeof(last_line), "%s", line);
}

static const struct oauth_logger logger = {capture, NULL, 1};

/* The clock seam: tests set the second and the boot. */
struct fake_clock {
	long long seconds;
	unsigned char boot;
	int broken;
};

static enum oauth_status
fake_now(void *ctx, struct oauth_ratelimit_time *now)
{
	const struct fake_clock *c = ctx;

	memset(now, 0, sizeof(*now));
	now->boot[0] = c->boot;
	now->seconds = c->seconds;
	return c->broken ? OAUTH_UNAVAILABLE : OAUTH_OK;
}

static struct fake_clock clk;

/* A limiter on its own directory below tmproot; limits as "N/S" pairs, 0/0 for off. */
static struct oauth_ratelimit
limiter(const char *dir, long n, long s, long rn, long rs)
{
	struct oauth_ratelimit rl = {.dir = dir,
	                             .account = {n, s},
	                             .source = {rn, rs},
	                             .owner = geteuid(),
	                             .clock = fake_now,
	                             .clock_ctx = &clk,
	                             .log = &logger};
	return rl;
}

static void
fresh_dir(const char *name, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s", tmproot, name);
	if (mkdir(out, 0700) != 0)
		T_FAIL("mkdir %s: %s", out, strerror(errno));
}

static void
state_path(const char *dir, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s", dir, OAUTH_RATELIMIT_FILE);
}

/* One try at second `at`; returns the status and fills *r. */
static enum oauth_status
try_at(const struct oauth_ratelimit *rl, long long at, const char *account, const char *rhost,
       struct oauth_ratelimit_refusal *r)
{
	const struct oauth_ratelimit_try t = {PROVIDER, CLIENT, account, rhost, NULL};
	char err[OAUTH_ERR_SIZE];

	clk.seconds = at;
	return oauth_ratelimit_check(rl, &t, r, err, sizeof(err));
}

static enum oauth_status
try_local(const struct oauth_ratelimit *rl, long long at, const char *account, const char *tty,
          struct oauth_ratelimit_refusal *r)
{
	const struct oauth_ratelimit_try t = {PROVIDER, CLIENT, account, NULL, tty};
	char err[OAUTH_ERR_SIZE];

	clk.seconds = at;
	return oauth_ratelimit_check(rl, &t, r, err, sizeof(err));
}

static long long
file_size(const char *dir)
{
	char path[PATH_BUF + 32];
	struct stat st;

	state_path(dir, path, sizeof(path));
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* --- sources ------------------------------------------------------------------------------ */

struct source_case {
	const char *name;
	const char *rhost;
	const char *tty;
	const char *want;
};

static const struct source_case source_cases[] = {
    {"an IPv4 address counts on its own", "198.51.100.7", NULL, "ip4:198.51.100.7"},
    {"an IPv6 address counts as its /64", "2001:db8:1:2:3:4:5:6", NULL, "ip6:2001:db8:1:2::/64"},
    {"another address of that /64 is the same source", "2001:DB8:1:2::99", NULL,
     "ip6:2001:db8:1:2::/64"},
    {"the next /64 is another source", "2001:db8:1:3::1", NULL, "ip6:2001:db8:1:3::/64"},
    {"an IPv4-mapped address is its IPv4 host", "::ffff:192.0.2.1", NULL, "ip4:192.0.2.1"},
    {"an IPv4-mapped address in hex too", "::FFFF:c000:0201", NULL, "ip4:192.0.2.1"},
    {"a link-local zone is dropped", "fe80::1%eth0", NULL, "ip6:fe80::/64"},
    {"loopback IPv6", "::1", NULL, "ip6:::/64"},
    {"no leading zeros: not an address, a name", "010.1.1.1", NULL, "host:010.1.1.1"},
    {"three parts: a name", "1.2.3", NULL, "host:1.2.3"},
    {"a host name (UseDNS) in lower case, final dot dropped", "Bastion.Example.COM.", NULL,
     "host:bastion.example.com"},
    {"escape bytes stay bytes (hashed, cleaned when logged)", "evil\x1b[31m", NULL,
     "host:evil\x1b[31m"},
    {"a local login counts its terminal", "", "/dev/pts/3", "tty:pts/3"},
    {"with or without /dev/", NULL, "pts/3", "tty:pts/3"},
    {"an X display", NULL, ":0", "tty::0"},
    {"no terminal at all", NULL, NULL, "tty:"},
    {"PAM_TTY is ignored when there is a remote host", "192.0.2.9", "ssh", "ip4:192.0.2.9"},
};

static void
test_source_text_for_each_kind_of_rhost(void)
{
	char out[OAUTH_RATELIMIT_SOURCE_MAX];
	size_t i;

	for (i = 0; i < sizeof(source_cases) / sizeof(source_cases[0]); i++) {
		t_case = source_cases[i].name;
		CHECK_INT(oauth_ratelimit_source(source_cases[i].rhost, source_cases[i].tty, out,
		                                 sizeof(out)),
		          OAUTH_OK);
		CHECK_STR(out, source_cases[i].want);
	}
}

static void
test_overlong_rhost_is_cut_and_small_buffer_refused(void)
{
	char rhost[1001], out[OAUTH_RATELIMIT_SOURCE_MAX], small[16];

	memset(rhost, 'A', sizeof(rhost) - 1);
	rhost[sizeof(rhost) - 1] = '\0';
	CHECK_INT(oauth_ratelimit_source(rhost, NULL, out, sizeof(out)), OAUTH_OK);
	CHECK_INT(strlen(out), OAUTH_RATELIMIT_SOURCE_MAX - 1);
	CHECK(strncmp(out, "host:aaaa", 9) == 0);
	CHECK_INT(oauth_ratelimit_source("192.0.2.1", NULL, small, sizeof(small)), OAUTH_CONFIG);
	CHECK_INT(oauth_ratelimit_source("192.0.2.1", NULL, NULL, 0), OAUTH_CONFIG);
}

/* --- counting and the window -------------------------------------------------------------- */

static void
test_allows_n_in_the_window_then_refuses_with_the_exact_wait(void)
{
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF];

	fresh_dir("count", dir, sizeof(dir));
	rl = limiter(dir, 3, 300, 0, 0);
	CHECK_INT(try_at(&rl, 100, "alice", "198.51.100.7", &r), OAUTH_OK);
	CHECK_INT(r.which, OAUTH_RATELIMIT_NONE);
	CHECK_INT(try_at(&rl, 110, "alice", "198.51.100.7", &r), OAUTH_OK);
	CHECK_INT(try_at(&rl, 120, "alice", "198.51.100.7", &r), OAUTH_OK);
	/* The fourth waits until the oldest of the three (100) is 300 s old. */
	CHECK_INT(try_at(&rl, 130, "alice", "198.51.100.7", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(r.which, OAUTH_RATELIMIT_ACCOUNT);
	CHECK_INT(r.local, 0);
	CHECK_INT(r.retry_after, 270);
	CHECK_INT(try_at(&rl, 399, "alice", "198.51.100.7", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(r.retry_after, 1);
	CHECK_INT(try_at(&rl, 400, "alice", "198.51.100.7", &r), OAUTH_OK);
	/* The window slides: the next one waits for 110 to leave it. */
	CHECK_INT(try_at(&rl, 401, "alice", "198.51.100.7", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(r.retry_after, 9);
	CHECK_INT(try_at(&rl, 410, "alice", "198.51.100.7", &r), OAUTH_OK);
}

static void
test_refused_tries_never_extend_the_wait(void)
{
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF];
	long long at;

	fresh_dir("noextend", dir, sizeof(dir));
	rl = limiter(dir, 2, 60, 0, 0);
	CHECK_INT(try_at(&rl, 0, "alice", "198.51.100.7", &r), OAUTH_OK);
	CHECK_INT(try_at(&rl, 1, "alice", "198.51.100.7", &r), OAUTH_OK);
	for (at = 2; at < 60; at++) {
		CHECK_INT(try_at(&rl, at, "alice", "198.51.100.7", &r), OAUTH_RATE_LIMITED);
		CHECK_INT(r.retry_after, 60 - at);
	}
	CHECK_INT(try_at(&rl, 60, "alice", "198.51.100.7", &r), OAUTH_OK);
}

struct message_case {
	const char *name;
	struct oauth_ratelimit_refusal r;
	const char *want;
};

static const struct message_case message_cases[] = {
    {"this account from this address",
     {OAUTH_RATELIMIT_ACCOUNT, 0, 287},
     "Too many sign-in requests for this account from this address; try again in 287 "
     "seconds."},
    {"all accounts from this address",
     {OAUTH_RATELIMIT_SOURCE, 0, 12},
     "Too many sign-in requests from this address; try again in 12 seconds."},
    {"a local login",
     {OAUTH_RATELIMIT_ACCOUNT, 1, 5},
     "Too many sign-in requests for this account from this terminal; try again in 5 seconds."},
    {"one second, singular",
     {OAUTH_RATELIMIT_SOURCE, 0, 1},
     "Too many sign-in requests from this address; try again in 1 second."},
};

static void
test_the_message_names_the_limit_and_the_real_wait(void)
{
	char buf[OAUTH_ERR_SIZE];
	size_t i;

	for (i = 0; i < sizeof(message_cases) / sizeof(message_cases[0]); i++) {
		t_case = message_cases[i].name;
		oauth_ratelimit_message(&message_cases[i].r, buf, sizeof(buf));
		CHECK_STR(buf, message_cases[i].want);
	}
}

static void
test_the_log_reason_says_limit_source_and_wait(void)
{
	const struct oauth_ratelimit_try t = {PROVIDER, CLIENT, "alice", "2001:db8:7:7::1", NULL};
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF], err[OAUTH_ERR_SIZE];

	fresh_dir("reason", dir, sizeof(dir));
	rl = limiter(dir, 1, 300, 0, 0);
	clk.seconds = 10;
	CHECK_INT(oauth_ratelimit_check(&rl, &t, &r, err, sizeof(err)), OAUTH_OK);
	CHECK_STR(err, "");
	clk.seconds = 20;
	CHECK_INT(oauth_ratelimit_check(&rl, &t, &r, err, sizeof(err)), OAUTH_RATE_LIMITED);
	CHECK_STR(err, "rate_limit 1/300 reached for this account from ip6:2001:db8:7:7::/64; next "
	               "try in 290 s");
}

/* --- the two limits together -------------------------------------------------------------- */

static void
test_a_try_counts_against_both_only_when_both_allow(void)
{
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF];
	int i;

	fresh_dir("both", dir, sizeof(dir));
	rl = limiter(dir, 1, 100, 2, 100);
	CHECK_INT(try_at(&rl, 0, "alice", "192.0.2.1", &r), OAUTH_OK);
	/* alice's own limit refuses her: the address's count must not grow. */
	for (i = 1; i <= 5; i++)
		CHECK_INT(try_at(&rl, i, "alice", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(r.which, OAUTH_RATELIMIT_ACCOUNT);
	CHECK_INT(try_at(&rl, 10, "bob", "192.0.2.1", &r), OAUTH_OK);
	/* Now the address is full: carol is refused by it, and her own count stays empty. */
	CHECK_INT(try_at(&rl, 20, "carol", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(r.which, OAUTH_RATELIMIT_SOURCE);
	CHECK_INT(r.retry_after, 80);
	CHECK_INT(try_at(&rl, 100, "carol", "192.0.2.1", &r), OAUTH_OK);
	CHECK_INT(try_at(&rl, 101, "carol", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(r.which, OAUTH_RATELIMIT_ACCOUNT);
	CHECK_INT(try_at(&rl, 110, "alice", "192.0.2.1", &r), OAUTH_OK);
	/* Both refuse (the address until 200, alice until 210): the longer wait is the one told. */
	CHECK_INT(try_at(&rl, 111, "alice", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(r.retry_after, 99);
	CHECK_INT(r.which, OAUTH_RATELIMIT_ACCOUNT);
}

static void
test_rhost_limit_spans_accounts_but_not_addresses(void)
{
	static const char *const names[] = {"alice", "bob", "carol"};
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF];
	size_t i;

	fresh_dir("rhost", dir, sizeof(dir));
	rl = limiter(dir, 6, 300, 3, 60);
	for (i = 0; i < 3; i++)
		CHECK_INT(try_at(&rl, (long long)i, names[i], "203.0.113.5", &r), OAUTH_OK);
	CHECK_INT(try_at(&rl, 10, "dave", "203.0.113.5", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(r.which, OAUTH_RATELIMIT_SOURCE);
	CHECK_INT(r.retry_after, 50);
	CHECK_INT(try_at(&rl, 10, "dave", "203.0.113.6", &r), OAUTH_OK);
	CHECK_INT(try_at(&rl, 60, "dave", "203.0.113.5", &r), OAUTH_OK);
}

static void
test_ipv6_counts_per_64_and_mapped_ipv4_as_ipv4(void)
{
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF];

	fresh_dir("v6", dir, sizeof(dir));
	rl = limiter(dir, 1, 300, 0, 0);
	CHECK_INT(try_at(&rl, 0, "alice", "2001:db8:1:2::10", &r), OAUTH_OK);
	CHECK_INT(try_at(&rl, 1, "alice", "2001:db8:1:2:ffff::99", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(try_at(&rl, 2, "alice", "2001:db8:1:3::10", &r), OAUTH_OK);
	CHECK_INT(try_at(&rl, 3, "alice", "::ffff:192.0.2.1", &r), OAUTH_OK);
	CHECK_INT(try_at(&rl, 4, "alice", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(try_at(&rl, 5, "alice", "192.0.2.2", &r), OAUTH_OK);
}

static void
test_local_logins_count_per_account_and_terminal(void)
{
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF];

	fresh_dir("local", dir, sizeof(dir));
	rl = limiter(dir, 1, 300, 30, 60);
	CHECK_INT(try_local(&rl, 0, "alice", "pts/1", &r), OAUTH_OK);
	CHECK_INT(try_local(&rl, 1, "alice", "/dev/pts/1", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(r.local, 1);
	CHECK_INT(r.which, OAUTH_RATELIMIT_ACCOUNT);
	CHECK_INT(try_local(&rl, 2, "alice", "pts/2", &r), OAUTH_OK);
	CHECK_INT(try_local(&rl, 3, "bob", "pts/1", &r), OAUTH_OK);
	CHECK_INT(try_local(&rl, 4, "alice", NULL, &r), OAUTH_OK);
	CHECK_INT(try_local(&rl, 5, "alice", NULL, &r), OAUTH_RATE_LIMITED);
}

static void
test_provider_clients_count_apart(void)
{
	const struct oauth_ratelimit_try a = {PROVIDER, CLIENT, "alice", "192.0.2.1", NULL};
	const struct oauth_ratelimit_try b = {"https://other.example", CLIENT, "alice", "192.0.2.1",
	                                      NULL};
	const struct oauth_ratelimit_try c = {PROVIDER, "other-client", "alice", "192.0.2.1", NULL};
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF], err[OAUTH_ERR_SIZE];

	fresh_dir("clients", dir, sizeof(dir));
	rl = limiter(dir, 1, 300, 1, 300);
	clk.seconds = 1;
	CHECK_INT(oauth_ratelimit_check(&rl, &a, &r, err, sizeof(err)), OAUTH_OK);
	CHECK_INT(oauth_ratelimit_check(&rl, &a, &r, err, sizeof(err)), OAUTH_RATE_LIMITED);
	CHECK_INT(oauth_ratelimit_check(&rl, &b, &r, err, sizeof(err)), OAUTH_OK);
	CHECK_INT(oauth_ratelimit_check(&rl, &c, &r, err, sizeof(err)), OAUTH_OK);
}

static void
test_limits_off_touch_nothing(void)
{
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF];
	int i;

	fresh_dir("off", dir, sizeof(dir));
	rl = limiter(dir, 0, 0, 0, 0);
	for (i = 0; i < 100; i++)
		CHECK_INT(try_at(&rl, i, "alice", "192.0.2.1", &r), OAUTH_OK);
	CHECK_INT(t_count_entries(dir), 0);
	/* One off, the other on: only the one on counts. */
	rl = limiter(dir, 0, 0, 1, 60);
	CHECK_INT(try_at(&rl, 0, "alice", "192.0.2.1", &r), OAUTH_OK);
	CHECK_INT(try_at(&rl, 1, "bob", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(r.which, OAUTH_RATELIMIT_SOURCE);
}

/* --- bounded size ------------------------------------------------------------------------- */

static void
test_a_full_set_forgets_the_key_used_longest_ago(void)
{
	char name[16];
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF];
	int i;

	fresh_dir("evict", dir, sizeof(dir));
	rl = limiter(dir, 1, 1000, 0, 0);
	rl.sets = 1; /* one set of OAUTH_RATELIMIT_WAYS entries: every key shares it */
	for (i = 0; i < OAUTH_RATELIMIT_WAYS; i++) {
		snprintf(name, sizeof(name), "user%d", i);
		CHECK_INT(try_at(&rl, i, name, "192.0.2.1", &r), OAUTH_OK);
	}
	/* user0's refused try does not make it recent: its last request is still the oldest. */
	CHECK_INT(try_at(&rl, 20, "user0", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(try_at(&rl, 21, "newcomer", "192.0.2.1", &r), OAUTH_OK);
	CHECK_INT(try_at(&rl, 22, "user1", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(try_at(&rl, 23, "user7", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(try_at(&rl, 24, "newcomer", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(try_at(&rl, 25, "user0", "192.0.2.1", &r), OAUTH_OK);
	CHECK_INT(file_size(dir), (long long)oauth_ratelimit_file_bytes(1));
}

/*
 * 10,000 distinct names from 10,000 distinct addresses, IPv4 and IPv6: the
 * file keeps its size and stays the only file, every flood key is counted (a
 * full table never refuses everyone), and an honest key works afterwards.
 */
static void
test_a_flood_of_names_and_addresses_keeps_the_size_and_honest_logins_work(void)
{
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF], name[32], addr[64];
	long long size_before;
	int i, allowed = 0;

	fresh_dir("flood", dir, sizeof(dir));
	rl = limiter(dir, 6, 300, 30, 60);
	CHECK_INT(try_at(&rl, 1, "alice", "198.51.100.7", &r), OAUTH_OK);
	size_before = file_size(dir);
	/* The size pam_oauth.conf(5) gives: 64 + 2 x 512 x 8 x 280 bytes. */
	CHECK_INT(size_before, 2293824);
	CHECK_INT(oauth_ratelimit_file_bytes(0), 2293824);
	for (i = 0; i < FLOOD; i++) {
		snprintf(name, sizeof(name), "flood%05d", i);
		if (i % 2 == 0)
			snprintf(addr, sizeof(addr), "10.%d.%d.%d", i >> 16, (i >> 8) & 255,
			         i & 255);
		else
			snprintf(addr, sizeof(addr), "2001:db8:%x:%x::1", i >> 8, i & 255);
		allowed += try_at(&rl, 2 + i / 100, name, addr, &r) == OAUTH_OK;
	}
	CHECK_INT(allowed, FLOOD);
	CHECK_INT(file_size(dir), size_before);
	CHECK_INT(t_count_entries(dir), 1);
	CHECK_INT(try_at(&rl, 200, "alice", "198.51.100.7", &r), OAUTH_OK);
	CHECK_INT(try_at(&rl, 201, "bob", "198.51.100.7", &r), OAUTH_OK);
}

/* --- a store that is not what it should be ------------------------------------------------ */

struct bad_file_case {
	const char *name;
	size_t bytes;    /* file length written before the check; 0: none; 1: the layout's */
	int fill;        /* byte the file is filled with */
	int warned;      /* a warning line is expected (not for a new or empty file) */
	const char *log; /* what the last log line holds */
};

static const struct bad_file_case bad_file_cases[] = {
    {"an empty file is started quietly", 0, 0, 0, "new: counting afresh"},
    {"a short (torn) file", 10, 'x', 1, "not the size this layout has: counting afresh"},
    {"a foreign file of the right size", 1, 'x', 1,
     "not a pam_oauth rate-limit file (torn or foreign): counting afresh"},
    {"zeros of the right size (a crash before the header)", 1, 0, 1,
     "not a pam_oauth rate-limit file (torn or foreign): counting afresh"},
};

static void
write_file(const char *path, size_t bytes, int fill)
{
	char *buf = malloc(bytes > 0 ? bytes : 1);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (buf == NULL || fd < 0) {
		T_FAIL("cannot write %s", path);
	} else {
		memset(buf, fill, bytes);
		if (bytes > 0 && write(fd, buf, bytes) != (ssize_t)bytes)
			T_FAIL("short write %s", path);
	}
	if (fd >= 0)
		close(fd);
	free(buf);
}

static void
test_a_torn_or_foreign_file_is_started_afresh_and_logged(void)
{
	const struct bad_file_case *k;
	char dir[PATH_BUF], path[PATH_BUF + 32], name[32];
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	size_t i, bytes;

	for (i = 0; i < sizeof(bad_file_cases) / sizeof(bad_file_cases[0]); i++) {
		k = &bad_file_cases[i];
		t_case = k->name;
		snprintf(name, sizeof(name), "bad%zu", i);
		fresh_dir(name, dir, sizeof(dir));
		state_path(dir, path, sizeof(path));
		rl = limiter(dir, 1, 300, 0, 0);
		rl.sets = 2;
		bytes = k->bytes == 1 ? oauth_ratelimit_file_bytes(2) : k->bytes;
		write_file(path, bytes, k->fill);
		warnings = 0;
		CHECK_INT(try_at(&rl, 5, "alice", "192.0.2.1", &r), OAUTH_OK);
		CHECK_INT(warnings, k->warned);
		CHECK(strstr(last_line, k->log) != NULL);
		CHECK_INT(file_size(dir), (long long)oauth_ratelimit_file_bytes(2));
		/* And it counts from then on. */
		CHECK_INT(try_at(&rl, 6, "alice", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	}
}

static void
test_another_layout_or_boot_starts_afresh(void)
{
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF];

	fresh_dir("layout", dir, sizeof(dir));
	rl = limiter(dir, 1, 300, 0, 0);
	rl.sets = 2;
	CHECK_INT(try_at(&rl, 5, "alice", "192.0.2.1", &r), OAUTH_OK);
	CHECK_INT(try_at(&rl, 6, "alice", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	/* The same size with another geometry cannot be told by size: the header says. */
	warnings = 0;
	rl.sets = 4;
	CHECK_INT(try_at(&rl, 7, "alice", "192.0.2.1", &r), OAUTH_OK);
	CHECK_INT(warnings, 1);
	CHECK(strstr(last_line, "counting afresh") != NULL);
	CHECK_INT(try_at(&rl, 8, "alice", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	/* A reboot that kept /run: the times count from another boot, and are forgotten. */
	warnings = 0;
	clk.boot = 1;
	CHECK_INT(try_at(&rl, 2, "alice", "192.0.2.1", &r), OAUTH_OK);
	CHECK_INT(warnings, 0);
	CHECK(strstr(last_line, "from an earlier boot: counting afresh") != NULL);
	CHECK_INT(try_at(&rl, 3, "alice", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	clk.boot = 0;
}

static void
flip_byte(const char *path, off_t at)
{
	unsigned char b = 0;
	int fd = open(path, O_RDWR);

	if (fd < 0 || pread(fd, &b, 1, at) != 1)
		T_FAIL("cannot read %s", path);
	b ^= 0x5a;
	if (fd >= 0 && pwrite(fd, &b, 1, at) != 1)
		T_FAIL("cannot write %s", path);
	if (fd >= 0)
		close(fd);
}

static void
test_a_damaged_entry_is_cleared_and_logged(void)
{
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF], path[PATH_BUF + 32];

	fresh_dir("damaged", dir, sizeof(dir));
	state_path(dir, path, sizeof(path));
	rl = limiter(dir, 1, 300, 0, 0);
	rl.sets = 1; /* the entry is the set's first: right after the header */
	CHECK_INT(try_at(&rl, 5, "alice", "192.0.2.1", &r), OAUTH_OK);
	CHECK_INT(try_at(&rl, 6, "alice", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	flip_byte(path, HEADER_BYTES + FIRST_TIME_AT);
	warnings = 0;
	CHECK_INT(try_at(&rl, 7, "alice", "192.0.2.1", &r), OAUTH_OK);
	CHECK_INT(warnings, 1);
	CHECK_STR(last_line, "rate limits: 1 damaged entries cleared");
	CHECK_INT(try_at(&rl, 8, "alice", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	/* A clock that went back (another boot without a boot_id): later times are not trusted. */
	warnings = 0;
	CHECK_INT(try_at(&rl, 2, "alice", "192.0.2.1", &r), OAUTH_OK);
	CHECK_INT(warnings, 1);
	CHECK_INT(file_size(dir), (long long)oauth_ratelimit_file_bytes(1));
}

/*
 * A refused try that clears a damaged entry, in a process whose every write to
 * the file fails (a file size limit below the first set): still refused.
 */
static void
test_a_refusal_stands_when_the_cleared_entry_cannot_be_written(void)
{
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF], path[PATH_BUF + 32];
	int status = -1;
	pid_t pid;

	fresh_dir("refusenowrite", dir, sizeof(dir));
	state_path(dir, path, sizeof(path));
	rl = limiter(dir, 5, 300, 1, 300);
	rl.sets = 1; /* alice's account entry is the first after the header */
	CHECK_INT(try_at(&rl, 5, "alice", "192.0.2.1", &r), OAUTH_OK);
	flip_byte(path, HEADER_BYTES + FIRST_TIME_AT);
	pid = fork();
	if (pid == 0) {
		const struct rlimit fsize = {HEADER_BYTES, HEADER_BYTES};

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &fsize) != 0)
			_exit(100);
		_exit((int)try_at(&rl, 6, "alice", "192.0.2.1", &r));
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	CHECK_INT(WEXITSTATUS(status), OAUTH_RATE_LIMITED);
	/* The clearing was not written: the next check finds the damage again, and writes it. */
	warnings = 0;
	CHECK_INT(try_at(&rl, 7, "alice", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
	CHECK_INT(r.which, OAUTH_RATELIMIT_SOURCE);
	CHECK_INT(warnings, 1);
	CHECK_STR(last_line, "rate limits: 1 damaged entries cleared");
}

/* How a row makes the store unsafe. */
enum unsafe {
	DIR_GROUP_READABLE,
	DIR_SYMLINK,
	FILE_SYMLINK,
	FILE_WORLD_READABLE,
	FILE_IS_DIRECTORY,
	FILE_HARD_LINKED,
	FILE_OTHER_OWNER,
};

struct unsafe_case {
	const char *name;
	enum unsafe how;
	const char *why; /* the end of err */
};

static const struct unsafe_case unsafe_cases[] = {
    {"a group-readable directory", DIR_GROUP_READABLE, ": mode 750, not 0700"},
    {"a directory that is a symbolic link", DIR_SYMLINK, ": a symbolic link or not a directory"},
    {"a state file that is a symbolic link", FILE_SYMLINK, "/ratelimit: a symbolic link"},
    {"a world-readable state file", FILE_WORLD_READABLE, "/ratelimit: mode 644, not 0600"},
    {"a directory where the file should be", FILE_IS_DIRECTORY,
     "/ratelimit: cannot open: Is a directory"},
    {"a hard-linked state file", FILE_HARD_LINKED, "/ratelimit: 2 hard links, not 1"},
    {"a state file of another owner", FILE_OTHER_OWNER, "/ratelimit: owned by uid 1, not 0"},
};

/* Builds row k's store below base; returns the directory to use, or NULL to skip. */
static const char *
make_unsafe(const struct unsafe_case *k, const char *base, char *dir, size_t dirlen)
{
	char path[PATH_BUF + 64], other[PATH_BUF + 64];

	snprintf(dir, dirlen, "%s/state", base);
	snprintf(path, sizeof(path), "%s/%s", dir, OAUTH_RATELIMIT_FILE);
	snprintf(other, sizeof(other), "%s/elsewhere", base);
	if (mkdir(dir, 0700) != 0)
		return NULL;
	switch (k->how) {
	case DIR_GROUP_READABLE:
		return chmod(dir, 0750) == 0 ? dir : NULL;
	case DIR_SYMLINK:
		snprintf(dir, dirlen, "%s/link", base);
		return symlink("state", dir) == 0 ? dir : NULL;
	case FILE_SYMLINK:
		write_file(other, 4, 'o');
		return symlink(other, path) == 0 ? dir : NULL;
	case FILE_WORLD_READABLE:
		write_file(path, 0, 0);
		return chmod(path, 0644) == 0 ? dir : NULL;
	case FILE_IS_DIRECTORY:
		return mkdir(path, 0700) == 0 ? dir : NULL;
	case FILE_HARD_LINKED:
		write_file(other, 0, 0);
		return link(other, path) == 0 ? dir : NULL;
	case FILE_OTHER_OWNER:
		if (geteuid() != 0) {
			printf("skip %s: needs root\n", k->name);
			return NULL;
		}
		write_file(path, 0, 0);
		return chown(path, 1, 1) == 0 ? dir : NULL;
	}
	return NULL;
}

static void
test_an_unsafe_store_is_reported_and_not_used(void)
{
	char base[PATH_BUF], dir[PATH_BUF + 16], want[PATH_BUF + 128], other[PATH_BUF + 32];
	char err[OAUTH_ERR_SIZE], name[32];
	const struct oauth_ratelimit_try t = {PROVIDER, CLIENT, "alice", "192.0.2.1", NULL};
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(unsafe_cases) / sizeof(unsafe_cases[0]); i++) {
		t_case = unsafe_cases[i].name;
		snprintf(name, sizeof(name), "unsafe%zu", i);
		fresh_dir(name, base, sizeof(base));
		if (make_unsafe(&unsafe_cases[i], base, dir, sizeof(dir)) == NULL)
			continue;
		rl = limiter(dir, 1, 300, 1, 300);
		clk.seconds = 5;
		CHECK_INT(oauth_ratelimit_check(&rl, &t, &r, err, sizeof(err)), OAUTH_UNAVAILABLE);
		snprintf(want, sizeof(want), "rate_limit_dir %s%s", dir, unsafe_cases[i].why);
		CHECK_STR(err, want);
		CHECK_INT(r.which, OAUTH_RATELIMIT_NONE);
		/* Nothing was written through it. */
		snprintf(other, sizeof(other), "%s/elsewhere", base);
		CHECK(stat(other, &st) != 0 || st.st_size <= 4);
	}
}

static void
test_a_lock_held_elsewhere_is_waited_for_briefly(void)
{
	const struct oauth_ratelimit_try t = {PROVIDER, CLIENT, "alice", "192.0.2.1", NULL};
	char dir[PATH_BUF], path[PATH_BUF + 32], err[OAUTH_ERR_SIZE], want[PATH_BUF + 96];
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	struct timespec a, b;
	struct flock fl;
	long long ms;
	int fd;

	fresh_dir("locked", dir, sizeof(dir));
	state_path(dir, path, sizeof(path));
	rl = limiter(dir, 1, 300, 0, 0);
	CHECK_INT(try_at(&rl, 1, "alice", "192.0.2.1", &r), OAUTH_OK);
	fd = open(path, O_RDWR);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	CHECK(fd >= 0 && fcntl(fd, F_OFD_SETLK, &fl) == 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	clk.seconds = 2;
	CHECK_INT(oauth_ratelimit_check(&rl, &t, &r, err, sizeof(err)), OAUTH_UNAVAILABLE);
	clock_gettime(CLOCK_MONOTONIC, &b);
	snprintf(want, sizeof(want), "rate_limit_dir %s/ratelimit: still locked after 500 ms", dir);
	CHECK_STR(err, want);
	ms = (b.tv_sec - a.tv_sec) * 1000LL + (b.tv_nsec - a.tv_nsec) / 1000000;
	CHECK(ms >= 500 && ms < 3000);
	if (fd >= 0)
		close(fd);
	/* Let go, and the count is there as before. */
	CHECK_INT(try_at(&rl, 3, "alice", "192.0.2.1", &r), OAUTH_RATE_LIMITED);
}

static void
test_not_running_as_the_owner_leaves_the_limits_off(void)
{
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF];

	fresh_dir("notowner", dir, sizeof(dir));
	rl = limiter(dir, 1, 300, 1, 300);
	rl.owner = geteuid() + 1;
	CHECK_INT(try_at(&rl, 1, "alice", "192.0.2.1", &r), OAUTH_OK);
	CHECK_INT(try_at(&rl, 2, "alice", "192.0.2.1", &r), OAUTH_OK);
	CHECK_INT(t_count_entries(dir), 0);
}

static void
test_a_broken_clock_or_bad_arguments_never_count(void)
{
	const struct oauth_ratelimit_try no_account = {PROVIDER, CLIENT, NULL, "192.0.2.1", NULL};
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF], err[OAUTH_ERR_SIZE];

	fresh_dir("clock", dir, sizeof(dir));
	rl = limiter(dir, 1, 300, 0, 0);
	clk.broken = 1;
	CHECK_INT(try_at(&rl, 1, "alice", "192.0.2.1", &r), OAUTH_UNAVAILABLE);
	clk.broken = 0;
	CHECK_INT(try_at(&rl, -1, "alice", "192.0.2.1", &r), OAUTH_UNAVAILABLE);
	CHECK_INT(try_at(&rl, 1, "alice", "192.0.2.1", &r), OAUTH_OK);
	CHECK_INT(oauth_ratelimit_check(&rl, &no_account, &r, err, sizeof(err)), OAUTH_CONFIG);
	CHECK_INT(oauth_ratelimit_check(NULL, &no_account, &r, err, sizeof(err)), OAUTH_CONFIG);
	CHECK_INT(oauth_ratelimit_check(&rl, &no_account, NULL, err, sizeof(err)), OAUTH_CONFIG);
	rl.dir = NULL;
	CHECK_INT(try_at(&rl, 2, "alice", "192.0.2.1", &r), OAUTH_UNAVAILABLE);
	/* Limits config.c never lets through: each would count without ever refusing. */
	rl = limiter(dir, OAUTH_RATE_LIMIT_MAX_COUNT + 1, 300, 0, 0);
	CHECK_INT(try_at(&rl, 3, "alice", "192.0.2.1", &r), OAUTH_CONFIG);
	rl = limiter(dir, 1, 0, 0, 0);
	CHECK_INT(try_at(&rl, 3, "alice", "192.0.2.1", &r), OAUTH_CONFIG);
	rl = limiter(dir, 0, 0, -1, 60);
	CHECK_INT(try_at(&rl, 3, "alice", "192.0.2.1", &r), OAUTH_CONFIG);
	rl = limiter(dir, 1, OAUTH_RATE_LIMIT_MAX_SECONDS + 1, 0, 0);
	CHECK_INT(try_at(&rl, 3, "alice", "192.0.2.1", &r), OAUTH_CONFIG);
}

/*
 * Processes at once on one key, as sshd's per-connection processes are: the
 * lock makes the count exact, RACERS x RACE_TRIES tries, 64 allowed.
 */
static void
test_processes_at_once_count_exactly(void)
{
	struct oauth_ratelimit_refusal r;
	struct oauth_ratelimit rl;
	char dir[PATH_BUF];
	int i, k, status, allowed = 0;
	pid_t pid[RACERS];

	fresh_dir("race", dir, sizeof(dir));
	rl = limiter(dir, OAUTH_RATE_LIMIT_MAX_COUNT, 1000, 0, 0);
	for (i = 0; i < RACERS; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			int n = 0;

			for (k = 0; k < RACE_TRIES; k++)
				n += try_at(&rl, 100, "alice", "192.0.2.1", &r) == OAUTH_OK;
			_exit(n);
		}
	}
	for (i = 0; i < RACERS; i++) {
		if (pid[i] > 0 && waitpid(pid[i], &status, 0) == pid[i] && WIFEXITED(status))
			allowed += WEXITSTATUS(status);
	}
	CHECK_INT(allowed, OAUTH_RATE_LIMIT_MAX_COUNT);
}

int
main(void)
{
	char tmpl[] = "/tmp/test_ratelimit.XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return 99;
	snprintf(tmproot, sizeof(tmproot), "%s", tmpl);
	RUN(test_source_text_for_each_kind_of_rhost);
	RUN(test_overlong_rhost_is_cut_and_small_buffer_refused);
	RUN(test_allows_n_in_the_window_then_refuses_with_the_exact_wait);
	RUN(test_refused_tries_never_extend_the_wait);
	RUN(test_the_message_names_the_limit_and_the_real_wait);
	RUN(test_the_log_reason_says_limit_source_and_wait);
	RUN(test_a_try_counts_against_both_only_when_both_allow);
	RUN(test_rhost_limit_spans_accounts_but_not_addresses);
	RUN(test_ipv6_counts_per_64_and_mapped_ipv4_as_ipv4);
	RUN(test_local_logins_count_per_account_and_terminal);
	RUN(test_provider_clients_count_apart);
	RUN(test_limits_off_touch_nothing);
	RUN(test_a_full_set_forgets_the_key_used_longest_ago);
	RUN(test_a_flood_of_names_and_addresses_keeps_the_size_and_honest_logins_work);
	RUN(test_a_torn_or_foreign_file_is_started_afresh_and_logged);
	RUN(test_another_layout_or_boot_starts_afresh);
	RUN(test_a_damaged_entry_is_cleared_and_logged);
	RUN(test_a_refusal_stands_when_the_cleared_entry_cannot_be_written);
	RUN(test_an_unsafe_store_is_reported_and_not_used);
	RUN(test_a_lock_held_elsewhere_is_waited_for_briefly);
	RUN(test_not_running_as_the_owner_leaves_the_limits_off);
	RUN(test_a_broken_clock_or_bad_arguments_never_count);
	RUN(test_processes_at_once_count_exactly);
	/* Best effort: the directory tree is the test's own. */
	if (fork() == 0) {
		execl("/bin/rm", "rm", "-rf", tmproot, (char *)NULL);
		_exit(127);
	}
	wait(NULL);
	return T_DONE();
}
