/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * config_schema.h: the configuration file's keys, declared as tables (in
 * the spirit of keepalived's keyword tables): one row per key with the
 * function that parses its value, the field it fills, its range and its
 * documentation. The tables also make the "known: ..." list of an unknown
 * key's error and the schema the README and evenflow.yaml(5) show.
 *
 * Internal to the configuration parser (core/config*.c) and the schema's
 * printer.
 */
#ifndef EF_CONFIG_SCHEMA_H
#define EF_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/model.h"
#include "core/yaml.h"
#include "util/addr.h"

/* Fields of a health check a level of the file sets (HC_* bits: the rows
 * of ef_cfg_health_keys, in order). */
enum {
	HC_TYPE = 1 << 0,
	HC_PORT = 1 << 1,
	HC_PATH = 1 << 2,
	HC_EXPECT = 1 << 3,
	HC_INTERVAL = 1 << 4,
	HC_TIMEOUT = 1 << 5,
	HC_RISE = 1 << 6,
	HC_FALL = 1 << 7,
};

/* A health check as one level (the file, a VIP, a backend) writes it:
 * the fields it sets, laid over the level above (config.c). */
struct ef_hc_part {
	struct ef_hc hc;
	unsigned set;	   /* HC_* */
	struct ef_pos pos; /* of its value; line 0: the level has none */
};

/* One VIP while its mapping is read (its entries in the configuration are
 * at index). */
struct ef_vip_in {
	size_t index;
	size_t be_cap; /* room for backends */
	struct ef_hc_part hc;
	struct ef_addr addr;
	__u8 family;
	__u32 port;
	int proto, forward, echo;
};

/* One backend while its mapping is read. */
struct ef_backend_in {
	struct ef_conf_backend be; /* address and family */
	struct ef_pos pos;	   /* of its address */
	struct ef_hc_part hc;
	__u32 weight;
	int state;
};

/* The state of one parse. */
struct ef_cfg_parse {
	struct ef_yaml y;
	struct ef_config *cfg;
	struct ef_hc_part top_hc;
	struct ef_hc_part **be_hc; /* per VIP of cfg, per backend */
	struct ef_hc_part *vip_hc; /* per VIP of cfg */
	size_t cap_vips;
	size_t n_backends; /* in all VIPs */
};

struct ef_cfg_key;
/* Parses the value ev starts (consuming it whole, and freeing ev) into
 * obj; where names the mapping ("vip"). 0 or -EINVAL (error recorded) or
 * -ENOMEM. */
typedef int (*ef_cfg_parse_fn)(struct ef_cfg_parse *p, struct fy_event *ev,
			       const struct ef_cfg_key *k, const char *where, void *obj);

/* Names for a choice and what they stand for. */
struct ef_cfg_choices {
	const char *noun; /* "state": "unknown state 'x' (up, down or drain)" */
	struct {
		const char *name;
		int value;
	} list[4];
};

struct ef_cfg_key {
	const char *name;
	ef_cfg_parse_fn parse;
	size_t field; /* offsetof in the mapping's object */
	double min, max;
	const void *arg;     /* a sub-table (ef_cfg_key[]) or ef_cfg_choices */
	const char *missing; /* required: the hint after "missing key 'name'" */
	const char *type;    /* the value, as the schema shows it */
	const char *help;
	/* The keys of the mapping this value is (or of each mapping of its
	 * list), which evenflow.yaml(5) and the README's schema list under
	 * it; the parsers of the sections read them from here. NULL for a
	 * plain value. */
	const struct ef_cfg_key *keys;
};

/* The tables of the sections (NULL-name terminated); the top level's is
 * in config_file.c, the VIPs' and backends' in config_vips.c, announce's
 * and siblings' in config_cluster.c, decap's in config_devices.c. */
extern const struct ef_cfg_key ef_cfg_top_keys[];
extern const struct ef_cfg_key ef_cfg_health_keys[];
extern const struct ef_cfg_key ef_cfg_metrics_keys[];
extern const struct ef_cfg_key ef_cfg_imbalance_keys[];
extern const struct ef_cfg_key ef_cfg_apply_keys[];

/* Value parsers the rows name (each an ef_cfg_parse_fn). ef_cfg_u32 and
 * ef_cfg_ms store a __u32 (ms: "500ms", "2s" or seconds), ef_cfg_number a
 * double (a percentage too when the row's arg is set), ef_cfg_choice an
 * int (arg: struct ef_cfg_choices), ef_cfg_parse_health a struct
 * ef_hc_part ("none" or a mapping of ef_cfg_health_keys). */
int ef_cfg_parse_u32(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
		     const char *where, void *obj);
int ef_cfg_parse_ms(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
		    const char *where, void *obj);
int ef_cfg_parse_number(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			const char *where, void *obj);
int ef_cfg_parse_choice(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			const char *where, void *obj);
int ef_cfg_parse_health(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			const char *where, void *obj);

/* ev must be a scalar: its text into buf, else an error naming what (ev
 * is consumed either way). */
int ef_cfg_scalar(struct ef_cfg_parse *p, struct fy_event *ev, const char *what, char *buf,
		  size_t len);
/* ev must start a collection (start: FYET_MAPPING_START or
 * FYET_SEQUENCE_START); else an error naming what, and ev is consumed. */
bool ef_cfg_is_start(struct ef_cfg_parse *p, struct fy_event *ev, enum fy_event_type start,
		     const char *what);
/* A VIP's or backend's address (use) scalar, refused when it can never be
 * one: *pos is where it is written; errors "vip address 'x': why". */
int ef_cfg_parse_addr(struct ef_cfg_parse *p, struct fy_event *ev, enum ef_addr_use use,
		      struct ef_addr *addr, __u8 *family, struct ef_pos *pos);

/* Reads the sequence ev starts (what names it in errors), calling item for
 * each entry's first event (item consumes the entry whole): 0, the last
 * error of an item (the others go on), or -ENOMEM at once. */
typedef int (*ef_cfg_item_fn)(struct ef_cfg_parse *p, struct fy_event *ev, void *ctx);
int ef_cfg_each(struct ef_cfg_parse *p, struct fy_event *ev, const char *what, ef_cfg_item_fn item,
		void *ctx);

/* Reads the mapping ev starts with the keys of table into obj (where
 * names it in errors); *seen_out: the rows given, bit i for row i. */
int ef_cfg_mapping(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *table,
		   const char *where, void *obj);
int ef_cfg_mapping_seen(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *table,
			const char *where, void *obj, unsigned *seen_out);

/* The health-check fields a level has not set, from the level above. */
void ef_hc_inherit(struct ef_hc_part *part, const struct ef_hc_part *above);

#endif /* EF_CONFIG_SCHEMA_H */
