/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for the DHCP engine: any bytes as a client message, handled twice (the second time
 * a little later, against the state the first left) by a server with a small pool, reservations
 * and leases in every state. The 'xid' bytes, which the engine only echoes, choose the receiving
 * port, the clock and a few configuration switches. Replies must stay within their limits and
 * never hand out an address the network may not give.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-host.h"
#include "dhcp/dhcp-option.h"
#include "dhcp/dhcp-proto.h"
#include "dhcp/dhcp-server.h"
#include "fuzz.h"
#include "lease/lease-store.h"

#define NET 0xc0a83200U   /* 192.168.50.0/24 */

static struct in_addr ip(uint32_t host_part)
{
	return (struct in_addr){ htonl(NET | host_part) };
}

static void put(struct lease_store *s, uint32_t host, uint8_t client, enum lease_state st,
		uint64_t expires)
{
	struct lease l = { .ip = ip(host), .state = st, .expires = expires };

	if (client) {
		l.mac[0] = 0x52;
		l.mac[1] = 0x54;
		l.mac[5] = client;
		l.id_len = 7;
		l.id[0] = DHCP_HTYPE_ETHER;
		memcpy(l.id + 1, l.mac, 6);
	}
	if (lease_store_put(s, &l) < 0)
		abort();
}

static void check_reply(const struct dhcp_server_config *cfg, const struct dhcp_reply *r)
{
	static struct dhcp_options opt;
	struct dhcp_header h;
	uint8_t type;
	uint32_t y;

	if (r->len < DHCP_HEADER_SIZE || r->len > DHCP_REPLY_MAX)
		abort();
	if (dhcp_options_parse(&opt, r->buf, r->len) < 0)
		abort();
	if (dhcp_options_get_u8(&opt, DHCP_OPTION_MESSAGE_TYPE, &type) < 0 || type != r->type)
		abort();
	memcpy(&h, r->buf, sizeof(h));
	y = ntohl(h.yiaddr);
	if (h.op != DHCP_OP_BOOTREPLY)
		abort();
	if (type == DHCP_MSG_NAK && y != 0)
		abort();
	/* never the network, broadcast or gateway address, never outside the subnet */
	if (y != 0 && ((y & 0xffffff00U) != NET || (y & 0xff) == 0 || (y & 0xff) == 255 ||
		       h.yiaddr == cfg->server_id.s_addr))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct network_host items[2];
	struct network_hosts hosts = { .items = items, .n = 2 };
	struct dhcp_server_config cfg = {
		.server_id = ip(1),
		.subnet = { { htonl(NET) }, 24 },
		.range_first = ip(10),
		.range_last = ip(40),
		.dns = true,
		.domain = "fuzz.kvmnet",
		.lease_time_sec = 3600,
		.decline_sec = 600,
	};
	struct dhcp_rx rx = { .ifindex = 2, .src_port = 68, .dst = { INADDR_BROADCAST } };
	struct lease_store *store = NULL;
	struct dhcp_server *srv = NULL;
	static struct dhcp_reply reply;
	uint8_t x[4] = { 0 };
	uint64_t now = 1700000000;
	int r;

	if (size >= 8)
		memcpy(x, data + 4, 4);
	rx.port_ifindex = x[0] & 3;
	now += (uint64_t)x[1] * 37;
	cfg.max_leases_per_port = x[2] & 3;
	if (x[3] & 1) {
		cfg.n_routes = 2;
		cfg.routes[0] = (struct dhcp_route){ { { htonl(0x0a000000) }, 8 }, ip(2) };
		cfg.routes[1] = (struct dhcp_route){ { { 0 }, 0 }, ip(3) };
	}
	if (x[3] & 2)
		cfg.mtu = 576;

	items[0] = (struct network_host){ .mac = { 0x52, 0x54, 0, 0, 0, 5 }, .ip = ip(100) };
	items[1] = (struct network_host){ .mac = { 0x52, 0x54, 0, 0, 0, 6 }, .ip = ip(20),
					  .name = "six" };
	if (lease_store_new(cfg.range_first, cfg.range_last, NULL, NULL, &store) < 0)
		abort();
	if (dhcp_server_new(&cfg, store, &srv) < 0)
		abort();
	dhcp_server_set_hosts(srv, &hosts);
	put(store, 10, 1, LEASE_BOUND, 1700003600);
	put(store, 11, 2, LEASE_RELEASED, 1699990000);
	put(store, 12, 0, LEASE_DECLINED, 1700000300);
	put(store, 13, 3, LEASE_OFFERED, 1700000060);
	put(store, 100, 5, LEASE_BOUND, 1700001000);

	for (int i = 0; i < 2; i++) {
		r = dhcp_server_handle_message(srv, data, size, &rx, now, now * 1000000, &reply);
		if (r != 1 && r != 0 && r != -EBADMSG)
			abort();
		if (r == 1)
			check_reply(&cfg, &reply);
		now += 61;
	}
	lease_store_expire(store, now + 7200);
	dhcp_server_pool_full_edge(srv);
	dhcp_server_free(srv);
	lease_store_free(store);
	return 0;
}
