/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * lb.h: the LB data plane as the control plane holds it: the program and
 * its maps pinned under the pin dir (EF_PIN_LB_PROG, maps by name), loaded
 * by the first command that needs them, so VIPs and backends can be
 * configured before any device is attached.
 *
 * An open data plane holds an exclusive flock on the pin dir: two evenflow
 * processes never interleave their map writes.
 */
#ifndef EF_LB_H
#define EF_LB_H

#include <limits.h>

#include "evenflow.h"

/* Connection-table slots a data plane may be loaded with: a power of two
 * in this range. */
#define EF_CONNTRACK_MIN 1024
#define EF_CONNTRACK_MAX (1U << 26)
#define EF_CONNTRACK_SIZE_OK(n)                                                                    \
	((n) >= EF_CONNTRACK_MIN && (n) <= EF_CONNTRACK_MAX && !((n) & ((n)-1)))

#define EF_UDP_IDLE_DEFAULT 30 /* seconds */
/* Longest UDP idle timeout: what the data plane's 9-bit clock measures at
 * HZ=1000 (see bpf/lib/time.h); more at lower HZ. */
#define EF_UDP_IDLE_MAX 120
/* Open established TCP flows: above the kernel's default keepalive interval
 * (7200 s), so a connection kept alive that way keeps its entry. */
#define EF_TCP_IDLE_DEFAULT 14400 /* seconds */
/* Longest TCP idle timeout: what the 9-bit clock of open TCP entries
 * measures at HZ=1000 (bpf/lib/ct_entry.h); more at lower HZ. */
#define EF_TCP_IDLE_MAX 32400
/* Replies the data plane sends itself (echo, "too big") per second per CPU. */
#define EF_REPLY_RATE_DEFAULT 1000
#define EF_REPLY_RATE_MAX     1000000

/* The LB data plane: fds of the program and of every map (-1: closed). */
struct ef_dp {
	char pin_dir[PATH_MAX];
	int lock_fd;
	int prog_fd;
	__u32 prog_id;
	int ncpus;
	int gen, vip_info, vip_index, vip_addrs, vip_filter, devices, backends, maglev, conntrack;
	int nexthop, tx_ports, verdicts, ct_stats, vip_stats, backend_stats, frags, reply_budget;
};

/* Settings fixed at load (0 = default on a fresh load, keep when loaded). */
struct ef_dp_cfg {
	__u32 conntrack_size; /* slots: a power of two, >= EF_CT_WAYS */
	__u32 udp_idle_s;
	__u32 tcp_idle_s;
	__u32 reply_rate;
};

/* Opens the LB data plane, loading and pinning it if absent (cfg may be
 * NULL). If it is loaded with other cfg values, it is reloaded with them on
 * the same configuration maps, and the devices that ran it run the new
 * program (a new, empty connection table; a warning says so). */
int ef_dp_open(const char *pin_dir, const struct ef_dp_cfg *cfg, struct ef_dp *dp);
/* Opens it only if loaded: -ENOENT otherwise (nothing recorded). */
int ef_dp_open_existing(const char *pin_dir, struct ef_dp *dp);
/* The same for the commands that never create state: -ENOENT recorded as
 * "no data plane at DIR (evenflow attach DEV first)". */
int ef_dp_open_loaded(const char *pin_dir, struct ef_dp *dp);
void ef_dp_close(struct ef_dp *dp);
/* Current settings of the loaded program. */
int ef_dp_get_cfg(const struct ef_dp *dp, struct ef_dp_cfg *cfg);
/* Removes the LB pins (program and maps) and the pin dir if empty. */
void ef_dp_unpin(struct ef_dp *dp);

/* The configuration generation the data plane reads (0 or 1). */
int ef_dp_gen(const struct ef_dp *dp, __u32 *gen);

#endif /* EF_LB_H */
