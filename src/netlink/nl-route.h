/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4 and IPv6 routes: dump, for the overlap check of new subnets against the host's routes;
 * and the IPv4 routes of one link in full, to move them to another (the uplink move of
 * daemon/lan/); the default route of a lab node's namespace.
 */
#ifndef KN_NETLINK_NL_ROUTE_H
#define KN_NETLINK_NL_ROUTE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "shared/in-addr-util.h"
#include "shared/in6-addr-util.h"

struct nl_sock;
struct nlmsghdr;

struct nl_route_info {
	uint8_t family;        /* AF_INET ('dst') or AF_INET6 ('dst6') */
	struct in_prefix dst;  /* 0.0.0.0/0 for a default route; AF_INET only */
	struct in6_prefix dst6; /* ::/0 for a default route; AF_INET6 only */
	int oif;               /* 0 if none (multipath, blackhole) */
	uint32_t table;        /* RTA_TABLE or rtm_table */
	uint8_t type;          /* RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, ... */
	uint8_t protocol;      /* RTPROT_KERNEL for connected routes, ... */
};

typedef int (*nl_route_fn)(const struct nl_route_info *r, void *data);
/*
 * Parses one RTM_NEWROUTE/RTM_DELROUTE message (a dump's or a notification's) into 'ret'.
 * Returns 1, 0 for a route that is neither IPv4 nor IPv6 ('ret' untouched), or -EBADMSG.
 */
int nl_route_parse(const struct nlmsghdr *nlh, struct nl_route_info *ret);
/* Calls 'cb' for every IPv4 route in every table. */
int nl_route_dump(struct nl_sock *s, nl_route_fn cb, void *data);
/* Sets (adds or replaces) the main table's IPv4 default route: via 'gateway' on link 'oif'. */
int nl_route_add_default(struct nl_sock *s, int oif, struct in_addr gateway);
/* Calls 'cb' for every route of 'family' (AF_INET or AF_INET6) in every table. */
int nl_route_dump_family(struct nl_sock *s, int family, nl_route_fn cb, void *data);

/*
 * One IPv4 route in full: what it takes to make the same route again, on its link or another.
 * 'base' is what nl_route_parse() reads; 'oif' in it is the link it goes out of.
 */
struct nl_route_spec {
	struct nl_route_info base;
	uint8_t scope;               /* rtm_scope */
	uint8_t tos;                 /* rtm_tos */
	uint32_t flags;              /* rtm_flags a user sets: RTNH_F_ONLINK */
	struct in_addr gateway;      /* RTA_GATEWAY, 0.0.0.0 if none */
	struct in_addr prefsrc;      /* RTA_PREFSRC, 0.0.0.0 if none */
	uint32_t priority;           /* RTA_PRIORITY (the metric) */
	uint16_t via_family;         /* RTA_VIA (RFC 5549: an IPv6 gateway), 0 if none */
	struct in6_addr via;
	uint16_t metrics_len;        /* RTA_METRICS, its attributes as the kernel sent them */
	uint8_t metrics[160];
	bool complex;                /* multipath, a nexthop object, an encapsulation or a realm:
				      * not something nl_route_add_spec() can make */
};

typedef int (*nl_route_spec_fn)(const struct nl_route_spec *r, void *data);
/*
 * Calls 'cb' for every IPv4 route (every table) whose nexthop goes out of link 'oif': one dump
 * the kernel filters (NETLINK_GET_STRICT_CHK with RTA_OIF), never the whole table.
 */
int nl_route_dump_oif(struct nl_sock *s, int oif, nl_route_spec_fn cb, void *data);
/* Makes route 'r' out of link 'oif' (NLM_F_CREATE|NLM_F_EXCL); -EEXIST if there is one. */
int nl_route_add_spec(struct nl_sock *s, const struct nl_route_spec *r, int oif);
/* Deletes route 'r' (out of r->base.oif); -ESRCH if there is none. */
int nl_route_del_spec(struct nl_sock *s, const struct nl_route_spec *r);

/*
 * Asks the kernel which route it would take to 'dst' (RTM_GETROUTE for one address, as 'ip route
 * get'): type RTN_LOCAL when 'dst' is an address of this host, else the output interface.
 * -ENETUNREACH (or the kernel's other -errno) when there is no route.
 */
int nl_route_get(struct nl_sock *s, struct in_addr dst, struct nl_route_info *ret);
/* Fills 'nlh' (from nl_msg_start()) as a dump of the 'family' routes through link 'oif' only, in
 * every table (filtered by the kernel on a strict-check socket). */
void nl_route_dump_request(struct nlmsghdr *nlh, int family, int oif);

#endif
