/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of dhcp6-service.h. The store's keys are the low 32 bits of the addresses
 * (lease/lease.h), so its pool is the dhcp6-range's keys; every durable change goes to the
 * shared journal through dhcp_service_journal_change() (the manager's lease_journal hook).
 */
#include "daemon/ipv6/dhcp6-service.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config/conf-host.h"
#include "config/conf-network.h"
#include "daemon/dns-service.h"
#include "daemon/manager-core.h"
#include "daemon/network-types.h"
#include "dhcp6/dhcp6-io.h"
#include "dhcp6/dhcp6-server.h"
#include "event/event.h"
#include "lease/lease-store.h"
#include "netlink/nl-link.h"
#include "shared/log.h"

#define DHCP6_PACKET_MAX 1500

static void dhcp6_on_lease_change(const struct lease *l, bool removed, void *data)
{
	struct network *n = data;

	n->manager->hooks.lease_journal(n->manager, n->config.name, l, removed);
	dns_service_lease_changed(n, l, removed);
}

/*
 * A DHCPv6 client without an FQDN option is known by its IPv4 name: the IPv4 lease of the same
 * DUID and IAID (RFC 4361 client identifier 0xff, IAID, DUID: dhcpcd), else of the same MAC
 * (client identifier 01:MAC, or none), else its reservation's name. Two hash lookups.
 */
static bool dhcp6_name_of(const uint8_t *mac, const uint8_t *id, size_t id_len, char ret[64],
			  void *data)
{
	const struct network *n = data;
	uint8_t key[LEASE_CLIENT_ID_MAX];
	const struct lease *l = NULL;
	const struct network_host *h;

	if (n->leases && id_len + 1 <= sizeof(key)) {
		key[0] = 0xff;
		memcpy(key + 1, id, id_len);
		l = lease_store_find_by_id(n->leases, key, id_len + 1);
	}
	if ((!l || !l->hostname[0]) && n->leases && mac) {
		key[0] = 1;   /* ARP hardware type Ethernet */
		memcpy(key + 1, mac, 6);
		l = lease_store_find_by_id(n->leases, key, 7);
	}
	if (l && l->hostname[0] && l->state == LEASE_BOUND) {
		memcpy(ret, l->hostname, LEASE_HOSTNAME_MAX + 1);
		return true;
	}
	h = mac ? network_hosts_find_mac(&n->hosts, mac) : NULL;
	if (!h || !h->name[0] || strlen(h->name) > LEASE_HOSTNAME_MAX)
		return false;
	memcpy(ret, h->name, strlen(h->name) + 1);
	return true;
}

/* The store's pool: the range's keys; a network without a subnet6 gets the default's. */
static void pool_keys(const struct network_config *c, struct in_addr *first, struct in_addr *last)
{
	if (c->has_subnet6) {
		*first = dhcp6_addr_key(&c->range6_first);
		*last = dhcp6_addr_key(&c->range6_last);
	} else {
		first->s_addr = htonl(0x10000);
		last->s_addr = htonl(0x1ffff);
	}
}

int dhcp6_service_network_attach(struct network *n)
{
	struct in_addr first, last;

	if (n->leases6)
		return 0;
	pool_keys(&n->config, &first, &last);
	return lease_store_new(first, last, dhcp6_on_lease_change, n, &n->leases6);
}

void dhcp6_service_network_detach(struct network *n)
{
	dhcp6_service_network_stop(n);
	n->leases6 = lease_store_free(n->leases6);
}

static bool dhcp6_wanted(const struct network *n)
{
	const struct network_config *c = &n->config;

	return c->dhcp && c->has_subnet6 && c->ra_mode != NETWORK_RA_SLAAC;
}

static void dhcp6_config(const struct network *n, struct dhcp6_server_config *ret)
{
	const struct network_config *c = &n->config;
	struct nl_link_info link;

	*ret = (struct dhcp6_server_config){
		.subnet6 = c->subnet6,
		.range_first = c->range6_first,
		.range_last = c->range6_last,
		.gateway6 = c->gateway6,
		/* as the RA's RDNSS: only once DNS answers on the gateway6 */
		.dns = c->dns && n->dns6_listening,
		.dns_server = c->gateway6,
		.lease_time_sec = c->lease_time_sec,
	};
	if (c->dns)
		network_config_domain(c, ret->domain);
	/* the bridge's MAC makes the server DUID; kvmnet bridges keep theirs across restarts */
	if (nl_link_get_by_index(n->manager->nl, n->ifindex, &link) >= 0)
		memcpy(ret->server_mac, link.mac, 6);
}

/* Answers the batch once the journal holds its leases. */
static void dhcp6_flush(struct network *n, struct dhcp6_reply *replies, size_t count)
{
	if (count == 0)
		return;
	if (n->manager->hooks.lease_commit(n->manager) < 0)
		return;   /* logged; the clients retry */
	for (size_t i = 0; i < count; i++) {
		int r = dhcp6_io_send(n->dhcp6_io, &replies[i]);
		if (r < 0)
			log_debug_errno(r, "Failed to send a DHCPv6 reply on '%s': %m",
					n->config.bridge);
	}
}

static int dhcp6_on_packet(struct event_source *s, int fd, uint32_t revents, void *data)
{
	static struct dhcp6_reply replies[DHCP6_SERVICE_BATCH];
	struct network *n = data;
	uint8_t buf[DHCP6_PACKET_MAX];
	uint64_t now_sec = (uint64_t)time(NULL);
	size_t count = 0;

	for (int i = 0; i < DHCP6_SERVICE_BATCH; i++) {
		struct dhcp6_rx rx;
		int len = dhcp6_io_recv(n->dhcp6_io, buf, sizeof(buf), &rx);
		if (len == -EAGAIN)
			break;
		if (len < 0) {
			log_debug_errno(len, "Dropped a DHCPv6 datagram on '%s': %m",
					n->config.bridge);
			continue;
		}
		if (dhcp6_server_handle_message(n->dhcp6, buf, (size_t)len, &rx, now_sec,
						&replies[count]) > 0)
			count++;
	}
	dhcp6_flush(n, replies, count);
	return 0;
}

/* Applies the definition and reservations to the running engine. */
static int dhcp6_apply(struct network *n)
{
	struct dhcp6_server_config cfg;
	struct in_addr first, last;
	int r;

	dhcp6_config(n, &cfg);
	pool_keys(&n->config, &first, &last);
	r = lease_store_set_range(n->leases6, first, last);
	if (r >= 0)
		r = dhcp6_server_set_config(n->dhcp6, &cfg);
	if (r >= 0)
		r = dhcp6_server_set_hosts(n->dhcp6, &n->hosts);
	return r;
}

int dhcp6_service_network_reconfigure(struct network *n)
{
	char err[256];
	int r;

	/* a definition that changes only ra-mode starts or stops the server here */
	if (!n->dhcp6 && !(n->active && n->dhcp && dhcp6_wanted(n)))
		return 0;
	if (n->dhcp6 && dhcp6_wanted(n))
		return dhcp6_apply(n);
	r = dhcp6_service_network_start(n, err, sizeof(err));
	if (r < 0)
		log_warning_errno(r, "DHCPv6 on network '%s': %s", n->config.name, err);
	return r;
}

int dhcp6_service_network_start(struct network *n, char *err, size_t errlen)
{
	struct dhcp6_server_config cfg;
	int r;

	if (!dhcp6_wanted(n)) {
		dhcp6_service_network_stop(n);
		return 0;
	}
	r = dhcp6_service_network_attach(n);
	if (r < 0) {
		snprintf(err, errlen, "failed to create the IPv6 lease store: %s", strerror(-r));
		return r;
	}
	if (n->dhcp6_io && dhcp6_io_ifindex(n->dhcp6_io) == n->ifindex) {
		r = dhcp6_apply(n);
		if (r < 0)
			snprintf(err, errlen, "failed to reconfigure DHCPv6: %s", strerror(-r));
		return r;
	}
	dhcp6_service_network_stop(n);
	dhcp6_config(n, &cfg);
	r = dhcp6_server_new(&cfg, n->leases6, &n->dhcp6);
	if (r >= 0) {
		dhcp6_server_set_name_fn(n->dhcp6, dhcp6_name_of, n);
		r = dhcp6_apply(n);
	}
	if (r < 0) {
		snprintf(err, errlen, "failed to create the DHCPv6 server: %s", strerror(-r));
		goto fail;
	}
	r = dhcp6_io_open(n->config.bridge, n->ifindex, &n->dhcp6_io);
	if (r < 0) {
		snprintf(err, errlen, "failed to open the DHCPv6 socket on '%s': %s%s",
			 n->config.bridge, strerror(-r),
			 r == -EADDRINUSE ? " (another DHCPv6 server holds port 547 there)" : "");
		goto fail;
	}
	r = event_add_io(n->manager->loop, dhcp6_io_fd(n->dhcp6_io), EPOLLIN, dhcp6_on_packet, n,
			 &n->dhcp6_source);
	if (r < 0) {
		snprintf(err, errlen, "failed to watch the DHCPv6 socket: %s", strerror(-r));
		goto fail;
	}
	return 0;
fail:
	dhcp6_service_network_stop(n);
	return r;
}

void dhcp6_service_network_stop(struct network *n)
{
	n->dhcp6_source = event_source_free(n->dhcp6_source);
	n->dhcp6_io = dhcp6_io_free(n->dhcp6_io);
	n->dhcp6 = dhcp6_server_free(n->dhcp6);
}

const struct lease *dhcp6_service_lease_find(const struct network *n, const struct in6_addr *a)
{
	const struct lease *l;

	if (!n->leases6)
		return NULL;
	l = lease_store_find_by_ip(n->leases6, dhcp6_addr_key(a));
	return l && lease_is_ipv6(l) && in6_addr_equal(&l->ip6, a) ? l : NULL;
}

struct leases6_json_ctx {
	const struct network *n;
	bool all;
	json_t *a;
};

static int lease6_to_json(const struct lease *l, void *data)
{
	struct leases6_json_ctx *c = data;
	char ip[INET6_ADDRSTRLEN], mac[MAC_STRLEN], duid[3 * LEASE_CLIENT_ID_MAX];
	static const uint8_t zero[6];
	uint32_t iaid = 0;
	json_t *o;

	if (l->state == LEASE_OFFERED || (!c->all && l->state != LEASE_BOUND))
		return 0;
	duid[0] = '\0';
	if (l->id_len >= 4) {
		iaid = (uint32_t)l->id[0] << 24 | (uint32_t)l->id[1] << 16 |
		       (uint32_t)l->id[2] << 8 | l->id[3];
		for (size_t i = 4; i < l->id_len; i++)
			snprintf(duid + 3 * (i - 4), 4, i + 1 < l->id_len ? "%02x:" : "%02x",
				 l->id[i]);
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:I}", "network", c->n->config.name,
		      "mac", memcmp(l->mac, zero, 6) ? mac_to_string(l->mac, mac) : "", "ip",
		      in6_addr_to_string(&l->ip6, ip), "hostname", l->hostname, "expires",
		      (json_int_t)l->expires, "state", lease_state_to_string(l->state), "family",
		      "ipv6", "duid", duid, "iaid", (json_int_t)iaid);
	if (!o || json_array_append_new(c->a, o) < 0)
		return -ENOMEM;
	return 0;
}

int dhcp6_service_network_leases_to_json(const struct network *n, bool all, json_t *a)
{
	struct leases6_json_ctx c = { .n = n, .all = all, .a = a };

	if (!n->leases6)
		return 0;
	return lease_store_foreach(n->leases6, lease6_to_json, &c);
}
