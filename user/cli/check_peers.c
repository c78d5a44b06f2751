// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* check_peers.c: evenflow check --peer; see check_peers.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli/check_peers.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "core/fingerprint.h"
#include "core/live.h"
#include "core/sibling.h"
#include "daemon/fetch.h"
#include "daemon/health.h"
#include "dp/lb.h"
#include "util/addr.h"
#include "util/log.h"

/* What one sibling's page said. */
struct result {
	struct ef_sib_page page;
	int err; /* 0: read */
	char why[CURL_ERROR_SIZE + 32];
};

static int on_line(void *ctx, size_t id, const char *line, size_t len, const char **why)
{
	struct result *r = ctx;

	return ef_sib_page_line(&r[id].page, line, len, why);
}

static void on_done(void *ctx, size_t id, int err, long status, const char *why)
{
	struct result *r = &((struct result *)ctx)[id];

	if (!err && status != 200) {
		err = -EPROTO;
		snprintf(r->why, sizeof(r->why), "HTTP status %ld", status);
	} else if (err) {
		snprintf(r->why, sizeof(r->why), "%s", why);
	} else if ((err = ef_sib_page_done(&r->page, &why))) {
		snprintf(r->why, sizeof(r->why), "%s", why);
	}
	r->err = err;
}

static const struct ef_fetch_ops ops = {.line = on_line, .done = on_done};

/* Every page fetched at once, from a loop of our own. */
static int fetch_all(const struct ef_check_peers *p, struct result *r)
{
	struct ef_fetch *f = NULL;
	int epfd = epoll_create1(EPOLL_CLOEXEC), err;

	if (epfd < 0)
		return ef_err(-errno, "check: epoll: %s", strerror(errno));
	err = curl_global_init(CURL_GLOBAL_DEFAULT) ? -EIO : ef_fetch_new(epfd, &ops, r, &f);
	for (size_t i = 0; !err && i < p->n; i++) {
		r[i].err = -EINPROGRESS;
		err = ef_fetch_start(f, i, p->url[i], EF_CHECK_PEER_TIMEOUT_MS);
	}
	while (!err && ef_fetch_running(f)) {
		struct epoll_event evs[16];
		int t = ef_fetch_next_ms(f), n;

		n = epoll_wait(epfd, evs, 16, t < 0 || t > 1000 ? 1000 : t);
		for (int i = 0; i < n; i++)
			((struct ef_ev *)evs[i].data.ptr)->cb(evs[i].data.ptr, evs[i].events);
		ef_fetch_run_timers(f);
	}
	ef_fetch_free(f);
	curl_global_cleanup();
	close(epfd);
	return err ? ef_err(err, "check: cannot set up the HTTP client") : 0;
}

/* One sibling compared: its lines, and the first difference recorded as
 * the error (*first set) if none was yet. */
static void report_peer(const char *url, const struct ef_conf *here, struct result *r, int *first)
{
	char vs[EF_VIP_STRLEN], h[EF_FINGERPRINT_STRLEN], t[EF_FINGERPRINT_STRLEN];
	struct ef_sib_cmp *cmp = NULL;
	size_t n = 0, bad = 0;

	out_obj_open(NULL);
	out_str("url", "sibling %s: ", url);
	out_bool("reachable", NULL, !r->err);
	if (r->err || ef_sib_compare(here, &r->page, &cmp, &n)) {
		out_str("error", "cannot be read (%s)\n", r->why);
		if (!*first)
			*first =
			    ef_err(-EHOSTUNREACH, "sibling %s cannot be read: %s", url, r->why);
		out_obj_close();
		return;
	}
	out_str("version", "evenflow %s", r->page.version);
	out_u64("flow_hash_version", ", flow-hash version %llu", r->page.flow_hash_version);
	out_arr_open("vips");
	for (size_t i = 0; i < n; i++) {
		ef_vip_str(&cmp[i].key, vs, sizeof(vs));
		ef_fingerprint_str(cmp[i].here, h, sizeof(h));
		ef_fingerprint_str(cmp[i].there, t, sizeof(t));
		out_obj_open(NULL);
		out_str("vip", "\n  vip %s", vs);
		out_str("status", " %s", ef_sib_diff_str(cmp[i].diff));
		out_str("here", ": fingerprint %s here",
			cmp[i].diff == EF_SIB_ONLY_THERE ? "-" : h);
		out_str("there", ", %s there", cmp[i].diff == EF_SIB_ONLY_HERE ? "-" : t);
		out_obj_close();
		if (cmp[i].diff == EF_SIB_SAME || bad++ || *first == EF_ERR_FOUND)
			continue;
		/* a difference outranks a sibling that could not be read */
		ef_err_clear();
		*first = ef_err(
		    EF_ERR_FOUND, "vip %s %s on sibling %s (fingerprint %s here, %s there)", vs,
		    ef_sib_diff_str(cmp[i].diff), url, cmp[i].diff == EF_SIB_ONLY_THERE ? "-" : h,
		    cmp[i].diff == EF_SIB_ONLY_HERE ? "-" : t);
	}
	out_arr_close();
	out_u64("differ", "\n  %llu VIP(s) differ", bad);
	out_text(" of %zu\n", n);
	out_obj_close();
	free(cmp);
}

int ef_check_peers(const char *pin_dir, const struct ef_check_peers *p)
{
	struct result *r = calloc(p->n, sizeof(*r));
	struct ef_conf here = {};
	struct ef_dp dp;
	int err, first = 0;

	if (!r)
		return ef_err(-ENOMEM, "out of memory");
	err = ef_dp_open_existing(pin_dir, &dp);
	if (err == -ENOENT)
		err = ef_err(err, "no data plane at %s (evenflow attach DEV first)", pin_dir);
	if (!err) {
		err = ef_conf_read(&dp, &here);
		ef_dp_close(&dp);
	}
	if (!err)
		err = fetch_all(p, r);
	if (!err) {
		out_keep_on_error();
		out_arr_open("peers");
		for (size_t i = 0; i < p->n; i++)
			report_peer(p->url[i], &here, &r[i], &first);
		out_arr_close();
		out_bool("agree", NULL, !first);
		if (!first)
			out_text("every VIP agrees with %zu sibling(s)\n", p->n);
		err = first;
	}
	for (size_t i = 0; i < p->n; i++)
		ef_sib_page_free(&r[i].page);
	free(r);
	ef_conf_free(&here);
	return err;
}
