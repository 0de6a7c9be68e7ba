/*
 * fuzz_replay.c - the `replay:FILE` transport's transcript reader
 * (applets-spec/vectors/README.md) on arbitrary bytes: open, connect,
 * send the union applet's SELECT, disconnect.  Any outcome but a crash
 * (or an answer longer than the buffer) is fine.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unioncard/transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t select[] = { 0x00, 0xA4, 0x04, 0x00, 0x0B, 0xF0,
	    0x55, 0x4E, 0x49, 0x4F, 0x4E, 0x43, 0x41, 0x52, 0x44, 0x01, 0x00 };
	static char path[96], spec[128];
	struct uc_transport *t = NULL;
	uint8_t atr[64], resp[300];
	size_t atr_len = 0, n = 0;
	FILE *f;
	int fd;

	if (path[0] == '\0') {
		snprintf(path, sizeof(path), "%s/uc-fuzz-replay.XXXXXX",
		    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
		if ((fd = mkstemp(path)) < 0)
			abort();
		close(fd);
		snprintf(spec, sizeof(spec), "replay:%s", path);
	}
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();
	if (uc_transport_open(spec, &t) != 0)
		return 0;
	if (uc_transport_connect(t, 0, atr, &atr_len) == 0 &&
	    uc_transport_transmit(t, select, sizeof(select), resp,
	    sizeof(resp), &n) == 0 && n > sizeof(resp))
		abort();
	(void)uc_transport_disconnect(t, 0);
	uc_transport_free(&t);
	return 0;
}
