// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* xdp.c: attaching programs to devices through libxdp; see xdp.h. */
#include <errno.h>
#include <linux/if_link.h>
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

/* What to look for on a device: a program by id, or any of a name. */
struct wanted {
	__u32 id;	  /* 0: by name */
	const char *name; /* the program's name (the kernel keeps 15 characters) */
};

static bool matches(struct xdp_program *p, const struct wanted *w)
{
	const char *name;

	if (!p)
		return false;
	if (w->id)
		return xdp_program__id(p) == w->id;
	name = xdp_program__name(p);
	return name && !strcmp(name, w->name);
}

/* The program of ifindex's XDP setup (alone or in a dispatcher) that w
 * wants: its id, or 0. */
static __u32 runs_prog(int ifindex, const struct wanted *w, enum xdp_attach_mode *mode, bool *multi)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;
	__u32 found = 0;

	if (!mp || libxdp_get_error(mp))
		return 0;
	*mode = xdp_multiprog__attach_mode(mp);
	*multi = !xdp_multiprog__is_legacy(mp);
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		found = matches(p, w) ? xdp_program__id(p) : 0;
	} else {
		for (p = xdp_multiprog__next_prog(NULL, mp); p && !found;
		     p = xdp_multiprog__next_prog(p, mp))
			found = matches(p, w) ? xdp_program__id(p) : 0;
	}
	xdp_multiprog__close(mp);
	return found;
}

static int devices(const struct wanted *w, struct ef_attached **devs, size_t *n)
{
	struct if_nameindex *ifs, *i;
	struct ef_attached *out = NULL, *tmp;
	size_t cnt = 0;

	*devs = NULL;
	*n = 0;
	ifs = if_nameindex();
	if (!ifs)
		return ef_err(-errno, "cannot list the network devices: %s", strerror(errno));
	for (i = ifs; i->if_index && (w->id || w->name); i++) {
		enum xdp_attach_mode mode;
		bool multi;
		__u32 id = runs_prog((int)i->if_index, w, &mode, &multi);

		if (!id)
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
		out[cnt].prog_id = id;
		cnt++;
	}
	if_freenameindex(ifs);
	*devs = out;
	*n = cnt;
	return 0;
}

int ef_prog_devices(__u32 prog_id, struct ef_attached **devs, size_t *n)
{
	const struct wanted w = {.id = prog_id};

	return devices(&w, devs, n);
}

int ef_prog_devices_named(const char *name, struct ef_attached **devs, size_t *n)
{
	const struct wanted w = {.name = name};

	return devices(&w, devs, n);
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
	const struct wanted w = {.id = prog_id};
	int ifindex = (int)if_nametoindex(dev);
	enum xdp_attach_mode mode;
	struct xdp_program *prog;
	bool multi;
	int err;

	if (!ifindex)
		return ef_err(-ENODEV, "device %s: no such device", dev);
	if (!runs_prog(ifindex, &w, &mode, &multi))
		return ef_err(-ENOENT, "device %s: evenflow is not attached", dev);
	prog = prog_fd >= 0 ? xdp_prog_of(prog_fd) : xdp_program__from_id(prog_id);
	if (prog && libxdp_get_error(prog))
		prog = NULL;
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

int ef_xdp_replace(const struct ef_attached *dev, int new_fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	__u32 flags;
	int err, old_fd;

	if (dev->multiprog) {
		/* the dispatcher has no atomic swap of one component: a short gap */
		err = ef_xdp_detach(-1, dev->prog_id, dev->name);
		return err ? err : ef_xdp_attach(new_fd, dev->name, dev->mode);
	}
	old_fd = bpf_prog_get_fd_by_id(dev->prog_id);
	if (old_fd < 0)
		return ef_err(-errno, "device %s: program %u: %s", dev->name, dev->prog_id,
			      strerror(errno));
	/* libxdp attaches only where nothing is: the kernel's own replace,
	 * which swaps programs between two packets, if the old one is still
	 * there */
	opts.old_prog_fd = old_fd;
	flags = XDP_FLAGS_REPLACE | (dev->mode == XDP_MODE_SKB	? XDP_FLAGS_SKB_MODE
				     : dev->mode == XDP_MODE_HW ? XDP_FLAGS_HW_MODE
								: XDP_FLAGS_DRV_MODE);
	err = bpf_xdp_attach(dev->ifindex, new_fd, flags, &opts);
	close(old_fd);
	if (err)
		return ef_err(err, "device %s: cannot replace program %u: %s", dev->name,
			      dev->prog_id, strerror(-err));
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

int ef_xdp_ensure(int prog_fd, __u32 prog_id, const char *name, const char *dev,
		  enum xdp_attach_mode mode, __u32 *replaced)
{
	struct ef_attached *devs = NULL, found = {};
	const struct ef_attached *d;
	size_t n = 0;
	int err;

	*replaced = 0;
	err = ef_prog_devices_named(name, &devs, &n);
	if (err)
		return err;
	d = ef_attached_find(devs, n, dev);
	if (d)
		found = *d;
	free(devs);
	if (!d)
		return ef_xdp_attach(prog_fd, dev, mode);
	if (found.prog_id != prog_id) {
		*replaced = found.prog_id;
		return ef_xdp_replace(&found, prog_fd);
	}
	if (found.mode != mode)
		return ef_err(-EBUSY, "device %s: already attached in %s mode (detach first)", dev,
			      ef_mode_str(found.mode));
	return EF_XDP_THERE;
}

bool ef_prog_id_exists(__u32 prog_id)
{
	int fd = bpf_prog_get_fd_by_id(prog_id);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}
