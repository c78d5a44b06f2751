/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * snapshot.h: one reading of every counter of the LB data plane, with the
 * VIPs and backends they belong to (stats, check, top, metrics, daemon).
 *
 * ef_snap_read takes what it needs from an open data plane, the
 * configuration's fingerprints included (core/fingerprint.h, over the
 * running configuration); the caller may
 * close it right after (long-running readers reopen it for every reading,
 * so they never hold the pin dir's lock for long and follow reloads).
 */
#ifndef EF_SNAPSHOT_H
#define EF_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/imbalance.h"
#include "dp/lb.h"
#include "dp/maps.h"
#include "dp/xdp.h"
#include "evenflow.h"
#include "util/addr.h"

/* Index of each word of a struct ef_traffic read as __u64[3]. */
enum { EF_T_PACKETS, EF_T_BYTES, EF_T_NEW_FLOWS, EF_T_WORDS };

struct ef_snap_vip {
	struct ef_vip_key key;
	struct ef_vip vip;
	__u64 traffic[EF_T_WORDS];
	char name[EF_VIP_STRLEN]; /* "10.0.0.10:80/tcp" */
	__u64 fingerprint;	  /* core/fingerprint.h */
	bool has_fingerprint;	  /* false: gone from the configuration meanwhile */
};

struct ef_snap_backend {
	__u32 id;
	size_t vip; /* index into ef_snap.vips */
	struct ef_backend be;
	__u64 traffic[EF_T_WORDS];
	char addr[EF_ADDR_STRLEN]; /* "10.200.1.2" */
};

struct ef_snap {
	double t; /* CLOCK_MONOTONIC, seconds */
	struct ef_snap_vip *vips;
	size_t n_vips;
	/* backends that are not FREE, by VIP (in vips order), then id */
	struct ef_snap_backend *backends;
	size_t n_backends;
	__u64 verdicts[EF_V_MAX];
	__u64 ct_stats[EF_CTS_MAX]; /* connection-table events (enum ef_ct_stat) */
	struct ef_ct_fill ct_fill;  /* how full the connection table is */
	__u64 fingerprint;	    /* of the whole running configuration */
	/* the devices running the program (none: it forwards nothing) */
	struct ef_attached *devices;
	size_t n_devices;
};

/* Monotonic time in seconds. */
double ef_snap_now(void);

/* Reads s from dp (free with ef_snap_free, also after a failure). */
int ef_snap_read(struct ef_dp *dp, struct ef_snap *s);
/* Opens the data plane under pin_dir, reads, closes. -ENOENT (nothing
 * recorded) when no data plane is loaded there. */
int ef_snap_read_dir(const char *pin_dir, struct ef_snap *s);
void ef_snap_free(struct ef_snap *s);

/* Feeds s to the detector. */
int ef_snap_imb_add(const struct ef_snap *s, struct ef_imb *imb);
/* One reading from pin_dir fed to imb; s is freed by the caller, also after
 * a failure. -ENOENT (nothing recorded) when no data plane is loaded. */
int ef_snap_sample(const char *pin_dir, struct ef_snap *s, struct ef_imb *imb);

/* Name of a verdict ("fwd_tx"). */
const char *ef_verdict_name(unsigned v);
/* Name and description of a connection-table event ("ct_inserts"). */
const char *ef_ct_stat_name(unsigned k);
const char *ef_ct_stat_desc(unsigned k);
/* Name of an imbalance: "backend 10.200.1.2 takes 100% of new flows,
 * expected 33%" into buf. */
const char *ef_imb_describe(const struct ef_snap_backend *b, const struct ef_imb_result *r,
			    char *buf, size_t len);

#endif /* EF_SNAPSHOT_H */
