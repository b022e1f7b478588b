/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's root object: owns the event loop, the state directory, the netlink and nftables
 * handles, the services and every network (the data the services share: manager-core.h). It
 * wires the services together, loads definitions at start-up, reconciles the kernel with them,
 * and keeps them reconciled when the netlink monitor reports a change. The API server sits on
 * top of it (main.c makes it after the manager and frees it first).
 */
#ifndef KN_DAEMON_MANAGER_H
#define KN_DAEMON_MANAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/conf-network.h"
#include "daemon/manager-core.h"

struct network;

struct manager_options {
	const char *state_dir;
	const char *socket_path;     /* the API server's (main.c) */
	const char *hosts_file;      /* for the NSS module; NULL = none */
	const char *api_group;       /* the name of 'api_gid', for messages (the API server's) */
	gid_t api_gid;               /* members may use the socket; (gid_t)-1 = root only (ditto) */
	const char *netns_dir;       /* lab nodes' namespaces (main.c's lab engine); NULL = /run/netns */
	const char *guest_dir;       /* qemu lab nodes' tiny guest (ditto); NULL = KVMNET_GUEST_DIR */
	const char *frr_vty_dir;     /* FRR's vty sockets (overlay = evpn); NULL = /var/run/frr */
};

int manager_new(const struct manager_options *o, struct manager **ret);

struct manager *manager_free(struct manager *m);

/*
 * Loads definitions and reconciles the kernel with them; logs per-network failures. Of
 * definitions that conflict (hand-edited files: the same VNI or bridge, overlapping subnets),
 * the first by name starts; the others stay stopped, the reason in network->start_refused.
 */
int manager_startup(struct manager *m);

/* Runs the event loop until SIGTERM/SIGINT; returns 0 on a clean stop. */
int manager_run(struct manager *m);

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

#endif
