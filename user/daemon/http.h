/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * http.h: the Prometheus endpoint (libmicrohttpd) shared by `evenflow
 * metrics`, which lets MHD run its own thread, and the daemon, which drives
 * MHD from its epoll loop. GET /metrics answers with what the caller's
 * scrape function writes; anything else is "only GET" or "not found".
 */
#ifndef EF_HTTP_H
#define EF_HTTP_H

#include <stdio.h>

#include <microhttpd.h>

#include "core/imbalance.h"
#include "core/snapshot.h"

/* What one endpoint serves at most at once, in all and per client address,
 * and how long a connection may sit idle (seconds). */
#define EF_HTTP_MAX_CONNECTIONS 32
#define EF_HTTP_MAX_PER_CLIENT	8
#define EF_HTTP_TIMEOUT_S	5U

/* Writes the exposition into f; returns the HTTP status. */
typedef unsigned (*ef_http_scrape_fn)(void *arg, FILE *f);

struct ef_http {
	ef_http_scrape_fn scrape;
	void *arg;
	const char *root; /* body of GET /, NULL: not found */
};

/*
 * Serves h on listen ("ADDR:PORT", "[ADDR]:PORT") with the MHD flags given
 * (MHD_USE_EPOLL or MHD_USE_INTERNAL_POLLING_THREAD; IPv6 is added as
 * needed). -EINVAL with *why for an unusable address, -EADDRNOTAVAIL when
 * it cannot listen there; nothing is recorded (the caller words the error).
 */
int ef_http_start(const char *listen, unsigned flags, const struct ef_http *h,
		  struct MHD_Daemon **d, const char **why);

/* metrics.h's exposition of one reading into f: err is the reading's
 * outcome (-ENOENT: no data plane, any other: a 503 naming the recorded
 * error). Returns the HTTP status. */
unsigned ef_http_exposition(FILE *f, int err, const struct ef_snap *s, const struct ef_imb *imb,
			    double window_s);

#endif /* EF_HTTP_H */
