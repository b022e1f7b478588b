/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of in6-addr-util.h: inet_pton/inet_ntop for the syntax (the C library's is the
 * reference every tool agrees with), byte-wise masks for the arithmetic.
 */
#include "in6-addr-util.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int in6_addr_from_string(const char *s, struct in6_addr *ret)
{
	struct in6_addr a;

	assert(s);
	assert(ret);
	if (inet_pton(AF_INET6, s, &a) != 1)
		return -EINVAL;
	*ret = a;
	return 0;
}

const char *in6_addr_to_string(const struct in6_addr *a, char *buf)
{
	if (!inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN))
		snprintf(buf, INET6_ADDRSTRLEN, "?");
	return buf;
}

int in6_addr_prefix_from_string(const char *s, struct in6_addr *ret_addr, uint8_t *ret_prefixlen)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash;
	unsigned len = 0;
	size_t n, digits;

	assert(s);
	slash = strchr(s, '/');
	if (!slash)
		return -EINVAL;
	n = (size_t)(slash - s);
	if (n == 0 || n >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, n);
	addr[n] = '\0';
	digits = strspn(slash + 1, "0123456789");
	if (digits == 0 || digits > 3 || slash[1 + digits] != '\0' ||
	    (digits > 1 && slash[1] == '0'))
		return -EINVAL;
	for (size_t i = 0; i < digits; i++)
		len = len * 10 + (unsigned)(slash[1 + i] - '0');
	if (len > 128)
		return -EINVAL;
	if (in6_addr_from_string(addr, ret_addr) < 0)
		return -EINVAL;
	*ret_prefixlen = (uint8_t)len;
	return 0;
}

const char *in6_prefix_to_string(const struct in6_prefix *p, char *buf)
{
	char a[INET6_ADDRSTRLEN];

	snprintf(buf, IN6_PREFIX_STRLEN, "%s/%u", in6_addr_to_string(&p->addr, a),
		 (unsigned)p->prefixlen);
	return buf;
}

struct in6_addr in6_addr_mask(const struct in6_addr *a, uint8_t prefixlen)
{
	struct in6_addr r = *a;

	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = i * 8;

		if (bits >= prefixlen)
			r.s6_addr[i] = 0;
		else if (prefixlen - bits < 8)
			r.s6_addr[i] &= (uint8_t)(0xff << (8 - (prefixlen - bits)));
	}
	return r;
}

bool in6_addr_equal(const struct in6_addr *a, const struct in6_addr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

bool in6_prefix_contains(const struct in6_prefix *p, const struct in6_addr *a)
{
	struct in6_addr x = in6_addr_mask(a, p->prefixlen), y = in6_addr_mask(&p->addr, p->prefixlen);

	return in6_addr_equal(&x, &y);
}

bool in6_prefix_overlaps(const struct in6_prefix *a, const struct in6_prefix *b)
{
	uint8_t len = a->prefixlen < b->prefixlen ? a->prefixlen : b->prefixlen;
	struct in6_addr x = in6_addr_mask(&a->addr, len), y = in6_addr_mask(&b->addr, len);

	return in6_addr_equal(&x, &y);
}

bool in6_addr_is_ula(const struct in6_addr *a)
{
	return (a->s6_addr[0] & 0xfe) == 0xfc;
}

bool in6_prefix_is_normal(const struct in6_prefix *p)
{
	struct in6_addr x = in6_addr_mask(&p->addr, p->prefixlen);

	return p->prefixlen <= 128 && in6_addr_equal(&x, &p->addr);
}

struct in6_addr in6_prefix_host(const struct in6_prefix *p, uint64_t iid)
{
	struct in6_addr r = in6_addr_mask(&p->addr, 64);

	for (unsigned i = 0; i < 8; i++)
		r.s6_addr[15 - i] = (uint8_t)(iid >> (8 * i));
	return r;
}

struct in6_addr in6_addr_link_local_from_mac(const uint8_t mac[6])
{
	struct in6_addr r = { 0 };

	r.s6_addr[0] = 0xfe;
	r.s6_addr[1] = 0x80;
	r.s6_addr[8] = mac[0] ^ 0x02;
	r.s6_addr[9] = mac[1];
	r.s6_addr[10] = mac[2];
	r.s6_addr[11] = 0xff;
	r.s6_addr[12] = 0xfe;
	r.s6_addr[13] = mac[3];
	r.s6_addr[14] = mac[4];
	r.s6_addr[15] = mac[5];
	return r;
}
