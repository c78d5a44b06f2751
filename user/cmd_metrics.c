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
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "addr.h"
#include "cli.h"
#include "log.h"
#include "metrics.h"
#include "output.h"
#include "snapshot.h"
#include "watch.h"

struct exporter {
	const char *pin_dir;
	pthread_mutex_t lock;
	struct ef_imb *imb;
	double window_s;
	unsigned long scrapes;
};

static volatile int stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* One reading into the window (lock held). The snapshot is returned in s
 * (freed by the caller); -ENOENT: no data plane. */
static int sample(struct exporter *ex, struct ef_snap *s)
{
	int err;

	ef_err_clear();
	err = ef_snap_read_dir(ex->pin_dir, s);
	if (!err)
		err = ef_snap_imb_add(s, ex->imb);
	return err;
}

/* The exposition, malloc'd in *buf; 0 or an HTTP status. */
static unsigned scrape(struct exporter *ex, char **buf, size_t *len)
{
	struct ef_snap s = {};
	unsigned status = MHD_HTTP_OK;
	FILE *f;
	int err;

	*buf = NULL;
	*len = 0;
	f = open_memstream(buf, len);
	if (!f)
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	pthread_mutex_lock(&ex->lock);
	err = sample(ex, &s);
	if (!err || err == -ENOENT) {
		if (ef_metrics_write(f, err ? NULL : &s, ex->imb, ex->window_s))
			status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	} else {
		fprintf(f, "evenflow: %s\n", ef_err_msg() ? ef_err_msg() : strerror(-err));
		status = MHD_HTTP_SERVICE_UNAVAILABLE;
	}
	ex->scrapes++;
	pthread_mutex_unlock(&ex->lock);
	ef_snap_free(&s);
	if (fclose(f))
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	return status;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *type,
			     char *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", type);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct exporter *ex = cls;
	char *body = NULL;
	size_t len = 0;
	unsigned status;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		body = strdup("only GET\n");
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", body,
			     body ? strlen(body) : 0);
	}
	if (!strcmp(url, "/metrics")) {
		status = scrape(ex, &body, &len);
		return reply(conn, status, "text/plain; version=0.0.4; charset=utf-8", body, len);
	}
	if (!strcmp(url, "/")) {
		body = strdup("evenflow exporter: metrics at /metrics\n");
		return reply(conn, MHD_HTTP_OK, "text/plain", body, body ? strlen(body) : 0);
	}
	body = strdup("not found: metrics are at /metrics\n");
	return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", body, body ? strlen(body) : 0);
}

int cmd_metrics(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	const char *listen = EF_METRICS_LISTEN_DEFAULT, *why;
	struct sigaction sa = {.sa_handler = on_signal};
	struct exporter ex = {.pin_dir = ef_pin_dir(ctx->pin_dir)};
	struct sockaddr_storage ss = {};
	struct MHD_Daemon *d = NULL;
	struct ef_imb_cfg cfg;
	struct ef_addr addr;
	struct ef_snap s;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD;
	__u16 port;
	__u8 fam;
	double next;
	int c, err = 0;

	ef_imb_cfg_default(&cfg);
	ef_getopt_reset();
	while ((c = ef_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			ef_cmd_usage(cmd, NULL);
			return 0;
		case 'l':
			listen = optarg;
			break;
		case 'w':
			if (ef_watch_seconds("--window", optarg, &cfg.window_s))
				return -EINVAL;
			break;
		default:
			if (ef_watch_opt(c, optarg, &cfg) != 1)
				return -EINVAL;
		}
	}
	if (ef_nargs(cmd, argc, argv, 0, 0))
		return -EINVAL;
	if (ef_endpoint_parse(listen, &addr, &fam, &port, &why))
		return ef_usage("--listen %s: %s", listen, why);
	if (!port)
		return ef_usage("--listen %s: needs a port", listen);
	if (fam == EF_FAMILY_V4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, &addr.a32[0], 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr.a8, 16);
		flags |= MHD_USE_IPv6;
	}

	ex.window_s = cfg.window_s;
	ex.imb = ef_imb_new(&cfg);
	if (!ex.imb)
		return ef_err(-ENOMEM, "out of memory");
	pthread_mutex_init(&ex.lock, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	d = MHD_start_daemon(flags, port, NULL, NULL, handle, &ex, MHD_OPTION_SOCK_ADDR,
			     (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT, 10U,
			     MHD_OPTION_END);
	if (!d) {
		err = ef_err(-EADDRNOTAVAIL, "--listen %s: cannot listen there (in use?)", listen);
		goto out;
	}
	out_str("listen", "serving Prometheus metrics on http://%s/metrics", listen);
	out_str("pin_dir", " (pin dir %s)\n", ex.pin_dir);
	out_line();

	next = ef_snap_now();
	while (!stop) {
		pthread_mutex_lock(&ex.lock);
		err = sample(&ex, &s);
		if (err && err != -ENOENT)
			pr_warn("metrics: %s\n", ef_err_msg() ? ef_err_msg() : strerror(-err));
		ef_err_clear();
		pthread_mutex_unlock(&ex.lock);
		ef_snap_free(&s);
		err = 0;
		next += 1.0;
		ef_watch_sleep_until(next, &stop);
	}
out:
	if (d)
		MHD_stop_daemon(d);
	ef_imb_free(ex.imb);
	pthread_mutex_destroy(&ex.lock);
	return err;
}

const struct option ef_metrics_opts[] = {
    {"listen", required_argument, NULL, 'l'},
    {"window", required_argument, NULL, 'w'},
    EF_IMB_OPTS,
    {NULL, 0, NULL, 0},
};
