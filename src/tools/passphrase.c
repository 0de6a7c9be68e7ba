/*
 * passphrase.c - where a tool gets the key passphrase: never from the
 * command line (it would show in ps and shell history).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "passphrase.h"

static void
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

int
uc_tool_passphrase(const char *file, char *out, size_t cap)
{
	char *env = getenv("UNIONCARD_PASSPHRASE");
	struct termios old, quiet;
	FILE *f = NULL;
	int echo_off = 0, r = UC_ERR_PASSPHRASE;

	if (cap > 0)
		out[0] = '\0';
	if (file != NULL) {
		if ((f = fopen(file, "r")) == NULL)
			return UC_ERR_IO;
		if (fgets(out, (int)cap, f) != NULL)
			r = 0;
		fclose(f);
		chomp(out);
		return r;
	}
	if (env != NULL) {
		r = 0;
		if (strlen(env) >= cap)
			r = UC_ERR_PASSPHRASE;
		else
			memcpy(out, env, strlen(env) + 1);
		/* Read once: gone from the environment, then wiped where
		 * it lay ("NAME=value", see cmd_ledger.c lgt_env_wipe). */
		{
			char *entry = env - strlen("UNIONCARD_PASSPHRASE=");
			size_t n = strlen(entry);

			(void)unsetenv("UNIONCARD_PASSPHRASE");
			OPENSSL_cleanse(entry, n);
		}
		return r;
	}
	if ((f = fopen("/dev/tty", "r+")) == NULL)
		return UC_ERR_PASSPHRASE;
	fputs("Key passphrase: ", f);
	fflush(f);
	if (tcgetattr(fileno(f), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		echo_off = tcsetattr(fileno(f), TCSAFLUSH, &quiet) == 0;
	}
	if (fgets(out, (int)cap, f) != NULL)
		r = 0;
	if (echo_off)
		tcsetattr(fileno(f), TCSAFLUSH, &old);
	fputc('\n', f);
	fclose(f);
	chomp(out);
	if (r != 0)
		OPENSSL_cleanse(out, cap);
	return r;
}
