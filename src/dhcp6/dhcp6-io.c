/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of dhcp6-io.h: one UDP socket per bridge. */
#include "dhcp6/dhcp6-io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dhcp6/dhcp6-proto.h"
#include "dhcp6/dhcp6-server.h"

struct dhcp6_io {
	int fd;
	int ifindex;
};

int dhcp6_io_open(const char *ifname, int ifindex, struct dhcp6_io **ret)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(DHCP6_SERVER_PORT) };
	struct ipv6_mreq mreq = { .ipv6mr_interface = (unsigned)ifindex };
	struct dhcp6_io *d;
	int fd, one = 1, hops = 255;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	(void)inet_pton(AF_INET6, DHCP6_ALL_SERVERS, &mreq.ipv6mr_multiaddr);
	/* SO_REUSEADDR: every bridge has its own socket on port 547, told apart by the device */
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	d->fd = fd;
	d->ifindex = ifindex;
	*ret = d;
	return 0;
}

struct dhcp6_io *dhcp6_io_free(struct dhcp6_io *d)
{
	if (!d)
		return NULL;
	if (d->fd >= 0)
		close(d->fd);
	free(d);
	return NULL;
}

int dhcp6_io_fd(const struct dhcp6_io *d)
{
	return d->fd;
}

int dhcp6_io_ifindex(const struct dhcp6_io *d)
{
	return d->ifindex;
}

int dhcp6_io_recv(struct dhcp6_io *d, uint8_t *buf, size_t size, struct dhcp6_rx *rx)
{
	struct sockaddr_in6 from;
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = {
		.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	bool have_info = false;
	ssize_t n;

	n = recvmsg(d->fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	memset(rx, 0, sizeof(*rx));
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		struct in6_pktinfo pi;

		if (c->cmsg_level != IPPROTO_IPV6 || c->cmsg_type != IPV6_PKTINFO)
			continue;
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		if ((int)pi.ipi6_ifindex != d->ifindex)
			return -EXDEV;
		rx->multicast = IN6_IS_ADDR_MULTICAST(&pi.ipi6_addr);
		have_info = true;
	}
	if (!have_info || (msg.msg_flags & MSG_TRUNC))
		return -EBADMSG;
	rx->src = from.sin6_addr;
	rx->src_port = ntohs(from.sin6_port);
	return (int)n;
}

int dhcp6_io_send(struct dhcp6_io *d, const struct dhcp6_reply *reply)
{
	struct sockaddr_in6 to = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(reply->dest_port),
		.sin6_addr = reply->dest,
		.sin6_scope_id = (uint32_t)d->ifindex,
	};

	if (sendto(d->fd, reply->buf, reply->len, MSG_DONTWAIT, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		return -errno;
	return 0;
}
