/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sibling.h: what a sibling load balancer's /metrics page says about the
 * configuration it runs, and how that compares with ours VIP by VIP.
 *
 * The page is the Prometheus text exposition (core/metrics.h), read line by
 * line as it arrives (a page with thousands of backends is megabytes; only
 * a few lines matter):
 *   evenflow_vip_fingerprint_info{vip="10.0.0.10:80/tcp",fingerprint="<16 hex>"} 1
 *   evenflow_build_info{version="...",flow_hash_version="3"} 1
 *   evenflow_dataplane_loaded 0|1
 *   evenflow_address_announced{address="10.0.0.10"} 0|1   (its daemon's)
 * Labels may come in any order and hold Prometheus escapes; every other
 * line is skipped. Pure: no I/O.
 */
#ifndef EF_SIBLING_H
#define EF_SIBLING_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"
#include "evenflow.h"

/* One VIP of the page. */
struct ef_sib_vip {
	struct ef_vip_key key;
	__u64 fp;
};

/* An address the sibling's daemon announces. */
struct ef_sib_addr {
	struct ef_addr addr;
	__u8 family;
};

/* What the page said so far. */
struct ef_sib_page {
	struct ef_sib_vip *vips; /* in page order until ef_sib_page_done sorts them */
	size_t n_vips, cap;
	struct ef_sib_addr *announced; /* evenflow_address_announced ... 1 */
	size_t n_announced, cap_announced;
	bool loaded_seen, loaded; /* evenflow_dataplane_loaded */
	bool build_seen;	  /* evenflow_build_info */
	unsigned flow_hash_version;
	char version[32]; /* the release */
};

void ef_sib_page_init(struct ef_sib_page *pg);
void ef_sib_page_free(struct ef_sib_page *pg);

/* One line (without its newline). 0; -EINVAL with *why when a line this
 * reads is malformed (the page cannot be trusted); -ENOMEM. */
int ef_sib_page_line(struct ef_sib_page *pg, const char *line, size_t len, const char **why);
/* Every line of text[0..len-1]. */
int ef_sib_page_parse(struct ef_sib_page *pg, const char *text, size_t len, const char **why);
/* After the last line: -EPROTO with *why when it is no evenflow page (no
 * evenflow_dataplane_loaded line) or lists a VIP twice; sorts the VIPs. */
int ef_sib_page_done(struct ef_sib_page *pg, const char **why);

enum ef_sib_diff {
	EF_SIB_SAME,	   /* equal fingerprints */
	EF_SIB_DIFFERS,	   /* both run it, with different fingerprints */
	EF_SIB_ONLY_HERE,  /* the sibling does not run it */
	EF_SIB_ONLY_THERE, /* only the sibling runs it */
};

/* One VIP compared. */
struct ef_sib_cmp {
	struct ef_vip_key key;
	enum ef_sib_diff diff;
	__u64 here, there; /* fingerprints (0 where it does not run) */
};

/* Every VIP of here (the running configuration, sorted as ef_conf_read
 * returns it) and of a done page, compared: *out (malloc'd, sorted by VIP,
 * one entry per VIP of either side), *n entries. 0 or -ENOMEM. */
int ef_sib_compare(const struct ef_conf *here, const struct ef_sib_page *there,
		   struct ef_sib_cmp **out, size_t *n);

/* Whether the page's daemon announces addr. */
bool ef_sib_announces(const struct ef_sib_page *pg, const struct ef_addr *addr, __u8 family);

/* "differs", "missing there", "only there" (same: "agrees"). */
const char *ef_sib_diff_str(enum ef_sib_diff d);

#endif /* EF_SIBLING_H */
