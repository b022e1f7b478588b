/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4 routes: dump, for the overlap check of new subnets against the host's routes. */
#ifndef KN_NETLINK_NL_ROUTE_H
#define KN_NETLINK_NL_ROUTE_H

#include <netinet/in.h>
#include <stdint.h>

#include "shared/in-addr-util.h"

struct nl_sock;
struct nlmsghdr;

struct nl_route_info {
	struct in_prefix dst;  /* 0.0.0.0/0 for a default route */
	int oif;               /* 0 if none (multipath, blackhole) */
	uint32_t table;        /* RTA_TABLE or rtm_table */
	uint8_t type;          /* RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, ... */
	uint8_t protocol;      /* RTPROT_KERNEL for connected routes, ... */
};

typedef int (*nl_route_fn)(const struct nl_route_info *r, void *data);
/*
 * Parses one RTM_NEWROUTE/RTM_DELROUTE message (a dump's or a notification's) into 'ret'.
 * Returns 1, 0 for a route that is not IPv4 ('ret' untouched), or -EBADMSG.
 */
int nl_route_parse(const struct nlmsghdr *nlh, struct nl_route_info *ret);
/* Calls 'cb' for every IPv4 route in every table. */
int nl_route_dump(struct nl_sock *s, nl_route_fn cb, void *data);

#endif
