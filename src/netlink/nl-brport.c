/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of nl-brport.h. */
#include "netlink/nl-brport.h"

#include <assert.h>
#include <errno.h>
#include <sys/socket.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "netlink/nl-sock.h"

int nl_brport_set_flags(struct nl_sock *s, int ifindex, bool learning, bool neigh_suppress)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(buf);
	struct ifinfomsg *ifi;
	struct nlattr *nest;

	assert(s);
	if (ifindex <= 0)
		return -EINVAL;
	nlh->nlmsg_type = RTM_SETLINK;
	nlh->nlmsg_flags = 0;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	/* AF_BRIDGE: the bridge's port (br_setlink), not the device itself */
	ifi->ifi_family = AF_BRIDGE;
	ifi->ifi_index = ifindex;
	/* without NLA_F_NESTED br_setlink() takes IFLA_PROTINFO for the old one-byte port state */
	nest = mnl_attr_nest_start(nlh, IFLA_PROTINFO | NLA_F_NESTED);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_LEARNING, learning ? 1 : 0);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_NEIGH_SUPPRESS, neigh_suppress ? 1 : 0);
	mnl_attr_nest_end(nlh, nest);
	return nl_sock_transact(s, nlh, NULL, NULL);
}
