// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* config_cluster.c: the configuration file's `announce` and `siblings`
 * sections and a VIP's `min-up`; see config_cluster.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/config_cluster.h"
#include "util/addr.h"

#define FIELD(obj, k) ((void *)((char *)(obj) + (k)->field))

/* ---- Sibling URLs ---- */

int ef_peer_url_check(const char *url, const char **why)
{
	static const char scheme[] = "http://";
	char host[EF_PEER_URL_MAX];
	const char *rest, *path;
	struct ef_addr a;
	__u16 port;
	__u8 fam;

	_Static_assert(EF_PEER_URL_MAX == 160, "the message below says 159");
	if (strlen(url) >= EF_PEER_URL_MAX) {
		*why = "longer than 159 characters";
		return -EINVAL;
	}
	if (strncmp(url, scheme, sizeof(scheme) - 1)) {
		*why = "not an http:// URL (http://ADDR:PORT/metrics)";
		return -EINVAL;
	}
	rest = url + sizeof(scheme) - 1;
	path = strchr(rest, '/');
	if (!path) {
		*why = "no path (http://ADDR:PORT/metrics)";
		return -EINVAL;
	}
	memcpy(host, rest, (size_t)(path - rest));
	host[path - rest] = '\0';
	if (ef_endpoint_parse(host, &a, &fam, &port, why))
		return -EINVAL;
	if (!port) {
		*why = "port 0";
		return -EINVAL;
	}
	for (; *path; path++)
		if (*path <= ' ' || *path > '~') {
			*why = "the path holds a space or a character that is not printable ASCII";
			return -EINVAL;
		}
	return 0;
}

/* ---- announce ---- */

/* A routing table: any but 0 and the kernel's own 253 (default), 254 (main)
 * and 255 (local). */
static int parse_table(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
		       const char *where, void *obj)
{
	struct ef_pos pos = ef_yaml_pos(ev);
	__u32 *t = FIELD(obj, k);
	int err = ef_cfg_parse_u32(p, ev, k, where, obj);

	if (!err && *t >= 253 && *t <= 255)
		return ef_yaml_err(&p->y, pos,
				   "%s %s: %u is one of the kernel's own tables (253 default, 254 "
				   "main, 255 local)",
				   where, k->name, *t);
	return err;
}

const struct ef_cfg_key ef_cfg_announce_keys[] = {
    {"table", parse_table, offsetof(struct ef_config, announce.table), 1, 0xffffffffU, NULL, NULL,
     "1..252 or more",
     "the kernel routing table that holds one route per announced VIP address (default 239)", NULL},
    {"protocol", ef_cfg_parse_u32, offsetof(struct ef_config, announce.protocol), 3, 255, NULL,
     NULL, "3..255", "the route protocol of those routes, evenflow's own (default 239)", NULL},
    {"min-up", ef_cfg_parse_u32, offsetof(struct ef_config, announce.min_up), 0, 65535, NULL, NULL,
     "0..65535",
     "backends up and healthy a VIP needs on this LB for its address to be announced; a VIP's "
     "own min-up overrides it (default 1)",
     NULL},
    {"drain", ef_cfg_parse_ms, offsetof(struct ef_config, announce.drain_ms), 0, 3600000, NULL,
     NULL, "duration",
     "on SIGTERM: every address withdrawn, the data plane still forwarding, this long before "
     "the daemon exits (default 10s)",
     NULL},
    {NULL},
};

int ef_cfg_parse_announce(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			  const char *where, void *obj)
{
	struct ef_config_announce *a = &p->cfg->announce;
	char s[1];

	(void)where;
	(void)obj;
	*a = (struct ef_config_announce){.on = true,
					 .table = 239,
					 .protocol = 239,
					 .min_up = EF_ANNOUNCE_MIN_UP_DEFAULT,
					 .drain_ms = EF_ANNOUNCE_DRAIN_DEFAULT};
	/* `announce:` alone: on, with every default */
	if (ev && ev->type == FYET_SCALAR && !ef_yaml_scalar(ev, s, sizeof(s))) {
		ef_yaml_free(&p->y, ev);
		return 0;
	}
	return ef_cfg_mapping(p, ev, k->keys, k->name, p->cfg);
}

int ef_cfg_parse_vip_min_up(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			    const char *where, void *obj)
{
	struct ef_config_vip *x = &p->cfg->vx[((const struct ef_vip_in *)obj)->index];
	struct ef_pos pos = ef_yaml_pos(ev);
	struct ef_cfg_key row = *k;
	int err;

	row.field = 0;
	err = ef_cfg_parse_u32(p, ev, &row, where, &x->min_up);
	if (!err)
		x->min_up_pos = pos;
	return err;
}

/* ---- siblings ---- */

/* One peer URL, each once. */
static int parse_peer(struct ef_cfg_parse *p, struct fy_event *ev, void *ctx)
{
	struct ef_config_siblings *sib = &p->cfg->siblings;
	struct ef_pos pos = ef_yaml_pos(ev);
	char url[EF_YAML_SCALAR_MAX];
	int *lines = ctx;
	const char *why;
	size_t i;

	if (ef_cfg_scalar(p, ev, "siblings peer", url, sizeof(url)))
		return -EINVAL;
	if (ef_peer_url_check(url, &why))
		return ef_yaml_err(&p->y, pos, "siblings peer '%s': %s", url, why);
	for (i = 0; i < sib->n_peers && strcmp(sib->peers[i], url); i++)
		;
	if (i < sib->n_peers)
		return ef_yaml_err(&p->y, pos,
				   "siblings peer '%s': listed twice (first at line %d)", url,
				   lines[i]);
	if (sib->n_peers == EF_PEERS_MAX)
		return ef_yaml_err(&p->y, pos, "siblings peers: more than %d", EF_PEERS_MAX);
	lines[sib->n_peers] = pos.line;
	strcpy(sib->peers[sib->n_peers++], url);
	return 0;
}

static int parse_peers(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
		       const char *where, void *obj)
{
	int lines[EF_PEERS_MAX];

	(void)where;
	(void)obj;
	return ef_cfg_each(p, ev, k->name, parse_peer, lines);
}

const struct ef_cfg_key ef_cfg_siblings_keys[] = {
    {"peers", parse_peers, 0, 0, 0, NULL, " (the other LBs' http://ADDR:PORT/metrics)",
     "list of URLs",
     "the metrics endpoints of the other load balancers sharing these VIPs (required)", NULL},
    {"interval", ef_cfg_parse_ms, offsetof(struct ef_config, siblings.interval_ms), 100, 60000,
     NULL, NULL, "duration", "how often every peer is polled (default 2s)", NULL},
    {"grace", ef_cfg_parse_ms, offsetof(struct ef_config, siblings.grace_ms), 0, 3600000, NULL,
     NULL, "duration",
     "how long a VIP's fingerprints may differ before it is an alarm: a rolling change is not "
     "one (default 10s)",
     NULL},
    {NULL},
};

int ef_cfg_parse_siblings(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			  const char *where, void *obj)
{
	struct ef_config_siblings *s = &p->cfg->siblings;

	(void)where;
	(void)obj;
	memset(s, 0, sizeof(*s));
	s->interval_ms = EF_SIBLINGS_INTERVAL_DEFAULT;
	s->grace_ms = EF_SIBLINGS_GRACE_DEFAULT;
	return ef_cfg_mapping(p, ev, k->keys, k->name, p->cfg);
}

/* ---- The whole file ---- */

int ef_cfg_cluster_finish(struct ef_cfg_parse *p)
{
	struct ef_config *cfg = p->cfg;
	__u32 dflt = cfg->announce.on ? cfg->announce.min_up : EF_ANNOUNCE_MIN_UP_DEFAULT;
	char vs[EF_VIP_STRLEN];
	int err = 0;

	for (size_t i = 0; i < cfg->conf.n_vips; i++) {
		struct ef_config_vip *x = &cfg->vx[i];
		size_t n = cfg->conf.vips[i].n_backends;

		if (!x->min_up_pos.line) {
			x->min_up = dflt;
			continue;
		}
		if (x->min_up > n)
			err = ef_yaml_err(&p->y, x->min_up_pos,
					  "vip %s: min-up %u is more than its %zu backends: it "
					  "would never be announced",
					  ef_vip_str(&cfg->conf.vips[i].key, vs, sizeof(vs)),
					  x->min_up, n);
	}
	return err;
}
