/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The username map: parsing the admin's file and answering "may this identity use that account". */
#include "build_config.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "identity.h"
#include "log.h"
#include "secret.h"
#include "usermap.h"

/* The prefix that makes an entry match the subject instead of the claim value. */
#define SUB_PREFIX "sub:"
#define SUB_PREFIX_LEN (sizeof(SUB_PREFIX) - 1)
/* How the map file's size limit is explained in the message. */
#define SIZE_HINT "a map is a line per person"

enum entry_kind {
	ENTRY_CLAIM,  /* identity is the claim value */
	ENTRY_SUB,    /* identity is the subject */
	ENTRY_SUFFIX, /* identity is a suffix of the claim value; the rest is the account */
};

struct entry {
	enum entry_kind kind;
	char *identity; /* owned; without "sub:" or "*" */
	char *account;  /* owned; NULL for ENTRY_SUFFIX */
	int line;
};

struct oauth_usermap {
	struct entry *entries; /* owned */
	size_t n, cap;
};

/* State of one parse, for messages. */
struct parser {
	const char *name; /* borrowed */
	int line;
	char *err; /* borrowed */
	size_t errlen;
};

static enum oauth_status
fail(const struct parser *p, const char *reason)
{
	char n[256];

	oauth_seterr(p->err, p->errlen, "%s:%d: %s", oauth_sanitize(n, sizeof(n), p->name), p->line,
	             reason);
	return OAUTH_CONFIG;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int
is_account_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '@' || c == '-';
}

/* Account names by the conservative shadow-utils rule, plus '@' for SSSD/AD names. */
static int
valid_account_n(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > OAUTH_ACCOUNT_MAX || s[0] == '-')
		return 0;
	if (s[n - 1] == '$') /* Samba machine accounts */
		n--;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_account_char(s[i]))
			return 0;
	return 1;
}

int
oauth_usermap_valid_account(const char *name)
{
	return name != NULL && valid_account_n(name, strnlen(name, OAUTH_ACCOUNT_MAX + 1));
}

/* No ASCII control bytes or DEL: such identities are refused by identity.c anyway. */
static int
valid_identity_n(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > OAUTH_IDENTITY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static void
entry_free(struct entry *e)
{
	free(e->identity);
	free(e->account);
}

void
oauth_usermap_free(struct oauth_usermap *map)
{
	size_t i;

	if (map == NULL)
		return;
	for (i = 0; i < map->n; i++)
		entry_free(&map->entries[i]);
	free(map->entries);
	free(map);
}

/* Orders entries by kind, identity, account, then line, so duplicates sit side by side. */
static int
compare_entries(const void *va, const void *vb)
{
	const struct entry *a = va, *b = vb;
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	c = strcmp(a->identity, b->identity);
	if (c == 0 && (a->account == NULL) != (b->account == NULL))
		c = a->account == NULL ? -1 : 1;
	if (c == 0 && a->account != NULL)
		c = strcmp(a->account, b->account);
	if (c == 0 && a->line != b->line)
		c = a->line < b->line ? -1 : 1;
	return c;
}

static int
same_entry(const struct entry *a, const struct entry *b)
{
	if (a->kind != b->kind || strcmp(a->identity, b->identity) != 0)
		return 0;
	if (a->account == NULL || b->account == NULL)
		return a->account == b->account;
	return strcmp(a->account, b->account) == 0;
}

/*
 * A line repeated is a typo or a merge gone wrong: refuse it, naming the
 * earliest repeat. Sorting keeps a big map's check O(n log n) at every login.
 */
static enum oauth_status
check_duplicates(struct oauth_usermap *map, struct parser *p)
{
	char why[96];
	size_t i;
	int first = 0, again = 0;

	if (map->n < 2)
		return OAUTH_OK;
	qsort(map->entries, map->n, sizeof(*map->entries), compare_entries);
	for (i = 1; i < map->n; i++) {
		if (same_entry(&map->entries[i - 1], &map->entries[i]) &&
		    (again == 0 || map->entries[i].line < again)) {
			first = map->entries[i - 1].line;
			again = map->entries[i].line;
		}
	}
	if (again == 0)
		return OAUTH_OK;
	p->line = again;
	oauth_seterr(why, sizeof(why), "duplicate entry (first on line %d)", first);
	return fail(p, why);
}

/* Appends e (its strings move into the map). */
static enum oauth_status
add_entry(struct oauth_usermap *map, const struct parser *p, struct entry *e)
{
	struct entry *grown;
	size_t cap;

	if (map->n == OAUTH_USERMAP_MAX_ENTRIES)
		return fail(p, "more than 100000 entries");
	if (map->n == map->cap) {
		cap = map->cap == 0 ? 16 : map->cap * 2;
		grown = realloc(map->entries, cap * sizeof(*grown));
		if (grown == NULL)
			return OAUTH_NOMEM;
		map->entries = grown;
		map->cap = cap;
	}
	map->entries[map->n++] = *e;
	memset(e, 0, sizeof(*e));
	return OAUTH_OK;
}

/* Splits one line into its two fields; 0 fields means a blank or comment line. */
static int
split_fields(const char *s, size_t n, const char *f[2], size_t flen[2])
{
	size_t i = 0, k = 0, start;

	while (k < 3) {
		while (i < n && is_blank(s[i]))
			i++;
		if (i == n)
			break;
		if (k == 0 && s[i] == '#')
			return 0;
		start = i;
		while (i < n && !is_blank(s[i]))
			i++;
		if (k < 2) {
			f[k] = s + start;
			flen[k] = i - start;
		}
		k++;
	}
	return (int)k;
}

static enum oauth_status
make_entry(const struct parser *p, const char *f[2], const size_t flen[2], struct entry *e)
{
	const char *id = f[0];
	size_t idlen = flen[0];
	int is_eq = flen[1] == 1 && f[1][0] == '=';

	memset(e, 0, sizeof(*e));
	e->line = p->line;
	e->kind = ENTRY_CLAIM;
	if (idlen > SUB_PREFIX_LEN && memcmp(id, SUB_PREFIX, SUB_PREFIX_LEN) == 0) {
		e->kind = ENTRY_SUB;
		id += SUB_PREFIX_LEN;
		idlen -= SUB_PREFIX_LEN;
	} else if (id[0] == '*') {
		e->kind = ENTRY_SUFFIX;
		id++;
		idlen--;
		if (idlen == 0 || memchr(id, '*', idlen) != NULL)
			return fail(p, "a pattern is '*' and a suffix, e.g. *@example.com");
	} else if (idlen == SUB_PREFIX_LEN && memcmp(id, SUB_PREFIX, SUB_PREFIX_LEN) == 0) {
		return fail(p, "sub: without a subject");
	}
	if (!valid_identity_n(id, idlen))
		return fail(p, "identity too long or holds control characters");
	if (e->kind == ENTRY_SUFFIX && !is_eq)
		return fail(p, "a pattern maps to \"=\" (the part before the suffix), not to a "
		               "fixed account");
	if (e->kind != ENTRY_SUFFIX && is_eq)
		return fail(p, "\"=\" is only allowed after a *suffix pattern");
	if (!is_eq && !valid_account_n(f[1], flen[1]))
		return fail(p, "not an account name ([A-Za-z0-9_.@-], not starting with '-')");
	e->identity = strndup(id, idlen);
	if (e->identity == NULL)
		return OAUTH_NOMEM;
	if (!is_eq) {
		e->account = strndup(f[1], flen[1]);
		if (e->account == NULL)
			return OAUTH_NOMEM;
	}
	return OAUTH_OK;
}

static enum oauth_status
parse_line(struct oauth_usermap *map, const struct parser *p, const char *s, size_t n)
{
	const char *f[2] = {NULL, NULL};
	size_t flen[2] = {0, 0};
	struct entry e = {0};
	enum oauth_status rc;
	int k;

	if (n > OAUTH_USERMAP_MAX_LINE)
		return fail(p, "line longer than 1024 bytes");
	if (memchr(s, '\0', n) != NULL)
		return fail(p, "NUL byte in line");
	k = split_fields(s, n, f, flen);
	if (k == 0)
		return OAUTH_OK;
	if (k != 2)
		return fail(p, "expected two fields: identity account");
	rc = make_entry(p, f, flen, &e);
	if (rc == OAUTH_OK)
		rc = add_entry(map, p, &e);
	entry_free(&e);
	return rc;
}

enum oauth_status
oauth_usermap_parse(const char *name, const char *buf, size_t len, struct oauth_usermap **out,
                    char *err, size_t errlen)
{
	struct parser p = {name != NULL ? name : "(map)", 0, err, errlen};
	struct oauth_usermap *map = NULL;
	const char *nl;
	size_t pos = 0, n;
	enum oauth_status rc = OAUTH_NOMEM;

	*out = NULL;
	map = calloc(1, sizeof(*map));
	if (map == NULL)
		goto out;
	/* A UTF-8 byte order mark from a Windows editor is not part of the first identity. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		nl = memchr(buf + pos, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;
		p.line++;
		rc = parse_line(map, &p, buf + pos, n);
		if (rc != OAUTH_OK)
			goto out;
		pos += nl != NULL ? n + 1 : n;
	}
	rc = check_duplicates(map, &p);
	if (rc != OAUTH_OK)
		goto out;
	*out = map;
	map = NULL;
	rc = OAUTH_OK;
out:
	if (rc == OAUTH_NOMEM)
		oauth_seterr(err, errlen, "out of memory");
	oauth_usermap_free(map);
	return rc;
}

enum oauth_status
oauth_usermap_load(const char *path, uid_t owner, struct oauth_usermap **out, char *err,
                   size_t errlen)
{
	const struct oauth_admin_file f = {path, owner, OAUTH_USERMAP_MAX_BYTES, SIZE_HINT};
	char *buf = NULL; /* owned */
	size_t len = 0;
	mode_t mode = 0;
	enum oauth_status rc;

	*out = NULL;
	rc = oauth_config_read_file(&f, &buf, &len, &mode, err, errlen);
	if (rc == OAUTH_OK)
		rc = oauth_usermap_parse(path, buf, len, out, err, errlen);
	free(buf);
	return rc;
}

/* The pattern case: username = account + suffix, account non-empty and well-formed. */
static int
suffix_matches(const struct entry *e, const char *username, const char *account)
{
	size_t ulen = strlen(username), slen = strlen(e->identity), alen = strlen(account);

	if (ulen <= slen || alen != ulen - slen)
		return 0;
	if (strcmp(username + alen, e->identity) != 0 || strncmp(username, account, alen) != 0)
		return 0;
	return valid_account_n(account, alen);
}

int
oauth_usermap_allows(const struct oauth_usermap *map, const char *username, const char *sub,
                     const char *account, int *line)
{
	const struct entry *e;
	size_t i;
	int hit;

	if (line != NULL)
		*line = 0;
	if (map == NULL || account == NULL)
		return 0;
	for (i = 0; i < map->n; i++) {
		e = &map->entries[i];
		if (e->kind == ENTRY_CLAIM)
			hit = username != NULL && strcmp(e->identity, username) == 0 &&
			      strcmp(e->account, account) == 0;
		else if (e->kind == ENTRY_SUB)
			hit = sub != NULL && strcmp(e->identity, sub) == 0 &&
			      strcmp(e->account, account) == 0;
		else
			hit = username != NULL && suffix_matches(e, username, account);
		if (hit) {
			if (line != NULL)
				*line = e->line;
			return 1;
		}
	}
	return 0;
}

int
oauth_usermap_names_account(const struct oauth_usermap *map, const char *account)
{
	const struct entry *e;
	size_t i;
	int line = 0;

	if (map == NULL || account == NULL)
		return 0;
	for (i = 0; i < map->n; i++) {
		e = &map->entries[i];
		if (e->account != NULL && strcmp(e->account, account) == 0 &&
		    (line == 0 || e->line < line))
			line = e->line;
	}
	return line;
}
