// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* config_devices.c: the configuration file's `decap` and `dataplane`
 * sections; see config_devices.h. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <xdp/libxdp.h>

#include "core/config_devices.h"
#include "dp/lb.h"

/* A device name as the kernel takes it: 1..15 characters, none of them '/',
 * ':' or a space; nor a quote or backslash (it goes into metric labels). */
static int parse_name(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
		      const char *where, void *obj)
{
	struct ef_config_device *dev = obj;
	struct ef_pos pos = ef_yaml_pos(ev);
	char s[EF_YAML_SCALAR_MAX];

	if (ef_cfg_scalar(p, ev, k->name, s, sizeof(s)))
		return -EINVAL;
	if (!*s || strlen(s) >= IFNAMSIZ || strpbrk(s, "/: \t\"\\"))
		return ef_yaml_err(&p->y, pos,
				   "%s '%s': not a device name (1..%d characters, no '/', ':' or "
				   "space)",
				   where, s, IFNAMSIZ - 1);
	snprintf(dev->name, sizeof(dev->name), "%s", s);
	dev->pos = pos;
	return 0;
}

static const struct ef_cfg_choices modes = {
    "mode", {{"native", XDP_MODE_NATIVE}, {"generic", XDP_MODE_SKB}}};

static const struct ef_cfg_key device_keys[] = {
    {"device", parse_name, 0, 0, 0, NULL, "", "device name", "the device (required)", NULL},
    {"mode", ef_cfg_parse_choice, offsetof(struct ef_config_device, mode), 0, 0, &modes, NULL,
     "native | generic", "XDP in the driver, or the kernel's generic hook (default native)", NULL},
    {NULL},
};

/* One device of the list ctx, each device once. */
static int parse_device(struct ef_cfg_parse *p, struct fy_event *ev, void *ctx)
{
	struct ef_config_device dev = {.mode = XDP_MODE_NATIVE};
	struct ef_config_devices *list = ctx;
	struct ef_pos pos = ef_yaml_pos(ev);
	size_t i;
	int err;

	err = ef_cfg_mapping(p, ev, device_keys, "device", &dev);
	if (err)
		return err;
	for (i = 0; i < list->n && strcmp(list->dev[i].name, dev.name); i++)
		;
	if (i < list->n)
		return ef_yaml_err(&p->y, dev.pos, "device %s: listed twice (first at line %d)",
				   dev.name, list->dev[i].pos.line);
	if (list->n == EF_CONFIG_DEVICES_MAX)
		return ef_yaml_err(&p->y, pos, "devices: more than %d devices",
				   EF_CONFIG_DEVICES_MAX);
	list->dev[list->n++] = dev;
	return 0;
}

static int parse_devices(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			 const char *where, void *obj)
{
	(void)where;
	return ef_cfg_each(p, ev, k->name, parse_device, (char *)obj + k->field);
}

const struct ef_cfg_key ef_cfg_decap_keys[] = {
    {"devices", parse_devices, offsetof(struct ef_config, decap.devices), 0, 0, NULL,
     " (the devices tunnelled packets arrive on)", "list of devices",
     "where the daemon attaches the decap program and keeps it attached (required)", device_keys},
    {NULL},
};

int ef_cfg_parse_decap(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
		       const char *where, void *obj)
{
	(void)where;
	(void)obj;
	memset(&p->cfg->decap, 0, sizeof(p->cfg->decap));
	p->cfg->decap.on = true;
	return ef_cfg_mapping(p, ev, k->keys, k->name, p->cfg);
}

/* A connection-table size: a power of two the loader takes. */
static int parse_conntrack(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			   const char *where, void *obj)
{
	struct ef_pos pos = ef_yaml_pos(ev);
	int err = ef_cfg_parse_u32(p, ev, k, where, obj);
	__u32 n = *(__u32 *)((char *)obj + k->field);

	if (!err && !EF_CONNTRACK_SIZE_OK(n))
		return ef_yaml_err(&p->y, pos, "%s %s: %u is not a power of two", where, k->name,
				   n);
	return err;
}

const struct ef_cfg_key ef_cfg_dataplane_keys[] = {
    {"devices", parse_devices, offsetof(struct ef_config, dataplane.devices), 0, 0, NULL, NULL,
     "list of devices",
     "where the daemon attaches the LB program and keeps it attached (default none: "
     "`evenflow attach` does it)",
     device_keys},
    {"conntrack-size", parse_conntrack, offsetof(struct ef_config, dataplane.conntrack_size),
     EF_CONNTRACK_MIN, EF_CONNTRACK_MAX, NULL, NULL, "power of two, 1024..67108864",
     "connection-table slots the daemon loads the data plane with (default: the loaded "
     "one's; on a fresh load, attach's default)",
     NULL},
    {"udp-timeout", ef_cfg_parse_u32, offsetof(struct ef_config, dataplane.udp_timeout_s), 1,
     EF_UDP_IDLE_MAX, NULL, NULL, "1..120 seconds",
     "a UDP flow's idle time before it takes a fresh choice (default: the loaded one's; on a "
     "fresh load, attach's default)",
     NULL},
    {NULL},
};

int ef_cfg_parse_dataplane(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			   const char *where, void *obj)
{
	(void)where;
	(void)obj;
	memset(&p->cfg->dataplane, 0, sizeof(p->cfg->dataplane));
	p->cfg->dataplane.on = true;
	return ef_cfg_mapping(p, ev, k->keys, k->name, p->cfg);
}
