/*
 * testserve.c - the PN532 emulator on a pseudo-terminal with the trivial
 * test card (testcard.h), for the end-to-end tests that run Debian's own
 * libnfc tools against it.
 *
 *   testserve --pty-link PATH [--remove-after N]
 *
 * Makes PATH a symbolic link to the pty slave once it is ready, serves
 * until SIGTERM or SIGINT, and toggles the card in and out of the field on
 * SIGUSR1.  The card serial is 11 22 33 44 55 66 77 88.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "unioncard/error.h"
#include "vcard/pn532emu.h"
#include "testcard.h"

static volatile sig_atomic_t stop, toggle;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void
on_toggle(int sig)
{
	(void)sig;
	toggle = 1;
}

int
main(int argc, char **argv)
{
	static const uint8_t serial[8] = {
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88
	};
	struct uc_pn532emu_card card;
	struct uc_pn532emu *e = NULL;
	struct testcard tc;
	struct sigaction sa;
	const char *link = NULL;
	char tmp[4096], pts[256];
	unsigned long remove_after = 0;
	int m = -1, r, i, rc = 2;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--pty-link") == 0 && i + 1 < argc)
			link = argv[++i];
		else if (strcmp(argv[i], "--remove-after") == 0 && i + 1 < argc)
			remove_after = strtoul(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: testserve --pty-link PATH "
			    "[--remove-after N]\n");
			return 2;
		}
	}
	if (link == NULL) {
		fprintf(stderr, "testserve: --pty-link is required\n");
		return 2;
	}
	/* Never outlive the test that started us, even if it is killed. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_toggle;
	sigaction(SIGUSR1, &sa, NULL);

	testcard_init(&tc, serial, &card);
	if ((r = uc_pn532emu_new(&card, &e)) != 0 ||
	    (r = uc_pn532emu_pty_open(&m, pts, sizeof(pts))) != 0) {
		fprintf(stderr, "testserve: %s\n", uc_strerror(r));
		goto out;
	}
	uc_pn532emu_set_remove_after(e, remove_after);
	/* Publish atomically: a reader never sees a half-made link. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", link);
	unlink(tmp);
	if (symlink(pts, tmp) != 0 || rename(tmp, link) != 0) {
		perror("testserve: link");
		goto out;
	}
	printf("%s\n", pts);
	fflush(stdout);
	r = uc_pn532emu_serve(e, m, &stop, &toggle);
	rc = r == 0 ? 0 : 1;
	if (r != 0)
		fprintf(stderr, "testserve: %s\n", uc_strerror(r));
	unlink(link);
out:
	if (m >= 0)
		close(m);
	uc_pn532emu_free(&e);
	return rc;
}
