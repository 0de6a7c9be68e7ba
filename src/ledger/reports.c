/*
 * reports.c - targets, the progress report, fee and card totals, and the
 * spoilage log, and the audit export.
 *
 * The progress report must stay fast over ten million members, so it
 * never scans members: every import and approval adds to a per-unit,
 * per-day counter (progress_daily) in the same transaction, and the
 * report sums those counters up to the as-of date, then rolls them up
 * the tree in memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unioncard/csv.h"
#include "unioncard/date.h"
#include "unioncard/ledger.h"
#include "unioncard/text.h"
#include "ledger/ledger_priv.h"

int
uc_ledger_target_set(struct uc_ledger *l, const char *unit_code, int year,
    int64_t members, const char *deadline)
{
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	int32_t day;
	char details[96], obj[64];
	int r;

	if (l == NULL || unit_code == NULL || year < UC_DATE_YEAR_MIN ||
	    year > UC_DATE_YEAR_MAX || members < 0 ||
	    members > INT64_C(100000000) || lg_parse_day(deadline, &day) != 0)
		return UC_ERR_ARG;
	snprintf(obj, sizeof(obj), "%s/%d", unit_code, year);
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = lg_unit_need(l, unit_code, UC_ROLE_ADMIN, &u)) != 0)
		goto out;
	if ((r = lg_prepare(l, &st, "INSERT INTO targets (unit_id, year,"
	    " members, deadline) VALUES (?, ?, ?, ?) ON CONFLICT (unit_id,"
	    " year) DO UPDATE SET members = excluded.members,"
	    " deadline = excluded.deadline")) != 0)
		goto out;
	lg_bind_int64(st, 1, u.id);
	lg_bind_int(st, 2, year);
	lg_bind_int64(st, 3, members);
	lg_bind_int(st, 4, day);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	snprintf(details, sizeof(details), "members=%lld deadline=%s",
	    (long long)members, deadline);
	r = lg_audit(l, "target.set", u.code, obj, details);
out:
	lg_finalize(st);
	return lg_end(l, r, "target.set", unit_code, obj);
}

struct pnode {
	int64_t id, parent;
	int pidx;          /* index of the parent in the array, -1 if none */
	int depth, exempt, has_target;
	int64_t target, child_target, entered, approved;
	int32_t deadline;  /* 0: none */
	double percent;
	int rank;
	char *code, *name;
};

static int
by_id(const void *a, const void *b)
{
	const struct pnode *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static struct pnode *
find(struct pnode *v, size_t n, int64_t id)
{
	struct pnode key;

	key.id = id;
	return bsearch(&key, v, n, sizeof(*v), by_id);
}

/* For ranking: group siblings, best percentage first. */
static struct pnode *rank_base;

static int
by_sibling_percent(const void *a, const void *b)
{
	const struct pnode *x = rank_base + *(const size_t *)a;
	const struct pnode *y = rank_base + *(const size_t *)b;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	if (x->percent != y->percent)
		return x->percent > y->percent ? -1 : 1;
	return 0;
}

/* Depth, deepest first, for the roll-up. */
static int
by_depth_desc(const void *a, const void *b)
{
	const struct pnode *x = rank_base + *(const size_t *)a;
	const struct pnode *y = rank_base + *(const size_t *)b;

	return y->depth - x->depth;
}

int
uc_ledger_report_progress_each(struct uc_ledger *l, const char *unit_code,
    const char *as_of, uc_ledger_progress_fn fn, void *ctx)
{
	struct lg_stmt *st = NULL;
	struct lg_unit top;
	struct pnode *v = NULL, *p;
	size_t n = 0, cap = 0, i, *ord = NULL;
	int32_t day;
	int year, mo, dd, r;
	struct uc_ledger_progress row;

	if (l == NULL)
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0)
		return r;
	if (as_of != NULL) {
		if (lg_parse_day(as_of, &day) != 0)
			return UC_ERR_ARG;
	} else {
		day = lg_today(l);
	}
	uc_date_to_ymd(day, &year, &mo, &dd);
	if (unit_code != NULL) {
		if ((r = lg_unit_see(l, unit_code, "report.progress",
		    &top)) != 0)
			return r;
	} else {
		top = l->acct_unit;
	}
	if ((r = lg_db_begin_read(l->db)) != 0)
		return r;
	if ((r = lg_prepare(l, &st, "SELECT id, coalesce(parent_id, 0), depth,"
	    " exempt, code, name FROM units WHERE substr(path, 1, ?2) = ?1"
	    " ORDER BY path")) != 0)
		goto out;
	lg_bind_text(st, 1, top.path);
	lg_bind_int(st, 2, (int)strlen(top.path));
	while ((r = lg_step(st)) == LG_ROW) {
		if (n == cap) {
			struct pnode *t;

			cap = cap ? cap * 2 : 64;
			if ((t = realloc(v, cap * sizeof(*v))) == NULL) {
				r = UC_ERR_NOMEM;
				goto out;
			}
			v = t;
		}
		p = &v[n];
		memset(p, 0, sizeof(*p));
		p->id = lg_column_int64(st, 0);
		p->parent = lg_column_int64(st, 1);
		p->depth = lg_column_int(st, 2);
		p->exempt = lg_column_int(st, 3);
		p->code = strdup((const char *)lg_column_text(st, 4));
		p->name = strdup((const char *)lg_column_text(st, 5));
		p->rank = (int)n; /* tree position, restored below */
		n++;
		if (p->code == NULL || p->name == NULL) {
			r = UC_ERR_NOMEM;
			goto out;
		}
	}
	if ((r = lg_err(r)) != 0)
		goto out;
	lg_finalize(st);
	st = NULL;
	qsort(v, n, sizeof(*v), by_id);
	if ((r = lg_prepare(l, &st, "SELECT unit_id, sum(entered),"
	    " sum(approved) FROM progress_daily WHERE day <= ?"
	    " GROUP BY unit_id")) != 0)
		goto out;
	lg_bind_int(st, 1, day);
	while ((r = lg_step(st)) == LG_ROW) {
		if ((p = find(v, n, lg_column_int64(st, 0))) != NULL) {
			p->entered = lg_column_int64(st, 1);
			p->approved = lg_column_int64(st, 2);
		}
	}
	if ((r = lg_err(r)) != 0)
		goto out;
	lg_finalize(st);
	st = NULL;
	if ((r = lg_prepare(l, &st, "SELECT unit_id, members, deadline FROM"
	    " targets WHERE year = ?")) != 0)
		goto out;
	lg_bind_int(st, 1, year);
	while ((r = lg_step(st)) == LG_ROW) {
		if ((p = find(v, n, lg_column_int64(st, 0))) != NULL) {
			p->has_target = 1;
			p->target = lg_column_int64(st, 1);
			p->deadline = (int32_t)lg_column_int(st, 2);
		}
	}
	if ((r = lg_err(r)) != 0)
		goto out;
	lg_finalize(st);
	st = NULL;
	for (i = 0; i < n; i++) {
		p = find(v, n, v[i].parent);
		v[i].pidx = p != NULL ? (int)(p - v) : -1;
	}
	if ((ord = calloc(n ? n : 1, sizeof(*ord))) == NULL) {
		r = UC_ERR_NOMEM;
		goto out;
	}
	/* exemption and deadlines flow down: tree order is depth order */
	for (i = 0; i < n; i++)
		ord[i] = i;
	rank_base = v;
	qsort(ord, n, sizeof(*ord), by_depth_desc);
	for (i = n; i-- > 0;) {
		p = &v[ord[i]];
		if (p->pidx >= 0) {
			if (v[p->pidx].exempt)
				p->exempt = 1;
			if (p->deadline == 0)
				p->deadline = v[p->pidx].deadline;
		}
	}
	/* counts and targets flow up, deepest first */
	for (i = 0; i < n; i++) {
		p = &v[ord[i]];
		if (!p->has_target && p->child_target > 0) {
			p->has_target = 1;
			p->target = p->child_target;
		}
		/*
		 * An exempt unit is outside its parent's progress: neither
		 * its target nor its members count there (docs/ledger.md).
		 * Within an exempt subtree counts still roll up.
		 */
		if (p->pidx >= 0 && (!p->exempt || v[p->pidx].exempt)) {
			v[p->pidx].entered += p->entered;
			v[p->pidx].approved += p->approved;
			if (p->has_target)
				v[p->pidx].child_target += p->target;
		}
	}
	for (i = 0; i < n; i++) {
		p = &v[i];
		p->percent = p->has_target && p->target > 0 ?
		    (double)((p->entered * 1000 + p->target / 2) /
		    p->target) / 10.0 : -1.0;
	}
	/* rank among siblings (same parent), 1 = best; ties share */
	qsort(ord, n, sizeof(*ord), by_sibling_percent);
	for (i = 0; i < n; i++) {
		size_t j = i;
		int rk = 0, pos = 0;
		double prev = -2.0;

		while (j < n && v[ord[j]].parent == v[ord[i]].parent)
			j++;
		for (size_t k = i; k < j; k++) {
			p = &v[ord[k]];
			if (p->exempt || p->percent < 0 || p->id == top.id) {
				p->rank = 0;
				continue;
			}
			pos++;
			if (rk == 0 || p->percent != prev)
				rk = pos;
			prev = p->percent;
			p->rank = rk;
		}
		i = j - 1;
	}
	/* back to tree order */
	if ((r = lg_prepare(l, &st, "SELECT id FROM units WHERE"
	    " substr(path, 1, ?2) = ?1 ORDER BY path")) != 0)
		goto out;
	lg_bind_text(st, 1, top.path);
	lg_bind_int(st, 2, (int)strlen(top.path));
	while ((r = lg_step(st)) == LG_ROW) {
		if ((p = find(v, n, lg_column_int64(st, 0))) == NULL)
			continue;
		memset(&row, 0, sizeof(row));
		row.unit = p->code;
		row.name = p->name;
		row.parent = p->pidx >= 0 ? v[p->pidx].code : NULL;
		row.depth = p->depth;
		row.has_target = p->has_target;
		row.target = p->target;
		row.entered = p->entered;
		row.approved = p->approved;
		row.percent = p->percent;
		row.rank = p->rank > 0 ? p->rank : 0;
		row.exempt = p->exempt;
		row.overdue = !p->exempt && p->has_target &&
		    p->deadline != 0 && day > p->deadline &&
		    p->entered < p->target;
		if (p->deadline != 0)
			uc_date_format_iso(p->deadline, row.deadline);
		if (fn != NULL && (r = fn(ctx, &row)) != 0)
			break;
	}
	r = lg_err(r);
out:
	lg_finalize(st);
	(void)lg_db_commit(l->db);
	for (i = 0; i < n; i++) {
		free(v[i].code);
		free(v[i].name);
	}
	free(v);
	free(ord);
	return r;
}

int
uc_ledger_rebuild_counters(struct uc_ledger *l)
{
	int r;

	if (l == NULL)
		return UC_ERR_ARG;
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = lg_need(l, UC_ROLE_ADMIN, NULL)) != 0)
		goto out;
	if ((r = lg_exec(l, "DELETE FROM progress_daily;"
	    "INSERT INTO progress_daily (unit_id, day, entered, approved)"
	    " SELECT unit_id, day, sum(e), sum(a) FROM ("
	    "  SELECT unit_id, entered_day AS day, 1 AS e, 0 AS a FROM members"
	    "  WHERE status IN ('entered', 'submitted', 'approved',"
	    "  'rejected') AND withdrawn_at IS NULL"
	    "  UNION ALL SELECT unit_id, approved_day, 0, 1 FROM members"
	    "  WHERE status = 'approved' AND approved_day IS NOT NULL"
	    "  AND withdrawn_at IS NULL)"
	    " GROUP BY unit_id, day")) != 0)
		goto out;
	r = lg_audit(l, "counters.rebuild", NULL, "progress_daily", "");
out:
	return lg_end(l, r, "counters.rebuild", NULL, "progress_daily");
}

/* Copy text (NULL: "") into a fixed field; UC_ERR_LEDGER if too long. */
static int
put(char *out, size_t cap, const unsigned char *t)
{
	const char *s = t != NULL ? (const char *)t : "";
	size_t n = strlen(s);

	if (n >= cap)
		return UC_ERR_LEDGER;
	memcpy(out, s, n + 1);
	return 0;
}

/* Prepare a report's scoped sql (?1/?2: the actor's subtree). */
static int
report_start(struct uc_ledger *l, struct lg_stmt **st, const char *sql)
{
	int r;

	*st = NULL;
	if (l == NULL)
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0)
		return r;
	if ((r = lg_prepare(l, st, sql)) != 0)
		return r;
	lg_bind_scope(l, *st);
	return 0;
}

int
uc_ledger_report_fees_each(struct uc_ledger *l, uc_ledger_fee_total_fn fn,
    void *ctx)
{
	struct uc_ledger_fee_total t;
	struct lg_stmt *st = NULL;
	int r;

	/* Fees fall due when the province accepts a request for printing. */
	if ((r = report_start(l, &st, "SELECT strftime('%Y-%m',"
	    " q.request_day * 86400, 'unixepoch') AS period, u.code,"
	    " rl.payer, count(*), sum(rl.fee_vnd), sum(CASE WHEN fp.line_id"
	    " IS NULL THEN 0 ELSE rl.fee_vnd END) FROM request_lines rl"
	    " JOIN requests q ON q.id = rl.request_id JOIN units u"
	    " ON u.id = q.unit_id LEFT JOIN fee_payments fp"
	    " ON fp.line_id = rl.id"
	    " WHERE q.status = 'accepted' AND substr(u.path, 1, ?2) = ?1"
	    " GROUP BY period, u.code, rl.payer"
	    " ORDER BY period, u.code, rl.payer")) != 0)
		return r;
	while ((r = lg_step(st)) == LG_ROW) {
		memset(&t, 0, sizeof(t));
		t.payer = uc_ledger_payer_parse(
		    (const char *)lg_column_text(st, 2));
		t.lines = lg_column_int64(st, 3);
		t.total_vnd = lg_column_int64(st, 4);
		t.paid_vnd = lg_column_int64(st, 5);
		t.unpaid_vnd = t.total_vnd - t.paid_vnd;
		if (t.payer == 0) {
			r = UC_ERR_LEDGER;
			break;
		}
		if ((r = put(t.period, sizeof(t.period),
		    lg_column_text(st, 0))) != 0 ||
		    (r = put(t.unit, sizeof(t.unit), lg_column_text(st, 1))) ||
		    (fn != NULL && (r = fn(ctx, &t)) != 0))
			break;
	}
	lg_finalize(st);
	return lg_err(r);
}

int
uc_ledger_report_fees_unpaid_each(struct uc_ledger *l,
    uc_ledger_fee_due_fn fn, void *ctx)
{
	struct uc_ledger_fee_due d;
	struct lg_stmt *st = NULL;
	int r;

	if ((r = report_start(l, &st, "SELECT q.id, u.code, m.member_code,"
	    " m.full_name, rl.payer, rl.fee_item, rl.fee_vnd, q.request_day"
	    " FROM request_lines rl JOIN requests q ON q.id = rl.request_id"
	    " JOIN units u ON u.id = q.unit_id"
	    " JOIN members m ON m.id = rl.member_id"
	    " WHERE q.status = 'accepted' AND rl.fee_vnd > 0 AND"
	    " substr(u.path, 1, ?2) = ?1 AND NOT EXISTS (SELECT 1 FROM"
	    " fee_payments fp WHERE fp.line_id = rl.id)"
	    " ORDER BY q.id, rl.id")) != 0)
		return r;
	while ((r = lg_step(st)) == LG_ROW) {
		memset(&d, 0, sizeof(d));
		d.request = lg_column_int64(st, 0);
		d.payer = uc_ledger_payer_parse(
		    (const char *)lg_column_text(st, 4));
		d.fee_vnd = lg_column_int64(st, 6);
		if (d.payer == 0 || uc_date_format_iso(lg_column_int(st, 7),
		    d.request_day) != 0) {
			r = UC_ERR_LEDGER;
			break;
		}
		if ((r = put(d.unit, sizeof(d.unit), lg_column_text(st, 1))) ||
		    (r = put(d.member_code, sizeof(d.member_code),
		    lg_column_text(st, 2))) ||
		    (r = put(d.full_name, sizeof(d.full_name),
		    lg_column_text(st, 3))) ||
		    (r = put(d.fee_item, sizeof(d.fee_item),
		    lg_column_text(st, 5))) ||
		    (fn != NULL && (r = fn(ctx, &d)) != 0))
			break;
	}
	lg_finalize(st);
	return lg_err(r);
}

/* Text a person typed for the ledger: 1..max bytes of UTF-8 without
 * control characters. */
static int
typed_text(const char *s, size_t max)
{
	size_t n, i;

	if (s == NULL || (n = strlen(s)) == 0 || n > max ||
	    uc_text_utf8_check(s, n, NULL) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return 0;
		/* C1 controls, U+0080..U+009F */
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] <= 0x9f)
			return 0;
	}
	return 1;
}

int
uc_ledger_fee_pay(struct uc_ledger *l, int64_t request_id,
    const char *member_code, const char *paid_by, const char *receipt,
    const char *paid_on)
{
	struct lg_stmt *st = NULL;
	struct lg_unit u;
	char obj[64], details[LG_DETAILS_MAX], at[32], on[UC_DATE_ISO_LEN + 1];
	char status[16];
	int64_t line_id, fee;
	int32_t day, today = lg_today(l), req_day;
	int r;

	memset(&u, 0, sizeof(u));
	if (l == NULL || request_id <= 0 || member_code == NULL ||
	    !typed_text(paid_by, UC_LEDGER_PAYER_MAX) ||
	    !typed_text(receipt, UC_LEDGER_RECEIPT_MAX))
		return UC_ERR_ARG;
	if (paid_on != NULL) {
		if (lg_parse_day(paid_on, &day) != 0)
			return UC_ERR_ARG;
	} else {
		day = today;
	}
	snprintf(obj, sizeof(obj), "request %lld member %.20s",
	    (long long)request_id, member_code);
	if ((r = lg_begin(l)) != 0)
		return r;
	if ((r = lg_prepare(l, &st, "SELECT q.unit_id, q.status, rl.id,"
	    " rl.fee_vnd, q.request_day, fp.paid_on, fp.receipt"
	    " FROM request_lines rl JOIN requests q ON q.id = rl.request_id"
	    " JOIN members m ON m.id = rl.member_id"
	    " LEFT JOIN fee_payments fp ON fp.line_id = rl.id"
	    " WHERE q.id = ? AND m.member_code = ?")) != 0)
		goto out;
	lg_bind_int64(st, 1, request_id);
	lg_bind_text(st, 2, member_code);
	if ((r = lg_step(st)) != LG_ROW) {
		r = r == LG_DONE ? UC_ERR_NOT_FOUND : lg_err(r);
		snprintf(l->refusal, sizeof(l->refusal), "request %lld has no"
		    " line for member %s", (long long)request_id, member_code);
		goto out;
	}
	if ((r = lg_unit_by_id(l, lg_column_int64(st, 0), &u)) != 0)
		goto out;
	if ((r = lg_need(l, UC_ROLE_CLERK | UC_ROLE_ADMIN, &u)) != 0)
		goto out;
	snprintf(status, sizeof(status), "%s",
	    (const char *)lg_column_text(st, 1));
	line_id = lg_column_int64(st, 2);
	fee = lg_column_int64(st, 3);
	req_day = (int32_t)lg_column_int(st, 4);
	if (strcmp(status, "accepted") != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "request %lld is %s:"
		    " its fees fall due once the province accepts it",
		    (long long)request_id, status);
		r = UC_ERR_STATE;
		goto out;
	}
	if (fee == 0) {
		snprintf(l->refusal, sizeof(l->refusal), "nothing to pay: the"
		    " fee of member %s on request %lld is 0 VND", member_code,
		    (long long)request_id);
		r = UC_ERR_STATE;
		goto out;
	}
	if (lg_column_type(st, 5) != LG_NULL) {
		on[0] = '\0';
		uc_date_format_iso(lg_column_int(st, 5), on);
		snprintf(l->refusal, sizeof(l->refusal), "the fee of member %s"
		    " on request %lld was paid on %s, receipt %s", member_code,
		    (long long)request_id, on,
		    (const char *)lg_column_text(st, 6));
		r = UC_ERR_EXISTS;
		goto out;
	}
	if (day > today || day < req_day) {
		snprintf(l->refusal, sizeof(l->refusal), "the payment day must"
		    " lie between the request's day and today");
		r = UC_ERR_ARG;
		goto out;
	}
	lg_finalize(st);
	st = NULL;
	lg_now(at);
	if ((r = lg_prepare(l, &st, "INSERT INTO fee_payments (line_id,"
	    " paid_by, paid_on, receipt, account_id, at)"
	    " VALUES (?, ?, ?, ?, ?, ?)")) != 0)
		goto out;
	lg_bind_int64(st, 1, line_id);
	lg_bind_text(st, 2, paid_by);
	lg_bind_int(st, 3, day);
	lg_bind_text(st, 4, receipt);
	lg_bind_int64(st, 5, l->acct_id);
	lg_bind_text(st, 6, at);
	if ((r = lg_err(lg_step(st))) != 0)
		goto out;
	uc_date_format_iso(day, on);
	snprintf(details, sizeof(details), "fee_vnd=%lld paid_by=%s"
	    " paid_on=%s receipt=%s", (long long)fee, paid_by, on, receipt);
	r = lg_audit(l, "fee.pay", u.code, obj, details);
out:
	lg_finalize(st);
	return lg_end(l, r, "fee.pay", u.code[0] ? u.code : NULL, obj);
}

int
uc_ledger_report_cards_each(struct uc_ledger *l, uc_ledger_card_count_fn fn,
    void *ctx)
{
	struct uc_ledger_card_count c;
	struct lg_stmt *st = NULL;
	int r;

	if ((r = report_start(l, &st, "SELECT c.status, count(*) FROM cards c"
	    " JOIN members m ON m.id = c.member_id JOIN units u"
	    " ON u.id = m.unit_id WHERE substr(u.path, 1, ?2) = ?1"
	    " GROUP BY c.status ORDER BY c.status")) != 0)
		return r;
	while ((r = lg_step(st)) == LG_ROW) {
		c.status = uc_ledger_card_status_parse(
		    (const char *)lg_column_text(st, 0));
		c.count = lg_column_int64(st, 1);
		if (c.status == 0) {
			r = UC_ERR_LEDGER;
			break;
		}
		if (fn != NULL && (r = fn(ctx, &c)) != 0)
			break;
	}
	lg_finalize(st);
	return lg_err(r);
}

/* The reason's class: up to its second ": " (see ledger.h). */
static void
reason_class(const char *reason, char *out, size_t cap)
{
	const char *p = strstr(reason, ": ");
	size_t n;

	if (p != NULL)
		p = strstr(p + 2, ": ");
	n = p != NULL ? (size_t)(p - reason) : strlen(reason);
	if (n >= cap) {
		/* Cut on a character boundary: keys must stay UTF-8. */
		n = cap - 1;
		while (n > 0 && ((unsigned char)reason[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, reason, n);
	out[n] = '\0';
}

static int
by_count(const void *a, const void *b)
{
	const struct uc_ledger_spoilage_reason *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->reason, y->reason);
}

static int
by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
uc_ledger_spoilage_free(struct uc_ledger_spoilage **sp)
{
	struct uc_ledger_spoilage *s;
	size_t i;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	for (i = 0; i < s->ncards; i++)
		free(s->cards[i].reason);
	for (i = 0; i < s->nreasons; i++)
		free(s->reasons[i].reason);
	free(s->cards);
	free(s->reasons);
	free(s);
	*sp = NULL;
}

/* s->reasons from the cards' reason classes (cls[i] of card i). */
static int
group_reasons(struct uc_ledger_spoilage *s, char **cls)
{
	char **v = NULL;
	size_t i, j, k = 0;
	int r = UC_ERR_NOMEM;

	if (s->ncards == 0)
		return 0;
	if ((v = malloc(s->ncards * sizeof(*v))) == NULL ||
	    (s->reasons = calloc(s->ncards, sizeof(*s->reasons))) == NULL)
		goto out;
	memcpy(v, cls, s->ncards * sizeof(*v));
	qsort(v, s->ncards, sizeof(*v), by_text);
	for (i = 0; i < s->ncards; i = j) {
		for (j = i; j < s->ncards && strcmp(v[j], v[i]) == 0; j++)
			;
		if ((s->reasons[k].reason = strdup(v[i])) == NULL)
			goto out;
		s->reasons[k++].count = (uint64_t)(j - i);
		s->nreasons = k;
	}
	qsort(s->reasons, s->nreasons, sizeof(*s->reasons), by_count);
	r = 0;
out:
	free(v);
	return r;
}

int
uc_ledger_report_spoilage_get(struct uc_ledger *l, int64_t request_id,
    struct uc_ledger_spoilage **out)
{
	struct uc_ledger_spoilage *s = NULL;
	struct uc_ledger_spoiled_card *c;
	struct lg_stmt *st = NULL;
	char prefix[8], cbuf[256], **cls = NULL, **t;
	size_t cap = 0, i;
	void *p;
	int r;

	if (out == NULL)
		return UC_ERR_ARG;
	*out = NULL;
	if (l == NULL || request_id < 0)
		return UC_ERR_ARG;
	if ((r = lg_need_actor(l)) != 0)
		return r;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return UC_ERR_NOMEM;
	/* Who spoiled it: the audit row of the spoil, matched on the serial
	 * as the audit writes it (prefix + nine digits). */
	if ((r = lg_prepare(l, &st, "WITH spoils AS (SELECT object,"
	    " max(account) AS account FROM audit WHERE action = 'card.spoil'"
	    " GROUP BY object)"
	    " SELECT c.serial, rl.request_id, m.member_code,"
	    " coalesce(c.reason, ''), c.updated_at, s.account FROM cards c"
	    " JOIN members m ON m.id = c.member_id"
	    " JOIN units u ON u.id = m.unit_id"
	    " LEFT JOIN request_lines rl ON rl.id = c.line_id"
	    " LEFT JOIN spoils s ON s.object = ?4 || printf('%09d', c.serial)"
	    " WHERE c.status = 'spoiled' AND substr(u.path, 1, ?2) = ?1"
	    " AND (?3 = 0 OR rl.request_id = ?3)"
	    " ORDER BY c.updated_at, c.serial")) != 0)
		goto out;
	snprintf(prefix, sizeof(prefix), "%02u", l->prefix % 100u);
	lg_bind_text(st, 1, l->acct_unit.path);
	lg_bind_int(st, 2, (int)strlen(l->acct_unit.path));
	lg_bind_int64(st, 3, request_id);
	lg_bind_text(st, 4, prefix);
	while ((r = lg_step(st)) == LG_ROW) {
		const char *reason = (const char *)lg_column_text(st, 3);

		if (s->ncards == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = realloc(s->cards, cap * sizeof(*s->cards))) ==
			    NULL) {
				r = UC_ERR_NOMEM;
				break;
			}
			s->cards = p;
			if ((t = realloc(cls, cap * sizeof(*cls))) == NULL) {
				r = UC_ERR_NOMEM;
				break;
			}
			cls = t;
		}
		c = &s->cards[s->ncards];
		memset(c, 0, sizeof(*c));
		cls[s->ncards] = NULL;
		s->ncards++;
		lg_serial_format(l->prefix, lg_column_int64(st, 0), c->serial);
		if (lg_column_type(st, 1) != LG_NULL)
			c->request = lg_column_int64(st, 1);
		if (reason == NULL)
			reason = "";
		reason_class(reason, cbuf, sizeof(cbuf));
		if ((c->reason = strdup(reason)) == NULL ||
		    (cls[s->ncards - 1] = strdup(cbuf)) == NULL) {
			r = UC_ERR_NOMEM;
			break;
		}
		if ((r = put(c->member_code, sizeof(c->member_code),
		    lg_column_text(st, 2))) != 0 ||
		    (r = put(c->at, sizeof(c->at), lg_column_text(st, 4))) ||
		    (r = put(c->by, sizeof(c->by), lg_column_text(st, 5))))
			break;
	}
	if ((r = lg_err(r)) != 0)
		goto out;
	s->total = s->ncards;
	if ((r = group_reasons(s, cls)) != 0)
		goto out;
	*out = s;
	s = NULL;
out:
	lg_finalize(st);
	if (cls != NULL && s != NULL)
		for (i = 0; i < s->ncards; i++)
			free(cls[i]);
	else if (cls != NULL && *out != NULL)
		for (i = 0; i < (*out)->ncards; i++)
			free(cls[i]);
	free(cls);
	uc_ledger_spoilage_free(&s);
	return r;
}

int
uc_ledger_audit_export_csv(struct uc_ledger *l, FILE *fp)
{
	static const char *const head[] = { "id", "at", "account", "unit",
	    "action", "object", "details", "prev_hash", "hash" };
	struct lg_stmt *st = NULL;
	const char *f[9];
	char id[24], ph[65], h[65];
	int r, i;

	if (l == NULL || fp == NULL)
		return UC_ERR_ARG;
	/* The whole trail is the whole province's: the root admin's. */
	if ((r = lg_need(l, UC_ROLE_ADMIN, NULL)) == 0 &&
	    l->acct_unit.parent_id != 0) {
		snprintf(l->refusal, sizeof(l->refusal), "the audit trail"
		    " covers every unit: only an admin of the root unit"
		    " exports it");
		r = UC_ERR_PERM;
	}
	if (r != 0) {
		lg_refused(l, "audit.export", l->acct_unit.code[0] != '\0' ?
		    l->acct_unit.code : "-", "audit");
		return r;
	}
	if ((r = uc_csv_write_row(fp, head, 9)) != 0)
		return r;
	if ((r = lg_prepare(l, &st, "SELECT id, at, account, unit, action,"
	    " object, details, prev_hash, hash FROM audit ORDER BY id")) != 0)
		return r;
	while ((r = lg_step(st)) == LG_ROW) {
		snprintf(id, sizeof(id), "%lld",
		    (long long)lg_column_int64(st, 0));
		f[0] = id;
		for (i = 1; i < 7; i++)
			f[i] = (const char *)lg_column_text(st, i);
		ph[0] = h[0] = '\0';
		if (lg_column_bytes(st, 7) == 32)
			lg_hex(lg_column_blob(st, 7), 32, ph);
		if (lg_column_bytes(st, 8) == 32)
			lg_hex(lg_column_blob(st, 8), 32, h);
		f[7] = ph;
		f[8] = h;
		if ((r = uc_csv_write_row(fp, f, 9)) != 0)
			goto out;
	}
	r = lg_err(r);
out:
	lg_finalize(st);
	return r;
}
