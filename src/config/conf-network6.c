/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IPv6 keys of a network's definition ("subnet6", "ra-mode", "nat6"): their setters, the
 * IPv6 part of network_config_finish(), their text form and equality. Kept out of
 * conf-network.c, which calls in here through conf-network-internal.h.
 */
#include "config/conf-network.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/conf-network-internal.h"
#include "shared/alloc-util.h"
#include "shared/strbuf.h"

static const char *const ra_mode_names[_NETWORK_RA_MODE_MAX] = {
	[NETWORK_RA_SLAAC] = "slaac",
	[NETWORK_RA_DHCPV6] = "dhcpv6",
	[NETWORK_RA_SLAAC_DHCPV6] = "slaac+dhcpv6",
};

static const char *const nat6_names[_NETWORK_NAT6_MAX] = {
	[NETWORK_NAT6_AUTO] = "auto",
	[NETWORK_NAT6_YES] = "yes",
	[NETWORK_NAT6_NO] = "no",
};

const char *network_ra_mode_to_string(enum network_ra_mode m)
{
	if (m < 0 || m >= _NETWORK_RA_MODE_MAX)
		return NULL;
	return ra_mode_names[m];
}

enum network_ra_mode network_ra_mode_from_string(const char *s)
{
	for (int i = 0; s && i < _NETWORK_RA_MODE_MAX; i++)
		if (strcmp(s, ra_mode_names[i]) == 0)
			return (enum network_ra_mode)i;
	return _NETWORK_RA_MODE_INVALID;
}

const char *network_nat6_to_string(enum network_nat6 v)
{
	if (v < 0 || v >= _NETWORK_NAT6_MAX)
		return NULL;
	return nat6_names[v];
}

enum network_nat6 network_nat6_from_string(const char *s)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	if (!s)
		return _NETWORK_NAT6_INVALID;
	if (strcasecmp(s, "auto") == 0)
		return NETWORK_NAT6_AUTO;
	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return NETWORK_NAT6_YES;
		if (strcasecmp(s, no[i]) == 0)
			return NETWORK_NAT6_NO;
	}
	return _NETWORK_NAT6_INVALID;
}

/* FNV-1a, 64 bits, over the name then 'attempt': stable across versions (prefixes persist). */
static uint64_t subnet6_hash(const char *name, unsigned attempt)
{
	uint64_t h = 14695981039346656037ULL;

	for (const char *p = name; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	for (unsigned i = 0; i < 4; i++)
		h = (h ^ (uint8_t)(attempt >> (8 * i))) * 1099511628211ULL;
	return h;
}

struct in6_prefix network_subnet6_auto_candidate(const char *name, unsigned attempt)
{
	struct in6_prefix p = { .prefixlen = 64 };
	uint64_t g = subnet6_hash(name, 0), s = subnet6_hash(name, attempt + 1);

	/* RFC 4193 §3.2: fd00::/8, a 40-bit global ID, a 16-bit subnet ID. The global ID stays
	 * the name's; a conflict only changes the subnet ID. */
	p.addr.s6_addr[0] = 0xfd;
	for (unsigned i = 0; i < 5; i++)
		p.addr.s6_addr[1 + i] = (uint8_t)(g >> (8 * i));
	p.addr.s6_addr[6] = (uint8_t)(s >> 8);
	p.addr.s6_addr[7] = (uint8_t)s;
	return p;
}

/* Prefixes a guest subnet6 must not touch, as subnet_check() has them for IPv4. */
static const struct {
	const char *prefix;
	const char *what;
} reserved6[] = {
	{ "::/8", "reserved range (loopback, unspecified, IPv4-mapped)" },
	{ "fe80::/10", "link-local range" },
	{ "ff00::/8", "multicast range" },
};

static int subnet6_check(const struct in6_prefix *p, const char *text, char *reterr,
			 size_t errlen)
{
	char v[CONF_SHOW_BUF];

	if (p->prefixlen != 64)
		return conf_fail(reterr, errlen,
				 "invalid subnet6 '%s': must be a /64 (SLAAC needs 64-bit "
				 "interface identifiers)",
				 conf_show(text, v));
	if (!in6_prefix_is_normal(p))
		return conf_fail(reterr, errlen, "invalid subnet6 '%s': host bits set",
				 conf_show(text, v));
	for (size_t i = 0; i < ELEMENTSOF(reserved6); i++) {
		struct in6_prefix r;

		if (in6_addr_prefix_from_string(reserved6[i].prefix, &r.addr, &r.prefixlen) < 0)
			continue;
		if (in6_prefix_overlaps(p, &r))
			return conf_fail(reterr, errlen, "invalid subnet6 '%s': in the %s %s",
					 conf_show(text, v), reserved6[i].what, reserved6[i].prefix);
	}
	return 0;
}

int conf_set_subnet6(struct network_config *c, const char *key, const char *value, char *reterr,
		     size_t errlen)
{
	struct in6_prefix p;
	char v[CONF_SHOW_BUF];
	int r;

	if (strcmp(value, "none") == 0 || strcmp(value, "auto") == 0) {
		c->has_subnet6 = false;
		c->subnet6_auto = value[0] == 'a';
		memset(&c->subnet6, 0, sizeof(c->subnet6));
		memset(&c->gateway6, 0, sizeof(c->gateway6));
		return 0;
	}
	if (in6_addr_prefix_from_string(value, &p.addr, &p.prefixlen) < 0)
		return conf_fail(reterr, errlen,
				 "invalid %s '%s': expected PREFIX/64, auto or none, e.g. "
				 "fd12:3456:789a:1::/64",
				 key, conf_show(value, v));
	r = subnet6_check(&p, value, reterr, errlen);
	if (r < 0)
		return r;
	memset(&c->subnet6, 0, sizeof(c->subnet6));
	c->subnet6 = p;
	c->has_subnet6 = true;
	c->subnet6_auto = false;
	return 0;
}

int conf_set_dhcp6_range(struct network_config *c, const char *key, const char *value,
			 char *reterr, size_t errlen)
{
	char v[CONF_SHOW_BUF], first[INET6_ADDRSTRLEN + 1];
	const char *dash = strchr(value, '-');
	size_t n = dash ? (size_t)(dash - value) : 0;

	if (!dash || n == 0 || n >= sizeof(first))
		goto bad;
	memcpy(first, value, n);
	first[n] = '\0';
	if (in6_addr_from_string(first, &c->range6_first) < 0 ||
	    in6_addr_from_string(dash + 1, &c->range6_last) < 0)
		goto bad;
	c->has_range6 = true;
	return 0;
bad:
	return conf_fail(reterr, errlen,
			 "invalid %s '%s': expected FIRST-LAST, e.g. fd12:3456:789a:1::1:0-"
			 "fd12:3456:789a:1::1:ffff",
			 key, conf_show(value, v));
}

/* Low 32 bits of 'a', host order: DHCPv6 addresses are told apart by them (lease/lease.h). */
static uint32_t range6_key(const struct in6_addr *a)
{
	return (uint32_t)a->s6_addr[12] << 24 | (uint32_t)a->s6_addr[13] << 16 |
	       (uint32_t)a->s6_addr[14] << 8 | a->s6_addr[15];
}

static bool in_first_96(const struct in6_prefix *p, const struct in6_addr *a)
{
	static const uint8_t zero[4];

	return in6_prefix_contains(p, a) && memcmp(&a->s6_addr[8], zero, 4) == 0;
}

/* The DHCPv6 range: the default one, or the one given, checked against the subnet6. */
static int range6_finish(struct network_config *c, char *reterr, size_t errlen)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], s[IN6_PREFIX_STRLEN];

	if (!c->has_range6) {
		c->range6_first = in6_prefix_host(&c->subnet6, 0x10000);
		c->range6_last = in6_prefix_host(&c->subnet6, 0x1ffff);
		return 0;
	}
	in6_addr_to_string(&c->range6_first, a);
	in6_addr_to_string(&c->range6_last, b);
	in6_prefix_to_string(&c->subnet6, s);
	if (!in_first_96(&c->subnet6, &c->range6_first) ||
	    !in_first_96(&c->subnet6, &c->range6_last))
		return conf_fail(reterr, errlen,
				 "dhcp6-range %s-%s must lie in the first /96 of subnet6 %s "
				 "(PREFIX::xxxx:xxxx)",
				 a, b, s);
	if (range6_key(&c->range6_first) > range6_key(&c->range6_last))
		return conf_fail(reterr, errlen, "dhcp6-range %s-%s: first address is after the last",
				 a, b);
	if (range6_key(&c->range6_last) - range6_key(&c->range6_first) >= (1U << 24))
		return conf_fail(reterr, errlen, "dhcp6-range %s-%s holds more than %u addresses", a,
				 b, 1U << 24);
	if (range6_key(&c->range6_first) <= 1)
		return conf_fail(reterr, errlen,
				 "dhcp6-range %s-%s includes the subnet-router anycast address or "
				 "the gateway6",
				 a, b);
	return 0;
}

int conf_set_ra_mode(struct network_config *c, const char *key, const char *value, char *reterr,
		     size_t errlen)
{
	enum network_ra_mode m = network_ra_mode_from_string(value);
	char v[CONF_SHOW_BUF];

	if (m < 0)
		return conf_fail(reterr, errlen,
				 "invalid %s '%s': must be slaac, dhcpv6 or slaac+dhcpv6", key,
				 conf_show(value, v));
	c->ra_mode = m;
	return 0;
}

int conf_set_nat6(struct network_config *c, const char *key, const char *value, char *reterr,
		  size_t errlen)
{
	enum network_nat6 n = network_nat6_from_string(value);
	char v[CONF_SHOW_BUF];

	if (n < 0)
		return conf_fail(reterr, errlen, "invalid %s '%s': must be auto, yes or no", key,
				 conf_show(value, v));
	c->nat6 = n;
	return 0;
}

int conf_network6_finish(struct network_config *c, char *reterr, size_t errlen)
{
	char s[IN6_PREFIX_STRLEN];
	const char *mode = network_mode_to_string(c->mode);
	int r;

	if (c->mode == NETWORK_MODE_BRIDGE || c->mode == NETWORK_MODE_MACVTAP) {
		if (c->has_subnet6 || c->subnet6_auto)
			return conf_fail(reterr, errlen,
					 "subnet6 is not allowed with mode %s: the LAN's own "
					 "routers address the guests",
					 mode);
		if (c->ra_mode != NETWORK_RA_SLAAC || c->nat6 != NETWORK_NAT6_AUTO)
			return conf_fail(reterr, errlen, "%s is not allowed with mode %s",
					 c->ra_mode != NETWORK_RA_SLAAC ? "ra-mode" : "nat6", mode);
		return 0;
	}
	if (!network_ra_mode_to_string(c->ra_mode))
		return conf_fail(reterr, errlen, "invalid ra-mode %d", (int)c->ra_mode);
	if (!network_nat6_to_string(c->nat6))
		return conf_fail(reterr, errlen, "invalid nat6 %d", (int)c->nat6);
	if (c->nat6 != NETWORK_NAT6_AUTO && c->mode != NETWORK_MODE_NAT)
		return conf_fail(reterr, errlen, "nat6 is only for mode nat (mode %s %s)", mode,
				 c->mode == NETWORK_MODE_ROUTED ? "routes its prefix" :
				 "has no way out");
	if (!c->has_subnet6) {
		memset(&c->gateway6, 0, sizeof(c->gateway6));
		if (c->has_range6)
			return conf_fail(reterr, errlen,
					 "dhcp6-range needs a subnet6 given as PREFIX/64");
		memset(&c->range6_first, 0, sizeof(c->range6_first));
		memset(&c->range6_last, 0, sizeof(c->range6_last));
		return 0;
	}
	/* Re-checked for configs built in code rather than through network_config_set(). */
	r = subnet6_check(&c->subnet6, in6_prefix_to_string(&c->subnet6, s), reterr, errlen);
	if (r < 0)
		return r;
	c->gateway6 = in6_prefix_host(&c->subnet6, 1);
	return range6_finish(c, reterr, errlen);
}

int conf_network6_format(struct strbuf *sb, const struct network_config *c)
{
	char s[IN6_PREFIX_STRLEN];
	int r = 0;

	if (c->has_subnet6)
		r = strbuf_appendf(sb, "subnet6 = %s\n", in6_prefix_to_string(&c->subnet6, s));
	else if (c->subnet6_auto)
		r = strbuf_append(sb, "subnet6 = auto\n");
	if (r == 0 && c->ra_mode != NETWORK_RA_SLAAC)
		r = strbuf_appendf(sb, "ra-mode = %s\n", network_ra_mode_to_string(c->ra_mode));
	if (r == 0 && c->nat6 != NETWORK_NAT6_AUTO)
		r = strbuf_appendf(sb, "nat6 = %s\n", network_nat6_to_string(c->nat6));
	if (r == 0 && c->has_range6) {
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
		r = strbuf_appendf(sb, "dhcp6-range = %s-%s\n", in6_addr_to_string(&c->range6_first, a),
				   in6_addr_to_string(&c->range6_last, b));
	}
	return r;
}

bool conf_network6_equal(const struct network_config *a, const struct network_config *b)
{
	return a->has_subnet6 == b->has_subnet6 && a->subnet6_auto == b->subnet6_auto &&
	       in6_addr_equal(&a->subnet6.addr, &b->subnet6.addr) &&
	       a->subnet6.prefixlen == b->subnet6.prefixlen &&
	       in6_addr_equal(&a->gateway6, &b->gateway6) && a->ra_mode == b->ra_mode &&
	       a->nat6 == b->nat6 && a->has_range6 == b->has_range6 &&
	       in6_addr_equal(&a->range6_first, &b->range6_first) &&
	       in6_addr_equal(&a->range6_last, &b->range6_last);
}
