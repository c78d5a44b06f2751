// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lb.c: loading, pinning and opening the LB data plane; see lb.h. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dp/lb.h"
#include "dp/pindir.h"
#include "dp/xdp.h"
#include "util/log.h"

#include "lb.skel.h"

/*
 * The LB maps, pinned by name, each with the value size of this build
 * (bpf/lib/maps.h) and its fd in struct ef_dp. A pin dir left by a version
 * whose structs differ is refused: its values would be read and written at
 * the wrong offsets.
 */
static const struct lb_map {
	const char *name;
	__u32 value_size;
	size_t fd; /* offsetof(struct ef_dp, ...) */
} lb_maps[] = {
    {"evenflow_gen", sizeof(__u32), offsetof(struct ef_dp, gen)},
    {"evenflow_vip_info", sizeof(struct ef_vip_info), offsetof(struct ef_dp, vip_info)},
    {"evenflow_vip_index", sizeof(struct ef_vip_bucket), offsetof(struct ef_dp, vip_index)},
    {"evenflow_vip_addrs", sizeof(__u32), offsetof(struct ef_dp, vip_addrs)},
    /* global data: the whole bitmap is one value */
    {"evenflow_vip_filter", EF_VIP_FILTER_WORDS * sizeof(__u64),
     offsetof(struct ef_dp, vip_filter)},
    /* global data too: the whole device table is one value */
    {"evenflow_devices", EF_DEV_SLOTS * sizeof(struct ef_device), offsetof(struct ef_dp, devices)},
    {"evenflow_backends", sizeof(struct ef_backend), offsetof(struct ef_dp, backends)},
    {"evenflow_maglev", sizeof(__u32) /* map id */, offsetof(struct ef_dp, maglev)},
    {"evenflow_conntrack", sizeof(struct ef_ct_bucket), offsetof(struct ef_dp, conntrack)},
    {"evenflow_nexthop", sizeof(struct ef_nexthop), offsetof(struct ef_dp, nexthop)},
    {"evenflow_tx_ports", sizeof(__u32) /* ifindex */, offsetof(struct ef_dp, tx_ports)},
    {"evenflow_verdicts", sizeof(__u64), offsetof(struct ef_dp, verdicts)},
    {"evenflow_ct_stats", sizeof(__u64), offsetof(struct ef_dp, ct_stats)},
    {"evenflow_frags", sizeof(struct ef_frag), offsetof(struct ef_dp, frags)},
    {"evenflow_reply_budget", sizeof(struct ef_reply_budget), offsetof(struct ef_dp, reply_budget)},
    {"evenflow_vip_stats", sizeof(struct ef_traffic), offsetof(struct ef_dp, vip_stats)},
    {"evenflow_backend_stats", sizeof(struct ef_traffic), offsetof(struct ef_dp, backend_stats)},
};
#define N_LB_MAPS (sizeof(lb_maps) / sizeof(lb_maps[0]))

static int *lb_map_fd(struct ef_dp *dp, size_t i)
{
	return (int *)((char *)dp + lb_maps[i].fd);
}

static void init_dp(struct ef_dp *dp)
{
	size_t i;

	memset(dp, 0, sizeof(*dp));
	dp->lock_fd = -1;
	dp->prog_fd = -1;
	for (i = 0; i < N_LB_MAPS; i++)
		*lb_map_fd(dp, i) = -1;
}

void ef_dp_close(struct ef_dp *dp)
{
	size_t i;

	for (i = 0; i < N_LB_MAPS; i++)
		if (*lb_map_fd(dp, i) >= 0)
			close(*lb_map_fd(dp, i));
	if (dp->prog_fd >= 0)
		close(dp->prog_fd);
	if (dp->lock_fd >= 0)
		close(dp->lock_fd); /* releases the flock */
	init_dp(dp);
}

/* Opens the pinned program and maps (the lock is held). */
static int open_pinned(struct ef_dp *dp)
{
	size_t i;
	int fd;

	dp->prog_fd = ef_pin_get(dp->pin_dir, EF_PIN_LB_PROG);
	if (dp->prog_fd < 0)
		return dp->prog_fd;
	dp->prog_id = ef_prog_id(dp->prog_fd);
	for (i = 0; i < N_LB_MAPS; i++) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		fd = ef_pin_get(dp->pin_dir, lb_maps[i].name);
		if (fd < 0)
			return ef_err(fd, "pin dir %s: map %s: %s (remove the pin dir to reset)",
				      dp->pin_dir, lb_maps[i].name, strerror(-fd));
		*lb_map_fd(dp, i) = fd;
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return ef_err(-errno, "pin dir %s: map %s: %s", dp->pin_dir,
				      lb_maps[i].name, strerror(errno));
		if (info.value_size != lb_maps[i].value_size)
			return ef_err(-EPROTO,
				      "pin dir %s: map %s holds %u-byte values, this evenflow's "
				      "%u: the data plane there is another version's (detach it "
				      "and remove the pin dir, or use that version)",
				      dp->pin_dir, lb_maps[i].name, info.value_size,
				      lb_maps[i].value_size);
	}
	dp->ncpus = libbpf_num_possible_cpus();
	if (dp->ncpus <= 0)
		return ef_err(dp->ncpus ? dp->ncpus : -EINVAL, "cannot count the possible CPUs");
	return 0;
}

/*
 * The kernel adds BPF_F_RDONLY_PROG to every devmap it creates, and libbpf
 * before 1.3 compares flags when it reuses a pin, so a pinned
 * evenflow_tx_ports would never be reused: ask for the flags the pin has.
 */
static void match_pinned_flags(const char *pin_dir, struct bpf_map *map)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = ef_pin_get(pin_dir, bpf_map__name(map));

	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		bpf_map__set_map_flags(map, info.map_flags);
	close(fd);
}

/*
 * Loads lb.bpf.o with its maps pinned by name under the pin dir (existing
 * pins are reused, so VIPs and backends survive a reload) and pins the
 * program. The connection table is only a cache and its size may change:
 * its old pin is set aside and dropped once the new program is in. A
 * failure leaves the old pins as they were. (bpffs refuses names with a
 * dot: "_new", "_old".)
 */
/* max_entries of the map pinned at path, 0 if none. */
static __u32 pinned_entries(const char *path)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.max_entries = 0;
	close(fd);
	return info.max_entries;
}

static int load_lb(const char *pin_dir, const struct ef_dp_cfg *cfg)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = pin_dir);
	char path[PATH_MAX], tmp[PATH_MAX], ct[PATH_MAX], ct_old[PATH_MAX], filter[PATH_MAX];
	char devices[PATH_MAX];
	struct lb_bpf *skel;
	__u32 slots;
	bool aside;
	int err;

	if (ef_pin_path(path, sizeof(path), pin_dir, EF_PIN_LB_PROG) ||
	    ef_pin_path(tmp, sizeof(tmp), pin_dir, EF_PIN_LB_PROG "_new") ||
	    ef_pin_path(ct, sizeof(ct), pin_dir, "evenflow_conntrack") ||
	    ef_pin_path(ct_old, sizeof(ct_old), pin_dir, "evenflow_conntrack_old") ||
	    ef_pin_path(filter, sizeof(filter), pin_dir, "evenflow_vip_filter") ||
	    ef_pin_path(devices, sizeof(devices), pin_dir, "evenflow_devices"))
		return ef_err(-ENAMETOOLONG, "pin dir %s: name too long", pin_dir);
	skel = lb_bpf__open_opts(&oo);
	if (!skel)
		return ef_err(-errno, "cannot open the LB program: %s", strerror(errno));
	slots = cfg && cfg->conntrack_size ? cfg->conntrack_size : EF_CONNTRACK_DEFAULT;
	skel->rodata->ef_udp_idle_s =
	    cfg && cfg->udp_idle_s ? cfg->udp_idle_s : EF_UDP_IDLE_DEFAULT;
	skel->rodata->ef_tcp_idle_s =
	    cfg && cfg->tcp_idle_s ? cfg->tcp_idle_s : EF_TCP_IDLE_DEFAULT;
	skel->rodata->ef_reply_rate =
	    cfg && cfg->reply_rate ? cfg->reply_rate : EF_REPLY_RATE_DEFAULT;
	skel->rodata->ef_ct_mask = slots / EF_CT_WAYS - 1;
	err = bpf_map__set_max_entries(skel->maps.evenflow_conntrack, slots / EF_CT_WAYS);
	if (err) {
		ef_err(err, "cannot size the connection table: %s", strerror(-err));
		goto out;
	}
	/* the filter is global data (bpf/lib/maps.h): pinned like the maps */
	err = bpf_map__set_pin_path(skel->maps.data_vip_filter, filter);
	if (err) {
		ef_err(err, "cannot pin the VIP filter at %s: %s", filter, strerror(-err));
		goto out;
	}
	err = bpf_map__set_pin_path(skel->maps.data_devices, devices);
	if (err) {
		ef_err(err, "cannot pin the device table at %s: %s", devices, strerror(-err));
		goto out;
	}
	match_pinned_flags(pin_dir, skel->maps.evenflow_tx_ports);
	/* a pinned table of another size is set aside (a new, empty one is
	 * made); one of this size is reused with its flows */
	unlink(ct_old);
	aside = pinned_entries(ct) != slots / EF_CT_WAYS && !rename(ct, ct_old);
	err = lb_bpf__load(skel);
	if (err) {
		if (aside)
			rename(ct_old, ct);
		ef_err(err, "cannot load the LB program into the kernel: %s (-vv shows why)",
		       strerror(-err));
		goto out;
	}
	unlink(tmp);
	err = bpf_program__pin(skel->progs.evenflow_lb, tmp);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		if (aside) {
			unlink(ct);
			rename(ct_old, ct);
		}
		ef_err(err, "cannot pin the LB program at %s: %s", path, strerror(-err));
		goto out;
	}
	unlink(ct_old);
	pr_info("loaded the data plane, pinned under %s", pin_dir);
out:
	lb_bpf__destroy(skel);
	return err;
}

int ef_dp_get_cfg(const struct ef_dp *dp, struct ef_dp_cfg *cfg)
{
	struct bpf_prog_info pinfo = {};
	__u32 len = sizeof(pinfo), ids[64], i;
	struct bpf_map_info minfo;
	int err = -ENOENT;

	memset(cfg, 0, sizeof(*cfg));
	{
		struct bpf_map_info ci = {};
		__u32 clen = sizeof(ci);

		if (!bpf_obj_get_info_by_fd(dp->conntrack, &ci, &clen))
			cfg->conntrack_size = ci.max_entries * EF_CT_WAYS;
	}
	pinfo.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	pinfo.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(dp->prog_fd, &pinfo, &len))
		return -errno;
	for (i = 0; i < pinfo.nr_map_ids && i < sizeof(ids) / sizeof(ids[0]); i++) {
		__u32 mlen = sizeof(minfo), key = 0;
		size_t nlen;
		void *val;
		int fd;

		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		memset(&minfo, 0, sizeof(minfo));
		if (bpf_obj_get_info_by_fd(fd, &minfo, &mlen)) {
			close(fd);
			continue;
		}
		nlen = strlen(minfo.name);
		if (nlen < 7 || strcmp(minfo.name + nlen - 7, ".rodata") ||
		    minfo.value_size < offsetof(struct lb_bpf__rodata, ef_udp_idle_s) + 4 ||
		    minfo.value_size < offsetof(struct lb_bpf__rodata, ef_tcp_idle_s) + 4 ||
		    minfo.value_size < offsetof(struct lb_bpf__rodata, ef_reply_rate) + 4) {
			close(fd);
			continue;
		}
		val = calloc(1, minfo.value_size);
		if (val && !bpf_map_lookup_elem(fd, &key, val)) {
			memcpy(&cfg->udp_idle_s,
			       (char *)val + offsetof(struct lb_bpf__rodata, ef_udp_idle_s), 4);
			memcpy(&cfg->tcp_idle_s,
			       (char *)val + offsetof(struct lb_bpf__rodata, ef_tcp_idle_s), 4);
			memcpy(&cfg->reply_rate,
			       (char *)val + offsetof(struct lb_bpf__rodata, ef_reply_rate), 4);
			err = 0;
		}
		free(val);
		close(fd);
		break;
	}
	return err;
}

int ef_dp_open_existing(const char *pin_dir, struct ef_dp *dp)
{
	int err;

	init_dp(dp);
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", pin_dir);
	err = ef_pin_look(pin_dir, EF_PIN_LB_PROG);
	if (err)
		return err;
	if (!ef_is_bpffs(pin_dir))
		return -ENOENT;
	dp->lock_fd = ef_pin_dir_lock(pin_dir);
	if (dp->lock_fd < 0)
		return dp->lock_fd;
	err = open_pinned(dp);
	if (err) {
		ef_dp_close(dp);
		return err == -ENOENT ? ef_err(err, "pin dir %s: program vanished", pin_dir) : err;
	}
	return 0;
}

int ef_dp_open_loaded(const char *pin_dir, struct ef_dp *dp)
{
	int err = ef_dp_open_existing(pin_dir, dp);

	if (err == -ENOENT)
		return ef_err(err, "no data plane at %s (evenflow attach DEV first)", pin_dir);
	return err;
}

static bool cfg_differs(const struct ef_dp_cfg *want, const struct ef_dp_cfg *have)
{
	return (want->conntrack_size && want->conntrack_size != have->conntrack_size) ||
	       (want->udp_idle_s && want->udp_idle_s != have->udp_idle_s) ||
	       (want->tcp_idle_s && want->tcp_idle_s != have->tcp_idle_s) ||
	       (want->reply_rate && want->reply_rate != have->reply_rate);
}

/* Puts the pinned program (just reloaded) in place of the old one on every
 * device that ran it. */
static int replace_on(struct ef_dp *dp, const struct ef_attached *devs, size_t n)
{
	int err = 0;

	for (size_t i = 0; !err && i < n; i++) {
		err = ef_xdp_replace(&devs[i], dp->prog_fd);
		if (!err)
			pr_info("device %s: now runs program %u", devs[i].name, dp->prog_id);
	}
	return err;
}

/*
 * Other load-time settings: a new program with them, on the same pinned
 * configuration maps; the connection table is a new one of the new size.
 * Devices that ran the old program run the new one, swapped in between two
 * packets. The old table's flows take the table's choice again: a flow
 * stays on its backend if the backend still holds the flow's slot
 * (README, "Connection table").
 */
static int reload(struct ef_dp *dp, const struct ef_dp_cfg *want, const struct ef_dp_cfg *have)
{
	struct ef_dp_cfg c = *have, *cfg = &c;
	struct ef_attached *devs = NULL;
	size_t ndevs = 0;
	int err, lock = dp->lock_fd;
	char pin_dir[PATH_MAX];

	/* what is not asked for stays as it is */
	if (want->conntrack_size)
		c.conntrack_size = want->conntrack_size;
	if (want->udp_idle_s)
		c.udp_idle_s = want->udp_idle_s;
	if (want->tcp_idle_s)
		c.tcp_idle_s = want->tcp_idle_s;
	if (want->reply_rate)
		c.reply_rate = want->reply_rate;
	err = ef_prog_devices(dp->prog_id, &devs, &ndevs);
	if (err)
		return err;
	if (ndevs && c.conntrack_size != have->conntrack_size)
		pr_warn(
		    "warning: reloading the data plane attached to %zu device(s) with %u "
		    "connection slots (was %u), a %u s UDP timeout (was %u s) and a %u s TCP "
		    "timeout (was %u s): the connection table starts empty, and a flow whose "
		    "backend no longer holds its table slot (drained, or moved by a change since "
		    "it began) moves",
		    ndevs, c.conntrack_size, have->conntrack_size, c.udp_idle_s, have->udp_idle_s,
		    c.tcp_idle_s, have->tcp_idle_s);
	else if (ndevs)
		pr_warn(
		    "reloading the data plane attached to %zu device(s) with a %u s UDP timeout "
		    "(was %u s), a %u s TCP timeout (was %u s) and %u replies a second (was %u); "
		    "the connection table and its flows are kept",
		    ndevs, c.udp_idle_s, have->udp_idle_s, c.tcp_idle_s, have->tcp_idle_s,
		    c.reply_rate, have->reply_rate);
	snprintf(pin_dir, sizeof(pin_dir), "%s", dp->pin_dir);
	dp->lock_fd = -1;
	ef_dp_close(dp);
	dp->lock_fd = lock;
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", pin_dir);
	err = load_lb(pin_dir, cfg);
	if (!err)
		err = open_pinned(dp);
	if (!err)
		err = replace_on(dp, devs, ndevs);
	free(devs);
	return err;
}

int ef_dp_open(const char *pin_dir, const struct ef_dp_cfg *cfg, struct ef_dp *dp)
{
	struct ef_dp_cfg have;
	int err;

	init_dp(dp);
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", pin_dir);
	err = ef_pin_dir_prepare(pin_dir);
	if (err)
		return err;
	dp->lock_fd = ef_pin_dir_lock(pin_dir);
	if (dp->lock_fd < 0)
		return dp->lock_fd;
	if (!ef_pinned(pin_dir, EF_PIN_LB_PROG)) {
		err = load_lb(pin_dir, cfg);
		if (err)
			goto fail;
	}
	err = open_pinned(dp);
	if (!err && cfg && !ef_dp_get_cfg(dp, &have) && cfg_differs(cfg, &have))
		err = reload(dp, cfg, &have);
	if (!err)
		return 0;
fail:
	ef_dp_close(dp);
	return err;
}

void ef_dp_unpin(struct ef_dp *dp)
{
	size_t i;

	ef_unpin(dp->pin_dir, EF_PIN_LB_PROG);
	for (i = 0; i < N_LB_MAPS; i++)
		ef_unpin(dp->pin_dir, lb_maps[i].name);
	rmdir(dp->pin_dir); /* fails, harmlessly, while decap pins remain */
}

int ef_dp_gen(const struct ef_dp *dp, __u32 *gen)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(dp->gen, &zero, gen))
		return ef_err(-errno, "cannot read the configuration generation: %s",
			      strerror(errno));
	*gen &= 1;
	return 0;
}
