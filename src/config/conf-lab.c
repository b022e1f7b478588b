/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A lab's values and its validation as a whole (conf-lab.h): node kinds, impairments, memory,
 * lookups, and the checks that run once the whole file is read (conf-lab-ini.c reads it).
 */
#include "config/conf-lab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/conf-lab-internal.h"
#include "config/conf-network-internal.h"
#include "shared/alloc-util.h"

static const char *const node_kinds[_LAB_NODE_KIND_MAX] = {
	[LAB_NODE_NETNS] = "netns",
	[LAB_NODE_QEMU] = "qemu",
};

static const char *const expects[_LAB_EXPECT_MAX] = {
	[LAB_EXPECT_OPEN] = "open",
	[LAB_EXPECT_CLOSED] = "closed",
};

const char *lab_node_kind_to_string(enum lab_node_kind k)
{
	return k >= 0 && k < _LAB_NODE_KIND_MAX ? node_kinds[k] : NULL;
}

enum lab_node_kind lab_node_kind_from_string(const char *s)
{
	for (int i = 0; i < _LAB_NODE_KIND_MAX; i++)
		if (s && strcmp(s, node_kinds[i]) == 0)
			return (enum lab_node_kind)i;
	return _LAB_NODE_KIND_INVALID;
}

const char *lab_expect_to_string(enum lab_expect e)
{
	return e >= 0 && e < _LAB_EXPECT_MAX ? expects[e] : NULL;
}

enum lab_expect lab_expect_from_string(const char *s)
{
	for (int i = 0; i < _LAB_EXPECT_MAX; i++)
		if (s && strcmp(s, expects[i]) == 0)
			return (enum lab_expect)i;
	return _LAB_EXPECT_INVALID;
}

const char *lab_name_from_path(const char *path, char *buf)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".lab") == 0)
		n -= 4;
	else if (n > 5 && strcmp(base + n - 5, ".conf") == 0)
		n -= 5;
	if (n > LAB_NAME_MAX)
		n = 0; /* too long: "" is refused like any other invalid name */
	memcpy(buf, base, n);
	buf[n] = '\0';
	return buf;
}

/* Digits then a unit: the number (at most 'max_num') in 'ret_num', the unit in 'ret_unit'. */
static int parse_number_unit(const char *s, uint64_t max_num, uint64_t *ret_num,
			     const char **ret_unit)
{
	uint64_t v = 0;
	size_t i = 0;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > max_num)
			return -ERANGE;
	}
	*ret_num = v;
	*ret_unit = s + i;
	return 0;
}

static bool is_none(const char *v)
{
	return strcmp(v, "0") == 0 || strcasecmp(v, "none") == 0;
}

static int impair_rate(const char *v, uint32_t *ret, char *reterr, size_t errlen)
{
	static const struct { const char *unit; uint64_t kbit; } units[] = {
		{ "kbit", 1 }, { "mbit", 1000 }, { "gbit", 1000 * 1000 },
	};
	char show[CONF_SHOW_BUF];
	const char *unit;
	uint64_t n;

	if (is_none(v)) {
		*ret = 0;
		return 0;
	}
	if (parse_number_unit(v, LAB_RATE_MAX_KBIT, &n, &unit) == 0)
		for (size_t i = 0; i < ELEMENTSOF(units); i++)
			if (strcasecmp(unit, units[i].unit) == 0) {
				n *= units[i].kbit;
				if (n < LAB_RATE_MIN_KBIT || n > LAB_RATE_MAX_KBIT)
					break;
				*ret = (uint32_t)n;
				return 0;
			}
	return conf_fail(reterr, errlen,
			 "invalid rate '%s': expected a whole number with the unit kbit, mbit or "
			 "gbit, from 8kbit to 100gbit (e.g. 10mbit), or none", conf_show(v, show));
}

static int impair_loss(const char *v, uint32_t *ret, char *reterr, size_t errlen)
{
	char show[CONF_SHOW_BUF];
	const char *rest;
	uint64_t whole, frac = 0;
	size_t digits = 0;

	if (parse_number_unit(v, 100, &whole, &rest) < 0)
		goto bad;
	if (*rest == '.') {
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
			if (digits < 2)
				frac = frac * 10 + (uint64_t)(*rest - '0');
			else
				goto bad;
		if (digits == 0)
			goto bad;
		if (digits == 1)
			frac *= 10;
	}
	if (*rest == '%')
		rest++;
	if (*rest || whole * 100 + frac > LAB_LOSS_MAX)
		goto bad;
	*ret = (uint32_t)(whole * 100 + frac);
	return 0;
bad:
	return conf_fail(reterr, errlen,
			 "invalid loss '%s': expected a percentage from 0 to 100 with at most two "
			 "decimals (e.g. 5%% or 0.5%%)", conf_show(v, show));
}

static int impair_time(const char *key, const char *v, uint32_t *ret, char *reterr,
		       size_t errlen)
{
	static const struct { const char *unit; uint64_t usec; } units[] = {
		{ "us", 1 }, { "ms", 1000 }, { "s", 1000 * 1000 },
	};
	char show[CONF_SHOW_BUF];
	const char *unit;
	uint64_t n;

	if (is_none(v)) {
		*ret = 0;
		return 0;
	}
	if (parse_number_unit(v, LAB_DELAY_MAX_USEC, &n, &unit) == 0)
		for (size_t i = 0; i < ELEMENTSOF(units); i++)
			if (strcmp(unit, units[i].unit) == 0) {
				n *= units[i].usec;
				if (n > LAB_DELAY_MAX_USEC)
					break;
				*ret = (uint32_t)n;
				return 0;
			}
	return conf_fail(reterr, errlen,
			 "invalid %s '%s': expected a whole number with the unit us, ms or s, up to "
			 "60s (e.g. 20ms), or none", key, conf_show(v, show));
}

int lab_impair_set(struct lab_impair *imp, const char *key, const char *value, char *reterr,
		   size_t errlen)
{
	char k[CONF_SHOW_BUF];

	if (strcmp(key, "rate") == 0)
		return impair_rate(value, &imp->rate_kbit, reterr, errlen);
	if (strcmp(key, "loss") == 0)
		return impair_loss(value, &imp->loss, reterr, errlen);
	if (strcmp(key, "delay") == 0)
		return impair_time(key, value, &imp->delay_usec, reterr, errlen);
	if (strcmp(key, "jitter") == 0)
		return impair_time(key, value, &imp->jitter_usec, reterr, errlen);
	conf_fail(reterr, errlen, "unknown impairment '%s' (expected rate, loss, delay or jitter)",
		  conf_show(key, k));
	return -ENOENT;
}

static const char *time_to_string(uint32_t usec, char *buf, size_t size)
{
	if (usec == 0)
		snprintf(buf, size, "none");
	else if (usec % 1000000 == 0)
		snprintf(buf, size, "%us", usec / 1000000);
	else if (usec % 1000 == 0)
		snprintf(buf, size, "%ums", usec / 1000);
	else
		snprintf(buf, size, "%uus", usec);
	return buf;
}

const char *lab_impair_to_string(const struct lab_impair *imp, const char *key, char *buf,
				 size_t size)
{
	uint32_t v;

	if (strcmp(key, "rate") == 0) {
		v = imp->rate_kbit;
		if (v == 0)
			snprintf(buf, size, "none");
		else if (v % 1000000 == 0)
			snprintf(buf, size, "%ugbit", v / 1000000);
		else if (v % 1000 == 0)
			snprintf(buf, size, "%umbit", v / 1000);
		else
			snprintf(buf, size, "%ukbit", v);
		return buf;
	}
	if (strcmp(key, "loss") == 0) {
		v = imp->loss;
		if (v % 100 == 0)
			snprintf(buf, size, "%u%%", v / 100);
		else if (v % 10 == 0)
			snprintf(buf, size, "%u.%u%%", v / 100, (v % 100) / 10);
		else
			snprintf(buf, size, "%u.%02u%%", v / 100, v % 100);
		return buf;
	}
	if (strcmp(key, "delay") == 0)
		return time_to_string(imp->delay_usec, buf, size);
	if (strcmp(key, "jitter") == 0)
		return time_to_string(imp->jitter_usec, buf, size);
	return NULL;
}

int lab_parse_memory(const char *v, uint32_t *ret, char *reterr, size_t errlen)
{
	char show[CONF_SHOW_BUF];
	const char *unit;
	uint64_t n;

	if (parse_number_unit(v, LAB_MEMORY_MAX_MIB, &n, &unit) == 0) {
		if (strcasecmp(unit, "g") == 0)
			n *= 1024;
		else if (*unit && strcasecmp(unit, "m") != 0)
			n = 0;
		if (n >= LAB_MEMORY_MIN_MIB && n <= LAB_MEMORY_MAX_MIB) {
			*ret = (uint32_t)n;
			return 0;
		}
	}
	return conf_fail(reterr, errlen,
			 "invalid memory '%s': expected MiB from 32 to 1048576, optionally with the "
			 "suffix M or G (e.g. 256 or 1G)", conf_show(v, show));
}

void lab_config_done(struct lab_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_nodes; i++) {
		free(c->nodes[i].kernel);
		free(c->nodes[i].initrd);
		free(c->nodes[i].disk);
	}
	free(c->networks);
	free(c->nodes);
	free(c->checks);
	free(c->forwards);
	*c = (struct lab_config){ 0 };
}

const struct lab_network *lab_config_find_network(const struct lab_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_networks; i++)
		if (strcmp(c->networks[i].config.name, name) == 0)
			return &c->networks[i];
	return NULL;
}

const struct lab_node *lab_config_find_node(const struct lab_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		if (strcmp(c->nodes[i].name, name) == 0)
			return &c->nodes[i];
	return NULL;
}

const struct lab_nic *lab_node_find_nic(const struct lab_node *node, const char *network)
{
	for (size_t i = 0; i < node->n_nics; i++)
		if (strcmp(node->nics[i].network, network) == 0)
			return &node->nics[i];
	return NULL;
}

const struct lab_network *lab_config_find_overlap(const struct lab_config *c,
						  const struct in_prefix *subnet)
{
	for (size_t i = 0; i < c->n_networks; i++)
		if (in_prefix_overlaps(&c->networks[i].config.subnet, subnet))
			return &c->networks[i];
	return NULL;
}

/* Bridges shared or subnets overlapping inside the lab: the later section is named. */
static int check_overlaps(const struct lab_config *c, char *reterr, size_t errlen)
{
	char a[IN_PREFIX_STRLEN], b[IN_PREFIX_STRLEN];

	for (size_t i = 1; i < c->n_networks; i++)
		for (size_t j = 0; j < i; j++) {
			const struct network_config *x = &c->networks[i].config;
			const struct network_config *y = &c->networks[j].config;

			if (strcmp(x->bridge, y->bridge) == 0)
				return conf_fail(reterr, errlen,
						 "line %d: bridge %s of network %s is also network "
						 "%s's", c->networks[i].line, x->bridge, x->name,
						 y->name);
			if (in_prefix_overlaps(&x->subnet, &y->subnet))
				return conf_fail(reterr, errlen,
						 "line %d: subnet %s of network %s overlaps subnet %s "
						 "of network %s", c->networks[i].line,
						 in_prefix_to_string(&x->subnet, a), x->name,
						 in_prefix_to_string(&y->subnet, b), y->name);
		}
	return 0;
}

/* A static address of 'node' on 'net': a guest address of the subnet, outside the DHCP range. */
static int check_static_ip(const struct lab_node *node, const struct lab_nic *nic,
			   const struct network_config *net, char *reterr, size_t errlen)
{
	char ip[INET_ADDRSTRLEN], p[IN_PREFIX_STRLEN], f[INET_ADDRSTRLEN], l[INET_ADDRSTRLEN];
	uint32_t h = in_addr_to_host(nic->ip);

	in_addr_to_string(nic->ip, ip);
	if (!in_prefix_contains(&net->subnet, nic->ip))
		return conf_fail(reterr, errlen, "line %d: node %s: address %s is not in subnet %s "
				 "of network %s", node->line, node->name, ip,
				 in_prefix_to_string(&net->subnet, p), net->name);
	if (h == in_addr_to_host(in_prefix_first(&net->subnet)) ||
	    h == in_addr_to_host(in_prefix_last(&net->subnet)))
		return conf_fail(reterr, errlen, "line %d: node %s: address %s is the network or "
				 "broadcast address of %s", node->line, node->name, ip, net->name);
	if (in_addr_equal(nic->ip, net->gateway))
		return conf_fail(reterr, errlen, "line %d: node %s: address %s is the gateway of "
				 "network %s", node->line, node->name, ip, net->name);
	if (net->dhcp && h >= in_addr_to_host(net->range_first) &&
	    h <= in_addr_to_host(net->range_last))
		return conf_fail(reterr, errlen, "line %d: node %s: address %s is inside the DHCP "
				 "range %s-%s of network %s (set its dhcp-range to leave room, or "
				 "dhcp = no)", node->line, node->name, ip,
				 in_addr_to_string(net->range_first, f),
				 in_addr_to_string(net->range_last, l), net->name);
	return 0;
}

static int check_node(const struct lab_config *c, const struct lab_node *node, char *reterr,
		      size_t errlen)
{
	const struct lab_network *net;
	int r;

	if (node->n_nics == 0)
		return conf_fail(reterr, errlen, "line %d: node %s is on no network (give it "
				 "nics = NETWORK ...)", node->line, node->name);
	for (size_t i = 0; i < node->n_nics; i++) {
		const struct lab_nic *nic = &node->nics[i];

		net = lab_config_find_network(c, nic->network);
		if (!net)
			return conf_fail(reterr, errlen, "line %d: node %s: unknown network '%s' "
					 "(no [network %s] section in the lab)", node->line,
					 node->name, nic->network, nic->network);
		if (nic->impair.jitter_usec > 0 && nic->impair.delay_usec == 0)
			return conf_fail(reterr, errlen, "line %d: node %s: nic.%s.jitter needs a "
					 "nic.%s.delay", node->line, node->name, nic->network,
					 nic->network);
		if (nic->has_ip) {
			r = check_static_ip(node, nic, &net->config, reterr, errlen);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Two static nics with one address on one network; O(static nics squared), bounded by limits. */
static int check_addresses_unique(const struct lab_config *c, char *reterr, size_t errlen)
{
	char ip[INET_ADDRSTRLEN];

	for (size_t i = 0; i < c->n_nodes; i++)
		for (size_t k = 0; k < c->nodes[i].n_nics; k++) {
			const struct lab_nic *a = &c->nodes[i].nics[k];

			if (!a->has_ip)
				continue;
			for (size_t j = 0; j <= i; j++)
				for (size_t m = 0; m < c->nodes[j].n_nics && (j < i || m < k); m++) {
					const struct lab_nic *b = &c->nodes[j].nics[m];

					if (b->has_ip && in_addr_equal(a->ip, b->ip) &&
					    strcmp(a->network, b->network) == 0)
						return conf_fail(reterr, errlen,
							"line %d: node %s: address %s on %s is "
							"already node %s's", c->nodes[i].line,
							c->nodes[i].name,
							in_addr_to_string(a->ip, ip), a->network,
							c->nodes[j].name);
				}
		}
	return 0;
}

static int check_check(const struct lab_config *c, const struct lab_check *ch, char *reterr,
		       size_t errlen)
{
	if (!lab_config_find_node(c, ch->from))
		return conf_fail(reterr, errlen, "line %d: check %s: unknown node '%s' in from",
				 ch->line, ch->name, ch->from);
	if (!lab_config_find_node(c, ch->to))
		return conf_fail(reterr, errlen, "line %d: check %s: unknown node '%s' in to",
				 ch->line, ch->name, ch->to);
	if (strcmp(ch->from, ch->to) == 0)
		return conf_fail(reterr, errlen, "line %d: check %s: from and to are the same node "
				 "(%s)", ch->line, ch->name, ch->from);
	return 0;
}

int lab_config_validate(const struct lab_config *c, char *reterr, size_t errlen)
{
	char show[CONF_SHOW_BUF];
	int r;

	if (!network_name_is_valid(c->name))
		return conf_fail(reterr, errlen, "invalid lab name '%s': expected 1-32 characters "
				 "from a-z, 0-9, '_' and '-', starting with a letter or digit (set "
				 "[lab] name =)", conf_show(c->name, show));
	r = check_overlaps(c, reterr, errlen);
	for (size_t i = 0; r == 0 && i < c->n_nodes; i++)
		r = check_node(c, &c->nodes[i], reterr, errlen);
	if (r == 0)
		r = check_addresses_unique(c, reterr, errlen);
	for (size_t i = 0; r == 0 && i < c->n_checks; i++)
		r = check_check(c, &c->checks[i], reterr, errlen);
	return r;
}
