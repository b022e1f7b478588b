/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's root object: owns the event loop, the state directory, the netlink and nftables
 * handles, the API server and every network. It loads definitions at start-up, reconciles the
 * kernel with them, and keeps them reconciled when the netlink monitor reports a change.
 */
#ifndef KN_DAEMON_MANAGER_H
#define KN_DAEMON_MANAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/conf-network.h"

struct api_server;
struct dhcp_service;
struct dns_service;
struct event_loop;
struct event_source;
struct evpn_frr;
struct fw_ctx;
struct lab_engine;
struct network;
struct nl_monitor;
struct nl_sock;
struct port_service;
struct route_cache;
struct nl_reaper;
struct state_dir;
struct int_map;
struct vni_index;
struct overlay_dns_listener;
struct conflict_index;

/* Hard limit on defined networks (STYLE: every user-grown collection is bounded). */
#define MANAGER_NETWORKS_MAX 16384

struct manager_options {
	const char *state_dir;
	const char *socket_path;
	const char *hosts_file;      /* for the NSS module; NULL = none */
	const char *api_group;       /* the name of 'api_gid', for messages */
	gid_t api_gid;               /* members may use the socket; (gid_t)-1 = root only */
	const char *netns_dir;       /* lab nodes' namespaces; NULL = /run/netns */
	const char *guest_dir;       /* qemu lab nodes' tiny guest; NULL = KVMNET_GUEST_DIR */
	const char *frr_vty_dir;     /* FRR's vty sockets (overlay = evpn); NULL = /var/run/frr */
};

struct manager {
	struct event_loop *loop;
	struct state_dir *state;
	struct nl_sock *nl;
	struct nl_reaper *reaper;    /* deletes links off the request path; NULL = inline */
	struct nl_monitor *monitor;
	struct fw_ctx *fw;
	uint64_t fw_prefix_mask;     /* prefix lengths whose subnet rules are loaded (fw-render.h) */
	struct api_server *api;
	struct dhcp_service *dhcp;
	struct dns_service *dns;
	struct port_service *ports;
	struct int_map *by_ifindex;  /* a network's bridge and VXLAN ifindexes -> the network */
	struct vni_index *by_vni;    /* overlay networks' VNIs -> their definitions (vni-index.h) */
	struct conflict_index *conflicts; /* bridge names, tenants, subnets (conflict-index.h) */
	struct route_cache *routes;  /* the host's routes, for manager_check_conflicts() */
	struct lab_engine *labs;     /* lab/lab-engine.h */
	struct evpn_frr *evpn;       /* overlay/evpn-frr.h */
	struct overlay_dns_listener *dns_listeners; /* overlay/overlay-dns.c: per underlay address */
	struct event_source *monitor_source, *repair_source, *sigterm_source, *sigint_source;
	struct network **networks;   /* owned, sorted by name */
	size_t n_networks;
	uint64_t start_usec;
	bool ip_forward_noted;       /* the original ip_forward value was logged */
	struct forward_claim **forward_index; /* forward-service.c: claims by proto/port */
};

int manager_new(const struct manager_options *o, struct manager **ret);

/*
 * Deletes link 'ifindex' ('name') off the request path (nl-reaper.h): it goes within tens of ms;
 * its name and routes stay until then (manager_link_settle_name(), manager_links_settle()).
 * Falls back to deleting it at once. Returns 0, -ENODEV (gone already), -errno.
 */
int manager_link_delete(struct manager *m, int ifindex, const char *name);

/* Whether links given to manager_link_delete() are still there. */
bool manager_links_pending(struct manager *m);

/* Waits until every link manager_link_delete() was given is gone. Returns at once when none is
 * pending; blocks for one kernel unregistration (tens of ms) otherwise. */
void manager_links_settle(struct manager *m);

/* manager_links_settle(), only when a link named 'name' is among them: before making a link of
 * that name (or adopting one: the one on its way out must not be adopted). */
void manager_link_settle_name(struct manager *m, const char *name);

struct manager *manager_free(struct manager *m);

/* The active network whose bridge (or overlay VXLAN device) is link 'ifindex', NULL if none:
 * a hash lookup (manager_link_index()), for every netlink notification. */
struct network *manager_network_of_link(struct manager *m, int ifindex);

/* Indexes link 'ifindex' as 'n''s (its bridge or VXLAN device) in place of 'old_ifindex' (what
 * n->ifindex or n->overlay.ifindex said so far), which is dropped first. Returns 0 or -ENOMEM
 * (then 'ifindex' is not indexed). */
int manager_link_index(struct manager *m, struct network *n, int old_ifindex, int ifindex);

/* Drops one link of 'n' (a VXLAN device going away) from the index. */
void manager_link_drop(struct manager *m, struct network *n, int ifindex);

/* Drops 'n''s links (n->ifindex, n->overlay.ifindex) from the index, before they are cleared. */
void manager_link_unindex(struct manager *m, struct network *n);

/*
 * Loads definitions and reconciles the kernel with them; logs per-network failures. Of
 * definitions that conflict (hand-edited files: the same VNI or bridge, overlapping subnets),
 * the first by name starts; the others stay stopped, the reason in network->start_refused.
 */
int manager_startup(struct manager *m);

/* Runs the event loop until SIGTERM/SIGINT; returns 0 on a clean stop. */
int manager_run(struct manager *m);

/* Borrowed pointer to the network named 'name', or NULL. */
struct network *manager_find_network(struct manager *m, const char *name);

/* Inserts 'n' (taking ownership, even on failure). -E2BIG over MANAGER_NETWORKS_MAX. */
int manager_add_network(struct manager *m, struct network *n);

/*
 * 'n''s definition was replaced in place by a redefinition; 'old' is a copy of what it was.
 * Re-indexes its VNI, bridge name, tenant and subnet (the conflict checks' indexes); an index
 * out of memory is logged.
 */
void manager_network_redefined(struct manager *m, struct network *n,
			       const struct network_config *old);
/* Removes and frees 'n'. */
void manager_remove_network(struct manager *m, struct network *n);

/*
 * Checks 'c' against every other network (all but one named 'self', which may be NULL) and the
 * host's routes and links: duplicate VNI, bridge or tenant id, overlapping subnet, a route
 * already on the host (routes through the network's own bridge excepted). The networks are
 * checked through indexes (vni-index.h, conflict-index.h), not a walk. Returns 0 or
 * -EEXIST/-EBUSY with a one-line reason in 'err'.
 */
int manager_check_conflicts(struct manager *m, const struct network_config *c, const char *self,
			    char *err, size_t errlen);

/* Marks 'n' for re-reconciliation from the event loop (after a netlink change). */
void manager_schedule_repair(struct manager *m, struct network *n);

#endif
