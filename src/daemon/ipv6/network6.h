/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IPv6 steps of network_up() (docs/IPV6.md): the gateway6 on the bridge (nodad), IPv6
 * enabled on it, IPv6 forwarding for the modes that route, stale IPv6 addresses of an older
 * definition removed; and the IPv6 keys of a network's JSON. network.c calls these at the points
 * of its ladder where the IPv4 twins run, so that the IPv6 part is undone with the rest.
 */
#ifndef KN_DAEMON_IPV6_NETWORK6_H
#define KN_DAEMON_IPV6_NETWORK6_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "netlink/nl-inet6.h"

struct manager;
struct network;
struct network_config;

/* Most stale IPv6 addresses one network_up() removes from a bridge. */
#define NETWORK6_STALE_MAX 8

/* What network6_up() did, for its undo and finish. */
struct network6_up {
	bool added;                 /* the gateway6 was added (undo removes it) */
	size_t n_stale;
	struct nl_addr6_info stale[NETWORK6_STALE_MAX]; /* global addresses not the gateway6 */
};

/*
 * Makes the bridge 'ifindex' of 'n' carry its gateway6/64 (with IPv6 enabled on it) and turns on
 * IPv6 forwarding for the modes that route; with no subnet6, only notes the global addresses
 * an older definition left. Fills 'st'. Returns 0 or -errno with a reason in 'err'.
 */
int network6_up(struct manager *m, struct network *n, int ifindex, struct network6_up *st,
		char *err, size_t errlen);
/* Undoes network6_up() after a later step of network_up() failed. */
void network6_up_undo(struct manager *m, struct network *n, int ifindex,
		      const struct network6_up *st);
/* Removes the stale addresses network6_up() found (failures logged, ignoring). */
void network6_up_finish(struct manager *m, struct network *n, int ifindex,
			const struct network6_up *st);

/* True if the IPv6 fields the kernel sees (subnet6) differ between 'a' and 'b'. */
bool network6_config_kernel_differs(const struct network_config *a,
				    const struct network_config *b);

/*
 * Adds "subnet6", "gateway6", "ra-mode" (the three null without a subnet6), "nat6" (the key's
 * value) and "masquerade6" (whether IPv6 is masqueraded) to 'obj'. Returns 0 or -ENOMEM.
 */
int network6_to_json(const struct network_config *c, json_t *obj);

#endif
