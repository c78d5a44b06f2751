// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cmd_decap.c: evenflow decap attach|detach|status (backend side). */
#include <errno.h>
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
	struct ef_decap dc;
	size_t naddrs = 0;
	__u32 replaced;
	int err;

	err = ef_decap_open(ef_pin_dir(ctx->pin_dir), true, &dc);
	if (err)
		return err;
	err = ef_decap_sync_addrs(&dc, &naddrs);
	if (err)
		goto out;
	pr_info("decap: %zu local addresses", naddrs);
	err = ef_xdp_ensure(dc.prog_fd, dc.prog_id, EF_PROG_NAME_DECAP, a->dev,
			    (enum xdp_attach_mode)a->mode, &replaced);
	if (err == EF_XDP_THERE)
		err = 0; /* re-running refreshes the addresses */
	else if (!err && replaced)
		pr_warn("device %s: ran decap program %u, whose pins are gone: replaced by %u",
			a->dev, replaced, dc.prog_id);
out:
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
	struct ef_vip_key cur, next;
	struct ef_decap dc;
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
	err = ef_print_devices(dc.prog_id);
	if (err)
		goto out;
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
