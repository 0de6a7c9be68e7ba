/*
 * http.c - unioncard-server: arguments, configuration, the libmicrohttpd
 * daemon, bounded request bodies, cookies, the headers every response
 * carries, and the log.  What a page says is pages.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "config.h"
#include "server.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_CONFIG "/etc/unioncard/server.conf"
#define DEFAULT_MAX_UPLOAD (2u * 1024u * 1024u)
#define CONFIG_LINE_MAX 1024
#define PEM_MAX (256u * 1024u)

/*
 * The Content-Security-Policy of every response: nothing but this
 * server's own style sheet and forms; no script at all, no frames.
 */
static const char csp[] =
    "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

void
server_log(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* one record a line: no newline of a value may split it */
	for (i = 0; line[i] != '\0'; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	/* "<N>" is read by journald (SyslogLevelPrefix) as the priority */
	fprintf(stderr, "<%d>%s\n", prio, line);
	fflush(stderr);
}

/* --- requests ----------------------------------------------------- */

struct conn {
	struct req r;
	struct MHD_PostProcessor *pp;
	size_t total;
	int answered;
};

const char *
req_query(const struct req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
	    key);
}

const char *
req_header(const struct req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, key);
}

const struct form_field *
req_form_field(const struct req *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->nf; i++)
		if (strcmp(r->f[i].key, key) == 0)
			return &r->f[i];
	return NULL;
}

const char *
req_form(const struct req *r, const char *key, size_t *len)
{
	const struct form_field *f = req_form_field(r, key);

	if (len != NULL)
		*len = f != NULL ? f->len : 0;
	if (f == NULL)
		return NULL;
	return f->val != NULL ? f->val : "";
}

static enum MHD_Result
form_iter(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct req *r = cls;
	struct form_field *f = NULL;
	size_t i, limit;

	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	(void)off;
	if (key == NULL || strlen(key) >= FORM_KEY_MAX) {
		r->bad_form = 1;
		return MHD_YES;
	}
	for (i = 0; i < r->nf; i++)
		if (strcmp(r->f[i].key, key) == 0)
			f = &r->f[i];
	if (f == NULL) {
		if (r->nf == FORM_FIELDS_MAX) {
			r->bad_form = 1;
			return MHD_YES;
		}
		f = &r->f[r->nf++];
		snprintf(f->key, sizeof(f->key), "%s", key);
		if (filename != NULL) {
			f->is_file = 1;
			snprintf(f->filename, sizeof(f->filename), "%s",
			    filename);
		}
	}
	limit = f->is_file ? r->cfg->max_upload : FORM_VALUE_MAX;
	if (size > limit - f->len) {
		r->bad_form = 1;
		return MHD_YES;
	}
	if (f->len + size + 1 > f->cap) {
		size_t cap = f->cap != 0 ? f->cap : 256;
		char *nb;

		while (cap < f->len + size + 1)
			cap *= 2;
		if ((nb = realloc(f->val, cap)) == NULL) {
			r->bad_form = 1;
			return MHD_YES;
		}
		f->val = nb;
		f->cap = cap;
	}
	memcpy(f->val + f->len, data, size);
	f->len += size;
	f->val[f->len] = '\0';
	return MHD_YES;
}

/* --- responses ---------------------------------------------------- */

const char *
session_cookie_name(const struct server_cfg *cfg)
{
	/* __Host- makes the browser refuse it without Secure, a Domain or
	 * a Path other than / */
	return cfg->insecure_cookies ? "uc_session" : "__Host-uc_session";
}

void
resp_cookie(struct resp *p, const struct req *r, const char *name,
    const char *value, long max_age)
{
	/* No Max-Age on a live cookie: it ends with the browser, and the
	 * server's own expiry (session.h) is what counts. */
	char age[32] = "";

	if (p->ncookie == RESP_COOKIES_MAX)
		return;
	if (max_age != 0)
		snprintf(age, sizeof(age), " Max-Age=%ld;",
		    max_age < 0 ? 0 : max_age);
	snprintf(p->cookie[p->ncookie++], sizeof(p->cookie[0]),
	    "%s=%s; Path=/;%s HttpOnly; SameSite=Strict%s", name,
	    max_age < 0 ? "" : value, age,
	    r->cfg->insecure_cookies ? "" : "; Secure");
}

static enum MHD_Result
send_resp(struct MHD_Connection *c, struct req *r, struct resp *p)
{
	struct MHD_Response *m;
	enum MHD_Result ret;
	size_t i;

	m = MHD_create_response_from_buffer(p->len, p->body,
	    MHD_RESPMEM_MUST_FREE);
	if (m == NULL) {
		free(p->body);
		return MHD_NO;
	}
	p->body = NULL;
	MHD_add_response_header(m, "Content-Type", p->ctype != NULL ?
	    p->ctype : "text/html; charset=utf-8");
	MHD_add_response_header(m, "Content-Security-Policy", csp);
	MHD_add_response_header(m, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(m, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(m, "X-Frame-Options", "DENY");
	MHD_add_response_header(m, "Cache-Control", "no-store");
	if (r->cfg->tls_cert != NULL)
		MHD_add_response_header(m, "Strict-Transport-Security",
		    "max-age=31536000");
	if (p->location[0] != '\0')
		MHD_add_response_header(m, "Location", p->location);
	for (i = 0; i < p->ncookie; i++)
		MHD_add_response_header(m, "Set-Cookie", p->cookie[i]);
	ret = MHD_queue_response(c, p->status, m);
	MHD_destroy_response(m);
	server_log(6, "%s %s %u%s%s%s%s", r->method, r->path, p->status,
	    r->s != NULL && r->s->lv != NULL ? " account=" : "",
	    r->s != NULL && r->s->lv != NULL ? r->s->actor.user : "",
	    p->log_note[0] != '\0' ? " " : "", p->log_note);
	return ret;
}

static enum MHD_Result
answer(struct MHD_Connection *c, struct conn *k)
{
	struct resp p;
	const char *sid, *lang;

	memset(&p, 0, sizeof(p));
	p.status = 500;
	k->r.now = time(NULL);
	sid = MHD_lookup_connection_value(c, MHD_COOKIE_KIND,
	    session_cookie_name(k->r.cfg));
	k->r.s = session_find(sid, k->r.now);
	lang = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "uc_lang");
	k->r.lang = lang != NULL && strcmp(lang, "en") == 0 ? LANG_EN :
	    LANG_VI;
	pages_handle(&k->r, &p);
	k->answered = 1;
	return send_resp(c, &k->r, &p);
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	const struct server_cfg *cfg = cls;
	struct conn *k = *req_cls;

	(void)version;
	if (k == NULL) {
		const char *cl;

		if ((k = calloc(1, sizeof(*k))) == NULL)
			return MHD_NO;
		*req_cls = k;
		k->r.cfg = cfg;
		k->r.method = method;
		k->r.path = url;
		k->r.conn = c;
		k->r.is_post = strcmp(method, "POST") == 0;
		if (!k->r.is_post)
			return MHD_YES;
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    "Content-Length");
		if (cl != NULL) {
			char *end;
			unsigned long long n;

			errno = 0;
			n = strtoull(cl, &end, 10);
			if (errno != 0 || *end != '\0' ||
			    n > cfg->max_upload + FORM_VALUE_MAX) {
				/* refused before a byte of the body is read */
				k->r.too_large = 1;
				return answer(c, k);
			}
		}
		k->pp = MHD_create_post_processor(c, 8192, form_iter, &k->r);
		if (k->pp == NULL)
			k->r.bad_form = 1;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		if (!k->answered && !k->r.too_large) {
			if (*upload_size > cfg->max_upload + FORM_VALUE_MAX -
			    k->total)
				k->r.too_large = 1;
			else if (k->pp != NULL &&
			    MHD_post_process(k->pp, upload, *upload_size) !=
			    MHD_YES)
				k->r.bad_form = 1;
			k->total += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (k->answered)
		return MHD_YES;
	return answer(c, k);
}

static void
completed(void *cls, struct MHD_Connection *c, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct conn *k = *req_cls;
	size_t i;

	(void)cls;
	(void)c;
	(void)toe;
	if (k == NULL)
		return;
	if (k->pp != NULL)
		MHD_destroy_post_processor(k->pp);
	for (i = 0; i < k->r.nf; i++) {
		if (k->r.f[i].val != NULL) {
			/* a password may have been in it */
			memset(k->r.f[i].val, 0, k->r.f[i].cap);
			free(k->r.f[i].val);
		}
	}
	free(k);
	*req_cls = NULL;
}

/* --- configuration ------------------------------------------------ */

static void
usage(FILE *fp)
{
	fprintf(fp,
"Usage: unioncard-server --ledger PATH [--listen ADDR:PORT] [options]\n"
"\n"
"The web console over the issuance ledger: clerks, approvers and the\n"
"province sign in with their ledger accounts in a browser.\n"
"\n"
"Options:\n"
"  --ledger PATH          the ledger file (as unioncard --ledger)\n"
"  --listen ADDR:PORT     where to listen (default %s; port 0: any\n"
"                         free port, named in the log)\n"
"  --config FILE          read key = value settings (default %s\n"
"                         when it exists); options given here win\n"
"  --tls-cert FILE        serve HTTPS with this PEM certificate chain\n"
"  --tls-key FILE         ... and this PEM private key\n"
"  --max-upload BYTES     largest request body (default %u)\n"
"  --idle-timeout SECONDS end a session unused this long (default 900)\n"
"  --session-lifetime SECONDS  end any session this long after sign-in\n"
"                         (default 28800)\n"
"  --insecure-cookies     session cookie without Secure, for plain HTTP\n"
"                         on a loopback address only (tests)\n"
"  --help, --version\n"
"\n"
"Example:\n"
"  unioncard-server --ledger /srv/unioncard/ledger.db --listen 127.0.0.1:8080\n"
"  (behind a reverse proxy that terminates TLS; see docs/web.md)\n",
	    DEFAULT_LISTEN, DEFAULT_CONFIG, DEFAULT_MAX_UPLOAD);
}

/* The settings' strings, freed at exit (a later setting of the same key
 * leaves the earlier copy here too). */
#define OWNED_MAX 64
static char *owned[OWNED_MAX];
static size_t nowned;

static char *
dup_or_die(const char *s)
{
	char *d = nowned < OWNED_MAX ? strdup(s) : NULL;

	if (d == NULL) {
		fprintf(stderr, "unioncard-server: out of memory (or more"
		    " than %d settings)\n", OWNED_MAX);
		exit(2);
	}
	owned[nowned++] = d;
	return d;
}

static void
free_owned(void)
{
	while (nowned > 0)
		free(owned[--nowned]);
}

static int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* One setting from the config file or the command line. */
static int
setting(struct server_cfg *cfg, const char *key, const char *val,
    const char *where)
{
	long v;

	if (strcmp(key, "ledger") == 0) {
		cfg->ledger = dup_or_die(val);
	} else if (strcmp(key, "listen") == 0) {
		cfg->listen = dup_or_die(val);
	} else if (strcmp(key, "tls-cert") == 0) {
		cfg->tls_cert = dup_or_die(val);
	} else if (strcmp(key, "tls-key") == 0) {
		cfg->tls_key = dup_or_die(val);
	} else if (strcmp(key, "max-upload") == 0) {
		if (parse_long(val, 1024, 1L << 30, &v) != 0)
			goto bad;
		cfg->max_upload = (size_t)v;
	} else if (strcmp(key, "idle-timeout") == 0) {
		if (parse_long(val, 0, 86400, &v) != 0)
			goto bad;
		cfg->idle = v;
	} else if (strcmp(key, "session-lifetime") == 0) {
		if (parse_long(val, 0, 7 * 86400, &v) != 0)
			goto bad;
		cfg->lifetime = v;
	} else {
		fprintf(stderr, "unioncard-server: %s: unknown setting '%s'"
		    " (see --help)\n", where, key);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "unioncard-server: %s: %s: '%s' is out of range\n",
	    where, key, val);
	return -1;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int
read_config(struct server_cfg *cfg, const char *path, int must)
{
	char line[CONFIG_LINE_MAX], where[CONFIG_LINE_MAX + 32];
	unsigned long n = 0;
	FILE *fp = fopen(path, "r");
	int r = 0;

	if (fp == NULL) {
		if (!must && errno == ENOENT)
			return 0;
		fprintf(stderr, "unioncard-server: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *s = trim(line), *eq;

		n++;
		snprintf(where, sizeof(where), "%s line %lu", path, n);
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			fprintf(stderr, "unioncard-server: %s: want"
			    " key = value\n", where);
			r = -1;
			break;
		}
		*eq = '\0';
		if (setting(cfg, trim(s), trim(eq + 1), where) != 0) {
			r = -1;
			break;
		}
	}
	fclose(fp);
	return r;
}

static char *
read_pem(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *b;
	size_t n;

	if (fp == NULL) {
		fprintf(stderr, "unioncard-server: %s: %s\n", path,
		    strerror(errno));
		return NULL;
	}
	b = calloc(1, PEM_MAX + 1);
	n = b != NULL ? fread(b, 1, PEM_MAX, fp) : 0;
	fclose(fp);
	if (b == NULL || n == 0 || n == PEM_MAX) {
		fprintf(stderr, "unioncard-server: %s: not a PEM file of at"
		    " most %u bytes\n", path, PEM_MAX - 1);
		free(b);
		return NULL;
	}
	return b;
}

/* ADDR:PORT (IPv4, or [IPv6]:PORT) into ss. */
static int
parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
    int *loopback)
{
	char host[128];
	const char *colon = strrchr(s, ':');
	struct addrinfo hints, *ai = NULL;
	size_t hl;
	long port;

	if (colon == NULL || parse_long(colon + 1, 0, 65535, &port) != 0)
		return -1;
	hl = (size_t)(colon - s);
	if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
		s++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || ai == NULL)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		*loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	} else {
		const struct sockaddr_in6 *in6 =
		    (const struct sockaddr_in6 *)ss;

		*loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return 0;
}

static const char *const long_opts[] = {
	"ledger", "listen", "config", "tls-cert", "tls-key", "max-upload",
	"idle-timeout", "session-lifetime",
};

int
main(int argc, char **argv)
{
	struct server_cfg cfg;
	struct session_cfg scfg;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	struct MHD_Daemon *d = NULL;
	const union MHD_DaemonInfo *info;
	const char *config = NULL;
	char *cert = NULL, *key = NULL, why[512];
	unsigned flags;
	sigset_t set;
	int i, loopback = 0, sig, rc = 2, config_must = 0;

	memset(&cfg, 0, sizeof(cfg));
	atexit(free_owned);
	cfg.max_upload = DEFAULT_MAX_UPLOAD;
	cfg.idle = 15 * 60;
	cfg.lifetime = 8 * 3600;

	/* the config file first, so the command line wins */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("unioncard-server %s\n", UC_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			config = argv[i + 1];
			config_must = 1;
		}
	}
	if (read_config(&cfg, config != NULL ? config : DEFAULT_CONFIG,
	    config_must) != 0)
		return 2;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		size_t k;
		int known = 0;

		if (strcmp(a, "--insecure-cookies") == 0) {
			cfg.insecure_cookies = 1;
			continue;
		}
		for (k = 0; k < sizeof(long_opts) / sizeof(long_opts[0]);
		    k++) {
			if (strncmp(a, "--", 2) == 0 &&
			    strcmp(a + 2, long_opts[k]) == 0)
				known = 1;
		}
		if (!known) {
			fprintf(stderr, "unioncard-server: unknown option"
			    " '%s' (see --help)\n", a);
			return 2;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "unioncard-server: %s needs a"
			    " value\n", a);
			return 2;
		}
		if (strcmp(a, "--config") != 0 &&
		    setting(&cfg, a + 2, argv[i + 1], "command line") != 0)
			return 2;
		i++;
	}
	if (cfg.ledger == NULL) {
		fprintf(stderr, "unioncard-server: --ledger PATH is needed"
		    " (or ledger = PATH in %s)\n", DEFAULT_CONFIG);
		return 2;
	}
	if (cfg.listen == NULL)
		cfg.listen = DEFAULT_LISTEN;
	if (parse_listen(cfg.listen, &ss, &sslen, &loopback) != 0) {
		fprintf(stderr, "unioncard-server: --listen '%s': want"
		    " ADDR:PORT, e.g. 127.0.0.1:8080 or [::1]:8080\n",
		    cfg.listen);
		return 2;
	}
	if ((cfg.tls_cert == NULL) != (cfg.tls_key == NULL)) {
		fprintf(stderr, "unioncard-server: --tls-cert and --tls-key"
		    " go together\n");
		return 2;
	}
	if (cfg.insecure_cookies && (!loopback || cfg.tls_cert != NULL)) {
		fprintf(stderr, "unioncard-server: --insecure-cookies only"
		    " for plain HTTP on a loopback address\n");
		return 2;
	}
	if (lv_check(cfg.ledger, why, sizeof(why)) != 0) {
		fprintf(stderr, "unioncard-server: %s\n", why);
		return 2;
	}
	if (cfg.tls_cert != NULL &&
	    ((cert = read_pem(cfg.tls_cert)) == NULL ||
	    (key = read_pem(cfg.tls_key)) == NULL))
		goto out;
	scfg.idle = cfg.idle;
	scfg.lifetime = cfg.lifetime;
	session_setup(&scfg);

	/* The daemon's thread inherits the blocked signals; this thread
	 * waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* One thread answers every request in turn: each request is a few
	 * ledger calls, and sessions need no locks. */
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
	    MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (cert != NULL)
		d = MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL,
		    handler, &cfg,
		    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		    MHD_OPTION_CONNECTION_TIMEOUT, 60u,
		    MHD_OPTION_CONNECTION_LIMIT, 1000u,
		    MHD_OPTION_HTTPS_MEM_CERT, cert,
		    MHD_OPTION_HTTPS_MEM_KEY, key,
		    MHD_OPTION_END);
	else
		d = MHD_start_daemon(flags, 0, NULL, NULL, handler, &cfg,
		    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		    MHD_OPTION_CONNECTION_TIMEOUT, 60u,
		    MHD_OPTION_CONNECTION_LIMIT, 1000u,
		    MHD_OPTION_END);
	if (d == NULL) {
		server_log(3, "cannot listen on %s (in use, or not an address"
		    " of this host)", cfg.listen);
		goto out;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	/* the port actually bound (--listen ...:0 asks for any free one) */
	server_log(6, "listening on %s://%.*s:%u ledger=%s",
	    cert != NULL ? "https" : "http",
	    (int)(strrchr(cfg.listen, ':') - cfg.listen), cfg.listen,
	    info != NULL ? info->port : 0, cfg.ledger);
	(void)sslen;
	if (sigwait(&set, &sig) == 0)
		server_log(6, "stopping (signal %d)", sig);
	MHD_stop_daemon(d);
	session_end_all();
	rc = 0;
out:
	free(cert);
	if (key != NULL) {
		memset(key, 0, PEM_MAX);
		free(key);
	}
	return rc;
}
