/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for dhcp/dhcp-server, after systemd's test-dhcp-server.c: literal client messages
 * (built by a small helper) fed to dhcp_server_handle_message() with an injected clock, the
 * replies checked field by field. Covers DORA, the four REQUEST states, DECLINE, RELEASE,
 * INFORM, reservations, a full pool, relays, option order and size, host names, identities,
 * destinations (RFC 2131 §4.1), malformed input and the limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config/conf-host.h"
#include "dhcp/dhcp-option.h"
#include "dhcp/dhcp-proto.h"
#include "dhcp/dhcp-server.h"
#include "lease/lease-store.h"
#include "shared/alloc-util.h"
#include "shared/in-addr-util.h"

/* A client message under construction. */
struct msg {
	uint8_t buf[2048];
	size_t len;
};

struct ctx {
	struct dhcp_server_config cfg;
	struct lease_store *store;
	struct dhcp_server *srv;
	struct network_host items[8];
	struct network_hosts hosts;
	struct dhcp_rx rx;
	uint64_t now_sec, now_usec;
	size_t journaled;              /* durable changes the store reported */
	struct dhcp_reply reply;
	struct dhcp_options opt;       /* of the last reply */
};

static struct in_addr A(const char *s)
{
	struct in_addr a;

	assert_int_equal(in_addr_from_string(s, &a), 0);
	return a;
}

static void assert_addr(struct in_addr a, const char *expected)
{
	char buf[INET_ADDRSTRLEN];

	assert_string_equal(in_addr_to_string(a, buf), expected);
}

static void mac_of(uint8_t mac[6], unsigned n)
{
	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = 0x00;
	mac[3] = (uint8_t)(n >> 16);
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

static void msg_init(struct msg *m, uint8_t type, unsigned client)
{
	struct dhcp_header h = {
		.op = DHCP_OP_BOOTREQUEST,
		.htype = DHCP_HTYPE_ETHER,
		.hlen = 6,
		.xid = htonl(0x1000 + client),
		.magic = htonl(DHCP_MAGIC_COOKIE),
	};

	mac_of(h.chaddr, client);
	memset(m, 0, sizeof(*m));
	memcpy(m->buf, &h, sizeof(h));
	m->len = DHCP_HEADER_SIZE;
	m->buf[m->len++] = DHCP_OPTION_MESSAGE_TYPE;
	m->buf[m->len++] = 1;
	m->buf[m->len++] = type;
}

static void msg_opt(struct msg *m, uint8_t code, const void *data, size_t len)
{
	assert_true(m->len + 2 + len <= sizeof(m->buf));
	m->buf[m->len++] = code;
	m->buf[m->len++] = (uint8_t)len;
	memcpy(m->buf + m->len, data, len);
	m->len += len;
}

static void msg_opt_addr(struct msg *m, uint8_t code, const char *ip)
{
	struct in_addr a = A(ip);

	msg_opt(m, code, &a, 4);
}

static void msg_addr(struct msg *m, size_t offset, const char *ip)
{
	struct in_addr a = A(ip);

	memcpy(m->buf + offset, &a, 4);
}

#define CIADDR_OFFSET 12
#define GIADDR_OFFSET 24
#define FLAGS_OFFSET 10
#define CHADDR_OFFSET 28

static void msg_broadcast(struct msg *m)
{
	m->buf[FLAGS_OFFSET] |= 0x80;
}

static void journal_cb(const struct lease *l, bool removed, void *data)
{
	struct ctx *c = data;

	c->journaled++;
}

static void ctx_config(struct dhcp_server_config *cfg, const char *first, const char *last)
{
	*cfg = (struct dhcp_server_config){
		.server_id = A("192.168.100.1"),
		.subnet = { A("192.168.100.0"), 24 },
		.range_first = A(first),
		.range_last = A(last),
		.dns = true,
		.domain = "lab.kvmnet",
		.lease_time_sec = 3600,
		.decline_sec = 600,
	};
}

static int setup_range(void **state, const char *first, const char *last)
{
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	ctx_config(&c->cfg, first, last);
	assert_int_equal(lease_store_new(c->cfg.range_first, c->cfg.range_last, journal_cb, c,
					 &c->store), 0);
	assert_int_equal(dhcp_server_new(&c->cfg, c->store, &c->srv), 0);
	c->hosts.items = c->items;
	dhcp_server_set_hosts(c->srv, &c->hosts);
	c->rx = (struct dhcp_rx){ .ifindex = 3, .src_port = 68, .dst = { INADDR_BROADCAST } };
	c->now_sec = 1700000000;
	c->now_usec = 5000000;
	*state = c;
	return 0;
}

static int setup(void **state)
{
	return setup_range(state, "192.168.100.10", "192.168.100.20");
}

static int setup_tiny(void **state)
{
	int r = setup_range(state, "192.168.100.2", "192.168.100.6");
	struct ctx *c = *state;

	/* a /29: .0 network, .1 gateway, .2-.6 the pool, .7 broadcast */
	c->cfg.subnet = (struct in_prefix){ A("192.168.100.0"), 29 };
	assert_int_equal(dhcp_server_set_config(c->srv, &c->cfg), 0);
	return r;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	dhcp_server_free(c->srv);
	lease_store_free(c->store);
	free(c);
	return 0;
}

/* Feeds 'm' to the engine; on a reply, parses it into c->opt. */
static int handle(struct ctx *c, struct msg *m)
{
	int r;

	if (m->len < sizeof(m->buf) && m->buf[m->len - 1] != DHCP_OPTION_END)
		m->buf[m->len++] = DHCP_OPTION_END;
	c->now_usec += 200000; /* well inside the rate limit */
	memset(&c->reply, 0, sizeof(c->reply));
	r = dhcp_server_handle_message(c->srv, m->buf, m->len, &c->rx, c->now_sec, c->now_usec,
				       &c->reply);
	if (r == 1) {
		const struct dhcp_header *h = (const struct dhcp_header *)c->reply.buf;

		assert_true(c->reply.len >= DHCP_HEADER_SIZE);
		assert_true(c->reply.len <= DHCP_REPLY_MAX);
		assert_int_equal(h->op, DHCP_OP_BOOTREPLY);
		assert_memory_equal(&h->xid, m->buf + 4, 4);
		assert_memory_equal(h->chaddr, m->buf + CHADDR_OFFSET, 16);
		assert_int_equal(dhcp_options_parse(&c->opt, c->reply.buf, c->reply.len), 0);
		assert_int_equal(c->reply.buf[c->reply.len - 1], DHCP_OPTION_END);
	}
	return r;
}

/* Feeds 'm' as it is, at the current time. */
static int handle_raw(struct ctx *c, const struct msg *m)
{
	return dhcp_server_handle_message(c->srv, m->buf, m->len, &c->rx, c->now_sec, c->now_usec,
					  &c->reply);
}

static uint8_t reply_type(struct ctx *c)
{
	uint8_t t = 0;

	assert_int_equal(dhcp_options_get_u8(&c->opt, DHCP_OPTION_MESSAGE_TYPE, &t), 0);
	assert_int_equal(t, c->reply.type);
	return t;
}

static struct in_addr reply_yiaddr(struct ctx *c)
{
	struct in_addr a;

	memcpy(&a, c->reply.buf + 16, 4);
	return a;
}

static struct in_addr reply_ciaddr(struct ctx *c)
{
	struct in_addr a;

	memcpy(&a, c->reply.buf + CIADDR_OFFSET, 4);
	return a;
}

/* DISCOVER from 'client'; returns the offered address (asserting an OFFER). */
static struct in_addr discover(struct ctx *c, unsigned client)
{
	struct msg m;

	msg_init(&m, DHCP_MSG_DISCOVER, client);
	assert_int_equal(handle(c, &m), 1);
	assert_int_equal(reply_type(c), DHCP_MSG_OFFER);
	return reply_yiaddr(c);
}

/* REQUEST in SELECTING state for 'ip' from our server; returns the reply type. */
static uint8_t request_select(struct ctx *c, unsigned client, struct in_addr ip)
{
	struct msg m;

	msg_init(&m, DHCP_MSG_REQUEST, client);
	msg_opt(&m, DHCP_OPTION_REQUESTED_IP, &ip, 4);
	msg_opt_addr(&m, DHCP_OPTION_SERVER_ID, "192.168.100.1");
	assert_int_equal(handle(c, &m), 1);
	return reply_type(c);
}

static struct in_addr dora(struct ctx *c, unsigned client)
{
	struct in_addr a = discover(c, client);

	assert_int_equal(request_select(c, client, a), DHCP_MSG_ACK);
	assert_int_equal(reply_yiaddr(c).s_addr, a.s_addr);
	return a;
}

static uint8_t request_plain(struct ctx *c, unsigned client, const char *requested,
			     const char *ciaddr)
{
	struct msg m;
	int r;

	msg_init(&m, DHCP_MSG_REQUEST, client);
	if (requested)
		msg_opt_addr(&m, DHCP_OPTION_REQUESTED_IP, requested);
	if (ciaddr)
		msg_addr(&m, CIADDR_OFFSET, ciaddr);
	r = handle(c, &m);
	if (r != 1)
		return 0;
	return reply_type(c);
}

static void add_host(struct ctx *c, unsigned client, const char *ip, const char *name)
{
	struct network_host h = { .ip = A(ip) };
	size_t i;

	mac_of(h.mac, client);
	snprintf(h.name, sizeof(h.name), "%s", name);
	/* kept sorted by MAC, as conf-host.c keeps them */
	for (i = c->hosts.n; i > 0 && memcmp(c->items[i - 1].mac, h.mac, 6) > 0; i--)
		c->items[i] = c->items[i - 1];
	c->items[i] = h;
	c->hosts.n++;
	dhcp_server_set_hosts(c->srv, &c->hosts);
}

static struct dhcp_server_stats stats(struct ctx *c)
{
	struct dhcp_server_stats st;

	dhcp_server_get_stats(c->srv, &st);
	return st;
}

static const struct lease *lease_of(struct ctx *c, unsigned client)
{
	uint8_t id[7] = { DHCP_HTYPE_ETHER };

	mac_of(id + 1, client);
	return lease_store_find_by_id(c->store, id, sizeof(id));
}

static void test_dora(void **state)
{
	struct ctx *c = *state;
	struct in_addr a, got;
	const struct lease *l;
	uint32_t u32;
	size_t journaled;

	a = discover(c, 1);
	assert_addr(a, "192.168.100.10");
	/* the offer: server id, lease times, mask, router, DNS, domain, broadcast */
	assert_int_equal(dhcp_options_get_addr(&c->opt, DHCP_OPTION_SERVER_ID, &got), 0);
	assert_addr(got, "192.168.100.1");
	assert_int_equal(dhcp_options_get_u32(&c->opt, DHCP_OPTION_LEASE_TIME, &u32), 0);
	assert_int_equal(u32, 3600);
	assert_int_equal(dhcp_options_get_u32(&c->opt, DHCP_OPTION_RENEWAL_TIME, &u32), 0);
	assert_int_equal(u32, 1800);
	assert_int_equal(dhcp_options_get_u32(&c->opt, DHCP_OPTION_REBINDING_TIME, &u32), 0);
	assert_int_equal(u32, 3150);
	assert_int_equal(dhcp_options_get_addr(&c->opt, DHCP_OPTION_SUBNET_MASK, &got), 0);
	assert_addr(got, "255.255.255.0");
	assert_int_equal(dhcp_options_get_addr(&c->opt, DHCP_OPTION_ROUTER, &got), 0);
	assert_addr(got, "192.168.100.1");
	assert_int_equal(dhcp_options_get_addr(&c->opt, DHCP_OPTION_DNS_SERVER, &got), 0);
	assert_addr(got, "192.168.100.1");
	assert_int_equal(dhcp_options_get_addr(&c->opt, DHCP_OPTION_BROADCAST, &got), 0);
	assert_addr(got, "192.168.100.255");
	assert_memory_equal(dhcp_options_get(&c->opt, DHCP_OPTION_DOMAIN_NAME, NULL), "lab.kvmnet",
			    10);
	assert_false(dhcp_options_has(&c->opt, DHCP_OPTION_MTU));
	assert_false(dhcp_options_has(&c->opt, DHCP_OPTION_CLASSLESS_ROUTES));
	/* held as an offer: in memory only */
	l = lease_of(c, 1);
	assert_non_null(l);
	assert_int_equal(l->state, LEASE_OFFERED);
	assert_int_equal(c->journaled, 0);
	/* a second DISCOVER gets the same offer; another client another address */
	assert_int_equal(discover(c, 1).s_addr, a.s_addr);
	assert_addr(discover(c, 2), "192.168.100.11");

	journaled = c->journaled;
	assert_int_equal(request_select(c, 1, a), DHCP_MSG_ACK);
	assert_int_equal(reply_yiaddr(c).s_addr, a.s_addr);
	assert_int_equal(dhcp_options_get_u32(&c->opt, DHCP_OPTION_LEASE_TIME, &u32), 0);
	l = lease_of(c, 1);
	assert_int_equal(l->state, LEASE_BOUND);
	assert_int_equal(l->expires, c->now_sec + 3600);
	assert_memory_equal(l->mac, "\x52\x54\x00\x00\x00\x01", 6);
	/* durable (reported to the journal) before the ACK was returned */
	assert_int_equal(c->journaled, journaled + 1);
	/* a bound client's DISCOVER is offered its binding, which stays bound */
	assert_int_equal(discover(c, 1).s_addr, a.s_addr);
	assert_int_equal(lease_of(c, 1)->state, LEASE_BOUND);
	assert_int_equal(stats(c).offers, 4);
	assert_int_equal(stats(c).acks, 1);
	assert_int_equal(stats(c).replied, 5);
}

static void test_request_selecting(void **state)
{
	struct ctx *c = *state;
	struct in_addr a = discover(c, 1);
	struct msg m;

	/* it chose another server: our offer is withdrawn, no reply */
	msg_init(&m, DHCP_MSG_REQUEST, 1);
	msg_opt(&m, DHCP_OPTION_REQUESTED_IP, &a, 4);
	msg_opt_addr(&m, DHCP_OPTION_SERVER_ID, "192.168.100.254");
	assert_int_equal(handle(c, &m), 0);
	assert_null(lease_of(c, 1));
	assert_int_equal(stats(c).dropped_not_for_us, 1);

	/* it asks us for something other than our offer: NAK */
	a = discover(c, 1);
	assert_int_equal(request_select(c, 1, A("192.168.100.15")), DHCP_MSG_NAK);
	assert_int_equal(reply_yiaddr(c).s_addr, 0);
	assert_false(dhcp_options_has(&c->opt, DHCP_OPTION_LEASE_TIME));
	assert_int_equal(c->reply.dest, DHCP_DEST_BROADCAST);
	/* the offered one: ACK */
	assert_int_equal(request_select(c, 1, a), DHCP_MSG_ACK);

	/* no address at all is malformed */
	msg_init(&m, DHCP_MSG_REQUEST, 1);
	msg_opt_addr(&m, DHCP_OPTION_SERVER_ID, "192.168.100.1");
	assert_int_equal(handle(c, &m), -EBADMSG);
	/* an offer that lapsed is granted when the address is still free */
	c->now_sec += 3 * DHCP_OFFER_SEC;
	lease_store_expire(c->store, c->now_sec);
	assert_int_equal(request_select(c, 9, A("192.168.100.17")), DHCP_MSG_ACK);
}

static void test_request_init_reboot(void **state)
{
	struct ctx *c = *state;
	struct in_addr a = dora(c, 1);
	char ip[INET_ADDRSTRLEN];

	in_addr_to_string(a, ip);
	dora(c, 2); /* .11 */
	add_host(c, 50, "192.168.100.15", "");

	/* its own address: ACK, broadcast or to chaddr */
	assert_int_equal(request_plain(c, 1, ip, NULL), DHCP_MSG_ACK);
	assert_int_equal(reply_ciaddr(c).s_addr, 0);
	/* wrong network */
	assert_int_equal(request_plain(c, 1, "10.9.9.9", NULL), DHCP_MSG_NAK);
	/* someone else's */
	assert_int_equal(request_plain(c, 1, "192.168.100.11", NULL), DHCP_MSG_NAK);
	/* reserved for someone else */
	assert_int_equal(request_plain(c, 3, "192.168.100.15", NULL), DHCP_MSG_NAK);
	/* in the subnet but outside the pool */
	assert_int_equal(request_plain(c, 3, "192.168.100.100", NULL), DHCP_MSG_NAK);
	/* the gateway */
	assert_int_equal(request_plain(c, 3, "192.168.100.1", NULL), DHCP_MSG_NAK);
	/* no record of this client, address free and in the pool: ACK */
	assert_int_equal(request_plain(c, 3, "192.168.100.18", NULL), DHCP_MSG_ACK);
	assert_addr(lease_of(c, 3)->ip, "192.168.100.18");
	/* a client moving to another free address gives up its old one */
	assert_int_equal(request_plain(c, 1, "192.168.100.19", NULL), DHCP_MSG_ACK);
	assert_null(lease_store_find_by_ip(c->store, a));
	/* without option 50 and ciaddr, it is malformed */
	assert_int_equal(request_plain(c, 1, NULL, NULL), 0);
	assert_int_equal(stats(c).dropped_malformed, 1);
}

static void test_request_renew_rebind(void **state)
{
	struct ctx *c = *state;
	struct in_addr a = dora(c, 1);
	char ip[INET_ADDRSTRLEN];
	struct msg m;

	in_addr_to_string(a, ip);
	dora(c, 2);
	c->now_sec += 1800;
	/* RENEWING: unicast, ciaddr set */
	c->rx.dst = A("192.168.100.1");
	c->rx.src = a;
	assert_int_equal(request_plain(c, 1, NULL, ip), DHCP_MSG_ACK);
	assert_int_equal(reply_ciaddr(c).s_addr, a.s_addr);
	assert_int_equal(reply_yiaddr(c).s_addr, a.s_addr);
	assert_int_equal(c->reply.dest, DHCP_DEST_UNICAST_IP);
	assert_int_equal(c->reply.dest_ip.s_addr, a.s_addr);
	assert_int_equal(c->reply.dest_port, 68);
	assert_int_equal(lease_of(c, 1)->expires, c->now_sec + 3600);

	/* REBINDING: broadcast, ciaddr set: still answered to ciaddr */
	c->now_sec += 1500;
	c->rx.dst.s_addr = INADDR_BROADCAST;
	msg_init(&m, DHCP_MSG_REQUEST, 1);
	msg_addr(&m, CIADDR_OFFSET, ip);
	msg_broadcast(&m);
	assert_int_equal(handle(c, &m), 1);
	assert_int_equal(reply_type(c), DHCP_MSG_ACK);
	assert_int_equal(c->reply.dest, DHCP_DEST_UNICAST_IP);
	assert_int_equal(lease_of(c, 1)->expires, c->now_sec + 3600);

	/* renewing someone else's address, or one off the network: NAK */
	assert_int_equal(request_plain(c, 3, NULL, ip), DHCP_MSG_NAK);
	assert_int_equal(request_plain(c, 3, NULL, "172.16.0.5"), DHCP_MSG_NAK);
	/* a lease that expired while its holder slept comes back if nobody took it */
	c->now_sec += 7200;
	lease_store_expire(c->store, c->now_sec);
	assert_int_equal(lease_of(c, 1)->state, LEASE_RELEASED);
	assert_int_equal(request_plain(c, 1, NULL, ip), DHCP_MSG_ACK);
	assert_int_equal(lease_of(c, 1)->state, LEASE_BOUND);
}

static void test_decline(void **state)
{
	struct ctx *c = *state;
	struct in_addr a = dora(c, 1), b;
	const struct lease *l;
	struct msg m;

	/* another client cannot decline it */
	msg_init(&m, DHCP_MSG_DECLINE, 2);
	msg_opt(&m, DHCP_OPTION_REQUESTED_IP, &a, 4);
	msg_opt_addr(&m, DHCP_OPTION_SERVER_ID, "192.168.100.1");
	assert_int_equal(handle(c, &m), 0);
	assert_int_equal(lease_of(c, 1)->state, LEASE_BOUND);

	msg_init(&m, DHCP_MSG_DECLINE, 1);
	msg_opt(&m, DHCP_OPTION_REQUESTED_IP, &a, 4);
	msg_opt_addr(&m, DHCP_OPTION_SERVER_ID, "192.168.100.1");
	assert_int_equal(handle(c, &m), 0);
	assert_int_equal(stats(c).declines, 1);
	l = lease_store_find_by_ip(c->store, a);
	assert_int_equal(l->state, LEASE_DECLINED);
	assert_int_equal(l->expires, c->now_sec + 600);
	assert_int_equal(l->id_len, 0);
	assert_null(lease_of(c, 1));

	/* its next DISCOVER gets a different address; so does everyone's */
	b = discover(c, 1);
	assert_int_not_equal(b.s_addr, a.s_addr);
	/* even when it asks for the declined one */
	msg_init(&m, DHCP_MSG_DISCOVER, 3);
	msg_opt(&m, DHCP_OPTION_REQUESTED_IP, &a, 4);
	assert_int_equal(handle(c, &m), 1);
	assert_int_not_equal(reply_yiaddr(c).s_addr, a.s_addr);
	assert_int_equal(request_plain(c, 4, "192.168.100.10", NULL), DHCP_MSG_NAK);
}

static void test_release(void **state)
{
	struct ctx *c = *state;
	struct in_addr a = dora(c, 1);
	char ip[INET_ADDRSTRLEN];
	struct msg m;

	in_addr_to_string(a, ip);
	/* not its lease: ignored */
	msg_init(&m, DHCP_MSG_RELEASE, 2);
	msg_addr(&m, CIADDR_OFFSET, ip);
	assert_int_equal(handle(c, &m), 0);
	assert_int_equal(lease_of(c, 1)->state, LEASE_BOUND);

	msg_init(&m, DHCP_MSG_RELEASE, 1);
	msg_addr(&m, CIADDR_OFFSET, ip);
	msg_opt_addr(&m, DHCP_OPTION_SERVER_ID, "192.168.100.1");
	assert_int_equal(handle(c, &m), 0);
	assert_int_equal(stats(c).releases, 1);
	assert_int_equal(lease_of(c, 1)->state, LEASE_RELEASED);

	/* a newcomer gets a never-used address; the client returning its old one */
	c->now_sec += 100;
	assert_addr(dora(c, 2), "192.168.100.11");
	assert_int_equal(dora(c, 1).s_addr, a.s_addr);
}

static void test_inform(void **state)
{
	struct ctx *c = *state;
	struct msg m;
	size_t n = lease_store_count(c->store);

	msg_init(&m, DHCP_MSG_INFORM, 1);
	msg_addr(&m, CIADDR_OFFSET, "192.168.100.200");
	assert_int_equal(handle(c, &m), 1);
	assert_int_equal(reply_type(c), DHCP_MSG_ACK);
	assert_int_equal(reply_yiaddr(c).s_addr, 0);
	assert_addr(reply_ciaddr(c), "192.168.100.200");
	assert_false(dhcp_options_has(&c->opt, DHCP_OPTION_LEASE_TIME));
	assert_false(dhcp_options_has(&c->opt, DHCP_OPTION_RENEWAL_TIME));
	assert_true(dhcp_options_has(&c->opt, DHCP_OPTION_ROUTER));
	assert_int_equal(c->reply.dest, DHCP_DEST_UNICAST_IP);
	assert_addr(c->reply.dest_ip, "192.168.100.200");
	assert_int_equal(lease_store_count(c->store), n);
	assert_int_equal(stats(c).informs, 1);
	/* from another network's address: not ours to answer */
	msg_addr(&m, CIADDR_OFFSET, "10.1.1.1");
	assert_int_equal(handle(c, &m), 0);
}

static void test_reservation(void **state)
{
	struct ctx *c = *state;
	struct msg m;

	add_host(c, 7, "192.168.100.50", "seven");
	add_host(c, 8, "192.168.100.10", "eight");
	/* the reserved MAC gets its address, outside the pool */
	assert_addr(dora(c, 7), "192.168.100.50");
	assert_int_equal(lease_of(c, 7)->state, LEASE_BOUND);
	/* the host name is given when asked for */
	msg_init(&m, DHCP_MSG_DISCOVER, 8);
	msg_opt(&m, DHCP_OPTION_PARAMETER_REQUEST_LIST, "\x0c\x01", 2);
	assert_int_equal(handle(c, &m), 1);
	assert_addr(reply_yiaddr(c), "192.168.100.10");
	assert_memory_equal(dhcp_options_get(&c->opt, DHCP_OPTION_HOST_NAME, NULL), "eight", 5);

	/* reserved addresses are never given to others, asked for or not */
	assert_addr(discover(c, 1), "192.168.100.11");
	msg_init(&m, DHCP_MSG_DISCOVER, 2);
	msg_opt_addr(&m, DHCP_OPTION_REQUESTED_IP, "192.168.100.10");
	assert_int_equal(handle(c, &m), 1);
	assert_addr(reply_yiaddr(c), "192.168.100.12");
	assert_int_equal(request_plain(c, 3, "192.168.100.50", NULL), DHCP_MSG_NAK);
	/* the reserved client cannot take a pool address instead */
	assert_int_equal(request_plain(c, 7, "192.168.100.13", NULL), DHCP_MSG_NAK);
}

static void test_reservation_mid_lease(void **state)
{
	struct ctx *c = *state;
	struct in_addr a = dora(c, 1), b = dora(c, 2);
	char ip[INET_ADDRSTRLEN], ipb[INET_ADDRSTRLEN];

	in_addr_to_string(a, ip);
	in_addr_to_string(b, ipb);
	/* client 1 gets a reservation elsewhere; client 3 one for client 2's address */
	add_host(c, 1, "192.168.100.60", "");
	add_host(c, 3, ipb, "");

	/* client 1's renewal is NAKed; it starts over and gets the reservation */
	assert_int_equal(request_plain(c, 1, NULL, ip), DHCP_MSG_NAK);
	assert_addr(dora(c, 1), "192.168.100.60");
	assert_null(lease_store_find_by_ip(c->store, a));

	/* client 3's address is still leased to 2: it is served from the pool meanwhile */
	struct in_addr t = dora(c, 3);
	assert_int_not_equal(t.s_addr, b.s_addr);
	/* client 2 is NAKed at its renewal, and moves */
	assert_int_equal(request_plain(c, 2, NULL, ipb), DHCP_MSG_NAK);
	assert_int_not_equal(dora(c, 2).s_addr, b.s_addr);
	/* now client 3's renewal is NAKed and it moves to its reservation */
	in_addr_to_string(t, ip);
	assert_int_equal(request_plain(c, 3, NULL, ip), DHCP_MSG_NAK);
	assert_int_equal(dora(c, 3).s_addr, b.s_addr);

	/* a reservation removed frees its address and the client moves back to the pool */
	c->hosts.n = 0;
	dhcp_server_set_hosts(c->srv, &c->hosts);
	assert_int_equal(request_plain(c, 1, NULL, "192.168.100.60"), DHCP_MSG_NAK);
	assert_int_equal(lease_store_find_by_ip(c->store, A("192.168.100.60"))->state, LEASE_BOUND);
	a = dora(c, 1);
	assert_null(lease_store_find_by_ip(c->store, A("192.168.100.60")));
	assert_true(in_addr_to_host(a) >= 0xc0a8640a && in_addr_to_host(a) <= 0xc0a86414);
}

static void test_pool_full(void **state)
{
	struct ctx *c = *state;
	struct in_addr got[5];
	char ip[INET_ADDRSTRLEN];
	struct msg m;

	for (unsigned i = 0; i < 5; i++)
		got[i] = dora(c, i + 1);
	assert_addr(got[0], "192.168.100.2");
	assert_addr(got[4], "192.168.100.6");
	assert_false(dhcp_server_pool_full_edge(c->srv));

	msg_init(&m, DHCP_MSG_DISCOVER, 6);
	assert_int_equal(handle(c, &m), 0);
	assert_int_equal(stats(c).dropped_pool_full, 1);
	assert_true(dhcp_server_pool_full_edge(c->srv));
	assert_false(dhcp_server_pool_full_edge(c->srv));
	msg_init(&m, DHCP_MSG_DISCOVER, 7);
	assert_int_equal(handle(c, &m), 0);
	assert_int_equal(stats(c).dropped_pool_full, 2);
	assert_false(dhcp_server_pool_full_edge(c->srv));

	/* one leaves: the newcomer gets it; full again: a new edge */
	in_addr_to_string(got[2], ip);
	msg_init(&m, DHCP_MSG_RELEASE, 3);
	msg_addr(&m, CIADDR_OFFSET, ip);
	assert_int_equal(handle(c, &m), 0);
	assert_int_equal(dora(c, 6).s_addr, got[2].s_addr);
	msg_init(&m, DHCP_MSG_DISCOVER, 7);
	assert_int_equal(handle(c, &m), 0);
	assert_true(dhcp_server_pool_full_edge(c->srv));
	/* the bound clients still renew */
	in_addr_to_string(got[0], ip);
	assert_int_equal(request_plain(c, 1, NULL, ip), DHCP_MSG_ACK);
}

static void test_relay(void **state)
{
	struct ctx *c = *state;
	static const uint8_t agent[] = { 1, 4, 'p', 'o', 'r', 't', 2, 3, 'r', 'i', 'd' };
	const uint8_t *v;
	size_t n;
	struct msg m;

	c->rx.src = A("192.168.100.254");
	c->rx.src_port = 67;
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	msg_addr(&m, GIADDR_OFFSET, "192.168.100.254");
	m.buf[3] = 1; /* hops */
	msg_broadcast(&m);
	msg_opt(&m, DHCP_OPTION_RELAY_AGENT_INFO, agent, sizeof(agent));
	assert_int_equal(handle(c, &m), 1);
	assert_int_equal(reply_type(c), DHCP_MSG_OFFER);
	assert_int_equal(c->reply.dest, DHCP_DEST_RELAY);
	assert_addr(c->reply.dest_ip, "192.168.100.254");
	assert_int_equal(c->reply.dest_port, 67);
	assert_memory_equal(c->reply.buf + GIADDR_OFFSET, m.buf + GIADDR_OFFSET, 4);
	assert_int_equal(c->reply.buf[FLAGS_OFFSET] & 0x80, 0x80);
	v = dhcp_options_get(&c->opt, DHCP_OPTION_RELAY_AGENT_INFO, &n);
	assert_int_equal(n, sizeof(agent));
	assert_memory_equal(v, agent, sizeof(agent));
	/* echoed as the last option */
	assert_int_equal(c->reply.buf[c->reply.len - 2 - sizeof(agent) - 1], 82);

	/* a NAK through the relay asks it to broadcast */
	msg_init(&m, DHCP_MSG_REQUEST, 2);
	msg_addr(&m, GIADDR_OFFSET, "192.168.100.254");
	msg_opt_addr(&m, DHCP_OPTION_REQUESTED_IP, "192.168.100.99");
	assert_int_equal(handle(c, &m), 1);
	assert_int_equal(reply_type(c), DHCP_MSG_NAK);
	assert_int_equal(c->reply.dest, DHCP_DEST_RELAY);
	assert_int_equal(c->reply.buf[FLAGS_OFFSET] & 0x80, 0x80);
	assert_false(dhcp_options_has(&c->opt, DHCP_OPTION_RELAY_AGENT_INFO));

	/* a relay outside our subnet serves another network */
	msg_init(&m, DHCP_MSG_DISCOVER, 3);
	msg_addr(&m, GIADDR_OFFSET, "10.0.0.1");
	assert_int_equal(handle(c, &m), 0);
	assert_int_equal(stats(c).dropped_not_for_us, 1);
	/* option 82 from a client that is no relay is not echoed */
	msg_init(&m, DHCP_MSG_DISCOVER, 4);
	msg_opt(&m, DHCP_OPTION_RELAY_AGENT_INFO, agent, sizeof(agent));
	assert_int_equal(handle(c, &m), 1);
	assert_false(dhcp_options_has(&c->opt, DHCP_OPTION_RELAY_AGENT_INFO));
}

/* The codes of the reply's options, in order. */
static size_t reply_codes(struct ctx *c, uint8_t *codes, size_t max)
{
	size_t n = 0;

	for (size_t i = DHCP_HEADER_SIZE; i < c->reply.len && n < max;) {
		uint8_t code = c->reply.buf[i];

		if (code == DHCP_OPTION_END)
			break;
		codes[n++] = code;
		i += 2 + c->reply.buf[i + 1];
	}
	return n;
}

static void test_prl_order(void **state)
{
	struct ctx *c = *state;
	static const uint8_t prl[] = { 28, 6, 42, 3, 15, 1, 3 };
	static const uint8_t expected[] = { 53, 54, 51, 58, 59, 28, 6, 3, 15, 1 };
	uint8_t codes[32];
	size_t n;
	struct msg m;

	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	msg_opt(&m, DHCP_OPTION_PARAMETER_REQUEST_LIST, prl, sizeof(prl));
	assert_int_equal(handle(c, &m), 1);
	n = reply_codes(c, codes, ELEMENTSOF(codes));
	assert_int_equal(n, ELEMENTSOF(expected));
	assert_memory_equal(codes, expected, n);

	/* routes: 121 with the default route in it; 249 only when asked for */
	c->cfg.n_routes = 1;
	c->cfg.routes[0] = (struct dhcp_route){ { A("10.20.0.0"), 16 }, A("192.168.100.2") };
	c->cfg.mtu = 1400;
	assert_int_equal(dhcp_server_set_config(c->srv, &c->cfg), 0);
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	msg_opt(&m, DHCP_OPTION_PARAMETER_REQUEST_LIST, "\x79\xf9\x1a", 3);
	assert_int_equal(handle(c, &m), 1);
	n = reply_codes(c, codes, ELEMENTSOF(codes));
	assert_int_equal(codes[5], 121);
	assert_int_equal(codes[6], 249);
	assert_int_equal(codes[7], 26);
	assert_memory_equal(dhcp_options_get(&c->opt, DHCP_OPTION_CLASSLESS_ROUTES, &n),
			    "\x10\x0a\x14\xc0\xa8\x64\x02\x00\xc0\xa8\x64\x01", 12);
	assert_int_equal(n, 12);
}

static void test_max_message_size(void **state)
{
	struct ctx *c = *state;
	uint16_t big = htons(1500), tiny = htons(300);
	struct msg m;

	/* enough options to need more than the 548 bytes every client takes */
	c->cfg.n_routes = DHCP_ROUTES_MAX;
	for (size_t i = 0; i < DHCP_ROUTES_MAX; i++) {
		struct in_prefix dst = { in_addr_from_host(0x0a000000 + (uint32_t)(i << 8)), 30 };

		c->cfg.routes[i] = (struct dhcp_route){ dst, A("192.168.100.2") };
	}
	memset(c->cfg.domain, 'd', 200);
	c->cfg.domain[200] = '\0';
	assert_int_equal(dhcp_server_set_config(c->srv, &c->cfg), 0);

	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	assert_int_equal(handle(c, &m), 1);
	assert_true(c->reply.len <= DHCP_MIN_MESSAGE);
	/* what must be there is */
	assert_true(dhcp_options_has(&c->opt, DHCP_OPTION_SERVER_ID));
	assert_true(dhcp_options_has(&c->opt, DHCP_OPTION_LEASE_TIME));
	assert_true(dhcp_options_has(&c->opt, DHCP_OPTION_SUBNET_MASK));

	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	msg_opt(&m, DHCP_OPTION_MAX_MESSAGE_SIZE, &big, 2);
	assert_int_equal(handle(c, &m), 1);
	assert_true(c->reply.len > DHCP_MIN_MESSAGE);
	assert_true(c->reply.len <= 1500 - 28);
	assert_true(dhcp_options_has(&c->opt, DHCP_OPTION_CLASSLESS_ROUTES));
	assert_true(dhcp_options_has(&c->opt, DHCP_OPTION_DOMAIN_NAME));

	/* below the RFC minimum: ignored */
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	msg_opt(&m, DHCP_OPTION_MAX_MESSAGE_SIZE, &tiny, 2);
	assert_int_equal(handle(c, &m), 1);
	assert_true(c->reply.len <= DHCP_MIN_MESSAGE);
	assert_true(c->reply.len > 300);

	/* the link MTU caps it too */
	c->cfg.mtu = 600;
	assert_int_equal(dhcp_server_set_config(c->srv, &c->cfg), 0);
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	msg_opt(&m, DHCP_OPTION_MAX_MESSAGE_SIZE, &big, 2);
	assert_int_equal(handle(c, &m), 1);
	assert_true(c->reply.len <= 600 - 28);
}

static void test_hostname(void **state)
{
	struct ctx *c = *state;
	static const uint8_t fqdn[] = { 0x05, 0, 0, 3, 'v', 'm', '9', 3, 'l', 'a', 'n', 0 };
	struct msg m;

	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	msg_opt(&m, DHCP_OPTION_HOST_NAME, "My-Laptop.local", 15);
	assert_int_equal(handle(c, &m), 1);
	assert_string_equal(lease_of(c, 1)->hostname, "my-laptop");
	/* kept when the REQUEST does not repeat it */
	assert_int_equal(request_select(c, 1, reply_yiaddr(c)), DHCP_MSG_ACK);
	assert_string_equal(lease_of(c, 1)->hostname, "my-laptop");

	/* option 81 wins over 12 */
	msg_init(&m, DHCP_MSG_DISCOVER, 2);
	msg_opt(&m, DHCP_OPTION_HOST_NAME, "other", 5);
	msg_opt(&m, DHCP_OPTION_CLIENT_FQDN, fqdn, sizeof(fqdn));
	assert_int_equal(handle(c, &m), 1);
	assert_string_equal(lease_of(c, 2)->hostname, "vm9");

	/* invalid: recorded as none */
	msg_init(&m, DHCP_MSG_DISCOVER, 3);
	msg_opt(&m, DHCP_OPTION_HOST_NAME, "bad name;rm", 11);
	assert_int_equal(handle(c, &m), 1);
	assert_string_equal(lease_of(c, 3)->hostname, "");
}

static void test_client_id(void **state)
{
	struct ctx *c = *state;
	struct in_addr a, b;
	struct msg m;

	/* same client identifier, different chaddr: the same client */
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	msg_opt(&m, DHCP_OPTION_CLIENT_ID, "\xff\x01\x02\x03\x04", 5);
	assert_int_equal(handle(c, &m), 1);
	a = reply_yiaddr(c);
	msg_init(&m, DHCP_MSG_DISCOVER, 2);
	msg_opt(&m, DHCP_OPTION_CLIENT_ID, "\xff\x01\x02\x03\x04", 5);
	assert_int_equal(handle(c, &m), 1);
	assert_int_equal(reply_yiaddr(c).s_addr, a.s_addr);
	assert_memory_equal(lease_store_find_by_ip(c->store, a)->id, "\xff\x01\x02\x03\x04", 5);
	/* no lease under the hardware address */
	assert_null(lease_of(c, 1));

	/* same chaddr, different identifiers: two clients */
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	msg_opt(&m, DHCP_OPTION_CLIENT_ID, "\x01\x52\x54\x00\x00\x00\x09", 7);
	assert_int_equal(handle(c, &m), 1);
	b = reply_yiaddr(c);
	assert_int_not_equal(a.s_addr, b.s_addr);
	assert_int_equal(lease_store_count(c->store), 2);
}

static void test_destinations(void **state)
{
	struct ctx *c = *state;
	struct msg m;

	/* no ciaddr, no broadcast bit: to yiaddr at chaddr */
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	assert_int_equal(handle(c, &m), 1);
	assert_int_equal(c->reply.dest, DHCP_DEST_UNICAST_HW);
	assert_int_equal(c->reply.dest_ip.s_addr, reply_yiaddr(c).s_addr);
	assert_memory_equal(c->reply.dest_mac, m.buf + CHADDR_OFFSET, 6);
	assert_int_equal(c->reply.dest_port, 68);
	/* the broadcast bit */
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	msg_broadcast(&m);
	assert_int_equal(handle(c, &m), 1);
	assert_int_equal(c->reply.dest, DHCP_DEST_BROADCAST);
	assert_int_equal(c->reply.dest_ip.s_addr, INADDR_BROADCAST);
	assert_int_equal(c->reply.buf[FLAGS_OFFSET] & 0x80, 0x80);
	/* no Ethernet address to unicast to */
	msg_init(&m, DHCP_MSG_DISCOVER, 2);
	m.buf[1] = 6; /* IEEE 802 */
	assert_int_equal(handle(c, &m), 1);
	assert_int_equal(c->reply.dest, DHCP_DEST_BROADCAST);
	/* NAK: broadcast even with ciaddr set */
	assert_int_equal(request_plain(c, 3, NULL, "192.168.100.150"), DHCP_MSG_NAK);
	assert_int_equal(c->reply.dest, DHCP_DEST_BROADCAST);
	assert_int_equal(reply_ciaddr(c).s_addr, 0);
}

static void test_server_id_ignored(void **state)
{
	struct ctx *c = *state;
	struct in_addr a = dora(c, 1);
	char ip[INET_ADDRSTRLEN];
	struct msg m;

	in_addr_to_string(a, ip);
	msg_init(&m, DHCP_MSG_RELEASE, 1);
	msg_addr(&m, CIADDR_OFFSET, ip);
	msg_opt_addr(&m, DHCP_OPTION_SERVER_ID, "192.168.100.2");
	assert_int_equal(handle(c, &m), 0);
	msg_init(&m, DHCP_MSG_DECLINE, 1);
	msg_opt(&m, DHCP_OPTION_REQUESTED_IP, &a, 4);
	msg_opt_addr(&m, DHCP_OPTION_SERVER_ID, "192.168.100.2");
	assert_int_equal(handle(c, &m), 0);
	assert_int_equal(lease_of(c, 1)->state, LEASE_BOUND);
	assert_int_equal(stats(c).dropped_not_for_us, 2);
	/* a bound client choosing another server keeps its binding here until it lapses */
	msg_init(&m, DHCP_MSG_REQUEST, 1);
	msg_opt(&m, DHCP_OPTION_REQUESTED_IP, &a, 4);
	msg_opt_addr(&m, DHCP_OPTION_SERVER_ID, "192.168.100.2");
	assert_int_equal(handle(c, &m), 0);
	assert_int_equal(lease_of(c, 1)->state, LEASE_BOUND);
}

static void test_malformed(void **state)
{
	struct ctx *c = *state;
	struct msg m;
	uint8_t big_id[LEASE_CLIENT_ID_MAX + 1];
	uint64_t short_ones = 0;

	/* shorter than the header */
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	for (size_t n = 0; n < DHCP_HEADER_SIZE; n += 7, short_ones++)
		assert_int_equal(dhcp_server_handle_message(c->srv, m.buf, n, &c->rx, c->now_sec,
							    c->now_usec, &c->reply), -EBADMSG);
	/* bad cookie */
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	m.buf[236] = 0;
	assert_int_equal(handle(c, &m), -EBADMSG);
	/* no message type */
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	m.len -= 3;
	assert_int_equal(handle(c, &m), -EBADMSG);
	/* type of the wrong size, or zero */
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	m.buf[DHCP_HEADER_SIZE + 1] = 2;
	m.buf[m.len++] = 0;
	assert_int_equal(handle(c, &m), -EBADMSG);
	msg_init(&m, 0, 1);
	assert_int_equal(handle(c, &m), -EBADMSG);
	/* an option running past the end */
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	m.buf[m.len++] = DHCP_OPTION_HOST_NAME;
	m.buf[m.len++] = 40;
	m.buf[m.len++] = 'x';
	assert_int_equal(dhcp_server_handle_message(c->srv, m.buf, m.len, &c->rx, c->now_sec,
						    c->now_usec, &c->reply), -EBADMSG);
	/* hlen beyond chaddr */
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	m.buf[2] = 17;
	assert_int_equal(handle(c, &m), -EBADMSG);
	/* no identity: hlen 0 and no client identifier */
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	m.buf[2] = 0;
	assert_int_equal(handle(c, &m), -EBADMSG);
	/* client identifiers empty or too long */
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	msg_opt(&m, DHCP_OPTION_CLIENT_ID, "", 0);
	assert_int_equal(handle(c, &m), -EBADMSG);
	memset(big_id, 1, sizeof(big_id));
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	msg_opt(&m, DHCP_OPTION_CLIENT_ID, big_id, sizeof(big_id));
	assert_int_equal(handle(c, &m), -EBADMSG);
	/* address options of the wrong size */
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	msg_opt(&m, DHCP_OPTION_REQUESTED_IP, "\x0a\x00\x00", 3);
	assert_int_equal(handle(c, &m), -EBADMSG);
	assert_int_equal(stats(c).dropped_malformed, short_ones + 10);

	/* a reply (op BOOTREPLY), or a server's message type: not for us */
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	m.buf[0] = DHCP_OP_BOOTREPLY;
	assert_int_equal(handle(c, &m), 0);
	msg_init(&m, DHCP_MSG_OFFER, 1);
	assert_int_equal(handle(c, &m), 0);
	msg_init(&m, 13, 1);
	assert_int_equal(handle(c, &m), 0);
	assert_int_equal(stats(c).dropped_not_for_us, 3);
	assert_int_equal(lease_store_count(c->store), 0);
	assert_int_equal(stats(c).replied, 0);
}

static void test_overload_request(void **state)
{
	struct ctx *c = *state;
	struct msg m;

	/* the requested address and host name carried in 'file' (option 52 = 1) */
	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	msg_opt(&m, DHCP_OPTION_OVERLOAD, "\x01", 1);
	memcpy(m.buf + DHCP_FILE_OFFSET, "\x32\x04\xc0\xa8\x64\x13\x0c\x03" "abc\xff", 13);
	assert_int_equal(handle(c, &m), 1);
	assert_addr(reply_yiaddr(c), "192.168.100.19");
	assert_string_equal(lease_of(c, 1)->hostname, "abc");
	/* sname/file are never read as strings: no NUL anywhere is fine */
	msg_init(&m, DHCP_MSG_DISCOVER, 2);
	memset(m.buf + DHCP_SNAME_OFFSET, 'A', DHCP_SNAME_SIZE + DHCP_FILE_SIZE);
	assert_int_equal(handle(c, &m), 1);
	/* and the reply's are zero */
	for (size_t i = DHCP_SNAME_OFFSET; i < DHCP_HEADER_SIZE - 4; i++)
		assert_int_equal(c->reply.buf[i], 0);
}

static void test_rate_limit(void **state)
{
	struct ctx *c = *state;
	struct msg m;
	int answered = 0;

	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	m.buf[m.len++] = DHCP_OPTION_END;
	for (int i = 0; i < 30; i++)
		if (handle_raw(c, &m) == 1)
			answered++;
	assert_int_equal(answered, DHCP_RATE_BURST);
	assert_int_equal(stats(c).dropped_rate_limited, 30 - DHCP_RATE_BURST);
	/* another client is not affected */
	assert_addr(discover(c, 2), "192.168.100.11");
	/* a second later, DHCP_RATE_PER_SEC more */
	c->now_usec += 1000000 - 200000;
	answered = 0;
	for (int i = 0; i < 30; i++)
		if (handle_raw(c, &m) == 1)
			answered++;
	assert_int_equal(answered, DHCP_RATE_PER_SEC);
}

/* The rate table is allocated on the first message and sized by the subnet (issue 12): in a
 * /29 (the smallest table), after a change to a /16 (the table starts afresh at its new size)
 * and with many identities sharing it, each identity still gets DHCP_RATE_BURST answers. */
static void test_rate_limit_table_sizes(void **state)
{
	struct ctx *c = *state;
	struct msg m;
	int answered = 0;

	msg_init(&m, DHCP_MSG_DISCOVER, 1);
	m.buf[m.len++] = DHCP_OPTION_END;
	for (int i = 0; i < 30; i++)
		if (handle_raw(c, &m) == 1)
			answered++;
	assert_int_equal(answered, DHCP_RATE_BURST);

	c->cfg.subnet = (struct in_prefix){ A("192.168.0.0"), 16 };
	assert_int_equal(dhcp_server_set_config(c->srv, &c->cfg), 0);
	answered = 0;
	for (int i = 0; i < 30; i++)
		if (handle_raw(c, &m) == 1)
			answered++;
	assert_int_equal(answered, DHCP_RATE_BURST);
	assert_int_equal(stats(c).dropped_rate_limited, 2 * (30 - DHCP_RATE_BURST));

	/* 32 more identities, a burst each: none is refused for another's sake */
	for (unsigned id = 100; id < 132; id++) {
		msg_init(&m, DHCP_MSG_DISCOVER, id);
		m.buf[m.len++] = DHCP_OPTION_END;
		for (int i = 0; i < DHCP_RATE_BURST; i++)
			(void)handle_raw(c, &m);
	}
	assert_int_equal(stats(c).dropped_rate_limited, 2 * (30 - DHCP_RATE_BURST));
}

static void test_port_limit(void **state)
{
	struct ctx *c = *state;
	struct in_addr a;
	char ip[INET_ADDRSTRLEN];
	struct msg m;

	c->cfg.max_leases_per_port = 2;
	assert_int_equal(dhcp_server_set_config(c->srv, &c->cfg), 0);
	c->rx.port_ifindex = 7;
	a = dora(c, 1);
	dora(c, 2);
	msg_init(&m, DHCP_MSG_DISCOVER, 3);
	assert_int_equal(handle(c, &m), 0);
	assert_int_equal(stats(c).dropped_port_limit, 1);
	/* nor by an init-reboot REQUEST */
	assert_int_equal(request_plain(c, 3, "192.168.100.15", NULL), 0);
	assert_int_equal(stats(c).dropped_port_limit, 2);
	/* known identities go on */
	assert_int_equal(discover(c, 1).s_addr, a.s_addr);
	/* another port has its own count; unknown ports none */
	c->rx.port_ifindex = 8;
	dora(c, 4);
	c->rx.port_ifindex = 0;
	dora(c, 5);

	/* once a client of port 7 has left, a new one fits */
	c->rx.port_ifindex = 7;
	in_addr_to_string(a, ip);
	msg_init(&m, DHCP_MSG_RELEASE, 1);
	msg_addr(&m, CIADDR_OFFSET, ip);
	assert_int_equal(handle(c, &m), 0);
	dora(c, 3);
}

static void test_config(void **state)
{
	struct ctx *c = *state;
	struct dhcp_server_config cfg = c->cfg;
	struct dhcp_server *s = NULL;

	cfg.server_id = A("192.168.101.1");
	assert_int_equal(dhcp_server_new(&cfg, c->store, &s), -EINVAL);
	cfg = c->cfg;
	cfg.range_first = A("192.168.100.30");
	assert_int_equal(dhcp_server_new(&cfg, c->store, &s), -EINVAL);
	cfg = c->cfg;
	cfg.lease_time_sec = 0;
	assert_int_equal(dhcp_server_new(&cfg, c->store, &s), -EINVAL);
	cfg = c->cfg;
	cfg.subnet.prefixlen = 31;
	assert_int_equal(dhcp_server_set_config(c->srv, &cfg), -EINVAL);
	cfg = c->cfg;
	cfg.subnet.addr = A("192.168.100.1");
	assert_int_equal(dhcp_server_set_config(c->srv, &cfg), -EINVAL);
	assert_null(s);
	assert_null(dhcp_server_free(NULL));
}

/* Not a benchmark, but a guard: many clients, each a full DORA, all distinct and bound. */
static void test_many_clients(void **state)
{
	struct ctx *c = *state;
	struct timespec t0, t1;
	const unsigned n = 4000;
	double ms;

	c->cfg.subnet = (struct in_prefix){ A("10.50.0.0"), 16 };
	c->cfg.server_id = A("10.50.0.1");
	c->cfg.range_first = A("10.50.0.2");
	c->cfg.range_last = A("10.50.255.254");
	assert_int_equal(lease_store_set_range(c->store, c->cfg.range_first, c->cfg.range_last), 0);
	assert_int_equal(dhcp_server_set_config(c->srv, &c->cfg), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 0; i < n; i++) {
		struct msg m;
		struct in_addr a;

		msg_init(&m, DHCP_MSG_DISCOVER, i);
		assert_int_equal(handle(c, &m), 1);
		a = reply_yiaddr(c);
		msg_init(&m, DHCP_MSG_REQUEST, i);
		msg_opt(&m, DHCP_OPTION_REQUESTED_IP, &a, 4);
		msg_opt(&m, DHCP_OPTION_SERVER_ID, &c->cfg.server_id, 4);
		assert_int_equal(handle(c, &m), 1);
		assert_int_equal(c->reply.type, DHCP_MSG_ACK);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	print_message("%u DORA exchanges in %.1f ms\n", n, ms);
	assert_int_equal(lease_store_count(c->store), n);
	assert_int_equal(stats(c).acks, n);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_dora),
		T(test_request_selecting),
		T(test_request_init_reboot),
		T(test_request_renew_rebind),
		T(test_decline),
		T(test_release),
		T(test_inform),
		T(test_reservation),
		T(test_reservation_mid_lease),
		cmocka_unit_test_setup_teardown(test_pool_full, setup_tiny, teardown),
		T(test_relay),
		T(test_prl_order),
		T(test_max_message_size),
		T(test_hostname),
		T(test_client_id),
		T(test_destinations),
		T(test_server_id_ignored),
		T(test_malformed),
		T(test_overload_request),
		T(test_rate_limit),
		cmocka_unit_test_setup_teardown(test_rate_limit_table_sizes, setup_tiny, teardown),
		T(test_port_limit),
		T(test_config),
		T(test_many_clients),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
