/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * maps.h: map I/O the control plane does in bulk: stretches of array maps,
 * per-CPU values summed or zeroed, entries counted. Errors are returned as
 * negative errno, not recorded: the caller knows which map it was.
 */
#ifndef EF_MAPS_IO_H
#define EF_MAPS_IO_H

#include <stdbool.h>
#include <stddef.h>

#include "evenflow.h"

/* Entries [start, start + n) of an array map, read into / written from
 * vals (n values of value_size bytes): through a mapping for a
 * BPF_F_MMAPABLE array, else in batches where the kernel can. A mapped write
 * is plain memory stores: for data the data plane is not reading. */
int ef_array_read(int fd, __u32 start, __u32 n, size_t value_size, void *vals);
int ef_array_write(int fd, __u32 start, __u32 n, size_t value_size, const void *vals);

/* Sum over the CPUs of a per-CPU value made of nwords __u64 (out[nwords]). */
int ef_percpu_sum(int fd, __u32 key, int ncpus, size_t nwords, __u64 *out);
/* Zeroes a per-CPU entry of value_size bytes. */
int ef_percpu_zero(int fd, __u32 key, int ncpus, size_t value_size);

/* Map-of-maps slots, u32 keys: does slot key of outer hold inner_fd's map?
 * Sets or deletes n slots in one call where the kernel can: every change of
 * a map-of-maps waits for an RCU grace period (about 10 ms), a batch waits
 * once for all of its slots. Deleting an empty slot is not an error. */
bool ef_outer_holds(int outer, __u32 key, int inner_fd);
int ef_outer_update(int outer, const __u32 *keys, const int *inner_fds, __u32 n);
int ef_outer_delete(int outer, const __u32 *keys, __u32 n);

/* Entries of a hash-like map (walks the keys). */
long ef_map_count(int fd, size_t key_size);
/* How full the connection table is: slots, ways holding a flow (entries
 * idled out count until reused) and of those, the established ones. */
struct ef_ct_fill {
	__u64 slots, used, established;
};
/* Reads it through a mapping of the table (16 MiB at the default size:
 * a few ms), else bucket by bucket. */
int ef_conntrack_fill(int conntrack_fd, struct ef_ct_fill *fill);

#endif /* EF_MAPS_IO_H */
