/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The forwarder: sends a guest's query to the upstream resolvers and hands the answer back.
 * Each upstream query gets a fresh random ID and its own connected UDP socket (so a random
 * source port chosen by the kernel); an answer is accepted only from the upstream asked, with
 * the ID and the question matching. On timeout the next upstream is tried; when all fail, the
 * guest gets SERVFAIL. Answers go through the cache. Runs on the event loop.
 */
#ifndef KN_DNS_DNS_FORWARD_H
#define KN_DNS_DNS_FORWARD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

int dns_forward_new(struct event_loop *loop, struct dns_cache *cache, struct dns_forward **ret);
/* Cancels pending queries (their callbacks are not called). */
struct dns_forward *dns_forward_free(struct dns_forward *f);

/* Sets the upstream servers (port 53). 0 upstreams: every forwarded query gets SERVFAIL. */
int dns_forward_set_upstreams(struct dns_forward *f, const struct in_addr *servers, size_t n);

/*
 * Parses "nameserver" lines of a resolv.conf text into 'ret' (at most 'max'), skipping
 * loopback addresses (127.0.0.0/8: a stub resolver on the host cannot be reached from here
 * unless it is ours), IPv6 and garbage. Returns the count.
 */
size_t dns_forward_parse_resolv_conf(const char *text, struct in_addr *ret, size_t max);

/*
 * Answers 'query' ('len' bytes; its question already parsed into qname/qtype/qclass by the
 * engine) from the cache or upstream. 'reply' is called exactly once unless the forwarder is
 * freed first -- possibly before this returns (cache hit, immediate SERVFAIL). 'cookie' must stay
 * valid until then. Returns 0, or -E2BIG when DNS_FORWARD_PENDING_MAX queries are in flight (the
 * caller answers SERVFAIL).
 */
int dns_forward_query(struct dns_forward *f, const uint8_t *query, size_t len, const char *qname,
		      uint16_t qtype, uint16_t qclass, uint64_t now_sec, dns_forward_reply_fn reply,
		      void *cookie);

/* Drops pending queries whose cookie is 'cookie' (a TCP client went away). */
void dns_forward_cancel(struct dns_forward *f, void *cookie);

#endif
