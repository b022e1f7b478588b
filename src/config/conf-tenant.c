/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of conf-tenant.h. */
#include "config/conf-tenant.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/conf-network-internal.h"
#include "config/conf-network.h"

_Static_assert(sizeof(((struct network_config *)0)->tenant) == NETWORK_TENANT_MAX + 1,
	       "tenant size");

int network_tenant_set(struct network_config *c, const char *value, char *reterr, size_t errlen)
{
	char v[CONF_SHOW_BUF];

	/* the same rule as network names: it goes into messages, files and JSON unquoted */
	if (!network_name_is_valid(value))
		return conf_fail(reterr, errlen, "invalid tenant '%s': must match "
				 "[a-z0-9][a-z0-9_-]{0,31}", conf_show(value, v));
	snprintf(c->tenant, sizeof(c->tenant), "%s", value);
	return 0;
}

int network_tenant_finish(const struct network_config *c, char *reterr, size_t errlen)
{
	const char *mode = network_mode_to_string(c->mode);

	if (c->tenant[0] == '\0')
		return 0;
	if (strnlen(c->tenant, sizeof(c->tenant)) == sizeof(c->tenant) ||
	    !network_name_is_valid(c->tenant))
		return conf_fail(reterr, errlen, "invalid tenant: must match [a-z0-9][a-z0-9_-]{0,31}");
	if (c->mode != NETWORK_MODE_NAT && c->mode != NETWORK_MODE_ROUTED &&
	    c->mode != NETWORK_MODE_ISOLATED && c->mode != NETWORK_MODE_OPEN)
		return conf_fail(reterr, errlen, "mode %s cannot belong to a tenant (nat, routed, "
				 "isolated and open can: their bridge is kvmnet's)", mode ? mode : "?");
	return 0;
}

uint32_t network_tenant_id(const char *tenant)
{
	uint32_t h = UINT32_C(2166136261);

	if (!tenant || !tenant[0])
		return 0;
	for (const char *p = tenant; *p; p++) {
		h ^= (unsigned char)*p;
		h *= UINT32_C(16777619);
	}
	if (h == NETWORK_TENANT_ID_RESERVED)
		return h + 1;
	return h ? h : 1;
}
