/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's checks for tenants (config/conf-tenant.h): two tenant names never share an id
 * (the bridges' device group the firewall tells tenants by), and two tenants may use the same
 * subnet on one host only where this host routes for at most one of them. The host has one
 * routing table for kvmnet's bridges (kvmnet makes no VRF devices), so two bridges of one subnet
 * that both carry the gateway would make the host's routes to that subnet ambiguous: refused.
 * manager_check_conflicts() calls these per pair of networks.
 */
#ifndef KN_DAEMON_TENANT_TENANT_H
#define KN_DAEMON_TENANT_TENANT_H

#include <stdbool.h>
#include <stddef.h>

struct network_config;

/*
 * Refuses 'c' when other network 'o' has another tenant with the same id: -EEXIST and a
 * one-line reason in 'err'. 0 otherwise.
 */
int tenant_check_conflict(const struct network_config *c, const struct network_config *o,
			  char *err, size_t errlen);

/*
 * Whether the subnets of 'c' and 'o' may overlap on this host: both have a tenant, not the same
 * one, and at most one of them has its gateway here (the others 'gateway = remote': a layer-2
 * extension of a network another host routes for). When they may not although both have a
 * tenant, the reason is written to 'err' (a suffix for the overlap message); 'err' is emptied
 * otherwise.
 */
bool tenant_subnets_may_overlap(const struct network_config *c, const struct network_config *o,
				char *err, size_t errlen);

/*
 * Whether the host's routes are no conflict for 'c': it has a tenant and no gateway on this host
 * (nothing of its subnet is routed here, so the same subnet may be another tenant's route).
 */
bool tenant_skips_route_check(const struct network_config *c);

#endif
