/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pindir.h: the pin dir, where the data plane's programs and maps are pinned
 * (on bpffs), and the lock that keeps two evenflow processes from
 * interleaving their writes there.
 */
#ifndef EF_PINDIR_H
#define EF_PINDIR_H

#include <stdbool.h>
#include <stddef.h>

#define EF_PIN_DIR_DEFAULT "/sys/fs/bpf/evenflow"
#define EF_PIN_DIR_ENV	   "EVENFLOW_PIN_DIR"

/* The pin dir: opt (--pin-dir), else $EVENFLOW_PIN_DIR, else the default. */
const char *ef_pin_dir(const char *opt);

/* Makes the pin dir, mounting bpffs where it needs one. */
int ef_pin_dir_prepare(const char *pin_dir);

/* Whether path is on bpffs. */
bool ef_is_bpffs(const char *path);

/* Takes the pin dir's exclusive lock (a flock on the directory): the fd,
 * which releases it when closed, or a negative errno (recorded). */
int ef_pin_dir_lock(const char *pin_dir);

/* Pinned object name under dir: its fd (bpf_obj_get), or a negative errno
 * (nothing recorded). */
int ef_pin_get(const char *dir, const char *name);
/* Whether dir/name exists. */
bool ef_pinned(const char *dir, const char *name);
/* The same, telling why it cannot be looked at: 0 (there), -ENOENT (not
 * there, nothing recorded), another negative errno recorded with the path
 * (-EACCES: not root). */
int ef_pin_look(const char *dir, const char *name);
/* Removes dir/name (quietly if it is not there). */
void ef_unpin(const char *dir, const char *name);
/* Where the daemon of a pin dir keeps its lock and its state, outside
 * bpffs (which holds only pins): EF_RUN_DIR/daemon-<device>-<inode> of the
 * pin dir, then suffix (".lock", ".json"). 0, or a negative errno (nothing
 * recorded) when the pin dir cannot be looked at. */
#define EF_RUN_DIR "/run/evenflow"
int ef_pin_dir_run_path(const char *pin_dir, const char *suffix, char *buf, size_t len);

/* "dir/name" into buf: 0 or -ENAMETOOLONG. */
int ef_pin_path(char *buf, size_t len, const char *dir, const char *name);

#endif /* EF_PINDIR_H */
