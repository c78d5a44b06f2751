/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * lb_row.h: one LB packet case as a table row, and how a row is run.
 */
#ifndef LB_ROW_H
#define LB_ROW_H

#include "frame.h"

/* What must come out. */
enum lb_out {
	OUT_NONE,  /* dropped: the frame is not checked */
	OUT_SAME,  /* passed byte-identical */
	OUT_ENCAP, /* encapsulated toward the backend the VIP's table gives */
	OUT_L2,	   /* MACs rewritten toward that backend */
	OUT_ANY,   /* forwarded, only action and counter checked (generated cases) */
	OUT_ICMP,  /* answered: ICMP "too big" back to the client, announcing .mtu */
	OUT_ECHO,  /* answered: ICMP echo reply back to the client */
};

/* Frame changes applied after building (malformed frames). */
enum lb_mutate {
	MUT_NONE,
	MUT_IHL4,	  /* IPv4 IHL 4 */
	MUT_VERSION,	  /* IP version 5 */
	MUT_TOTLEN_BIG,	  /* IPv4 tot_len one past the frame */
	MUT_TOTLEN_SMALL, /* IPv4 tot_len below the header length */
	MUT_PLEN_BIG,	  /* IPv6 payload_len one past the frame */
	MUT_DOFF4,	  /* TCP doff 4 */
	MUT_UDPLEN7,	  /* UDP length 7 */
	MUT_PAD,	  /* 20 bytes of Ethernet padding after the IP packet */
};

/* Where the frame is sent. */
enum lb_to {
	TO_DEV,	  /* the ingress device's MAC */
	TO_BCAST, /* ff:ff:ff:ff:ff:ff */
	TO_MCAST, /* an IPv4 multicast MAC */
	TO_OTHER, /* another host's unicast MAC */
};

struct lb_row {
	const char *name;
	struct frame in;
	enum lb_mutate mutate;
	const char *ingress; /* device the frame arrives on; NULL: in0 */
	int action;	     /* expected XDP action */
	int verdict;	     /* enum ef_verdict that must go up by one */
	enum lb_out out;
	unsigned int vip;   /* OUT_ENCAP/OUT_L2: the VIP that must match */
	const char *egress; /* OUT_ENCAP/OUT_L2: the device it leaves by (source MAC) */
	const char *via;    /* next hop whose MAC is the destination; NULL: the backend */
	unsigned int cut;   /* non-zero: frame cut to this many bytes */
	int cut_fixlen;	    /* and the IP length field made to match the cut */
	unsigned int mtu;   /* OUT_ICMP: the MTU the answer announces */
	enum lb_to to;	    /* destination MAC */
};

/* Build the row's input frame (mutated and cut). */
void lb_row_frame(const struct lb_row *row, struct pkt *in);
/* Run one row: build, run, check action, counters, frame and traffic stats. */
void lb_row_run(const struct lb_row *row);
/* cmocka test function whose state is a struct lb_row. */
void lb_row_test(void **state);

#endif /* LB_ROW_H */
