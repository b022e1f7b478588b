/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv6 addresses and routes of one link, read in full (dumps the kernel filters to the link),
 * made again on another link and deleted: what the uplink move of daemon/lan/ needs to carry a
 * NIC's static IPv6 configuration onto the bridge it builds around it, and back. rtnetlink
 * RTM_*ADDR and RTM_*ROUTE, AF_INET6; the IPv4 counterparts are nl-addr and nl-route.
 */
#ifndef KN_NETLINK_NL_INET6_H
#define KN_NETLINK_NL_INET6_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct nl_sock;

struct nl_addr6_info {
	int ifindex;
	struct in6_addr addr;
	uint8_t prefixlen;
	uint8_t scope;            /* ifa_scope: RT_SCOPE_UNIVERSE for global addresses */
	uint32_t flags;           /* IFA_FLAGS: IFA_F_PERMANENT (set by hand), IFA_F_TEMPORARY... */
	uint32_t rt_priority;     /* IFA_RT_PRIORITY: metric of its prefix route, 0 if none */
	uint32_t valid_sec;       /* IFA_CACHEINFO lifetimes left; UINT32_MAX = forever */
	uint32_t preferred_sec;
};

typedef int (*nl_addr6_fn)(const struct nl_addr6_info *a, void *data);
/* Calls 'cb' for every IPv6 address of link 'ifindex' (> 0). */
int nl_addr6_dump(struct nl_sock *s, int ifindex, nl_addr6_fn cb, void *data);
/*
 * Adds 'a' to link 'ifindex' with its flags a user sets (IFA_F_NODAD, IFA_F_NOPREFIXROUTE,
 * IFA_F_MANAGETEMPADDR), plus 'extra_flags', its metric and lifetimes. -EEXIST if present.
 */
int nl_addr6_add(struct nl_sock *s, int ifindex, const struct nl_addr6_info *a,
		 uint32_t extra_flags);
/* Deletes it from link 'ifindex'; -EADDRNOTAVAIL if absent. */
int nl_addr6_del(struct nl_sock *s, int ifindex, const struct nl_addr6_info *a);

struct nl_route6_spec {
	struct in6_addr dst;
	uint8_t dst_len;
	int oif;
	uint32_t table;
	uint8_t type;             /* RTN_UNICAST, ... */
	uint8_t protocol;         /* RTPROT_KERNEL, RTPROT_RA, RTPROT_STATIC, ... */
	uint8_t scope;
	uint32_t flags;           /* rtm_flags a user sets: RTNH_F_ONLINK */
	struct in6_addr gateway;  /* :: if none */
	struct in6_addr prefsrc;  /* :: if none */
	uint32_t priority;        /* RTA_PRIORITY, the metric */
	uint8_t pref;             /* RTA_PREF (RFC 4191), 0 = medium */
	bool has_pref;
	uint16_t metrics_len;     /* RTA_METRICS as the kernel sent them */
	uint8_t metrics[160];
	bool complex;             /* multipath, nexthop object, encapsulation, source-specific
				   * (RTA_SRC) or expiring: not something nl_route6_add() makes */
};

typedef int (*nl_route6_fn)(const struct nl_route6_spec *r, void *data);
/* Calls 'cb' for every IPv6 route (every table) going out of link 'oif' (filtered by the kernel). */
int nl_route6_dump_oif(struct nl_sock *s, int oif, nl_route6_fn cb, void *data);
/* Makes route 'r' out of link 'oif' (NLM_F_CREATE|NLM_F_EXCL); -EEXIST if there is one. */
int nl_route6_add(struct nl_sock *s, const struct nl_route6_spec *r, int oif);
/* Deletes route 'r' out of link 'oif'; -ESRCH if there is none. */
int nl_route6_del(struct nl_sock *s, const struct nl_route6_spec *r, int oif);

#endif
