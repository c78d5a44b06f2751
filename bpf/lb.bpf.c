// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lb.bpf.c: the evenflow XDP load balancer.
 *
 * parse -> is it for a VIP? -> choose a backend (connection table, else the
 * VIP's Maglev table) -> encapsulate or rewrite MACs -> send. Every packet
 * ends under exactly one verdict reason (enum ef_verdict) and its counter.
 */
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/select.h"
#include "lib/forward.h"
#include "lib/stats.h"
#include "lib/vip_index.h"

/* Is this destination address one of the VIPs' (a superset: a bitmap)? */
static __always_inline int ef_maybe_vip_addr(const struct ef_pkt *p)
{
	__u32 bit = ef_filter_bit(&p->key.dst, p->key.family);
	__u32 word = bit / 64;
	__u64 *bits = bpf_map_lookup_elem(&evenflow_vip_filter, &word);

	return bits && (*bits & (1ULL << (bit % 64)));
}

/* The VIP with this key in generation gen, from the VIP index
 * (lib/vip_index.h), or NULL. */
static __always_inline struct ef_vip *ef_index_lookup(const struct ef_vip_key *key, __u32 gen)
{
	__u32 h = ef_vip_hash(key);
	__u32 b[2] = {ef_gen_bucket(gen, ef_vip_bucket1(h)), ef_gen_bucket(gen, ef_vip_bucket2(h))};

#pragma unroll
	for (int i = 0; i < 2; i++) {
		struct ef_vip_bucket *bucket = bpf_map_lookup_elem(&evenflow_vip_index, &b[i]);

		if (!bucket)
			return NULL;
#pragma unroll
		for (int w = 0; w < EF_VIP_INDEX_WAYS; w++) {
			__u32 way = bucket->way[w], id;
			struct ef_vip_info *info;

			if (!ef_vip_way_matches(way, h))
				continue;
			id = ef_gen_vip(gen, ef_vip_way_id(way));
			info = bpf_map_lookup_elem(&evenflow_vip_info, &id);
			if (info && ef_vip_key_eq(&info->key, key))
				return &info->vip;
		}
	}
	return NULL;
}

/* The VIP for (dst, dport, proto), falling back to the VIP with port 0. */
static __always_inline struct ef_vip *ef_find_vip(const struct ef_pkt *p, __u32 gen)
{
	struct ef_vip_key key = {
	    .addr = p->key.dst,
	    .port = p->key.dport,
	    .proto = p->key.proto,
	    .family = p->key.family,
	};
	struct ef_vip *vip = ef_index_lookup(&key, gen);

	if (vip)
		return vip;
	key.port = 0;
	return ef_index_lookup(&key, gen);
}

/* The VIP of an established flow's backend, if the packet is still for it
 * (its address, protocol and port, or any port for a port-0 VIP), else NULL.
 * An established flow thus skips the VIP index, and stays with its VIP even
 * if a VIP for its exact port appears later. */
static __always_inline struct ef_vip *ef_vip_of_flow(const struct ef_pkt *p, __u32 gen,
						     const struct ef_backend *backend)
{
	__u32 key = ef_gen_vip(gen, backend->vip_id);
	struct ef_vip_info *info = bpf_map_lookup_elem(&evenflow_vip_info, &key);

	if (!info || info->key.family != p->key.family || info->key.proto != p->key.proto ||
	    (info->key.port && info->key.port != p->key.dport) ||
	    info->key.addr.a32[0] != p->key.dst.a32[0] ||
	    info->key.addr.a32[1] != p->key.dst.a32[1] ||
	    info->key.addr.a32[2] != p->key.dst.a32[2] ||
	    info->key.addr.a32[3] != p->key.dst.a32[3])
		return NULL;
	return &info->vip;
}

/* Is the destination address one of a VIP's, whatever port and protocol? */
static __always_inline int ef_is_vip_addr(const struct ef_pkt *p)
{
	struct ef_vip_key key = {.addr = p->key.dst, .family = p->key.family};

	return bpf_map_lookup_elem(&evenflow_vip_addrs, &key) != NULL;
}

SEC("xdp")
int evenflow_lb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct ef_cursor c = {.pos = data, .end = (void *)(long)ctx->data_end};
	struct ef_pkt p = {};
	struct ef_ct_slot ct = {.way = -1};
	struct ef_backend *found;
	struct ef_choice choice;
	struct ef_vip *vip;
	__u32 found_id = 0;
	int proto;
	__u32 gen;

	proto = ef_parse_eth(&c);
	if (proto < 0)
		return ef_verdict(EF_V_DROP_MALFORMED, XDP_DROP);
	p.l3_off = c.pos - data;
	p.frame_len = c.end - data;
	if (proto == bpf_htons(ETH_P_IP))
		proto = ef_parse_ipv4(&c, &p);
	else if (proto == bpf_htons(ETH_P_IPV6))
		proto = ef_parse_ipv6(&c, &p);
	else
		return ef_verdict(EF_V_PASS_NOT_IP, XDP_PASS);
	if (proto == EF_PARSE_UNSUPPORTED)
		return ef_is_vip_addr(&p) ? ef_verdict(EF_V_DROP_MALFORMED, XDP_DROP)
					  : ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
	if (proto < 0)
		return ef_verdict(EF_V_DROP_MALFORMED, XDP_DROP);

	if (!ef_maybe_vip_addr(&p))
		return ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
	if (p.fragment)
		return ef_is_vip_addr(&p) ? ef_verdict(EF_V_DROP_FRAGMENT, XDP_DROP)
					  : ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
	if (ef_parse_l4(&c, &p) < 0)
		return ef_is_vip_addr(&p) ? ef_verdict(EF_V_DROP_MALFORMED, XDP_DROP)
					  : ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);

	gen = ef_active_gen();
	ef_flow_hash2(&p.key, &choice.hash, &ct.fp);
	ct.bucket = ef_ct_bucket_of(choice.hash);
	found = ef_ct_find(gen, &ct, &found_id);
	vip = found ? ef_vip_of_flow(&p, gen, found) : NULL;
	if (!vip)
		vip = ef_find_vip(&p, gen);
	if (!vip)
		return ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
	if (ef_select(vip, gen, &p, &ct, found, found_id, &choice) < 0)
		return ef_verdict(EF_V_DROP_NO_BACKEND, XDP_DROP);

	if (vip->forward == EF_FWD_L2)
		return ef_forward_l2(ctx, &p, vip, &choice);
	return ef_forward_ipip(ctx, &p, vip, &choice);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
