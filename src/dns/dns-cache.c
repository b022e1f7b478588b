/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of dns-cache.h: a chained hash table keyed with SipHash-2-4 under a random key
 * (so guests cannot choose names that pile into one bucket), threaded on an LRU list. Answers
 * are stored as received and walked again on every hit to age their TTLs. The walker here is
 * small and bounded; it only skips names and never follows compression pointers.
 */
#include "dns-cache.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "dns/dns-packet.h"
#include "shared/alloc-util.h"

#define DNS_HEADER_SIZE 12
#define DNS_PACKET_MAX 65535
#define DNS_NAME_TEXT_MAX 253   /* presentation form, no trailing dot */
#define DNS_TYPE_SOA 6
#define DNS_TYPE_OPT 41
#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_NXDOMAIN 3
#define HDR_FLAG_QR 0x80        /* in byte 2 */
#define HDR_FLAG_TC 0x02        /* in byte 2 */
#define DNS_CACHE_TTL_MAX_SEC 86400U
#define DNS_CACHE_BUCKETS_MIN 16

struct dns_cache_entry {
	struct dns_cache_entry *hash_next;
	struct dns_cache_entry *lru_prev, *lru_next;
	uint64_t hash;
	uint64_t stored_sec;
	uint32_t ttl_sec;  /* capped to DNS_CACHE_TTL_MAX_SEC, never 0 */
	uint16_t qtype, qclass;
	size_t len;        /* answer bytes at the start of 'data' */
	size_t name_len;   /* the lowercase qname follows the answer, NUL-terminated */
	uint8_t data[];
};

struct dns_cache {
	struct dns_cache_entry **buckets;
	size_t n_buckets;                         /* a power of two, grown with the entries */
	size_t max_buckets;                       /* the power of two >= max_entries */
	struct dns_cache_entry *lru_head, *lru_tail; /* head: most recently used */
	size_t n_entries, n_bytes;                /* n_bytes: answer bytes stored */
	size_t max_entries, max_bytes;
	uint64_t key[2];                          /* SipHash key */
};

/* A resource record seen by the walker; offsets are into the packet. */
struct dns_rr_view {
	uint16_t type;
	uint32_t ttl;
	size_t ttl_off;
	size_t rdata_off;
	uint16_t rdlen;
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint64_t rotl64(uint64_t v, unsigned n)
{
	return v << n | v >> (64 - n);
}

static void sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = rotl64(v[1], 13) ^ v[0];
	v[0] = rotl64(v[0], 32);
	v[2] += v[3];
	v[3] = rotl64(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = rotl64(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = rotl64(v[1], 17) ^ v[2];
	v[2] = rotl64(v[2], 32);
}

/* SipHash-2-4 (Aumasson and Bernstein, 2012), written from the paper's description. */
static uint64_t siphash24(const uint64_t key[2], const uint8_t *in, size_t len)
{
	uint64_t v[4] = {
		key[0] ^ 0x736f6d6570736575ULL,
		key[1] ^ 0x646f72616e646f6dULL,
		key[0] ^ 0x6c7967656e657261ULL,
		key[1] ^ 0x7465646279746573ULL,
	};
	uint64_t m;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		m = 0;
		for (unsigned b = 0; b < 8; b++)
			m |= (uint64_t)in[i + b] << (8 * b);
		v[3] ^= m;
		sip_round(v);
		sip_round(v);
		v[0] ^= m;
	}
	m = (uint64_t)(len & 0xff) << 56;
	for (unsigned b = 0; i + b < len; b++)
		m |= (uint64_t)in[i + b] << (8 * b);
	v[3] ^= m;
	sip_round(v);
	sip_round(v);
	v[0] ^= m;
	v[2] ^= 0xff;
	for (unsigned r = 0; r < 4; r++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static char ascii_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/*
 * Normalises 'qname' into 'out' (DNS_NAME_TEXT_MAX + 1 bytes): ASCII lowercase (RFC 4343), one
 * trailing dot dropped so "example.com." and "example.com" are one key. -EINVAL if too long.
 */
static int cache_key_from_name(const char *qname, char *out, size_t *ret_len)
{
	size_t n = strnlen(qname, DNS_NAME_TEXT_MAX + 2);

	if (n > 0 && qname[n - 1] == '.')
		n--;
	if (n > DNS_NAME_TEXT_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		out[i] = ascii_lower(qname[i]);
	out[n] = '\0';
	*ret_len = n;
	return 0;
}

static uint64_t cache_hash(const struct dns_cache *c, const char *name, size_t name_len,
			   uint16_t qtype, uint16_t qclass)
{
	uint8_t buf[DNS_NAME_TEXT_MAX + 4];

	memcpy(buf, name, name_len);
	buf[name_len] = (uint8_t)(qtype >> 8);
	buf[name_len + 1] = (uint8_t)qtype;
	buf[name_len + 2] = (uint8_t)(qclass >> 8);
	buf[name_len + 3] = (uint8_t)qclass;
	return siphash24(c->key, buf, name_len + 4);
}

static const char *entry_name(const struct dns_cache_entry *e)
{
	return (const char *)e->data + e->len;
}

/* Returns the link that points at the entry for the key, or at the NULL ending its chain. */
static struct dns_cache_entry **cache_find(struct dns_cache *c, uint64_t hash, const char *name,
					   size_t name_len, uint16_t qtype, uint16_t qclass)
{
	struct dns_cache_entry **link = &c->buckets[hash & (c->n_buckets - 1)];

	for (; *link; link = &(*link)->hash_next) {
		const struct dns_cache_entry *e = *link;

		if (e->hash == hash && e->qtype == qtype && e->qclass == qclass &&
		    e->name_len == name_len && memcmp(entry_name(e), name, name_len) == 0)
			break;
	}
	return link;
}

static void lru_unlink(struct dns_cache *c, struct dns_cache_entry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		c->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		c->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void lru_push_front(struct dns_cache *c, struct dns_cache_entry *e)
{
	e->lru_prev = NULL;
	e->lru_next = c->lru_head;
	if (c->lru_head)
		c->lru_head->lru_prev = e;
	else
		c->lru_tail = e;
	c->lru_head = e;
}

static void cache_remove(struct dns_cache *c, struct dns_cache_entry *e)
{
	struct dns_cache_entry **link = &c->buckets[e->hash & (c->n_buckets - 1)];

	while (*link != e)
		link = &(*link)->hash_next;
	*link = e->hash_next;
	lru_unlink(c, e);
	c->n_entries--;
	c->n_bytes -= e->len;
	free(e);
}

static bool entry_is_expired(const struct dns_cache_entry *e, uint64_t now_sec)
{
	return now_sec >= e->stored_sec + e->ttl_sec;
}

/*
 * Fills the hash key. Without entropy (very early boot) a clock-derived key still works; it
 * only makes bucket flooding by a guest easier.
 */
static void cache_seed(struct dns_cache *c)
{
	struct timespec ts;

	if (getrandom(c->key, sizeof(c->key), GRND_NONBLOCK) == (ssize_t)sizeof(c->key))
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	c->key[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)c;
	c->key[1] = (uint64_t)ts.tv_sec * 0xc2b2ae3d27d4eb4fULL ^ (uint64_t)(uintptr_t)&ts;
}

int dns_cache_new(size_t max_entries, size_t max_bytes, struct dns_cache **ret)
{
	_cleanup_free_ struct dns_cache *c = NULL;
	size_t n = DNS_CACHE_BUCKETS_MIN;

	if (max_entries == 0 || max_entries > DNS_CACHE_ENTRIES_MAX || max_bytes == 0)
		return -EINVAL;
	while (n < max_entries)
		n <<= 1;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	/* Small at first: a daemon has one cache per network, most of them nearly empty, and a
	 * full-size table (4096 buckets, 32 KiB) for each was half of a network's memory. */
	c->buckets = calloc(DNS_CACHE_BUCKETS_MIN, sizeof(*c->buckets));
	if (!c->buckets)
		return -ENOMEM;
	c->n_buckets = DNS_CACHE_BUCKETS_MIN;
	c->max_buckets = n;
	c->max_entries = max_entries;
	c->max_bytes = max_bytes;
	cache_seed(c);
	*ret = TAKE_PTR(c);
	return 0;
}

struct dns_cache *dns_cache_free(struct dns_cache *c)
{
	if (!c)
		return NULL;
	while (c->lru_head)
		cache_remove(c, c->lru_head);
	free(c->buckets);
	free(c);
	return NULL;
}

size_t dns_cache_count(const struct dns_cache *c)
{
	return c ? c->n_entries : 0;
}

size_t dns_cache_bytes(const struct dns_cache *c)
{
	return c ? c->n_bytes : 0;
}

/* Moves '*off' past the single question; QDCOUNT must be 1 (RFC 1035 §4.1.2 in practice). */
static int skip_question(const uint8_t *pkt, size_t len, size_t *off)
{
	int r;

	if (len < DNS_HEADER_SIZE || rd16(pkt + 4) != 1)
		return -EBADMSG;
	*off = DNS_HEADER_SIZE;
	r = dns_name_skip(pkt, len, off);
	if (r < 0)
		return r;
	if (*off + 4 > len)
		return -EBADMSG;
	*off += 4;
	return 0;
}

static int read_rr(const uint8_t *pkt, size_t len, size_t *off, struct dns_rr_view *rr)
{
	int r = dns_name_skip(pkt, len, off);

	if (r < 0)
		return r;
	if (*off + 10 > len)
		return -EBADMSG;
	rr->type = rd16(pkt + *off);
	rr->ttl_off = *off + 4;
	rr->ttl = rd32(pkt + *off + 4);
	rr->rdlen = rd16(pkt + *off + 8);
	rr->rdata_off = *off + 10;
	if (rr->rdata_off + rr->rdlen > len)
		return -EBADMSG;
	*off = rr->rdata_off + rr->rdlen;
	return 0;
}

/* RFC 2181 §8: a TTL with the most significant bit set is treated as zero. */
static uint32_t ttl_normalise(uint32_t ttl)
{
	return ttl & 0x80000000U ? 0 : ttl;
}

/*
 * Returns how long 'pkt' may be cached, 0 if it must not be. Positive answers live for the
 * smallest TTL in the answer and authority sections (RFC 1035 §7.3; OPT is no record). Negative
 * ones -- NXDOMAIN, or NOERROR without answers -- live for min(SOA TTL, SOA MINIMUM) and are not
 * cached at all without a SOA in the authority section (RFC 2308 §5).
 *
 * Also sets '*ret_store_len' to the bytes worth storing: up to the end of the last record, and
 * without the options of an OPT record that comes last (the usual place). OPT options belong to
 * one transaction (RFC 6891 §6.2.1): a DNS COOKIE (RFC 7873) echoed to another asker would not
 * match its own and make it drop the answer.
 */
static uint32_t answer_cache_ttl(const uint8_t *pkt, size_t len, size_t *ret_store_len,
				 bool *ret_opt_last)
{
	uint32_t ttl = UINT32_MAX, soa_min = UINT32_MAX;
	uint16_t an, ns, ar;
	uint8_t rcode;
	bool negative;
	size_t off = 0;

	if (len < DNS_HEADER_SIZE || len > DNS_PACKET_MAX)
		return 0;
	if (!(pkt[2] & HDR_FLAG_QR) || (pkt[2] & HDR_FLAG_TC))
		return 0;
	rcode = pkt[3] & 0x0f;
	if (rcode != DNS_RCODE_NOERROR && rcode != DNS_RCODE_NXDOMAIN)
		return 0;
	if (skip_question(pkt, len, &off) < 0)
		return 0;
	*ret_store_len = off;
	an = rd16(pkt + 6);
	ns = rd16(pkt + 8);
	ar = rd16(pkt + 10);
	negative = rcode == DNS_RCODE_NXDOMAIN || an == 0;

	for (uint32_t i = 0; i < (uint32_t)an + ns + ar; i++) {
		struct dns_rr_view rr;

		if (read_rr(pkt, len, &off, &rr) < 0)
			return 0;
		*ret_opt_last = rr.type == DNS_TYPE_OPT;
		*ret_store_len = *ret_opt_last ? rr.rdata_off : off;
		if (i >= (uint32_t)an + ns || rr.type == DNS_TYPE_OPT)
			continue;
		if (ttl_normalise(rr.ttl) < ttl)
			ttl = ttl_normalise(rr.ttl);
		if (i >= an && rr.type == DNS_TYPE_SOA && rr.rdlen >= 22) {
			/* MINIMUM is the last of the five 32-bit fields ending the RDATA. */
			uint32_t m = ttl_normalise(rd32(pkt + rr.rdata_off + rr.rdlen - 4));
			if (m < soa_min)
				soa_min = m;
		}
	}
	if (negative) {
		if (soa_min == UINT32_MAX)
			return 0;
		if (soa_min < ttl)
			ttl = soa_min;
	}
	if (ttl == UINT32_MAX)
		return 0;
	return ttl > DNS_CACHE_TTL_MAX_SEC ? DNS_CACHE_TTL_MAX_SEC : ttl;
}

/*
 * Rewrites every TTL in the copy 'pkt' (OPT excepted: its TTL field holds flags) to what is
 * left of it after 'age_sec', never more than the entry's own lifetime 'cap_sec'.
 */
static void answer_age(uint8_t *pkt, size_t len, uint32_t cap_sec, uint32_t age_sec)
{
	uint32_t n = (uint32_t)rd16(pkt + 6) + rd16(pkt + 8) + rd16(pkt + 10);
	size_t off = 0;

	if (skip_question(pkt, len, &off) < 0)
		return;
	for (uint32_t i = 0; i < n; i++) {
		struct dns_rr_view rr;
		uint32_t ttl;

		if (read_rr(pkt, len, &off, &rr) < 0)
			return;
		if (rr.type == DNS_TYPE_OPT)
			continue;
		ttl = ttl_normalise(rr.ttl);
		if (ttl > cap_sec)
			ttl = cap_sec;
		wr32(pkt + rr.ttl_off, ttl > age_sec ? ttl - age_sec : 0);
	}
}

/* Makes room for 'len' more bytes: expired entries at the cold end go first, then LRU ones. */
static void cache_make_room(struct dns_cache *c, size_t len, uint64_t now_sec)
{
	while (c->lru_tail && entry_is_expired(c->lru_tail, now_sec))
		cache_remove(c, c->lru_tail);
	while (c->lru_tail &&
	       (c->n_entries >= c->max_entries || c->n_bytes + len > c->max_bytes))
		cache_remove(c, c->lru_tail);
}

/* Doubles the table once it holds as many entries as buckets; on ENOMEM the chains just grow. */
static void cache_grow(struct dns_cache *c)
{
	size_t n = 2 * c->n_buckets;
	struct dns_cache_entry **b;

	if (c->n_entries < c->n_buckets || c->n_buckets >= c->max_buckets)
		return;
	b = calloc(n, sizeof(*b));
	if (!b)
		return;
	for (size_t i = 0; i < c->n_buckets; i++)
		while (c->buckets[i]) {
			struct dns_cache_entry *e = c->buckets[i];

			c->buckets[i] = e->hash_next;
			e->hash_next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	free(c->buckets);
	c->buckets = b;
	c->n_buckets = n;
}

int dns_cache_put(struct dns_cache *c, const char *qname, uint16_t qtype, uint16_t qclass,
		  const uint8_t *pkt, size_t len, uint64_t now_sec)
{
	char name[DNS_NAME_TEXT_MAX + 1];
	struct dns_cache_entry **link, *e;
	size_t name_len, store_len = 0;
	bool opt_last = false;
	uint32_t ttl;
	uint64_t hash;

	if (!c || !qname || !pkt)
		return 0;
	if (cache_key_from_name(qname, name, &name_len) < 0)
		return 0;
	ttl = answer_cache_ttl(pkt, len, &store_len, &opt_last);
	if (ttl == 0 || store_len > c->max_bytes)
		return 0;
	len = store_len;

	hash = cache_hash(c, name, name_len, qtype, qclass);
	link = cache_find(c, hash, name, name_len, qtype, qclass);
	if (*link)
		cache_remove(c, *link);
	cache_make_room(c, len, now_sec);

	e = malloc(sizeof(*e) + len + name_len + 1);
	if (!e)
		return -ENOMEM;
	*e = (struct dns_cache_entry){
		.hash = hash,
		.stored_sec = now_sec,
		.ttl_sec = ttl,
		.qtype = qtype,
		.qclass = qclass,
		.len = len,
		.name_len = name_len,
	};
	memcpy(e->data, pkt, len);
	memcpy(e->data + len, name, name_len + 1);
	if (opt_last) {
		e->data[len - 2] = 0; /* RDLENGTH of the OPT record, its options cut off */
		e->data[len - 1] = 0;
	}

	cache_grow(c);
	link = &c->buckets[hash & (c->n_buckets - 1)];
	e->hash_next = *link;
	*link = e;
	lru_push_front(c, e);
	c->n_entries++;
	c->n_bytes += len;
	return 0;
}

int dns_cache_get(struct dns_cache *c, const char *qname, uint16_t qtype, uint16_t qclass,
		  uint16_t id, uint64_t now_sec, uint8_t *reply, size_t reply_size)
{
	char name[DNS_NAME_TEXT_MAX + 1];
	struct dns_cache_entry *e;
	size_t name_len;
	uint64_t age;

	if (!c || !qname)
		return 0;
	if (cache_key_from_name(qname, name, &name_len) < 0)
		return 0;
	e = *cache_find(c, cache_hash(c, name, name_len, qtype, qclass), name, name_len, qtype,
			qclass);
	if (!e)
		return 0;
	if (entry_is_expired(e, now_sec)) {
		cache_remove(c, e);
		return 0;
	}
	if (reply_size < e->len)
		return -ENOSPC;

	/* A clock that went backwards means no time has passed. */
	age = now_sec > e->stored_sec ? now_sec - e->stored_sec : 0;
	memcpy(reply, e->data, e->len);
	reply[0] = (uint8_t)(id >> 8);
	reply[1] = (uint8_t)id;
	answer_age(reply, e->len, e->ttl_sec, (uint32_t)age);

	lru_unlink(c, e);
	lru_push_front(c, e);
	return (int)e->len;
}
