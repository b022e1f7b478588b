/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DHCPv6 server engine of one network (RFC 8415 §18.3): a message in, a reply out, with a
 * lease store as its state (the network's IPv6 store: keys are the low 32 bits of addresses in
 * the subnet6's first /96, see lease/lease.h) and the network's reservations. Stateful IA_NA
 * addresses from a range, rapid commit, Renew/Rebind/Release/Decline/Confirm, and stateless
 * Information-request. No sockets and no clock of its own, like dhcp/dhcp-server.h: the daemon's
 * dhcp6-service owns the socket and the journal.
 */
#ifndef KN_DHCP6_DHCP6_SERVER_H
#define KN_DHCP6_DHCP6_SERVER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dhcp6/dhcp6-packet.h"
#include "dhcp6/dhcp6-proto.h"
#include "shared/in6-addr-util.h"

struct lease_store;
struct network_hosts;

/* How long an advertised address is held for the client before the offer lapses. */
#define DHCP6_OFFER_SEC 60
/* How long a declined address stays out of the pool. */
#define DHCP6_DECLINE_SEC 600
/* Server DUID: DUID-LL (type, hardware type, MAC). */
#define DHCP6_SERVER_DUID_LEN 10

struct dhcp6_server_config {
	struct in6_prefix subnet6;       /* the network's /64 */
	struct in6_addr range_first;     /* dynamic pool, inclusive, inside subnet6's first /96 */
	struct in6_addr range_last;
	struct in6_addr gateway6;        /* never handed out */
	uint8_t server_mac[6];           /* makes the server DUID (DUID-LL): stable with the bridge */
	bool dns;                        /* announce 'dns_server' (DNS_SERVERS, when requested) */
	struct in6_addr dns_server;
	char domain[DNS_NAME_TEXT_MAX + 1]; /* DOMAIN_LIST when requested; "" = none */
	uint32_t lease_time_sec;         /* valid = preferred lifetime; T1 = 1/2, T2 = 4/5 of it */
};

/* Where a message came from, as the socket saw it. */
struct dhcp6_rx {
	struct in6_addr src;             /* the client's (link-local) address */
	uint16_t src_port;
	bool multicast;                  /* sent to ff02::1:2, not unicast to us */
};

struct dhcp6_reply {
	uint8_t buf[DHCP6_MESSAGE_MAX];
	size_t len;
	uint8_t type;                    /* ADVERTISE or REPLY */
	struct in6_addr dest;            /* the client's address, port 'dest_port' */
	uint16_t dest_port;
};

struct dhcp6_server_stats {
	uint64_t received;
	uint64_t replied;
	uint64_t dropped_malformed;      /* not a well-formed client message */
	uint64_t dropped_not_for_us;     /* another server's id, a server message, missing ids */
	uint64_t no_addrs;               /* IAs answered NoAddrsAvail (pool full) */
	uint64_t advertises, replies, renews, rebinds, releases, declines, confirms, informs;
};

struct dhcp6_server;

/* Creates an engine on 'store' (borrowed, must outlive it). -EINVAL for an inconsistent 'cfg'. */
int dhcp6_server_new(const struct dhcp6_server_config *cfg, struct lease_store *store,
		     struct dhcp6_server **ret);
struct dhcp6_server *dhcp6_server_free(struct dhcp6_server *s);

/* Replaces the configuration (a redefined network); leases stay. -EINVAL as for _new(). */
int dhcp6_server_set_config(struct dhcp6_server *s, const struct dhcp6_server_config *cfg);

/*
 * Points the engine at the network's reservations ('hosts' borrowed until the next call or
 * _free()); those with an 'ip6' are given to their MAC (from a DUID-LL/LLT or an EUI-64
 * link-local source address) or their 'duid', and never handed out dynamically. Builds an index
 * in O(n log n); -ENOMEM (the engine then knows no reservations).
 */
int dhcp6_server_set_hosts(struct dhcp6_server *s, const struct network_hosts *hosts);

/*
 * Names a client that sends no FQDN option (RFC 4704) and held no name before: 'mac' is its MAC
 * (NULL when neither its DUID nor its link-local address tells it), 'id' its identity (IAID then
 * DUID, 'id_len' bytes, as lease_id6_make() makes it). Writes a sanitised host name (at most
 * 63 characters) to 'ret' and returns true, or returns false for none. Must not change the
 * engine's store.
 */
typedef bool (*dhcp6_server_name_fn)(const uint8_t *mac, const uint8_t *id, size_t id_len,
				     char ret[64], void *data);

/* Sets (NULL: clears) the callback above; 'data' is passed to it. */
void dhcp6_server_set_name_fn(struct dhcp6_server *s, dhcp6_server_name_fn fn, void *data);

/*
 * Handles one message 'buf' of 'len' bytes (the UDP payload) received as 'rx' at wall time
 * 'now_sec'. Returns 1 with a reply in '*ret', 0 when there is nothing to send (not for us:
 * counted), or -EBADMSG for a malformed message (counted). Lease changes go to the store (and
 * its change callback) before this returns; a reply must leave only once they are durable.
 */
int dhcp6_server_handle_message(struct dhcp6_server *s, const uint8_t *buf, size_t len,
				const struct dhcp6_rx *rx, uint64_t now_sec,
				struct dhcp6_reply *ret);

/* The server's DUID ('*ret_len' bytes, DHCP6_SERVER_DUID_LEN). Borrowed. */
const uint8_t *dhcp6_server_duid(const struct dhcp6_server *s, size_t *ret_len);

void dhcp6_server_get_stats(const struct dhcp6_server *s, struct dhcp6_server_stats *ret);

/* The lease store key of 'a' (its low 32 bits), and the address of key 'k' in 'subnet6'. */
struct in_addr dhcp6_addr_key(const struct in6_addr *a);
struct in6_addr dhcp6_key_addr(const struct in6_prefix *subnet6, struct in_addr k);

#endif
