/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Builds the firewall model of one network from its validated network_config: the few fields
 * the ruleset depends on, copied so fw-render never needs the whole configuration.
 */
#include "firewall/fw-model.h"

#include <string.h>

_Static_assert(sizeof(((struct fw_network *)0)->name) == sizeof(((struct network_config *)0)->name),
	       "name sizes differ");
_Static_assert(sizeof(((struct fw_network *)0)->bridge) ==
		       sizeof(((struct network_config *)0)->bridge),
	       "bridge sizes differ");
_Static_assert(sizeof(((struct fw_network *)0)->uplink) ==
		       sizeof(((struct network_config *)0)->uplink),
	       "uplink sizes differ");

void fw_network_from_config(const struct network_config *c, struct fw_network *ret)
{
	*ret = (struct fw_network){
		.mode = c->mode,
		.subnet = c->subnet,
		.gateway = c->gateway,
		.has_subnet6 = c->has_subnet6,
		.subnet6 = c->has_subnet6 ? c->subnet6 : (struct in6_prefix){ .prefixlen = 0 },
		.tenant = network_tenant_id(c->tenant),
	};
	ret->masquerade6 = network_config_masquerades6(c);
	memcpy(ret->name, c->name, sizeof(ret->name));
	memcpy(ret->bridge, c->bridge, sizeof(ret->bridge));
	memcpy(ret->uplink, c->uplink, sizeof(ret->uplink));
	/* Always NUL-terminated, even if 'c' was not. */
	ret->name[sizeof(ret->name) - 1] = '\0';
	ret->bridge[sizeof(ret->bridge) - 1] = '\0';
	ret->uplink[sizeof(ret->uplink) - 1] = '\0';
}
