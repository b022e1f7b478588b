/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of conf-network.h, except its text form (conf-network-ini.c). One table of keys
 * drives the CLI path (network_config_set), the file path (inih feeding the same setters) and the
 * writer, so the three cannot drift apart; checks that involve two keys all live in
 * network_config_finish().
 */
#include "conf-network.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/conf-network-internal.h"
#include "shared/alloc-util.h"
#include "shared/in-addr-util.h"

/* Values quoted in error messages are cut to this many characters. */
#define SHOW_MAX CONF_SHOW_MAX
#define SHOW_BUF CONF_SHOW_BUF

/* Longest "DEST/LEN via GATEWAY" item of dhcp-routes, blanks included. */
#define ROUTE_ITEM_MAX 64
/* Longest address item of dns-forwarders, blanks trimmed. */
#define FORWARDER_ITEM_MAX (IP_ADDR_STRLEN - 1)

static const char *const network_mode_names[_NETWORK_MODE_MAX] = {
	[NETWORK_MODE_NAT] = "nat",
	[NETWORK_MODE_ROUTED] = "routed",
	[NETWORK_MODE_ISOLATED] = "isolated",
	[NETWORK_MODE_OPEN] = "open",
	[NETWORK_MODE_BRIDGE] = "bridge",
	[NETWORK_MODE_MACVTAP] = "macvtap",
};

static const char *const macvtap_mode_names[_NETWORK_MACVTAP_MODE_MAX] = {
	[NETWORK_MACVTAP_BRIDGE] = "bridge",
	[NETWORK_MACVTAP_VEPA] = "vepa",
	[NETWORK_MACVTAP_PRIVATE] = "private",
	[NETWORK_MACVTAP_PASSTHRU] = "passthrough",
};

const char *network_macvtap_mode_to_string(enum network_macvtap_mode m)
{
	if (m < 0 || m >= _NETWORK_MACVTAP_MODE_MAX)
		return NULL;
	return macvtap_mode_names[m];
}

enum network_macvtap_mode network_macvtap_mode_from_string(const char *s)
{
	if (!s)
		return _NETWORK_MACVTAP_MODE_INVALID;
	for (int i = 0; i < _NETWORK_MACVTAP_MODE_MAX; i++)
		if (strcmp(s, macvtap_mode_names[i]) == 0)
			return (enum network_macvtap_mode)i;
	return _NETWORK_MACVTAP_MODE_INVALID;
}

const char *network_mode_to_string(enum network_mode m)
{
	if (m < 0 || m >= _NETWORK_MODE_MAX)
		return NULL;
	return network_mode_names[m];
}

enum network_mode network_mode_from_string(const char *s)
{
	if (!s)
		return _NETWORK_MODE_INVALID;
	for (int i = 0; i < _NETWORK_MODE_MAX; i++)
		if (strcmp(s, network_mode_names[i]) == 0)
			return (enum network_mode)i;
	return _NETWORK_MODE_INVALID;
}

static const char *const port_security_names[_NETWORK_PORT_SECURITY_MAX] = {
	[NETWORK_PORT_SECURITY_FULL] = "yes",
	[NETWORK_PORT_SECURITY_MAC] = "mac",
	[NETWORK_PORT_SECURITY_OFF] = "no",
};

/* The spellings of the booleans (parse_boolean()), index for index. */
static const char *const boolean_yes[] = { "yes", "true", "on", "1" };
static const char *const boolean_no[] = { "no", "false", "off", "0" };

const char *network_port_security_to_string(enum network_port_security s)
{
	if (s < 0 || s >= _NETWORK_PORT_SECURITY_MAX)
		return NULL;
	return port_security_names[s];
}

enum network_port_security network_port_security_from_string(const char *s)
{
	if (!s)
		return _NETWORK_PORT_SECURITY_INVALID;
	if (strcasecmp(s, "mac") == 0)
		return NETWORK_PORT_SECURITY_MAC;
	for (size_t i = 0; i < ELEMENTSOF(boolean_yes); i++) {
		if (strcasecmp(s, boolean_yes[i]) == 0)
			return NETWORK_PORT_SECURITY_FULL;
		if (strcasecmp(s, boolean_no[i]) == 0)
			return NETWORK_PORT_SECURITY_OFF;
	}
	return _NETWORK_PORT_SECURITY_INVALID;
}

void network_config_init(struct network_config *c)
{
	/* memset rather than a compound literal: padding and string tails are zero too. */
	memset(c, 0, sizeof(*c));
	c->mode = NETWORK_MODE_NAT;
	c->dhcp = true;
	c->dns = true;
	c->autostart = false;
	c->lease_time_sec = NETWORK_LEASE_TIME_DEFAULT;
	c->dhcp_leases_per_port = NETWORK_DHCP_LEASES_PER_PORT_DEFAULT;
	c->isolate_ports = false;
	c->port_security = NETWORK_PORT_SECURITY_FULL;
	c->n_allow_attach = 0;
}

bool network_name_is_valid(const char *name)
{
	size_t n;

	if (!name)
		return false;
	n = strlen(name);
	if (n == 0 || n > NETWORK_NAME_MAX)
		return false;
	if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9')))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* FNV-1a, 32 bits: small, well known, and stable across versions (bridge names persist). */
static uint32_t fnv1a32(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

void network_default_bridge(const char *name, char *buf)
{
	if (strlen(name) <= IFNAMSIZ - 1 - strlen("kn-"))
		snprintf(buf, IFNAMSIZ, "kn-%s", name);
	else
		snprintf(buf, IFNAMSIZ, "kn-%.6s-%05x", name, (unsigned)(fnv1a32(name) & 0xfffff));
}

/* Copies 's' for quoting in a message: control and non-ASCII bytes become '?', long ones "...". */
static const char *show(const char *s, char *buf)
{
	size_t i;

	for (i = 0; s[i] && i < SHOW_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];

		buf[i] = ch < ' ' || ch >= 0x7f ? '?' : (char)ch;
	}
	if (s[i]) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

int conf_parse_uint32(const char *s, uint32_t max, uint32_t *ret)
{
	size_t n = strlen(s);
	uint64_t v = 0;

	if (n == 0 || strspn(s, "0123456789") != n)
		return -EINVAL;
	/* Stops accumulating once out of range: no overflow, whatever the number of digits. */
	for (size_t i = 0; i < n && v <= max; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (v > max)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

const char *conf_show(const char *s, char *buf)
{
	return show(s, buf);
}

int conf_fail(char *reterr, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (reterr && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(reterr, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Writes "invalid KEY 'VALUE': REASON" and returns -EINVAL. */
_printf_(5, 6) static int invalid(char *reterr, size_t errlen, const char *key, const char *value,
				  const char *fmt, ...)
{
	char why[256], v[SHOW_BUF];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return conf_fail(reterr, errlen, "invalid %s '%s': %s", key, show(value, v), why);
}

static void copy_string(char *dst, size_t size, const char *src)
{
	/* strncpy's zero fill keeps the bytes after the NUL deterministic. */
	strncpy(dst, src, size - 1);
	dst[size - 1] = '\0';
}

/* Checks a domain per RFC 1035 §2.3.1/RFC 1123 §2.1 (letters, digits, inner hyphens). */
static int domain_check(const char *d, char *reterr, size_t errlen)
{
	size_t n = strlen(d), label = 0;

	if (n > NETWORK_DOMAIN_MAX)
		return invalid(reterr, errlen, "domain", d, "longer than %d characters",
			       NETWORK_DOMAIN_MAX);
	for (size_t i = 0; i <= n; i++) {
		char ch = d[i];

		if (ch == '.' || ch == '\0') {
			if (label == 0)
				return invalid(reterr, errlen, "domain", d, "empty label");
			if (d[i - label] == '-' || d[i - 1] == '-')
				return invalid(reterr, errlen, "domain", d,
					       "a label starts or ends with '-'");
			label = 0;
			continue;
		}
		if (ch >= 'A' && ch <= 'Z')
			return invalid(reterr, errlen, "domain", d,
				       "uppercase '%c' (domains are written in lowercase)", ch);
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
			return invalid(reterr, errlen, "domain", d,
				       "character '%c' not allowed (labels use a-z, 0-9 and '-')",
				       ch > ' ' && ch < 0x7f ? ch : '?');
		if (++label > 63)
			return invalid(reterr, errlen, "domain", d,
				       "a label is longer than 63 characters");
	}
	return 0;
}

/* Ranges a guest subnet must not touch: the kernel or every host treats them specially. */
static const struct {
	const char *prefix;
	const char *what;
} reserved_subnets[] = {
	{ "0.0.0.0/8", "'this network' range" },
	{ "127.0.0.0/8", "loopback range" },
	{ "224.0.0.0/4", "multicast range" },
	{ "240.0.0.0/4", "reserved range" },
};

/* Checks everything about a subnet that does not depend on other keys. */
static int subnet_check(const struct in_prefix *p, const char *text, char *reterr, size_t errlen)
{
	if (p->prefixlen < NETWORK_PREFIXLEN_MIN)
		return invalid(reterr, errlen, "subnet", text, "too large (shorter than /%d)",
			       NETWORK_PREFIXLEN_MIN);
	if (p->prefixlen > NETWORK_PREFIXLEN_MAX)
		return invalid(reterr, errlen, "subnet", text,
			       "too small (longer than /%d leaves no room for a gateway and a "
			       "guest)",
			       NETWORK_PREFIXLEN_MAX);
	if (!in_addr_equal(p->addr, in_prefix_first(p)))
		return invalid(reterr, errlen, "subnet", text, "host bits set");
	for (size_t i = 0; i < ELEMENTSOF(reserved_subnets); i++) {
		struct in_prefix r;

		if (in_prefix_from_string(reserved_subnets[i].prefix, &r) < 0)
			continue;
		if (in_prefix_overlaps(p, &r))
			return invalid(reterr, errlen, "subnet", text, "overlaps the %s %s",
				       reserved_subnets[i].what, reserved_subnets[i].prefix);
	}
	return 0;
}

static int set_name(struct network_config *c, const char *key, const char *value, char *reterr,
		    size_t errlen)
{
	if (!network_name_is_valid(value))
		return invalid(reterr, errlen, key, value, "must match [a-z0-9][a-z0-9_-]{0,31}");
	copy_string(c->name, sizeof(c->name), value);
	return 0;
}

static int set_mode(struct network_config *c, const char *key, const char *value, char *reterr,
		    size_t errlen)
{
	enum network_mode m = network_mode_from_string(value);

	if (m < 0)
		return invalid(reterr, errlen, key, value, "must be nat, routed, isolated, open, bridge or macvtap");
	c->mode = m;
	return 0;
}

static int set_subnet(struct network_config *c, const char *key, const char *value, char *reterr,
		      size_t errlen)
{
	struct in_prefix p;
	int r;

	if (in_addr_prefix_from_string(value, &p.addr, &p.prefixlen) < 0)
		return invalid(reterr, errlen, key, value,
			       "expected ADDRESS/LENGTH, e.g. 10.0.0.0/24");
	r = subnet_check(&p, value, reterr, errlen);
	if (r < 0)
		return r;
	c->subnet = p;
	c->has_subnet = true;
	return 0;
}

static int set_dhcp_range(struct network_config *c, const char *key, const char *value,
			  char *reterr, size_t errlen)
{
	char first_s[INET_ADDRSTRLEN];
	struct in_addr first, last;
	const char *dash = strchr(value, '-');
	size_t n = dash ? (size_t)(dash - value) : 0;

	if (!dash || n >= sizeof(first_s))
		goto syntax;
	memcpy(first_s, value, n);
	first_s[n] = '\0';
	if (in_addr_from_string(first_s, &first) < 0 || in_addr_from_string(dash + 1, &last) < 0)
		goto syntax;
	if (in_addr_to_host(first) > in_addr_to_host(last))
		return invalid(reterr, errlen, key, value, "first address is after the last");
	c->range_first = first;
	c->range_last = last;
	c->has_range = true;
	return 0;

syntax:
	return invalid(reterr, errlen, key, value,
		       "expected FIRST-LAST, e.g. 192.168.122.100-192.168.122.254");
}

static const struct {
	char suffix;
	uint32_t sec;
} lease_time_units[] = {
	/* Largest first: the writer uses the largest unit that divides the value exactly. */
	{ 'd', 86400 },
	{ 'h', 3600 },
	{ 'm', 60 },
	{ 's', 1 },
};

const char *lease_time_to_string(uint32_t sec, char *buf, size_t size)
{
	size_t i = 0;

	while (i + 1 < ELEMENTSOF(lease_time_units) && sec % lease_time_units[i].sec != 0)
		i++;
	snprintf(buf, size, "%u%c", (unsigned)(sec / lease_time_units[i].sec),
		 lease_time_units[i].suffix);
	return buf;
}

static int set_lease_time(struct network_config *c, const char *key, const char *value,
			  char *reterr, size_t errlen)
{
	size_t n = strlen(value), digits = strspn(value, "0123456789");
	uint64_t v = 0, unit = 1;

	if (digits == 0 || n > digits + 1)
		goto syntax;
	if (n == digits + 1) {
		size_t i;

		for (i = 0; i < ELEMENTSOF(lease_time_units); i++)
			if (value[digits] == lease_time_units[i].suffix)
				break;
		if (i == ELEMENTSOF(lease_time_units))
			goto syntax;
		unit = lease_time_units[i].sec;
	}
	/* Stops accumulating once out of range: no overflow, whatever the number of digits. */
	for (size_t i = 0; i < digits && v <= NETWORK_LEASE_TIME_MAX; i++)
		v = v * 10 + (uint64_t)(value[i] - '0');
	v *= unit;
	if (v < NETWORK_LEASE_TIME_MIN || v > NETWORK_LEASE_TIME_MAX)
		return invalid(reterr, errlen, key, value, "must be between 60s and 365d");
	c->lease_time_sec = (uint32_t)v;
	return 0;

syntax:
	return invalid(reterr, errlen, key, value,
		       "expected seconds, or a number with suffix s, m, h or d, e.g. 1h");
}

/* Parses one "DEST/LEN via GATEWAY" item ('len' bytes at 's', blanks already trimmed). */
static int route_parse(const char *s, size_t len, struct network_route *ret)
{
	char item[ROUTE_ITEM_MAX + 1], *save = NULL, *dst, *via, *gw;
	struct network_route rt;

	if (len > ROUTE_ITEM_MAX)
		return -EINVAL;
	memcpy(item, s, len);
	item[len] = '\0';
	dst = strtok_r(item, " \t", &save);
	via = strtok_r(NULL, " \t", &save);
	gw = strtok_r(NULL, " \t", &save);
	if (!dst || !via || !gw || strtok_r(NULL, " \t", &save) || strcmp(via, "via") != 0)
		return -EINVAL;
	if (in_addr_prefix_from_string(dst, &rt.dst.addr, &rt.dst.prefixlen) < 0 ||
	    in_addr_from_string(gw, &rt.gw) < 0)
		return -EINVAL;
	*ret = rt;
	return 0;
}

/*
 * Checks what a route list allows on its own: count, no host bits, no repeated destination.
 * Writes the reason to 'why' and returns -EINVAL.
 */
static int routes_check(const struct network_route *routes, size_t n, char *why, size_t whylen)
{
	char p[IN_PREFIX_STRLEN];

	if (n > NETWORK_ROUTES_MAX)
		return conf_fail(why, whylen, "more than %d routes", NETWORK_ROUTES_MAX);
	for (size_t i = 0; i < n; i++) {
		if (routes[i].dst.prefixlen > 32)
			return conf_fail(why, whylen, "route %zu has prefix length %u", i + 1,
				    (unsigned)routes[i].dst.prefixlen);
		if (!in_addr_equal(routes[i].dst.addr, in_prefix_first(&routes[i].dst)))
			return conf_fail(why, whylen, "destination %s has host bits set",
				    in_prefix_to_string(&routes[i].dst, p));
		for (size_t k = 0; k < i; k++)
			if (routes[k].dst.prefixlen == routes[i].dst.prefixlen &&
			    in_addr_equal(routes[k].dst.addr, routes[i].dst.addr))
				return conf_fail(why, whylen, "destination %s is given twice",
					    in_prefix_to_string(&routes[i].dst, p));
	}
	return 0;
}

static int set_dhcp_routes(struct network_config *c, const char *key, const char *value,
			   char *reterr, size_t errlen)
{
	struct network_route routes[NETWORK_ROUTES_MAX];
	const char *p = value;
	char why[256];
	size_t n = 0;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0)
			return invalid(reterr, errlen, key, value, "route %zu is empty", n + 1);
		if (n == NETWORK_ROUTES_MAX)
			return invalid(reterr, errlen, key, value, "more than %d routes",
				       NETWORK_ROUTES_MAX);
		if (route_parse(p, len, &routes[n]) < 0)
			return invalid(reterr, errlen, key, value,
				       "route %zu: expected DEST/LEN via GATEWAY, e.g. 10.1.0.0/16 "
				       "via 192.168.122.5",
				       n + 1);
		n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	if (routes_check(routes, n, why, sizeof(why)) < 0)
		return invalid(reterr, errlen, key, value, "%s", why);
	/* Unused entries are zeroed so that copies of the config stay deterministic. */
	memset(c->routes, 0, sizeof(c->routes));
	memcpy(c->routes, routes, n * sizeof(routes[0]));
	c->n_routes = n;
	return 0;
}

/*
 * Checks what a forwarder list allows on its own: count, unicast addresses of either family
 * (ip_addr_unicast_refusal()), none given twice. Writes the reason to 'why' and returns -EINVAL.
 */
static int forwarders_check(const struct ip_addr *addrs, size_t n, char *why, size_t whylen)
{
	char a[IP_ADDR_STRLEN];

	if (n > NETWORK_DNS_FORWARDERS_MAX)
		return conf_fail(why, whylen, "more than %d addresses", NETWORK_DNS_FORWARDERS_MAX);
	for (size_t i = 0; i < n; i++) {
		const char *refusal = ip_addr_unicast_refusal(&addrs[i]);

		ip_addr_to_string(&addrs[i], a);
		if (refusal)
			return conf_fail(why, whylen, "%s %s", a, refusal);
		for (size_t k = 0; k < i; k++)
			if (ip_addr_equal(&addrs[k], &addrs[i]))
				return conf_fail(why, whylen, "%s is given twice", a);
	}
	return 0;
}

static int set_dns_forwarders(struct network_config *c, const char *key, const char *value,
			      char *reterr, size_t errlen)
{
	struct ip_addr addrs[NETWORK_DNS_FORWARDERS_MAX];
	char item[FORWARDER_ITEM_MAX + 1], why[256];
	const char *p = value;
	size_t n = 0;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0)
			return invalid(reterr, errlen, key, value, "address %zu is empty", n + 1);
		if (n == NETWORK_DNS_FORWARDERS_MAX)
			return invalid(reterr, errlen, key, value, "more than %d addresses",
				       NETWORK_DNS_FORWARDERS_MAX);
		if (len <= FORWARDER_ITEM_MAX) {
			memcpy(item, p, len);
			item[len] = '\0';
		} else {
			item[0] = '\0'; /* too long for an address: refused just below */
		}
		if (ip_addr_from_string(item, &addrs[n]) < 0)
			return invalid(reterr, errlen, key, value,
				       "address %zu: expected an IPv4 or IPv6 address, e.g. 192.0.2.53 "
				       "or 2001:db8::53",
				       n + 1);
		n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	if (forwarders_check(addrs, n, why, sizeof(why)) < 0)
		return invalid(reterr, errlen, key, value, "%s", why);
	/* Unused entries are zeroed so that copies of the config stay deterministic. */
	memset(c->dns_forwarders, 0, sizeof(c->dns_forwarders));
	memcpy(c->dns_forwarders, addrs, n * sizeof(addrs[0]));
	c->n_dns_forwarders = n;
	return 0;
}

static int set_domain(struct network_config *c, const char *key, const char *value, char *reterr,
		      size_t errlen)
{
	int r = domain_check(value, reterr, errlen);

	if (r < 0)
		return r;
	copy_string(c->domain, sizeof(c->domain), value);
	return 0;
}

static int set_mtu(struct network_config *c, const char *key, const char *value, char *reterr,
		   size_t errlen)
{
	uint32_t v;
	int r = conf_parse_uint32(value, NETWORK_MTU_MAX, &v);

	if (r == -EINVAL)
		return invalid(reterr, errlen, key, value, "not a decimal number");
	if (r < 0 || v < NETWORK_MTU_MIN)
		return invalid(reterr, errlen, key, value, "must be between %d and %d",
			       NETWORK_MTU_MIN, NETWORK_MTU_MAX);
	c->mtu = v;
	return 0;
}

static int set_dhcp_leases_per_port(struct network_config *c, const char *key, const char *value,
				    char *reterr, size_t errlen)
{
	if (conf_parse_uint32(value, NETWORK_DHCP_LEASES_PER_PORT_MAX, &c->dhcp_leases_per_port) < 0)
		return invalid(reterr, errlen, key, value,
			       "must be a whole number from 0 to %d (0: no cap)",
			       NETWORK_DHCP_LEASES_PER_PORT_MAX);
	return 0;
}

static int check_ifname(const char *key, const char *value, char *reterr, size_t errlen)
{
	if (!ifname_is_valid(value))
		return invalid(reterr, errlen, key, value, CONF_IFNAME_RULE);
	return 0;
}

static int set_bridge(struct network_config *c, const char *key, const char *value, char *reterr,
		      size_t errlen)
{
	int r = check_ifname(key, value, reterr, errlen);

	if (r < 0)
		return r;
	copy_string(c->bridge, sizeof(c->bridge), value);
	c->has_bridge = true;
	return 0;
}

static int set_uplink(struct network_config *c, const char *key, const char *value, char *reterr,
		      size_t errlen)
{
	int r = check_ifname(key, value, reterr, errlen);

	if (r < 0)
		return r;
	copy_string(c->uplink, sizeof(c->uplink), value);
	return 0;
}

static int set_macvtap_mode(struct network_config *c, const char *key, const char *value,
			    char *reterr, size_t errlen)
{
	enum network_macvtap_mode m = network_macvtap_mode_from_string(value);

	if (m < 0)
		return invalid(reterr, errlen, key, value,
			       "must be bridge, vepa, private or passthrough");
	c->macvtap_mode = m;
	return 0;
}

static int parse_boolean(const char *key, const char *value, bool *ret, char *reterr,
			 size_t errlen)
{
	for (size_t i = 0; i < ELEMENTSOF(boolean_yes); i++) {
		if (strcasecmp(value, boolean_yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(value, boolean_no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return invalid(reterr, errlen, key, value, "expected yes/no, true/false, on/off or 1/0");
}

static int set_dhcp(struct network_config *c, const char *key, const char *value, char *reterr,
		    size_t errlen)
{
	/* overlay networks also take local and relay (conf-overlay.h); none is no */
	static const struct {
		const char *value;
		bool dhcp;
		enum network_overlay_dhcp scope;
	} scopes[] = { { "local", true, NETWORK_OVERLAY_DHCP_LOCAL },
		       { "relay", false, NETWORK_OVERLAY_DHCP_RELAY },
		       { "none", false, NETWORK_OVERLAY_DHCP_ALL } };
	bool v;
	int r;

	for (size_t i = 0; i < ELEMENTSOF(scopes); i++)
		if (strcasecmp(value, scopes[i].value) == 0) {
			c->dhcp = scopes[i].dhcp;
			c->overlay.dhcp = scopes[i].scope;
			return 0;
		}
	r = parse_boolean(key, value, &v, reterr, errlen);
	if (r < 0)
		return r;
	c->dhcp = v;
	c->overlay.dhcp = NETWORK_OVERLAY_DHCP_ALL;
	return 0;
}

static int set_dns(struct network_config *c, const char *key, const char *value, char *reterr,
		   size_t errlen)
{
	return parse_boolean(key, value, &c->dns, reterr, errlen);
}

static int set_autostart(struct network_config *c, const char *key, const char *value,
			 char *reterr, size_t errlen)
{
	return parse_boolean(key, value, &c->autostart, reterr, errlen);
}

static int set_isolate_ports(struct network_config *c, const char *key, const char *value,
			     char *reterr, size_t errlen)
{
	return parse_boolean(key, value, &c->isolate_ports, reterr, errlen);
}

static int set_tenant(struct network_config *c, const char *key, const char *value, char *reterr,
		      size_t errlen)
{
	(void)key;
	return network_tenant_set(c, value, reterr, errlen);
}

static int set_port_security(struct network_config *c, const char *key, const char *value,
			     char *reterr, size_t errlen)
{
	enum network_port_security ps = network_port_security_from_string(value);

	if (ps < 0)
		return invalid(reterr, errlen, key, value,
			       "expected yes, mac or no (yes/no also as true/false, on/off or "
			       "1/0)");
	c->port_security = ps;
	return 0;
}

/*
 * True if 's' is a user name or, after '@', a group name as useradd and groupadd accept them by
 * default: [a-z_][a-z0-9_-]{0,31}, and a trailing '$' (Samba machine accounts).
 */
static bool allow_attach_name_is_valid(const char *s)
{
	size_t n;

	if (*s == '@')
		s++;
	n = strlen(s);
	if (n > 0 && s[n - 1] == '$')
		n--;
	if (n == 0 || n > 32)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

#define ALLOW_ATTACH_SYNTAX                                                                        \
	"expected a user name or @group ([a-z_][a-z0-9_-]{0,31}, optionally ending in '$')"

/*
 * Checks what an allow-attach list allows on its own: count, names, none given twice. Writes
 * the reason to 'why' and returns -EINVAL. ('names' is not const only because C11 would not
 * convert a char (*)[N] to a const char (*)[N] without a cast.)
 */
static int allow_attach_check(char (*names)[NETWORK_ALLOW_ATTACH_NAME_MAX + 1], size_t n,
			      char *why, size_t whylen)
{
	if (n > NETWORK_ALLOW_ATTACH_MAX)
		return conf_fail(why, whylen, "more than %d names", NETWORK_ALLOW_ATTACH_MAX);
	for (size_t i = 0; i < n; i++) {
		if (strnlen(names[i], sizeof(names[i])) == sizeof(names[i]) ||
		    !allow_attach_name_is_valid(names[i]))
			return conf_fail(why, whylen, "name %zu: " ALLOW_ATTACH_SYNTAX, i + 1);
		for (size_t k = 0; k < i; k++)
			if (strcmp(names[k], names[i]) == 0)
				return conf_fail(why, whylen, "%s is given twice", names[i]);
	}
	return 0;
}

/* Splits a non-blank allow-attach 'value' into 'names' (zeroed by the caller) and checks it. */
static int allow_attach_parse(const char *key, const char *value,
			      char names[][NETWORK_ALLOW_ATTACH_NAME_MAX + 1], size_t *ret_n,
			      char *reterr, size_t errlen)
{
	const char *p = value;
	size_t n = 0;
	char why[256];

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0)
			return invalid(reterr, errlen, key, value, "name %zu is empty", n + 1);
		if (n == NETWORK_ALLOW_ATTACH_MAX)
			return invalid(reterr, errlen, key, value, "more than %d names",
				       NETWORK_ALLOW_ATTACH_MAX);
		if (len > NETWORK_ALLOW_ATTACH_NAME_MAX)
			return invalid(reterr, errlen, key, value, "name %zu: " ALLOW_ATTACH_SYNTAX,
				       n + 1);
		memcpy(names[n], p, len);
		n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	if (allow_attach_check(names, n, why, sizeof(why)) < 0)
		return invalid(reterr, errlen, key, value, "%s", why);
	*ret_n = n;
	return 0;
}

static int set_allow_attach(struct network_config *c, const char *key, const char *value,
			    char *reterr, size_t errlen)
{
	char names[NETWORK_ALLOW_ATTACH_MAX][NETWORK_ALLOW_ATTACH_NAME_MAX + 1];
	size_t n = 0;

	/* Zeroed so that unused entries and the names' tails stay deterministic in copies. */
	memset(names, 0, sizeof(names));
	/* Nothing but blanks is the default (anyone the API admits), as an empty value is. */
	if (value[strspn(value, " \t")] != '\0') {
		int r = allow_attach_parse(key, value, names, &n, reterr, errlen);

		if (r < 0)
			return r;
	}
	memcpy(c->allow_attach, names, sizeof(names));
	c->n_allow_attach = n;
	return 0;
}

static int set_overlay_key(struct network_config *c, const char *key, const char *value,
			   char *reterr, size_t errlen)
{
	return network_overlay_set(&c->overlay, key, value, reterr, errlen);
}

typedef int (*network_key_set_fn)(struct network_config *c, const char *key, const char *value,
				  char *reterr, size_t errlen);

static const struct network_key {
	const char *key;
	network_key_set_fn set;
} network_keys[] = {
	{ "name", set_name },
	{ "mode", set_mode },
	{ "subnet", set_subnet },
	{ "dhcp-range", set_dhcp_range },
	{ "lease-time", set_lease_time },
	{ "dhcp-routes", set_dhcp_routes },
	{ "dhcp-leases-per-port", set_dhcp_leases_per_port },
	{ "domain", set_domain },
	{ "dns-forwarders", set_dns_forwarders },
	{ "mtu", set_mtu },
	{ "bridge", set_bridge },
	{ "uplink", set_uplink },
	{ "macvtap-mode", set_macvtap_mode },
	{ "dhcp", set_dhcp },
	{ "dns", set_dns },
	{ "autostart", set_autostart },
	{ "isolate-ports", set_isolate_ports },
	{ "port-security", set_port_security },
	{ "allow-attach", set_allow_attach },
	{ "overlay", set_overlay_key },
	{ "vni", set_overlay_key },
	{ "peers", set_overlay_key },
	{ "local", set_overlay_key },
	{ "vxlan-port", set_overlay_key },
	{ "gateway", set_overlay_key },
	{ "subnet6", conf_set_subnet6 },
	{ "ra-mode", conf_set_ra_mode },
	{ "dhcp6-range", conf_set_dhcp6_range },
	{ "nat6", conf_set_nat6 },
	{ "tenant", set_tenant },
};

_Static_assert(ELEMENTSOF(network_keys) == CONF_NETWORK_KEYS, "update CONF_NETWORK_KEYS");

int network_key_find(const char *key)
{
	for (size_t i = 0; i < ELEMENTSOF(network_keys); i++)
		if (strcmp(key, network_keys[i].key) == 0)
			return (int)i;
	return -ENOENT;
}

int network_config_set(struct network_config *c, const char *key, const char *value, char *reterr,
		       size_t errlen)
{
	char k[SHOW_BUF];
	int i;

	assert(c);
	assert(key);
	assert(value);

	i = network_key_find(key);
	if (i < 0)
		return conf_fail(reterr, errlen, "unknown key '%s'", show(key, k));
	/* Only an empty allow-attach means something: the default, anyone the API admits. */
	if (value[0] == '\0' && network_keys[i].set != set_allow_attach)
		return conf_fail(reterr, errlen, "invalid %s '': empty value", key);
	return network_keys[i].set(c, key, value, reterr, errlen);
}

static int range_check(const struct network_config *c, char *reterr, size_t errlen)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], s[IN_PREFIX_STRLEN], x[INET_ADDRSTRLEN];
	struct in_addr network = in_prefix_first(&c->subnet);
	struct in_addr broadcast = in_prefix_last(&c->subnet);
	uint32_t first = in_addr_to_host(c->range_first), last = in_addr_to_host(c->range_last);

	in_addr_to_string(c->range_first, a);
	in_addr_to_string(c->range_last, b);
	in_prefix_to_string(&c->subnet, s);

	if (first > last)
		return conf_fail(reterr, errlen, "dhcp-range %s-%s: first address is after the last", a,
			    b);
	if (!in_prefix_contains(&c->subnet, c->range_first) ||
	    !in_prefix_contains(&c->subnet, c->range_last))
		return conf_fail(reterr, errlen, "dhcp-range %s-%s is outside subnet %s", a, b, s);
	if (first == in_addr_to_host(network))
		return conf_fail(reterr, errlen, "dhcp-range %s-%s includes the network address %s", a,
			    b, in_addr_to_string(network, x));
	if (last == in_addr_to_host(broadcast))
		return conf_fail(reterr, errlen, "dhcp-range %s-%s includes the broadcast address %s", a,
			    b, in_addr_to_string(broadcast, x));
	if (first <= in_addr_to_host(c->gateway) && in_addr_to_host(c->gateway) <= last)
		return conf_fail(reterr, errlen, "dhcp-range %s-%s includes the gateway %s", a, b,
			    in_addr_to_string(c->gateway, x));
	return 0;
}

/* Checks the routes against the subnet: each gateway must be a guest address of it. */
static int routes_finish(const struct network_config *c, char *reterr, size_t errlen)
{
	char d[IN_PREFIX_STRLEN], g[INET_ADDRSTRLEN], s[IN_PREFIX_STRLEN], msg[256];

	/* Re-checked for configs built in code rather than through network_config_set(). */
	if (routes_check(c->routes, c->n_routes, msg, sizeof(msg)) < 0)
		return conf_fail(reterr, errlen, "dhcp-routes: %s", msg);
	in_prefix_to_string(&c->subnet, s);
	for (size_t i = 0; i < c->n_routes; i++) {
		const struct network_route *rt = &c->routes[i];
		const char *why = NULL;

		if (!in_prefix_contains(&c->subnet, rt->gw))
			why = "is outside subnet";
		else if (in_addr_equal(rt->gw, in_prefix_first(&c->subnet)))
			why = "is the network address of subnet";
		else if (in_addr_equal(rt->gw, in_prefix_last(&c->subnet)))
			why = "is the broadcast address of subnet";
		if (why)
			return conf_fail(reterr, errlen, "dhcp-routes: gateway %s of route %s %s %s",
				    in_addr_to_string(rt->gw, g), in_prefix_to_string(&rt->dst, d),
				    why, s);
	}
	return 0;
}

/*
 * Re-checks the forwarders (for configs built in code) and keeps the server from asking itself,
 * on the gateway or the gateway6.
 */
static int forwarders_finish(const struct network_config *c, char *reterr, size_t errlen)
{
	char a[IP_ADDR_STRLEN], msg[256];
	struct in6_addr g6 = in6_prefix_host(&c->subnet6, 1);
	struct ip_addr gw = ip_addr_from_in(c->gateway), gw6 = ip_addr_from_in6(&g6);

	if (forwarders_check(c->dns_forwarders, c->n_dns_forwarders, msg, sizeof(msg)) < 0)
		return conf_fail(reterr, errlen, "dns-forwarders: %s", msg);
	for (size_t i = 0; i < c->n_dns_forwarders; i++) {
		const struct ip_addr *f = &c->dns_forwarders[i];

		if (ip_addr_equal(f, &gw) || (c->has_subnet6 && ip_addr_equal(f, &gw6)))
			return conf_fail(reterr, errlen,
				    "dns-forwarders: %s is the network's own gateway (its DNS "
				    "server would ask itself)",
				    ip_addr_to_string(f, a));
	}
	return 0;
}

/*
 * What every mode with a bridge finishes alike: the bridge's name (derived from the network's
 * unless given), the uplink's, and the port-security and allow-attach values, re-checked for
 * configs built in code rather than through network_config_set().
 */
static int bridge_and_access_finish(struct network_config *c, char *reterr, size_t errlen)
{
	char v[SHOW_BUF], msg[256];
	int r;

	if (!c->has_bridge)
		network_default_bridge(c->name, c->bridge);
	r = check_ifname("bridge", c->bridge, reterr, errlen);
	if (r < 0)
		return r;
	if (c->uplink[0] != '\0') {
		r = check_ifname("uplink", c->uplink, reterr, errlen);
		if (r < 0)
			return r;
		if (strcmp(c->uplink, c->bridge) == 0)
			return conf_fail(reterr, errlen,
				    "uplink '%s' cannot be the network's own bridge",
				    show(c->uplink, v));
	}
	if (!network_port_security_to_string(c->port_security))
		return conf_fail(reterr, errlen, "invalid port-security %d", (int)c->port_security);
	if (allow_attach_check(c->allow_attach, c->n_allow_attach, msg, sizeof(msg)) < 0)
		return conf_fail(reterr, errlen, "allow-attach: %s", msg);
	return 0;
}

/*
 * Mode bridge, as libvirt's <forward mode='bridge'> (which takes no <ip>): the LAN's own servers
 * address the guests, so there is no subnet, DHCP range, route, DHCP nor DNS of ours; the bridge
 * is named (--bridge), or made around the uplink NIC (--uplink).
 */
static int bridge_mode_finish(struct network_config *c, char *reterr, size_t errlen)
{
	if (c->has_subnet)
		return conf_fail(reterr, errlen, "subnet is not allowed with mode bridge: the LAN's "
			    "own DHCP server addresses the guests");
	if (c->has_range)
		return conf_fail(reterr, errlen, "dhcp-range is not allowed with mode bridge");
	if (c->n_routes > 0)
		return conf_fail(reterr, errlen, "routes are not allowed with mode bridge");
	if (!c->has_bridge && c->uplink[0] == '\0')
		return conf_fail(reterr, errlen, "mode bridge needs --bridge (an existing bridge) "
			    "or --uplink (a NIC to build one around)");
	if (c->mtu != 0)
		return conf_fail(reterr, errlen, "mtu is not allowed with mode bridge: the bridge "
			    "is not kvmnet's, its MTU stays as it is");
	if (network_overlay_finish(c, reterr, errlen) < 0)
		return -EINVAL;
	c->dhcp = false;
	c->dns = false;
	return bridge_and_access_finish(c, reterr, errlen);
}

/*
 * A macvtap network: guests sit on the LAN of 'uplink', whose own servers address them; so no
 * subnet, DHCP range, routes, DNS, bridge or MTU of ours. Those keys are refused rather than
 * silently ignored; "dhcp" and "dns" are off.
 */
static int macvtap_finish(struct network_config *c, char *reterr, size_t errlen)
{
	static const char *const lan_only = "a macvtap network has no %s (its guests are on the "
					    "LAN of its uplink)";

	if (c->uplink[0] == '\0')
		return conf_fail(reterr, errlen, "a macvtap network needs an uplink (--uplink NIC)");
	if (check_ifname("uplink", c->uplink, reterr, errlen) < 0)
		return -EINVAL;
	if (!network_macvtap_mode_to_string(c->macvtap_mode))
		return conf_fail(reterr, errlen, "invalid macvtap-mode %d", (int)c->macvtap_mode);
	if (c->has_subnet)
		return conf_fail(reterr, errlen, lan_only, "subnet");
	if (c->has_range)
		return conf_fail(reterr, errlen, lan_only, "dhcp-range");
	if (c->n_routes > 0)
		return conf_fail(reterr, errlen, lan_only, "dhcp-routes");
	if (c->n_dns_forwarders > 0)
		return conf_fail(reterr, errlen, lan_only, "dns-forwarders");
	if (c->has_bridge)
		return conf_fail(reterr, errlen, lan_only, "bridge");
	if (c->mtu != 0)
		return conf_fail(reterr, errlen, lan_only, "mtu (its ports follow the uplink's)");
	if (c->isolate_ports)
		return conf_fail(reterr, errlen,
				 "a macvtap network has no isolate-ports: use macvtap-mode private");
	if (network_overlay_finish(c, reterr, errlen) < 0)
		return -EINVAL;
	c->dhcp = false;
	c->dns = false;
	/* no bridge: the field is never used, but callers print it, so leave it empty */
	c->bridge[0] = '\0';
	if (allow_attach_check(c->allow_attach, c->n_allow_attach, NULL, 0) < 0)
		return conf_fail(reterr, errlen, "invalid allow-attach");
	return 0;
}

int network_config_finish(struct network_config *c, char *reterr, size_t errlen)
{
	char s[IN_PREFIX_STRLEN];
	int r;

	assert(c);

	/* The order here is the order errors are reported in, whatever order keys were set. */
	if (c->name[0] == '\0')
		return conf_fail(reterr, errlen, "name is required");
	if (!network_name_is_valid(c->name))
		return invalid(reterr, errlen, "name", c->name,
			       "must match [a-z0-9][a-z0-9_-]{0,31}");
	if (!network_mode_to_string(c->mode))
		return conf_fail(reterr, errlen, "invalid mode %d", (int)c->mode);
	r = network_tenant_finish(c, reterr, errlen);
	if (r < 0)
		return r;
	r = c->mode == NETWORK_MODE_BRIDGE || c->mode == NETWORK_MODE_MACVTAP ?
		    conf_network6_finish(c, reterr, errlen) : 0;
	if (r < 0)
		return r;
	if (c->mode == NETWORK_MODE_BRIDGE)
		return bridge_mode_finish(c, reterr, errlen);
	if (c->mode == NETWORK_MODE_MACVTAP)
		return macvtap_finish(c, reterr, errlen);
	if (!c->has_subnet)
		return conf_fail(reterr, errlen, "subnet is required");
	/* Re-checked for configs built in code rather than through network_config_set(). */
	r = subnet_check(&c->subnet, in_prefix_to_string(&c->subnet, s), reterr, errlen);
	if (r < 0)
		return r;
	r = in_prefix_default_gateway(&c->subnet, &c->gateway);
	if (r < 0)
		return conf_fail(reterr, errlen, "subnet %s has no room for a gateway", s);

	if (c->has_range) {
		r = range_check(c, reterr, errlen);
		if (r < 0)
			return r;
	} else {
		r = in_prefix_default_range(&c->subnet, &c->range_first, &c->range_last);
		if (r < 0)
			return conf_fail(reterr, errlen, "subnet %s has no room for a DHCP range", s);
	}

	if (c->domain[0] != '\0') {
		r = domain_check(c->domain, reterr, errlen);
		if (r < 0)
			return r;
	}
	if (c->mtu != 0 && (c->mtu < NETWORK_MTU_MIN || c->mtu > NETWORK_MTU_MAX))
		return conf_fail(reterr, errlen, "invalid mtu %u: must be between %d and %d",
			    (unsigned)c->mtu, NETWORK_MTU_MIN, NETWORK_MTU_MAX);
	if (c->lease_time_sec < NETWORK_LEASE_TIME_MIN || c->lease_time_sec > NETWORK_LEASE_TIME_MAX)
		return conf_fail(reterr, errlen, "invalid lease-time %u: must be between 60s and 365d",
			    (unsigned)c->lease_time_sec);
	r = routes_finish(c, reterr, errlen);
	if (r < 0)
		return r;
	if (c->dhcp_leases_per_port > NETWORK_DHCP_LEASES_PER_PORT_MAX)
		return conf_fail(reterr, errlen,
			    "invalid dhcp-leases-per-port %u: must be a whole number from 0 to %d "
			    "(0: no cap)",
			    (unsigned)c->dhcp_leases_per_port, NETWORK_DHCP_LEASES_PER_PORT_MAX);
	r = network_overlay_finish(c, reterr, errlen);
	if (r < 0)
		return r;
	r = conf_network6_finish(c, reterr, errlen);
	if (r < 0)
		return r;
	/* After the gateway6 is known. */
	r = forwarders_finish(c, reterr, errlen);
	if (r < 0)
		return r;

	return bridge_and_access_finish(c, reterr, errlen);
}

const char *network_config_domain(const struct network_config *c, char *buf)
{
	if (c->domain[0] != '\0')
		snprintf(buf, NETWORK_DOMAIN_MAX + 1, "%.*s", NETWORK_DOMAIN_MAX, c->domain);
	else
		snprintf(buf, NETWORK_DOMAIN_MAX + 1, "%.*s.kvmnet", NETWORK_NAME_MAX, c->name);
	return buf;
}

static bool forwarders_equal(const struct network_config *a, const struct network_config *b)
{
	if (a->n_dns_forwarders != b->n_dns_forwarders)
		return false;
	for (size_t i = 0; i < a->n_dns_forwarders && i < NETWORK_DNS_FORWARDERS_MAX; i++)
		if (!ip_addr_equal(&a->dns_forwarders[i], &b->dns_forwarders[i]))
			return false;
	return true;
}

static bool allow_attach_equal(const struct network_config *a, const struct network_config *b)
{
	if (a->n_allow_attach != b->n_allow_attach)
		return false;
	for (size_t i = 0; i < a->n_allow_attach && i < NETWORK_ALLOW_ATTACH_MAX; i++)
		if (strncmp(a->allow_attach[i], b->allow_attach[i],
			    sizeof(a->allow_attach[i])) != 0)
			return false;
	return true;
}

static bool routes_equal(const struct network_config *a, const struct network_config *b)
{
	if (a->n_routes != b->n_routes)
		return false;
	for (size_t i = 0; i < a->n_routes && i < NETWORK_ROUTES_MAX; i++)
		if (!in_addr_equal(a->routes[i].dst.addr, b->routes[i].dst.addr) ||
		    a->routes[i].dst.prefixlen != b->routes[i].dst.prefixlen ||
		    !in_addr_equal(a->routes[i].gw, b->routes[i].gw))
			return false;
	return true;
}

bool network_config_equal(const struct network_config *a, const struct network_config *b)
{
	return strcmp(a->name, b->name) == 0 && a->mode == b->mode &&
	       in_addr_equal(a->subnet.addr, b->subnet.addr) &&
	       a->subnet.prefixlen == b->subnet.prefixlen &&
	       in_addr_equal(a->gateway, b->gateway) &&
	       in_addr_equal(a->range_first, b->range_first) &&
	       in_addr_equal(a->range_last, b->range_last) &&
	       a->lease_time_sec == b->lease_time_sec && routes_equal(a, b) &&
	       a->dhcp_leases_per_port == b->dhcp_leases_per_port &&
	       strcmp(a->domain, b->domain) == 0 && forwarders_equal(a, b) && a->mtu == b->mtu &&
	       strcmp(a->bridge, b->bridge) == 0 && strcmp(a->uplink, b->uplink) == 0 &&
	       a->macvtap_mode == b->macvtap_mode &&
	       a->dhcp == b->dhcp && a->dns == b->dns && a->autostart == b->autostart &&
	       a->isolate_ports == b->isolate_ports && a->port_security == b->port_security &&
	       allow_attach_equal(a, b) && network_overlay_equal(&a->overlay, &b->overlay) &&
	       strcmp(a->tenant, b->tenant) == 0 &&
	       a->has_subnet == b->has_subnet &&
	       a->has_range == b->has_range && a->has_bridge == b->has_bridge &&
	       conf_network6_equal(a, b);
}
