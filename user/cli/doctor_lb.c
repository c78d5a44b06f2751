// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * doctor_lb.c: evenflow doctor on a load balancer: the pin dir on bpffs and
 * the data plane in it, the devices it runs on, forwarding per family, per
 * backend its route, neighbour, MTU headroom and health, then what is
 * announced (doctor_announce.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/doctor.h"
#include "core/config.h"
#include "core/live.h"
#include "core/model.h"
#include "daemon/nexthop.h"
#include "dp/pindir.h"
#include "dp/xdp.h"
#include "util/addr.h"
#include "util/log.h"

/* The backends the doctor looks at: of every VIP, or of those asked. */
static bool wanted(const struct ef_doctor *d, const struct ef_vip_key *key)
{
	size_t i;

	for (i = 0; i < d->args->n_vips; i++)
		if (!memcmp(&d->args->vips[i], key, sizeof(*key)))
			return true;
	return !d->args->n_vips;
}

/* Route, neighbour and MTU toward one backend of a VIP that forwards by
 * fwd; dev_mtu: the largest MTU of the devices the data plane runs on. */
static int check_path(struct ef_doctor *d, const struct ef_backend *b, __u8 fwd, unsigned dev_mtu)
{
	char a[EF_ADDR_STRLEN], via[EF_ADDR_STRLEN], subj[96], fix[256];
	unsigned need, mtu;
	struct ef_route_via nh;
	int err;

	ef_addr_str(&b->addr, b->family, a, sizeof(a));
	err = ef_nexthop_get(&b->addr, b->family, &nh);
	if (err == -ENETUNREACH) {
		snprintf(fix, sizeof(fix), "add a route toward %s (ip route add %s via GATEWAY)", a,
			 a);
		ef_step(d, EF_STEP_FAIL, "route", a, fix, "no route");
		ef_step(d, EF_STEP_SKIP, "neighbour", a, NULL, "no route");
		ef_step(d, EF_STEP_SKIP, "mtu", a, NULL, "no route");
		return 0;
	}
	if (err)
		return err;
	ef_addr_str(&nh.via, b->family, via, sizeof(via));
	ef_step(d, EF_STEP_OK, "route", a, NULL, "dev %s%s%s", nh.dev, nh.gateway ? " via " : "",
		nh.gateway ? via : "");
	snprintf(subj, sizeof(subj), "%s dev %s", via, nh.dev);
	snprintf(fix, sizeof(fix),
		 "check the link and that %s answers (ping -c1 -I %s %s); ip neigh show dev %s",
		 via, nh.dev, via, nh.dev);
	if (ef_nud_resolved(nh.nud))
		ef_step(d, EF_STEP_OK, "neighbour", subj, NULL, "resolved");
	else if (nh.nud)
		ef_step(d, EF_STEP_FAIL, "neighbour", subj, fix, "not resolved (state 0x%x)",
			nh.nud);
	else
		ef_step(d, EF_STEP_FAIL, "neighbour", subj, fix, "no neighbour entry");
	if (!dev_mtu) {
		ef_step(d, EF_STEP_SKIP, "mtu", nh.dev, NULL, "the data plane runs on no device");
		return 0;
	}
	mtu = ef_dev_mtu(nh.dev);
	need = dev_mtu + (fwd == EF_FWD_IPIP ? (b->family == EF_FAMILY_V4 ? 20 : 40) : 0);
	snprintf(fix, sizeof(fix),
		 "ip link set dev %s mtu %u (and the backend's side), or lower the clients' MSS",
		 nh.dev, need);
	if (mtu >= need)
		ef_step(d, EF_STEP_OK, "mtu", nh.dev, NULL, "%u, %u needed toward %s", mtu, need,
			a);
	else
		ef_step(d, EF_STEP_FAIL, "mtu", nh.dev, fix,
			"%u, but %u needed toward %s (%s: the client's %u%s)", mtu, need, a,
			fwd == EF_FWD_IPIP ? "ipip" : "l2", dev_mtu,
			fwd == EF_FWD_IPIP ? " + the outer header" : "");
	return 0;
}

static void check_health(struct ef_doctor *d, const char *vip, const struct ef_backend *b)
{
	char a[EF_ADDR_STRLEN], subj[128], fix[256];

	snprintf(subj, sizeof(subj), "%s %s", vip, ef_addr_str(&b->addr, b->family, a, sizeof(a)));
	snprintf(fix, sizeof(fix),
		 "see why its health check fails (journalctl -u evenflow; the service on %s)", a);
	if (b->health == EF_HEALTH_UNHEALTHY)
		ef_step(d, EF_STEP_FAIL, "health", subj, fix, "unhealthy (state %s)",
			ef_state_str(b->state));
	else
		ef_step(d, EF_STEP_OK, "health", subj, NULL, "%s, state %s",
			ef_health_str(b->health), ef_state_str(b->state));
}

/* Forwarding of each family some backend has, on each device the program
 * runs on: the data plane's FIB lookup toward a backend (of the backend's
 * family) is refused when the ingress device does not forward it
 * (drop_fwd_disabled). Without a device, the host's switch. */
static void check_forwarding(struct ef_doctor *d, __u32 prog_id, bool v4, bool v6)
{
	struct ef_attached *devs = NULL;
	char path[96], name[96], fix[192];
	size_t n = 0;

	if (ef_prog_devices(prog_id, &devs, &n))
		n = 0;
	for (int fam = 4; fam <= 6; fam += 2) {
		if (!(fam == 4 ? v4 : v6))
			continue;
		for (size_t i = 0; i < (n ? n : 1); i++) {
			int v;

			snprintf(path, sizeof(path), "net/ipv%d/conf/%s/forwarding", fam,
				 n ? devs[i].name : "all");
			snprintf(name, sizeof(name), "net.ipv%d.conf.%s.forwarding", fam,
				 n ? devs[i].name : "all");
			snprintf(
			    fix, sizeof(fix),
			    "sysctl -w %s=1 (the data plane's FIB lookup toward IPv%d backends "
			    "needs it)",
			    name, fam);
			v = ef_sysctl(path);
			ef_step(d, v == 1 ? EF_STEP_OK : EF_STEP_FAIL, "forwarding", name + 4, fix,
				"%s=%d", name, v);
		}
	}
	free(devs);
}

int ef_doctor_lb(struct ef_doctor *d)
{
	char fix[PATH_MAX + 64], vs[EF_VIP_STRLEN];
	struct ef_listing l;
	bool v4 = false, v6 = false;
	size_t ndevs;
	unsigned mtu;
	int err = 0;

	snprintf(fix, sizeof(fix), "mount -t bpf bpf %s (or its parent), then evenflow attach DEV",
		 d->pin_dir);
	if (!ef_is_bpffs(d->pin_dir)) {
		ef_step(d, EF_STEP_FAIL, "bpffs", d->pin_dir, fix, "not on a bpffs, or missing");
		return 0;
	}
	if (ef_listing_open(d->pin_dir, NULL, &l)) {
		ef_step(d, EF_STEP_FAIL, "bpffs", d->pin_dir, "evenflow attach DEV",
			"on bpffs, but no data plane is pinned there");
		return 0;
	}
	ef_step(d, EF_STEP_OK, "bpffs", d->pin_dir, NULL, "data plane pinned (program %u)",
		l.dp.prog_id);
	mtu = ef_doctor_devices(d, l.dp.prog_id,
				d->cfg && d->cfg->dataplane.on ? &d->cfg->dataplane.devices : NULL,
				"", &ndevs);
	for (__u32 id = 0; id < EF_MAX_BACKENDS; id++) {
		v4 |= l.backends[id].state != EF_BE_FREE && l.backends[id].family == EF_FAMILY_V4;
		v6 |= l.backends[id].state != EF_BE_FREE && l.backends[id].family == EF_FAMILY_V6;
	}
	check_forwarding(d, l.dp.prog_id, v4, v6);
	for (size_t i = 0; i < l.n_vips && !err; i++) {
		if (!wanted(d, &l.vips[i].key))
			continue;
		ef_vip_str(&l.vips[i].key, vs, sizeof(vs));
		for (__u32 id = 0; id < EF_MAX_BACKENDS && !err; id++) {
			const struct ef_backend *b = &l.backends[id];

			if (b->vip_id != l.vips[i].vip.id || b->state == EF_BE_FREE)
				continue;
			err = check_path(d, b, l.vips[i].vip.forward, mtu);
			check_health(d, vs, b);
		}
	}
	if (!err)
		err = ef_doctor_announce(d, &l.dp, ndevs);
	ef_listing_close(&l);
	return err;
}
