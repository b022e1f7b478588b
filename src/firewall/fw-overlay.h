/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What may cross a network's overlay (docs/OVERLAY.md), in an nftables table of its own,
 * 'bridge kvmnet_overlay', apart from the per-port policy of 'bridge kvmnet'. Pure rendering.
 *
 *   map ovl { type ifname : verdict; }            the VXLAN devices with rules
 *   chain ov_input (hook input)     iifname vmap @ovl   frames from the overlay to this host
 *   chain ov_forward (hook forward) iifname vmap @ovl, oifname vmap @ovl
 *   chain ov_output (hook output)   oifname vmap @ovl   frames this host sends into the overlay
 *   chain o_IFNAME                                one per VXLAN device, the same both ways:
 *     udp dport { 67, 68 } drop                   dhcp = local or no: DHCP stays on this host
 *     arp daddr ip GW drop, arp saddr ip GW drop  gateway = anycast: every host answers for the
 *     ether saddr MAC drop, ether daddr MAC drop  gateway itself, so its ARP and frames stay
 *
 * One lookup per frame whatever the number of networks; a network's change is one chain and one
 * map element.
 */
#ifndef KN_FIREWALL_FW_OVERLAY_H
#define KN_FIREWALL_FW_OVERLAY_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define FW_OVERLAY_TABLE_NAME "kvmnet_overlay"

struct fw_overlay {
	char ifname[IFNAMSIZ];      /* the VXLAN device */
	bool block_dhcp;            /* no DHCP message crosses it */
	bool anycast;               /* neither ARP for 'gateway' nor frames of 'gateway_mac' do */
	struct in_addr gateway;
	uint8_t gateway_mac[6];
};

/*
 * The script that installs the rules 'o' asks for (creating the table, map and base chains when
 * missing; idempotent), or removes the device's chain and element when it asks for none.
 * Returns 0, -ENOMEM, or -EINVAL for an ifname kvmnet would not accept; '*ret' is malloc'd.
 */
int fw_overlay_render(const struct fw_overlay *o, char **ret);

/* The script that removes the rules of VXLAN device 'ifname' (whether or not they exist). */
int fw_overlay_render_delete(const char *ifname, char **ret);

#endif
