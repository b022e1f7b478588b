/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the daemon's services share of the manager (manager.h): the handles (event loop, state
 * directory, netlink, nftables), the services' own objects, and the networks with their indexes
 * by name and by link, plus the few things a service asks of it (find a network, delete a link
 * off the request path, schedule a repair) and the hooks through which it tells a service above
 * it. Nothing here calls a service, so the services include this and never manager.h, whose
 * start-up and monitor dispatch call them.
 */
#ifndef KN_DAEMON_MANAGER_CORE_H
#define KN_DAEMON_MANAGER_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
struct lease;
struct manager;
struct vni_index;
struct overlay_dns_listener;
struct conflict_index;

/*
 * The calls a service makes to one above it in the layers (docs/ARCHITECTURE.md), through
 * pointers manager.c fills in manager_new() (the lab engine fills its own): the caller includes
 * no header of the one it tells. Each is set before the loop runs.
 */
struct manager_hooks {
	/* dhcp6-service -> dhcp-service, which owns the lease journal: records a change of lease
	 * 'l' of network 'network' (dhcp_service_journal_change()) ... */
	void (*lease_journal)(struct manager *m, const char *network, const struct lease *l,
			      bool removed);
	/* ... and makes the batch durable before its replies go (dhcp_service_commit_batch()). */
	int (*lease_commit)(struct manager *m);
	/* port-service -> dns-service: learned guests changed the hosts file's lines. */
	void (*hosts_changed)(struct manager *m);
	/* port-service -> the lab engine: the name of the lab a port belongs to, NULL if none;
	 * its node's in 'ret_node' when not NULL (lab_engine_port_owner(), _port_node()). */
	const char *(*port_lab)(const struct manager *m, const char *port, const char **ret_node);
};

/* Hard limit on defined networks (STYLE: every user-grown collection is bounded). */
#define MANAGER_NETWORKS_MAX 16384

struct manager {
	struct event_loop *loop;
	struct state_dir *state;
	struct nl_sock *nl;
	struct nl_reaper *reaper;    /* deletes links off the request path; NULL = inline */
	struct nl_monitor *monitor;
	struct fw_ctx *fw;
	uint64_t fw_prefix_mask;     /* prefix lengths whose subnet rules are loaded (fw-render.h) */
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
	struct manager_hooks hooks;
};

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

/* Borrowed pointer to the network named 'name', or NULL. */
struct network *manager_find_network(struct manager *m, const char *name);

/* Marks 'n' for re-reconciliation from the event loop (after a netlink change). */
void manager_schedule_repair(struct manager *m, struct network *n);

#endif
