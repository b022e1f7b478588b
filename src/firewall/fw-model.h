/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firewall's pure data model: what one network needs from nftables, built from its
 * network_config. fw-render turns it into nft text; fw-apply loads that text. No I/O here.
 */
#ifndef KN_FIREWALL_FW_MODEL_H
#define KN_FIREWALL_FW_MODEL_H

#include <net/if.h>
#include <stdint.h>

#include "config/conf-network.h"
#include "shared/in6-addr-util.h"

/* The one nftables table kvmnet owns (family inet); nothing else is ever touched. */
#define FW_TABLE_NAME "kvmnet"

struct fw_network {
	char name[NETWORK_NAME_MAX + 1];
	enum network_mode mode;
	char bridge[IFNAMSIZ];
	char uplink[IFNAMSIZ];     /* "" = masquerade/forward via any interface */
	struct in_prefix subnet;
	struct in_addr gateway;
	bool has_subnet6;          /* dual-stack: 'subnet6' (a /64) is the network's IPv6 prefix */
	struct in6_prefix subnet6;
	bool masquerade6;          /* mode nat: IPv6 from subnet6 is masqueraded (NAT66); else
				    * routed (network_config_masquerades6()) */
	uint32_t tenant;           /* network_tenant_id(): its bridge's device group; 0 = none */
};

/* Fills 'ret' from a validated 'c'. */
void fw_network_from_config(const struct network_config *c, struct fw_network *ret);

#endif
