/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of dhcp-io.h. Replies to a client's hardware address go out on a packet socket
 * with an IPv4 + UDP header built here (RFC 791 header checksum, RFC 768 UDP checksum over the
 * pseudo-header), because the client cannot answer ARP for an address it does not have yet.
 */
#include "dhcp-io.h"

#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dhcp/dhcp-server.h"
#include "shared/alloc-util.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68

/* Linux 5.19 (asm-generic/socket.h); older headers lack it. */
#ifndef SO_RCVMARK
#define SO_RCVMARK 75
#endif

struct dhcp_io {
	int udp_fd;
	int packet_fd;
	int ifindex;
	struct in_addr server_ip;
};

static int dhcp_io_open_udp(const char *ifname)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(DHCP_SERVER_PORT) };
	_cleanup_close_ int fd = -1;
	int one = 1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	/* Several bridges each have their own port-67 socket: bind to the device first. */
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0)
		return -errno;
	/*
	 * The port's policy marks requests with the port they came in on (fw-port.h). Kernels
	 * before 5.19 have no SO_RCVMARK: every mark then reads as 0, "port unknown".
	 */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVMARK, &one, sizeof(one));
	/* Larger queues absorb bursts while a group commit is in progress. */
	int size = 4 * 1024 * 1024;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return TAKE_FD(fd);
}

static int dhcp_io_open_packet(int ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = 0, /* send only: receive nothing */
		.sll_ifindex = ifindex,
	};
	_cleanup_close_ int fd = -1;

	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -errno;
	return TAKE_FD(fd);
}

int dhcp_io_open(const char *ifname, int ifindex, struct in_addr server_ip, struct dhcp_io **ret)
{
	struct dhcp_io *d = calloc(1, sizeof(*d));
	int r;

	if (!d)
		return -ENOMEM;
	*d = (struct dhcp_io){ .udp_fd = -1, .packet_fd = -1, .ifindex = ifindex,
			       .server_ip = server_ip };
	r = dhcp_io_open_udp(ifname);
	if (r < 0)
		goto fail;
	d->udp_fd = r;
	r = dhcp_io_open_packet(ifindex);
	if (r < 0)
		goto fail;
	d->packet_fd = r;
	*ret = d;
	return 0;
fail:
	dhcp_io_free(d);
	return r;
}

struct dhcp_io *dhcp_io_free(struct dhcp_io *d)
{
	if (!d)
		return NULL;
	if (d->udp_fd >= 0)
		close(d->udp_fd);
	if (d->packet_fd >= 0)
		close(d->packet_fd);
	free(d);
	return NULL;
}

int dhcp_io_fd(const struct dhcp_io *d)
{
	return d->udp_fd;
}

int dhcp_io_ifindex(const struct dhcp_io *d)
{
	return d->ifindex;
}

int dhcp_io_recv(struct dhcp_io *d, uint8_t *buf, size_t size, struct dhcp_rx *rx)
{
	struct sockaddr_in sa;
	union {
		struct cmsghdr hdr;
		uint8_t buf[CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(uint32_t))];
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = {
		.msg_name = &sa,
		.msg_namelen = sizeof(sa),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = &control,
		.msg_controllen = sizeof(control),
	};
	ssize_t n;

	n = recvmsg(d->udp_fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	*rx = (struct dhcp_rx){ .ifindex = d->ifindex, .src = sa.sin_addr,
				.src_port = ntohs(sa.sin_port) };
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			rx->dst = pi.ipi_addr;
			if (pi.ipi_ifindex != d->ifindex)
				return -EXDEV;
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_MARK &&
			   c->cmsg_len >= CMSG_LEN(sizeof(rx->mark))) {
			memcpy(&rx->mark, CMSG_DATA(c), sizeof(rx->mark));
		}
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	return (int)n;
}

static uint32_t checksum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static uint16_t checksum_finish(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* RFC 2131 §4.1: to yiaddr at chaddr, the client not yet able to answer ARP. */
static int dhcp_io_send_hw(struct dhcp_io *d, const struct dhcp_reply *reply)
{
	struct {
		struct iphdr ip;
		struct udphdr udp;
		uint8_t payload[DHCP_REPLY_MAX];
	} __attribute__((packed)) pkt;
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = d->ifindex,
		.sll_halen = ETH_ALEN,
	};
	size_t udp_len = sizeof(struct udphdr) + reply->len;
	uint32_t sum;

	if (reply->len > sizeof(pkt.payload))
		return -EMSGSIZE;
	memcpy(sll.sll_addr, reply->dest_mac, ETH_ALEN);
	memset(&pkt, 0, sizeof(pkt.ip) + sizeof(pkt.udp));
	pkt.ip.version = 4;
	pkt.ip.ihl = 5;
	pkt.ip.tos = IPTOS_LOWDELAY;
	pkt.ip.tot_len = htons((uint16_t)(sizeof(struct iphdr) + udp_len));
	pkt.ip.ttl = 64;
	pkt.ip.protocol = IPPROTO_UDP;
	pkt.ip.saddr = d->server_ip.s_addr;
	pkt.ip.daddr = reply->dest_ip.s_addr;
	pkt.ip.check = htons(checksum_finish(checksum_add(0, &pkt.ip, sizeof(pkt.ip))));

	pkt.udp.source = htons(DHCP_SERVER_PORT);
	pkt.udp.dest = htons(reply->dest_port ? reply->dest_port : DHCP_CLIENT_PORT);
	pkt.udp.len = htons((uint16_t)udp_len);
	memcpy(pkt.payload, reply->buf, reply->len);
	/* Pseudo-header: addresses, protocol, UDP length; then header and payload. */
	sum = checksum_add(0, &pkt.ip.saddr, 8);
	sum += IPPROTO_UDP + (uint32_t)udp_len;
	sum = checksum_add(sum, &pkt.udp, udp_len);
	pkt.udp.check = htons(checksum_finish(sum));
	if (pkt.udp.check == 0)
		pkt.udp.check = 0xffff;

	if (sendto(d->packet_fd, &pkt, sizeof(struct iphdr) + udp_len, MSG_DONTWAIT,
		   (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -errno;
	return 0;
}

int dhcp_io_send(struct dhcp_io *d, const struct dhcp_reply *reply)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };

	switch (reply->dest) {
	case DHCP_DEST_UNICAST_HW:
		return dhcp_io_send_hw(d, reply);
	case DHCP_DEST_BROADCAST:
		sa.sin_addr.s_addr = htonl(INADDR_BROADCAST);
		sa.sin_port = htons(DHCP_CLIENT_PORT);
		break;
	case DHCP_DEST_UNICAST_IP:
		sa.sin_addr = reply->dest_ip;
		sa.sin_port = htons(reply->dest_port ? reply->dest_port : DHCP_CLIENT_PORT);
		break;
	case DHCP_DEST_RELAY:
		sa.sin_addr = reply->dest_ip;
		sa.sin_port = htons(reply->dest_port ? reply->dest_port : DHCP_SERVER_PORT);
		break;
	default:
		return -EINVAL;
	}
	if (sendto(d->udp_fd, reply->buf, reply->len, MSG_DONTWAIT, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	return 0;
}
