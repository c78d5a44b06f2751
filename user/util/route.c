// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* route.c: what the kernel's routing says about a backend; see route.h. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/log.h"
#include "util/route.h"

int ef_route_src(const struct ef_addr *addr, __u8 family, bool poke, struct ef_addr *src)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int fd, err = 0;

	memset(src, 0, sizeof(*src));
	if (family == EF_FAMILY_V6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(9); /* discard */
		memcpy(&s6->sin6_addr, addr->a8, 16);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(9);
		s4->sin_addr.s_addr = addr->a32[0];
		len = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, len)) {
		err = -errno;
		goto out;
	}
	/* One byte to the discard port makes the kernel resolve the neighbour
	 * (ARP/ND) now, so the first packets of the data plane find it. */
	if (poke && send(fd, "", 1, MSG_DONTWAIT) < 0)
		pr_debug("neighbour poke failed: %s", strerror(errno));
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len)) {
		err = -errno;
		goto out;
	}
	if (family == EF_FAMILY_V6)
		memcpy(src->a8, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	else
		src->a32[0] = ((struct sockaddr_in *)&ss)->sin_addr.s_addr;
out:
	close(fd);
	return err;
}
