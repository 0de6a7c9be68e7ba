/*
 * unioncard-pn532emu - a PN532 reader on a pseudo-terminal with the
 * virtual union card in its field, so that libnfc (and everything built
 * on it: nfc-list, the `nfc:` transport) reaches the card as it would a
 * real contactless card.
 *
 * The emulator itself is uc_pn532emu_* in libunioncard; this file loads
 * the card, opens the pty, publishes its name and handles signals.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tool.h"
#include "unioncard/error.h"
#include "vcard/pn532emu.h"
#include "unioncard/transport.h"
#include "vcard/vcard.h"

/* The NFCID1 is the first 7 bytes of the 8-byte card serial (double-size
 * UID), so a UID names its card. */
#define UID_FROM_SERIAL 7u

static struct uc_tool_global g = { .prog = "unioncard-pn532emu" };
static volatile sig_atomic_t stop_requested, toggle_requested;

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: unioncard-pn532emu STATE [--pty-link PATH]\n"
	    "         [--remove-after N] [--tear-at N [--tear-mode M]]\n"
	    "\n"
	    "Be a PN532 contactless reader (UART protocol) on a\n"
	    "pseudo-terminal, with the virtual card of STATE in its field as\n"
	    "an ISO 14443-4 type A card (UID: the first 7 bytes of the card\n"
	    "serial).\n"
	    "\n"
	    "Prints the pty slave's path on standard output.\n"
	    "  --pty-link PATH    also make PATH a symbolic link to it\n"
	    "                     (removed on exit)\n"
	    "  --remove-after N   take the card out of the field when its\n"
	    "                     N-th APDU arrives (the reader times out)\n"
	    "  --tear-at N        the card loses power at its N-th APDU\n"
	    "  --tear-mode M      before (default): the APDU is not\n"
	    "                     processed; after: processed and committed,\n"
	    "                     no answer\n"
	    "Signals: SIGUSR1 takes the card out of the field or puts it\n"
	    "back; "
	    "SIGTERM or SIGINT stop the reader.\n"
	    "  -h, --help         this text\n"
	    "  --version          print the version\n"
	    "\n"
	    "Example:\n"
	    "  unioncard-vcard new /tmp/card.json --serial 0102030405060708\n"
	    "  unioncard-pn532emu /tmp/card.json --pty-link /tmp/pn532 &\n"
	    "  LIBNFC_DEVICE=pn532_uart:$(readlink /tmp/pn532) nfc-list\n"
	    "\n"
	    "Exit status: 0 stopped by a signal, 2 could not run.\n");
}

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
on_toggle(int sig)
{
	(void)sig;
	toggle_requested = 1;
}

static int
card_process(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
    size_t resp_cap, size_t *resp_len)
{
	int r = uc_vcard_process(ctx, cmd, cmd_len, resp, resp_cap, resp_len);

	/* A failed save still answers (65 81): the card did respond. */
	return r == UC_ERR_IO ? 0 : r;
}

static void
card_power(void *ctx, int on)
{
	if (on)
		uc_vcard_power_on(ctx);
	else
		uc_vcard_power_off(ctx);
}

static int
parse_count(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *out >= 1 && *out < ULONG_MAX ?
	    0 : -1;
}

/* Replace PATH with a link to target in one step (rename). */
static int
publish_link(const char *path, const char *target)
{
	char tmp[PATH_MAX];

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path,
	    (long)getpid()) >= sizeof(tmp))
		return -1;
	unlink(tmp);
	if (symlink(target, tmp) != 0)
		return -1;
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct uc_pn532emu_card card;
	struct uc_pn532emu *e = NULL;
	struct uc_vcard *c = NULL;
	struct uc_diag d;
	struct sigaction sa;
	const char *state = NULL, *link = NULL;
	char pts[256];
	uint8_t atr[UC_ATR_MAX], serial[8];
	size_t atr_len = sizeof(atr);
	unsigned long remove_after = 0, tear_at = 0;
	int tear_mode = UC_VCARD_TEAR_BEFORE;
	int m = -1, r, k, rc = UC_EXIT_FAIL, linked = 0;

	for (k = 1; k < argc; k++) {
		const char *a = argv[k];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return UC_EXIT_OK;
		} else if (strcmp(a, "--version") == 0) {
			printf("unioncard-pn532emu %s\n", UC_VERSION);
			return UC_EXIT_OK;
		} else if (strcmp(a, "--pty-link") == 0 && k + 1 < argc) {
			link = argv[++k];
		} else if (strcmp(a, "--remove-after") == 0 && k + 1 < argc) {
			if (parse_count(argv[++k], &remove_after) != 0)
				return uc_tool_usage(&g,
				    "--remove-after needs N >= 1");
		} else if (strcmp(a, "--tear-at") == 0 && k + 1 < argc) {
			if (parse_count(argv[++k], &tear_at) != 0)
				return uc_tool_usage(&g,
				    "--tear-at needs N >= 1");
		} else if (strcmp(a, "--tear-mode") == 0 && k + 1 < argc) {
			a = argv[++k];
			if (strcmp(a, "before") == 0)
				tear_mode = UC_VCARD_TEAR_BEFORE;
			else if (strcmp(a, "after") == 0)
				tear_mode = UC_VCARD_TEAR_AFTER;
			else
				return uc_tool_usage(&g,
				    "--tear-mode is before or after");
		} else if (a[0] == '-' || state != NULL) {
			return uc_tool_usage(&g, "unexpected argument '%s'",
			    a);
		} else {
			state = a;
		}
	}
	if (state == NULL)
		return uc_tool_usage(&g,
		    "STATE (the card's state file) needed");

	uc_diag_clear(&d);
	if ((r = uc_vcard_load(state, &c, &d)) != 0)
		return uc_tool_fail_diag(&g, r, &d, "loading %s", state);
	if (tear_at != 0)
		uc_vcard_set_tear(c, tear_at, tear_mode);

	memset(&card, 0, sizeof(card));
	card.ctx = c;
	card.process = card_process;
	card.power = card_power;
	uc_vcard_serial(c, serial);
	memcpy(card.uid, serial, UID_FROM_SERIAL);
	card.uid_len = UID_FROM_SERIAL;
	/* The ATS carries the contact ATR's historical bytes, so PC/SC part
	 * 3 readers rebuild an ATR that names the same card. */
	if ((r = uc_vcard_atr(c, atr, &atr_len)) != 0 ||
	    (r = uc_pn532emu_atr_historical(atr, atr_len, card.hist,
	    &card.hist_len)) != 0) {
		uc_tool_fail(&g, r, "the card's ATR");
		goto out;
	}
	if ((r = uc_pn532emu_new(&card, &e)) != 0) {
		uc_tool_fail(&g, r, "starting the emulator");
		goto out;
	}
	uc_pn532emu_set_remove_after(e, remove_after);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_toggle;
	sigaction(SIGUSR1, &sa, NULL);

	if ((r = uc_pn532emu_pty_open(&m, pts, sizeof(pts))) != 0) {
		uc_tool_fail(&g, r, "opening a pseudo-terminal");
		goto out;
	}
	if (link != NULL) {
		if (publish_link(link, pts) != 0) {
			uc_tool_fail(&g, UC_ERR_IO, "linking %s to %s: %s",
			    link, pts, strerror(errno));
			goto out;
		}
		linked = 1;
	}
	printf("%s\n", pts);
	fflush(stdout);

	r = uc_pn532emu_serve(e, m, &stop_requested, &toggle_requested);
	if (r != 0) {
		uc_tool_fail(&g, r, "serving %s", pts);
		goto out;
	}
	rc = UC_EXIT_OK;
out:
	if (linked)
		unlink(link);
	if (m >= 0)
		close(m);
	uc_pn532emu_free(&e);
	uc_vcard_free(&c);
	return rc;
}
