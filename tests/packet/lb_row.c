// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lb_row.c: running one LB case row (see lb_row.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include "lb_row.h"
#include "lbfix.h"
#include "topo.h"

static void mutate(struct pkt *p, enum lb_mutate m)
{
	int ip4 = pb_off(p, PB_IPV4, 0), ip6 = pb_off(p, PB_IPV6, 0);
	int tcp = pb_off(p, PB_TCP, 0), udp = pb_off(p, PB_UDP, 0);

	switch (m) {
	case MUT_NONE:
		break;
	case MUT_IHL4:
		pb_set8(p, ip4, 0x44);
		pb_ipv4_recsum(p, ip4);
		break;
	case MUT_VERSION:
		pb_set8(p, ip4 >= 0 ? ip4 : ip6, (p->data[ip4 >= 0 ? ip4 : ip6] & 0x0f) | 0x50);
		break;
	case MUT_TOTLEN_BIG:
		pb_set16(p, ip4 + 2, p->len - ip4 + 1);
		pb_ipv4_recsum(p, ip4);
		break;
	case MUT_TOTLEN_SMALL:
		pb_set16(p, ip4 + 2, (p->data[ip4] & 0x0f) * 4 - 1);
		pb_ipv4_recsum(p, ip4);
		break;
	case MUT_PLEN_BIG:
		pb_set16(p, ip6 + 4, p->len - ip6 - 40 + 1);
		break;
	case MUT_DOFF4:
		pb_set8(p, tcp + 12, 0x40);
		break;
	case MUT_UDPLEN7:
		pb_set16(p, udp + 4, 7);
		break;
	case MUT_PAD:
		memset(p->data + p->len, 0, 20);
		p->len += 20;
		break;
	}
}

void lb_row_frame(const struct lb_row *row, struct pkt *in)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	const uint8_t *dev = topo_dev_mac(row->ingress ? row->ingress : "in0");
	uint8_t other[6];

	memcpy(other, dev, sizeof(other));
	other[5] ^= 0x80;
	frame_build(in, &row->in,
		    row->to == TO_BCAST	  ? bcast
		    : row->to == TO_MCAST ? mcast
		    : row->to == TO_OTHER ? other
					  : dev);
	mutate(in, row->mutate);
	if (row->cut) {
		int ip4 = pb_off(in, PB_IPV4, 0), ip6 = pb_off(in, PB_IPV6, 0);

		assert_true(row->cut <= in->len);
		in->len = row->cut;
		if (row->cut_fixlen && ip4 >= 0) {
			pb_set16(in, ip4 + 2, row->cut - ip4);
			pb_ipv4_recsum(in, ip4);
		}
		if (row->cut_fixlen && ip6 >= 0)
			pb_set16(in, ip6 + 4, row->cut - ip6 - 40);
	}
}

/* The expected output of a forwarded row, and the backend it goes to. */
static uint32_t expected(const struct lb_row *row, const struct pkt *in, struct pkt *want)
{
	struct ef_flow_key key;
	const uint8_t *dmac, *smac;
	uint32_t backend;

	frame_key(&key, &row->in);
	backend = lbfix_table_choice(row->vip, &key);
	dmac = topo_neigh_mac(row->via ? row->via : lbfix_backends[backend].addr);
	smac = topo_dev_mac(row->egress);
	if (row->out == OUT_ENCAP)
		lbfix_expect_encap(want, in, &row->in, row->vip, backend, dmac, smac);
	else
		lbfix_expect_l2(want, in, dmac, smac);
	return backend;
}

/* One packet of the row's flow through the program, checked. */
static void run_once(const struct lb_row *row, const struct pkt *in, struct pkt *want)
{
	static struct run r;
	uint64_t vip_before = 0, be_before = 0;
	uint32_t backend = 0;
	int fwd = row->out == OUT_ENCAP || row->out == OUT_L2;

	if (fwd) {
		backend = expected(row, in, want);
		vip_before = lbfix_vip_packets(row->vip);
		be_before = lbfix_backend_packets(backend);
	}
	run_xdp(lbfix_prog_fd(), lbfix_counters(), in, row->ingress, &r);

	check_action(&r, row->action);
	check_counters(&r, lbfix_counters(), row->verdict);
	if (row->out == OUT_SAME)
		check_frame(&r, in);
	if (row->out == OUT_ECHO) {
		lbfix_expect_echo(want, in, &row->in);
		check_frame(&r, want);
	}
	if (row->out == OUT_ICMP) {
		lbfix_expect_icmp(want, in, &row->in, row->mtu);
		check_frame(&r, want);
	}
	if (!fwd)
		return;
	check_frame(&r, want);
	if (lbfix_vip_packets(row->vip) != vip_before + 1)
		fail_msg("VIP %u packets did not go up by one", row->vip);
	if (lbfix_backend_packets(backend) != be_before + 1)
		fail_msg("backend %u packets did not go up by one", backend);
}

/* The row's packet as the first of its flow, then again as the flow's next
 * packet: its entry now made (if the first made one), that one takes the
 * fast path where it applies (lib/fastpath.h) and must have exactly the same
 * outcome. */
void lb_row_run(const struct lb_row *row)
{
	static struct pkt in, want;

	lbfix_clear_conntrack();
	lb_row_frame(row, &in);
	run_once(row, &in, &want);
	run_once(row, &in, &want);
}

void lb_row_test(void **state)
{
	lb_row_run(*state);
}
