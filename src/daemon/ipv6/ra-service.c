/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of ra-service.h. The RA is built once per (re)start into a buffer and sent as
 * it is: to ff02::1 from the timer, to the soliciting host's address for an RS (or ff02::1 from
 * an unspecified source). The socket passes only RS (ICMP6_FILTER) and joins ff02::2; an RS
 * whose hop limit is not 255 came through a router and is dropped (RFC 4861 §6.1.1).
 */
#include "daemon/ipv6/ra-service.h"

#include <errno.h>
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/conf-network.h"
#include "daemon/manager-core.h"
#include "daemon/network-types.h"
#include "event/event.h"
#include "ndp/ndp-packet.h"
#include "ndp/ndp-proto.h"
#include "ndp/ndp-rate.h"
#include "netlink/nl-link.h"
#include "shared/log.h"

#define USEC_PER_SEC 1000000ULL
/* RFC 4861 §6.2.1 defaults: MaxRtrAdvInterval 600 s, MinRtrAdvInterval 0.33 x that */
#define RA_INTERVAL_MIN_SEC 200
#define RA_INTERVAL_MAX_SEC 600
/* §6.2.4: the first few unsolicited RAs come quicker (at most 16 s apart) */
#define RA_INITIAL_COUNT 3
#define RA_INITIAL_INTERVAL_SEC 4

_Static_assert(RA_SOLICITED_PER_SEC >= 1 && RA_SOLICITED_PER_SEC <= NDP_RATE_MAX,
	       "the RS limiter's log holds RA_SOLICITED_PER_SEC answers");

struct ra_sender {
	struct network *network;       /* borrowed back pointer */
	int fd;
	int ifindex;
	struct event_source *io;
	struct event_source *timer;
	uint8_t msg[NDP_MESSAGE_MAX];
	size_t msg_len;
	unsigned initial_left;
	struct ndp_rate rs_rate;        /* solicited replies: RA_SOLICITED_PER_SEC a second */
	uint64_t rng;
	/* counters */
	uint64_t sent_unsolicited, sent_solicited, rs_received, rs_dropped, rs_rate_limited,
		send_errors;
};

static uint64_t ra_random(struct ra_sender *s)
{
	/* xorshift64: jitter only, nothing secret */
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

void ra_from_config(const struct network_config *c, const unsigned char *mac,
		    bool dns_on_gateway6, struct ndp_ra *ret)
{
	struct ndp_ra ra;
	char domain[NETWORK_DOMAIN_MAX + 1];

	memset(&ra, 0, sizeof(ra));
	ra.cur_hop_limit = 64;
	ra.managed = c->ra_mode != NETWORK_RA_SLAAC;
	ra.other = ra.managed;
	/* an isolated network leads nowhere: hosts must not take it as their default router */
	ra.router_lifetime_sec = c->mode == NETWORK_MODE_ISOLATED ? 0 : RA_ROUTER_LIFETIME_SEC;
	if (mac) {
		ra.has_lladdr = true;
		memcpy(ra.lladdr, mac, 6);
	}
	ra.mtu = c->mtu;
	ra.n_prefixes = 1;
	ra.prefixes[0] = (struct ndp_prefix){
		.prefix = c->subnet6,
		.onlink = true,
		.autonomous = c->ra_mode != NETWORK_RA_DHCPV6,
		.valid_sec = RA_PREFIX_VALID_SEC,
		.preferred_sec = RA_PREFIX_PREFERRED_SEC,
	};
	if (dns_on_gateway6) {
		ra.n_rdnss = 1;
		ra.rdnss[0] = c->gateway6;
		ra.rdnss_lifetime_sec = RA_ROUTER_LIFETIME_SEC;
		ra.n_dnssl = 1;
		network_config_domain(c, domain);
		snprintf(ra.dnssl[0], sizeof(ra.dnssl[0]), "%s", domain);
		ra.dnssl_lifetime_sec = RA_ROUTER_LIFETIME_SEC;
	}
	*ret = ra;
}

static int ra_socket_open(int ifindex, const char *ifname)
{
	struct icmp6_filter filter;
	struct ipv6_mreq mreq = { .ipv6mr_interface = (unsigned)ifindex };
	int fd, hops = NDP_HOP_LIMIT, one = 1, zero = 0;

	fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	ICMP6_FILTER_SETBLOCKALL(&filter);
	ICMP6_FILTER_SETPASS(NDP_ROUTER_SOLICIT, &filter);
	/* ff02::2, all routers: where hosts send their solicitations */
	(void)inet_pton(AF_INET6, "ff02::2", &mreq.ipv6mr_multiaddr);
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) < 0 ||
	    setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* Sends the RA to 'dst' (NULL: ff02::1). */
static int ra_send(struct ra_sender *s, const uint8_t *msg, size_t len, const struct in6_addr *dst)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_scope_id = (uint32_t)s->ifindex };

	if (dst)
		sa.sin6_addr = *dst;
	else
		(void)inet_pton(AF_INET6, "ff02::1", &sa.sin6_addr);
	if (sendto(s->fd, msg, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		/* before the bridge has its link-local address (no port with carrier yet, or DAD)
		 * there is no source: the next RA or RS tries again */
		s->send_errors++;
		return -errno;
	}
	return 0;
}

static void ra_timer_arm(struct ra_sender *s)
{
	uint64_t delay_usec;

	if (s->initial_left > 0)
		delay_usec = RA_INITIAL_INTERVAL_SEC * USEC_PER_SEC / 2 +
			     ra_random(s) % (RA_INITIAL_INTERVAL_SEC * USEC_PER_SEC / 2);
	else
		delay_usec = RA_INTERVAL_MIN_SEC * USEC_PER_SEC +
			     ra_random(s) % ((RA_INTERVAL_MAX_SEC - RA_INTERVAL_MIN_SEC) * USEC_PER_SEC);
	(void)event_source_set_time(s->timer, now_usec() + delay_usec);
}

static int ra_on_timer(struct event_source *src, uint64_t now, void *data)
{
	struct ra_sender *s = data;

	(void)src;
	(void)now;
	if (ra_send(s, s->msg, s->msg_len, NULL) == 0)
		s->sent_unsolicited++;
	if (s->initial_left > 0)
		s->initial_left--;
	ra_timer_arm(s);
	return 0;
}

/* Reads one datagram; returns 1 when one was read, 0 when none was pending. */
static int ra_read_one(struct ra_sender *s)
{
	uint8_t buf[1500];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct sockaddr_in6 from;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = {
		.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct ndp_rs rs;
	int hops = -1;
	ssize_t n;

	n = recvmsg(s->fd, &mh, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	s->rs_received++;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&hops, CMSG_DATA(cm), sizeof(int));
	/* RFC 4861 §6.1.1: hop limit 255, code 0, length >= 8; no source link-layer option
	 * from the unspecified address */
	if (hops != NDP_HOP_LIMIT || (mh.msg_flags & MSG_TRUNC) ||
	    ndp_rs_parse(buf, (size_t)n, &rs) < 0 ||
	    (IN6_IS_ADDR_UNSPECIFIED(&from.sin6_addr) && rs.has_lladdr)) {
		s->rs_dropped++;
		return 1;
	}
	if (!ndp_rate_allow(&s->rs_rate, now_usec())) {
		s->rs_rate_limited++;
		return 1;
	}
	if (ra_send(s, s->msg, s->msg_len,
		    IN6_IS_ADDR_UNSPECIFIED(&from.sin6_addr) ? NULL : &from.sin6_addr) == 0)
		s->sent_solicited++;
	return 1;
}

static int ra_on_io(struct event_source *src, int fd, uint32_t revents, void *data)
{
	struct ra_sender *s = data;

	(void)src;
	(void)fd;
	(void)revents;
	/* a bounded batch per wake-up, so one busy network cannot starve the loop */
	for (int i = 0; i < 64; i++) {
		int r = ra_read_one(s);

		if (r <= 0) {
			if (r < 0)
				log_debug_errno(r, "RA socket of '%s': %m", s->network->config.name);
			break;
		}
	}
	return 0;
}

static struct ra_sender *ra_sender_free(struct ra_sender *s)
{
	if (!s)
		return NULL;
	event_source_free(s->io);
	event_source_free(s->timer);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return NULL;
}

/* Builds the network's RA into s->msg. */
static int ra_sender_build(struct ra_sender *s)
{
	struct network *n = s->network;
	struct nl_link_info link = { 0 };
	struct ndp_ra ra;
	bool have_mac = nl_link_get_by_index(n->manager->nl, s->ifindex, &link) >= 0;
	int len;

	/* RDNSS only when the DNS server answers on the gateway6: naming an address nobody
	 * listens on would cost every guest a timeout per query */
	ra_from_config(&n->config, have_mac ? link.mac : NULL, n->config.dns && n->dns6_listening,
		       &ra);
	len = ndp_ra_build(&ra, s->msg, sizeof(s->msg));
	if (len < 0)
		return len;
	s->msg_len = (size_t)len;
	return 0;
}

int ra_network_start(struct network *n, char *err, size_t errlen)
{
	struct manager *m = n->manager;
	struct ra_sender *s = n->ra;
	int r;

	if (!n->config.has_subnet6) {
		ra_network_stop(n, s != NULL);
		return 0;
	}
	if (s && s->ifindex == n->ifindex) {
		/* a changed definition: advertise it now, then quickly a few more times */
		r = ra_sender_build(s);
		if (r < 0)
			goto fail;
		s->initial_left = RA_INITIAL_COUNT;
		if (ra_send(s, s->msg, s->msg_len, NULL) == 0)
			s->sent_unsolicited++;
		ra_timer_arm(s);
		return 0;
	}
	ra_network_stop(n, false);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->network = n;
	s->ifindex = n->ifindex;
	s->initial_left = RA_INITIAL_COUNT;
	s->rng = now_usec() | 1;
	(void)ndp_rate_init(&s->rs_rate, RA_SOLICITED_PER_SEC, USEC_PER_SEC); /* constants: valid */
	s->fd = ra_socket_open(n->ifindex, n->config.bridge);
	if (s->fd < 0) {
		r = s->fd;
		goto fail;
	}
	r = ra_sender_build(s);
	if (r >= 0)
		r = event_add_io(m->loop, s->fd, EPOLLIN, ra_on_io, s, &s->io);
	if (r >= 0)
		r = event_add_timer(m->loop, now_usec() + 200000, ra_on_timer, s, &s->timer);
	if (r < 0)
		goto fail;
	n->ra = s;
	return 0;

fail:
	snprintf(err, errlen, "failed to start router advertisements on '%s': %s",
		 n->config.bridge, strerror(-r));
	if (s != n->ra)
		ra_sender_free(s);
	return r;
}

void ra_network_stop(struct network *n, bool goodbye)
{
	struct ra_sender *s = n->ra;

	if (!s)
		return;
	if (goodbye && s->msg_len >= NDP_RA_HDR_LEN) {
		/* the same RA with router lifetime 0 (bytes 6-7) */
		uint8_t msg[NDP_MESSAGE_MAX];

		memcpy(msg, s->msg, s->msg_len);
		msg[6] = msg[7] = 0;
		(void)ra_send(s, msg, s->msg_len, NULL);
	}
	n->ra = ra_sender_free(s);
}

json_t *ra_network_stats_to_json(const struct network *n)
{
	const struct ra_sender *s = n->ra;

	if (!s)
		return NULL;
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "sent-unsolicited",
			 (json_int_t)s->sent_unsolicited, "sent-solicited",
			 (json_int_t)s->sent_solicited, "rs-received", (json_int_t)s->rs_received,
			 "rs-dropped", (json_int_t)s->rs_dropped, "rs-rate-limited",
			 (json_int_t)s->rs_rate_limited, "send-errors", (json_int_t)s->send_errors);
}
