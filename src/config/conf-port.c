/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of conf-port.h. The ports live in one array sorted by name, so lookups by name
 * (every API call and netlink event about a tap) are a binary search; lookups by MAC are linear,
 * which is fine for at most NETWORK_PORTS_MAX ports that change one at a time. The array's
 * capacity is implicit, as in conf-host.c: the smallest power of two that holds 'n' items.
 */
#include "conf-port.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-host.h"
#include "config/conf-network-internal.h"
#include "config/conf-network.h"
#include "shared/alloc-util.h"

/* The largest uid an owner may be: (uid_t)-1 means "leave unchanged" to chown() and TUNSETOWNER. */
#define PORT_OWNER_MAX (UINT32_MAX - 1)

void network_port_init(struct network_port *p)
{
	assert(p);

	/* memset rather than a compound literal: the name's tail and padding are zero too. */
	memset(p, 0, sizeof(*p));
	p->queues = 1;
}

static bool mac_is_zero(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return memcmp(mac, zero, 6) == 0;
}

static int set_mac(struct network_port *p, const char *value, char *reterr, size_t errlen)
{
	char v[CONF_SHOW_BUF];
	uint8_t mac[6];

	if (mac_from_string(value, mac) < 0)
		return conf_fail(reterr, errlen,
				 "invalid mac '%s': expected six hex bytes, e.g. 52:54:00:12:34:56",
				 conf_show(value, v));
	if (mac[0] & 0x01)
		return conf_fail(reterr, errlen,
				 "invalid mac '%s': a multicast MAC cannot be bound to a port",
				 conf_show(value, v));
	if (mac_is_zero(mac))
		return conf_fail(reterr, errlen,
				 "invalid mac '%s': the all-zero MAC cannot be bound to a port",
				 conf_show(value, v));
	memcpy(p->mac, mac, 6);
	p->has_mac = true;
	return 0;
}

static int set_owner(struct network_port *p, const char *value, char *reterr, size_t errlen)
{
	char v[CONF_SHOW_BUF];
	uint32_t uid;

	if (conf_parse_uint32(value, PORT_OWNER_MAX, &uid) < 0)
		return conf_fail(reterr, errlen,
				 "invalid owner '%s': must be a decimal uid from 0 to %lu",
				 conf_show(value, v), (unsigned long)PORT_OWNER_MAX);
	p->owner = uid;
	p->has_owner = true;
	return 0;
}

static int set_queues(struct network_port *p, const char *value, char *reterr, size_t errlen)
{
	char v[CONF_SHOW_BUF];
	uint32_t n;

	if (conf_parse_uint32(value, PORT_QUEUES_MAX, &n) < 0 || n < 1)
		return conf_fail(reterr, errlen,
				 "invalid queues '%s': must be a whole number from 1 to %d",
				 conf_show(value, v), PORT_QUEUES_MAX);
	p->queues = n;
	return 0;
}

static int set_rate(struct network_port *p, const char *value, char *reterr, size_t errlen)
{
	char v[CONF_SHOW_BUF];
	uint32_t mbit;

	if (conf_parse_uint32(value, PORT_RATE_MAX_MBIT, &mbit) < 0)
		return conf_fail(reterr, errlen,
				 "invalid rate '%s': must be a whole number of Mbit/s from 0 to %d",
				 conf_show(value, v), PORT_RATE_MAX_MBIT);
	p->rate_mbit = mbit;
	return 0;
}

typedef int (*port_key_set_fn)(struct network_port *p, const char *value, char *reterr,
			       size_t errlen);

/* In the order network_config_format() writes them. */
static const struct port_key {
	const char *key;
	port_key_set_fn set;
} port_keys[] = {
	{ "mac", set_mac },
	{ "owner", set_owner },
	{ "queues", set_queues },
	{ "rate", set_rate },
};

_Static_assert(ELEMENTSOF(port_keys) == CONF_PORT_KEYS, "update CONF_PORT_KEYS");

int network_port_key_find(const char *key)
{
	for (size_t i = 0; i < ELEMENTSOF(port_keys); i++)
		if (strcmp(key, port_keys[i].key) == 0)
			return (int)i;
	return -ENOENT;
}

int network_port_set(struct network_port *p, const char *key, const char *value, char *reterr,
		     size_t errlen)
{
	char k[CONF_SHOW_BUF];
	int i;

	assert(p);
	assert(key);
	assert(value);

	i = network_port_key_find(key);
	if (i < 0) {
		conf_fail(reterr, errlen, "unknown key '%s' in [port]", conf_show(key, k));
		return -ENOENT;
	}
	if (value[0] == '\0')
		return conf_fail(reterr, errlen, "invalid %s '': empty value", key);
	return port_keys[i].set(p, value, reterr, errlen);
}

/* Index of the first item whose name is >= 'name' (the insertion point). */
static size_t ports_lower_bound(const struct network_ports *ps, const char *name)
{
	size_t lo = 0, hi = ps->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ps->items[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct network_port *network_ports_find(const struct network_ports *ps, const char *name)
{
	size_t i;

	if (!ps || !name || ps->n == 0)
		return NULL;
	i = ports_lower_bound(ps, name);
	if (i < ps->n && strcmp(ps->items[i].name, name) == 0)
		return &ps->items[i];
	return NULL;
}

const struct network_port *network_ports_find_mac(const struct network_ports *ps,
						   const uint8_t mac[6])
{
	if (!ps || !mac)
		return NULL;
	for (size_t i = 0; i < ps->n; i++)
		if (ps->items[i].has_mac && memcmp(ps->items[i].mac, mac, 6) == 0)
			return &ps->items[i];
	return NULL;
}

/*
 * Checks one port on its own and against network 'c': its name, and the fields a port built in
 * code (rather than with network_port_set()) could have out of range.
 */
static int port_check(const struct network_port *port, const struct network_config *c,
		      char *reterr, size_t errlen)
{
	char v[CONF_SHOW_BUF], m[MAC_STRLEN];

	if (strnlen(port->name, sizeof(port->name)) == sizeof(port->name))
		return conf_fail(reterr, errlen, "invalid port name: longer than %d characters",
				 IFNAMSIZ - 1);
	if (!ifname_is_valid(port->name))
		return conf_fail(reterr, errlen, "invalid port name '%s': " CONF_IFNAME_RULE,
				 conf_show(port->name, v));
	/* The tap would collide with a device the network already uses. */
	if (strncmp(port->name, c->bridge, sizeof(c->bridge)) == 0)
		return conf_fail(reterr, errlen, "port name '%s' is taken by the network's bridge",
				 port->name);
	if (strncmp(port->name, c->uplink, sizeof(c->uplink)) == 0)
		return conf_fail(reterr, errlen, "port name '%s' is taken by the network's uplink",
				 port->name);
	if (port->has_mac && (port->mac[0] & 0x01))
		return conf_fail(reterr, errlen,
				 "port %s: multicast MAC %s cannot be bound to a port", port->name,
				 mac_to_string(port->mac, m));
	if (port->has_mac && mac_is_zero(port->mac))
		return conf_fail(reterr, errlen,
				 "port %s: the all-zero MAC cannot be bound to a port", port->name);
	if (port->has_owner && port->owner > PORT_OWNER_MAX)
		return conf_fail(reterr, errlen, "port %s: owner %lu is not a uid", port->name,
				 (unsigned long)port->owner);
	if (port->queues < 1 || port->queues > PORT_QUEUES_MAX)
		return conf_fail(reterr, errlen, "port %s: queues %lu is not from 1 to %d",
				 port->name, (unsigned long)port->queues, PORT_QUEUES_MAX);
	if (port->rate_mbit > PORT_RATE_MAX_MBIT)
		return conf_fail(reterr, errlen, "port %s: rate %lu is not from 0 to %d Mbit/s",
				 port->name, (unsigned long)port->rate_mbit, PORT_RATE_MAX_MBIT);
	return 0;
}

int network_ports_add(struct network_ports *ps, const struct network_port *port,
		      const struct network_config *c, char *reterr, size_t errlen)
{
	const struct network_port *o;
	char m[MAC_STRLEN];
	struct network_port *dst;
	size_t i;
	int r;

	assert(ps);
	assert(port);
	assert(c);

	r = port_check(port, c, reterr, errlen);
	if (r < 0)
		return r;
	i = ports_lower_bound(ps, port->name);
	if (i < ps->n && strcmp(ps->items[i].name, port->name) == 0) {
		conf_fail(reterr, errlen, "port %s already exists", port->name);
		return -EEXIST;
	}
	o = port->has_mac ? network_ports_find_mac(ps, port->mac) : NULL;
	if (o) {
		conf_fail(reterr, errlen, "MAC %s is already bound to port %s",
			  mac_to_string(port->mac, m), o->name);
		return -EEXIST;
	}
	if (ps->n >= NETWORK_PORTS_MAX) {
		conf_fail(reterr, errlen, "too many ports (limit %d)", NETWORK_PORTS_MAX);
		return -E2BIG;
	}

	struct network_port *p = conf_array_grow(ps->items, ps->n, sizeof(*p));
	if (!p)
		return -ENOMEM;
	ps->items = p;
	memmove(&ps->items[i + 1], &ps->items[i], (ps->n - i) * sizeof(ps->items[0]));
	/*
	 * Copied field by field so that the name's tail is zero and fields that do not apply (the
	 * MAC without has_mac, the owner without has_owner) are zero: equal() and copies stay
	 * exact.
	 */
	dst = &ps->items[i];
	memset(dst, 0, sizeof(*dst));
	memcpy(dst->name, port->name, strlen(port->name));
	dst->has_mac = port->has_mac;
	if (port->has_mac)
		memcpy(dst->mac, port->mac, 6);
	dst->has_owner = port->has_owner;
	if (port->has_owner)
		dst->owner = port->owner;
	dst->queues = port->queues;
	dst->rate_mbit = port->rate_mbit;
	ps->n++;
	return 0;
}

int network_ports_remove(struct network_ports *ps, const char *name)
{
	const struct network_port *found;
	size_t i;

	assert(ps);

	found = network_ports_find(ps, name);
	if (!found)
		return -ENOENT;
	i = (size_t)(found - ps->items);
	memmove(&ps->items[i], &ps->items[i + 1], (ps->n - i - 1) * sizeof(ps->items[0]));
	if (--ps->n == 0)
		network_ports_done(ps);
	return 0;
}

int network_ports_check(const struct network_ports *ps, const struct network_config *c,
			char *reterr, size_t errlen)
{
	assert(ps);
	assert(c);

	for (size_t i = 0; i < ps->n; i++) {
		int r = port_check(&ps->items[i], c, reterr, errlen);

		if (r < 0)
			return r;
	}
	return 0;
}

int network_ports_copy(struct network_ports *dst, const struct network_ports *src)
{
	struct network_port *items = NULL;

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

static bool port_equal(const struct network_port *x, const struct network_port *y)
{
	return strncmp(x->name, y->name, sizeof(x->name)) == 0 && x->has_mac == y->has_mac &&
	       (!x->has_mac || memcmp(x->mac, y->mac, 6) == 0) && x->has_owner == y->has_owner &&
	       (!x->has_owner || x->owner == y->owner) && x->queues == y->queues &&
	       x->rate_mbit == y->rate_mbit;
}

bool network_ports_equal(const struct network_ports *a, const struct network_ports *b)
{
	size_t na = a ? a->n : 0, nb = b ? b->n : 0;

	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!port_equal(&a->items[i], &b->items[i]))
			return false;
	return true;
}

void network_ports_done(struct network_ports *ps)
{
	if (!ps)
		return;
	free(ps->items);
	ps->items = NULL;
	ps->n = 0;
}
