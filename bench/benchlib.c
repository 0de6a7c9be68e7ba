/*
 * benchlib.c - what the benchmarks share (benchlib.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "unioncard/keys.h"
#include "benchlib.h"

double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
bench_exec_sql(const char *prog, sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", prog, err);
		exit(2);
	}
}

int
bench_station_keys(const char *keys, const char *pass,
    struct uc_signer **signer, struct uc_scp03_keys *master,
    struct uc_trust **trust, struct uc_diag *d, const char **what)
{
	struct uc_keys_scp_master km;
	char path[700];
	int r;

	snprintf(path, sizeof(path), "%s/signers/station-01.key", keys);
	*what = "signer";
	if ((r = uc_signer_open(path, pass, signer, d)) != 0)
		return r;
	*what = "scp master";
	if ((r = uc_keys_load_scp_master(keys, pass, &km, d)) != 0)
		return r;
	memset(master, 0, sizeof(*master));
	master->kvn = km.kvn;
	memcpy(master->enc, km.enc, 16);
	memcpy(master->mac, km.mac, 16);
	memcpy(master->dek, km.dek, 16);
	OPENSSL_cleanse(&km, sizeof(km));
	*what = "trust";
	snprintf(path, sizeof(path), "%s/root.pem", keys);
	if ((r = uc_trust_new(trust)) != 0 ||
	    (r = uc_trust_add_roots_file(*trust, path, d)) != 0)
		return r;
	return 0;
}
