/*
 * session.h - sign-in sessions, held in the server's memory only.
 *
 * A session is named by 32 random bytes (hex in the cookie) and carries
 * its own CSRF token (32 more random bytes) that every form posts back.
 * It ends at sign-out, after `idle` seconds without a request, or
 * `lifetime` seconds after it began - whichever comes first; the server
 * checks both on every request (the cookie's own Max-Age is only a
 * hint to the browser).  A session before sign-in (anonymous: no ledger
 * handle) exists only to carry the sign-in form's CSRF token; signing in
 * always makes a NEW session, so an id seen before sign-in is worthless
 * after it.  An anonymous session lives an hour, whatever the limits
 * of signed-in ones.
 *
 * The table is bounded (SESSION_MAX); when full the oldest anonymous
 * session, then the oldest of all, is dropped.
 */
#ifndef UC_SERVER_SESSION_H
#define UC_SERVER_SESSION_H

#include <stdint.h>
#include <time.h>

#include "ledger_view.h"

#define SESSION_MAX 4096
#define SESSION_TOKEN_HEX 64
#define SESSION_NOTICE_MAX 512

struct session {
	char id[SESSION_TOKEN_HEX + 1];
	char csrf[SESSION_TOKEN_HEX + 1];
	time_t created;
	time_t last;
	struct lv *lv;          /* NULL: not signed in */
	struct lv_actor actor;  /* valid when lv != NULL */
	int notice;             /* a message id to show once, or -1 */
	char notice_arg[SESSION_NOTICE_MAX]; /* its detail (untrusted text) */
};

struct session_cfg {
	time_t idle;     /* seconds */
	time_t lifetime; /* seconds */
};

void session_setup(const struct session_cfg *cfg);
/* A new session (lv handed over, may be NULL); NULL when out of memory
 * or randomness. */
struct session *session_new(struct lv *lv, time_t now);
/* The live session named id, touched; NULL when none or expired (an
 * expired one is ended here). */
struct session *session_find(const char *id, time_t now);
void session_end(struct session *s);
/* 1 when token is s's CSRF token (constant time). */
int session_csrf_ok(const struct session *s, const char *token);
/* End every session (at shutdown). */
void session_end_all(void);

#endif
