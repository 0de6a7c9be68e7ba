/*
 * unioncard-verify - the field officer's tool: is this card genuine, ours,
 * not revoked, not a copy, and whose is it?
 *
 * Exit status: 0 valid, 1 invalid, 2 could not check (no reader, no card,
 * card pulled, a card that answers garbage).  The last is never reported
 * as "invalid": the officer should try again, not accuse the member.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "unioncard/keys.h"
#include "unioncard/trace.h"
#include "unioncard/transport.h"
#include "unioncard/verify.h"

#include "tool.h"

#define CONNECT_TIMEOUT_MS 10000

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: unioncard-verify --reader READER --trust ROOT.pem\n"
	    "                        [--status-list FILE] [--crl FILE]\n"
	    "                        [--date YYYY-MM-DD] [--json] [--trace FILE]\n"
	    "\n"
	    "Read a union member card and check it: its data is intact and\n"
	    "signed by a union station (hashes, signature, chain), the chip is\n"
	    "the original and not a copy (active_auth), it has not expired\n"
	    "(expiry) and is not revoked (status, with --status-list).\n"
	    "\n"
	    "Options:\n"
	    "  --reader READER     pcsc:NAME (a plain name means PC/SC),\n"
	    "                      vcard:STATE.json, nfc:CONN\n"
	    "  --trust ROOT.pem    the union root certificate(s) to trust\n"
	    "  --crl FILE          the root's revocation list (revoked signers)\n"
	    "  --status-list FILE  the signed card status list\n"
	    "                      (docs/status-list.md; its signature file is\n"
	    "                      read from the same file)\n"
	    "  --date YYYY-MM-DD   check expiry and certificates on this day\n"
	    "                      (default: today, Vietnam time)\n"
	    "  --json              print {\"verdict\", \"checks\", \"card\"}\n"
	    "  --trace FILE        write every APDU to FILE\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard-verify --reader 'Virtual PCD 00 00' --trust keys/root.pem\n"
	    "  unioncard-verify --reader vcard:card.json --trust keys/root.pem \\\n"
	    "      --crl keys/root.crl --status-list status.bin --json\n"
	    "\n"
	    "Exit status: 0 valid, 1 invalid, 2 could not check.\n");
}

static const char *
why(const char *check, const struct uc_verify_check *c)
{
	if (strcmp(check, "objects") == 0)
		return "the card's data is malformed or not locked";
	if (strcmp(check, "hashes") == 0)
		return "its data was altered after signing";
	if (strcmp(check, "signature") == 0)
		return "the signature on its data is not valid";
	if (strcmp(check, "chain") == 0)
		return "it was not signed by a trusted union station";
	if (strcmp(check, "active_auth") == 0)
		return "this card is a copy";
	if (strcmp(check, "expiry") == 0)
		return strncmp(c->detail, "expired", 7) == 0 ?
		    "the card has expired" : "the card is not yet valid";
	if (strcmp(check, "status") == 0)
		return "the card has been revoked";
	if (strcmp(check, "bank_link") == 0)
		return "union applet is not on the bank card it was issued "
		    "with";
	return "a check failed";
}

static void
iso(const char *d, char out[11])
{
	if (d[0] == '\0')
		out[0] = '\0';
	else
		snprintf(out, 11, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
}

static int
print_json(const struct uc_verify_result *res)
{
	json_t *o = json_object(), *checks = json_array(), *card;
	char issued[11], expires[11];
	char *s;
	size_t i;

	json_object_set_new(o, "verdict",
	    json_string(res->valid ? "valid" : "invalid"));
	for (i = 0; i < res->n_checks; i++) {
		json_t *c = json_object();

		json_object_set_new(c, "name",
		    json_string(res->checks[i].name));
		json_object_set_new(c, "ok",
		    json_boolean(res->checks[i].ok));
		json_object_set_new(c, "detail",
		    json_string(res->checks[i].detail));
		json_array_append_new(checks, c);
	}
	json_object_set_new(o, "checks", checks);
	card = json_object();
	json_object_set_new(card, "serial", json_string(res->serial_hex));
	if (res->have_fields) {
		const struct uc_member *m = &res->member;

		iso(m->issued_on, issued);
		iso(m->expires_on, expires);
		json_object_set_new(card, "member_code",
		    json_string(m->member_code));
		json_object_set_new(card, "full_name",
		    json_string(m->full_name));
		json_object_set_new(card, "unit_code",
		    json_string(m->unit_code));
		json_object_set_new(card, "unit_name",
		    json_string(m->unit_name));
		json_object_set_new(card, "card_type", json_string(
		    m->card_type == 2 ? "linked" : "regular"));
		json_object_set_new(card, "issued_on", json_string(issued));
		json_object_set_new(card, "expires_on", json_string(expires));
		json_object_set_new(card, "station",
		    json_string(res->station));
	}
	json_object_set_new(o, "card", card);
	s = json_dumps(o, JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL)
		return UC_EXIT_FAIL;
	puts(s);
	free(s);
	return res->valid ? UC_EXIT_OK : UC_EXIT_NO;
}

static int
print_text(const struct uc_verify_result *res)
{
	const struct uc_member *m = &res->member;
	const struct uc_verify_check *lead;
	char expires[11];
	size_t i;

	for (i = 0; i < res->n_checks; i++)
		printf("  %-4s  %-11s  %s\n", res->checks[i].ok ? "ok" : "FAIL",
		    res->checks[i].name, res->checks[i].detail);
	if (res->valid) {
		iso(m->expires_on, expires);
		printf("VALID  %s  %s  %s  %s  until %s  card %s  station %s\n",
		    m->member_code, m->full_name, m->unit_code,
		    m->card_type == 2 ? "linked" : "regular", expires,
		    res->serial_hex, res->station);
		return UC_EXIT_OK;
	}
	/*
	 * The headline names the cause.  A chip that cannot prove the key the
	 * issuer signed is a copy, whatever else differs (a copy made on a
	 * chip with its own key also fails the E2 hash); otherwise the first
	 * failure is the cause and the rest follow from it.
	 */
	lead = NULL;
	for (i = 0; i < res->n_checks; i++)
		if (!res->checks[i].ok &&
		    strcmp(res->checks[i].name, "active_auth") == 0)
			lead = &res->checks[i];
	for (i = 0; lead == NULL && i < res->n_checks; i++)
		if (!res->checks[i].ok)
			lead = &res->checks[i];
	if (lead != NULL)
		printf("INVALID: %s failed \xe2\x80\x94 %s\n", lead->name,
		    why(lead->name, lead));
	if (res->have_fields)
		printf("  card %s claims to be %s %s\n", res->serial_hex,
		    m->member_code, m->full_name);
	return UC_EXIT_NO;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reader", required_argument, NULL, 'r' },
		{ "trust", required_argument, NULL, 'T' },
		{ "crl", required_argument, NULL, 'c' },
		{ "status-list", required_argument, NULL, 's' },
		{ "date", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "trace", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct uc_tool_global g;
	const char *reader = NULL, *trust_path = NULL, *crl = NULL;
	const char *status_path = NULL, *date = NULL, *trace_path = NULL;
	char day[9];
	struct uc_trust *trust = NULL;
	struct uc_transport *t = NULL;
	struct uc_trace *trace = NULL;
	struct uc_verify_status_list *sl = NULL;
	struct uc_verify_opts opts;
	struct uc_verify_result res;
	struct uc_diag d;
	int c, r, rc = UC_EXIT_FAIL, json = 0;

	memset(&g, 0, sizeof(g));
	g.prog = "unioncard-verify";
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': reader = optarg; break;
		case 'T': trust_path = optarg; break;
		case 'c': crl = optarg; break;
		case 's': status_path = optarg; break;
		case 'd': date = optarg; break;
		case 'j': json = 1; break;
		case 't': trace_path = optarg; break;
		case 'h': usage(stdout); return UC_EXIT_OK;
		default: return uc_tool_usage(&g, "bad option");
		}
	}
	if (optind != argc)
		return uc_tool_usage(&g, "unexpected argument '%s'",
		    argv[optind]);
	if (reader == NULL || trust_path == NULL)
		return uc_tool_usage(&g, "--reader and --trust are required");
	memset(&opts, 0, sizeof(opts));
	if (date != NULL) {
		if (strlen(date) != 10 || date[4] != '-' || date[7] != '-')
			return uc_tool_usage(&g, "--date wants YYYY-MM-DD");
		snprintf(day, sizeof(day), "%.4s%.2s%.2s", date, date + 5,
		    date + 8);
		if (!uc_member_date_valid(day))
			return uc_tool_usage(&g, "--date %s is not a date",
			    date);
		opts.check_date = day;
	}
	if ((r = uc_trust_new(&trust)) != 0 ||
	    (r = uc_trust_add_roots_file(trust, trust_path, &d)) != 0) {
		rc = uc_tool_fail_diag(&g, r, &d, "trust %s", trust_path);
		goto out;
	}
	if (crl != NULL && (r = uc_trust_add_crl_file(trust, crl, &d)) != 0) {
		rc = uc_tool_fail_diag(&g, r, &d, "CRL %s", crl);
		goto out;
	}
	opts.trust = trust;
	if (status_path != NULL) {
		if ((r = uc_verify_status_list_load(status_path,
		    trust, opts.check_time, &sl, &d)) != 0) {
			rc = uc_tool_fail_diag(&g, r, &d, "status list %s",
			    status_path);
			goto out;
		}
		opts.status = uc_verify_status_list_lookup;
		opts.status_ctx = sl;
	}
	if ((r = uc_transport_open(reader, &t)) != 0) {
		rc = uc_tool_fail(&g, r, "reader %s", reader);
		goto out;
	}
	if (trace_path != NULL) {
		if ((r = uc_trace_open(trace_path, &trace)) != 0) {
			rc = uc_tool_fail(&g, r, "trace %s", trace_path);
			goto out;
		}
		uc_transport_set_trace(t, trace);
	}
	if ((r = uc_transport_connect(t, CONNECT_TIMEOUT_MS, NULL,
	    NULL)) != 0) {
		rc = uc_tool_fail(&g, r, "could not check the card");
		goto out;
	}
	if ((r = uc_verify_card(t, &opts, &res, &d)) != 0) {
		/* Never a verdict: tell the officer to try again. */
		rc = uc_tool_fail_diag(&g, r, &d,
		    "could not check the card (try again)");
		rc = UC_EXIT_FAIL;
		goto out;
	}
	rc = json ? print_json(&res) : print_text(&res);
out:
	uc_transport_free(&t);
	uc_trace_free(&trace);
	uc_verify_status_list_free(&sl);
	uc_trust_free(&trust);
	return rc;
}
