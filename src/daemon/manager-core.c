/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of manager-core.h: the index of the networks' links (a hash by ifindex, so a
 * netlink notification costs one lookup whatever the number of networks), the lookup by name in
 * the sorted array, link deletion through the reaper, and repair scheduling. manager.c keeps
 * the array and the indexes filled.
 */
#include "manager-core.h"

#include <errno.h>
#include <string.h>

#include "daemon/network-types.h"
#include "event/event.h"
#include "netlink/nl-link.h"
#include "netlink/nl-reaper.h"
#include "shared/int-map.h"

struct network *manager_network_of_link(struct manager *m, int ifindex)
{
	struct network *n = int_map_get(m->by_ifindex, ifindex);

	/* the bridge, or the overlay's VXLAN device (daemon/overlay/): both are repaired */
	if (n && n->active && (n->ifindex == ifindex || n->overlay.ifindex == ifindex))
		return n;
	return NULL;
}

int manager_link_index(struct manager *m, struct network *n, int old_ifindex, int ifindex)
{
	/* the link it replaces (a repaired bridge, a VXLAN device made again) goes: an entry
	 * must never outlive its network */
	if (old_ifindex != ifindex)
		int_map_remove(m->by_ifindex, old_ifindex, n);
	return int_map_put(m->by_ifindex, ifindex, n);
}

void manager_link_drop(struct manager *m, struct network *n, int ifindex)
{
	if (ifindex > 0)
		int_map_remove(m->by_ifindex, ifindex, n);
}

void manager_link_unindex(struct manager *m, struct network *n)
{
	int_map_remove(m->by_ifindex, n->ifindex, n);
	int_map_remove(m->by_ifindex, n->overlay.ifindex, n);
}

void manager_schedule_repair(struct manager *m, struct network *n)
{
	n->dirty = true;
	event_source_enable_defer(m->repair_source);
}

int manager_link_delete(struct manager *m, int ifindex, const char *name)
{
	int r = m->reaper ? nl_reaper_delete(m->reaper, m->nl, ifindex, name) : -EOPNOTSUPP;

	if (r >= 0 || r == -ENODEV)
		return r;
	return nl_link_delete(m->nl, ifindex);
}

bool manager_links_pending(struct manager *m)
{
	return m->reaper && nl_reaper_is_busy(m->reaper);
}

void manager_links_settle(struct manager *m)
{
	if (manager_links_pending(m))
		nl_reaper_drain(m->reaper);
}

void manager_link_settle_name(struct manager *m, const char *name)
{
	if (m->reaper && nl_reaper_has_name(m->reaper, name))
		nl_reaper_drain(m->reaper);
}

struct network *manager_find_network(struct manager *m, const char *name)
{
	size_t lo = 0, hi = m->n_networks;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(m->networks[mid]->config.name, name);
		if (c == 0)
			return m->networks[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
