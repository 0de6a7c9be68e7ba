/*
 * session.c - the session table (see session.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>

#include "session.h"

/* How long a session before sign-in (a sign-in form) lives. */
#define ANON_LIFETIME 3600

static struct session *table[SESSION_MAX];
static struct session_cfg config = { 15 * 60, 8 * 3600 };

void
session_setup(const struct session_cfg *cfg)
{
	config = *cfg;
}

static int
random_hex(char out[SESSION_TOKEN_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[SESSION_TOKEN_HEX / 2];
	size_t i;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -1;
	for (i = 0; i < sizeof(b); i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[SESSION_TOKEN_HEX] = '\0';
	OPENSSL_cleanse(b, sizeof(b));
	return 0;
}

static void
drop(size_t i)
{
	struct session *s = table[i];

	if (s == NULL)
		return;
	lv_free(&s->lv);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
	table[i] = NULL;
}

static int
expired(const struct session *s, time_t now)
{
	/* a sign-in form's token lasts its own hour, whatever the limits
	 * of signed-in sessions are */
	if (s->lv == NULL)
		return now - s->created >= ANON_LIFETIME;
	/* >=: a limit of 0 ends every session at its next use */
	return now - s->last >= config.idle ||
	    now - s->created >= config.lifetime;
}

struct session *
session_new(struct lv *lv, time_t now)
{
	struct session *s;
	size_t i, slot = SESSION_MAX, oldest = SESSION_MAX;

	for (i = 0; i < SESSION_MAX; i++) {
		if (table[i] != NULL && expired(table[i], now))
			drop(i);
		if (table[i] == NULL) {
			if (slot == SESSION_MAX)
				slot = i;
			continue;
		}
		if (oldest == SESSION_MAX ||
		    (table[i]->lv == NULL && table[oldest]->lv != NULL) ||
		    ((table[i]->lv == NULL) == (table[oldest]->lv == NULL) &&
		    table[i]->last < table[oldest]->last))
			oldest = i;
	}
	if (slot == SESSION_MAX) {
		drop(oldest);
		slot = oldest;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if (random_hex(s->id) != 0 || random_hex(s->csrf) != 0) {
		free(s);
		return NULL;
	}
	s->created = s->last = now;
	s->notice = -1;
	s->lv = lv;
	if (lv != NULL && lv_whoami(lv, &s->actor) != 0) {
		s->lv = NULL;
		free(s);
		return NULL;
	}
	table[slot] = s;
	return s;
}

struct session *
session_find(const char *id, time_t now)
{
	size_t i;

	if (id == NULL || strlen(id) != SESSION_TOKEN_HEX)
		return NULL;
	for (i = 0; i < SESSION_MAX; i++) {
		if (table[i] == NULL ||
		    CRYPTO_memcmp(table[i]->id, id, SESSION_TOKEN_HEX) != 0)
			continue;
		if (expired(table[i], now)) {
			drop(i);
			return NULL;
		}
		table[i]->last = now;
		return table[i];
	}
	return NULL;
}

void
session_end(struct session *s)
{
	size_t i;

	for (i = 0; i < SESSION_MAX; i++)
		if (table[i] == s)
			drop(i);
}

int
session_csrf_ok(const struct session *s, const char *token)
{
	if (s == NULL || token == NULL || strlen(token) != SESSION_TOKEN_HEX)
		return 0;
	return CRYPTO_memcmp(s->csrf, token, SESSION_TOKEN_HEX) == 0;
}

void
session_end_all(void)
{
	size_t i;

	for (i = 0; i < SESSION_MAX; i++)
		drop(i);
}
