/*
 * cmd_face.c - `unioncard face`: the printed card's faces.
 *
 *   face template                       print the default template
 *   face qr --member FILE --keys DIR    print one card's signed QR text
 *   face render --member FILE ...       one card's faces
 *   face render --request ID ...        every encoded card of a request
 *
 * Each card gets DIR/SERIAL.pdf (front and back, two pages) and one PNG
 * per side and resolution, DIR/SERIAL-front-300dpi.png; all 0600 (they
 * carry personal data).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "unioncard/date.h"
#include "unioncard/face.h"
#include "unioncard/ledger.h"
#include "unioncard/member.h"
#include "unioncard/printed.h"

#include "cmd_ledger.h"
#include "commands.h"
#include "stationkeys.h"
#include "tool.h"

#define MAX_DPIS 4
#define PHOTO_DIR_MAX 100000
/* A card is valid this many years from its issue day (as `encode`). */
#define FACE_YEARS 5

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: unioncard face template\n"
	    "       unioncard face qr --member FILE --keys DIR [--station NAME]\n"
	    "       unioncard face render --member FILE --keys DIR --out DIR\n"
	    "                 [--dob YYYY-MM-DD] [--photo PNG] [OPTIONS]\n"
	    "       unioncard --as PRINTER face render --request ID --keys DIR\n"
	    "                 --out DIR [OPTIONS]\n"
	    "\n"
	    "The printed card: front and back of an ID-1 card (85.60 x 53.98\n"
	    "mm) with the member's name, date of birth, unit, member code,\n"
	    "photo, card serial, dates and a QR code signed by the station's\n"
	    "document signer (applets-spec/printed-card.md), which\n"
	    "'unioncard-verify --qr' checks without a reader.\n"
	    "\n"
	    "  template          print the default template: copy it, change\n"
	    "                    positions, fonts, colours, texts, and pass it\n"
	    "                    with --template\n"
	    "  qr                print the signed QR text of one card\n"
	    "  render            write DIR/SERIAL.pdf (two pages: front, back;\n"
	    "                    fonts embedded) and DIR/SERIAL-front-300dpi.png,\n"
	    "                    DIR/SERIAL-back-300dpi.png (files 0600)\n"
	    "\n"
	    "Options:\n"
	    "  --member FILE      a member file (docs/member-file.md) with its\n"
	    "                     card_serial\n"
	    "  --request ID       every encoded or issued card of the request;\n"
	    "                     data from the ledger, issued the day the\n"
	    "                     card was made (Vietnam time), valid %d years\n"
	    "  --keys DIR         the station's keys (unioncard keys init)\n"
	    "  --station NAME     whose document signer signs the QR (default\n"
	    "                     $UNIONCARD_STATION, else station-01)\n"
	    "  --signer KEY       another signer (key file or PKCS#11 URI)\n"
	    "  --passphrase-file F  the keys' passphrase (else\n"
	    "                     $UNIONCARD_PASSPHRASE or a prompt)\n"
	    "  --out DIR          where the faces go (created 0700)\n"
	    "  --template FILE    the issuer's layout (default: built in)\n"
	    "  --dpi LIST         PNG resolutions, e.g. 300,600 (default 300;\n"
	    "                     0: PDF only)\n"
	    "  --dob YYYY-MM-DD   --member: the date of birth to print\n"
	    "  --photo PNG        --member: the member's photo\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard face template > bd.face\n"
	    "  unioncard --as printer face render --request 7 --keys keys \\\n"
	    "      --out faces/ --template bd.face --dpi 300,600\n"
	    "  unioncard face render --member m.json --dob 1985-03-12 \\\n"
	    "      --photo m.png --keys keys --out faces/\n"
	    "  unioncard face qr --member m.json --keys keys | \\\n"
	    "      unioncard-verify --qr - --trust keys/root.pem\n"
	    "\n"
	    "Exit status: 0 done, 2 could not (a field that does not fit its\n"
	    "box even at its smallest size, a character no font has, ...).\n",
	    FACE_YEARS);
}

struct face_run {
	struct uc_tool_global *g;
	struct uc_ledger *l;      /* print: where printed faces are recorded */
	int print;                /* `print`, not `face render` */
	int without_chip;         /* print --without-chip */
	const char *queue;        /* print --printer QUEUE */
	const char *server;       /* print --server, else $CUPS_SERVER */
	const char *only;         /* encode --print: this one card */
	unsigned n_skipped;
	struct uc_face_template *tmpl;
	struct uc_signer *signer;
	const char *out;
	unsigned dpis[MAX_DPIS];
	size_t n_dpis;
	unsigned n_cards;
	double ms;
};

static int load_photo(struct uc_tool_global *g, const char *path,
    struct uc_buf *png);

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int
parse_dpis(struct face_run *x, const char *s)
{
	char *end;
	unsigned long v;

	x->n_dpis = 0;
	for (;;) {
		v = strtoul(s, &end, 10);
		if (end == s)
			return -1;
		if (v != 0) {
			if (v < UC_FACE_DPI_MIN || v > UC_FACE_DPI_MAX ||
			    x->n_dpis == MAX_DPIS)
				return -1;
			x->dpis[x->n_dpis++] = (unsigned)v;
		}
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

/* SHA-256 of the file at PATH. */
static int
file_sha256(const char *path, unsigned char md[32])
{
	unsigned char buf[4096];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rb");
	size_t n;
	int r = UC_ERR_IO;

	if (c != NULL && f != NULL &&
	    EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1) {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			if (EVP_DigestUpdate(c, buf, n) != 1)
				break;
		if (!ferror(f) && feof(f) && EVP_DigestFinal_ex(c, md, NULL) == 1)
			r = 0;
	}
	if (f != NULL)
		fclose(f);
	EVP_MD_CTX_free(c);
	return r;
}

/*
 * The rendered PDF of one card to the card printer (a CUPS job) and/or
 * left in --out for a print bureau, then recorded with its SHA-256.
 */
static int
print_card(struct face_run *x, const struct uc_face_card *card,
    const char *serial)
{
	unsigned char md[32];
	char pdf[4096], dest[UC_LEDGER_FACE_DEST_MAX + 1];
	struct uc_diag d;
	int r, job = 0;

	snprintf(pdf, sizeof(pdf), "%s/%s.pdf", x->out, serial);
	if ((r = file_sha256(pdf, md)) != 0)
		return uc_tool_fail(x->g, r, "card %s: %s", serial, pdf);
	if (x->queue != NULL) {
		if ((r = uc_face_print_cups(x->server, x->queue, pdf, serial,
		    &job, &d)) != 0)
			return uc_tool_fail_diag(x->g, r, &d, "card %s: print",
			    serial);
		snprintf(dest, sizeof(dest), "cups:%s job %d", x->queue, job);
	} else
		snprintf(dest, sizeof(dest), "file:%.1000s", pdf);
	if ((r = uc_ledger_face_printed(x->l, serial, md, dest)) != 0) {
		/* sent but not recorded: the next run would print it again */
		fprintf(stderr, "%s: card %s went to %s but the ledger did not "
		    "record it: destroy that printed card; the next print run "
		    "prints it again\n", x->g->prog, serial, dest);
		return lgt_fail(x->g, x->l, r, serial);
	}
	printf("printed card %s  %s  %s\n", serial, card->member.full_name,
	    dest);
	fflush(stdout);
	return UC_EXIT_OK;
}

/* Sign and render one card; prints its line. */
static int
one_card(struct face_run *x, struct uc_face_card *card)
{
	struct uc_buf qr = UC_BUF_INIT;
	struct uc_face_stats st;
	struct uc_diag d;
	const char *serial = card->member.card_serial;
	char path[4096];
	double t0 = now_ms();
	size_t i;
	int r, side, rc = UC_EXIT_FAIL;

	if ((r = uc_qr_make(x->signer, &card->member, &qr, &d)) != 0) {
		rc = uc_tool_fail_diag(x->g, r, &d, "card %s: QR code",
		    serial);
		goto out;
	}
	card->qr_text = (const char *)qr.data;
	snprintf(path, sizeof(path), "%s/%s.pdf", x->out, serial);
	if ((r = uc_face_render_pdf(x->tmpl, card, path, &st, &d)) != 0) {
		rc = uc_tool_fail_diag(x->g, r, &d, "card %s (%s): face",
		    serial, card->member.full_name);
		goto out;
	}
	for (i = 0; i < x->n_dpis; i++)
		for (side = UC_FACE_FRONT; side <= UC_FACE_BACK; side++) {
			snprintf(path, sizeof(path), "%s/%s-%s-%udpi.png",
			    x->out, serial, side == UC_FACE_FRONT ? "front" :
			    "back", x->dpis[i]);
			if ((r = uc_face_render_png(x->tmpl, card,
			    (enum uc_face_side)side, x->dpis[i], path, &st,
			    &d)) != 0) {
				rc = uc_tool_fail_diag(x->g, r, &d,
				    "card %s: %s", serial, path);
				goto out;
			}
		}
	if (x->print && (rc = print_card(x, card, serial)) != UC_EXIT_OK)
		goto out;
	x->ms += now_ms() - t0;
	x->n_cards++;
	if (!x->print)
		printf("card %s  %s  %s/%s.pdf  +%zu PNG  QR %u modules, "
		    "%.1f mm\n", serial, card->member.full_name, x->out,
		    serial, 2 * x->n_dpis, st.qr_modules, st.qr_mm);
	fflush(stdout);
	rc = UC_EXIT_OK;
out:
	card->qr_text = NULL;
	uc_buf_free(&qr);
	return rc;
}

/* "YYYY-MM-DD" into "YYYYMMDD"; 0 or -1. */
static int
iso_day(const char *iso, char out[9])
{
	int32_t days;

	if (iso == NULL || uc_date_parse_iso(iso, strlen(iso), &days) != 0)
		return -1;
	snprintf(out, 9, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
	return 0;
}

/* The card's dates: issued on the VN day of created_at, + FACE_YEARS. */
static int
card_dates(const char *created_at, struct uc_member *m)
{
	struct tm tm;
	int32_t day;
	int y, mo, dd;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (created_at == NULL || strptime(created_at, "%Y-%m-%dT%H:%M:%SZ",
	    &tm) == NULL)
		return -1;
	t = timegm(&tm);
	day = uc_date_vn_at(t);
	uc_date_to_ymd(day, &y, &mo, &dd);
	snprintf(m->issued_on, sizeof(m->issued_on), "%04u%02u%02u",
	    (unsigned)y % 10000u, (unsigned)mo % 100u, (unsigned)dd % 100u);
	if (mo == 2 && dd == 29 && uc_date_from_ymd(y + FACE_YEARS, 2, 29,
	    &day) != 0)
		dd = 28;
	snprintf(m->expires_on, sizeof(m->expires_on), "%04u%02u%02u",
	    (unsigned)(y + FACE_YEARS) % 10000u, (unsigned)mo % 100u,
	    (unsigned)dd % 100u);
	return 0;
}

static int
copy(const char *s, char *out, size_t cap)
{
	if (s[0] == '\0' || strlen(s) >= cap)
		return -1;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* The serials of a request's cards that may be printed. */
struct printable {
	char (*serial)[UC_LEDGER_SERIAL_LEN + 1];
	size_t n, cap;
	int without_chip;
};

static int
printable_add(void *ctx, const struct uc_ledger_card *c)
{
	struct printable *p = ctx;
	void *grown;

	if (c->status != UC_CARD_ENCODED && c->status != UC_CARD_ISSUED &&
	    !(p->without_chip && c->status == UC_CARD_RESERVED))
		return 0;
	if (p->n == p->cap) {
		p->cap = p->cap != 0 ? 2 * p->cap : 16;
		if ((grown = realloc(p->serial, p->cap *
		    sizeof(*p->serial))) == NULL)
			return UC_ERR_NOMEM;
		p->serial = grown;
	}
	memcpy(p->serial[p->n++], c->serial, sizeof(c->serial));
	return 0;
}

static int
render_request(struct face_run *x, struct uc_ledger *l, int64_t rid)
{
	struct printable cards = { NULL, 0, 0, x->without_chip };
	struct uc_buf photo = UC_BUF_INIT;
	size_t i;
	int r, rc = UC_EXIT_OK;

	if ((r = uc_ledger_card_each(l, rid, printable_add, &cards)) != 0) {
		free(cards.serial);
		return lgt_fail(x->g, l, r, "card list");
	}
	for (i = 0; i < cards.n; i++) {
		const char *serial = cards.serial[i];
		struct uc_face_card card;
		struct uc_ledger_card full;
		struct uc_ledger_member mem;
		struct uc_ledger_unit u;
		size_t ncards = 0;
		char dob[9];

		if (x->only != NULL && strcmp(serial, x->only) != 0)
			continue;
		if (x->print) {
			char state[16];

			if ((r = uc_ledger_face_state(l, serial, state)) != 0) {
				rc = lgt_fail(x->g, l, r, serial);
				break;
			}
			if (state[0] != '\0') {
				x->n_skipped++;
				continue; /* printed before: --misprint reprints */
			}
		}
		memset(&card, 0, sizeof(card));
		if ((r = uc_ledger_card_get(l, serial, &full)) != 0) {
			rc = lgt_fail(x->g, l, r, serial);
			break;
		}
		if (copy(full.member_code, card.member.member_code,
		    sizeof(card.member.member_code)) != 0 ||
		    (r = uc_ledger_member_get(l, card.member.member_code,
		    &mem, NULL, &ncards)) != 0) {
			rc = lgt_fail(x->g, l, r != 0 ? r : UC_ERR_LEDGER,
			    serial);
			break;
		}
		if (copy(full.full_name, card.member.full_name,
		    sizeof(card.member.full_name)) != 0 ||
		    copy(full.unit, card.member.unit_code,
		    sizeof(card.member.unit_code)) != 0 ||
		    copy(full.serial, card.member.card_serial,
		    sizeof(card.member.card_serial)) != 0 ||
		    card_dates(full.created_at, &card.member) != 0 ||
		    iso_day(mem.date_of_birth, dob) != 0) {
			rc = uc_tool_fail(x->g, UC_ERR_LEDGER, "card %s: the "
			    "ledger's row is incomplete", serial);
			break;
		}
		memcpy(card.date_of_birth, dob, sizeof(dob));
		card.member.card_type = full.type == UC_LEDGER_CARD_LINKED ?
		    UC_CARD_TYPE_LINKED : UC_CARD_TYPE_REGULAR;
		if (uc_ledger_unit_get(l, card.member.unit_code, &u) == 0)
			(void)copy(u.name, card.member.unit_name,
			    sizeof(card.member.unit_name));
		r = uc_ledger_member_photo_get(l, card.member.member_code,
		    &photo);
		if (r != 0 && r != UC_ERR_NOT_FOUND) {
			rc = lgt_fail(x->g, l, r, "member photo");
			break;
		}
		card.photo_data = r == 0 ? photo.data : NULL;
		card.photo_len = r == 0 ? photo.len : 0;
		if ((rc = one_card(x, &card)) != UC_EXIT_OK)
			break;
	}
	free(cards.serial);
	uc_buf_free(&photo);
	if (x->only != NULL)
		return rc;
	if (rc == UC_EXIT_OK && x->print && x->n_cards + x->n_skipped == 0)
		return uc_tool_fail(x->g, UC_ERR_NOT_FOUND, "request %lld has "
		    "no encoded or issued card to print (a regular request "
		    "without chips: --without-chip)", (long long)rid);
	if (rc == UC_EXIT_OK && x->print) {
		printf("%u card(s) printed, %u printed before\n", x->n_cards,
		    x->n_skipped);
		return UC_EXIT_OK;
	}
	if (rc == UC_EXIT_OK && x->n_cards == 0)
		return uc_tool_fail(x->g, UC_ERR_NOT_FOUND, "request %lld has "
		    "no encoded or issued card to print", (long long)rid);
	return rc;
}

int
uc_cmd_face(struct uc_tool_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "member", required_argument, NULL, 'm' },
		{ "request", required_argument, NULL, 'R' },
		{ "out", required_argument, NULL, 'o' },
		{ "template", required_argument, NULL, 't' },
		{ "dpi", required_argument, NULL, 'D' },
		{ "dob", required_argument, NULL, 'b' },
		{ "photo", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		UC_TOOL_KEYS_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct uc_tool_keys_spec ks;
	struct uc_tool_station_keys keys;
	struct face_run x;
	struct uc_ledger *l = NULL;
	struct uc_face_card card;
	struct uc_buf photo_png = UC_BUF_INIT;
	struct uc_diag d;
	const char *sub, *member = NULL, *request = NULL, *tpath = NULL;
	const char *dob = NULL, *photo = NULL, *dpi = "300";
	int64_t rid = 0;
	char *end;
	int c, r, rc = UC_EXIT_FAIL;

	memset(&ks, 0, sizeof(ks));
	memset(&keys, 0, sizeof(keys));
	memset(&x, 0, sizeof(x));
	x.g = g;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? UC_EXIT_FAIL : UC_EXIT_OK;
	}
	sub = argv[1];
	if (strcmp(sub, "template") == 0) {
		if (argc != 2)
			return uc_tool_usage(g, "face template takes no "
			    "arguments");
		fputs(uc_face_template_default_text(), stdout);
		return UC_EXIT_OK;
	}
	if (strcmp(sub, "render") != 0 && strcmp(sub, "qr") != 0)
		return uc_tool_usage(g, "face: unknown subcommand '%s'", sub);
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (uc_tool_keys_option(&ks, c, optarg))
			continue;
		switch (c) {
		case 'm': member = optarg; break;
		case 'R': request = optarg; break;
		case 'o': x.out = optarg; break;
		case 't': tpath = optarg; break;
		case 'D': dpi = optarg; break;
		case 'b': dob = optarg; break;
		case 'p': photo = optarg; break;
		case 'h': usage(stdout); return UC_EXIT_OK;
		default: return uc_tool_usage(g, "bad option");
		}
	}
	if (optind != argc)
		return uc_tool_usage(g, "unexpected argument '%s'",
		    argv[optind]);
	if (ks.dir == NULL)
		return uc_tool_usage(g, "face %s needs --keys DIR", sub);
	if ((member == NULL) == (request == NULL) ||
	    (strcmp(sub, "qr") == 0 && member == NULL))
		return uc_tool_usage(g, "face %s needs --member FILE%s", sub,
		    strcmp(sub, "qr") == 0 ? "" : " or --request ID");
	if (request != NULL && (dob != NULL || photo != NULL))
		return uc_tool_usage(g, "--dob and --photo go with --member");
	if (request != NULL) {
		rid = strtoll(request, &end, 10);
		if (end == request || *end != '\0' || rid <= 0)
			return uc_tool_usage(g, "--request wants a request "
			    "number, got '%s'", request);
	}
	if (strcmp(sub, "render") == 0 && x.out == NULL)
		return uc_tool_usage(g, "face render needs --out DIR");
	if (parse_dpis(&x, dpi) != 0)
		return uc_tool_usage(g, "--dpi wants a list of %d-%d, got '%s'",
		    UC_FACE_DPI_MIN, UC_FACE_DPI_MAX, dpi);
	memset(&card, 0, sizeof(card));
	if (member != NULL) {
		if ((r = uc_member_load(member, &card.member, &d)) != 0)
			return uc_tool_fail_diag(g, r, &d, "member file");
		if (card.member.card_serial[0] == '\0')
			return uc_tool_fail(g, UC_ERR_INVALID, "%s: a face "
			    "needs the card's card_serial", member);
		if (dob != NULL && iso_day(dob, card.date_of_birth) != 0)
			return uc_tool_usage(g, "--dob wants YYYY-MM-DD, got "
			    "'%s'", dob);
		if (photo != NULL && (rc = load_photo(g, photo,
		    &photo_png)) != UC_EXIT_OK)
			goto out;
		card.photo_data = photo_png.data;
		card.photo_len = photo_png.len;
	}
	if (tpath != NULL)
		r = uc_face_template_load(tpath, &x.tmpl, &d);
	else
		r = uc_face_template_default(&x.tmpl);
	if (r != 0) {
		rc = uc_tool_fail_diag(g, r, &d, "template");
		goto out;
	}
	if (request != NULL && (rc = lgt_open(g, &l, 0, 1)) != 0)
		goto out;
	if ((rc = uc_tool_station_keys_load(g, &ks, &keys)) != UC_EXIT_OK)
		goto out;
	x.signer = keys.signer;
	if (strcmp(sub, "qr") == 0) {
		struct uc_buf qr = UC_BUF_INIT;

		if ((r = uc_qr_make(x.signer, &card.member, &qr, &d)) != 0)
			rc = uc_tool_fail_diag(g, r, &d, "QR code");
		else {
			printf("%s\n", (const char *)qr.data);
			rc = UC_EXIT_OK;
		}
		uc_buf_free(&qr);
		goto out;
	}
	if (mkdir(x.out, 0700) != 0 && errno != EEXIST) {
		rc = uc_tool_fail(g, UC_ERR_IO, "--out %s: %s", x.out,
		    strerror(errno));
		goto out;
	}
	rc = member != NULL ? one_card(&x, &card) : render_request(&x, l, rid);
	if (rc == UC_EXIT_OK && x.n_cards > 1)
		printf("%u cards, %.1f ms a card\n", x.n_cards,
		    x.ms / x.n_cards);
out:
	uc_tool_station_keys_free(&keys);
	uc_face_template_free(&x.tmpl);
	uc_ledger_free(&l);
	uc_buf_free(&photo_png);
	uc_face_cleanup();
	return rc;
}

/*
 * print --without-chip: every line of a regular request whose member has
 * no live card gets a serial now (a printed-only card, reserved until it
 * is handed out with `card issue`).
 */
static int
reserve_chipless(struct face_run *x, int64_t rid)
{
	char serial[UC_LEDGER_SERIAL_LEN + 1];
	struct uc_ledger_request *req = NULL;
	size_t i;
	int r, done, rc = UC_EXIT_OK;

	if ((r = uc_ledger_request_get(x->l, rid, &req)) != 0)
		return lgt_fail(x->g, x->l, r, "request show");
	if (req->type != UC_LEDGER_CARD_REGULAR) {
		uc_ledger_request_free(&req);
		return uc_tool_usage(x->g, "--without-chip is for regular "
		    "requests: a linked card is a bank card with its chip");
	}
	for (i = 0; i < req->nlines; i++) {
		int64_t id = req->lines[i].line_id;

		if ((r = uc_ledger_line_card(x->l, id, &done, serial)) != 0 ||
		    (!done && serial[0] == '\0' &&
		    (r = uc_ledger_card_reserve(x->l, id, serial)) != 0)) {
			rc = lgt_fail(x->g, x->l, r, "reserve a card serial");
			break;
		}
	}
	uc_ledger_request_free(&req);
	return rc;
}

static void
print_usage(FILE *f)
{
	fprintf(f,
	    "Usage: unioncard --as PRINTER print --request ID --keys DIR\n"
	    "                 [--printer QUEUE [--server HOST|SOCKET]] [--out DIR]\n"
	    "                 [--template FILE] [--dpi LIST]\n"
	    "       unioncard --as PRINTER print --confirm SERIAL\n"
	    "       unioncard --as PRINTER print --misprint SERIAL [--reason TEXT]\n"
	    "\n"
	    "Print the faces of a request's encoded cards not yet printed: each\n"
	    "card's PDF (both sides, applets-spec/printed-card.md) goes as one\n"
	    "duplex job on ID-1 media to the card printer's CUPS queue, and/or\n"
	    "stays in --out for a print bureau.  Each printed face is recorded\n"
	    "in the ledger with its SHA-256.  Then the operator looks at the\n"
	    "card: --confirm, or --misprint, which spoils the card's serial\n"
	    "(never two valid cards for one member); encode the request again\n"
	    "for a new card under a new serial, and print again.\n"
	    "\n"
	    "Options:\n"
	    "  --printer QUEUE    the CUPS queue of the card printer\n"
	    "  --server HOST      the CUPS server or its socket (default\n"
	    "                     $CUPS_SERVER, else the local one)\n"
	    "  --out DIR          keep the PDFs here (default: only sent)\n"
	    "  --without-chip     regular requests: members without an encoded\n"
	    "                     card get a printed-only card (a serial now,\n"
	    "                     handed out with 'card issue SERIAL')\n"
	    "  --keys, --station, --signer, --template, --dpi: as 'face render'\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard --as printer print --request 7 --keys keys --printer Evolis\n"
	    "  unioncard --as printer print --request 7 --keys keys --out bureau/\n"
	    "  unioncard --as printer print --misprint 52000000003 --reason 'ribbon'\n"
	    "  unioncard --as printer encode --request 7 --reader vcard:cards/ --keys keys\n"
	    "  unioncard --as printer print --request 7 --keys keys --printer Evolis\n");
}

int
uc_cmd_print(struct uc_tool_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "request", required_argument, NULL, 'R' },
		{ "printer", required_argument, NULL, 'q' },
		{ "server", required_argument, NULL, 'v' },
		{ "out", required_argument, NULL, 'o' },
		{ "template", required_argument, NULL, 't' },
		{ "dpi", required_argument, NULL, 'D' },
		{ "confirm", required_argument, NULL, 'c' },
		{ "misprint", required_argument, NULL, 'x' },
		{ "reason", required_argument, NULL, 'y' },
		{ "without-chip", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		UC_TOOL_KEYS_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct uc_tool_keys_spec ks;
	struct uc_tool_station_keys keys;
	struct face_run x;
	struct uc_diag d;
	const char *request = NULL, *tpath = NULL, *dpi = "0";
	const char *confirm = NULL, *misprint = NULL, *reason = NULL;
	char tmpdir[] = "/tmp/uc-print-XXXXXX", cmd[64];
	int64_t rid = 0;
	char *end;
	int c, r, rc = UC_EXIT_FAIL, made_tmp = 0;

	memset(&ks, 0, sizeof(ks));
	memset(&keys, 0, sizeof(keys));
	memset(&x, 0, sizeof(x));
	x.g = g;
	x.print = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (uc_tool_keys_option(&ks, c, optarg))
			continue;
		switch (c) {
		case 'R': request = optarg; break;
		case 'q': x.queue = optarg; break;
		case 'v': x.server = optarg; break;
		case 'o': x.out = optarg; break;
		case 't': tpath = optarg; break;
		case 'D': dpi = optarg; break;
		case 'c': confirm = optarg; break;
		case 'x': misprint = optarg; break;
		case 'y': reason = optarg; break;
		case 'W': x.without_chip = 1; break;
		case 'h': print_usage(stdout); return UC_EXIT_OK;
		default: return uc_tool_usage(g, "bad option");
		}
	}
	if (optind != argc)
		return uc_tool_usage(g, "unexpected argument '%s'",
		    argv[optind]);
	if ((request != NULL) + (confirm != NULL) + (misprint != NULL) != 1)
		return uc_tool_usage(g, "print needs one of --request ID, "
		    "--confirm SERIAL, --misprint SERIAL");
	if (reason != NULL && misprint == NULL)
		return uc_tool_usage(g, "--reason goes with --misprint");
	if (x.server == NULL)
		x.server = getenv("CUPS_SERVER");
	if ((rc = lgt_open(g, &x.l, 0, 1)) != 0)
		return rc;
	if (confirm != NULL || misprint != NULL) {
		const char *s = confirm != NULL ? confirm : misprint;

		r = confirm != NULL ? uc_ledger_face_confirm(x.l, s) :
		    uc_ledger_face_misprint(x.l, s, reason);
		if (r != 0)
			rc = lgt_fail(g, x.l, r, s);
		else {
			printf(confirm != NULL ? "card %s: printed face "
			    "confirmed\n" : "card %s: misprinted, serial "
			    "spoiled; encode and print the request again for "
			    "a new card\n", s);
			rc = UC_EXIT_OK;
		}
		goto out;
	}
	rc = UC_EXIT_FAIL;
	rid = strtoll(request, &end, 10);
	if (end == request || *end != '\0' || rid <= 0) {
		rc = uc_tool_usage(g, "--request wants a request number, got "
		    "'%s'", request);
		goto out;
	}
	if (ks.dir == NULL || (x.queue == NULL && x.out == NULL)) {
		rc = uc_tool_usage(g, "print --request needs --keys DIR and "
		    "--printer QUEUE and/or --out DIR");
		goto out;
	}
	if (parse_dpis(&x, dpi) != 0) {
		rc = uc_tool_usage(g, "--dpi wants a list of %d-%d, got '%s'",
		    UC_FACE_DPI_MIN, UC_FACE_DPI_MAX, dpi);
		goto out;
	}
	r = tpath != NULL ? uc_face_template_load(tpath, &x.tmpl, &d) :
	    uc_face_template_default(&x.tmpl);
	if (r != 0) {
		rc = uc_tool_fail_diag(g, r, &d, "template");
		goto out;
	}
	if ((rc = uc_tool_station_keys_load(g, &ks, &keys)) != UC_EXIT_OK)
		goto out;
	x.signer = keys.signer;
	if (x.out == NULL) {
		if (mkdtemp(tmpdir) == NULL) {
			rc = uc_tool_fail(g, UC_ERR_IO, "temporary folder: %s",
			    strerror(errno));
			goto out;
		}
		made_tmp = 1;
		x.out = tmpdir;
	} else if (mkdir(x.out, 0700) != 0 && errno != EEXIST) {
		rc = uc_tool_fail(g, UC_ERR_IO, "--out %s: %s", x.out,
		    strerror(errno));
		goto out;
	}
	if (x.without_chip && (rc = reserve_chipless(&x, rid)) != UC_EXIT_OK)
		goto out;
	rc = render_request(&x, x.l, rid);
out:
	if (made_tmp) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "%s: could not remove %s\n", g->prog,
			    tmpdir);
	}
	uc_tool_station_keys_free(&keys);
	uc_face_template_free(&x.tmpl);
	uc_ledger_free(&x.l);
	uc_face_cleanup();
	return rc;
}

/*
 * encode --print / --faces-out: each card printed as it leaves the
 * encoder, by the same steps and ledger record as `print --request`.
 */
struct uc_print_pass {
	struct face_run x;
	char tmpdir[32];
};

int
uc_print_pass_open(struct uc_tool_global *g, struct uc_ledger *l,
    struct uc_signer *signer, const struct uc_print_pass_opts *o,
    struct uc_print_pass **out)
{
	struct uc_print_pass *p;
	struct uc_diag d;
	int r;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return uc_tool_fail(g, UC_ERR_NOMEM, "print");
	p->x.g = g;
	p->x.l = l;
	p->x.print = 1;
	p->x.signer = signer;
	p->x.queue = o->queue;
	p->x.server = o->server != NULL ? o->server : getenv("CUPS_SERVER");
	p->x.out = o->out;
	r = o->template_path != NULL ? uc_face_template_load(o->template_path,
	    &p->x.tmpl, &d) : uc_face_template_default(&p->x.tmpl);
	if (r != 0) {
		free(p);
		return uc_tool_fail_diag(g, r, &d, "template");
	}
	if (p->x.out == NULL) {
		snprintf(p->tmpdir, sizeof(p->tmpdir), "/tmp/uc-print-XXXXXX");
		if (mkdtemp(p->tmpdir) == NULL) {
			uc_print_pass_free(&p);
			return uc_tool_fail(g, UC_ERR_IO, "temporary folder: "
			    "%s", strerror(errno));
		}
		p->x.out = p->tmpdir;
	} else if (mkdir(p->x.out, 0700) != 0 && errno != EEXIST) {
		r = errno;
		uc_print_pass_free(&p);
		return uc_tool_fail(g, UC_ERR_IO, "--faces-out %s: %s", o->out,
		    strerror(r));
	}
	*out = p;
	return UC_EXIT_OK;
}

int
uc_print_pass_card(struct uc_print_pass *p, int64_t rid, const char *serial)
{
	p->x.only = serial;
	return render_request(&p->x, p->x.l, rid);
}

void
uc_print_pass_free(struct uc_print_pass **pp)
{
	struct uc_print_pass *p = *pp;
	char cmd[64];

	if (p == NULL)
		return;
	if (p->tmpdir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p->tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "%s: could not remove %s\n",
			    p->x.g->prog, p->tmpdir);
	}
	uc_face_template_free(&p->x.tmpl);
	uc_face_cleanup();
	free(p);
	*pp = NULL;
}

/* Read the photo file at PATH and normalise it into PNG; 0 or an error,
 * d naming the file and the problem. */
static int
read_photo(const char *path, struct uc_buf *png, struct uc_diag *d)
{
	struct uc_buf raw = UC_BUF_INIT;
	unsigned char buf[8192];
	struct stat st;
	FILE *f;
	size_t n;
	int r;

	if ((f = fopen(path, "rb")) == NULL)
		return uc_diag_set(d, UC_ERR_IO, path, 0, NULL, "%s",
		    strerror(errno));
	if (fstat(fileno(f), &st) != 0 ||
	    st.st_size > (off_t)UC_FACE_PHOTO_FILE_MAX)
		r = uc_diag_set(d, UC_ERR_INVALID, path, 0, NULL, "larger "
		    "than %u bytes", UC_FACE_PHOTO_FILE_MAX);
	else {
		r = 0;
		while (r == 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0)
			if (uc_buf_append(&raw, buf, n) != 0)
				r = uc_diag_set(d, UC_ERR_NOMEM, path, 0, NULL,
				    "out of memory");
		if (r == 0)
			r = uc_face_photo_normalise(raw.data, raw.len, path,
			    png, d);
	}
	fclose(f);
	uc_buf_free(&raw);
	return r;
}

/* Read the photo file at PATH and normalise it into PNG; exit code. */
static int
load_photo(struct uc_tool_global *g, const char *path, struct uc_buf *png)
{
	struct uc_diag d;
	int r;

	if ((r = read_photo(path, png, &d)) != 0)
		return uc_tool_fail_diag(g, r, &d, "member photo");
	return UC_EXIT_OK;
}

/*
 * member import --photos DIR: the photo of each national ID in DIR, read
 * and normalised; a refused one keeps its problem for the import's list.
 */
int
uc_import_photos_read(struct uc_tool_global *g, const char *dir,
    struct uc_import_photos *p)
{
	static const char *const ext[] = { ".jpg", ".jpeg", ".png" };
	struct uc_ledger_member_photo *grown;
	struct dirent *e;
	char *path;
	DIR *d;
	size_t len;
	int r;

	memset(p, 0, sizeof(*p));
	if ((d = opendir(dir)) == NULL)
		return uc_tool_fail(g, UC_ERR_IO, "--photos %s: %s", dir,
		    strerror(errno));
	while ((e = readdir(d)) != NULL) {
		const char *dot = strrchr(e->d_name, '.');
		struct uc_ledger_member_photo *ph;
		size_t i;

		for (i = 0; dot != NULL && i < sizeof(ext) / sizeof(ext[0]);
		    i++)
			if (strcasecmp(dot, ext[i]) == 0)
				break;
		if (e->d_name[0] == '.' || dot == NULL ||
		    i == sizeof(ext) / sizeof(ext[0]))
			continue;
		if (p->n >= PHOTO_DIR_MAX ||
		    (grown = realloc(p->v, (p->n + 1) * sizeof(*p->v))) == NULL) {
			closedir(d);
			uc_import_photos_free(p);
			return uc_tool_fail(g, UC_ERR_NOMEM, "--photos %s",
			    dir);
		}
		p->v = grown;
		ph = &p->v[p->n++];
		memset(ph, 0, sizeof(*ph));
		len = (size_t)(dot - e->d_name);
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0) {
			closedir(d);
			uc_import_photos_free(p);
			return uc_tool_fail(g, UC_ERR_NOMEM, "--photos %s",
			    dir);
		}
		ph->file = path;
		if (len == 0 || len >= sizeof(ph->national_id)) {
			uc_diag_set(&ph->problem, UC_ERR_INVALID, ph->file, 0,
			    "photo", "not named NATIONAL-ID.jpg or .png");
			continue;
		}
		memcpy(ph->national_id, e->d_name, len);
		{
			struct uc_buf png = UC_BUF_INIT;

			if ((r = read_photo(ph->file, &png,
			    &ph->problem)) != 0) {
				uc_buf_free(&png);
				continue;
			}
			ph->png = png.data;
			ph->len = png.len;
			if (EVP_Digest(ph->png, ph->len, ph->sha256, NULL,
			    EVP_sha256(), NULL) != 1) {
				closedir(d);
				uc_import_photos_free(p);
				return uc_tool_fail(g, UC_ERR_CRYPTO,
				    "SHA-256");
			}
		}
	}
	closedir(d);
	if (p->n == 0)
		return uc_tool_fail(g, UC_ERR_NOT_FOUND, "--photos %s: no "
		    "NATIONAL-ID.jpg or .png in it", dir);
	return UC_EXIT_OK;
}

void
uc_import_photos_free(struct uc_import_photos *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free((void *)(uintptr_t)p->v[i].png);
		free((void *)(uintptr_t)p->v[i].file);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
	uc_face_cleanup();
}

struct dir_photo {
	char key[64];
	struct uc_buf png;
	unsigned char md[32];
};

/*
 * member photo --dir DIR: every NATIONAL-ID.{jpg,jpeg,png}, all checked
 * (the picture, and that a member of that national id is in the actor's
 * reach) before the first is kept, so a bad file keeps none.
 */
static int
photo_dir(struct uc_tool_global *g, const char *dir)
{
	struct dir_photo *ph = NULL, *grown;
	struct uc_ledger *l = NULL;
	struct dirent *e;
	struct uc_ledger_member m;
	size_t ncards = 0;
	char path[4096];
	size_t n = 0, i, len;
	DIR *d;
	int r, rc = UC_EXIT_FAIL;

	if ((d = opendir(dir)) == NULL)
		return uc_tool_fail(g, UC_ERR_IO, "%s: %s", dir,
		    strerror(errno));
	if ((rc = lgt_open(g, &l, 0, 1)) != 0) {
		closedir(d);
		return rc;
	}
	rc = UC_EXIT_FAIL;
	while ((e = readdir(d)) != NULL) {
		const char *dot = strrchr(e->d_name, '.');

		if (e->d_name[0] == '.' || dot == NULL ||
		    (strcasecmp(dot, ".jpg") != 0 &&
		    strcasecmp(dot, ".jpeg") != 0 &&
		    strcasecmp(dot, ".png") != 0))
			continue;
		len = (size_t)(dot - e->d_name);
		if (len == 0 || len >= sizeof(ph->key) || n >= PHOTO_DIR_MAX) {
			rc = uc_tool_fail(g, UC_ERR_INVALID, "%s/%s: not named "
			    "NATIONAL-ID.jpg or .png", dir, e->d_name);
			goto out;
		}
		if ((grown = realloc(ph, (n + 1) * sizeof(*ph))) == NULL) {
			rc = uc_tool_fail(g, UC_ERR_NOMEM, "%s", dir);
			goto out;
		}
		ph = grown;
		memset(&ph[n], 0, sizeof(ph[n]));
		memcpy(ph[n].key, e->d_name, len);
		n++;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if ((r = uc_ledger_member_get(l, ph[n - 1].key, &m, NULL,
		    &ncards)) != 0) {
			rc = lgt_fail(g, l, r, path);
			goto out;
		}
		if ((rc = load_photo(g, path, &ph[n - 1].png)) != UC_EXIT_OK)
			goto out;
		rc = UC_EXIT_FAIL;
		if (EVP_Digest(ph[n - 1].png.data, ph[n - 1].png.len,
		    ph[n - 1].md, NULL, EVP_sha256(), NULL) != 1) {
			rc = uc_tool_fail(g, UC_ERR_CRYPTO, "SHA-256");
			goto out;
		}
	}
	if (n == 0) {
		rc = uc_tool_fail(g, UC_ERR_NOT_FOUND, "%s: no "
		    "NATIONAL-ID.jpg or .png in it", dir);
		goto out;
	}
	for (i = 0; i < n; i++)
		if ((r = uc_ledger_member_photo_set(l, ph[i].key,
		    ph[i].png.data, ph[i].png.len, ph[i].md)) != 0) {
			rc = lgt_fail(g, l, r, ph[i].key);
			goto out;
		}
	printf("%zu photo(s) kept from %s\n", n, dir);
	rc = UC_EXIT_OK;
out:
	closedir(d);
	for (i = 0; i < n; i++)
		uc_buf_free(&ph[i].png);
	free(ph);
	uc_ledger_free(&l);
	uc_face_cleanup();
	return rc;
}

/* `unioncard --as CLERK member photo CODE|NATIONAL-ID FILE` */
int
uc_cmd_member_photo(struct uc_tool_global *g, int argc, char **argv)
{
	struct uc_buf png = UC_BUF_INIT;
	struct uc_ledger *l = NULL;
	unsigned char md[32];
	int r, rc = UC_EXIT_FAIL;

	if (argc == 3 && strcmp(argv[2], "--help") == 0) {
		printf("Usage: unioncard --as CLERK member photo "
		    "CODE|NATIONAL-ID FILE\n\n"
		    "Keep the member's photo for the card face: a JPEG or PNG,\n"
		    "at least 300 x 400 pixels, a 3:4 portrait (within a\n"
		    "tenth), at most 8 MB; kept as a 600 x 800 PNG, replacing\n"
		    "an earlier one, and printed by 'face render' and\n"
		    "'print'.  --dir DIR: every NATIONAL-ID.jpg, .jpeg or\n"
		    ".png in DIR (as beside a member CSV); every file is\n"
		    "checked, and every name must be a member's, before any\n"
		    "photo is kept.\n\n"
		    "Example:\n"
		    "  unioncard --as tp01.clerk member photo 052185000123 "
		    "photos/052185000123.jpg\n");
		return UC_EXIT_OK;
	}
	if (argc == 4 && strcmp(argv[2], "--dir") == 0)
		return photo_dir(g, argv[3]);
	if (argc != 4)
		return uc_tool_usage(g, "member photo CODE|NATIONAL-ID FILE, "
		    "or member photo --dir DIR");
	if ((rc = load_photo(g, argv[3], &png)) != UC_EXIT_OK)
		goto out;
	rc = UC_EXIT_FAIL;
	if (EVP_Digest(png.data, png.len, md, NULL, EVP_sha256(), NULL) != 1) {
		rc = uc_tool_fail(g, UC_ERR_CRYPTO, "SHA-256");
		goto out;
	}
	if ((rc = lgt_open(g, &l, 0, 1)) != 0)
		goto out;
	if ((r = uc_ledger_member_photo_set(l, argv[2], png.data, png.len,
	    md)) != 0) {
		rc = lgt_fail(g, l, r, "member photo");
		goto out;
	}
	printf("member %s: photo kept (%d x %d, %zu bytes)\n", argv[2],
	    UC_FACE_PHOTO_W, UC_FACE_PHOTO_H, png.len);
	rc = UC_EXIT_OK;
out:
	uc_buf_free(&png);
	uc_ledger_free(&l);
	uc_face_cleanup();
	return rc;
}
