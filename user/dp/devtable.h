/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * devtable.h: what the data plane knows of the namespace's devices: where it
 * may redirect (evenflow_tx_ports) and, per device, the MAC and VLAN ids a
 * frame must be sent to for the LB to act on it (evenflow_devices; see
 * bpf/lib/ours.h).
 */
#ifndef EF_DEVTABLE_H
#define EF_DEVTABLE_H

#include "dp/lb.h"

/* Where the kernel lists VLAN sub-interfaces (name | id | parent). */
#define EF_VLAN_CONFIG "/proc/net/vlan/config"

/* Writes the device table whole from the namespace's devices: each
 * non-loopback device with an Ethernet address, its MAC, and the VLAN ids
 * of the sub-interfaces vlan_config lists on it (a missing file: none). A
 * device whose slot another already holds is left out, with a warning (the
 * data plane then checks its frames for broadcast and multicast only).
 * Returns 0 or a negative errno, recorded. */
int ef_device_table_write(int devices_fd, const char *vlan_config);

/* Both maps, from the namespace as it is now (before a commit or an
 * attach). */
int ef_devices_sync(const struct ef_dp *dp);

#endif /* EF_DEVTABLE_H */
