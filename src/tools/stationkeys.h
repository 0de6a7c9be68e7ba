/*
 * stationkeys.h - the keys a writing tool (perso, encode) needs, loaded
 * one way: the station's document signer, the SCP03 master keys and, for
 * linked cards, the bank-link key, from a key directory made by
 * `unioncard keys init`, unlocked with one passphrase.
 */
#ifndef UC_TOOL_STATIONKEYS_H
#define UC_TOOL_STATIONKEYS_H

#include <stddef.h>
#include <stdint.h>

#include "tool.h"
#include "unioncard/bankfile.h"
#include "unioncard/perso.h"
#include "unioncard/scp03.h"

#define UC_TOOL_DEFAULT_STATION "station-01"

struct uc_tool_keys_spec {
	const char *dir;       /* --keys DIR (required) */
	const char *station;   /* --station; NULL: $UNIONCARD_STATION, else
	                        * UC_TOOL_DEFAULT_STATION */
	const char *signer;    /* --signer KEY|PKCS11-URI; NULL: the station's
	                        * DIR/signers/STATION.key */
	const char *pass_file; /* --passphrase-file; NULL: environment/prompt */
	const char *bank_key;  /* --bank-key FILE; NULL: DIR/bank-link.key
	                        * when want_bank_key and the file is there */
	int want_bank_key;
};

struct uc_tool_station_keys {
	struct uc_scp03_keys master;
	struct uc_signer *signer;
	uint8_t bank_key[UC_BANK_KEY_MAX];
	size_t bank_key_len;
	struct uc_perso_keys pk; /* points into the fields above */
};

/*
 * The getopt_long entries of the key options every writing tool takes,
 * for its longopts table; uc_tool_keys_option() takes their values.
 */
#define UC_TOOL_KEYS_LONGOPTS \
	{ "keys", required_argument, NULL, 'k' }, \
	{ "station", required_argument, NULL, 's' }, \
	{ "signer", required_argument, NULL, 'S' }, \
	{ "passphrase-file", required_argument, NULL, 'P' }, \
	{ "bank-key", required_argument, NULL, 'B' }

/* If getopt's c is one of UC_TOOL_KEYS_LONGOPTS, put arg in its field of
 * *spec and return 1; else 0. */
int uc_tool_keys_option(struct uc_tool_keys_spec *spec, int c,
    const char *arg);

struct uc_transport;
struct uc_trace;

/*
 * When path is not NULL, open it as *trace and have t write every APDU
 * there.  Prints "trace file PATH" on failure; returns an exit code.
 */
int uc_tool_trace_attach(const struct uc_tool_global *g, const char *path,
    struct uc_transport *t, struct uc_trace **trace);

/*
 * Load everything spec names into *k (k->pk ready for uc_perso_card and
 * the station).  Prints what went wrong and returns an exit code
 * (UC_EXIT_OK on success); *k is safe to free either way.
 */
int uc_tool_station_keys_load(const struct uc_tool_global *g,
    const struct uc_tool_keys_spec *spec, struct uc_tool_station_keys *k);

/* Close the signer and wipe every key. */
void uc_tool_station_keys_free(struct uc_tool_station_keys *k);

#endif /* UC_TOOL_STATIONKEYS_H */
