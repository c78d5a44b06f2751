// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* devtable.c: the device table; see devtable.h. */
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dp/devtable.h"
#include "dp/maps.h"
#include "dp/xdp.h"
#include "util/log.h"

/* The Ethernet address of a non-loopback device; 0, or -1 if it has none. */
static int device_mac(int sock, const char *name, __u8 mac[6])
{
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) || (ifr.ifr_flags & IFF_LOOPBACK))
		return -1;
	if (ioctl(sock, SIOCGIFHWADDR, &ifr) || ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

/* Sets the VLAN bits of the table from vlan_config ("name | id | parent"
 * lines after two header lines). */
static void add_vlans(struct ef_device *table, const char *vlan_config)
{
	FILE *f = fopen(vlan_config, "r");
	char line[256], name[IF_NAMESIZE + 1], parent[IF_NAMESIZE + 1];
	unsigned vid;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct ef_device *d;
		unsigned idx;

		if (sscanf(line, "%16s | %u | %16s", name, &vid, parent) != 3 || vid >= 4096)
			continue;
		idx = if_nametoindex(parent);
		d = &table[idx % EF_DEV_SLOTS];
		if (idx && d->ifindex == idx)
			d->vlans[vid / 64] |= 1ULL << (vid % 64);
	}
	fclose(f);
}

int ef_device_table_write(int devices_fd, const char *vlan_config)
{
	struct ef_device *table = calloc(EF_DEV_SLOTS, sizeof(*table));
	struct if_nameindex *ifs, *i;
	int sock, err;

	if (!table)
		return ef_err(-ENOMEM, "out of memory");
	ifs = if_nameindex();
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!ifs || sock < 0) {
		err = ef_err(-errno, "cannot list the network devices: %s", strerror(errno));
		goto out;
	}
	for (i = ifs; i->if_index; i++) {
		struct ef_device *d = &table[i->if_index % EF_DEV_SLOTS];
		__u8 mac[6];

		if (device_mac(sock, i->if_name, mac))
			continue;
		if (d->ifindex) {
			pr_warn("warning: device %s shares its slot of the device table with "
				"ifindex %u: its frames are not checked for its MAC",
				i->if_name, d->ifindex);
			continue;
		}
		d->ifindex = i->if_index;
		memcpy(d->mac, mac, sizeof(mac));
	}
	add_vlans(table, vlan_config);
	/* the table is one value (bpf/lib/maps.h) */
	err = ef_array_write(devices_fd, 0, 1, EF_DEV_SLOTS * sizeof(*table), table);
	if (err)
		ef_err(err, "cannot write the device table: %s", strerror(-err));
out:
	if (sock >= 0)
		close(sock);
	if (ifs)
		if_freenameindex(ifs);
	free(table);
	return err;
}

int ef_devices_sync(const struct ef_dp *dp)
{
	int err = ef_tx_ports_sync(dp->tx_ports);

	return err ? err : ef_device_table_write(dp->devices, EF_VLAN_CONFIG);
}
