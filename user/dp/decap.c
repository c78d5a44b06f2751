// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* decap.c: loading, pinning and opening the backend-side decap program;
 * see decap.h. */
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dp/decap.h"
#include "dp/pindir.h"
#include "dp/xdp.h"
#include "util/log.h"

#include "decap.skel.h"

static const char *const decap_maps[] = {"evenflow_decap_addrs", "evenflow_decap_verdicts"};
#define N_DECAP_MAPS (sizeof(decap_maps) / sizeof(decap_maps[0]))

void ef_decap_close(struct ef_decap *dc)
{
	if (dc->addrs >= 0)
		close(dc->addrs);
	if (dc->verdicts >= 0)
		close(dc->verdicts);
	if (dc->prog_fd >= 0)
		close(dc->prog_fd);
	if (dc->lock_fd >= 0)
		close(dc->lock_fd);
	dc->addrs = dc->verdicts = dc->prog_fd = dc->lock_fd = -1;
}

static int load_decap(const char *pin_dir)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = pin_dir);
	char path[PATH_MAX];
	struct decap_bpf *skel;
	int err;

	skel = decap_bpf__open_opts(&oo);
	if (!skel)
		return ef_err(-errno, "cannot open the decap program: %s", strerror(errno));
	err = decap_bpf__load(skel);
	if (err) {
		ef_err(err, "cannot load the decap program: %s (-vv shows why)", strerror(-err));
		goto out;
	}
	err = ef_pin_path(path, sizeof(path), pin_dir, EF_PIN_DECAP_PROG);
	if (!err)
		err = bpf_program__pin(skel->progs.evenflow_decap, path);
	if (err)
		ef_err(err, "cannot pin the decap program at %s: %s", path, strerror(-err));
out:
	decap_bpf__destroy(skel);
	return err;
}

int ef_decap_open(const char *pin_dir, bool create, struct ef_decap *dc)
{
	int err;

	memset(dc, 0, sizeof(*dc));
	dc->addrs = dc->verdicts = dc->prog_fd = dc->lock_fd = -1;
	snprintf(dc->pin_dir, sizeof(dc->pin_dir), "%s", pin_dir);
	if (!create && (!ef_is_bpffs(pin_dir) || !ef_pinned(pin_dir, EF_PIN_DECAP_PROG)))
		return -ENOENT;
	if (create) {
		err = ef_pin_dir_prepare(pin_dir);
		if (err)
			return err;
	}
	dc->lock_fd = ef_pin_dir_lock(pin_dir);
	if (dc->lock_fd < 0)
		return dc->lock_fd;
	if (!ef_pinned(pin_dir, EF_PIN_DECAP_PROG)) {
		if (!create) {
			err = -ENOENT;
			goto fail;
		}
		err = load_decap(pin_dir);
		if (err)
			goto fail;
	}
	dc->prog_fd = ef_pin_get(pin_dir, EF_PIN_DECAP_PROG);
	dc->addrs = ef_pin_get(pin_dir, decap_maps[0]);
	dc->verdicts = ef_pin_get(pin_dir, decap_maps[1]);
	if (dc->prog_fd < 0 || dc->addrs < 0 || dc->verdicts < 0) {
		err = ef_err(-ENOENT, "pin dir %s: decap pins incomplete (remove them to reset)",
			     pin_dir);
		goto fail;
	}
	dc->prog_id = ef_prog_id(dc->prog_fd);
	dc->ncpus = libbpf_num_possible_cpus();
	return 0;
fail:
	ef_decap_close(dc);
	return err;
}

void ef_decap_unpin(struct ef_decap *dc)
{
	size_t i;

	ef_unpin(dc->pin_dir, EF_PIN_DECAP_PROG);
	for (i = 0; i < N_DECAP_MAPS; i++)
		ef_unpin(dc->pin_dir, decap_maps[i]);
	rmdir(dc->pin_dir);
}

int ef_decap_sync_addrs(struct ef_decap *dc, size_t *count)
{
	struct ef_vip_key cur, next, *keys = NULL;
	struct ifaddrs *ifa, *i;
	size_t n = 0, j;
	void *prev = NULL;
	__u8 one = 1;
	int err = 0;

	if (getifaddrs(&ifa))
		return ef_err(-errno, "cannot list the host's addresses: %s", strerror(errno));
	for (i = ifa; i; i = i->ifa_next)
		n++;
	keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys) {
		freeifaddrs(ifa);
		return ef_err(-ENOMEM, "out of memory");
	}
	n = 0;
	for (i = ifa; i; i = i->ifa_next) {
		struct ef_vip_key k = {};

		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			k.family = EF_FAMILY_V4;
			k.addr.a32[0] = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			k.family = EF_FAMILY_V6;
			memcpy(k.addr.a8, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
		} else {
			continue;
		}
		keys[n++] = k;
		if (bpf_map_update_elem(dc->addrs, &k, &one, BPF_ANY)) {
			err = ef_err(-errno, "cannot add a local address to the decap map: %s",
				     strerror(errno));
			goto out;
		}
	}
	while (!bpf_map_get_next_key(dc->addrs, prev, &next)) {
		bool keep = false;

		cur = next;
		prev = &cur;
		for (j = 0; j < n && !keep; j++)
			keep = !memcmp(&keys[j], &cur, sizeof(cur));
		if (!keep)
			bpf_map_delete_elem(dc->addrs, &cur);
	}
	*count = n;
out:
	free(keys);
	freeifaddrs(ifa);
	return err;
}
