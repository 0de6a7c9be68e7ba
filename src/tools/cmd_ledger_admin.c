/*
 * cmd_ledger_admin.c - init, unit, account, fee, target.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cmd_ledger.h"
#include "ledger_json.h"

/* Prefix for ledgers whose issuer prefix was not given (tests, demos). */
#define UNALLOCATED_PREFIX 99

static int
parse_i64(const char *s, int64_t *v)
{
	char *end;
	long long x;

	*v = 0;
	if (s == NULL || s[0] == '\0')
		return UC_ERR_ARG;
	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return UC_ERR_ARG;
	*v = x;
	return 0;
}

int
uc_cmd_init(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--province=", "--name=",
	    "--admin=", "--prefix=", "--group=", "--password-file=", NULL };
	const char *prov, *name, *admin, *pfx, *pwfile;
	struct uc_ledger *l = NULL;
	char pw[LGT_PASSWORD_MAX + 2];
	int64_t prefix = 0;
	int r;

	if (lgt_flag(argc, argv, "--help")) {
		puts("Usage: unioncard init --province CODE --name NAME"
		    " --admin USER [--prefix NN]\n"
		    "                      [--password-file FILE]\n"
		    "Create the ledger with its root unit and first admin.\n"
		    "NN (01..99) prefixes member codes and card serials;"
		    " default: CODE when it is a number 1..99,\n"
		    "else 99 (unallocated: for tests and demos) with a"
		    " warning.\n"
		    "The admin's password: the first line of --password-file"
		    " FILE, else\n$UNIONCARD_PASSWORD, else asked twice on the"
		    " terminal; at least 10\ncharacters, not one of the"
		    " commonest.\n"
		    "\n"
		    "Example:\n"
		    "  unioncard --ledger /srv/unioncard/ledger.db init"
		    " --province 52 \\\n"
		    "      --name \"LĐLĐ tỉnh Bình Định\" --admin admin"
		    " --group unioncard-audit\n"
		    "The ledger file (and its -wal, -shm) is made 0600:"
		    " members' data is for\nthe owner only.  --group NAME"
		    " makes it 0640 for that group (e.g. auditors),\n"
		    "and every file the ledger writes follows it.");
		return UC_EXIT_OK;
	}
	if ((r = lgt_check(g, argc, argv, 1, known, 0)) != 0)
		return r;
	prov = lgt_opt(argc, argv, "--province");
	name = lgt_opt(argc, argv, "--name");
	admin = lgt_opt(argc, argv, "--admin");
	pfx = lgt_opt(argc, argv, "--prefix");
	pwfile = lgt_opt(argc, argv, "--password-file");
	if (prov == NULL || name == NULL || admin == NULL)
		return uc_tool_usage(g, "init needs --province, --name and"
		    " --admin");
	if (pfx != NULL) {
		if (parse_i64(pfx, &prefix) != 0 || prefix < 1 || prefix > 99)
			return uc_tool_usage(g, "--prefix takes 1..99");
	} else if (parse_i64(prov, &prefix) != 0 || prefix < 1 ||
	    prefix > 99) {
		/* Scripts that name the province by letters still get a
		 * working ledger, but its codes must not go national. */
		prefix = UNALLOCATED_PREFIX;
		fprintf(stderr, "%s: warning: province code '%s' is not a"
		    " number 1..99; member codes and card serials use the"
		    " unallocated prefix %d. Give --prefix NN for a real"
		    " issuer.\n", g->prog, prov, UNALLOCATED_PREFIX);
	}
	/* Before any prompt: where the ledger goes must exist. */
	if ((r = lgt_need_dir(g, uc_tool_ledger_path(g), 1, "ledger")) != 0)
		return r;
	if (pwfile != NULL || getenv("UNIONCARD_PASSWORD") == NULL) {
		if ((r = lgt_new_password(g, pwfile, admin, pw,
		    sizeof(pw))) != 0)
			return r;
	} else if (lgt_password("UNIONCARD_PASSWORD", "", 0, pw,
	    sizeof(pw)) != 0) {
		return uc_tool_fail(g, UC_ERR_PASSPHRASE, "admin password");
	}
	if ((r = lgt_open_ex(g, &l, 1, 0, lgt_opt(argc, argv, "--group"),
	    0)) != 0)
		goto out;
	r = uc_ledger_init(l, prov, name, (unsigned)prefix, admin, pw);
	if (r != 0) {
		r = lgt_fail(g, l, r, "init");
		goto out;
	}
	if (!g->quiet)
		fprintf(stderr, "%s: ledger %s created for %s (prefix %02u)\n",
		    g->prog, uc_tool_ledger_path(g), prov, (unsigned)prefix);
	r = UC_EXIT_OK;
out:
	OPENSSL_cleanse(pw, sizeof(pw));
	uc_ledger_free(&l);
	return r;
}

/*
 * The unit list (tree order, with depths) as an indented tree, two
 * spaces a level below the first unit listed (the caller's own):
 *   TP  LĐLĐ huyện Tuy Phước
 *     TP01  CĐCS Trường THPT Tuy Phước
 */
static int
print_tree(const json_t *a)
{
	json_t *o;
	size_t i;
	json_int_t top = 0, d;

	json_array_foreach(a, i, o) {
		d = json_integer_value(json_object_get(o, "depth"));
		if (i == 0)
			top = d;
		printf("%*s%s  ", (int)(2 * (d > top ? d - top : 0)), "",
		    json_string_value(json_object_get(o, "code")));
		lgt_print_text(json_string_value(json_object_get(o, "name")));
		printf("%s\n", json_is_true(json_object_get(o, "exempt")) ?
		    "  (exempt)" : "");
	}
	return fflush(stdout) == 0 ? UC_EXIT_OK : UC_EXIT_FAIL;
}

int
uc_cmd_unit(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--name=", "--parent=",
	    "--exempt", "--json", NULL };
	static const char *const cols[] = { "code", "name", "parent",
	    "exempt", "depth" };
	struct uc_ledger *l = NULL;
	struct uc_diag d;
	const char *sub = argc > 1 ? argv[1] : NULL;
	json_t *a = NULL;
	size_t n = 0;
	int r;

	if (sub == NULL || strcmp(sub, "--help") == 0) {
		puts("Usage: unioncard --as USER unit add CODE --name NAME"
		    " --parent CODE [--exempt]\n"
		    "       unioncard --as USER unit import FILE.csv"
		    "   (columns code,name,parent[,exempt])\n"
		    "       unioncard --as USER unit list [--json]\n"
		    "       unioncard --as USER unit tree   (your units,"
		    " indented under their parents)\n"
		    "Codes use A-Z 0-9 . - _ and names at most 160 bytes:"
		    " what a card holds.\n"
		    "Example: unioncard --as admin unit tree");
		return sub == NULL ? UC_EXIT_FAIL : UC_EXIT_OK;
	}
	if (strcmp(sub, "tree") == 0 && lgt_flag(argc, argv, "--help")) {
		puts("Usage: unioncard --as USER unit tree [--json]\n"
		    "Your unit and every unit below it, each indented two"
		    " spaces under its\n"
		    "parent, exempt units marked.\n"
		    "Example:\n"
		    "  unioncard --as admin unit tree");
		return UC_EXIT_OK;
	}
	if ((r = lgt_check(g, argc, argv, 2, known, 1)) != 0)
		return r;
	if (strcmp(sub, "add") == 0) {
		const char *code = lgt_pos(argc, argv, 2, known, 0);
		const char *name = lgt_opt(argc, argv, "--name");
		const char *parent = lgt_opt(argc, argv, "--parent");

		if (code == NULL || name == NULL || parent == NULL)
			return uc_tool_usage(g, "unit add CODE --name NAME"
			    " --parent CODE [--exempt]");
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		r = uc_ledger_unit_add(l, code, name, parent,
		    lgt_flag(argc, argv, "--exempt"));
		r = r != 0 ? lgt_fail(g, l, r, "unit add") : UC_EXIT_OK;
	} else if (strcmp(sub, "import") == 0) {
		const char *file = lgt_pos(argc, argv, 2, known, 0);
		FILE *fp;

		if (file == NULL)
			return uc_tool_usage(g, "unit import FILE.csv");
		if ((fp = fopen(file, "rb")) == NULL)
			return uc_tool_fail(g, UC_ERR_IO, "%s", file);
		if ((r = lgt_open(g, &l, 0, 1)) != 0) {
			fclose(fp);
			return r;
		}
		{
			struct lgt_import_errs e = { NULL, 0 };
			size_t nerr = 0;

			r = uc_ledger_unit_import_each(l, fp, file, &n,
			    lgt_import_diag, &e, &nerr, &d);
			fclose(fp);
			if (r != 0)
				r = lgt_import_fail(g, l, r, &e, nerr,
				    "unit import");
			lgt_import_errs_free(&e);
		}
		if (r == 0 && !g->quiet)
			fprintf(stderr, "%s: %zu units added\n", g->prog, n);
	} else if (strcmp(sub, "list") == 0) {
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		if ((a = json_array()) == NULL)
			r = UC_ERR_NOMEM;
		else
			r = uc_ledger_unit_each(l, uc_json_unit_append, a);
		if (r != 0)
			r = lgt_fail(g, l, r, "unit list");
		else
			r = lgt_print_list(a, cols, 5, lgt_json(g, argc, argv));
	} else if (strcmp(sub, "tree") == 0) {
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		if ((a = json_array()) == NULL)
			r = UC_ERR_NOMEM;
		else
			r = uc_ledger_unit_each(l, uc_json_unit_append, a);
		if (r != 0)
			r = lgt_fail(g, l, r, "unit tree");
		else if (lgt_json(g, argc, argv))
			r = lgt_print_json(a);
		else
			r = print_tree(a);
	} else {
		return uc_tool_usage(g, "unknown unit command '%s'", sub);
	}
	json_decref(a);
	uc_ledger_free(&l);
	return r;
}

static void
account_usage(void)
{
	puts("Usage: unioncard --as ADMIN account add NAME --unit CODE"
	    " --role ROLE [--password-file FILE]\n"
	    "       unioncard --as ADMIN account list [--json]\n"
	    "       unioncard --as USER account passwd [NAME]"
	    " [--password-file FILE]\n"
	    "       unioncard --as ADMIN account disable|enable NAME\n"
	    "\n"
	    "Each account has its own password.  A new one (add, passwd) comes"
	    " from the\nfirst line of --password-file FILE ('-': standard"
	    " input), else it is asked\ntwice on the terminal; never from"
	    " $UNIONCARD_PASSWORD, which is the password\nof the account"
	    " that acts (--as).  A password has at least 10 characters"
	    " and\nis not one of the commonest.\n"
	    "\n"
	    "Roles: clerk, approver, printer (the root unit only), liaison,"
	    " admin; one\nrole an account.  Only an admin of the root, or of"
	    " a unit above NAME's\nunit, adds, resets, disables or enables"
	    " it, never one of the same unit.\n"
	    "passwd without NAME changes your own password; with NAME an"
	    " admin resets\nanother's.  After 5 wrong passwords an account is"
	    " locked for a minute,\ndoubling each further wrong one; enable"
	    " (or a reset) lifts the lock.\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard --as admin account add tp01.clerk --unit TP01"
	    " --role clerk\n"
	    "  unioncard --as admin account add tp.approver --unit TP"
	    " --role approver \\\n"
	    "      --password-file /run/secrets/tp.approver\n"
	    "  unioncard --as admin account list\n"
	    "  unioncard --as tp01.clerk account passwd\n"
	    "  unioncard --as admin account disable tp01.clerk");
}

int
uc_cmd_account(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--unit=", "--role=",
	    "--password-file=", "--json", NULL };
	static const char *const cols[] = { "name", "unit", "role", "status",
	    "failed_logins", "locked_until" };
	struct uc_ledger *l = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;
	const char *user, *unit, *role, *pwfile;
	char pw[LGT_PASSWORD_MAX + 2];
	json_t *a = NULL;
	int r, rv = 0;

	if (sub == NULL || strcmp(sub, "--help") == 0 ||
	    lgt_flag(argc, argv, "--help")) {
		account_usage();
		return sub == NULL ? UC_EXIT_FAIL : UC_EXIT_OK;
	}
	if ((r = lgt_check(g, argc, argv, 2, known, 1)) != 0)
		return r;
	user = lgt_pos(argc, argv, 2, known, 0);
	unit = lgt_opt(argc, argv, "--unit");
	role = lgt_opt(argc, argv, "--role");
	pwfile = lgt_opt(argc, argv, "--password-file");
	pw[0] = '\0';
	if (strcmp(sub, "add") == 0) {
		if (user == NULL || unit == NULL || role == NULL)
			return uc_tool_usage(g, "account add NAME --unit CODE"
			    " --role ROLE [--password-file FILE]");
		if ((rv = uc_ledger_role_parse(role)) == 0)
			return uc_tool_usage(g, "unknown role '%s'", role);
	} else if (strcmp(sub, "passwd") == 0) {
		if (unit != NULL || role != NULL)
			return uc_tool_usage(g, "account passwd [NAME]"
			    " [--password-file FILE]");
	} else if (strcmp(sub, "list") == 0) {
		if (user != NULL || unit != NULL || role != NULL ||
		    pwfile != NULL)
			return uc_tool_usage(g, "account list [--json]");
	} else if (strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) {
		if (user == NULL || unit != NULL || role != NULL ||
		    pwfile != NULL)
			return uc_tool_usage(g, "account %s NAME", sub);
	} else {
		return uc_tool_usage(g, "unknown account command '%s'", sub);
	}
	if ((r = lgt_open(g, &l, 0, 1)) != 0)
		return r;
	if (strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0) {
		const char *who = user != NULL ? user : g->as;

		if ((r = lgt_new_password(g, pwfile, who, pw, sizeof(pw))) != 0)
			goto out;
		r = strcmp(sub, "add") == 0 ?
		    uc_ledger_account_add(l, user, unit, rv, pw) :
		    uc_ledger_account_passwd(l, user, pw);
		OPENSSL_cleanse(pw, sizeof(pw));
		if (r != 0) {
			r = lgt_fail(g, l, r, strcmp(sub, "add") == 0 ?
			    "account add" : "account passwd");
			goto out;
		}
		if (!g->quiet)
			fprintf(stderr, "%s: %s %s\n", g->prog,
			    strcmp(sub, "add") == 0 ? "account added:" :
			    "password set for", who);
	} else if (strcmp(sub, "list") == 0) {
		if ((a = json_array()) == NULL)
			r = UC_ERR_NOMEM;
		else
			r = uc_ledger_account_each(l, uc_json_account_append,
			    a);
		if (r != 0)
			r = lgt_fail(g, l, r, "account list");
		else
			r = lgt_print_list(a, cols, 6, lgt_json(g, argc, argv));
		goto out;
	} else {
		r = uc_ledger_account_set_disabled(l, user,
		    strcmp(sub, "disable") == 0);
		if (r != 0) {
			r = lgt_fail(g, l, r, strcmp(sub, "disable") == 0 ?
			    "account disable" : "account enable");
			goto out;
		}
		if (!g->quiet)
			fprintf(stderr, "%s: account %s %sd\n", g->prog, user,
			    sub);
	}
	r = UC_EXIT_OK;
out:
	OPENSSL_cleanse(pw, sizeof(pw));
	json_decref(a);
	uc_ledger_free(&l);
	return r;
}

int
uc_cmd_token(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--account=", NULL };
	struct uc_ledger *l = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;
	const char *name, *user;
	char token[UC_LEDGER_TOKEN_LEN + 1];
	int r;

	if (sub == NULL || strcmp(sub, "--help") == 0 ||
	    lgt_flag(argc, argv, "--help")) {
		puts("Usage: unioncard --as ADMIN token add NAME --account USER\n"
		    "       unioncard --as ADMIN token revoke NAME\n"
		    "\n"
		    "A token lets a script use the web console's JSON API as"
		    " account USER\n(Authorization: Bearer TOKEN).  add prints"
		    " it once; the ledger keeps only\nits SHA-256.  An admin"
		    " above USER's unit adds and revokes it.\n"
		    "\n"
		    "Examples:\n"
		    "  unioncard --as admin token add tp01-sync --account"
		    " tp01.clerk >/run/secrets/tp01-sync\n"
		    "  unioncard --as admin token revoke tp01-sync");
		return sub == NULL ? UC_EXIT_FAIL : UC_EXIT_OK;
	}
	if ((r = lgt_check(g, argc, argv, 2, known, 1)) != 0)
		return r;
	name = lgt_pos(argc, argv, 2, known, 0);
	user = lgt_opt(argc, argv, "--account");
	if (strcmp(sub, "add") == 0) {
		if (name == NULL || user == NULL)
			return uc_tool_usage(g, "token add NAME --account USER");
	} else if (strcmp(sub, "revoke") == 0) {
		if (name == NULL || user != NULL)
			return uc_tool_usage(g, "token revoke NAME");
	} else {
		return uc_tool_usage(g, "unknown token command '%s'", sub);
	}
	if ((r = lgt_open(g, &l, 0, 1)) != 0)
		return r;
	if (strcmp(sub, "add") == 0) {
		if ((r = uc_ledger_token_add(l, name, user, token)) != 0) {
			r = lgt_fail(g, l, r, "token add");
			goto out;
		}
		printf("%s\n", token);
		OPENSSL_cleanse(token, sizeof(token));
	} else if ((r = uc_ledger_token_revoke(l, name)) != 0) {
		r = lgt_fail(g, l, r, "token revoke");
		goto out;
	} else if (!g->quiet) {
		fprintf(stderr, "%s: token %s revoked\n", g->prog, name);
	}
	r = UC_EXIT_OK;
out:
	uc_ledger_free(&l);
	return r;
}

int
uc_cmd_fee(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--from=", "--json", NULL };
	static const char *const cols[] = { "item", "from", "amount_vnd" };
	struct uc_ledger *l = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;
	json_t *a = NULL;
	int64_t amount;
	int r;

	if (sub == NULL || strcmp(sub, "--help") == 0) {
		puts("Usage: unioncard --as USER fee set ITEM AMOUNT"
		    " --from YYYY-MM-DD\n"
		    "       unioncard --as USER fee list [--json]\n"
		    "       unioncard --as USER fee pay --request ID --member"
		    " CODE --paid-by WHO\n"
		    "                 --receipt NO [--on DATE]"
		    "   ('fee pay --help')\n"
		    "Items: regular.first regular.later linked.mandatory"
		    " linked.other");
		return sub == NULL ? UC_EXIT_FAIL : UC_EXIT_OK;
	}
	if (strcmp(sub, "pay") == 0)
		return uc_cmd_fee_pay(g, argc, argv);
	if ((r = lgt_check(g, argc, argv, 2, known, 2)) != 0)
		return r;
	if (strcmp(sub, "set") == 0) {
		const char *item = lgt_pos(argc, argv, 2, known, 0);
		const char *amt = lgt_pos(argc, argv, 2, known, 1);
		const char *from = lgt_opt(argc, argv, "--from");

		if (item == NULL || amt == NULL || from == NULL ||
		    parse_i64(amt, &amount) != 0)
			return uc_tool_usage(g, "fee set ITEM AMOUNT"
			    " --from DATE");
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		r = uc_ledger_fee_set(l, item, amount, from);
		r = r != 0 ? lgt_fail(g, l, r, "fee set") : UC_EXIT_OK;
	} else if (strcmp(sub, "list") == 0) {
		if ((r = lgt_open(g, &l, 0, 1)) != 0)
			return r;
		if ((a = json_array()) == NULL)
			r = UC_ERR_NOMEM;
		else
			r = uc_ledger_fee_each(l, uc_json_fee_append, a);
		if (r != 0)
			r = lgt_fail(g, l, r, "fee list");
		else
			r = lgt_print_list(a, cols, 3, lgt_json(g, argc, argv));
	} else {
		return uc_tool_usage(g, "unknown fee command '%s'", sub);
	}
	json_decref(a);
	uc_ledger_free(&l);
	return r;
}

int
uc_cmd_target(struct uc_tool_global *g, int argc, char **argv)
{
	static const char *const known[] = { "--unit=", "--year=",
	    "--members=", "--deadline=", NULL };
	struct uc_ledger *l = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;
	const char *unit, *deadline;
	int64_t year, members;
	int r;

	if (sub == NULL || strcmp(sub, "set") != 0) {
		puts("Usage: unioncard --as USER target set --unit CODE"
		    " --year Y --members N --deadline YYYY-MM-DD");
		return sub != NULL && strcmp(sub, "--help") == 0 ?
		    UC_EXIT_OK : UC_EXIT_FAIL;
	}
	if ((r = lgt_check(g, argc, argv, 2, known, 0)) != 0)
		return r;
	unit = lgt_opt(argc, argv, "--unit");
	deadline = lgt_opt(argc, argv, "--deadline");
	if (unit == NULL || deadline == NULL ||
	    parse_i64(lgt_opt(argc, argv, "--year"), &year) != 0 ||
	    parse_i64(lgt_opt(argc, argv, "--members"), &members) != 0 ||
	    year < 1900 || year > 2999)
		return uc_tool_usage(g, "target set --unit CODE --year Y"
		    " --members N --deadline DATE");
	if ((r = lgt_open(g, &l, 0, 1)) != 0)
		return r;
	r = uc_ledger_target_set(l, unit, (int)year, members, deadline);
	r = r != 0 ? lgt_fail(g, l, r, "target set") : UC_EXIT_OK;
	uc_ledger_free(&l);
	return r;
}
