// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * config.c: the YAML configuration file; see config.h and the README's
 * "Configuration file" for the schema.
 *
 * libfyaml builds the document; we walk it by hand, key by key, so that an
 * unknown key, a value of the wrong kind or out of range is named with its
 * line and column. Aliases are refused (a configuration has no use for
 * them, and expanding them is how a small file becomes a huge one).
 *
 * libfyaml 0.7 has no call that returns a node's position, but
 * fy_node_report() records one diagnostic with it: node_pos() reports into
 * the document's collecting diag object and reads the position back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfyaml.h>

#include "core/config.h"
#include "core/maglev.h"
#include "core/model.h"
#include "util/addr.h"
#include "util/log.h"

/* Largest file read (a 16384-backend configuration is ~1 MB). */
#define EF_CONFIG_MAX_BYTES (16 << 20)

struct pctx {
	const char *name;
	struct fy_diag *diag;
	void *cursor; /* last diagnostic read back */
	struct ef_config_errors *errs;
	struct ef_config *cfg;
	bool nomem;
};

const char *ef_hc_type_str(__u8 type)
{
	switch (type) {
	case EF_HC_TCP:
		return "tcp";
	case EF_HC_HTTP:
		return "http";
	default:
		return "none";
	}
}

/* ---- Positions and errors ---- */

static struct ef_pos node_pos(struct pctx *p, struct fy_node *n)
{
	struct ef_pos pos = {0, 0};
	struct fy_diag_error *e;
	void *it;

	if (!n)
		return pos;
	fy_node_report(n, FYET_ERROR, "position");
	it = p->cursor;
	while ((e = fy_diag_errors_iterate(p->diag, &it))) {
		pos.line = e->line;
		pos.col = e->column;
		p->cursor = it;
	}
	return pos;
}

static void add_line(struct ef_config_errors *errs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_line(struct ef_config_errors *errs, const char *fmt, ...)
{
	va_list ap;

	errs->n++;
	if (errs->shown >= EF_CONFIG_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(errs->line[errs->shown++], EF_CONFIG_ERR_LEN, fmt, ap);
	va_end(ap);
}

/* An error at node n, else at fallback (a block collection has no position
 * of its own: its key does). */
static int err_at(struct pctx *p, struct fy_node *n, struct fy_node *fallback, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int err_at(struct pctx *p, struct fy_node *n, struct fy_node *fallback, const char *fmt, ...)
{
	struct ef_pos pos = node_pos(p, n);
	char msg[EF_CONFIG_ERR_LEN];
	va_list ap;

	if (!pos.line)
		pos = node_pos(p, fallback);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pos.line)
		add_line(p->errs, "%s:%d:%d: %s", p->name, pos.line, pos.col, msg);
	else
		add_line(p->errs, "%s: %s", p->name, msg);
	return -EINVAL;
}

static int err_pos(struct pctx *p, struct ef_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int err_pos(struct pctx *p, struct ef_pos pos, const char *fmt, ...)
{
	char msg[EF_CONFIG_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add_line(p->errs, "%s:%d:%d: %s", p->name, pos.line, pos.col, msg);
	return -EINVAL;
}

/* ---- Scalars ---- */

/* The text of a scalar value (NULL + error if it is not one). */
static const char *scalar(struct pctx *p, struct fy_node *v, struct fy_node *key, const char *what)
{
	const char *s;

	if (!v)
		return err_at(p, key, NULL, "%s: needs a value", what), NULL;
	if (fy_node_is_alias(v))
		return err_at(p, v, key, "%s: aliases are not supported", what), NULL;
	if (fy_node_get_type(v) != FYNT_SCALAR)
		return err_at(p, v, key, "%s: expected a single value", what), NULL;
	s = fy_node_get_scalar0(v);
	if (!s)
		p->nomem = true;
	return s;
}

static int get_u32(struct pctx *p, struct fy_node *v, struct fy_node *key, const char *what,
		   __u32 min, __u32 max, __u32 *out)
{
	const char *s = scalar(p, v, key, what);

	if (!s)
		return -EINVAL;
	if (ef_parse_u32(s, min, max, out))
		return err_at(p, v, key, "%s: '%s' is not a number in %u..%u", what, s, min, max);
	return 0;
}

/* A duration: "500ms", "2s" or a number of seconds; in ms within min..max. */
static int get_ms(struct pctx *p, struct fy_node *v, struct fy_node *key, const char *what,
		  __u32 min, __u32 max, __u32 *out)
{
	const char *s = scalar(p, v, key, what);
	char num[16];
	size_t len;
	__u32 n, mult = 1000;

	if (!s)
		return -EINVAL;
	len = strlen(s);
	if (len > 2 && !strcmp(s + len - 2, "ms")) {
		len -= 2;
		mult = 1;
	} else if (len > 1 && s[len - 1] == 's') {
		len -= 1;
	}
	if (len == 0 || len >= sizeof(num))
		goto bad;
	memcpy(num, s, len);
	num[len] = '\0';
	if (ef_parse_u32(num, 0, 3600000, &n) || (__u64)n * mult < min || (__u64)n * mult > max)
		goto bad;
	*out = n * mult;
	return 0;
bad:
	return err_at(p, v, key, "%s: '%s' is not a duration in %ums..%us (e.g. 500ms, 2s)", what,
		      s, min, max / 1000);
}

/* An address (what: "vip address"); *pos: where it is written. */
static int get_addr(struct pctx *p, struct fy_node *v, struct fy_node *key, const char *what,
		    struct ef_addr *addr, __u8 *family, struct ef_pos *pos)
{
	const char *s = scalar(p, v, key, what), *why;

	if (!s)
		return -EINVAL;
	if (ef_addr_parse(s, addr, family, &why))
		return err_at(p, v, key, "%s '%s': %s", what, s, why);
	*pos = node_pos(p, v);
	return 0;
}

/* A number within [min, max]; with pct also a percentage ("25%" = 0.25). */
static int get_number(struct pctx *p, struct fy_node *v, struct fy_node *key, const char *what,
		      double min, double max, bool pct, double *out)
{
	const char *s = scalar(p, v, key, what);
	char *end;
	double d;

	if (!s)
		return -EINVAL;
	errno = 0;
	d = strtod(s, &end);
	if (pct && end != s && *end == '%' && !end[1]) {
		d /= 100;
		end++;
	}
	if (errno || end == s || *end || !isfinite(d) || d < min || d > max)
		return err_at(p, v, key, "%s: '%s' is not a number in %g..%g%s", what, s, min, max,
			      pct ? " (or a percentage)" : "");
	*out = d;
	return 0;
}

/* ---- Mappings ---- */

/* Checks that v is a node of type t (what names it in the error, shape
 * says what one looks like). */
static bool is_type(struct pctx *p, struct fy_node *v, struct fy_node *key, const char *what,
		    enum fy_node_type t, const char *shape)
{
	if (!v) {
		err_at(p, key, NULL, "%s: expected %s", what, shape);
		return false;
	}
	if (fy_node_is_alias(v)) {
		err_at(p, v, key, "%s: aliases are not supported", what);
		return false;
	}
	if (fy_node_get_type(v) != t) {
		err_at(p, v, key, "%s: expected %s", what, shape);
		return false;
	}
	return true;
}

static bool is_map(struct pctx *p, struct fy_node *v, struct fy_node *key, const char *what)
{
	return is_type(p, v, key, what, FYNT_MAPPING, "a mapping (key: value lines)");
}

static bool is_seq(struct pctx *p, struct fy_node *v, struct fy_node *key, const char *what)
{
	return is_type(p, v, key, what, FYNT_SEQUENCE, "a list ('- ' items or [])");
}

/* The key of a pair as text (NULL + error when it is not a plain scalar). */
static const char *key_of(struct pctx *p, struct fy_node_pair *pr, const char *where)
{
	struct fy_node *k = fy_node_pair_key(pr);
	const char *s;

	if (!k || fy_node_is_alias(k) || fy_node_get_type(k) != FYNT_SCALAR) {
		err_at(p, k, NULL, "%s: a key must be a name", where);
		return NULL;
	}
	s = fy_node_get_scalar0(k);
	if (!s)
		p->nomem = true;
	return s;
}

static int unknown_key(struct pctx *p, struct fy_node *k, const char *where, const char *key,
		       const char *known)
{
	return err_at(p, k, NULL, "%s: unknown key '%s' (known: %s)", where, key, known);
}

/* ---- Health checks ---- */

static void hc_default(struct ef_hc *hc)
{
	memset(hc, 0, sizeof(*hc));
	hc->type = EF_HC_NONE;
	hc->expect = EF_HC_EXPECT_DEFAULT;
	hc->interval_ms = EF_HC_INTERVAL_DEFAULT;
	hc->timeout_ms = EF_HC_TIMEOUT_DEFAULT;
	hc->rise = EF_HC_RISE_DEFAULT;
	hc->fall = EF_HC_FALL_DEFAULT;
	strcpy(hc->path, "/");
}

#define HC_KEYS "type, port, path, expect, interval, timeout, rise, fall"

/* Overrides the fields of hc that the mapping v sets; "health: none" turns
 * checks off. */
static int parse_hc(struct pctx *p, struct fy_node *v, struct fy_node *key, struct ef_hc *hc)
{
	struct fy_node_pair *pr;
	void *it = NULL;
	int err = 0;

	if (v && !fy_node_is_alias(v) && fy_node_get_type(v) == FYNT_SCALAR) {
		const char *s = fy_node_get_scalar0(v);

		if (s && (!strcmp(s, "none") || !strcmp(s, "off"))) {
			hc->type = EF_HC_NONE;
			return 0;
		}
	}
	if (!is_map(p, v, key, "health"))
		return -EINVAL;
	while ((pr = fy_node_mapping_iterate(v, &it))) {
		struct fy_node *k = fy_node_pair_key(pr), *val = fy_node_pair_value(pr);
		const char *name = key_of(p, pr, "health"), *s;
		__u32 u;

		if (!name) {
			err = -EINVAL;
			continue;
		}
		if (!strcmp(name, "type")) {
			s = scalar(p, val, k, "health type");
			if (!s)
				err = -EINVAL;
			else if (!strcmp(s, "tcp"))
				hc->type = EF_HC_TCP;
			else if (!strcmp(s, "http"))
				hc->type = EF_HC_HTTP;
			else if (!strcmp(s, "none"))
				hc->type = EF_HC_NONE;
			else
				err =
				    err_at(p, val, k,
					   "health type: unknown type '%s' (tcp, http or none)", s);
		} else if (!strcmp(name, "port")) {
			if (get_u32(p, val, k, "health port", 1, 65535, &u))
				err = -EINVAL;
			else
				hc->port = (__u16)u;
		} else if (!strcmp(name, "expect")) {
			if (get_u32(p, val, k, "health expect", 100, 599, &u))
				err = -EINVAL;
			else
				hc->expect = (__u16)u;
		} else if (!strcmp(name, "path")) {
			size_t i, len;

			s = scalar(p, val, k, "health path");
			if (!s) {
				err = -EINVAL;
				continue;
			}
			len = strlen(s);
			for (i = 0; i < len; i++)
				if (s[i] <= ' ' || s[i] > '~')
					break;
			if (s[0] != '/' || len >= sizeof(hc->path) || i < len) {
				err = err_at(p, val, k,
					     "health path: '%s' must start with '/', be printable "
					     "without spaces and shorter than %zu",
					     s, sizeof(hc->path));
				continue;
			}
			memcpy(hc->path, s, len + 1);
		} else if (!strcmp(name, "interval")) {
			if (get_ms(p, val, k, "health interval", 100, 3600000, &hc->interval_ms))
				err = -EINVAL;
		} else if (!strcmp(name, "timeout")) {
			if (get_ms(p, val, k, "health timeout", 10, 3600000, &hc->timeout_ms))
				err = -EINVAL;
		} else if (!strcmp(name, "rise")) {
			if (get_u32(p, val, k, "health rise", 1, 100, &hc->rise))
				err = -EINVAL;
		} else if (!strcmp(name, "fall")) {
			if (get_u32(p, val, k, "health fall", 1, 100, &hc->fall))
				err = -EINVAL;
		} else {
			err = unknown_key(p, k, "health", name, HC_KEYS);
		}
	}
	if (!err && hc->type != EF_HC_NONE && hc->timeout_ms > hc->interval_ms)
		err = err_at(p, v, key, "health: timeout %ums is longer than interval %ums",
			     hc->timeout_ms, hc->interval_ms);
	return err;
}

/* ---- Backends ---- */

#define BE_KEYS "address, weight, state, health"

static int parse_backend(struct pctx *p, struct fy_node *v, struct ef_conf_backend *be,
			 struct ef_hc *hc, struct ef_pos *pos)
{
	struct fy_node *addr_node = NULL, *first = NULL;
	struct fy_node_pair *pr;
	void *it = NULL;
	int err = 0;

	be->weight = EF_WEIGHT_DEFAULT;
	be->state = EF_BE_UP;
	if (!is_map(p, v, NULL, "backend"))
		return -EINVAL;
	while ((pr = fy_node_mapping_iterate(v, &it))) {
		struct fy_node *k = fy_node_pair_key(pr), *val = fy_node_pair_value(pr);
		const char *name = key_of(p, pr, "backend"), *s;
		__u32 u;
		int st;

		if (!first)
			first = k;
		if (!name) {
			err = -EINVAL;
			continue;
		}
		if (!strcmp(name, "address")) {
			addr_node = val;
			if (get_addr(p, val, k, "backend address", &be->addr, &be->family, pos))
				err = -EINVAL;
		} else if (!strcmp(name, "weight")) {
			if (get_u32(p, val, k, "backend weight", 1, 65535, &u))
				err = -EINVAL;
			else
				be->weight = (__u16)u;
		} else if (!strcmp(name, "state")) {
			s = scalar(p, val, k, "backend state");
			if (!s) {
				err = -EINVAL;
				continue;
			}
			st = ef_state_parse(s);
			if (st < 0)
				err = err_at(
				    p, val, k,
				    "backend state: unknown state '%s' (up, down or drain)", s);
			else
				be->state = (__u8)st;
		} else if (!strcmp(name, "health")) {
			if (parse_hc(p, val, k, hc))
				err = -EINVAL;
		} else {
			err = unknown_key(p, k, "backend", name, BE_KEYS);
		}
	}
	if (!addr_node && !err)
		err = err_at(p, v, first, "backend: missing key 'address'");
	return err;
}

/* ---- VIPs ---- */

#define VIP_KEYS "address, port, protocol, forward, table-size, src, health, backends"

static int parse_src(struct pctx *p, struct fy_node *v, struct fy_node *k, struct ef_vip *vip)
{
	struct fy_node *item;
	void *it = NULL;
	int err = 0;

	if (v && !fy_node_is_alias(v) && fy_node_get_type(v) == FYNT_SCALAR)
		item = v;
	else if (!is_seq(p, v, k, "src"))
		return -EINVAL;
	else
		item = fy_node_sequence_iterate(v, &it);
	for (; item; item = it ? fy_node_sequence_iterate(v, &it) : NULL) {
		const char *s = scalar(p, item, k, "src"), *why;
		struct ef_addr a;
		__u8 fam;

		if (!s) {
			err = -EINVAL;
			continue;
		}
		if (ef_addr_parse(s, &a, &fam, &why)) {
			err = err_at(p, item, k, "src '%s': %s", s, why);
		} else if (fam == EF_FAMILY_V4) {
			if (vip->flags & EF_VIP_F_SRC4)
				err = err_at(p, item, k, "src '%s': an IPv4 source is already set",
					     s);
			vip->flags |= EF_VIP_F_SRC4;
			vip->src4 = a.a32[0];
		} else {
			if (vip->flags & EF_VIP_F_SRC6)
				err = err_at(p, item, k, "src '%s': an IPv6 source is already set",
					     s);
			vip->flags |= EF_VIP_F_SRC6;
			vip->src6 = a;
		}
	}
	return err;
}

static int parse_backends(struct pctx *p, struct fy_node *v, struct fy_node *k,
			  struct ef_conf_vip *cv, struct ef_config_vip *x, const struct ef_hc *vhc)
{
	struct fy_node *item;
	void *it = NULL;
	size_t n = 0, i;
	int err = 0;

	if (!is_seq(p, v, k, "backends"))
		return -EINVAL;
	n = (size_t)fy_node_sequence_item_count(v);
	if (!n)
		return 0;
	if (n > EF_MAX_BACKENDS)
		return err_at(p, v, k, "backends: %zu backends, at most %d in all", n,
			      EF_MAX_BACKENDS);
	cv->backends = calloc(n, sizeof(*cv->backends));
	x->hc = calloc(n, sizeof(*x->hc));
	x->be_pos = calloc(n, sizeof(*x->be_pos));
	if (!cv->backends || !x->hc || !x->be_pos) {
		p->nomem = true;
		return -ENOMEM;
	}
	for (i = 0; (item = fy_node_sequence_iterate(v, &it)) && i < n; i++) {
		x->hc[i] = *vhc;
		if (parse_backend(p, item, &cv->backends[i], &x->hc[i], &x->be_pos[i]))
			err = -EINVAL;
	}
	cv->n_backends = i;
	return err;
}

static int parse_vip(struct pctx *p, struct fy_node *v, struct ef_conf_vip *cv,
		     struct ef_config_vip *x, const struct ef_hc *dflt)
{
	struct fy_node *addr_node = NULL, *port_node = NULL, *be_node = NULL, *be_key = NULL;
	struct fy_node *first = NULL, *hc_node = NULL, *hc_key = NULL;
	struct ef_addr addr = {};
	__u32 port = 0, u;
	struct ef_hc vhc = *dflt;
	struct fy_node_pair *pr;
	__u8 family = 0;
	int proto = IPPROTO_TCP, err = 0;
	void *it = NULL;

	if (!is_map(p, v, NULL, "vip"))
		return -EINVAL;
	/* Settings first, backends last: they inherit the VIP's health check
	 * wherever it is written. */
	while ((pr = fy_node_mapping_iterate(v, &it))) {
		struct fy_node *k = fy_node_pair_key(pr), *val = fy_node_pair_value(pr);
		const char *name = key_of(p, pr, "vip"), *s;

		if (!first)
			first = k;
		if (!name) {
			err = -EINVAL;
			continue;
		}
		if (!strcmp(name, "address")) {
			addr_node = val;
			if (get_addr(p, val, k, "vip address", &addr, &family, &x->pos))
				err = -EINVAL;
		} else if (!strcmp(name, "port")) {
			port_node = val;
			if (get_u32(p, val, k, "vip port", 0, 65535, &port))
				err = -EINVAL;
		} else if (!strcmp(name, "protocol")) {
			s = scalar(p, val, k, "vip protocol");
			if (!s)
				err = -EINVAL;
			else if ((proto = ef_proto_parse(s)) < 0)
				err = err_at(p, val, k,
					     "vip protocol: unknown protocol '%s' (tcp or udp)", s);
		} else if (!strcmp(name, "forward")) {
			s = scalar(p, val, k, "vip forward");
			if (!s)
				err = -EINVAL;
			else if (!strcmp(s, "ipip"))
				cv->vip.forward = EF_FWD_IPIP;
			else if (!strcmp(s, "l2"))
				cv->vip.forward = EF_FWD_L2;
			else
				err = err_at(p, val, k,
					     "vip forward: unknown mode '%s' (ipip or l2)", s);
		} else if (!strcmp(name, "table-size")) {
			if (get_u32(p, val, k, "vip table-size", 0, 0xffffffffU, &u)) {
				err = -EINVAL;
			} else if (ef_maglev_check_size(u) == -ERANGE) {
				err = err_at(p, val, k, "vip table-size: %u is out of range %u..%u",
					     u, EF_MIN_TABLE_SIZE, EF_MAX_TABLE_SIZE);
			} else if (ef_maglev_check_size(u)) {
				err = err_at(p, val, k, "vip table-size: %u is not a prime number",
					     u);
			} else {
				cv->vip.table_size = u;
			}
		} else if (!strcmp(name, "src")) {
			if (parse_src(p, val, k, &cv->vip))
				err = -EINVAL;
		} else if (!strcmp(name, "health")) {
			hc_node = val;
			hc_key = k;
		} else if (!strcmp(name, "backends")) {
			be_node = val;
			be_key = k;
		} else {
			err = unknown_key(p, k, "vip", name, VIP_KEYS);
		}
	}
	if (hc_key && parse_hc(p, hc_node, hc_key, &vhc))
		err = -EINVAL;
	if (be_key && parse_backends(p, be_node, be_key, cv, x, &vhc))
		err = -EINVAL;
	if (p->nomem)
		return -ENOMEM;
	if (!addr_node && !err)
		return err_at(p, v, first, "vip: missing key 'address'");
	if (!port_node && !err)
		return err_at(p, v, first, "vip: missing key 'port' (0 for every port)");
	if (err)
		return err;

	memset(&cv->key, 0, sizeof(cv->key));
	cv->key.addr = addr;
	cv->key.family = family;
	cv->key.port = htons((__u16)port);
	cv->key.proto = (__u8)proto;
	if (cv->vip.forward == EF_FWD_L2 && cv->vip.flags)
		err =
		    err_at(p, addr_node, first,
			   "vip: src: l2 forwarding does not encapsulate, it has no outer source");
	if (family == EF_FAMILY_V6 && (cv->vip.flags & EF_VIP_F_SRC4))
		err =
		    err_at(p, addr_node, first,
			   "vip: src: an IPv6 VIP has IPv6 backends only, an IPv4 source is of no "
			   "use");
	return err;
}

/* ---- Whole-file checks ---- */

static int check_vip(struct pctx *p, size_t idx)
{
	const struct ef_conf_vip *cv = &p->cfg->conf.vips[idx];
	const struct ef_config_vip *x = &p->cfg->vx[idx];
	char vs[EF_VIP_STRLEN], a[EF_ADDR_STRLEN];
	size_t i, j, n = cv->n_backends;
	int err = 0;

	ef_vip_str(&cv->key, vs, sizeof(vs));
	for (i = 0; i < idx; i++)
		if (!memcmp(&p->cfg->conf.vips[i].key, &cv->key, sizeof(cv->key))) {
			err = err_pos(p, x->pos, "duplicate VIP %s (first at line %d)", vs,
				      p->cfg->vx[i].pos.line);
			break;
		}
	for (i = 0; i < n; i++) {
		const struct ef_conf_backend *b = &cv->backends[i];
		const char *why;

		ef_addr_str(&b->addr, b->family, a, sizeof(a));
		for (j = 0; j < i; j++)
			if (cv->backends[j].family == b->family &&
			    !memcmp(&cv->backends[j].addr, &b->addr, sizeof(b->addr))) {
				err = err_pos(p, x->be_pos[i],
					      "duplicate backend %s of %s (first at line %d)", a,
					      vs, x->be_pos[j].line);
				break;
			}
		if (!ef_backend_family_ok(&cv->key, &cv->vip, b->family, &why))
			err = err_pos(p, x->be_pos[i], "backend %s of %s: %s", a, vs, why);
		if (x->hc[i].type != EF_HC_NONE && !x->hc[i].port && !cv->key.port)
			err = err_pos(p, x->be_pos[i],
				      "backend %s of %s: the health check needs a port (the VIP "
				      "has port 0)",
				      a, vs);
	}
	if (cv->vip.table_size && n > cv->vip.table_size)
		err = err_pos(p, x->pos, "vip %s: table-size %u is too small for %zu backends", vs,
			      cv->vip.table_size, n);
	if (!cv->vip.table_size && !ef_maglev_default_size(n))
		err = err_pos(p, x->pos,
			      "vip %s: %zu backends need more than the largest table (%u slots, "
			      "100 per backend)",
			      vs, n, EF_MAX_TABLE_SIZE);
	return err;
}

#define TOP_KEYS "vips, health, metrics, imbalance, apply"

static int parse_top(struct pctx *p, struct fy_node *root)
{
	struct ef_config *cfg = p->cfg;
	struct fy_node *vips = NULL, *vips_key = NULL, *hc_node = NULL, *hc_key = NULL;
	struct fy_node_pair *pr;
	struct ef_hc dflt;
	void *it = NULL;
	size_t n, i, total = 0;
	int err = 0;

	hc_default(&dflt);
	if (!root)
		return err_at(p, NULL, NULL, "empty configuration (it needs at least 'vips:')");
	if (!is_map(p, root, NULL, "configuration"))
		return -EINVAL;
	while ((pr = fy_node_mapping_iterate(root, &it))) {
		struct fy_node *k = fy_node_pair_key(pr), *v = fy_node_pair_value(pr);
		const char *name = key_of(p, pr, "configuration");
		struct fy_node_pair *pr2;
		void *it2 = NULL;

		if (!name) {
			err = -EINVAL;
			continue;
		}
		if (!strcmp(name, "vips")) {
			vips = v;
			vips_key = k;
		} else if (!strcmp(name, "health")) {
			hc_node = v;
			hc_key = k;
		} else if (!strcmp(name, "metrics")) {
			if (!is_map(p, v, k, "metrics")) {
				err = -EINVAL;
				continue;
			}
			while ((pr2 = fy_node_mapping_iterate(v, &it2))) {
				struct fy_node *k2 = fy_node_pair_key(pr2);
				struct fy_node *v2 = fy_node_pair_value(pr2);
				const char *n2 = key_of(p, pr2, "metrics"), *s, *why;
				struct ef_addr a;
				__u16 port;
				__u8 fam;

				if (!n2) {
					err = -EINVAL;
				} else if (!strcmp(n2, "listen")) {
					s = scalar(p, v2, k2, "metrics listen");
					if (!s)
						err = -EINVAL;
					else if (ef_endpoint_parse(s, &a, &fam, &port, &why) ||
						 strlen(s) >= sizeof(cfg->metrics_listen))
						err =
						    err_at(p, v2, k2,
							   "metrics listen '%s': %s (ADDR:PORT or "
							   "[ADDR]:PORT)",
							   s, why ? why : "too long");
					else
						strcpy(cfg->metrics_listen, s);
				} else {
					err = unknown_key(p, k2, "metrics", n2, "listen");
				}
			}
		} else if (!strcmp(name, "imbalance")) {
			if (!is_map(p, v, k, "imbalance")) {
				err = -EINVAL;
				continue;
			}
			while ((pr2 = fy_node_mapping_iterate(v, &it2))) {
				struct fy_node *k2 = fy_node_pair_key(pr2);
				struct fy_node *v2 = fy_node_pair_value(pr2);
				const char *n2 = key_of(p, pr2, "imbalance");
				struct ef_config_imbalance *im = &cfg->imbalance;
				__u32 u;

				if (!n2)
					err = -EINVAL;
				else if (!strcmp(n2, "tolerance")) {
					if (get_number(p, v2, k2, "imbalance tolerance", 0, 1, true,
						       &im->tolerance))
						err = -EINVAL;
				} else if (!strcmp(n2, "factor")) {
					if (get_number(p, v2, k2, "imbalance factor", 1, 1000,
						       false, &im->factor))
						err = -EINVAL;
				} else if (!strcmp(n2, "window")) {
					if (get_ms(p, v2, k2, "imbalance window", 1000, 3600000,
						   &u))
						err = -EINVAL;
					else
						im->window_s = u / 1000.0;
				} else if (!strcmp(n2, "min-flows")) {
					if (get_u32(p, v2, k2, "imbalance min-flows", 1,
						    0xffffffffU, &u))
						err = -EINVAL;
					else
						im->min_flows = u;
				} else
					err = unknown_key(p, k2, "imbalance", n2,
							  "tolerance, factor, window, min-flows");
			}
		} else if (!strcmp(name, "apply")) {
			if (!is_map(p, v, k, "apply")) {
				err = -EINVAL;
				continue;
			}
			while ((pr2 = fy_node_mapping_iterate(v, &it2))) {
				struct fy_node *k2 = fy_node_pair_key(pr2);
				const char *n2 = key_of(p, pr2, "apply");

				if (!n2)
					err = -EINVAL;
				else if (!strcmp(n2, "max-move")) {
					if (get_number(p, fy_node_pair_value(pr2), k2,
						       "apply max-move", 0, 1, true,
						       &cfg->max_move))
						err = -EINVAL;
				} else
					err = unknown_key(p, k2, "apply", n2, "max-move");
			}
		} else {
			err = unknown_key(p, k, "configuration", name, TOP_KEYS);
		}
	}
	if (err)
		err = -EINVAL;
	if (hc_key && parse_hc(p, hc_node, hc_key, &dflt))
		err = -EINVAL;
	if (!vips_key)
		return err ? err
			   : err_at(p, root, NULL,
				    "configuration: missing key 'vips' (use "
				    "'vips: []' for none)");
	if (!is_seq(p, vips, vips_key, "vips"))
		return -EINVAL;
	n = (size_t)fy_node_sequence_item_count(vips);
	if (n > EF_MAX_VIPS)
		return err_at(p, vips, vips_key, "vips: %zu VIPs, at most %d", n, EF_MAX_VIPS);
	if (n) {
		cfg->conf.vips = calloc(n, sizeof(*cfg->conf.vips));
		cfg->vx = calloc(n, sizeof(*cfg->vx));
		if (!cfg->conf.vips || !cfg->vx)
			return -ENOMEM;
	}
	it = NULL;
	for (i = 0; i < n; i++) {
		struct fy_node *item = fy_node_sequence_iterate(vips, &it);
		int e;

		if (!item)
			break;
		cfg->conf.n_vips = i + 1;
		e = parse_vip(p, item, &cfg->conf.vips[i], &cfg->vx[i], &dflt);
		if (e == -ENOMEM)
			return e;
		if (e)
			err = e;
		total += cfg->conf.vips[i].n_backends;
	}
	if (err)
		return err;
	if (total > EF_MAX_BACKENDS)
		return err_at(p, vips, vips_key, "vips: %zu backends in all, at most %d", total,
			      EF_MAX_BACKENDS);
	for (i = 0; i < cfg->conf.n_vips; i++)
		if (check_vip(p, i))
			err = -EINVAL;
	return err;
}

/* ---- Text ---- */

/*
 * The file must be UTF-8 text without tabs or other control characters
 * (but line breaks). YAML 1.2 is Unicode and indents with spaces only;
 * and libfyaml 0.7.12, fuzzed (tests/fuzz), loops forever on a directive
 * line holding invalid UTF-8, crashes on some tab-separated explicit keys
 * and leaks the text of a single-quoted scalar holding runs of escaped
 * quotes ('''' and more, found twice by the fuzzer): such input never
 * reaches it (a configuration has no use for it). *line and *col (1-based,
 * columns in characters) point at the first bad byte; *why says what it is.
 */
static bool text_ok(const unsigned char *s, size_t len, int *line, int *col, const char **why)
{
	size_t i = 0;

	*line = 1;
	*col = 1;
	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		__u32 cp, min;

		if (c == '\n') {
			(*line)++;
			*col = 1;
			i++;
			continue;
		}
		*why = "not UTF-8 text";
		if (c == '\'' && i + 4 <= len && !memcmp(s + i, "''''", 4)) {
			*why = "four or more quotes (') in a row";
			return false;
		}
		if (c == '\t') {
			*why = "a tab (YAML indents with spaces; use spaces)";
			return false;
		}
		if (c < 0x80) {
			if ((c < 0x20 && c != '\r') || c == 0x7f) {
				*why = "a control character";
				return false;
			}
			i++;
			(*col)++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 2, cp = c & 0x1f, min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 3, cp = c & 0x0f, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (i + n > len)
			return false;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n;
		(*col)++;
	}
	return true;
}

/* ---- Entry points ---- */

void ef_config_free(struct ef_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->conf.n_vips; i++) {
		free(cfg->conf.vips[i].backends);
		if (cfg->vx) {
			free(cfg->vx[i].hc);
			free(cfg->vx[i].be_pos);
		}
	}
	free(cfg->conf.vips);
	free(cfg->vx);
	free(cfg->file);
	memset(cfg, 0, sizeof(*cfg));
}

static void config_init(struct ef_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_move = EF_MAX_MOVE_DEFAULT;
	cfg->imbalance.window_s = 10.0;
	cfg->imbalance.factor = 2.0;
	cfg->imbalance.tolerance = 0.20;
	cfg->imbalance.min_flows = 100;
}

int ef_config_parse(const char *name, const char *buf, size_t len, struct ef_config *cfg,
		    struct ef_config_errors *errs)
{
	struct fy_parse_cfg pc = {.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2};
	struct pctx p = {.name = name, .errs = errs, .cfg = cfg};
	struct fy_document *doc = NULL;
	struct fy_diag_cfg dc;
	struct fy_diag_error *e;
	size_t i, j;
	int err;

	memset(errs, 0, sizeof(*errs));
	config_init(cfg);
	fy_diag_cfg_default(&dc);
	dc.fp = NULL;
	dc.colorize = false;
	p.diag = fy_diag_create(&dc);
	if (!p.diag)
		return -ENOMEM;
	fy_diag_set_collect_errors(p.diag, true);
	pc.diag = p.diag;
	{
		const char *why = NULL;
		int line, col;

		if (!text_ok((const unsigned char *)buf, len, &line, &col, &why)) {
			add_line(errs, "%s:%d:%d: %s", name, line, col, why);
			err = -EINVAL;
			goto out;
		}
	}
	if (len)
		doc = fy_document_build_from_string(&pc, buf, len);
	if (len && !doc) {
		void *it = NULL;
		bool any = false;

		while ((e = fy_diag_errors_iterate(p.diag, &it))) {
			add_line(errs, "%s:%d:%d: %s", name, e->line, e->column,
				 e->msg ? e->msg : "invalid YAML");
			any = true;
		}
		if (any) {
			err = -EINVAL;
			goto out;
		}
		/* no document and no error: nothing but comments */
	}
	/* Skip whatever the parse itself reported (warnings). */
	{
		void *it = NULL;

		while ((e = fy_diag_errors_iterate(p.diag, &it)))
			p.cursor = it;
	}
	cfg->file = strdup(name);
	if (!cfg->file) {
		err = -ENOMEM;
		goto out;
	}
	err = parse_top(&p, doc ? fy_document_root(doc) : NULL);
	if (p.nomem)
		err = -ENOMEM;
	if (!err)
		for (i = 0; i < cfg->conf.n_vips; i++)
			for (j = 0; j < cfg->conf.vips[i].n_backends; j++)
				if (cfg->vx[i].hc[j].type != EF_HC_NONE &&
				    cfg->conf.vips[i].backends[j].state != EF_BE_DOWN)
					cfg->n_checked++;
out:
	if (doc)
		fy_document_destroy(doc);
	fy_diag_destroy(p.diag);
	if (err) {
		ef_config_free(cfg);
		if (err == -EINVAL && !errs->n)
			add_line(errs, "%s: invalid configuration", name);
	}
	return err;
}

int ef_config_load(const char *path, struct ef_config *cfg, struct ef_config_errors *errs)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int err = 0;

	memset(errs, 0, sizeof(*errs));
	config_init(cfg);
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		add_line(errs, "%s: cannot read: %s", path, strerror(errno));
		return err;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			char *nb;

			if (cap >= EF_CONFIG_MAX_BYTES) {
				add_line(errs, "%s: larger than %d bytes", path,
					 EF_CONFIG_MAX_BYTES);
				err = -EFBIG;
				goto out;
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				err = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f)) {
				err = -EIO;
				add_line(errs, "%s: cannot read: %s", path, strerror(EIO));
				goto out;
			}
			break;
		}
	}
	err = ef_config_parse(path, buf, len, cfg, errs);
out:
	fclose(f);
	free(buf);
	return err;
}

int ef_config_report(const struct ef_config_errors *errs, int err)
{
	size_t i;

	if (!errs->shown)
		return err;
	for (i = 0; i + 1 < errs->shown; i++)
		pr_warn("%s", errs->line[i]);
	if (errs->n > errs->shown)
		pr_warn("(%zu more errors not shown)", errs->n - errs->shown);
	return ef_err(err, "%s", errs->line[errs->shown - 1]);
}
