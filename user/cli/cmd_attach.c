// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cmd_attach.c: evenflow attach|detach|status. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/live.h"
#include "dp/lb.h"
#include "dp/maps.h"
#include "dp/pindir.h"
#include "dp/xdp.h"
#include "util/log.h"

#define CONNTRACK_MIN 1024
#define CONNTRACK_MAX (1U << 26)

/* The data plane routes with bpf_fib_lookup, which fails unless the
 * ingress device forwards. Only a warning: the operator may fix it later. */
static void check_forwarding(const char *dev)
{
	static const char *const fams[] = {"ipv4", "ipv6"};
	size_t i;

	for (i = 0; i < 2; i++) {
		char path[128], val = 0;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/forwarding", fams[i], dev);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fread(&val, 1, 1, f) == 1 && val == '0')
			pr_warn("warning: net.%s.conf.%s.forwarding is 0: %s VIP traffic will be "
				"dropped (drop_fwd_disabled)",
				fams[i], dev, fams[i][3] == '4' ? "IPv4" : "IPv6");
		fclose(f);
	}
}

int cmd_attach(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	enum xdp_attach_mode mode = XDP_MODE_NATIVE;
	struct ef_dp_cfg cfg = {};
	struct ef_attached *devs = NULL;
	const struct ef_attached *found;
	size_t ndevs = 0;
	struct ef_dp dp;
	const char *dev;
	unsigned v;
	int c, err;

	ef_getopt_reset();
	while ((c = ef_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			ef_cmd_usage(cmd, NULL);
			return 0;
		case 'm':
			if (ef_arg_mode(optarg, &mode))
				return -EINVAL;
			break;
		case 'c':
			if (ef_arg_u32("--conntrack-size", optarg, CONNTRACK_MIN, CONNTRACK_MAX,
				       &v))
				return -EINVAL;
			if (v & (v - 1))
				return ef_usage("--conntrack-size %s: not a power of two", optarg);
			cfg.conntrack_size = v;
			break;
		case 'u':
			if (ef_arg_u32("--udp-timeout", optarg, 1, EF_UDP_IDLE_MAX, &v))
				return -EINVAL;
			cfg.udp_idle_s = v;
			break;
		default:
			return -EINVAL;
		}
	}
	err = ef_arg_dev(cmd, argc, argv, &dev);
	if (err)
		return err;
	err = ef_dp_open(ef_pin_dir(ctx->pin_dir), &cfg, &dp);
	if (err)
		return err;
	err = ef_prog_devices(dp.prog_id, &devs, &ndevs);
	if (err)
		goto out;
	found = ef_attached_find(devs, ndevs, dev);
	if (found) {
		if (found->mode != mode)
			err =
			    ef_err(-EBUSY, "device %s: already attached in %s mode (detach first)",
				   dev, ef_mode_str(found->mode));
		else
			pr_info("device %s: already attached", dev);
		goto out;
	}
	err = ef_tx_ports_sync(dp.tx_ports);
	if (err)
		goto out;
	check_forwarding(dev);
	err = ef_xdp_attach(dp.prog_fd, dev, mode);
out:
	free(devs);
	ef_dp_close(&dp);
	return err;
}

int cmd_detach(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	struct ef_attached *devs = NULL;
	const char *pin_dir = ef_pin_dir(ctx->pin_dir);
	size_t ndevs = 0;
	struct ef_dp dp;
	int err;

	err = ef_getopt_none(cmd, argc, argv, NULL);
	if (err)
		return err < 0 ? err : 0;
	if (ef_nargs(cmd, argc, argv, 1, 1))
		return -EINVAL;
	err = ef_dp_open_existing(pin_dir, &dp);
	if (err == -ENOENT)
		return ef_err(err, "device %s: evenflow is not loaded (pin dir %s)", argv[optind],
			      pin_dir);
	if (err)
		return err;
	err = ef_xdp_detach(dp.prog_fd, dp.prog_id, argv[optind]);
	if (!err)
		err = ef_prog_devices(dp.prog_id, &devs, &ndevs);
	/* The last device gone: the pins go too, so a stale configuration
	 * never comes back with the next attach. */
	if (!err && !ndevs) {
		ef_dp_unpin(&dp);
		pr_info("no device left: removed the pins under %s", pin_dir);
	}
	free(devs);
	ef_dp_close(&dp);
	return err;
}
