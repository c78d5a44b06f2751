// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* topo.c: namespaces, bpffs and the FIB topology of the packet tests (see topo.h). */
#define _GNU_SOURCE
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include "topo.h"

const uint8_t topo_client_mac[6] = {0x02, 0xc1, 0x00, 0x00, 0x00, 0x01};

struct topo_dev {
	const char *name, *peer;
	uint8_t mac[6];
	const char *addr4, *addr6;
};

static const struct topo_dev devs[] = {
    {"in0", "in0p", {0x02, 0, 0, 0, 0x00, 0x01}, "192.0.2.1/24", "2001:db8:1::1/64"},
    {"out0", "out0p", {0x02, 0, 0, 0, 0x01, 0x01}, "198.51.100.1/24", "2001:db8:2::1/64"},
    {"nf0", "nf0p", {0x02, 0, 0, 0, 0x02, 0x01}, "100.64.0.1/24", "2001:db8:3::1/64"},
};

struct topo_neigh {
	const char *dev, *addr;
	uint8_t mac[6];
};

static const struct topo_neigh neighs[] = {
    {"in0", "192.0.2.21", {0x02, 0xbe, 0, 0, 0x02, 0x21}},
    {"in0", "2001:db8:1::21", {0x02, 0xbe, 0, 0x01, 0x00, 0x21}},
    {"out0", "198.51.100.11", {0x02, 0xbe, 0, 0, 0x00, 0x11}},
    {"out0", "198.51.100.12", {0x02, 0xbe, 0, 0, 0x00, 0x12}},
    {"out0", "198.51.100.13", {0x02, 0xbe, 0, 0, 0x00, 0x13}},
    {"out0", "198.51.100.14", {0x02, 0xbe, 0, 0, 0x00, 0x14}},
    {"out0", "198.51.100.254", {0x02, 0x0f, 0, 0, 0x00, 0xfe}},
    {"out0", "2001:db8:2::11", {0x02, 0xbe, 0, 0x02, 0x00, 0x11}},
    {"out0", "2001:db8:2::12", {0x02, 0xbe, 0, 0x02, 0x00, 0x12}},
    {"out0", "2001:db8:2::21", {0x02, 0xbe, 0, 0x02, 0x00, 0x21}},
    {"out0", "2001:db8:2::fe", {0x02, 0x0f, 0, 0x02, 0x00, 0xfe}},
};

static char pin_dir[64];

static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "# topo: '%s' failed (%d)\n", cmd, rc);
	return rc == 0 ? 0 : -1;
}

static int write_file(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f) {
		fprintf(stderr, "# topo: %s: %m\n", path);
		return -1;
	}
	rc = fputs(value, f) < 0;
	rc |= fclose(f) != 0;
	return rc ? -1 : 0;
}

static const char *mac_str(const uint8_t m[6])
{
	static char buf[4][18];
	static int next;
	char *s = buf[next++ % 4];

	snprintf(s, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return s;
}

static int build_network(void)
{
	int err = 0;

	/* Forwarding on everywhere before the devices exist, DAD off. */
	err |= write_file("/proc/sys/net/ipv4/ip_forward", "1");
	err |= write_file("/proc/sys/net/ipv6/conf/all/forwarding", "1");
	err |= write_file("/proc/sys/net/ipv6/conf/default/accept_dad", "0");
	err |= sh("ip link set lo up");
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		const struct topo_dev *d = &devs[i];

		err |= sh("ip link add %s address %s type veth peer name %s", d->name,
			  mac_str(d->mac), d->peer);
		err |= sh("ip addr add %s dev %s", d->addr4, d->name);
		err |= sh("ip -6 addr add %s dev %s nodad", d->addr6, d->name);
		err |= sh("ip link set %s up && ip link set %s up", d->name, d->peer);
	}
	for (size_t i = 0; i < sizeof(neighs) / sizeof(neighs[0]); i++)
		err |= sh("ip neigh add %s lladdr %s nud permanent dev %s", neighs[i].addr,
			  mac_str(neighs[i].mac), neighs[i].dev);
	err |= sh("ip route add 10.99.0.0/24 via 198.51.100.254");
	err |= sh("ip -6 route add 2001:db8:99::/64 via 2001:db8:2::fe");
	err |= write_file("/proc/sys/net/ipv4/conf/nf0/forwarding", "0");
	err |= write_file("/proc/sys/net/ipv6/conf/nf0/forwarding", "0");
	return err ? -1 : 0;
}

int topo_enter(void)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWNS)) {
		perror("# topo: unshare (run as root)");
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		perror("# topo: make mounts private");
		return -1;
	}
	snprintf(pin_dir, sizeof(pin_dir), "/tmp/efp-bpffs-XXXXXX");
	if (!mkdtemp(pin_dir)) {
		perror("# topo: mkdtemp");
		return -1;
	}
	if (mount("bpf", pin_dir, "bpf", 0, "mode=0700")) {
		perror("# topo: mount bpffs");
		rmdir(pin_dir);
		pin_dir[0] = 0;
		return -1;
	}
	return build_network();
}

void topo_leave(void)
{
	if (!pin_dir[0])
		return;
	umount2(pin_dir, MNT_DETACH);
	rmdir(pin_dir);
	pin_dir[0] = 0;
}

const char *topo_pin_dir(void)
{
	return pin_dir;
}

int topo_ifindex(const char *dev)
{
	int ifindex = if_nametoindex(dev);

	if (!ifindex) {
		fprintf(stderr, "# topo: no device %s\n", dev);
		abort();
	}
	return ifindex;
}

const uint8_t *topo_dev_mac(const char *dev)
{
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (!strcmp(devs[i].name, dev))
			return devs[i].mac;
	fprintf(stderr, "# topo: no device %s\n", dev);
	abort();
}

const uint8_t *topo_neigh_mac(const char *addr)
{
	for (size_t i = 0; i < sizeof(neighs) / sizeof(neighs[0]); i++)
		if (!strcmp(neighs[i].addr, addr))
			return neighs[i].mac;
	fprintf(stderr, "# topo: no neighbour %s\n", addr);
	abort();
}
