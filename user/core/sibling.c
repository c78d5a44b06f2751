// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sibling.c: a sibling's metrics page read and compared with the running
 * configuration; see sibling.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fingerprint.h"
#include "core/sibling.h"
#include "util/addr.h"

#define LABEL_MAX 96 /* longest label value read ("[v6]:port/proto" fits) */

void ef_sib_page_init(struct ef_sib_page *pg)
{
	memset(pg, 0, sizeof(*pg));
}

void ef_sib_page_free(struct ef_sib_page *pg)
{
	free(pg->vips);
	free(pg->announced);
	ef_sib_page_init(pg);
}

/* A label the caller wants: its value copied into val when seen. */
struct label {
	const char *name;
	char val[LABEL_MAX];
	bool seen;
};

/* One value `"..."` at *p (Prometheus escapes: \\, \", \n) into out;
 * false if it is unterminated or too long. */
static bool label_value(const char **p, const char *end, char *out)
{
	const char *s = *p;
	size_t n = 0;

	if (s >= end || *s++ != '"')
		return false;
	while (s < end && *s != '"') {
		char c = *s++;

		if (c == '\\') {
			if (s >= end)
				return false;
			c = *s == 'n' ? '\n' : *s;
			s++;
		}
		if (n + 1 >= LABEL_MAX)
			return false;
		out[n++] = c;
	}
	if (s >= end)
		return false;
	out[n] = '\0';
	*p = s + 1;
	return true;
}

/* The label set `{a="x",b="y"}` at *p (just past the name): the values of
 * the labels in want[0..n-1]; *p is left after '}'. */
static bool label_set(const char **p, const char *end, struct label *want, size_t n)
{
	const char *s = *p + 1;

	while (s < end && *s != '}') {
		const char *name = s;
		char val[LABEL_MAX];
		size_t len;

		while (s < end && *s != '=')
			s++;
		len = (size_t)(s - name);
		if (s++ >= end || !label_value(&s, end, val))
			return false;
		for (size_t i = 0; i < n; i++)
			if (strlen(want[i].name) == len && !memcmp(want[i].name, name, len)) {
				strcpy(want[i].val, val);
				want[i].seen = true;
			}
		if (s < end && *s == ',')
			s++;
	}
	if (s >= end)
		return false;
	*p = s + 1;
	return true;
}

/* A fingerprint as ef_fingerprint_str writes it: exactly 16 hex digits. */
static bool parse_fp(const char *s, __u64 *fp)
{
	char *end;

	if (strlen(s) != 16 || strspn(s, "0123456789abcdefABCDEF") != 16)
		return false;
	*fp = strtoull(s, &end, 16);
	return !*end;
}

/* Room for one more element in *arr (n used of *cap, each size bytes). */
static int grow(void *arr, size_t n, size_t *cap, size_t size)
{
	void **a = arr, *v;
	size_t c = *cap ? *cap * 2 : 16;

	if (n < *cap)
		return 0;
	v = realloc(*a, c * size);
	if (!v)
		return -ENOMEM;
	*a = v;
	*cap = c;
	return 0;
}

static int add_vip(struct ef_sib_page *pg, const struct ef_vip_key *key, __u64 fp)
{
	if (grow(&pg->vips, pg->n_vips, &pg->cap, sizeof(*pg->vips)))
		return -ENOMEM;
	pg->vips[pg->n_vips++] = (struct ef_sib_vip){.key = *key, .fp = fp};
	return 0;
}

static int vip_line(struct ef_sib_page *pg, const char *s, const char *end, const char **why)
{
	struct label l[2] = {{.name = "vip"}, {.name = "fingerprint"}};
	struct ef_vip_key key;
	const char *vwhy;
	__u64 fp;

	if (*s != '{' || !label_set(&s, end, l, 2) || !l[0].seen || !l[1].seen) {
		*why = "a fingerprint line without its vip and fingerprint labels";
		return -EINVAL;
	}
	if (ef_vip_parse(l[0].val, &key, &vwhy)) {
		*why = "a fingerprint line whose vip label is not a VIP";
		return -EINVAL;
	}
	if (!parse_fp(l[1].val, &fp)) {
		*why = "a fingerprint that is not 16 hex digits";
		return -EINVAL;
	}
	return add_vip(pg, &key, fp);
}

static int build_line(struct ef_sib_page *pg, const char *s, const char *end, const char **why)
{
	struct label l[2] = {{.name = "version"}, {.name = "flow_hash_version"}};
	char *e;

	if (*s != '{' || !label_set(&s, end, l, 2) || !l[1].seen) {
		*why = "a build_info line without its flow_hash_version label";
		return -EINVAL;
	}
	pg->flow_hash_version = (unsigned)strtoul(l[1].val, &e, 10);
	if (*e || !l[1].val[0]) {
		*why = "a flow_hash_version that is not a number";
		return -EINVAL;
	}
	pg->build_seen = true;
	snprintf(pg->version, sizeof(pg->version), "%s", l[0].val);
	return 0;
}

/* evenflow_address_announced{address="..."} 0|1: the announced ones kept. */
static int addr_line(struct ef_sib_page *pg, const char *s, const char *end, const char **why)
{
	struct label l = {.name = "address"};
	struct ef_addr a;
	const char *awhy;
	__u8 fam;

	if (*s != '{' || !label_set(&s, end, &l, 1) || !l.seen ||
	    ef_addr_parse(l.val, &a, &fam, &awhy)) {
		*why = "an evenflow_address_announced line without an address label";
		return -EINVAL;
	}
	while (s < end && *s == ' ')
		s++;
	if (s == end || (*s != '0' && *s != '1')) {
		*why = "an evenflow_address_announced line without 0 or 1";
		return -EINVAL;
	}
	if (*s == '0')
		return 0;
	if (grow(&pg->announced, pg->n_announced, &pg->cap_announced, sizeof(*pg->announced)))
		return -ENOMEM;
	pg->announced[pg->n_announced++] = (struct ef_sib_addr){.addr = a, .family = fam};
	return 0;
}

bool ef_sib_announces(const struct ef_sib_page *pg, const struct ef_addr *addr, __u8 family)
{
	for (size_t i = 0; i < pg->n_announced; i++)
		if (pg->announced[i].family == family &&
		    !memcmp(&pg->announced[i].addr, addr, sizeof(*addr)))
			return true;
	return false;
}

/* `name` then '{' or a space at s: the rest of the line after the name. */
static const char *after_name(const char *s, const char *end, const char *name)
{
	size_t n = strlen(name);

	if ((size_t)(end - s) <= n || memcmp(s, name, n) || (s[n] != '{' && s[n] != ' '))
		return NULL;
	return s + n;
}

int ef_sib_page_line(struct ef_sib_page *pg, const char *line, size_t len, const char **why)
{
	const char *end = line + len, *s;

	if ((s = after_name(line, end, "evenflow_vip_fingerprint_info")))
		return vip_line(pg, s, end, why);
	if ((s = after_name(line, end, "evenflow_build_info")))
		return build_line(pg, s, end, why);
	if ((s = after_name(line, end, "evenflow_address_announced")))
		return addr_line(pg, s, end, why);
	if ((s = after_name(line, end, "evenflow_dataplane_loaded"))) {
		while (s < end && *s == ' ')
			s++;
		if (s == end || (*s != '0' && *s != '1')) {
			*why = "an evenflow_dataplane_loaded line without 0 or 1";
			return -EINVAL;
		}
		pg->loaded_seen = true;
		pg->loaded = *s == '1';
	}
	return 0;
}

int ef_sib_page_parse(struct ef_sib_page *pg, const char *text, size_t len, const char **why)
{
	const char *s = text, *end = text + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		int err = ef_sib_page_line(pg, s, n, why);

		if (err)
			return err;
		s += n + 1;
	}
	return 0;
}

static int key_cmp(const struct ef_vip_key *a, const struct ef_vip_key *b)
{
	struct ef_conf_vip x = {.key = *a}, y = {.key = *b};

	return ef_conf_vip_cmp(&x, &y);
}

static int sib_vip_cmp(const void *a, const void *b)
{
	return key_cmp(&((const struct ef_sib_vip *)a)->key, &((const struct ef_sib_vip *)b)->key);
}

int ef_sib_page_done(struct ef_sib_page *pg, const char **why)
{
	if (!pg->loaded_seen) {
		*why = "no evenflow_dataplane_loaded line: not an evenflow metrics page";
		return -EPROTO;
	}
	if (pg->n_vips)
		qsort(pg->vips, pg->n_vips, sizeof(*pg->vips), sib_vip_cmp);
	for (size_t i = 1; i < pg->n_vips; i++)
		if (!sib_vip_cmp(&pg->vips[i - 1], &pg->vips[i])) {
			*why = "a VIP listed twice";
			return -EPROTO;
		}
	return 0;
}

int ef_sib_compare(const struct ef_conf *here, const struct ef_sib_page *there,
		   struct ef_sib_cmp **out, size_t *n)
{
	size_t i = 0, j = 0, k = 0;
	struct ef_sib_cmp *r = calloc(here->n_vips + there->n_vips + 1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	while (i < here->n_vips || j < there->n_vips) {
		const struct ef_conf_vip *h = i < here->n_vips ? &here->vips[i] : NULL;
		const struct ef_sib_vip *t = j < there->n_vips ? &there->vips[j] : NULL;
		int c = !h ? 1 : !t ? -1 : key_cmp(&h->key, &t->key);

		r[k].key = c <= 0 ? h->key : t->key;
		r[k].here = c <= 0 ? ef_fingerprint_vip(h) : 0;
		r[k].there = c >= 0 ? t->fp : 0;
		r[k].diff = c < 0		      ? EF_SIB_ONLY_HERE
			    : c > 0		      ? EF_SIB_ONLY_THERE
			    : r[k].here == r[k].there ? EF_SIB_SAME
						      : EF_SIB_DIFFERS;
		i += c <= 0;
		j += c >= 0;
		k++;
	}
	*out = r;
	*n = k;
	return 0;
}

const char *ef_sib_diff_str(enum ef_sib_diff d)
{
	switch (d) {
	case EF_SIB_SAME:
		return "agrees";
	case EF_SIB_DIFFERS:
		return "differs";
	case EF_SIB_ONLY_HERE:
		return "missing there";
	default:
		return "only there";
	}
}
