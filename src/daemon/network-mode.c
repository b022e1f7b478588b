/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of network-mode.h. Four modes (nat, routed, isolated, open) own their bridge:
 * kvmnet creates it (or adopts its own after a restart) and deletes it. Mode bridge puts guest
 * ports on a bridge of the host's, which kvmnet only reads (or one it built around the uplink
 * NIC, lan/uplink-bridge.c). macvtap has none: its ports are
 * macvtap devices over the uplink NIC.
 */
#include "network-mode.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "daemon/lan/uplink-bridge.h"
#include "daemon/manager-core.h"
#include "daemon/network-types.h"
#include "netlink/nl-link.h"
#include "shared/log.h"

/*
 * The bridge's address, derived from the network's name (stable across re-creation):
 * 52:54:00 would pose as a QEMU guest, so a locally administered unicast 02:xx:xx:xx:xx:xx.
 * The same on every host of an overlay (the gateway's MAC), except where another host owns the
 * gateway: there the host's underlay address is mixed in, so that frames to the gateway's MAC
 * are not taken for this bridge's own (docs/OVERLAY.md).
 */
static void network_bridge_mac(const struct network_config *c, uint8_t mac[6])
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *p = c->name; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	if (!network_overlay_has_gateway(&c->overlay))
		for (size_t i = 0; i < sizeof(c->overlay.local); i++)
			h = (h ^ ((const uint8_t *)&c->overlay.local)[i]) * 1099511628211ULL;
	mac[0] = 0x02;
	for (size_t i = 1; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * (i - 1)));
}

/* An owned bridge: created if missing, else adopted (only when 'adopt' and it is a bridge). */
static int owned_bridge_setup(struct manager *m, struct network *n, bool adopt,
			      struct nl_link_info *link, bool *created, char *err, size_t errlen)
{
	const struct network_config *c = &n->config;
	int r;

	*created = false;
	r = nl_link_get_by_name(m->nl, c->bridge, link);
	if (r == -ENODEV) {
		r = nl_bridge_create(m->nl, c->bridge, c->mtu, NULL);
		if (r < 0) {
			snprintf(err, errlen, "failed to create bridge '%s': %s", c->bridge,
				 strerror(-r));
			return r;
		}
		*created = true;
		r = nl_link_get_by_name(m->nl, c->bridge, link);
		/* An address of its own: otherwise the bridge takes its lowest port's, and the
		 * gateway's MAC would change (stale ARP in every guest) as ports come and go. */
		if (r >= 0) {
			uint8_t mac[6];
			network_bridge_mac(c, mac);
			r = nl_link_set_mac(m->nl, link->ifindex, mac);
			if (r < 0) {
				snprintf(err, errlen, "failed to set the address of bridge '%s': %s",
					 c->bridge, strerror(-r));
				(void)nl_link_delete(m->nl, link->ifindex);
				*created = false;
				return r;
			}
		}
	}
	if (r < 0) {
		snprintf(err, errlen, "failed to read interface '%s': %s", c->bridge, strerror(-r));
		if (*created) {
			/* made but unreadable: remove it by name */
			struct nl_link_info l;
			if (nl_link_get_by_name(m->nl, c->bridge, &l) >= 0)
				(void)nl_link_delete(m->nl, l.ifindex);
			*created = false;
		}
		return r;
	}
	if (!*created && (!adopt || strcmp(link->kind, "bridge") != 0)) {
		snprintf(err, errlen, "interface '%s' already exists%s", c->bridge,
			 strcmp(link->kind, "bridge") != 0 ? " and is not a bridge" : "");
		return -EEXIST;
	}
	return 0;
}

static void owned_bridge_undo(struct manager *m, struct network *n, const struct nl_link_info *link,
			      bool created)
{
	(void)n;
	if (created)
		(void)nl_link_delete(m->nl, link->ifindex);
}

static int owned_bridge_teardown(struct manager *m, struct network *n, char *err, size_t errlen)
{
	const struct network_config *c = &n->config;
	struct nl_link_info link;
	int r;

	/* Deleted off the request path: the kernel's unregistration waits for RCU. */
	r = nl_link_get_by_name(m->nl, c->bridge, &link);
	if (r >= 0 && strcmp(link.kind, "bridge") == 0)
		r = manager_link_delete(m, link.ifindex, link.name);
	if (r < 0 && r != -ENODEV) {
		snprintf(err, errlen, "failed to delete bridge '%s': %s", c->bridge, strerror(-r));
		return r;
	}
	return 0;
}

/*
 * Mode bridge: the bridge must exist and is never changed (no address, MTU, firewall chain,
 * DHCP or DNS of ours on it) nor deleted; unless it does not exist and an uplink is given, or it
 * is one kvmnet made around the uplink earlier: then lan/uplink-bridge.c makes (or adopts) it,
 * moving the NIC in, and puts everything back on teardown.
 */
static int foreign_bridge_setup(struct manager *m, struct network *n, bool adopt,
				struct nl_link_info *link, bool *created, char *err, size_t errlen)
{
	const struct network_config *c = &n->config;
	int r;

	(void)adopt;
	*created = false;
	if (c->uplink[0] && uplink_bridge_is_ours(m, c->name))
		return uplink_bridge_setup(m, n, link, created, err, errlen);
	r = nl_link_get_by_name(m->nl, c->bridge, link);
	if (r == -ENODEV && c->uplink[0])
		return uplink_bridge_setup(m, n, link, created, err, errlen);
	if (r == -ENODEV) {
		snprintf(err, errlen, "bridge '%s' does not exist (mode bridge uses an existing "
			 "bridge; --uplink NIC has one made around the NIC)", c->bridge);
		return -ENOENT;
	}
	if (r < 0) {
		snprintf(err, errlen, "failed to read interface '%s': %s", c->bridge, strerror(-r));
		return r;
	}
	if (strcmp(link->kind, "bridge") != 0) {
		snprintf(err, errlen, "interface '%s' is not a bridge", c->bridge);
		return -EINVAL;
	}
	return 0;
}

static void foreign_bridge_undo(struct manager *m, struct network *n,
				const struct nl_link_info *link, bool created)
{
	char err[256];

	(void)link;
	if (created && uplink_bridge_teardown(m, n, err, sizeof(err)) < 0)
		log_error("Failed to undo the uplink bridge of network '%s': %s", n->config.name,
			  err);
}

/* Only a bridge kvmnet made around the uplink (it has a marker) is taken apart. */
static int foreign_bridge_teardown(struct manager *m, struct network *n, char *err, size_t errlen)
{
	return uplink_bridge_teardown(m, n, err, errlen);
}

#define OWNED_BRIDGE                                                                          \
	.bridge_setup = owned_bridge_setup, .bridge_undo = owned_bridge_undo,                  \
	.bridge_teardown = owned_bridge_teardown, .sets_mtu = true, .gateway_address = true,   \
	.firewall = true, .dhcp_dns = true, .port_kind = "tap", .overlay = true

/*
 * A macvtap network has no bridge: its "link" is the uplink NIC, which must exist and be free to
 * carry macvtap devices: not a bridge, not a port of a bridge (the kernel gives a NIC to one
 * rx handler, and a bridge of another kvmnet network would lose it), not itself a macvtap.
 * Nothing is made, so nothing is undone or torn down (the ports go in port_service_network_down()).
 */
static int macvtap_setup(struct manager *m, struct network *n, bool adopt,
			 struct nl_link_info *link, bool *created, char *err, size_t errlen)
{
	const struct network_config *c = &n->config;
	int r;

	(void)adopt;
	*created = false;
	r = nl_link_get_by_name(m->nl, c->uplink, link);
	if (r == -ENODEV) {
		snprintf(err, errlen, "uplink '%s' does not exist", c->uplink);
		return r;
	}
	if (r < 0) {
		snprintf(err, errlen, "failed to read uplink '%s': %s", c->uplink, strerror(-r));
		return r;
	}
	if (strcmp(link->kind, "bridge") == 0) {
		snprintf(err, errlen, "uplink '%s' is a bridge: use a bridge network on it, or "
			 "one of its ports' NIC before it was bridged", c->uplink);
		return -EINVAL;
	}
	if (strcmp(link->kind, "macvtap") == 0 || strcmp(link->kind, "macvlan") == 0) {
		snprintf(err, errlen, "uplink '%s' is a %s device itself", c->uplink, link->kind);
		return -EINVAL;
	}
	if (link->master > 0) {
		struct nl_link_info master = { 0 };
		const char *owner = NULL;

		(void)nl_link_get_by_index(m->nl, link->master, &master);
		for (size_t i = 0; i < m->n_networks; i++)
			if (m->networks[i]->active && m->networks[i]->ifindex == link->master &&
			    m->networks[i] != n)
				owner = m->networks[i]->config.name;
		if (owner)
			snprintf(err, errlen, "uplink '%s' is a port of bridge '%s' of network '%s'",
				 c->uplink, master.name, owner);
		else
			snprintf(err, errlen, "uplink '%s' is a port of '%s'", c->uplink,
				 master.name[0] ? master.name : "another device");
		return -EBUSY;
	}
	return 0;
}

static void macvtap_undo(struct manager *m, struct network *n, const struct nl_link_info *link,
			 bool created)
{
	(void)m, (void)n, (void)link, (void)created;
}

static int macvtap_teardown(struct manager *m, struct network *n, char *err, size_t errlen)
{
	(void)m, (void)n, (void)err, (void)errlen;
	return 0;
}

static const struct network_mode_ops mode_ops[_NETWORK_MODE_MAX] = {
	[NETWORK_MODE_NAT] = { .mode = NETWORK_MODE_NAT, OWNED_BRIDGE, .forwards = true,
			       .port_forwards = true },
	[NETWORK_MODE_ROUTED] = { .mode = NETWORK_MODE_ROUTED, OWNED_BRIDGE, .forwards = true,
				  .port_forwards = true },
	[NETWORK_MODE_ISOLATED] = { .mode = NETWORK_MODE_ISOLATED, OWNED_BRIDGE, .forwards = false },
	[NETWORK_MODE_OPEN] = { .mode = NETWORK_MODE_OPEN, OWNED_BRIDGE, .forwards = false },
	[NETWORK_MODE_BRIDGE] = { .mode = NETWORK_MODE_BRIDGE, .bridge_setup = foreign_bridge_setup,
				  .bridge_undo = foreign_bridge_undo,
				  .bridge_teardown = foreign_bridge_teardown, .port_kind = "tap",
				  .foreign_bridge = true, .learns_addresses = true },
	/* no bridge, gateway, rules, forwarding, DHCP or DNS: guests are on the uplink's LAN */
	[NETWORK_MODE_MACVTAP] = { .mode = NETWORK_MODE_MACVTAP, .bridge_setup = macvtap_setup,
				   .bridge_undo = macvtap_undo, .bridge_teardown = macvtap_teardown,
				   .port_kind = "macvtap", .learns_addresses = true },
};

const struct network_mode_ops *network_mode_ops(enum network_mode mode)
{
	if (mode < 0 || mode >= _NETWORK_MODE_MAX)
		return &mode_ops[NETWORK_MODE_NAT]; /* unreachable for validated definitions */
	return &mode_ops[mode];
}
