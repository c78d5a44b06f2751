// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fingerprint.c: the sibling-agreement fingerprint; see fingerprint.h. */
#include <arpa/inet.h>
#include <stdio.h>

#include "core/fingerprint.h"
#include "lib/hash.h"
#include "core/model.h"

/* Seeds, one per kind of record, so a VIP never hashes like a backend. */
#define FP_SEED_VIP	0x6a09e667f3bcc908ULL
#define FP_SEED_BACKEND 0xbb67ae8584caa73bULL
#define FP_SEED_ALL	0x3c6ef372fe94f82bULL

/* Chains one 64-bit word into h: each step a full avalanche (ef_mix64). */
static __u64 fp_word(__u64 h, __u64 w)
{
	return ef_mix64(h ^ ef_mix64(w + 0x9e3779b97f4a7c15ULL));
}

/* 8 bytes of an address in network order, as a number: the same on every host. */
static __u64 fp_be64(const __u8 *p)
{
	__u64 x = 0;

	for (int i = 0; i < 8; i++)
		x = x << 8 | p[i];
	return x;
}

static __u64 fp_addr(__u64 h, const struct ef_addr *a, __u8 family)
{
	h = fp_word(h, family);
	h = fp_word(h, fp_be64(a->a8));
	return fp_word(h, family == EF_FAMILY_V6 ? fp_be64(a->a8 + 8) : 0);
}

static __u64 fp_backend(const struct ef_conf_backend *b)
{
	return fp_word(fp_addr(FP_SEED_BACKEND, &b->addr, b->family), b->weight);
}

__u64 ef_fingerprint_vip(const struct ef_conf_vip *v)
{
	__u64 h = FP_SEED_VIP, sum = 0, nup = 0;

	h = fp_word(h, EF_FLOW_HASH_VERSION);
	h = fp_addr(h, &v->key.addr, v->key.family);
	h = fp_word(h, (__u64)ntohs(v->key.port) << 8 | v->key.proto);
	h = fp_word(h, ef_vip_table_size(&v->vip, v->n_backends));
	for (size_t i = 0; i < v->n_backends; i++) {
		if (v->backends[i].state != EF_BE_UP)
			continue;
		sum += fp_backend(&v->backends[i]);
		nup++;
	}
	h = fp_word(h, nup);
	return fp_word(h, sum);
}

__u64 ef_fingerprint(const struct ef_conf *c, __u64 *per_vip)
{
	__u64 h = FP_SEED_ALL, sum = 0;

	for (size_t i = 0; i < c->n_vips; i++) {
		__u64 fp = ef_fingerprint_vip(&c->vips[i]);

		if (per_vip)
			per_vip[i] = fp;
		sum += ef_mix64(fp);
	}
	h = fp_word(h, EF_FLOW_HASH_VERSION);
	h = fp_word(h, c->n_vips);
	return fp_word(h, sum);
}

const char *ef_fingerprint_str(__u64 fp, char *buf, size_t len)
{
	snprintf(buf, len, "%016llx", (unsigned long long)fp);
	return buf;
}
