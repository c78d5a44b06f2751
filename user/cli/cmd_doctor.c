// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cmd_doctor.c: evenflow doctor [lb|backend] [VIP...]; see doctor.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/doctor.h"
#include "cli/output.h"
#include "dp/pindir.h"
#include "util/addr.h"
#include "util/log.h"

static const struct ef_choice sides[] = {
    {"lb", EF_DOCTOR_LB}, {"backend", EF_DOCTOR_BACKEND}, {NULL, 0}};

/* VIP..., each once. */
static int parse_vip(const struct ef_opt *o, const char *arg, void *field)
{
	struct ef_doctor_args *a =
	    (struct ef_doctor_args *)((char *)field - offsetof(struct ef_doctor_args, vips));
	char shown[EF_ARG_SHOWN * 4 + 8];
	const char *why;

	(void)o;
	if (a->n_vips == EF_DOCTOR_VIPS)
		return ef_usage("doctor: more than %d VIPs", EF_DOCTOR_VIPS);
	if (ef_vip_parse(arg, &a->vips[a->n_vips], &why))
		return ef_usage("doctor: vip %s: %s", ef_arg_show(arg, shown, sizeof(shown)), why);
	a->n_vips++;
	return 0;
}

static const struct ef_opt doctor_opts[] = {
    {NULL, "lb|backend", EF_OPT_CHOICE, offsetof(struct ef_doctor_args, side), .choices = sides,
     .flags = EF_OPT_OPTIONAL, .help = "lb: this host is a load balancer; backend: it serves VIPs"},
    {NULL, "VIP", EF_OPT_CUSTOM, offsetof(struct ef_doctor_args, vips), .parse = parse_vip,
     .flags = EF_OPT_OPTIONAL | EF_OPT_MANY,
     .help = "only these VIPs (ADDR:PORT/PROTO); backend: default the addresses decap knows, "
	     "and the probe needs the port"},
    {"mtu", "N", EF_OPT_U32, offsetof(struct ef_doctor_args, mtu), 576, 65535,
     .help = "backend: the largest packet a client sends, before encapsulation"},
    EF_OPT_END,
};

static const struct ef_doctor_args doctor_defaults = {.side = EF_DOCTOR_LB, .mtu = 1500};
const struct ef_opt_set ef_doctor_args = EF_OPT_SET(doctor_opts, doctor_defaults);

static const char *const result_names[] = {"ok", "FAIL", "skip"};

void ef_step(struct ef_doctor *d, enum ef_step_result r, const char *step, const char *subject,
	     const char *fix, const char *fmt, ...)
{
	static const char *const json_names[] = {"ok", "fail", "skip"};
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (r == EF_STEP_FAIL)
		d->failed++;
	out_obj_open(NULL);
	out_text("%-4s  ", result_names[r]);
	out_str("step", "%-15s ", step);
	out_str("subject", "%-28s ", subject);
	out_str("result", NULL, json_names[r]);
	out_str("detail", "%s\n", detail);
	if (r == EF_STEP_FAIL && fix)
		out_str("fix", "      fix: %s\n", fix);
	out_obj_close();
}

int ef_sysctl(const char *path)
{
	char p[256];
	FILE *f;
	int v = -1;

	snprintf(p, sizeof(p), "/proc/sys/%s", path);
	f = fopen(p, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

unsigned ef_dev_mtu(const char *dev)
{
	char p[128];
	unsigned mtu = 0;
	FILE *f;

	snprintf(p, sizeof(p), "/sys/class/net/%s/mtu", dev);
	f = fopen(p, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%u", &mtu) != 1)
		mtu = 0;
	fclose(f);
	return mtu;
}

int cmd_doctor(const struct ef_ctx *ctx, const void *args)
{
	struct ef_doctor d = {.pin_dir = ef_pin_dir(ctx->pin_dir), .args = args};
	int err;

	out_keep_on_error();
	out_arr_open("steps");
	if (d.args->side == EF_DOCTOR_BACKEND)
		err = ef_doctor_backend(&d);
	else
		err = ef_doctor_lb(&d);
	out_arr_close();
	if (err)
		return err;
	out_u64("failed", NULL, d.failed);
	if (d.failed)
		return ef_err(-EINVAL, "doctor: %zu step(s) failed", d.failed);
	out_text("every step passed\n");
	return 0;
}
