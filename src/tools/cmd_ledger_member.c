/*
 * cmd_ledger_member.c - member import|submit|approve|reject|list|show|
 * edit|withdraw|transfer|find|export.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_ledger.h"
#include "commands.h"
#include "ledger_json.h"

static void
usage(void)
{
	puts("Usage: unioncard --as USER member import FILE.csv --unit CODE"
	    " [--photos DIR]\n"
	    "       unioncard --as USER member submit --unit CODE\n"
	    "       unioncard --as USER member approve --unit CODE"
	    " (--all | --national-id ID...)\n"
	    "       unioncard --as USER member reject --unit CODE"
	    " --national-id ID --reason TEXT\n"
	    "       unioncard --as USER member list --unit CODE"
	    " [--status S] [--json]\n"
	    "       unioncard --as USER member show CODE|NATIONAL-ID"
	    " [--json]\n"
	    "       unioncard --as USER member edit CODE|NATIONAL-ID"
	    " --FIELD VALUE... [--reason TEXT]\n"
	    "       unioncard --as USER member withdraw CODE|NATIONAL-ID"
	    " --reason TEXT\n"
	    "       unioncard --as USER member transfer CODE|NATIONAL-ID"
	    " --to UNIT\n"
	    "       unioncard --as USER member find TEXT [--limit N]"
	    " [--json]\n"
	    "       unioncard --as USER member export --csv [--unit CODE]"
	    " [--out FILE]\n"
	    "CSV columns: full_name,date_of_birth,gender,national_id,"
	    "position,joined_on,mandatory\n"
	    "  (or Họ và tên;Ngày sinh;Giới tính;Số CCCD;Chức vụ;"
	    "Ngày vào công đoàn;Bắt buộc),\n"
	    "  ',' or ';' separated; every problem is listed (line, column,"
	    " why),\n"
	    "  nothing is stored unless the file is clean."
	    "  docs/member-file.md\n"
	    "  --photos DIR: DIR/NATIONAL-ID.jpg|.png of the file's members,"
	    " checked\n"
	    "  as 'member photo' checks them, kept with them (a bad one is"
	    " listed).\n"
	    "Example:\n"
	    "  unioncard --as tp01.clerk member import ds-thanh-vien.csv"
	    " --unit TP01\n"	    "  unioncard --as tp01.clerk member import ds.csv --unit TP01"
	    " --photos anh/\n"
	    "list covers the unit and every unit below it.\n"
	    "unioncard member COMMAND --help explains edit, withdraw,"
	    " transfer, find and export.");
}

/* The help of one subcommand, with an example; 0 if it has none. */
static int
sub_help(const char *sub)
{
	static const struct {
		const char *sub, *text;
	} h[] = {
	{ "edit", "Usage: unioncard --as USER member edit CODE|NATIONAL-ID"
	    " --FIELD VALUE... [--reason TEXT]\n"
	    "Correct what was entered. FIELD is a column of the member"
	    " file:\n"
	    "  --full-name, --date-of-birth, --gender, --national-id,"
	    " --position,\n"
	    "  --joined-on, --mandatory; each value is checked as the"
	    " import checks it\n"
	    "  (names trimmed, runs of spaces collapsed).\n"
	    "An approved member whose data changes goes back to"
	    " 'submitted' for approval\n"
	    "again (its member code stays); a rejected one becomes"
	    " 'entered'. The audit\n"
	    "keeps the old and the new values. A member on a request"
	    " still on its way is\n"
	    "taken off it first (request edit ID --remove CODE).\n"
	    "Example:\n"
	    "  unioncard --as TP01.clerk member edit 052185000123 \\\n"
	    "      --full-name 'Huỳnh Lê Diễm Tuyết' --position 'Trưởng"
	    " ban' --reason 'typo'" },
	{ "withdraw", "Usage: unioncard --as USER member withdraw"
	    " CODE|NATIONAL-ID --reason TEXT\n"
	    "Withdraw a member entered by mistake or rejected for good:"
	    " the row stays\n"
	    "(status 'withdrawn', shown by list --status withdrawn and"
	    " find), the audit\n"
	    "keeps why, and it no longer counts. A member with a card"
	    " is not withdrawn.\n"
	    "Importing the national ID into the unit again enters it"
	    " again.\n"
	    "Example:\n"
	    "  unioncard --as TP01.clerk member withdraw 052179000456"
	    " --reason 'entered twice'" },
	{ "transfer", "Usage: unioncard --as USER member transfer"
	    " CODE|NATIONAL-ID --to UNIT\n"
	    "Move a member to another unit, keeping its status and"
	    " member code. The\n"
	    "account must be a clerk or admin over both units.\n"
	    "Example:\n"
	    "  unioncard --as admin member transfer 052090000789 --to"
	    " TP02" },
	{ "find", "Usage: unioncard --as USER member find TEXT [--limit N]"
	    " [--json]\n"
	    "Members of your units whose name contains TEXT (accents,"
	    " case and Đ/đ\n"
	    "ignored), or whose national ID or member code contains it;"
	    " withdrawn\n"
	    "members included. At most N rows (default 100).\n"
	    "Example:\n"
	    "  unioncard --as TP.approver member find 'duc'" },
	{ "export", "Usage: unioncard --as USER member export --csv"
	    " [--unit CODE] [--out FILE]\n"
	    "Every member (not withdrawn) of the unit and the units below"
	    " it (default:\n"
	    "your unit) as CSV, to FILE (created 0600, written whole or"
	    " not at all) or\n"
	    "standard output. A cell that a spreadsheet would run as a"
	    " formula\n"
	    "(= + - @ TAB CR first) is written with a ' in front.\n"
	    "Example:\n"
	    "  unioncard --as TP.approver member export --csv --unit TP"
	    " --out tp.csv" },
	};
	size_t i;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		if (strcmp(sub, h[i].sub) == 0) {
			puts(h[i].text);
			return 1;
		}
	return 0;
}

/* path, written whole: a 0600 sibling, renamed over path when done. */
static int
export_file(struct uc_tool_global *g, struct uc_ledger *l, const char *unit,
    const char *path, size_t *n)
{
	char tmp[4096];
	FILE *fp;
	int fd, r;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
	    (long)getpid()) >= sizeof(tmp))
		return uc_tool_fail(g, UC_ERR_ARG, "%s: path too long", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) < 0)
		return uc_tool_fail(g, UC_ERR_IO, "cannot create %s: %s", tmp,
		    strerror(errno));
	if ((fp = fdopen(fd, "wb")) == NULL) {
		close(fd);
		unlink(tmp);
		return uc_tool_fail(g, UC_ERR_NOMEM, "%s", tmp);
	}
	r = uc_ledger_member_export_csv(l, unit, fp, n);
	if (r == 0 && (fflush(fp) != 0 || fsync(fileno(fp)) != 0))
		r = UC_ERR_IO;
	if (fclose(fp) != 0 && r == 0)
		r = UC_ERR_IO;
	if (r == 0 && rename(tmp, path) != 0) {
		r = uc_tool_fail(g, UC_ERR_IO, "cannot rename %s to %s: %s",
		    tmp, path, strerror(errno));
		unlink(tmp);
		return r;
	}
	if (r != 0) {
		unlink(tmp);
		return lgt_fail(g, l, r, "member export");
	}
	return UC_EXIT_OK;
}

static int
edit(struct uc_tool_global *g, struct uc_ledger *l, const char *key,
    int argc, char **argv)
{
	struct uc_ledger_member_fields f;
	struct uc_ledger_member_card *cards = NULL;
	struct uc_ledger_member m;
	struct uc_diag d;
	size_t n = 0, i, ncards = 0;
	int r;

	memset(&f, 0, sizeof(f));
	f.full_name = lgt_opt(argc, argv, "--full-name");
	f.date_of_birth = lgt_opt(argc, argv, "--date-of-birth");
	f.gender = lgt_opt(argc, argv, "--gender");
	f.national_id = lgt_opt(argc, argv, "--national-id");
	f.position = lgt_opt(argc, argv, "--position");
	f.joined_on = lgt_opt(argc, argv, "--joined-on");
	f.mandatory = lgt_opt(argc, argv, "--mandatory");
	r = uc_ledger_member_edit(l, key, &f, lgt_opt(argc, argv, "--reason"),
	    &n, &d);
	if (r == UC_ERR_INVALID && d.msg[0] != '\0')
		return uc_tool_fail_diag(g, r, &d, "member edit %s rejected,"
		    " nothing changed", key);
	if (r != 0)
		return lgt_fail(g, l, r, "member edit");
	if (!g->quiet)
		fprintf(stderr, n == 0 ? "%s: member %s: nothing to change\n" :
		    "%s: member %s: %zu fields changed\n", g->prog, key, n);
	if (n > 0 && !g->quiet && uc_ledger_member_get(l, key, &m, &cards,
	    &ncards) == 0) {
		/* a card already made still carries the old data */
		for (i = 0; i < ncards; i++) {
			if (cards[i].status == UC_CARD_ENCODED ||
			    cards[i].status == UC_CARD_ISSUED)
				fprintf(stderr, "%s: card %s carries the old"
				    " data; for a new one: card replace %s"
				    " --reason data_change\n", g->prog,
				    cards[i].serial, cards[i].serial);
		}
		free(cards);
	}
	return UC_EXIT_OK;
}

int
uc_cmd_member(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--unit=", "--all",
	    "--national-id=", "--reason=", "--status=", "--json",
	    "--full-name=", "--date-of-birth=", "--gender=", "--position=",
	    "--joined-on=", "--mandatory=", "--to=", "--limit=", "--csv",
	    "--out=", "--photos=", NULL };
	static const char *const fcols[] = { "member_code", "national_id",
	    "full_name", "unit", "status" };
	static const char *const cols[] = { "member_code", "national_id",
	    "full_name", "status", "mandatory", "unit" };
	struct uc_ledger *l = NULL;
	struct uc_diag d;
	const char *sub = argc > 1 ? argv[1] : NULL;
	const char *unit = lgt_opt(argc, argv, "--unit");
	const char **ids = NULL;
	json_t *a = NULL;
	size_t n = 0, nids = 0;
	int r, i;

	if (sub == NULL || strcmp(sub, "--help") == 0) {
		usage();
		return sub == NULL ? UC_EXIT_FAIL : UC_EXIT_OK;
	}
	if (strcmp(sub, "photo") == 0) /* cmd_face.c: the printed card */
		return uc_cmd_member_photo(g, argc, argv);
	if (strcmp(sub, "approve") == 0) {
		/* --national-id ID [ID...] and/or repeated --national-id */
		if ((ids = calloc((size_t)argc, sizeof(*ids))) == NULL)
			return uc_tool_fail(g, UC_ERR_NOMEM, "member");
		for (i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--national-id") != 0)
				continue;
			while (i + 1 < argc && strncmp(argv[i + 1], "--", 2))
				ids[nids++] = argv[++i];
		}
		if (unit == NULL || (nids == 0) == !lgt_flag(argc, argv,
		    "--all")) {
			free(ids);
			return uc_tool_usage(g, "member approve --unit CODE"
			    " (--all | --national-id ID...)");
		}
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			goto out;
		r = uc_ledger_member_approve(l, unit,
		    nids ? (const char *const *)ids : NULL, nids, &n);
		if (r != 0)
			r = lgt_fail(g, l, r, "member approve");
		else if (!g->quiet)
			fprintf(stderr, "%s: %zu members approved\n", g->prog,
			    n);
		goto out;
	}
	if (lgt_flag(argc, argv, "--help") && sub_help(sub))
		return UC_EXIT_OK;
	if ((r = lgt_check(g, argc, argv, 2, known, 1)) != 0)
		return r;
	if (strcmp(sub, "edit") == 0 || strcmp(sub, "withdraw") == 0 ||
	    strcmp(sub, "transfer") == 0) {
		const char *key = lgt_pos(argc, argv, 2, known, 0);
		const char *reason = lgt_opt(argc, argv, "--reason");
		const char *to = lgt_opt(argc, argv, "--to");

		if (key == NULL || (strcmp(sub, "withdraw") == 0 &&
		    reason == NULL) || (strcmp(sub, "transfer") == 0 &&
		    to == NULL))
			return uc_tool_usage(g, "member %s CODE|NATIONAL-ID"
			    " %s (see member %s --help)", sub,
			    sub[0] == 'e' ? "--FIELD VALUE..." : sub[0] == 'w' ?
			    "--reason TEXT" : "--to UNIT", sub);
		if (strcmp(sub, "edit") == 0 && lgt_opt(argc, argv,
		    "--full-name") == NULL && lgt_opt(argc, argv,
		    "--date-of-birth") == NULL && lgt_opt(argc, argv,
		    "--gender") == NULL && lgt_opt(argc, argv,
		    "--national-id") == NULL && lgt_opt(argc, argv,
		    "--position") == NULL && lgt_opt(argc, argv,
		    "--joined-on") == NULL && lgt_opt(argc, argv,
		    "--mandatory") == NULL)
			return uc_tool_usage(g, "member edit needs at least one"
			    " --FIELD VALUE (see member edit --help)");
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		if (strcmp(sub, "edit") == 0) {
			r = edit(g, l, key, argc, argv);
		} else if (strcmp(sub, "withdraw") == 0) {
			r = uc_ledger_member_withdraw(l, key, reason);
			if (r != 0)
				r = lgt_fail(g, l, r, "member withdraw");
			else if (!g->quiet)
				fprintf(stderr, "%s: member %s withdrawn\n",
				    g->prog, key);
		} else {
			r = uc_ledger_member_transfer(l, key, to);
			if (r != 0)
				r = lgt_fail(g, l, r, "member transfer");
			else if (!g->quiet)
				fprintf(stderr, "%s: member %s moved to %s\n",
				    g->prog, key, to);
		}
		goto out;
	}
	if (strcmp(sub, "find") == 0) {
		const char *text = lgt_pos(argc, argv, 2, known, 0);
		const char *lim = lgt_opt(argc, argv, "--limit");
		long v = 100;
		char *end = NULL;

		if (lim != NULL) {
			errno = 0;
			v = strtol(lim, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 || v > 10000)
				return uc_tool_usage(g,
				    "--limit takes 1..10000");
		}
		if (text == NULL)
			return uc_tool_usage(g, "member find TEXT");
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		if ((a = json_array()) == NULL)
			r = UC_ERR_NOMEM;
		else
			r = uc_ledger_member_find(l, text, (size_t)v,
			    uc_json_member_append, a);
		if (r != 0)
			r = lgt_fail(g, l, r, "member find");
		else
			r = lgt_print_list(a, fcols, 5,
			    lgt_json(g, argc, argv));
		goto out;
	}
	if (strcmp(sub, "export") == 0) {
		const char *path = lgt_opt(argc, argv, "--out");

		if (!lgt_flag(argc, argv, "--csv") ||
		    lgt_pos(argc, argv, 2, known, 0) != NULL)
			return uc_tool_usage(g, "member export --csv"
			    " [--unit CODE] [--out FILE]");
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		if (path != NULL) {
			r = export_file(g, l, unit, path, &n);
		} else {
			r = uc_ledger_member_export_csv(l, unit, stdout, &n);
			if (r == 0 && fflush(stdout) != 0)
				r = UC_ERR_IO;
			r = r != 0 ? lgt_fail(g, l, r, "member export") :
			    UC_EXIT_OK;
		}
		if (r == UC_EXIT_OK && !g->quiet)
			fprintf(stderr, "%s: %zu members exported\n", g->prog,
			    n);
		goto out;
	}
	if (strcmp(sub, "import") == 0) {
		const char *file = lgt_pos(argc, argv, 2, known, 0);
		const char *photos = lgt_opt(argc, argv, "--photos");
		struct uc_import_photos ph = { NULL, 0 };
		FILE *fp;

		if (file == NULL || unit == NULL)
			return uc_tool_usage(g, "member import FILE.csv"
			    " --unit CODE [--photos DIR]");
		if (photos != NULL &&
		    (r = uc_import_photos_read(g, photos, &ph)) != 0)
			return r;
		if ((fp = fopen(file, "rb")) == NULL) {
			uc_import_photos_free(&ph);
			return uc_tool_fail(g, UC_ERR_IO, "%s", file);
		}
		if ((r = lgt_open(g, &l, 0, 1)) != 0) {
			fclose(fp);
			uc_import_photos_free(&ph);
			return r;
		}
		{
			struct lgt_import_errs e = { NULL, 0 };
			size_t nerr = 0;

			r = uc_ledger_member_import_photos(l, unit, fp, file,
			    ph.v, ph.n, &n, lgt_import_diag, &e, &nerr, &d);
			fclose(fp);
			if (r != 0)
				r = lgt_import_fail(g, l, r, &e, nerr,
				    "member import");
			lgt_import_errs_free(&e);
		}
		if (r == 0 && !g->quiet)
			fprintf(stderr, "%s: %zu members entered in %s, %zu "
			    "photo(s) kept\n", g->prog, n, unit, ph.n);
		uc_import_photos_free(&ph);
	} else if (strcmp(sub, "submit") == 0) {
		if (unit == NULL)
			return uc_tool_usage(g, "member submit --unit CODE");
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		r = uc_ledger_member_submit(l, unit, &n);
		if (r != 0)
			r = lgt_fail(g, l, r, "member submit");
		else if (!g->quiet)
			fprintf(stderr, "%s: %zu members submitted\n",
			    g->prog, n);
	} else if (strcmp(sub, "reject") == 0) {
		const char *nid = lgt_opt(argc, argv, "--national-id");
		const char *reason = lgt_opt(argc, argv, "--reason");

		if (unit == NULL || nid == NULL || reason == NULL)
			return uc_tool_usage(g, "member reject --unit CODE"
			    " --national-id ID --reason TEXT");
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		r = uc_ledger_member_reject(l, unit, nid, reason);
		r = r != 0 ? lgt_fail(g, l, r, "member reject") : UC_EXIT_OK;
	} else if (strcmp(sub, "list") == 0) {
		const char *status = lgt_opt(argc, argv, "--status");
		int st = uc_ledger_member_status_parse(status);

		if (unit == NULL)
			return uc_tool_usage(g, "member list --unit CODE");
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		if (status != NULL && st == 0) {
			r = uc_tool_fail(g, UC_ERR_ARG, "member list: no member"
			    " status '%s' (entered, submitted, approved,"
			    " rejected, withdrawn)", status);
			goto out;
		}
		if ((a = json_array()) == NULL)
			r = UC_ERR_NOMEM;
		else
			r = uc_ledger_member_each(l, unit, st,
			    uc_json_member_append, a);
		if (r != 0)
			r = lgt_fail(g, l, r, "member list");
		else
			r = lgt_print_list(a, cols, 6, lgt_json(g, argc, argv));
	} else if (strcmp(sub, "show") == 0) {
		const char *key = lgt_pos(argc, argv, 2, known, 0);

		if (key == NULL)
			return uc_tool_usage(g, "member show CODE");
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		struct uc_ledger_member_card *cards = NULL;
		struct uc_ledger_member m;
		size_t ncards = 0;

		if ((r = uc_ledger_member_get(l, key, &m, &cards,
		    &ncards)) == 0 &&
		    (a = uc_json_member_cards(&m, cards, ncards)) == NULL)
			r = UC_ERR_NOMEM;
		free(cards);
		if (r != 0)
			r = lgt_fail(g, l, r, "member show");
		else
			r = lgt_print_json(a);
	} else {
		return uc_tool_usage(g, "unknown member command '%s'", sub);
	}
out:
	free(ids);
	json_decref(a);
	uc_ledger_free(&l);
	return r;
}
