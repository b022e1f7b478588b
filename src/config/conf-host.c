/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of conf-host.h. The reservations live in one array sorted by MAC, so lookups by
 * MAC (every DHCP message) are a binary search; lookups by address and name are linear, which is
 * fine for one add or lookup at a time, while a whole definition is validated by sorting
 * (network_hosts_build) rather than in O(n^2). The array's capacity is implicit: the smallest
 * power of two that holds 'n' items, so that the struct needs no capacity field and growing
 * stays amortised O(1).
 */
#include "conf-host.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/conf-network-internal.h"
#include "config/conf-network.h"
#include "shared/alloc-util.h"
#include "shared/in-addr-util.h"
#include "shared/in6-addr-util.h"

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int mac_from_string(const char *s, uint8_t ret[6])
{
	uint8_t mac[6];
	char sep;

	if (!s || strlen(s) != MAC_STRLEN - 1)
		return -EINVAL;
	/* One separator throughout: "52:54-00..." is a typo, not a MAC. */
	sep = s[2];
	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (size_t i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != sep))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(ret, mac, sizeof(mac));
	return 0;
}

const char *mac_to_string(const uint8_t mac[6], char *buf)
{
	snprintf(buf, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	return buf;
}

static bool is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

bool host_name_is_valid(const char *name)
{
	size_t n;

	if (!name)
		return false;
	n = strlen(name);
	if (n == 0 || n > NETWORK_HOST_NAME_MAX)
		return false;
	/* RFC 1123 §2.1: a label may start with a digit; hyphens only inside. */
	if (!is_alnum(name[0]) || !is_alnum(name[n - 1]))
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		if (!is_alnum(name[i]) && name[i] != '-')
			return false;
	return true;
}

/* Index of the first item whose MAC is >= 'mac' (the insertion point). */
static size_t hosts_lower_bound(const struct network_hosts *h, const uint8_t mac[6])
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(h->items[mid].mac, mac, 6) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct network_host *network_hosts_find_mac(const struct network_hosts *h,
						   const uint8_t mac[6])
{
	size_t i;

	if (!h || h->n == 0)
		return NULL;
	i = hosts_lower_bound(h, mac);
	if (i < h->n && memcmp(h->items[i].mac, mac, 6) == 0)
		return &h->items[i];
	return NULL;
}

const struct network_host *network_hosts_find_ip(const struct network_hosts *h, struct in_addr ip)
{
	if (!h)
		return NULL;
	for (size_t i = 0; i < h->n; i++)
		if (in_addr_equal(h->items[i].ip, ip))
			return &h->items[i];
	return NULL;
}

static const struct network_host *hosts_find_name(const struct network_hosts *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcasecmp(h->items[i].name, name) == 0)
			return &h->items[i];
	return NULL;
}

/*
 * The IPv6 reservation: 'ip6' in the first /96 of the subnet6 (where DHCPv6 addresses lie, see
 * lease/lease.h), not its ::0 or gateway6; a 'duid' only with an 'ip6'.
 */
static int host_check_ipv6(const struct network_host *host, const struct network_config *c,
			   char *reterr, size_t errlen)
{
	static const uint8_t zero[4];
	char a[INET6_ADDRSTRLEN], s[IN6_PREFIX_STRLEN];

	if (!host->has_ip6)
		return host->duid_len ? conf_fail(reterr, errlen, "duid needs an ip6 to reserve") : 0;
	in6_addr_to_string(&host->ip6, a);
	if (!c->has_subnet6)
		return conf_fail(reterr, errlen, "ip6 %s needs the network to have a subnet6", a);
	in6_prefix_to_string(&c->subnet6, s);
	if (!in6_prefix_contains(&c->subnet6, &host->ip6))
		return conf_fail(reterr, errlen, "ip6 %s is outside subnet6 %s", a, s);
	if (memcmp(&host->ip6.s6_addr[8], zero, 4) != 0)
		return conf_fail(reterr, errlen,
				 "ip6 %s is not in the first /96 of subnet6 %s (PREFIX::xxxx:xxxx), "
				 "where DHCPv6 addresses lie", a, s);
	if (in6_addr_equal(&host->ip6, &c->subnet6.addr) || in6_addr_equal(&host->ip6, &c->gateway6))
		return conf_fail(reterr, errlen, "ip6 %s is the %s", a,
				 in6_addr_equal(&host->ip6, &c->gateway6) ? "gateway6" :
				 "subnet-router anycast address");
	return 0;
}

/*
 * Checks one host on its own and against network 'c': the MAC is unicast and not all zero, the
 * name a DNS label, the address a guest address of the subnet.
 */
static int host_check(const struct network_host *host, const struct network_config *c,
		      char *reterr, size_t errlen)
{
	char m[MAC_STRLEN], a[INET_ADDRSTRLEN], s[IN_PREFIX_STRLEN];
	static const uint8_t zero[6];
	size_t name_len = strnlen(host->name, sizeof(host->name));

	mac_to_string(host->mac, m);
	in_addr_to_string(host->ip, a);
	if (host->mac[0] & 0x01)
		return conf_fail(reterr, errlen, "multicast MAC %s cannot be reserved", m);
	if (memcmp(host->mac, zero, 6) == 0)
		return conf_fail(reterr, errlen, "MAC %s cannot be reserved", m);
	if (name_len == sizeof(host->name))
		return conf_fail(reterr, errlen, "host name is longer than %d characters",
			    NETWORK_HOST_NAME_MAX);
	if (name_len > 0 && !host_name_is_valid(host->name)) {
		char shown[NETWORK_HOST_NAME_MAX + 1];

		/* Never quote control or non-ASCII bytes into a message. */
		for (size_t i = 0; i < name_len; i++) {
			unsigned char ch = (unsigned char)host->name[i];

			shown[i] = ch < ' ' || ch >= 0x7f ? '?' : (char)ch;
		}
		shown[name_len] = '\0';
		return conf_fail(reterr, errlen, "host name '%s' is not a valid DNS label", shown);
	}
	if (!in_prefix_contains(&c->subnet, host->ip))
		return conf_fail(reterr, errlen, "address %s is outside subnet %s", a,
			    in_prefix_to_string(&c->subnet, s));
	if (in_addr_equal(host->ip, in_prefix_first(&c->subnet)))
		return conf_fail(reterr, errlen, "address %s is the network address", a);
	if (in_addr_equal(host->ip, in_prefix_last(&c->subnet)))
		return conf_fail(reterr, errlen, "address %s is the broadcast address", a);
	if (in_addr_equal(host->ip, c->gateway))
		return conf_fail(reterr, errlen, "address %s is the gateway", a);
	return host_check_ipv6(host, c, reterr, errlen);
}

/* 'host' has the MAC of 'o', which is already reserved. Returns -EEXIST. */
static int fail_dup_mac(const struct network_host *host, const struct network_host *o,
			char *reterr, size_t errlen)
{
	char m[MAC_STRLEN], a[INET_ADDRSTRLEN];

	conf_fail(reterr, errlen, "MAC %s already has a reservation (%s)", mac_to_string(host->mac, m),
	     o->name[0] ? o->name : in_addr_to_string(o->ip, a));
	return -EEXIST;
}

static int fail_dup_ip(const struct network_host *host, const struct network_host *o,
		       char *reterr, size_t errlen)
{
	char m[MAC_STRLEN], a[INET_ADDRSTRLEN];

	in_addr_to_string(host->ip, a);
	mac_to_string(o->mac, m);
	if (o->name[0])
		conf_fail(reterr, errlen, "address %s is reserved for %s (%s)", a, m, o->name);
	else
		conf_fail(reterr, errlen, "address %s is reserved for %s", a, m);
	return -EEXIST;
}

static int fail_dup_ip6(const struct network_host *host, const struct network_host *o,
			char *reterr, size_t errlen)
{
	char m[MAC_STRLEN], a[INET6_ADDRSTRLEN];

	conf_fail(reterr, errlen, "ip6 %s is reserved for %s", in6_addr_to_string(&host->ip6, a),
		  mac_to_string(o->mac, m));
	return -EEXIST;
}

static int fail_dup_name(const struct network_host *host, const struct network_host *o,
			 char *reterr, size_t errlen)
{
	char m[MAC_STRLEN];

	conf_fail(reterr, errlen, "host name '%s' is already used by %s", host->name,
	     mac_to_string(o->mac, m));
	return -EEXIST;
}

/* Checks 'host' against the reservations already in 'h': MAC, address and name are unique. */
static int host_check_unique(const struct network_hosts *h, const struct network_host *host,
			     char *reterr, size_t errlen)
{
	const struct network_host *o;

	o = network_hosts_find_mac(h, host->mac);
	if (o)
		return fail_dup_mac(host, o, reterr, errlen);
	o = network_hosts_find_ip(h, host->ip);
	if (o)
		return fail_dup_ip(host, o, reterr, errlen);
	for (size_t i = 0; host->has_ip6 && i < h->n; i++)
		if (h->items[i].has_ip6 && in6_addr_equal(&h->items[i].ip6, &host->ip6))
			return fail_dup_ip6(host, &h->items[i], reterr, errlen);
	/* DNS names compare without regard to case (RFC 4343). */
	o = host->name[0] ? hosts_find_name(h, host->name) : NULL;
	if (o)
		return fail_dup_name(host, o, reterr, errlen);
	return 0;
}

/* The IPv6 fields, with the DUID's unused tail zero (equal() compares bytes). */
static void host_copy_ipv6(struct network_host *dst, const struct network_host *src)
{
	dst->has_ip6 = src->has_ip6;
	if (src->has_ip6)
		dst->ip6 = src->ip6;
	dst->duid_len = src->duid_len <= NETWORK_HOST_DUID_MAX ? src->duid_len : 0;
	memcpy(dst->duid, src->duid, dst->duid_len);
}

int network_hosts_add(struct network_hosts *h, const struct network_host *host,
		      const struct network_config *c, char *reterr, size_t errlen)
{
	size_t i;
	int r;

	assert(h);
	assert(host);
	assert(c);

	r = host_check(host, c, reterr, errlen);
	if (r < 0)
		return r;
	r = host_check_unique(h, host, reterr, errlen);
	if (r < 0)
		return r;
	if (h->n >= NETWORK_HOSTS_MAX) {
		conf_fail(reterr, errlen, "too many reservations (limit %d)", NETWORK_HOSTS_MAX);
		return -E2BIG;
	}

	struct network_host *p = conf_array_grow(h->items, h->n, sizeof(*p));
	if (!p)
		return -ENOMEM;
	h->items = p;
	i = hosts_lower_bound(h, host->mac);
	memmove(&h->items[i + 1], &h->items[i], (h->n - i) * sizeof(h->items[0]));
	/* Copied field by field so the name's tail is zero and equal() can compare bytes. */
	memset(&h->items[i], 0, sizeof(h->items[i]));
	memcpy(h->items[i].name, host->name, strnlen(host->name, sizeof(host->name)));
	memcpy(h->items[i].mac, host->mac, 6);
	h->items[i].ip = host->ip;
	host_copy_ipv6(&h->items[i], host);
	h->n++;
	return 0;
}

/* A host and its position in the input of network_hosts_build(), for sorting by one key. */
struct host_key {
	const struct network_host *host;
	size_t index;
};

typedef int (*host_key_cmp_fn)(const struct network_host *a, const struct network_host *b);

static int key_cmp_mac(const struct network_host *a, const struct network_host *b)
{
	return memcmp(a->mac, b->mac, 6);
}

static int key_cmp_ip(const struct network_host *a, const struct network_host *b)
{
	uint32_t x = in_addr_to_host(a->ip), y = in_addr_to_host(b->ip);

	return (x > y) - (x < y);
}

static int key_cmp_ip6(const struct network_host *a, const struct network_host *b)
{
	return memcmp(&a->ip6, &b->ip6, 16);
}

static int key_cmp_name(const struct network_host *a, const struct network_host *b)
{
	return strcasecmp(a->name, b->name);
}

/* Orders by key, then by input position, so that each group of equal keys starts with its first. */
static int host_key_cmp(const void *a, const void *b, void *data)
{
	const struct host_key *x = a, *y = b;
	host_key_cmp_fn cmp = *(host_key_cmp_fn *)data;
	int r = cmp(x->host, y->host);

	return r ? r : (x->index > y->index) - (x->index < y->index);
}

/*
 * Stores in first[i] the position of the first of the 'n' hosts with the same key as host i
 * (i itself when it is the first). Hosts without a name are skipped for names. 'keys' is scratch
 * space for 'n' entries.
 */
static void first_occurrences(const struct network_host *items, size_t n, struct host_key *keys,
			      host_key_cmp_fn cmp, size_t *first)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		first[i] = i;
		if (cmp == key_cmp_name && items[i].name[0] == '\0')
			continue;
		if (cmp == key_cmp_ip6 && !items[i].has_ip6)
			continue;
		keys[m++] = (struct host_key){ .host = &items[i], .index = i };
	}
	qsort_r(keys, m, sizeof(*keys), host_key_cmp, &cmp);
	for (size_t i = 1; i < m; i++)
		if (cmp(keys[i].host, keys[i - 1].host) == 0)
			first[keys[i].index] = first[keys[i - 1].index];
}

static int host_cmp_mac(const void *a, const void *b)
{
	return key_cmp_mac(a, b);
}

int network_hosts_build(struct network_hosts *h, const struct network_host *items, size_t n,
			const struct network_config *c, size_t *ret_index, char *reterr,
			size_t errlen)
{
	_cleanup_free_ struct host_key *keys = NULL;
	_cleanup_free_ size_t *first = NULL;
	size_t limit = n, valid, i;
	int r = 0;

	assert(h);
	assert(items || n == 0);
	assert(c);

	*h = (struct network_hosts){ 0 };
	/* As if added one by one: nothing after the first invalid host (or the limit) matters. */
	if (limit > NETWORK_HOSTS_MAX + 1)
		limit = NETWORK_HOSTS_MAX + 1;
	for (valid = 0; valid < limit; valid++)
		if (host_check(&items[valid], c, NULL, 0) < 0)
			break;
	if (valid < limit)
		limit = valid + 1;

	if (valid > 0) {
		keys = calloc(valid, sizeof(*keys));
		first = calloc(4 * valid, sizeof(*first));
		if (!keys || !first)
			return -ENOMEM;
		first_occurrences(items, valid, keys, key_cmp_mac, first);
		first_occurrences(items, valid, keys, key_cmp_ip, first + valid);
		first_occurrences(items, valid, keys, key_cmp_name, first + 2 * valid);
		first_occurrences(items, valid, keys, key_cmp_ip6, first + 3 * valid);
	}
	for (i = 0; i < limit && r == 0; i++) {
		if (i == valid)
			r = host_check(&items[i], c, reterr, errlen);
		else if (first[i] != i)
			r = fail_dup_mac(&items[i], &items[first[i]], reterr, errlen);
		else if (first[valid + i] != i)
			r = fail_dup_ip(&items[i], &items[first[valid + i]], reterr, errlen);
		else if (first[2 * valid + i] != i)
			r = fail_dup_name(&items[i], &items[first[2 * valid + i]], reterr, errlen);
		else if (first[3 * valid + i] != i)
			r = fail_dup_ip6(&items[i], &items[first[3 * valid + i]], reterr, errlen);
		else if (i == NETWORK_HOSTS_MAX) {
			conf_fail(reterr, errlen, "too many reservations (limit %d)", NETWORK_HOSTS_MAX);
			r = -E2BIG;
		}
	}
	if (r < 0) {
		if (ret_index)
			*ret_index = i - 1;
		return r;
	}

	if (n > 0) {
		h->items = calloc(conf_array_capacity(n), sizeof(*h->items));
		if (!h->items)
			return -ENOMEM;
		for (i = 0; i < n; i++) {
			/* Field by field, as in network_hosts_add(): names' tails are zero. */
			memcpy(h->items[i].name, items[i].name, strlen(items[i].name));
			memcpy(h->items[i].mac, items[i].mac, 6);
			h->items[i].ip = items[i].ip;
			host_copy_ipv6(&h->items[i], &items[i]);
		}
		qsort(h->items, n, sizeof(*h->items), host_cmp_mac);
		h->n = n;
	}
	return 0;
}

int network_hosts_remove(struct network_hosts *h, const uint8_t mac[6])
{
	const struct network_host *found;
	size_t i;

	assert(h);

	found = network_hosts_find_mac(h, mac);
	if (!found)
		return -ENOENT;
	i = (size_t)(found - h->items);
	memmove(&h->items[i], &h->items[i + 1], (h->n - i - 1) * sizeof(h->items[0]));
	if (--h->n == 0)
		network_hosts_done(h);
	return 0;
}

int network_hosts_check(const struct network_hosts *h, const struct network_config *c,
			char *reterr, size_t errlen)
{
	char msg[256], m[MAC_STRLEN];

	assert(h);
	assert(c);

	for (size_t i = 0; i < h->n; i++) {
		const struct network_host *host = &h->items[i];

		if (host_check(host, c, msg, sizeof(msg)) < 0) {
			mac_to_string(host->mac, m);
			if (host->name[0])
				return conf_fail(reterr, errlen, "reservation %s (%s): %s", m, host->name,
					    msg);
			return conf_fail(reterr, errlen, "reservation %s: %s", m, msg);
		}
	}
	return 0;
}

int network_hosts_copy(struct network_hosts *dst, const struct network_hosts *src)
{
	struct network_host *items = NULL;

	assert(dst);
	assert(src);

	if (src->n > 0) {
		items = conf_array_dup(src->items, src->n, sizeof(*items));
		if (!items)
			return -ENOMEM;
	}
	dst->items = items;
	dst->n = src->n;
	return 0;
}

bool network_hosts_equal(const struct network_hosts *a, const struct network_hosts *b)
{
	size_t na = a ? a->n : 0, nb = b ? b->n : 0;

	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		const struct network_host *x = &a->items[i], *y = &b->items[i];

		if (memcmp(x->mac, y->mac, 6) != 0 || !in_addr_equal(x->ip, y->ip) ||
		    strncmp(x->name, y->name, sizeof(x->name)) != 0 || x->has_ip6 != y->has_ip6 ||
		    (x->has_ip6 && !in6_addr_equal(&x->ip6, &y->ip6)) || x->duid_len != y->duid_len ||
		    memcmp(x->duid, y->duid, x->duid_len) != 0)
			return false;
	}
	return true;
}

void network_hosts_done(struct network_hosts *h)
{
	if (!h)
		return;
	free(h->items);
	h->items = NULL;
	h->n = 0;
}
