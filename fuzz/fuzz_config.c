/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* libFuzzer target: the config loader, fed a file whose bytes are the input. */
#include "build_config.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"

/* The loader opens a path and checks its owner and mode: one private file, rewritten per input. */
static char path[64];
static char arg[80];

static void
remove_file(void)
{
	unlink(path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "%s/fuzz_config.XXXXXX",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	atexit(remove_file);
	snprintf(arg, sizeof(arg), "config=%s", path);
	return 0;
}

static int
write_input(const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	size_t off = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (off < size) {
		n = write(fd, data + off, size - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	return off == size ? 0 : -1;
}

/*
 * The input is the file; the service is "sshd", so a [sshd] section is read for
 * real and every other section into scratch. Two arguments ride along, so the
 * late-argument pass and its duplicate checks run on top of whatever the file set.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *argv[] = {arg, "timeout=30", "failmode=safe"};
	struct oauth_config cfg;
	char err[OAUTH_ERR_SIZE];

	if (path[0] == '\0' || write_input(data, size) != 0)
		return 0;
	if (oauth_config_load_as(&cfg, "sshd", 3, argv, geteuid(), err, sizeof(err)) == OAUTH_OK) {
		/* What validate() promises. */
		if (cfg.client_id == NULL || cfg.timeout != 30 ||
		    cfg.failmode != OAUTH_FAILMODE_SAFE)
			__builtin_trap();
	}
	oauth_config_free(&cfg);
	return 0;
}
