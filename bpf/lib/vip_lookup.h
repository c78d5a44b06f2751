/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * vip_lookup.h: which VIP a packet is for: the address filter, the VIP index
 * (lib/vip_index.h) and the check that an established flow's VIP is still
 * the packet's.
 */
#ifndef EF_VIP_LOOKUP_H
#define EF_VIP_LOOKUP_H

#include "maps.h"
#include "parse.h"
#include "gen.h"
#include "vip_index.h"

/* Is bit `bit` (ef_filter_bit() of an address) set in the VIP filter: might
 * the address be a VIP's? A clear bit means it is not. */
static __always_inline int ef_filter_has(__u32 bit)
{
	return (evenflow_vip_filter[(bit / 64) % EF_VIP_FILTER_WORDS] >> (bit % 64)) & 1;
}

/* Is this destination address one of the VIPs' (a superset: a bitmap)? */
static __always_inline int ef_maybe_vip_addr(const struct ef_pkt *p)
{
	return ef_filter_has(ef_filter_bit(&p->key.dst, p->key.family));
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

/* Is k the key of a VIP that a packet of this family to (daddr, proto,
 * dport) is for: same address (daddr: the packet's address words, one for
 * IPv4), protocol, and port or port 0? */
static __always_inline int ef_vip_key_matches(const struct ef_vip_key *k, __u8 family,
					      const __be32 *daddr, __u8 proto, __be16 dport)
{
	/* port, protocol and family, laid out as in the key: one word (a
	 * compare or two instead of four) */
	struct ef_vip_key_tail {
		__be16 port;
		__u8 proto;
		__u8 family;
	} exact = {dport, proto, family}, any_port = {0, proto, family};
	__u32 have, want, want_any;

	_Static_assert(__builtin_offsetof(struct ef_vip_key, family) ==
			   __builtin_offsetof(struct ef_vip_key, port) + 3,
		       "port, proto and family make one word");
	__builtin_memcpy(&have, &k->port, sizeof(have));
	__builtin_memcpy(&want, &exact, sizeof(want));
	__builtin_memcpy(&want_any, &any_port, sizeof(want_any));
	if ((have != want && have != want_any) || k->addr.a32[0] != daddr[0])
		return 0;
	/* an IPv4 VIP is its first address word */
	return family == EF_FAMILY_V4 ||
	       !((k->addr.a32[1] ^ daddr[1]) | (k->addr.a32[2] ^ daddr[2]) |
		 (k->addr.a32[3] ^ daddr[3]));
}

/* The VIP of an established flow's backend, if the packet (family, daddr,
 * proto, dport as above) is still for it, else NULL. An established flow
 * thus skips the VIP index, and stays with its VIP even if a VIP for its
 * exact port appears later. */
static __always_inline struct ef_vip *ef_vip_of_flow(__u32 gen, const struct ef_backend *backend,
						     __u8 family, const __be32 *daddr, __u8 proto,
						     __be16 dport)
{
	__u32 key = ef_gen_vip(gen, backend->vip_id);
	struct ef_vip_info *info = bpf_map_lookup_elem(&evenflow_vip_info, &key);

	if (!info || !ef_vip_key_matches(&info->key, family, daddr, proto, dport))
		return NULL;
	return &info->vip;
}

/* Is the destination address one of a VIP's, whatever port and protocol? */
static __always_inline int ef_is_vip_addr(const struct ef_pkt *p)
{
	struct ef_vip_key key = {.addr = p->key.dst, .family = p->key.family};

	return bpf_map_lookup_elem(&evenflow_vip_addrs, &key) != NULL;
}

#endif /* EF_VIP_LOOKUP_H */
