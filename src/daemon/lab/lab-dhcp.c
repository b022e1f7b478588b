/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The DHCP client of netns lab nodes (lab-dhcp.h). */
#include "daemon/lab/lab-dhcp.h"

#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/ip.h>
#include <netinet/udp.h>

#include "dhcp/dhcp-option.h"
#include "dhcp/dhcp-proto.h"
#include "event/event.h"
#include "netlink/nl-netns.h"
#include "shared/fd-util.h"
#include "shared/log.h"

#define RETRY_USEC (1000ULL * 1000ULL)
#define REQUESTS_MAX 4          /* REQUESTs before starting over with a DISCOVER */

enum client_state { C_SELECTING, C_REQUESTING, C_BOUND, C_RENEWING };

struct lab_dhcp_client {
	struct event_loop *loop;
	int fd;                         /* UDP, port 68, bound to the nic: receives */
	int pfd;                        /* AF_PACKET: sends (source 0.0.0.0 whatever the node's
					 * other nics hold, which a UDP socket would borrow) */
	int ifindex;
	struct event_source *io, *timer;
	uint8_t mac[6];
	char hostname[DHCP_HOSTNAME_MAX + 1];
	enum client_state state;
	uint32_t xid;
	unsigned tries;
	struct in_addr offered, server, requested;
	struct lab_dhcp_lease lease;    /* bound, or addr 0.0.0.0 */
	lab_dhcp_fn cb;
	void *data;
};

static uint32_t random_u32(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
		v = (uint32_t)now_usec();
	return v;
}

static int send_msg(struct lab_dhcp_client *c, uint8_t type)
{
	uint8_t pkt[sizeof(struct iphdr) + sizeof(struct udphdr) + DHCP_MIN_MESSAGE];
	uint8_t *buf = pkt + sizeof(struct iphdr) + sizeof(struct udphdr);
	struct iphdr ip = { .version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_UDP };
	struct udphdr udp = { .source = htons(DHCP_CLIENT_PORT), .dest = htons(DHCP_SERVER_PORT) };
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				  .sll_ifindex = c->ifindex, .sll_halen = 6,
				  .sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct dhcp_header h = {
		.op = DHCP_OP_BOOTREQUEST, .htype = DHCP_HTYPE_ETHER, .hlen = 6,
		.xid = htonl(c->xid), .flags = htons(DHCP_FLAG_BROADCAST),
		.magic = htonl(DHCP_MAGIC_COOKIE),
	};
	static const uint8_t prl[] = { DHCP_OPTION_SUBNET_MASK, DHCP_OPTION_ROUTER,
				       DHCP_OPTION_LEASE_TIME, DHCP_OPTION_RENEWAL_TIME };
	struct dhcp_option_builder b;
	uint8_t cid[7];
	uint32_t sum = 0;
	size_t len;

	memcpy(h.chaddr, c->mac, 6);
	if (c->state == C_RENEWING)
		h.ciaddr = c->lease.addr.s_addr;
	memset(pkt, 0, sizeof(pkt));
	memcpy(buf, &h, sizeof(h));
	dhcp_option_builder_init(&b, buf + DHCP_HEADER_SIZE, DHCP_MIN_MESSAGE - DHCP_HEADER_SIZE);
	cid[0] = DHCP_HTYPE_ETHER;
	memcpy(cid + 1, c->mac, 6);
	if (dhcp_option_append_u8(&b, DHCP_OPTION_MESSAGE_TYPE, type) < 0 ||
	    dhcp_option_append(&b, DHCP_OPTION_CLIENT_ID, cid, sizeof(cid)) < 0 ||
	    dhcp_option_append(&b, DHCP_OPTION_PARAMETER_REQUEST_LIST, prl, sizeof(prl)) < 0 ||
	    (c->hostname[0] && dhcp_option_append(&b, DHCP_OPTION_HOST_NAME, c->hostname,
						  strlen(c->hostname)) < 0))
		return -ENOBUFS;
	if (type == DHCP_MSG_REQUEST && c->state == C_REQUESTING) {
		if (dhcp_option_append_addr(&b, DHCP_OPTION_REQUESTED_IP, c->requested) < 0 ||
		    (c->server.s_addr &&
		     dhcp_option_append_addr(&b, DHCP_OPTION_SERVER_ID, c->server) < 0))
			return -ENOBUFS;
	}
	len = DHCP_HEADER_SIZE + dhcp_option_builder_finish(&b);
	if (len < 300)
		len = 300;   /* BOOTP's minimum, which some servers still expect */
	/* UDP checksum 0 (none: optional in IPv4); the IP header's own is required */
	udp.len = htons((uint16_t)(sizeof(udp) + len));
	ip.tot_len = htons((uint16_t)(sizeof(ip) + sizeof(udp) + len));
	ip.saddr = c->state == C_RENEWING ? c->lease.addr.s_addr : 0;
	ip.daddr = htonl(INADDR_BROADCAST);
	memcpy(pkt, &ip, sizeof(ip));
	for (size_t i = 0; i < sizeof(ip); i += 2)
		sum += (uint32_t)(pkt[i] << 8 | pkt[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip.check = htons((uint16_t)~sum);
	memcpy(pkt, &ip, sizeof(ip));
	memcpy(pkt + sizeof(ip), &udp, sizeof(udp));
	if (sendto(c->pfd, pkt, sizeof(ip) + sizeof(udp) + len, 0, (struct sockaddr *)&ll,
		   sizeof(ll)) < 0)
		return -errno;
	return 0;
}

static void client_send(struct lab_dhcp_client *c)
{
	int r = send_msg(c, c->state == C_SELECTING ? DHCP_MSG_DISCOVER : DHCP_MSG_REQUEST);

	if (r < 0)
		log_debug_errno(r, "Lab DHCP client: send failed: %m");
	(void)event_source_set_time(c->timer, now_usec() + RETRY_USEC);
}

static void client_restart(struct lab_dhcp_client *c)
{
	c->state = C_SELECTING;
	c->xid = random_u32();
	c->tries = 0;
	c->server.s_addr = 0;
	client_send(c);
}

static int on_timer(struct event_source *s, uint64_t now, void *data)
{
	struct lab_dhcp_client *c = data;

	switch (c->state) {
	case C_BOUND:
		/* T1: renew (broadcast: the nic is addressed, but the server may answer so) */
		c->state = C_RENEWING;
		c->xid = random_u32();
		c->tries = 0;
		client_send(c);
		break;
	case C_RENEWING:
	case C_REQUESTING:
		if (++c->tries >= REQUESTS_MAX) {
			client_restart(c);
			break;
		}
		client_send(c);
		break;
	default:
		client_send(c);
		break;
	}
	return 0;
}

static uint8_t mask_to_prefixlen(struct in_addr mask)
{
	uint32_t m = ntohl(mask.s_addr);
	uint8_t n = 0;

	while (m & 0x80000000u) {
		n++;
		m <<= 1;
	}
	return n;
}

static void on_ack(struct lab_dhcp_client *c, const struct dhcp_header *h,
		   const struct dhcp_options *o)
{
	struct lab_dhcp_lease old = c->lease, l = { .addr.s_addr = h->yiaddr, .prefixlen = 24 };
	struct in_addr mask;
	uint32_t t1 = 0;

	if (dhcp_options_get_addr(o, DHCP_OPTION_SUBNET_MASK, &mask) >= 0)
		l.prefixlen = mask_to_prefixlen(mask);
	(void)dhcp_options_get_addr(o, DHCP_OPTION_ROUTER, &l.router);
	if (dhcp_options_get_u32(o, DHCP_OPTION_LEASE_TIME, &l.lease_sec) < 0)
		l.lease_sec = 3600;
	if (dhcp_options_get_u32(o, DHCP_OPTION_RENEWAL_TIME, &t1) < 0 || t1 == 0 ||
	    t1 >= l.lease_sec)
		t1 = l.lease_sec / 2;
	if (t1 == 0)
		t1 = 1;
	c->lease = l;
	c->state = C_BOUND;
	(void)event_source_set_time(c->timer, now_usec() + (uint64_t)t1 * 1000000ULL);
	c->cb(c, &c->lease, old.addr.s_addr ? &old : NULL, c->data);
}

static int on_io(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct lab_dhcp_client *c = data;

	for (int i = 0; i < 16; i++) {
		uint8_t buf[1500];
		struct dhcp_options o;
		struct dhcp_header h;
		struct in_addr sid = { 0 };
		uint8_t type = 0;
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0)
			break;
		if ((size_t)n < DHCP_HEADER_SIZE)
			continue;
		memcpy(&h, buf, sizeof(h));
		if (h.op != DHCP_OP_BOOTREPLY || ntohl(h.xid) != c->xid ||
		    memcmp(h.chaddr, c->mac, 6) != 0 || dhcp_options_parse(&o, buf, (size_t)n) < 0 ||
		    dhcp_options_get_u8(&o, DHCP_OPTION_MESSAGE_TYPE, &type) < 0)
			continue;
		(void)dhcp_options_get_addr(&o, DHCP_OPTION_SERVER_ID, &sid);
		if (type == DHCP_MSG_OFFER && c->state == C_SELECTING && h.yiaddr) {
			c->state = C_REQUESTING;
			c->requested.s_addr = h.yiaddr;
			c->server = sid;
			c->tries = 0;
			client_send(c);
		} else if (type == DHCP_MSG_ACK && (c->state == C_REQUESTING ||
						    c->state == C_RENEWING) && h.yiaddr)
			on_ack(c, &h, &o);
		else if (type == DHCP_MSG_NAK && c->state != C_BOUND)
			client_restart(c);
	}
	return 0;
}

int lab_dhcp_client_new(struct event_loop *e, int ns_fd, const char *ifname, int ifindex,
			const uint8_t mac[6],
			struct in_addr prev, const char *hostname, lab_dhcp_fn cb, void *data,
			struct lab_dhcp_client **ret)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(DHCP_CLIENT_PORT) };
	struct lab_dhcp_client *c = calloc(1, sizeof(*c));
	int one = 1, r;

	if (!c)
		return -ENOMEM;
	c->loop = e;
	c->ifindex = ifindex;
	c->pfd = -1;
	c->cb = cb;
	c->data = data;
	memcpy(c->mac, mac, 6);
	if (hostname && strlen(hostname) <= DHCP_HOSTNAME_MAX &&
	    strspn(hostname, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(hostname))
		strcpy(c->hostname, hostname);
	c->fd = nl_netns_socket(ns_fd, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_UDP);
	if (c->fd < 0) {
		r = c->fd;
		goto fail;
	}
	/* protocol 0: a packet socket that sends and receives nothing */
	c->pfd = nl_netns_socket(ns_fd, AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (c->pfd < 0) {
		r = c->pfd;
		goto fail;
	}
	if (setsockopt(c->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname)) < 0 ||
	    bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		goto fail;
	}
	r = event_add_io(e, c->fd, EPOLLIN, on_io, c, &c->io);
	if (r >= 0)
		r = event_add_timer(e, 0, on_timer, c, &c->timer);
	if (r < 0)
		goto fail;
	c->xid = random_u32();
	if (prev.s_addr) {
		/* INIT-REBOOT: ask for the address held before */
		c->state = C_REQUESTING;
		c->requested = prev;
		client_send(c);
	} else
		client_restart(c);
	*ret = c;
	return 0;
fail:
	lab_dhcp_client_free(c);
	return r;
}

struct lab_dhcp_client *lab_dhcp_client_free(struct lab_dhcp_client *c)
{
	if (!c)
		return NULL;
	event_source_free(c->io);
	event_source_free(c->timer);
	safe_close(c->fd);
	safe_close(c->pfd);
	free(c);
	return NULL;
}
