/*
 * status_list.c - the issuer's signed status list as the verifier's
 * status source.  The file format is status_list_format.c's
 * (docs/status-list.md, uc_status_list_verify / uc_status_list_get); this
 * reads the file, checks its signature and freshness once, and answers
 * lookups by the card serial the card carries in E1/CA.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "unioncard/statuslist.h"
#include "unioncard/verify.h"

/* A status list for 10 million cards is ~300 KB; refuse absurd files. */
#define STATUS_LIST_FILE_MAX (64u * 1024u * 1024u)

struct uc_verify_status_list {
	struct uc_status_list_info info;
	unsigned char *bits;
	size_t bits_len;
};

static int
read_file(const char *path, unsigned char **out, size_t *len,
    struct uc_diag *diag)
{
	FILE *f = NULL;
	unsigned char *buf = NULL;
	long n;
	int r = UC_ERR_IO;

	*out = NULL;
	*len = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return uc_diag_set(diag, UC_ERR_IO, path, 0, NULL,
		    "cannot open: %s", strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		r = uc_diag_set(diag, UC_ERR_IO, path, 0, NULL,
		    "cannot read: %s", strerror(errno));
		goto out;
	}
	if ((unsigned long)n > STATUS_LIST_FILE_MAX) {
		r = uc_diag_set(diag, UC_ERR_INVALID, path, 0, NULL,
		    "larger than %u bytes", STATUS_LIST_FILE_MAX);
		goto out;
	}
	if ((buf = malloc((size_t)n + 1)) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		r = uc_diag_set(diag, UC_ERR_IO, path, 0, NULL,
		    "short read");
		goto out;
	}
	*out = buf;
	*len = (size_t)n;
	buf = NULL;
	r = 0;
out:
	free(buf);
	if (f != NULL)
		fclose(f);
	return r;
}

/* "YYYY-MM-DD HH:MM:SS UTC" of a Unix time. */
static void
utc(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, 32, "%lld", (long long)t);
}

/*
 * A list that parsed but was refused: say why with its times, so the
 * officer knows how old it is ("out of date: made ..., valid until ...").
 */
static void
with_times(struct uc_diag *diag, const unsigned char *data, size_t len,
    time_t check_time, int time_refused)
{
	struct uc_status_list_info info;
	char made[32], until[32], at[32], msg[sizeof(diag->msg) + 128];
	int64_t now = check_time != 0 ? (int64_t)check_time :
	    (int64_t)time(NULL);

	/* The header only: an unverified list is never inflated. */
	if (diag == NULL || uc_status_list_parse_header(data, len, &info) != 0)
		return;
	utc(info.issued_at, made);
	utc(now, at);
	utc(info.issued_at + (int64_t)info.ttl, until);
	if (time_refused && now > info.issued_at + (int64_t)info.ttl)
		snprintf(msg, sizeof(msg), "out of date: made %s, expired %s",
		    made, until);
	else if (time_refused)
		snprintf(msg, sizeof(msg), "from the future: made %s, after "
		    "the time checked (%s); valid until %s", made, at, until);
	else
		snprintf(msg, sizeof(msg), "%.200s (list made %s, valid until "
		    "%s)", diag->msg, made, until);
	msg[sizeof(diag->msg) - 1] = '\0';
	memcpy(diag->msg, msg, sizeof(diag->msg));
}

int
uc_verify_status_list_load(const char *path, const struct uc_trust *trust,
    time_t check_time, struct uc_verify_status_list **out,
    struct uc_diag *diag)
{
	struct uc_verify_status_list *l = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	int r;

	if (out != NULL)
		*out = NULL;
	uc_diag_clear(diag);
	if (path == NULL || trust == NULL || out == NULL)
		return UC_ERR_ARG;
	if ((r = read_file(path, &data, &len, diag)) != 0)
		goto out;
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	if ((r = uc_status_list_verify(data, len, trust, (int64_t)check_time,
	    &l->info, &l->bits, &l->bits_len, diag)) != 0) {
		if (diag != NULL && strcmp(diag->field, "status-list") != 0)
			with_times(diag, data, len, check_time,
			    strcmp(diag->field, "issued_at") == 0);
		if (diag != NULL && diag->file[0] == '\0')
			snprintf(diag->file, sizeof(diag->file), "%s", path);
		goto out;
	}
	*out = l;
	l = NULL;
	r = 0;
out:
	free(data);
	uc_verify_status_list_free(&l);
	return r;
}

int
uc_verify_status_list_lookup(void *ctx, const char *serial_hex,
    const char *card_serial, const char *member_code, int *revoked,
    char *detail, size_t cap)
{
	const struct uc_verify_status_list *l = ctx;
	int v;

	(void)serial_hex;
	(void)member_code;
	if (revoked != NULL)
		*revoked = 0;
	if (l == NULL || revoked == NULL)
		return UC_ERR_ARG;
	if (card_serial == NULL || card_serial[0] == '\0') {
		if (detail != NULL && cap > 0)
			snprintf(detail, cap, "the card carries no ledger card "
			    "serial (E1/CA), so no status list can vouch "
			    "for it");
		return UC_ERR_NOT_FOUND;
	}
	v = uc_status_list_get(&l->info, l->bits, l->bits_len, card_serial);
	if (v < 0) {
		if (detail != NULL && cap > 0)
			snprintf(detail, cap, "card %s is not covered by this "
			    "list (the list is issuer %02u's)", card_serial,
			    (unsigned)l->info.prefix);
		return v;
	}
	*revoked = v;
	if (detail != NULL && cap > 0)
		snprintf(detail, cap, "card %s %s in the list", card_serial,
		    v ? "is marked not valid (revoked, lost, stolen or "
		    "replaced)" : "is valid");
	return 0;
}

void
uc_verify_status_list_free(struct uc_verify_status_list **l)
{
	if (l == NULL || *l == NULL)
		return;
	if ((*l)->bits != NULL) {
		OPENSSL_cleanse((*l)->bits, (*l)->bits_len);
		free((*l)->bits);
	}
	free(*l);
	*l = NULL;
}

int
uc_verify_status_unusable(void *ctx, const char *serial_hex,
    const char *card_serial, const char *member_code, int *revoked,
    char *detail, size_t cap)
{
	const char *why = ctx;

	(void)serial_hex;
	(void)card_serial;
	(void)member_code;
	if (revoked != NULL)
		*revoked = 0;
	if (detail != NULL && cap > 0)
		snprintf(detail, cap, "the status list cannot be used: %s; "
		    "fetch a new one", why != NULL ? why : "unknown reason");
	return UC_ERR_VERIFY;
}
