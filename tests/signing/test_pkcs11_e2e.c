/*
 * test_pkcs11_e2e.c - a document signer whose key lives in a PKCS#11
 * token: SoftHSM2 in a private token directory, a P-256 key generated on
 * the token by pkcs11-tool, its certificate issued by our root and written
 * back to the token, then a security object signed through the
 * pkcs11: URI and verified against the root.
 *
 * Exits 77 (skipped) only when SoftHSM2 is not installed or this build
 * has no libp11; every other problem is a failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "config.h"
#include "unioncard/keys.h"
#include "unioncard/secobj.h"
#include "unioncard/signer.h"

#define PASS "correct horse battery"
#define PIN "246810"
#define SKIP 77

static char tmp[256];
static const char *module;

#define CHECK(cond)                                                      \
	do {                                                             \
		if (!(cond)) {                                           \
			fprintf(stderr, "%s:%d: check failed: %s\n",     \
			    __FILE__, __LINE__, #cond);                  \
			return 1;                                        \
		}                                                        \
	} while (0)

static int
sh(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "command failed: %s\n", cmd);
		return -1;
	}
	return 0;
}

/* Format a command (literal format, so the compiler checks it) and run. */
#define RUN(...) \
	(snprintf(cmdbuf, sizeof(cmdbuf), __VA_ARGS__) < \
	    (int)sizeof(cmdbuf) ? sh(cmdbuf) : -1)

static char cmdbuf[2048];

static int
der_pub_to_pem(const char *der_path, const char *pem_path)
{
	FILE *f = fopen(der_path, "rb"), *g;
	EVP_PKEY *k;

	if (f == NULL)
		return -1;
	k = d2i_PUBKEY_fp(f, NULL);
	fclose(f);
	if (k == NULL || (g = fopen(pem_path, "w")) == NULL) {
		EVP_PKEY_free(k);
		return -1;
	}
	PEM_write_PUBKEY(g, k);
	fclose(g);
	EVP_PKEY_free(k);
	return 0;
}

static int
scenario(void)
{
	char conf[512], tokens[512], keys[512], pubder[512], pubpem[512];
	char certder[512], uri[1024];
	struct uc_signer *s = NULL;
	struct uc_trust *t = NULL;
	struct uc_buf der = UC_BUF_INIT;
	struct uc_secobj_result res;
	struct uc_diag d;
	uint8_t serial[8] = { 0x04, 1, 2, 3, 4, 5, 6, 7 };
	uint8_t e1[] = { 0xE1, 0x05, 0xC0, 0x03, '1', '2', '3' };
	struct uc_secobj_item it = { 0xE1, e1, sizeof(e1) };
	FILE *f;
	int r;

	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", tmp);
	snprintf(tokens, sizeof(tokens), "%s/tokens", tmp);
	snprintf(keys, sizeof(keys), "%s/keys", tmp);
	snprintf(pubder, sizeof(pubder), "%s/pub.der", tmp);
	snprintf(pubpem, sizeof(pubpem), "%s/pub.pem", tmp);
	snprintf(certder, sizeof(certder), "%s/hsm-01.der", tmp);
	CHECK(mkdir(tokens, 0700) == 0);
	CHECK((f = fopen(conf, "w")) != NULL);
	fprintf(f, "directories.tokendir = %s\nobjectstore.backend = file\n"
	    "log.level = ERROR\n", tokens);
	fclose(f);
	CHECK(setenv("SOFTHSM2_CONF", conf, 1) == 0);

	CHECK(RUN("softhsm2-util --init-token --free --label uc-test "
	    "--pin " PIN " --so-pin 13572468 >/dev/null") == 0);
	CHECK(RUN("pkcs11-tool --module %s --token-label uc-test --login "
	    "--pin " PIN " --keypairgen --key-type EC:prime256v1 "
	    "--label dsign --id 01 >/dev/null", module) == 0);
	CHECK(RUN("pkcs11-tool --module %s --token-label uc-test "
	    "--read-object --type pubkey --id 01 -o '%s' >/dev/null 2>&1",
	    module, pubder) == 0);
	CHECK(der_pub_to_pem(pubder, pubpem) == 0);

	/* The root certifies the token's key; the key never leaves it. */
	CHECK(uc_keys_init(keys, PASS, NULL, NULL) == 0);
	uc_diag_clear(&d);
	r = uc_keys_certify_signer(keys, "hsm-01", PASS, pubpem, NULL, certder,
	    &d);
	if (r != 0)
		fprintf(stderr, "certify: %s: %s\n", uc_strerror(r), d.msg);
	CHECK(r == 0);
	CHECK(RUN("pkcs11-tool --module %s --token-label uc-test --login "
	    "--pin " PIN " --write-object '%s' --type cert --id 01 "
	    "--label dsign >/dev/null", module, certder) == 0);

	/* A wrong PIN is a passphrase error, not a crash or a hang. */
	snprintf(uri, sizeof(uri), "pkcs11:token=uc-test;object=dsign;"
	    "pin-value=000000;module-path=%s", module);
	CHECK(uc_signer_open(uri, NULL, &s, &d) == UC_ERR_PASSPHRASE);
	CHECK(s == NULL);
	/* No such object. */
	snprintf(uri, sizeof(uri), "pkcs11:token=uc-test;object=nope;"
	    "pin-value=" PIN ";module-path=%s", module);
	CHECK(uc_signer_open(uri, NULL, &s, &d) == UC_ERR_NOT_FOUND);

	/* PIN from the passphrase source, module from the environment. */
	CHECK(setenv("UNIONCARD_PKCS11_MODULE", module, 1) == 0);
	snprintf(uri, sizeof(uri), "pkcs11:token=uc-test;object=dsign");
	uc_diag_clear(&d);
	r = uc_signer_open(uri, PIN, &s, &d);
	if (r != 0)
		fprintf(stderr, "open: %s: %s\n", uc_strerror(r), d.msg);
	CHECK(r == 0);
	CHECK(strcmp(uc_signer_kind(s), "pkcs11") == 0);
	CHECK(strcmp(uc_signer_station_ptr(s), "hsm-01") == 0);

	CHECK(uc_secobj_create(s, serial, &it, 1, &der) == 0);
	CHECK(uc_trust_new(&t) == 0);
	CHECK(uc_trust_load_dir(t, keys, NULL) == 0);
	r = uc_secobj_verify(der.data, der.len, t, 0, &it, 1, serial, &res,
	    &d);
	fprintf(stderr, "hashes: %s (%s)\nsignature: %s (%s)\nchain: %s (%s)\n",
	    uc_check_str(res.hashes), res.hashes_detail,
	    uc_check_str(res.signature), res.signature_detail,
	    uc_check_str(res.chain), res.chain_detail);
	CHECK(r == 0);
	CHECK(strcmp(res.station, "hsm-01") == 0);

	/* And the token signs digests directly too. */
	{
		uint8_t md[32];
		struct uc_buf sig = UC_BUF_INIT;

		memset(md, 7, sizeof(md));
		CHECK(uc_signer_sign_digest(s, md, 32, &sig) == 0);
		CHECK(sig.len >= 8 && sig.len <= 72);
		uc_buf_free(&sig);
	}
	uc_buf_free(&der);
	uc_trust_free(&t);
	uc_signer_free(&s);
	return 0;
}

int
main(void)
{
	char cmd[512];
	int r;

	module = getenv("UNIONCARD_PKCS11_MODULE");
	if (module == NULL || module[0] == '\0')
		module = UC_PKCS11_DEFAULT_MODULE;
	if (!UC_HAVE_PKCS11) {
		fprintf(stderr, "SKIP: built without libp11\n");
		return SKIP;
	}
	if (access(module, R_OK) != 0 ||
	    system("command -v softhsm2-util >/dev/null 2>&1") != 0) {
		fprintf(stderr, "SKIP: SoftHSM2 not installed (%s)\n", module);
		return SKIP;
	}
	snprintf(tmp, sizeof(tmp), "/tmp/uc-p11-XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return 1;
	r = scenario();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		r = 1;
	if (r == 0)
		printf("PKCS#11 signer: security object signed in SoftHSM2 "
		    "and verified\n");
	return r;
}
