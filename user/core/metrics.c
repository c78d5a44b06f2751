// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* metrics.c: Prometheus text exposition of a snapshot; see metrics.h. */
#include <errno.h>
#include <inttypes.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/fingerprint.h"
#include "core/metrics.h"
#include "core/model.h"
#include "dp/xdp.h"
#include "lib/hash.h"

void ef_metrics_label(FILE *f, const char *val)
{
	for (; *val; val++) {
		if (*val == '\\' || *val == '"')
			fputc('\\', f);
		if (*val == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*val, f);
	}
}

void ef_metrics_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void vip_labels(FILE *f, const char *name, const struct ef_snap_vip *v)
{
	fprintf(f, "%s{vip=\"", name);
	ef_metrics_label(f, v->name);
	fputs("\"", f);
}

static void backend_labels(FILE *f, const char *name, const struct ef_snap *s,
			   const struct ef_snap_backend *b)
{
	vip_labels(f, name, &s->vips[b->vip]);
	fputs(",backend=\"", f);
	ef_metrics_label(f, b->addr);
	fputs("\"", f);
}

static const struct {
	const char *suffix;
	const char *help;
} traffic[EF_T_WORDS] = {
    [EF_T_PACKETS] = {"packets_total", "packets forwarded"},
    [EF_T_BYTES] = {"bytes_total", "bytes forwarded, as received (before encapsulation)"},
    [EF_T_NEW_FLOWS] = {"new_flows_total", "flows that took a fresh Maglev table choice"},
};

static const __u8 states[] = {EF_BE_UP, EF_BE_DRAIN, EF_BE_DOWN};
static const __u8 verdicts[] = {EF_HEALTH_UNCHECKED, EF_HEALTH_HEALTHY, EF_HEALTH_UNHEALTHY};

/* A family of every backend with one series per value of a field, 1 for
 * the backend's value and 0 for the others. */
static void one_hot(FILE *f, const struct ef_snap *s, const char *name, const char *label,
		    const char *help, size_t field, const __u8 *values, size_t n,
		    const char *(*str)(__u8))
{
	ef_metrics_family(f, name, "gauge", help);
	for (size_t i = 0; i < s->n_backends; i++) {
		__u8 v = *((const __u8 *)&s->backends[i].be + field);

		for (size_t k = 0; k < n; k++) {
			backend_labels(f, name, s, &s->backends[i]);
			fprintf(f, ",%s=\"%s\"} %d\n", label, str(values[k]), v == values[k]);
		}
	}
}

/* A gauge of every backend from the detector's result. */
enum share_kind { EXPECTED, ACTUAL, FLAGGED };

static void backend_share(FILE *f, const struct ef_snap *s, const struct ef_imb *imb,
			  const char *name, enum share_kind kind, const char *help)
{
	size_t i;

	ef_metrics_family(f, name, "gauge", help);
	for (i = 0; i < s->n_backends; i++) {
		const struct ef_snap_backend *b = &s->backends[i];
		const struct ef_imb_result *r = ef_imb_find(imb, b->id);

		if (!r)
			continue;
		backend_labels(f, name, s, b);
		if (kind == EXPECTED)
			fprintf(f, "} %.6f\n", r->expected);
		else if (kind == ACTUAL)
			fprintf(f, "} %.6f\n", r->actual);
		else
			fprintf(f, "} %d\n", r->flagged ? 1 : 0);
	}
}

/* Packets, bytes and new flows of every VIP and backend; weights and
 * states. */
static void write_traffic(FILE *f, const struct ef_snap *s)
{
	char name[96];
	size_t i, w;

	for (w = 0; w < EF_T_WORDS; w++) {
		snprintf(name, sizeof(name), "evenflow_vip_%s", traffic[w].suffix);
		ef_metrics_family(f, name, "counter", traffic[w].help);
		for (i = 0; i < s->n_vips; i++) {
			vip_labels(f, name, &s->vips[i]);
			fprintf(f, "} %" PRIu64 "\n", (uint64_t)s->vips[i].traffic[w]);
		}
	}
	for (w = 0; w < EF_T_WORDS; w++) {
		snprintf(name, sizeof(name), "evenflow_backend_%s", traffic[w].suffix);
		ef_metrics_family(f, name, "counter", traffic[w].help);
		for (i = 0; i < s->n_backends; i++) {
			backend_labels(f, name, s, &s->backends[i]);
			fprintf(f, "} %" PRIu64 "\n", (uint64_t)s->backends[i].traffic[w]);
		}
	}
	ef_metrics_family(f, "evenflow_backend_weight", "gauge",
			  "configured weight of the backend");
	for (i = 0; i < s->n_backends; i++) {
		backend_labels(f, "evenflow_backend_weight", s, &s->backends[i]);
		fprintf(f, "} %u\n", s->backends[i].be.weight);
	}
	one_hot(f, s, "evenflow_backend_state", "state",
		"1 for the backend's effective state (up: in the table; drain: existing flows "
		"only; down: none), 0 for the others",
		offsetof(struct ef_backend, state), states, 3, ef_state_str);
	one_hot(f, s, "evenflow_backend_admin_state", "state",
		"1 for the state the operator gave the backend, 0 for the others",
		offsetof(struct ef_backend, admin), states, 3, ef_state_str);
	one_hot(f, s, "evenflow_backend_health", "health",
		"1 for the health checker's verdict on the backend (unchecked: no check), 0 for "
		"the others",
		offsetof(struct ef_backend, health), verdicts, 3, ef_health_str);
	ef_metrics_family(
	    f, "evenflow_vip_fail_open", "gauge",
	    "1 when every backend the operator has up fails its checks and the VIP keeps the "
	    "last known good ones (README: fail open)");
	for (i = 0; i < s->n_vips; i++) {
		vip_labels(f, "evenflow_vip_fail_open", &s->vips[i]);
		fprintf(f, "} %d\n", !!(s->vips[i].vip.flags & EF_VIP_F_FAIL_OPEN));
	}
}

/* The detector's verdicts: shares, flags, new flows in its window. */
static void write_imbalance(FILE *f, const struct ef_snap *s, const struct ef_imb *imb,
			    double window_s)
{
	size_t i, j;

	backend_share(f, s, imb, "evenflow_backend_expected_share", EXPECTED,
		      "share of new flows the backend should take: weight / sum of the weights "
		      "of the VIP's up backends");
	backend_share(f, s, imb, "evenflow_backend_actual_share", ACTUAL,
		      "share of the VIP's new flows the backend took in the imbalance window");
	backend_share(f, s, imb, "evenflow_backend_imbalanced", FLAGGED,
		      "1 when the backend takes more new flows than its weight says (factor or "
		      "margin over the expected share, enough flows)");
	ef_metrics_family(f, "evenflow_vip_imbalanced", "gauge",
			  "1 when any backend of the VIP is imbalanced");
	for (i = 0; i < s->n_vips; i++) {
		vip_labels(f, "evenflow_vip_imbalanced", &s->vips[i]);
		fprintf(f, "} %d\n", ef_imb_vip_flagged(imb, s->vips[i].vip.id) ? 1 : 0);
	}
	ef_metrics_family(f, "evenflow_vip_window_new_flows", "gauge",
			  "new flows of the VIP in the imbalance window");
	for (i = 0; i < s->n_vips; i++) {
		uint64_t flows = 0;

		for (j = 0; j < s->n_backends; j++) {
			const struct ef_imb_result *r;

			if (s->backends[j].vip != i)
				continue;
			r = ef_imb_find(imb, s->backends[j].id);
			if (r)
				flows = r->vip_flows;
			break;
		}
		vip_labels(f, "evenflow_vip_window_new_flows", &s->vips[i]);
		fprintf(f, "} %" PRIu64 "\n", flows);
	}
	ef_metrics_family(f, "evenflow_imbalance_window_seconds", "gauge",
			  "length of the sliding window the imbalance gauges are computed over");
	fprintf(f, "evenflow_imbalance_window_seconds %g\n", window_s);
}

/* The configuration's fingerprints: info series (a 64-bit hash is no
 * sample value), compared between sibling load balancers. */
static void write_fingerprints(FILE *f, const struct ef_snap *s)
{
	char fp[EF_FINGERPRINT_STRLEN];

	ef_metrics_family(
	    f, "evenflow_fingerprint_info", "gauge",
	    "the fingerprint of the whole running configuration (sibling LBs compare it)");
	fprintf(f, "evenflow_fingerprint_info{fingerprint=\"%s\"} 1\n",
		ef_fingerprint_str(s->fingerprint, fp, sizeof(fp)));
	ef_metrics_family(
	    f, "evenflow_vip_fingerprint_info", "gauge",
	    "the fingerprint of what decides a new flow's backend (version, key, table size, up "
	    "backends and weights): equal on LBs that send a flow to the same backend");
	for (size_t i = 0; i < s->n_vips; i++) {
		if (!s->vips[i].has_fingerprint)
			continue;
		vip_labels(f, "evenflow_vip_fingerprint_info", &s->vips[i]);
		fprintf(f, ",fingerprint=\"%s\"} 1\n",
			ef_fingerprint_str(s->vips[i].fingerprint, fp, sizeof(fp)));
	}
}

/* When this process started, in seconds since the epoch (its start in clock
 * ticks after boot, /proc/self/stat field 22, plus the boot time): 0 when
 * it cannot be read. */
static double start_time(void)
{
	unsigned long long ticks = 0, btime = 0;
	char buf[1024], *p;
	FILE *f;
	size_t n;

	f = fopen("/proc/self/stat", "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the name may hold spaces */
	if (!p || sscanf(p + 2,
			 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
			 "%*d %*d %*d %llu",
			 &ticks) != 1)
		return 0;
	f = fopen("/proc/stat", "r");
	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f) && sscanf(buf, "btime %llu", &btime) != 1)
		;
	fclose(f);
	return btime ? (double)btime + (double)ticks / (double)sysconf(_SC_CLK_TCK) : 0;
}

int ef_metrics_write(FILE *f, const struct ef_snap *s, const struct ef_imb *imb, double window_s)
{
	size_t i;

	ef_metrics_family(
	    f, "process_start_time_seconds", "gauge",
	    "when the process serving these metrics started, in seconds since the epoch");
	fprintf(f, "process_start_time_seconds %.2f\n", start_time());

	ef_metrics_family(f, "evenflow_build_info", "gauge",
			  "the release, and the flow-hash version LBs sharing a VIP must agree on");
	fprintf(f, "evenflow_build_info{version=\"%s\",flow_hash_version=\"%d\"} 1\n", EF_VERSION,
		EF_FLOW_HASH_VERSION);
	ef_metrics_family(f, "evenflow_dataplane_loaded", "gauge",
			  "whether the evenflow data plane is loaded (pinned) here");
	fprintf(f, "evenflow_dataplane_loaded %d\n", s ? 1 : 0);
	if (!s)
		return ferror(f) ? -EIO : 0;
	ef_metrics_family(
	    f, "evenflow_dataplane_devices", "gauge",
	    "devices the loaded program runs on (0: loaded, but it forwards nothing)");
	fprintf(f, "evenflow_dataplane_devices %zu\n", s->n_devices);
	if (s->n_devices)
		ef_metrics_family(f, "evenflow_dataplane_device_info", "gauge",
				  "1 per device the program runs on, with its XDP mode");
	for (i = 0; i < s->n_devices; i++) {
		fprintf(f, "evenflow_dataplane_device_info{device=\"");
		ef_metrics_label(f, s->devices[i].name);
		fprintf(f, "\",mode=\"%s\"} 1\n", ef_mode_str(s->devices[i].mode));
	}
	ef_metrics_family(f, "evenflow_verdicts_total", "counter",
			  "packets seen by the LB program, by verdict reason (see evenflow stats)");
	for (i = 0; i < EF_V_MAX; i++)
		fprintf(f, "evenflow_verdicts_total{verdict=\"%s\"} %" PRIu64 "\n",
			ef_verdict_name(i), (uint64_t)s->verdicts[i]);
	ef_metrics_family(f, "evenflow_conntrack_events_total", "counter",
			  "connection-table events, by kind (see evenflow stats)");
	for (i = 0; i < EF_CTS_MAX; i++)
		fprintf(f, "evenflow_conntrack_events_total{event=\"%s\"} %" PRIu64 "\n",
			ef_ct_stat_name(i), (uint64_t)s->ct_stats[i]);
	ef_metrics_family(f, "evenflow_conntrack_slots", "gauge", "connection-table slots");
	fprintf(f, "evenflow_conntrack_slots %" PRIu64 "\n", (uint64_t)s->ct_fill.slots);
	ef_metrics_family(f, "evenflow_conntrack_entries", "gauge",
			  "connection-table slots holding a flow, by state (established: seen in "
			  "more than one packet, never evicted while live)");
	fprintf(f, "evenflow_conntrack_entries{state=\"established\"} %" PRIu64 "\n",
		(uint64_t)s->ct_fill.established);
	fprintf(f, "evenflow_conntrack_entries{state=\"new\"} %" PRIu64 "\n",
		(uint64_t)(s->ct_fill.used - s->ct_fill.established));
	write_traffic(f, s);
	write_fingerprints(f, s);
	if (imb)
		write_imbalance(f, s, imb, window_s);
	return ferror(f) ? -EIO : 0;
}
