/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4 routes over rtnetlink (RTM_GETROUTE): a dump of every table, so the daemon can refuse a
 * subnet that overlaps a route the host already has, and the parser the monitor shares for
 * RTM_NEWROUTE/RTM_DELROUTE notifications. Requests go through nl-sock.
 */
#include "netlink/nl-route.h"

#include <assert.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "netlink/nl-policy.h"
#include "netlink/nl-sock.h"

static const struct nl_policy nl_route_policy[RTA_MAX + 1] = {
	[RTA_DST] = { NL_POLICY_BINARY, sizeof(struct in_addr) },
	[RTA_OIF] = { NL_POLICY_U32, 0 },
	[RTA_TABLE] = { NL_POLICY_U32, 0 },
};

struct nl_route_dump {
	nl_route_fn cb;
	void *data;
};

int nl_route_parse(const struct nlmsghdr *nlh, struct nl_route_info *ret)
{
	const struct nlattr *tb[RTA_MAX + 1];
	struct nl_route_info route = { 0 };
	const struct rtmsg *rtm;
	int r;

	r = nl_policy_parse(nlh, sizeof(*rtm), nl_route_policy, RTA_MAX, tb);
	if (r < 0)
		return r;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET)
		return 0;
	if (rtm->rtm_dst_len > 32)
		return -EBADMSG;

	/* no RTA_DST: the default route, 0.0.0.0/0 */
	if (tb[RTA_DST])
		memcpy(&route.dst.addr, mnl_attr_get_payload(tb[RTA_DST]), sizeof(route.dst.addr));
	route.dst.prefixlen = rtm->rtm_dst_len;
	if (tb[RTA_OIF]) {
		uint32_t oif = mnl_attr_get_u32(tb[RTA_OIF]);

		if (oif > INT32_MAX)
			return -EBADMSG;
		route.oif = (int)oif;
	}
	/* rtm_table is 8 bits: tables above 255 only show up in RTA_TABLE (rtm_table then
	 * says RT_TABLE_COMPAT) */
	route.table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	route.type = rtm->rtm_type;
	route.protocol = rtm->rtm_protocol;
	*ret = route;
	return 1;
}

static int nl_route_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_route_dump *d = data;
	struct nl_route_info route;
	int r;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	r = nl_route_parse(nlh, &route);
	if (r <= 0)
		return r;
	return d->cb(&route, d->data);
}

int nl_route_dump(struct nl_sock *s, nl_route_fn cb, void *data)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nl_route_dump d = { .cb = cb, .data = data };
	struct nlmsghdr *nlh = nl_msg_start(buf);
	struct rtmsg *rtm;

	assert(s);
	assert(cb);

	/* rtm_table RT_TABLE_UNSPEC: every table, not only main */
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_UNSPEC;
	return nl_sock_transact(s, nlh, nl_route_dump_cb, &d);
}
