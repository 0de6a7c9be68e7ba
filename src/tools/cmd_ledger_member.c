/*
 * cmd_ledger_member.c - member import|submit|approve|reject|list|show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_ledger.h"
#include "commands.h"

static void
usage(void)
{
	puts("Usage: unioncard --as USER member import FILE.csv --unit CODE\n"
	    "       unioncard --as USER member submit --unit CODE\n"
	    "       unioncard --as USER member approve --unit CODE"
	    " (--all | --national-id ID...)\n"
	    "       unioncard --as USER member reject --unit CODE"
	    " --national-id ID --reason TEXT\n"
	    "       unioncard --as USER member list --unit CODE"
	    " [--status S] [--json]\n"
	    "       unioncard --as USER member show CODE|NATIONAL-ID"
	    " [--json]\n"
	    "CSV columns: full_name,date_of_birth,gender,national_id,"
	    "position,joined_on,mandatory");
}

int
uc_cmd_member(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--unit=", "--all",
	    "--national-id=", "--reason=", "--status=", "--json", NULL };
	static const char *const cols[] = { "member_code", "national_id",
	    "full_name", "status", "mandatory" };
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
	if ((r = lgt_check(g, argc, argv, 2, known, 1)) != 0)
		return r;
	if (strcmp(sub, "import") == 0) {
		const char *file = lgt_pos(argc, argv, 2, known, 0);
		FILE *fp;

		if (file == NULL || unit == NULL)
			return uc_tool_usage(g, "member import FILE.csv"
			    " --unit CODE");
		if ((fp = fopen(file, "rb")) == NULL)
			return uc_tool_fail(g, UC_ERR_IO, "%s", file);
		if ((r = lgt_open(g, &l, 0, 1)) != 0) {
			fclose(fp);
			return r;
		}
		r = uc_ledger_member_import(l, unit, fp, file, &n, &d);
		fclose(fp);
		if (r == UC_ERR_INVALID)
			r = uc_tool_fail_diag(g, r, &d,
			    "member import rejected, nothing changed");
		else if (r != 0)
			r = lgt_fail(g, l, r, "member import");
		else if (!g->quiet)
			fprintf(stderr, "%s: %zu members entered in %s\n",
			    g->prog, n, unit);
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
		if (unit == NULL)
			return uc_tool_usage(g, "member list --unit CODE");
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		r = uc_ledger_member_list(l, unit,
		    lgt_opt(argc, argv, "--status"), &a);
		if (r != 0)
			r = lgt_fail(g, l, r, "member list");
		else
			r = lgt_print_list(a, cols, 5, lgt_json(g, argc, argv));
	} else if (strcmp(sub, "show") == 0) {
		const char *key = lgt_pos(argc, argv, 2, known, 0);

		if (key == NULL)
			return uc_tool_usage(g, "member show CODE");
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		if ((r = uc_ledger_member_show(l, key, &a)) != 0)
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
