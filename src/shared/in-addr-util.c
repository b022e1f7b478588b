/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of in-addr-util.h: strict IPv4 parsing and prefix arithmetic. Values travel as
 * struct in_addr in network order; every computation converts to host order first, so nothing
 * here depends on the machine's byte order.
 */
#include "in-addr-util.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * Parses 1..'max_digits' decimal digits at 's' with no leading zero (a lone "0" is fine), so that
 * "010" cannot be read as octal by one tool and decimal by another. Returns the number of
 * characters consumed, or 0 when there is no valid number.
 */
static size_t parse_decimal(const char *s, size_t max_digits, unsigned *ret)
{
	unsigned v = 0;
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9') {
		if (n == max_digits)
			return 0;
		v = v * 10 + (unsigned)(s[n] - '0');
		n++;
	}
	if (n == 0 || (n > 1 && s[0] == '0'))
		return 0;
	*ret = v;
	return n;
}

/* Parses a dotted quad at 's' and returns the characters consumed, or 0 when there is none. */
static size_t parse_dotted_quad(const char *s, uint32_t *ret)
{
	uint32_t h = 0;
	size_t off = 0;

	for (int i = 0; i < 4; i++) {
		unsigned octet;
		size_t n;

		if (i > 0) {
			if (s[off] != '.')
				return 0;
			off++;
		}
		n = parse_decimal(s + off, 3, &octet);
		if (n == 0 || octet > 255)
			return 0;
		h = h << 8 | octet;
		off += n;
	}
	*ret = h;
	return off;
}

int in_addr_from_string(const char *s, struct in_addr *ret)
{
	uint32_t h;
	size_t n;

	assert(s);
	assert(ret);

	n = parse_dotted_quad(s, &h);
	if (n == 0 || s[n] != '\0')
		return -EINVAL;
	*ret = in_addr_from_host(h);
	return 0;
}

const char *in_addr_to_string(struct in_addr a, char *buf)
{
	uint32_t h = in_addr_to_host(a);

	snprintf(buf, INET_ADDRSTRLEN, "%u.%u.%u.%u", h >> 24, (h >> 16) & 0xff, (h >> 8) & 0xff,
		 h & 0xff);
	return buf;
}

int in_addr_prefix_from_string(const char *s, struct in_addr *ret_addr, uint8_t *ret_prefixlen)
{
	unsigned len;
	uint32_t h;
	size_t n, m;

	assert(s);
	assert(ret_addr);
	assert(ret_prefixlen);

	n = parse_dotted_quad(s, &h);
	if (n == 0 || s[n] != '/')
		return -EINVAL;
	m = parse_decimal(s + n + 1, 2, &len);
	if (m == 0 || s[n + 1 + m] != '\0' || len > 32)
		return -EINVAL;
	*ret_addr = in_addr_from_host(h);
	*ret_prefixlen = (uint8_t)len;
	return 0;
}

int in_prefix_from_string(const char *s, struct in_prefix *ret)
{
	struct in_prefix p;
	int r;

	assert(ret);

	r = in_addr_prefix_from_string(s, &p.addr, &p.prefixlen);
	if (r < 0)
		return r;
	if (!in_addr_equal(p.addr, in_prefix_first(&p)))
		return -EINVAL;
	*ret = p;
	return 0;
}

const char *in_prefix_to_string(const struct in_prefix *p, char *buf)
{
	char a[INET_ADDRSTRLEN];

	snprintf(buf, IN_PREFIX_STRLEN, "%s/%u", in_addr_to_string(p->addr, a),
		 (unsigned)p->prefixlen);
	return buf;
}

/* Host-order mask; a shift by 32 would be undefined, hence the special case. */
static uint32_t prefixlen_to_mask(uint8_t prefixlen)
{
	if (prefixlen == 0)
		return 0;
	if (prefixlen >= 32)
		return UINT32_MAX;
	return UINT32_MAX << (32 - prefixlen);
}

struct in_addr in_prefixlen_to_netmask(uint8_t prefixlen)
{
	return in_addr_from_host(prefixlen_to_mask(prefixlen));
}

bool in_prefix_contains(const struct in_prefix *p, struct in_addr a)
{
	uint32_t mask = prefixlen_to_mask(p->prefixlen);

	return (in_addr_to_host(a) & mask) == (in_addr_to_host(p->addr) & mask);
}

bool in_prefix_overlaps(const struct in_prefix *a, const struct in_prefix *b)
{
	/*
	 * Two prefixes are either disjoint or one contains the other, so comparing both network
	 * addresses under the shorter mask decides it.
	 */
	uint8_t shorter = a->prefixlen < b->prefixlen ? a->prefixlen : b->prefixlen;
	uint32_t mask = prefixlen_to_mask(shorter);

	return (in_addr_to_host(a->addr) & mask) == (in_addr_to_host(b->addr) & mask);
}

struct in_addr in_prefix_first(const struct in_prefix *p)
{
	return in_addr_from_host(in_addr_to_host(p->addr) & prefixlen_to_mask(p->prefixlen));
}

struct in_addr in_prefix_last(const struct in_prefix *p)
{
	return in_addr_from_host(in_addr_to_host(p->addr) | ~prefixlen_to_mask(p->prefixlen));
}

struct in_addr in_addr_add(struct in_addr a, int64_t n)
{
	/* Unsigned arithmetic wraps by definition; the cast keeps the low 32 bits. */
	return in_addr_from_host((uint32_t)((uint64_t)in_addr_to_host(a) + (uint64_t)n));
}

bool in_addr_equal(struct in_addr a, struct in_addr b)
{
	return a.s_addr == b.s_addr;
}

uint32_t in_addr_to_host(struct in_addr a)
{
	return ntohl(a.s_addr);
}

struct in_addr in_addr_from_host(uint32_t h)
{
	return (struct in_addr){ .s_addr = htonl(h) };
}

int in_prefix_default_gateway(const struct in_prefix *p, struct in_addr *ret)
{
	assert(ret);

	if (p->prefixlen > 30)
		return -EINVAL;
	*ret = in_addr_add(in_prefix_first(p), 1);
	return 0;
}

int in_prefix_default_range(const struct in_prefix *p, struct in_addr *ret_first,
			    struct in_addr *ret_last)
{
	assert(ret_first);
	assert(ret_last);

	if (p->prefixlen > 30)
		return -EINVAL;
	*ret_first = in_addr_add(in_prefix_first(p), 2);
	*ret_last = in_addr_add(in_prefix_last(p), -1);
	return 0;
}
