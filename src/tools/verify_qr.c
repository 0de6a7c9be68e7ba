/*
 * verify_qr.c - unioncard-verify on a printed card's QR code: the text a
 * USB barcode scanner types (--qr TEXT, or --qr - for one line of
 * standard input), a picture of the card (--qr-image, read with zbar), or
 * one scanned code a line until the input ends (--watch --qr).  Same
 * verdicts and exit codes as for chips: 0 valid, 1 invalid, 2 could not
 * check - a code that does not parse is a misread to scan again, never
 * a verdict.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "unioncard/printed.h"
#include "unioncard/transport.h"
#include "unioncard/verify.h"

#include "verify_qr.h"

#define LINE_MAX_QR (UC_QR_TEXT_MAX + 8)

static const char *
why(const struct uc_verify_check *c)
{
	if (strcmp(c->name, "signature") == 0)
		return strncmp(c->detail, "no known", 8) == 0 ?
		    "not signed by a station this verifier knows" :
		    "the code's data was altered after signing";
	if (strcmp(c->name, "chain") == 0)
		return "it was not signed by a trusted union station";
	if (strcmp(c->name, "expiry") == 0)
		return strncmp(c->detail, "expired", 7) == 0 ?
		    "the card has expired" : "the card is not yet valid";
	if (strcmp(c->name, "status") == 0)
		return strncmp(c->detail, "revoked", 7) == 0 ?
		    "the card is revoked, lost, stolen or replaced" :
		    "the status list cannot vouch for this card";
	if (strcmp(c->name, "chip") == 0)
		return "the printed face and the chip are not one genuine card";
	return "a check failed";
}

static const struct uc_verify_check *
lead(const struct uc_verify_result *res)
{
	size_t i;

	for (i = 0; i < res->n_checks; i++)
		if (!res->checks[i].ok)
			return &res->checks[i];
	return NULL;
}

static void
iso(const char *d, char out[11])
{
	snprintf(out, 11, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
}

static void
print_json(const struct uc_verify_result *res, const char *reason)
{
	json_t *o = json_object(), *checks = json_array(), *card;
	const struct uc_member *m = &res->member;
	char d1[11], d2[11], *s;
	size_t i;

	json_object_set_new(o, "verdict", json_string(reason != NULL ?
	    "could_not_check" : res->valid ? "valid" : "invalid"));
	json_object_set_new(o, "source", json_string("qr"));
	if (reason != NULL)
		json_object_set_new(o, "reason", json_string(reason));
	for (i = 0; reason == NULL && i < res->n_checks; i++) {
		json_t *c = json_object();

		json_object_set_new(c, "name",
		    json_string(res->checks[i].name));
		json_object_set_new(c, "ok", json_boolean(res->checks[i].ok));
		json_object_set_new(c, "detail",
		    json_string(res->checks[i].detail));
		json_array_append_new(checks, c);
	}
	json_object_set_new(o, "checks", checks);
	card = json_object();
	if (reason == NULL) {
		iso(m->issued_on, d1);
		iso(m->expires_on, d2);
		json_object_set_new(card, "member_code",
		    json_string(m->member_code));
		json_object_set_new(card, "full_name",
		    json_string(m->full_name));
		json_object_set_new(card, "unit_code",
		    json_string(m->unit_code));
		json_object_set_new(card, "card_serial",
		    json_string(m->card_serial));
		json_object_set_new(card, "card_type", json_string(
		    m->card_type == UC_CARD_TYPE_LINKED ? "linked" :
		    "regular"));
		json_object_set_new(card, "issued_on", json_string(d1));
		json_object_set_new(card, "expires_on", json_string(d2));
		json_object_set_new(card, "station",
		    json_string(res->station));
	}
	json_object_set_new(o, "card", card);
	s = json_dumps(o, JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s != NULL)
		puts(s);
	free(s);
}

static int
print_one(const struct uc_verify_result *res)
{
	const struct uc_member *m = &res->member;
	const struct uc_verify_check *c;
	char until[11];
	size_t i;

	for (i = 0; i < res->n_checks; i++)
		printf("  %-4s  %-11s  %s\n", res->checks[i].ok ? "ok" : "FAIL",
		    res->checks[i].name, res->checks[i].detail);
	if (res->valid) {
		iso(m->expires_on, until);
		printf("VALID  %s  %s  %s  %s  until %s  card %s  station %s"
		    "  (QR code)\n", m->member_code, m->full_name,
		    m->unit_code, m->card_type == UC_CARD_TYPE_LINKED ?
		    "linked" : "regular", until, m->card_serial, res->station);
		return UC_EXIT_OK;
	}
	c = lead(res);
	printf("INVALID: %s failed \xe2\x80\x94 %s\n", c->name, why(c));
	printf("  code claims to be %s %s, card %s\n", m->member_code,
	    m->full_name, m->card_serial);
	return UC_EXIT_NO;
}

/* Parse and judge one text.  0 with a verdict, or a parse error. */
static int
judge(const char *text, const struct uc_qr_signers *signers,
    struct uc_verify_opts *opts, struct uc_verify_result *res,
    struct uc_diag *d)
{
	struct uc_qr q;
	int r;

	if ((r = uc_qr_parse(text, strlen(text), &q, d)) != 0)
		return r;
	return uc_verify_qr(&q, signers, opts, res);
}

static int
load_signers(const struct uc_tool_global *g,
    const struct uc_verify_qr_args *a, struct uc_qr_signers **out)
{
	char path[4096], copy[4096];
	const char *p = a->signers;
	struct stat st;
	struct uc_diag d;
	int r;

	if (p == NULL) {
		/* keys/root.pem -> keys/signers (unioncard keys init) */
		snprintf(copy, sizeof(copy), "%s", a->trust_path);
		snprintf(path, sizeof(path), "%s/signers", dirname(copy));
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
			return uc_tool_usage(g, "--qr needs --signers PATH "
			    "(the stations' document-signer certificates; "
			    "none beside --trust in %s)", path);
		p = path;
	}
	if ((r = uc_qr_signers_new(out)) != 0 ||
	    (r = uc_qr_signers_add_path(*out, p, &d)) != 0)
		return uc_tool_fail_diag(g, r, &d, "signers %s", p);
	return UC_EXIT_OK;
}

/*
 * The chip of the card whose face was scanned: it must verify on its own
 * and carry the same card serial and member code (E1/CA, E1/C0) as the
 * code - a face printed for one card on another card's body is caught
 * here.  Appends the check "chip" to RES.  A chip that cannot be read is
 * an error (could not check), as for the chip alone.
 */
static int
with_chip(const struct uc_tool_global *g, const struct uc_verify_qr_args *a,
    struct uc_verify_opts *opts, struct uc_verify_result *res,
    struct uc_diag *d)
{
	struct uc_transport *t = NULL;
	struct uc_verify_result chip;
	struct uc_verify_check *c;
	const struct uc_verify_check *bad = NULL;
	size_t i;
	int r;

	(void)g;
	if ((r = uc_transport_open(a->reader, &t)) != 0 ||
	    (r = uc_transport_connect(t, 10000, NULL, NULL)) != 0) {
		uc_diag_set(d, r, a->reader, 0, "reader", "%s", uc_strerror(r));
		goto out;
	}
	if ((r = uc_verify_card(t, opts, &chip, d)) != 0)
		goto out;
	for (i = 0; i < chip.n_checks && bad == NULL; i++)
		if (!chip.checks[i].ok)
			bad = &chip.checks[i];
	c = &res->checks[res->n_checks++];
	c->name = "chip";
	c->ok = 0;
	if (bad != NULL)
		snprintf(c->detail, sizeof(c->detail), "the chip %s fails %s: "
		    "%.120s", chip.serial_hex, bad->name, bad->detail);
	else if (strcmp(chip.member.card_serial, res->member.card_serial) != 0)
		snprintf(c->detail, sizeof(c->detail), "the chip is card %s, "
		    "the printed code card %s", chip.member.card_serial,
		    res->member.card_serial);
	else if (strcmp(chip.member.member_code, res->member.member_code) != 0)
		snprintf(c->detail, sizeof(c->detail), "the chip is member %s, "
		    "the printed code member %s", chip.member.member_code,
		    res->member.member_code);
	else {
		c->ok = 1;
		snprintf(c->detail, sizeof(c->detail), "the chip %s is valid "
		    "and is the same card", chip.serial_hex);
	}
	if (!c->ok)
		res->valid = 0;
	r = 0;
out:
	uc_transport_free(&t);
	return r;
}

static void
chomp(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

static int
watch(const struct uc_verify_qr_args *a, const struct uc_qr_signers *signers,
    struct uc_verify_opts *opts)
{
	unsigned long n_valid = 0, n_invalid = 0, n_unreadable = 0;
	struct uc_verify_status_list *sl = NULL;
	struct uc_verify_result res;
	struct uc_diag d;
	char line[LINE_MAX_QR + 2], reason[512], msg[300];
	int r, c;

	fprintf(stderr, "unioncard-verify: reading scanned QR codes, one a "
	    "line, until the end of input\n");
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (strchr(line, '\n') == NULL && !feof(stdin)) {
			while ((c = getchar()) != EOF && c != '\n')
				;
			snprintf(reason, sizeof(reason), "the line is longer "
			    "than any union card's code");
			goto unreadable;
		}
		chomp(line);
		if (line[0] == '\0')
			continue;
		opts->status = NULL;
		if (a->status_path != NULL) {
			if ((r = uc_verify_status_list_load(a->status_path,
			    opts->trust, opts->check_time, &sl, &d)) != 0) {
				uc_diag_format(&d, msg, sizeof(msg));
				snprintf(reason, sizeof(reason), "the status "
				    "list cannot be used (%s); fetch a new one",
				    msg);
				goto unreadable;
			}
			opts->status = uc_verify_status_list_lookup;
			opts->status_ctx = sl;
		}
		r = judge(line, signers, opts, &res, &d);
		uc_verify_status_list_free(&sl);
		opts->status_ctx = NULL;
		if (r != 0) {
			uc_diag_format(&d, msg, sizeof(msg));
			snprintf(reason, sizeof(reason), "not a union card's "
			    "code, or misread (%s)", msg);
			goto unreadable;
		}
		if (res.valid)
			n_valid++;
		else
			n_invalid++;
		if (a->json)
			print_json(&res, NULL);
		else if (res.valid) {
			char until[11];

			iso(res.member.expires_on, until);
			printf("VALID   %s  %s  %s  expires %s\n",
			    res.member.member_code, res.member.full_name,
			    res.member.unit_code, until);
		} else {
			const struct uc_verify_check *k = lead(&res);

			printf("INVALID %s %s: %s \xe2\x80\x94 %s\n",
			    res.member.member_code, res.member.full_name,
			    k->name, why(k));
		}
		fflush(stdout);
		continue;
unreadable:
		n_unreadable++;
		if (a->json) {
			memset(&res, 0, sizeof(res));
			print_json(&res, reason);
		} else
			printf("COULD NOT CHECK: %s \xe2\x80\x94 scan again\n",
			    reason);
		fflush(stdout);
	}
	fprintf(a->json ? stderr : stdout, "stopped (end of input): %lu "
	    "code(s) read: %lu valid, %lu invalid, %lu could not check\n",
	    n_valid + n_invalid + n_unreadable, n_valid, n_invalid,
	    n_unreadable);
	fflush(stdout);
	return UC_EXIT_OK;
}

int
uc_verify_qr_tool(const struct uc_tool_global *g,
    const struct uc_verify_qr_args *a, struct uc_verify_opts *opts)
{
	struct uc_qr_signers *signers = NULL;
	struct uc_verify_result res;
	struct uc_diag d;
	char text[LINE_MAX_QR + 2], msg[300];
	size_t n_codes;
	int r, rc;

	if ((a->text != NULL) + (a->image != NULL) + (a->watch != 0) != 1)
		return uc_tool_usage(g, "give one of --qr TEXT, --qr-image "
		    "FILE, --watch --qr");
	if ((rc = load_signers(g, a, &signers)) != UC_EXIT_OK)
		goto out;
	if (a->watch) {
		rc = watch(a, signers, opts);
		goto out;
	}
	rc = UC_EXIT_FAIL;
	if (a->image != NULL) {
		if ((r = uc_qr_scan_png(a->image, text, sizeof(text), &n_codes,
		    &d)) != 0) {
			rc = uc_tool_fail_diag(g, r, &d, "could not check the "
			    "card's QR code (scan again)");
			goto out;
		}
	} else if (strcmp(a->text, "-") == 0) {
		if (fgets(text, sizeof(text), stdin) == NULL) {
			rc = uc_tool_fail(g, UC_ERR_IO, "--qr -: no line on "
			    "standard input");
			goto out;
		}
		chomp(text);
	} else
		snprintf(text, sizeof(text), "%s", a->text);
	if ((r = judge(text, signers, opts, &res, &d)) != 0 ||
	    (a->reader != NULL && (r = with_chip(g, a, opts, &res, &d)) != 0)) {
		uc_diag_format(&d, msg, sizeof(msg));
		if (a->json) {
			char reason[400];

			snprintf(reason, sizeof(reason), "not a union card's "
			    "code, or misread (%s)", msg);
			memset(&res, 0, sizeof(res));
			print_json(&res, reason);
		}
		rc = uc_tool_fail_diag(g, r, &d, "could not check the QR code: "
		    "not a union card's code, or misread (scan again)");
		goto out;
	}
	if (a->json) {
		print_json(&res, NULL);
		rc = res.valid ? UC_EXIT_OK : UC_EXIT_NO;
	} else
		rc = print_one(&res);
out:
	uc_qr_signers_free(&signers);
	return rc;
}
