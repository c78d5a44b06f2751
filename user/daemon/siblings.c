// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * siblings.c: the other load balancers' fingerprints compared with ours;
 * see state.h.
 *
 * Every `interval` each sibling's /metrics is fetched (daemon/fetch.h: from
 * the loop, never blocking it) and read line by line (core/sibling.h), then
 * compared VIP by VIP with the running configuration. A VIP that differs
 * (or runs on one side only) is remembered from the first poll that saw it;
 * once it has differed longer than `grace` it is an alarm: one log line
 * naming the VIP and the sibling, and evenflow_sibling_mismatch{vip,peer} 1.
 * It clears (one line) when a poll finds them equal. A rolling change, one
 * LB after the other within the grace, raises nothing. A sibling that cannot
 * be read (down, not evenflow, a bad page) is reported once and its
 * comparisons are dropped: an absent LB is no disagreement
 * (evenflow_sibling_up{peer} 0 says it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/fingerprint.h"
#include "core/live.h"
#include "core/metrics.h"
#include "core/sibling.h"
#include "daemon/dlog.h"
#include "daemon/fetch.h"
#include "daemon/state.h"
#include "dp/lb.h"
#include "lib/hash.h"
#include "util/addr.h"
#include "util/log.h"

#define FETCH_TIMEOUT_MAX_MS 5000

/* One VIP compared with one sibling. */
struct vip_state {
	struct ef_sib_cmp cmp;
	__u64 since; /* first poll that saw it differ (0: agrees) */
	bool alarmed;
};

struct peer {
	char url[EF_PEER_URL_MAX];
	bool up;		 /* its last page was read */
	bool reported;		 /* its state was logged once */
	struct ef_sib_page page; /* the page being read */
	struct vip_state *vs;
	size_t n_vs;
	unsigned flow_hash_version;
	struct ef_sib_addr *announced; /* by its daemon, at its last page */
	size_t n_announced;
	__u64 poll_started; /* the poll in flight */
	__u64 read_started; /* the last finished poll (0: none yet) */
};

struct daemon_siblings {
	struct daemon *d;
	struct ef_fetch *fetch;
	struct peer *peers;
	size_t n_peers;
	__u32 interval_ms, grace_ms;
	__u64 next_poll;
};

/* ---- Alarms ---- */

static void log_alarm(const struct peer *p, const struct vip_state *s, __u64 now)
{
	char vs[EF_VIP_STRLEN], here[EF_FINGERPRINT_STRLEN], there[EF_FINGERPRINT_STRLEN],
	    ver[96] = "";

	ef_vip_str(&s->cmp.key, vs, sizeof(vs));
	ef_fingerprint_str(s->cmp.here, here, sizeof(here));
	ef_fingerprint_str(s->cmp.there, there, sizeof(there));
	if (p->flow_hash_version != EF_FLOW_HASH_VERSION)
		snprintf(ver, sizeof(ver), " (flow-hash version %d here, %u there)",
			 EF_FLOW_HASH_VERSION, p->flow_hash_version);
	if (s->cmp.diff == EF_SIB_DIFFERS)
		ef_dlog(EF_DLOG_WARNING,
			"vip %s differs on sibling %s for %.1fs: fingerprint %s here, %s there%s; "
			"a new flow may reach another backend through it",
			vs, p->url, (double)(now - s->since) / 1000, here, there, ver);
	else if (s->cmp.diff == EF_SIB_ONLY_HERE)
		ef_dlog(EF_DLOG_WARNING,
			"vip %s is missing on sibling %s for %.1fs (fingerprint %s here)", vs,
			p->url, (double)(now - s->since) / 1000, here);
	else
		ef_dlog(EF_DLOG_WARNING,
			"vip %s runs on sibling %s but not here, for %.1fs (fingerprint %s there)",
			vs, p->url, (double)(now - s->since) / 1000, there);
}

/* Raises the alarms whose difference has outlasted the grace. */
static void judge(struct daemon_siblings *sb, struct peer *p, __u64 now)
{
	for (size_t i = 0; i < p->n_vs; i++) {
		struct vip_state *s = &p->vs[i];

		if (!s->since || s->alarmed || now - s->since < sb->grace_ms)
			continue;
		s->alarmed = true;
		sb->d->report_due = true;
		log_alarm(p, s, now);
	}
}

/* Forgets p's comparisons, logging the alarms that end without agreement. */
static void forget(struct daemon_siblings *sb, struct peer *p, const char *why)
{
	char vs[EF_VIP_STRLEN];

	for (size_t i = 0; i < p->n_vs; i++)
		if (p->vs[i].alarmed) {
			ef_dlog(EF_DLOG_INFO, "vip %s: no longer compared with sibling %s: %s",
				ef_vip_str(&p->vs[i].cmp.key, vs, sizeof(vs)), p->url, why);
			sb->d->report_due = true;
		}
	free(p->vs);
	p->vs = NULL;
	p->n_vs = 0;
	free(p->announced);
	p->announced = NULL;
	p->n_announced = 0;
}

/* ---- A page read ---- */

static const struct vip_state *old_state(const struct peer *p, const struct ef_vip_key *key)
{
	for (size_t i = 0; i < p->n_vs; i++)
		if (!memcmp(&p->vs[i].cmp.key, key, sizeof(*key)))
			return &p->vs[i];
	return NULL;
}

/* The new comparison of p, carrying each VIP's history over. */
static void compared(struct daemon_siblings *sb, struct peer *p, struct ef_sib_cmp *cmp, size_t n)
{
	struct vip_state *vs = calloc(n ? n : 1, sizeof(*vs));
	char v[EF_VIP_STRLEN], fp[EF_FINGERPRINT_STRLEN];
	__u64 now = ef_now_ms();

	if (!vs)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct vip_state *o = old_state(p, &cmp[i].key);

		vs[i].cmp = cmp[i];
		if (cmp[i].diff == EF_SIB_SAME) {
			if (o && o->alarmed) {
				ef_dlog(EF_DLOG_INFO,
					"vip %s agrees with sibling %s again (fingerprint %s)",
					ef_vip_str(&cmp[i].key, v, sizeof(v)), p->url,
					ef_fingerprint_str(cmp[i].here, fp, sizeof(fp)));
				sb->d->report_due = true;
			}
			continue;
		}
		vs[i].since = o && o->since ? o->since : now;
		vs[i].alarmed = o && o->alarmed;
	}
	for (size_t i = 0; i < p->n_vs; i++) {
		size_t k;

		for (k = 0; k < n && memcmp(&cmp[k].key, &p->vs[i].cmp.key, sizeof(cmp[k].key));
		     k++)
			;
		if (k == n && p->vs[i].alarmed)
			ef_dlog(EF_DLOG_INFO, "vip %s: gone here and on sibling %s: alarm cleared",
				ef_vip_str(&p->vs[i].cmp.key, v, sizeof(v)), p->url);
	}
	free(p->vs);
	p->vs = vs;
	p->n_vs = n;
	judge(sb, p, now);
}

/* p's page compared with the running configuration. */
static int compare(struct daemon_siblings *sb, struct peer *p, const char **why)
{
	struct ef_sib_cmp *cmp = NULL;
	struct ef_conf c = {};
	struct ef_dp dp;
	size_t n = 0;
	int err;

	err = ef_sib_page_done(&p->page, why);
	if (err)
		return err;
	err = ef_dp_open_existing(sb->d->pin_dir, &dp);
	if (!err) {
		err = ef_conf_read(&dp, &c);
		ef_dp_close(&dp);
	} else if (err == -ENOENT) {
		err = 0; /* nothing loaded here: every VIP of the sibling runs there only */
	}
	if (!err)
		err = ef_sib_compare(&c, &p->page, &cmp, &n);
	ef_conf_free(&c);
	if (err) {
		*why = ef_err_msg() ? ef_err_msg() : "cannot read the running configuration here";
		return err;
	}
	p->flow_hash_version = p->page.flow_hash_version;
	compared(sb, p, cmp, n);
	free(cmp);
	free(p->announced);
	p->announced = p->page.announced; /* taken over from the page */
	p->n_announced = p->page.n_announced;
	p->page.announced = NULL;
	p->page.n_announced = 0;
	return 0;
}

/* The reachability of p, logged when it changes (and the first time it is
 * down). */
static void reachable(struct daemon_siblings *sb, struct peer *p, bool up, const char *why)
{
	if (up && !p->up && p->reported)
		ef_dlog(EF_DLOG_INFO, "sibling %s can be read again", p->url);
	if (!up && (p->up || !p->reported))
		ef_dlog(
		    EF_DLOG_WARNING,
		    "sibling %s cannot be read (%s): its fingerprints are not compared until it "
		    "can",
		    p->url, why);
	if (!up)
		forget(sb, p, "it cannot be read");
	if (up != p->up || !p->reported)
		sb->d->report_due = true;
	p->up = up;
	p->reported = true;
}

static int on_line(void *ctx, size_t id, const char *line, size_t len, const char **why)
{
	struct daemon_siblings *sb = ctx;

	return ef_sib_page_line(&sb->peers[id].page, line, len, why);
}

static void on_done(void *ctx, size_t id, int err, long status, const char *why)
{
	struct daemon_siblings *sb = ctx;
	struct peer *p = &sb->peers[id];
	char buf[64];

	if (!err && status != 200) {
		snprintf(buf, sizeof(buf), "HTTP status %ld", status);
		why = buf;
		err = -EPROTO;
	}
	if (!err)
		err = compare(sb, p, &why);
	ef_err_clear();
	reachable(sb, p, !err, why);
	ef_sib_page_free(&p->page);
	p->read_started = p->poll_started;
	sb->d->routing_due = true; /* routing.c's gate may be waiting for it */
}

static const struct ef_fetch_ops fetch_ops = {.line = on_line, .done = on_done};

/* ---- Setup and the loop ---- */

static bool same_settings(const struct daemon_siblings *sb, const struct ef_config_siblings *c)
{
	if (sb->n_peers != c->n_peers || sb->interval_ms != c->interval_ms ||
	    sb->grace_ms != c->grace_ms)
		return false;
	for (size_t i = 0; i < c->n_peers; i++)
		if (strcmp(sb->peers[i].url, c->peers[i]))
			return false;
	return true;
}

void daemon_siblings_configure(struct daemon *d, const struct ef_config *cfg)
{
	const struct ef_config_siblings *c = &cfg->siblings;
	struct daemon_siblings *sb;

	if (d->siblings && same_settings(d->siblings, c))
		return;
	daemon_siblings_free(d);
	if (!c->n_peers)
		return;
	sb = calloc(1, sizeof(*sb));
	if (sb)
		sb->peers = calloc(c->n_peers, sizeof(*sb->peers));
	if (!sb || !sb->peers || curl_global_init(CURL_GLOBAL_DEFAULT) ||
	    ef_fetch_new(d->epfd, &fetch_ops, sb, &sb->fetch)) {
		ef_dlog(EF_DLOG_ERR, "siblings: cannot set up the HTTP client: nothing compared");
		if (sb)
			free(sb->peers);
		free(sb);
		return;
	}
	sb->d = d;
	sb->n_peers = c->n_peers;
	sb->interval_ms = c->interval_ms;
	sb->grace_ms = c->grace_ms;
	for (size_t i = 0; i < c->n_peers; i++) {
		strcpy(sb->peers[i].url, c->peers[i]);
		ef_sib_page_init(&sb->peers[i].page);
	}
	d->siblings = sb;
	d->report_due = true;
	ef_dlog(EF_DLOG_INFO, "siblings: %zu polled every %ums, alarm after %ums of difference",
		c->n_peers, c->interval_ms, c->grace_ms);
}

void daemon_siblings_free(struct daemon *d)
{
	struct daemon_siblings *sb = d->siblings;

	if (!sb)
		return;
	ef_fetch_free(sb->fetch);
	for (size_t i = 0; i < sb->n_peers; i++) {
		ef_sib_page_free(&sb->peers[i].page);
		free(sb->peers[i].vs);
		free(sb->peers[i].announced);
	}
	free(sb->peers);
	free(sb);
	curl_global_cleanup();
	d->siblings = NULL;
	d->report_due = true;
}

int daemon_siblings_next_ms(const struct daemon *d)
{
	const struct daemon_siblings *sb = d->siblings;
	__u64 now = ef_now_ms(), next;
	int t;

	if (!sb)
		return -1;
	next = sb->next_poll;
	for (size_t i = 0; i < sb->n_peers; i++)
		for (size_t k = 0; k < sb->peers[i].n_vs; k++) {
			const struct vip_state *s = &sb->peers[i].vs[k];

			if (s->since && !s->alarmed && s->since + sb->grace_ms < next)
				next = s->since + sb->grace_ms;
		}
	t = next > now ? (int)(next - now) : 0;
	return ef_fetch_next_ms(sb->fetch) < 0 || t < ef_fetch_next_ms(sb->fetch)
		   ? t
		   : ef_fetch_next_ms(sb->fetch);
}

void daemon_siblings_run(struct daemon *d)
{
	struct daemon_siblings *sb = d->siblings;
	__u64 now = ef_now_ms();
	long timeout;

	if (!sb)
		return;
	ef_fetch_run_timers(sb->fetch);
	for (size_t i = 0; i < sb->n_peers; i++)
		judge(sb, &sb->peers[i], now);
	if (now < sb->next_poll)
		return;
	sb->next_poll = now + sb->interval_ms;
	timeout = sb->interval_ms < FETCH_TIMEOUT_MAX_MS ? sb->interval_ms : FETCH_TIMEOUT_MAX_MS;
	for (size_t i = 0; i < sb->n_peers; i++) {
		if (ef_fetch_busy(sb->fetch, i))
			continue;
		ef_sib_page_free(&sb->peers[i].page);
		sb->peers[i].poll_started = now;
		if (ef_fetch_start(sb->fetch, i, sb->peers[i].url, timeout)) {
			reachable(sb, &sb->peers[i], false, "cannot start the request");
			sb->peers[i].read_started = now;
		}
	}
}

/* ---- routing.c's gate ---- */

/* Whether p has our fingerprint for every VIP of c on address a. */
static bool agrees(const struct peer *p, const struct ef_conf *c, const struct ef_announce_addr *a)
{
	for (size_t i = 0; i < c->n_vips; i++) {
		const struct ef_conf_vip *v = &c->vips[i];
		const struct vip_state *s;

		if (v->key.family != a->family || memcmp(&v->key.addr, &a->addr, sizeof(a->addr)))
			continue;
		s = old_state(p, &v->key);
		if (!s || s->cmp.diff == EF_SIB_ONLY_HERE || s->cmp.there != ef_fingerprint_vip(v))
			return false;
	}
	return true;
}

enum ef_ann_why daemon_siblings_gate(const struct daemon *d, const struct ef_conf *c,
				     const struct ef_announce_addr *a, __u64 since)
{
	const struct daemon_siblings *sb = d->siblings;
	struct ef_ann_peer peers[EF_PEERS_MAX];

	if (!sb)
		return EF_ANN_YES;
	for (size_t i = 0; i < sb->n_peers; i++) {
		const struct peer *p = &sb->peers[i];
		struct ef_sib_page pg = {.announced = p->announced, .n_announced = p->n_announced};

		peers[i] = (struct ef_ann_peer){
		    .fresh = p->read_started && p->read_started >= since,
		    .read = p->up,
		    .agrees = p->up && agrees(p, c, a),
		    .announces = p->up && ef_sib_announces(&pg, &a->addr, a->family)};
	}
	return ef_ann_gate(peers, sb->n_peers);
}

/* ---- What it shows ---- */

void daemon_siblings_metrics(const struct daemon *d, FILE *f)
{
	const struct daemon_siblings *sb = d->siblings;
	char vs[EF_VIP_STRLEN];

	if (!sb)
		return;
	ef_metrics_family(f, "evenflow_sibling_up", "gauge",
			  "1 when the sibling's metrics were read at its last poll");
	for (size_t i = 0; i < sb->n_peers; i++) {
		fputs("evenflow_sibling_up{peer=\"", f);
		ef_metrics_label(f, sb->peers[i].url);
		fprintf(f, "\"} %d\n", sb->peers[i].up);
	}
	ef_metrics_family(
	    f, "evenflow_sibling_mismatch", "gauge",
	    "1 when the VIP's fingerprint on the sibling has differed from this LB's for "
	    "longer than siblings.grace");
	for (size_t i = 0; i < sb->n_peers; i++)
		for (size_t k = 0; k < sb->peers[i].n_vs; k++) {
			fputs("evenflow_sibling_mismatch{vip=\"", f);
			ef_metrics_label(f,
					 ef_vip_str(&sb->peers[i].vs[k].cmp.key, vs, sizeof(vs)));
			fputs("\",peer=\"", f);
			ef_metrics_label(f, sb->peers[i].url);
			fprintf(f, "\"} %d\n", sb->peers[i].vs[k].alarmed);
		}
}

size_t daemon_siblings_alarms(const struct daemon *d)
{
	const struct daemon_siblings *sb = d->siblings;
	size_t n = 0;

	for (size_t i = 0; sb && i < sb->n_peers; i++)
		for (size_t k = 0; k < sb->peers[i].n_vs; k++)
			n += sb->peers[i].vs[k].alarmed;
	return n;
}
