/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4 and IPv6 routes over rtnetlink (RTM_GETROUTE): a dump of every table, so the daemon can refuse a
 * subnet that overlaps a route the host already has, and the parser the monitor shares for
 * RTM_NEWROUTE/RTM_DELROUTE notifications; the routes of one link read in full, added and deleted
 * (to move them between links). Requests go through nl-sock.
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
	[RTA_GATEWAY] = { NL_POLICY_BINARY, sizeof(struct in_addr) },
	[RTA_PREFSRC] = { NL_POLICY_BINARY, sizeof(struct in_addr) },
	[RTA_PRIORITY] = { NL_POLICY_U32, 0 },
	[RTA_METRICS] = { NL_POLICY_NESTED, 0 },
	[RTA_MULTIPATH] = { NL_POLICY_BINARY, 0 },
};

static const struct nl_policy nl_route6_policy[RTA_MAX + 1] = {
	[RTA_DST] = { NL_POLICY_BINARY, sizeof(struct in6_addr) },
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

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -EBADMSG;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return 0;
	r = nl_policy_parse(nlh, sizeof(*rtm),
			    rtm->rtm_family == AF_INET ? nl_route_policy : nl_route6_policy,
			    RTA_MAX, tb);
	if (r < 0)
		return r;
	if (rtm->rtm_dst_len > (rtm->rtm_family == AF_INET ? 32 : 128))
		return -EBADMSG;

	/* no RTA_DST: the default route, 0.0.0.0/0 or ::/0 */
	route.family = rtm->rtm_family;
	if (rtm->rtm_family == AF_INET) {
		if (tb[RTA_DST])
			memcpy(&route.dst.addr, mnl_attr_get_payload(tb[RTA_DST]),
			       sizeof(route.dst.addr));
		route.dst.prefixlen = rtm->rtm_dst_len;
	} else {
		if (tb[RTA_DST])
			memcpy(&route.dst6.addr, mnl_attr_get_payload(tb[RTA_DST]),
			       sizeof(route.dst6.addr));
		route.dst6.prefixlen = rtm->rtm_dst_len;
	}
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
	return nl_route_dump_family(s, AF_INET, cb, data);
}

int nl_route_dump_family(struct nl_sock *s, int family, nl_route_fn cb, void *data)
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
	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_table = RT_TABLE_UNSPEC;
	return nl_sock_transact(s, nlh, nl_route_dump_cb, &d);
}

struct nl_route_spec_dump {
	int oif;
	nl_route_spec_fn cb;
	void *data;
};

/* The route's "via": an rtvia of AF_INET6 (IPv4 gateways come as RTA_GATEWAY). */
static int nl_route_parse_via(const struct nlattr *attr, struct nl_route_spec *spec)
{
	const uint8_t *p = mnl_attr_get_payload(attr);
	uint16_t family;

	if (mnl_attr_get_payload_len(attr) < sizeof(family))
		return -EBADMSG;
	memcpy(&family, p, sizeof(family));
	if (family != AF_INET6 || mnl_attr_get_payload_len(attr) != sizeof(family) + 16) {
		spec->complex = true;
		return 0;
	}
	spec->via_family = AF_INET6;
	memcpy(&spec->via, p + sizeof(family), sizeof(spec->via));
	return 0;
}

static int nl_route_spec_parse(const struct nlmsghdr *nlh, struct nl_route_spec *spec)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	int r;

	memset(spec, 0, sizeof(*spec));
	r = nl_route_parse(nlh, &spec->base);
	if (r <= 0)
		return r;
	if (spec->base.family != AF_INET)
		return 0;   /* specs are IPv4 routes only */
	r = nl_policy_parse(nlh, sizeof(*rtm), nl_route_policy, RTA_MAX, tb);
	if (r < 0)
		return r;
	spec->scope = rtm->rtm_scope;
	spec->tos = rtm->rtm_tos;
	spec->flags = rtm->rtm_flags & RTNH_F_ONLINK;
	if (tb[RTA_GATEWAY])
		memcpy(&spec->gateway, mnl_attr_get_payload(tb[RTA_GATEWAY]), sizeof(spec->gateway));
	if (tb[RTA_PREFSRC])
		memcpy(&spec->prefsrc, mnl_attr_get_payload(tb[RTA_PREFSRC]), sizeof(spec->prefsrc));
	if (tb[RTA_PRIORITY])
		spec->priority = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_METRICS]) {
		uint16_t len = mnl_attr_get_payload_len(tb[RTA_METRICS]);

		if (len > sizeof(spec->metrics))
			spec->complex = true;
		else {
			memcpy(spec->metrics, mnl_attr_get_payload(tb[RTA_METRICS]), len);
			spec->metrics_len = len;
		}
	}
	/* what this module cannot re-create: left for the caller to refuse */
	if (tb[RTA_MULTIPATH] || tb[RTA_NH_ID] || tb[RTA_ENCAP] || tb[RTA_FLOW])
		spec->complex = true;
	if (tb[RTA_VIA]) {
		r = nl_route_parse_via(tb[RTA_VIA], spec);
		if (r < 0)
			return r;
	}
	return 1;
}

static int nl_route_spec_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_route_spec_dump *d = data;
	struct nl_route_spec spec;
	int r;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	r = nl_route_spec_parse(nlh, &spec);
	if (r <= 0)
		return r;
	/* the kernel filtered (a multipath route using the link comes with oif 0); the check
	 * is for kernels without strict dumps, which send everything */
	if (spec.base.oif != d->oif && !spec.complex)
		return 0;
	return d->cb(&spec, d->data);
}

int nl_route_dump_oif(struct nl_sock *s, int oif, nl_route_spec_fn cb, void *data)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nl_route_spec_dump d = { .oif = oif, .cb = cb, .data = data };
	struct nlmsghdr *nlh = nl_msg_start(buf);

	assert(s);
	assert(cb);

	if (oif <= 0)
		return -EINVAL;
	nl_route_dump_request(nlh, AF_INET, oif);
	return nl_sock_transact(s, nlh, nl_route_spec_dump_cb, &d);
}

void nl_route_dump_request(struct nlmsghdr *nlh, int family, int oif)
{
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_table = RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
}

static struct nlmsghdr *nl_route_spec_request(void *buf, uint16_t type, uint16_t flags,
					      const struct nl_route_spec *r, int oif)
{
	struct nlmsghdr *nlh = nl_msg_start(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = r->base.dst.prefixlen;
	rtm->rtm_tos = r->tos;
	rtm->rtm_protocol = r->base.protocol;
	rtm->rtm_scope = r->scope;
	rtm->rtm_type = r->base.type;
	rtm->rtm_flags = r->flags & RTNH_F_ONLINK;
	/* rtm_table is 8 bits: the table always goes in RTA_TABLE too */
	rtm->rtm_table = r->base.table < 256 ? (uint8_t)r->base.table : RT_TABLE_COMPAT;
	mnl_attr_put_u32(nlh, RTA_TABLE, r->base.table);
	if (r->base.dst.prefixlen)
		mnl_attr_put(nlh, RTA_DST, sizeof(r->base.dst.addr), &r->base.dst.addr);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	if (r->gateway.s_addr)
		mnl_attr_put(nlh, RTA_GATEWAY, sizeof(r->gateway), &r->gateway);
	if (r->via_family == AF_INET6) {
		uint8_t via[sizeof(uint16_t) + 16];
		uint16_t family = AF_INET6;

		memcpy(via, &family, sizeof(family));
		memcpy(via + sizeof(family), &r->via, 16);
		mnl_attr_put(nlh, RTA_VIA, sizeof(via), via);
	}
	if (r->prefsrc.s_addr)
		mnl_attr_put(nlh, RTA_PREFSRC, sizeof(r->prefsrc), &r->prefsrc);
	if (r->priority)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->priority);
	if (r->metrics_len)
		mnl_attr_put(nlh, RTA_METRICS | NLA_F_NESTED, r->metrics_len, r->metrics);
	return nlh;
}

int nl_route_add_spec(struct nl_sock *s, const struct nl_route_spec *r, int oif)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];

	assert(s);
	assert(r);

	if (oif <= 0 || r->complex || r->base.dst.prefixlen > 32)
		return -EINVAL;
	return nl_sock_transact(s, nl_route_spec_request(buf, RTM_NEWROUTE,
							 NLM_F_CREATE | NLM_F_EXCL, r, oif),
				NULL, NULL);
}

int nl_route_del_spec(struct nl_sock *s, const struct nl_route_spec *r)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];

	assert(s);
	assert(r);

	if (r->base.oif <= 0 || r->complex || r->base.dst.prefixlen > 32)
		return -EINVAL;
	return nl_sock_transact(s, nl_route_spec_request(buf, RTM_DELROUTE, 0, r, r->base.oif),
				NULL, NULL);
}

struct nl_route_get {
	struct nl_route_info route;
	bool found;
};

static int nl_route_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_route_get *g = data;
	int r;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	r = nl_route_parse(nlh, &g->route);
	if (r < 0)
		return r;
	g->found = r > 0;
	return 0;
}

int nl_route_get(struct nl_sock *s, struct in_addr dst, struct nl_route_info *ret)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nl_route_get g = { 0 };
	struct nlmsghdr *nlh = nl_msg_start(buf);
	struct rtmsg *rtm;
	int r;

	assert(s);
	assert(ret);

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = 0;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 32;
	mnl_attr_put(nlh, RTA_DST, sizeof(dst), &dst);
	r = nl_sock_transact(s, nlh, nl_route_get_cb, &g);
	if (r < 0)
		return r;
	if (!g.found)
		return -EPROTO;
	*ret = g.route;
	return 0;
}

int nl_route_add_default(struct nl_sock *s, int oif, struct in_addr gateway)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (oif <= 0 || gateway.s_addr == 0)
		return -EINVAL;
	nlh = nl_msg_start(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof(gateway), &gateway);
	return nl_sock_transact(s, nlh, NULL, NULL);
}
