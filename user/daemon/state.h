/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * state.h: the daemon's state, shared by its parts (not a public header):
 * daemon.c (setup, signals, the loop), apply.c (the file applied: start
 * and reload), loader.c (the file read on SIGHUP), reconcile.c (health turned into states),
 * imbalance.c (the detector's log lines), metrics.c (the HTTP endpoint in the loop), routing.c (the
 * VIP addresses announced, the drain on SIGTERM, maintenance), siblings.c (the siblings'
 * fingerprints compared).
 */
#ifndef EF_DAEMON_STATE_H
#define EF_DAEMON_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/config.h"
#include "core/imbalance.h"
#include "daemon/announce_rule.h"
#include "daemon/health.h"
#include "daemon/http.h"

#define SAMPLE_MS 1000 /* imbalance detector's sampling period */
#define RETRY_MS  1000 /* a failed commit of health changes is retried */

struct ef_dp;

struct vip_flag {
	struct ef_vip_key key;
	bool flagged;
};

/* Everything the daemon holds, in one place. */
struct daemon {
	const char *pin_dir;
	const char *file;
	int epfd;
	struct ef_ev sig_ev, mhd_ev;
	struct ef_config cfg;
	struct ef_health *health;
	struct ef_http http;
	struct MHD_Daemon *mhd;
	struct ef_imb *imb;
	struct vip_flag *flags;
	size_t n_flags;
	__u64 next_sample, retry_at;
	bool dirty, stop, reload;
	int lock_fd;			  /* daemon/runfile.h: one daemon per pin dir */
	size_t report_failing;		  /* the checker's alarm as last reported (-1: never) */
	bool report_due;		  /* what routing.c or siblings.c report changed */
	struct daemon_routing *routing;	  /* routing.c; NULL: nothing announced */
	struct daemon_siblings *siblings; /* siblings.c; NULL: no sibling */
	bool routing_due;		  /* a commit happened: decide the announcement now */
	struct daemon_loader *loader;	  /* loader.c */
	struct daemon_devices *devices;	  /* devices.c; NULL: no decap: section yet */
};

/* The recorded library error as a log line, then forgotten. */
void daemon_log_error(const char *what, int err);

/* apply.c: makes cfg (parsed from d->file) the running configuration
 * (health laid over it), refusing a harmful one (unless force) and keeping
 * what runs then. On success d->cfg and d->health are replaced; cfg is
 * taken either way. A file that did not parse: its errors logged. */
int daemon_apply_config(struct daemon *d, struct ef_config *cfg, bool force);
void daemon_config_refused(struct daemon *d, const struct ef_config_errors *errs, int err);

/* loader.c: SIGHUP's reading and parsing of d->file, in a thread of its own
 * so that health checks, /metrics and announcing go on meanwhile; the
 * result is applied from the loop. A SIGHUP during a reading reads again
 * after it. Stopping waits for a reading under way. */
int daemon_loader_init(struct daemon *d);
void daemon_loader_start(struct daemon *d);
void daemon_loader_free(struct daemon *d);

/* apply.c: the running d->cfg (with the checker's verdicts) committed
 * again to dp: a data plane that lost it (a new one after detach and
 * attach, or after its pins were deleted). */
int daemon_restore(struct daemon *d, struct ef_dp *dp);
/* The load-time settings of cfg's `dataplane:` in *out, or NULL when it
 * has none (the loaded data plane's are kept). */
const struct ef_dp_cfg *daemon_dp_cfg(const struct ef_config *cfg, struct ef_dp_cfg *out);

/* reconcile.c: commits the health verdicts that differ from the running
 * configuration (retried every RETRY_MS while it fails). */
void daemon_reconcile(struct daemon *d);

/* apply.c: the checker's verdict on every backend of c (unchecked where it
 * has no target). */
void daemon_health_verdicts(struct ef_health *h, struct ef_conf *c);

/* imbalance.c: the detector set up from cfg (again when it changes), and
 * one reading fed to it, logging a VIP going out of balance and back. */
void daemon_imbalance_configure(struct daemon *d, const struct ef_config *cfg);
void daemon_imbalance_sample(struct daemon *d);

/* metrics.c: serves /metrics on cfg's address from the daemon's loop
 * (nothing if none is set). */
int daemon_metrics_start(struct daemon *d);

/* routing.c: the announcement (announce_rule.h) set up from cfg (again on
 * a reload, before cfg becomes d->cfg), decided again every second and when
 * d->routing_due; a signal (SIGTERM, SIGINT, SIGUSR1, SIGUSR2): false when
 * the daemon must stop now; its timers, metrics and state for `status`. */
void daemon_routing_configure(struct daemon *d, const struct ef_config *cfg);
bool daemon_routing_signal(struct daemon *d, int signo);
int daemon_routing_next_ms(const struct daemon *d);
void daemon_routing_run(struct daemon *d);
void daemon_routing_metrics(const struct daemon *d, FILE *f);
const char *daemon_routing_summary(const struct daemon *d, char *buf, size_t len);
void daemon_routing_free(struct daemon *d);

/* siblings.c: the siblings of cfg polled (again on a reload), their
 * fingerprints compared with the running configuration's, an alarm per VIP
 * and sibling after a difference lasting longer than the grace; timers,
 * metrics, the number of alarms raised. */
void daemon_siblings_configure(struct daemon *d, const struct ef_config *cfg);
int daemon_siblings_next_ms(const struct daemon *d);
void daemon_siblings_run(struct daemon *d);
void daemon_siblings_metrics(const struct daemon *d, FILE *f);
size_t daemon_siblings_alarms(const struct daemon *d);
/* routing.c's gate on an address of c that qualifies since `since` (ms):
 * EF_ANN_YES or EF_ANN_SIBLINGS (announce_rule.h, ef_ann_gate). */
enum ef_ann_why daemon_siblings_gate(const struct daemon *d, const struct ef_conf *c,
				     const struct ef_announce_addr *a, __u64 since);
void daemon_siblings_free(struct daemon *d);

/* devices.c: checked every 2 s: the LB's data plane is still the one the
 * daemon committed to (else its configuration is restored: a new data
 * plane after detach and attach; pins deleted: a new one loaded in place
 * of the stale program on its devices); the devices the file names keep
 * running the decap program (at once after a reload or an address change),
 * the host's addresses kept in its map; metrics
 * evenflow_attached{program,device}. Init: 0 or -ENOMEM. Configure: 0, or
 * an error recorded (the address watch). committed: a commit just went to
 * dp (another data plane than the last: it takes the place of the old
 * program on the devices that still run it). */
int daemon_devices_init(struct daemon *d);
int daemon_devices_configure(struct daemon *d, const struct ef_config *cfg);
void daemon_devices_committed(struct daemon *d, const struct ef_dp *dp);
int daemon_devices_next_ms(const struct daemon *d);
void daemon_devices_run(struct daemon *d);
void daemon_devices_metrics(const struct daemon *d, FILE *f);
void daemon_devices_free(struct daemon *d);

#endif /* EF_DAEMON_STATE_H */
