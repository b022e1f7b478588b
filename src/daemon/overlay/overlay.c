/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of overlay.h: the static VXLAN overlay. Every request costs what the network's
 * own overlay holds (one route lookup per peer, one device, its flood entries), never a dump of
 * the host's links, addresses or routes.
 */
#include "daemon/overlay/overlay.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "daemon/manager-core.h"
#include "daemon/network-types.h"
#include "daemon/overlay/evpn-fdb.h"
#include "daemon/overlay/evpn-frr.h"
#include "firewall/fw-apply.h"
#include "firewall/fw-overlay.h"
#include "netlink/nl-brport.h"
#include "netlink/nl-fdb.h"
#include "netlink/nl-link.h"
#include "netlink/nl-route.h"
#include "netlink/nl-vxlan.h"
#include "shared/alloc-util.h"
#include "shared/in-addr-util.h"
#include "shared/log.h"

/* The underlay's MTU when no peer tells which interface carries the tunnel. */
#define OVERLAY_UNDERLAY_MTU_DEFAULT 1500

void overlay_device_name(uint32_t vni, char buf[IFNAMSIZ])
{
	snprintf(buf, IFNAMSIZ, "knvx%u", (unsigned)(vni & 0xffffff));
}

static bool has_overlay(const struct network_config *c)
{
	return c->overlay.kind != NETWORK_OVERLAY_NONE;
}

static bool is_evpn(const struct network_config *c)
{
	return c->overlay.kind == NETWORK_OVERLAY_EVPN;
}

/* overlay = evpn: FRR reachable, with a BGP instance, and the VNI not someone else's there. */
static int overlay_evpn_check(struct manager *m, const struct network_config *c, char *err,
			      size_t errlen)
{
	struct nl_link_info link;
	char name[IFNAMSIZ];

	overlay_device_name(c->overlay.vni, name);
	return evpn_frr_check(m->evpn, c, nl_link_get_by_name(m->nl, name, &link) >= 0, err,
			      errlen);
}

int overlay_network_check(struct manager *m, const struct network_config *c, uint32_t *ret_mtu,
			  char *err, size_t errlen)
{
	const struct network_overlay *o = &c->overlay;
	uint32_t underlay = 0, max;
	char a[INET_ADDRSTRLEN], dev[IFNAMSIZ] = "";
	struct nl_route_info rt;
	int r;

	*ret_mtu = 0;
	if (!has_overlay(c))
		return 0;
	if (o->local.s_addr) {
		r = nl_route_get(m->nl, o->local, &rt);
		if (r < 0 || rt.type != RTN_LOCAL) {
			snprintf(err, errlen, "local %s is not an address of this host",
				 in_addr_to_string(o->local, a));
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < o->n_peers; i++) {
		struct nl_link_info link;

		in_addr_to_string(o->peers[i], a);
		r = nl_route_get(m->nl, o->peers[i], &rt);
		if (r < 0) {
			snprintf(err, errlen, "peer %s is unreachable: %s", a, strerror(-r));
			return -EHOSTUNREACH;
		}
		if (rt.type == RTN_LOCAL) {
			snprintf(err, errlen, "peer %s is a local address (peers are the other hosts)",
				 a);
			return -EINVAL;
		}
		if (rt.oif > 0 && nl_link_get_by_index(m->nl, rt.oif, &link) >= 0 &&
		    (underlay == 0 || link.mtu < underlay)) {
			underlay = link.mtu;
			snprintf(dev, sizeof(dev), "%s", link.name);
		}
	}
	if (underlay == 0)
		underlay = OVERLAY_UNDERLAY_MTU_DEFAULT;
	max = underlay > NETWORK_VXLAN_OVERHEAD ? underlay - NETWORK_VXLAN_OVERHEAD : 0;
	if (max < NETWORK_MTU_MIN) {
		snprintf(err, errlen, "underlay MTU %u%s%s is too small for the overlay (VXLAN needs "
			 "%d bytes, guests at least %d)", (unsigned)underlay, dev[0] ? " of " : "",
			 dev, NETWORK_VXLAN_OVERHEAD, NETWORK_MTU_MIN);
		return -EINVAL;
	}
	if (c->mtu > max) {
		snprintf(err, errlen, "mtu %u is too large for the overlay: underlay %s%sMTU %u "
			 "leaves at most %u", (unsigned)c->mtu, dev, dev[0] ? " has " : "",
			 (unsigned)underlay, (unsigned)max);
		return -EINVAL;
	}
	if (is_evpn(c)) {
		r = overlay_evpn_check(m, c, err, errlen);
		if (r < 0)
			return r;
	}
	*ret_mtu = c->mtu ? c->mtu : max;
	return 0;
}

/*
 * What may cross the overlay from and to this host (fw-overlay.h): DHCP stays here when this
 * host serves only its own guests or none; an anycast gateway's ARP and frames always do.
 */
static int overlay_fw_apply(struct manager *m, const struct network_config *c, int bridge_ifindex,
			    const char *ifname, char *err, size_t errlen)
{
	_cleanup_free_ char *script = NULL, *msg = NULL;
	struct fw_overlay fo = { .gateway = c->gateway };
	struct nl_link_info br;
	int r;

	snprintf(fo.ifname, sizeof(fo.ifname), "%s", ifname);
	fo.block_dhcp = c->overlay.dhcp == NETWORK_OVERLAY_DHCP_LOCAL ||
			(!c->dhcp && c->overlay.dhcp == NETWORK_OVERLAY_DHCP_ALL);
	fo.anycast = c->overlay.gateway == NETWORK_OVERLAY_GATEWAY_ANYCAST;
	if (fo.anycast) {
		/* the bridge's address as it is now (set once it was made) */
		r = nl_link_get_by_index(m->nl, bridge_ifindex, &br);
		if (r < 0) {
			snprintf(err, errlen, "failed to read bridge '%s': %s", c->bridge,
				 strerror(-r));
			return r;
		}
		memcpy(fo.gateway_mac, br.mac, sizeof(fo.gateway_mac));
	}
	r = fw_overlay_render(&fo, &script);
	if (r >= 0)
		r = fw_apply(m->fw, script, &msg);
	if (r < 0)
		snprintf(err, errlen, "failed to install the overlay's rules: %s",
			 msg ? msg : strerror(-r));
	return r;
}

static void overlay_fw_remove(struct manager *m, const char *ifname)
{
	_cleanup_free_ char *script = NULL;

	if (fw_overlay_render_delete(ifname, &script) >= 0 && fw_apply(m->fw, script, NULL) < 0)
		log_warning("Failed to remove the overlay rules of '%s', ignoring", ifname);
}

static bool vxlan_matches(const struct nl_vxlan_info *have, const struct nl_vxlan_info *want)
{
	return have->vni == want->vni && in_addr_equal(have->local, want->local) &&
	       have->port == want->port && have->learning == want->learning;
}

/* Finds or makes the device: '*ret' filled, '*created' set when it is new. */
static int overlay_device_setup(struct manager *m, const struct network_config *c, uint32_t mtu,
				int bridge_ifindex, struct nl_link_info *ret, bool *created,
				char *err, size_t errlen)
{
	const struct network_overlay *o = &c->overlay;
	struct nl_vxlan_info want = { .vni = o->vni, .local = o->local,
				      .port = network_overlay_port(o), .learning = false };
	struct nl_vxlan_info have;
	char name[IFNAMSIZ];
	int r;

	overlay_device_name(o->vni, name);
	r = nl_link_get_by_name(m->nl, name, ret);
	if (r >= 0) {
		r = nl_vxlan_get(m->nl, ret->ifindex, &have);
		if (r == -EMEDIUMTYPE) {
			snprintf(err, errlen, "interface '%s' already exists and is not a VXLAN "
				 "device", name);
			return -EEXIST;
		}
		if (r < 0) {
			snprintf(err, errlen, "failed to read VXLAN device '%s': %s", name,
				 strerror(-r));
			return r;
		}
		if (vxlan_matches(&have, &want))
			return 0;   /* adopted: a restart, or an unchanged overlay */
		if (ret->master > 0 && ret->master != bridge_ifindex) {
			snprintf(err, errlen, "VXLAN device '%s' is a port of another bridge", name);
			return -EBUSY;
		}
		log_info("VXLAN device '%s' has other parameters than network '%s' asks for, "
			 "re-creating it", name, c->name);
		(void)nl_link_delete(m->nl, ret->ifindex);
	} else if (r != -ENODEV) {
		snprintf(err, errlen, "failed to read interface '%s': %s", name, strerror(-r));
		return r;
	}
	r = nl_vxlan_create(m->nl, name, &want, mtu, NULL);
	if (r >= 0)
		r = nl_link_get_by_name(m->nl, name, ret);
	if (r < 0) {
		snprintf(err, errlen, "failed to create VXLAN device '%s' (VNI %u, port %u): %s",
			 name, (unsigned)o->vni, (unsigned)want.port, strerror(-r));
		return r;
	}
	*created = true;
	return 0;
}

int overlay_network_up(struct manager *m, struct network *n, const struct nl_link_info *bridge,
		       uint32_t mtu, bool *created, char *err, size_t errlen)
{
	const struct network_config *c = &n->config;
	char a[INET_ADDRSTRLEN];
	struct nl_link_info vx;
	const char *what = NULL;
	int r;

	*created = false;
	if (!has_overlay(c))
		return 0;
	r = overlay_device_setup(m, c, mtu, bridge->ifindex, &vx, created, err, errlen);
	if (r < 0)
		return r;
	if (vx.mtu != mtu) {
		r = nl_link_set_mtu(m->nl, vx.ifindex, mtu);
		what = "set its MTU";
	}
	/* the bridge keeps an MTU set on it (a guest port with a larger one does not raise it) */
	if (r >= 0 && bridge->mtu != mtu) {
		r = nl_link_set_mtu(m->nl, bridge->ifindex, mtu);
		what = "set the bridge's MTU";
	}
	if (r >= 0 && vx.master != bridge->ifindex) {
		r = nl_link_set_master(m->nl, vx.ifindex, bridge->ifindex);
		what = "enslave it";
	}
	/* EVPN: the bridge learns no remote MAC itself (zebra installs them) and answers ARP/ND
	 * for them on this host (RFC 7432 section 10) */
	if (r >= 0 && is_evpn(c)) {
		r = nl_brport_set_flags(m->nl, vx.ifindex, false, true);
		what = r == -EOPNOTSUPP || r == -EINVAL ? "set neigh_suppress on its bridge port "
			"(ARP/ND suppression, which overlay = evpn needs and this kernel lacks)" :
			"set its bridge port's flags";
	}
	for (size_t i = 0; r >= 0 && i < c->overlay.n_peers; i++) {
		r = nl_fdb_flood_add(m->nl, vx.ifindex, c->overlay.peers[i]);
		what = "add its flood entry";
		if (r < 0)
			snprintf(err, errlen, "failed to add the flood entry to peer %s on '%s': %s",
				 in_addr_to_string(c->overlay.peers[i], a), vx.name, strerror(-r));
	}
	/* the rules before the device is up: nothing crosses that should not */
	if (r >= 0) {
		r = overlay_fw_apply(m, c, bridge->ifindex, vx.name, err, errlen);
		what = NULL;
	}
	if (r >= 0 && !vx.up) {
		r = nl_link_set_up(m->nl, vx.ifindex, true);
		what = "bring it up";
	}
	n->overlay.evpn_new = false;
	if (r >= 0 && is_evpn(c)) {
		r = evpn_frr_write(m->evpn, c->overlay.vni, &n->overlay.evpn_in_use,
				   &n->overlay.evpn_new, err, errlen);
		what = NULL;
	}
	if (r < 0) {
		if (what && strcmp(what, "add its flood entry") != 0)
			snprintf(err, errlen, "VXLAN device '%s': failed to %s: %s", vx.name, what,
				 strerror(-r));
		if (*created) {
			overlay_fw_remove(m, vx.name);
			(void)nl_link_delete(m->nl, vx.ifindex);
		}
		*created = false;
		return r;
	}
	r = manager_link_index(m, n, n->overlay.ifindex, vx.ifindex);
	if (r < 0) {
		snprintf(err, errlen, "out of memory");
		if (*created) {
			overlay_fw_remove(m, vx.name);
			(void)nl_link_delete(m->nl, vx.ifindex);
		}
		*created = false;
		return r;
	}
	n->overlay.ifindex = vx.ifindex;
	n->overlay.mtu = mtu;
	return 0;
}

void overlay_network_undo(struct manager *m, struct network *n, bool created)
{
	char name[IFNAMSIZ];

	if (n->overlay.evpn_new)
		evpn_frr_remove(m->evpn, n->config.overlay.vni, &n->overlay.evpn_in_use);
	n->overlay.evpn_new = false;

	overlay_device_name(n->config.overlay.vni, name);
	if (created)
		overlay_fw_remove(m, name);
	if (created && n->overlay.ifindex > 0)
		(void)nl_link_delete(m->nl, n->overlay.ifindex);
	if (created) {
		manager_link_drop(m, n, n->overlay.ifindex);
		n->overlay = (struct overlay_state){ 0 };
	}
}

struct stale_scan {
	const struct network_overlay *o;
	struct in_addr stale[NETWORK_OVERLAY_PEERS_MAX];
	size_t n;
};

static int stale_scan_cb(const struct nl_fdb_entry *e, void *data)
{
	static const uint8_t zero[6] = { 0 };
	struct stale_scan *s = data;

	if (memcmp(e->mac, zero, sizeof(zero)) != 0 || !e->has_dst || !(e->state & NUD_PERMANENT))
		return 0;
	if (!network_overlay_has_peer(s->o, e->dst) && s->n < ELEMENTSOF(s->stale))
		s->stale[s->n++] = e->dst;
	return 0;
}

/* Deletes the VXLAN device of 'vni' if it is a port of 'bridge_ifindex' (ours, then). */
static void overlay_delete_vni(struct manager *m, uint32_t vni, int bridge_ifindex)
{
	struct nl_link_info link;
	char name[IFNAMSIZ];

	overlay_device_name(vni, name);
	if (nl_link_get_by_name(m->nl, name, &link) < 0 || strcmp(link.kind, "vxlan") != 0)
		return;
	if (bridge_ifindex > 0 && link.master != bridge_ifindex)
		return;
	overlay_fw_remove(m, name);
	if (nl_link_delete(m->nl, link.ifindex) < 0)
		log_warning("Failed to delete VXLAN device '%s', ignoring", name);
}

void overlay_network_finish(struct manager *m, struct network *n,
			    const struct network_config *old)
{
	const struct network_config *c = &n->config;
	struct stale_scan scan = { .o = &c->overlay };
	char a[INET_ADDRSTRLEN];
	int r;

	bool unused = false;

	if (old && old->overlay.kind == NETWORK_OVERLAY_EVPN &&
	    (!is_evpn(c) || old->overlay.vni != c->overlay.vni))
		/* the flag stays the new VNI's when it is an EVPN one too */
		evpn_frr_remove(m->evpn, old->overlay.vni,
				is_evpn(c) ? &unused : &n->overlay.evpn_in_use);
	if (old && old->overlay.kind != NETWORK_OVERLAY_NONE &&
	    (!has_overlay(c) || old->overlay.vni != c->overlay.vni))
		overlay_delete_vni(m, old->overlay.vni, n->ifindex);
	/* EVPN: the flood entries are zebra's, one per remote VTEP that announced the VNI */
	if (!has_overlay(c) || is_evpn(c) || n->overlay.ifindex <= 0)
		return;
	r = nl_fdb_dump_dev(m->nl, n->overlay.ifindex, stale_scan_cb, &scan);
	if (r < 0)
		log_warning_errno(r, "Failed to read the flood entries of network '%s': %m, "
				  "ignoring", c->name);
	for (size_t i = 0; i < scan.n; i++) {
		in_addr_to_string(scan.stale[i], a);
		r = nl_fdb_flood_del(m->nl, n->overlay.ifindex, scan.stale[i]);
		if (r < 0 && r != -ENOENT)
			log_warning_errno(r, "Failed to remove the flood entry to %s: %m, ignoring",
					  a);
		else
			log_info("Network '%s': peer %s is no longer listed, its flood entry is "
				 "removed", c->name, a);
	}
}

void overlay_network_down(struct manager *m, struct network *n)
{
	if (is_evpn(&n->config) || n->overlay.evpn_in_use)
		evpn_frr_remove(m->evpn, n->config.overlay.vni, &n->overlay.evpn_in_use);
	if (has_overlay(&n->config))
		overlay_delete_vni(m, n->config.overlay.vni, 0);
	/* the index must not outlive the device (manager_link_unindex() runs after this) */
	manager_link_drop(m, n, n->overlay.ifindex);
	n->overlay = (struct overlay_state){ 0 };
}

json_t *overlay_to_json(const struct network *n)
{
	const struct network_overlay *o = &n->config.overlay;
	char a[INET_ADDRSTRLEN], name[IFNAMSIZ];
	json_t *peers, *j;

	if (!has_overlay(&n->config))
		return json_null();
	peers = json_array();
	if (!peers)
		return NULL;
	for (size_t i = 0; i < o->n_peers; i++)
		if (json_array_append_new(peers, json_string(in_addr_to_string(o->peers[i], a))) < 0) {
			json_decref(peers);
			return NULL;
		}
	overlay_device_name(o->vni, name);
	j = json_pack("{s:s, s:I, s:o, s:s?, s:i, s:s, s:I, s:s, s:s}", "kind",
		      network_overlay_kind_to_string(o->kind), "vni", (json_int_t)o->vni, "peers",
		      peers, "local", o->local.s_addr ? in_addr_to_string(o->local, a) : NULL,
		      "vxlan-port", (int)network_overlay_port(o), "device", name, "mtu",
		      (json_int_t)(n->active ? n->overlay.mtu : 0), "gateway",
		      network_overlay_gateway_to_string(o->gateway), "dhcp",
		      o->dhcp == NETWORK_OVERLAY_DHCP_LOCAL ? "local" :
		      o->dhcp == NETWORK_OVERLAY_DHCP_RELAY ? "relay" :
		      n->config.dhcp ? "yes" : "no");
	if (j && is_evpn(&n->config)) {
		/* the peers are those BGP told of, with the MACs behind them */
		int r = evpn_fdb_to_json(n->manager->nl, n->active ? n->overlay.ifindex : 0, j);

		if (r == -ENOMEM || json_object_set_new(j, "frr-vty-dir", json_string(
				    evpn_frr_vty_dir(n->manager->evpn))) < 0)
			return json_decref(j), NULL;
		if (r < 0)
			log_warning_errno(r, "Failed to read the forwarding table of '%s': %m, "
					  "ignoring", name);
	}
	return j;
}
