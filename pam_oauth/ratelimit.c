/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Abuse limits: sign-in requests per account and source, counted for every process on the host. */
#include "build_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ratelimit.h"
#include "safedir.h"

/*
 * The file, in host byte order (it never leaves the host): a struct header,
 * the account table, then the source table; a table is sets times
 * OAUTH_RATELIMIT_WAYS struct entry. A fresh file is allocated whole, as
 * zeros: every entry free.
 *
 * Crash safety: the counts live in /run and end with the boot. What matters
 * is that a process killed half-way through a write, or a file that is not
 * ours, never breaks a later login: every check holds the lock and checks
 * what it reads. A header that is wrong (magic, layout, size) or from another
 * boot starts the file afresh; the entry a check is about to use is cleared
 * when it fails its checksum or its ring's order. Both are logged.
 */

/* Request times kept per entry: the exact window needs the last N, and N is at most this. */
#define SLOTS OAUTH_RATE_LIMIT_MAX_COUNT
/* Bytes of the salted SHA-256 kept as an entry's key: 128 bits never collide by chance. */
#define KEY_BYTES 16
/* Random per file and readable by root only: nobody else can pick names that share a set. */
#define SALT_BYTES 16
/* A boot_id is a UUID: 16 bytes. */
#define BOOT_BYTES 16
/* The header's first bytes: a file without them is not ours. 15 characters and the NUL. */
#define MAGIC "pam_oauth-rlim\n"
/* Raised when the layout changes: a file of the old layout is then started afresh. */
#define LAYOUT_VERSION 1
/*
 * How long a check waits for the lock, in milliseconds. The lock is held for
 * microseconds; a holder that has not let go in half a second is stuck
 * (stopped, swapped out), and the login should not wait on it.
 */
#define LOCK_WAIT_MS 500
/* Pause between tries at the lock, in microseconds: far above a hold, far below notice. */
#define LOCK_STEP_US 1000
/* The kernel's id of this boot: CLOCK_BOOTTIME counts from that boot. */
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
/* Its text: 32 hex digits, four dashes and a newline. */
#define BOOT_ID_TEXT 37
/* Tests use a few sets; beyond this a typo would make a huge file. */
#define MAX_SETS (1U << 16)
/* Why-messages are one short line. */
#define WHY_MAX 160

struct header {
	char magic[16];
	uint32_t version;
	uint32_t sets; /* per table; ways and slots are this build's constants */
	uint32_t ways;
	uint32_t slots;
	unsigned char salt[SALT_BYTES];
	unsigned char boot[BOOT_BYTES]; /* the boot the entries' times count from */
};

/* One key's latest requests: a ring of times, the newest at next - 1. */
struct entry {
	unsigned char key[KEY_BYTES];
	uint16_t used;     /* times in the ring, up to SLOTS; 0: the entry is free */
	uint16_t next;     /* where the next time goes */
	uint32_t check;    /* FNV-1a of the entry with check 0: shows a torn write */
	uint32_t t[SLOTS]; /* CLOCK_BOOTTIME seconds */
};

_Static_assert(sizeof(struct header) == 64, "the header is 64 bytes");
_Static_assert(sizeof(struct entry) == KEY_BYTES + 8 + 4 * SLOTS, "an entry has no padding");
_Static_assert(SLOTS <= UINT16_MAX, "ring positions fit 16 bits");
_Static_assert(sizeof(MAGIC) == 16, "the magic fills its field");

enum table {
	TABLE_ACCOUNT = 0, /* provider client, account, source: rate_limit */
	TABLE_SOURCE = 1,  /* provider client, source: rate_limit_rhost */
	NTABLES = 2,
};

/* One table's set as read, and the try's entry in it. */
struct set {
	struct entry e[OAUTH_RATELIMIT_WAYS];
	off_t offset;
	unsigned way;
	unsigned damaged; /* entries cleared because they failed their checks */
	int dirty;        /* to be written back */
};

/* One check's open store. */
struct store {
	int dirfd;
	int fd;
	off_t size; /* read under the lock */
	unsigned sets;
	struct header h;
};

/* --- sources ------------------------------------------------------------------------------ */

static void
local_source(const char *tty, char *out, size_t outlen)
{
	if (tty == NULL)
		tty = "";
	/* su says "/dev/pts/3" where login and others say "pts/3": one terminal, one source. */
	if (strncmp(tty, "/dev/", 5) == 0)
		tty += 5;
	snprintf(out, outlen, "tty:%.*s", (int)(outlen - 5), tty);
}

static void
ip4_source(const unsigned char *b, char *out, size_t outlen)
{
	char text[INET_ADDRSTRLEN];

	if (inet_ntop(AF_INET, b, text, sizeof(text)) == NULL)
		text[0] = '\0';
	snprintf(out, outlen, "ip4:%s", text);
}

/*
 * An address as its source, or 0 when rhost is no address. IPv4 counts one by
 * one; IPv6 by its /64, since one host usually holds a whole /64 and can pick
 * any address in it; an IPv4-mapped IPv6 address is the IPv4 host it maps.
 */
static int
ip_source(const char *rhost, char *out, size_t outlen)
{
	char addr[INET6_ADDRSTRLEN + 1], text[INET6_ADDRSTRLEN];
	unsigned char b4[4];
	struct in6_addr b6;
	size_t n = strcspn(rhost, "%"); /* a link-local zone says nothing of the host */

	if (n >= sizeof(addr))
		return 0;
	memcpy(addr, rhost, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, b4) == 1) {
		ip4_source(b4, out, outlen);
		return 1;
	}
	if (inet_pton(AF_INET6, addr, &b6) != 1)
		return 0;
	if (IN6_IS_ADDR_V4MAPPED(&b6)) {
		ip4_source(b6.s6_addr + 12, out, outlen);
		return 1;
	}
	memset(b6.s6_addr + 8, 0, 8);
	if (inet_ntop(AF_INET6, &b6, text, sizeof(text)) == NULL)
		return 0;
	snprintf(out, outlen, "ip6:%s/64", text);
	return 1;
}

/* A host name (sshd with UseDNS) in lower case, without the root's final dot. */
static void
host_source(const char *rhost, char *out, size_t outlen)
{
	size_t i, o = strlen("host:"), n = strlen(rhost);

	memcpy(out, "host:", o);
	if (n > 0 && rhost[n - 1] == '.')
		n--;
	/* Cut past any DNS name's length: what follows cannot tell two real hosts apart. */
	for (i = 0; i < n && o + 1 < outlen; i++) {
		char c = rhost[i];

		out[o++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[o] = '\0';
}

enum oauth_status
oauth_ratelimit_source(const char *rhost, const char *tty, char *out, size_t outlen)
{
	if (out == NULL || outlen < OAUTH_RATELIMIT_SOURCE_MAX)
		return OAUTH_CONFIG;
	if (rhost == NULL || rhost[0] == '\0')
		local_source(tty, out, outlen);
	else if (!ip_source(rhost, out, outlen))
		host_source(rhost, out, outlen);
	return OAUTH_OK;
}

/* --- entries ------------------------------------------------------------------------------ */

static uint32_t
fnv1a(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t h = 2166136261u;

	while (n-- > 0) {
		h ^= *b++;
		h *= 16777619u;
	}
	return h;
}

static uint32_t
entry_check(const struct entry *e)
{
	struct entry copy = *e;

	copy.check = 0;
	return fnv1a(&copy, sizeof(copy));
}

/* The k-th most recent request time, k from 1 to e->used. */
static uint32_t
nth_recent(const struct entry *e, unsigned k)
{
	return e->t[(e->next + SLOTS - k) % SLOTS];
}

/*
 * Nonzero when a used entry is what a whole write left: its checksum, a ring
 * filled from the start, times that never go up from newest to oldest, and
 * none after now (the clock is read under the lock, so later is impossible).
 */
static int
entry_sound(const struct entry *e, uint32_t now)
{
	unsigned k;

	if (e->used > SLOTS || e->next >= SLOTS || (e->used < SLOTS && e->next != e->used) ||
	    e->check != entry_check(e))
		return 0;
	for (k = 1; k <= e->used; k++)
		if (nth_recent(e, k) > (k == 1 ? now : nth_recent(e, k - 1)))
			return 0;
	return 1;
}

/*
 * Which entry of a set goes first: a free one, else the one whose last request
 * is oldest. Only the try's own entry is checked in full (its counts decide);
 * one whose ring cannot be read counts as free here.
 */
static long long
age_rank(const struct entry *e)
{
	if (e->used == 0 || e->used > SLOTS || e->next >= SLOTS)
		return -1;
	return (long long)nth_recent(e, 1);
}

static unsigned
find_way(const struct set *s, const unsigned char key[KEY_BYTES])
{
	unsigned i;

	for (i = 0; i < OAUTH_RATELIMIT_WAYS; i++)
		if (s->e[i].used > 0 && memcmp(s->e[i].key, key, KEY_BYTES) == 0)
			return i;
	return OAUTH_RATELIMIT_WAYS;
}

/*
 * The try's entry in the set: the one with key when it is sound (one that is
 * not is cleared and counted as damaged), else a free or the stalest one,
 * emptied for key.
 */
static unsigned
take_way(struct set *s, const unsigned char key[KEY_BYTES], uint32_t now)
{
	unsigned i, pick = find_way(s, key);

	if (pick < OAUTH_RATELIMIT_WAYS && entry_sound(&s->e[pick], now))
		return pick;
	if (pick < OAUTH_RATELIMIT_WAYS) {
		s->damaged++;
		s->dirty = 1;
	} else {
		pick = 0;
		for (i = 1; i < OAUTH_RATELIMIT_WAYS; i++)
			if (age_rank(&s->e[i]) < age_rank(&s->e[pick]))
				pick = i;
	}
	memset(&s->e[pick], 0, sizeof(s->e[pick]));
	memcpy(s->e[pick].key, key, KEY_BYTES);
	return pick;
}

/*
 * Seconds until lim allows one more request for e, 0 when it does now. With
 * the N-th most recent request at t, fewer than N fall in the window once
 * now - t >= seconds: the wait is exact.
 */
static long
wait_for(const struct entry *e, const struct oauth_rate_limit *lim, uint32_t now)
{
	long long nth;

	if (lim->count <= 0 || e->used < lim->count)
		return 0;
	nth = nth_recent(e, (unsigned)lim->count);
	if ((long long)now - nth >= lim->seconds)
		return 0;
	return (long)(nth + lim->seconds - now);
}

static void
record(struct entry *e, uint32_t now)
{
	e->t[e->next] = now;
	e->next = (uint16_t)((e->next + 1) % SLOTS);
	if (e->used < SLOTS)
		e->used++;
	e->check = entry_check(e);
}

/*
 * A limit as config.c allows one: off, or 1 to SLOTS requests in a window of
 * 1 to OAUTH_RATE_LIMIT_MAX_SECONDS. Anything else would count without ever
 * refusing.
 */
static int
limit_valid(const struct oauth_rate_limit *lim)
{
	return lim->count == 0 || (lim->count >= 1 && lim->count <= SLOTS && lim->seconds >= 1 &&
	                           lim->seconds <= OAUTH_RATE_LIMIT_MAX_SECONDS);
}

/* --- keys --------------------------------------------------------------------------------- */

/* A field as its length, then its bytes: two different tries never hash the same input. */
static int
hash_field(EVP_MD_CTX *ctx, const char *s)
{
	uint64_t n = s != NULL ? strlen(s) : 0;

	return EVP_DigestUpdate(ctx, &n, sizeof(n)) == 1 &&
	       (n == 0 || EVP_DigestUpdate(ctx, s, (size_t)n) == 1);
}

/* The salted SHA-256 of the table's fields, cut to KEY_BYTES. */
static enum oauth_status
key_of(const struct header *h, enum table tb, const struct oauth_ratelimit_try *t,
       const char *source, unsigned char key[KEY_BYTES])
{
	unsigned char md[EVP_MAX_MD_SIZE], tag = (unsigned char)tb;
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	enum oauth_status rc = OAUTH_NOMEM;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, h->salt, SALT_BYTES) != 1 ||
	    EVP_DigestUpdate(ctx, &tag, 1) != 1 || !hash_field(ctx, t->provider) ||
	    !hash_field(ctx, t->client_id) ||
	    !hash_field(ctx, tb == TABLE_ACCOUNT ? t->account : "") || !hash_field(ctx, source) ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen < KEY_BYTES)
		goto out;
	memcpy(key, md, KEY_BYTES);
	rc = OAUTH_OK;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* --- the clock ---------------------------------------------------------------------------- */

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The boot_id's 32 hex digits as 16 bytes; all zero when it cannot be read (no /proc). */
static void
read_boot_id(unsigned char boot[BOOT_BYTES])
{
	char text[BOOT_ID_TEXT + 1];
	ssize_t got;
	size_t i, n = 0;
	int fd = open(BOOT_ID_PATH, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	memset(boot, 0, BOOT_BYTES);
	if (fd < 0)
		return;
	got = read(fd, text, sizeof(text) - 1);
	close(fd);
	for (i = 0; got > 0 && i < (size_t)got && n < 2 * BOOT_BYTES; i++) {
		int v = hex_value(text[i]);

		if (v < 0)
			continue; /* the dashes */
		boot[n / 2] |= (unsigned char)(n % 2 == 0 ? v << 4 : v);
		n++;
	}
}

/*
 * CLOCK_BOOTTIME: it keeps counting through a suspend, as a window should, is
 * the same in every process, and starts at boot, as /run does.
 */
static enum oauth_status
real_clock(void *ctx, struct oauth_ratelimit_time *now)
{
	struct timespec ts;

	(void)ctx;
	memset(now, 0, sizeof(*now));
	if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0)
		return OAUTH_UNAVAILABLE;
	now->seconds = ts.tv_sec;
	read_boot_id(now->boot);
	return OAUTH_OK;
}

static enum oauth_status
clock_now(const struct oauth_ratelimit *rl, struct oauth_ratelimit_time *now, char *err,
          size_t errlen)
{
	enum oauth_status rc =
	    rl->clock != NULL ? rl->clock(rl->clock_ctx, now) : real_clock(NULL, now);

	/* Times are kept in 32 bits: 136 years after boot. */
	if (rc == OAUTH_OK && (now->seconds < 0 || now->seconds > (long long)UINT32_MAX))
		rc = OAUTH_UNAVAILABLE;
	if (rc != OAUTH_OK)
		oauth_seterr(err, errlen, "rate limits: no usable clock");
	return rc;
}

/* --- the store ---------------------------------------------------------------------------- */

/* "rate_limit_dir DIR: reason" into err, the path cleaned. */
static enum oauth_status
store_err(const struct oauth_ratelimit *rl, char *err, size_t errlen, const char *what,
          const char *reason)
{
	char dir[OAUTH_LOG_FIELD_MAX];

	oauth_seterr(err, errlen, "rate_limit_dir %s%s: %s",
	             oauth_sanitize(dir, sizeof(dir), rl->dir != NULL ? rl->dir : "(none)"), what,
	             reason);
	return OAUTH_UNAVAILABLE;
}

static enum oauth_status
errno_err(const struct oauth_ratelimit *rl, char *err, size_t errlen, const char *doing)
{
	char ebuf[96], reason[WHY_MAX];

	oauth_seterr(reason, sizeof(reason), "%s: %s", doing,
	             strerror_r(errno, ebuf, sizeof(ebuf)));
	return store_err(rl, err, errlen, "/" OAUTH_RATELIMIT_FILE, reason);
}

static int
read_at(int fd, void *buf, size_t len, off_t off)
{
	ssize_t got;

	while (len > 0) {
		got = pread(fd, buf, len, off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return 0;
		buf = (char *)buf + got;
		len -= (size_t)got;
		off += got;
	}
	return 1;
}

static int
write_at(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t put;

	while (len > 0) {
		put = pwrite(fd, buf, len, off);
		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return 0;
		buf = (const char *)buf + put;
		len -= (size_t)put;
		off += put;
	}
	return 1;
}

/*
 * Only root could have put it there; still, it must be a plain file nobody
 * else can touch. *size is its length.
 */
static int
file_safe(int fd, uid_t owner, off_t *size, char *why, size_t whylen)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		oauth_seterr(why, whylen, "cannot stat");
	else if (!S_ISREG(st.st_mode))
		oauth_seterr(why, whylen, "not a regular file");
	else if (st.st_uid != owner)
		oauth_seterr(why, whylen, "owned by uid %lu, not %lu", (unsigned long)st.st_uid,
		             (unsigned long)owner);
	else if ((st.st_mode & 077) != 0)
		oauth_seterr(why, whylen, "mode %03o, not 0600", (unsigned)(st.st_mode & 0777));
	else if (st.st_nlink != 1)
		oauth_seterr(why, whylen, "%lu hard links, not 1", (unsigned long)st.st_nlink);
	else {
		*size = st.st_size;
		return 1;
	}
	return 0;
}

static long long
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (long long)(b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/*
 * An open-file-description write lock on the whole file, waited for at most
 * LOCK_WAIT_MS. OFD locks belong to this descriptor: they exclude threads of
 * one process too, and go away when the descriptor is closed or the process
 * dies, so a crash never leaves the file locked.
 */
static int
lock_file(int fd)
{
	const struct timespec step = {0, LOCK_STEP_US * 1000L};
	struct timespec start, now;
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (clock_gettime(CLOCK_MONOTONIC, &start) != 0)
		return 0;
	for (;;) {
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
			return 1;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			return 0;
		if (clock_gettime(CLOCK_MONOTONIC, &now) != 0 ||
		    ms_between(&start, &now) >= LOCK_WAIT_MS) {
			errno = ETIMEDOUT;
			return 0;
		}
		(void)nanosleep(&step, NULL);
	}
}

/* The directory, the file in it, locked, then checked. */
static enum oauth_status
open_store(struct store *st, const struct oauth_ratelimit *rl, char *err, size_t errlen)
{
	const int flags = O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	char why[WHY_MAX] = "";
	enum oauth_status rc;

	rc = oauth_safedir_open(rl->dir, rl->owner, &st->dirfd, why, sizeof(why));
	if (rc != OAUTH_OK)
		return rc == OAUTH_NOMEM ? rc : store_err(rl, err, errlen, "", why);
	st->fd = openat(st->dirfd, OAUTH_RATELIMIT_FILE, flags, 0600);
	if (st->fd < 0)
		return errno == ELOOP
		           ? store_err(rl, err, errlen, "/" OAUTH_RATELIMIT_FILE, "a symbolic link")
		           : errno_err(rl, err, errlen, "cannot open");
	if (!lock_file(st->fd)) {
		if (errno != ETIMEDOUT)
			return errno_err(rl, err, errlen, "cannot lock");
		oauth_seterr(why, sizeof(why), "still locked after %d ms", LOCK_WAIT_MS);
		return store_err(rl, err, errlen, "/" OAUTH_RATELIMIT_FILE, why);
	}
	/* Under the lock: the size tells a file another process is just making from a new one. */
	if (!file_safe(st->fd, rl->owner, &st->size, why, sizeof(why)))
		return store_err(rl, err, errlen, "/" OAUTH_RATELIMIT_FILE, why);
	return OAUTH_OK;
}

static void
close_store(struct store *st)
{
	if (st->fd >= 0)
		close(st->fd);
	if (st->dirfd >= 0)
		close(st->dirfd);
	st->fd = -1;
	st->dirfd = -1;
}

/*
 * A new header with a new salt, every entry free. The header goes last: a
 * crash before it leaves a file without the magic, started afresh next time.
 */
static enum oauth_status
start_afresh(struct store *st, const struct oauth_ratelimit *rl,
             const struct oauth_ratelimit_time *now, char *err, size_t errlen)
{
	struct header h;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, MAGIC, sizeof(h.magic));
	h.version = LAYOUT_VERSION;
	h.sets = st->sets;
	h.ways = OAUTH_RATELIMIT_WAYS;
	h.slots = SLOTS;
	memcpy(h.boot, now->boot, BOOT_BYTES);
	if (RAND_bytes(h.salt, SALT_BYTES) != 1)
		return store_err(rl, err, errlen, "", "no random bytes for the salt");
	/*
	 * Emptied, then allocated whole as zeros (every entry free): the space is
	 * taken now, so a file system filled later cannot stop the counting.
	 */
	if (ftruncate(st->fd, 0) != 0)
		return errno_err(rl, err, errlen, "cannot start afresh");
	errno = posix_fallocate(st->fd, 0, (off_t)oauth_ratelimit_file_bytes(st->sets));
	if (errno != 0 || !write_at(st->fd, &h, sizeof(h), 0))
		return errno_err(rl, err, errlen, "cannot start afresh");
	st->h = h;
	return OAUTH_OK;
}

/* What a check finds at the start of the file. */
enum header_state {
	HEADER_SOUND,   /* this layout, this boot: counts go on */
	HEADER_NEW,     /* an empty file: just made */
	HEADER_STALE,   /* from an earlier boot (/run kept across a reboot): expected */
	HEADER_FOREIGN, /* torn, foreign or of another layout: worth a warning */
};

/* Reads and judges the header; *why says what is wrong with it. */
static enum header_state
header_state(struct store *st, const struct oauth_ratelimit_time *now, const char **why)
{
	*why = NULL;
	if (st->size == 0) {
		*why = "new";
		return HEADER_NEW;
	}
	if ((unsigned long long)st->size != oauth_ratelimit_file_bytes(st->sets))
		*why = "not the size this layout has";
	else if (!read_at(st->fd, &st->h, sizeof(st->h), 0))
		*why = "header unreadable";
	else if (memcmp(st->h.magic, MAGIC, sizeof(st->h.magic)) != 0)
		*why = "not a pam_oauth rate-limit file (torn or foreign)";
	else if (st->h.version != LAYOUT_VERSION || st->h.sets != st->sets ||
	         st->h.ways != OAUTH_RATELIMIT_WAYS || st->h.slots != SLOTS)
		*why = "another layout";
	if (*why != NULL)
		return HEADER_FOREIGN;
	if (memcmp(st->h.boot, now->boot, BOOT_BYTES) != 0) {
		*why = "from an earlier boot";
		return HEADER_STALE;
	}
	return HEADER_SOUND;
}

static enum oauth_status
load_header(struct store *st, const struct oauth_ratelimit *rl,
            const struct oauth_ratelimit_time *now, char *err, size_t errlen)
{
	char dir[OAUTH_LOG_FIELD_MAX];
	const char *why = NULL;
	enum header_state state = header_state(st, now, &why);

	if (state == HEADER_SOUND)
		return OAUTH_OK;
	oauth_sanitize(dir, sizeof(dir), rl->dir);
	if (state == HEADER_FOREIGN)
		oauth_log(rl->log, LOG_WARNING, "rate limits: %s/%s %s: counting afresh", dir,
		          OAUTH_RATELIMIT_FILE, why);
	else
		oauth_debug(rl->log, "rate limits: %s/%s %s: counting afresh", dir,
		            OAUTH_RATELIMIT_FILE, why);
	return start_afresh(st, rl, now, err, errlen);
}

/* Reads the set key falls in, and finds or makes key's entry there. */
static enum oauth_status
read_set(struct store *st, const struct oauth_ratelimit *rl, enum table tb,
         const unsigned char key[KEY_BYTES], uint32_t now, struct set *s, char *err, size_t errlen)
{
	uint32_t index;

	memcpy(&index, key, sizeof(index));
	s->offset = (off_t)sizeof(struct header) +
	            ((off_t)tb * st->sets + index % st->sets) * (off_t)sizeof(s->e);
	s->damaged = 0;
	s->dirty = 0;
	if (!read_at(st->fd, s->e, sizeof(s->e), s->offset))
		return errno_err(rl, err, errlen, "cannot read");
	s->way = take_way(s, key, now);
	return OAUTH_OK;
}

/* --- deciding ----------------------------------------------------------------------------- */

/* Fills the refusal from the longer wait, and err for the log line. */
static void
refuse(const struct oauth_ratelimit *rl, const long wait[NTABLES], const char *source, int local,
       struct oauth_ratelimit_refusal *refusal, char *err, size_t errlen)
{
	enum table tb = wait[TABLE_ACCOUNT] >= wait[TABLE_SOURCE] ? TABLE_ACCOUNT : TABLE_SOURCE;
	const struct oauth_rate_limit *lim = tb == TABLE_ACCOUNT ? &rl->account : &rl->source;
	char shown[OAUTH_LOG_FIELD_MAX];

	refusal->which = tb == TABLE_ACCOUNT ? OAUTH_RATELIMIT_ACCOUNT : OAUTH_RATELIMIT_SOURCE;
	refusal->local = local;
	refusal->retry_after = wait[tb];
	oauth_seterr(err, errlen, "%s %ld/%ld reached %sfrom %s; next try in %ld s",
	             tb == TABLE_ACCOUNT ? "rate_limit" : "rate_limit_rhost", lim->count,
	             lim->seconds, tb == TABLE_ACCOUNT ? "for this account " : "",
	             oauth_sanitize(shown, sizeof(shown), source), wait[tb]);
}

/* Writes back the sets that changed, and says when damaged entries were cleared. */
static enum oauth_status
write_sets(struct store *st, const struct oauth_ratelimit *rl, const struct set s[NTABLES],
           char *err, size_t errlen)
{
	unsigned damaged = 0;
	int tb;

	for (tb = 0; tb < NTABLES; tb++) {
		damaged += s[tb].damaged;
		if (s[tb].dirty && !write_at(st->fd, s[tb].e, sizeof(s[tb].e), s[tb].offset))
			return errno_err(rl, err, errlen, "cannot write");
	}
	if (damaged > 0)
		oauth_log(rl->log, LOG_WARNING, "rate limits: %u damaged entries cleared", damaged);
	return OAUTH_OK;
}

/* Reads the try's entries, refuses it or counts it against both limits, writes back. */
static enum oauth_status
decide(struct store *st, const struct oauth_ratelimit *rl, const struct oauth_ratelimit_try *t,
       const char *source, uint32_t now, struct oauth_ratelimit_refusal *refusal, char *err,
       size_t errlen)
{
	const struct oauth_rate_limit *lim[NTABLES] = {&rl->account, &rl->source};
	unsigned char key[KEY_BYTES];
	struct set s[NTABLES];
	long wait[NTABLES] = {0, 0};
	enum oauth_status rc = OAUTH_OK;
	int tb, allowed, local = t->rhost == NULL || t->rhost[0] == '\0';

	memset(s, 0, sizeof(s));
	for (tb = 0; tb < NTABLES && rc == OAUTH_OK; tb++) {
		if (lim[tb]->count == 0)
			continue;
		rc = key_of(&st->h, (enum table)tb, t, source, key);
		if (rc == OAUTH_OK)
			rc = read_set(st, rl, (enum table)tb, key, now, &s[tb], err, errlen);
		if (rc == OAUTH_OK)
			wait[tb] = wait_for(&s[tb].e[s[tb].way], lim[tb], now);
	}
	if (rc != OAUTH_OK)
		goto out;
	allowed = wait[TABLE_ACCOUNT] == 0 && wait[TABLE_SOURCE] == 0;
	for (tb = 0; tb < NTABLES && allowed; tb++) {
		if (lim[tb]->count == 0)
			continue;
		record(&s[tb].e[s[tb].way], now);
		s[tb].dirty = 1;
	}
	rc = write_sets(st, rl, s, err, errlen);
	/* A refusal stands even when clearing a damaged entry could not be written back. */
	if (!allowed) {
		refuse(rl, wait, source, local, refusal, err, errlen);
		rc = OAUTH_RATE_LIMITED;
	}
out:
	return rc;
}

enum oauth_status
oauth_ratelimit_check(const struct oauth_ratelimit *rl, const struct oauth_ratelimit_try *t,
                      struct oauth_ratelimit_refusal *refusal, char *err, size_t errlen)
{
	struct store st = {.dirfd = -1, .fd = -1};
	struct oauth_ratelimit_time now;
	char source[OAUTH_RATELIMIT_SOURCE_MAX];
	enum oauth_status rc = OAUTH_CONFIG;

	oauth_seterr(err, errlen, "%s", "");
	if (refusal != NULL)
		memset(refusal, 0, sizeof(*refusal));
	if (rl == NULL || t == NULL || refusal == NULL || t->account == NULL ||
	    rl->sets > MAX_SETS || !limit_valid(&rl->account) || !limit_valid(&rl->source)) {
		oauth_seterr(err, errlen, "rate limits: bad arguments");
		goto out;
	}
	rc = OAUTH_OK;
	if (rl->account.count == 0 && rl->source.count == 0)
		goto out;
	/* Not root (a screen locker as the user): no store to open, and nothing to protect. */
	if (geteuid() != rl->owner) {
		oauth_debug(rl->log, "rate limits: off, not running as uid %lu",
		            (unsigned long)rl->owner);
		goto out;
	}
	st.sets = rl->sets != 0 ? rl->sets : OAUTH_RATELIMIT_SETS;
	rc = oauth_ratelimit_source(t->rhost, t->tty, source, sizeof(source));
	if (rc == OAUTH_OK)
		rc = open_store(&st, rl, err, errlen);
	/* Under the lock: every process then records times in the order they happen. */
	if (rc == OAUTH_OK)
		rc = clock_now(rl, &now, err, errlen);
	if (rc == OAUTH_OK)
		rc = load_header(&st, rl, &now, err, errlen);
	if (rc == OAUTH_OK)
		rc = decide(&st, rl, t, source, (uint32_t)now.seconds, refusal, err, errlen);
out:
	close_store(&st);
	return rc;
}

void
oauth_ratelimit_message(const struct oauth_ratelimit_refusal *r, char *buf, size_t buflen)
{
	snprintf(buf, buflen,
	         "Too many sign-in requests %sfrom this %s; try again in %ld second%s.",
	         r->which == OAUTH_RATELIMIT_ACCOUNT ? "for this account " : "",
	         r->local ? "terminal" : "address", r->retry_after, r->retry_after == 1 ? "" : "s");
}

size_t
oauth_ratelimit_file_bytes(unsigned sets)
{
	return sizeof(struct header) + (size_t)NTABLES * (sets != 0 ? sets : OAUTH_RATELIMIT_SETS) *
	                                   OAUTH_RATELIMIT_WAYS * sizeof(struct entry);
}
