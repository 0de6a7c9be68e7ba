/*
 * bench_station.c - what the issuance station itself costs per card.
 *
 * The station library (uc_station_encode) runs a whole accepted request
 * from start to end, in-process, as `unioncard encode --reader vcard:DIR`
 * does, minus the tool's start-up (keys, signer, ledger opened once,
 * before the clock starts):
 *   - a ledger file on disk with an accepted request of CARDS members;
 *   - a hopper DIR of CARDS blank virtual cards (each card a state file
 *     written anew and fsynced on every change, as a chip commits every
 *     write);
 *   - the station's own timers (struct uc_station_summary) split the time
 *     into card wait/load, personalization, read-back and ledger; a
 *     timing transport around vcard: splits perso and read-back further
 *     into the host's side and the card's (applet + state file).
 * The run is repeated with everything on tmpfs (/dev/shm) when there is
 * one: the difference is what fsync on the disk costs.
 *
 * With READER and KEYS the station runs over that reader instead (e.g.
 * "pcsc:Virtual PCD 00 00" with a `unioncard-vcard hopper --vpcd` of
 * CARDS blanks made for KEYS, passphrase "bench passphrase"): "inside the
 * card" is then every APDU's round trip through pcscd, and "card wait"
 * the printer's swap; bench/bench_station_pcsc.sh does that.
 *
 * Usage: bench_station [CARDS] [DIR] [READER KEYS]
 *        (default 200 cards in /tmp, an in-process hopper)
 * Run by hand; the figures go into docs/performance.md, never into tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "unioncard/error.h"
#include "unioncard/keys.h"
#include "unioncard/ledger.h"
#include "unioncard/perso.h"
#include "unioncard/scp03.h"
#include "unioncard/signer.h"
#include "unioncard/station.h"
#include "unioncard/transport.h"
#include "vcard/vcard.h"
#include "unioncard/verify.h"

#include "benchlib.h"

#define PASS "bench passphrase"
/* ms per card for personalization and read-back together. */
#define ENGINE_GOAL_MS 1.5
#define PW "bench password"

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void
die(const char *what, int r, const struct uc_diag *d)
{
	char buf[600] = "";

	if (d != NULL)
		uc_diag_format(d, buf, sizeof(buf));
	fprintf(stderr, "bench_station: %s: %s %s\n", what, uc_strerror(r),
	    buf);
	exit(2);
}

/* --- a transport that times the card's side of vcard: ------------------ */

struct timed {
	struct uc_transport *inner;
};

/* Milliseconds spent inside the card (transmit), and in connect. */
static double card_ms, connect_ms;

static int
timed_open(const char *name, void **ctx)
{
	struct timed *t = calloc(1, sizeof(*t));
	int r;

	if (t == NULL)
		return UC_ERR_NOMEM;
	if ((r = uc_transport_open(name, &t->inner)) != 0) {
		free(t);
		return r;
	}
	*ctx = t;
	return 0;
}

static int
timed_connect(void *ctx, int timeout_ms, uint8_t *atr, size_t *atr_len)
{
	struct timed *t = ctx;
	double t0 = now_ms();
	int r = uc_transport_connect(t->inner, timeout_ms, atr, atr_len);

	connect_ms += now_ms() - t0;
	return r;
}

static int
timed_transmit(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
    size_t resp_cap, size_t *resp_len)
{
	struct timed *t = ctx;
	double t0 = now_ms();
	int r = uc_transport_transmit(t->inner, cmd, cmd_len, resp, resp_cap,
	    resp_len);

	card_ms += now_ms() - t0;
	return r;
}

static int
timed_disconnect(void *ctx, int eject)
{
	return uc_transport_disconnect(((struct timed *)ctx)->inner, eject);
}

static int
timed_wait_removed(void *ctx, int timeout_ms)
{
	return uc_transport_wait_removed(((struct timed *)ctx)->inner,
	    timeout_ms);
}

static void
timed_close(void *ctx)
{
	struct timed *t = ctx;

	uc_transport_free(&t->inner);
	free(t);
}

static const struct uc_transport_ops timed_ops = {
	.scheme = "timed",
	.open = timed_open,
	.connect = timed_connect,
	.transmit = timed_transmit,
	.disconnect = timed_disconnect,
	.wait_removed = timed_wait_removed,
	.close = timed_close,
	.max_lc = UC_APDU_LC_MAX_EXT,
};

/* --- one run ---------------------------------------------------------- */

struct figures {
	int cards;
	double total, wait, perso, verify, ledger;
	double card;    /* inside the card: every APDU's transmit */
	double connect; /* powering a card: loading its state file */
	size_t encoded;
};

/* A ledger with an accepted request of n members; returns its id. */
static int64_t
ledger_with_request(struct uc_ledger *l, const char *dir, int n)
{
	char csv[700];
	size_t count = 0;
	int64_t id = 0;
	struct uc_diag d;
	FILE *fp;
	int i, r;

	(void)uc_ledger_set_kdf_cost(l, 1000);
	if ((r = uc_ledger_init(l, "52", "LĐLĐ tỉnh Bình Định", 52, "admin",
	    PW)) != 0 || (r = uc_ledger_login(l, "admin", PW)) != 0 ||
	    (r = uc_ledger_unit_add(l, "TP", "LĐLĐ huyện Tuy Phước", "52",
	    0)) != 0 ||
	    (r = uc_ledger_unit_add(l, "TP01", "CĐCS Công ty May Tuy Phước",
	    "TP", 0)) != 0 ||
	    (r = uc_ledger_account_add(l, "clerk", "TP01", UC_ROLE_CLERK,
	    PW)) != 0 ||
	    (r = uc_ledger_account_add(l, "approver", "TP", UC_ROLE_APPROVER,
	    PW)) != 0 ||
	    (r = uc_ledger_account_add(l, "printer", "52", UC_ROLE_PRINTER,
	    PW)) != 0)
		die("ledger setup", r, NULL);
	snprintf(csv, sizeof(csv), "%s/members.csv", dir);
	if ((fp = fopen(csv, "w")) == NULL)
		die("members.csv", UC_ERR_IO, NULL);
	fputs("full_name,date_of_birth,gender,national_id,position,"
	    "joined_on,mandatory\n", fp);
	for (i = 0; i < n; i++)
		fprintf(fp, "Nguyễn Thị Công Nhân %d,1990-01-01,nữ,0521%08d,"
		    "Công nhân,2015-01-15,0\n", i + 1, i + 1);
	fclose(fp);
	if ((fp = fopen(csv, "r")) == NULL)
		die("members.csv", UC_ERR_IO, NULL);
	if ((r = uc_ledger_login(l, "clerk", PW)) != 0 ||
	    (r = uc_ledger_member_import(l, "TP01", fp, csv, &count,
	    &d)) != 0)
		die("import", r, &d);
	fclose(fp);
	if ((r = uc_ledger_member_submit(l, "TP01", &count)) != 0 ||
	    (r = uc_ledger_login(l, "approver", PW)) != 0 ||
	    (r = uc_ledger_member_approve(l, "TP01", NULL, 0, &count)) != 0 ||
	    (r = uc_ledger_login(l, "clerk", PW)) != 0 ||
	    (r = uc_ledger_request_create(l, "TP01", "regular", NULL, 0, NULL,
	    NULL, &id)) != 0 ||
	    (r = uc_ledger_request_submit(l, id)) != 0 ||
	    (r = uc_ledger_login(l, "approver", PW)) != 0 ||
	    (r = uc_ledger_request_approve(l, id)) != 0 ||
	    (r = uc_ledger_login(l, "printer", PW)) != 0 ||
	    (r = uc_ledger_request_accept(l, id)) != 0)
		die("request", r, NULL);
	return id;
}

/* reader NULL: a hopper of fresh virtual cards in the run's directory. */
static void
run(const char *base, const char *keys, const char *reader_name, int cards,
    struct figures *f)
{
	char dir[512], path[700], reader[720], spec[1100];
	const char *what;
	struct uc_scp03_keys master;
	struct uc_signer *signer = NULL;
	struct uc_trust *trust = NULL;
	struct uc_ledger *l = NULL;
	struct uc_transport *t = NULL;
	struct uc_perso_keys pk;
	struct uc_station_opts so;
	struct uc_station_summary sum;
	struct uc_vcard_new_opts vo;
	struct uc_diag d;
	int64_t rid;
	int i, r;

	snprintf(dir, sizeof(dir), "%s/uc-bench-station-XXXXXX", base);
	if (mkdtemp(dir) == NULL)
		die(base, UC_ERR_IO, NULL);
	if ((r = bench_station_keys(keys, PASS, &signer, &master, &trust, &d,
	    &what)) != 0)
		die(what, r, &d);

	snprintf(path, sizeof(path), "%s/ledger.db", dir);
	if ((r = uc_ledger_open(&l, path, 1)) != 0)
		die("ledger open", r, NULL);
	rid = ledger_with_request(l, dir, cards);

	snprintf(path, sizeof(path), "%s/hopper", dir);
	if (reader_name != NULL)
		goto reader_ready;
	if (mkdir(path, 0700) != 0)
		die("hopper", UC_ERR_IO, NULL);
	memset(&vo, 0, sizeof(vo));
	vo.master_enc = master.enc;
	vo.master_mac = master.mac;
	vo.master_dek = master.dek;
	vo.key_version = master.kvn;
	for (i = 1; i <= cards; i++) {
		snprintf(path, sizeof(path), "%s/hopper/card-%05d.json", dir,
		    i);
		if ((r = uc_vcard_create(path, &vo)) != 0)
			die("vcard create", r, NULL);
	}
	snprintf(reader, sizeof(reader), "vcard:%s/hopper", dir);
	reader_name = reader;
reader_ready:
	snprintf(spec, sizeof(spec), "timed:%.1000s", reader_name);
	if ((r = uc_transport_open(spec, &t)) != 0)
		die("transport", r, NULL);

	memset(&pk, 0, sizeof(pk));
	pk.scp_master = &master;
	pk.signer = signer;
	memset(&so, 0, sizeof(so));
	so.ledger = l;
	so.request_id = rid;
	so.transport = t;
	so.keys = &pk;
	so.trust = trust;
	so.card_timeout_ms = 10000;
	card_ms = connect_ms = 0;
	if ((r = uc_station_encode(&so, &sum, &d)) != 0)
		die("station", r, &d);
	if (sum.encoded != (size_t)cards)
		die("station: not every card encoded", UC_ERR_STATE, NULL);

	memset(f, 0, sizeof(*f));
	f->cards = cards;
	f->encoded = sum.encoded;
	f->total = sum.total_ms;
	f->wait = sum.card_wait_ms;
	f->perso = sum.perso_ms;
	f->verify = sum.verify_ms;
	f->ledger = sum.ledger_ms;
	f->connect = connect_ms;
	f->card = card_ms;

	uc_transport_free(&t);
	uc_ledger_free(&l);
	uc_trust_free(&trust);
	uc_signer_free(&signer);
	uc_scp03_keys_wipe(&master);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "bench_station: could not remove %s\n", dir);
}

static void
report(const char *where, const struct figures *f)
{
	double n = f->cards, other = f->total - f->wait - f->perso -
	    f->verify - f->ledger;

	printf("station library, %s: %d cards, ledger file\n", where,
	    f->cards);
	printf("  %.2f s: %.1f cards/s, %.0f cards/hour, %.2f ms/card\n",
	    f->total / 1e3, n * 1e3 / f->total, n * 3.6e6 / f->total,
	    f->total / n);
	printf("  ms/card: card wait+load %.2f | perso %.2f | read-back "
	    "%.2f | ledger %.2f | other %.2f\n", f->wait / n, f->perso / n,
	    f->verify / n, f->ledger / n, other / n);
	printf("  of perso + read-back, in the card and the link (every "
	    "APDU's round trip): %.2f ms/card;\n  on the host (SCP03, "
	    "signing, checks): %.2f ms/card\n", f->card / n,
	    (f->perso + f->verify - f->card) / n);
	/* The goal (docs/performance.md) is for in-process on tmpfs, where
	 * the virtual card's fsyncs cost nothing. */
	printf("  engine (perso + read-back): %.2f ms/card, goal <= %.2f "
	    "in-process on tmpfs: %s\n", (f->perso + f->verify) / n,
	    ENGINE_GOAL_MS, (f->perso + f->verify) / n <= ENGINE_GOAL_MS ?
	    "met" : "NOT met");
}

int
main(int argc, char **argv)
{
	int cards = argc > 1 ? atoi(argv[1]) : 200;
	const char *base = argc > 2 ? argv[2] : "/tmp";
	const char *reader = argc > 4 ? argv[3] : NULL;
	char keys[600], kdir[512], where[700];
	struct figures disk, shm;
	struct stat sb;
	struct uc_diag d;
	int r;

	/* `vcard:` readers come from the simulator library. */
	if (uc_vcard_transport_register() != 0)
		return 1;
	if (cards <= 0)
		cards = 200;
	setenv("UNIONCARD_KDF_ITERATIONS", "1000", 1);
	if ((r = uc_transport_register(&timed_ops)) != 0)
		die("register", r, NULL);
	if (reader != NULL) {
		run(base, argv[4], reader, cards, &disk);
		snprintf(where, sizeof(where), "%s, ledger in %s", reader, base);
		report(where, &disk);
		return 0;
	}
	snprintf(kdir, sizeof(kdir), "%s/uc-bench-keys-XXXXXX", base);
	if (mkdtemp(kdir) == NULL)
		die(base, UC_ERR_IO, NULL);
	snprintf(keys, sizeof(keys), "%s/keys", kdir);
	if ((r = uc_keys_init(keys, PASS, NULL, &d)) != 0)
		die("keys init", r, &d);

	run(base, keys, NULL, cards, &disk);
	snprintf(where, sizeof(where), "in-process vcard: hopper in %s", base);
	report(where, &disk);
	if (stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    strcmp(base, "/dev/shm") != 0) {
		run("/dev/shm", keys, NULL, cards, &shm);
		report("in-process vcard: hopper in /dev/shm (tmpfs: fsync "
		    "costs nothing)", &shm);
		printf("fsync on %s costs ~%.2f ms/card: ledger %.2f, card "
		    "state files %.2f\n", base, (disk.total - shm.total) /
		    cards, (disk.ledger - shm.ledger) / cards,
		    (disk.card + disk.connect - shm.card -
		    shm.connect) / cards);
	}
	snprintf(keys, sizeof(keys), "rm -rf '%s'", kdir);
	if (system(keys) != 0)
		fprintf(stderr, "bench_station: could not remove %s\n", kdir);
	return 0;
}
