/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of overlay-dns.h. Why the underlay and not the overlay: with gateway = anycast
 * every host's bridge has the same address, so no host's DNS server can be told from another's
 * on the overlay; the underlay addresses are the hosts' own, and peer queries then never cross
 * the guests' segment (guests can neither see nor forge them: the listener answers only the
 * network's peers, and a query without the VNI option is no peer query).
 */
#include "daemon/overlay/overlay-dns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/conf-network.h"
#include "config/conf-overlay.h"
#include "daemon/manager-core.h"
#include "daemon/network-types.h"
#include "daemon/overlay/vni-index.h"
#include "dns/dns-peers.h"
#include "dns/dns-proto.h"
#include "dns/dns-server.h"
#include "event/event.h"
#include "shared/log.h"

/* One listener per underlay address, shared by the networks on it. */
struct overlay_dns_listener {
	struct manager *manager;
	struct in_addr addr;
	int fd;
	struct event_source *source;
	unsigned users;
	struct overlay_dns_listener *next;
};

struct overlay_dns_pending {
	bool used;
	uint16_t id;                  /* of the peer query (random) */
	uint16_t guest_id;
	bool guest_edns;
	uint16_t qtype;
	char qname[DNS_NAME_TEXT_MAX + 1];
	size_t waiting;               /* peers that have not answered yet */
	uint64_t answered;            /* bit i: peer i did (a repeated answer counts once) */
	uint64_t deadline_usec;
	uint8_t local[DNS_UDP_PLAIN_MAX]; /* the zone's NXDOMAIN, sent when no peer knows */
	size_t local_len;
	void (*reply)(const uint8_t *answer, size_t len, void *cookie);
	void *cookie;
};

_Static_assert(NETWORK_OVERLAY_PEERS_MAX <= 64, "one bit per peer in 'answered'");

struct overlay_dns {
	struct manager *manager;
	struct network *network;      /* borrowed: the network owns this */
	struct overlay_dns_listener *listener;
	int fd;                       /* the questions' socket, on 'local', any port */
	struct event_source *source, *timer;
	struct dns_peers_negative negative;
	struct overlay_dns_pending pending[OVERLAY_DNS_PENDING_MAX];
};

bool overlay_dns_wanted(const struct network_config *c)
{
	return c->overlay.kind == NETWORK_OVERLAY_VXLAN && c->overlay.n_peers > 0 &&
	       c->overlay.local.s_addr != 0 && c->dns && c->has_subnet &&
	       c->overlay.dhcp == NETWORK_OVERLAY_DHCP_LOCAL &&
	       network_overlay_has_gateway(&c->overlay);
}

/* The index of peer 'a' of 'c', -1 if it is none. */
static int peer_index(const struct network_config *c, struct in_addr a)
{
	for (size_t i = 0; i < c->overlay.n_peers; i++)
		if (c->overlay.peers[i].s_addr == a.s_addr)
			return (int)i;
	return -1;
}

static bool is_peer(const struct network_config *c, struct in_addr a)
{
	return peer_index(c, a) >= 0;
}

static int udp_socket(struct in_addr addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = addr, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* The peer side: a query from another host, answered from the zone of the network it names. */
static int listener_on_read(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct overlay_dns_listener *l = data;
	uint8_t q[DNS_UDP_MAX], out[DNS_UDP_MAX];

	for (int batch = 0; batch < 32; batch++) {
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		const struct network_config *c;
		struct network *n;
		size_t out_len = 0;
		uint32_t vni;
		ssize_t len = recvfrom(fd, q, sizeof(q), MSG_DONTWAIT, (struct sockaddr *)&from,
				       &flen);

		if (len < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		if (dns_peers_query_vni(q, (size_t)len, &vni) < 0)
			continue;
		c = vni_index_find(l->manager->by_vni, vni);
		if (!c)
			continue;
		n = (struct network *)((char *)c - offsetof(struct network, config));
		/* only the network's own peers, to it on this address, while it answers */
		if (!n->active || !n->dns_server || !n->overlay_dns || !is_peer(c, from.sin_addr) ||
		    c->overlay.local.s_addr != l->addr.s_addr)
			continue;
		if (dns_server_handle_peer_query(n->dns_server, q, (size_t)len, out, sizeof(out),
						 &out_len) == DNS_VERDICT_ANSWER)
			(void)sendto(fd, out, out_len, MSG_DONTWAIT, (struct sockaddr *)&from, flen);
	}
	return 0;
}

static int listener_get(struct manager *m, struct in_addr addr,
			struct overlay_dns_listener **ret, char *err, size_t errlen)
{
	struct overlay_dns_listener *l;
	char a[INET_ADDRSTRLEN];
	int r;

	for (l = m->dns_listeners; l; l = l->next)
		if (l->addr.s_addr == addr.s_addr) {
			l->users++;
			*ret = l;
			return 0;
		}
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	*l = (struct overlay_dns_listener){ .manager = m, .addr = addr, .users = 1 };
	l->fd = udp_socket(addr, DNS_PEERS_PORT);
	if (l->fd < 0) {
		r = l->fd;
		snprintf(err, errlen, "cannot listen for the overlay peers' DNS queries on %s:%d: %s",
			 in_addr_to_string(addr, a), DNS_PEERS_PORT, strerror(-r));
		free(l);
		return r;
	}
	r = event_add_io(m->loop, l->fd, EPOLLIN, listener_on_read, l, &l->source);
	if (r < 0) {
		close(l->fd);
		free(l);
		return r;
	}
	l->next = m->dns_listeners;
	m->dns_listeners = l;
	*ret = l;
	return 0;
}

static void listener_put(struct overlay_dns_listener *l)
{
	struct overlay_dns_listener **p;

	if (!l || --l->users > 0)
		return;
	for (p = &l->manager->dns_listeners; *p; p = &(*p)->next)
		if (*p == l) {
			*p = l->next;
			break;
		}
	event_source_free(l->source);
	close(l->fd);
	free(l);
}

/* Answers the guest of 'p' with 'answer' (NULL: the zone's own NXDOMAIN) and frees the slot. */
static void pending_finish(struct overlay_dns *od, struct overlay_dns_pending *p,
			   const uint8_t *answer, size_t len)
{
	void (*reply)(const uint8_t *, size_t, void *) = p->reply;
	void *cookie = p->cookie;
	uint8_t out[DNS_UDP_MAX];
	int n = answer ? dns_peers_answer_to_guest(answer, len, p->guest_id, p->guest_edns, out,
						   sizeof(out)) : -ENOENT;

	if (n < 0)
		dns_peers_negative_add(&od->negative, p->qname, p->qtype, now_usec());
	p->used = false;
	if (n >= 0)
		reply(out, (size_t)n, cookie);
	else
		reply(p->local, p->local_len, cookie);
}

static void timer_rearm(struct overlay_dns *od)
{
	uint64_t next = 0;

	for (size_t i = 0; i < OVERLAY_DNS_PENDING_MAX; i++)
		if (od->pending[i].used && (!next || od->pending[i].deadline_usec < next))
			next = od->pending[i].deadline_usec;
	(void)event_source_set_time(od->timer, next);
}

static int on_timer(struct event_source *s, uint64_t now, void *data)
{
	struct overlay_dns *od = data;

	for (size_t i = 0; i < OVERLAY_DNS_PENDING_MAX; i++)
		if (od->pending[i].used && od->pending[i].deadline_usec <= now)
			pending_finish(od, &od->pending[i], NULL, 0);
	timer_rearm(od);
	return 0;
}

/* A peer's answer to one of our questions. */
static int on_answer(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct overlay_dns *od = data;
	uint8_t a[DNS_UDP_MAX];

	for (int batch = 0; batch < 32; batch++) {
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		ssize_t len = recvfrom(fd, a, sizeof(a), MSG_DONTWAIT, (struct sockaddr *)&from,
				       &flen);

		if (len < 0)
			break;
		int peer = peer_index(&od->network->config, from.sin_addr);

		if (peer < 0 || len < DNS_HEADER_SIZE)
			continue;
		for (size_t i = 0; i < OVERLAY_DNS_PENDING_MAX; i++) {
			struct overlay_dns_pending *p = &od->pending[i];
			unsigned answers = 0;
			int rcode = p->used ? dns_peers_check_answer(a, (size_t)len, p->id, p->qname,
								     p->qtype, &answers)
					    : -EBADMSG;

			if (rcode < 0)
				continue;
			if (p->answered & (UINT64_C(1) << peer))
				break;
			p->answered |= UINT64_C(1) << peer;
			if (rcode == DNS_RCODE_NOERROR && answers > 0)
				pending_finish(od, p, a, (size_t)len);
			else if (--p->waiting == 0)
				pending_finish(od, p, NULL, 0);
			break;
		}
	}
	timer_rearm(od);
	return 0;
}

int overlay_dns_ask(void *data, const struct dns_query_info *info, const uint8_t *local,
		    size_t local_len, void (*reply)(const uint8_t *answer, size_t len, void *cookie),
		    void *cookie)
{
	struct overlay_dns *od = data;
	const struct network_config *c = &od->network->config;
	struct overlay_dns_pending *p = NULL;
	uint8_t q[DNS_UDP_PLAIN_MAX];
	size_t sent = 0;
	int len;

	if (local_len > sizeof(p->local) ||
	    dns_peers_negative_has(&od->negative, info->qname, info->qtype, now_usec()))
		return -ENOENT;
	for (size_t i = 0; i < OVERLAY_DNS_PENDING_MAX && !p; i++)
		if (!od->pending[i].used)
			p = &od->pending[i];
	if (!p)
		return -E2BIG;
	*p = (struct overlay_dns_pending){
		.guest_id = info->id, .guest_edns = info->has_edns, .qtype = info->qtype,
		.local_len = local_len, .reply = reply, .cookie = cookie,
		.deadline_usec = now_usec() + DNS_PEERS_TIMEOUT_USEC,
	};
	memcpy(p->local, local, local_len);
	snprintf(p->qname, sizeof(p->qname), "%s", info->qname);
	if (getrandom(&p->id, sizeof(p->id), GRND_NONBLOCK) != sizeof(p->id))
		p->id = (uint16_t)(now_usec() ^ (uintptr_t)p);
	len = dns_peers_build_query(p->qname, p->qtype, p->id, c->overlay.vni, q, sizeof(q));
	if (len < 0)
		return len;
	for (size_t i = 0; i < c->overlay.n_peers; i++) {
		struct sockaddr_in to = {
			.sin_family = AF_INET, .sin_addr = c->overlay.peers[i],
			.sin_port = htons(DNS_PEERS_PORT),
		};

		if (sendto(od->fd, q, (size_t)len, MSG_DONTWAIT, (struct sockaddr *)&to,
			   sizeof(to)) == len)
			sent++;
	}
	if (sent == 0)
		return -EHOSTUNREACH;
	p->waiting = sent;
	p->used = true;
	timer_rearm(od);
	return 0;
}

void overlay_dns_cancel(void *data, void *cookie)
{
	struct overlay_dns *od = data;

	for (size_t i = 0; i < OVERLAY_DNS_PENDING_MAX; i++)
		if (od->pending[i].used && od->pending[i].cookie == cookie)
			od->pending[i].used = false;
}

int overlay_dns_new(struct manager *m, struct network *n, struct overlay_dns **ret, char *err,
		    size_t errlen)
{
	struct overlay_dns *od = calloc(1, sizeof(*od));
	int r;

	if (!od)
		return -ENOMEM;
	od->manager = m;
	od->network = n;
	od->fd = udp_socket(n->config.overlay.local, 0);
	if (od->fd < 0) {
		r = od->fd;
		snprintf(err, errlen, "cannot open a socket for the overlay peers' DNS: %s",
			 strerror(-r));
		free(od);
		return r;
	}
	r = event_add_io(m->loop, od->fd, EPOLLIN, on_answer, od, &od->source);
	if (r >= 0)
		r = event_add_timer(m->loop, 0, on_timer, od, &od->timer);
	if (r >= 0)
		r = listener_get(m, n->config.overlay.local, &od->listener, err, errlen);
	else
		snprintf(err, errlen, "failed to set up the overlay peers' DNS: %s", strerror(-r));
	if (r < 0) {
		overlay_dns_free(od);
		return r;
	}
	*ret = od;
	return 0;
}

struct overlay_dns *overlay_dns_free(struct overlay_dns *od)
{
	if (!od)
		return NULL;
	listener_put(od->listener);
	event_source_free(od->timer);
	event_source_free(od->source);
	if (od->fd >= 0)
		close(od->fd);
	free(od);
	return NULL;
}
