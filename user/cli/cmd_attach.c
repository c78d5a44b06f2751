// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cmd_attach.c: evenflow attach|detach. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/live.h"
#include "dp/devtable.h"
#include "dp/lb.h"
#include "dp/maps.h"
#include "dp/pindir.h"
#include "dp/xdp.h"
#include "util/addr.h"
#include "util/log.h"

/* attach's arguments. */
struct attach_args {
	const char *dev;
	int mode; /* enum xdp_attach_mode */
	unsigned conntrack_size, udp_timeout, tcp_timeout, reply_rate;
};

const struct ef_choice ef_mode_choices[] = {
    {"native", XDP_MODE_NATIVE},
    {"generic", XDP_MODE_SKB},
    {NULL, 0},
};

static int parse_conntrack_size(const struct ef_opt *o, const char *arg, void *field)
{
	__u32 v;

	if (ef_parse_u32(arg, EF_CONNTRACK_MIN, EF_CONNTRACK_MAX, &v) || !EF_CONNTRACK_SIZE_OK(v))
		return ef_usage("attach: --%s %s: must be a power of two in %u..%u", o->name, arg,
				EF_CONNTRACK_MIN, EF_CONNTRACK_MAX);
	*(unsigned *)field = v;
	return 0;
}

static const struct ef_opt attach_opts[] = {
    {NULL, "DEV", EF_OPT_DEV, offsetof(struct attach_args, dev), .help = "the device"},
    {"mode", "native|generic", EF_OPT_CHOICE, offsetof(struct attach_args, mode),
     .choices = ef_mode_choices, .help = "XDP mode"},
    {"conntrack-size", "N", EF_OPT_CUSTOM, offsetof(struct attach_args, conntrack_size),
     .parse = parse_conntrack_size,
     .help = "connection-table slots, a power of two (default " EF_STR(
	 EF_CONNTRACK_DEFAULT) "; fixed at load)"},
    {"udp-timeout", "S", EF_OPT_U32, offsetof(struct attach_args, udp_timeout), 1, EF_UDP_IDLE_MAX,
     .help = "seconds a UDP flow may idle before it takes a fresh choice"},
    {"tcp-timeout", "S", EF_OPT_U32, offsetof(struct attach_args, tcp_timeout), 60, EF_TCP_IDLE_MAX,
     .help = "seconds an established TCP flow may idle before its entry ends"},
    {"reply-rate", "N", EF_OPT_U32, offsetof(struct attach_args, reply_rate), 1, EF_REPLY_RATE_MAX,
     .help = "ICMP replies the data plane sends itself, per second per CPU"},
    EF_OPT_END,
};

static const struct attach_args attach_defaults = {
    .mode = XDP_MODE_NATIVE,
    .udp_timeout = EF_UDP_IDLE_DEFAULT,
    .tcp_timeout = EF_TCP_IDLE_DEFAULT,
    .reply_rate = EF_REPLY_RATE_DEFAULT,
};
const struct ef_opt_set ef_attach_args = EF_OPT_SET(attach_opts, attach_defaults);

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

/* The evenflow program dev runs whose pins are gone (another than dp's),
 * if any: *stale filled, 1; 0 if none. */
static int stale_on(const struct ef_dp *dp, const char *dev, struct ef_attached *stale)
{
	struct ef_attached *devs = NULL;
	const struct ef_attached *d;
	size_t n = 0;
	int err = ef_prog_devices_named(EF_PROG_NAME_LB, &devs, &n);

	if (err)
		return err;
	d = ef_attached_find(devs, n, dev);
	if (d && (!dp || d->prog_id != dp->prog_id))
		*stale = *d;
	err = d && (!dp || d->prog_id != dp->prog_id);
	free(devs);
	return err;
}

int cmd_attach(const struct ef_ctx *ctx, const void *args)
{
	const struct attach_args *a = args;
	enum xdp_attach_mode mode = (enum xdp_attach_mode)a->mode;
	struct ef_dp_cfg cfg = {.conntrack_size = a->conntrack_size,
				.udp_idle_s = a->udp_timeout,
				.tcp_idle_s = a->tcp_timeout,
				.reply_rate = a->reply_rate};
	const char *dev = a->dev;
	struct ef_dp dp;
	__u32 replaced;
	int err;

	err = ef_dp_open(ef_pin_dir(ctx->pin_dir), &cfg, &dp);
	if (err)
		return err;
	err = ef_devices_sync(&dp);
	if (err)
		goto out;
	check_forwarding(dev);
	err = ef_xdp_ensure(dp.prog_fd, dp.prog_id, EF_PROG_NAME_LB, dev, mode, &replaced);
	if (err == EF_XDP_THERE) {
		pr_info("device %s: already attached", dev);
		err = 0;
	} else if (!err && replaced) {
		pr_warn("device %s: ran evenflow program %u, whose pins are gone: replaced by %u",
			dev, replaced, dp.prog_id);
	}
out:
	ef_dp_close(&dp);
	return err;
}

/* detach's arguments. */
struct detach_args {
	const char *dev;
};

static const struct ef_opt detach_opts[] = {
    {NULL, "DEV", EF_OPT_STR, offsetof(struct detach_args, dev), .help = "the device"},
    EF_OPT_END,
};

static const struct detach_args detach_defaults;
const struct ef_opt_set ef_detach_args = EF_OPT_SET(detach_opts, detach_defaults);

/* detach of a device that does not run dp's program: an evenflow program
 * whose pins are gone is taken off it; anything else is an error. */
static int detach_stale(const struct ef_dp *dp, const char *dev, const char *pin_dir)
{
	struct ef_attached stale = {};
	int err = stale_on(dp, dev, &stale);

	if (err < 0)
		return err;
	if (!err && !dp)
		return ef_err(-ENOENT, "device %s: evenflow is not loaded (pin dir %s)", dev,
			      pin_dir);
	if (!err)
		return ef_err(-ENOENT, "device %s: evenflow is not attached", dev);
	pr_warn("device %s: detaching evenflow program %u, whose pins are gone", dev,
		stale.prog_id);
	return ef_xdp_detach(-1, stale.prog_id, dev);
}

int cmd_detach(const struct ef_ctx *ctx, const void *args)
{
	const struct detach_args *a = args;
	const char *pin_dir = ef_pin_dir(ctx->pin_dir);
	struct ef_attached *devs = NULL;
	size_t ndevs = 0;
	struct ef_dp dp;
	bool ours;
	int err;

	err = ef_dp_open_existing(pin_dir, &dp);
	if (err == -ENOENT)
		return detach_stale(NULL, a->dev, pin_dir);
	if (err)
		return err;
	err = ef_prog_devices(dp.prog_id, &devs, &ndevs);
	ours = !err && ef_attached_find(devs, ndevs, a->dev);
	if (!err)
		err = ours ? ef_xdp_detach(dp.prog_fd, dp.prog_id, a->dev)
			   : detach_stale(&dp, a->dev, pin_dir);
	free(devs);
	devs = NULL;
	if (!err)
		err = ef_prog_devices(dp.prog_id, &devs, &ndevs);
	/* The last device gone: the pins go too, so a stale configuration
	 * never comes back with the next attach. */
	if (!err && ours && !ndevs) {
		ef_dp_unpin(&dp);
		pr_info("no device left: removed the pins under %s", pin_dir);
	}
	free(devs);
	ef_dp_close(&dp);
	return err;
}
