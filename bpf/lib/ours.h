/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ours.h: is a frame addressed to the LB at all?
 *
 * The kernel drops a unicast frame sent to another host's MAC (seen on a
 * shared segment or by a promiscuous device) and handles broadcast and
 * multicast itself; a frame tagged with a VLAN the host has no sub-interface
 * for is not the host's either (on a trunk port, load-balancing it would
 * bridge VLANs). Such frames are passed untouched (pass_not_ours), never
 * load-balanced. The device table (maps.h) holds each device's MAC and
 * VLANs; a device the CLI has not recorded (its slot holds another ifindex)
 * is checked for broadcast and multicast only, and takes no tagged frames.
 */
#ifndef EF_OURS_H
#define EF_OURS_H

#include "maps.h"
#include "parse.h"

/* Is a frame to destination MAC `dst`, outer VLAN id vid (0: none), that
 * arrived on device `ifindex`, addressed to it? */
static __always_inline int ef_frame_ours(const __u8 *dst, __u32 ifindex, __u16 vid)
{
	const struct ef_device *d = &evenflow_devices[ifindex & (EF_DEV_SLOTS - 1)];

	if (dst[0] & 1) /* the group bit: broadcast or multicast */
		return 0;
	if (d->ifindex != ifindex)
		return !vid;
	if (*(const __u32 *)dst != *(const __u32 *)d->mac ||
	    *(const __u16 *)(dst + 4) != *(const __u16 *)(d->mac + 4))
		return 0;
	return !vid || ((d->vlans[vid / 64] >> (vid % 64)) & 1);
}

#endif /* EF_OURS_H */
