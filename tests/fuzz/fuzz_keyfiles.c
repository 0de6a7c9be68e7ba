/*
 * fuzz_keyfiles.c - the readers of key files (keys/README.md) on
 * arbitrary bytes.  The first byte picks the file, the rest is its
 * content, written to a scratch directory:
 *   0  scp-master.json        plain SCP03 master keys (strict JSON)
 *   1  bank-link.key          the bank-link HMAC key in hex
 *   2  a trusted root         uc_trust_add_root_mem (PEM or DER)
 *   3  root.crl               uc_trust_add_crl_file
 * A read that succeeds must give what the format promises; one that
 * fails must have wiped the key it was reading.  The encrypted form
 * scp-master.json.p7 is left out: its decryption runs PBKDF2 with the
 * iteration count the file itself names (600,000 for keys init's), so
 * every input would cost a second; it is the issuer's own file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unioncard/bankfile.h"
#include "unioncard/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void
put(const char *name, const uint8_t *p, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	if (n > 0 && fwrite(p, 1, n, f) != n)
		abort();
	if (fclose(f) != 0)
		abort();
}

static int
zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uc_keys_scp_master m;
	uint8_t key[UC_BANK_KEY_MAX];
	struct uc_trust *t = NULL;
	struct uc_diag d;
	char path[128];
	size_t n = 0;
	int r;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "%s/uc-fuzz-keys.XXXXXX",
		    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		put("scp-master.json", data + 1, size - 1);
		r = uc_keys_load_scp_master(dir, NULL, &m, &d);
		if (r == 0 && (m.kvn < 1 || m.kvn > 127))
			abort();
		if (r != 0 && !zero((const uint8_t *)&m, sizeof(m)))
			abort();
		break;
	case 1:
		put("bank-link.key", data + 1, size - 1);
		snprintf(path, sizeof(path), "%s/bank-link.key", dir);
		memset(key, 0, sizeof(key));
		r = uc_keys_load_bank_link(path, key, &n, &d);
		if (r == 0 && (n < UC_BANK_KEY_MIN || n > UC_BANK_KEY_MAX))
			abort();
		if (r != 0 && (n != 0 || !zero(key, sizeof(key))))
			abort();
		break;
	case 2:
		if (uc_trust_new(&t) != 0)
			abort();
		r = uc_trust_add_root_mem(t, data + 1, size - 1, &d);
		if (r == 0 && uc_trust_root_count(t) == 0)
			abort();
		uc_trust_free(&t);
		break;
	default:
		put("root.crl", data + 1, size - 1);
		snprintf(path, sizeof(path), "%s/root.crl", dir);
		if (uc_trust_new(&t) != 0)
			abort();
		(void)uc_trust_add_crl_file(t, path, &d);
		uc_trust_free(&t);
		break;
	}
	return 0;
}
