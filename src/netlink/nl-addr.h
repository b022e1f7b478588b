/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4 addresses on links: add (with broadcast), delete, dump, and re-create one as a dump
 * reported it (on the same or another link: the uplink move of daemon/lan/). rtnetlink RTM_*ADDR.
 */
#ifndef KN_NETLINK_NL_ADDR_H
#define KN_NETLINK_NL_ADDR_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>

struct nlmsghdr;

struct nl_sock;

struct nl_addr_info {
	int ifindex;
	struct in_addr addr;   /* IFA_LOCAL (or IFA_ADDRESS when absent) */
	uint8_t prefixlen;
	/* the rest is what nl_addr_add_info() needs to make the same address again */
	struct in_addr peer;       /* IFA_ADDRESS: the same as 'addr' unless point-to-point */
	struct in_addr broadcast;  /* IFA_BROADCAST, 0.0.0.0 if none */
	uint8_t scope;             /* ifa_scope */
	uint32_t flags;            /* IFA_FLAGS (else ifa_flags): IFA_F_NOPREFIXROUTE, ... */
	uint32_t rt_priority;      /* IFA_RT_PRIORITY: metric of its prefix route, 0 if none */
	uint32_t valid_sec;        /* IFA_CACHEINFO lifetimes left; UINT32_MAX = forever */
	uint32_t preferred_sec;
	char label[IFNAMSIZ];      /* IFA_LABEL ("eth0:1" aliases), "" if none */
};

/* Adds 'addr'/'prefixlen' with the subnet's broadcast; -EEXIST if it is already there. */
int nl_addr_add(struct nl_sock *s, int ifindex, struct in_addr addr, uint8_t prefixlen);
/* Deletes it; -EADDRNOTAVAIL if absent. */
int nl_addr_del(struct nl_sock *s, int ifindex, struct in_addr addr, uint8_t prefixlen);

/*
 * Adds address 'a' (as nl_addr_dump() filled it, its ifindex ignored) to link 'ifindex', with
 * its peer, broadcast, scope, the flags a user can set (IFA_F_NOPREFIXROUTE, IFA_F_MCAUTOJOIN),
 * prefix-route metric and remaining lifetimes, labelled 'label' ("" or NULL: none, the link's
 * name). -EEXIST if it is there already. Blocks for the ACK.
 */
int nl_addr_add_info(struct nl_sock *s, int ifindex, const struct nl_addr_info *a,
		     const char *label);

typedef int (*nl_addr_fn)(const struct nl_addr_info *a, void *data);
/* Calls 'cb' for every IPv4 address, of link 'ifindex' only when it is non-zero. */
int nl_addr_dump(struct nl_sock *s, int ifindex, nl_addr_fn cb, void *data);

/* Fills 'nlh' (from nl_msg_start()) as a dump of the 'family' addresses of link 'ifindex' only
 * (filtered by the kernel on a strict-check socket). */
void nl_addr_dump_request(struct nlmsghdr *nlh, int family, int ifindex);

#endif
