// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * doctor_backend.c: evenflow doctor backend: each VIP on lo, the decap
 * program attached and knowing the VIP, rp_filter and ARP settings and the
 * MTU of its devices, and a probe: an encapsulated frame run through the
 * decap program (BPF_PROG_TEST_RUN; it counts in its verdicts) must come out
 * as the inner packet, and a socket must accept a connection on the VIP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "cli/doctor.h"
#include "core/config.h"
#include "dp/decap.h"
#include "dp/xdp.h"
#include "util/addr.h"

/* What the steps of one VIP found before its probe. */
struct vip_state {
	struct ef_vip_key key;
	bool on_lo, known;
};

/* Whether lo holds k's address (lo), or another device does (!lo). */
static bool held(const struct ef_vip_key *k, bool lo)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa))
		return false;
	for (i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || !strcmp(i->ifa_name, "lo") != lo)
			continue;
		if (k->family == EF_FAMILY_V4 && i->ifa_addr->sa_family == AF_INET)
			found =
			    ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == k->addr.a32[0];
		else if (k->family == EF_FAMILY_V6 && i->ifa_addr->sa_family == AF_INET6)
			found =
			    !memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, &k->addr, 16);
	}
	freeifaddrs(ifa);
	return found;
}

/* An IPIP (IP6IP6) TCP SYN toward the VIP, outer and inner alike: its length. */
static size_t probe_frame(const struct ef_vip_key *k, unsigned char *f)
{
	struct ethhdr *eth = (void *)f;
	size_t ip_len = k->family == EF_FAMILY_V4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	size_t n = sizeof(*eth) + 2 * ip_len + sizeof(struct tcphdr);
	unsigned char *p = f + sizeof(*eth);

	memset(f, 0, n);
	eth->h_proto = htons(k->family == EF_FAMILY_V4 ? ETH_P_IP : ETH_P_IPV6);
	for (int layer = 0; layer < 2; layer++, p += ip_len) {
		size_t payload = (layer ? 0 : ip_len) + sizeof(struct tcphdr);

		if (k->family == EF_FAMILY_V4) {
			struct iphdr *ip = (void *)p;

			ip->version = 4;
			ip->ihl = 5;
			ip->ttl = 64;
			ip->tot_len = htons((__u16)(ip_len + payload));
			ip->protocol = layer ? IPPROTO_TCP : IPPROTO_IPIP;
			ip->saddr = htonl(0xc0000201); /* 192.0.2.1, documentation */
			ip->daddr = k->addr.a32[0];
		} else {
			struct ipv6hdr *ip6 = (void *)p;

			ip6->version = 6;
			ip6->hop_limit = 64;
			ip6->payload_len = htons((__u16)payload);
			ip6->nexthdr = layer ? IPPROTO_TCP : IPPROTO_IPV6;
			ip6->saddr.s6_addr[0] = 0x20; /* 2001:db8::1, documentation */
			ip6->saddr.s6_addr[1] = 0x01;
			ip6->saddr.s6_addr[2] = 0x0d;
			ip6->saddr.s6_addr[3] = 0xb8;
			ip6->saddr.s6_addr[15] = 1;
			memcpy(&ip6->daddr, &k->addr, 16);
		}
	}
	((struct tcphdr *)p)->dest = k->port;
	((struct tcphdr *)p)->doff = 5;
	((struct tcphdr *)p)->syn = 1;
	return n;
}

/* A TCP connection to the VIP from this host completes within a second. */
static bool accepts(const struct ef_vip_key *k)
{
	struct sockaddr_storage ss = {};
	struct pollfd pfd;
	socklen_t len;
	int fd, err = -1;

	if (k->family == EF_FAMILY_V4) {
		struct sockaddr_in *s = (void *)&ss;

		s->sin_family = AF_INET;
		s->sin_port = k->port;
		s->sin_addr.s_addr = k->addr.a32[0];
		len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (void *)&ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = k->port;
		memcpy(&s->sin6_addr, &k->addr, 16);
		len = sizeof(*s);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	if (!connect(fd, (struct sockaddr *)&ss, len)) {
		err = 0;
	} else if (errno == EINPROGRESS) {
		pfd = (struct pollfd){.fd = fd, .events = POLLOUT};
		len = sizeof(err);
		if (poll(&pfd, 1, 1000) == 1)
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	}
	close(fd);
	return err == 0;
}

static void probe(struct ef_doctor *d, const struct ef_decap *dc, bool attached,
		  const struct vip_state *v)
{
	unsigned char in[128], out[256];
	char vs[EF_VIP_STRLEN], fix[256];
	size_t n;
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = in, .data_out = out,
		    .data_size_out = sizeof(out));

	ef_vip_str(&v->key, vs, sizeof(vs));
	if (!v->key.port || v->key.proto != IPPROTO_TCP) {
		ef_step(d, EF_STEP_SKIP, "probe", vs, NULL,
			"give the VIP as ADDR:PORT/tcp to probe");
		return;
	}
	if (!v->on_lo || !v->known || !attached) {
		ef_step(d, EF_STEP_SKIP, "probe", vs, NULL, "a step above failed");
		return;
	}
	n = probe_frame(&v->key, in);
	t.data_size_in = (__u32)n;
	if (bpf_prog_test_run_opts(dc->prog_fd, &t) || t.retval != XDP_PASS ||
	    t.data_size_out != n - (v->key.family == EF_FAMILY_V4 ? 20 : 40)) {
		ef_step(
		    d, EF_STEP_FAIL, "probe", vs, "evenflow decap attach DEV (reloads the program)",
		    "the decap program did not decapsulate a test frame (verdict %u, %u bytes out)",
		    t.retval, t.data_size_out);
		return;
	}
	snprintf(fix, sizeof(fix),
		 "start the service on port %u (listening on the VIP or any address)",
		 ntohs(v->key.port));
	if (accepts(&v->key))
		ef_step(d, EF_STEP_OK, "probe", vs, NULL,
			"a test frame decapsulates; a connection to the VIP is accepted");
	else
		ef_step(d, EF_STEP_FAIL, "probe", vs, fix,
			"a test frame decapsulates, but no connection to the VIP is accepted");
}

/* rp_filter, ARP and MTU of one device the decap program runs on. */
static void check_dev(struct ef_doctor *d, const char *dev, bool v4, bool v6)
{
	char p[160], fix[256];
	int all, own, v;
	unsigned mtu = ef_dev_mtu(dev), need = d->args->mtu + (v6 ? 40 : 20);

	if (v4) {
		snprintf(p, sizeof(p), "net/ipv4/conf/%s/rp_filter", dev);
		all = ef_sysctl("net/ipv4/conf/all/rp_filter");
		own = ef_sysctl(p);
		v = all > own ? all : own;
		snprintf(
		    fix, sizeof(fix),
		    "sysctl -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.%s.rp_filter=0 "
		    "(decapsulated packets come from clients the route back does not reach via %s)",
		    dev, dev);
		ef_step(d, v == 1 ? EF_STEP_FAIL : EF_STEP_OK, "rp_filter", dev, fix,
			"%d (all %d, %s %d)%s", v, all, dev, own,
			v == 1 ? ": strict drops them" : "");
		snprintf(p, sizeof(p), "net/ipv4/conf/%s/arp_ignore", dev);
		all = ef_sysctl("net/ipv4/conf/all/arp_ignore");
		own = ef_sysctl(p);
		v = all > own ? all : own;
		snprintf(p, sizeof(p), "net/ipv4/conf/%s/arp_announce", dev);
		own = ef_sysctl(p);
		all = ef_sysctl("net/ipv4/conf/all/arp_announce");
		own = all > own ? all : own;
		ef_step(d, v >= 1 && own >= 2 ? EF_STEP_OK : EF_STEP_FAIL, "arp", dev,
			"sysctl -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 "
			"(the VIPs on lo must not be answered for on the network)",
			"arp_ignore %d, arp_announce %d", v, own);
	}
	snprintf(fix, sizeof(fix),
		 "ip link set dev %s mtu %u (and the LB's side), or lower the clients' MSS", dev,
		 need);
	ef_step(d, mtu >= need ? EF_STEP_OK : EF_STEP_FAIL, "mtu", dev, fix,
		"%u, %u needed (a %u-byte packet + the outer header)", mtu, need, d->args->mtu);
}

/* The VIPs to check: those asked, else the addresses decap knows that
 * could be a VIP (not loopback or link-local) and that no device but lo
 * holds (the host's own addresses are in decap's map too). */
static size_t vips_of(struct ef_doctor *d, const struct ef_decap *dc, bool loaded,
		      struct vip_state *v)
{
	struct ef_vip_key cur, next;
	void *prev = NULL;
	size_t n = 0;

	for (; n < d->args->n_vips; n++)
		v[n].key = d->args->vips[n];
	if (n || !loaded)
		return n;
	while (!bpf_map_get_next_key(dc->addrs, prev, &next)) {
		cur = next;
		prev = &cur;
		if (n == EF_DOCTOR_VIPS)
			break;
		if (!ef_addr_unusable(&cur.addr, cur.family, EF_ADDR_VIP) && !held(&cur, false))
			v[n++].key = cur;
	}
	return n;
}

int ef_doctor_backend(struct ef_doctor *d)
{
	struct vip_state v[EF_DOCTOR_VIPS] = {};
	struct ef_attached *devs = NULL;
	bool loaded, v4 = false, v6 = false;
	size_t n, ndevs = 0;
	struct ef_decap dc;
	char a[EF_ADDR_STRLEN], fix[256];
	int err;

	err = ef_decap_open(d->pin_dir, false, &dc);
	if (err && err != -ENOENT)
		return err;
	loaded = !err;
	if (loaded) {
		ef_step(d, EF_STEP_OK, "decap", d->pin_dir, NULL, "program %u loaded", dc.prog_id);
		ef_doctor_devices(d, dc.prog_id,
				  d->cfg && d->cfg->decap.on ? &d->cfg->decap.devices : NULL,
				  "decap ", &ndevs);
		if (ef_prog_devices(dc.prog_id, &devs, &ndevs))
			ndevs = 0;
	} else {
		ef_step(d, EF_STEP_FAIL, "decap", d->pin_dir,
			"evenflow decap attach DEV (the device tunnelled packets arrive on)",
			"not loaded");
	}
	n = vips_of(d, &dc, loaded, v);
	if (!n)
		ef_step(d, EF_STEP_FAIL, "vips", "-", "name them: evenflow doctor backend VIP...",
			"no VIP given and the decap program knows none");
	for (size_t i = 0; i < n; i++) {
		struct ef_vip_key addr_key = {.addr = v[i].key.addr, .family = v[i].key.family};
		__u8 one;

		ef_addr_str(&v[i].key.addr, v[i].key.family, a, sizeof(a));
		v4 |= v[i].key.family == EF_FAMILY_V4;
		v6 |= v[i].key.family == EF_FAMILY_V6;
		v[i].on_lo = held(&v[i].key, true);
		snprintf(fix, sizeof(fix), "ip addr add %s/%d dev lo", a,
			 v[i].key.family == EF_FAMILY_V4 ? 32 : 128);
		ef_step(d, v[i].on_lo ? EF_STEP_OK : EF_STEP_FAIL, "vip-on-lo", a, fix, "%s",
			v[i].on_lo ? "on lo" : "not on lo");
		if (!loaded || !ndevs) {
			ef_step(d, EF_STEP_SKIP, "decap-vip", a, NULL, "decap is not running");
			continue;
		}
		v[i].known = !bpf_map_lookup_elem(dc.addrs, &addr_key, &one);
		ef_step(d, v[i].known ? EF_STEP_OK : EF_STEP_FAIL, "decap-vip", a,
			"evenflow decap attach DEV again (it learns the host's addresses when it "
			"runs), "
			"or run the daemon with decap:",
			"%s",
			v[i].known ? "the decap program decapsulates toward it"
				   : "unknown to decap");
	}
	for (size_t i = 0; i < ndevs; i++)
		check_dev(d, devs[i].name, v4, v6);
	for (size_t i = 0; i < n; i++)
		probe(d, &dc, loaded && ndevs, &v[i]);
	free(devs);
	if (loaded)
		ef_decap_close(&dc);
	return 0;
}
