/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of route-cache.h: an array of the routes that count for the overlap check,
 * unordered (a removal moves the last entry into the hole), scanned in memory.
 */
#include "daemon/route-cache.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Hard limit (STYLE: every collection is bounded); beyond it the cache is dropped and the
 * check reads the kernel's routes each time, as before the cache. */
#define ROUTE_CACHE_MAX (1u << 20)

struct route_cache {
	struct nl_route_info *routes;
	size_t n, size;
	bool stale;
};

int route_cache_new(struct route_cache **ret)
{
	struct route_cache *rc = calloc(1, sizeof(*rc));

	if (!rc)
		return -ENOMEM;
	rc->stale = true;
	*ret = rc;
	return 0;
}

struct route_cache *route_cache_free(struct route_cache *rc)
{
	if (!rc)
		return NULL;
	free(rc->routes);
	free(rc);
	return NULL;
}

/* The routes the overlap check looks at: to a specific subnet, in the main table, or local. */
static bool route_counts(const struct nl_route_info *rt)
{
	if (rt->family == AF_INET6 ? rt->dst6.prefixlen == 0 : rt->dst.prefixlen == 0)
		return false;
	return rt->table == 254 || (rt->table == 255 && rt->type == 2 /* RTN_LOCAL */);
}

static bool route_same(const struct nl_route_info *a, const struct nl_route_info *b)
{
	if (a->family != b->family || a->table != b->table || a->type != b->type)
		return false;
	if (a->family == AF_INET6)
		return in6_addr_equal(&a->dst6.addr, &b->dst6.addr) &&
		       a->dst6.prefixlen == b->dst6.prefixlen;
	return a->dst.addr.s_addr == b->dst.addr.s_addr && a->dst.prefixlen == b->dst.prefixlen;
}

static int route_cache_add(struct route_cache *rc, const struct nl_route_info *rt)
{
	if (rc->n == rc->size) {
		size_t size = rc->size ? 2 * rc->size : 64;
		struct nl_route_info *a;

		if (size > ROUTE_CACHE_MAX)
			return -E2BIG;
		a = realloc(rc->routes, size * sizeof(*a));
		if (!a)
			return -ENOMEM;
		rc->routes = a;
		rc->size = size;
	}
	rc->routes[rc->n++] = *rt;
	return 0;
}

static void route_cache_remove_at(struct route_cache *rc, size_t i)
{
	rc->routes[i] = rc->routes[--rc->n];
}

static void route_cache_remove(struct route_cache *rc, const struct nl_route_info *rt)
{
	for (size_t i = 0; i < rc->n; i++)
		if (route_same(&rc->routes[i], rt) && rc->routes[i].oif == rt->oif) {
			route_cache_remove_at(rc, i);
			return;
		}
}

static void route_cache_remove_oif(struct route_cache *rc, int oif)
{
	for (size_t i = 0; i < rc->n;)
		if (rc->routes[i].oif == oif)
			route_cache_remove_at(rc, i);
		else
			i++;
}

void route_cache_changed(struct route_cache *rc, const struct nl_change *c)
{
	if (rc->stale)
		return; /* read afresh on next use anyway */
	switch (c->type) {
	case NL_CHANGE_ROUTE_NEW:
		if (!route_counts(&c->route))
			break;
		if (c->replace)
			for (size_t i = 0; i < rc->n; i++)
				if (route_same(&rc->routes[i], &c->route)) {
					rc->routes[i] = c->route;
					return;
				}
		if (route_cache_add(rc, &c->route) < 0)
			rc->stale = true;
		break;
	case NL_CHANGE_ROUTE_DEL:
		route_cache_remove(rc, &c->route);
		break;
	case NL_CHANGE_LINK_DEL:
		route_cache_remove_oif(rc, c->link.ifindex);
		break;
	case NL_CHANGE_LINK_NEW:
		if (!c->link.up)
			route_cache_remove_oif(rc, c->link.ifindex);
		break;
	case NL_CHANGE_RESYNC:
		rc->stale = true;
		break;
	case NL_CHANGE_ADDR:
		break;
	}
}

static int route_cache_load_cb(const struct nl_route_info *rt, void *data)
{
	struct route_cache *rc = data;

	return route_counts(rt) ? route_cache_add(rc, rt) : 0;
}

int route_cache_foreach(struct route_cache *rc, struct nl_sock *nl, nl_route_fn cb, void *data)
{
	int r;

	if (rc->stale) {
		rc->n = 0;
		r = nl_route_dump_family(nl, AF_INET, route_cache_load_cb, rc);
		if (r >= 0)
			r = nl_route_dump_family(nl, AF_INET6, route_cache_load_cb, rc);
		if (r < 0) {
			rc->n = 0;
			return r;
		}
		rc->stale = false;
	}
	for (size_t i = 0; i < rc->n; i++) {
		r = cb(&rc->routes[i], data);
		if (r < 0)
			return r;
	}
	return 0;
}
