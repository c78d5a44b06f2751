/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * runfile.h: the daemon's two files outside bpffs (dp/pindir.h,
 * ef_pin_dir_run_path): a lock, held while it runs, so a second daemon on
 * the same pin dir is refused naming the first's pid; and its state as
 * JSON, rewritten whole (a new file renamed over the old) when it changes,
 * for `evenflow status`: pid, configuration file, the health checker's
 * alarm, what is announced, the siblings' alarms.
 */
#ifndef EF_RUNFILE_H
#define EF_RUNFILE_H

#include <stdbool.h>
#include <stddef.h>

/* What the daemon tells `evenflow status`. */
struct ef_daemon_report {
	const char *config;	   /* the configuration file */
	size_t checked;		   /* backends health-checked */
	size_t checker_failing;	   /* of them, the ones this host cannot check */
	const char *checker_error; /* why, for one of them ("" if none) */
	const char *announce;	   /* what is announced (routing.c) */
	size_t sibling_alarms;	   /* VIPs that differ on a sibling past the grace */
};

/* Takes the lock of pin_dir's daemon: its fd (kept open while the daemon
 * runs), or a negative errno with the error recorded ("another daemon,
 * pid N, runs for pin dir D"). */
int ef_daemon_lock(const char *pin_dir);

/* Writes the state file of pin_dir's daemon (errors are logged). */
void ef_daemon_report_write(const char *pin_dir, const struct ef_daemon_report *r);
/* Removes it (on exit). */
void ef_daemon_report_remove(const char *pin_dir);

#endif /* EF_RUNFILE_H */
