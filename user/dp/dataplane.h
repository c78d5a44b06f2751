/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * dataplane.h: the pinned data plane: bpffs, loading, pinning, map fds,
 * XDP attach/detach and the devices a program is attached to.
 *
 * Everything lives under the pin dir: the LB program (EF_PIN_LB_PROG) and its
 * maps (pinned by name), and the decap program (EF_PIN_DECAP_PROG) and its
 * maps. The first command that needs the maps loads and pins the program, so
 * VIPs and backends can be configured before any device is attached.
 *
 * An open data plane holds an exclusive flock on the pin dir: two evenflow
 * processes never interleave their map writes.
 */
#ifndef EF_DATAPLANE_H
#define EF_DATAPLANE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <xdp/libxdp.h>

#include "evenflow.h"

#define EF_PIN_DIR_DEFAULT  "/sys/fs/bpf/evenflow"
#define EF_PIN_DIR_ENV	    "EVENFLOW_PIN_DIR"
#define EF_UDP_IDLE_DEFAULT 30 /* seconds */
/* Longest UDP idle timeout: what the data plane's 9-bit clock measures at
 * HZ=1000 (see bpf/lib/time.h); more at lower HZ. */
#define EF_UDP_IDLE_MAX 120

/* The LB data plane. */
struct ef_dp {
	char pin_dir[PATH_MAX];
	int lock_fd;
	int prog_fd;
	__u32 prog_id;
	int ncpus;
	int gen, vip_info, vip_index, vip_addrs, vip_filter, backends, maglev, conntrack;
	int nexthop, tx_ports, verdicts, vip_stats, backend_stats;
};

/* Settings fixed at load (0 = default on a fresh load, keep when loaded). */
struct ef_dp_cfg {
	__u32 conntrack_size; /* slots: a power of two, >= EF_CT_WAYS */
	__u32 udp_idle_s;
};

/* The backend-side decap program. */
struct ef_decap {
	char pin_dir[PATH_MAX];
	int lock_fd;
	int prog_fd;
	__u32 prog_id;
	int ncpus;
	int addrs, verdicts;
};

/* A device a program is attached to. */
struct ef_attached {
	char name[32];
	int ifindex;
	enum xdp_attach_mode mode;
	bool multiprog; /* through the libxdp dispatcher */
};

/* The pin dir: --pin-dir, else $EVENFLOW_PIN_DIR, else the default. */
const char *ef_pin_dir(const char *opt);

/* Makes the pin dir, mounting bpffs where it needs one. */
int ef_pin_dir_prepare(const char *pin_dir);

/* Opens the LB data plane, loading and pinning it if absent (cfg may be NULL).
 * If it is loaded with other cfg values and attached nowhere, it is reloaded
 * with them; if it is attached, that is an error. */
int ef_dp_open(const char *pin_dir, const struct ef_dp_cfg *cfg, struct ef_dp *dp);
/* Opens it only if loaded: -ENOENT otherwise (nothing recorded). */
int ef_dp_open_existing(const char *pin_dir, struct ef_dp *dp);
void ef_dp_close(struct ef_dp *dp);
/* Current settings of the loaded program. */
int ef_dp_get_cfg(const struct ef_dp *dp, struct ef_dp_cfg *cfg);
/* Removes the LB pins (program and maps) and the pin dir if empty. */
void ef_dp_unpin(struct ef_dp *dp);

int ef_decap_open(const char *pin_dir, bool create, struct ef_decap *dc);
void ef_decap_close(struct ef_decap *dc);
void ef_decap_unpin(struct ef_decap *dc);

/* Devices of this netns that run program prog_id (malloc'd array). */
int ef_prog_devices(__u32 prog_id, struct ef_attached **devs, size_t *n);
/* Attaches / detaches prog_fd on dev through libxdp. */
int ef_xdp_attach(int prog_fd, const char *dev, enum xdp_attach_mode mode);
int ef_xdp_detach(int prog_fd, __u32 prog_id, const char *dev);
const char *ef_mode_str(enum xdp_attach_mode mode);
/* The inverse for --mode: "native" or "generic", else a usage error. */
int ef_mode_parse(const char *s, enum xdp_attach_mode *mode);
/* The entry of devs named name, NULL if none. */
const struct ef_attached *ef_attached_find(const struct ef_attached *devs, size_t n,
					   const char *name);

/* Puts every non-loopback device of this netns in evenflow_tx_ports and
 * removes the ones that are gone. */
int ef_tx_ports_sync(struct ef_dp *dp);

/* The configuration generation the data plane reads (0 or 1). */
int ef_dp_gen(const struct ef_dp *dp, __u32 *gen);

/* Entries [start, start + n) of an array map, read into / written from
 * vals (n values of value_size bytes): through a mapping for a
 * BPF_F_MMAPABLE array, else in batches where the kernel can. A mapped write
 * is plain memory stores: for data the data plane is not reading. */
int ef_array_read(int fd, __u32 start, __u32 n, size_t value_size, void *vals);
int ef_array_write(int fd, __u32 start, __u32 n, size_t value_size, const void *vals);

/* Entries of a hash-like map (walks the keys). */
long ef_map_count(int fd, size_t key_size);
/* Flows in the connection table (valid ways of every bucket). */
long ef_conntrack_count(const struct ef_dp *dp);
/* Sum over the CPUs of a per-CPU value made of nwords __u64 (out[nwords]). */
int ef_percpu_sum(int fd, __u32 key, int ncpus, size_t nwords, __u64 *out);
/* Zeroes a per-CPU entry of value_size bytes. */
int ef_percpu_zero(int fd, __u32 key, int ncpus, size_t value_size);

#endif /* EF_DATAPLANE_H */
