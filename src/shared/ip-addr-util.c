/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of ip-addr-util.h: each family's own helpers do the work. */
#include "ip-addr-util.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "shared/in-addr-util.h"
#include "shared/in6-addr-util.h"

struct ip_addr ip_addr_from_in(struct in_addr a)
{
	struct ip_addr r;

	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	r.in = a;
	return r;
}

struct ip_addr ip_addr_from_in6(const struct in6_addr *a)
{
	struct ip_addr r = { .family = AF_INET6 };

	r.in6 = *a;
	return r;
}

int ip_addr_from_string(const char *s, struct ip_addr *ret)
{
	struct in6_addr a6;
	struct in_addr a;

	assert(s);
	assert(ret);
	if (in_addr_from_string(s, &a) == 0) {
		*ret = ip_addr_from_in(a);
		return 0;
	}
	if (in6_addr_from_string(s, &a6) == 0) {
		*ret = ip_addr_from_in6(&a6);
		return 0;
	}
	return -EINVAL;
}

const char *ip_addr_to_string(const struct ip_addr *a, char *buf)
{
	if (a->family == AF_INET6)
		return in6_addr_to_string(&a->in6, buf);
	if (a->family == AF_INET)
		return in_addr_to_string(a->in, buf);
	return strcpy(buf, "?");
}

bool ip_addr_equal(const struct ip_addr *a, const struct ip_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET6)
		return in6_addr_equal(&a->in6, &b->in6);
	return in_addr_equal(a->in, b->in);
}

bool ip_addr_is_loopback(const struct ip_addr *a)
{
	if (a->family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&a->in6);
	return (in_addr_to_host(a->in) >> 24) == 127;
}

const char *ip_addr_unicast_refusal(const struct ip_addr *a)
{
	if (a->family == AF_INET) {
		uint32_t h = in_addr_to_host(a->in);

		/* 0.0.0.0/8 "this network", 224.0.0.0/4 multicast, 240.0.0.0/4 and broadcast. */
		if ((h >> 24) == 0 || (h >> 28) >= 0xe)
			return "is not a unicast address";
		return NULL;
	}
	if (a->family != AF_INET6)
		return "is of no known address family";
	if (IN6_IS_ADDR_UNSPECIFIED(&a->in6))
		return "is the unspecified address";
	if (IN6_IS_ADDR_MULTICAST(&a->in6))
		return "is a multicast address";
	if (IN6_IS_ADDR_LINKLOCAL(&a->in6))
		return "is link-local (fe80::/10), which needs an interface: use a global or "
		       "unique local address";
	if (IN6_IS_ADDR_V4MAPPED(&a->in6))
		return "is IPv4-mapped: write the IPv4 address";
	return NULL;
}
