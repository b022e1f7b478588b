/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bridge port flags (RTM_SETLINK, family AF_BRIDGE, IFLA_PROTINFO), as 'bridge link set dev X
 * learning off neigh_suppress on' sets them: what an EVPN overlay's VXLAN port needs, where the
 * control plane (FRR's zebra) installs the remote MACs and answers ARP/ND from them.
 */
#ifndef KN_NETLINK_NL_BRPORT_H
#define KN_NETLINK_NL_BRPORT_H

#include <stdbool.h>

struct nl_sock;

/*
 * Sets bridge port 'ifindex''s learning (IFLA_BRPORT_LEARNING) to 'learning' and its ARP/ND
 * suppression (IFLA_BRPORT_NEIGH_SUPPRESS) to 'neigh_suppress', in one request. -EOPNOTSUPP
 * (or the kernel's -EINVAL) when the kernel lacks neigh_suppress; -ENODEV without the link.
 * Blocks for the kernel's ACK.
 */
int nl_brport_set_flags(struct nl_sock *s, int ifindex, bool learning, bool neigh_suppress);

#endif
