/*
 * fuzz_verify_card.c - the whole verifier, uc_verify_card(), against a
 * hostile card: the input is a transcript (applets-spec/vectors/README.md)
 * that the replay transport answers with, so every answer the verifier
 * reads - SELECT's FCI, GET DATA's objects and its 61xx rounds, INTERNAL
 * AUTHENTICATE's signature (its command matched by command_prefix, the
 * challenge being fresh), a linked card's payment application - is the
 * fuzzer's.  The trusted root and the check time are the worked
 * example's (applets-spec/worked-example.md), so a seed made from it
 * reaches every check.
 *
 * What must hold: a verdict is consistent (valid exactly when no check
 * failed, was not run or could not decide; the headline's check is the
 * first failure), and an error return is never a verdict.  The
 * transcript is written to one temporary file, removed at exit.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unioncard/keys.h"
#include "unioncard/transport.h"
#include "unioncard/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The worked example's root (applets-spec/vectors/worked-example.json). */
static const char root_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIICCzCCAbKgAwIBAgIQbUTgQUFHKEihN5MgJ5JCujAKBggqhkjOPQQDAjBUMQsw\n"
	"CQYDVQQGEwJWTjEoMCYGA1UECgwfVW5pb24gQ2FyZCBJc3N1ZXIgKGRldmVsb3Bt\n"
	"ZW50KTEbMBkGA1UEAwwSVW5pb24gQ2FyZCBSb290IENBMB4XDTI2MTEyNDA3NDgy\n"
	"NloXDTQ2MTEyNDA3NDgyNlowVDELMAkGA1UEBhMCVk4xKDAmBgNVBAoMH1VuaW9u\n"
	"IENhcmQgSXNzdWVyIChkZXZlbG9wbWVudCkxGzAZBgNVBAMMElVuaW9uIENhcmQg\n"
	"Um9vdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABJPzWepUvj9cvEw46eLw\n"
	"s8kvEr9DJcKedgzBhw9bG8tG1gcOmTpGw/ki6Blvd6INFH6Fl5JUhoWpB4LhSKSs\n"
	"LsGjZjBkMBIGA1UdEwEB/wQIMAYBAf8CAQAwDgYDVR0PAQH/BAQDAgEGMB0GA1Ud\n"
	"DgQWBBS7hCileObhxNKKtTy/B1jVEtssvzAfBgNVHSMEGDAWgBS7hCileObhxNKK\n"
	"tTy/B1jVEtssvzAKBggqhkjOPQQDAgNHADBEAiBnOeKNuJncqJRWbzYJrft0g6KT\n"
	"EAZkIRq0tceah8h9QQIgSAxdFt75VasUtoMhiJnEoD4lHmSkPoyuiRQ/VUZmu90=\n"
	"-----END CERTIFICATE-----\n";
#define CHECK_TIME 1795679306
#define CHECK_DATE "20261126"

static char path[128], spec[160];
static struct uc_trust *trust;

static void
cleanup(void)
{
	if (path[0] != '\0')
		(void)unlink(path);
	uc_trust_free(&trust);
}

static void
init(void)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	snprintf(path, sizeof(path), "%s/uc-fuzz-verify.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if ((fd = mkstemp(path)) < 0)
		abort();
	close(fd);
	atexit(cleanup);
	snprintf(spec, sizeof(spec), "replay:%s", path);
	if (uc_trust_new(&trust) != 0 || uc_trust_add_root_mem(trust,
	    (const uint8_t *)root_pem, sizeof(root_pem) - 1, NULL) != 0)
		abort();
}

static void
check_result(const struct uc_verify_result *res)
{
	size_t i;
	int failed = -1, unsure = -1, all_ok = 1;

	if (res->n_checks == 0 || res->n_checks > UC_VERIFY_MAX_CHECKS)
		abort();
	for (i = 0; i < res->n_checks; i++) {
		const struct uc_verify_check *c = &res->checks[i];

		if (c->name == NULL || c->why == NULL ||
		    memchr(c->detail, '\0', sizeof(c->detail)) == NULL)
			abort();
		if (c->ok != (c->outcome == UC_VERIFY_OK ||
		    c->outcome == UC_VERIFY_SKIPPED))
			abort();
		if (!c->ok)
			all_ok = 0;
		if (c->outcome == UC_VERIFY_FAILED && failed < 0)
			failed = (int)i;
		if (c->outcome == UC_VERIFY_UNDECIDED && unsure < 0)
			unsure = (int)i;
	}
	if (res->valid != (res->verdict == UC_VERDICT_VALID))
		abort();
	if (res->valid && !all_ok)
		abort();
	if (failed >= 0 && (res->verdict != UC_VERDICT_INVALID ||
	    res->lead != failed))
		abort();
	if (failed < 0 && unsure >= 0 && (res->verdict !=
	    UC_VERDICT_COULD_NOT_CHECK || res->lead != unsure))
		abort();
	if (res->verdict != UC_VERDICT_VALID && uc_verify_lead(res) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uc_transport *t = NULL;
	struct uc_verify_opts o;
	struct uc_verify_result res;
	struct uc_diag d;
	FILE *f;
	int r;

	if (trust == NULL)
		init();
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();
	if (uc_transport_open(spec, &t) != 0)
		return 0;
	if (uc_transport_connect(t, 0, NULL, NULL) != 0) {
		uc_transport_free(&t);
		return 0;
	}
	memset(&o, 0, sizeof(o));
	o.trust = trust;
	o.check_time = CHECK_TIME;
	o.check_date = CHECK_DATE;
	r = uc_verify_card(t, &o, &res, &d);
	if (r == 0)
		check_result(&res);
	else if (res.valid || res.verdict != UC_VERDICT_COULD_NOT_CHECK ||
	    res.n_checks != 0)
		abort();
	uc_transport_free(&t);
	return 0;
}
