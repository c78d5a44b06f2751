// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* config_vips.c: the configuration file's VIPs and backends; see
 * config_vips.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_cluster.h"
#include "core/config_schema.h"
#include "core/config_vips.h"
#include "core/maglev.h"
#include "core/model.h"
#include "util/addr.h"

/* ---- Backends ---- */

static int parse_backend_addr(struct ef_cfg_parse *p, struct fy_event *ev,
			      const struct ef_cfg_key *k, const char *where, void *obj)
{
	struct ef_backend_in *b = obj;

	(void)k;
	(void)where;
	return ef_cfg_parse_addr(p, ev, EF_ADDR_BACKEND, &b->be.addr, &b->be.family, &b->pos);
}

static const struct ef_cfg_choices states = {
    "state", {{"up", EF_BE_UP}, {"down", EF_BE_DOWN}, {"drain", EF_BE_DRAIN}}};

const struct ef_cfg_key ef_cfg_backend_keys[] = {
    {"address", parse_backend_addr, 0, 0, 0, NULL, "", "IPv4 or IPv6 address",
     "the backend (required)", NULL},
    {"weight", ef_cfg_parse_u32, offsetof(struct ef_backend_in, weight), 1, 65535, NULL, NULL,
     "1..65535", "its share of new flows is its weight over the VIP's sum (default 1)", NULL},
    {"state", ef_cfg_parse_choice, offsetof(struct ef_backend_in, state), 0, 0, &states, NULL,
     "up | drain | down",
     "up (default); drain: keeps its flows, takes no new ones; down: out, not checked", NULL},
    {"health", ef_cfg_parse_health, offsetof(struct ef_backend_in, hc), 0, 0, NULL, NULL,
     "health check", "its own health-check keys, over its VIP's", ef_cfg_health_keys},
    {NULL},
};

/* Room for one more backend in VIP v (index vi): its slot. */
static int grow_backends(struct ef_cfg_parse *p, size_t vi, struct ef_vip_in *v)
{
	struct ef_conf_vip *cv = &p->cfg->conf.vips[vi];
	struct ef_config_vip *x = &p->cfg->vx[vi];
	size_t n = cv->n_backends, cap = v->be_cap ? v->be_cap * 2 : 8;
	void *a, *b, *c, *d;

	if (n < v->be_cap)
		return 0;
	a = realloc(cv->backends, cap * sizeof(*cv->backends));
	if (a)
		cv->backends = a;
	b = realloc(x->hc, cap * sizeof(*x->hc));
	if (b)
		x->hc = b;
	c = realloc(x->be_pos, cap * sizeof(*x->be_pos));
	if (c)
		x->be_pos = c;
	d = realloc(p->be_hc[vi], cap * sizeof(*p->be_hc[vi]));
	if (d)
		p->be_hc[vi] = d;
	if (!a || !b || !c || !d)
		return -ENOMEM;
	v->be_cap = cap;
	return 0;
}

/* One backend of the VIP being read (ctx). */
static int parse_backend(struct ef_cfg_parse *p, struct fy_event *ev, void *ctx)
{
	struct ef_backend_in b = {.weight = EF_WEIGHT_DEFAULT, .state = EF_BE_UP};
	struct ef_vip_in *v = ctx;
	size_t vi = v->index, j = p->cfg->conf.vips[vi].n_backends;
	struct ef_conf_vip *cv;
	int err;

	if (p->n_backends == EF_MAX_BACKENDS) {
		err = ef_yaml_err(&p->y, ef_yaml_pos(ev), "backends: more than %d backends in all",
				  EF_MAX_BACKENDS);
		ef_yaml_skip(&p->y, ev);
		return err;
	}
	if (grow_backends(p, vi, v))
		return -ENOMEM;
	err = ef_cfg_mapping(p, ev, ef_cfg_backend_keys, "backend", &b);
	if (err == -ENOMEM)
		return err;
	cv = &p->cfg->conf.vips[vi];
	cv->backends[j] = (struct ef_conf_backend){.addr = b.be.addr,
						   .family = b.be.family,
						   .admin = (__u8)b.state,
						   .weight = (__u16)b.weight};
	p->cfg->vx[vi].be_pos[j] = b.pos;
	p->be_hc[vi][j] = b.hc;
	cv->n_backends++;
	p->n_backends++;
	return err;
}

static int parse_backends(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			  const char *where, void *obj)
{
	(void)where;
	return ef_cfg_each(p, ev, k->name, parse_backend, obj);
}

/* ---- VIPs ---- */

static int parse_vip_addr(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			  const char *where, void *obj)
{
	struct ef_vip_in *v = obj;

	(void)k;
	(void)where;
	return ef_cfg_parse_addr(p, ev, EF_ADDR_VIP, &v->addr, &v->family,
				 &p->cfg->vx[v->index].pos);
}

static int parse_table_size(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			    const char *where, void *obj)
{
	struct ef_pos pos = ef_yaml_pos(ev);
	struct ef_vip_in *v = obj;
	__u32 u = 0;
	int err;

	err = ef_cfg_parse_u32(p, ev, k, where, &u);
	if (err)
		return err;
	if (ef_maglev_check_size(u) == -ERANGE)
		return ef_yaml_err(&p->y, pos, "%s %s: %u is out of range %u..%u", where, k->name,
				   u, EF_MIN_TABLE_SIZE, EF_MAX_TABLE_SIZE);
	if (ef_maglev_check_size(u))
		return ef_yaml_err(&p->y, pos, "%s %s: %u is not a prime number", where, k->name,
				   u);
	p->cfg->conf.vips[v->index].vip.table_size = u;
	return 0;
}

/* One outer source address into the VIP's settings. */
static int add_src(struct ef_cfg_parse *p, struct fy_event *ev, struct ef_vip *vip)
{
	struct ef_pos pos = ef_yaml_pos(ev);
	char s[EF_YAML_SCALAR_MAX];
	unsigned flag;
	struct ef_addr a;
	const char *why;
	__u8 fam;

	if (ef_cfg_scalar(p, ev, "src", s, sizeof(s)))
		return -EINVAL;
	if (ef_addr_parse(s, &a, &fam, &why))
		return ef_yaml_err(&p->y, pos, "src '%s': %s", s, why);
	flag = fam == EF_FAMILY_V4 ? EF_VIP_F_SRC4 : EF_VIP_F_SRC6;
	if (vip->flags & flag)
		return ef_yaml_err(&p->y, pos, "src '%s': an IPv%c source is already set", s,
				   fam == EF_FAMILY_V4 ? '4' : '6');
	vip->flags |= flag;
	if (fam == EF_FAMILY_V4)
		vip->src4 = a.a32[0];
	else
		vip->src6 = a;
	return 0;
}

/* src: one address or a list of them, one per family. */
static int parse_src(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
		     const char *where, void *obj)
{
	struct ef_vip *vip = &p->cfg->conf.vips[((struct ef_vip_in *)obj)->index].vip;
	int err = 0;

	(void)where;
	if (ev && ev->type == FYET_SCALAR)
		return add_src(p, ev, vip);
	if (!ef_cfg_is_start(p, ev, FYET_SEQUENCE_START, k->name))
		return -EINVAL;
	ef_yaml_free(&p->y, ev);
	while ((ev = ef_yaml_next(&p->y)) && ev->type != FYET_SEQUENCE_END)
		err = add_src(p, ev, vip) ? -EINVAL : err;
	ef_yaml_free(&p->y, ev);
	return p->y.broken ? -EINVAL : err;
}

static const struct ef_cfg_choices protocols = {"protocol",
						{{"tcp", IPPROTO_TCP}, {"udp", IPPROTO_UDP}}};
static const struct ef_cfg_choices forwards = {"mode", {{"ipip", EF_FWD_IPIP}, {"l2", EF_FWD_L2}}};
static const struct ef_cfg_choices on_off = {"echo", {{"on", 1}, {"off", 0}}};

const struct ef_cfg_key ef_cfg_vip_keys[] = {
    {"address", parse_vip_addr, 0, 0, 0, NULL, "", "IPv4 or IPv6 address", "required", NULL},
    {"port", ef_cfg_parse_u32, offsetof(struct ef_vip_in, port), 0, 65535, NULL,
     " (0 for every port)", "0..65535", "required; 0 takes every port", NULL},
    {"protocol", ef_cfg_parse_choice, offsetof(struct ef_vip_in, proto), 0, 0, &protocols, NULL,
     "tcp | udp", "default tcp", NULL},
    {"forward", ef_cfg_parse_choice, offsetof(struct ef_vip_in, forward), 0, 0, &forwards, NULL,
     "ipip | l2",
     "ipip (default): encapsulated toward the backend; l2: the destination MAC rewritten", NULL},
    {"table-size", parse_table_size, 0, 0, 0xffffffffU, NULL, NULL, "prime, 251..4194301",
     "Maglev table slots (default: 65537 or more, 100 per backend)", NULL},
    {"src", parse_src, 0, 0, 0, NULL, NULL, "address or list",
     "outer source address of ipip packets, one per family (default: the route's)", NULL},
    {"echo", ef_cfg_parse_choice, offsetof(struct ef_vip_in, echo), 0, 0, &on_off, NULL, "on | off",
     "answer ICMP echo to its address in the data plane (default on)", NULL},
    {"health", ef_cfg_parse_health, offsetof(struct ef_vip_in, hc), 0, 0, NULL, NULL,
     "health check", "health-check keys for its backends, over the file's", ef_cfg_health_keys},
    {"min-up", ef_cfg_parse_vip_min_up, 0, 0, 65535, NULL, NULL, "0..65535",
     "backends up and healthy it needs on this LB for its address to be announced (default "
     "announce.min-up)",
     NULL},
    {"backends", parse_backends, 0, 0, 0, NULL, NULL, "list of backends", "its backends",
     ef_cfg_backend_keys},
    {NULL},
};

/* The VIP's key and the checks that need its whole mapping. */
static int finish_vip(struct ef_cfg_parse *p, const struct ef_vip_in *v)
{
	struct ef_conf_vip *cv = &p->cfg->conf.vips[v->index];
	struct ef_pos pos = p->cfg->vx[v->index].pos;

	cv->key.addr = v->addr;
	cv->key.family = v->family;
	cv->key.port = htons((__u16)v->port);
	cv->key.proto = (__u8)v->proto;
	cv->vip.forward = (__u8)v->forward;
	if (!v->echo)
		cv->vip.flags |= EF_VIP_F_NO_ECHO;
	if (cv->vip.forward == EF_FWD_L2 && (cv->vip.flags & EF_VIP_F_SRC))
		return ef_yaml_err(
		    &p->y, pos,
		    "vip: src: l2 forwarding does not encapsulate, it has no outer source");
	if (v->family == EF_FAMILY_V6 && (cv->vip.flags & EF_VIP_F_SRC4))
		return ef_yaml_err(&p->y, pos,
				   "vip: src: an IPv6 VIP has IPv6 backends only, an IPv4 source "
				   "is of no use");
	return 0;
}

/* Room for one more VIP: its index. */
static int grow_vips(struct ef_cfg_parse *p)
{
	struct ef_config *cfg = p->cfg;
	size_t n = cfg->conf.n_vips, cap = p->cap_vips ? p->cap_vips * 2 : 8;
	void *a, *b, *c, *d;

	if (n < p->cap_vips)
		return 0;
	a = realloc(cfg->conf.vips, cap * sizeof(*cfg->conf.vips));
	if (a)
		cfg->conf.vips = a;
	b = realloc(cfg->vx, cap * sizeof(*cfg->vx));
	if (b)
		cfg->vx = b;
	c = realloc(p->vip_hc, cap * sizeof(*p->vip_hc));
	if (c)
		p->vip_hc = c;
	d = realloc(p->be_hc, cap * sizeof(*p->be_hc));
	if (d)
		p->be_hc = d;
	if (!a || !b || !c || !d)
		return -ENOMEM;
	p->cap_vips = cap;
	return 0;
}

/* One VIP, read with the keys ctx. */
static int parse_vip(struct ef_cfg_parse *p, struct fy_event *ev, void *ctx)
{
	struct ef_vip_in v = {.proto = IPPROTO_TCP, .forward = EF_FWD_IPIP, .echo = 1};
	struct ef_config *cfg = p->cfg;
	int err;

	if (cfg->conf.n_vips == EF_MAX_VIPS) {
		err = ef_yaml_err(&p->y, ef_yaml_pos(ev), "vips: more than %d VIPs", EF_MAX_VIPS);
		ef_yaml_skip(&p->y, ev);
		return err;
	}
	if (grow_vips(p))
		return -ENOMEM;
	v.index = cfg->conf.n_vips++;
	memset(&cfg->conf.vips[v.index], 0, sizeof(cfg->conf.vips[v.index]));
	memset(&cfg->vx[v.index], 0, sizeof(cfg->vx[v.index]));
	p->be_hc[v.index] = NULL;
	err = ef_cfg_mapping(p, ev, ctx, "vip", &v);
	p->vip_hc[v.index] = v.hc;
	return err ? err : finish_vip(p, &v);
}

int ef_cfg_parse_vips(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
		      const char *where, void *obj)
{
	(void)where;
	(void)obj;
	p->cfg->has_vips = true;
	return ef_cfg_each(p, ev, k->name, parse_vip, (void *)k->keys);
}
