/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * maps.h: every map of the LB program, each pinned under the pin dir by name.
 * "CLI" below means the control plane (the evenflow CLI and daemon).
 *
 * The arrays the control plane reads or writes whole are BPF_F_MMAPABLE: it
 * maps them and copies, instead of one syscall element by element (a
 * 65537-slot table: about 16 ms by batch update, well under 1 ms mapped).
 */
#ifndef EF_MAPS_H
#define EF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "../evenflow.h"

/* The configuration generation the data plane reads (0 or 1; see
 * evenflow.h). Written by the CLI, last, to commit a configuration. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evenflow_gen SEC(".maps");

/* VIPs, per generation, indexed by gen * EF_MAX_VIPS + VIP id; a zero
 * family marks an unused id. Written by the CLI. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, EF_GENS *EF_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct ef_vip_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evenflow_vip_info SEC(".maps");

/* VIP key hash -> VIP ids (two-choice buckets; lib/vip_index.h), per
 * generation: gen * EF_VIP_INDEX_BUCKETS + bucket. Written by the CLI. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, EF_GENS *EF_VIP_INDEX_BUCKETS);
	__type(key, __u32);
	__type(value, struct ef_vip_bucket);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evenflow_vip_index SEC(".maps");

/* VIP addresses (port 0, proto 0) -> number of VIPs on them and whether
 * the address answers echo (EF_ADDR_*); tells which fragments to drop. Written by the CLI; during a
 * commit it holds the addresses of both generations (room for both). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EF_GENS *EF_MAX_VIPS);
	__type(key, struct ef_vip_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evenflow_vip_addrs SEC(".maps");

/* Bitmap over ef_filter_bit() of every VIP address: a clear bit lets a packet
 * pass without a VIP lookup. Written by the CLI, a superset of the VIPs of
 * both generations during a commit. Global data in a section of its own (a
 * map of one 32 KiB value, pinned as evenflow_vip_filter by the loader): a
 * packet reads its word with one load, where a map lookup sends the word's
 * index through the stack first (about 1 ns of the ~8 a packet not for a VIP
 * costs here). */
__u64 evenflow_vip_filter[EF_VIP_FILTER_WORDS] SEC(".data.vip_filter");

/* Datagrams arriving in fragments: where each first fragment went, so the
 * later ones (no ports) follow it (lib/frag.h). Written by the data plane. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, EF_FRAGS_MAX);
	__type(key, struct ef_frag_key);
	__type(value, struct ef_frag);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evenflow_frags SEC(".maps");

/* The device table (struct ef_device), slot ifindex % EF_DEV_SLOTS: each
 * device's MAC and VLAN ids. Written by the CLI (every device of the
 * namespace, when it attaches or commits). Global data in a section of its
 * own, pinned as evenflow_devices by the loader, read with plain loads like
 * the filter above. */
struct ef_device evenflow_devices[EF_DEV_SLOTS] SEC(".data.devices");

/* Backends of all VIPs, per generation: gen * EF_MAX_BACKENDS + backend
 * id. A backend keeps its id (and gen) across generations. Written by the
 * CLI. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, EF_GENS *EF_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct ef_backend);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evenflow_backends SEC(".maps");

/* Template of a Maglev table: slots 1..M hold backend ids; slot 0 holds M
 * for readers in user space (the data plane takes M from the VIP's entry of
 * the same generation). BPF_F_INNER_MAP lets each VIP's table have its own
 * size. */
struct ef_maglev_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

/* gen * EF_MAX_VIPS + VIP id -> the VIP's Maglev table in that generation
 * (an unchanged table is shared by both). Written by the CLI. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, EF_GENS *EF_MAX_VIPS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct ef_maglev_table);
} evenflow_maglev SEC(".maps");

/* Connection table: buckets of flows pinned to their backends
 * (lib/ct_entry.h). Written by the data plane; sized at attach
 * (--conntrack-size slots, EF_CT_WAYS per bucket, buckets a power of two). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, EF_CONNTRACK_DEFAULT / EF_CT_WAYS);
	__type(key, __u32);
	__type(value, struct ef_ct_bucket);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evenflow_conntrack SEC(".maps");

/* The FIB's answer per backend, per CPU, refreshed every second (and when
 * the backend's gen changes). Written by the data plane. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EF_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct ef_nexthop);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evenflow_nexthop SEC(".maps");

/* Devices the data plane may redirect to, keyed by ifindex. Written by the CLI
 * (every non-loopback device of the namespace). */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, EF_MAX_TX_PORTS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evenflow_tx_ports SEC(".maps");

/* Verdict counters, indexed by enum ef_verdict. Written by the data plane. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EF_V_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evenflow_verdicts SEC(".maps");

/* This CPU's budget of generated replies (lib/reply.h). Written by the data
 * plane. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ef_reply_budget);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evenflow_reply_budget SEC(".maps");

/* Connection-table events, indexed by enum ef_ct_stat. Written by the data
 * plane. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EF_CTS_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evenflow_ct_stats SEC(".maps");

/* Traffic per VIP, indexed by VIP id. Written by the data plane. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EF_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct ef_traffic);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evenflow_vip_stats SEC(".maps");

/* Traffic per backend, indexed by backend id. Written by the data plane;
 * zeroed by the CLI when it gives a backend id out again. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EF_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct ef_traffic);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evenflow_backend_stats SEC(".maps");

#endif /* EF_MAPS_H */
