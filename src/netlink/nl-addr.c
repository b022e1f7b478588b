/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4 addresses on links over rtnetlink (RTM_*ADDR): the gateway address a network's bridge
 * carries, with its subnet broadcast, and the dump the daemon reconciles against. Requests go
 * through nl-sock.
 */
#include "netlink/nl-addr.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "netlink/nl-policy.h"
#include "netlink/nl-sock.h"

#ifndef IFA_RT_PRIORITY
#define IFA_RT_PRIORITY 9 /* Linux 4.18 */
#endif
#if IFA_MAX < IFA_RT_PRIORITY
#define NL_ADDR_ATTR_MAX IFA_RT_PRIORITY
#else
#define NL_ADDR_ATTR_MAX IFA_MAX
#endif

static const struct nl_policy nl_addr_policy[NL_ADDR_ATTR_MAX + 1] = {
	[IFA_ADDRESS] = { NL_POLICY_BINARY, sizeof(struct in_addr) },
	[IFA_LOCAL] = { NL_POLICY_BINARY, sizeof(struct in_addr) },
	[IFA_BROADCAST] = { NL_POLICY_BINARY, sizeof(struct in_addr) },
	[IFA_LABEL] = { NL_POLICY_STRING, IFNAMSIZ },
	[IFA_CACHEINFO] = { NL_POLICY_BINARY, sizeof(struct ifa_cacheinfo) },
	[IFA_FLAGS] = { NL_POLICY_U32, 0 },
	[IFA_RT_PRIORITY] = { NL_POLICY_U32, 0 },
};

/* The flags of an address its owner chose; the others the kernel derives (secondary, permanent). */
#define NL_ADDR_USER_FLAGS (IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN)

/* Starts a RTM_*ADDR request in 'buf' (NL_SOCK_BUFSIZE bytes) for 'addr'/'prefixlen'. */
static struct nlmsghdr *nl_addr_request(void *buf, uint16_t type, uint16_t flags, int ifindex,
					struct in_addr addr, uint8_t prefixlen)
{
	struct nlmsghdr *nlh = nl_msg_start(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	/* IFA_LOCAL is the interface's own address; IFA_ADDRESS the peer's, which on a
	 * broadcast link is the same */
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr), &addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	return nlh;
}

int nl_addr_add(struct nl_sock *s, int ifindex, struct in_addr addr, uint8_t prefixlen)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlmsghdr *nlh;

	assert(s);

	if (ifindex <= 0 || prefixlen > 32)
		return -EINVAL;

	nlh = nl_addr_request(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, addr,
			      prefixlen);
	/* /31 (RFC 3021) and /32 have no broadcast address */
	if (prefixlen < 31) {
		uint32_t hostmask = prefixlen == 0 ? UINT32_MAX : UINT32_MAX >> prefixlen;
		struct in_addr brd = { .s_addr = addr.s_addr | htonl(hostmask) };

		mnl_attr_put(nlh, IFA_BROADCAST, sizeof(brd), &brd);
	}
	return nl_sock_transact(s, nlh, NULL, NULL);
}

int nl_addr_del(struct nl_sock *s, int ifindex, struct in_addr addr, uint8_t prefixlen)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlmsghdr *nlh;

	assert(s);

	if (ifindex <= 0 || prefixlen > 32)
		return -EINVAL;

	nlh = nl_addr_request(buf, RTM_DELADDR, 0, ifindex, addr, prefixlen);
	return nl_sock_transact(s, nlh, NULL, NULL);
}

int nl_addr_add_info(struct nl_sock *s, int ifindex, const struct nl_addr_info *a,
		     const char *label)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct ifa_cacheinfo ci = { .ifa_prefered = a->preferred_sec, .ifa_valid = a->valid_sec };
	struct nlmsghdr *nlh = nl_msg_start(buf);
	struct ifaddrmsg *ifa;

	assert(s);
	assert(a);

	if (ifindex <= 0 || a->prefixlen > 32 || (label && strlen(label) >= IFNAMSIZ))
		return -EINVAL;
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = a->prefixlen;
	ifa->ifa_scope = a->scope;
	ifa->ifa_index = (uint32_t)ifindex;
	ifa->ifa_flags = (uint8_t)(a->flags & NL_ADDR_USER_FLAGS & 0xff);
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(a->addr), &a->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(a->peer), a->peer.s_addr ? &a->peer : &a->addr);
	if (a->broadcast.s_addr)
		mnl_attr_put(nlh, IFA_BROADCAST, sizeof(a->broadcast), &a->broadcast);
	if (label && label[0])
		mnl_attr_put_strz(nlh, IFA_LABEL, label);
	mnl_attr_put_u32(nlh, IFA_FLAGS, a->flags & NL_ADDR_USER_FLAGS);
	if (a->rt_priority)
		mnl_attr_put_u32(nlh, IFA_RT_PRIORITY, a->rt_priority);
	/* lifetimes of 0 would make an address already expired: a dump says UINT32_MAX */
	if (ci.ifa_valid && ci.ifa_prefered)
		mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
	return nl_sock_transact(s, nlh, NULL, NULL);
}

struct nl_addr_dump {
	int ifindex;
	nl_addr_fn cb;
	void *data;
};

static int nl_addr_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NL_ADDR_ATTR_MAX + 1], *attr;
	struct nl_addr_dump *d = data;
	const struct ifaddrmsg *ifa;
	struct nl_addr_info a = { 0 };
	int r;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return 0;
	r = nl_policy_parse(nlh, sizeof(*ifa), nl_addr_policy, NL_ADDR_ATTR_MAX, tb);
	if (r < 0)
		return r;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET)
		return 0;
	if (ifa->ifa_prefixlen > 32 || ifa->ifa_index == 0 || ifa->ifa_index > INT32_MAX)
		return -EBADMSG;
	if (d->ifindex > 0 && ifa->ifa_index != (uint32_t)d->ifindex)
		return 0;

	attr = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!attr)
		return -EBADMSG;
	a.ifindex = (int)ifa->ifa_index;
	memcpy(&a.addr, mnl_attr_get_payload(attr), sizeof(a.addr));
	a.prefixlen = ifa->ifa_prefixlen;
	a.peer = a.addr;
	if (tb[IFA_ADDRESS])
		memcpy(&a.peer, mnl_attr_get_payload(tb[IFA_ADDRESS]), sizeof(a.peer));
	if (tb[IFA_BROADCAST])
		memcpy(&a.broadcast, mnl_attr_get_payload(tb[IFA_BROADCAST]), sizeof(a.broadcast));
	a.scope = ifa->ifa_scope;
	a.flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	a.rt_priority = tb[IFA_RT_PRIORITY] ? mnl_attr_get_u32(tb[IFA_RT_PRIORITY]) : 0;
	a.valid_sec = a.preferred_sec = UINT32_MAX;
	if (tb[IFA_CACHEINFO]) {
		struct ifa_cacheinfo ci;

		memcpy(&ci, mnl_attr_get_payload(tb[IFA_CACHEINFO]), sizeof(ci));
		a.valid_sec = ci.ifa_valid;
		a.preferred_sec = ci.ifa_prefered;
	}
	if (tb[IFA_LABEL])
		snprintf(a.label, sizeof(a.label), "%s", mnl_attr_get_str(tb[IFA_LABEL]));
	return d->cb(&a, d->data);
}

int nl_addr_dump(struct nl_sock *s, int ifindex, nl_addr_fn cb, void *data)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nl_addr_dump d = { .ifindex = ifindex, .cb = cb, .data = data };
	struct nlmsghdr *nlh = nl_msg_start(buf);

	assert(s);
	assert(cb);

	if (ifindex < 0)
		return -EINVAL;

	/* The kernel filters by link (the socket is in strict mode, NETLINK_GET_STRICT_CHK, Linux
	 * >= 4.20); the callback filters again for older kernels. */
	nl_addr_dump_request(nlh, AF_INET, ifindex);
	return nl_sock_transact(s, nlh, nl_addr_dump_cb, &d);
}

void nl_addr_dump_request(struct nlmsghdr *nlh, int family, int ifindex)
{
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_index = (uint32_t)ifindex;
}
