/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of nl-vxlan.h. */
#include "netlink/nl-vxlan.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "netlink/nl-link.h"
#include "netlink/nl-policy.h"
#include "netlink/nl-sock.h"

static const struct nl_policy vxlan_link_policy[IFLA_MAX + 1] = {
	[IFLA_LINKINFO] = { NL_POLICY_NESTED, 0 },
};

static const struct nl_policy vxlan_info_policy[IFLA_INFO_MAX + 1] = {
	[IFLA_INFO_KIND] = { NL_POLICY_STRING, 0 },
	[IFLA_INFO_DATA] = { NL_POLICY_NESTED, 0 },
};

static const struct nl_policy vxlan_data_policy[IFLA_VXLAN_MAX + 1] = {
	[IFLA_VXLAN_ID] = { NL_POLICY_U32, 0 },
	[IFLA_VXLAN_LOCAL] = { NL_POLICY_BINARY, sizeof(struct in_addr) },
	[IFLA_VXLAN_PORT] = { NL_POLICY_U16, 0 },
	[IFLA_VXLAN_LEARNING] = { NL_POLICY_U8, 0 },
};

int nl_vxlan_create(struct nl_sock *s, const char *name, const struct nl_vxlan_info *v,
		    uint32_t mtu, int *ret_ifindex)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlattr *linkinfo, *data;
	struct nl_link_info link;
	struct nlmsghdr *nlh = nl_msg_start(buf);
	struct ifinfomsg *ifi;
	int r;

	assert(s);
	assert(v);

	if (!name || !name[0] || strlen(name) >= IFNAMSIZ || v->vni == 0 || v->vni > 0xffffff)
		return -EINVAL;
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu > 0)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vxlan");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, v->vni);
	if (v->local.s_addr)
		mnl_attr_put(nlh, IFLA_VXLAN_LOCAL, sizeof(v->local), &v->local);
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(v->port));
	mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, v->learning ? 1 : 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);

	r = nl_sock_transact(s, nlh, NULL, NULL);
	if (r < 0 || !ret_ifindex)
		return r;
	r = nl_link_get_by_name(s, name, &link);
	if (r < 0)
		return r;
	*ret_ifindex = link.ifindex;
	return 0;
}

struct vxlan_get {
	struct nl_vxlan_info info;
	bool found, is_vxlan;
};

static int vxlan_get_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1], *vx[IFLA_VXLAN_MAX + 1];
	struct vxlan_get *g = data;
	int r;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	r = nl_policy_parse(nlh, sizeof(struct ifinfomsg), vxlan_link_policy, IFLA_MAX, tb);
	if (r < 0)
		return r;
	g->found = true;
	if (!tb[IFLA_LINKINFO])
		return 0;
	r = nl_policy_parse_nested(tb[IFLA_LINKINFO], vxlan_info_policy, IFLA_INFO_MAX, info);
	if (r < 0)
		return r;
	if (!info[IFLA_INFO_KIND] || strcmp(mnl_attr_get_str(info[IFLA_INFO_KIND]), "vxlan") != 0 ||
	    !info[IFLA_INFO_DATA])
		return 0;
	r = nl_policy_parse_nested(info[IFLA_INFO_DATA], vxlan_data_policy, IFLA_VXLAN_MAX, vx);
	if (r < 0)
		return r;
	g->is_vxlan = true;
	if (vx[IFLA_VXLAN_ID])
		g->info.vni = mnl_attr_get_u32(vx[IFLA_VXLAN_ID]);
	if (vx[IFLA_VXLAN_LOCAL])
		memcpy(&g->info.local, mnl_attr_get_payload(vx[IFLA_VXLAN_LOCAL]),
		       sizeof(g->info.local));
	if (vx[IFLA_VXLAN_PORT])
		g->info.port = ntohs(mnl_attr_get_u16(vx[IFLA_VXLAN_PORT]));
	if (vx[IFLA_VXLAN_LEARNING])
		g->info.learning = mnl_attr_get_u8(vx[IFLA_VXLAN_LEARNING]) != 0;
	return 0;
}

int nl_vxlan_get(struct nl_sock *s, int ifindex, struct nl_vxlan_info *ret)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(buf);
	struct vxlan_get g = { 0 };
	struct ifinfomsg *ifi;
	int r;

	assert(s);
	assert(ret);

	if (ifindex <= 0)
		return -EINVAL;
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = 0;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	r = nl_sock_transact(s, nlh, vxlan_get_cb, &g);
	if (r < 0)
		return r;
	if (!g.found)
		return -EPROTO;
	if (!g.is_vxlan)
		return -EMEDIUMTYPE;
	*ret = g.info;
	return 0;
}
