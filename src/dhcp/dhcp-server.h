/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DHCPv4 server engine of one network (RFC 2131, RFC 2132): a message in, a reply out, with
 * the lease store and the reservations as its state. No sockets and no clock of its own (time
 * is passed in), so unit tests and the fuzzer drive it directly (after systemd's
 * dhcp_server_handle_message()). dhcp-io.c owns the sockets and sends the replies.
 */
#ifndef KN_DHCP_DHCP_SERVER_H
#define KN_DHCP_DHCP_SERVER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/in-addr-util.h"

struct lease_store;
struct network_hosts;

#define DHCP_ROUTES_MAX 16
#define DHCP_DOMAIN_MAX 253
/* Largest reply built: an Ethernet MTU's worth (the engine also honours option 57 and 'mtu'). */
#define DHCP_REPLY_MAX 1472
/* How long an offered address is held for the client before the offer lapses. */
#define DHCP_OFFER_SEC 60
/* Used when dhcp_server_config.decline_sec is 0. */
#define DHCP_DECLINE_SEC_DEFAULT 600
/* Per-client token bucket (identity as in lease.h): a burst, then this many messages a second. */
#define DHCP_RATE_BURST 20
#define DHCP_RATE_PER_SEC 10

struct dhcp_route {
	struct in_prefix dst;
	struct in_addr gw;
};

struct dhcp_server_config {
	struct in_addr server_id;        /* the gateway: server identifier, router, DNS server */
	struct in_prefix subnet;
	struct in_addr range_first;      /* dynamic pool, inclusive */
	struct in_addr range_last;
	bool dns;                        /* announce server_id as DNS server (option 6) */
	char domain[DHCP_DOMAIN_MAX + 1];/* option 15; "" = none */
	uint32_t lease_time_sec;         /* option 51; T1 = 1/2, T2 = 7/8 of it */
	uint32_t mtu;                    /* option 26 when non-zero */
	struct dhcp_route routes[DHCP_ROUTES_MAX]; /* option 121 (and 249) when n_routes > 0 */
	size_t n_routes;
	uint32_t decline_sec;            /* how long a declined address stays out of the pool */
	uint32_t max_leases_per_port;    /* cap on distinct identities per port (0 = no cap) */
};

/* Where a message came from, as the socket layer saw it. */
struct dhcp_rx {
	int ifindex;                     /* the bridge it arrived on */
	int port_ifindex;                /* the bridge port, when known (0 = unknown) */
	struct in_addr src;              /* IP source */
	uint16_t src_port;
	struct in_addr dst;              /* IP destination (broadcast or our address) */
	uint32_t mark;                   /* packet mark (0 = none): the daemon's clue to the port */
};

enum dhcp_dest_kind {
	DHCP_DEST_BROADCAST,    /* 255.255.255.255:68 on the bridge */
	DHCP_DEST_UNICAST_HW,   /* to 'dest_ip':68 at link address 'dest_mac' (client has no IP yet) */
	DHCP_DEST_UNICAST_IP,   /* to 'dest_ip':68 through the IP stack (ciaddr: renewing) */
	DHCP_DEST_RELAY,        /* to the relay 'dest_ip':67 */
};

struct dhcp_reply {
	uint8_t buf[DHCP_REPLY_MAX];
	size_t len;
	uint8_t type;                    /* DHCP message type of the reply: OFFER, ACK or NAK */
	enum dhcp_dest_kind dest;
	struct in_addr dest_ip;
	uint8_t dest_mac[6];
	uint16_t dest_port;
};

struct dhcp_server_stats {
	uint64_t received;
	uint64_t replied;
	uint64_t dropped_malformed;      /* failed parsing: truncated, bad options, bad header */
	uint64_t dropped_rate_limited;
	uint64_t dropped_not_for_us;     /* other server id, foreign relay, wrong op ... */
	uint64_t dropped_pool_full;
	uint64_t offers, acks, naks, declines, releases, informs;
	uint64_t dropped_port_limit;     /* new identity on a port at max_leases_per_port */
};

struct dhcp_server;

/*
 * Creates an engine for one network on 'store' (borrowed, must outlive the engine). Returns
 * -EINVAL for an inconsistent 'cfg'.
 */
int dhcp_server_new(const struct dhcp_server_config *cfg, struct lease_store *store,
		    struct dhcp_server **ret);
struct dhcp_server *dhcp_server_free(struct dhcp_server *s);

/* Replaces the configuration (a redefined network); existing leases stay in the store. */
int dhcp_server_set_config(struct dhcp_server *s, const struct dhcp_server_config *cfg);

/*
 * Points the engine at the network's reservations ('hosts' borrowed; valid until the next call
 * or dhcp_server_free()). Reserved addresses are never handed out dynamically; a reserved MAC
 * gets its address; a client whose reservation changed is NAKed at its next REQUEST.
 */
void dhcp_server_set_hosts(struct dhcp_server *s, const struct network_hosts *hosts);

/*
 * Handles one DHCP message 'buf' of 'len' bytes (the UDP payload) received as 'rx', at wall time
 * 'now_sec' (Unix seconds, for lease expiry) and monotonic 'now_usec' (for rate limits).
 * Returns 1 with a reply in '*ret', 0 when there is nothing to send (RELEASE, DECLINE, not for
 * us, rate limited, pool full: each counted), or -EBADMSG for a malformed message (counted).
 * Lease changes go to the store (and so to its change callback) before this returns.
 * Also -ENOMEM when out of memory (nothing sent; the message may be retried).
 */
int dhcp_server_handle_message(struct dhcp_server *s, const uint8_t *buf, size_t len,
			       const struct dhcp_rx *rx, uint64_t now_sec, uint64_t now_usec,
			       struct dhcp_reply *ret);

/* True once since the pool became full (so the caller logs it once, not once a packet). */
bool dhcp_server_pool_full_edge(struct dhcp_server *s);

void dhcp_server_get_stats(const struct dhcp_server *s, struct dhcp_server_stats *ret);

#endif
