/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of the username map: its syntax, hostile files, file checks and the lookups. */
#include "build_config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"
#include "testutil.h"
#include "usermap.h"

static char tmpdir[] = "/tmp/test_usermap.XXXXXX";

/* Parses text (len bytes; 0: strlen) as file "map"; *map is NULL on failure. */
static enum oauth_status
parse(const char *text, size_t len, struct oauth_usermap **map, char *err)
{
	err[0] = '\0';
	return oauth_usermap_parse("map", text, len != 0 ? len : strlen(text), map, err,
	                           OAUTH_ERR_SIZE);
}

static struct oauth_usermap *
parse_ok(const char *text)
{
	struct oauth_usermap *map = NULL;
	char err[OAUTH_ERR_SIZE];

	if (parse(text, 0, &map, err) != OAUTH_OK)
		T_FAIL("map not accepted: %s", err);
	return map;
}

static void
test_exact_claim_maps_to_its_account_only(void)
{
	struct oauth_usermap *map = parse_ok("alice.smith@example.com alice\n");
	int line = -1;

	CHECK_INT(oauth_usermap_allows(map, "alice.smith@example.com", NULL, "alice", &line), 1);
	CHECK_INT(line, 1);
	CHECK_INT(oauth_usermap_allows(map, "alice.smith@example.com", NULL, "bob", &line), 0);
	CHECK_INT(line, 0);
	/* Byte for byte: no case folding, no trimming. */
	CHECK_INT(oauth_usermap_allows(map, "Alice.Smith@example.com", NULL, "alice", NULL), 0);
	CHECK_INT(oauth_usermap_allows(map, "alice.smith@example.com ", NULL, "alice", NULL), 0);
	CHECK_INT(oauth_usermap_allows(map, NULL, NULL, "alice", NULL), 0);
	CHECK_INT(oauth_usermap_allows(map, "alice.smith@example.com", NULL, NULL, NULL), 0);
	oauth_usermap_free(map);
}

static void
test_sub_entry_matches_the_subject_not_the_claim(void)
{
	struct oauth_usermap *map = parse_ok("sub:248289761001 bob\n");

	CHECK_INT(oauth_usermap_allows(map, "whoever", "248289761001", "bob", NULL), 1);
	/* A claim value that spells the entry is not a subject. */
	CHECK_INT(oauth_usermap_allows(map, "sub:248289761001", "x", "bob", NULL), 0);
	CHECK_INT(oauth_usermap_allows(map, "248289761001", "x", "bob", NULL), 0);
	CHECK_INT(oauth_usermap_allows(map, "whoever", NULL, "bob", NULL), 0);
	oauth_usermap_free(map);
}

static void
test_suffix_pattern_gives_the_part_before_it(void)
{
	struct oauth_usermap *map = parse_ok("# staff\n*@example.com\t=\n");
	static const struct {
		const char *username, *account;
		int allowed;
	} rows[] = {
	    {"alice@example.com", "alice", 1},
	    {"alice@example.com", "bob", 0},
	    {"bob@example.com", "alice", 0},
	    {"alice@example.com.evil.org", "alice", 0},
	    {"alice@evil.org", "alice", 0},
	    {"alice@EXAMPLE.COM", "alice", 0},
	    {"@example.com", "", 0},
	    {"alice", "alice", 0},
	    {"x@y@example.com", "x@y", 1},
	    {"../etc@example.com", "../etc", 0},
	    {"-rf@example.com", "-rf", 0},
	    {"al ice@example.com", "al ice", 0},
	    {"alice@example.com", "alice@example.com", 0},
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		t_case = rows[i].username;
		CHECK_INT(oauth_usermap_allows(map, rows[i].username, NULL, rows[i].account, NULL),
		          rows[i].allowed);
	}
	oauth_usermap_free(map);
}

static void
test_one_identity_may_use_several_accounts(void)
{
	struct oauth_usermap *map = parse_ok("ops@example.com alice\nops@example.com bob\n"
	                                     "sub:42 carol\n*@example.com =\n");
	int line = 0;

	CHECK_INT(oauth_usermap_allows(map, "ops@example.com", "7", "alice", NULL), 1);
	CHECK_INT(oauth_usermap_allows(map, "ops@example.com", "7", "bob", &line), 1);
	CHECK_INT(line, 2);
	CHECK_INT(oauth_usermap_allows(map, "ops@example.com", "42", "carol", &line), 1);
	CHECK_INT(line, 3);
	CHECK_INT(oauth_usermap_allows(map, "ops@example.com", "7", "ops", &line), 1);
	CHECK_INT(line, 4);
	CHECK_INT(oauth_usermap_allows(map, "ops@example.com", "7", "carol", NULL), 0);
	oauth_usermap_free(map);
}

static void
test_empty_or_missing_map_allows_nothing(void)
{
	struct oauth_usermap *map = parse_ok("# nobody yet\n\n   \n");

	CHECK_INT(oauth_usermap_allows(map, "alice", "alice", "alice", NULL), 0);
	CHECK_INT(oauth_usermap_allows(NULL, "alice", "alice", "alice", NULL), 0);
	CHECK_INT(oauth_usermap_names_account(NULL, "alice"), 0);
	oauth_usermap_free(map);
	oauth_usermap_free(NULL);
}

static void
test_blank_lines_comments_crlf_bom_and_no_final_newline(void)
{
	struct oauth_usermap *map = parse_ok(
	    "\xef\xbb\xbf"
	    "alice@x alice\r\n   # indented comment\r\n\t\r\n  bob@x \t bob  \r\ncarol@x carol");

	CHECK_INT(oauth_usermap_allows(map, "alice@x", NULL, "alice", NULL), 1);
	CHECK_INT(oauth_usermap_allows(map, "bob@x", NULL, "bob", NULL), 1);
	CHECK_INT(oauth_usermap_allows(map, "carol@x", NULL, "carol", NULL), 1);
	/* '#' inside an identity is part of it, not a comment. */
	oauth_usermap_free(map);
	map = parse_ok("a#b alice\n");
	CHECK_INT(oauth_usermap_allows(map, "a#b", NULL, "alice", NULL), 1);
	oauth_usermap_free(map);
}

static void
test_syntax_errors_name_file_and_line(void)
{
	static const struct {
		const char *text;
		const char *want;
	} rows[] = {
	    {"alice\n", "map:1: expected two fields: identity account"},
	    {"alice bob carol\n", "map:1: expected two fields: identity account"},
	    {"# ok\n\nalice\tbob\n*@x bob\n",
	     "map:4: a pattern maps to \"=\" (the part before the suffix), not to a fixed account"},
	    {"alice =\n", "map:1: \"=\" is only allowed after a *suffix pattern"},
	    {"sub:1 =\n", "map:1: \"=\" is only allowed after a *suffix pattern"},
	    {"* =\n", "map:1: a pattern is '*' and a suffix, e.g. *@example.com"},
	    {"*a*b =\n", "map:1: a pattern is '*' and a suffix, e.g. *@example.com"},
	    {"*@x* =\n", "map:1: a pattern is '*' and a suffix, e.g. *@example.com"},
	    {"sub: bob\n", "map:1: sub: without a subject"},
	    {"alice -bob\n", "map:1: not an account name ([A-Za-z0-9_.@-], not starting with '-')"},
	    {"alice b/ob\n", "map:1: not an account name ([A-Za-z0-9_.@-], not starting with '-')"},
	    {"alice bo:b\n", "map:1: not an account name ([A-Za-z0-9_.@-], not starting with '-')"},
	    {"alice $\n", "map:1: not an account name ([A-Za-z0-9_.@-], not starting with '-')"},
	    {"alice ==\n", "map:1: not an account name ([A-Za-z0-9_.@-], not starting with '-')"},
	    {"al\x01ice bob\n", "map:1: identity too long or holds control characters"},
	    {"al\x7fice bob\n", "map:1: identity too long or holds control characters"},
	    {"alice bob\nalice bob\n", "map:2: duplicate entry (first on line 1)"},
	    {"*@x =\n# x\n*@x =\n", "map:3: duplicate entry (first on line 1)"},
	    {"sub:1 bob\nsub:1 bob\n", "map:2: duplicate entry (first on line 1)"},
	    /* The earliest repeat is named, whatever the sort order. */
	    {"b x\na x\na x\nb x\n", "map:3: duplicate entry (first on line 2)"},
	};
	struct oauth_usermap *map;
	char err[OAUTH_ERR_SIZE];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		t_case = rows[i].text;
		map = (struct oauth_usermap *)1;
		CHECK_INT(parse(rows[i].text, 0, &map, err), OAUTH_CONFIG);
		CHECK(map == NULL);
		CHECK_STR(err, rows[i].want);
	}
}

static void
test_same_identity_in_other_kinds_is_no_duplicate(void)
{
	struct oauth_usermap *map = parse_ok("x alice\nsub:x alice\n*x =\nx bob\n");

	CHECK(map != NULL);
	oauth_usermap_free(map);
}

static void
test_nul_byte_and_overlong_lines_are_refused(void)
{
	static const char nul[] = "alice bob\n\0x y\n";
	struct oauth_usermap *map = NULL;
	char err[OAUTH_ERR_SIZE], line[OAUTH_USERMAP_MAX_LINE + 64];

	CHECK_INT(parse(nul, sizeof(nul) - 1, &map, err), OAUTH_CONFIG);
	CHECK_STR(err, "map:2: NUL byte in line");

	/* 1025 bytes before the newline: refused whole, never split into a second entry. */
	memset(line, 'a', OAUTH_USERMAP_MAX_LINE - 4);
	memcpy(line + OAUTH_USERMAP_MAX_LINE - 4, " root\n", 7);
	CHECK_INT(strlen(line), OAUTH_USERMAP_MAX_LINE + 2);
	CHECK_INT(parse(line, 0, &map, err), OAUTH_CONFIG);
	CHECK_STR(err, "map:1: line longer than 1024 bytes");
	/* A line that fits goes on to the field checks (here: the identity is too long). */
	line[OAUTH_USERMAP_MAX_LINE - 1] = '\n';
	line[OAUTH_USERMAP_MAX_LINE] = '\0';
	CHECK_INT(parse(line, 0, &map, err), OAUTH_CONFIG);
	CHECK_STR(err, "map:1: identity too long or holds control characters");

	/* An identity of 257 bytes on a line that fits. */
	memset(line, 'a', 257);
	memcpy(line + 257, " bob\n", 6);
	CHECK_INT(parse(line, 0, &map, err), OAUTH_CONFIG);
	CHECK_STR(err, "map:1: identity too long or holds control characters");

	/* 256 is the most: identity.c's limit. */
	memset(line, 'a', 256);
	memcpy(line + 256, " bob\n", 6);
	CHECK_INT(parse(line, 0, &map, err), OAUTH_OK);
	oauth_usermap_free(map);

	/* An account of 256 bytes. */
	memcpy(line, "alice ", 6);
	memset(line + 6, 'b', 256);
	memcpy(line + 262, "\n", 2);
	CHECK_INT(parse(line, 0, &map, err), OAUTH_CONFIG);
	CHECK_STR(err, "map:1: not an account name ([A-Za-z0-9_.@-], not starting with '-')");
}

static void
test_account_name_rule(void)
{
	static const struct {
		const char *name;
		int ok;
	} rows[] = {
	    {"alice", 1},    {"a.b-c_d", 1}, {"alice@corp.example", 1},
	    {"HOST$", 1},    {"_svc", 1},    {"", 0},
	    {"-alice", 0},   {"$", 0},       {"a$b", 0},
	    {"al ice", 0},   {"al/ice", 0},  {"al:ice", 0},
	    {"\xc3\xa9", 0}, {"a\n", 0},
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		t_case = rows[i].name;
		CHECK_INT(oauth_usermap_valid_account(rows[i].name), rows[i].ok);
	}
	CHECK_INT(oauth_usermap_valid_account(NULL), 0);
}

static void
test_names_account_gives_the_first_line(void)
{
	struct oauth_usermap *map = parse_ok("z root\nb alice\na root\nsub:q root\n*@x =\n");

	CHECK_INT(oauth_usermap_names_account(map, "root"), 1);
	CHECK_INT(oauth_usermap_names_account(map, "alice"), 2);
	CHECK_INT(oauth_usermap_names_account(map, "bob"), 0);
	/* A pattern names no fixed account. */
	CHECK_INT(oauth_usermap_names_account(map, "="), 0);
	oauth_usermap_free(map);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		T_FAIL("cannot write %s", path);
	if (chmod(path, mode) != 0)
		T_FAIL("cannot chmod %s", path);
}

static void
test_load_checks_the_file_like_the_config(void)
{
	struct oauth_usermap *map = NULL;
	char path[256], link[256], want[512], err[OAUTH_ERR_SIZE];
	int fd;

	snprintf(path, sizeof(path), "%s/map", tmpdir);
	snprintf(link, sizeof(link), "%s/link", tmpdir);
	write_file(path, "alice@x alice\n", 0644);
	CHECK_INT(oauth_usermap_load(path, getuid(), &map, err, sizeof(err)), OAUTH_OK);
	CHECK_INT(oauth_usermap_allows(map, "alice@x", NULL, "alice", NULL), 1);
	oauth_usermap_free(map);

	/* Errors in the file name it by its path. */
	write_file(path, "alice@x alice\nbad\n", 0600);
	CHECK_INT(oauth_usermap_load(path, getuid(), &map, err, sizeof(err)), OAUTH_CONFIG);
	snprintf(want, sizeof(want), "%s:2: expected two fields: identity account", path);
	CHECK_STR(err, want);

	write_file(path, "alice@x alice\n", 0664);
	CHECK_INT(oauth_usermap_load(path, getuid(), &map, err, sizeof(err)), OAUTH_CONFIG);
	snprintf(want, sizeof(want), "%s: writable by group or others (they could redirect logins)",
	         path);
	CHECK_STR(err, want);
	CHECK(map == NULL);

	write_file(path, "alice@x alice\n", 0600);
	CHECK_INT(oauth_usermap_load(path, getuid() + 1, &map, err, sizeof(err)), OAUTH_CONFIG);
	snprintf(want, sizeof(want),
	         "%s: owned by uid %lu, not %lu (its owner could redirect logins)", path,
	         (unsigned long)getuid(), (unsigned long)getuid() + 1);
	CHECK_STR(err, want);

	unlink(link);
	if (symlink(path, link) != 0)
		T_FAIL("symlink");
	CHECK_INT(oauth_usermap_load(link, getuid(), &map, err, sizeof(err)), OAUTH_CONFIG);
	snprintf(want, sizeof(want), "%s: is a symbolic link (refused)", link);
	CHECK_STR(err, want);

	CHECK_INT(oauth_usermap_load(tmpdir, getuid(), &map, err, sizeof(err)), OAUTH_CONFIG);
	snprintf(want, sizeof(want), "%s: not a regular file", tmpdir);
	CHECK_STR(err, want);

	snprintf(want, sizeof(want), "%s/missing", tmpdir);
	CHECK_INT(oauth_usermap_load(want, getuid(), &map, err, sizeof(err)), OAUTH_CONFIG);
	CHECK(strstr(err, ": cannot open: No such file or directory") != NULL);

	/* Bigger than the cap: refused from fstat, before reading 4 MiB. */
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0 || ftruncate(fd, OAUTH_USERMAP_MAX_BYTES + 1) != 0 || close(fd) != 0)
		T_FAIL("cannot grow %s", path);
	CHECK_INT(oauth_usermap_load(path, getuid(), &map, err, sizeof(err)), OAUTH_CONFIG);
	snprintf(want, sizeof(want), "%s: larger than %d bytes (a map is a line per person)", path,
	         OAUTH_USERMAP_MAX_BYTES);
	CHECK_STR(err, want);
	unlink(link);
	unlink(path);
}

static void
test_big_map_parses_and_finds_the_last_line(void)
{
	size_t n = 20000, i, used = 0, cap = n * 32;
	char *text = malloc(cap);
	struct oauth_usermap *map = NULL;
	char err[OAUTH_ERR_SIZE];
	int line = 0;

	if (text == NULL) {
		T_FAIL("malloc");
		return;
	}
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(text + used, cap - used, "u%zu@example.com u%zu\n", i, i);
	CHECK_INT(parse(text, used, &map, err), OAUTH_OK);
	CHECK_INT(oauth_usermap_allows(map, "u19999@example.com", NULL, "u19999", &line), 1);
	CHECK_INT(line, 20000);
	CHECK_INT(oauth_usermap_allows(map, "u19999@example.com", NULL, "u1999", NULL), 0);
	oauth_usermap_free(map);
	free(text);
}

int main(void);

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	RUN(test_exact_claim_maps_to_its_account_only);
	RUN(test_sub_entry_matches_the_subject_not_the_claim);
	RUN(test_suffix_pattern_gives_the_part_before_it);
	RUN(test_one_identity_may_use_several_accounts);
	RUN(test_empty_or_missing_map_allows_nothing);
	RUN(test_blank_lines_comments_crlf_bom_and_no_final_newline);
	RUN(test_syntax_errors_name_file_and_line);
	RUN(test_same_identity_in_other_kinds_is_no_duplicate);
	RUN(test_nul_byte_and_overlong_lines_are_refused);
	RUN(test_account_name_rule);
	RUN(test_names_account_gives_the_first_line);
	RUN(test_load_checks_the_file_like_the_config);
	RUN(test_big_map_parses_and_finds_the_last_line);
	rmdir(tmpdir);
	return T_DONE();
}
