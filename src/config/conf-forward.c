/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of conf-forward.h. A network's forwards live in one array in the order given
 * (the file's order); at most NETWORK_FORWARDS_MAX of them, changed one at a time, so the linear
 * overlap check is cheap. The cross-network index is the daemon's.
 */
#include "conf-forward.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-network-internal.h"
#include "config/conf-network.h"
#include "shared/alloc-util.h"
#include "shared/strbuf.h"

static const char *const forward_proto_names[_FORWARD_PROTO_MAX] = {
	[FORWARD_PROTO_TCP] = "tcp",
	[FORWARD_PROTO_UDP] = "udp",
};

const char *forward_proto_to_string(enum forward_proto p)
{
	if (p < 0 || p >= _FORWARD_PROTO_MAX)
		return NULL;
	return forward_proto_names[p];
}

enum forward_proto forward_proto_from_string(const char *s)
{
	for (enum forward_proto p = 0; p < _FORWARD_PROTO_MAX; p++)
		if (s && strcmp(s, forward_proto_names[p]) == 0)
			return p;
	return _FORWARD_PROTO_INVALID;
}

void network_forward_init(struct network_forward *f)
{
	assert(f);
	memset(f, 0, sizeof(*f));
}

bool network_forward_name_is_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > FORWARD_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = name[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');

		if (!alnum && (i == 0 || !strchr("_.-", ch)))
			return false;
	}
	return true;
}

/* "PORT" or "FIRST-LAST", 1..65535, FIRST <= LAST. */
static int parse_port_range(const char *s, uint16_t *ret_first, uint16_t *ret_last)
{
	char buf[16];
	const char *dash = strchr(s, '-');
	uint32_t a, b;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	if (!dash) {
		if (conf_parse_uint32(s, 65535, &a) < 0 || a == 0)
			return -EINVAL;
		*ret_first = *ret_last = (uint16_t)a;
		return 0;
	}
	memcpy(buf, s, dash - s);
	buf[dash - s] = '\0';
	if (conf_parse_uint32(buf, 65535, &a) < 0 || a == 0 ||
	    conf_parse_uint32(dash + 1, 65535, &b) < 0 || b == 0 || a > b)
		return -EINVAL;
	*ret_first = (uint16_t)a;
	*ret_last = (uint16_t)b;
	return 0;
}

static bool addr_is_unicast(struct in_addr a)
{
	uint32_t h = in_addr_to_host(a);

	return (h >> 24) != 0 && (h >> 28) != 14 && (h >> 28) != 15;
}

static int set_to(struct network_forward *f, const char *value, char *reterr, size_t errlen)
{
	char v[CONF_SHOW_BUF], addr[32];
	const char *colon = strchr(value, ':');
	struct in_addr a;
	uint16_t first, last;

	if (!colon || (size_t)(colon - value) >= sizeof(addr))
		goto fail;
	memcpy(addr, value, colon - value);
	addr[colon - value] = '\0';
	if (in_addr_from_string(addr, &a) < 0 || parse_port_range(colon + 1, &first, &last) < 0)
		goto fail;
	f->to_addr = a;
	f->to_port_first = first;
	f->to_port_last = last;
	f->has_to = true;
	return 0;
fail:
	return conf_fail(reterr, errlen,
			 "invalid to '%s': expected GUESTIP:PORT or GUESTIP:FIRST-LAST, e.g. "
			 "192.168.122.10:80", conf_show(value, v));
}

int network_forward_set(struct network_forward *f, const char *key, const char *value,
			char *reterr, size_t errlen)
{
	char v[CONF_SHOW_BUF];

	assert(f && key && value);
	if (strcmp(key, "proto") == 0) {
		enum forward_proto p = forward_proto_from_string(value);

		if (p < 0)
			return conf_fail(reterr, errlen, "invalid proto '%s': must be tcp or udp",
					 conf_show(value, v));
		f->proto = p;
		f->has_proto = true;
		return 0;
	}
	if (strcmp(key, "host-port") == 0) {
		uint16_t first, last;

		if (parse_port_range(value, &first, &last) < 0)
			return conf_fail(reterr, errlen,
					 "invalid host-port '%s': expected PORT or FIRST-LAST, "
					 "ports 1-65535", conf_show(value, v));
		f->host_port_first = first;
		f->host_port_last = last;
		return 0;
	}
	if (strcmp(key, "to") == 0)
		return set_to(f, value, reterr, errlen);
	if (strcmp(key, "host-address") == 0) {
		struct in_addr a;

		if (in_addr_from_string(value, &a) < 0 || !addr_is_unicast(a))
			return conf_fail(reterr, errlen,
					 "invalid host-address '%s': expected a unicast IPv4 address",
					 conf_show(value, v));
		f->host_address = a;
		f->has_host_address = true;
		return 0;
	}
	conf_fail(reterr, errlen, "unknown key '%s' in [forward]", conf_show(key, v));
	return -ENOENT;
}

int network_forward_finish(struct network_forward *f, const struct network_config *c,
			   char *reterr, size_t errlen)
{
	char a[INET_ADDRSTRLEN], s[INET_ADDRSTRLEN + 4];
	unsigned host_n, to_n;

	assert(f && c);
	if (!network_forward_name_is_valid(f->name))
		return conf_fail(reterr, errlen,
				 "invalid forward name '%s': expected [a-z0-9][a-z0-9_.-]{0,62}",
				 f->name);
	if (!f->has_proto)
		return conf_fail(reterr, errlen, "missing key 'proto' in [forward %s]", f->name);
	if (f->host_port_first == 0)
		return conf_fail(reterr, errlen, "missing key 'host-port' in [forward %s]", f->name);
	if (!f->has_to)
		return conf_fail(reterr, errlen, "missing key 'to' in [forward %s]", f->name);
	host_n = (unsigned)f->host_port_last - f->host_port_first + 1;
	if (host_n > FORWARD_RANGE_MAX)
		return conf_fail(reterr, errlen,
				 "forward %s: host ports %u-%u are %u ports, at most %d allowed",
				 f->name, f->host_port_first, f->host_port_last, host_n,
				 FORWARD_RANGE_MAX);
	/* A single guest port with a host range means the range starting there (as Docker's -p). */
	if (f->to_port_first == f->to_port_last && host_n > 1) {
		if ((unsigned)f->to_port_first + host_n - 1 > 65535)
			return conf_fail(reterr, errlen,
					 "forward %s: guest ports from %u would pass 65535", f->name,
					 f->to_port_first);
		f->to_port_last = (uint16_t)(f->to_port_first + host_n - 1);
	}
	to_n = (unsigned)f->to_port_last - f->to_port_first + 1;
	if (to_n != host_n)
		return conf_fail(reterr, errlen,
				 "forward %s: %u host ports cannot map onto %u guest ports", f->name,
				 host_n, to_n);
	if (!in_prefix_contains(&c->subnet, f->to_addr) ||
	    in_addr_equal(f->to_addr, c->gateway) ||
	    in_addr_equal(f->to_addr, in_prefix_first(&c->subnet)) ||
	    in_addr_equal(f->to_addr, in_prefix_last(&c->subnet)))
		return conf_fail(reterr, errlen,
				 "forward %s: %s is not a guest address of network %s (%s)", f->name,
				 in_addr_to_string(f->to_addr, a), c->name,
				 in_prefix_to_string(&c->subnet, s));
	return 0;
}

void network_forward_default_name(const struct network_forward *f, char buf[FORWARD_NAME_MAX + 1])
{
	char ports[16], a[INET_ADDRSTRLEN];

	if (f->host_port_first == f->host_port_last)
		snprintf(ports, sizeof(ports), "%u", f->host_port_first);
	else
		snprintf(ports, sizeof(ports), "%u-%u", f->host_port_first, f->host_port_last);
	if (f->has_host_address)
		snprintf(buf, FORWARD_NAME_MAX + 1, "%s-%s-%s", forward_proto_to_string(f->proto),
			 ports, in_addr_to_string(f->host_address, a));
	else
		snprintf(buf, FORWARD_NAME_MAX + 1, "%s-%s", forward_proto_to_string(f->proto), ports);
}

bool network_forward_overlaps(const struct network_forward *a, const struct network_forward *b)
{
	if (a->proto != b->proto)
		return false;
	if (a->host_port_last < b->host_port_first || b->host_port_last < a->host_port_first)
		return false;
	if (a->has_host_address && b->has_host_address)
		return in_addr_equal(a->host_address, b->host_address);
	return true;
}

int network_forwards_add(struct network_forwards *fs, const struct network_forward *f,
			 char *reterr, size_t errlen)
{
	struct network_forward *items;

	assert(fs && f);
	for (size_t i = 0; i < fs->n; i++) {
		if (strcmp(fs->items[i].name, f->name) == 0) {
			conf_fail(reterr, errlen, "forward %s already exists", f->name);
			return -EEXIST;
		}
		if (network_forward_overlaps(&fs->items[i], f)) {
			conf_fail(reterr, errlen, "%s host port %u is already forwarded by %s",
				  forward_proto_to_string(f->proto),
				  f->host_port_first > fs->items[i].host_port_first
					  ? f->host_port_first : fs->items[i].host_port_first,
				  fs->items[i].name);
			return -EEXIST;
		}
	}
	if (fs->n >= NETWORK_FORWARDS_MAX) {
		conf_fail(reterr, errlen, "a network holds at most %d forwards",
			  NETWORK_FORWARDS_MAX);
		return -E2BIG;
	}
	items = conf_array_grow(fs->items, fs->n, sizeof(*items));
	if (!items)
		return -ENOMEM;
	fs->items = items;
	fs->items[fs->n++] = *f;
	return 0;
}

int network_forwards_remove(struct network_forwards *fs, const char *name)
{
	for (size_t i = 0; fs && i < fs->n; i++)
		if (strcmp(fs->items[i].name, name) == 0) {
			memmove(&fs->items[i], &fs->items[i + 1],
				(fs->n - i - 1) * sizeof(fs->items[0]));
			fs->n--;
			return 0;
		}
	return -ENOENT;
}

const struct network_forward *network_forwards_find(const struct network_forwards *fs,
						     const char *name)
{
	for (size_t i = 0; fs && i < fs->n; i++)
		if (strcmp(fs->items[i].name, name) == 0)
			return &fs->items[i];
	return NULL;
}

const struct network_forward *network_forwards_find_port(const struct network_forwards *fs,
							  enum forward_proto proto, uint16_t port,
							  const struct in_addr *addr)
{
	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct network_forward *f = &fs->items[i];

		if (f->proto != proto || f->host_port_first != port ||
		    f->has_host_address != (addr != NULL))
			continue;
		if (addr && !in_addr_equal(*addr, f->host_address))
			continue;
		return f;
	}
	return NULL;
}

int network_forwards_check(const struct network_forwards *fs, const struct network_config *c,
			   char *reterr, size_t errlen)
{
	for (size_t i = 0; fs && i < fs->n; i++) {
		struct network_forward f = fs->items[i];
		int r = network_forward_finish(&f, c, reterr, errlen);

		if (r < 0)
			return r;
	}
	return 0;
}

static void format_ports(char *buf, size_t size, uint16_t first, uint16_t last)
{
	if (first == last)
		snprintf(buf, size, "%u", first);
	else
		snprintf(buf, size, "%u-%u", first, last);
}

int network_forwards_format(const struct network_forwards *fs, struct strbuf *sb)
{
	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct network_forward *f = &fs->items[i];
		char hp[16], tp[16], a[INET_ADDRSTRLEN];
		int r;

		format_ports(hp, sizeof(hp), f->host_port_first, f->host_port_last);
		format_ports(tp, sizeof(tp), f->to_port_first, f->to_port_last);
		r = strbuf_appendf(sb, "\n[forward %s]\nproto = %s\nhost-port = %s\nto = %s:%s\n",
				   f->name, forward_proto_to_string(f->proto), hp,
				   in_addr_to_string(f->to_addr, a), tp);
		if (r >= 0 && f->has_host_address)
			r = strbuf_appendf(sb, "host-address = %s\n",
					   in_addr_to_string(f->host_address, a));
		if (r < 0)
			return r;
	}
	return 0;
}

int network_forwards_copy(struct network_forwards *dst, const struct network_forwards *src)
{
	*dst = (struct network_forwards){ 0 };
	if (!src || src->n == 0)
		return 0;
	dst->items = conf_array_dup(src->items, src->n, sizeof(src->items[0]));
	if (!dst->items)
		return -ENOMEM;
	dst->n = src->n;
	return 0;
}

static bool forward_equal(const struct network_forward *a, const struct network_forward *b)
{
	return strcmp(a->name, b->name) == 0 && a->proto == b->proto &&
	       a->host_port_first == b->host_port_first && a->host_port_last == b->host_port_last &&
	       a->has_host_address == b->has_host_address &&
	       (!a->has_host_address || in_addr_equal(a->host_address, b->host_address)) &&
	       in_addr_equal(a->to_addr, b->to_addr) && a->to_port_first == b->to_port_first &&
	       a->to_port_last == b->to_port_last;
}

bool network_forwards_equal(const struct network_forwards *a, const struct network_forwards *b)
{
	size_t na = a ? a->n : 0, nb = b ? b->n : 0;

	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!forward_equal(&a->items[i], &b->items[i]))
			return false;
	return true;
}

void network_forwards_done(struct network_forwards *fs)
{
	if (!fs)
		return;
	free(fs->items);
	*fs = (struct network_forwards){ 0 };
}
