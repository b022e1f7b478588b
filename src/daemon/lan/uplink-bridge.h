/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bridge of a mode-bridge network built around its uplink NIC (--uplink without an existing
 * bridge): kvmnet makes the bridge with the NIC's MAC and MTU, makes the NIC its port and moves
 * the NIC's IPv4 addresses and routes onto it, in one step undone in reverse if any part fails;
 * and, on 'net stop'/'net delete' or after a crash, puts the NIC back as it was and deletes the
 * bridge. Only bridges recorded in the network's marker (uplink-marker.h) are ever changed.
 * network-mode.c's bridge entry calls it; every function blocks on netlink and on disk.
 */
#ifndef KN_DAEMON_LAN_UPLINK_BRIDGE_H
#define KN_DAEMON_LAN_UPLINK_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>

struct manager;
struct network;
struct nl_link_info;

/* Whether network 'name''s bridge is one kvmnet made around its uplink (a marker exists). */
bool uplink_bridge_is_ours(struct manager *m, const char *name);

/*
 * Makes network 'n''s bridge (n->config.bridge, which must not exist unless kvmnet made it)
 * around n->config.uplink and fills 'link' with the bridge, up; '*created' says it was made
 * now. A bridge kvmnet made earlier whose move completed is adopted as it is ('*created' false);
 * one left half-made (a crash) is first undone, then made again. On failure nothing is changed
 * (every step done is undone, the marker removed), a one-line reason is in 'err', and the
 * -errno is returned: -ENODEV no such uplink, -EBUSY it is a port already, -EINVAL not a NIC
 * that can be bridged, -E2BIG too many addresses or routes, -EOPNOTSUPP a route it cannot move.
 */
int uplink_bridge_setup(struct manager *m, struct network *n, struct nl_link_info *link,
			bool *created, char *err, size_t errlen);

/*
 * Undoes what uplink_bridge_setup() made for network 'n' (as its marker records it): deletes
 * the bridge, gives the uplink back its addresses and routes (those already there are left) and
 * its down state if it was down, and removes the marker. Without a marker it does nothing.
 * Returns 0, or -errno with 'err' if the uplink could not be given everything back (the marker
 * is then kept, so that a later stop retries).
 */
int uplink_bridge_teardown(struct manager *m, struct network *n, char *err, size_t errlen);

#endif
