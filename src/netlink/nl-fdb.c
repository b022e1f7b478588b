/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of nl-fdb.h. */
#include "netlink/nl-fdb.h"

#include <assert.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "netlink/nl-policy.h"
#include "netlink/nl-sock.h"

static const struct nl_policy fdb_policy[NDA_MAX + 1] = {
	[NDA_LLADDR] = { NL_POLICY_BINARY, 6 },
	[NDA_DST] = { NL_POLICY_BINARY, 0 },   /* 4 bytes for IPv4, 16 for IPv6 underlays */
};

static int fdb_flood(struct nl_sock *s, uint16_t type, uint16_t flags, int ifindex,
		     struct in_addr dst)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	static const uint8_t zero[6] = { 0 };
	struct nlmsghdr *nlh = nl_msg_start(buf);
	struct ndmsg *nd;

	assert(s);
	if (ifindex <= 0 || dst.s_addr == 0)
		return -EINVAL;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = AF_BRIDGE;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = NUD_PERMANENT | NUD_NOARP;
	nd->ndm_flags = NTF_SELF;
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(zero), zero);
	mnl_attr_put(nlh, NDA_DST, sizeof(dst), &dst);
	return nl_sock_transact(s, nlh, NULL, NULL);
}

int nl_fdb_flood_add(struct nl_sock *s, int ifindex, struct in_addr dst)
{
	/* without NLM_F_EXCL an existing entry for 'dst' is left as it is (vxlan_fdb_append) */
	return fdb_flood(s, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND, ifindex, dst);
}

int nl_fdb_flood_del(struct nl_sock *s, int ifindex, struct in_addr dst)
{
	return fdb_flood(s, RTM_DELNEIGH, 0, ifindex, dst);
}

struct fdb_dump {
	nl_fdb_fn cb;
	void *data;
	int ifindex;
};

static int fdb_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NDA_MAX + 1];
	struct fdb_dump *d = data;
	struct nl_fdb_entry e = { 0 };
	const struct ndmsg *nd;
	int r;

	if (nlh->nlmsg_type != RTM_NEWNEIGH)
		return 0;
	r = nl_policy_parse(nlh, sizeof(*nd), fdb_policy, NDA_MAX, tb);
	if (r < 0)
		return r;
	nd = mnl_nlmsg_get_payload(nlh);
	/* the bridge's entries for the port (NTF_MASTER) and other devices' are not ours */
	if (nd->ndm_family != AF_BRIDGE || nd->ndm_ifindex != d->ifindex ||
	    !(nd->ndm_flags & NTF_SELF) || !tb[NDA_LLADDR])
		return 0;
	memcpy(e.mac, mnl_attr_get_payload(tb[NDA_LLADDR]), sizeof(e.mac));
	if (tb[NDA_DST] && mnl_attr_get_payload_len(tb[NDA_DST]) == sizeof(e.dst)) {
		memcpy(&e.dst, mnl_attr_get_payload(tb[NDA_DST]), sizeof(e.dst));
		e.has_dst = true;
	}
	e.state = nd->ndm_state;
	e.flags = nd->ndm_flags;
	return d->cb(&e, d->data);
}

int nl_fdb_dump_dev(struct nl_sock *s, int ifindex, nl_fdb_fn cb, void *data)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct fdb_dump d = { .cb = cb, .data = data, .ifindex = ifindex };
	struct nlmsghdr *nlh = nl_msg_start(buf);
	struct ndmsg *nd;

	assert(s);
	assert(cb);
	if (ifindex <= 0)
		return -EINVAL;
	/*
	 * The socket is in strict mode (NETLINK_GET_STRICT_CHK): an ndmsg whose ndm_ifindex names
	 * the port makes the kernel (rtnl_fdb_dump) dump that device's entries only, as
	 * 'bridge fdb show dev X' does. (A kernel without strict checking sends every device's;
	 * the callback filters them.)
	 */
	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_DUMP;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = AF_BRIDGE;
	nd->ndm_ifindex = ifindex;
	return nl_sock_transact(s, nlh, fdb_dump_cb, &d);
}
