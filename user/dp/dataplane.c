// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* dataplane.c: bpffs, load/pin, map fds, XDP attach; see dataplane.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "dp/dataplane.h"
#include "lib/ct_entry.h"
#include "util/log.h"

#include "decap.skel.h"
#include "lb.skel.h"

/* The LB maps, pinned by name; the order of the fds in struct ef_dp. */
static const char *const lb_maps[] = {
    "evenflow_gen",	      "evenflow_vip_info", "evenflow_vip_index", "evenflow_vip_addrs",
    "evenflow_vip_filter",    "evenflow_backends", "evenflow_maglev",	 "evenflow_conntrack",
    "evenflow_nexthop",	      "evenflow_tx_ports", "evenflow_verdicts",	 "evenflow_vip_stats",
    "evenflow_backend_stats",
};
#define N_LB_MAPS (sizeof(lb_maps) / sizeof(lb_maps[0]))

/* The value size of each of those maps in this build (bpf/lib/maps.h). A pin
 * dir left by a version whose structs differ is refused: its values would be
 * read and written at the wrong offsets. */
static const __u32 lb_map_value_size[N_LB_MAPS] = {
    sizeof(__u32),
    sizeof(struct ef_vip_info),
    sizeof(struct ef_vip_bucket),
    sizeof(__u32),
    EF_VIP_FILTER_WORDS * sizeof(__u64) /* global data: the whole bitmap */,
    sizeof(struct ef_backend),
    sizeof(__u32) /* map fd */,
    sizeof(struct ef_ct_bucket),
    sizeof(struct ef_nexthop),
    sizeof(__u32) /* ifindex */,
    sizeof(__u64),
    sizeof(struct ef_traffic),
    sizeof(struct ef_traffic),
};

static const char *const decap_maps[] = {"evenflow_decap_addrs", "evenflow_decap_verdicts"};
#define N_DECAP_MAPS (sizeof(decap_maps) / sizeof(decap_maps[0]))

static int *lb_map_fd(struct ef_dp *dp, size_t i)
{
	int *fds[N_LB_MAPS] = {&dp->gen,	  &dp->vip_info, &dp->vip_index, &dp->vip_addrs,
			       &dp->vip_filter,	  &dp->backends, &dp->maglev,	 &dp->conntrack,
			       &dp->nexthop,	  &dp->tx_ports, &dp->verdicts,	 &dp->vip_stats,
			       &dp->backend_stats};

	return fds[i];
}

const char *ef_pin_dir(const char *opt)
{
	const char *env = getenv(EF_PIN_DIR_ENV);

	if (opt && *opt)
		return opt;
	if (env && *env)
		return env;
	return EF_PIN_DIR_DEFAULT;
}

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static bool dir_is_empty(const char *path)
{
	struct dirent *e;
	bool empty = true;
	DIR *d = opendir(path);

	if (!d)
		return false;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

/* Whether this process has a mount namespace of its own (ip netns exec
 * makes one): a mount made here dies with the process. */
static bool private_mount_ns(void)
{
	struct stat self, init;

	if (stat("/proc/self/ns/mnt", &self) || stat("/proc/1/ns/mnt", &init))
		return false;
	return self.st_ino != init.st_ino || self.st_dev != init.st_dev;
}

/*
 * The pin dir must be on bpffs. If neither it nor its parent is, bpffs is
 * mounted on the parent when that is the usual place (/sys/fs/bpf) or an
 * empty directory, else on the pin dir itself: a mount never hides files.
 */
int ef_pin_dir_prepare(const char *pin_dir)
{
	char parent[PATH_MAX], *slash;
	const char *target;
	int err;

	if (is_bpffs(pin_dir))
		return 0;
	if (snprintf(parent, sizeof(parent), "%s", pin_dir) >= (int)sizeof(parent))
		return ef_err(-ENAMETOOLONG, "pin dir %s: name too long", pin_dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	else
		snprintf(parent, sizeof(parent), "/");
	if (!is_bpffs(parent)) {
		err = mkdir_p(parent);
		if (err)
			return ef_err(err, "pin dir %s: %s", parent, strerror(-err));
		target = parent;
		if (strcmp(parent, "/sys/fs/bpf") && !dir_is_empty(parent)) {
			err = mkdir_p(pin_dir);
			if (err)
				return ef_err(err, "pin dir %s: %s", pin_dir, strerror(-err));
			target = pin_dir;
		}
		if (mount("bpffs", target, "bpf", 0, "mode=0700"))
			return ef_err(-errno, "pin dir %s: cannot mount bpffs on %s: %s", pin_dir,
				      target, strerror(errno));
		pr_info("mounted bpffs on %s", target);
		if (private_mount_ns())
			pr_warn(
			    "warning: mounted bpffs on %s in a private mount namespace (ip netns "
			    "exec?): it goes away when evenflow exits, and the state with it; "
			    "mount bpffs on the pin dir first (see README)",
			    target);
	}
	err = mkdir_p(pin_dir);
	if (err)
		return ef_err(err, "pin dir %s: %s", pin_dir, strerror(-err));
	if (!is_bpffs(pin_dir))
		return ef_err(-ENOTSUP, "pin dir %s: not on bpffs", pin_dir);
	return 0;
}

static int lock_dir(const char *pin_dir)
{
	int fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	if (snprintf(buf, len, "%s/%s", dir, name) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

static int obj_get(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (pin_path(path, sizeof(path), dir, name))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

static bool pinned(const char *dir, const char *name)
{
	char path[PATH_MAX];

	return !pin_path(path, sizeof(path), dir, name) && !access(path, F_OK);
}

static void unpin(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (!pin_path(path, sizeof(path), dir, name))
		unlink(path);
}

static __u32 prog_id_of(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
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

	dp->prog_fd = obj_get(dp->pin_dir, EF_PIN_LB_PROG);
	if (dp->prog_fd < 0)
		return dp->prog_fd;
	dp->prog_id = prog_id_of(dp->prog_fd);
	for (i = 0; i < N_LB_MAPS; i++) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		fd = obj_get(dp->pin_dir, lb_maps[i]);
		if (fd < 0)
			return ef_err(fd, "pin dir %s: map %s: %s (remove the pin dir to reset)",
				      dp->pin_dir, lb_maps[i], strerror(-fd));
		*lb_map_fd(dp, i) = fd;
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return ef_err(-errno, "pin dir %s: map %s: %s", dp->pin_dir, lb_maps[i],
				      strerror(errno));
		if (info.value_size != lb_map_value_size[i])
			return ef_err(-EPROTO,
				      "pin dir %s: map %s holds %u-byte values, this evenflow's "
				      "%u: the data plane there is another version's (detach it "
				      "and remove the pin dir, or use that version)",
				      dp->pin_dir, lb_maps[i], info.value_size,
				      lb_map_value_size[i]);
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
	int fd = obj_get(pin_dir, bpf_map__name(map));

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
static int load_lb(const char *pin_dir, const struct ef_dp_cfg *cfg)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = pin_dir);
	char path[PATH_MAX], tmp[PATH_MAX], ct[PATH_MAX], ct_old[PATH_MAX], filter[PATH_MAX];
	struct lb_bpf *skel;
	__u32 slots;
	bool aside;
	int err;

	if (pin_path(path, sizeof(path), pin_dir, EF_PIN_LB_PROG) ||
	    pin_path(tmp, sizeof(tmp), pin_dir, EF_PIN_LB_PROG "_new") ||
	    pin_path(ct, sizeof(ct), pin_dir, "evenflow_conntrack") ||
	    pin_path(ct_old, sizeof(ct_old), pin_dir, "evenflow_conntrack_old") ||
	    pin_path(filter, sizeof(filter), pin_dir, "evenflow_vip_filter"))
		return ef_err(-ENAMETOOLONG, "pin dir %s: name too long", pin_dir);
	skel = lb_bpf__open_opts(&oo);
	if (!skel)
		return ef_err(-errno, "cannot open the LB program: %s", strerror(errno));
	slots = cfg && cfg->conntrack_size ? cfg->conntrack_size : EF_CONNTRACK_DEFAULT;
	skel->rodata->ef_udp_idle_s =
	    cfg && cfg->udp_idle_s ? cfg->udp_idle_s : EF_UDP_IDLE_DEFAULT;
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
	match_pinned_flags(pin_dir, skel->maps.evenflow_tx_ports);
	unlink(ct_old);
	aside = !rename(ct, ct_old);
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
		    minfo.value_size < offsetof(struct lb_bpf__rodata, ef_udp_idle_s) + 4) {
			close(fd);
			continue;
		}
		val = calloc(1, minfo.value_size);
		if (val && !bpf_map_lookup_elem(fd, &key, val)) {
			memcpy(&cfg->udp_idle_s,
			       (char *)val + offsetof(struct lb_bpf__rodata, ef_udp_idle_s), 4);
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
	if (!is_bpffs(pin_dir) || !pinned(pin_dir, EF_PIN_LB_PROG))
		return -ENOENT;
	dp->lock_fd = lock_dir(pin_dir);
	if (dp->lock_fd < 0)
		return ef_err(dp->lock_fd, "pin dir %s: %s", pin_dir, strerror(-dp->lock_fd));
	err = open_pinned(dp);
	if (err) {
		ef_dp_close(dp);
		return err == -ENOENT ? ef_err(err, "pin dir %s: program vanished", pin_dir) : err;
	}
	return 0;
}

static bool cfg_differs(const struct ef_dp_cfg *want, const struct ef_dp_cfg *have)
{
	return (want->conntrack_size && want->conntrack_size != have->conntrack_size) ||
	       (want->udp_idle_s && want->udp_idle_s != have->udp_idle_s);
}

int ef_dp_open(const char *pin_dir, const struct ef_dp_cfg *cfg, struct ef_dp *dp)
{
	struct ef_attached *devs = NULL;
	struct ef_dp_cfg have;
	size_t ndevs = 0;
	int err;

	init_dp(dp);
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", pin_dir);
	err = ef_pin_dir_prepare(pin_dir);
	if (err)
		return err;
	dp->lock_fd = lock_dir(pin_dir);
	if (dp->lock_fd < 0)
		return ef_err(dp->lock_fd, "pin dir %s: %s", pin_dir, strerror(-dp->lock_fd));
	if (!pinned(pin_dir, EF_PIN_LB_PROG)) {
		err = load_lb(pin_dir, cfg);
		if (err)
			goto fail;
	}
	err = open_pinned(dp);
	if (err)
		goto fail;
	if (!cfg || ef_dp_get_cfg(dp, &have) || !cfg_differs(cfg, &have))
		return 0;

	/* Other load-time settings: reload, if no device runs the program. */
	err = ef_prog_devices(dp->prog_id, &devs, &ndevs);
	if (err)
		goto fail;
	if (ndevs) {
		err = ef_err(-EBUSY,
			     "--conntrack-size/--udp-timeout differ from the running data plane "
			     "(%u slots, %u s) attached to %s: detach every device first",
			     have.conntrack_size, have.udp_idle_s, devs[0].name);
		free(devs);
		goto fail;
	}
	free(devs);
	{
		int lock = dp->lock_fd;

		dp->lock_fd = -1;
		ef_dp_close(dp);
		dp->lock_fd = lock;
		snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", pin_dir);
	}
	err = load_lb(pin_dir, cfg);
	if (!err)
		err = open_pinned(dp);
	if (!err)
		return 0;
fail:
	ef_dp_close(dp);
	return err;
}

void ef_dp_unpin(struct ef_dp *dp)
{
	size_t i;

	unpin(dp->pin_dir, EF_PIN_LB_PROG);
	for (i = 0; i < N_LB_MAPS; i++)
		unpin(dp->pin_dir, lb_maps[i]);
	rmdir(dp->pin_dir); /* fails, harmlessly, while decap pins remain */
}

/* ---- decap ---- */

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
	err = pin_path(path, sizeof(path), pin_dir, EF_PIN_DECAP_PROG);
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
	if (!create && (!is_bpffs(pin_dir) || !pinned(pin_dir, EF_PIN_DECAP_PROG)))
		return -ENOENT;
	if (create) {
		err = ef_pin_dir_prepare(pin_dir);
		if (err)
			return err;
	}
	dc->lock_fd = lock_dir(pin_dir);
	if (dc->lock_fd < 0)
		return ef_err(dc->lock_fd, "pin dir %s: %s", pin_dir, strerror(-dc->lock_fd));
	if (!pinned(pin_dir, EF_PIN_DECAP_PROG)) {
		if (!create) {
			err = -ENOENT;
			goto fail;
		}
		err = load_decap(pin_dir);
		if (err)
			goto fail;
	}
	dc->prog_fd = obj_get(pin_dir, EF_PIN_DECAP_PROG);
	dc->addrs = obj_get(pin_dir, decap_maps[0]);
	dc->verdicts = obj_get(pin_dir, decap_maps[1]);
	if (dc->prog_fd < 0 || dc->addrs < 0 || dc->verdicts < 0) {
		err = ef_err(-ENOENT, "pin dir %s: decap pins incomplete (remove them to reset)",
			     pin_dir);
		goto fail;
	}
	dc->prog_id = prog_id_of(dc->prog_fd);
	dc->ncpus = libbpf_num_possible_cpus();
	return 0;
fail:
	ef_decap_close(dc);
	return err;
}

void ef_decap_unpin(struct ef_decap *dc)
{
	size_t i;

	unpin(dc->pin_dir, EF_PIN_DECAP_PROG);
	for (i = 0; i < N_DECAP_MAPS; i++)
		unpin(dc->pin_dir, decap_maps[i]);
	rmdir(dc->pin_dir);
}

/* ---- XDP attach ---- */

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

int ef_mode_parse(const char *s, enum xdp_attach_mode *mode)
{
	if (!strcmp(s, "native"))
		*mode = XDP_MODE_NATIVE;
	else if (!strcmp(s, "generic"))
		*mode = XDP_MODE_SKB;
	else
		return ef_usage("--mode %s: must be native or generic", s);
	return 0;
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

/* ---- maps ---- */

static bool is_loopback(int sock, const char *name)
{
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr))
		return false;
	return ifr.ifr_flags & IFF_LOOPBACK;
}

int ef_tx_ports_sync(struct ef_dp *dp)
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
		if (bpf_map_update_elem(dp->tx_ports, &idx, &idx, BPF_ANY))
			pr_warn("device %s: cannot add to the redirect map: %s", i->if_name,
				strerror(errno));
	}
	/* drop the devices that are gone */
	while (!bpf_map_get_next_key(dp->tx_ports, cur, &next)) {
		char name[IF_NAMESIZE];

		key = next;
		cur = &key;
		if (!if_indextoname(key, name) || (sock >= 0 && is_loopback(sock, name)))
			bpf_map_delete_elem(dp->tx_ports, &key);
	}
	if (sock >= 0)
		close(sock);
	if_freenameindex(ifs);
	return err;
}

long ef_map_count(int fd, size_t key_size)
{
	char cur[256], next[256];
	void *prev = NULL;
	long n = 0;

	if (key_size > sizeof(cur))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(cur, next, key_size);
		prev = cur;
		n++;
	}
	return n;
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

/* The values of a BPF_F_MMAPABLE array map, mapped (NULL if it is not one,
 * or has fewer than `upto` entries: the caller then goes by syscalls, which
 * refuse keys past the end); each value takes its size rounded up to 8 bytes. */
static void *array_map(int fd, __u32 upto, size_t *len, size_t *stride)
{
	struct bpf_map_info info = {};
	__u32 ilen = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);
	void *mem;

	if (bpf_obj_get_info_by_fd(fd, &info, &ilen) || !(info.map_flags & BPF_F_MMAPABLE) ||
	    upto > info.max_entries)
		return NULL;
	*stride = (info.value_size + 7) & ~7U;
	*len = ((size_t)*stride * info.max_entries + page - 1) & ~(size_t)(page - 1);
	mem = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return mem == MAP_FAILED ? NULL : mem;
}

int ef_array_read(int fd, __u32 start, __u32 n, size_t value_size, void *vals)
{
	__u32 *keys, prev = start - 1, out = 0, count = n, i;
	size_t len, stride;
	char *mem = array_map(fd, start + n, &len, &stride);
	int err = 0;

	if (mem) {
		for (i = 0; i < n; i++)
			memcpy((char *)vals + (size_t)i * value_size,
			       mem + (size_t)(start + i) * stride, value_size);
		munmap(mem, len);
		return 0;
	}
	keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	/* a batch starts after the key it is given */
	if (bpf_map_lookup_batch(fd, start ? &prev : NULL, &out, keys, vals, &count, NULL) &&
	    errno != ENOENT)
		count = 0;
	for (i = 0; i < count && count == n; i++)
		if (keys[i] != start + i)
			count = 0;
	if (count != n) {
		for (i = 0; i < n; i++) {
			__u32 key = start + i;

			if (bpf_map_lookup_elem(fd, &key, (char *)vals + (size_t)i * value_size)) {
				err = -errno;
				break;
			}
		}
	}
	free(keys);
	return err;
}

int ef_array_write(int fd, __u32 start, __u32 n, size_t value_size, const void *vals)
{
	__u32 *keys, count = n, i;
	size_t len, stride;
	char *mem = array_map(fd, start + n, &len, &stride);
	int err = 0;

	if (mem) {
		for (i = 0; i < n; i++)
			memcpy(mem + (size_t)(start + i) * stride,
			       (const char *)vals + (size_t)i * value_size, value_size);
		munmap(mem, len);
		return 0;
	}
	keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		keys[i] = start + i;
	if (bpf_map_update_batch(fd, keys, vals, &count, NULL) || count != n) {
		for (i = 0; i < n; i++) {
			if (bpf_map_update_elem(fd, &keys[i],
						(const char *)vals + (size_t)i * value_size,
						BPF_ANY)) {
				err = -errno;
				break;
			}
		}
	}
	free(keys);
	return err;
}

long ef_conntrack_count(const struct ef_dp *dp)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), i;
	struct ef_ct_bucket b;
	long n = 0;

	if (bpf_obj_get_info_by_fd(dp->conntrack, &info, &len))
		return -errno;
	for (i = 0; i < info.max_entries; i++) {
		if (bpf_map_lookup_elem(dp->conntrack, &i, &b))
			return -errno;
		for (int w = 0; w < EF_CT_WAYS; w++)
			n += (b.way[w] & EF_CT_VALID) != 0;
	}
	return n;
}

int ef_percpu_sum(int fd, __u32 key, int ncpus, size_t nwords, __u64 *out)
{
	__u64 *vals = calloc((size_t)ncpus * nwords, sizeof(__u64));
	size_t c, w;

	if (!vals)
		return -ENOMEM;
	memset(out, 0, nwords * sizeof(*out));
	if (bpf_map_lookup_elem(fd, &key, vals)) {
		int err = -errno;

		free(vals);
		return err;
	}
	for (c = 0; c < (size_t)ncpus; c++)
		for (w = 0; w < nwords; w++)
			out[w] += vals[c * nwords + w];
	free(vals);
	return 0;
}

int ef_percpu_zero(int fd, __u32 key, int ncpus, size_t value_size)
{
	/* per-CPU values are laid out every round_up(value_size, 8) bytes */
	size_t stride = (value_size + 7) & ~(size_t)7;
	void *vals = calloc((size_t)ncpus, stride);
	int err = 0;

	if (!vals)
		return -ENOMEM;
	if (bpf_map_update_elem(fd, &key, vals, BPF_ANY))
		err = -errno;
	free(vals);
	return err;
}
