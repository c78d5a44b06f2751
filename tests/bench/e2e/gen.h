/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by gen.bpf.c and gen.c: the frame the generator writes. */
#ifndef EFB_GEN_H
#define EFB_GEN_H

/* UDP over IPv4 in a 60-byte Ethernet frame (the minimum, without FCS). */
#define GEN_FRAME_LEN	60
#define GEN_PAYLOAD_LEN (GEN_FRAME_LEN - 14 - 20 - 8)

#endif
