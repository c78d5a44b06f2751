// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* image.c: one configuration generation in memory; see image.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "dp/maps.h"
#include "lib/gen_key.h"
#include "util/log.h"

void ef_image_free(struct ef_image *img)
{
	free(img->vips);
	free(img->bes);
	img->vips = NULL;
	img->bes = NULL;
}

int ef_image_alloc(struct ef_image *img)
{
	img->vips = calloc(EF_MAX_VIPS, sizeof(*img->vips));
	img->bes = calloc(EF_MAX_BACKENDS, sizeof(*img->bes));
	if (img->vips && img->bes)
		return 0;
	ef_image_free(img);
	return ef_err(-ENOMEM, "out of memory");
}

int ef_image_read(struct ef_dp *dp, __u32 gen, struct ef_image *img)
{
	int err = ef_image_alloc(img);

	if (err)
		return err;
	err = ef_array_read(dp->vip_info, ef_gen_vip(gen, 0), EF_MAX_VIPS, sizeof(*img->vips),
			    img->vips);
	if (!err)
		err = ef_array_read(dp->backends, ef_gen_backend(gen, 0), EF_MAX_BACKENDS,
				    sizeof(*img->bes), img->bes);
	if (err) {
		ef_image_free(img);
		return ef_err(err, "cannot read configuration generation %u: %s", gen,
			      strerror(-err));
	}
	return 0;
}

int ef_image_write(struct ef_dp *dp, __u32 gen, const struct ef_image *img)
{
	int err;

	err = ef_array_write(dp->backends, ef_gen_backend(gen, 0), EF_MAX_BACKENDS,
			     sizeof(*img->bes), img->bes);
	if (!err)
		err = ef_array_write(dp->vip_info, ef_gen_vip(gen, 0), EF_MAX_VIPS,
				     sizeof(*img->vips), img->vips);
	if (err)
		return ef_err(err, "cannot write configuration generation %u: %s", gen,
			      strerror(-err));
	return 0;
}
