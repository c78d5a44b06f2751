/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * decap.h: the backend-side decap program as the control plane holds it:
 * pinned under the pin dir (EF_PIN_DECAP_PROG) with its maps, loaded by
 * `evenflow decap attach`.
 */
#ifndef EF_DECAP_H
#define EF_DECAP_H

#include <limits.h>
#include <stdbool.h>

#include "evenflow.h"

struct ef_decap {
	char pin_dir[PATH_MAX];
	int lock_fd;
	int prog_fd;
	__u32 prog_id;
	int ncpus;
	int addrs, verdicts;
};

/* Opens the pinned decap program (loading and pinning it first if create);
 * -ENOENT (nothing recorded) when it is not there and !create. */
int ef_decap_open(const char *pin_dir, bool create, struct ef_decap *dc);
void ef_decap_close(struct ef_decap *dc);
/* Makes evenflow_decap_addrs hold every address of this host (the VIPs on
 * lo among them), no more: *count addresses. */
int ef_decap_sync_addrs(struct ef_decap *dc, size_t *count);
/* Removes the decap pins and the pin dir if empty. */
void ef_decap_unpin(struct ef_decap *dc);

#endif /* EF_DECAP_H */
