/*
 * cmd_keys.c - `unioncard keys`: make and look after the issuer's key
 * hierarchy (root CA, station document signers, status-list signer, CRL,
 * SCP03 master keys).  Everything is done by libunioncard (keys.h).
 *
 * The passphrase never comes from the command line: $UNIONCARD_PASSPHRASE,
 * --passphrase-file F (first line), or the terminal with echo off.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cmd_ledger.h"
#include "commands.h"
#include "unioncard/keys.h"

#define PASS_BUF (UC_PASSPHRASE_MAX + 2)

struct keys_args {
	const char *dir;
	const char *station;
	const char *pass_file;
	const char *pubkey;
	const char *cert_der;
	int encrypt_scp;
};

static void
keys_usage(FILE *f)
{
	fprintf(f,
	    "Usage: unioncard keys init --dir DIR [--station NAME] [--encrypt-scp]\n"
	    "       unioncard keys signer --dir DIR --station NAME\n"
	    "                              [--pubkey PEM [--cert-der OUT]]\n"
	    "       unioncard keys revoke-signer --dir DIR --station NAME\n"
	    "       unioncard keys show --dir DIR\n"
	    "       unioncard keys bank-link --dir DIR\n"
	    "\n"
	    "The issuer's key hierarchy in DIR: root.pem/.key (root CA), root.crl,\n"
	    "signers/NAME.pem/.key (one document signer per station),\n"
	    "status-list.pem/.key, scp-master.json (SCP03 master keys, development\n"
	    "only: in the clear unless --encrypt-scp), bank-link.key (the HMAC\n"
	    "key under which the ledger keeps linked cards' PANs).  See\n"
	    "keys/README.md.\n"
	    "\n"
	    "  init            create a new development hierarchy\n"
	    "  signer          issue a document signer for another station; with\n"
	    "                  --pubkey, certify a key held in an HSM instead\n"
	    "                  (certificate also as DER to --cert-der OUT)\n"
	    "  revoke-signer   add a station's signer to the root's CRL\n"
	    "  show            list certificates, validity and revocation\n"
	    "  bank-link       make DIR/bank-link.key in a hierarchy made before\n"
	    "                  linked cards (never replaces one: the ledger's PAN\n"
	    "                  hashes depend on it)\n"
	    "\n"
	    "Options:\n"
	    "  --dir DIR              the hierarchy directory\n"
	    "  --station NAME         station name (A-Z a-z 0-9 . _ -, max %d)\n"
	    "  --passphrase-file F    read the passphrase from F's first line\n"
	    "                         (else $UNIONCARD_PASSPHRASE, else a prompt)\n"
	    "\n"
	    "Examples:\n"
	    "  unioncard keys init --dir keys/dev --station hanoi-01\n"
	    "  UNIONCARD_PASSPHRASE=... unioncard keys signer --dir keys/dev --station hue-02\n"
	    "  unioncard keys revoke-signer --dir keys/dev --station hue-02 \\\n"
	    "      --passphrase-file /run/secrets/uc-root\n"
	    "  unioncard keys show --dir keys/dev\n",
	    UC_STATION_MAX);
}

static int
read_tty(const char *prompt, char *buf, size_t cap)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	int ok = 0, echo_off = 0;
	size_t n;

	if (tty == NULL)
		return 0;
	fputs(prompt, tty);
	fflush(tty);
	if (tcgetattr(fileno(tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		echo_off = tcsetattr(fileno(tty), TCSAFLUSH, &quiet) == 0;
	}
	if (fgets(buf, (int)cap, tty) != NULL) {
		n = strcspn(buf, "\r\n");
		buf[n] = '\0';
		ok = 1;
	}
	if (echo_off)
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	return ok;
}

/* The passphrase into BUF; CONFIRM asks twice at a prompt. */
static int
get_passphrase(const struct uc_tool_global *g, const struct keys_args *a,
    int confirm, char *buf, size_t cap)
{
	const char *env = getenv("UNIONCARD_PASSPHRASE");
	char again[PASS_BUF];
	FILE *f;
	int r;

	buf[0] = '\0';
	if (a->pass_file != NULL) {
		if ((f = fopen(a->pass_file, "r")) == NULL)
			return uc_tool_fail(g, UC_ERR_IO, "%s: %s",
			    a->pass_file, strerror(errno));
		if (fgets(buf, (int)cap, f) == NULL)
			buf[0] = '\0';
		fclose(f);
		buf[strcspn(buf, "\r\n")] = '\0';
		return 0;
	}
	if (env != NULL && env[0] != '\0') {
		if (strlen(env) >= cap)
			return uc_tool_fail(g, UC_ERR_PASSPHRASE,
			    "UNIONCARD_PASSPHRASE");
		memcpy(buf, env, strlen(env) + 1);
		lgt_env_wipe("UNIONCARD_PASSPHRASE");
		return 0;
	}
	if (!read_tty("Passphrase: ", buf, cap))
		return uc_tool_fail(g, UC_ERR_PASSPHRASE, "no terminal to ask "
		    "on; set UNIONCARD_PASSPHRASE or use --passphrase-file");
	if (confirm) {
		r = read_tty("Passphrase again: ", again, sizeof(again)) &&
		    strcmp(again, buf) == 0;
		OPENSSL_cleanse(again, sizeof(again));
		if (!r)
			return uc_tool_fail(g, UC_ERR_PASSPHRASE,
			    "the passphrases differ");
	}
	return 0;
}

static void
fmt_date(time_t t, char *out, size_t cap)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%d", &tm);
}

static int
do_show(const struct uc_tool_global *g, const struct keys_args *a)
{
	struct uc_cert_info *v = NULL;
	struct uc_keys_scp_master scp;
	struct uc_diag d;
	char nb[16], na[16];
	size_t n = 0, i;
	time_t now = time(NULL);
	int r;

	uc_diag_clear(&d);
	if ((r = uc_keys_list(a->dir, &v, &n, &d)) != 0)
		return uc_tool_fail_diag(g, r, &d, "keys show");
	for (i = 0; i < n; i++) {
		const struct uc_cert_info *c = &v[i];
		const char *role = c->role == UC_CERT_ROOT ? "root CA" :
		    c->role == UC_CERT_STATUS_LIST ? "status-list signer" :
		    "document signer";
		const char *state = c->revoked ? "REVOKED" :
		    now > c->not_after ? "EXPIRED" :
		    now < c->not_before ? "not yet valid" : "valid";

		fmt_date(c->not_before, nb, sizeof(nb));
		fmt_date(c->not_after, na, sizeof(na));
		printf("%-19s %-12s %s .. %s  %-8s %s\n", role,
		    c->station[0] != '\0' ? c->station : "-", nb, na, state,
		    c->key_present ? "key here" : "key elsewhere");
		if (!g->quiet)
			printf("    %s\n    serial %s\n    sha256 %s\n",
			    c->subject, c->serial_hex, c->sha256_hex);
	}
	free(v);
	r = uc_keys_load_scp_master(a->dir, NULL, &scp, NULL);
	if (r == 0)
		printf("SCP03 master keys   kvn %u (scp-master.json, in the "
		    "clear: development only)\n", (unsigned)scp.kvn);
	else if (r == UC_ERR_PASSPHRASE)
		printf("SCP03 master keys   encrypted (scp-master.json.p7)\n");
	else
		printf("SCP03 master keys   none\n");
	OPENSSL_cleanse(&scp, sizeof(scp));
	return UC_EXIT_OK;
}

int
uc_cmd_keys(struct uc_tool_global *g, int argc, char **argv)
{
	struct keys_args a;
	struct uc_keys_opts o;
	struct uc_diag d;
	char pass[PASS_BUF];
	const char *sub;
	int k, r;

	memset(&a, 0, sizeof(a));
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		keys_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? UC_EXIT_FAIL : UC_EXIT_OK;
	}
	sub = argv[1];
	for (k = 2; k < argc; k++) {
		const char *opt = argv[k];
		const char **dst = NULL;

		if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
			keys_usage(stdout);
			return UC_EXIT_OK;
		} else if (strcmp(opt, "--encrypt-scp") == 0) {
			a.encrypt_scp = 1;
			continue;
		} else if (strcmp(opt, "--dir") == 0) {
			dst = &a.dir;
		} else if (strcmp(opt, "--station") == 0) {
			dst = &a.station;
		} else if (strcmp(opt, "--passphrase-file") == 0) {
			dst = &a.pass_file;
		} else if (strcmp(opt, "--pubkey") == 0) {
			dst = &a.pubkey;
		} else if (strcmp(opt, "--cert-der") == 0) {
			dst = &a.cert_der;
		} else if (strcmp(opt, "--passphrase") == 0) {
			return uc_tool_usage(g, "a passphrase is never taken "
			    "from the command line; use --passphrase-file or "
			    "UNIONCARD_PASSPHRASE");
		} else {
			return uc_tool_usage(g, "keys: unknown option '%s'",
			    opt);
		}
		if (k + 1 >= argc)
			return uc_tool_usage(g, "%s needs a value", opt);
		*dst = argv[++k];
	}
	if (a.dir == NULL)
		return uc_tool_usage(g, "keys %s: --dir is required", sub);
	if (strcmp(sub, "show") == 0)
		return do_show(g, &a);
	if (strcmp(sub, "bank-link") == 0) {
		uc_diag_clear(&d);
		if ((k = uc_keys_new_bank_link(a.dir, &d)) != 0)
			return uc_tool_fail_diag(g, k, &d, "keys bank-link");
		if (!g->quiet)
			printf("created %s/bank-link.key: keep it with the "
			    "ledger's backups\n", a.dir);
		return UC_EXIT_OK;
	}
	if (strcmp(sub, "init") != 0 && strcmp(sub, "signer") != 0 &&
	    strcmp(sub, "revoke-signer") != 0)
		return uc_tool_usage(g, "keys: unknown subcommand '%s'", sub);
	if (strcmp(sub, "init") != 0 && a.station == NULL)
		return uc_tool_usage(g, "keys %s: --station is required", sub);

	/* Before the prompt: init makes DIR in a directory that must
	 * exist; the others work in DIR itself. */
	if ((r = lgt_need_dir(g, a.dir, strcmp(sub, "init") == 0,
	    "keys --dir")) != 0)
		goto out;
	if ((r = get_passphrase(g, &a, strcmp(sub, "init") == 0, pass,
	    sizeof(pass))) != 0)
		goto out;
	memset(&o, 0, sizeof(o));
	o.station = a.station;
	o.flags = a.encrypt_scp ? UC_KEYS_SCP_ENCRYPT : 0;
	uc_diag_clear(&d);
	if (strcmp(sub, "init") == 0) {
		if ((k = uc_keys_init(a.dir, pass, &o, &d)) != 0) {
			r = uc_tool_fail_diag(g, k, &d, "keys init");
			goto out;
		}
		if (!g->quiet)
			printf("created root CA, signer '%s', status-list "
			    "signer, CRL, SCP03 master keys and bank-link key "
			    "in %s\n",
			    a.station != NULL ? a.station : "station-01",
			    a.dir);
	} else if (strcmp(sub, "signer") == 0) {
		k = a.pubkey != NULL ? uc_keys_certify_signer(a.dir, a.station,
		    pass, a.pubkey, &o, a.cert_der, &d) :
		    uc_keys_new_signer(a.dir, a.station, pass, &o, &d);
		if (k != 0) {
			r = uc_tool_fail_diag(g, k, &d, "keys signer");
			goto out;
		}
		if (!g->quiet)
			printf("issued document signer %s/signers/%s.pem\n",
			    a.dir, a.station);
	} else {
		if ((k = uc_keys_revoke_signer(a.dir, a.station, pass,
		    &d)) != 0) {
			r = uc_tool_fail_diag(g, k, &d, "keys revoke-signer");
			goto out;
		}
		if (!g->quiet)
			printf("revoked signer of station %s; distribute the "
			    "new %s/root.crl to every verifier\n", a.station,
			    a.dir);
	}
	r = UC_EXIT_OK;
out:
	OPENSSL_cleanse(pass, sizeof(pass));
	return r;
}
