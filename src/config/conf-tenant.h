/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A network's tenant ("tenant" key, issue 14): a name that groups networks. Networks of one
 * tenant reach each other through the host (routed, addresses kept); networks of two tenants,
 * or a tenant's and one without a tenant, never do, on any host. The firewall tells tenants
 * apart by the bridge's device group (network_tenant_id()), see fw-render.h.
 */
#ifndef KN_CONFIG_CONF_TENANT_H
#define KN_CONFIG_CONF_TENANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct network_config;

/* Longest tenant name: as a network's name, [a-z0-9][a-z0-9_-]{0,31}. */
#define NETWORK_TENANT_MAX 32

/*
 * Sets the tenant of 'c' from 'value' (a name as above). Returns 0, or -EINVAL with a one-line
 * reason in 'reterr' ('c' unchanged).
 */
int network_tenant_set(struct network_config *c, const char *value, char *reterr, size_t errlen);

/*
 * Checks the tenant of 'c' as a whole: a valid name (configs built in code), and a mode with a
 * bridge of kvmnet's own (nat, routed, isolated, open). 0 or -EINVAL with a reason.
 */
int network_tenant_finish(const struct network_config *c, char *reterr, size_t errlen);

/* The device group of links on their way out (netlink/nl-reaper.h's NL_REAPER_GROUP, "knrp"). */
#define NETWORK_TENANT_ID_RESERVED UINT32_C(0x6b6e7270)

/*
 * The tenant's id: the device group its bridges carry (IFLA_GROUP) and the firewall matches.
 * 0 for no tenant (the kernel's default group); otherwise 32-bit FNV-1a of the name, never 0
 * nor NETWORK_TENANT_ID_RESERVED (those become 1 and the reserved id + 1). Two names can share
 * an id: the daemon refuses the second (manager_check_conflicts()).
 */
uint32_t network_tenant_id(const char *tenant);

#endif
