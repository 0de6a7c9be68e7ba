/*
 * test_status_list_format.c - the status-list format on its own (the
 * verify layer; linked without the ledger): a verifier checks the
 * signature over the compressed payload BEFORE it inflates anything, and
 * inflates exactly what the signed header says.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "unioncard/buf.h"
#include "unioncard/keys.h"
#include "unioncard/secobj.h"
#include "unioncard/signer.h"
#include "unioncard/statuslist.h"
#include "verify/status_list_format.h"

/* Issue time of the lists made here: now (the signer is valid now). */
static int64_t T0;

struct fx {
	char dir[64];
	struct uc_signer *sg;
	struct uc_trust *tr;
};

static int
setup(void **state)
{
	static const char pass[] = "unit test passphrase";
	struct fx *f = calloc(1, sizeof(*f));
	char key[128];
	struct uc_diag d;

	assert_non_null(f);
	T0 = (int64_t)time(NULL);
	snprintf(f->dir, sizeof(f->dir), "/tmp/uc-sl-unit.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(key, sizeof(key), "%s/status-list.key", f->dir);
	assert_int_equal(uc_keys_init(f->dir, pass, NULL, &d), 0);
	assert_int_equal(uc_signer_open(key, pass, &f->sg, &d), 0);
	assert_int_equal(uc_trust_new(&f->tr), 0);
	assert_int_equal(uc_trust_load_dir(f->tr, f->dir, &d), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	uc_trust_free(&f->tr);
	uc_signer_free(&f->sg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* payload | siglen | sig (sig may be NULL: siglen 0). */
static unsigned char *
envelope(const unsigned char *payload, size_t plen, const unsigned char *sig,
    size_t slen, size_t *len)
{
	unsigned char *p = malloc(plen + 4 + slen);

	assert_non_null(p);
	memcpy(p, payload, plen);
	p[plen] = (unsigned char)(slen >> 24);
	p[plen + 1] = (unsigned char)(slen >> 16);
	p[plen + 2] = (unsigned char)(slen >> 8);
	p[plen + 3] = (unsigned char)slen;
	if (slen > 0)
		memcpy(p + plen + 4, sig, slen);
	*len = plen + 4 + slen;
	return p;
}

/* The file image of payload signed by the fixture's signer. */
static unsigned char *
signed_list(struct fx *f, const unsigned char *payload, size_t plen,
    size_t *len)
{
	struct uc_buf sig = UC_BUF_INIT;
	unsigned char *p;

	assert_int_equal(uc_sign_detached(f->sg, payload, plen, &sig), 0);
	p = envelope(payload, plen, sig.data, sig.len, len);
	uc_buf_free(&sig);
	return p;
}

/* A header as the format says, followed by zlen bytes of "compressed"
 * data z (not necessarily a zlib stream). */
static unsigned char *
raw_payload(uint64_t nbits, const unsigned char *z, size_t zlen, size_t *plen)
{
	unsigned char *p = calloc(1, UC_STATUS_LIST_HEADER_LEN + zlen);
	int i;

	assert_non_null(p);
	memcpy(p, "UCSL", 4);
	p[4] = UC_STATUS_LIST_VERSION;
	p[7] = 52;
	for (i = 0; i < 8; i++)
		p[8 + i] = (unsigned char)((uint64_t)T0 >> (56 - 8 * i));
	p[18] = 0x0e; /* ttl 3600 */
	p[19] = 0x10;
	for (i = 0; i < 8; i++)
		p[20 + i] = (unsigned char)(nbits >> (56 - 8 * i));
	p[31] = (unsigned char)zlen;
	memcpy(p + UC_STATUS_LIST_HEADER_LEN, z, zlen);
	*plen = UC_STATUS_LIST_HEADER_LEN + zlen;
	return p;
}

/* Encoded, signed, verified, looked up: the format round-trips. */
static void
test_round_trip(void **state)
{
	struct fx *f = *state;
	unsigned char bits[2] = { 0xbf, 0xff }, *payload, *data, *out = NULL;
	struct uc_status_list_info info;
	struct uc_diag d;
	size_t plen, len, olen;

	assert_int_equal(sl_encode(52, T0, 3600, bits, 12, &payload, &plen),
	    0);
	data = signed_list(f, payload, plen, &len);
	assert_int_equal(uc_status_list_verify(data, len, f->tr, T0 + 1,
	    &info, &out, &olen, &d), 0);
	assert_int_equal(olen, 2);
	assert_int_equal(info.nbits, 12);
	assert_int_equal(info.prefix, 52);
	assert_int_equal(uc_status_list_get(&info, out, olen, "52000000001"),
	    0);
	assert_int_equal(uc_status_list_get(&info, out, olen, "52000000002"),
	    1);
	assert_int_equal(uc_status_list_get(&info, out, olen, "52000000012"),
	    1);
	assert_int_equal(uc_status_list_get(&info, out, olen, "53000000001"),
	    UC_ERR_NOT_FOUND);
	free(out);
	free(data);
	free(payload);
	assert_int_equal(sl_encode(52, T0, 3600, bits,
	    UC_STATUS_LIST_MAX_BITS + 1, &payload, &plen), UC_ERR_RANGE);
	assert_null(payload);
}

/*
 * A header that claims every serial there may be (125 MB inflated) over
 * a few bytes that are no zlib stream, under a signature that is no CMS:
 * the verifier refuses the CMS (d names the signature) - it never got
 * as far as the bitstring (inflating first would have refused the stream,
 * d.field "status-list", after allocating 125 MB).
 */
static void
test_signature_before_inflate(void **state)
{
	struct fx *f = *state;
	static const unsigned char junk[] = { 0x78, 0x9c, 0xde, 0xad, 0xbe,
	    0xef };
	static const unsigned char not_cms[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	unsigned char *payload, *data, *out = (unsigned char *)1;
	struct uc_status_list_info info;
	struct uc_diag d;
	size_t plen, len, olen = 7;

	payload = raw_payload(UC_STATUS_LIST_MAX_BITS, junk, sizeof(junk),
	    &plen);
	data = envelope(payload, plen, not_cms, sizeof(not_cms), &len);
	assert_int_equal(uc_status_list_parse_header(data, len, &info), 0);
	assert_int_equal(info.nbits, UC_STATUS_LIST_MAX_BITS);
	assert_int_equal(uc_status_list_verify(data, len, f->tr, T0 + 1,
	    &info, &out, &olen, &d), UC_ERR_INVALID);
	assert_string_not_equal(d.field, "status-list");
	assert_null(strstr(d.msg, "not a status list"));
	assert_null(out);
	assert_int_equal(olen, 0);
	free(data);
	/* unsigned: refused as unsigned, not as a broken stream */
	data = envelope(payload, plen, NULL, 0, &len);
	assert_int_equal(uc_status_list_verify(data, len, f->tr, T0 + 1,
	    &info, &out, &olen, &d), UC_ERR_VERIFY);
	assert_string_equal(d.field, "signature");
	assert_null(out);
	free(data);
	/* and signed by us, the broken stream is found after the signature */
	data = signed_list(f, payload, plen, &len);
	assert_int_equal(uc_status_list_verify(data, len, f->tr, T0 + 1,
	    &info, &out, &olen, &d), UC_ERR_INVALID);
	assert_string_equal(d.field, "status-list");
	assert_null(out);
	free(data);
	free(payload);
}

/*
 * The signed header bounds what is inflated: a stream that inflates to
 * more (or less) than ceil(nbits / 8) bytes is refused, and no header may
 * claim more than UC_STATUS_LIST_MAX_BITS.
 */
static void
test_inflate_bounded(void **state)
{
	struct fx *f = *state;
	unsigned char bits[64], *payload, *data, *out = NULL;
	struct uc_status_list_info info;
	struct uc_diag d;
	size_t plen, len, olen;

	memset(bits, 0xff, sizeof(bits));
	/* 512 bits encoded, the header then says 8: a longer stream */
	assert_int_equal(sl_encode(52, T0, 3600, bits, 512, &payload, &plen),
	    0);
	payload[27] = 8;
	payload[26] = 0;
	data = signed_list(f, payload, plen, &len);
	assert_int_equal(uc_status_list_verify(data, len, f->tr, T0 + 1,
	    &info, &out, &olen, &d), UC_ERR_INVALID);
	assert_null(out);
	free(data);
	/* the header says 1024: a shorter stream */
	payload[26] = 4;
	payload[27] = 0;
	data = signed_list(f, payload, plen, &len);
	assert_int_equal(uc_status_list_verify(data, len, f->tr, T0 + 1,
	    &info, &out, &olen, &d), UC_ERR_INVALID);
	assert_null(out);
	free(data);
	free(payload);
	/* more than the format allows: refused by the header check */
	payload = raw_payload(UC_STATUS_LIST_MAX_BITS + 1, bits, 8, &plen);
	data = envelope(payload, plen, NULL, 0, &len);
	assert_int_equal(uc_status_list_parse_header(data, len, &info),
	    UC_ERR_INVALID);
	assert_int_equal(uc_status_list_parse(data, len, &info, &out, &olen),
	    UC_ERR_INVALID);
	assert_null(out);
	free(data);
	free(payload);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_signature_before_inflate),
		cmocka_unit_test(test_inflate_bounded),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
