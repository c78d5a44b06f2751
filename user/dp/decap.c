// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* decap.c: loading, pinning and opening the backend-side decap program;
 * see decap.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dp/decap.h"
#include "dp/pindir.h"
#include "dp/xdp.h"
#include "util/log.h"

#include "decap.skel.h"

static const char *const decap_maps[] = {"evenflow_decap_addrs", "evenflow_decap_verdicts"};
#define N_DECAP_MAPS (sizeof(decap_maps) / sizeof(decap_maps[0]))

void ef_decap_close(struct ef_decap *dc)
{
	if (dc->addrs >= 0)
		close(dc->addrs);
	if (dc->verdicts >= 0)
		close(dc->verdicts);
	if (dc->prog_fd >= 0)
		close(dc->prog_fd);
	if (dc->lock_fd >= 0)
		close(dc->lock_fd);
	dc->addrs = dc->verdicts = dc->prog_fd = dc->lock_fd = -1;
}

static int load_decap(const char *pin_dir)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = pin_dir);
	char path[PATH_MAX];
	struct decap_bpf *skel;
	int err;

	skel = decap_bpf__open_opts(&oo);
	if (!skel)
		return ef_err(-errno, "cannot open the decap program: %s", strerror(errno));
	err = decap_bpf__load(skel);
	if (err) {
		ef_err(err, "cannot load the decap program: %s (-vv shows why)", strerror(-err));
		goto out;
	}
	err = ef_pin_path(path, sizeof(path), pin_dir, EF_PIN_DECAP_PROG);
	if (!err)
		err = bpf_program__pin(skel->progs.evenflow_decap, path);
	if (err)
		ef_err(err, "cannot pin the decap program at %s: %s", path, strerror(-err));
out:
	decap_bpf__destroy(skel);
	return err;
}

int ef_decap_open(const char *pin_dir, bool create, struct ef_decap *dc)
{
	int err;

	memset(dc, 0, sizeof(*dc));
	dc->addrs = dc->verdicts = dc->prog_fd = dc->lock_fd = -1;
	snprintf(dc->pin_dir, sizeof(dc->pin_dir), "%s", pin_dir);
	if (!create && (!ef_is_bpffs(pin_dir) || !ef_pinned(pin_dir, EF_PIN_DECAP_PROG)))
		return -ENOENT;
	if (create) {
		err = ef_pin_dir_prepare(pin_dir);
		if (err)
			return err;
	}
	dc->lock_fd = ef_pin_dir_lock(pin_dir);
	if (dc->lock_fd < 0)
		return dc->lock_fd;
	if (!ef_pinned(pin_dir, EF_PIN_DECAP_PROG)) {
		if (!create) {
			err = -ENOENT;
			goto fail;
		}
		err = load_decap(pin_dir);
		if (err)
			goto fail;
	}
	dc->prog_fd = ef_pin_get(pin_dir, EF_PIN_DECAP_PROG);
	dc->addrs = ef_pin_get(pin_dir, decap_maps[0]);
	dc->verdicts = ef_pin_get(pin_dir, decap_maps[1]);
	if (dc->prog_fd < 0 || dc->addrs < 0 || dc->verdicts < 0) {
		err = ef_err(-ENOENT, "pin dir %s: decap pins incomplete (remove them to reset)",
			     pin_dir);
		goto fail;
	}
	dc->prog_id = ef_prog_id(dc->prog_fd);
	dc->ncpus = libbpf_num_possible_cpus();
	return 0;
fail:
	ef_decap_close(dc);
	return err;
}

void ef_decap_unpin(struct ef_decap *dc)
{
	size_t i;

	ef_unpin(dc->pin_dir, EF_PIN_DECAP_PROG);
	for (i = 0; i < N_DECAP_MAPS; i++)
		ef_unpin(dc->pin_dir, decap_maps[i]);
	rmdir(dc->pin_dir);
}
