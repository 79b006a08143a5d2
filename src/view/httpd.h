/* SPDX-License-Identifier: GPL-2.0-or-later */
/* httpd.h - the exporter's HTTP server (libmicrohttpd): serves the last published metrics
 *
 * The server runs in its own thread; a scrape copies the text published last (under a
 * mutex) and never waits for a sample. GET and HEAD only: /metrics, / (a page linking it).
 */
#ifndef TASKSCOPE_HTTPD_H
#define TASKSCOPE_HTTPD_H

#include <stddef.h>

struct httpd;

/* A listening TCP socket for "ADDR:PORT", "[ADDR6]:PORT" or ":PORT" (loopback): *fd, and
 * the address it is bound to as text ("127.0.0.1:9079"; port 0 gives the port the kernel
 * chose). -EINVAL: not an address and port (a numeric address: no name lookup as root),
 * else -errno of socket, bind or listen. */
int httpd_listen(const char *spec, int *fd, char *shown, size_t len);

/* A server for fd (taken over by a server made: closed by httpd_stop); it starts serving with
 * the first publish (until then scrapers wait in the listen queue). Loads libmicrohttpd the
 * first time. 0, or -ELIBACC (the library cannot be loaded) or -ENOMEM with why filled. */
int httpd_new(struct httpd **out, int fd, char *why, size_t len);

/* The texts to serve from now on (taken over, malloc'ed): Prometheus text 0.0.4 and
 * OpenMetrics (without its "# EOF", which the server appends after its own lines).
 * 0, or -errno when the server thread could not start. */
int httpd_publish(struct httpd *h, char *prom, size_t plen, char *om, size_t olen);

void httpd_stop(struct httpd *h);

#endif
