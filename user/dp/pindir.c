// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* pindir.c: the pin dir on bpffs, its lock and its pins; see pindir.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "dp/pindir.h"
#include "util/log.h"

const char *ef_pin_dir(const char *opt)
{
	const char *env = getenv(EF_PIN_DIR_ENV);

	if (opt && *opt)
		return opt;
	if (env && *env)
		return env;
	return EF_PIN_DIR_DEFAULT;
}

bool ef_is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static bool dir_is_empty(const char *path)
{
	struct dirent *e;
	bool empty = true;
	DIR *d = opendir(path);

	if (!d)
		return false;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

/* The parent of pid (0 if it cannot be read): field 4 of /proc/PID/stat,
 * after the command name in parentheses. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd, ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	p = strrchr(buf, ')');
	return p && sscanf(p + 1, " %*c %d", &ppid) == 1 ? ppid : 0;
}

/* Whether this process has a mount namespace of its own (ip netns exec
 * makes one): one that differs from an ancestor's, or from init's. A mount
 * made in it dies with the process. Ancestors are walked while their
 * namespace can be read (a sandbox may hide pid 1's). */
static bool private_mount_ns(void)
{
	struct stat self, other;
	pid_t pid = getpid();

	if (stat("/proc/self/ns/mnt", &self))
		return false;
	for (int depth = 0; depth < 64 && (pid = parent_of(pid)) > 0; depth++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
		if (stat(path, &other))
			break;
		if (other.st_ino != self.st_ino || other.st_dev != self.st_dev)
			return true;
	}
	if (stat("/proc/1/ns/mnt", &other))
		return false;
	return other.st_ino != self.st_ino || other.st_dev != self.st_dev;
}

/* Where bpffs goes for pin_dir (its parent when that is the usual place,
 * /sys/fs/bpf, or an empty directory, else the pin dir itself), refusing
 * any place where a mount would hide files, and / itself. */
static int mount_target(const char *pin_dir, const char *parent, const char **target)
{
	int err;

	*target = parent;
	if (!strcmp(parent, "/sys/fs/bpf") || dir_is_empty(parent))
		return strcmp(parent, "/")
			   ? 0
			   : ef_err(-EPERM, "pin dir %s: refusing to mount bpffs on /", pin_dir);
	if (!strcmp(pin_dir, "/"))
		return ef_err(-EPERM, "pin dir /: refusing to mount bpffs on /");
	err = mkdir_p(pin_dir);
	if (err)
		return ef_err(err, "pin dir %s: %s", pin_dir, strerror(-err));
	if (!dir_is_empty(pin_dir))
		return ef_err(
		    -ENOTEMPTY,
		    "pin dir %s: not on bpffs and not empty: refusing to mount bpffs over "
		    "its files (mount -t bpf bpf DIR on an empty one)",
		    pin_dir);
	*target = pin_dir;
	return 0;
}

/*
 * The pin dir must be on bpffs, one that outlives the command: if neither it
 * nor its parent is, bpffs is mounted where it hides nothing
 * (mount_target), unless this process has a mount namespace of its own
 * (ip netns exec makes one): a mount made there vanishes with the process,
 * and the pins with it, while the program stays on its devices.
 */
int ef_pin_dir_prepare(const char *pin_dir)
{
	char parent[PATH_MAX], *slash;
	const char *target;
	int err;

	if (ef_is_bpffs(pin_dir))
		return 0;
	if (snprintf(parent, sizeof(parent), "%s", pin_dir) >= (int)sizeof(parent))
		return ef_err(-ENAMETOOLONG, "pin dir %s: name too long", pin_dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	else
		snprintf(parent, sizeof(parent), "/");
	if (!ef_is_bpffs(parent)) {
		if (private_mount_ns())
			return ef_err(
			    -EPERM,
			    "pin dir %s is not on bpffs, and one mounted now would vanish "
			    "with this command (a private mount namespace: ip netns exec?): "
			    "mount one that outlives it first: mount -t bpf bpf %s",
			    pin_dir, pin_dir);
		err = mkdir_p(parent);
		if (err)
			return ef_err(err, "pin dir %s: %s", parent, strerror(-err));
		err = mount_target(pin_dir, parent, &target);
		if (err)
			return err;
		if (mount("bpffs", target, "bpf", 0, "mode=0700"))
			return ef_err(-errno, "pin dir %s: cannot mount bpffs on %s: %s", pin_dir,
				      target, strerror(errno));
		pr_info("mounted bpffs on %s", target);
	}
	err = mkdir_p(pin_dir);
	if (err)
		return ef_err(err, "pin dir %s: %s", pin_dir, strerror(-err));
	if (!ef_is_bpffs(pin_dir))
		return ef_err(-ENOTSUP, "pin dir %s: not on bpffs", pin_dir);
	return 0;
}

int ef_pin_dir_lock(const char *pin_dir)
{
	int fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err;

	if (fd < 0)
		return ef_err(-errno, "pin dir %s: %s", pin_dir, strerror(errno));
	if (flock(fd, LOCK_EX)) {
		err = -errno;
		close(fd);
		return ef_err(err, "pin dir %s: %s", pin_dir, strerror(-err));
	}
	return fd;
}

int ef_pin_dir_run_path(const char *pin_dir, const char *suffix, char *buf, size_t len)
{
	struct stat st;

	if (stat(pin_dir, &st))
		return -errno;
	if (snprintf(buf, len, EF_RUN_DIR "/daemon-%llx-%llx%s", (unsigned long long)st.st_dev,
		     (unsigned long long)st.st_ino, suffix) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int ef_pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	if (snprintf(buf, len, "%s/%s", dir, name) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int ef_pin_get(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (ef_pin_path(path, sizeof(path), dir, name))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

bool ef_pinned(const char *dir, const char *name)
{
	char path[PATH_MAX];

	return !ef_pin_path(path, sizeof(path), dir, name) && !access(path, F_OK);
}

int ef_pin_look(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (ef_pin_path(path, sizeof(path), dir, name))
		return ef_err(-ENAMETOOLONG, "pin dir %s: name too long", dir);
	if (!stat(path, &st))
		return 0;
	if (errno == ENOENT || errno == ENOTDIR)
		return -ENOENT;
	return ef_err(-errno, "%s: %s%s", path, strerror(errno),
		      errno == EACCES ? " (evenflow needs root)" : "");
}

void ef_unpin(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (!ef_pin_path(path, sizeof(path), dir, name))
		unlink(path);
}
