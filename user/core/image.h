/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * image.h: one configuration generation of the data plane, in memory: its
 * VIP entries and backend entries, each indexed by id (see evenflow.h,
 * "Configuration generations"). Reading the running configuration and
 * committing a new one both start from images.
 */
#ifndef EF_IMAGE_H
#define EF_IMAGE_H

#include "dp/lb.h"
#include "evenflow.h"

struct ef_image {
	struct ef_vip_info *vips; /* EF_MAX_VIPS; a zero family marks an unused id */
	struct ef_backend *bes;	  /* EF_MAX_BACKENDS; FREE marks an unused id */
};

/* Both arrays, zeroed: 0 or -ENOMEM (recorded). */
int ef_image_alloc(struct ef_image *img);
void ef_image_free(struct ef_image *img);
/* Generation gen of dp's maps (allocates img). */
int ef_image_read(struct ef_dp *dp, __u32 gen, struct ef_image *img);
/* Writes the VIP and backend entries of img into generation gen. */
int ef_image_write(struct ef_dp *dp, __u32 gen, const struct ef_image *img);

#endif /* EF_IMAGE_H */
