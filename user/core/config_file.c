// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * config_file.c: the YAML configuration file, read whole and checked before
 * anything is returned; see config_file.h. The keys are in config_schema.c
 * and config_vips.c; the
 * text is read as libfyaml's event stream (core/yaml.h), so a file of any
 * shape costs about its own size in memory. Aliases are refused (a
 * configuration has no use for them, and expanding them is how a small
 * file becomes a huge one); so is a second document.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config_cluster.h"
#include "core/config_devices.h"
#include "core/config_file.h"
#include "core/config_schema.h"
#include "core/config_vips.h"
#include "core/maglev.h"
#include "core/model.h"
#include "util/addr.h"
#include "util/log.h"

const char *ef_hc_type_str(int type)
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

/* ---- Health checks, inherited key by key ---- */

/* A level's check, with the level above laid under it: a timeout longer
 * than the interval is an error at the level that has a health key. */
static int inherit(struct ef_cfg_parse *p, struct ef_hc_part *part, const struct ef_hc_part *above)
{
	ef_hc_inherit(part, above);
	if (part->pos.line && part->hc.type != EF_HC_NONE &&
	    part->hc.timeout_ms > part->hc.interval_ms)
		return ef_yaml_err(&p->y, part->pos,
				   "health: timeout %ums is longer than interval %ums",
				   part->hc.timeout_ms, part->hc.interval_ms);
	return 0;
}

/* Every backend's health check: the defaults, then the file's, its VIP's
 * and its own keys. */
static int resolve_health(struct ef_cfg_parse *p)
{
	struct ef_hc_part base = {};
	struct ef_config *cfg = p->cfg;
	int err = 0;

	hc_default(&base.hc);
	err = inherit(p, &p->top_hc, &base);
	for (size_t i = 0; i < cfg->conf.n_vips; i++) {
		struct ef_hc_part *vip = &p->vip_hc[i];

		err = inherit(p, vip, &p->top_hc) ? -EINVAL : err;
		for (size_t j = 0; j < cfg->conf.vips[i].n_backends; j++) {
			struct ef_hc_part *b = &p->be_hc[i][j];

			err = inherit(p, b, vip) ? -EINVAL : err;
			cfg->vx[i].hc[j] = b->hc;
		}
	}
	return err;
}

/* ---- Whole-file checks ---- */

static int check_backends(struct ef_cfg_parse *p, size_t idx, const char *vs)
{
	const struct ef_conf_vip *cv = &p->cfg->conf.vips[idx];
	const struct ef_config_vip *x = &p->cfg->vx[idx];
	char a[EF_ADDR_STRLEN];
	int err = 0;

	for (size_t i = 0; i < cv->n_backends; i++) {
		const struct ef_conf_backend *b = &cv->backends[i];
		const char *why;

		ef_addr_str(&b->addr, b->family, a, sizeof(a));
		for (size_t j = 0; j < i; j++)
			if (!ef_conf_backend_cmp(&cv->backends[j], b)) {
				err = ef_yaml_err(&p->y, x->be_pos[i],
						  "duplicate backend %s of %s (first at line %d)",
						  a, vs, x->be_pos[j].line);
				break;
			}
		if (!ef_backend_family_ok(&cv->key, &cv->vip, b->family, &why))
			err = ef_yaml_err(&p->y, x->be_pos[i], "backend %s of %s: %s", a, vs, why);
		if (x->hc[i].type != EF_HC_NONE && !x->hc[i].port && !cv->key.port)
			err =
			    ef_yaml_err(&p->y, x->be_pos[i],
					"backend %s of %s: the health check needs a port (the VIP "
					"has port 0)",
					a, vs);
	}
	return err;
}

static int check_vip(struct ef_cfg_parse *p, size_t idx)
{
	const struct ef_conf_vip *cv = &p->cfg->conf.vips[idx];
	const struct ef_config_vip *x = &p->cfg->vx[idx];
	size_t n = cv->n_backends;
	char vs[EF_VIP_STRLEN];
	int err;

	ef_vip_str(&cv->key, vs, sizeof(vs));
	for (size_t i = 0; i < idx; i++)
		if (!memcmp(&p->cfg->conf.vips[i].key, &cv->key, sizeof(cv->key)))
			return ef_yaml_err(&p->y, x->pos, "duplicate VIP %s (first at line %d)", vs,
					   p->cfg->vx[i].pos.line);
	err = check_backends(p, idx, vs);
	if (cv->vip.table_size && n > cv->vip.table_size)
		err = ef_yaml_err(&p->y, x->pos,
				  "vip %s: table-size %u is too small for %zu backends", vs,
				  cv->vip.table_size, n);
	if (!cv->vip.table_size && !ef_maglev_default_size(n))
		err =
		    ef_yaml_err(&p->y, x->pos,
				"vip %s: %zu backends need more than the largest table (%u slots, "
				"100 per backend)",
				vs, n, EF_MAX_TABLE_SIZE);
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

/* ---- Documents ---- */

/* A mapping whose fields are in struct ef_config. */
static int parse_cfg_map(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			 const char *where, void *obj)
{
	(void)where;
	(void)obj;
	return ef_cfg_mapping(p, ev, k->keys, k->name, p->cfg);
}

const struct ef_cfg_key ef_cfg_top_keys[] = {
    {"vips", ef_cfg_parse_vips, 0, 0, 0, NULL, NULL, "list of VIPs",
     "the VIPs (required on a load balancer: 'vips: []' for none)", ef_cfg_vip_keys},
    {"health", ef_cfg_parse_health, offsetof(struct ef_cfg_parse, top_hc), 0, 0, NULL, NULL,
     "health check", "default health check of every backend", ef_cfg_health_keys},
    {"metrics", parse_cfg_map, 0, 0, 0, NULL, NULL, "mapping", "the daemon's metrics endpoint",
     ef_cfg_metrics_keys},
    {"imbalance", parse_cfg_map, 0, 0, 0, NULL, NULL, "mapping", "the daemon's imbalance detector",
     ef_cfg_imbalance_keys},
    {"apply", parse_cfg_map, 0, 0, 0, NULL, NULL, "mapping", "the safety limits of a change",
     ef_cfg_apply_keys},
    {"announce", ef_cfg_parse_announce, 0, 0, 0, NULL, NULL, "mapping",
     "the daemon announces the VIP addresses it can serve to the routing daemon",
     ef_cfg_announce_keys},
    {"siblings", ef_cfg_parse_siblings, 0, 0, 0, NULL, NULL, "mapping",
     "the other load balancers whose fingerprints the daemon compares with its own",
     ef_cfg_siblings_keys},
    {"decap", ef_cfg_parse_decap, 0, 0, 0, NULL, NULL, "mapping",
     "on a backend: the devices the daemon keeps the decap program on", ef_cfg_decap_keys},
    {"dataplane", ef_cfg_parse_dataplane, 0, 0, 0, NULL, NULL, "mapping",
     "on the LB: the devices the daemon keeps the data plane on, and its load-time settings",
     ef_cfg_dataplane_keys},
    {NULL},
};

/* A document of nothing but "---" holds an empty (null) scalar. */
static bool is_null(struct fy_event *ev)
{
	char c[1];

	return ev->type == FYET_SCALAR && !ef_yaml_scalar(ev, c, sizeof(c));
}

/* The one document of the stream, read with the top-level keys. */
static int parse_stream(struct ef_cfg_parse *p)
{
	struct fy_event *ev = ef_yaml_next(&p->y);
	struct ef_pos pos;
	int err;

	ef_yaml_free(&p->y, ev); /* stream start */
	ev = ef_yaml_next(&p->y);
	if (ev && ev->type == FYET_DOCUMENT_START) {
		ef_yaml_free(&p->y, ev);
		ev = ef_yaml_next(&p->y);
	}
	if (!ev || ev->type == FYET_STREAM_END || ev->type == FYET_DOCUMENT_END || is_null(ev)) {
		ef_yaml_free(&p->y, ev);
		return p->y.broken
			   ? -EINVAL
			   : ef_yaml_err(&p->y, (struct ef_pos){0, 0},
					 "empty configuration (it needs 'vips:', or 'decap:' "
					 "on a backend)");
	}
	pos = ef_yaml_pos(ev);
	err = ef_cfg_mapping(p, ev, ef_cfg_top_keys, "configuration", p);
	if (err == -ENOMEM || p->y.broken)
		return err ? err : -EINVAL;
	if (!err && p->cfg->dataplane.on && !p->cfg->has_vips)
		err = ef_yaml_err(&p->y, pos,
				  "configuration: 'dataplane:' without 'vips:' (use 'vips: []' "
				  "for none)");
	if (!err && !p->cfg->has_vips && !p->cfg->decap.on)
		err = ef_yaml_err(&p->y, pos,
				  "configuration: missing key 'vips' (use 'vips: []' for none; a "
				  "backend's file may hold 'decap:' alone)");
	ev = ef_yaml_next(&p->y); /* document end */
	ef_yaml_free(&p->y, ev);
	ev = ef_yaml_next(&p->y);
	if (ev && ev->type == FYET_DOCUMENT_START) {
		pos = ef_yaml_pos(ev);
		ef_yaml_free(&p->y, ev);
		return ef_yaml_err(&p->y, pos,
				   "a second document ('---'): a file holds one configuration");
	}
	ef_yaml_free(&p->y, ev);
	return p->y.broken ? -EINVAL : err;
}

/* ---- Entry points ---- */

static void parse_free(struct ef_cfg_parse *p)
{
	for (size_t i = 0; p->be_hc && i < p->cfg->conf.n_vips; i++)
		free(p->be_hc[i]);
	free(p->be_hc);
	free(p->vip_hc);
	ef_yaml_close(&p->y);
}

void ef_config_free(struct ef_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->conf.n_vips; i++) {
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
	ef_safety_default(&cfg->limits);
	cfg->imbalance.window_s = 10.0;
	cfg->imbalance.factor = 2.0;
	cfg->imbalance.tolerance = 0.20;
	cfg->imbalance.min_flows = 100;
}

/* Backends with a health check: what the daemon checks. */
static size_t count_checked(const struct ef_config *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->conf.n_vips; i++)
		for (size_t j = 0; j < cfg->conf.vips[i].n_backends; j++)
			n += cfg->vx[i].hc[j].type != EF_HC_NONE &&
			     cfg->conf.vips[i].backends[j].admin != EF_BE_DOWN;
	return n;
}

int ef_config_parse(const char *name, const char *buf, size_t len, struct ef_config *cfg,
		    struct ef_config_errors *errs)
{
	struct ef_cfg_parse p = {.cfg = cfg};
	const char *why = NULL;
	int err, line, col;

	memset(errs, 0, sizeof(*errs));
	config_init(cfg);
	if (!text_ok((const unsigned char *)buf, len, &line, &col, &why)) {
		ef_config_add_error(errs, "%s:%d:%d: %s", name, line, col, why);
		return -EINVAL;
	}
	cfg->file = strdup(name);
	if (!cfg->file || ef_yaml_open(&p.y, name, buf, len, errs))
		err = -ENOMEM;
	else
		err = parse_stream(&p);
	if (!err)
		err = resolve_health(&p);
	if (!err)
		err = ef_cfg_cluster_finish(&p);
	for (size_t i = 0; !err && i < cfg->conf.n_vips; i++)
		if (check_vip(&p, i))
			err = -EINVAL;
	parse_free(&p);
	if (!err)
		cfg->n_checked = count_checked(cfg);
	if (err) {
		ef_config_free(cfg);
		if (err == -EINVAL && !errs->n)
			ef_config_add_error(errs, "%s: invalid configuration", name);
	}
	return err;
}

/* Reads the regular file at path whole into *buf (at most
 * EF_CONFIG_MAX_BYTES): a FIFO, a device or a directory is refused before
 * it is read, so reading never blocks. */
static int read_file(const char *path, char **buf, size_t *len, struct ef_config_errors *errs)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), err = 0;
	struct stat st;
	ssize_t got;

	*buf = NULL;
	*len = 0;
	if (fd < 0) {
		err = -errno;
		ef_config_add_error(errs, "%s: cannot read: %s", path, strerror(errno));
		return err;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		err = -EINVAL;
		ef_config_add_error(errs, "%s: not a regular file", path);
	} else if (st.st_size > EF_CONFIG_MAX_BYTES) {
		err = -EFBIG;
		ef_config_add_error(errs, "%s: larger than %d bytes", path, EF_CONFIG_MAX_BYTES);
	} else if (!(*buf = malloc((size_t)st.st_size + 1))) {
		err = -ENOMEM;
	}
	while (!err && *len < (size_t)st.st_size) {
		got = read(fd, *buf + *len, (size_t)st.st_size - *len);
		if (got <= 0) {
			err = got ? -errno : -EIO;
			ef_config_add_error(errs, "%s: cannot read: %s", path, strerror(-err));
			break;
		}
		*len += (size_t)got;
	}
	close(fd);
	if (err) {
		free(*buf);
		*buf = NULL;
	}
	return err;
}

int ef_config_load(const char *path, struct ef_config *cfg, struct ef_config_errors *errs)
{
	size_t len;
	char *buf;
	int err;

	memset(errs, 0, sizeof(*errs));
	config_init(cfg);
	err = read_file(path, &buf, &len, errs);
	if (!err)
		err = ef_config_parse(path, buf, len, cfg, errs);
	free(buf);
	return err;
}
