/*
 * pages.c - what each URL answers.  Every page is rendered through the
 * escaping writer (html.h) with words from the catalogue (msg.h); every
 * ledger call goes through ledger_view.h, and every rule (who may see,
 * approve or accept what) is the library's: a refusal comes back as
 * UC_ERR_PERM with the library's reason, and the page says so.
 *
 * Every POST carries the session's CSRF token in the field "csrf"; one
 * without it (or with another session's) is answered 403 before any
 * ledger call.  Actions answer 303 to a page (post/redirect/get) with a
 * notice shown once; a form with errors is shown again with a GOV.UK
 * style error summary whose links lead to each failing field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "html.h"
#include "server.h"

#define T(id) msg(r->lang, (id))

/* The console's one style sheet (served at /static/style.css): large
 * targets (at least 24 px), a visible focus ring, AA contrast. */
static const char style_css[] =
"body{font-family:system-ui,Arial,sans-serif;margin:0;color:#0b0c0c;"
"background:#fff;line-height:1.4}\n"
"a{color:#1d4f91}a:focus,button:focus,input:focus,select:focus{"
"outline:3px solid #fd0;outline-offset:0;box-shadow:0 4px #0b0c0c}\n"
".skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;"
"background:#fd0;padding:4px}\n"
"header{background:#0b0c0c;color:#fff;padding:8px 16px}"
"header a{color:#fff}header .who{font-size:.95em}\n"
"nav a{display:inline-block;min-height:24px;padding:4px 8px}\n"
"main{padding:16px;max-width:1100px}\n"
"button,input,select{font-size:1em;min-height:32px;min-width:24px}\n"
"button{background:#00703c;color:#fff;border:0;padding:4px 12px;"
"cursor:pointer}button.warn{background:#d4351c}\n"
"label{display:block;font-weight:bold;margin-top:8px}\n"
"table{border-collapse:collapse;margin:8px 0}th,td{border-bottom:1px "
"solid #b1b4b6;padding:4px 8px;text-align:left;vertical-align:top}\n"
".error-summary{border:4px solid #d4351c;padding:12px;margin:8px 0}\n"
".error-summary a{color:#d4351c;font-weight:bold}\n"
".error-message{color:#d4351c;font-weight:bold;display:block}\n"
".notice{border-left:8px solid #00703c;padding:8px;margin:8px 0}\n"
"form.inline{display:inline}\n";

/* --- the frame of every page ---------------------------------------- */

static enum msg_id
role_msg(int role)
{
	switch (role) {
	case UC_ROLE_CLERK: return M_ROLE_CLERK;
	case UC_ROLE_APPROVER: return M_ROLE_APPROVER;
	case UC_ROLE_PRINTER: return M_ROLE_PRINTER;
	case UC_ROLE_LIAISON: return M_ROLE_LIAISON;
	default: return M_ROLE_ADMIN;
	}
}

static void
csrf_field(struct html *h, const struct req *r)
{
	html_lit(h, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(h, r->s != NULL ? r->s->csrf : "");
	html_lit(h, "\">");
}

static int
signed_in(const struct req *r)
{
	return r->s != NULL && r->s->lv != NULL;
}

static void
page_start(struct html *h, struct req *r, enum msg_id title)
{
	html_lit(h, "<!DOCTYPE html>\n<html lang=\"");
	html_text(h, r->lang == LANG_EN ? "en" : "vi");
	html_lit(h, "\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width\">"
	    "<title>");
	html_text(h, T(title));
	html_lit(h, " - ");
	html_text(h, T(M_TITLE));
	html_lit(h, "</title><link rel=\"stylesheet\""
	    " href=\"/static/style.css\"></head><body>"
	    "<a class=\"skip\" href=\"#main\">");
	html_text(h, T(M_SKIP));
	html_lit(h, "</a><header><strong>");
	html_text(h, T(M_TITLE));
	html_lit(h, "</strong> ");
	if (signed_in(r)) {
		const struct lv_actor *a = &r->s->actor;

		html_lit(h, "<span class=\"who\" id=\"who\">");
		html_text(h, a->user);
		html_lit(h, " &middot; ");
		html_text(h, T(M_UNIT));
		html_lit(h, ": <span id=\"who-unit\">");
		html_text(h, a->unit);
		html_lit(h, "</span> ");
		html_text(h, a->unit_name);
		html_lit(h, " &middot; ");
		html_text(h, T(M_ROLE));
		html_lit(h, ": <span id=\"who-role\">");
		html_text(h, T(role_msg(a->role)));
		html_lit(h, "</span></span><nav>");
		if (a->role == UC_ROLE_CLERK || a->role == UC_ROLE_ADMIN) {
			html_lit(h, "<a href=\"/members\">");
			html_text(h, T(M_MEMBERS));
			html_lit(h, "</a>");
		}
		if (a->role == UC_ROLE_APPROVER) {
			html_lit(h, "<a href=\"/queue\">");
			html_text(h, T(M_QUEUE));
			html_lit(h, "</a>");
		}
		html_lit(h, "<a href=\"/requests\">");
		html_text(h, T(M_REQUESTS));
		html_lit(h, "</a><a href=\"/cards\">");
		html_text(h, T(M_CARDS));
		html_lit(h, "</a>");
	} else {
		html_lit(h, "<nav>");
	}
	html_lit(h, "<a href=\"/lang?to=");
	html_text(h, r->lang == LANG_EN ? "vi" : "en");
	html_lit(h, "\" lang=\"");
	html_text(h, r->lang == LANG_EN ? "vi" : "en");
	html_lit(h, "\">");
	html_text(h, T(M_LANG_OTHER));
	html_lit(h, "</a>");
	if (signed_in(r)) {
		html_lit(h, "<form class=\"inline\" method=\"post\""
		    " action=\"/logout\">");
		csrf_field(h, r);
		html_lit(h, "<button type=\"submit\" id=\"sign-out\">");
		html_text(h, T(M_SIGN_OUT));
		html_lit(h, "</button></form>");
	}
	html_lit(h, "</nav></header><main id=\"main\"><h1>");
	html_text(h, T(title));
	html_lit(h, "</h1>");
	if (r->s != NULL && r->s->notice >= 0) {
		html_lit(h, "<div class=\"notice\" role=\"status\""
		    " id=\"notice\">");
		html_text(h, T((enum msg_id)r->s->notice));
		html_lit(h, " ");
		html_text(h, r->s->notice_arg);
		html_lit(h, "</div>");
		r->s->notice = -1;
		r->s->notice_arg[0] = '\0';
	}
}

static void
page_end(struct html *h, struct req *r, struct resp *p, unsigned status)
{
	(void)r;
	html_lit(h, "</main></body></html>\n");
	if (!html_ok(h)) {
		html_free(h);
		p->status = 500;
		p->ctype = "text/plain; charset=utf-8";
		p->body = strdup("out of memory\n");
		p->len = p->body != NULL ? strlen(p->body) : 0;
		return;
	}
	p->status = status;
	p->body = html_take(h, &p->len);
}

/* One entry of an error summary: the text and the field it links to. */
struct field_error {
	const char *field;  /* an element id, a literal */
	const char *text;   /* shown as given, escaped */
};

static void
error_summary(struct html *h, struct req *r, const struct field_error *e,
    size_t n)
{
	size_t i;

	if (n == 0)
		return;
	html_lit(h, "<div class=\"error-summary\" role=\"alert\""
	    " tabindex=\"-1\" id=\"error-summary\"><h2>");
	html_text(h, T(M_ERR_SUMMARY));
	html_lit(h, "</h2><ul>");
	for (i = 0; i < n; i++) {
		html_lit(h, "<li><a href=\"#");
		html_text(h, e[i].field);
		html_lit(h, "\">");
		html_text(h, e[i].text);
		html_lit(h, "</a></li>");
	}
	html_lit(h, "</ul></div>");
}

static void
inline_error(struct html *h, const char *field, const char *text)
{
	html_lit(h, "<span class=\"error-message\" id=\"");
	html_text(h, field);
	html_lit(h, "-error\">");
	html_text(h, text);
	html_lit(h, "</span>");
}

static void
notice(struct req *r, enum msg_id id, const char *arg)
{
	if (r->s == NULL)
		return;
	r->s->notice = (int)id;
	snprintf(r->s->notice_arg, sizeof(r->s->notice_arg), "%s",
	    arg != NULL ? arg : "");
}

static void
redirect(struct resp *p, const char *to)
{
	p->status = 303;
	snprintf(p->location, sizeof(p->location), "%s", to);
	p->ctype = "text/plain; charset=utf-8";
	p->body = strdup("");
	p->len = 0;
}

static void
plain(struct resp *p, unsigned status, const char *text)
{
	p->status = status;
	p->ctype = "text/plain; charset=utf-8";
	p->body = strdup(text);
	p->len = p->body != NULL ? strlen(p->body) : 0;
}

/* A page that says what went wrong (detail: the library's words). */
static void
error_page(struct req *r, struct resp *p, unsigned status, enum msg_id what,
    const char *detail)
{
	struct html h = { 0 };

	page_start(&h, r, what);
	if (detail != NULL && detail[0] != '\0') {
		html_lit(&h, "<p id=\"why\">");
		html_text(&h, detail);
		html_lit(&h, "</p>");
	}
	html_lit(&h, "<p><a href=\"/\">");
	html_text(&h, T(M_HOME));
	html_lit(&h, "</a></p>");
	page_end(&h, r, p, status);
}

/* A refused or failed ledger call, as a page. */
static void
ledger_error(struct req *r, struct resp *p, int err)
{
	const char *why = lv_why(r->s->lv);

	snprintf(p->log_note, sizeof(p->log_note), "ledger=%s",
	    uc_strerror(err));
	if (why == NULL || why[0] == '\0')
		why = uc_strerror(err);
	switch (err) {
	case UC_ERR_PERM:
		error_page(r, p, 403, M_ERR_FORBIDDEN, why);
		break;
	case UC_ERR_NOT_FOUND:
		error_page(r, p, 404, M_ERR_NOT_FOUND, why);
		break;
	case UC_ERR_BUSY:
		error_page(r, p, 503, M_ERR_BUSY, NULL);
		break;
	default:
		error_page(r, p, 409, M_ERR_FAILED, why);
		break;
	}
}

/* --- sign in, sign out --------------------------------------------- */

static void
login_form(struct req *r, struct resp *p, const char *account,
    const struct field_error *e, size_t ne, unsigned status)
{
	struct html h = { 0 };
	size_t i;

	page_start(&h, r, M_SIGN_IN);
	error_summary(&h, r, e, ne);
	html_lit(&h, "<form method=\"post\" action=\"/login\" novalidate>");
	csrf_field(&h, r);
	html_lit(&h, "<label for=\"account\">");
	html_text(&h, T(M_ACCOUNT));
	html_lit(&h, "</label>");
	for (i = 0; i < ne; i++)
		if (strcmp(e[i].field, "account") == 0)
			inline_error(&h, "account", e[i].text);
	html_lit(&h, "<input id=\"account\" name=\"account\" type=\"text\""
	    " autocomplete=\"username\" spellcheck=\"false\" value=\"");
	html_text(&h, account);
	html_lit(&h, "\"><label for=\"password\">");
	html_text(&h, T(M_PASSWORD));
	html_lit(&h, "</label>");
	for (i = 0; i < ne; i++)
		if (strcmp(e[i].field, "password") == 0)
			inline_error(&h, "password", e[i].text);
	html_lit(&h, "<input id=\"password\" name=\"password\""
	    " type=\"password\" autocomplete=\"current-password\">"
	    "<p><button type=\"submit\" id=\"sign-in\">");
	html_text(&h, T(M_SIGN_IN));
	html_lit(&h, "</button></p></form>");
	page_end(&h, r, p, status);
}

static void
get_login(struct req *r, struct resp *p)
{
	if (signed_in(r)) {
		redirect(p, "/");
		return;
	}
	if (r->s == NULL) {
		/* a session before sign-in, to carry the form's token */
		if ((r->s = session_new(NULL, r->now)) == NULL) {
			plain(p, 503, "try again\n");
			return;
		}
		resp_cookie(p, r, session_cookie_name(r->cfg), r->s->id, 0);
	}
	login_form(r, p, "", NULL, 0, 200);
}

static void
post_login(struct req *r, struct resp *p)
{
	const char *account = req_form(r, "account", NULL);
	const char *password = req_form(r, "password", NULL);
	struct field_error e[2];
	struct session *s;
	struct lv *v = NULL;
	size_t ne = 0;
	int err;

	if (account == NULL)
		account = "";
	if (account[0] == '\0')
		e[ne++] = (struct field_error){ "account",
		    T(M_ERR_ACCOUNT_EMPTY) };
	if (password == NULL || password[0] == '\0')
		e[ne++] = (struct field_error){ "password",
		    T(M_ERR_PASSWORD_EMPTY) };
	if (ne != 0) {
		login_form(r, p, account, e, ne, 422);
		return;
	}
	err = lv_login(r->cfg->ledger, account, password, &v);
	if (err == UC_ERR_BUSY) {
		error_page(r, p, 503, M_ERR_BUSY, NULL);
		return;
	}
	if (err != 0) {
		/* the same words for every refusal: a page never tells
		 * whether an account exists (the audit trail says why) */
		snprintf(p->log_note, sizeof(p->log_note),
		    "sign-in refused");
		e[0] = (struct field_error){ "password", T(M_ERR_LOGIN) };
		login_form(r, p, account, e, 1, 422);
		return;
	}
	/* a new session: the id seen before sign-in is dropped */
	session_end(r->s);
	r->s = NULL;
	if ((s = session_new(v, r->now)) == NULL) {
		lv_free(&v);
		plain(p, 503, "try again\n");
		return;
	}
	r->s = s;
	resp_cookie(p, r, session_cookie_name(r->cfg), s->id, 0);
	snprintf(p->log_note, sizeof(p->log_note), "signed in");
	redirect(p, "/");
}

static void
post_logout(struct req *r, struct resp *p)
{
	session_end(r->s);
	r->s = NULL;
	resp_cookie(p, r, session_cookie_name(r->cfg), "", -1);
	redirect(p, "/login");
}

/* --- members (clerk) ----------------------------------------------- */

static void
status_option(struct html *h, const char *value, const char *chosen)
{
	html_lit(h, "<option value=\"");
	html_text(h, value);
	html_lit(h, "\"");
	if (chosen != NULL && strcmp(chosen, value) == 0)
		html_lit(h, " selected");
	html_lit(h, ">");
	html_text(h, value);
	html_lit(h, "</option>");
}

static void
member_table(struct html *h, struct req *r, const struct lv_members *m,
    const char *unit_only, const char *status_only, const char *id)
{
	size_t i;

	html_lit(h, "<table id=\"");
	html_text(h, id);
	html_lit(h, "\"><thead><tr><th scope=\"col\">");
	html_text(h, T(M_NAME));
	html_lit(h, "</th><th scope=\"col\">");
	html_text(h, T(M_NATIONAL_ID));
	html_lit(h, "</th><th scope=\"col\">");
	html_text(h, T(M_DOB));
	html_lit(h, "</th><th scope=\"col\">");
	html_text(h, T(M_UNIT));
	html_lit(h, "</th><th scope=\"col\">");
	html_text(h, T(M_STATUS));
	html_lit(h, "</th><th scope=\"col\">");
	html_text(h, T(M_MEMBER_CODE));
	html_lit(h, "</th></tr></thead><tbody>");
	for (i = 0; i < m->n; i++) {
		const struct lv_member *x = &m->v[i];

		if (unit_only != NULL && strcmp(x->unit, unit_only) != 0)
			continue;
		if (status_only != NULL && status_only[0] != '\0' &&
		    strcmp(x->status, status_only) != 0)
			continue;
		html_lit(h, "<tr><td><a href=\"/member?key=");
		html_url_value(h, x->national_id);
		html_lit(h, "\">");
		html_text(h, x->name);
		html_lit(h, "</a></td><td>");
		html_text(h, x->national_id);
		html_lit(h, "</td><td>");
		html_text(h, x->dob);
		html_lit(h, "</td><td>");
		html_text(h, x->unit);
		html_lit(h, "</td><td class=\"status\">");
		html_text(h, x->status);
		if (x->reason[0] != '\0') {
			html_lit(h, ": ");
			html_text(h, x->reason);
		}
		html_lit(h, "</td><td>");
		html_text(h, x->code);
		html_lit(h, "</td></tr>");
	}
	html_lit(h, "</tbody></table>");
}

/* One problem of an upload, kept for the page. */
struct upload_error {
	unsigned long line;
	char field[UC_DIAG_FIELD_MAX];
	char text[UC_DIAG_MSG_MAX + 64];
};
struct upload_errors {
	struct upload_error v[UC_LEDGER_IMPORT_ERRORS_MAX];
	size_t n;
	enum msg_lang lang;
};

static void
collect_error(void *ctx, unsigned long line, const char *field,
    const char *message)
{
	struct upload_errors *u = ctx;
	struct upload_error *e;

	if (u->n == UC_LEDGER_IMPORT_ERRORS_MAX)
		return;
	e = &u->v[u->n++];
	e->line = line;
	snprintf(e->field, sizeof(e->field), "%s", field);
	if (line != 0 && field[0] != '\0')
		snprintf(e->text, sizeof(e->text), "%s %lu, %s %s: %s",
		    msg(u->lang, M_LINE), line, msg(u->lang, M_FIELD), field,
		    message);
	else if (line != 0)
		snprintf(e->text, sizeof(e->text), "%s %lu: %s",
		    msg(u->lang, M_LINE), line, message);
	else
		snprintf(e->text, sizeof(e->text), "%s", message);
}

static void
members_page(struct req *r, struct resp *p, const struct upload_errors *ue,
    size_t more, const char *upload_problem, unsigned status)
{
	const struct lv_actor *a = &r->s->actor;
	const char *q = req_query(r, "q"), *st = req_query(r, "status");
	static const char *const statuses[] = { "entered", "submitted",
	    "approved", "rejected", "withdrawn" };
	struct lv_members m = { 0 };
	struct html h = { 0 };
	struct field_error fe[UC_LEDGER_IMPORT_ERRORS_MAX + 2];
	size_t i, nfe = 0;
	int err;

	if (st != NULL && st[0] == '\0')
		st = NULL;
	if (q != NULL && q[0] != '\0')
		err = lv_member_find(r->s->lv, q, &m);
	else
		err = lv_member_list(r->s->lv, a->unit, st, &m);
	if (err != 0) {
		ledger_error(r, p, err);
		return;
	}
	page_start(&h, r, M_MEMBERS_OF);
	if (upload_problem != NULL)
		fe[nfe++] = (struct field_error){ "csv", upload_problem };
	for (i = 0; ue != NULL && i < ue->n; i++)
		fe[nfe++] = (struct field_error){ "csv", ue->v[i].text };
	if (more != 0)
		fe[nfe++] = (struct field_error){ "csv", T(M_ERR_MORE) };
	error_summary(&h, r, fe, nfe);

	html_lit(&h, "<form method=\"get\" action=\"/members\" role=\"search\">"
	    "<label for=\"q\">");
	html_text(&h, T(M_SEARCH));
	html_lit(&h, "</label><input id=\"q\" name=\"q\" type=\"search\""
	    " value=\"");
	html_text(&h, q);
	html_lit(&h, "\"><label for=\"status\">");
	html_text(&h, T(M_STATUS));
	html_lit(&h, "</label><select id=\"status\" name=\"status\">"
	    "<option value=\"\">");
	html_text(&h, T(M_ALL));
	html_lit(&h, "</option>");
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		status_option(&h, statuses[i], st);
	html_lit(&h, "</select> <button type=\"submit\" id=\"find\">");
	html_text(&h, T(M_FIND));
	html_lit(&h, "</button></form>");

	if (m.n == 0) {
		html_lit(&h, "<p id=\"no-members\">");
		html_text(&h, T(M_NONE));
		html_lit(&h, "</p>");
	} else {
		/* a search reaches the whole subtree: the status filter
		 * applies to its rows too */
		member_table(&h, r, &m, NULL, q != NULL && q[0] != '\0' ?
		    st : NULL, "members");
	}
	lv_members_free(&m);

	html_lit(&h, "<h2>");
	html_text(&h, T(M_UPLOAD));
	html_lit(&h, "</h2><form method=\"post\" action=\"/members/import\""
	    " enctype=\"multipart/form-data\">");
	csrf_field(&h, r);
	html_lit(&h, "<label for=\"csv\">");
	html_text(&h, T(M_UPLOAD_FILE));
	html_lit(&h, "</label>");
	if (nfe != 0) {
		/* the same words as the summary, under the field */
		html_lit(&h, "<span class=\"error-message\" id=\"csv-error\">");
		for (i = 0; i < nfe; i++) {
			if (i != 0)
				html_lit(&h, "<br>");
			html_text(&h, fe[i].text);
		}
		html_lit(&h, "</span>");
	}
	html_lit(&h, "<input id=\"csv\" name=\"csv\" type=\"file\""
	    " accept=\".csv,text/csv\"> <button type=\"submit\""
	    " id=\"upload\">");
	html_text(&h, T(M_UPLOAD_BTN));
	html_lit(&h, "</button></form>");

	html_lit(&h, "<form method=\"post\" action=\"/members/submit\">");
	csrf_field(&h, r);
	html_lit(&h, "<p><button type=\"submit\" id=\"submit-members\">");
	html_text(&h, T(M_SUBMIT_MEMBERS));
	html_lit(&h, "</button></p></form>");
	page_end(&h, r, p, status);
}

static void
post_import(struct req *r, struct resp *p)
{
	const struct form_field *f = req_form_field(r, "csv");
	struct upload_errors *ue;
	size_t count = 0, nerr = 0;
	char n[32];
	int err;

	if (f == NULL || f->len == 0) {
		members_page(r, p, NULL, 0, T(M_ERR_CSV_EMPTY), 422);
		return;
	}
	if ((ue = calloc(1, sizeof(*ue))) == NULL) {
		plain(p, 503, "try again\n");
		return;
	}
	ue->lang = r->lang;
	err = lv_member_import(r->s->lv, r->s->actor.unit, f->val, f->len,
	    f->filename[0] != '\0' ? f->filename : "upload.csv", &count,
	    collect_error, ue, &nerr);
	if (nerr != 0 || (err == UC_ERR_INVALID && ue->n != 0)) {
		snprintf(p->log_note, sizeof(p->log_note), "import refused"
		    " errors=%zu", nerr);
		members_page(r, p, ue, nerr > ue->n ? nerr - ue->n : 0,
		    T(M_ERR_CSV), 422);
	} else if (err != 0) {
		ledger_error(r, p, err);
	} else {
		snprintf(n, sizeof(n), "%zu", count);
		snprintf(p->log_note, sizeof(p->log_note), "imported=%zu",
		    count);
		notice(r, M_IMPORTED, n);
		redirect(p, "/members");
	}
	free(ue);
}

static void
post_members_submit(struct req *r, struct resp *p)
{
	size_t count = 0;
	char n[32];
	int err = lv_member_submit(r->s->lv, r->s->actor.unit, &count);

	if (err != 0) {
		ledger_error(r, p, err);
		return;
	}
	snprintf(n, sizeof(n), "%zu", count);
	notice(r, M_SUBMITTED, n);
	redirect(p, "/members");
}

static void
member_page(struct req *r, struct resp *p)
{
	const char *key = req_query(r, "key");
	struct lv_member m;
	struct lv_members one = { &m, 1 };
	struct html h = { 0 };
	int err;

	if (key == NULL || key[0] == '\0') {
		error_page(r, p, 404, M_ERR_NOT_FOUND, NULL);
		return;
	}
	if ((err = lv_member_show(r->s->lv, key, &m)) != 0) {
		ledger_error(r, p, err);
		return;
	}
	page_start(&h, r, M_MEMBERS);
	member_table(&h, r, &one, NULL, NULL, "member");
	page_end(&h, r, p, 200);
}

/* --- the approver's queue ------------------------------------------ */

/* "NID" for a member's form, "rID" for a request's. */
static void
field_suffix(struct html *h, const char *nid, int64_t id)
{
	if (nid != NULL) {
		html_text(h, nid);
	} else {
		html_lit(h, "r");
		html_int(h, id);
	}
}

static void
reject_form(struct html *h, struct req *r, const char *action,
    const char *unit, const char *nid, int64_t id)
{
	html_lit(h, "<form class=\"inline\" method=\"post\" action=\"");
	html_text(h, action);
	html_lit(h, "\">");
	csrf_field(h, r);
	if (unit != NULL) {
		html_lit(h, "<input type=\"hidden\" name=\"unit\" value=\"");
		html_text(h, unit);
		html_lit(h, "\"><input type=\"hidden\" name=\"national_id\""
		    " value=\"");
		html_text(h, nid);
		html_lit(h, "\">");
	} else {
		html_lit(h, "<input type=\"hidden\" name=\"id\" value=\"");
		html_int(h, id);
		html_lit(h, "\">");
	}
	html_lit(h, "<label for=\"reason-");
	field_suffix(h, nid, id);
	html_lit(h, "\">");
	html_text(h, T(M_REASON));
	html_lit(h, "</label><input required name=\"reason\" id=\"reason-");
	field_suffix(h, nid, id);
	html_lit(h, "\"> <button class=\"warn\" type=\"submit\" id=\"reject-");
	field_suffix(h, nid, id);
	html_lit(h, "\">");
	html_text(h, T(M_REJECT));
	html_lit(h, "</button></form>");
}

static void
action_form(struct html *h, struct req *r, const char *action, int64_t id,
    enum msg_id label)
{
	html_lit(h, "<form class=\"inline\" method=\"post\" action=\"");
	html_text(h, action);
	html_lit(h, "\">");
	csrf_field(h, r);
	html_lit(h, "<input type=\"hidden\" name=\"id\" value=\"");
	html_int(h, id);
	html_lit(h, "\"><button type=\"submit\" id=\"");
	html_text(h, action + 1);
	html_lit(h, "-");
	html_int(h, id);
	html_lit(h, "\">");
	html_text(h, T(label));
	html_lit(h, "</button></form> ");
}

static void
request_rows(struct html *h, struct req *r, const struct lv_requests *q,
    const struct lv_units *only_units, const char *only_status)
{
	const struct lv_actor *a = &r->s->actor;
	size_t i, k;

	html_lit(h, "<table id=\"requests\"><thead><tr><th scope=\"col\">");
	html_text(h, T(M_REQUEST_NO));
	html_lit(h, "</th><th scope=\"col\">");
	html_text(h, T(M_UNIT));
	html_lit(h, "</th><th scope=\"col\">");
	html_text(h, T(M_CARD_TYPE));
	html_lit(h, "</th><th scope=\"col\">");
	html_text(h, T(M_DATE));
	html_lit(h, "</th><th scope=\"col\">");
	html_text(h, T(M_LINES));
	html_lit(h, "</th><th scope=\"col\">");
	html_text(h, T(M_TOTAL));
	html_lit(h, "</th><th scope=\"col\">");
	html_text(h, T(M_STATUS));
	html_lit(h, "</th><th scope=\"col\">");
	html_text(h, T(M_ACTIONS));
	html_lit(h, "</th></tr></thead><tbody>");
	for (i = 0; i < q->n; i++) {
		const struct lv_request *x = &q->v[i];
		int in = only_units == NULL;

		for (k = 0; only_units != NULL && k < only_units->n; k++)
			if (strcmp(only_units->v[k].code, x->unit) == 0)
				in = 1;
		if (!in || (only_status != NULL &&
		    strcmp(x->status, only_status) != 0))
			continue;
		html_lit(h, "<tr id=\"request-");
		html_int(h, x->id);
		html_lit(h, "\"><td>");
		html_int(h, x->id);
		html_lit(h, "</td><td>");
		html_text(h, x->unit);
		html_lit(h, "</td><td>");
		html_text(h, T(strcmp(x->type, "linked") == 0 ?
		    M_TYPE_LINKED : M_TYPE_REGULAR));
		html_lit(h, "</td><td>");
		html_text(h, x->date);
		html_lit(h, "</td><td>");
		html_int(h, x->lines);
		html_lit(h, "</td><td>");
		html_int(h, x->total_vnd);
		html_lit(h, "</td><td class=\"status\">");
		html_text(h, x->status);
		if (x->reason[0] != '\0') {
			html_lit(h, ": ");
			html_text(h, x->reason);
		}
		html_lit(h, "</td><td>");
		/* which buttons to show is a courtesy; the library decides
		 * whether the action is allowed */
		if (a->role == UC_ROLE_CLERK && (strcmp(x->status, "draft") ==
		    0 || strcmp(x->status, "rejected") == 0))
			action_form(h, r, "/requests/submit", x->id,
			    M_SUBMIT);
		if (a->role == UC_ROLE_APPROVER &&
		    strcmp(x->status, "submitted") == 0 &&
		    strcmp(x->unit, a->unit) != 0) {
			action_form(h, r, "/requests/approve", x->id,
			    M_APPROVE);
			reject_form(h, r, "/requests/reject", NULL, NULL,
			    x->id);
		}
		if (a->role == UC_ROLE_PRINTER &&
		    strcmp(x->status, "approved") == 0)
			action_form(h, r, "/requests/accept", x->id,
			    M_ACCEPT);
		html_lit(h, "</td></tr>");
	}
	html_lit(h, "</tbody></table>");
}

static void
queue_page(struct req *r, struct resp *p)
{
	struct lv_units u = { 0 };
	struct lv_requests q = { 0 };
	struct html h = { 0 };
	size_t i, k;
	int err;

	if ((err = lv_unit_children(r->s->lv, r->s->actor.unit, &u)) != 0 ||
	    (err = lv_request_list(r->s->lv, &q)) != 0) {
		lv_units_free(&u);
		ledger_error(r, p, err);
		return;
	}
	page_start(&h, r, M_QUEUE);
	html_lit(&h, "<h2>");
	html_text(&h, T(M_QUEUE_MEMBERS));
	html_lit(&h, "</h2>");
	for (i = 0; i < u.n; i++) {
		struct lv_members m = { 0 };
		size_t shown = 0;

		if (lv_member_list(r->s->lv, u.v[i].code, "submitted", &m)
		    != 0)
			continue;
		for (k = 0; k < m.n; k++)
			shown += strcmp(m.v[k].unit, u.v[i].code) == 0;
		if (shown == 0) {
			lv_members_free(&m);
			continue;
		}
		html_lit(&h, "<section id=\"queue-");
		html_text(&h, u.v[i].code);
		html_lit(&h, "\"><h3>");
		html_text(&h, u.v[i].code);
		html_lit(&h, " ");
		html_text(&h, u.v[i].name);
		html_lit(&h, "</h3><table><tbody>");
		for (k = 0; k < m.n; k++) {
			const struct lv_member *x = &m.v[k];

			if (strcmp(x->unit, u.v[i].code) != 0)
				continue;
			html_lit(&h, "<tr><td>");
			html_text(&h, x->name);
			html_lit(&h, "</td><td>");
			html_text(&h, x->national_id);
			html_lit(&h, "</td><td>");
			html_lit(&h, "<form class=\"inline\" method=\"post\""
			    " action=\"/queue/approve\">");
			csrf_field(&h, r);
			html_lit(&h, "<input type=\"hidden\" name=\"unit\""
			    " value=\"");
			html_text(&h, x->unit);
			html_lit(&h, "\"><input type=\"hidden\""
			    " name=\"national_id\" value=\"");
			html_text(&h, x->national_id);
			html_lit(&h, "\"><button type=\"submit\""
			    " id=\"approve-");
			html_text(&h, x->national_id);
			html_lit(&h, "\">");
			html_text(&h, T(M_APPROVE));
			html_lit(&h, "</button></form> ");
			reject_form(&h, r, "/queue/reject", x->unit,
			    x->national_id, 0);
			html_lit(&h, "</td></tr>");
		}
		html_lit(&h, "</tbody></table><form method=\"post\""
		    " action=\"/queue/approve\">");
		csrf_field(&h, r);
		html_lit(&h, "<input type=\"hidden\" name=\"unit\" value=\"");
		html_text(&h, u.v[i].code);
		html_lit(&h, "\"><button type=\"submit\" id=\"approve-all-");
		html_text(&h, u.v[i].code);
		html_lit(&h, "\">");
		html_text(&h, T(M_APPROVE_ALL));
		html_lit(&h, " ");
		html_text(&h, u.v[i].code);
		html_lit(&h, "</button></form></section>");
		lv_members_free(&m);
	}
	html_lit(&h, "<h2>");
	html_text(&h, T(M_QUEUE_REQUESTS));
	html_lit(&h, "</h2>");
	request_rows(&h, r, &q, &u, "submitted");
	lv_units_free(&u);
	lv_requests_free(&q);
	page_end(&h, r, p, 200);
}

static void
post_queue_approve(struct req *r, struct resp *p)
{
	const char *unit = req_form(r, "unit", NULL);
	const char *nid = req_form(r, "national_id", NULL);
	size_t count = 0;
	char n[32];
	int err;

	if (unit == NULL || unit[0] == '\0') {
		error_page(r, p, 400, M_ERR_FAILED, NULL);
		return;
	}
	if (nid != NULL && nid[0] == '\0')
		nid = NULL;
	if ((err = lv_member_approve(r->s->lv, unit, nid, &count)) != 0) {
		ledger_error(r, p, err);
		return;
	}
	snprintf(n, sizeof(n), "%zu", count);
	notice(r, M_APPROVED, n);
	redirect(p, "/queue");
}

static void
post_queue_reject(struct req *r, struct resp *p)
{
	const char *unit = req_form(r, "unit", NULL);
	const char *nid = req_form(r, "national_id", NULL);
	const char *reason = req_form(r, "reason", NULL);
	int err;

	if (unit == NULL || nid == NULL) {
		error_page(r, p, 400, M_ERR_FAILED, NULL);
		return;
	}
	if (reason == NULL || reason[0] == '\0') {
		error_page(r, p, 422, M_ERR_REASON_EMPTY, NULL);
		return;
	}
	if ((err = lv_member_reject(r->s->lv, unit, nid, reason)) != 0) {
		ledger_error(r, p, err);
		return;
	}
	notice(r, M_REJECTED, nid);
	redirect(p, "/queue");
}

/* --- print requests ------------------------------------------------ */

static void
requests_page(struct req *r, struct resp *p)
{
	struct lv_requests q = { 0 };
	struct html h = { 0 };
	int err;

	if ((err = lv_request_list(r->s->lv, &q)) != 0) {
		ledger_error(r, p, err);
		return;
	}
	page_start(&h, r, M_REQUESTS);
	if (r->s->actor.role == UC_ROLE_CLERK) {
		html_lit(&h, "<h2>");
		html_text(&h, T(M_NEW_REQUEST));
		html_lit(&h, "</h2><form method=\"post\""
		    " action=\"/requests/new\">");
		csrf_field(&h, r);
		html_lit(&h, "<label for=\"type\">");
		html_text(&h, T(M_CARD_TYPE));
		html_lit(&h, "</label><select id=\"type\" name=\"type\">"
		    "<option value=\"regular\">");
		html_text(&h, T(M_TYPE_REGULAR));
		html_lit(&h, "</option><option value=\"linked\">");
		html_text(&h, T(M_TYPE_LINKED));
		html_lit(&h, "</option></select> <button type=\"submit\""
		    " id=\"create-request\">");
		html_text(&h, T(M_CREATE));
		html_lit(&h, "</button></form>");
	}
	if (q.n == 0) {
		html_lit(&h, "<p id=\"no-requests\">");
		html_text(&h, T(M_NONE));
		html_lit(&h, "</p>");
	} else {
		request_rows(&h, r, &q, NULL, NULL);
	}
	lv_requests_free(&q);
	page_end(&h, r, p, 200);
}

static int
form_id(const struct req *r, int64_t *id)
{
	const char *s = req_form(r, "id", NULL);
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v <= 0)
		return -1;
	*id = v;
	return 0;
}

static void
post_request(struct req *r, struct resp *p, const char *what)
{
	const char *reason = req_form(r, "reason", NULL);
	char n[32];
	int64_t id = 0;
	int err;

	if (strcmp(what, "new") == 0) {
		const char *type = req_form(r, "type", NULL);

		err = lv_request_create(r->s->lv, r->s->actor.unit,
		    type != NULL ? type : "regular", &id);
	} else if (form_id(r, &id) != 0) {
		error_page(r, p, 400, M_ERR_FAILED, NULL);
		return;
	} else if (strcmp(what, "submit") == 0) {
		err = lv_request_submit(r->s->lv, id);
	} else if (strcmp(what, "approve") == 0) {
		err = lv_request_approve(r->s->lv, id);
	} else if (strcmp(what, "reject") == 0) {
		if (reason == NULL || reason[0] == '\0') {
			error_page(r, p, 422, M_ERR_REASON_EMPTY, NULL);
			return;
		}
		err = lv_request_reject(r->s->lv, id, reason);
	} else if (strcmp(what, "accept") == 0) {
		err = lv_request_accept(r->s->lv, id);
	} else {
		error_page(r, p, 404, M_ERR_NOT_FOUND, NULL);
		return;
	}
	if (err != 0) {
		ledger_error(r, p, err);
		return;
	}
	snprintf(n, sizeof(n), "#%lld", (long long)id);
	notice(r, M_DONE, n);
	redirect(p, r->s->actor.role == UC_ROLE_APPROVER &&
	    strcmp(what, "new") != 0 ? "/queue" : "/requests");
}

/* --- cards --------------------------------------------------------- */

static void
cards_page(struct req *r, struct resp *p)
{
	struct lv_cards c = { 0 };
	struct html h = { 0 };
	size_t i;
	int err;

	if ((err = lv_card_list(r->s->lv, &c)) != 0) {
		ledger_error(r, p, err);
		return;
	}
	page_start(&h, r, M_CARDS);
	if (c.n == 0) {
		html_lit(&h, "<p id=\"no-cards\">");
		html_text(&h, T(M_NONE));
		html_lit(&h, "</p>");
	} else {
		html_lit(&h, "<table id=\"cards\"><thead><tr>"
		    "<th scope=\"col\">");
		html_text(&h, T(M_SERIAL));
		html_lit(&h, "</th><th scope=\"col\">");
		html_text(&h, T(M_MEMBER_CODE));
		html_lit(&h, "</th><th scope=\"col\">");
		html_text(&h, T(M_CARD_TYPE));
		html_lit(&h, "</th><th scope=\"col\">");
		html_text(&h, T(M_STATUS));
		html_lit(&h, "</th></tr></thead><tbody>");
		for (i = 0; i < c.n; i++) {
			html_lit(&h, "<tr><td>");
			html_text(&h, c.v[i].serial);
			html_lit(&h, "</td><td>");
			html_text(&h, c.v[i].member_code);
			html_lit(&h, "</td><td>");
			html_text(&h, T(strcmp(c.v[i].type, "linked") == 0 ?
			    M_TYPE_LINKED : M_TYPE_REGULAR));
			html_lit(&h, "</td><td class=\"status\">");
			html_text(&h, c.v[i].status);
			html_lit(&h, "</td></tr>");
		}
		html_lit(&h, "</tbody></table>");
	}
	lv_cards_free(&c);
	page_end(&h, r, p, 200);
}

/* --- the JSON API -------------------------------------------------- */

static void
api_error(struct resp *p, unsigned status, const char *error,
    const char *why)
{
	json_t *o = json_pack("{s:s, s:s}", "error", error, "why",
	    why != NULL ? why : "");

	p->status = status;
	p->ctype = "application/json";
	p->body = o != NULL ? json_dumps(o, 0) : NULL;
	p->len = p->body != NULL ? strlen(p->body) : 0;
	json_decref(o);
}

static void
api_members(struct req *r, struct resp *p)
{
	const char *unit = req_query(r, "unit");
	const char *auth = req_header(r, "Authorization");
	struct lv *token_lv = NULL, *v;
	char *json = NULL;
	int err;

	if (auth != NULL) {
		/* a script's token: a handle for this request only */
		if (strncmp(auth, "Bearer ", 7) != 0 ||
		    lv_token_login(r->cfg->ledger, auth + 7, &token_lv) != 0) {
			snprintf(p->log_note, sizeof(p->log_note),
			    "token refused");
			api_error(p, 401, "unauthorized",
			    "unknown, revoked or malformed token");
			return;
		}
		v = token_lv;
	} else if (signed_in(r)) {
		v = r->s->lv;
	} else {
		api_error(p, 401, "unauthorized", "sign in first");
		return;
	}
	if (unit == NULL || unit[0] == '\0') {
		api_error(p, 400, "bad_request", "unit=CODE is needed");
		goto out;
	}
	if ((err = lv_member_list_json(v, unit, &json)) != 0) {
		api_error(p, err == UC_ERR_PERM ? 403 :
		    err == UC_ERR_NOT_FOUND ? 404 : err == UC_ERR_BUSY ? 503 :
		    400, err == UC_ERR_PERM ? "forbidden" :
		    err == UC_ERR_NOT_FOUND ? "not_found" : "failed",
		    lv_why(v));
		goto out;
	}
	p->status = 200;
	p->ctype = "application/json";
	p->body = json;
	p->len = strlen(json);
out:
	lv_free(&token_lv);
}

/* --- routing ------------------------------------------------------- */

static void
home(struct req *r, struct resp *p)
{
	switch (r->s->actor.role) {
	case UC_ROLE_APPROVER:
		redirect(p, "/queue");
		break;
	case UC_ROLE_CLERK:
	case UC_ROLE_ADMIN:
		redirect(p, "/members");
		break;
	default:
		redirect(p, "/requests");
		break;
	}
}

void
pages_handle(struct req *r, struct resp *p)
{
	const char *path = r->path;
	int get = strcmp(r->method, "GET") == 0 ||
	    strcmp(r->method, "HEAD") == 0;

	if (strcmp(path, "/healthz") == 0 && get) {
		plain(p, 200, "ok");
		return;
	}
	if (strcmp(path, "/static/style.css") == 0 && get) {
		p->status = 200;
		p->ctype = "text/css; charset=utf-8";
		p->body = strdup(style_css);
		p->len = p->body != NULL ? strlen(p->body) : 0;
		return;
	}
	if (strncmp(path, "/api/", 5) == 0) {
		if (strcmp(path, "/api/v1/members") == 0 && get)
			api_members(r, p);
		else
			api_error(p, 404, "not_found", path);
		return;
	}
	if (strcmp(path, "/lang") == 0 && get) {
		const char *to = req_query(r, "to");

		resp_cookie(p, r, "uc_lang", to != NULL &&
		    strcmp(to, "en") == 0 ? "en" : "vi", 365L * 86400);
		redirect(p, "/");
		return;
	}
	if (!get && !r->is_post) {
		plain(p, 405, "method not allowed\n");
		return;
	}
	if (r->is_post) {
		/* before anything else: the body's size, then the token */
		if (r->too_large) {
			snprintf(p->log_note, sizeof(p->log_note),
			    "body over %zu bytes", r->cfg->max_upload);
			error_page(r, p, 413, M_ERR_TOO_LARGE, NULL);
			return;
		}
		if (!session_csrf_ok(r->s, req_form(r, "csrf", NULL))) {
			snprintf(p->log_note, sizeof(p->log_note),
			    "csrf refused");
			error_page(r, p, 403, M_ERR_CSRF, NULL);
			return;
		}
		if (r->bad_form) {
			error_page(r, p, 400, M_ERR_FAILED, NULL);
			return;
		}
	}
	if (strcmp(path, "/login") == 0) {
		if (get)
			get_login(r, p);
		else
			post_login(r, p);
		return;
	}
	if (!signed_in(r)) {
		redirect(p, "/login");
		return;
	}
	if (r->is_post) {
		if (strcmp(path, "/logout") == 0)
			post_logout(r, p);
		else if (strcmp(path, "/members/import") == 0)
			post_import(r, p);
		else if (strcmp(path, "/members/submit") == 0)
			post_members_submit(r, p);
		else if (strcmp(path, "/queue/approve") == 0)
			post_queue_approve(r, p);
		else if (strcmp(path, "/queue/reject") == 0)
			post_queue_reject(r, p);
		else if (strncmp(path, "/requests/", 10) == 0)
			post_request(r, p, path + 10);
		else
			error_page(r, p, 404, M_ERR_NOT_FOUND, NULL);
		return;
	}
	if (strcmp(path, "/") == 0)
		home(r, p);
	else if (strcmp(path, "/members") == 0)
		members_page(r, p, NULL, 0, NULL, 200);
	else if (strcmp(path, "/member") == 0)
		member_page(r, p);
	else if (strcmp(path, "/queue") == 0)
		queue_page(r, p);
	else if (strcmp(path, "/requests") == 0)
		requests_page(r, p);
	else if (strcmp(path, "/cards") == 0)
		cards_page(r, p);
	else
		error_page(r, p, 404, M_ERR_NOT_FOUND, NULL);
}
