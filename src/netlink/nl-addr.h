/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4 addresses on links: add (with broadcast), delete, dump. rtnetlink RTM_*ADDR. */
#ifndef KN_NETLINK_NL_ADDR_H
#define KN_NETLINK_NL_ADDR_H

#include <netinet/in.h>
#include <stdint.h>

struct nl_sock;

struct nl_addr_info {
	int ifindex;
	struct in_addr addr;   /* IFA_LOCAL (or IFA_ADDRESS when absent) */
	uint8_t prefixlen;
};

/* Adds 'addr'/'prefixlen' with the subnet's broadcast; -EEXIST if it is already there. */
int nl_addr_add(struct nl_sock *s, int ifindex, struct in_addr addr, uint8_t prefixlen);
/* Deletes it; -EADDRNOTAVAIL if absent. */
int nl_addr_del(struct nl_sock *s, int ifindex, struct in_addr addr, uint8_t prefixlen);

typedef int (*nl_addr_fn)(const struct nl_addr_info *a, void *data);
/* Calls 'cb' for every IPv4 address, of link 'ifindex' only when it is non-zero. */
int nl_addr_dump(struct nl_sock *s, int ifindex, nl_addr_fn cb, void *data);

#endif
