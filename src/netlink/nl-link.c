/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Links over rtnetlink (RTM_*LINK): reading one or all of them into struct nl_link_info, creating
 * bridges and changing MTU, state and master. Requests go through nl-sock; nl-monitor reuses
 * nl_link_parse() for notifications.
 */
#include "netlink/nl-link.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <libmnl/libmnl.h>

#include "netlink/nl-policy.h"
#include "netlink/nl-sock.h"

/* linux/if.h has it, but clashes with <net/if.h>, which nl-link.h needs */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

static const struct nl_policy nl_link_policy[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = { NL_POLICY_STRING, IFNAMSIZ },
	[IFLA_MTU] = { NL_POLICY_U32, 0 },
	[IFLA_MASTER] = { NL_POLICY_U32, 0 },
	[IFLA_GROUP] = { NL_POLICY_U32, 0 },
	[IFLA_LINK] = { NL_POLICY_U32, 0 },
	[IFLA_ADDRESS] = { NL_POLICY_BINARY, 0 },  /* 6 bytes for Ethernet, other sizes elsewhere */
	[IFLA_LINKINFO] = { NL_POLICY_NESTED, 0 },
	[IFLA_STATS64] = { NL_POLICY_BINARY, 0 },  /* older kernels send a shorter struct */
};

static const struct nl_policy nl_link_info_policy[IFLA_INFO_MAX + 1] = {
	[IFLA_INFO_KIND] = { NL_POLICY_STRING, 0 },
	[IFLA_INFO_DATA] = { NL_POLICY_NESTED, 0 },
};

static bool nl_link_name_fits(const char *name)
{
	return name && name[0] && strlen(name) < IFNAMSIZ;
}

int nl_link_parse(const struct nlmsghdr *nlh, struct nl_link_info *ret)
{
	const struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	const struct ifinfomsg *ifi;
	struct nl_link_info link = { 0 };
	int r;

	assert(nlh);
	assert(ret);

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -EPROTO;
	r = nl_policy_parse(nlh, sizeof(*ifi), nl_link_policy, IFLA_MAX, tb);
	if (r < 0)
		return r;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (ifi->ifi_index <= 0)
		return -EBADMSG;

	link.ifindex = ifi->ifi_index;
	link.up = ifi->ifi_flags & IFF_UP;
	link.carrier = ifi->ifi_flags & IFF_LOWER_UP;
	if (tb[IFLA_IFNAME])
		strcpy(link.name, mnl_attr_get_str(tb[IFLA_IFNAME])); /* policy: < IFNAMSIZ */
	if (tb[IFLA_MTU])
		link.mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_GROUP])
		link.group = mnl_attr_get_u32(tb[IFLA_GROUP]);
	if (tb[IFLA_MASTER]) {
		uint32_t master = mnl_attr_get_u32(tb[IFLA_MASTER]);

		if (master > INT_MAX)
			return -EBADMSG;
		link.master = (int)master;
	}
	if (tb[IFLA_LINK]) {
		uint32_t lower = mnl_attr_get_u32(tb[IFLA_LINK]);

		link.lower = lower > INT_MAX ? 0 : (int)lower;
	}
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == sizeof(link.mac))
		memcpy(link.mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), sizeof(link.mac));

	if (tb[IFLA_STATS64]) {
		struct rtnl_link_stats64 st = { 0 };
		size_t n = mnl_attr_get_payload_len(tb[IFLA_STATS64]);

		memcpy(&st, mnl_attr_get_payload(tb[IFLA_STATS64]), n < sizeof(st) ? n : sizeof(st));
		link.rx_packets = st.rx_packets;
		link.tx_packets = st.tx_packets;
		link.rx_bytes = st.rx_bytes;
		link.tx_bytes = st.tx_bytes;
		link.rx_dropped = st.rx_dropped;
		link.tx_dropped = st.tx_dropped;
	}

	if (tb[IFLA_LINKINFO]) {
		r = nl_policy_parse_nested(tb[IFLA_LINKINFO], nl_link_info_policy, IFLA_INFO_MAX,
					   info);
		if (r < 0)
			return r;
		/* every kind the kernel has is shorter than 'kind'; a longer one is cut short
		 * rather than failing a whole dump over it */
		if (info[IFLA_INFO_KIND])
			snprintf(link.kind, sizeof(link.kind), "%s",
				 mnl_attr_get_str(info[IFLA_INFO_KIND]));
	}

	*ret = link;
	return 0;
}

/* Starts a RTM_*LINK request in 'buf' (NL_SOCK_BUFSIZE bytes) about link 'ifindex'. */
static struct nlmsghdr *nl_link_request(void *buf, uint16_t type, uint16_t flags, int ifindex)
{
	struct nlmsghdr *nlh = nl_msg_start(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

/*
 * Sends the RTM_NEWLINK 'nlh' that creates link 'name' and, when 'ret_ifindex' is set, tells the
 * new link's ifindex: RTM_NEWLINK does not answer with the new link (NLM_F_ECHO only works on
 * Linux >= 6.3), so it is looked up by name.
 */
static int link_create_send(struct nl_sock *s, struct nlmsghdr *nlh, const char *name,
			    int *ret_ifindex)
{
	struct nl_link_info link;
	int r = nl_sock_transact(s, nlh, NULL, NULL);

	if (r < 0 || !ret_ifindex)
		return r;
	r = nl_link_get_by_name(s, name, &link);
	if (r < 0)
		return r;
	*ret_ifindex = link.ifindex;
	return 0;
}

/* Per-link statistics are most of a link message and nobody here reads them. */
static void nl_link_put_ext_mask(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
}

struct nl_link_get {
	struct nl_link_info link;
	bool found;
};

static int nl_link_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_link_get *g = data;
	int r;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	r = nl_link_parse(nlh, &g->link);
	if (r < 0)
		return r;
	g->found = true;
	return 0;
}

static int nl_link_get(struct nl_sock *s, int ifindex, const char *name, struct nl_link_info *ret)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nl_link_get g = { 0 };
	struct nlmsghdr *nlh;
	int r;

	nlh = nl_link_request(buf, RTM_GETLINK, 0, ifindex);
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	nl_link_put_ext_mask(nlh);

	r = nl_sock_transact(s, nlh, nl_link_get_cb, &g);
	if (r < 0)
		return r;
	if (!g.found)
		return -EPROTO;
	*ret = g.link;
	return 0;
}

int nl_link_get_by_name(struct nl_sock *s, const char *name, struct nl_link_info *ret)
{
	assert(s);
	assert(ret);

	if (!nl_link_name_fits(name))
		return -EINVAL;
	/* the kernel also matches alternative names (ip link property add ... altname) */
	return nl_link_get(s, 0, name, ret);
}

int nl_link_get_by_index(struct nl_sock *s, int ifindex, struct nl_link_info *ret)
{
	assert(s);
	assert(ret);

	if (ifindex <= 0)
		return -EINVAL;
	return nl_link_get(s, ifindex, NULL, ret);
}

struct nl_link_dump {
	nl_link_fn cb;
	void *data;
};

static int nl_link_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_link_dump *d = data;
	struct nl_link_info link;
	int r;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	r = nl_link_parse(nlh, &link);
	if (r < 0)
		return r;
	return d->cb(&link, d->data);
}

int nl_link_dump(struct nl_sock *s, nl_link_fn cb, void *data)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nl_link_dump d = { .cb = cb, .data = data };
	struct nlmsghdr *nlh;

	assert(s);
	assert(cb);

	nlh = nl_link_request(buf, RTM_GETLINK, NLM_F_DUMP, 0);
	nl_link_put_ext_mask(nlh);
	return nl_sock_transact(s, nlh, nl_link_dump_cb, &d);
}

int nl_link_dump_master(struct nl_sock *s, int master, nl_link_fn cb, void *data)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nl_link_dump d = { .cb = cb, .data = data };
	struct nlmsghdr *nlh;

	assert(s);
	assert(cb);
	assert(master > 0);

	/* The kernel filters a dump carrying IFLA_MASTER itself: the cost is the ports', not the
	 * host's interfaces'. Callers still check the master (an older kernel sends all). */
	nlh = nl_link_request(buf, RTM_GETLINK, NLM_F_DUMP, 0);
	nl_link_put_ext_mask(nlh);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return nl_sock_transact(s, nlh, nl_link_dump_cb, &d);
}

int nl_bridge_create(struct nl_sock *s, const char *name, uint32_t mtu, int *ret_ifindex)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlattr *linkinfo, *info_data;
	struct nlmsghdr *nlh;

	assert(s);

	if (!nl_link_name_fits(name))
		return -EINVAL;

	nlh = nl_link_request(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu > 0)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	info_data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, 0);
	/*
	 * Even with STP off the kernel holds a new port in the learning state for forward_delay
	 * (15 s by default) before it forwards, long enough for a guest's first DHCPDISCOVER to
	 * go unanswered. libvirt sets 0 for the same reason.
	 */
	mnl_attr_put_u32(nlh, IFLA_BR_FORWARD_DELAY, 0);
	mnl_attr_nest_end(nlh, info_data);
	mnl_attr_nest_end(nlh, linkinfo);

	return link_create_send(s, nlh, name, ret_ifindex);
}

/* Sends a RTM_SETLINK for 'ifindex' carrying the u32 attribute 'type' (when non-zero). */
static int nl_link_set(struct nl_sock *s, int ifindex, uint16_t type, uint32_t value,
		       unsigned int flags, unsigned int change)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;

	assert(s);

	if (ifindex <= 0)
		return -EINVAL;

	/* RTM_SETLINK, unlike RTM_NEWLINK, can never create a link by accident */
	nlh = nl_link_request(buf, RTM_SETLINK, 0, ifindex);
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_flags = flags;
	ifi->ifi_change = change;
	if (type != IFLA_UNSPEC)
		mnl_attr_put_u32(nlh, type, value);
	return nl_sock_transact(s, nlh, NULL, NULL);
}

int nl_link_set_mtu(struct nl_sock *s, int ifindex, uint32_t mtu)
{
	if (mtu == 0)
		return -EINVAL;
	return nl_link_set(s, ifindex, IFLA_MTU, mtu, 0, 0);
}

int nl_link_set_up(struct nl_sock *s, int ifindex, bool up)
{
	return nl_link_set(s, ifindex, IFLA_UNSPEC, 0, up ? IFF_UP : 0, IFF_UP);
}

int nl_link_set_master(struct nl_sock *s, int ifindex, int master_ifindex)
{
	if (master_ifindex < 0)
		return -EINVAL;
	return nl_link_set(s, ifindex, IFLA_MASTER, (uint32_t)master_ifindex, 0, 0);
}

int nl_link_delete(struct nl_sock *s, int ifindex)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlmsghdr *nlh;

	assert(s);

	if (ifindex <= 0)
		return -EINVAL;
	nlh = nl_link_request(buf, RTM_DELLINK, 0, ifindex);
	return nl_sock_transact(s, nlh, NULL, NULL);
}

int nl_link_set_group(struct nl_sock *s, int ifindex, uint32_t group)
{
	return nl_link_set(s, ifindex, IFLA_GROUP, group, 0, 0);
}

int nl_link_delete_group(struct nl_sock *s, uint32_t group)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlmsghdr *nlh;

	assert(s);

	/* ifindex 0 and no name: rtnl_dellink() deletes the group, in one unregistration */
	nlh = nl_link_request(buf, RTM_DELLINK, 0, 0);
	mnl_attr_put_u32(nlh, IFLA_GROUP, group);
	return nl_sock_transact(s, nlh, NULL, NULL);
}

int nl_link_set_mac(struct nl_sock *s, int ifindex, const uint8_t mac[6])
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlmsghdr *nlh;

	assert(s);
	assert(mac);

	if (ifindex <= 0)
		return -EINVAL;
	nlh = nl_link_request(buf, RTM_SETLINK, 0, ifindex);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	return nl_sock_transact(s, nlh, NULL, NULL);
}

int nl_link_set_ipv4_conf(struct nl_sock *s, int ifindex, int field, uint32_t value)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlattr *af_spec, *inet, *conf;
	struct nlmsghdr *nlh;

	assert(s);

	if (ifindex <= 0 || field <= 0 || field > IPV4_DEVCONF_MAX)
		return -EINVAL;
	/* IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { FIELD: u32 } } }: net/ipv4/devinet.c's
	 * inet_set_link_af() sets the fields it is given, by their 1-based index */
	nlh = nl_link_request(buf, RTM_SETLINK, 0, ifindex);
	af_spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	inet = mnl_attr_nest_start(nlh, AF_INET);
	conf = mnl_attr_nest_start(nlh, IFLA_INET_CONF);
	mnl_attr_put_u32(nlh, (uint16_t)field, value);
	mnl_attr_nest_end(nlh, conf);
	mnl_attr_nest_end(nlh, inet);
	mnl_attr_nest_end(nlh, af_spec);
	return nl_sock_transact(s, nlh, NULL, NULL);
}

int nl_veth_create(struct nl_sock *s, const char *name, const char *peer, int peer_ns_fd,
		   int *ret_ifindex)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlattr *linkinfo, *info_data, *peer_attr;
	struct nlmsghdr *nlh;
	struct ifinfomsg *pifi;

	assert(s);
	if (!nl_link_name_fits(name) || !nl_link_name_fits(peer))
		return -EINVAL;
	nlh = nl_link_request(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	info_data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer_attr = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* the peer's attributes follow an ifinfomsg of its own */
	pifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifi));
	pifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (peer_ns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_ns_fd);
	mnl_attr_nest_end(nlh, peer_attr);
	mnl_attr_nest_end(nlh, info_data);
	mnl_attr_nest_end(nlh, linkinfo);

	return link_create_send(s, nlh, name, ret_ifindex);
}

int nl_macvtap_create(struct nl_sock *s, const char *name, int lower_ifindex, uint32_t mode,
		      const uint8_t mac[6], int *ret_ifindex)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlattr *linkinfo, *info_data;
	struct nlmsghdr *nlh;

	assert(s);

	if (!nl_link_name_fits(name) || lower_ifindex <= 0 || !mac)
		return -EINVAL;

	nlh = nl_link_request(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_LINK, (uint32_t)lower_ifindex);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "macvtap");
	info_data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_MACVLAN_MODE, mode);
	mnl_attr_nest_end(nlh, info_data);
	mnl_attr_nest_end(nlh, linkinfo);

	return link_create_send(s, nlh, name, ret_ifindex);
}
