// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* addr.c: address, VIP and endpoint parsing and formatting; see addr.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/addr.h"

int ef_parse_u32(const char *s, __u32 min, __u32 max, __u32 *out)
{
	unsigned long long v = 0;
	const char *p;

	if (!s || !*s)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*p - '0');
		if (v > 0xffffffffULL)
			return -ERANGE;
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = (__u32)v;
	return 0;
}

int ef_addr_parse(const char *s, struct ef_addr *addr, __u8 *family, const char **why)
{
	struct ef_addr a = {};

	if (!s || !*s) {
		*why = "empty address";
		return -EINVAL;
	}
	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, a.a8) != 1) {
			*why = "invalid IPv6 address";
			return -EINVAL;
		}
		*family = EF_FAMILY_V6;
	} else {
		if (inet_pton(AF_INET, s, &a.a32[0]) != 1) {
			*why = strchr(s, '.') || (*s >= '0' && *s <= '9') ? "invalid IPv4 address"
									  : "invalid address";
			return -EINVAL;
		}
		*family = EF_FAMILY_V4;
	}
	*addr = a;
	return 0;
}

const char *ef_addr_unusable(const struct ef_addr *addr, __u8 family, enum ef_addr_use use)
{
	static const __u8 v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const struct ef_addr zero;
	const __u8 *b = addr->a8;

	if (family == EF_FAMILY_V4) {
		__u32 h = ntohl(addr->a32[0]);

		if (!h)
			return "the unspecified address";
		if (h >> 24 == 0)
			return "a 'this network' address (0.0.0.0/8)";
		if (h == 0xffffffffU)
			return "the broadcast address";
		if (h >> 28 == 0xe)
			return "a multicast address";
		if (h >> 24 == 127)
			return "a loopback address";
		if (use == EF_ADDR_VIP && h >> 16 == 0xa9fe)
			return "a link-local address";
		return NULL;
	}
	if (!memcmp(addr, &zero, sizeof(zero)))
		return "the unspecified address";
	if (!memcmp(b, zero.a8, 15) && b[15] == 1)
		return "the loopback address";
	if (b[0] == 0xff)
		return "a multicast address";
	if (!memcmp(b, v4mapped, sizeof(v4mapped)))
		return "an IPv4-mapped IPv6 address (give the IPv4 address)";
	if (use == EF_ADDR_VIP && b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return "a link-local address";
	return NULL;
}

/*
 * Splits "ADDR:PORT" / "[ADDR]:PORT" (s is modified) into its address text and
 * port text.
 */
static int split_host_port(char *s, char **host, char **port, const char **why)
{
	char *colon;

	if (s[0] == '[') {
		char *end = strchr(s, ']');

		if (!end) {
			*why = "missing ']' after IPv6 address";
			return -EINVAL;
		}
		*end = '\0';
		*host = s + 1;
		if (end[1] != ':') {
			*why = "missing :PORT";
			return -EINVAL;
		}
		*port = end + 2;
		if (!strchr(*host, ':')) {
			*why = "brackets are for IPv6 addresses only";
			return -EINVAL;
		}
		return 0;
	}
	colon = strrchr(s, ':');
	if (!colon) {
		*why = "missing :PORT";
		return -EINVAL;
	}
	if (strchr(s, ':') != colon) {
		*why = "IPv6 address must be in brackets: [ADDR]:PORT";
		return -EINVAL;
	}
	*colon = '\0';
	*host = s;
	*port = colon + 1;
	return 0;
}

static int parse_port(const char *s, __u16 *port, const char **why)
{
	__u32 v;

	if (!*s) {
		*why = "missing port";
		return -EINVAL;
	}
	if (strlen(s) > 5 || ef_parse_u32(s, 0, 65535, &v)) {
		*why = "invalid port (0..65535)";
		return -EINVAL;
	}
	*port = (__u16)v;
	return 0;
}

int ef_endpoint_parse(const char *s, struct ef_addr *addr, __u8 *family, __u16 *port,
		      const char **why)
{
	char buf[128], *host, *portstr;
	int err;

	if (!s || strlen(s) >= sizeof(buf)) {
		*why = s ? "too long" : "empty";
		return -EINVAL;
	}
	strcpy(buf, s);
	err = split_host_port(buf, &host, &portstr, why);
	if (err)
		return err;
	err = ef_addr_parse(host, addr, family, why);
	if (err)
		return err;
	return parse_port(portstr, port, why);
}

int ef_proto_parse(const char *s)
{
	if (!strcmp(s, "tcp"))
		return IPPROTO_TCP;
	if (!strcmp(s, "udp"))
		return IPPROTO_UDP;
	return -1;
}

const char *ef_proto_str(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	default:
		return "?";
	}
}

int ef_vip_parse(const char *s, struct ef_vip_key *key, const char **why)
{
	char buf[128], *slash;
	struct ef_vip_key k = {};
	__u16 port;
	int proto, err;

	if (!s || strlen(s) >= sizeof(buf)) {
		*why = s ? "too long" : "empty";
		return -EINVAL;
	}
	strcpy(buf, s);
	slash = strrchr(buf, '/');
	if (!slash) {
		*why = "missing /PROTO (ADDR:PORT/tcp or /udp)";
		return -EINVAL;
	}
	*slash = '\0';
	proto = ef_proto_parse(slash + 1);
	if (proto < 0) {
		*why = "unknown protocol (tcp or udp)";
		return -EINVAL;
	}
	err = ef_endpoint_parse(buf, &k.addr, &k.family, &port, why);
	if (err)
		return err;
	k.port = htons(port);
	k.proto = (__u8)proto;
	*key = k;
	return 0;
}

const char *ef_addr_str(const struct ef_addr *addr, __u8 family, char *buf, size_t len)
{
	if (!len)
		return buf;
	if (!inet_ntop(family == EF_FAMILY_V6 ? AF_INET6 : AF_INET,
		       family == EF_FAMILY_V6 ? (const void *)addr->a8
					      : (const void *)&addr->a32[0],
		       buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *ef_vip_str(const struct ef_vip_key *key, char *buf, size_t len)
{
	char a[EF_ADDR_STRLEN];

	ef_addr_str(&key->addr, key->family, a, sizeof(a));
	if (key->family == EF_FAMILY_V6)
		snprintf(buf, len, "[%s]:%u/%s", a, ntohs(key->port), ef_proto_str(key->proto));
	else
		snprintf(buf, len, "%s:%u/%s", a, ntohs(key->port), ef_proto_str(key->proto));
	return buf;
}

void ef_vip_addr_key(const struct ef_vip_key *key, struct ef_vip_key *addr_key)
{
	memset(addr_key, 0, sizeof(*addr_key));
	addr_key->addr = key->addr;
	addr_key->family = key->family;
}

int ef_addr_cmp(const struct ef_addr *a, __u8 fa, const struct ef_addr *b, __u8 fb)
{
	if (fa != fb)
		return fa < fb ? -1 : 1;
	return memcmp(a->a8, b->a8, sizeof(a->a8));
}
