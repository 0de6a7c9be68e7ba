/*
 * scp03.c - GlobalPlatform SCP03, card and host sides (being written).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "channel/kdf.h"
#include "unioncard/error.h"
#include "unioncard/scp03.h"

void
uc_scp03_keys_wipe(struct uc_scp03_keys *k)
{
	if (k != NULL)
		OPENSSL_cleanse(k, sizeof(*k));
}

void
uc_scp03_dev_keys(struct uc_scp03_keys *out)
{
	size_t i;

	for (i = 0; i < UC_SCP03_KEY_LEN; i++) {
		out->enc[i] = (uint8_t)(0x40 + i);
		out->mac[i] = (uint8_t)(0x40 + i);
		out->dek[i] = (uint8_t)(0x40 + i);
	}
	out->kvn = UC_SCP03_DEV_KVN;
}

void
uc_scp03_card_nv_init(struct uc_scp03_card_nv *nv)
{
	nv->seq_counter = 0;
	nv->tries_left = UC_SCP03_TRIES_MAX;
}
