/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DHCPv4 server engine of one network (RFC 2131, RFC 2132): parses a client message, decides
 * with the lease store (lease-store.c) and the reservations (conf-host.c) as its state, and
 * builds the reply and where it goes. Guests are untrusted: every length is checked before use,
 * every client is rate limited, and a port's guests can hold only so many identities.
 * dhcp-io.c owns the sockets; the daemon journals what the store reports.
 */
#include "dhcp/dhcp-server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "config/conf-host.h"
#include "dhcp/dhcp-option.h"
#include "dhcp/dhcp-proto.h"
#include "lease/lease-store.h"
#include "shared/alloc-util.h"

#define RATE_SLOTS_MIN 64           /* powers of two */
#define RATE_SLOTS_MAX 1024
#define RATE_UNIT 1000000U          /* tokens are counted in millionths */
#define PORTS_MAX 4096

struct rate_slot {
	uint64_t key;                /* identity hash */
	uint64_t last_usec;
	uint32_t tokens;             /* in RATE_UNIT per message */
};

struct port_ident {
	uint8_t len;
	uint8_t id[LEASE_CLIENT_ID_MAX];
};

/* The identities that took leases through one bridge port (max_leases_per_port). */
struct port_rec {
	int ifindex;
	uint32_t n, alloc;
	struct port_ident *ids;
};

struct dhcp_server {
	struct dhcp_server_config cfg;
	struct lease_store *store;            /* borrowed */
	const struct network_hosts *hosts;    /* borrowed, may be NULL */
	const struct network_host **by_ip;    /* 'hosts' sorted by address; NULL: scan 'hosts' */
	struct dhcp_server_stats stats;
	uint32_t net, mask, bcast;            /* host order, from cfg.subnet */
	uint32_t first, last;                 /* host order, the dynamic pool */
	bool pool_full;
	bool pool_full_edge;
	uint8_t key[16];                      /* rate-limit hash key */
	struct rate_slot *rate;               /* allocated on the first message; NULL before */
	uint32_t rate_slots;                  /* its size: a power of two, from the subnet */
	struct port_rec *ports;               /* sorted by ifindex */
	size_t n_ports, ports_alloc;
};

/* One parsed client message: views into the caller's buffer and 'opt'. */
struct request {
	struct dhcp_header h;                 /* copy, network order */
	struct dhcp_options opt;
	uint8_t type;
	const uint8_t *id;                    /* identity: option 61, else htype + chaddr */
	size_t id_len;
	uint8_t id_buf[1 + DHCP_CHADDR_MAX];
	bool has_mac;                         /* htype Ethernet, hlen 6 */
	struct in_addr ciaddr, giaddr, requested, server_id;
	bool has_requested, has_server_id;
	char hostname[LEASE_HOSTNAME_MAX + 1];
	size_t reply_max;                     /* largest reply the client takes */
	const struct network_host *host;      /* its reservation, or NULL */
};

DEFINE_FREE_FUNC(struct dhcp_server, dhcp_server_free)

/* Addresses */

static bool in_subnet(const struct dhcp_server *s, struct in_addr a)
{
	return (in_addr_to_host(a) & s->mask) == s->net;
}

static bool in_pool(const struct dhcp_server *s, struct in_addr a)
{
	uint32_t h = in_addr_to_host(a);

	return h >= s->first && h <= s->last;
}

/* The gateway, and the subnet's network and broadcast addresses: never a client's. */
static bool is_special(const struct dhcp_server *s, struct in_addr a)
{
	uint32_t h = in_addr_to_host(a);

	return h == s->net || h == s->bcast || in_addr_equal(a, s->cfg.server_id);
}

static const struct network_host *reserved_by(const struct dhcp_server *s, struct in_addr a)
{
	size_t lo = 0, hi;
	uint32_t want = in_addr_to_host(a);

	if (!s->hosts || s->hosts->n == 0)
		return NULL;
	if (!s->by_ip)
		return network_hosts_find_ip(s->hosts, a);
	hi = s->hosts->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t h = in_addr_to_host(s->by_ip[mid]->ip);
		if (h == want)
			return s->by_ip[mid];
		if (h < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool pool_excluded(struct in_addr a, void *data)
{
	const struct dhcp_server *s = data;

	return !in_subnet(s, a) || !in_pool(s, a) || is_special(s, a) || reserved_by(s, a);
}

static bool lease_is_mine(const struct lease *l, const struct request *req)
{
	return l->id_len == req->id_len && memcmp(l->id, req->id, req->id_len) == 0;
}

/* Held: an unexpired offer, binding or decline. RELEASED and expired leases are free. */
static bool lease_is_held(const struct lease *l, uint64_t now)
{
	return l->state != LEASE_RELEASED && l->expires > now;
}

/* True unless another client holds 'a'. */
static bool addr_is_free_for(const struct dhcp_server *s, const struct request *req,
			     struct in_addr a, uint64_t now)
{
	const struct lease *l = lease_store_find_by_ip(s->store, a);

	return !l || lease_is_mine(l, req) || !lease_is_held(l, now);
}

/*
 * A reservation is used unless another client still holds its address (it was leased before the
 * reservation was made, or declined): then the client is served from the pool meanwhile, and its
 * next REQUEST after the address came free is NAKed so that it moves to its reservation.
 */
static bool reservation_usable(const struct dhcp_server *s, const struct request *req, uint64_t now)
{
	return req->host && addr_is_free_for(s, req, req->host->ip, now);
}

/* Whether 'a' may be this client's: its reservation, or a pool address reserved for no one. */
static bool addr_is_allowed(const struct dhcp_server *s, const struct request *req,
			    struct in_addr a, uint64_t now)
{
	if (reservation_usable(s, req, now))
		return in_addr_equal(a, req->host->ip);
	return in_subnet(s, a) && in_pool(s, a) && !is_special(s, a) && !reserved_by(s, a);
}

/* Limits */

/* Slots for the identities of one subnet: its size, within RATE_SLOTS_MIN..RATE_SLOTS_MAX. */
static uint32_t rate_slots_for(uint8_t prefixlen)
{
	uint32_t n = RATE_SLOTS_MIN;

	while (n < RATE_SLOTS_MAX && (prefixlen < 32 && n < (UINT32_C(1) << (32 - prefixlen))))
		n *= 2;
	return n;
}

static bool rate_allow(struct dhcp_server *s, const struct request *req, uint64_t now_usec)
{
	uint64_t key = lease_id_hash(req->id, req->id_len, s->key);
	struct rate_slot *a, *b, *r;
	uint64_t tokens;

	/* Allocated on the first message, so that a network no client talks to costs nothing
	 * here (issue 12: memory per network). Without memory, the message is dropped. */
	if (!s->rate) {
		s->rate = calloc(s->rate_slots, sizeof(*s->rate));
		if (!s->rate)
			return false;
	}
	a = &s->rate[key & (s->rate_slots - 1)];
	b = &s->rate[(key >> 32) & (s->rate_slots - 1)];

	/* two candidate slots; a newcomer evicts the one idle longer */
	if (a->key == key && a->last_usec)
		r = a;
	else if (b->key == key && b->last_usec)
		r = b;
	else {
		r = a->last_usec <= b->last_usec ? a : b;
		*r = (struct rate_slot){ .key = key, .last_usec = now_usec,
					 .tokens = DHCP_RATE_BURST * RATE_UNIT };
	}
	tokens = r->tokens;
	if (now_usec > r->last_usec)
		tokens += (now_usec - r->last_usec) * DHCP_RATE_PER_SEC;
	if (tokens > (uint64_t)DHCP_RATE_BURST * RATE_UNIT)
		tokens = (uint64_t)DHCP_RATE_BURST * RATE_UNIT;
	r->last_usec = now_usec ? now_usec : 1;
	if (tokens < RATE_UNIT) {
		r->tokens = (uint32_t)tokens;
		return false;
	}
	r->tokens = (uint32_t)(tokens - RATE_UNIT);
	return true;
}

static struct port_rec *port_find(struct dhcp_server *s, int ifindex, size_t *ret_pos)
{
	size_t lo = 0, hi = s->n_ports;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->ports[mid].ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	*ret_pos = lo;
	return lo < s->n_ports && s->ports[lo].ifindex == ifindex ? &s->ports[lo] : NULL;
}

/* Forgets the identities of 'p' that no longer hold an offer or a binding. */
static void port_prune(struct dhcp_server *s, struct port_rec *p, uint64_t now)
{
	for (uint32_t i = 0; i < p->n;) {
		const struct port_ident *id = &p->ids[i];
		const struct lease *l = lease_store_find_by_id(s->store, id->id, id->len);

		if (l && lease_is_held(l, now) && l->state != LEASE_DECLINED)
			i++;
		else
			p->ids[i] = p->ids[--p->n];
	}
}

static void ports_clear(struct dhcp_server *s)
{
	for (size_t i = 0; i < s->n_ports; i++)
		free(s->ports[i].ids);
	s->n_ports = 0;
}

/* Port records come from the kernel's ifindexes, not from packets; still, bound them. */
static int port_get(struct dhcp_server *s, int ifindex, uint64_t now, struct port_rec **ret)
{
	struct port_rec *p;
	size_t pos;

	p = port_find(s, ifindex, &pos);
	if (p) {
		*ret = p;
		return 0;
	}
	if (s->n_ports >= PORTS_MAX) {
		size_t k = 0;

		for (size_t i = 0; i < s->n_ports; i++) {
			port_prune(s, &s->ports[i], now);
			if (s->ports[i].n == 0)
				free(s->ports[i].ids);
			else
				s->ports[k++] = s->ports[i];
		}
		s->n_ports = k;
		if (s->n_ports >= PORTS_MAX)
			ports_clear(s);
		port_find(s, ifindex, &pos);
	}
	if (s->n_ports == s->ports_alloc) {
		size_t n = s->ports_alloc ? s->ports_alloc * 2 : 8;
		struct port_rec *v = realloc(s->ports, sizeof(*v) * n);

		if (!v)
			return -ENOMEM;
		s->ports = v;
		s->ports_alloc = n;
	}
	memmove(s->ports + pos + 1, s->ports + pos, sizeof(*s->ports) * (s->n_ports - pos));
	s->ports[pos] = (struct port_rec){ .ifindex = ifindex };
	s->n_ports++;
	*ret = &s->ports[pos];
	return 0;
}

/*
 * max_leases_per_port: returns 1 if the client may take a lease through 'rx''s port, 0 if it is
 * a new identity beyond the cap (counted), or -ENOMEM.
 */
static int port_admit(struct dhcp_server *s, const struct request *req, const struct dhcp_rx *rx,
		      uint64_t now)
{
	uint32_t cap = s->cfg.max_leases_per_port;
	const struct lease *l;
	struct port_rec *p;
	int r;

	if (cap == 0 || rx->port_ifindex == 0)
		return 1;
	r = port_get(s, rx->port_ifindex, now, &p);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < p->n; i++)
		if (p->ids[i].len == req->id_len && memcmp(p->ids[i].id, req->id, req->id_len) == 0)
			return 1;
	if (p->n >= cap)
		port_prune(s, p, now);
	if (p->n < cap) {
		if (p->n == p->alloc) {
			uint32_t n = p->alloc ? p->alloc * 2 : 4;
			struct port_ident *v;

			if (n > cap)
				n = cap;
			v = realloc(p->ids, sizeof(*v) * n);
			if (!v)
				return -ENOMEM;
			p->ids = v;
			p->alloc = n;
		}
		p->ids[p->n].len = (uint8_t)req->id_len;
		memcpy(p->ids[p->n].id, req->id, req->id_len);
		p->n++;
		return 1;
	}
	/* a binding from before the count began (a restart) is no new identity */
	l = lease_store_find_by_id(s->store, req->id, req->id_len);
	if (l && lease_is_held(l, now))
		return 1;
	s->stats.dropped_port_limit++;
	return 0;
}

static void pool_full_set(struct dhcp_server *s, bool full)
{
	if (full && !s->pool_full)
		s->pool_full_edge = true;
	s->pool_full = full;
}

/* Parsing */

static size_t reply_max(const struct dhcp_server *s, const struct dhcp_options *opt)
{
	size_t max = DHCP_MIN_MESSAGE;
	uint16_t v;

	/* RFC 2132 §9.10: below 576 the option is invalid and the default applies */
	if (dhcp_options_get_u16(opt, DHCP_OPTION_MAX_MESSAGE_SIZE, &v) == 0 &&
	    v >= DHCP_MIN_DATAGRAM)
		max = v - DHCP_IP_UDP_HEADERS;
	if (s->cfg.mtu >= DHCP_MIN_DATAGRAM && max > s->cfg.mtu - DHCP_IP_UDP_HEADERS)
		max = s->cfg.mtu - DHCP_IP_UDP_HEADERS;
	return max < DHCP_REPLY_MAX ? max : DHCP_REPLY_MAX;
}

static void request_hostname(struct request *req)
{
	const uint8_t *v;
	size_t n;

	/* RFC 4702 §3.1: a client sending both wants option 81 used */
	v = dhcp_options_get(&req->opt, DHCP_OPTION_CLIENT_FQDN, &n);
	if (v && dhcp_fqdn_hostname(v, n, req->hostname) == 0)
		return;
	v = dhcp_options_get(&req->opt, DHCP_OPTION_HOST_NAME, &n);
	if (v)
		dhcp_hostname_sanitize(v, n, req->hostname);
	else
		req->hostname[0] = '\0';
}

static int request_addr_option(struct request *req, uint8_t code, struct in_addr *ret,
			       bool *ret_has)
{
	int r = dhcp_options_get_addr(&req->opt, code, ret);

	*ret_has = r == 0;
	return r == -ENOENT ? 0 : r;
}

static bool is_client_type(uint8_t type)
{
	return type == DHCP_MSG_DISCOVER || type == DHCP_MSG_REQUEST || type == DHCP_MSG_DECLINE ||
	       type == DHCP_MSG_RELEASE || type == DHCP_MSG_INFORM;
}

/* Returns 1 for a client message to handle, 0 for one not meant for a server, or -EBADMSG. */
static int request_parse(struct dhcp_server *s, const uint8_t *buf, size_t len, struct request *req)
{
	const uint8_t *cid;
	size_t cid_len;
	int r;

	if (len < DHCP_HEADER_SIZE)
		return -EBADMSG;
	memcpy(&req->h, buf, sizeof(req->h));
	if (req->h.op != DHCP_OP_BOOTREQUEST)
		return 0;
	if (req->h.hlen > DHCP_CHADDR_MAX)
		return -EBADMSG;
	r = dhcp_options_parse(&req->opt, buf, len);
	if (r < 0)
		return r;
	r = dhcp_options_get_u8(&req->opt, DHCP_OPTION_MESSAGE_TYPE, &req->type);
	if (r < 0 || req->type == 0)
		return -EBADMSG;
	if (!is_client_type(req->type))
		return 0;

	/* RFC 2131 §4.2: the client identifier if sent, else htype and chaddr */
	cid = dhcp_options_get(&req->opt, DHCP_OPTION_CLIENT_ID, &cid_len);
	if (cid) {
		if (cid_len == 0 || cid_len > LEASE_CLIENT_ID_MAX)
			return -EBADMSG;
		req->id = cid;
		req->id_len = cid_len;
	} else {
		if (req->h.hlen == 0)
			return -EBADMSG;
		req->id_buf[0] = req->h.htype;
		memcpy(req->id_buf + 1, req->h.chaddr, req->h.hlen);
		req->id = req->id_buf;
		req->id_len = 1 + (size_t)req->h.hlen;
	}
	req->has_mac = req->h.htype == DHCP_HTYPE_ETHER && req->h.hlen == 6;
	req->ciaddr.s_addr = req->h.ciaddr;
	req->giaddr.s_addr = req->h.giaddr;

	r = request_addr_option(req, DHCP_OPTION_REQUESTED_IP, &req->requested,
				&req->has_requested);
	if (r < 0)
		return r;
	r = request_addr_option(req, DHCP_OPTION_SERVER_ID, &req->server_id, &req->has_server_id);
	if (r < 0)
		return r;
	request_hostname(req);
	req->reply_max = reply_max(s, &req->opt);
	req->host = NULL;
	return 1;
}

/* Replies */

/*
 * RFC 3442 option 121: each route as its prefix length, the significant octets of the
 * destination, and the gateway. A client given option 121 ignores option 3 (§2.2 of the RFC),
 * so the default route via us goes in too, unless one is configured.
 */
static size_t routes_encode(const struct dhcp_server *s, uint8_t *buf)
{
	bool has_default = false;
	size_t n = 0;

	for (size_t i = 0; i < s->cfg.n_routes; i++) {
		const struct dhcp_route *rt = &s->cfg.routes[i];
		size_t octets = (rt->dst.prefixlen + 7) / 8;

		buf[n++] = rt->dst.prefixlen;
		memcpy(buf + n, &rt->dst.addr, octets);
		n += octets;
		memcpy(buf + n, &rt->gw, 4);
		n += 4;
		if (rt->dst.prefixlen == 0)
			has_default = true;
	}
	if (!has_default) {
		buf[n++] = 0;
		memcpy(buf + n, &s->cfg.server_id, 4);
		n += 4;
	}
	return n;
}

/* Appends option 'code' if this server provides it; a value that does not fit is left out. */
static void reply_option(const struct dhcp_server *s, const struct request *req,
			 struct dhcp_option_builder *b, uint8_t code)
{
	uint8_t routes[DHCP_ROUTES_MAX * 9 + 5];
	struct in_addr a;

	switch (code) {
	case DHCP_OPTION_SUBNET_MASK:
		a.s_addr = htonl(s->mask);
		dhcp_option_append_addr(b, code, a);
		break;
	case DHCP_OPTION_ROUTER:
		dhcp_option_append_addr(b, code, s->cfg.server_id);
		break;
	case DHCP_OPTION_DNS_SERVER:
		if (s->cfg.dns)
			dhcp_option_append_addr(b, code, s->cfg.server_id);
		break;
	case DHCP_OPTION_HOST_NAME:
		if (req->host && req->host->name[0])
			dhcp_option_append(b, code, req->host->name, strlen(req->host->name));
		break;
	case DHCP_OPTION_DOMAIN_NAME:
		if (s->cfg.domain[0])
			dhcp_option_append(b, code, s->cfg.domain, strlen(s->cfg.domain));
		break;
	case DHCP_OPTION_MTU:
		if (s->cfg.mtu >= 68 && s->cfg.mtu <= UINT16_MAX)
			dhcp_option_append_u16(b, code, (uint16_t)s->cfg.mtu);
		break;
	case DHCP_OPTION_BROADCAST:
		a.s_addr = htonl(s->bcast);
		dhcp_option_append_addr(b, code, a);
		break;
	case DHCP_OPTION_CLASSLESS_ROUTES:
	case DHCP_OPTION_MS_CLASSLESS_ROUTES:
		if (s->cfg.n_routes > 0)
			dhcp_option_append(b, code, routes, routes_encode(s, routes));
		break;
	default:
		break;
	}
}

/*
 * The options of an OFFER or ACK: 53 and 54 first, the lease times, then what the client asked
 * for in the order it asked (RFC 2132 §9.8: its order of preference, which matters when the
 * reply has no room for everything), then the rest of what a guest needs. Option 82 is echoed
 * last (RFC 3046 §2.2), its room kept from the start.
 */
static void reply_options(const struct dhcp_server *s, const struct request *req, uint8_t type,
			  bool lease_times, struct dhcp_option_builder *b)
{
	static const uint8_t defaults[] = {
		DHCP_OPTION_SUBNET_MASK, DHCP_OPTION_ROUTER,      DHCP_OPTION_DNS_SERVER,
		DHCP_OPTION_DOMAIN_NAME, DHCP_OPTION_MTU,         DHCP_OPTION_BROADCAST,
		DHCP_OPTION_CLASSLESS_ROUTES,
	};
	uint64_t done[4] = { 0 };
	const uint8_t *prl, *agent = NULL;
	size_t prl_len = 0, agent_len = 0, agent_room = 0;
	uint32_t t = s->cfg.lease_time_sec;

	if (req->giaddr.s_addr)
		agent = dhcp_options_get(&req->opt, DHCP_OPTION_RELAY_AGENT_INFO, &agent_len);
	/*
	 * Echo option 82 only if it leaves room for 53, 54 and END: a huge (concatenated) 82 once
	 * took the room of the message type, and the reply went out without one (found by fuzzing).
	 */
	if (agent && b->len + dhcp_option_wire_size(agent_len) + dhcp_option_wire_size(1) +
			     dhcp_option_wire_size(4) + 1 <= b->size) {
		agent_room = dhcp_option_wire_size(agent_len);
		b->size -= agent_room;
	}

	dhcp_option_append_u8(b, DHCP_OPTION_MESSAGE_TYPE, type);
	dhcp_option_append_addr(b, DHCP_OPTION_SERVER_ID, s->cfg.server_id);
	if (type != DHCP_MSG_NAK) {
		if (lease_times) {
			dhcp_option_append_u32(b, DHCP_OPTION_LEASE_TIME, t);
			dhcp_option_append_u32(b, DHCP_OPTION_RENEWAL_TIME, t / 2);
			dhcp_option_append_u32(b, DHCP_OPTION_REBINDING_TIME,
					       (uint32_t)((uint64_t)t * 7 / 8));
		}
		prl = dhcp_options_get(&req->opt, DHCP_OPTION_PARAMETER_REQUEST_LIST, &prl_len);
		for (size_t i = 0; i < prl_len; i++) {
			uint8_t c = prl[i];

			if (done[c / 64] & (1ULL << (c % 64)))
				continue;
			done[c / 64] |= 1ULL << (c % 64);
			reply_option(s, req, b, c);
		}
		for (size_t i = 0; i < ELEMENTSOF(defaults); i++)
			if (!(done[defaults[i] / 64] & (1ULL << (defaults[i] % 64))))
				reply_option(s, req, b, defaults[i]);
	}
	if (agent_room) {
		b->size += agent_room;
		dhcp_option_append(b, DHCP_OPTION_RELAY_AGENT_INFO, agent, agent_len);
	}
}

/*
 * RFC 2131 §4.1: "If the 'giaddr' field in a DHCP message from a client is non-zero, the server
 * sends any return messages to the 'DHCP server' port on the BOOTP relay agent whose address
 * appears in 'giaddr'. If the 'giaddr' field is zero and the 'ciaddr' field is nonzero, then the
 * server unicasts DHCPOFFER and DHCPACK messages to the address in 'ciaddr'. If 'giaddr' is zero
 * and 'ciaddr' is zero, and the broadcast bit is set, then the server broadcasts DHCPOFFER and
 * DHCPACK messages to 0xffffffff. If the broadcast bit is not set and 'giaddr' is zero and
 * 'ciaddr' is zero, then the server unicasts DHCPOFFER and DHCPACK messages to the client's
 * hardware address and 'yiaddr' address. In all cases, when 'giaddr' is zero, the server
 * broadcasts any DHCPNAK messages to 0xffffffff."
 */
static void reply_destination(const struct request *req, uint8_t type, struct in_addr yiaddr,
			      struct dhcp_reply *ret)
{
	memset(ret->dest_mac, 0, sizeof(ret->dest_mac));
	if (req->has_mac)
		memcpy(ret->dest_mac, req->h.chaddr, 6);
	ret->dest_port = DHCP_CLIENT_PORT;
	if (req->giaddr.s_addr) {
		ret->dest = DHCP_DEST_RELAY;
		ret->dest_ip = req->giaddr;
		ret->dest_port = DHCP_SERVER_PORT;
	} else if (type == DHCP_MSG_NAK) {
		ret->dest = DHCP_DEST_BROADCAST;
		ret->dest_ip.s_addr = INADDR_BROADCAST;
	} else if (req->ciaddr.s_addr) {
		ret->dest = DHCP_DEST_UNICAST_IP;
		ret->dest_ip = req->ciaddr;
	} else if ((ntohs(req->h.flags) & DHCP_FLAG_BROADCAST) || !req->has_mac || !yiaddr.s_addr) {
		ret->dest = DHCP_DEST_BROADCAST;
		ret->dest_ip.s_addr = INADDR_BROADCAST;
	} else {
		ret->dest = DHCP_DEST_UNICAST_HW;
		ret->dest_ip = yiaddr;
	}
}

/* Builds an OFFER, ACK or NAK (RFC 2131 Table 3) for 'req' into 'ret'. Returns 1. */
static int reply_build(struct dhcp_server *s, const struct request *req, uint8_t type,
		       struct in_addr yiaddr, bool lease_times, struct dhcp_reply *ret)
{
	struct dhcp_header h = {
		.op = DHCP_OP_BOOTREPLY,
		.htype = req->h.htype,
		.hlen = req->h.hlen,
		.xid = req->h.xid,
		.flags = req->h.flags,
		.ciaddr = type == DHCP_MSG_ACK ? req->h.ciaddr : 0,
		.yiaddr = type == DHCP_MSG_NAK ? 0 : yiaddr.s_addr,
		.giaddr = req->h.giaddr,
		.magic = htonl(DHCP_MAGIC_COOKIE),
	};
	struct dhcp_option_builder b;

	/* §4.3.2: a NAK through a relay asks it to broadcast */
	if (type == DHCP_MSG_NAK && req->giaddr.s_addr)
		h.flags |= htons(DHCP_FLAG_BROADCAST);
	memcpy(h.chaddr, req->h.chaddr, sizeof(h.chaddr));
	memcpy(ret->buf, &h, sizeof(h));

	dhcp_option_builder_init(&b, ret->buf + DHCP_HEADER_SIZE,
				 req->reply_max - DHCP_HEADER_SIZE);
	reply_options(s, req, type, lease_times, &b);
	ret->len = DHCP_HEADER_SIZE + dhcp_option_builder_finish(&b);
	ret->type = type;
	reply_destination(req, type, type == DHCP_MSG_NAK ? (struct in_addr){ 0 } : yiaddr, ret);

	switch (type) {
	case DHCP_MSG_OFFER:
		s->stats.offers++;
		break;
	case DHCP_MSG_NAK:
		s->stats.naks++;
		break;
	default:
		break;
	}
	return 1;
}

static int reply_nak(struct dhcp_server *s, const struct request *req, struct dhcp_reply *ret)
{
	return reply_build(s, req, DHCP_MSG_NAK, (struct in_addr){ 0 }, false, ret);
}

/* Messages */

/* Fills 'l' for this client at 'a'; the host name it sent, else the one it had there. */
static void lease_for(const struct dhcp_server *s, const struct request *req, struct in_addr a,
		      enum lease_state state, uint64_t expires, struct lease *l)
{
	const struct lease *old = lease_store_find_by_ip(s->store, a);

	*l = (struct lease){ .ip = a, .state = state, .expires = expires };
	if (req->has_mac)
		memcpy(l->mac, req->h.chaddr, 6);
	l->id_len = (uint8_t)req->id_len;
	memcpy(l->id, req->id, req->id_len);
	if (req->hostname[0])
		memcpy(l->hostname, req->hostname, sizeof(l->hostname));
	else if (old && lease_is_mine(old, req))
		memcpy(l->hostname, old->hostname, sizeof(l->hostname));
}

/* Handles a store that cannot take another lease like a full pool: no reply, logged once. */
static int put_failed(struct dhcp_server *s, int r)
{
	if (r != -E2BIG)
		return r;
	pool_full_set(s, true);
	s->stats.dropped_pool_full++;
	return 0;
}

/* The address to offer (RFC 2131 §4.3.1), or -ENOSPC. */
static int discover_choose(struct dhcp_server *s, const struct request *req, uint64_t now,
			   struct in_addr *ret)
{
	const struct lease *cur;
	int r;

	/* the client's reservation */
	if (reservation_usable(s, req, now)) {
		*ret = req->host->ip;
		return 0;
	}
	/* its current binding or offer, or its previous address, while nobody took it since */
	cur = lease_store_find_by_id(s->store, req->id, req->id_len);
	if (cur && addr_is_allowed(s, req, cur->ip, now)) {
		*ret = cur->ip;
		return 0;
	}
	/* the address it asked for, if it is free for it */
	if (req->has_requested && addr_is_allowed(s, req, req->requested, now) &&
	    addr_is_free_for(s, req, req->requested, now)) {
		*ret = req->requested;
		return 0;
	}
	/* a new one: never used first, then the one left longest ago */
	r = lease_store_find_free(s->store, now, pool_excluded, s, ret);
	if (r < 0)
		return r;
	pool_full_set(s, false);
	return 0;
}

static int handle_discover(struct dhcp_server *s, const struct request *req,
			   const struct dhcp_rx *rx, uint64_t now, struct dhcp_reply *ret)
{
	const struct lease *cur;
	struct in_addr a;
	struct lease l;
	int r;

	r = port_admit(s, req, rx, now);
	if (r <= 0)
		return r;
	r = discover_choose(s, req, now, &a);
	if (r == -ENOSPC) {
		pool_full_set(s, true);
		s->stats.dropped_pool_full++;
		return 0;
	}
	if (r < 0)
		return r;

	/* a live binding stays as it is (the offer repeats it); anything else is held 60 s */
	cur = lease_store_find_by_ip(s->store, a);
	if (!cur || !lease_is_mine(cur, req) || cur->state != LEASE_BOUND || cur->expires <= now) {
		lease_for(s, req, a, LEASE_OFFERED, now + DHCP_OFFER_SEC, &l);
		r = lease_store_put(s->store, &l);
		if (r < 0)
			return put_failed(s, r);
	}
	return reply_build(s, req, DHCP_MSG_OFFER, a, true, ret);
}

/* Binds 'a' to the client and ACKs, or NAKs when it may not have it. */
static int request_commit(struct dhcp_server *s, const struct request *req,
			  const struct dhcp_rx *rx, struct in_addr a, uint64_t now,
			  struct dhcp_reply *ret)
{
	struct lease l;
	int r;

	if (!addr_is_allowed(s, req, a, now) || !addr_is_free_for(s, req, a, now))
		return reply_nak(s, req, ret);
	r = port_admit(s, req, rx, now);
	if (r <= 0)
		return r;
	lease_for(s, req, a, LEASE_BOUND, now + s->cfg.lease_time_sec, &l);
	r = lease_store_put(s->store, &l);
	if (r < 0)
		return put_failed(s, r);
	s->stats.acks++;
	return reply_build(s, req, DHCP_MSG_ACK, a, true, ret);
}

/*
 * RFC 2131 §4.3.2. SELECTING (server identifier present): the client chose a server; if not us,
 * our offer is withdrawn. INIT-REBOOT (no server identifier, 'ciaddr' zero): the client checks
 * the address it remembers: NAK if it is wrong for this network or someone else's; we ACK a free
 * address it may have rather than stay silent, so that a client whose lease we lost keeps it.
 * RENEWING (unicast) and REBINDING (broadcast) carry the address in 'ciaddr': extend or NAK.
 */
static int handle_request(struct dhcp_server *s, const struct request *req,
			  const struct dhcp_rx *rx, uint64_t now, struct dhcp_reply *ret)
{
	const struct lease *cur = lease_store_find_by_id(s->store, req->id, req->id_len);
	struct in_addr a;

	if (req->has_server_id) {
		if (!in_addr_equal(req->server_id, s->cfg.server_id)) {
			if (cur && cur->state == LEASE_OFFERED)
				lease_store_remove(s->store, cur->ip);
			s->stats.dropped_not_for_us++;
			return 0;
		}
		a = req->has_requested ? req->requested : req->ciaddr;
		if (!a.s_addr)
			return -EBADMSG;
		/* it must take what we offered, or the address it holds */
		if (cur && !in_addr_equal(cur->ip, a) && lease_is_held(cur, now))
			return reply_nak(s, req, ret);
		return request_commit(s, req, rx, a, now, ret);
	}
	if (!req->ciaddr.s_addr) {
		if (!req->has_requested)
			return -EBADMSG;
		a = req->requested;
	} else
		a = req->ciaddr;
	if (!in_subnet(s, a))
		return reply_nak(s, req, ret);
	return request_commit(s, req, rx, a, now, ret);
}

/*
 * RFC 2131 §4.3.3: the client found its address in use. Only the client holding it may say so
 * (else one guest could push others' addresses out of the pool); the address is kept out of the
 * pool for decline_sec, without an owner.
 */
static int handle_decline(struct dhcp_server *s, const struct request *req, uint64_t now)
{
	uint32_t hold = s->cfg.decline_sec ? s->cfg.decline_sec : DHCP_DECLINE_SEC_DEFAULT;
	const struct lease *cur;
	struct in_addr a;
	struct lease l;
	int r;

	if (req->has_server_id && !in_addr_equal(req->server_id, s->cfg.server_id))
		goto ignore;
	a = req->has_requested ? req->requested : req->ciaddr;
	cur = lease_store_find_by_ip(s->store, a);
	if (!a.s_addr || !cur || !lease_is_mine(cur, req) || cur->state == LEASE_RELEASED ||
	    cur->state == LEASE_DECLINED)
		goto ignore;
	l = (struct lease){ .ip = a, .state = LEASE_DECLINED, .expires = now + hold };
	memcpy(l.mac, cur->mac, sizeof(l.mac));
	r = lease_store_put(s->store, &l);
	if (r < 0)
		return r;
	s->stats.declines++;
	return 0;
ignore:
	s->stats.dropped_not_for_us++;
	return 0;
}

/* RFC 2131 §4.3.4: the address is free again, and remembered for this client. */
static int handle_release(struct dhcp_server *s, const struct request *req, uint64_t now)
{
	const struct lease *cur = lease_store_find_by_ip(s->store, req->ciaddr);
	struct lease l;
	int r;

	if ((req->has_server_id && !in_addr_equal(req->server_id, s->cfg.server_id)) || !cur ||
	    !lease_is_mine(cur, req) || cur->state != LEASE_BOUND) {
		s->stats.dropped_not_for_us++;
		return 0;
	}
	l = *cur;
	l.state = LEASE_RELEASED;
	if (l.expires > now)
		l.expires = now;
	r = lease_store_put(s->store, &l);
	if (r < 0)
		return r;
	s->stats.releases++;
	return 0;
}

/* RFC 2131 §4.3.5: configuration only: no address, no lease time, to 'ciaddr'. */
static int handle_inform(struct dhcp_server *s, const struct request *req, struct dhcp_reply *ret)
{
	if (!req->giaddr.s_addr && req->ciaddr.s_addr && !in_subnet(s, req->ciaddr)) {
		s->stats.dropped_not_for_us++;
		return 0;
	}
	s->stats.informs++;
	return reply_build(s, req, DHCP_MSG_ACK, (struct in_addr){ 0 }, false, ret);
}

int dhcp_server_handle_message(struct dhcp_server *s, const uint8_t *buf, size_t len,
			       const struct dhcp_rx *rx, uint64_t now_sec, uint64_t now_usec,
			       struct dhcp_reply *ret)
{
	struct request req;
	int r;

	s->stats.received++;
	r = request_parse(s, buf, len, &req);
	if (r == 0 || (r > 0 && req.giaddr.s_addr && !in_subnet(s, req.giaddr))) {
		/* a server's message, or a relay serving another network */
		s->stats.dropped_not_for_us++;
		return 0;
	}
	if (r < 0)
		goto malformed;
	if (!rate_allow(s, &req, now_usec)) {
		s->stats.dropped_rate_limited++;
		return 0;
	}
	if (req.has_mac && s->hosts)
		req.host = network_hosts_find_mac(s->hosts, req.h.chaddr);

	switch (req.type) {
	case DHCP_MSG_DISCOVER:
		r = handle_discover(s, &req, rx, now_sec, ret);
		break;
	case DHCP_MSG_REQUEST:
		r = handle_request(s, &req, rx, now_sec, ret);
		break;
	case DHCP_MSG_DECLINE:
		r = handle_decline(s, &req, now_sec);
		break;
	case DHCP_MSG_RELEASE:
		r = handle_release(s, &req, now_sec);
		break;
	default:
		r = handle_inform(s, &req, ret);
		break;
	}
	if (r == -EBADMSG)
		goto malformed;
	if (r > 0)
		s->stats.replied++;
	return r;
malformed:
	s->stats.dropped_malformed++;
	return -EBADMSG;
}

/* Set-up */

static int config_check(const struct dhcp_server_config *c)
{
	uint32_t mask, net, bcast, id, first, last;

	if (c->subnet.prefixlen < 1 || c->subnet.prefixlen > 30)
		return -EINVAL;
	mask = UINT32_MAX << (32 - c->subnet.prefixlen);
	net = in_addr_to_host(c->subnet.addr);
	bcast = net | ~mask;
	id = in_addr_to_host(c->server_id);
	first = in_addr_to_host(c->range_first);
	last = in_addr_to_host(c->range_last);
	if ((net & ~mask) || (id & mask) != net || id == net || id == bcast)
		return -EINVAL;
	if ((first & mask) != net || (last & mask) != net || first > last)
		return -EINVAL;
	if (c->lease_time_sec == 0 || c->n_routes > DHCP_ROUTES_MAX ||
	    strnlen(c->domain, sizeof(c->domain)) >= sizeof(c->domain))
		return -EINVAL;
	if (c->mtu != 0 && (c->mtu < 68 || c->mtu > UINT16_MAX))
		return -EINVAL;
	for (size_t i = 0; i < c->n_routes; i++)
		if (c->routes[i].dst.prefixlen > 32)
			return -EINVAL;
	return 0;
}

int dhcp_server_set_config(struct dhcp_server *s, const struct dhcp_server_config *cfg)
{
	int r = config_check(cfg);

	if (r < 0)
		return r;
	s->cfg = *cfg;
	s->mask = UINT32_MAX << (32 - cfg->subnet.prefixlen);
	s->net = in_addr_to_host(cfg->subnet.addr);
	s->bcast = s->net | ~s->mask;
	s->first = in_addr_to_host(cfg->range_first);
	s->last = in_addr_to_host(cfg->range_last);
	if (s->rate_slots != rate_slots_for(cfg->subnet.prefixlen)) {
		/* another subnet size: the rate state starts afresh, at the new size */
		free(s->rate);
		s->rate = NULL;
		s->rate_slots = rate_slots_for(cfg->subnet.prefixlen);
	}
	/* what the pool excludes may have changed (the gateway, the range) */
	lease_store_reset_excluded(s->store);
	return 0;
}

int dhcp_server_new(const struct dhcp_server_config *cfg, struct lease_store *store,
		    struct dhcp_server **ret)
{
	_cleanup_(dhcp_server_freep) struct dhcp_server *s = NULL;
	int r;

	if (!cfg || !store || !ret)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->store = store;
	if (getrandom(s->key, sizeof(s->key), GRND_NONBLOCK) != (ssize_t)sizeof(s->key)) {
		uint64_t t = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)s;

		memcpy(s->key, &t, sizeof(t));
	}
	r = dhcp_server_set_config(s, cfg);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(s);
	return 0;
}

struct dhcp_server *dhcp_server_free(struct dhcp_server *s)
{
	if (!s)
		return NULL;
	ports_clear(s);
	free(s->ports);
	free(s->by_ip);
	free(s->rate);
	free(s);
	return NULL;
}

static int host_cmp_ip(const void *a, const void *b)
{
	uint32_t x = in_addr_to_host((*(const struct network_host *const *)a)->ip);
	uint32_t y = in_addr_to_host((*(const struct network_host *const *)b)->ip);

	return x < y ? -1 : x > y;
}

void dhcp_server_set_hosts(struct dhcp_server *s, const struct network_hosts *hosts)
{
	s->hosts = hosts;
	/* An index by address makes the per-message reservation lookups O(log n); without memory
	 * for it, lookups fall back to a scan. */
	free(s->by_ip);
	s->by_ip = NULL;
	if (hosts && hosts->n > 0) {
		s->by_ip = calloc(hosts->n, sizeof(*s->by_ip));
		if (s->by_ip) {
			for (size_t i = 0; i < hosts->n; i++)
				s->by_ip[i] = &hosts->items[i];
			qsort(s->by_ip, hosts->n, sizeof(*s->by_ip), host_cmp_ip);
		}
	}
	/* reserved addresses the free search set aside may be free now */
	lease_store_reset_excluded(s->store);
}

bool dhcp_server_pool_full_edge(struct dhcp_server *s)
{
	bool edge = s->pool_full_edge;

	s->pool_full_edge = false;
	return edge;
}

void dhcp_server_get_stats(const struct dhcp_server *s, struct dhcp_server_stats *ret)
{
	*ret = s->stats;
}
