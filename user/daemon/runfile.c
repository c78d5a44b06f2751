// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* runfile.c: the daemon's lock and state file; see runfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "daemon/dlog.h"
#include "daemon/runfile.h"
#include "dp/pindir.h"
#include "util/log.h"

int ef_daemon_lock(const char *pin_dir)
{
	char path[PATH_MAX], pid[32] = "";
	int fd, err;
	ssize_t n;

	err = ef_pin_dir_run_path(pin_dir, ".lock", path, sizeof(path));
	if (err)
		return ef_err(err, "pin dir %s: %s", pin_dir, strerror(-err));
	if (mkdir(EF_RUN_DIR, 0755) && errno != EEXIST)
		return ef_err(-errno, "%s: %s", EF_RUN_DIR, strerror(errno));
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return ef_err(-errno, "%s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		err = errno;
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		close(fd);
		if (err == EWOULDBLOCK)
			return ef_err(-EBUSY, "another daemon (pid %s) runs for pin dir %s (%s)",
				      pid[0] ? pid : "?", pin_dir, path);
		return ef_err(-err, "%s: %s", path, strerror(err));
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, (size_t)n, 0) != n) {
		err = -errno;
		close(fd);
		return ef_err(err, "%s: %s", path, strerror(-err));
	}
	return fd;
}

void ef_daemon_report_write(const char *pin_dir, const struct ef_daemon_report *r)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	json_t *o;
	int err;

	if (ef_pin_dir_run_path(pin_dir, ".json", path, sizeof(path)))
		return;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	o = json_pack("{s:i, s:s, s:s, s:I, s:I, s:s, s:s, s:I}", "pid", (int)getpid(), "pin_dir",
		      pin_dir, "config", r->config, "health_checked", (json_int_t)r->checked,
		      "health_checker_failing", (json_int_t)r->checker_failing,
		      "health_checker_error", r->checker_error, "announce", r->announce,
		      "sibling_alarms", (json_int_t)r->sibling_alarms);
	err = !o || json_dump_file(o, tmp, JSON_COMPACT) || rename(tmp, path);
	json_decref(o);
	if (err)
		ef_dlog(EF_DLOG_WARNING, "cannot write %s: %s", path, strerror(errno));
}

void ef_daemon_report_remove(const char *pin_dir)
{
	char path[PATH_MAX];

	if (!ef_pin_dir_run_path(pin_dir, ".json", path, sizeof(path)))
		unlink(path);
}
