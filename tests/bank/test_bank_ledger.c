/*
 * test_bank_ledger.c - the bank liaison's API on a ledger file: who may
 * export, import and reconcile; the card a bank row is compared with when
 * a member has had several linked cards; masked PANs; duplicates by card
 * reference; member codes we never issued; cards not yet encoded; an
 * empty snapshot; a bad key; the streaming form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unioncard/bankfile.h"
#include "unioncard/date.h"
#include "unioncard/ledger.h"
#include "unioncard/membercode.h"

/* The ledger's last refusal, in words (uc_ledger_diag). */
#define LEDGER_WHY(l) (uc_ledger_diag((l), &(struct uc_diag){ 0 })->msg)

#define PW "pw-for-tests"
#define HEADER "member_code,card_ref,full_name,pan,status,fee_vnd,issued_on\n"

static const uint8_t key[32] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 11, 12, 13,
	14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
	31, 32 };

struct fx {
	char dir[64];
	char path[128];
	struct uc_ledger *l;
	char code[3][UC_MEMBERCODE_LEN + 1];    /* A, B, C */
	size_t ncodes;
	size_t ncards;
	char serial[3][UC_LEDGER_SERIAL_LEN + 1];
	int64_t req;
	int files;
};

static void
login(struct fx *f, const char *user)
{
	assert_int_equal(uc_ledger_login(f->l, user, PW), 0);
}

/* A 16-digit PAN with a valid Luhn digit: 970415 + n. */
static void
pan_of(int n, char pan[17])
{
	int c;

	snprintf(pan, 17, "970415%09d0", n);
	for (c = 0; c < 10; c++) {
		pan[15] = (char)('0' + c);
		if (uc_luhn_valid(pan, 16))
			break;
	}
}

/* Record the card's PAN and mark it encoded, as the station would. */
static void
encode(struct fx *f, const char *serial, int pan_n)
{
	uint8_t h[32];
	char pan[17];

	pan_of(pan_n, pan);
	assert_int_equal(uc_bank_pan_hmac(key, sizeof(key), pan, 16, h), 0);
	login(f, "pr");
	assert_int_equal(uc_ledger_card_set_pan(f->l, serial, h, pan + 12), 0);
	assert_int_equal(uc_ledger_card_encoded(f->l, serial, "chip", NULL, 0,
	    NULL, 0), 0);
}

/* uc_ledger_card_fn: each member's card serial, by member code. */
static int
card_serial(void *ctx, const struct uc_ledger_card *c)
{
	struct fx *f = ctx;
	size_t k;

	for (k = 0; k < 3; k++)
		if (strcmp(f->code[k], c->member_code) == 0)
			snprintf(f->serial[k], sizeof(f->serial[k]), "%s",
			    c->serial);
	f->ncards++;
	return 0;
}

/* uc_ledger_card_fn: the first card's serial into ctx. */
static int
first_serial(void *ctx, const struct uc_ledger_card *c)
{
	char *out = ctx;

	if (out[0] == '\0')
		memcpy(out, c->serial, UC_LEDGER_SERIAL_LEN + 1);
	return 0;
}

/* uc_ledger_member_fn: keep the member codes, in list order. */
static int
member_code(void *ctx, const struct uc_ledger_member *m)
{
	struct fx *f = ctx;

	if (f->ncodes < 3)
		snprintf(f->code[f->ncodes], sizeof(f->code[0]), "%s",
		    m->member_code);
	f->ncodes++;
	return 0;
}

static int
setup(void **state)
{
	static const char members[] =
	    "full_name,date_of_birth,gender,national_id,position,joined_on,"
	    "mandatory\n"
	    "Nguyễn Văn An,1980-01-01,M,052080000001,CN,2010-01-01,0\n"
	    "Trần Thị Bình,1981-01-01,F,052081000002,CN,2010-01-01,1\n"
	    "Lê Văn Cường,1982-01-01,M,052082000003,CN,2010-01-01,0\n";
	struct fx *f = calloc(1, sizeof(*f));
	const char *codes[3];
	FILE *fp;
	size_t n, i;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/uc-bank-unit.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/l.db", f->dir);
	{
		/* The story's day, as the caller fixes it. */
		struct uc_ledger_open_opts o = { .create = 1 };

		assert_int_equal(uc_date_parse("2024-03-01", 10, &o.today),
		    0);
		assert_int_equal(uc_ledger_open_ex(&f->l, f->path, &o, NULL),
		    0);
	}
	assert_int_equal(uc_ledger_set_kdf_cost(f->l, 1000), 0);
	assert_int_equal(uc_ledger_init(f->l, "52", "Province", 52, "admin",
	    PW), 0);
	login(f, "admin");
	assert_int_equal(uc_ledger_unit_add(f->l, "D1", "District", "52", 0),
	    0);
	assert_int_equal(uc_ledger_unit_add(f->l, "G1", "Grassroots", "D1",
	    0), 0);
	assert_int_equal(uc_ledger_account_add(f->l, "g1", "G1",
	    UC_ROLE_CLERK, PW), 0);
	assert_int_equal(uc_ledger_account_add(f->l, "d1", "D1",
	    UC_ROLE_APPROVER, PW), 0);
	assert_int_equal(uc_ledger_account_add(f->l, "dl", "D1",
	    UC_ROLE_LIAISON, PW), 0);
	assert_int_equal(uc_ledger_account_add(f->l, "pr", "52",
	    UC_ROLE_PRINTER, PW), 0);
	assert_int_equal(uc_ledger_account_add(f->l, "li", "52",
	    UC_ROLE_LIAISON, PW), 0);
	login(f, "g1");
	fp = fmemopen((void *)(uintptr_t)members, strlen(members), "r");
	assert_non_null(fp);
	assert_int_equal(uc_ledger_member_import(f->l, "G1", fp, "m.csv", &n,
	    NULL), 0);
	fclose(fp);
	assert_int_equal(uc_ledger_member_submit(f->l, "G1", &n), 0);
	login(f, "d1");
	assert_int_equal(uc_ledger_member_approve(f->l, "G1", NULL, 0, &n), 0);
	f->ncodes = 0;
	assert_int_equal(uc_ledger_member_each(f->l, "G1", 0, member_code, f),
	    0);
	assert_int_equal(f->ncodes, 3);
	for (i = 0; i < 3; i++)
		codes[i] = f->code[i];
	login(f, "g1");
	assert_int_equal(uc_ledger_request_create(f->l, "G1", "linked", codes,
	    3, "union", NULL, &f->req), 0);
	assert_int_equal(uc_ledger_request_submit(f->l, f->req), 0);
	login(f, "d1");
	assert_int_equal(uc_ledger_request_approve(f->l, f->req), 0);
	login(f, "pr");
	assert_int_equal(uc_ledger_request_accept(f->l, f->req), 0);
	f->ncards = 0;
	assert_int_equal(uc_ledger_card_each(f->l, f->req, card_serial, f),
	    0);
	assert_int_equal(f->ncards, 3);
	/* A and B encoded with PANs 1 and 2; C's card is only reserved. */
	encode(f, f->serial[0], 1);
	encode(f, f->serial[1], 2);
	login(f, "li");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[256];

	uc_ledger_free(&f->l);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Write text as a new bank file; import it; return the import's rows. */
static int
import_text(struct fx *f, const char *text,
    struct uc_ledger_bank_import_info *info)
{
	char p[160];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/bank%d.csv", f->dir, ++f->files);
	fp = fopen(p, "wb");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return uc_ledger_bank_import(f->l, p, key, sizeof(key), info, NULL);
}

/* "CLASS CODE" lines of the mismatches (uc_ledger_bank_mismatch_fn). */
struct lines {
	char *out;
	size_t cap, n, count;
};

static int
mismatch_line(void *ctx, const struct uc_ledger_bank_mismatch *m)
{
	struct lines *w = ctx;

	w->n += (size_t)snprintf(w->out + w->n, w->cap - w->n, "%s %s\n",
	    m->class_name, m->member_code != NULL ? m->member_code : "-");
	assert_true(w->n < w->cap);
	w->count++;
	return 0;
}

/* "CLASS CODE" of every mismatch, one per line. */
static void
reconcile(struct fx *f, char *out, size_t cap)
{
	uint64_t counts[UC_LEDGER_BANK_CLASSES], sum = 0;
	struct lines w = { out, cap, 0, 0 };
	size_t i;

	out[0] = '\0';
	assert_int_equal(uc_ledger_bank_reconcile_each(f->l, counts,
	    mismatch_line, &w), 0);
	for (i = 0; i < UC_LEDGER_BANK_CLASSES; i++)
		sum += counts[i];
	assert_int_equal(sum, w.count);
}

/* The details of the mismatches name no full PAN (and say what they
 * should, for the classes checked). */
struct details {
	const char *pan1, *pan2;
	int dup_same_number;      /* the duplicate is by card number */
};

static int
check_details(void *ctx, const struct uc_ledger_bank_mismatch *m)
{
	const struct details *c = ctx;

	if (strcmp(m->class_name, "duplicate") == 0 && !c->dup_same_number) {
		assert_non_null(strstr(m->detail, "card_ref VTB-2 appears 2"));
		assert_string_equal(m->card_ref, "VTB-2");
	}
	if (strcmp(m->class_name, "duplicate") == 0 && c->dup_same_number)
		assert_non_null(strstr(m->detail, "same card number"));
	if (strcmp(m->class_name, "unknown_to_us") == 0 &&
	    !c->dup_same_number)
		assert_non_null(strstr(m->detail, "no member has this code"));
	if (c->pan1 != NULL)
		assert_null(strstr(m->detail, c->pan1));
	assert_null(strstr(m->detail, c->pan2));
	return 0;
}

static void
test_who_may(void **state)
{
	struct fx *f = *state;
	struct uc_ledger_bank_import_info info;
	uint64_t counts[UC_LEDGER_BANK_CLASSES];
	char p[160];
	size_t rows = 0;

	/* nothing imported yet: an error, not "no mismatch" */
	assert_int_equal(uc_ledger_bank_reconcile_each(f->l, counts, NULL,
	    NULL), UC_ERR_NOT_FOUND);
	/* a liaison below the root, a clerk: refused */
	login(f, "dl");
	assert_int_equal(import_text(f, HEADER, &info), UC_ERR_PERM);
	assert_int_equal(uc_ledger_bank_reconcile_each(f->l, counts, NULL,
	    NULL), UC_ERR_PERM);
	login(f, "g1");
	snprintf(p, sizeof(p), "%s/order.csv", f->dir);
	assert_int_equal(uc_ledger_bank_export(f->l, f->req, p, &rows),
	    UC_ERR_PERM);
	assert_int_equal(access(p, F_OK), -1);
	/* the district's liaison may order its own units' cards */
	login(f, "dl");
	assert_int_equal(uc_ledger_bank_export(f->l, f->req, p, &rows), 0);
	assert_int_equal(rows, 3);
	/* a bad key length is refused before anything is read */
	login(f, "li");
	snprintf(p, sizeof(p), "%s/order.csv", f->dir);
	assert_int_equal(uc_ledger_bank_import(f->l, p, key, 8, &info, NULL),
	    UC_ERR_KEY);
}

static void
test_export_needs_approval(void **state)
{
	struct fx *f = *state;
	const char *codes[1];
	char p[160];
	int64_t id;

	/* C's reserved blank jams; a new linked request for C is drafted */
	codes[0] = f->code[2];
	login(f, "pr");
	assert_int_equal(uc_ledger_card_spoil(f->l, f->serial[2], "jammed"),
	    0);
	login(f, "g1");
	assert_int_equal(uc_ledger_request_create(f->l, "G1", "linked", codes,
	    1, "member", NULL, &id), 0);
	/* a draft is not yet an order */
	login(f, "li");
	snprintf(p, sizeof(p), "%s/draft.csv", f->dir);
	assert_int_equal(uc_ledger_bank_export(f->l, id, p, NULL),
	    UC_ERR_STATE);
	assert_non_null(strstr(LEDGER_WHY(f->l), "draft"));
	assert_int_equal(access(p, F_OK), -1);
}

/*
 * A's first card is lost and replaced by a card with PAN 3.  A bank row
 * with A's OLD card, still active, is a status conflict about the old card
 * (not a PAN mismatch against the new one); with the new card it is fine.
 */
static void
test_replaced_card(void **state)
{
	struct fx *f = *state;
	struct uc_ledger_bank_import_info info;
	const char *codes[1];
	char text[1024], out[1024], want[256], pan1[17], pan2[17], pan3[17];
	char serial[UC_LEDGER_SERIAL_LEN + 1] = "";
	int64_t id;

	pan_of(1, pan1);
	pan_of(2, pan2);
	pan_of(3, pan3);
	login(f, "g1");
	assert_int_equal(uc_ledger_card_set_status(f->l, f->serial[0], "lost",
	    NULL), 0);
	codes[0] = f->code[0];
	assert_int_equal(uc_ledger_request_create(f->l, "G1", "linked", codes,
	    1, "member", "lost", &id), 0);
	assert_int_equal(uc_ledger_request_submit(f->l, id), 0);
	login(f, "d1");
	assert_int_equal(uc_ledger_request_approve(f->l, id), 0);
	login(f, "pr");
	assert_int_equal(uc_ledger_request_accept(f->l, id), 0);
	assert_int_equal(uc_ledger_card_each(f->l, id, first_serial, serial),
	    0);
	encode(f, serial, 3);
	login(f, "li");

	snprintf(text, sizeof(text), HEADER
	    "%s,VTB-1,Nguyễn Văn An,%s,active,50000,2024-02-01\n"
	    "%s,VTB-2,TRAN THI BINH,%s,active,0,2024-02-01\n",
	    f->code[0], pan1, f->code[1], pan2);
	assert_int_equal(import_text(f, text, &info), 0);
	assert_int_equal(info.rows, 2);
	assert_int_equal(info.already, 0);
	reconcile(f, out, sizeof(out));
	/* A's row has the old card's PAN, so it speaks of the old card; A
	 * has a row, so the new card is not missing at the bank. */
	snprintf(want, sizeof(want), "status_conflict %s\n", f->code[0]);
	assert_string_equal(out, want);

	snprintf(text, sizeof(text), HEADER
	    "%s,VTB-3,Nguyễn Văn An,%s,active,50000,2024-02-01\n"
	    "%s,VTB-2,TRAN THI BINH,%s,active,0,2024-02-01\n",
	    f->code[0], pan3, f->code[1], pan2);
	assert_int_equal(import_text(f, text, &info), 0);
	reconcile(f, out, sizeof(out));
	assert_string_equal(out, "");
}

static void
test_rows(void **state)
{
	struct fx *f = *state;
	struct uc_ledger_bank_import_info info, again;
	char text[2048], out[1024], want[512], pan1[17], pan2[17];
	char never[UC_MEMBERCODE_LEN + 1];
	uint64_t counts[UC_LEDGER_BANK_CLASSES];
	struct details dc;

	pan_of(1, pan1);
	pan_of(2, pan2);
	assert_int_equal(uc_membercode_make(52, 99999, never), 0);
	/*
	 * A: masked PAN with the wrong last four; B: right, but its card_ref
	 * is repeated on C's row; C: card only reserved (no PAN yet, so no
	 * PAN check), charged 50000 like its line; a code we never issued.
	 */
	snprintf(text, sizeof(text), HEADER
	    "%s,VTB-1,NGUYEN VAN AN,970415******9999,active,50000,2024-02-01\n"
	    "%s,VTB-2,Trần Thị Bình,%s,pending,0,2024-02-01\n"
	    "%s,VTB-2,Lê Văn Cường,970415******0000,pending,50000,2024-02-01\n"
	    "%s,VTB-9,Người Lạ,%s,active,50000,2024-02-01\n",
	    f->code[0], f->code[1], pan2, f->code[2], never, pan1);
	assert_int_equal(import_text(f, text, &info), 0);
	assert_int_equal(info.rows, 4);
	reconcile(f, out, sizeof(out));
	snprintf(want, sizeof(want), "unknown_to_us %s\npan_mismatch %s\n"
	    "duplicate %s\n", never, f->code[0], f->code[1]);
	assert_string_equal(out, want);
	dc.pan1 = pan1;
	dc.pan2 = pan2;
	dc.dup_same_number = 0;
	assert_int_equal(uc_ledger_bank_reconcile_each(f->l, counts,
	    check_details, &dc), 0);

	/* the same bytes again: the earlier import, nothing done */
	f->files--;
	assert_int_equal(import_text(f, text, &again), 0);
	assert_int_equal(again.already, 1);
	assert_int_equal(again.import_id, info.import_id);
	assert_memory_equal(again.sha256, info.sha256, 32);

	/* a header without records is refused (a broken export, not a
	 * snapshot): nothing imported, the newest import stays */
	assert_int_equal(import_text(f, HEADER, &info), UC_ERR_INVALID);
	assert_int_equal(info.import_id, 0);

	/* one record: both encoded cards are missing at the bank */
	snprintf(text, sizeof(text), HEADER
	    "%s,VTB-9,Người Lạ,970415******1234,active,50000,2024-02-01\n",
	    never);
	assert_int_equal(import_text(f, text, &info), 0);
	assert_int_equal(info.rows, 1);
	reconcile(f, out, sizeof(out));
	snprintf(want, sizeof(want), "missing_at_bank %s\n"
	    "missing_at_bank %s\nunknown_to_us %s\n", f->code[0], f->code[1],
	    never);
	assert_string_equal(out, want);

	/* the same card number under two card references: a duplicate */
	snprintf(text, sizeof(text), HEADER
	    "%s,VTB-1,NGUYEN VAN AN,%s,active,50000,2024-02-01\n"
	    "%s,VTB-7,Trần Thị Bình,%s,active,0,2024-02-01\n",
	    f->code[0], pan2, f->code[1], pan2);
	assert_int_equal(import_text(f, text, &info), 0);
	reconcile(f, out, sizeof(out));
	assert_non_null(strstr(out, "duplicate "));
	dc.pan1 = NULL;
	dc.dup_same_number = 1;
	assert_int_equal(uc_ledger_bank_reconcile_each(f->l, counts,
	    check_details, &dc), 0);
}

struct stop_after {
	int calls;
	int stop_at;
	char first_class[32];
};

static int
stop_after(void *ctx, const struct uc_ledger_bank_mismatch *m)
{
	struct stop_after *s = ctx;

	if (s->calls == 0)
		snprintf(s->first_class, sizeof(s->first_class), "%s",
		    m->class_name);
	assert_string_equal(m->class_name, uc_ledger_bank_class_name((int)m->cls));
	assert_non_null(m->detail);
	return ++s->calls == s->stop_at ? UC_ERR_INTERRUPTED : 0;
}

/* The streaming form: counts before the first mismatch; fn can stop. */
static void
test_each(void **state)
{
	struct fx *f = *state;
	struct uc_ledger_bank_import_info info;
	struct stop_after s;
	uint64_t counts[UC_LEDGER_BANK_CLASSES];

	char never[UC_MEMBERCODE_LEN + 1], text[512];

	assert_int_equal(uc_membercode_make(52, 99999, never), 0);
	snprintf(text, sizeof(text), HEADER
	    "%s,VTB-9,Người Lạ,970415******1234,active,50000,2024-02-01\n",
	    never);
	assert_int_equal(import_text(f, text, &info), 0);
	assert_int_equal(uc_ledger_bank_reconcile_each(f->l, counts, NULL,
	    NULL), 0);
	assert_int_equal(counts[0], 2);   /* A and B missing at the bank */
	assert_int_equal(counts[1], 1);   /* the stranger */
	assert_int_equal(counts[2] + counts[3] + counts[4] +
	    counts[5] + counts[6], 0);
	memset(&s, 0, sizeof(s));
	s.stop_at = 1;
	assert_int_equal(uc_ledger_bank_reconcile_each(f->l, counts,
	    stop_after, &s), UC_ERR_INTERRUPTED);
	assert_int_equal(s.calls, 1);
	assert_string_equal(s.first_class, "missing_at_bank");
	memset(&s, 0, sizeof(s));
	assert_int_equal(uc_ledger_bank_reconcile_each(f->l, counts,
	    stop_after, &s), 0);
	assert_int_equal(s.calls, 3);
	assert_null(uc_ledger_bank_class_name((int)UC_LEDGER_BANK_CLASSES));
	assert_null(uc_ledger_bank_class_name((int)-1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_who_may, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_needs_approval,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaced_card, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
