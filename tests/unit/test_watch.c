/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of watch.c: only the person's connection (SSH_CONNECTION) and the parent are watched. */
#include "build_config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "watch.h"

/* A connection on loopback: both ends live in this process, as sshd's do not, but the sockets
 * are real; server is the accepted end, the one sshd's PAM process would hold. */
struct tcp {
	int listener, client, server;
	char text[160]; /* as SSH_CONNECTION says it */
};

static int
port_of(int fd, int peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if ((peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
	          : getsockname(fd, (struct sockaddr *)&ss, &len)) != 0)
		return -1;
	return ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
	                               : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int
tcp_open(struct tcp *t, int family)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = family == AF_INET ? sizeof(*in4) : sizeof(*in6);
	const char *ip = family == AF_INET ? "127.0.0.1" : "::1";

	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		inet_pton(AF_INET, ip, &in4->sin_addr);
	else
		inet_pton(AF_INET6, ip, &in6->sin6_addr);
	t->listener = socket(family, SOCK_STREAM, 0);
	if (t->listener < 0 || bind(t->listener, (struct sockaddr *)&ss, len) != 0 ||
	    listen(t->listener, 4) != 0 || getsockname(t->listener, (struct sockaddr *)&ss, &len))
		return -1;
	t->client = socket(family, SOCK_STREAM, 0);
	if (t->client < 0 || connect(t->client, (struct sockaddr *)&ss, len) != 0)
		return -1;
	t->server = accept(t->listener, NULL, NULL);
	if (t->server < 0)
		return -1;
	snprintf(t->text, sizeof(t->text), "%s %d %s %d", ip, port_of(t->server, 1), ip,
	         port_of(t->server, 0));
	return 0;
}

static void
tcp_close(struct tcp *t)
{
	close(t->listener);
	if (t->client >= 0)
		close(t->client);
	close(t->server);
}

static void
test_only_the_named_connection_is_watched(void)
{
	struct tcp person, other;
	struct oauth_watch w;

	CHECK_INT(tcp_open(&person, AF_INET), 0);
	CHECK_INT(tcp_open(&other, AF_INET), 0);
	oauth_watch_start(&w, person.text);
	CHECK_INT(w.n, 1);
	CHECK_INT(w.fds[0], person.server);
	CHECK(w.parent == getppid());
	tcp_close(&person);
	tcp_close(&other);
}

static void
test_an_unrelated_connection_closing_does_not_end_the_login(void)
{
	struct tcp person, ldap;
	struct oauth_watch w;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(tcp_open(&person, AF_INET), 0);
	/* Like sudo's LDAP connection: ours is the client end; the far end times it out. */
	CHECK_INT(tcp_open(&ldap, AF_INET), 0);
	oauth_watch_start(&w, person.text);
	close(ldap.server);
	ldap.server = dup(ldap.listener); /* keeps tcp_close simple */
	CHECK_INT(oauth_watch_check(&w, err, sizeof(err)), OAUTH_OK);
	tcp_close(&person);
	tcp_close(&ldap);
}

static void
test_the_person_hanging_up_ends_the_login(void)
{
	struct tcp person;
	struct oauth_watch w;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(tcp_open(&person, AF_INET), 0);
	oauth_watch_start(&w, person.text);
	CHECK_INT(oauth_watch_check(&w, err, sizeof(err)), OAUTH_OK);
	close(person.client);
	person.client = -1;
	CHECK_INT(oauth_watch_check(&w, err, sizeof(err)), OAUTH_CONV);
	CHECK(strstr(err, "connection to the person closed") != NULL);
	tcp_close(&person);
}

static void
test_ipv6_connection_is_found(void)
{
	struct tcp person;
	struct oauth_watch w;

	if (tcp_open(&person, AF_INET6) != 0) {
		printf("     (no IPv6 loopback here: case not run)\n");
		CHECK(1);
		return;
	}
	oauth_watch_start(&w, person.text);
	CHECK_INT(w.n, 1);
	CHECK_INT(w.fds[0], person.server);
	tcp_close(&person);
}

static void
test_without_ssh_connection_no_socket_is_watched(void)
{
	static const char *const bad[] = {
	    NULL,
	    "",
	    "127.0.0.1 1 127.0.0.1",
	    "127.0.0.1 1 127.0.0.1 2 extra",
	    "127.0.0.1 0 127.0.0.1 22",
	    "127.0.0.1 70000 127.0.0.1 22",
	    "example.com 5000 127.0.0.1 22",
	    "127.0.0.1 +5 127.0.0.1 22",
	    "127.0.0.1 5x 127.0.0.1 22",
	};
	struct tcp person;
	struct oauth_watch w;
	size_t i;

	CHECK_INT(tcp_open(&person, AF_INET), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		oauth_watch_start(&w, bad[i]);
		if (w.n != 0)
			T_FAIL("row %zu: %zu sockets watched", i, w.n);
		t_checks++;
	}
	tcp_close(&person);
}

/* The caller dying (sshd's monitor killed) reparents us: the login ends. */
static void
test_a_new_parent_ends_the_login(void)
{
	int p[2], status = 0;
	char verdict = '?';
	pid_t child;

	CHECK_INT(pipe(p), 0);
	child = fork();
	if (child == 0) {
		if (fork() == 0) {
			struct oauth_watch w;
			char err[OAUTH_ERR_SIZE] = "";
			char v;
			int i;

			oauth_watch_start(&w, NULL);
			v = oauth_watch_check(&w, err, sizeof(err)) == OAUTH_OK ? 'a' : 'x';
			for (i = 0; i < 500 && getppid() == w.parent; i++)
				usleep(10000);
			if (v == 'a')
				v = oauth_watch_check(&w, err, sizeof(err)) == OAUTH_CONV ? 'y'
				                                                          : 'n';
			_exit(write(p[1], &v, 1) == 1 ? 0 : 1);
		}
		usleep(100000);
		_exit(0);
	}
	close(p[1]);
	CHECK(waitpid(child, &status, 0) == child);
	CHECK_INT(read(p[0], &verdict, 1), 1);
	CHECK_INT(verdict, 'y');
	close(p[0]);
}

int
main(void)
{
	RUN(test_only_the_named_connection_is_watched);
	RUN(test_an_unrelated_connection_closing_does_not_end_the_login);
	RUN(test_the_person_hanging_up_ends_the_login);
	RUN(test_ipv6_connection_is_found);
	RUN(test_without_ssh_connection_no_socket_is_watched);
	RUN(test_a_new_parent_ends_the_login);
	return T_DONE();
}
