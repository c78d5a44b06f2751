/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * config.h: what the configuration file of `evenflow apply` and `evenflow
 * daemon` holds: VIPs and backends (a struct ef_conf, core/model.h),
 * health checks, the metrics listen address, the imbalance detector's
 * tolerance, the apply safety limit, the announcement of the VIP addresses
 * and the sibling load balancers (core/config_cluster.h), a backend's
 * decap devices and the LB's data-plane devices and load-time settings
 * (core/config_devices.h); and the error
 * lines reading it produces. Reading it: core/config_file.h. The schema is in the README
 * ("Configuration file"); contrib/evenflow.yaml is a commented example.
 */
#ifndef EF_CONFIG_H
#define EF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"
#include "core/safety.h"
#include "evenflow.h"

/* Kinds of health check. */
enum ef_hc_type {
	EF_HC_NONE = 0, /* not checked: the state in the file is the state */
	EF_HC_TCP = 1,	/* a TCP connect() that completes within the timeout */
	EF_HC_HTTP = 2, /* an HTTP/1.0 GET of path answered with status expect */
};

#define EF_HC_PATH_MAX 128

/* A health check; a backend inherits its VIP's, a VIP the file's default,
 * field by field. */
struct ef_hc {
	int type;		   /* enum ef_hc_type */
	__u32 port;		   /* 0: the VIP's port */
	__u32 expect;		   /* HTTP status that means healthy */
	__u32 interval_ms;	   /* between the starts of two checks */
	__u32 timeout_ms;	   /* a check not done by then failed (<= interval) */
	__u32 rise;		   /* successes in a row that mark a down backend up */
	__u32 fall;		   /* failures in a row that mark an up backend down */
	char path[EF_HC_PATH_MAX]; /* HTTP path, starting with '/' */
};

#define EF_HC_INTERVAL_DEFAULT 2000 /* ms */
#define EF_HC_TIMEOUT_DEFAULT  1000 /* ms */
#define EF_HC_RISE_DEFAULT     2
#define EF_HC_FALL_DEFAULT     3
#define EF_HC_EXPECT_DEFAULT   200

/* Where a key or value is in the file (1-based). */
struct ef_pos {
	int line, col;
};

/* Per VIP of conf.vips (same index): its health checks and positions. */
struct ef_config_vip {
	struct ef_pos pos;     /* of its address */
	struct ef_hc *hc;      /* per backend, same index as the backends */
	struct ef_pos *be_pos; /* of each backend's address */
	/* backends up and healthy it needs to be announced: its own
	 * `min-up`, else announce.min-up */
	__u32 min_up;
	struct ef_pos min_up_pos; /* of its own min-up (line 0: inherited) */
};

/* announce: the daemon offers the VIP addresses it can serve to a routing
 * daemon through a kernel routing table (daemon/announce.h). */
struct ef_config_announce {
	bool on;	/* the section is given; else nothing is announced */
	__u32 table;	/* the routing table (default 239) */
	__u32 protocol; /* the route protocol of its routes (default 239) */
	__u32 min_up;	/* default of every VIP's min-up (1) */
	__u32 drain_ms; /* SIGTERM: withdrawn, still forwarding, this long */
};

#define EF_PEERS_MAX	32  /* siblings.peers */
#define EF_PEER_URL_MAX 160 /* one peer's URL, with its NUL */

/* siblings: the other load balancers sharing the VIPs, whose fingerprints
 * the daemon compares with its own (README, "Several load balancers"). */
struct ef_config_siblings {
	size_t n_peers; /* 0: no comparison */
	char peers[EF_PEERS_MAX][EF_PEER_URL_MAX];
	__u32 interval_ms; /* between two polls of every peer */
	__u32 grace_ms;	   /* a difference lasting longer is an alarm */
};

#define EF_CONFIG_DEVICES_MAX 16

/* A device the daemon attaches a program to, and keeps it attached. */
struct ef_config_device {
	char name[16]; /* IFNAMSIZ */
	int mode;      /* enum xdp_attach_mode: XDP_MODE_NATIVE or XDP_MODE_SKB */
	struct ef_pos pos;
};

struct ef_config_devices {
	size_t n;
	struct ef_config_device dev[EF_CONFIG_DEVICES_MAX];
};

/* decap: on a backend, the daemon attaches the decap program to these
 * devices and keeps this host's addresses in its map as they change. */
struct ef_config_decap {
	bool on; /* the section is given */
	struct ef_config_devices devices;
};

/* dataplane: on the LB, the daemon loads the data plane with these
 * load-time settings and attaches it to these devices, and keeps it so. */
struct ef_config_dataplane {
	bool on; /* the section is given */
	struct ef_config_devices devices;
	__u32 conntrack_size; /* 0: keep the loaded one (default on a fresh load) */
	__u32 udp_timeout_s;  /* 0: likewise */
};

/* The imbalance detector's settings (see imbalance.h). */
struct ef_config_imbalance {
	double window_s;
	double factor;
	double tolerance; /* the detector's margin: actual - expected share */
	__u32 min_flows;
};

struct ef_config {
	char *file;		  /* as given (for messages) */
	struct ef_conf conf;	  /* VIPs and backends as ef_conf_commit takes them */
	struct ef_config_vip *vx; /* conf.n_vips entries */
	char metrics_listen[64];  /* "ADDR:PORT", "" when off */
	struct ef_config_imbalance imbalance;
	struct ef_safety limits; /* apply.*: the safety check's limits */
	struct ef_config_announce announce;
	struct ef_config_siblings siblings;
	struct ef_config_decap decap;
	struct ef_config_dataplane dataplane;
	bool has_vips;	  /* `vips:` is given: the file configures the LB */
	size_t n_checked; /* backends with a health check */
};

/* Largest file read (a 16384-backend configuration is ~1 MB). */
#define EF_CONFIG_MAX_BYTES (16 << 20)

/* At most this many error lines are kept (the count goes on). */
#define EF_CONFIG_MAX_ERRORS 20
#define EF_CONFIG_ERR_LEN    256

struct ef_config_errors {
	size_t n;     /* errors found */
	size_t shown; /* lines kept in line[] (<= EF_CONFIG_MAX_ERRORS) */
	char line[EF_CONFIG_MAX_ERRORS][EF_CONFIG_ERR_LEN];
};

#endif /* EF_CONFIG_H */
