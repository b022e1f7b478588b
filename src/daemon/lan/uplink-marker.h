/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The record of a bridge kvmnet made around an uplink NIC (mode bridge with --uplink), kept in
 * the state directory as uplinks/NAME.json: the NIC's IPv4 addresses and routes as they were
 * before the move, so that 'net stop', 'net delete' and a daemon restarted after a crash can put
 * them back. Its presence is what says the bridge is kvmnet's; uplink-bridge.c writes it before
 * the first kernel change and removes it after the last undo. This file only encodes, stores and
 * loads it.
 */
#ifndef KN_DAEMON_LAN_UPLINK_MARKER_H
#define KN_DAEMON_LAN_UPLINK_MARKER_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "netlink/nl-addr.h"
#include "netlink/nl-inet6.h"
#include "netlink/nl-route.h"

#define UPLINK_MARKER_ADDR_MAX 32   /* IPv4 addresses of one NIC that kvmnet moves */
#define UPLINK_MARKER_ROUTE_MAX 64  /* and routes */
#define UPLINK_MARKER_ADDR6_MAX 16  /* static IPv6 addresses */
#define UPLINK_MARKER_ROUTE6_MAX 64 /* and static IPv6 routes */

struct uplink_marker {
	char uplink[IFNAMSIZ];
	char bridge[IFNAMSIZ];
	bool uplink_was_up;   /* IFF_UP before the move (the move brings it up) */
	bool complete;        /* every step of the move is done; false: roll back on sight */
	size_t n_addrs;
	struct nl_addr_info addrs[UPLINK_MARKER_ADDR_MAX];   /* in the NIC's order */
	size_t n_routes;
	struct nl_route_spec routes[UPLINK_MARKER_ROUTE_MAX]; /* in the order they are made */
	size_t n_addrs6;      /* the IPv6 ones (absent from records of older versions) */
	struct nl_addr6_info addrs6[UPLINK_MARKER_ADDR6_MAX];
	size_t n_routes6;
	struct nl_route6_spec routes6[UPLINK_MARKER_ROUTE6_MAX];
};

/*
 * Writes 'mk' as network 'name''s marker under state directory 'state_dir' (atomic, durable:
 * blocks on disk). Returns 0 or -errno.
 */
int uplink_marker_save(const char *state_dir, const char *name, const struct uplink_marker *mk);

/*
 * Reads network 'name''s marker into '*ret' (malloc'd, caller frees). -ENOENT if there is none,
 * -EBADMSG if it does not parse.
 */
int uplink_marker_load(const char *state_dir, const char *name, struct uplink_marker **ret);

/* Removes the marker (durably); 0 if there was none. */
int uplink_marker_remove(const char *state_dir, const char *name);

/* Whether network 'name' has a marker. */
bool uplink_marker_exists(const char *state_dir, const char *name);

#endif
