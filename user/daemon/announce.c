// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* announce.c: the announcement table through rtnetlink (libmnl); see announce.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "util/addr.h"
#include "daemon/announce.h"
#include "util/log.h"

/* Receive buffer: the kernel fills a dump's messages up to the largest
 * buffer the socket has read with, and never past 32 KiB. */
#define NL_BUF_SIZE 32768

/* A dump interrupted by a concurrent change is started again this often. */
#define DUMP_TRIES 5

struct ef_announce {
	struct mnl_socket *nl;
	__u32 portid;
	__u32 seq;
	__u32 table;
	__u8 proto;
	char ext_msg[256]; /* the kernel's own text for the last error, if any */
	char buf[NL_BUF_SIZE] __attribute__((aligned(8))); /* netlink messages */
};

/* A route of the table as a dump shows it. */
struct route {
	struct ef_announce_addr a;
	__u8 dst_len;
	__u8 type;  /* RTN_* */
	__u8 proto; /* RTPROT_* or a number */
};

struct routes {
	struct route *r;
	size_t n, cap;
};

/* One request and its answer: the handle, and where a dump's routes go. */
struct talk {
	struct ef_announce *a;
	struct routes *out;
	int err; /* an error found in a callback (negative errno) */
};

static __u8 full_len(__u8 family)
{
	return family == EF_FAMILY_V6 ? 128 : 32;
}

static int af_of(__u8 family)
{
	return family == EF_FAMILY_V6 ? AF_INET6 : AF_INET;
}

static int nl_open(struct ef_announce *a)
{
	int one = 1, err;

	a->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!a->nl)
		return ef_err(-errno, "cannot open a netlink socket: %s", strerror(errno));
	if (mnl_socket_bind(a->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(a->nl);
		a->nl = NULL;
		return ef_err(err, "cannot bind a netlink socket: %s", strerror(-err));
	}
	/* The kernel's reason with an error, acks without the echoed request,
	 * and dumps filtered by table in the kernel. Each only makes a message
	 * better or a dump smaller: routes are filtered here too. */
	mnl_socket_setsockopt(a->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(a->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(a->nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	a->portid = mnl_socket_get_portid(a->nl);
	return 0;
}

static int ext_attr_cb(const struct nlattr *attr, void *data)
{
	struct ef_announce *a = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(a->ext_msg, sizeof(a->ext_msg), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* NLMSG_ERROR: the ack (error 0) or the request's error, with the kernel's
 * text when it sent one (NETLINK_CAP_ACK: only the header is echoed, so the
 * attributes follow struct nlmsgerr). */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct talk *t = data;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		t->err = -EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return MNL_CB_STOP;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && (nlh->nlmsg_flags & NLM_F_CAPPED))
		mnl_attr_parse(nlh, sizeof(*e), ext_attr_cb, t->a);
	t->err = e->error;
	return MNL_CB_ERROR;
}

/* Sends nlh and reads its answer to the end; data messages go to cb (may be
 * NULL). 0 or a negative errno. After a failure the socket may still hold
 * the rest of an answer, so it is replaced by a fresh one. */
static int nl_talk(struct talk *t, struct nlmsghdr *nlh, mnl_cb_t cb)
{
	/* control messages past NLMSG_ERROR (DONE, OVERRUN) take libmnl's own */
	mnl_cb_t ctl[NLMSG_ERROR + 1] = {[NLMSG_ERROR] = error_cb};
	struct ef_announce *a = t->a;
	ssize_t len;
	int ret;

	if (!a->nl && nl_open(a))
		return -ENOTCONN;
	a->ext_msg[0] = '\0';
	t->err = 0;
	nlh->nlmsg_pid = 0;
	nlh->nlmsg_seq = ++a->seq;
	if (mnl_socket_sendto(a->nl, nlh, nlh->nlmsg_len) < 0) {
		t->err = -errno;
		goto fail;
	}
	do {
		len = mnl_socket_recvfrom(a->nl, a->buf, sizeof(a->buf));
		if (len < 0) {
			t->err = -errno;
			goto fail;
		}
		errno = 0;
		ret = mnl_cb_run2(a->buf, (size_t)len, a->seq, a->portid, cb, t, ctl,
				  NLMSG_ERROR + 1);
	} while (ret > MNL_CB_STOP);
	if (ret == MNL_CB_STOP)
		return 0;
	if (!t->err)
		t->err = errno ? -errno : -EIO; /* EINTR: a dump interrupted */
fail:
	mnl_socket_close(a->nl);
	a->nl = NULL;
	return t->err;
}

static int routes_push(struct routes *rs, const struct route *r)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 16;
		struct route *p = realloc(rs->r, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		rs->r = p;
		rs->cap = cap;
	}
	rs->r[rs->n++] = *r;
	return 0;
}

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type == RTA_DST || type == RTA_TABLE)
		tb[type] = attr;
	return MNL_CB_OK;
}

/* One route of a dump: kept if it is in the handle's table. */
static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1] = {};
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct talk *t = data;
	struct route r = {};
	__u32 table;
	size_t len;

	if (nlh->nlmsg_type != RTM_NEWROUTE || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)))
		return MNL_CB_OK;
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, tb);
	table = rtm->rtm_table;
	if (tb[RTA_TABLE] && mnl_attr_get_payload_len(tb[RTA_TABLE]) == sizeof(__u32))
		table = mnl_attr_get_u32(tb[RTA_TABLE]);
	if (table != t->a->table)
		return MNL_CB_OK;
	r.a.family = rtm->rtm_family == AF_INET6 ? EF_FAMILY_V6 : EF_FAMILY_V4;
	r.dst_len = rtm->rtm_dst_len;
	r.type = rtm->rtm_type;
	r.proto = rtm->rtm_protocol;
	if (tb[RTA_DST]) {
		len = mnl_attr_get_payload_len(tb[RTA_DST]);
		if (len != (r.a.family == EF_FAMILY_V6 ? 16u : 4u))
			return MNL_CB_OK;
		memcpy(r.a.addr.a8, mnl_attr_get_payload(tb[RTA_DST]), len);
	}
	t->err = routes_push(t->out, &r);
	return t->err ? MNL_CB_ERROR : MNL_CB_OK;
}

/* Every IPv4 and IPv6 route of the handle's table, whatever its protocol. */
static int dump_table(struct ef_announce *a, struct routes *out)
{
	struct talk t = {.a = a, .out = out};
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int err = 0, tries;

	for (tries = 0; tries < DUMP_TRIES; tries++) {
		out->n = 0;
		nlh = mnl_nlmsg_put_header(a->buf);
		nlh->nlmsg_type = RTM_GETROUTE;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = AF_UNSPEC;
		mnl_attr_put_u32(nlh, RTA_TABLE, a->table);
		err = nl_talk(&t, nlh, route_cb);
		if (err != -EINTR)
			break;
	}
	if (err)
		return ef_err(err, "cannot read routing table %u: %s%s%s", a->table, strerror(-err),
			      a->ext_msg[0] ? ": " : "", a->ext_msg);
	return 0;
}

static int cmp_addr(const void *x, const void *y)
{
	const struct ef_announce_addr *p = x, *q = y;

	return ef_addr_cmp(&p->addr, p->family, &q->addr, q->family);
}

static bool ours(const struct ef_announce *a, const struct route *r)
{
	return r->proto == a->proto;
}

/* A route of ours that is what we add: a blackhole host route. */
static bool ours_as_added(const struct ef_announce *a, const struct route *r)
{
	return ours(a, r) && r->type == RTN_BLACKHOLE && r->dst_len == full_len(r->a.family);
}

/* Adds (RTM_NEWROUTE) or deletes (RTM_DELROUTE) one route of ours. */
static int change_route(struct ef_announce *a, int cmd, const struct route *r)
{
	struct talk t = {.a = a};
	char text[EF_ADDR_STRLEN];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int err;

	nlh = mnl_nlmsg_put_header(a->buf);
	nlh->nlmsg_type = cmd;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (cmd == RTM_NEWROUTE)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = af_of(r->a.family);
	rtm->rtm_dst_len = r->dst_len;
	rtm->rtm_table = a->table < 256 ? a->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = a->proto;
	rtm->rtm_type = r->type;
	/* a delete matches any scope; an add is global, like `ip route add blackhole` */
	rtm->rtm_scope = cmd == RTM_NEWROUTE ? RT_SCOPE_UNIVERSE : RT_SCOPE_NOWHERE;
	mnl_attr_put(nlh, RTA_DST, r->a.family == EF_FAMILY_V6 ? 16 : 4, r->a.addr.a8);
	mnl_attr_put_u32(nlh, RTA_TABLE, a->table);
	err = nl_talk(&t, nlh, NULL);
	if (err)
		return ef_err(err, "cannot %s %s/%u in routing table %u: %s%s%s",
			      cmd == RTM_NEWROUTE ? "add" : "delete",
			      ef_addr_str(&r->a.addr, r->a.family, text, sizeof(text)), r->dst_len,
			      a->table, strerror(-err), a->ext_msg[0] ? ": " : "", a->ext_msg);
	return 0;
}

int ef_announce_open(__u32 table, __u8 proto, struct ef_announce **out)
{
	struct ef_announce *a;
	int err;

	*out = NULL;
	if (table == RT_TABLE_UNSPEC || table == RT_TABLE_DEFAULT || table == RT_TABLE_MAIN ||
	    table == RT_TABLE_LOCAL)
		return ef_err(-EINVAL,
			      "routing table %u is reserved (0, 253, 254, 255): choose another",
			      table);
	if (proto <= RTPROT_KERNEL)
		return ef_err(-EINVAL,
			      "route protocol %u is reserved for the kernel (0-2): choose another",
			      proto);
	a = calloc(1, sizeof(*a));
	if (!a)
		return ef_err(-ENOMEM, "out of memory");
	a->table = table;
	a->proto = proto;
	err = nl_open(a);
	if (err) {
		free(a);
		return err;
	}
	*out = a;
	return 0;
}

void ef_announce_close(struct ef_announce *a)
{
	if (!a)
		return;
	if (a->nl)
		mnl_socket_close(a->nl);
	free(a);
}

int ef_announce_read(struct ef_announce *a, struct ef_announce_addr **out, size_t *n)
{
	struct ef_announce_addr *v;
	struct routes rs = {};
	size_t i, k = 0;
	int err;

	*out = NULL;
	*n = 0;
	err = dump_table(a, &rs);
	if (err)
		goto out;
	v = malloc((rs.n ? rs.n : 1) * sizeof(*v));
	if (!v) {
		err = ef_err(-ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < rs.n; i++)
		if (ours_as_added(a, &rs.r[i]))
			v[k++] = rs.r[i].a;
	qsort(v, k, sizeof(*v), cmp_addr);
	*out = v;
	*n = k;
out:
	free(rs.r);
	return err;
}

/* The wanted addresses, checked, sorted and without duplicates. */
static int wanted_set(const struct ef_announce_addr *addrs, size_t n, struct ef_announce_addr **out,
		      size_t *nout)
{
	struct ef_announce_addr *w;
	size_t i, k = 0;

	*out = NULL;
	*nout = 0;
	for (i = 0; i < n; i++)
		if (addrs[i].family != EF_FAMILY_V4 && addrs[i].family != EF_FAMILY_V6)
			return ef_err(-EINVAL, "cannot announce an address of family %u",
				      addrs[i].family);
	if (!n)
		return 0;
	w = malloc(n * sizeof(*w));
	if (!w)
		return ef_err(-ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		w[i] = addrs[i];
		if (w[i].family == EF_FAMILY_V4) /* only the first word is the address */
			memset(&w[i].addr.a32[1], 0, 3 * sizeof(__u32));
	}
	qsort(w, n, sizeof(*w), cmp_addr);
	for (i = 0; i < n; i++)
		if (!k || cmp_addr(&w[k - 1], &w[i]))
			w[k++] = w[i];
	*out = w;
	*nout = k;
	return 0;
}

static bool in_set(const struct ef_announce_addr *set, size_t n, const struct ef_announce_addr *x)
{
	return n && bsearch(x, set, n, sizeof(*set), cmp_addr);
}

int ef_announce_set(struct ef_announce *a, const struct ef_announce_addr *addrs, size_t n,
		    struct ef_announce_change *chg)
{
	struct ef_announce_change local = {};
	struct ef_announce_addr *want = NULL, *have = NULL;
	struct routes rs = {};
	size_t nwant, nhave = 0, i;
	char text[EF_ADDR_STRLEN];
	int err;

	if (!chg)
		chg = &local;
	*chg = (struct ef_announce_change){};
	err = wanted_set(addrs, n, &want, &nwant);
	if (err)
		return err;
	err = dump_table(a, &rs);
	if (err)
		goto out;

	/* Someone else's host route to a wanted address: refuse before any change. */
	for (i = 0; i < rs.n; i++) {
		const struct route *r = &rs.r[i];

		if (ours(a, r) || r->dst_len != full_len(r->a.family) ||
		    !in_set(want, nwant, &r->a))
			continue;
		err =
		    ef_err(-EEXIST,
			   "routing table %u already routes %s/%u with protocol %u, not evenflow's "
			   "%u: remove that route or choose another table",
			   a->table, ef_addr_str(&r->a.addr, r->a.family, text, sizeof(text)),
			   r->dst_len, r->proto, a->proto);
		goto out;
	}

	/* Ours that should not be there (not wanted, or not of the shape we add). */
	have = malloc((rs.n ? rs.n : 1) * sizeof(*have));
	if (!have) {
		err = ef_err(-ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < rs.n; i++) {
		const struct route *r = &rs.r[i];

		if (!ours(a, r))
			continue;
		if (ours_as_added(a, r) && in_set(want, nwant, &r->a)) {
			have[nhave++] = r->a;
			continue;
		}
		err = change_route(a, RTM_DELROUTE, r);
		if (err)
			goto out;
		chg->removed++;
	}
	qsort(have, nhave, sizeof(*have), cmp_addr);

	/* Wanted and missing. */
	for (i = 0; i < nwant; i++) {
		struct route r = {.a = want[i], .type = RTN_BLACKHOLE};

		if (in_set(have, nhave, &want[i]))
			continue;
		r.dst_len = full_len(r.a.family);
		err = change_route(a, RTM_NEWROUTE, &r);
		if (err)
			goto out;
		chg->added++;
	}
out:
	free(have);
	free(rs.r);
	free(want);
	return err;
}

int ef_announce_withdraw_all(struct ef_announce *a, struct ef_announce_change *chg)
{
	return ef_announce_set(a, NULL, 0, chg);
}
