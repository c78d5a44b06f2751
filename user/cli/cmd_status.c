// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cmd_status.c: evenflow status: what is loaded, where it is attached, how
 * full its maps are. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/fingerprint.h"
#include "core/live.h"
#include "dp/lb.h"
#include "dp/maps.h"
#include "dp/pindir.h"
#include "dp/xdp.h"
#include "lib/hash.h"
#include "util/addr.h"
#include "util/log.h"

const struct ef_opt_set ef_status_args = {.opts = NULL};

/* Devices running an evenflow program other than the pinned one (pinned:
 * its id, 0 if none is): its pins are gone, so its configuration cannot be
 * reached. */
int ef_print_devices(__u32 prog_id)
{
	struct ef_attached *devs = NULL;
	size_t n = 0;
	int err = ef_prog_devices(prog_id, &devs, &n);

	if (err)
		return err;
	out_text("devices:%s\n", n ? "" : "     none");
	out_arr_open("devices");
	for (size_t i = 0; i < n; i++) {
		out_obj_open(NULL);
		out_str("name", "  %-16s", devs[i].name);
		out_u64("ifindex", " ifindex %-4llu", (__u64)devs[i].ifindex);
		out_str("mode", " mode %-8s", ef_mode_str(devs[i].mode));
		out_bool("dispatcher", " libxdp dispatcher: %s", devs[i].multiprog);
		out_obj_close();
		out_text("\n");
	}
	out_arr_close();
	free(devs);
	return 0;
}

static int print_stale(__u32 pinned)
{
	struct ef_attached *devs = NULL;
	size_t n = 0, k = 0;
	int err = ef_prog_devices_named(EF_PROG_NAME_LB, &devs, &n);

	if (err)
		return err;
	out_arr_open("unpinned");
	for (size_t i = 0; i < n; i++) {
		if (devs[i].prog_id == pinned)
			continue;
		if (!k++)
			out_text("without pins:\n");
		out_obj_open(NULL);
		out_str("name", "  %-16s", devs[i].name);
		out_u64("prog_id", " program %llu", devs[i].prog_id);
		out_text(": its configuration cannot be reached; 'evenflow attach %s' replaces it, "
			 "'evenflow detach %s' removes it\n",
			 devs[i].name, devs[i].name);
		out_obj_close();
	}
	out_arr_close();
	free(devs);
	return 0;
}

/* The VIPs that fail open (every backend the operator has up fails its
 * checks): README, "Health checks fail open". */
static void print_fail_open(const struct ef_vip_entry *vips, size_t n)
{
	char vs[EF_VIP_STRLEN];
	size_t k = 0;

	out_arr_open("fail_open");
	for (size_t i = 0; i < n; i++) {
		if (!(vips[i].vip.flags & EF_VIP_F_FAIL_OPEN))
			continue;
		out_text(k++ ? ", " : "fail open:   ");
		out_str(NULL, "%s", ef_vip_str(&vips[i].key, vs, sizeof(vs)));
	}
	if (k)
		out_text(" (every backend up fails its checks; the last good ones stay)\n");
	out_arr_close();
}

/* What the daemon announces and whether a sibling disagrees (README,
 * "Several load balancers"). */
static void print_cluster(json_t *r)
{
	const char *ann = json_string_value(json_object_get(r, "announce"));
	json_int_t alarms = json_integer_value(json_object_get(r, "sibling_alarms"));

	if (ann)
		out_str("announce", "\n  announce: %s", ann);
	out_u64("sibling_alarms", NULL, (__u64)alarms);
	if (alarms)
		out_text("\n  ALARM: %llu VIP(s) differ on a sibling (see the daemon's log)",
			 (unsigned long long)alarms);
}

json_t *ef_daemon_state(const char *pin_dir)
{
	char lock[PATH_MAX], state[PATH_MAX];
	json_t *r = NULL;
	int fd = -1;

	if (!ef_pin_dir_run_path(pin_dir, ".lock", lock, sizeof(lock)) &&
	    !ef_pin_dir_run_path(pin_dir, ".json", state, sizeof(state)))
		fd = open(lock, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK)
		r = json_load_file(state, 0, NULL);
	if (fd >= 0)
		close(fd);
	return r;
}

static void print_daemon(const char *pin_dir)
{
	json_t *r = ef_daemon_state(pin_dir);

	out_obj_open("daemon");
	out_bool("running", "daemon:      %s", r != NULL);
	if (r) {
		out_u64("pid", ", pid %llu", json_integer_value(json_object_get(r, "pid")));
		out_str("config", ", config %s", json_string_value(json_object_get(r, "config")));
		out_u64("health_checked", ", %llu backends checked",
			json_integer_value(json_object_get(r, "health_checked")));
		out_u64("health_checker_failing", NULL,
			json_integer_value(json_object_get(r, "health_checker_failing")));
		if (json_integer_value(json_object_get(r, "health_checker_failing")))
			out_str("health_checker_error",
				"\n  ALARM: the health checker is failing here (%s): backends keep "
				"their last verdict",
				json_string_value(json_object_get(r, "health_checker_error")));
		print_cluster(r);
	}
	out_text("\n");
	out_obj_close();
	json_decref(r);
}

/* The whole running configuration's fingerprint (core/fingerprint.h), with
 * the flow-hash version it includes: what sibling load balancers compare. */
static int print_fingerprint(struct ef_dp *dp)
{
	char fp[EF_FINGERPRINT_STRLEN];
	struct ef_conf c;
	int err = ef_conf_read(dp, &c);

	if (err)
		return err;
	out_str("fingerprint", "fingerprint: %s",
		ef_fingerprint_str(ef_fingerprint(&c, NULL), fp, sizeof(fp)));
	out_u64("flow_hash_version", " (flow-hash version %llu)\n", EF_FLOW_HASH_VERSION);
	ef_conf_free(&c);
	return 0;
}

int cmd_status(const struct ef_ctx *ctx, const void *args)
{
	const char *pin_dir = ef_pin_dir(ctx->pin_dir);
	struct ef_backend *all = NULL;
	struct ef_ct_fill fill;
	struct ef_dp_cfg cfg;
	size_t i, nbe = 0, nvips = 0;
	struct ef_vip_entry *vips = NULL;
	struct ef_dp dp;
	int err;

	(void)args;
	out_str("pin_dir", "pin dir:     %s\n", pin_dir);
	err = ef_dp_open_existing(pin_dir, &dp);
	if (err == -ENOENT) {
		out_bool("loaded", "loaded:      %s\n", false);
		return print_stale(0);
	}
	if (err)
		return err;
	out_bool("loaded", "loaded:      %s\n", true);
	out_u64("prog_id", "program id:  %llu\n", dp.prog_id);
	if (!ef_dp_get_cfg(&dp, &cfg)) {
		out_u64("conntrack_size", "conntrack:   %llu slots", cfg.conntrack_size);
		out_u64("udp_timeout", ", UDP idle timeout %llu s", cfg.udp_idle_s);
		out_u64("tcp_timeout", ", TCP idle timeout %llu s\n", cfg.tcp_idle_s);
		out_u64("reply_rate", "replies:     %llu a second per CPU\n", cfg.reply_rate);
	}
	err = ef_print_devices(dp.prog_id);
	if (err)
		goto out;
	err = print_stale(dp.prog_id);
	if (!err)
		err = ef_backends_read(&dp, &all);
	if (err)
		goto out;
	for (i = 0; i < EF_MAX_BACKENDS; i++)
		nbe += all[i].state != EF_BE_FREE;
	err = ef_vip_list(&dp, &vips, &nvips);
	if (err)
		goto out;
	print_fail_open(vips, nvips);
	free(vips);
	err = print_fingerprint(&dp);
	if (err)
		goto out;
	print_daemon(pin_dir);
	out_obj_open("maps");
	out_text("maps:\n");
	out_u64("vips", "  vips:       %llu", (__u64)nvips);
	out_text(" / %d\n", EF_MAX_VIPS);
	out_u64("backends", "  backends:   %llu", nbe);
	out_text(" / %d\n", EF_MAX_BACKENDS);
	err = ef_conntrack_fill(dp.conntrack, &fill);
	if (err) {
		ef_err(err, "cannot read the connection table: %s", strerror(-err));
		goto out;
	}
	out_u64("conntrack", "  conntrack:  %llu", fill.used);
	out_text(" / %llu\n", (unsigned long long)fill.slots);
	out_u64("tx_ports", "  tx_ports:   %llu\n",
		(__u64)ef_map_count(dp.tx_ports, sizeof(__u32)));
	out_obj_close();
out:
	free(all);
	ef_dp_close(&dp);
	return err;
}
