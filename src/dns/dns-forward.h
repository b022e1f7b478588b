/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The forwarder: sends a guest's query to the upstream resolvers and hands the answer back.
 * Upstreams are IPv4 or IPv6 addresses, mixed in any order. Each upstream query gets a fresh
 * random ID and its own UDP socket of the upstream's family, connected to it (so a random source
 * port chosen by the kernel); an answer is accepted only from the upstream asked (address and
 * port, which the connected socket filters), with the ID and the question matching. On timeout the next upstream is tried; when all fail, the
 * guest gets SERVFAIL. Answers go through the cache. Runs on the event loop.
 */
#ifndef KN_DNS_DNS_FORWARD_H
#define KN_DNS_DNS_FORWARD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/ip-addr-util.h"

struct dns_cache;
struct event_loop;

#define DNS_FORWARD_UPSTREAMS_MAX 4
#define DNS_FORWARD_PENDING_MAX 4096
#define DNS_FORWARD_TIMEOUT_USEC 1000000ULL

/*
 * Delivers the final answer for a forwarded query: 'answer' ('len' bytes, with the guest's
 * original ID already restored) to be sent back to whoever asked; 'cookie' is the caller's.
 */
typedef void (*dns_forward_reply_fn)(const uint8_t *answer, size_t len, void *cookie);

struct dns_forward;

/*
 * Makes a forwarder on 'loop' (borrowed; must outlive it) using 'cache' (borrowed, may be NULL
 * for no caching), with no upstreams yet. Returns 0, -ENOMEM or -errno from the loop.
 */
int dns_forward_new(struct event_loop *loop, struct dns_cache *cache, struct dns_forward **ret);

/*
 * Cancels pending queries (their callbacks are not called) and frees 'f'; accepts NULL; returns
 * NULL. Not from inside a reply callback of 'f'.
 */
struct dns_forward *dns_forward_free(struct dns_forward *f);

/*
 * Sets the upstream servers (port 53), copied: IPv4 and IPv6 addresses in the order they are to
 * be tried. 0 upstreams: every forwarded query gets SERVFAIL. Queries in flight go on with the
 * new list. Returns 0, -E2BIG (more than DNS_FORWARD_UPSTREAMS_MAX) or -EINVAL (a family other
 * than AF_INET and AF_INET6); the list is unchanged on failure.
 */
int dns_forward_set_upstreams(struct dns_forward *f, const struct ip_addr *servers, size_t n);

/* For tests: the UDP port (host order) upstreams are asked on instead of 53. */
void dns_forward_set_upstream_port(struct dns_forward *f, uint16_t port);

/*
 * For tests: how long to wait for each upstream instead of DNS_FORWARD_TIMEOUT_USEC. Applies to
 * attempts started afterwards. Returns 0 or -EINVAL for 0.
 */
int dns_forward_set_timeout(struct dns_forward *f, uint64_t timeout_usec);

/* For tests: a lower bound than DNS_FORWARD_PENDING_MAX (1..). Returns 0 or -EINVAL. */
int dns_forward_set_pending_max(struct dns_forward *f, size_t max);

/* Number of queries waiting for an upstream. */
size_t dns_forward_pending_count(const struct dns_forward *f);

/*
 * Parses "nameserver" lines of a resolv.conf text into 'ret' (at most 'max'), IPv4 and IPv6 in
 * the order given, skipping duplicates, loopback addresses (127.0.0.0/8 and ::1: a stub
 * resolver on the host cannot be reached from here unless it is ours), 0.0.0.0, what
 * ip_addr_unicast_refusal() refuses (a link-local address, with or without a "%zone", among
 * them: nothing here says which interface) and garbage. Returns the count.
 */
size_t dns_forward_parse_resolv_conf(const char *text, struct ip_addr *ret, size_t max);

/*
 * Answers 'query' ('len' bytes; its question already parsed into qname/qtype/qclass by the
 * engine) from the cache or upstream. 'reply' is called exactly once unless the forwarder is
 * freed first -- possibly before this returns (cache hit, immediate SERVFAIL). 'cookie' must stay
 * valid until then. 'now_sec' is the cache's clock (monotonic seconds). The query is copied and
 * sent unchanged except for its ID, so the guest's EDNS0 buffer size reaches the upstream.
 *
 * Upstreams are tried once each, in order, starting with the one that last answered; on
 * timeout, a socket error (ICMP unreachable) or REFUSED the next is asked. SERVFAIL when none
 * is left. Answers with TC are passed on uncached (the guest retries over TCP).
 *
 * 'answer' is valid only during the callback. The callback may call dns_forward_query() and
 * dns_forward_cancel(), but not dns_forward_free().
 *
 * Returns 0, -E2BIG when DNS_FORWARD_PENDING_MAX queries are in flight (the caller answers
 * SERVFAIL), -EBADMSG if 'query' does not hold exactly one uncompressed question, -EINVAL for a
 * qname over 253 characters, or -ENOMEM; 'reply' is not called on failure. Never blocks.
 */
int dns_forward_query(struct dns_forward *f, const uint8_t *query, size_t len, const char *qname,
		      uint16_t qtype, uint16_t qclass, uint64_t now_sec, dns_forward_reply_fn reply,
		      void *cookie);

/* Drops pending queries whose cookie is 'cookie' (a TCP client went away); no callbacks. */
void dns_forward_cancel(struct dns_forward *f, void *cookie);

#endif
