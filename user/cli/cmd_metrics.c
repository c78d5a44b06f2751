// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cmd_metrics.c: evenflow metrics [--listen ADDR:PORT]: a Prometheus
 * exporter. GET /metrics reads the maps afresh (the data plane is reopened
 * for every scrape, so VIPs and backends may change, and the data plane be
 * reloaded, while it serves) and writes metrics.h's exposition. A reading
 * every second between scrapes feeds the exporter's own imbalance window.
 *
 * HTTP comes from libmicrohttpd (one internal thread); every data plane
 * access (scrape or periodic reading) holds one mutex, which also keeps
 * log.c's error record single-threaded.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/watch.h"
#include "core/metrics.h"
#include "core/snapshot.h"
#include "daemon/http.h"
#include "dp/pindir.h"
#include "util/log.h"

struct exporter {
	const char *pin_dir;
	pthread_mutex_t lock;
	struct ef_imb *imb;
	double window_s;
	unsigned long scrapes;
};

/* GET /metrics (MHD's thread): a reading into the window, then its
 * exposition. */
static unsigned scrape(void *arg, FILE *f)
{
	struct exporter *ex = arg;
	struct ef_snap s = {};
	unsigned status;

	pthread_mutex_lock(&ex->lock);
	ef_err_clear();
	status = ef_http_exposition(f, ef_snap_sample(ex->pin_dir, &s, ex->imb), &s, ex->imb,
				    ex->window_s);
	ex->scrapes++;
	pthread_mutex_unlock(&ex->lock);
	ef_snap_free(&s);
	return status;
}

static const struct ef_opt metrics_opts[] = {
    {"listen", "ADDR:PORT", EF_OPT_STR, offsetof(struct ef_watch_args, listen),
     .help = "where to serve (IPv6: [ADDR]:PORT)"},
    EF_IMB_ROWS,
    EF_OPT_END,
};

static const struct ef_watch_args metrics_defaults = {
    .imb = EF_IMB_CFG_DEFAULT,
    .listen = EF_METRICS_LISTEN_DEFAULT,
};
const struct ef_opt_set ef_metrics_args = EF_OPT_SET(metrics_opts, metrics_defaults);

int cmd_metrics(const struct ef_ctx *ctx, const void *args)
{
	const struct ef_watch_args *a = args;
	const char *listen = a->listen, *why;
	struct exporter ex = {.pin_dir = ef_pin_dir(ctx->pin_dir)};
	struct ef_http http = {
	    .scrape = scrape, .arg = &ex, .root = "evenflow exporter: metrics at /metrics\n"};
	struct MHD_Daemon *d = NULL;
	volatile int *stop;
	struct ef_snap s;
	double next;
	int err;

	ex.window_s = a->imb.window_s;
	ex.imb = ef_imb_new(&a->imb);
	if (!ex.imb)
		return ef_err(-ENOMEM, "out of memory");
	pthread_mutex_init(&ex.lock, NULL);
	stop = ef_watch_stop_on_signals();
	signal(SIGPIPE, SIG_IGN);

	err = ef_http_start(listen, MHD_USE_INTERNAL_POLLING_THREAD, &http, &d, &why);
	if (err == -EINVAL)
		err = ef_usage("metrics: --listen %s: %s", listen, why);
	else if (err)
		err = ef_err(err, "--listen %s: cannot listen there (in use?)", listen);
	if (err)
		goto out;
	out_str("listen", "serving Prometheus metrics on http://%s/metrics", listen);
	out_str("pin_dir", " (pin dir %s)\n", ex.pin_dir);
	out_line();

	next = ef_snap_now();
	while (!*stop) {
		pthread_mutex_lock(&ex.lock);
		err = ef_snap_sample(ex.pin_dir, &s, ex.imb);
		if (err && err != -ENOENT)
			pr_warn("metrics: %s\n", ef_err_msg() ? ef_err_msg() : strerror(-err));
		ef_err_clear();
		pthread_mutex_unlock(&ex.lock);
		ef_snap_free(&s);
		err = 0;
		next += 1.0;
		ef_watch_sleep_until(next, stop);
	}
out:
	if (d)
		MHD_stop_daemon(d);
	ef_imb_free(ex.imb);
	pthread_mutex_destroy(&ex.lock);
	return err;
}
