/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xdp.h: programs on devices: attach and detach through libxdp (its
 * dispatcher where the kernel allows one, else the program alone), the
 * devices a program runs on, and the devices the LB may redirect to.
 */
#ifndef EF_XDP_H
#define EF_XDP_H

#include <stdbool.h>
#include <stddef.h>

#include <xdp/libxdp.h>

#include "evenflow.h"

/* A device a program is attached to. */
struct ef_attached {
	char name[32];
	int ifindex;
	enum xdp_attach_mode mode;
	bool multiprog; /* through the libxdp dispatcher */
	__u32 prog_id;	/* the program found there */
};

/* The kernel's names of evenflow's programs (15 characters kept). */
#define EF_PROG_NAME_LB	   "evenflow_lb"
#define EF_PROG_NAME_DECAP "evenflow_decap"

/* Devices of this netns that run program prog_id (malloc'd array). */
int ef_prog_devices(__u32 prog_id, struct ef_attached **devs, size_t *n);
/* Devices that run a program of that name, whatever its id (one whose
 * pins are gone, say). */
int ef_prog_devices_named(const char *name, struct ef_attached **devs, size_t *n);
/* The entry of devs named name, NULL if none. */
const struct ef_attached *ef_attached_find(const struct ef_attached *devs, size_t n,
					   const char *name);

/* Attaches / detaches prog_fd on dev through libxdp (detach: prog_fd -1
 * finds the program by its id). */
int ef_xdp_attach(int prog_fd, const char *dev, enum xdp_attach_mode mode);
int ef_xdp_detach(int prog_fd, __u32 prog_id, const char *dev);
/* Puts new_fd in place of the program dev->prog_id on dev, in its mode:
 * atomically (the kernel's XDP_FLAGS_REPLACE) when it runs alone. */
int ef_xdp_replace(const struct ef_attached *dev, int new_fd);

/*
 * Makes dev run the program prog_fd (id prog_id, kernel name name) in
 * mode: EF_XDP_THERE if it already does; else in place of a program of the
 * same name (one whose pins are gone: *replaced its id), else attached;
 * 0 then. -EBUSY recorded when it runs there in another mode.
 */
#define EF_XDP_THERE 1
int ef_xdp_ensure(int prog_fd, __u32 prog_id, const char *name, const char *dev,
		  enum xdp_attach_mode mode, __u32 *replaced);

/* The id of a loaded program (0 if fd is not one). */
__u32 ef_prog_id(int prog_fd);
/* Is a program of that id loaded (attached somewhere, or pinned)? */
bool ef_prog_id_exists(__u32 prog_id);

/* "native", "generic", ... */
const char *ef_mode_str(enum xdp_attach_mode mode);

/* Puts every non-loopback device of this netns in the LB's redirect map
 * (evenflow_tx_ports) and removes the ones that are gone. */
int ef_tx_ports_sync(int tx_ports_fd);

#endif /* EF_XDP_H */
