/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* PAM entry points: read the settings and items, run the core login, map its result to PAM. */
#include "build_config.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#define PAM_SM_AUTH
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "config.h"
#include "conv.h"
#include "identity.h"
#include "log.h"
#include "login.h"
#include "policy.h"
#include "ratelimit.h"
#include "status.h"
#include "sudo_argv.h"

/* Everything else is hidden by -fvisibility=hidden and the version script. */
#define PAM_OAUTH_EXPORT __attribute__((visibility("default")))

/* getpwnam_r scratch space; sysconf may say "indeterminate". */
#define PW_BUF_SIZE 16384

/* pam_set_data name: the person denied a request on this handle. */
#define DENIED_DATA "pam_oauth_denied"

/* What an outcome line says beyond the status word. */
struct outcome {
	const char *service;
	const char *user;
	const char *rhost;
	const char *issuer;
	const struct oauth_identity *id;
	const char *result;
	const char *reason;
};

static void
pam_log_line(void *ctx, int prio, const char *line)
{
	pam_syslog((pam_handle_t *)ctx, prio, "%s", line);
}

/* One greppable line per login, fields in a fixed order, each cleaned and bounded. */
static void
log_outcome(pam_handle_t *pamh, const struct outcome *o)
{
	char service[OAUTH_LOG_FIELD_MAX], user[OAUTH_LOG_FIELD_MAX], rhost[OAUTH_LOG_FIELD_MAX];
	char issuer[OAUTH_LOG_FIELD_MAX], claim[OAUTH_LOG_FIELD_MAX], sub[OAUTH_LOG_FIELD_MAX];
	char reason[OAUTH_ERR_SIZE];
	int prio = strcmp(o->result, "ok") == 0 ? LOG_INFO : LOG_NOTICE;

	pam_syslog(
	    pamh, prio, "service=%s user=%s rhost=%s issuer=%s claim=%s sub=%s result=%s reason=%s",
	    oauth_sanitize(service, sizeof(service), o->service ? o->service : "-"),
	    oauth_sanitize(user, sizeof(user), o->user ? o->user : "-"),
	    oauth_sanitize(rhost, sizeof(rhost), o->rhost && *o->rhost ? o->rhost : "-"),
	    oauth_sanitize(issuer, sizeof(issuer), o->issuer ? o->issuer : "-"),
	    oauth_sanitize(claim, sizeof(claim), o->id && o->id->username ? o->id->username : "-"),
	    oauth_sanitize(sub, sizeof(sub), o->id && o->id->sub ? o->id->sub : "-"), o->result,
	    oauth_sanitize(reason, sizeof(reason), o->reason ? o->reason : "-"));
}

/* failmode only decides faults (provider unreachable or nonsensical); never PAM_SUCCESS. */
static int
status_to_pam(enum oauth_status st, enum oauth_failmode failmode, const struct oauth_conv *conv)
{
	switch (st) {
	case OAUTH_OK:
		return PAM_SUCCESS;
	case OAUTH_DENIED:
		/*
		 * A "no" is final. sshd 9.2 then stops keyboard-interactive for
		 * the connection (each new try would run in a fresh process, so
		 * nothing else reaches it); sudo asks again on the same handle,
		 * where denied_before() answers at once.
		 */
		return PAM_MAXTRIES;
	case OAUTH_EXPIRED:
	case OAUTH_WRONG_IDENTITY:
	case OAUTH_NO_ACCOUNT:
	case OAUTH_POLICY:
	case OAUTH_INVALID_TOKEN:
	case OAUTH_RATE_LIMITED:
		return PAM_AUTH_ERR;
	case OAUTH_UNAVAILABLE:
	case OAUTH_PROTOCOL:
		return failmode == OAUTH_FAILMODE_SAFE ? PAM_IGNORE : PAM_AUTHINFO_UNAVAIL;
	case OAUTH_CONFIG:
		return PAM_SERVICE_ERR;
	case OAUTH_CONV:
		return conv->pam_error == PAM_CONV_AGAIN ? PAM_INCOMPLETE : PAM_CONV_ERR;
	case OAUTH_NOMEM:
		return PAM_BUF_ERR;
	case OAUTH_NO_PUSH: /* login.c turns it into the device flow: never here */
		break;
	}
	return PAM_AUTH_ERR; /* fail closed on anything unforeseen */
}

/* What the person reads when the login fails; never provider text. */
static const char *
user_message(enum oauth_status st)
{
	switch (st) {
	case OAUTH_DENIED:
		return "The sign-in request was denied.";
	case OAUTH_EXPIRED:
		return "The sign-in request expired before it was approved.";
	case OAUTH_WRONG_IDENTITY:
		return "The sign-in was approved by a different account than the one logging in.";
	case OAUTH_NO_ACCOUNT:
		return "The identity provider's answer named no account for this login.";
	case OAUTH_POLICY:
		return "Your account is not allowed to sign in here.";
	case OAUTH_INVALID_TOKEN:
		return "The identity provider's answer could not be verified.";
	case OAUTH_UNAVAILABLE:
	case OAUTH_PROTOCOL:
		return "The identity provider cannot be reached right now.";
	case OAUTH_CONFIG:
		return "Sign-in is not configured correctly; contact your administrator.";
	case OAUTH_OK:
	case OAUTH_CONV:
	case OAUTH_NOMEM:
	case OAUTH_NO_PUSH:
	case OAUTH_RATE_LIMITED: /* says how long to wait: ratelimit.c writes it */
		break;
	}
	return NULL;
}

/* A static marker: the handle keeps a pointer to it, so there is nothing to free. */
static char denied_marker;

static int
denied_before(pam_handle_t *pamh)
{
	const void *v = NULL;

	return pam_get_data(pamh, DENIED_DATA, &v) == PAM_SUCCESS && v == &denied_marker;
}

static void
remember_denial(pam_handle_t *pamh)
{
	(void)pam_set_data(pamh, DENIED_DATA, &denied_marker, NULL);
}

/*
 * 1 when account exists locally (its uid and canonical name, owned, filled), 0
 * when not, -1 when the lookup failed; asked before anything is sent to the provider.
 */
static int
local_account(const char *account, uid_t *uid, char **name)
{
	struct passwd pw, *found = NULL;
	char *buf = malloc(PW_BUF_SIZE);
	int rc;

	*name = NULL;
	if (buf == NULL)
		return -1;
	rc = getpwnam_r(account, &pw, buf, PW_BUF_SIZE, &found);
	if (found != NULL) {
		*uid = pw.pw_uid;
		*name = strdup(pw.pw_name != NULL ? pw.pw_name : account);
	}
	free(buf);
	if (found != NULL)
		return *name != NULL ? 1 : -1;
	if (rc != 0 && rc != ENOENT && rc != ESRCH)
		return -1;
	return 0;
}

/*
 * deny_users and min_uid, before any request. The name NSS gives back counts
 * too: a case-insensitive directory may answer "Root" with root's entry.
 */
static enum oauth_status
account_allowed(const struct oauth_config *cfg, const char *user, const char *canonical, uid_t uid,
                char *err, size_t errlen)
{
	enum oauth_status st = oauth_policy_account_allowed(cfg, user, uid, err, errlen);

	if (st == OAUTH_OK && strcmp(user, canonical) != 0)
		st = oauth_policy_account_allowed(cfg, canonical, uid, err, errlen);
	return st;
}

static const char *
get_item_str(pam_handle_t *pamh, int item)
{
	const void *v = NULL;

	if (pam_get_item(pamh, item, &v) != PAM_SUCCESS)
		return NULL;
	return v;
}

/*
 * The abuse limits, right before the first request to the provider: only a try
 * that would reach it counts. A refused try gets the person's message in msg.
 * A state store that cannot be used neither refuses nor admits: it is logged,
 * and the login goes on to the provider, where the person must still approve
 * (pam_oauth.conf(5), rate_limit_dir, says why).
 */
static enum oauth_status
check_limits(const struct oauth_config *cfg, const struct oauth_login_request *req,
             const struct oauth_logger *log, char *msg, size_t msglen, char *err, size_t errlen)
{
	const struct oauth_ratelimit rl = {.dir = cfg->rate_limit_dir,
	                                   .account = cfg->rate_limit,
	                                   .source = cfg->rate_limit_rhost,
	                                   .owner = cfg->owner,
	                                   .log = log};
	const struct oauth_ratelimit_try t = {
	    .provider = cfg->issuer != NULL ? cfg->issuer : cfg->device_authorization_endpoint,
	    .client_id = cfg->client_id,
	    .account = req->user,
	    .rhost = req->rhost,
	    .tty = req->tty};
	struct oauth_ratelimit_refusal refusal;
	enum oauth_status st = oauth_ratelimit_check(&rl, &t, &refusal, err, errlen);

	if (st == OAUTH_RATE_LIMITED)
		oauth_ratelimit_message(&refusal, msg, msglen);
	if (st == OAUTH_UNAVAILABLE) {
		oauth_log(log, LOG_ERR, "rate limits not applied to this login: %s", err);
		oauth_seterr(err, errlen, "%s", "");
		st = OAUTH_OK;
	}
	return st;
}

/* The name typed and the account it named differ only in case, say: worth a line for the admin. */
static void
log_alias(const struct oauth_logger *log, const char *user, const char *canonical)
{
	char typed[OAUTH_LOG_FIELD_MAX], account[OAUTH_LOG_FIELD_MAX];

	oauth_log(log, LOG_NOTICE, "user name \"%s\" is the local account \"%s\"",
	          oauth_sanitize(typed, sizeof(typed), user),
	          oauth_sanitize(account, sizeof(account), canonical));
}

/* One pam_authenticate() so far: what its outcome line will say, and what to free. */
struct attempt {
	pam_handle_t *pamh;
	struct oauth_conv conv;
	struct oauth_logger log;
	struct oauth_login_request req;
	struct outcome o;
	char *canonical; /* owned */
	char err[OAUTH_ERR_SIZE];
};

/* Whether a message may be left out under PAM_SILENT. */
enum tell { TELL_UNLESS_SILENT, TELL_ALWAYS };

/* A step ended the login: its words for the outcome line, text for the person, the PAM code. */
static int
step_failed(struct attempt *a, enum oauth_status st, enum oauth_failmode failmode, const char *text,
            enum tell how)
{
	int rc = status_to_pam(st, failmode, &a->conv);

	a->o.result = oauth_status_str(st);
	a->o.reason = a->err;
	if (how == TELL_ALWAYS)
		oauth_conv_outcome(&a->conv, text);
	else
		oauth_conv_error(&a->conv, text);
	return rc;
}

/*
 * The local account, before anything is sent. It is the one the name service
 * returned: a case-insensitive directory (SSSD's AD provider, winbind) answers
 * "Alice" with alice's entry, and the identity must be that account's, not the
 * typed name's.
 */
static int
check_account(struct attempt *a, const struct oauth_config *cfg)
{
	const char *user = NULL;
	enum oauth_status st;
	uid_t uid = 0;
	int rc, exists;

	rc = pam_get_user(a->pamh, &user, NULL);
	if (rc != PAM_SUCCESS || user == NULL || *user == '\0') {
		a->o.result = "user_unknown";
		a->o.reason = "no user name";
		return rc == PAM_SUCCESS ? PAM_USER_UNKNOWN : rc;
	}
	a->o.user = user;
	exists = local_account(user, &uid, &a->canonical);
	if (exists != 1) {
		a->o.result = exists < 0 ? "nomem" : "user_unknown";
		a->o.reason = exists < 0 ? "account lookup failed" : "no such local account";
		return exists < 0 ? PAM_BUF_ERR : PAM_USER_UNKNOWN;
	}
	if (strcmp(user, a->canonical) != 0)
		log_alias(&a->log, user, a->canonical);
	a->o.user = a->canonical;
	/* PAM_AUTH_ERR, not PAM_IGNORE: under "required" a refused account must not pass. */
	st = account_allowed(cfg, user, a->canonical, uid, a->err, sizeof(a->err));
	if (st != OAUTH_OK)
		return step_failed(a, st, cfg->failmode, user_message(st), TELL_UNLESS_SILENT);
	a->req.user = a->canonical;
	return PAM_SUCCESS;
}

/* Asks the provider, unless the person said no before or the abuse limits refuse. */
static int
ask_provider(struct attempt *a, const struct oauth_config *cfg, struct oauth_identity *id)
{
	char msg[OAUTH_ERR_SIZE] = "";
	char host[HOST_NAME_MAX + 1] = "";
	char command[OAUTH_SUDO_MAX_COMMAND + 1] = "";
	struct oauth_display_ops ops;
	enum oauth_status st;

	if (denied_before(a->pamh)) {
		a->o.result = oauth_status_str(OAUTH_DENIED);
		a->o.reason = "denied earlier in this session; no new request";
		oauth_conv_outcome(&a->conv, "The sign-in request was denied; not asking again.");
		return PAM_MAXTRIES;
	}
	st = check_limits(cfg, &a->req, &a->log, msg, sizeof(msg), a->err, sizeof(a->err));
	if (st != OAUTH_OK)
		return step_failed(a, st, cfg->failmode,
		                   st == OAUTH_RATE_LIMITED ? msg : user_message(st), TELL_ALWAYS);
	if (gethostname(host, sizeof(host) - 1) != 0)
		host[0] = '\0';
	a->req.host = host;
	if (cfg->push_command)
		oauth_sudo_command_of_self(command, sizeof(command));
	a->req.command = command[0] != '\0' ? command : NULL;
	oauth_conv_ops(&a->conv, &ops);
	st = oauth_login(cfg, &a->req, &ops, &a->log, id, a->err, sizeof(a->err));
	a->o.id = id;
	if (st == OAUTH_OK) {
		a->o.result = oauth_status_str(st);
		a->o.reason = "approved";
		return PAM_SUCCESS;
	}
	if (st == OAUTH_DENIED)
		remember_denial(a->pamh);
	return step_failed(a, st, cfg->failmode, user_message(st), TELL_ALWAYS);
}

/* Everything the module does for one pam_authenticate(). */
static int
authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv, locale_t caller)
{
	struct attempt a = {.pamh = pamh,
	                    .conv = {.pamh = pamh,
	                             .flags = flags,
	                             .pam_error = PAM_SUCCESS,
	                             .caller_locale = caller},
	                    .log = {.fn = pam_log_line, .ctx = pamh, .debug = 0}};
	struct oauth_config cfg;
	struct oauth_identity id = {0};
	enum oauth_status st;
	int rc;

	a.req.service = get_item_str(pamh, PAM_SERVICE);
	a.req.rhost = get_item_str(pamh, PAM_RHOST);
	a.req.tty = get_item_str(pamh, PAM_TTY);
	a.o.service = a.req.service;
	a.o.rhost = a.req.rhost;
	st = oauth_config_load(&cfg, a.req.service ? a.req.service : "", argc, argv, a.err,
	                       sizeof(a.err));
	if (st != OAUTH_OK) {
		rc = step_failed(&a, st, OAUTH_FAILMODE_SECURE, user_message(st),
		                 TELL_UNLESS_SILENT);
		goto out;
	}
	a.log.debug = cfg.debug;
	a.o.issuer = cfg.issuer;
	rc = check_account(&a, &cfg);
	if (rc == PAM_SUCCESS)
		rc = ask_provider(&a, &cfg, &id);
out:
	log_outcome(pamh, &a.o);
	free(a.canonical);
	oauth_identity_free(&id);
	oauth_config_free(&cfg);
	return rc;
}

PAM_OAUTH_EXPORT PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	/*
	 * su and others call setlocale() with the person's locale. Number parsing,
	 * case folding and character classes in the module and the libraries it
	 * calls must not depend on it: this thread runs in "C" (built in, nothing
	 * read from disk), and the caller's locale is back before we return.
	 */
	locale_t c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	locale_t caller;
	int rc;

	if (c_locale == (locale_t)0) {
		pam_syslog(pamh, LOG_ERR, "cannot switch to the C locale: out of memory");
		return PAM_BUF_ERR;
	}
	caller = uselocale(c_locale);
	rc = authenticate(pamh, flags, argc, argv, caller);
	(void)uselocale(caller);
	freelocale(c_locale);
	return rc;
}

PAM_OAUTH_EXPORT PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}
