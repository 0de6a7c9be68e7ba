/*
 * server.h - what the HTTP plumbing (http.c) and the pages (pages.c)
 * share.  http.c reads a request (headers, cookies, a bounded body parsed
 * by libmicrohttpd's form reader), finds the session, and hands a struct
 * req to pages_handle(), which fills a struct resp.  http.c then adds the
 * security headers every response carries and sends it.
 */
#ifndef UC_SERVER_SERVER_H
#define UC_SERVER_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "msg.h"
#include "session.h"

#define FORM_FIELDS_MAX 16
#define FORM_KEY_MAX 32
#define FORM_VALUE_MAX 4096 /* a field that is not a file */

struct server_cfg {
	const char *ledger;
	const char *listen;        /* ADDR:PORT */
	int insecure_cookies;      /* no Secure flag: plain-HTTP loopback */
	size_t max_upload;         /* bytes of a request body */
	const char *tls_cert;      /* PEM files, or NULL: plain HTTP */
	const char *tls_key;
	long idle;                 /* session idle timeout, seconds */
	long lifetime;             /* session lifetime, seconds */
};

struct form_field {
	char key[FORM_KEY_MAX];
	char *val;                 /* NUL-terminated, may hold NULs for files */
	size_t len, cap;
	int is_file;
	char filename[128];
};

struct req {
	const struct server_cfg *cfg;
	const char *method;
	const char *path;          /* without the query */
	void *conn;                /* struct MHD_Connection * */
	enum msg_lang lang;
	struct session *s;         /* the live session, or NULL */
	time_t now;
	int is_post;
	struct form_field f[FORM_FIELDS_MAX];
	size_t nf;
	int too_large;             /* the body broke max_upload */
	int bad_form;              /* a field over its limit, too many fields */
};

#define RESP_COOKIES_MAX 3
struct resp {
	unsigned status;
	const char *ctype;         /* a literal */
	char *body;                /* malloc'd */
	size_t len;
	char location[512];        /* 303 target, or "" */
	char cookie[RESP_COOKIES_MAX][256];
	size_t ncookie;
	char log_note[128];        /* what the log line adds (never a secret) */
};

/* A query-string value (borrowed), or NULL. */
const char *req_query(const struct req *r, const char *key);
/* A request header (borrowed), or NULL. */
const char *req_header(const struct req *r, const char *key);
/* A form field's text (NULL if absent); len of a file field via *len. */
const char *req_form(const struct req *r, const char *key, size_t *len);
const struct form_field *req_form_field(const struct req *r,
    const char *key);

/* Set a cookie: name=value with the house flags; max_age < 0 deletes
 * it, 0 makes it last while the browser runs (sessions), > 0 that many
 * seconds (the language). */
void resp_cookie(struct resp *p, const struct req *r, const char *name,
    const char *value, long max_age);
/* The session cookie's name (__Host-uc_session, or uc_session when
 * cookies are not Secure). */
const char *session_cookie_name(const struct server_cfg *cfg);

void pages_handle(struct req *r, struct resp *p);

/* A log line on stderr, journald's "<N>" priority prefix first. */
void server_log(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
