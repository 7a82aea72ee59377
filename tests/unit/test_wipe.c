/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/*
 * No secret outlives its use: this program interposes free() and, while a whole
 * login runs against a scripted provider, fails when a block freed by the
 * module's code or by cJSON on the module's behalf still holds one of the
 * secrets the provider handed out. libcurl's and OpenSSL's own buffers are not
 * the module's and are left out (README: "What is wiped").
 */
#include "build_config.h"

#include <stdio.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#ifdef UNDER_ASAN
/* The sanitizer owns malloc and free: a free() of ours would hand it glibc's blocks. */
int
main(void)
{
	printf("SKIP: free() interposition does not work under AddressSanitizer\n");
	return 77;
}
#else

#include <dlfcn.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"
#include "login.h"
#include "testjose.h"
#include "testutil.h"

#define ISSUER "https://issuer.test"
/* The secrets, each a marker no other byte string in the test contains. */
#define DEVICE_CODE "dc-MARK-7f3a9e1b"
#define ACCESS_TOKEN "at-MARK-2c8d4f6a"
#define REFRESH_TOKEN "rt-MARK-9b1e5d3c"
#define AUTH_REQ_ID "rid-MARK-4e7a2b8f"
#define CLIENT_SECRET "cs-MARK-6d0c3a5e"
/* At most this many markers are looked for (the ID token and its signature add two). */
#define MAX_MARKERS 8
/* Findings kept for the report; the count goes on. */
#define MAX_FINDINGS 16

extern void __libc_free(void *ptr);

/*
 * Set by the main thread around the login only: the scripted server's thread
 * never checks. volatile: the compiler takes free() for a builtin that reads no
 * variable of ours, and would drop a store made just before a call to it.
 */
static __thread volatile int checking;
static const char *markers[MAX_MARKERS];
static volatile size_t nmarkers;
static const void *exe_base, *cjson_base;
static int findings;
static char found[MAX_FINDINGS][160];

static const void *
object_of(const void *addr)
{
	Dl_info info;

	return dladdr(addr, &info) != 0 ? info.dli_fbase : NULL;
}

/* The module's code is linked into this program; cJSON frees what it parsed for the module. */
static int
freed_for_the_module(const void *caller)
{
	const void *base = object_of(caller);

	return base != NULL && (base == exe_base || base == cjson_base);
}

/* "symbol+offset" of a code address, for the report. */
static void
describe(const void *addr, char *out, size_t outlen)
{
	Dl_info info;
	const char *base;

	memset(&info, 0, sizeof(info));
	(void)dladdr(addr, &info);
	base = info.dli_saddr != NULL ? info.dli_saddr : info.dli_fbase;
	snprintf(out, outlen, "%s+%#lx", info.dli_sname != NULL ? info.dli_sname : "?",
	         (unsigned long)((const char *)addr - base));
}

static void
check_block(const unsigned char *p, size_t n, const void *caller)
{
	char where[96];
	size_t i;

	for (i = 0; i < nmarkers; i++) {
		if (memmem(p, n, markers[i], strlen(markers[i])) == NULL)
			continue;
		if (findings < MAX_FINDINGS) {
			describe(caller, where, sizeof(where));
			snprintf(found[findings], sizeof(found[0]),
			         "%.24s... freed unwiped from %s", markers[i], where);
		}
		findings++;
	}
}

/*
 * Every block is zeroed before glibc gets it back, checked or not, so that a
 * block reused later never shows a secret someone else left in it. Exported
 * despite -fvisibility=hidden: the libraries' calls must land here too.
 */
__attribute__((visibility("default"))) void
free(void *ptr)
{
	const void *caller = __builtin_return_address(0);
	size_t n;

	if (ptr == NULL)
		return;
	n = malloc_usable_size(ptr);
	if (checking && nmarkers > 0 && freed_for_the_module(caller)) {
		checking = 0; /* dladdr and snprintf may free */
		check_block(ptr, n, caller);
		checking = 1;
	}
	memset(ptr, 0, n);
	__libc_free(ptr);
}

static enum oauth_status
quiet_info(void *ctx, const char *text)
{
	(void)ctx;
	(void)text;
	return OAUTH_OK;
}

static enum oauth_status
quiet_prompt(void *ctx, const char *text)
{
	(void)ctx;
	(void)text;
	return OAUTH_OK;
}

static EVP_PKEY *signer;

static char *
reply_json(const char *body)
{
	return tj_strf(
	    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    strlen(body), body);
}

static char *
id_token(void)
{
	long long now = (long long)time(NULL);
	char *claims = tj_strf("{\"iss\":\"%s\",\"aud\":\"pam-test\",\"sub\":\"u-1\",\"exp\":%lld,"
	                       "\"iat\":%lld,\"preferred_username\":\"alice\"}",
	                       ISSUER, now + 300, now);
	char *tok = tj_token(signer, "RS256", "{\"alg\":\"RS256\",\"kid\":\"k1\"}", claims);

	free(claims);
	return tok;
}

static char *
token_reply(const char *idt)
{
	char *body = tj_strf("{\"access_token\":\"" ACCESS_TOKEN "\",\"token_type\":\"Bearer\","
	                     "\"refresh_token\":\"" REFRESH_TOKEN "\",\"id_token\":\"%s\"}",
	                     idt);
	char *r = reply_json(body);

	free(body);
	return r;
}

static char *
jwks_reply(void)
{
	char *jwk = tj_jwk(signer, "k1", "\"alg\":\"RS256\",\"use\":\"sig\"");
	const char *one[1] = {jwk};
	char *set = tj_jwks(1, one);
	char *r = reply_json(set);

	free(jwk);
	free(set);
	return r;
}

/* Settings for a confidential client against h; free with oauth_config_free. */
static void
fill_config(struct oauth_config *cfg, const struct httpd *h, enum oauth_mode mode,
            enum oauth_client_auth how)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->issuer = strdup(ISSUER);
	cfg->device_authorization_endpoint = tj_strf("%s/device/auth", h->base);
	cfg->backchannel_authentication_endpoint = tj_strf("%s/bc-authorize", h->base);
	cfg->token_endpoint = tj_strf("%s/token", h->base);
	cfg->jwks_uri = tj_strf("%s/jwks", h->base);
	cfg->userinfo_endpoint = tj_strf("%s/me", h->base);
	cfg->client_id = strdup("pam-test");
	cfg->client_secret = strdup(CLIENT_SECRET);
	cfg->client_auth = how;
	cfg->scope = strdup("openid profile");
	cfg->username_claim = strdup("preferred_username");
	cfg->login_hint_template = strdup("{user}");
	cfg->binding_message_max = 20;
	cfg->mode = mode;
	cfg->timeout = 30;
	cfg->http_timeout = 5;
	cfg->qr = OAUTH_QR_UTF8;
	cfg->prompt = OAUTH_PROMPT_ENTER;
}

/* One login against the replies, with the free() check on; returns its status. */
static enum oauth_status
checked_login(char **raw, size_t n, const char *idt, enum oauth_mode mode,
              enum oauth_client_auth how)
{
	struct httpd_reply replies[8];
	struct oauth_login_request req = {.user = "alice", .service = "sshd", .host = "web01"};
	struct oauth_display_ops ops = {quiet_info, quiet_prompt, NULL, NULL};
	struct oauth_identity id;
	struct oauth_config cfg;
	struct httpd h;
	char err[OAUTH_ERR_SIZE] = "";
	enum oauth_status rc;
	size_t i;

	memset(replies, 0, sizeof(replies));
	for (i = 0; i < n; i++)
		replies[i].raw = raw[i];
	if (httpd_start(&h, replies, n) != 0)
		return OAUTH_UNAVAILABLE;
	fill_config(&cfg, &h, mode, how);
	nmarkers = 0;
	markers[nmarkers++] = DEVICE_CODE;
	markers[nmarkers++] = ACCESS_TOKEN;
	markers[nmarkers++] = REFRESH_TOKEN;
	markers[nmarkers++] = AUTH_REQ_ID;
	markers[nmarkers++] = CLIENT_SECRET;
	markers[nmarkers++] = idt;                   /* the whole ID token */
	markers[nmarkers++] = strrchr(idt, '.') + 1; /* its signature alone */
	checking = 1;
	rc = oauth_login(&cfg, &req, &ops, NULL, &id, err, sizeof(err));
	oauth_identity_free(&id);
	oauth_config_free(&cfg);
	checking = 0;
	nmarkers = 0;
	if (rc != OAUTH_OK)
		printf("  login: %s: %s\n", oauth_status_str(rc), err);
	httpd_stop(&h);
	httpd_free(&h);
	return rc;
}

static void
report(void)
{
	int i;

	for (i = 0; i < findings && i < MAX_FINDINGS; i++)
		T_FAIL("%s", found[i]);
	CHECK_INT(findings, 0);
	findings = 0;
}

static void
test_device_login_leaves_no_secret_in_freed_memory(void)
{
	char *idt = id_token();
	char *raw[3] = {reply_json("{\"device_code\":\"" DEVICE_CODE
	                           "\",\"user_code\":\"WDJB-MJHT\","
	                           "\"verification_uri\":\"https://issuer.test/device\","
	                           "\"expires_in\":600,\"interval\":1}"),
	                token_reply(idt), jwks_reply()};
	size_t i;

	CHECK_INT(checked_login(raw, 3, idt, OAUTH_MODE_DEVICE, OAUTH_CLIENT_AUTH_BASIC), OAUTH_OK);
	report();
	for (i = 0; i < 3; i++)
		free(raw[i]);
	free(idt);
}

static void
test_push_login_leaves_no_secret_in_freed_memory(void)
{
	char *idt = id_token();
	char *raw[3] = {reply_json("{\"auth_req_id\":\"" AUTH_REQ_ID "\",\"expires_in\":120,"
	                           "\"interval\":1}"),
	                token_reply(idt), jwks_reply()};
	size_t i;

	CHECK_INT(checked_login(raw, 3, idt, OAUTH_MODE_CIBA, OAUTH_CLIENT_AUTH_POST), OAUTH_OK);
	report();
	for (i = 0; i < 3; i++)
		free(raw[i]);
	free(idt);
}

/* Loads text as a config file for sshd, with the free() check on; returns the load's status. */
static enum oauth_status
checked_load(const char *text)
{
	char path[] = "/tmp/pam-oauth-wipe.XXXXXX", err[OAUTH_ERR_SIZE] = "";
	const char *args[2] = {NULL, NULL};
	char arg[sizeof(path) + 8];
	struct oauth_config cfg;
	enum oauth_status rc;
	int fd = mkstemp(path); /* mode 0600: a file with a secret may be read by root only */

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		T_FAIL("cannot write %s", path);
		return OAUTH_CONFIG;
	}
	close(fd);
	snprintf(arg, sizeof(arg), "config=%s", path);
	args[0] = arg;
	markers[0] = CLIENT_SECRET;
	nmarkers = 1;
	checking = 1;
	rc = oauth_config_load_as(&cfg, "sshd", 1, args, getuid(), err, sizeof(err));
	oauth_config_free(&cfg);
	checking = 0;
	nmarkers = 0;
	unlink(path);
	return rc;
}

/* The file's buffer, the secret of another service's section, and a load that fails. */
static void
test_config_load_leaves_no_secret_in_freed_memory(void)
{
	CHECK_INT(checked_load("issuer = " ISSUER "\nclient_id = pam-test\n"
	                       "client_secret = " CLIENT_SECRET "\n"
	                       "[sudo]\nclient_secret = " CLIENT_SECRET "\n"
	                       "[sshd]\nclient_secret = " CLIENT_SECRET "\n"),
	          OAUTH_OK);
	report();
	CHECK_INT(checked_load("issuer = " ISSUER "\nclient_id = pam-test\n"
	                       "client_secret = " CLIENT_SECRET "\nno_such_key = 1\n"),
	          OAUTH_CONFIG);
	report();
}

/* The check itself: a block the module's code frees with a marker in it is caught. */
static void
test_an_unwiped_block_is_caught(void)
{
	/* volatile: else the compiler drops the strdup() and free() pair altogether. */
	char *volatile copy = strdup(ACCESS_TOKEN);

	markers[0] = ACCESS_TOKEN;
	nmarkers = 1;
	checking = 1;
	free(copy); /* this program is where the module's code lives */
	checking = 0;
	nmarkers = 0;
	CHECK_INT(findings, 1);
	findings = 0;
}

/* valgrind puts its own allocator in place of every free(), this one's too. */
static int
under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p != NULL && strstr(p, "vgpreload") != NULL;
}

int
main(void)
{
	if (under_valgrind()) {
		printf("SKIP: free() interposition does not work under valgrind\n");
		return 77;
	}
	exe_base = object_of((const void *)main);
	cjson_base = object_of((const void *)cJSON_Delete);
	signer = tj_rsa(2048);
	RUN(test_an_unwiped_block_is_caught);
	RUN(test_device_login_leaves_no_secret_in_freed_memory);
	RUN(test_push_login_leaves_no_secret_in_freed_memory);
	RUN(test_config_load_leaves_no_secret_in_freed_memory);
	EVP_PKEY_free(signer);
	return T_DONE();
}

#endif /* UNDER_ASAN */
