/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * hash.h: the hashes that pick a backend, shared by the BPF program and user
 * space (`evenflow lookup`, the Maglev fill, the tests), so both compute the
 * same value for the same flow.
 *
 * The functions read address words as little-endian integers whatever the
 * host, so two hosts with the same configuration choose alike (see README:
 * "Consistency across load balancers").
 *
 * The mixing steps are those of MurmurHash3 (public domain, Austin Appleby).
 */
#ifndef EF_HASH_H
#define EF_HASH_H

#include "../evenflow.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/*
 * The flow-hash version. Load balancers that share a VIP's traffic (ECMP in
 * front of several) send a new flow, or a flow that moved to them, to the
 * same backend only if they map a 5-tuple to a backend alike: the same flow
 * hash (ef_flow_hash2 below) and the same Maglev fill (ef_hash_addr with the
 * permutation seeds below, and the quotas and walk of user/maglev.c). Any
 * change to either must bump this number: it goes into the sibling
 * fingerprint (user/fingerprint.h), so instances of two versions show
 * different fingerprints instead of silently disagreeing. It lives here,
 * beside the hash, so that a change to the hash meets it in the same diff;
 * tests/unit/test_fingerprint.c pins this version's outputs and fails on a
 * change made without a bump.
 *   1: two MurmurHash3 lanes over the 5-tuple
 *   2: one splitmix64 pass
 *   3: the port word multiplied apart and folded in before the last mix
 */
#define EF_FLOW_HASH_VERSION 3

/* Seeds: one per use, so the flow, VIP-key and permutation hashes differ. */
#define EF_SEED_OFFSET	0x9e3779b9U
#define EF_SEED_SKIP	0x85ebca77U
#define EF_SEED_FLOW64	0x9e3779b97f4a7c15ULL
#define EF_SEED_VIP64	0xd3a2646c165667b1ULL
#define EF_SEED_PORTS64 0xc2b2ae3d27d4eb4fULL

static __always_inline __u32 ef_le32(__u32 x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap32(x);
#else
	return x;
#endif
}

static __always_inline __u32 ef_rotl32(__u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static __always_inline __u32 ef_hash_mix(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51U;
	k = ef_rotl32(k, 15);
	k *= 0x1b873593U;
	h ^= k;
	h = ef_rotl32(h, 13);
	return h * 5 + 0xe6546b64U;
}

static __always_inline __u32 ef_hash_final(__u32 h, __u32 len)
{
	h ^= len;
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

/* Hash of an address (IPv4 hashes one word, IPv6 four). */
static __always_inline __u32 ef_hash_addr(const struct ef_addr *a, __u8 family, __u32 seed)
{
	__u32 h = seed;

	h = ef_hash_mix(h, ef_le32(a->a32[0]));
	if (family == EF_FAMILY_V6) {
		h = ef_hash_mix(h, ef_le32(a->a32[1]));
		h = ef_hash_mix(h, ef_le32(a->a32[2]));
		h = ef_hash_mix(h, ef_le32(a->a32[3]));
	}
	return ef_hash_final(h, family);
}

/* splitmix64's finalizer (Sebastiano Vigna, public domain): a full 64-bit
 * avalanche in two multiplications. */
static __always_inline __u64 ef_mix64(__u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* Two words as one 64-bit value (a in the low half). */
static __always_inline __u64 ef_pair(__u32 a, __u32 b)
{
	return (__u64)ef_le32(a) | (__u64)ef_le32(b) << 32;
}

/* The flow hash's first and last steps: the first address words, then the
 * ports (sport and dport as one word, in wire order, like the addresses),
 * family and protocol. The last step's multiplication does not depend on
 * the addresses, so the CPU overlaps it with the steps before: for IPv4 the
 * whole hash is one mix after it. */
static __always_inline __u64 ef_flow_first(__u32 src0, __u32 dst0)
{
	return ef_pair(src0, dst0) ^ EF_SEED_FLOW64;
}

static __always_inline __u64 ef_flow_last(__u64 x, __u32 ports, __u8 family, __u8 proto)
{
	__u64 rest = (__u64)ef_le32(ports) | (__u64)((family << 8) | proto) << 32;

	return ef_mix64(x ^ rest * EF_SEED_PORTS64);
}

/* A 64-bit hash of a flow's 5-tuple, split in two: `h` (the low half)
 * indexes the Maglev table (modulo its size) and the connection table's
 * buckets; `fp` (the high half) tells the flow apart within its bucket. */
static __always_inline void ef_flow_hash2(const struct ef_flow_key *k, __u32 *h, __u32 *fp)
{
	__u32 ports;
	__u64 x;

	/* memcpy, not a __u32 load: user space compiles this with strict aliasing */
	__builtin_memcpy(&ports, &k->sport, sizeof(ports));
	x = ef_flow_first(k->src.a32[0], k->dst.a32[0]);
	if (k->family == EF_FAMILY_V6) {
		x = ef_mix64(x);
		x = ef_mix64(x ^ ef_pair(k->src.a32[1], k->dst.a32[1]));
		x = ef_mix64(x ^ ef_pair(k->src.a32[2], k->dst.a32[2]));
		x = ef_mix64(x ^ ef_pair(k->src.a32[3], k->dst.a32[3]));
	}
	x = ef_flow_last(x, ports, k->family, k->proto);
	*h = (__u32)x;
	*fp = (__u32)(x >> 32);
}

/* The flow hash alone (Maglev slot = 1 + hash % M). */
static __always_inline __u32 ef_flow_hash(const struct ef_flow_key *k)
{
	__u32 h, fp;

	ef_flow_hash2(k, &h, &fp);
	return h;
}

/* Hash of a VIP key, for the VIP index. */
static __always_inline __u32 ef_vip_hash(const struct ef_vip_key *k)
{
	__u64 x =
	    ef_pair(k->addr.a32[0], ((__u32)k->port << 16) | ((__u32)k->family << 8) | k->proto);

	if (k->family == EF_FAMILY_V6)
		x ^= ef_mix64(ef_pair(k->addr.a32[1], k->addr.a32[2]) ^ ef_le32(k->addr.a32[3]));
	return (__u32)ef_mix64(x ^ EF_SEED_VIP64);
}

/* Bit of the VIP pre-filter bitmap that an address sets: a multiplicative
 * hash of the address (folded to one word for IPv6), cheap enough to run on
 * every packet that is not for a VIP. EF_VIP_FILTER_WORDS * 64 must be 2^18. */
#define EF_FILTER_BITS_LOG2 18
static __always_inline __u32 ef_filter_bit_of(__u32 x)
{
	return (x * 0x9e3779b1U) >> (32 - EF_FILTER_BITS_LOG2);
}

static __always_inline __u32 ef_filter_bit(const struct ef_addr *a, __u8 family)
{
	__u32 x = ef_le32(a->a32[0]);

	if (family == EF_FAMILY_V6)
		x ^= ef_rotl32(ef_le32(a->a32[1]), 8) ^ ef_rotl32(ef_le32(a->a32[2]), 16) ^
		     ef_rotl32(ef_le32(a->a32[3]), 24);
	return ef_filter_bit_of(x);
}

#endif /* EF_HASH_H */
