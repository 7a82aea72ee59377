/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* pam_oauth_check: the module's own core, run by an admin to find setup mistakes before a login. */
#include "build_config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "device_flow.h"
#include "discovery.h"
#include "http.h"
#include "identity.h"
#include "json.h"
#include "jwks.h"
#include "jwt.h"
#include "log.h"
#include "login.h"
#include "policy.h"
#include "usermap.h"

/* Findings one run can report: a handful of checks, each with a few lines at most. */
#define MAX_FINDINGS 64
/* One finding line: a path, a reason from the core (OAUTH_ERR_SIZE) and advice fit. */
#define FINDING_MAX 768
/* Clock skew (seconds) worth a warning; past OAUTH_JWT_LEEWAY ID tokens are refused. */
#define SKEW_WARN 60
/* `sshd -T` prints a few KiB; more is not sshd. */
#define SSHD_T_MAX (256 * 1024)
/* Lines read from one PAM service file: real ones have tens. */
#define PAM_MAX_LINES 1000
/* Where sshd lives on Debian and RHEL. */
#define SSHD_PATH "/usr/sbin/sshd"
#define PAM_DIR "/etc/pam.d"

enum level { L_OK = 0, L_WARNING = 1, L_ERROR = 2 };

struct finding {
	enum level level;
	char text[FINDING_MAX];
};

struct check {
	const char *config;  /* --config; NULL: the module's default */
	const char *service; /* --service; "" when none */
	const char *user;    /* --user; NULL when none */
	const char *sshd_t;  /* --sshd-t FILE: a saved `sshd -T` output instead of running it */
	const char *pam_dir; /* --pam-dir */
	int login;           /* --login */
	int json;            /* --json */
	struct finding findings[MAX_FINDINGS];
	size_t nfindings;
	cJSON *settings;         /* owned: the effective settings for --json */
	struct oauth_config cfg; /* owned */
	int cfg_loaded;
	long long skew; /* provider clock minus ours; 0 when unknown */
};

static const char *const level_words[] = {"ok", "warning", "error"};

static void __attribute__((format(printf, 3, 4)))
finding(struct check *c, enum level level, const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (c->nfindings == MAX_FINDINGS)
		return;
	f = &c->findings[c->nfindings++];
	f->level = level;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	if (!c->json)
		printf("%s: %s\n", level_words[level], f->text);
}

static void
core_log(void *ctx, int prio, const char *line)
{
	(void)ctx;
	fprintf(stderr, "pam_oauth: %s%s\n", prio <= LOG_WARNING ? "warning: " : "", line);
}

/* --- effective settings ------------------------------------------------------------------- */

static void
setting(struct check *c, const char *name, const char *value)
{
	char clean[FINDING_MAX];

	oauth_sanitize(clean, sizeof(clean), value != NULL ? value : "(unset)");
	if (c->json)
		cJSON_AddStringToObject(c->settings, name, clean);
	else
		printf("  %-28s %s\n", name, clean);
}

/* oauth_config_each()'s callback: one line (or JSON member) per key, in the table's order. */
static void
each_setting(void *ctx, const char *name, const char *value)
{
	setting(ctx, name, value);
}

static void
show_settings(struct check *c)
{
	if (!c->json)
		printf("effective settings for service \"%s\" from %s:\n",
		       c->service[0] != '\0' ? c->service : "(none)", c->cfg.path);
	oauth_config_each(&c->cfg, each_setting, c);
}

/* --- the config file ---------------------------------------------------------------------- */

static int
load_config(struct check *c)
{
	char arg[4096], err[OAUTH_ERR_SIZE];
	const char *argv[1] = {arg};
	struct stat st;

	if (c->config != NULL)
		snprintf(arg, sizeof(arg), "config=%s", c->config);
	if (oauth_config_load(&c->cfg, c->service, c->config != NULL ? 1 : 0, argv, err,
	                      sizeof(err)) != OAUTH_OK) {
		finding(c, L_ERROR, "config: %s (the module refuses every login with this file)",
		        err);
		return -1;
	}
	c->cfg_loaded = 1;
	if (stat(c->cfg.path, &st) == 0)
		finding(c, L_OK, "config: %s is owned by uid %ld, mode %04o, and loads",
		        c->cfg.path, (long)st.st_uid, (unsigned)(st.st_mode & 07777));
	return 0;
}

/* --- the provider ------------------------------------------------------------------------- */

static void
check_clock(struct check *c, long date)
{
	long long skew;
	long long mag;

	if (date < 0) {
		finding(c, L_WARNING,
		        "clock: the provider sent no HTTP Date header; compare its clock by hand");
		return;
	}
	skew = (long long)date - (long long)time(NULL);
	mag = skew < 0 ? -skew : skew;
	c->skew = skew;
	if (mag > OAUTH_JWT_LEEWAY)
		finding(
		    c, L_ERROR,
		    "clock: the provider's clock differs from ours by %lld s (more than the %d s "
		    "ID tokens allow): fix NTP on this host or the provider's",
		    skew, OAUTH_JWT_LEEWAY);
	else if (mag > SKEW_WARN)
		finding(c, L_WARNING,
		        "clock: the provider's clock differs from ours by %lld s (ID tokens allow "
		        "%d s): check NTP",
		        skew, OAUTH_JWT_LEEWAY);
	else
		finding(c, L_OK, "clock: the provider's clock is within %lld s of ours", mag);
}

/* GETs the discovery document only for its Date; the endpoints come from the core's resolve. */
static void
check_discovery_date(struct check *c, struct oauth_http *http)
{
	struct oauth_http_response resp = {0};
	char err[OAUTH_ERR_SIZE];
	char *url = NULL;

	if (c->cfg.issuer == NULL) {
		finding(c, L_OK, "clock: no issuer, no ID token to check: clock not compared");
		return;
	}
	if (oauth_discovery_url(c->cfg.issuer, &url, err, sizeof(err)) != OAUTH_OK ||
	    oauth_http_get(http, url, NULL, &resp, err, sizeof(err)) != OAUTH_OK)
		finding(c, L_ERROR, "discovery: %s", err);
	else
		check_clock(c, resp.date);
	oauth_http_response_free(&resp);
	free(url);
}

static void
check_jwks(struct check *c, struct oauth_http *http, const struct oauth_endpoints *ep)
{
	struct oauth_http_response resp = {0};
	struct oauth_jwks *jwks = NULL;
	char err[OAUTH_ERR_SIZE];

	if (ep->jwks_uri == NULL) {
		finding(c, L_OK, "jwks: no jwks_uri: no ID token signature to check");
		return;
	}
	if (oauth_http_get(http, ep->jwks_uri, NULL, &resp, err, sizeof(err)) != OAUTH_OK)
		finding(c, L_ERROR, "jwks: %s", err);
	else if (resp.status != 200)
		finding(c, L_ERROR, "jwks: jwks_uri answered HTTP %ld", resp.status);
	else if (oauth_jwks_parse(resp.body, resp.len, &jwks, err, sizeof(err)) != OAUTH_OK)
		finding(c, L_ERROR, "jwks: %s", err);
	else
		finding(c, L_OK, "jwks: %zu usable signing key(s) at %s", jwks->nkeys,
		        ep->jwks_uri);
	oauth_jwks_free(jwks);
	oauth_http_response_free(&resp);
}

/*
 * A real device authorization request, as a login sends it: it proves client_id,
 * client authentication, scope and the device grant are accepted, which a bad
 * request cannot. The code is never shown, never polled, and expires unused.
 */
static void
check_device_endpoint(struct check *c, struct oauth_http *http, const struct oauth_endpoints *ep)
{
	struct oauth_device_auth da = {0};
	char err[OAUTH_ERR_SIZE];
	enum oauth_status rc;

	rc = oauth_device_authorize(http, &c->cfg, ep, &da, err, sizeof(err));
	if (rc == OAUTH_OK)
		finding(c, L_OK,
		        "device authorization: %s issued a code for client_id %s (not shown; it "
		        "expires unused in %ld s)",
		        ep->device_authorization_endpoint, c->cfg.client_id, da.expires_in);
	else
		finding(c, L_ERROR,
		        "%s (%s): check client_id, client_secret, client_auth, scope, and that the "
		        "provider lets this client use the device grant",
		        err, oauth_status_str(rc));
	oauth_device_auth_free(&da);
}

static void
check_provider(struct check *c)
{
	struct oauth_http_opts opts = {.ca_file = c->cfg.ca_file,
	                               .timeout = c->cfg.http_timeout,
	                               .proxy = c->cfg.https_proxy,
	                               .no_proxy = c->cfg.no_proxy};
	struct oauth_endpoints ep = {0};
	struct oauth_http *http = NULL;
	char err[OAUTH_ERR_SIZE];

	if (oauth_http_global_init(err, sizeof(err)) != OAUTH_OK ||
	    oauth_http_new(&http, &opts, err, sizeof(err)) != OAUTH_OK) {
		finding(c, L_ERROR, "http: %s", err);
		goto out;
	}
	if (oauth_discovery_resolve(&c->cfg, http, &ep, err, sizeof(err)) != OAUTH_OK) {
		finding(c, L_ERROR, "discovery: %s: check issuer, ca_file and https_proxy", err);
		goto out;
	}
	finding(c, L_OK, "discovery: device authorization at %s, token at %s",
	        ep.device_authorization_endpoint, ep.token_endpoint);
	check_discovery_date(c, http);
	check_jwks(c, http, &ep);
	if (c->cfg.mode == OAUTH_MODE_CIBA)
		finding(c, L_OK,
		        "device authorization: not used with mode = ciba (push approval "
		        "is not probed: it would notify the person)");
	else
		check_device_endpoint(c, http, &ep);
out:
	oauth_endpoints_free(&ep);
	oauth_http_free(http);
}

/* --- sshd ------------------------------------------------------------------------------------ */

/* Reads at most SSHD_T_MAX bytes of fd into a NUL-terminated buffer (owned). */
static char *
read_fd(int fd)
{
	char *buf = malloc(SSHD_T_MAX + 1);
	size_t len = 0;
	ssize_t n;

	if (buf == NULL)
		return NULL;
	while (len < SSHD_T_MAX && (n = read(fd, buf + len, SSHD_T_MAX - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

static char *
run_sshd_t(void)
{
	int fds[2], status = 0, devnull;
	char *out = NULL;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return NULL;
	pid = fork();
	if (pid == 0) {
		devnull = open("/dev/null", O_RDWR);
		dup2(fds[1], STDOUT_FILENO);
		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDERR_FILENO);
		}
		execl(SSHD_PATH, "sshd", "-T", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (pid > 0)
		out = read_fd(fds[0]);
	close(fds[0]);
	if (pid > 0 &&
	    (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		free(out);
		out = NULL;
	}
	return out;
}

static char *
sshd_config_dump(struct check *c)
{
	char *out;
	int fd;

	if (c->sshd_t == NULL)
		return run_sshd_t();
	fd = open(c->sshd_t, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	out = read_fd(fd);
	close(fd);
	return out;
}

/* `sshd -T` prints "logingracetime 120": seconds, 0 for no limit. */
static long
login_grace_time(const char *dump)
{
	const char *p = dump;
	char *end;
	long v;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, "logingracetime ", 15) == 0) {
			errno = 0;
			v = strtol(p + 15, &end, 10);
			if (errno == 0 && end != p + 15 && v >= 0)
				return v;
			return -1;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return -1;
}

static void
check_sshd(struct check *c)
{
	char *dump;
	long grace;

	if (c->service[0] != '\0' && strcmp(c->service, "sshd") != 0)
		return;
	if (c->sshd_t == NULL && access(SSHD_PATH, X_OK) != 0) {
		finding(c, L_OK, "sshd: not installed, LoginGraceTime not checked");
		return;
	}
	dump = sshd_config_dump(c);
	grace = dump != NULL ? login_grace_time(dump) : -1;
	free(dump);
	if (grace < 0)
		finding(
		    c, L_WARNING,
		    "sshd: could not read LoginGraceTime from `sshd -T` (it needs root, its host "
		    "keys and /run/sshd); make sure LoginGraceTime is above timeout %ld s",
		    c->cfg.timeout);
	else if (grace != 0 && grace <= c->cfg.timeout)
		finding(c, L_WARNING,
		        "sshd: LoginGraceTime %ld s is not above timeout %ld s: sshd drops the "
		        "connection before the person can approve; raise LoginGraceTime or lower "
		        "timeout",
		        grace, c->cfg.timeout);
	else
		finding(c, L_OK, "sshd: LoginGraceTime %ld s leaves room for timeout %ld s", grace,
		        c->cfg.timeout);
}

/* --- PAM stacks ------------------------------------------------------------------------------ */

static void
check_common_auth(struct check *c)
{
	char path[4096], *line = NULL;
	size_t cap = 0, n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/common-auth", c->pam_dir);
	f = fopen(path, "re");
	if (f == NULL)
		return;
	while (n++ < PAM_MAX_LINES && getline(&line, &cap, f) > 0) {
		if (line[strspn(line, " \t")] == '#' || strstr(line, "pam_oauth") == NULL)
			continue;
		finding(c, L_WARNING,
		        "pam: %s:%zu names pam_oauth: every service that includes common-auth (su, "
		        "sudo, login, ...) asks the provider; name it in the services that "
		        "should",
		        path, n);
	}
	free(line);
	fclose(f);
}

/* A group check whose failure the stack ignores enforces nothing. */
static int
is_group_check(const char *line)
{
	return (strstr(line, "pam_succeed_if") != NULL && strstr(line, "ingroup") != NULL) ||
	       (strstr(line, "pam_listfile") != NULL && strstr(line, "item=group") != NULL) ||
	       strstr(line, "pam_access") != NULL || strstr(line, "pam_wheel") != NULL;
}

static void
check_account_file(struct check *c, const char *name)
{
	char path[4096], *line = NULL;
	size_t cap = 0, n = 0;
	const char *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", c->pam_dir, name);
	f = fopen(path, "re");
	if (f == NULL)
		return;
	while (n++ < PAM_MAX_LINES && getline(&line, &cap, f) > 0) {
		p = line + strspn(line, " \t-");
		if (strncmp(p, "account", 7) != 0 || strstr(p, "default=ignore") == NULL ||
		    !is_group_check(p))
			continue;
		finding(c, L_WARNING,
		        "pam: %s:%zu: a group check with default=ignore lets non-members through; "
		        "use [success=ok default=die] or requisite",
		        path, n);
	}
	free(line);
	fclose(f);
}

static void
check_pam(struct check *c)
{
	size_t before = c->nfindings;

	check_common_auth(c);
	check_account_file(c, "common-account");
	if (c->service[0] != '\0' && strchr(c->service, '/') == NULL)
		check_account_file(c, c->service);
	if (c->nfindings == before)
		finding(c, L_OK, "pam: no known trap in %s", c->pam_dir);
}

/* --- mapping ------------------------------------------------------------------------------- */

static void
check_root_mapping(struct check *c, const struct oauth_usermap *map)
{
	char err[OAUTH_ERR_SIZE];
	struct passwd *pw;
	int line;

	if (oauth_policy_account_allowed(&c->cfg, "root", (uid_t)-2, err, sizeof(err)) == OAUTH_OK)
		finding(c, c->cfg.min_uid == 0 ? L_ERROR : L_WARNING,
		        "root: deny_users does not name root%s: add root to deny_users",
		        c->cfg.min_uid == 0 ? " and min_uid is 0, so root can log in"
		                            : " (only min_uid stops it)");
	setpwent();
	while (map != NULL && (pw = getpwent()) != NULL) {
		if (pw->pw_uid != 0)
			continue;
		line = oauth_usermap_names_account(map, pw->pw_name);
		if (line > 0)
			finding(c, L_ERROR,
			        "root: %s:%d maps an identity to %s (uid 0): remove that line",
			        c->cfg.username_map, line, pw->pw_name);
	}
	endpwent();
}

static void
check_user(struct check *c, const struct oauth_usermap *map)
{
	char err[OAUTH_ERR_SIZE];
	struct passwd *pw;

	if (c->user == NULL)
		return;
	pw = getpwnam(c->user);
	if (pw == NULL) {
		finding(c, L_ERROR, "user: no local account %s", c->user);
		return;
	}
	if (oauth_policy_account_allowed(&c->cfg, pw->pw_name, pw->pw_uid, err, sizeof(err)) !=
	    OAUTH_OK)
		finding(c, L_ERROR, "user: %s can never log in with the module: %s", c->user, err);
	else if (map != NULL && oauth_usermap_names_account(map, pw->pw_name) == 0)
		finding(
		    c, L_WARNING,
		    "user: no line of %s names %s: only a pattern line (*@domain =) can reach it",
		    c->cfg.username_map, c->user);
	else
		finding(c, L_OK, "user: %s (uid %ld) can be reached%s", c->user, (long)pw->pw_uid,
		        map != NULL ? " through the username map" : " by a claim equal to it");
}

static void
check_mapping(struct check *c)
{
	struct oauth_policy *policy = NULL;
	struct oauth_usermap *map = NULL;
	char err[OAUTH_ERR_SIZE];

	/* The module's own check first: it refuses a map naming a denied account. */
	if (oauth_policy_new(&c->cfg, &policy, err, sizeof(err)) != OAUTH_OK) {
		finding(c, L_ERROR, "policy: %s (the module refuses every login)", err);
		goto out;
	}
	if (c->cfg.username_map != NULL && oauth_usermap_load(c->cfg.username_map, c->cfg.owner,
	                                                      &map, err, sizeof(err)) != OAUTH_OK) {
		finding(c, L_ERROR, "username_map: %s", err);
		goto out;
	}
	check_root_mapping(c, map);
	check_user(c, map);
out:
	oauth_usermap_free(map);
	oauth_policy_free(policy);
}

/* --- --login ---------------------------------------------------------------------------- */

static enum oauth_status
show_info(void *ctx, const char *text)
{
	(void)ctx;
	printf("%s\n", text);
	fflush(stdout);
	return OAUTH_OK;
}

static enum oauth_status
wait_enter(void *ctx, const char *text)
{
	int ch;

	(void)ctx;
	printf("%s", text);
	fflush(stdout);
	while ((ch = getchar()) != EOF && ch != '\n')
		;
	if (!isatty(STDIN_FILENO))
		printf("\n"); /* no echoed Enter to end the prompt's line */
	return ch == EOF ? OAUTH_CONV : OAUTH_OK;
}

static void
print_claims(const char *what, const cJSON *claims)
{
	char name[OAUTH_LOG_FIELD_MAX], value[FINDING_MAX];
	const cJSON *it;
	char *text;

	if (claims == NULL)
		return;
	printf("%s:\n", what);
	cJSON_ArrayForEach(it, claims)
	{
		text = cJSON_IsString(it) ? NULL : cJSON_PrintUnformatted(it);
		printf("  %-20s %s\n", oauth_sanitize(name, sizeof(name), it->string),
		       oauth_sanitize(value, sizeof(value), text != NULL ? text : it->valuestring));
		cJSON_free(text);
	}
}

static void
check_login(struct check *c)
{
	struct oauth_logger log = {core_log, NULL, c->cfg.debug};
	struct oauth_display_ops ops = {show_info, wait_enter, NULL, NULL};
	struct oauth_login_request req = {
	    .user = c->user, .service = c->service[0] != '\0' ? c->service : "pam_oauth_check"};
	struct oauth_login_claims claims = {0};
	struct oauth_identity id = {0};
	char err[OAUTH_ERR_SIZE], host[256] = "";
	enum oauth_status rc;

	if (gethostname(host, sizeof(host) - 1) == 0)
		req.host = host;
	rc = oauth_login_claims(&c->cfg, &req, &ops, &log, &id, &claims, err, sizeof(err));
	if (!c->json) {
		print_claims("ID token claims (verified)", claims.id_claims);
		print_claims("userinfo", claims.userinfo);
	}
	if (id.username != NULL)
		finding(c, rc == OAUTH_OK ? L_OK : L_ERROR, "login: %s=%s, account %s: %s%s",
		        c->cfg.username_claim, id.username, c->user,
		        rc == OAUTH_OK ? "allowed" : "refused: ", rc == OAUTH_OK ? "" : err);
	else
		finding(c, L_ERROR, "login: %s: %s", oauth_status_str(rc), err);
	oauth_json_free(claims.id_claims);
	oauth_json_free(claims.userinfo);
	oauth_identity_free(&id);
}

/* --- main ---------------------------------------------------------------------------------- */

static int
exit_status(const struct check *c)
{
	int worst = L_OK;
	size_t i;

	for (i = 0; i < c->nfindings; i++)
		if ((int)c->findings[i].level > worst)
			worst = (int)c->findings[i].level;
	return worst;
}

static void
print_json(struct check *c, int status)
{
	cJSON *root = cJSON_CreateObject(), *list, *f;
	char *text;
	size_t i;

	if (root == NULL)
		return;
	cJSON_AddStringToObject(root, "service", c->service);
	cJSON_AddNumberToObject(root, "status", status);
	cJSON_AddStringToObject(root, "result", level_words[status]);
	cJSON_AddItemToObject(root, "settings", c->settings);
	c->settings = NULL;
	list = cJSON_AddArrayToObject(root, "findings");
	for (i = 0; list != NULL && i < c->nfindings; i++) {
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "level", level_words[c->findings[i].level]);
		cJSON_AddStringToObject(f, "text", c->findings[i].text);
		cJSON_AddItemToArray(list, f);
	}
	text = cJSON_Print(root);
	if (text != NULL)
		printf("%s\n", text);
	cJSON_free(text);
	oauth_json_free(root);
}

static void
usage(FILE *to)
{
	fprintf(to, "usage: pam_oauth_check [--config PATH] [--service NAME] [--user NAME] "
	            "[--login] [--json]\n"
	            "                       [--sshd-t FILE] [--pam-dir DIR]\n");
}

static int
parse_args(struct check *c, int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
	                                     {"service", required_argument, NULL, 's'},
	                                     {"user", required_argument, NULL, 'u'},
	                                     {"login", no_argument, NULL, 'l'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"sshd-t", required_argument, NULL, 'T'},
	                                     {"pam-dir", required_argument, NULL, 'P'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	int ch;

	while ((ch = getopt_long(argc, argv, "c:s:u:ljh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			c->config = optarg;
			break;
		case 's':
			c->service = optarg;
			break;
		case 'u':
			c->user = optarg;
			break;
		case 'l':
			c->login = 1;
			break;
		case 'j':
			c->json = 1;
			break;
		case 'T':
			c->sshd_t = optarg;
			break;
		case 'P':
			c->pam_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || (c->login && c->user == NULL) || (c->login && c->json)) {
		fprintf(stderr, "pam_oauth_check: %s\n",
		        optind != argc    ? "unexpected argument"
		        : c->user == NULL ? "--login needs --user (the account to log in)"
		                          : "--login is for a terminal: no --json");
		usage(stderr);
		return -1;
	}
	return 1;
}

int
main(int argc, char **argv)
{
	static struct check c = {.service = "", .pam_dir = PAM_DIR};
	int rc, status;

	rc = parse_args(&c, argc, argv);
	if (rc <= 0)
		return rc == 0 ? 0 : L_ERROR;
	c.settings = cJSON_CreateObject();
	if (c.settings == NULL)
		return L_ERROR;
	if (load_config(&c) == 0) {
		show_settings(&c);
		check_mapping(&c);
		check_pam(&c);
		check_sshd(&c);
		if (c.login)
			check_login(&c);
		else
			check_provider(&c);
	} else {
		check_pam(&c);
	}
	status = exit_status(&c);
	if (c.json)
		print_json(&c, status);
	oauth_json_free(c.settings);
	oauth_config_free(&c.cfg);
	return status;
}
