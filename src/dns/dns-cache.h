/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The forwarder's answer cache: upstream answers keyed by (qname, qtype, qclass), kept for the
 * smallest TTL in them (RFC 1035), negative answers for the SOA's minimum (RFC 2308), bounded in
 * entries and bytes with LRU eviction. Hits are rewritten with the asker's ID and TTLs
 * decremented by the time spent in the cache. Pure: time is passed in.
 */
#ifndef KN_DNS_DNS_CACHE_H
#define KN_DNS_DNS_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct dns_cache;

#define DNS_CACHE_ENTRIES_MAX 65536

int dns_cache_new(size_t max_entries, size_t max_bytes, struct dns_cache **ret);
struct dns_cache *dns_cache_free(struct dns_cache *c);

/*
 * Stores the upstream answer 'pkt' to the question (qname, qtype, qclass) at 'now_sec'. Answers
 * that are not cacheable (SERVFAIL, truncated, TTL 0, no SOA for a negative answer) are ignored.
 * Returns 0 (stored or ignored) or -ENOMEM.
 */
int dns_cache_put(struct dns_cache *c, const char *qname, uint16_t qtype, uint16_t qclass,
		  const uint8_t *pkt, size_t len, uint64_t now_sec);

/*
 * Looks up the question; on a hit copies the answer into 'reply' with ID 'id' and TTLs aged, and
 * returns its length; 0 on a miss (or expired); -ENOSPC if 'reply_size' is too small.
 */
int dns_cache_get(struct dns_cache *c, const char *qname, uint16_t qtype, uint16_t qclass,
		  uint16_t id, uint64_t now_sec, uint8_t *reply, size_t reply_size);

size_t dns_cache_count(const struct dns_cache *c);

#endif
