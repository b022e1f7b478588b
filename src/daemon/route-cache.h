/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's IPv4 and IPv6 routes that a new subnet or subnet6 may not overlap (main table, and
 * the local table's 'local' routes), kept in memory: read once, then kept current from the netlink monitor's
 * notifications, so that checking a network's subnet costs the same whatever the number of
 * routes (networks) the host has. The manager owns it.
 */
#ifndef KN_DAEMON_ROUTE_CACHE_H
#define KN_DAEMON_ROUTE_CACHE_H

#include "netlink/nl-monitor.h"
#include "netlink/nl-route.h"

struct nl_sock;
struct route_cache;

/* Returns 0 or -ENOMEM. The cache starts stale: the first route_cache_get() reads the routes. */
int route_cache_new(struct route_cache **ret);
/* Frees 'rc'; accepts NULL; returns NULL. */
struct route_cache *route_cache_free(struct route_cache *rc);

/*
 * Applies one monitor notification: routes added and removed; a link removed or set down takes
 * its routes along (IPv4 flushes them without a notification); RESYNC (lost notifications)
 * makes the cache stale, to be read again on next use.
 */
void route_cache_changed(struct route_cache *rc, const struct nl_change *c);

/*
 * Calls 'cb' for every cached route, reading them all first (one dump over 'nl') if the cache
 * is stale. A negative return from 'cb' stops and is returned; -errno if the dump fails.
 */
int route_cache_foreach(struct route_cache *rc, struct nl_sock *nl, nl_route_fn cb, void *data);

#endif
