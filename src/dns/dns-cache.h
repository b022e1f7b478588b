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

/*
 * Makes an empty cache holding at most 'max_entries' answers (1..DNS_CACHE_ENTRIES_MAX) of at
 * most 'max_bytes' answer bytes in all; the least recently used go first when either is reached.
 * Returns 0, -EINVAL (a limit of 0 or too many entries) or -ENOMEM.
 */
int dns_cache_new(size_t max_entries, size_t max_bytes, struct dns_cache **ret);

/* Frees 'c' and every entry; accepts NULL; returns NULL. */
struct dns_cache *dns_cache_free(struct dns_cache *c);

/*
 * Stores the upstream answer 'pkt' to the question (qname, qtype, qclass) at 'now_sec'. Answers
 * that are not cacheable (SERVFAIL, truncated, TTL 0, no SOA for a negative answer) are ignored.
 * The key is case-insensitive; a trailing dot is ignored. Lifetimes are capped at one day. An
 * answer already stored for the key is replaced. 'pkt' is copied (see dns_cache_get() for what
 * is left out). Returns 0 (stored or ignored) or -ENOMEM.
 */
int dns_cache_put(struct dns_cache *c, const char *qname, uint16_t qtype, uint16_t qclass,
		  const uint8_t *pkt, size_t len, uint64_t now_sec);

/*
 * Looks up the question; on a hit copies the answer into 'reply' with ID 'id' and TTLs aged, and
 * returns its length; 0 on a miss (or expired); -ENOSPC if 'reply_size' is too small. Every TTL
 * (OPT excepted) becomes min(TTL, entry lifetime) minus the seconds since it was stored. The
 * answer is otherwise as upstream sent it, except that the options of a final OPT record (a DNS
 * COOKIE meant for the first asker) and bytes after the last record were not stored. Sizing it
 * to the asker's UDP limit is the caller's job. 'now_sec' must come from the clock given to
 * dns_cache_put() (monotonic seconds, so that wall-clock steps do not age entries).
 */
int dns_cache_get(struct dns_cache *c, const char *qname, uint16_t qtype, uint16_t qclass,
		  uint16_t id, uint64_t now_sec, uint8_t *reply, size_t reply_size);

/* Number of entries stored (expired ones are dropped lazily, so they may still count). */
size_t dns_cache_count(const struct dns_cache *c);

/* Answer bytes stored: what 'max_bytes' bounds. */
size_t dns_cache_bytes(const struct dns_cache *c);

#endif
