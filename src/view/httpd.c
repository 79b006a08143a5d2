/* SPDX-License-Identifier: GPL-2.0-or-later */
/* httpd.c - the exporter's HTTP server on libmicrohttpd: /metrics in two formats, a page */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>
#include <zlib.h>

#include "lib/dynlib.h"
#include "lib/util.h"
#include "view/httpd.h"

#define MAX_CONNECTIONS 64
#define CONNECTION_TIMEOUT 10	/* seconds a client may stay idle */

#define CT_PROM "text/plain; version=0.0.4; charset=utf-8"
#define CT_OPENMETRICS "application/openmetrics-text; version=1.0.0; charset=utf-8"

/* libmicrohttpd is loaded when a server is made (dlopen), not linked: it brings its TLS stack
 * (gnutls, p11-kit, nettle...), about 3 MiB of RSS and 1.6 ms of CPU at every start, which no
 * other command needs. Its header still gives the types and constants. */
static struct {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
	__typeof__(MHD_lookup_connection_value) *lookup_connection_value;
} mhd;

/* Loads MHD_SONAME once (main thread, before any server thread). 0, or -ELIBACC with why. */
static int mhd_load(char *why, size_t len)
{
	static const char *const names[] = {
		"MHD_start_daemon", "MHD_stop_daemon", "MHD_create_response_from_buffer",
		"MHD_add_response_header", "MHD_queue_response", "MHD_destroy_response",
		"MHD_lookup_connection_value",
	};
	void *slot[ARRAY_SIZE(names)];
	int rc;

	_Static_assert(sizeof(mhd) == sizeof(slot), "one name a function of mhd");
	if (mhd.start_daemon)
		return 0;
	rc = dynlib_load(MHD_SONAME, "the HTTP server library", "a libmicrohttpd", names,
			 ARRAY_SIZE(names), slot, why, len);
	if (!rc)
		memcpy(&mhd, slot, sizeof(mhd));	/* the server threads run in it */
	return rc;
}

/* A text published, by format: [0] Prometheus, [1] OpenMetrics. */
struct published {
	char *text[2];
	size_t len[2];
	char *gz[2];		/* the same as gzip members (both NULL: compressing failed) */
	size_t gzlen[2];
};

static void published_free(struct published *p)
{
	for (int f = 0; f < 2; f++) {
		free(p->text[f]);
		free(p->gz[f]);
	}
}

struct httpd {
	int fd;
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	struct published pub;
	unsigned long long scrapes;
	double last_scrape;		/* seconds the previous /metrics took to answer */
};

/* ---- the listening socket ---------------------------------------------------------------- */

int httpd_listen(const char *spec, int *fd, char *shown, size_t len)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	const char *colon = strrchr(spec, ':');
	char host[INET6_ADDRSTRLEN + 2];
	uint64_t port;
	size_t hl;
	int one = 1, s, rc;

	if (!colon || util_parse_u64(colon + 1, 65535, &port))
		return -EINVAL;
	hl = (size_t)(colon - spec);
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	memset(&ss, 0, sizeof(ss));
	if (hl == 0 || (host[0] != '[' && inet_pton(AF_INET, host, &s4->sin_addr) == 1)) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (hl == 0)
			s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*s4);
	} else if (hl > 2 && host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return -EINVAL;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		sl = sizeof(*s6);
	} else {
		return -EINVAL;
	}
	s = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&ss, sl) || listen(s, 64)) {
		rc = -errno;
		close(s);
		return rc;
	}
	sl = sizeof(ss);
	if (getsockname(s, (struct sockaddr *)&ss, &sl)) {
		rc = -errno;
		close(s);
		return rc;
	}
	if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(shown, len, "%s:%u", host, (unsigned)ntohs(s4->sin_port));
	} else {
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(shown, len, "[%s]:%u", host, (unsigned)ntohs(s6->sin6_port));
	}
	*fd = s;
	return 0;
}

/* ---- gzip ----------------------------------------------------------------------------------- */

/* in as one gzip member (malloc'ed): 0 or -ENOMEM. A response may be several members one
 * after the other (RFC 1952), so the per-request lines go in a small member of their own. */
static int gzip_member(const char *in, size_t len, int level, char **out, size_t *olen)
{
	z_stream z = { 0 };
	uLong cap;
	char *buf;
	int rc;

	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	cap = deflateBound(&z, (uLong)len) + 32;
	buf = malloc(cap);
	if (!buf) {
		deflateEnd(&z);
		return -ENOMEM;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)buf;
	z.avail_out = (uInt)cap;
	rc = deflate(&z, Z_FINISH);
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	*olen = cap - z.avail_out;
	return 0;
}

/* Does the request's header (Accept or Accept-Encoding) list token with a weight above 0? */
static bool accepts(const char *header, const char *token)
{
	const char *p = header;
	size_t tl = strlen(token);

	while (p && (p = strstr(p, token))) {
		const char *end = strchr(p, ','), *q = strstr(p, "q=");

		p += tl;
		if (!q || (end && q > end))
			return true;
		q += 2;
		/* q=0, q=0.0, q=0.000: refused */
		while (*q == '0' || *q == '.')
			q++;
		if (*q >= '1' && *q <= '9')
			return true;
	}
	return false;
}

/* ---- answers ------------------------------------------------------------------------------ */

static const char page[] =
	"<!DOCTYPE html>\n"
	"<html><head><meta charset=\"utf-8\"><title>taskscope serve</title></head>\n"
	"<body><h1>taskscope serve</h1>\n"
	"<p>Per-group task metrics of this machine (processes, threads, CPU, context switches,\n"
	"faults, migrations, run-queue wait, RSS, PSS, USS) for Prometheus.</p>\n"
	"<p><a href=\"/metrics\">/metrics</a></p>\n"
	"</body></html>\n";

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *type,
			      void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = mhd.create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		mhd.add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = mhd.queue_response(c, status, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return answer(c, status, "text/plain; charset=utf-8", (void *)msg, strlen(msg),
		      MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result metrics(struct httpd *h, struct MHD_Connection *c)
{
	const char *accept = mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	const char *enc = mhd.lookup_connection_value(c, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_ACCEPT_ENCODING);
	bool om = accept && accepts(accept, "application/openmetrics-text");
	bool gz = enc && accepts(enc, "gzip");
	double t0 = util_monotonic();
	struct MHD_Response *r;
	enum MHD_Result ret;
	char tail[768], *ztail = NULL, *body;
	size_t blen, tlen, ztlen = 0, alen;
	const char *src, *add;
	int n;

	pthread_mutex_lock(&h->lock);
	h->scrapes++;
	n = snprintf(tail, sizeof(tail),
		     "# HELP taskscope_scrapes%s Requests for /metrics answered\n"
		     "# TYPE taskscope_scrapes%s counter\n"
		     "taskscope_scrapes_total %llu\n"
		     "# HELP taskscope_scrape_duration_seconds Time the previous request for /metrics "
		     "took to answer (the text is made after each sample, not per request)\n"
		     "# TYPE taskscope_scrape_duration_seconds gauge\n%s"
		     "taskscope_scrape_duration_seconds %.9f\n%s",
		     om ? "" : "_total", om ? "" : "_total", h->scrapes,
		     om ? "# UNIT taskscope_scrape_duration_seconds seconds\n" : "",
		     h->last_scrape, om ? "# EOF\n" : "");
	tlen = n > 0 && (size_t)n < sizeof(tail) ? (size_t)n : 0;
	if (gz && h->pub.gz[om] && !gzip_member(tail, tlen, 1, &ztail, &ztlen)) {
		src = h->pub.gz[om];
		blen = h->pub.gzlen[om];
		add = ztail;
		alen = ztlen;
	} else {
		gz = false;
		src = h->pub.text[om];
		blen = h->pub.len[om];
		add = tail;
		alen = tlen;
	}
	body = malloc(blen + alen + 1);
	if (body)
		memcpy(body, src, blen);
	pthread_mutex_unlock(&h->lock);
	if (body)
		memcpy(body + blen, add, alen);
	free(ztail);
	if (!body)
		return text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory\n");
	r = mhd.create_response_from_buffer(blen + alen, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, om ? CT_OPENMETRICS : CT_PROM);
	mhd.add_response_header(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT ", "
				MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (gz)
		mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	ret = mhd.queue_response(c, MHD_HTTP_OK, r);
	mhd.destroy_response(r);
	pthread_mutex_lock(&h->lock);
	h->last_scrape = util_monotonic() - t0;
	pthread_mutex_unlock(&h->lock);
	return ret;
}

static enum MHD_Result request(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_len, void **state)
{
	struct httpd *h = cls;

	(void)version;
	(void)upload;
	(void)state;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		*upload_len = 0;	/* a body is not read */
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	}
	if (!strcmp(url, "/metrics"))
		return metrics(h, c);
	if (!strcmp(url, "/"))
		return answer(c, MHD_HTTP_OK, "text/html; charset=utf-8", (void *)page,
			      sizeof(page) - 1, MHD_RESPMEM_PERSISTENT);
	return text(c, MHD_HTTP_NOT_FOUND, "not found: see /metrics\n");
}

/* ---- the server ------------------------------------------------------------------------------ */

int httpd_new(struct httpd **out, int fd, char *why, size_t len)
{
	struct httpd *h;
	int rc = mhd_load(why, len);

	if (rc)
		return rc;
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(why, len, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	h->fd = fd;
	pthread_mutex_init(&h->lock, NULL);
	*out = h;
	return 0;
}

static int start(struct httpd *h)
{
	h->daemon = mhd.start_daemon(MHD_USE_POLL_INTERNAL_THREAD, 0, NULL, NULL, request, h,
				     MHD_OPTION_LISTEN_SOCKET, (MHD_socket)h->fd,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
				     MHD_OPTION_END);
	return h->daemon ? 0 : -EIO;
}

int httpd_publish(struct httpd *h, char *prom, size_t plen, char *om, size_t olen)
{
	struct published nw = { { prom, om }, { plen, olen }, { NULL, NULL }, { 0, 0 } }, old;

	/* compressed once here, not per scrape; without it scrapes get the plain text */
	for (int f = 0; f < 2; f++) {
		if (gzip_member(nw.text[f], nw.len[f], 1, &nw.gz[f], &nw.gzlen[f])) {
			free(nw.gz[0]);
			nw.gz[0] = nw.gz[1] = NULL;
			break;
		}
	}
	pthread_mutex_lock(&h->lock);
	old = h->pub;
	h->pub = nw;
	pthread_mutex_unlock(&h->lock);
	published_free(&old);
	return h->daemon ? 0 : start(h);
}

void httpd_stop(struct httpd *h)
{
	if (!h)
		return;
	if (h->daemon)
		mhd.stop_daemon(h->daemon);	/* it closes the listening socket */
	else
		close(h->fd);
	pthread_mutex_destroy(&h->lock);
	published_free(&h->pub);
	free(h);
}
