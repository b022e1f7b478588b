/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's side of a network's subnet6 (docs/IPV6.md): the checks against other networks and
 * the host's IPv6 routes (the route cache, as for IPv4 subnets), and the choice of the ULA /64
 * that "subnet6 = auto" asks for. Called by manager_check_conflicts() and the create/define
 * methods.
 */
#ifndef KN_DAEMON_IPV6_SUBNET6_H
#define KN_DAEMON_IPV6_SUBNET6_H

#include <stddef.h>

struct manager;
struct network_config;

/*
 * Checks the subnet6 of 'c' (nothing to do without one) against every other network (all but
 * the one named 'self', may be NULL) and the host's IPv6 routes, those through 'own_ifindex'
 * (the network's own bridge, 0 = none) excepted. Returns 0, or -EBUSY with a one-line reason in
 * 'err' ("subnet6 fd00:1::/64 overlaps network 'web' (fd00:1::/64)"), or the route dump's -errno.
 */
int subnet6_check_conflicts(struct manager *m, const struct network_config *c, const char *self,
			    int own_ifindex, char *err, size_t errlen);

/*
 * When 'c' (finished) asks for "subnet6 = auto", replaces that with the first candidate of
 * network_subnet6_auto_candidate() that no other network (but 'self') and no host route
 * overlaps, and finishes 'c' again (gateway6). The chosen prefix is what the definition file
 * then records, so it stays the network's whatever routes appear later. Does nothing otherwise.
 * Returns 0, -EBUSY when 256 candidates all conflict, or -errno, with a reason in 'err'.
 */
int subnet6_resolve_auto(struct manager *m, struct network_config *c, const char *self,
			 char *err, size_t errlen);

#endif
