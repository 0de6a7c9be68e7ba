/*
 * bench_face.c - what the printed card costs: signing its QR code,
 * rendering its faces, and checking a code the way unioncard-verify --qr
 * does.
 *
 *   build/bench/bench_face [SECONDS]
 *
 * Makes a throw-away hierarchy in a temporary directory, then for SECONDS
 * (default 2) each: uc_qr_make (CBOR, COSE_Sign1 ES256, base45); one
 * card's PDF (both sides); one side as PNG at 300 and at 600 dpi; a whole
 * card as the station prints it (QR + PDF + both sides at 300 dpi);
 * uc_qr_parse + uc_verify_qr (signature, chain with CRL, expiry); reading
 * the code back from a 300 dpi picture with zbar.  Goal (issue 14): a card
 * printer does ~150 cards an hour, so the station must render a card in
 * well under 50 ms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unioncard/face.h"
#include "unioncard/keys.h"
#include "unioncard/printed.h"
#include "unioncard/signer.h"

#include "benchlib.h"

#define PASS "benchmark passphrase"

static void
report(const char *what, long n, double secs)
{
	printf("%-44s %9.1f /s  %8.2f ms each  (%ld in %.2f s)\n", what,
	    (double)n / secs, 1000.0 * secs / (double)n, n, secs);
}

static void
die(const char *what, int r, const struct uc_diag *d)
{
	fprintf(stderr, "bench_face: %s: %s (%s: %s)\n", what, uc_strerror(r),
	    d->field, d->msg);
	exit(2);
}

int
main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0, t0, t;
	char dir[] = "/tmp/uc-bench-XXXXXX", keydir[64], path[128], cmd[128];
	char scanned[UC_QR_TEXT_MAX + 1];
	struct uc_signer *s = NULL;
	struct uc_trust *tr = NULL;
	struct uc_qr_signers *signers = NULL;
	struct uc_face_template *tmpl = NULL;
	struct uc_face_card card;
	struct uc_face_stats st;
	struct uc_verify_opts vo;
	struct uc_verify_result res;
	struct uc_buf text = UC_BUF_INIT;
	struct uc_diag d;
	struct uc_qr q;
	size_t nc;
	long n;
	int r;

	if (secs <= 0)
		secs = 2.0;
	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(keydir, sizeof(keydir), "%s/keys", dir);
	if ((r = uc_keys_init(keydir, PASS, NULL, &d)) != 0)
		die("keys init", r, &d);
	snprintf(path, sizeof(path), "%s/signers/station-01.key", keydir);
	if ((r = uc_signer_open(path, PASS, &s, &d)) != 0)
		die("signer", r, &d);
	if ((r = uc_trust_new(&tr)) != 0 ||
	    (r = uc_trust_load_dir(tr, keydir, &d)) != 0)
		die("trust", r, &d);
	snprintf(path, sizeof(path), "%s/signers", keydir);
	if ((r = uc_qr_signers_new(&signers)) != 0 ||
	    (r = uc_qr_signers_add_path(signers, path, &d)) != 0)
		die("signers", r, &d);
	if ((r = uc_face_template_default(&tmpl)) != 0)
		die("template", r, &d);
	memset(&card, 0, sizeof(card));
	strcpy(card.member.member_code, "52000000010");
	strcpy(card.member.full_name, "Huỳnh Lê Diễm Tuyết");
	strcpy(card.member.unit_code, "TP01");
	strcpy(card.member.unit_name, "CĐCS Trường THPT Tuy Phước");
	strcpy(card.member.card_serial, "52000000001");
	card.member.card_type = UC_CARD_TYPE_REGULAR;
	strcpy(card.member.issued_on, "20261125");
	strcpy(card.member.expires_on, "20311124");
	strcpy(card.date_of_birth, "19850312");
	printf("bench_face: %.1f s per figure\n", secs);

	for (n = 0, t0 = bench_now(); (t = bench_now() - t0) < secs; n++)
		if ((r = uc_qr_make(s, &card.member, &text, &d)) != 0)
			die("qr make", r, &d);
	report("QR code signed (uc_qr_make)", n, t);
	card.qr_text = (const char *)text.data;

	snprintf(path, sizeof(path), "%s/card.pdf", dir);
	for (n = 0, t0 = bench_now(); (t = bench_now() - t0) < secs; n++)
		if ((r = uc_face_render_pdf(tmpl, &card, path, &st, &d)) != 0)
			die("pdf", r, &d);
	report("card PDF, both sides", n, t);
	snprintf(path, sizeof(path), "%s/back.png", dir);
	for (n = 0, t0 = bench_now(); (t = bench_now() - t0) < secs; n++)
		if ((r = uc_face_render_png(tmpl, &card, UC_FACE_BACK, 300, path,
		    &st, &d)) != 0)
			die("png 300", r, &d);
	report("one side PNG at 300 dpi", n, t);
	snprintf(path, sizeof(path), "%s/back600.png", dir);
	for (n = 0, t0 = bench_now(); (t = bench_now() - t0) < secs; n++)
		if ((r = uc_face_render_png(tmpl, &card, UC_FACE_BACK, 600, path,
		    &st, &d)) != 0)
			die("png 600", r, &d);
	report("one side PNG at 600 dpi", n, t);
	for (n = 0, t0 = bench_now(); (t = bench_now() - t0) < secs; n++) {
		snprintf(path, sizeof(path), "%s/c.pdf", dir);
		if ((r = uc_qr_make(s, &card.member, &text, &d)) != 0)
			die("qr make", r, &d);
		card.qr_text = (const char *)text.data;
		if ((r = uc_face_render_pdf(tmpl, &card, path, &st, &d)) != 0)
			die("pdf", r, &d);
		snprintf(path, sizeof(path), "%s/f.png", dir);
		if ((r = uc_face_render_png(tmpl, &card, UC_FACE_FRONT, 300,
		    path, &st, &d)) != 0)
			die("png", r, &d);
		snprintf(path, sizeof(path), "%s/b.png", dir);
		if ((r = uc_face_render_png(tmpl, &card, UC_FACE_BACK, 300,
		    path, &st, &d)) != 0)
			die("png", r, &d);
	}
	report("whole card: QR + PDF + 2 PNG at 300 dpi", n, t);

	memset(&vo, 0, sizeof(vo));
	vo.trust = tr;
	vo.check_date = "20270601";
	for (n = 0, t0 = bench_now(); (t = bench_now() - t0) < secs; n++) {
		if ((r = uc_qr_parse((const char *)text.data, text.len, &q,
		    &d)) != 0)
			die("qr parse", r, &d);
		if (uc_verify_qr(&q, signers, &vo, &res) != 0 || !res.valid)
			die("qr verify", UC_ERR_VERIFY, &d);
	}
	report("QR verified (parse + signature/chain/CRL)", n, t);
	snprintf(path, sizeof(path), "%s/b.png", dir);
	for (n = 0, t0 = bench_now(); (t = bench_now() - t0) < secs; n++)
		if ((r = uc_qr_scan_png(path, scanned, sizeof(scanned), &nc,
		    &d)) != 0)
			die("scan", r, &d);
	report("QR read from a 300 dpi picture (zbar)", n, t);

	uc_buf_free(&text);
	uc_face_template_free(&tmpl);
	uc_face_cleanup();
	uc_qr_signers_free(&signers);
	uc_trust_free(&tr);
	uc_signer_free(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 2;
}
