// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cmd_doctor.c: evenflow doctor [lb|backend] [VIP...]; see doctor.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/doctor.h"
#include "cli/output.h"
#include "core/config_file.h"
#include "dp/pindir.h"
#include "dp/xdp.h"
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
    {"config", "FILE", EF_OPT_STR, offsetof(struct ef_doctor_args, config),
     .help = "the configuration this host should run: its dataplane:/decap: devices and modes, "
	     "its announce: (default: the running daemon's file)"},
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

unsigned ef_doctor_devices(struct ef_doctor *d, __u32 prog_id, const struct ef_config_devices *want,
			   const char *obj, size_t *n_out)
{
	struct ef_attached *devs = NULL;
	char fix[160];
	unsigned mtu = 0;
	size_t n = 0, i;

	if (prog_id && ef_prog_devices(prog_id, &devs, &n))
		n = 0;
	for (i = 0; want && i < want->n; i++) {
		const char *name = want->dev[i].name, *mode = ef_mode_str(want->dev[i].mode);
		const struct ef_attached *a = ef_attached_find(devs, n, name);

		if (a && (int)a->mode == want->dev[i].mode)
			continue; /* below, with the others */
		if (a) {
			snprintf(
			    fix, sizeof(fix),
			    "evenflow %sdetach %s && evenflow %sattach %s --mode %s (or restart "
			    "the daemon)",
			    obj, name, obj, name, mode);
			ef_step(d, EF_STEP_FAIL, "attached", name, fix,
				"mode %s, the configuration asks %s", ef_mode_str(a->mode), mode);
		} else {
			snprintf(
			    fix, sizeof(fix),
			    "the daemon attaches it within 2 s (journalctl -u evenflow says why "
			    "not); by hand: evenflow %sattach %s --mode %s",
			    obj, name, mode);
			ef_step(d, EF_STEP_FAIL, "attached", name, fix,
				"not running the program (the configuration asks mode %s)", mode);
		}
	}
	for (i = 0; i < n; i++) {
		unsigned m = ef_dev_mtu(devs[i].name);
		size_t w;

		for (w = 0; want && w < want->n && strcmp(want->dev[w].name, devs[i].name); w++)
			;
		mtu = m > mtu ? m : mtu;
		if (want && w < want->n && want->dev[w].mode != (int)devs[i].mode)
			continue; /* failed above */
		ef_step(d, EF_STEP_OK, "attached", devs[i].name, NULL, "mode %s%s, mtu %u",
			ef_mode_str(devs[i].mode), devs[i].multiprog ? " (libxdp dispatcher)" : "",
			m);
	}
	if (!n && !(want && want->n)) {
		snprintf(fix, sizeof(fix), "evenflow %sattach DEV, or name it in the configuration",
			 obj);
		ef_step(d, EF_STEP_FAIL, "attached", "-", fix, "the program runs on no device");
	}
	free(devs);
	*n_out = n;
	return mtu;
}

/* The configuration to check against: --config (an error when it cannot
 * be read or is invalid), else the running daemon's file (left out when it
 * cannot be read: the daemon's reload says why). */
static int load_config(struct ef_doctor *d, struct ef_config *cfg, json_t *state)
{
	static struct ef_config_errors errs;
	const char *path = d->args->config;
	int err;

	if (!path && state)
		path = json_string_value(json_object_get(state, "config"));
	if (!path)
		return 0;
	err = ef_config_load(path, cfg, &errs);
	if (err && d->args->config)
		return ef_err(err, "doctor: %s", errs.shown ? errs.line[0] : strerror(-err));
	if (!err)
		d->cfg = cfg;
	return 0;
}

int cmd_doctor(const struct ef_ctx *ctx, const void *args)
{
	struct ef_doctor d = {.pin_dir = ef_pin_dir(ctx->pin_dir), .args = args};
	json_t *state = ef_daemon_state(d.pin_dir);
	struct ef_config cfg = {};
	int err;

	d.announcing = state ? json_string_value(json_object_get(state, "announce")) : NULL;
	err = load_config(&d, &cfg, state);
	if (err)
		goto out;
	out_keep_on_error();
	out_arr_open("steps");
	if (d.args->side == EF_DOCTOR_BACKEND)
		err = ef_doctor_backend(&d);
	else
		err = ef_doctor_lb(&d);
	out_arr_close();
	if (err)
		goto out;
	out_u64("failed", NULL, d.failed);
	if (d.failed)
		err = ef_err(-EINVAL, "doctor: %zu step(s) failed", d.failed);
	else
		out_text("every step passed\n");
out:
	ef_config_free(&cfg);
	json_decref(state);
	return err;
}
