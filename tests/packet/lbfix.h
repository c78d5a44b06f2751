/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * lbfix.h: the LB program under test and its maps.
 *
 * The configuration (VIPs, backends, tables) is plain data, with the ids,
 * gens and tables the cases choose, committed through the library's commit
 * (ef_image_commit: the product's map layout, VIP index and address filter,
 * and a generation flip at every write, so the cases run on both
 * generations). The fixture remembers what it wrote, so the backend a flow
 * must get is computed here, from ef_flow_hash() and the table, not read
 * back from the program.
 */
#ifndef LBFIX_H
#define LBFIX_H

#include <stdint.h>
#include "evenflow.h"
#include "frame.h"
#include "run.h"

#define LBFIX_MAX_BACKENDS 64
#define LBFIX_MAX_VIPS	   32
#define LBFIX_VIP_BACKENDS 4
/* Replies the fixture's program may send per second per CPU. */
#define LBFIX_REPLY_RATE 20
/* The VLAN id configured on in0 (the frames' default tag). */
#define LBFIX_VLAN 100

struct lbfix_backend {
	const char *addr;
	const char *src; /* outer source toward it (ef_backend.src) */
	uint8_t state;	 /* enum ef_backend_state; 0 (FREE) means UP here */
	uint32_t gen;
	uint32_t vip_id;
};

struct lbfix_vip {
	const char *addr;
	uint16_t port;
	uint8_t proto;
	uint8_t forward;     /* enum ef_forward */
	const char *src;     /* outer source override (EF_VIP_F_SRC4/SRC6), or NULL */
	uint32_t table_size; /* Maglev table slots; 0: the VIP has no table */
	uint32_t backends[LBFIX_VIP_BACKENDS]; /* backend ids filling the table; 0 ends */
	int no_echo;			       /* EF_VIP_F_NO_ECHO */
};

/* Indexed by id (id 0 unused); filled by the cases. */
extern struct lbfix_backend lbfix_backends[LBFIX_MAX_BACKENDS];
extern struct lbfix_vip lbfix_vips[LBFIX_MAX_VIPS];

struct lb_bpf;
/* The skeleton's global-data maps (the VIP filter, the device table) set to
 * be pinned by name under dir, as the loader pins them (dp/lb.c): 0 or an
 * error. */
int lbfix_pin_globals(struct lb_bpf *lb, const char *dir);
/* Load lb.bpf.o (pinning its maps in the topology's bpffs) and write the
 * configuration. Returns 0 or -1. */
int lbfix_load(int fast_path);
/* `base`, marked when the loaded program runs without its fast path. */
const char *lbfix_group(const char *base);
void lbfix_unload(void);

int lbfix_prog_fd(void);
/* The loaded program's pins, opened as the CLI opens them. */
struct ef_dp *lbfix_dp(void);
/* The LB's verdict counters (evenflow_verdicts, named by EF_VERDICT_LIST). */
const struct counters *lbfix_counters(void);

/* Commit after changing lbfix_backends[id] (state or gen). */
void lbfix_write_backend(uint32_t id);
/* Build a new table for the VIP from `ids` (0-terminated) and commit it. */
void lbfix_write_table(uint32_t vip_id, const uint32_t *ids);
void lbfix_clear_conntrack(void);
/* The connection entry of a flow; returns 0, or -1 if there is none. */
int lbfix_conntrack(const struct ef_flow_key *k, uint32_t *backend, uint32_t *gen);
/* Write an entry for this flow naming `backend` (of its current gen) in the
 * first way of the flow's bucket, as a fingerprint collision would leave
 * (an established TCP entry, seen now). */
void lbfix_plant_conntrack(const struct ef_flow_key *k, uint32_t backend);
/* Write the flow's entry (its own way, else the first) naming `backend`
 * with state bits `flags` (EF_CT_ESTAB, ...), last seen `age` units of its
 * clock ago (0: now; 505: idled out whatever the timeout). */
void lbfix_plant_entry(const struct ef_flow_key *k, uint32_t backend, uint64_t flags, uint32_t age);
/* The flow's raw entry; returns 0, or -1 if there is none. */
int lbfix_conntrack_entry(const struct ef_flow_key *k, uint64_t *entry);
/* Every CPU's reply budget full again. */
void lbfix_reset_reply_budget(void);
/* A connection-table event counter (evenflow_ct_stats, summed over CPUs). */
uint64_t lbfix_ct_stat(enum ef_ct_stat what);
/* Buckets of the connection table. */
uint32_t lbfix_ct_buckets(void);
/* Packets counted for a VIP / a backend (summed over CPUs). */
uint64_t lbfix_vip_packets(uint32_t vip_id);
uint64_t lbfix_backend_packets(uint32_t id);

/* The backend the VIP's current table gives to the flow. */
uint32_t lbfix_table_choice(uint32_t vip_id, const struct ef_flow_key *k);

/* Expected frames. `rx` is the frame the LB received. */
/* ipip: Ethernet (dmac, smac) + outer header toward `backend` + the received IP packet. */
void lbfix_expect_encap(struct pkt *out, const struct pkt *rx, const struct frame *f,
			uint32_t vip_id, uint32_t backend, const uint8_t dmac[6],
			const uint8_t smac[6]);
/* l2: the received frame with new MACs. */
/* The ICMP (ICMPv6) "too big" answer to frame rx (built from f), announcing
 * mtu: back to the sender's MAC, from the VIP, quoting the packet's start. */
void lbfix_expect_icmp(struct pkt *out, const struct pkt *rx, const struct frame *f,
		       unsigned int mtu);
/* The echo reply to the echo request rx (built from f): MACs and addresses
 * swapped, type echo reply, TTL 64, VLAN tags kept. */
void lbfix_expect_echo(struct pkt *out, const struct pkt *rx, const struct frame *f);
void lbfix_expect_l2(struct pkt *out, const struct pkt *rx, const uint8_t dmac[6],
		     const uint8_t smac[6]);

#endif /* LBFIX_H */
