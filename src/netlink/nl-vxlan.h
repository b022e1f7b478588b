/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VXLAN devices (RTM_NEWLINK kind "vxlan"): made for a network's overlay and read back, so that a
 * restarted daemon can tell whether the device it finds is the one its definition asks for.
 */
#ifndef KN_NETLINK_NL_VXLAN_H
#define KN_NETLINK_NL_VXLAN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct nl_sock;

struct nl_vxlan_info {
	uint32_t vni;          /* IFLA_VXLAN_ID */
	struct in_addr local;  /* IFLA_VXLAN_LOCAL; 0 = none */
	uint16_t port;         /* IFLA_VXLAN_PORT, host order */
	bool learning;         /* IFLA_VXLAN_LEARNING */
	bool neigh_suppress;   /* the bridge port flag (ARP/ND suppression); read-only here */
};

/*
 * Creates VXLAN device 'name' (NLM_F_CREATE|NLM_F_EXCL) for VNI 'v->vni' with source
 * 'v->local' (0 = none), UDP port 'v->port', learning as 'v->learning', MTU 'mtu' (0 = the
 * kernel's), left down. -EEXIST if a link of that name exists (or the kernel has a device for
 * the same VNI, port and source). Writes the new ifindex to 'ret_ifindex' (may be NULL).
 */
int nl_vxlan_create(struct nl_sock *s, const char *name, const struct nl_vxlan_info *v,
		    uint32_t mtu, int *ret_ifindex);

/*
 * Reads the VXLAN parameters of link 'ifindex'. -ENODEV if there is no such link, -EMEDIUMTYPE
 * if it is not a VXLAN device.
 */
int nl_vxlan_get(struct nl_sock *s, int ifindex, struct nl_vxlan_info *ret);

#endif
