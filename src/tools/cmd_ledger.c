/*
 * cmd_ledger.c - shared helpers of the ledger subcommands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cmd_ledger.h"
#include "testhooks.h"

/* The ledger's last refusal, in words (uc_ledger_diag). */
#define LEDGER_WHY(l) (uc_ledger_diag((l), &(struct uc_diag){ 0 })->msg)

static int
read_tty(const char *prompt, char *buf, size_t cap)
{
	struct termios old, noecho;
	FILE *tty = fopen("/dev/tty", "r+");
	int r = UC_ERR_PASSPHRASE, restore = 0;
	size_t n;

	if (tty == NULL)
		return UC_ERR_PASSPHRASE;
	/* Echo off (dropping what was typed ahead), then the prompt: what
	 * is typed after the prompt is never echoed nor dropped. */
	if (tcgetattr(fileno(tty), &old) == 0) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		if (tcsetattr(fileno(tty), TCSAFLUSH, &noecho) == 0)
			restore = 1;
	}
	fputs(prompt, tty);
	fflush(tty);
	if (fgets(buf, (int)cap, tty) != NULL) {
		n = strlen(buf);
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		r = 0;
	}
	if (restore)
		(void)tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	return r;
}

/*
 * Take the variable out of environ, then wipe its "NAME=value" string
 * where it lies (the process's initial environment block, or setenv's
 * copy, which glibc never frees): neither a child nor /proc/PID/environ
 * sees it again.
 */
void
lgt_env_wipe(const char *env)
{
	char *e = getenv(env), *entry;
	size_t n;

	if (e == NULL)
		return;
	n = strlen(env);
	entry = e - n - 1;
	n += 1 + strlen(e);
	(void)unsetenv(env);
	OPENSSL_cleanse(entry, n);
}

int
lgt_password(const char *env, const char *prompt, int confirm, char *buf,
    size_t cap)
{
	char again[LGT_PASSWORD_MAX + 2];
	const char *e = env != NULL ? getenv(env) : NULL;
	int r;

	buf[0] = '\0';
	if (e != NULL) {
		r = 0;
		if (strlen(e) >= cap)
			r = UC_ERR_PASSPHRASE;
		else
			memcpy(buf, e, strlen(e) + 1);
		/* Read once: no later code, nor a child, sees it. */
		lgt_env_wipe(env);
		return r;
	}
	if ((r = read_tty(prompt, buf, cap)) != 0)
		return r;
	if (confirm) {
		r = read_tty("Again: ", again, sizeof(again));
		if (r == 0 && strcmp(again, buf) != 0)
			r = UC_ERR_PASSPHRASE;
		OPENSSL_cleanse(again, sizeof(again));
	}
	if (r == 0 && buf[0] == '\0')
		r = UC_ERR_PASSPHRASE;
	if (r != 0)
		OPENSSL_cleanse(buf, cap);
	return r;
}

int
lgt_new_password(struct uc_tool_global *g, const char *file,
    const char *user, char *buf, size_t cap)
{
	char prompt[UC_LEDGER_USER_MAX + 32];
	FILE *f;
	size_t n;
	int r = 0, fd;

	buf[0] = '\0';
	if (file != NULL) {
		f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
		if (f == NULL)
			return uc_tool_fail(g, UC_ERR_IO, "--password-file %s",
			    file);
		if (fgets(buf, (int)cap, f) == NULL)
			r = UC_ERR_PASSPHRASE;
		if (f != stdin)
			fclose(f);
		n = strlen(buf);
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		if (r != 0 || n == 0) {
			OPENSSL_cleanse(buf, cap);
			return uc_tool_fail(g, UC_ERR_PASSPHRASE, "--password-file"
			    " %s: no password on its first line", file);
		}
		return 0;
	}
	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY)) >= 0)
		close(fd);
	if (fd < 0)
		return uc_tool_fail(g, UC_ERR_PASSPHRASE, "new password for %s:"
		    " no terminal to ask it on; give --password-file FILE"
		    " (its first line)", user);
	snprintf(prompt, sizeof(prompt), "New password for %s: ", user);
	if ((r = lgt_password(NULL, prompt, 1, buf, cap)) != 0)
		return uc_tool_fail(g, r, "new password for %s (empty, or the"
		    " two differ)", user);
	return 0;
}

int
lgt_need_dir(struct uc_tool_global *g, const char *path, int parent,
    const char *what)
{
	char dir[4096];
	struct stat st;
	char *slash;

	if (path == NULL)
		return 0;
	if ((size_t)snprintf(dir, sizeof(dir), "%s", path) >= sizeof(dir))
		return uc_tool_fail(g, UC_ERR_RANGE, "%s %s: path too long",
		    what, path);
	if (parent) {
		slash = strrchr(dir, '/');
		if (slash == NULL)
			return 0;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return uc_tool_fail(g, UC_ERR_NOT_FOUND, "%s %s: directory %s"
		    " does not exist (make it first, e.g. mkdir -p %s)", what,
		    path, dir, dir);
	return 0;
}

int
lgt_fail(struct uc_tool_global *g, struct uc_ledger *l, int err,
    const char *what)
{
	const char *why = LEDGER_WHY(l);

	if (err == UC_ERR_READ_ONLY && uc_ledger_read_only(l))
		return uc_tool_fail(g, err, "%s: this user may only read the"
		    " ledger (the file or its directory is not writable)",
		    what);
	if (why != NULL && why[0] != '\0')
		return uc_tool_fail(g, err, "%s: %s", what, why);
	return uc_tool_fail(g, err, "%s", what);
}

int
lgt_open_path(struct uc_tool_global *g, struct uc_ledger **l,
    const char *path, int create, const char *group, int full_check)
{
	struct uc_ledger_open_opts o = { .create = create, .group = group,
	    .full_check = full_check };
	struct uc_diag d;
	int r;

	*l = NULL;
	if ((r = uc_hook_ledger_opts(g, &o)) != UC_EXIT_OK)
		return r;
	if ((r = uc_ledger_open_ex(l, path, &o, &d)) != 0) {
		/* the diagnostic names the file: say it once */
		if (d.msg[0] != '\0')
			return uc_tool_fail(g, r, "ledger %s: %s", path, d.msg);
		return uc_tool_fail(g, r, "ledger %s", path);
	}
	return 0;
}

int
lgt_open(struct uc_tool_global *g, struct uc_ledger **l, int create,
    int login)
{
	return lgt_open_ex(g, l, create, login, NULL, 0);
}

int
lgt_open_ex(struct uc_tool_global *g, struct uc_ledger **l, int create,
    int login, const char *group, int full_check)
{
	char pw[LGT_PASSWORD_MAX + 2], prompt[UC_LEDGER_USER_MAX + 16];
	const char *path = uc_tool_ledger_path(g);
	int r;

	*l = NULL;
	if (login && g->as == NULL)
		return uc_tool_usage(g, "this command needs --as USER");
	/* Before any prompt: a missing directory is named at once. */
	if ((r = lgt_need_dir(g, path, 1, "ledger")) != 0)
		return r;
	if (!create && access(path, F_OK) != 0)
		return uc_tool_fail(g, UC_ERR_NOT_FOUND, "ledger %s (run"
		    " 'unioncard init' first, or give --ledger PATH)", path);
	if ((r = lgt_open_path(g, l, path, create, group, full_check)) != 0)
		return r;
	if (!login)
		return 0;
	snprintf(prompt, sizeof(prompt), "Password for %.64s: ", g->as);
	if ((r = lgt_password("UNIONCARD_PASSWORD", prompt, 0, pw,
	    sizeof(pw))) != 0) {
		uc_ledger_free(l);
		return uc_tool_fail(g, r, "password for %s", g->as);
	}
	r = uc_ledger_login(*l, g->as, pw);
	OPENSSL_cleanse(pw, sizeof(pw));
	if (r != 0) {
		char what[UC_LEDGER_USER_MAX + 16];

		snprintf(what, sizeof(what), "log in as %.64s", g->as);
		r = lgt_fail(g, *l, r, what);
		uc_ledger_free(l);
		return r;
	}
	return 0;
}

int
lgt_json(const struct uc_tool_global *g, int argc, char **argv)
{
	return g->json || lgt_flag(argc, argv, "--json");
}

int
lgt_print_json(const json_t *v)
{
	char *s = json_dumps(v, JSON_PRESERVE_ORDER);

	if (s == NULL)
		return UC_EXIT_FAIL;
	puts(s);
	free(s);
	return fflush(stdout) == 0 ? UC_EXIT_OK : UC_EXIT_FAIL;
}

/*
 * Text for a terminal: control characters (C0, DEL, C1) print as '?', so
 * a value let in before the ledger checked its entries cannot move the
 * cursor, clear the screen or break the table's columns.
 */
void
lgt_print_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (p == NULL)
		return;
	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			putchar('?');
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			putchar('?');
			p++;
		} else {
			putchar(*p);
		}
	}
}

static void
print_value(const json_t *v)
{
	if (v == NULL || json_is_null(v))
		fputs("-", stdout);
	else if (json_is_string(v))
		lgt_print_text(json_string_value(v));
	else if (json_is_integer(v))
		printf("%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		printf("%.1f", json_real_value(v));
	else if (json_is_true(v))
		fputs("yes", stdout);
	else if (json_is_false(v))
		fputs("no", stdout);
	else
		fputs("?", stdout);
}

int
lgt_print_list(const json_t *a, const char *const *keys, size_t n, int json)
{
	size_t i, k;
	json_t *o;

	if (json)
		return lgt_print_json(a);
	for (k = 0; k < n; k++)
		printf("%s%s", k ? "\t" : "", keys[k]);
	putchar('\n');
	json_array_foreach(a, i, o) {
		for (k = 0; k < n; k++) {
			if (k)
				putchar('\t');
			print_value(json_object_get(o, keys[k]));
		}
		putchar('\n');
	}
	return fflush(stdout) == 0 ? UC_EXIT_OK : UC_EXIT_FAIL;
}

const char *
lgt_opt(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

int
lgt_flag(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

/* 1: flag, 2: takes a value, 0: unknown */
static int
kind(const char *a, const char *const *known)
{
	size_t n = strlen(a);

	for (; *known != NULL; known++) {
		size_t k = strlen(*known);

		if ((*known)[k - 1] == '=') {
			if (k - 1 == n && strncmp(a, *known, n) == 0)
				return 2;
		} else if (strcmp(a, *known) == 0) {
			return 1;
		}
	}
	return 0;
}

int
lgt_check(struct uc_tool_global *g, int argc, char **argv, int from,
    const char *const *known, int max_pos)
{
	int i, pos = 0, k;

	for (i = from; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0 && argv[i][2] != '\0') {
			if ((k = kind(argv[i], known)) == 0) {
				uc_tool_usage(g, "unknown option '%s'", argv[i]);
				return UC_EXIT_FAIL;
			}
			if (k == 2 && ++i >= argc) {
				uc_tool_usage(g, "%s needs a value",
				    argv[i - 1]);
				return UC_EXIT_FAIL;
			}
		} else {
			pos++;
		}
	}
	if (pos > max_pos) {
		uc_tool_usage(g, "too many arguments");
		return UC_EXIT_FAIL;
	}
	return 0;
}

const char *
lgt_pos(int argc, char **argv, int from, const char *const *known, int want)
{
	int i, pos = 0;

	for (i = from; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0 && argv[i][2] != '\0') {
			if (kind(argv[i], known) == 2)
				i++;
			continue;
		}
		if (pos++ == want)
			return argv[i];
	}
	return NULL;
}
