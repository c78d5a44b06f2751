// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * devices.c: the programs the daemon keeps running; see state.h. Every
 * CHECK_MS (and at once after a reload or an address change):
 * - the LB's data plane is opened as the CLI would: a program other than
 *   the one the daemon last committed to lost the configuration (detach of
 *   the last device unpins; attach loads anew), which is committed again;
 *   with the pins gone while an evenflow program still runs on devices, a
 *   new data plane is loaded and put in its place, then configured; with
 *   devices in the file's `dataplane:` (loaded with its settings if
 *   absent), each device the file names that does not run it gets it;
 * - the decap program is opened (loaded again if its pins were deleted)
 *   and put on every device the file names that does not run it: attached,
 *   or in place of a decap program whose pins are gone. The host's
 *   addresses go to its map when the kernel says they changed
 *   (daemon/addrwatch.h) and whenever the program is a new one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "daemon/addrwatch.h"
#include "daemon/dlog.h"
#include "daemon/state.h"
#include "dp/decap.h"
#include "dp/lb.h"
#include "dp/xdp.h"
#include "util/log.h"

#define CHECK_MS 2000

/* A device of the file and what the last check found. */
struct device_state {
	struct ef_config_device want;
	bool attached;
	char error[160]; /* the last error logged ("" none): logged once */
};

struct daemon_devices {
	struct ef_ev watch_ev; /* first: the address watch's socket */
	struct daemon *d;
	struct ef_addrwatch *watch;
	struct device_state decap[EF_CONFIG_DEVICES_MAX];
	size_t n_decap;
	struct device_state lb[EF_CONFIG_DEVICES_MAX]; /* the file's dataplane: devices */
	size_t n_lb;
	/* devices a reload dropped from dataplane: that ran the program: taken
	 * off at the next check (which holds the data plane open) */
	struct ef_config_devices lb_drop;
	__u32 decap_prog_id; /* the program of the last check (0: none yet) */
	__u32 lb_prog_id;    /* the LB program the daemon last committed to */
	char lb_error[160];  /* the last error about the LB logged ("" none) */
	size_t n_addrs;	     /* addresses in its map after the last sync */
	bool addrs_due;	     /* the host's addresses changed */
	__u64 next_check;
};

static void on_addresses(struct ef_ev *ev, uint32_t events)
{
	struct daemon_devices *dv = (struct daemon_devices *)ev;

	(void)events;
	if (ef_addrwatch_changed(dv->watch)) {
		dv->addrs_due = true;
		dv->next_check = 0;
	}
}

static int watch_open(struct daemon_devices *dv)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &dv->watch_ev};
	int err;

	dv->watch = ef_addrwatch_open(&err);
	if (!dv->watch)
		return ef_err(err, "cannot watch the host's addresses: %s", strerror(-err));
	dv->watch_ev.fd = ef_addrwatch_fd(dv->watch);
	dv->watch_ev.cb = on_addresses;
	if (epoll_ctl(dv->d->epfd, EPOLL_CTL_ADD, dv->watch_ev.fd, &ev)) {
		err = -errno;
		ef_addrwatch_close(dv->watch);
		dv->watch = NULL;
		return ef_err(err, "cannot watch the host's addresses: epoll: %s", strerror(-err));
	}
	return 0;
}

/* Logs err for a device once (again only when it changes). */
static void device_error(struct device_state *s, const char *what, int err)
{
	char line[sizeof(s->error)];

	snprintf(line, sizeof(line), "%s", ef_err_msg() ? ef_err_msg() : strerror(-err));
	ef_err_clear();
	if (s->attached || strcmp(line, s->error))
		ef_dlog(EF_DLOG_ERR, "%s %s: %s (retried every %d s)", what, s->want.name, line,
			CHECK_MS / 1000);
	snprintf(s->error, sizeof(s->error), "%s", line);
	s->attached = false;
}

/* Makes s's device run the program prog_fd (id prog_id; what: "decap" or
 * "LB", whose kernel name is name). */
static void keep_device(int prog_fd, __u32 prog_id, const char *name, const char *what,
			struct device_state *s)
{
	char line[64];
	__u32 replaced;
	int err = ef_xdp_ensure(prog_fd, prog_id, name, s->want.name,
				(enum xdp_attach_mode)s->want.mode, &replaced);

	if (err < 0) {
		snprintf(line, sizeof(line), "cannot attach %s to", what);
		device_error(s, line, err);
		return;
	}
	if (!err && replaced)
		ef_dlog(EF_DLOG_WARNING,
			"%s on %s: program %u, whose pins were gone, replaced by %u", what,
			s->want.name, replaced, prog_id);
	else if (!err)
		ef_dlog(EF_DLOG_INFO, "%s attached to %s (%s)", what, s->want.name,
			ef_mode_str((enum xdp_attach_mode)s->want.mode));
	s->attached = true;
	s->error[0] = '\0';
}

static void check_decap(struct daemon_devices *dv)
{
	struct ef_decap dc;
	size_t n = 0;
	int err;

	err = ef_decap_open(dv->d->pin_dir, true, &dc);
	if (err) {
		for (size_t i = 0; i < dv->n_decap; i++)
			device_error(&dv->decap[i], "cannot load decap for", err);
		return;
	}
	if (dc.prog_id != dv->decap_prog_id) {
		if (dv->decap_prog_id)
			ef_dlog(EF_DLOG_WARNING,
				"decap: program %u is gone (pins deleted?): now %u",
				dv->decap_prog_id, dc.prog_id);
		dv->decap_prog_id = dc.prog_id;
		dv->addrs_due = true;
	}
	if (dv->addrs_due) {
		err = ef_decap_sync_addrs(&dc, &n);
		if (err) {
			daemon_log_error("decap: cannot read the host's addresses", err);
		} else {
			if (n != dv->n_addrs)
				ef_dlog(EF_DLOG_INFO, "decap: %zu local addresses", n);
			dv->n_addrs = n;
			dv->addrs_due = false;
		}
	}
	for (size_t i = 0; i < dv->n_decap; i++)
		keep_device(dc.prog_fd, dc.prog_id, EF_PROG_NAME_DECAP, "decap", &dv->decap[i]);
	ef_decap_close(&dc);
}

/* Logs an error about the LB's data plane once (again when it changes). */
static void lb_error(struct daemon_devices *dv, const char *what, int err)
{
	char line[sizeof(dv->lb_error)];

	snprintf(line, sizeof(line), "%s: %s", what, ef_err_msg() ? ef_err_msg() : strerror(-err));
	ef_err_clear();
	if (strcmp(line, dv->lb_error))
		ef_dlog(EF_DLOG_ERR, "%s (retried every %d s)", line, CHECK_MS / 1000);
	snprintf(dv->lb_error, sizeof(dv->lb_error), "%s", line);
}

/* The devices that ran the program the daemon committed to and now run
 * it still (its pins deleted) get dp's in its place: only those, since an
 * evenflow program of another pin dir may run on other devices. */
static void lb_replace_ours(struct daemon_devices *dv, const struct ef_dp *dp)
{
	struct ef_attached *devs = NULL;
	size_t n = 0;

	if (ef_prog_devices(dv->lb_prog_id, &devs, &n)) {
		lb_error(dv, "cannot list the devices", -EIO);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (ef_xdp_replace(&devs[i], dp->prog_fd))
			lb_error(dv, "cannot replace the program", -EIO);
		else
			ef_dlog(
			    EF_DLOG_WARNING,
			    "device %s: ran evenflow program %u, whose pins were gone: replaced "
			    "by %u",
			    devs[i].name, devs[i].prog_id, dp->prog_id);
	}
	free(devs);
}

/* The devices of states[n] that were attached and that keep drops, added
 * to out. */
static void dropped(const struct device_state *states, size_t n,
		    const struct ef_config_devices *keep, struct ef_config_devices *out)
{
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < keep->n && strcmp(keep->dev[j].name, states[i].want.name); j++)
			;
		if (j == keep->n && states[i].attached && out->n < EF_CONFIG_DEVICES_MAX)
			out->dev[out->n++] = states[i].want;
	}
}

/* The program (prog_fd, id; what: "decap" or "LB") taken off devs[n]. */
static void drop_devices(const struct ef_config_device *devs, size_t n, int prog_fd, __u32 prog_id,
			 const char *what)
{
	for (size_t i = 0; i < n; i++) {
		if (ef_xdp_detach(prog_fd, prog_id, devs[i].name))
			daemon_log_error("cannot detach", -EIO);
		else
			ef_dlog(EF_DLOG_INFO, "%s detached from %s (no longer in the file)", what,
				devs[i].name);
	}
}

/* The devices of the file's dataplane: that do not run dp's program get
 * it; the redirect map learns the host's devices first. */
static void keep_lb_devices(struct daemon_devices *dv, const struct ef_dp *dp)
{
	struct ef_attached *devs = NULL;
	size_t n = 0;
	bool missing = false;

	if (!ef_prog_devices(dp->prog_id, &devs, &n))
		for (size_t i = 0; i < dv->n_lb; i++)
			missing |= !ef_attached_find(devs, n, dv->lb[i].want.name);
	free(devs);
	if (missing && ef_tx_ports_sync(dp->tx_ports))
		lb_error(dv, "cannot fill the redirect map", -EIO);
	for (size_t i = 0; i < dv->n_lb; i++)
		keep_device(dp->prog_fd, dp->prog_id, EF_PROG_NAME_LB, "LB", &dv->lb[i]);
}

static void check_lb(struct daemon_devices *dv)
{
	struct daemon *d = dv->d;
	struct ef_dp_cfg load;
	struct ef_dp dp;
	int err;

	if (!d->cfg.has_vips || (!dv->lb_prog_id && !dv->n_lb))
		return;
	err = ef_dp_open_existing(d->pin_dir, &dp);
	if (err == -ENOENT && dv->n_lb) /* devices to keep: loaded as the file says */
		err = ef_dp_open(d->pin_dir, daemon_dp_cfg(&d->cfg, &load), &dp);
	else if (err == -ENOENT && ef_prog_id_exists(dv->lb_prog_id))
		err = ef_dp_open(d->pin_dir, NULL, &dp); /* pins gone, program on */
	if (err == -ENOENT) /* nothing loaded, nothing running: nothing to keep */
		return;
	if (err) {
		lb_error(dv, "cannot open the data plane", err);
		return;
	}
	dv->lb_error[0] = '\0';
	/* configured first, then in place of the old program */
	if (dp.prog_id != dv->lb_prog_id) {
		ef_dlog(EF_DLOG_WARNING,
			"the data plane is a new one (program %u, was %u: attached again, or its "
			"pins deleted): committing %s's configuration to it",
			dp.prog_id, dv->lb_prog_id, d->file);
		err = daemon_restore(d, &dp);
		if (!err)
			daemon_devices_committed(d, &dp);
	}
	drop_devices(dv->lb_drop.dev, dv->lb_drop.n, dp.prog_fd, dp.prog_id, "LB");
	dv->lb_drop.n = 0;
	/* a data plane without the configuration is never attached */
	if (!err)
		keep_lb_devices(dv, &dp);
	ef_dp_close(&dp);
}

/* The states of the new list want: a device kept (same name and mode)
 * keeps what the last check found. */
static void keep_states(struct device_state *states, size_t *n,
			const struct ef_config_devices *want)
{
	struct device_state old[EF_CONFIG_DEVICES_MAX];
	size_t n_old = *n;

	memcpy(old, states, sizeof(old));
	for (size_t i = 0; i < want->n; i++) {
		struct device_state s = {.want = want->dev[i]};

		for (size_t j = 0; j < n_old; j++)
			if (!strcmp(old[j].want.name, s.want.name) &&
			    old[j].want.mode == s.want.mode)
				s = old[j];
		states[i] = s;
	}
	*n = want->n;
}

int daemon_devices_init(struct daemon *d)
{
	struct daemon_devices *dv = calloc(1, sizeof(*dv));

	if (!dv)
		return -ENOMEM;
	dv->d = d;
	d->devices = dv;
	return 0;
}

void daemon_devices_committed(struct daemon *d, const struct ef_dp *dp)
{
	struct daemon_devices *dv = d->devices;

	if (dv->lb_prog_id && dv->lb_prog_id != dp->prog_id)
		lb_replace_ours(dv, dp);
	dv->lb_prog_id = dp->prog_id;
}

int daemon_devices_configure(struct daemon *d, const struct ef_config *cfg)
{
	struct daemon_devices *dv = d->devices;
	struct ef_config_devices drop = {};
	struct ef_decap dc;

	if (cfg->decap.on && !dv->watch) {
		int err = watch_open(dv);

		if (err)
			return err;
	}
	dropped(dv->decap, dv->n_decap, &cfg->decap.devices, &drop);
	if (drop.n && !ef_decap_open(d->pin_dir, false, &dc)) {
		drop_devices(drop.dev, drop.n, dc.prog_fd, dc.prog_id, "decap");
		ef_decap_close(&dc);
	}
	ef_err_clear();
	dropped(dv->lb, dv->n_lb, &cfg->dataplane.devices, &dv->lb_drop);
	keep_states(dv->decap, &dv->n_decap, &cfg->decap.devices);
	keep_states(dv->lb, &dv->n_lb, &cfg->dataplane.devices);
	dv->next_check = 0;
	return 0;
}

int daemon_devices_next_ms(const struct daemon *d)
{
	__u64 now = ef_now_ms();

	return d->devices->next_check > now ? (int)(d->devices->next_check - now) : 0;
}

void daemon_devices_run(struct daemon *d)
{
	struct daemon_devices *dv = d->devices;
	__u64 now = ef_now_ms();

	if (now < dv->next_check)
		return;
	dv->next_check = now + CHECK_MS;
	check_lb(dv);
	if (dv->n_decap)
		check_decap(dv);
}

void daemon_devices_metrics(const struct daemon *d, FILE *f)
{
	const struct daemon_devices *dv = d->devices;

	if (!dv->n_decap && !dv->n_lb)
		return;
	fprintf(f, "# HELP evenflow_attached 1 while the daemon's program runs on the device its "
		   "file names, else 0 (checked every 2 s)\n"
		   "# TYPE evenflow_attached gauge\n");
	for (size_t i = 0; i < dv->n_lb; i++)
		fprintf(f, "evenflow_attached{program=\"lb\",device=\"%s\"} %d\n",
			dv->lb[i].want.name, dv->lb[i].attached);
	for (size_t i = 0; i < dv->n_decap; i++)
		fprintf(f, "evenflow_attached{program=\"decap\",device=\"%s\"} %d\n",
			dv->decap[i].want.name, dv->decap[i].attached);
	if (!dv->n_decap)
		return;
	fprintf(f,
		"# HELP evenflow_decap_addresses local addresses in the decap program's map\n"
		"# TYPE evenflow_decap_addresses gauge\nevenflow_decap_addresses %zu\n",
		dv->n_addrs);
}

void daemon_devices_free(struct daemon *d)
{
	if (!d->devices)
		return;
	ef_addrwatch_close(d->devices->watch);
	free(d->devices);
	d->devices = NULL;
}
