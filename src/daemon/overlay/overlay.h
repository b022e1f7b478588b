/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A network stretched across hosts (issue 14): its VXLAN device, enslaved to the network's
 * bridge, learning off, one all-zeros flood entry per static peer, the MTU left by the 50-byte
 * VXLAN header on the device and the bridge. With overlay = evpn there are no static peers:
 * the port suppresses ARP/ND and FRR (evpn-frr.h) learns and installs the remote ends. network.c calls these hooks for the modes whose
 * entry in network-mode.c has 'overlay' set, in network_up()'s order: check (before anything
 * changes), up (after the bridge and its MTU), undo (rollback), finish (after every step
 * succeeded: what an older definition left goes), down.
 */
#ifndef KN_DAEMON_OVERLAY_OVERLAY_H
#define KN_DAEMON_OVERLAY_OVERLAY_H

#include <jansson.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/conf-network.h"

struct manager;
struct network;
struct nl_link_info;

/* "knvxVNI": the VXLAN device of VNI 'vni' (at most 13 characters). */
void overlay_device_name(uint32_t vni, char buf[IFNAMSIZ]);

/*
 * Checks what needs the kernel, before anything is changed: 'local' is an address of this
 * host, no peer is one, every peer has a route, and the underlay (the interface of the route
 * to each peer; 1500 when there are no peers) leaves room for the network's MTU. Writes the
 * overlay's MTU to 'ret_mtu' (0 without an overlay). -EINVAL/-EHOSTUNREACH with a one-line
 * reason in 'err'.
 */
int overlay_network_check(struct manager *m, const struct network_config *c, uint32_t *ret_mtu,
			  char *err, size_t errlen);

/*
 * Makes (or adopts, when it already is what 'n->config' asks for) the VXLAN device, gives it
 * and the bridge 'bridge' MTU 'mtu', enslaves it, adds the flood entries and sets it up.
 * '*created' tells overlay_network_undo() whether the device is new. Nothing without an
 * overlay. On failure undoes its own changes and writes a reason to 'err'.
 */
int overlay_network_up(struct manager *m, struct network *n, const struct nl_link_info *bridge,
		       uint32_t mtu, bool *created, char *err, size_t errlen);
/* Undoes overlay_network_up() after a later step failed. */
void overlay_network_undo(struct manager *m, struct network *n, bool created);
/*
 * Removes what 'old' (the definition replaced, or NULL) or an earlier run left: flood entries
 * to peers no longer listed, the device of another VNI. Failures are only logged.
 */
void overlay_network_finish(struct manager *m, struct network *n,
			    const struct network_config *old);
/* Deletes the network's VXLAN device (its flood entries go with it). */
void overlay_network_down(struct manager *m, struct network *n);

/* The "overlay" member of 'net show --json': null without an overlay. */
json_t *overlay_to_json(const struct network *n);

#endif
