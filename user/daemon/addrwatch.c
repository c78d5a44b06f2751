// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* addrwatch.c: the host's address changes; see addrwatch.h. */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "daemon/addrwatch.h"

struct ef_addrwatch {
	struct mnl_socket *nl;
	char buf[8192]; /* one read: address messages are under 200 bytes each */
};

struct ef_addrwatch *ef_addrwatch_open(int *err)
{
	struct ef_addrwatch *w = calloc(1, sizeof(*w));

	*err = -ENOMEM;
	if (!w)
		return NULL;
	w->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!w->nl || mnl_socket_bind(w->nl, RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR,
				      MNL_SOCKET_AUTOPID) < 0) {
		*err = -errno;
		if (w->nl)
			mnl_socket_close(w->nl);
		free(w);
		return NULL;
	}
	*err = 0;
	return w;
}

int ef_addrwatch_fd(const struct ef_addrwatch *w)
{
	return mnl_socket_get_fd(w->nl);
}

static int on_message(const struct nlmsghdr *nlh, void *data)
{
	bool *changed = data;

	if (nlh->nlmsg_type == RTM_NEWADDR || nlh->nlmsg_type == RTM_DELADDR)
		*changed = true;
	return MNL_CB_OK;
}

bool ef_addrwatch_changed(struct ef_addrwatch *w)
{
	bool changed = false;
	ssize_t len;

	while ((len = mnl_socket_recvfrom(w->nl, w->buf, sizeof(w->buf))) > 0)
		mnl_cb_run(w->buf, (size_t)len, 0, 0, on_message, &changed);
	/* ENOBUFS: the kernel dropped events for us; EAGAIN: all read */
	return changed || (len < 0 && errno == ENOBUFS);
}

void ef_addrwatch_close(struct ef_addrwatch *w)
{
	if (!w)
		return;
	mnl_socket_close(w->nl);
	free(w);
}
