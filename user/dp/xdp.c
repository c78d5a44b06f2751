// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* xdp.c: attaching programs to devices through libxdp; see xdp.h. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "dp/xdp.h"
#include "util/log.h"

__u32 ef_prog_id(int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return 0;
	return info.id;
}

const char *ef_mode_str(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "generic";
	case XDP_MODE_HW:
		return "hw";
	default:
		return "unspec";
	}
}

const struct ef_attached *ef_attached_find(const struct ef_attached *devs, size_t n,
					   const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(devs[i].name, name))
			return &devs[i];
	return NULL;
}

/* Whether the XDP setup of ifindex runs prog_id (alone or in a dispatcher). */
static bool runs_prog(int ifindex, __u32 prog_id, enum xdp_attach_mode *mode, bool *multi)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;
	bool found = false;

	if (!mp || libxdp_get_error(mp))
		return false;
	*mode = xdp_multiprog__attach_mode(mp);
	*multi = !xdp_multiprog__is_legacy(mp);
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		found = p && xdp_program__id(p) == prog_id;
	} else {
		for (p = xdp_multiprog__next_prog(NULL, mp); p && !found;
		     p = xdp_multiprog__next_prog(p, mp))
			found = xdp_program__id(p) == prog_id;
	}
	xdp_multiprog__close(mp);
	return found;
}

int ef_prog_devices(__u32 prog_id, struct ef_attached **devs, size_t *n)
{
	struct if_nameindex *ifs, *i;
	struct ef_attached *out = NULL, *tmp;
	size_t cnt = 0;

	*devs = NULL;
	*n = 0;
	ifs = if_nameindex();
	if (!ifs)
		return ef_err(-errno, "cannot list the network devices: %s", strerror(errno));
	for (i = ifs; i->if_index && prog_id; i++) {
		enum xdp_attach_mode mode;
		bool multi;

		if (!runs_prog((int)i->if_index, prog_id, &mode, &multi))
			continue;
		tmp = realloc(out, (cnt + 1) * sizeof(*out));
		if (!tmp) {
			free(out);
			if_freenameindex(ifs);
			return ef_err(-ENOMEM, "out of memory");
		}
		out = tmp;
		memset(&out[cnt], 0, sizeof(out[cnt]));
		snprintf(out[cnt].name, sizeof(out[cnt].name), "%s", i->if_name);
		out[cnt].ifindex = (int)i->if_index;
		out[cnt].mode = mode;
		out[cnt].multiprog = multi;
		cnt++;
	}
	if_freenameindex(ifs);
	*devs = out;
	*n = cnt;
	return 0;
}

static struct xdp_program *xdp_prog_of(int prog_fd)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xo, .fd = prog_fd);
	struct xdp_program *p = xdp_program__create(&xo);

	return libxdp_get_error(p) ? NULL : p;
}

int ef_xdp_attach(int prog_fd, const char *dev, enum xdp_attach_mode mode)
{
	struct xdp_program *prog;
	int ifindex = (int)if_nametoindex(dev);
	int err;

	if (!ifindex)
		return ef_err(-ENODEV, "device %s: no such device", dev);
	prog = xdp_prog_of(prog_fd);
	if (!prog)
		return ef_err(-EINVAL, "device %s: libxdp cannot use the program", dev);
	/* libxdp tries its dispatcher first (other XDP programs can then share
	 * the device) and attaches the program alone where the kernel refuses
	 * freplace programs, as this one does. */
	err = xdp_program__attach(prog, ifindex, mode, 0);
	xdp_program__close(prog);
	if (err) {
		char buf[128];

		libxdp_strerror(err, buf, sizeof(buf));
		return ef_err(err, "device %s: cannot attach in %s mode: %s", dev,
			      ef_mode_str(mode), buf);
	}
	return 0;
}

int ef_xdp_detach(int prog_fd, __u32 prog_id, const char *dev)
{
	int ifindex = (int)if_nametoindex(dev);
	enum xdp_attach_mode mode;
	struct xdp_program *prog;
	bool multi;
	int err;

	if (!ifindex)
		return ef_err(-ENODEV, "device %s: no such device", dev);
	if (!runs_prog(ifindex, prog_id, &mode, &multi))
		return ef_err(-ENOENT, "device %s: evenflow is not attached", dev);
	prog = xdp_prog_of(prog_fd);
	if (!prog)
		return ef_err(-EINVAL, "device %s: libxdp cannot use the program", dev);
	err = xdp_program__detach(prog, ifindex, mode, 0);
	xdp_program__close(prog);
	if (err) {
		char buf[128];

		libxdp_strerror(err, buf, sizeof(buf));
		return ef_err(err, "device %s: cannot detach: %s", dev, buf);
	}
	return 0;
}

static bool is_loopback(int sock, const char *name)
{
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr))
		return false;
	return ifr.ifr_flags & IFF_LOOPBACK;
}

int ef_tx_ports_sync(int tx_ports_fd)
{
	struct if_nameindex *ifs, *i;
	__u32 key, next, *cur = NULL;
	int sock, err = 0;

	ifs = if_nameindex();
	if (!ifs)
		return ef_err(-errno, "cannot list the network devices: %s", strerror(errno));
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (i = ifs; i->if_index; i++) {
		__u32 idx = i->if_index;

		if (sock >= 0 && is_loopback(sock, i->if_name))
			continue;
		if (bpf_map_update_elem(tx_ports_fd, &idx, &idx, BPF_ANY))
			pr_warn("device %s: cannot add to the redirect map: %s", i->if_name,
				strerror(errno));
	}
	/* drop the devices that are gone */
	while (!bpf_map_get_next_key(tx_ports_fd, cur, &next)) {
		char name[IF_NAMESIZE];

		key = next;
		cur = &key;
		if (!if_indextoname(key, name) || (sock >= 0 && is_loopback(sock, name)))
			bpf_map_delete_elem(tx_ports_fd, &key);
	}
	if (sock >= 0)
		close(sock);
	if_freenameindex(ifs);
	return err;
}
