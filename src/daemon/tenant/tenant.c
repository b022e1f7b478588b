/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of tenant.h: pure checks on two definitions, no I/O. */
#include "daemon/tenant/tenant.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/conf-network.h"
#include "netlink/nl-reaper.h"

/* a tenant's bridge must never look like a link the reaper is deleting */
_Static_assert(NETWORK_TENANT_ID_RESERVED == NL_REAPER_GROUP, "tenant ids avoid the reaper's group");

int tenant_check_conflict(const struct network_config *c, const struct network_config *o,
			  char *err, size_t errlen)
{
	if (!c->tenant[0] || !o->tenant[0] || strcmp(c->tenant, o->tenant) == 0 ||
	    network_tenant_id(c->tenant) != network_tenant_id(o->tenant))
		return 0;
	snprintf(err, errlen, "tenant '%s' has the same id as tenant '%s' of network '%s' "
		 "(a 32-bit hash of the name): choose another name", c->tenant, o->tenant, o->name);
	return -EEXIST;
}

bool tenant_subnets_may_overlap(const struct network_config *c, const struct network_config *o,
				char *err, size_t errlen)
{
	if (errlen)
		err[0] = '\0';
	if (!c->tenant[0] || !o->tenant[0] || strcmp(c->tenant, o->tenant) == 0)
		return false;
	if (!network_overlay_has_gateway(&c->overlay) || !network_overlay_has_gateway(&o->overlay))
		return true;
	snprintf(err, errlen, " of tenant '%s': two tenants share a subnet on one host only where "
		 "all but one have their gateway on another host (gateway = remote); kvmnet makes "
		 "no VRFs", o->tenant);
	return false;
}

bool tenant_skips_route_check(const struct network_config *c)
{
	return c->tenant[0] && !network_overlay_has_gateway(&c->overlay);
}
