// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* nexthop.c: route and neighbour lookups over rtnetlink; see nexthop.h. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "daemon/nexthop.h"
#include "util/log.h"

struct reply {
	int type; /* RTM_NEWROUTE or RTM_NEWNEIGH expected */
	struct ef_route_via *nh;
	int af;
	bool found;
	bool unicast;
};

static int route_attr(const struct nlattr *a, void *data)
{
	struct reply *r = data;
	size_t len = r->af == AF_INET ? 4 : 16;

	if (mnl_attr_get_type(a) == RTA_OIF && !mnl_attr_validate(a, MNL_TYPE_U32))
		r->nh->ifindex = (int)mnl_attr_get_u32(a);
	else if (mnl_attr_get_type(a) == RTA_GATEWAY && mnl_attr_get_payload_len(a) == len) {
		memcpy(r->nh->via.a8, mnl_attr_get_payload(a), len);
		r->nh->gateway = true;
	}
	return MNL_CB_OK;
}

static int on_reply(const struct nlmsghdr *h, void *data)
{
	struct reply *r = data;

	if (h->nlmsg_type != r->type)
		return MNL_CB_OK;
	r->found = true;
	if (r->type == RTM_NEWROUTE) {
		const struct rtmsg *rt = mnl_nlmsg_get_payload(h);

		r->unicast = rt->rtm_type == RTN_UNICAST || rt->rtm_type == RTN_LOCAL;
		return mnl_attr_parse(h, sizeof(*rt), route_attr, r);
	}
	r->nh->nud = ((const struct ndmsg *)mnl_nlmsg_get_payload(h))->ndm_state;
	return MNL_CB_OK;
}

/* Sends the request h and reads its answer into r: 0, -ENOENT when the
 * kernel has no such object, another negative errno. */
static int ask(struct mnl_socket *nl, struct nlmsghdr *h, struct reply *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;
	int ret;

	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = (unsigned)time(NULL);
	if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, h->nlmsg_seq, mnl_socket_get_portid(nl), on_reply,
				 r);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

int ef_nexthop_get(const struct ef_addr *addr, __u8 family, struct ef_route_via *nh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int af = family == EF_FAMILY_V4 ? AF_INET : AF_INET6;
	size_t len = af == AF_INET ? 4 : 16;
	struct reply r = {.type = RTM_NEWROUTE, .nh = nh, .af = af};
	struct mnl_socket *nl;
	struct nlmsghdr *h;
	struct rtmsg *rt;
	struct ndmsg *nd;
	int err;

	memset(nh, 0, sizeof(*nh));
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = ef_err(-errno, "netlink: %s", strerror(errno));
		goto out;
	}
	h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = RTM_GETROUTE;
	rt = mnl_nlmsg_put_extra_header(h, sizeof(*rt));
	rt->rtm_family = (unsigned char)af;
	rt->rtm_dst_len = (unsigned char)(len * 8);
	mnl_attr_put(h, RTA_DST, len, addr->a8);
	err = ask(nl, h, &r);
	if (err == -ENETUNREACH || err == -EHOSTUNREACH || (!err && (!r.unicast || !nh->ifindex))) {
		err = -ENETUNREACH;
		goto out;
	}
	if (err) {
		err = ef_err(err, "netlink: route lookup: %s", strerror(-err));
		goto out;
	}
	if (!nh->gateway)
		memcpy(nh->via.a8, addr->a8, len);
	if (!if_indextoname((unsigned)nh->ifindex, nh->dev))
		snprintf(nh->dev, sizeof(nh->dev), "#%d", nh->ifindex);
	h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = RTM_GETNEIGH;
	nd = mnl_nlmsg_put_extra_header(h, sizeof(*nd));
	nd->ndm_family = (unsigned char)af;
	nd->ndm_ifindex = nh->ifindex;
	mnl_attr_put(h, NDA_DST, len, nh->via.a8);
	r = (struct reply){.type = RTM_NEWNEIGH, .nh = nh, .af = af};
	err = ask(nl, h, &r);
	if (err == -ENOENT)
		err = 0; /* no entry: nud stays 0 */
	else if (err)
		err = ef_err(err, "netlink: neighbour lookup: %s", strerror(-err));
out:
	if (nl)
		mnl_socket_close(nl);
	return err;
}

bool ef_nud_resolved(__u16 nud)
{
	return nud &
	       (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP);
}
