/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for dns/dns-cache: answers built by a small helper are stored and read back with
 * an injected clock. Covers TTL aging and expiry, the one-day cap, negative caching with the SOA
 * minimum (RFC 2308), what must not be cached, LRU eviction by entries and by bytes, and keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dns/dns-cache.h"

#define T_A 1
#define T_NS 2
#define T_SOA 6
#define T_AAAA 28
#define T_OPT 41
#define C_IN 1

/* A message under construction. */
struct pkt {
	uint8_t buf[2048];
	size_t len;
};

static void put8(struct pkt *p, uint8_t v)
{
	assert_true(p->len < sizeof(p->buf));
	p->buf[p->len++] = v;
}

static void put16(struct pkt *p, uint16_t v)
{
	put8(p, (uint8_t)(v >> 8));
	put8(p, (uint8_t)v);
}

static void put32(struct pkt *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p, (uint16_t)v);
}

/* Writes the dotted 'name' uncompressed. */
static void put_name(struct pkt *p, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);

		put8(p, (uint8_t)n);
		for (size_t i = 0; i < n; i++)
			put8(p, (uint8_t)name[i]);
		name += n + (dot ? 1 : 0);
	}
	put8(p, 0);
}

/* A response header (QR, RD, RA) with 'rcode' and 'flags2' extra bits, then the question. */
static void pkt_start(struct pkt *p, uint8_t rcode, uint8_t extra_flags, const char *qname,
		      uint16_t qtype, uint16_t an, uint16_t ns, uint16_t ar)
{
	p->len = 0;
	put16(p, 0xbeef);
	put8(p, 0x81 | extra_flags);
	put8(p, 0x80 | rcode);
	put16(p, 1);
	put16(p, an);
	put16(p, ns);
	put16(p, ar);
	put_name(p, qname);
	put16(p, qtype);
	put16(p, C_IN);
}

/* An A record named by a pointer to the question. */
static void put_a(struct pkt *p, uint32_t ttl, uint8_t last)
{
	put16(p, 0xc00c);
	put16(p, T_A);
	put16(p, C_IN);
	put32(p, ttl);
	put16(p, 4);
	put32(p, 0xc0000200 | last);
}

static void put_soa(struct pkt *p, const char *zone, uint32_t ttl, uint32_t minimum)
{
	size_t rdlen_at;

	put_name(p, zone);
	put16(p, T_SOA);
	put16(p, C_IN);
	put32(p, ttl);
	rdlen_at = p->len;
	put16(p, 0);
	put16(p, 0xc00c); /* mname, compressed */
	put_name(p, "hostmaster.example");
	put32(p, 2024010101);
	put32(p, 7200);
	put32(p, 900);
	put32(p, 1209600);
	put32(p, minimum);
	p->buf[rdlen_at] = (uint8_t)((p->len - rdlen_at - 2) >> 8);
	p->buf[rdlen_at + 1] = (uint8_t)(p->len - rdlen_at - 2);
}

static void put_ns(struct pkt *p, uint32_t ttl)
{
	put16(p, 0xc00c);
	put16(p, T_NS);
	put16(p, C_IN);
	put32(p, ttl);
	put16(p, 2);
	put16(p, 0xc00c);
}

/* EDNS0 OPT: its TTL field is extended rcode, version and flags (DO here), never aged. */
static void put_opt(struct pkt *p)
{
	put8(p, 0);
	put16(p, T_OPT);
	put16(p, 1232);
	put32(p, 0x00008000);
	put16(p, 0);
}

static uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Offset of the TTL of the first record after the question of 'qname' (uncompressed). */
static size_t first_ttl_off(const char *qname)
{
	return 12 + strlen(qname) + 2 + 4 + 2 + 4;
}

/* An OPT with a DNS COOKIE option (client and server cookie, 24 bytes). */
static void put_opt_cookie(struct pkt *p)
{
	put8(p, 0);
	put16(p, T_OPT);
	put16(p, 4096);
	put32(p, 0);
	put16(p, 28);
	put16(p, 10);
	put16(p, 24);
	for (unsigned i = 0; i < 24; i++)
		put8(p, (uint8_t)i);
}

static struct dns_cache *cache_new(size_t entries, size_t bytes)
{
	struct dns_cache *c = NULL;

	assert_int_equal(dns_cache_new(entries, bytes, &c), 0);
	assert_non_null(c);
	return c;
}

static void test_new_invalid(void **state)
{
	struct dns_cache *c = NULL;

	assert_int_equal(dns_cache_new(0, 1000, &c), -EINVAL);
	assert_int_equal(dns_cache_new(10, 0, &c), -EINVAL);
	assert_int_equal(dns_cache_new(DNS_CACHE_ENTRIES_MAX + 1, 1000, &c), -EINVAL);
	assert_null(c);
	assert_null(dns_cache_free(NULL));
	assert_int_equal(dns_cache_count(NULL), 0);
}

static void test_put_get_aging(void **state)
{
	struct dns_cache *c = cache_new(16, 65536);
	uint8_t out[512];
	struct pkt p;
	size_t ttl_off = first_ttl_off("www.example.org");
	int n;

	pkt_start(&p, 0, 0, "www.example.org", T_A, 1, 0, 0);
	put_a(&p, 300, 1);
	assert_int_equal(dns_cache_put(c, "www.example.org", T_A, C_IN, p.buf, p.len, 1000), 0);
	assert_int_equal(dns_cache_count(c), 1);
	assert_int_equal(dns_cache_bytes(c), p.len);

	n = dns_cache_get(c, "www.example.org", T_A, C_IN, 0x1234, 1000, out, sizeof(out));
	assert_int_equal(n, (int)p.len);
	assert_int_equal(out[0], 0x12);
	assert_int_equal(out[1], 0x34);
	assert_memory_equal(out + 2, p.buf + 2, p.len - 2);

	n = dns_cache_get(c, "www.example.org", T_A, C_IN, 7, 1100, out, sizeof(out));
	assert_int_equal(n, (int)p.len);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 7);
	assert_int_equal(rd32(out + ttl_off), 200);
	/* Only the TTL changed. */
	assert_memory_equal(out + 2, p.buf + 2, ttl_off - 2);
	assert_memory_equal(out + ttl_off + 4, p.buf + ttl_off + 4, p.len - ttl_off - 4);

	n = dns_cache_get(c, "www.example.org", T_A, C_IN, 7, 1299, out, sizeof(out));
	assert_int_equal(n, (int)p.len);
	assert_int_equal(rd32(out + ttl_off), 1);

	/* Expired: a miss, and the entry is gone. */
	assert_int_equal(dns_cache_get(c, "www.example.org", T_A, C_IN, 7, 1300, out,
				       sizeof(out)), 0);
	assert_int_equal(dns_cache_count(c), 0);
	assert_int_equal(dns_cache_bytes(c), 0);
	dns_cache_free(c);
}

static void test_min_ttl_and_opt(void **state)
{
	struct dns_cache *c = cache_new(16, 65536);
	size_t ttl_off = first_ttl_off("a.example");
	uint8_t out[512];
	struct pkt p;
	size_t rr = 16, add;

	/* Two answers (300 and 60), an NS in authority (600), additional A (5), OPT. */
	pkt_start(&p, 0, 0, "a.example", T_A, 2, 1, 2);
	put_a(&p, 300, 1);
	put_a(&p, 60, 2);
	put_ns(&p, 600);
	add = p.len;
	put_a(&p, 5, 3);
	put_opt(&p);
	assert_int_equal(dns_cache_put(c, "a.example", T_A, C_IN, p.buf, p.len, 0), 0);

	assert_int_equal(dns_cache_get(c, "a.example", T_A, C_IN, 1, 10, out, sizeof(out)),
			 (int)p.len);
	/* Each TTL is capped to the entry's 60 s, then aged; additional ones bottom out at 0. */
	assert_int_equal(rd32(out + ttl_off), 50);
	assert_int_equal(rd32(out + ttl_off + rr), 50);
	assert_int_equal(rd32(out + ttl_off + 2 * rr), 50);
	assert_int_equal(rd32(out + add + 6), 0);
	/* The OPT "TTL" (flags, DO) is untouched. */
	assert_int_equal(rd32(out + p.len - 6), 0x00008000);

	assert_int_equal(dns_cache_get(c, "a.example", T_A, C_IN, 1, 59, out, sizeof(out)),
			 (int)p.len);
	assert_int_equal(dns_cache_get(c, "a.example", T_A, C_IN, 1, 60, out, sizeof(out)), 0);
	dns_cache_free(c);
}

static void test_ttl_cap_and_zero(void **state)
{
	struct dns_cache *c = cache_new(16, 65536);
	size_t ttl_off = first_ttl_off("long.example");
	uint8_t out[512];
	struct pkt p;

	pkt_start(&p, 0, 0, "long.example", T_A, 1, 0, 0);
	put_a(&p, 7 * 86400, 1);
	assert_int_equal(dns_cache_put(c, "long.example", T_A, C_IN, p.buf, p.len, 0), 0);
	assert_int_equal(dns_cache_get(c, "long.example", T_A, C_IN, 1, 0, out, sizeof(out)),
			 (int)p.len);
	assert_int_equal(rd32(out + ttl_off), 86400);
	assert_int_equal(dns_cache_get(c, "long.example", T_A, C_IN, 1, 86399, out,
				       sizeof(out)), (int)p.len);
	assert_int_equal(rd32(out + ttl_off), 1);
	assert_int_equal(dns_cache_get(c, "long.example", T_A, C_IN, 1, 86400, out,
				       sizeof(out)), 0);

	/* TTL 0 means "use once": never cached. */
	pkt_start(&p, 0, 0, "zero.example", T_A, 1, 0, 0);
	put_a(&p, 0, 1);
	assert_int_equal(dns_cache_put(c, "zero.example", T_A, C_IN, p.buf, p.len, 0), 0);
	/* RFC 2181 §8: the top bit set reads as 0. */
	pkt_start(&p, 0, 0, "neg.example", T_A, 1, 0, 0);
	put_a(&p, 0x80000010, 1);
	assert_int_equal(dns_cache_put(c, "neg.example", T_A, C_IN, p.buf, p.len, 0), 0);
	assert_int_equal(dns_cache_count(c), 0);

	/* An OPT whose TTL field (flags) is 0 is no TTL of 0. */
	pkt_start(&p, 0, 0, "edns.example", T_A, 1, 0, 1);
	put_a(&p, 300, 1);
	put8(&p, 0);
	put16(&p, T_OPT);
	put16(&p, 1232);
	put32(&p, 0);
	put16(&p, 0);
	assert_int_equal(dns_cache_put(c, "edns.example", T_A, C_IN, p.buf, p.len, 0), 0);
	assert_int_equal(dns_cache_count(c), 1);
	dns_cache_free(c);
}

static void test_negative_nxdomain(void **state)
{
	struct dns_cache *c = cache_new(16, 65536);
	uint8_t out[512];
	struct pkt p;
	size_t soa_ttl_off;

	/* NXDOMAIN with SOA TTL 3600 and MINIMUM 60: cached for 60 s (RFC 2308 §5). */
	pkt_start(&p, 3, 0, "nope.example", T_A, 0, 1, 0);
	soa_ttl_off = p.len + strlen("example") + 2 + 4;
	put_soa(&p, "example", 3600, 60);
	assert_int_equal(dns_cache_put(c, "nope.example", T_A, C_IN, p.buf, p.len, 500), 0);
	assert_int_equal(dns_cache_count(c), 1);
	assert_int_equal(dns_cache_get(c, "nope.example", T_A, C_IN, 9, 510, out, sizeof(out)),
			 (int)p.len);
	assert_int_equal(out[3] & 0x0f, 3);
	assert_int_equal(rd32(out + soa_ttl_off), 50);
	assert_int_equal(dns_cache_get(c, "nope.example", T_A, C_IN, 9, 559, out, sizeof(out)),
			 (int)p.len);
	assert_int_equal(dns_cache_get(c, "nope.example", T_A, C_IN, 9, 560, out, sizeof(out)),
			 0);

	/* NODATA (NOERROR, no answers): SOA TTL 30 below MINIMUM 300 wins. */
	pkt_start(&p, 0, 0, "host.example", T_AAAA, 0, 1, 1);
	put_soa(&p, "example", 30, 300);
	put_opt(&p);
	assert_int_equal(dns_cache_put(c, "host.example", T_AAAA, C_IN, p.buf, p.len, 0), 0);
	assert_int_equal(dns_cache_get(c, "host.example", T_AAAA, C_IN, 9, 29, out,
				       sizeof(out)), (int)p.len);
	assert_int_equal(dns_cache_get(c, "host.example", T_AAAA, C_IN, 9, 30, out,
				       sizeof(out)), 0);
	dns_cache_free(c);
}

static void test_not_cached(void **state)
{
	struct dns_cache *c = cache_new(16, 65536);
	struct pkt p;

	/* SERVFAIL and REFUSED, even with records. */
	pkt_start(&p, 2, 0, "x.example", T_A, 1, 0, 0);
	put_a(&p, 300, 1);
	assert_int_equal(dns_cache_put(c, "x.example", T_A, C_IN, p.buf, p.len, 0), 0);
	pkt_start(&p, 5, 0, "x.example", T_A, 1, 0, 0);
	put_a(&p, 300, 1);
	assert_int_equal(dns_cache_put(c, "x.example", T_A, C_IN, p.buf, p.len, 0), 0);
	/* Truncated. */
	pkt_start(&p, 0, 0x02, "x.example", T_A, 1, 0, 0);
	put_a(&p, 300, 1);
	assert_int_equal(dns_cache_put(c, "x.example", T_A, C_IN, p.buf, p.len, 0), 0);
	/* NXDOMAIN without SOA; NODATA with only an NS (a referral). */
	pkt_start(&p, 3, 0, "x.example", T_A, 0, 0, 0);
	assert_int_equal(dns_cache_put(c, "x.example", T_A, C_IN, p.buf, p.len, 0), 0);
	pkt_start(&p, 0, 0, "x.example", T_A, 0, 1, 0);
	put_ns(&p, 300);
	assert_int_equal(dns_cache_put(c, "x.example", T_A, C_IN, p.buf, p.len, 0), 0);
	/* A query (no QR). */
	pkt_start(&p, 0, 0, "x.example", T_A, 1, 0, 0);
	put_a(&p, 300, 1);
	p.buf[2] &= 0x7f;
	assert_int_equal(dns_cache_put(c, "x.example", T_A, C_IN, p.buf, p.len, 0), 0);
	/* Malformed: a record cut short, counts beyond the data, no question, a header only. */
	pkt_start(&p, 0, 0, "x.example", T_A, 1, 0, 0);
	put_a(&p, 300, 1);
	assert_int_equal(dns_cache_put(c, "x.example", T_A, C_IN, p.buf, p.len - 1, 0), 0);
	p.buf[7] = 2;
	assert_int_equal(dns_cache_put(c, "x.example", T_A, C_IN, p.buf, p.len, 0), 0);
	p.buf[7] = 1;
	p.buf[5] = 0;
	assert_int_equal(dns_cache_put(c, "x.example", T_A, C_IN, p.buf, p.len, 0), 0);
	assert_int_equal(dns_cache_put(c, "x.example", T_A, C_IN, p.buf, 11, 0), 0);
	/* A name over 253 characters is not a key. */
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	p.buf[5] = 1;
	assert_int_equal(dns_cache_put(c, longname, T_A, C_IN, p.buf, p.len, 0), 0);
	assert_int_equal(dns_cache_count(c), 0);
	dns_cache_free(c);
}

static void test_case_insensitive_key(void **state)
{
	struct dns_cache *c = cache_new(16, 65536);
	uint8_t out[512];
	struct pkt p;

	pkt_start(&p, 0, 0, "WWW.Example.ORG", T_A, 1, 0, 0);
	put_a(&p, 300, 1);
	assert_int_equal(dns_cache_put(c, "WWW.Example.ORG", T_A, C_IN, p.buf, p.len, 0), 0);
	assert_int_equal(dns_cache_get(c, "www.example.org", T_A, C_IN, 1, 0, out, sizeof(out)),
			 (int)p.len);
	assert_int_equal(dns_cache_get(c, "www.EXAMPLE.org.", T_A, C_IN, 1, 0, out, sizeof(out)),
			 (int)p.len);
	/* Type and class are part of the key. */
	assert_int_equal(dns_cache_get(c, "www.example.org", T_AAAA, C_IN, 1, 0, out,
				       sizeof(out)), 0);
	assert_int_equal(dns_cache_get(c, "www.example.org", T_A, 3, 1, 0, out, sizeof(out)), 0);
	assert_int_equal(dns_cache_get(c, "ww.example.org", T_A, C_IN, 1, 0, out, sizeof(out)),
			 0);
	/* Too small a buffer. */
	assert_int_equal(dns_cache_get(c, "www.example.org", T_A, C_IN, 1, 0, out, p.len - 1),
			 -ENOSPC);

	/* A second answer for the key replaces the first. */
	pkt_start(&p, 0, 0, "www.example.org", T_A, 1, 0, 0);
	put_a(&p, 300, 99);
	assert_int_equal(dns_cache_put(c, "www.example.org", T_A, C_IN, p.buf, p.len, 0), 0);
	assert_int_equal(dns_cache_count(c), 1);
	assert_int_equal(dns_cache_get(c, "WWW.EXAMPLE.ORG", T_A, C_IN, 1, 0, out, sizeof(out)),
			 (int)p.len);
	assert_int_equal(out[p.len - 1], 99);
	dns_cache_free(c);
}

static void test_opt_options_dropped(void **state)
{
	struct dns_cache *c = cache_new(16, 65536);
	uint8_t out[512];
	struct pkt p;
	size_t opt_at;

	pkt_start(&p, 0, 0, "cookie.example", T_A, 1, 0, 1);
	put_a(&p, 300, 1);
	opt_at = p.len;
	put_opt_cookie(&p);
	assert_int_equal(dns_cache_put(c, "cookie.example", T_A, C_IN, p.buf, p.len, 0), 0);
	/* Stored and returned with the OPT record kept, its options gone. */
	assert_int_equal(dns_cache_bytes(c), opt_at + 11);
	assert_int_equal(dns_cache_get(c, "cookie.example", T_A, C_IN, 1, 0, out, sizeof(out)),
			 (int)(opt_at + 11));
	assert_memory_equal(out + 2, p.buf + 2, opt_at + 9 - 2);
	assert_int_equal(out[opt_at + 9], 0);
	assert_int_equal(out[opt_at + 10], 0);

	/* Bytes after the last record are not stored either. */
	pkt_start(&p, 0, 0, "trail.example", T_A, 1, 0, 0);
	put_a(&p, 300, 1);
	opt_at = p.len;
	put32(&p, 0xdeadbeef);
	assert_int_equal(dns_cache_put(c, "trail.example", T_A, C_IN, p.buf, p.len, 0), 0);
	assert_int_equal(dns_cache_get(c, "trail.example", T_A, C_IN, 1, 0, out, sizeof(out)),
			 (int)opt_at);
	dns_cache_free(c);
}

static void put_named(struct dns_cache *c, const char *name, uint64_t now, size_t *ret_len)
{
	struct pkt p;

	pkt_start(&p, 0, 0, name, T_A, 1, 0, 0);
	put_a(&p, 300, 1);
	assert_int_equal(dns_cache_put(c, name, T_A, C_IN, p.buf, p.len, now), 0);
	if (ret_len)
		*ret_len = p.len;
}

static bool has(struct dns_cache *c, const char *name)
{
	uint8_t out[512];

	return dns_cache_get(c, name, T_A, C_IN, 1, 1, out, sizeof(out)) > 0;
}

static void test_lru_entries(void **state)
{
	struct dns_cache *c = cache_new(3, 65536);

	put_named(c, "a.test", 0, NULL);
	put_named(c, "b.test", 0, NULL);
	put_named(c, "c.test", 0, NULL);
	assert_true(has(c, "a.test")); /* a is now the most recent; b the least */
	put_named(c, "d.test", 0, NULL);
	assert_int_equal(dns_cache_count(c), 3);
	assert_false(has(c, "b.test"));
	assert_true(has(c, "a.test"));
	assert_true(has(c, "c.test"));
	assert_true(has(c, "d.test"));
	put_named(c, "e.test", 0, NULL); /* evicts a, the least recently read */
	assert_false(has(c, "a.test"));
	assert_int_equal(dns_cache_count(c), 3);
	dns_cache_free(c);
}

static void test_lru_bytes(void **state)
{
	struct dns_cache *c;
	size_t len;
	struct pkt p;

	/* All names have the same length, so the same answer size. */
	c = cache_new(100, 1);
	put_named(c, "a.test", 0, &len);
	assert_int_equal(dns_cache_count(c), 0); /* larger than the whole cache */
	dns_cache_free(c);

	c = cache_new(100, 2 * len + len / 2);
	put_named(c, "a.test", 0, NULL);
	put_named(c, "b.test", 0, NULL);
	assert_int_equal(dns_cache_bytes(c), 2 * len);
	assert_true(has(c, "a.test"));
	put_named(c, "c.test", 0, NULL);
	assert_int_equal(dns_cache_count(c), 2);
	assert_int_equal(dns_cache_bytes(c), 2 * len);
	assert_false(has(c, "b.test"));
	assert_true(has(c, "a.test"));
	assert_true(has(c, "c.test"));

	/* A bigger answer pushes out as many as it needs. */
	pkt_start(&p, 0, 0, "big.test", T_A, 3, 0, 0);
	put_a(&p, 300, 1);
	put_a(&p, 300, 2);
	put_a(&p, 300, 3);
	assert_true(p.len > len && p.len <= 2 * len);
	assert_int_equal(dns_cache_put(c, "big.test", T_A, C_IN, p.buf, p.len, 0), 0);
	assert_int_equal(dns_cache_count(c), 1);
	assert_int_equal(dns_cache_bytes(c), p.len);
	dns_cache_free(c);
}

static void test_expired_pruned(void **state)
{
	struct dns_cache *c = cache_new(3, 65536);
	struct pkt p;

	/* An expired entry at the cold end goes on the next store, even with room to spare. */
	pkt_start(&p, 0, 0, "short.test", T_A, 1, 0, 0);
	put_a(&p, 5, 1);
	assert_int_equal(dns_cache_put(c, "short.test", T_A, C_IN, p.buf, p.len, 0), 0);
	put_named(c, "b.test", 0, NULL);
	assert_int_equal(dns_cache_count(c), 2);
	put_named(c, "c.test", 10, NULL);
	assert_int_equal(dns_cache_count(c), 2);
	assert_true(has(c, "b.test"));
	assert_true(has(c, "c.test"));
	dns_cache_free(c);
}

static void test_many(void **state)
{
	struct dns_cache *c = cache_new(DNS_CACHE_ENTRIES_MAX, 64 << 20);
	char name[64];

	for (unsigned i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "host-%u.example", i);
		put_named(c, name, 0, NULL);
	}
	assert_int_equal(dns_cache_count(c), 20000);
	for (unsigned i = 0; i < 20000; i += 7) {
		snprintf(name, sizeof(name), "HOST-%u.example", i);
		assert_true(has(c, name));
	}
	dns_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_invalid),
		cmocka_unit_test(test_put_get_aging),
		cmocka_unit_test(test_min_ttl_and_opt),
		cmocka_unit_test(test_ttl_cap_and_zero),
		cmocka_unit_test(test_negative_nxdomain),
		cmocka_unit_test(test_not_cached),
		cmocka_unit_test(test_case_insensitive_key),
		cmocka_unit_test(test_opt_options_dropped),
		cmocka_unit_test(test_lru_entries),
		cmocka_unit_test(test_lru_bytes),
		cmocka_unit_test(test_expired_pruned),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
