/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fingerprint.h: what sibling load balancers compare to know that they send
 * a new flow to the same backend (pure: no BPF, no I/O, no allocation).
 *
 * A VIP's fingerprint is a 64-bit hash of exactly what decides where one of
 * its new flows goes, which is what its Maglev table is built from:
 *   - the flow-hash version (EF_FLOW_HASH_VERSION, bpf/lib/hash.h);
 *   - the VIP key (family, address, port, protocol);
 *   - the table size as it is built (the configured size, else the default
 *     for its number of backends);
 *   - every backend that is in the table, i.e. whose effective state is
 *     `up`, with its address and weight.
 * A `drain` and a `down` backend hash alike (neither takes new flows) and
 * their weights do not count (they build no slots); the forwarding mode and
 * outer sources do not count either (they change how a packet travels, not
 * where). The overall fingerprint hashes the version and every VIP's
 * fingerprint. Both are independent of the order of VIPs and backends
 * (multiset sums of mixed elements), and of the host (every field is read
 * as a number or in network byte order), so equal configurations agree on
 * every machine and across restarts.
 *
 * Effective states: compute it over the running configuration
 * (ef_conf_read), where health checks have already turned backends down.
 */
#ifndef EF_FINGERPRINT_H
#define EF_FINGERPRINT_H

#include <stddef.h>

#include "core/model.h"

/* 16 hex digits and a NUL. */
#define EF_FINGERPRINT_STRLEN 17

/* The fingerprint of one VIP. */
__u64 ef_fingerprint_vip(const struct ef_conf_vip *v);

/* The fingerprint of a whole configuration; per_vip (may be NULL) receives
 * each VIP's, in c->vips' order (c->n_vips entries). */
__u64 ef_fingerprint(const struct ef_conf *c, __u64 *per_vip);

/* "%016llx": how the fingerprint is shown and compared between hosts. */
const char *ef_fingerprint_str(__u64 fp, char *buf, size_t len);

#endif /* EF_FINGERPRINT_H */
