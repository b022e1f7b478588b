/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DNS engine of one network: a query in, an answer out, from the network's zone, or a
 * verdict that it must be forwarded upstream. No sockets, no clock of its own, so tests and the
 * fuzzer drive it directly. RFC 1034/1035 (compression on read and write, a hard bound on every
 * loop), RFC 6891 EDNS0 (buffer size; unknown options never echoed), RFC 2308 (NXDOMAIN with the
 * zone's SOA), truncation with TC over UDP.
 */
#ifndef KN_DNS_DNS_SERVER_H
#define KN_DNS_DNS_SERVER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/in-addr-util.h"
#include "shared/in6-addr-util.h"

struct dns_zone;

#define DNS_UDP_MAX 4096       /* largest UDP answer we build (EDNS0) */
#define DNS_TCP_MAX 65535

enum dns_verdict {
	DNS_VERDICT_ANSWER,      /* '*reply' holds the answer */
	DNS_VERDICT_FORWARD,     /* not ours: forward to the upstreams ('qname', 'qtype' filled) */
	DNS_VERDICT_DROP,        /* not worth an answer (a response, garbage without a header) */
	DNS_VERDICT_PEERS,       /* a name of ours this zone lacks, with 'ask_peers': '*reply' holds
				  * the NXDOMAIN to send unless an overlay peer knows the name
				  * (dns-peers.h; 'qname', 'qtype' filled) */
};

struct dns_query_info {
	uint16_t id;
	char qname[254];         /* lowercase, no trailing dot; "" for the root */
	uint16_t qtype, qclass;
	bool rd;                 /* recursion desired */
	bool has_edns;
	uint16_t edns_udp_size;
	bool edns_do;
};

/*
 * Counters since dns_server_new(). Every query is DNS_VERDICT_ANSWER ('answered', of which
 * 'refused', 'nxdomain', 'formerr' and 'truncated' count those with that response code or TC),
 * 'forwarded' or 'dropped'.
 */
struct dns_server_stats {
	uint64_t queries, answered, forwarded, refused, nxdomain, formerr, dropped, truncated;
};

struct dns_server_config {
	struct in_prefix subnet;  /* queries from outside it are REFUSED */
	struct in_addr server_ip; /* the gateway: the SOA's primary name server address */
	bool forward;             /* false: everything not ours is REFUSED */
	bool has_subnet6;         /* queries over IPv6 are answered from 'subnet6' only */
	struct in6_prefix subnet6;
	struct in6_addr server_ip6; /* the gateway6: the name server's AAAA in additional data */
	bool ask_peers;           /* names of ours not in the zone: DNS_VERDICT_PEERS (an overlay
				   * whose hosts each lease their own slice) */
};

struct dns_server;

/*
 * Creates the engine for 'cfg' (copied), answering from 'zone' (borrowed: it must outlive the
 * server; changes to it show in the next answer). Returns 0, -EINVAL or -ENOMEM.
 */
int dns_server_new(const struct dns_server_config *cfg, struct dns_zone *zone,
		   struct dns_server **ret);
/* Frees 's' (not its zone); NULL is fine. Returns NULL. */
struct dns_server *dns_server_free(struct dns_server *s);
/* Replaces the configuration (copied); takes effect with the next query. */
void dns_server_set_config(struct dns_server *s, const struct dns_server_config *cfg);

/*
 * Handles the query 'pkt' ('len' bytes) from 'src' over UDP ('tcp' false) or TCP. Writes the
 * answer into 'reply' ('reply_size' bytes, at least 512) and its length into '*reply_len' for
 * DNS_VERDICT_ANSWER; fills 'info' when the question could be parsed (always for FORWARD).
 * Queries for private reverse zones (RFC 1918, RFC 6761 ranges) that are not ours are answered
 * NXDOMAIN here, never forwarded. Malformed queries get FORMERR when a header could be read.
 */
enum dns_verdict dns_server_handle_query(struct dns_server *s, const uint8_t *pkt, size_t len,
					 struct in_addr src, bool tcp, uint8_t *reply,
					 size_t reply_size, size_t *reply_len,
					 struct dns_query_info *info);

/*
 * The same for a query that came over IPv6 from 'src': REFUSED unless the configuration has a
 * subnet6 holding 'src'.
 */
enum dns_verdict dns_server_handle_query6(struct dns_server *s, const uint8_t *pkt, size_t len,
					  const struct in6_addr *src, bool tcp, uint8_t *reply,
					  size_t reply_size, size_t *reply_len,
					  struct dns_query_info *info);

/*
 * Answers the peer query 'pkt' (dns-peers.h: from another host of the network, over the
 * underlay) from the zone only: never DNS_VERDICT_FORWARD nor DNS_VERDICT_PEERS, so a peer
 * never asks on (no loops). Otherwise as dns_server_handle_query() with a source inside.
 */
enum dns_verdict dns_server_handle_peer_query(struct dns_server *s, const uint8_t *pkt,
					      size_t len, uint8_t *reply, size_t reply_size,
					      size_t *reply_len);

/* Copies the counters into 'ret'. */
void dns_server_get_stats(const struct dns_server *s, struct dns_server_stats *ret);

/*
 * Builds a SERVFAIL (or any 'rcode') answer to the query 'pkt' into 'reply'. For the forwarder.
 * The question is echoed when it parses, and an OPT record (no options) added when the query had
 * one. Returns the length, or -EBADMSG (no header), -EINVAL ('rcode' over 15, or 'reply_size'
 * below a header).
 */
int dns_build_error(const uint8_t *pkt, size_t len, uint8_t rcode, uint8_t *reply,
		    size_t reply_size);

#endif
