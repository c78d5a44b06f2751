// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* http.c: the Prometheus endpoint of metrics and the daemon; see http.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"
#include "daemon/http.h"
#include "util/addr.h"
#include "util/log.h"

#define EF_HTTP_EXPOSITION_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Queues body (malloc'd, taken over; NULL: empty). */
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

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
	char *body = strdup(text);

	return reply(conn, status, "text/plain", body, body ? strlen(body) : 0);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	const struct ef_http *h = cls;
	char *body = NULL;
	size_t len = 0;
	unsigned status;
	FILE *f;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n");
	if (h->root && !strcmp(url, "/"))
		return reply_text(conn, MHD_HTTP_OK, h->root);
	if (strcmp(url, "/metrics"))
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found: metrics are at /metrics\n");
	f = open_memstream(&body, &len);
	if (!f)
		return MHD_NO;
	status = h->scrape(h->arg, f);
	if (fclose(f))
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	return reply(conn, status, EF_HTTP_EXPOSITION_TYPE, body, len);
}

int ef_http_start(const char *listen, unsigned flags, const struct ef_http *h,
		  struct MHD_Daemon **d, const char **why)
{
	struct sockaddr_storage ss = {};
	struct ef_addr addr;
	__u16 port;
	__u8 fam;

	if (ef_endpoint_parse(listen, &addr, &fam, &port, why))
		return -EINVAL;
	if (!port) {
		*why = "needs a port";
		return -EINVAL;
	}
	if (fam == EF_FAMILY_V4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = addr.a32[0];
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr.a8, 16);
		flags |= MHD_USE_IPv6;
	}
	/* MHD calls handle with a non-const closure; h outlives the daemon.
	 * The limits keep what a client can hold (descriptors, time) small:
	 * no client of the endpoint can starve the health checks. */
	*d = MHD_start_daemon(flags, port, NULL, NULL, handle, (void *)h, MHD_OPTION_SOCK_ADDR,
			      (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT,
			      EF_HTTP_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
			      (unsigned)EF_HTTP_MAX_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
			      (unsigned)EF_HTTP_MAX_PER_CLIENT, MHD_OPTION_END);
	return *d ? 0 : -EADDRNOTAVAIL;
}

unsigned ef_http_exposition(FILE *f, int err, const struct ef_snap *s, const struct ef_imb *imb,
			    double window_s)
{
	if (err && err != -ENOENT) {
		fprintf(f, "evenflow: %s\n", ef_err_msg() ? ef_err_msg() : strerror(-err));
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	}
	if (ef_metrics_write(f, err ? NULL : s, imb, window_s))
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	return MHD_HTTP_OK;
}
