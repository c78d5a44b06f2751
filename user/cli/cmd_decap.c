// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cmd_decap.c: evenflow decap attach|detach|status (backend side). */
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "dp/decap.h"
#include "dp/maps.h"
#include "dp/pindir.h"
#include "dp/xdp.h"
#include "util/addr.h"
#include "util/log.h"

#define EF_DECAP_NAME(name, str, desc) str,
static const char *const decap_names[EF_DV_MAX] = {EF_DECAP_VERDICT_LIST(EF_DECAP_NAME)};
#undef EF_DECAP_NAME

/* Fills evenflow_decap_addrs with every address of this host (the VIPs
 * on lo among them) and removes the ones it no longer has. */
static int refresh_addrs(struct ef_decap *dc, size_t *count)
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

/* The arguments of decap attach and detach. */
struct decap_args {
	const char *dev;
	int mode; /* enum xdp_attach_mode */
};

static const struct ef_opt attach_opts[] = {
    {NULL, "DEV", EF_OPT_DEV, offsetof(struct decap_args, dev),
     .help = "the device tunnelled packets arrive on"},
    {"mode", "native|generic", EF_OPT_CHOICE, offsetof(struct decap_args, mode),
     .choices = ef_mode_choices, .help = "XDP mode"},
    EF_OPT_END,
};

static const struct ef_opt detach_opts[] = {
    {NULL, "DEV", EF_OPT_STR, offsetof(struct decap_args, dev), .help = "the device"},
    EF_OPT_END,
};

static const struct decap_args decap_defaults = {.mode = XDP_MODE_NATIVE};
static const struct ef_opt_set attach_args = EF_OPT_SET(attach_opts, decap_defaults);
static const struct ef_opt_set detach_args = EF_OPT_SET(detach_opts, decap_defaults);

static int decap_attach(const struct ef_ctx *ctx, const void *args)
{
	const struct decap_args *a = args;
	enum xdp_attach_mode mode = (enum xdp_attach_mode)a->mode;
	struct ef_attached *devs = NULL;
	const struct ef_attached *found;
	struct ef_decap dc;
	size_t ndevs = 0, naddrs = 0;
	const char *dev = a->dev;
	int err;

	err = ef_decap_open(ef_pin_dir(ctx->pin_dir), true, &dc);
	if (err)
		return err;
	err = refresh_addrs(&dc, &naddrs);
	if (!err)
		err = ef_prog_devices(dc.prog_id, &devs, &ndevs);
	if (err)
		goto out;
	pr_info("decap: %zu local addresses", naddrs);
	found = ef_attached_find(devs, ndevs, dev);
	if (found) {
		if (found->mode != mode)
			err = ef_err(-EBUSY, "device %s: decap already attached in %s mode", dev,
				     ef_mode_str(found->mode));
		goto out; /* re-running refreshes the addresses */
	}
	err = ef_xdp_attach(dc.prog_fd, dev, mode);
out:
	free(devs);
	ef_decap_close(&dc);
	return err;
}

static int decap_detach(const struct ef_ctx *ctx, const void *args)
{
	const struct decap_args *a = args;
	const char *pin_dir = ef_pin_dir(ctx->pin_dir);
	struct ef_attached *devs = NULL;
	struct ef_decap dc;
	size_t ndevs = 0;
	int err;

	err = ef_decap_open(pin_dir, false, &dc);
	if (err == -ENOENT)
		return ef_err(err, "device %s: decap is not loaded (pin dir %s)", a->dev, pin_dir);
	if (err)
		return err;
	err = ef_xdp_detach(dc.prog_fd, dc.prog_id, a->dev);
	if (!err)
		err = ef_prog_devices(dc.prog_id, &devs, &ndevs);
	if (!err && !ndevs)
		ef_decap_unpin(&dc); /* last device: pins removed, as for the LB */
	free(devs);
	ef_decap_close(&dc);
	return err;
}

static int decap_status(const struct ef_ctx *ctx, const void *args)
{
	const char *pin_dir = ef_pin_dir(ctx->pin_dir);
	struct ef_attached *devs = NULL;
	struct ef_vip_key cur, next;
	struct ef_decap dc;
	size_t ndevs = 0, i;
	void *prev = NULL;
	__u32 k;
	int err;

	(void)args;
	out_str("pin_dir", "pin dir:     %s\n", pin_dir);
	err = ef_decap_open(pin_dir, false, &dc);
	if (err == -ENOENT) {
		out_bool("loaded", "loaded:      %s\n", false);
		return 0;
	}
	if (err)
		return err;
	out_bool("loaded", "loaded:      %s\n", true);
	out_u64("prog_id", "program id:  %llu\n", dc.prog_id);
	err = ef_prog_devices(dc.prog_id, &devs, &ndevs);
	if (err)
		goto out;
	out_text("devices:%s\n", ndevs ? "" : "     none");
	out_arr_open("devices");
	for (i = 0; i < ndevs; i++) {
		out_obj_open(NULL);
		out_str("name", "  %-16s", devs[i].name);
		out_str("mode", " mode %s\n", ef_mode_str(devs[i].mode));
		out_obj_close();
	}
	out_arr_close();
	out_text("addresses:\n");
	out_arr_open("addresses");
	while (!bpf_map_get_next_key(dc.addrs, prev, &next)) {
		char a[EF_ADDR_STRLEN];

		cur = next;
		prev = &cur;
		out_str(NULL, "  %s\n", ef_addr_str(&cur.addr, cur.family, a, sizeof(a)));
	}
	out_arr_close();
	out_text("verdicts:\n");
	out_obj_open("verdicts");
	for (k = 0; k < EF_DV_MAX; k++) {
		__u64 cnt = 0;

		ef_percpu_sum(dc.verdicts, k, dc.ncpus, 1, &cnt);
		out_text("  %-20s", decap_names[k]);
		out_u64(decap_names[k], " %14llu\n", cnt);
	}
	out_obj_close();
out:
	free(devs);
	ef_decap_close(&dc);
	return err;
}

const struct ef_cmd ef_decap_cmds[] = {
    {.name = "attach",
     .run = decap_attach,
     .args = &attach_args,
     .help = "strip IPIP/IP6IP6 toward this host's addresses on DEV; re-run to refresh the "
	     "addresses"},
    {.name = "detach",
     .run = decap_detach,
     .args = &detach_args,
     .help = "detach the decap program"},
    {.name = "status",
     .run = decap_status,
     .args = &ef_no_args,
     .help = "devices, addresses, counters"},
    {NULL},
};
