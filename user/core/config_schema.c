// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * config_schema.c: the configuration file's keys and how each value is
 * read; see config_schema.h. Values are read from libfyaml's event stream
 * (core/yaml.h): a scalar is one event, a mapping or a list the events
 * between its start and its end.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_schema.h"
#include "core/model.h"
#include "util/addr.h"

#define FIELD(obj, k) ((void *)((char *)(obj) + (k)->field))

/* ---- Shapes ---- */

/* ev must be a scalar: its text into buf, else an error (ev is freed). */
int ef_cfg_scalar(struct ef_cfg_parse *p, struct fy_event *ev, const char *what, char *buf,
		  size_t len)
{
	struct ef_pos pos = ef_yaml_pos(ev);
	int err = 0;

	if (!ev)
		return -EINVAL;
	if (ev->type == FYET_ALIAS)
		err = ef_yaml_err(&p->y, pos, "%s: aliases are not supported", what);
	else if (ev->type != FYET_SCALAR)
		err = ef_yaml_err(&p->y, pos, "%s: expected a single value", what);
	else if (ef_yaml_scalar(ev, buf, len))
		err = ef_yaml_err(&p->y, pos, "%s: longer than %zu characters", what, len - 1);
	if (ev->type == FYET_SCALAR)
		ef_yaml_free(&p->y, ev);
	else
		ef_yaml_skip(&p->y, ev);
	return err;
}

/* ev must start a collection of type start; else an error (ev consumed). */
bool ef_cfg_is_start(struct ef_cfg_parse *p, struct fy_event *ev, enum fy_event_type start,
		     const char *what)
{
	if (!ev)
		return false;
	if (ev->type == start)
		return true;
	if (ev->type == FYET_ALIAS)
		ef_yaml_err(&p->y, ef_yaml_pos(ev), "%s: aliases are not supported", what);
	else
		ef_yaml_err(&p->y, ef_yaml_pos(ev), "%s: expected %s", what,
			    start == FYET_MAPPING_START ? "a mapping (key: value lines)"
							: "a list ('- ' items or [])");
	ef_yaml_skip(&p->y, ev);
	return false;
}

/* "known: a, b, c" of a table. */
static const char *known(const struct ef_cfg_key *table, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (const struct ef_cfg_key *k = table; k->name && o < len; k++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", k == table ? "" : ", ", k->name);
	return buf;
}

/* The key event of a pair: its row in table, NULL (error recorded, value
 * skipped by the caller) when it is unknown or not a name. */
static const struct ef_cfg_key *key_row(struct ef_cfg_parse *p, struct fy_event *kev,
					const struct ef_cfg_key *table, const char *where)
{
	char name[EF_YAML_SCALAR_MAX], list[256];
	struct ef_pos pos = ef_yaml_pos(kev);

	if (kev->type != FYET_SCALAR || ef_yaml_scalar(kev, name, sizeof(name))) {
		ef_yaml_err(&p->y, pos, "%s: a key must be a name", where);
		return NULL;
	}
	for (const struct ef_cfg_key *k = table; k->name; k++)
		if (!strcmp(k->name, name))
			return k;
	ef_yaml_err(&p->y, pos, "%s: unknown key '%s' (known: %s)", where, name,
		    known(table, list, sizeof(list)));
	return NULL;
}

int ef_cfg_each(struct ef_cfg_parse *p, struct fy_event *ev, const char *what, ef_cfg_item_fn item,
		void *ctx)
{
	int err = 0, e;

	if (!ef_cfg_is_start(p, ev, FYET_SEQUENCE_START, what))
		return -EINVAL;
	ef_yaml_free(&p->y, ev);
	while ((ev = ef_yaml_next(&p->y)) && ev->type != FYET_SEQUENCE_END) {
		e = item(p, ev, ctx);
		if (e == -ENOMEM)
			return e;
		err = e ? e : err;
	}
	ef_yaml_free(&p->y, ev);
	return p->y.broken ? -EINVAL : err;
}

int ef_cfg_mapping(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *table,
		   const char *where, void *obj)
{
	return ef_cfg_mapping_seen(p, ev, table, where, obj, NULL);
}

int ef_cfg_mapping_seen(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *table,
			const char *where, void *obj, unsigned *seen_out)
{
	struct ef_pos first = ef_yaml_pos(ev);
	unsigned long seen = 0;
	int err = 0, e;

	if (!ef_cfg_is_start(p, ev, FYET_MAPPING_START, where))
		return -EINVAL;
	ef_yaml_free(&p->y, ev);
	while ((ev = ef_yaml_next(&p->y)) && ev->type != FYET_MAPPING_END) {
		const struct ef_cfg_key *k = key_row(p, ev, table, where);
		struct ef_pos kpos = ef_yaml_pos(ev);

		if (!seen && !err)
			first = kpos;
		ef_yaml_skip(&p->y, ev); /* the key (a collection used as a key, whole) */
		ev = ef_yaml_next(&p->y);
		if (!k) {
			err = -EINVAL;
			ef_yaml_skip(&p->y, ev);
			continue;
		}
		if (seen & (1UL << (k - table))) {
			err = ef_yaml_err(&p->y, kpos, "%s: duplicate key '%s'", where, k->name);
			ef_yaml_skip(&p->y, ev);
			continue;
		}
		seen |= 1UL << (k - table);
		e = k->parse(p, ev, k, where, obj);
		if (e == -ENOMEM)
			return e;
		err = e ? e : err;
	}
	ef_yaml_free(&p->y, ev);
	if (p->y.broken)
		return -EINVAL;
	if (seen_out)
		*seen_out = (unsigned)seen;
	for (const struct ef_cfg_key *k = table; !err && k->name; k++)
		if (k->missing && !(seen & (1UL << (k - table))))
			err = ef_yaml_err(&p->y, first, "%s: missing key '%s'%s", where, k->name,
					  k->missing);
	return err;
}

/* ---- Scalars ---- */

int ef_cfg_parse_u32(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
		     const char *where, void *obj)
{
	struct ef_pos pos = ef_yaml_pos(ev);
	char s[EF_YAML_SCALAR_MAX];
	__u32 v;

	if (ef_cfg_scalar(p, ev, k->name, s, sizeof(s)))
		return -EINVAL;
	if (ef_parse_u32(s, (__u32)k->min, (__u32)k->max, &v))
		return ef_yaml_err(&p->y, pos, "%s %s: '%s' is not a number in %.0f..%.0f", where,
				   k->name, s, k->min, k->max);
	*(__u32 *)FIELD(obj, k) = v;
	return 0;
}

/* A duration: "500ms", "2s" or a number of seconds; stored in ms. */
int ef_cfg_parse_ms(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
		    const char *where, void *obj)
{
	struct ef_pos pos = ef_yaml_pos(ev);
	char s[EF_YAML_SCALAR_MAX];
	__u32 n, mult = 1000;
	size_t len;

	if (ef_cfg_scalar(p, ev, k->name, s, sizeof(s)))
		return -EINVAL;
	len = strlen(s);
	if (len > 2 && !strcmp(s + len - 2, "ms")) {
		mult = 1;
		s[len - 2] = '\0';
	} else if (len > 1 && s[len - 1] == 's') {
		s[len - 1] = '\0';
	}
	if (!s[0] || ef_parse_u32(s, 0, 3600000, &n) || (double)n * mult < k->min ||
	    (double)n * mult > k->max) {
		if (mult == 1)
			s[len - 2] = 'm';
		else if (len > 1 && !s[len - 1])
			s[len - 1] = 's';
		return ef_yaml_err(
		    &p->y, pos, "%s %s: '%s' is not a duration in %.0fms..%.0fs (e.g. 500ms, 2s)",
		    where, k->name, s, k->min, k->max / 1000);
	}
	*(__u32 *)FIELD(obj, k) = n * mult;
	return 0;
}

/* A number within [min, max], or a percentage ("25%" = 0.25) when the
 * row's arg is non-NULL. */
int ef_cfg_parse_number(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			const char *where, void *obj)
{
	struct ef_pos pos = ef_yaml_pos(ev);
	char s[EF_YAML_SCALAR_MAX], *end;
	bool pct = k->arg != NULL;
	double d;

	if (ef_cfg_scalar(p, ev, k->name, s, sizeof(s)))
		return -EINVAL;
	errno = 0;
	d = strtod(s, &end);
	if (pct && end != s && *end == '%' && !end[1]) {
		d /= 100;
		end++;
	}
	if (errno || end == s || *end || !isfinite(d) || d < k->min || d > k->max)
		return ef_yaml_err(&p->y, pos, "%s %s: '%s' is not a number in %g..%g%s", where,
				   k->name, s, k->min, k->max, pct ? " (or a percentage)" : "");
	*(double *)FIELD(obj, k) = d;
	return 0;
}

int ef_cfg_parse_choice(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			const char *where, void *obj)
{
	const struct ef_cfg_choices *c = k->arg;
	struct ef_pos pos = ef_yaml_pos(ev);
	char s[EF_YAML_SCALAR_MAX], list[96] = "";
	size_t n = 0, o = 0;

	if (ef_cfg_scalar(p, ev, k->name, s, sizeof(s)))
		return -EINVAL;
	for (; n < 4 && c->list[n].name; n++) {
		if (!strcmp(c->list[n].name, s)) {
			*(int *)FIELD(obj, k) = c->list[n].value;
			return 0;
		}
	}
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
				      !i	  ? ""
				      : i + 1 < n ? ", "
						  : " or ",
				      c->list[i].name);
	return ef_yaml_err(&p->y, pos, "%s %s: unknown %s '%s' (%s)", where, k->name, c->noun, s,
			   list);
}

/* A VIP's or backend's address: *pos is where it is written. */
int ef_cfg_parse_addr(struct ef_cfg_parse *p, struct fy_event *ev, enum ef_addr_use use,
		      struct ef_addr *addr, __u8 *family, struct ef_pos *pos)
{
	const char *what = use == EF_ADDR_VIP ? "vip address" : "backend address";
	char s[EF_YAML_SCALAR_MAX];
	const char *why;

	*pos = ef_yaml_pos(ev);
	if (ef_cfg_scalar(p, ev, what, s, sizeof(s)))
		return -EINVAL;
	if (ef_addr_parse(s, addr, family, &why))
		return ef_yaml_err(&p->y, *pos, "%s '%s': %s", what, s, why);
	why = ef_addr_unusable(addr, *family, use);
	if (why)
		return ef_yaml_err(&p->y, *pos, "%s '%s': %s can never be a %s", what, s, why,
				   use == EF_ADDR_VIP ? "VIP" : "backend");
	return 0;
}

/* ---- Sections ---- */

static int parse_listen(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			const char *where, void *obj)
{
	struct ef_pos pos = ef_yaml_pos(ev);
	char s[EF_YAML_SCALAR_MAX], *out = FIELD(obj, k);
	const char *why = NULL;
	struct ef_addr a;
	__u16 port;
	__u8 fam;

	if (ef_cfg_scalar(p, ev, k->name, s, sizeof(s)))
		return -EINVAL;
	if (ef_endpoint_parse(s, &a, &fam, &port, &why) ||
	    strlen(s) >= sizeof(p->cfg->metrics_listen))
		return ef_yaml_err(&p->y, pos, "%s %s '%s': %s (ADDR:PORT or [ADDR]:PORT)", where,
				   k->name, s, why ? why : "too long");
	strcpy(out, s);
	return 0;
}

/* A duration stored as seconds (double). */
static int parse_seconds(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			 const char *where, void *obj)
{
	struct ef_cfg_key ms = *k;
	__u32 v;
	int err;

	ms.field = 0;
	err = ef_cfg_parse_ms(p, ev, &ms, where, &v);
	if (!err)
		*(double *)FIELD(obj, k) = v / 1000.0;
	return err;
}

const struct ef_cfg_key ef_cfg_metrics_keys[] = {
    {"listen", parse_listen, offsetof(struct ef_config, metrics_listen), 0, 0, NULL, NULL,
     "ADDR:PORT", "where the daemon serves /metrics ([ADDR]:PORT for IPv6); none if absent", NULL},
    {NULL},
};

/* arg non-NULL: a percentage is accepted */
#define PCT ((void *)1)

const struct ef_cfg_key ef_cfg_imbalance_keys[] = {
    {"tolerance", ef_cfg_parse_number, offsetof(struct ef_config, imbalance.tolerance), 0, 1, PCT,
     NULL, "0..1 or N%",
     "flag a backend whose share of new flows exceeds its expected share by more than this "
     "(default 20%)",
     NULL},
    {"factor", ef_cfg_parse_number, offsetof(struct ef_config, imbalance.factor), 1, 1000, NULL,
     NULL, "1..1000", "... or is more than this many times it (default 2)", NULL},
    {"window", parse_seconds, offsetof(struct ef_config, imbalance.window_s), 1000, 3600000, NULL,
     NULL, "duration", "the sliding window (default 10s)", NULL},
    {"min-flows", ef_cfg_parse_u32, offsetof(struct ef_config, imbalance.min_flows), 1, 0xffffffffU,
     NULL, NULL, "number", "new flows a VIP needs in the window to be judged (default 100)", NULL},
    {NULL},
};

const struct ef_cfg_key ef_cfg_apply_keys[] = {
    {"max-move", ef_cfg_parse_number, offsetof(struct ef_config, limits.max_move), 0, 1, PCT, NULL,
     "0..1 or N%",
     "largest fraction of a VIP's slots one change may move without --force (default 50%)", NULL},
    {"max-shift", ef_cfg_parse_number, offsetof(struct ef_config, limits.max_shift), 0, 1, PCT,
     NULL, "0..1 or N%",
     "most share points a backend may gain in one change without --force (default 25%)", NULL},
    {"max-weight-ratio", ef_cfg_parse_number, offsetof(struct ef_config, limits.max_weight_ratio),
     1, 65535, NULL, NULL, "1..65535",
     "a backend joining a VIP may weigh this many times the median of its siblings, no more "
     "(default 10)",
     NULL},
    {NULL},
};

/* ---- Health checks ---- */

static int parse_path(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
		      const char *where, void *obj)
{
	struct ef_pos pos = ef_yaml_pos(ev);
	char s[EF_YAML_SCALAR_MAX], *out = FIELD(obj, k);
	size_t i, len;

	if (ef_cfg_scalar(p, ev, k->name, s, sizeof(s)))
		return -EINVAL;
	len = strlen(s);
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~')
			break;
	if (s[0] != '/' || len >= EF_HC_PATH_MAX || i < len)
		return ef_yaml_err(&p->y, pos,
				   "%s %s: '%s' must start with '/', be printable without spaces "
				   "and shorter than %d",
				   where, k->name, s, EF_HC_PATH_MAX);
	memcpy(out, s, len + 1);
	return 0;
}

/* The rows are in the order of the HC_* bits (config_schema.h): a level's
 * `set` is the mapping's seen-rows mask. */
#define HC_FIELD(f) offsetof(struct ef_hc, f)

static const struct ef_cfg_choices hc_types = {
    "type", {{"tcp", EF_HC_TCP}, {"http", EF_HC_HTTP}, {"none", EF_HC_NONE}}};

const struct ef_cfg_key ef_cfg_health_keys[] = {
    {"type", ef_cfg_parse_choice, HC_FIELD(type), 0, 0, &hc_types, NULL, "tcp | http | none",
     "tcp: a connect() that completes; http: a GET of `path` answered with `expect`; none: not "
     "checked (default)",
     NULL},
    {"port", ef_cfg_parse_u32, HC_FIELD(port), 1, 65535, NULL, NULL, "1..65535",
     "the port checked (default: the VIP's; required when the VIP's is 0)", NULL},
    {"path", parse_path, HC_FIELD(path), 0, 0, NULL, NULL, "/PATH", "HTTP path (default /)", NULL},
    {"expect", ef_cfg_parse_u32, HC_FIELD(expect), 100, 599, NULL, NULL, "100..599",
     "HTTP status that means healthy (default 200)", NULL},
    {"interval", ef_cfg_parse_ms, HC_FIELD(interval_ms), 100, 3600000, NULL, NULL, "duration",
     "from the start of a check to the start of the next (default 2s)", NULL},
    {"timeout", ef_cfg_parse_ms, HC_FIELD(timeout_ms), 10, 3600000, NULL, NULL, "duration",
     "a check not done by then failed; at most the interval (default 1s)", NULL},
    {"rise", ef_cfg_parse_u32, HC_FIELD(rise), 1, 100, NULL, NULL, "1..100",
     "good checks in a row that make a backend healthy (default 2)", NULL},
    {"fall", ef_cfg_parse_u32, HC_FIELD(fall), 1, 100, NULL, NULL, "1..100",
     "failed checks in a row that make it unhealthy (default 3)", NULL},
    {NULL},
};

void ef_hc_inherit(struct ef_hc_part *part, const struct ef_hc_part *above)
{
	struct ef_hc hc = above->hc;

	if (part->set & HC_TYPE)
		hc.type = part->hc.type;
	if (part->set & HC_PORT)
		hc.port = part->hc.port;
	if (part->set & HC_PATH)
		memcpy(hc.path, part->hc.path, sizeof(hc.path));
	if (part->set & HC_EXPECT)
		hc.expect = part->hc.expect;
	if (part->set & HC_INTERVAL)
		hc.interval_ms = part->hc.interval_ms;
	if (part->set & HC_TIMEOUT)
		hc.timeout_ms = part->hc.timeout_ms;
	if (part->set & HC_RISE)
		hc.rise = part->hc.rise;
	if (part->set & HC_FALL)
		hc.fall = part->hc.fall;
	part->hc = hc;
}

/* health: a mapping of the keys above, or "none" / "off". */
int ef_cfg_parse_health(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			const char *where, void *obj)
{
	struct ef_hc_part *part = FIELD(obj, k);
	char s[8];

	(void)where;
	part->pos = ef_yaml_pos(ev);
	if (ev && ev->type == FYET_SCALAR && !ef_yaml_scalar(ev, s, sizeof(s)) &&
	    (!strcmp(s, "none") || !strcmp(s, "off"))) {
		ef_yaml_free(&p->y, ev);
		part->hc.type = EF_HC_NONE;
		part->set = HC_TYPE;
		return 0;
	}
	return ef_cfg_mapping_seen(p, ev, k->keys, "health", &part->hc, &part->set);
}
