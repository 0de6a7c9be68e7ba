/*
 * stationkeys.c - load the writing tools' keys (stationkeys.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "passphrase.h"
#include "stationkeys.h"
#include "unioncard/keys.h"
#include "unioncard/signer.h"
#include "unioncard/trace.h"
#include "unioncard/transport.h"

int
uc_tool_keys_option(struct uc_tool_keys_spec *spec, int c, const char *arg)
{
	switch (c) {
	case 'k': spec->dir = arg; return 1;
	case 's': spec->station = arg; return 1;
	case 'S': spec->signer = arg; return 1;
	case 'P': spec->pass_file = arg; return 1;
	case 'B': spec->bank_key = arg; return 1;
	default: return 0;
	}
}

int
uc_tool_trace_attach(const struct uc_tool_global *g, const char *path,
    struct uc_transport *t, struct uc_trace **trace)
{
	int r;

	if (path == NULL)
		return UC_EXIT_OK;
	if ((r = uc_trace_open(path, trace)) != 0)
		return uc_tool_fail(g, r, "trace file %s", path);
	uc_transport_set_trace(t, *trace);
	return UC_EXIT_OK;
}

int
uc_tool_station_keys_load(const struct uc_tool_global *g,
    const struct uc_tool_keys_spec *spec, struct uc_tool_station_keys *k)
{
	char pass[UC_TOOL_PASSPHRASE_CAP], path[4096];
	const char *station = spec->station, *signer = spec->signer;
	const char *bank_key = spec->bank_key;
	struct uc_keys_scp_master km;
	struct uc_diag d;
	struct stat st;
	int r, rc = UC_EXIT_FAIL;

	memset(k, 0, sizeof(*k));
	memset(pass, 0, sizeof(pass));
	memset(&km, 0, sizeof(km));
	uc_diag_clear(&d);
	if (station == NULL)
		station = getenv("UNIONCARD_STATION");
	if (station == NULL || station[0] == '\0')
		station = UC_TOOL_DEFAULT_STATION;

	/* A missing key directory is named before the passphrase prompt. */
	if (spec->dir != NULL && (stat(spec->dir, &st) != 0 ||
	    !S_ISDIR(st.st_mode))) {
		rc = uc_tool_fail(g, UC_ERR_NOT_FOUND, "--keys %s: directory %s"
		    " does not exist", spec->dir, spec->dir);
		goto out;
	}
	/* The bank-link key is no secret behind the passphrase: first, so a
	 * bad one costs no prompt. */
	if (bank_key == NULL && spec->want_bank_key) {
		snprintf(path, sizeof(path), "%s/bank-link.key", spec->dir);
		if (access(path, F_OK) == 0)
			bank_key = path;
	}
	if (bank_key != NULL && (r = uc_keys_load_bank_link(bank_key,
	    k->bank_key, &k->bank_key_len, &d)) != 0) {
		rc = uc_tool_fail_diag(g, r, &d, "bank-link key");
		goto out;
	}
	if ((r = uc_tool_passphrase(spec->pass_file, pass,
	    sizeof(pass))) != 0) {
		rc = uc_tool_fail(g, r, "passphrase");
		goto out;
	}
	if (signer == NULL) {
		if ((r = uc_keys_station_check(station)) != 0) {
			rc = uc_tool_fail(g, r, "station name '%s'", station);
			goto out;
		}
		snprintf(path, sizeof(path), "%s/signers/%s.key", spec->dir,
		    station);
		signer = path;
	}
	if ((r = uc_signer_open_ex(signer, pass, uc_tool_pkcs11_module(),
	    &k->signer, &d)) != 0) {
		rc = uc_tool_fail_diag(g, r, &d, "signer %s", signer);
		goto out;
	}
	if ((r = uc_keys_load_scp_master(spec->dir, pass, &km, &d)) != 0) {
		rc = uc_tool_fail_diag(g, r, &d, "SCP03 master keys");
		goto out;
	}
	memcpy(k->master.enc, km.enc, sizeof(k->master.enc));
	memcpy(k->master.mac, km.mac, sizeof(k->master.mac));
	memcpy(k->master.dek, km.dek, sizeof(k->master.dek));
	k->master.kvn = km.kvn;
	k->pk.scp_master = &k->master;
	k->pk.signer = k->signer;
	if (k->bank_key_len != 0) {
		k->pk.bank_link_key = k->bank_key;
		k->pk.bank_link_key_len = k->bank_key_len;
	}
	rc = UC_EXIT_OK;
out:
	OPENSSL_cleanse(pass, sizeof(pass));
	OPENSSL_cleanse(&km, sizeof(km));
	return rc;
}

void
uc_tool_station_keys_free(struct uc_tool_station_keys *k)
{
	uc_signer_free(&k->signer);
	uc_scp03_keys_wipe(&k->master);
	OPENSSL_cleanse(k->bank_key, sizeof(k->bank_key));
	OPENSSL_cleanse(&k->pk, sizeof(k->pk));
	k->bank_key_len = 0;
}
