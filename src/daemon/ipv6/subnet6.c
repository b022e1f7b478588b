/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of subnet6.h: the same overlap rules as IPv4 subnets, against the networks'
 * conflict index (conflict-index.h: a subnet6 is a /64, so one lookup) and the route cache (no
 * kernel dump per request once the cache is loaded).
 */
#include "daemon/ipv6/subnet6.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/conf-network.h"
#include "daemon/conflict-index.h"
#include "daemon/manager-core.h"
#include "daemon/network-types.h"
#include "daemon/route-cache.h"
#include "netlink/nl-link.h"
#include "netlink/nl-route.h"

/* How many auto candidates are tried before giving up. */
#define SUBNET6_AUTO_ATTEMPTS 256

struct route6_check {
	struct manager *m;
	const struct in6_prefix *p;
	int own_ifindex;
	char *err;
	size_t errlen;
};

static int route6_check_cb(const struct nl_route_info *rt, void *data)
{
	struct route6_check *rc = data;
	char a[IN6_PREFIX_STRLEN], b[IN6_PREFIX_STRLEN];
	struct nl_link_info link = { 0 };

	if (rt->family != AF_INET6)
		return 0;
	if (rt->oif && rt->oif == rc->own_ifindex)
		return 0;
	if (!in6_prefix_overlaps(&rt->dst6, rc->p))
		return 0;
	if (rt->oif)
		(void)nl_link_get_by_index(rc->m->nl, rt->oif, &link);
	snprintf(rc->err, rc->errlen, "subnet6 %s overlaps route %s%s%s on the host",
		 in6_prefix_to_string(rc->p, a), in6_prefix_to_string(&rt->dst6, b),
		 link.name[0] ? " dev " : "", link.name);
	return -EBUSY;
}

/* The networks' check, one lookup in the conflict index: 0 or -EBUSY with the reason. */
static int subnet6_check_networks(struct manager *m, const struct in6_prefix *p, const char *self,
				  char *err, size_t errlen)
{
	char a[IN6_PREFIX_STRLEN], b[IN6_PREFIX_STRLEN];
	struct network *own = self ? manager_find_network(m, self) : NULL;
	const struct network_config *o =
		conflict_index_find_subnet6(m->conflicts, p, own ? &own->config : NULL);

	if (!o)
		return 0;
	snprintf(err, errlen, "subnet6 %s overlaps network '%s' (%s)", in6_prefix_to_string(p, a),
		 o->name, in6_prefix_to_string(&o->subnet6, b));
	return -EBUSY;
}

static int subnet6_check_prefix(struct manager *m, const struct in6_prefix *p, const char *self,
				int own_ifindex, char *err, size_t errlen)
{
	struct route6_check rc = {
		.m = m, .p = p, .own_ifindex = own_ifindex, .err = err, .errlen = errlen
	};
	int r;

	r = subnet6_check_networks(m, p, self, err, errlen);
	if (r < 0)
		return r;
	r = route_cache_foreach(m->routes, m->nl, route6_check_cb, &rc);
	if (r == -EBUSY || r == -ENOMEM)
		return r;
	if (r < 0) {
		snprintf(err, errlen, "failed to read the host's routes: %s", strerror(-r));
		return r;
	}
	return 0;
}

int subnet6_check_conflicts(struct manager *m, const struct network_config *c, const char *self,
			    int own_ifindex, char *err, size_t errlen)
{
	if (!c->has_subnet6)
		return 0;
	return subnet6_check_prefix(m, &c->subnet6, self, own_ifindex, err, errlen);
}

int subnet6_resolve_auto(struct manager *m, struct network_config *c, const char *self,
			 char *err, size_t errlen)
{
	struct network *own = self ? manager_find_network(m, self) : NULL;
	int own_ifindex = own && own->active ? own->ifindex : 0;
	char why[256];

	if (!c->subnet6_auto)
		return 0;
	for (unsigned i = 0; i < SUBNET6_AUTO_ATTEMPTS; i++) {
		struct in6_prefix p = network_subnet6_auto_candidate(c->name, i);
		int r = subnet6_check_prefix(m, &p, self, own_ifindex, why, sizeof(why));

		if (r == -EBUSY)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s", why);
			return r;
		}
		c->subnet6 = p;
		c->has_subnet6 = true;
		c->subnet6_auto = false;
		return network_config_finish(c, err, errlen);
	}
	snprintf(err, errlen, "subnet6 auto: the first %d candidate prefixes of network '%s' all "
		 "overlap other networks or host routes", SUBNET6_AUTO_ATTEMPTS, c->name);
	return -EBUSY;
}
