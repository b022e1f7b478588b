/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of nl-inet6.h over nl-sock, parsed with nl-policy. */
#include "netlink/nl-inet6.h"

#include <assert.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "netlink/nl-addr.h"
#include "netlink/nl-policy.h"
#include "netlink/nl-route.h"
#include "netlink/nl-sock.h"

#ifndef IFA_RT_PRIORITY
#define IFA_RT_PRIORITY 9 /* Linux 4.18 */
#endif
#if IFA_MAX < IFA_RT_PRIORITY
#define NL_ADDR6_ATTR_MAX IFA_RT_PRIORITY
#else
#define NL_ADDR6_ATTR_MAX IFA_MAX
#endif

/* The flags of an address its owner chose; the others the kernel derives. */
#define NL_ADDR6_USER_FLAGS (IFA_F_NODAD | IFA_F_NOPREFIXROUTE | IFA_F_MANAGETEMPADDR)

static const struct nl_policy nl_addr6_policy[NL_ADDR6_ATTR_MAX + 1] = {
	[IFA_ADDRESS] = { NL_POLICY_BINARY, sizeof(struct in6_addr) },
	[IFA_LOCAL] = { NL_POLICY_BINARY, sizeof(struct in6_addr) },
	[IFA_CACHEINFO] = { NL_POLICY_BINARY, sizeof(struct ifa_cacheinfo) },
	[IFA_FLAGS] = { NL_POLICY_U32, 0 },
	[IFA_RT_PRIORITY] = { NL_POLICY_U32, 0 },
};

static const struct nl_policy nl_route6_policy[RTA_MAX + 1] = {
	[RTA_DST] = { NL_POLICY_BINARY, sizeof(struct in6_addr) },
	[RTA_OIF] = { NL_POLICY_U32, 0 },
	[RTA_TABLE] = { NL_POLICY_U32, 0 },
	[RTA_GATEWAY] = { NL_POLICY_BINARY, sizeof(struct in6_addr) },
	[RTA_PREFSRC] = { NL_POLICY_BINARY, sizeof(struct in6_addr) },
	[RTA_PRIORITY] = { NL_POLICY_U32, 0 },
	[RTA_PREF] = { NL_POLICY_U8, 0 },
	[RTA_METRICS] = { NL_POLICY_NESTED, 0 },
	[RTA_EXPIRES] = { NL_POLICY_U32, 0 },
};

struct nl_inet6_dump {
	int ifindex;
	nl_addr6_fn addr_cb;
	nl_route6_fn route_cb;
	void *data;
};

static int nl_addr6_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NL_ADDR6_ATTR_MAX + 1], *attr;
	struct nl_inet6_dump *d = data;
	const struct ifaddrmsg *ifa;
	struct nl_addr6_info a = { 0 };
	int r;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return 0;
	r = nl_policy_parse(nlh, sizeof(*ifa), nl_addr6_policy, NL_ADDR6_ATTR_MAX, tb);
	if (r < 0)
		return r;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET6 || ifa->ifa_index != (uint32_t)d->ifindex)
		return 0;
	if (ifa->ifa_prefixlen > 128)
		return -EBADMSG;
	attr = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!attr)
		return -EBADMSG;
	a.ifindex = d->ifindex;
	memcpy(&a.addr, mnl_attr_get_payload(attr), sizeof(a.addr));
	a.prefixlen = ifa->ifa_prefixlen;
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
	return d->addr_cb(&a, d->data);
}

int nl_addr6_dump(struct nl_sock *s, int ifindex, nl_addr6_fn cb, void *data)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nl_inet6_dump d = { .ifindex = ifindex, .addr_cb = cb, .data = data };
	struct nlmsghdr *nlh = nl_msg_start(buf);

	assert(s);
	assert(cb);

	if (ifindex <= 0)
		return -EINVAL;
	nl_addr_dump_request(nlh, AF_INET6, ifindex);
	return nl_sock_transact(s, nlh, nl_addr6_dump_cb, &d);
}

static struct nlmsghdr *nl_addr6_request(void *buf, uint16_t type, uint16_t flags, int ifindex,
					 const struct nl_addr6_info *a)
{
	struct nlmsghdr *nlh = nl_msg_start(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = a->prefixlen;
	ifa->ifa_scope = a->scope;
	ifa->ifa_index = (uint32_t)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(a->addr), &a->addr);
	return nlh;
}

int nl_addr6_add(struct nl_sock *s, int ifindex, const struct nl_addr6_info *a,
		 uint32_t extra_flags)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct ifa_cacheinfo ci = { .ifa_prefered = a->preferred_sec, .ifa_valid = a->valid_sec };
	struct nlmsghdr *nlh;

	assert(s);
	assert(a);

	if (ifindex <= 0 || a->prefixlen > 128)
		return -EINVAL;
	nlh = nl_addr6_request(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, a);
	mnl_attr_put_u32(nlh, IFA_FLAGS, (a->flags & NL_ADDR6_USER_FLAGS) | extra_flags);
	if (a->rt_priority)
		mnl_attr_put_u32(nlh, IFA_RT_PRIORITY, a->rt_priority);
	if (ci.ifa_valid && ci.ifa_prefered)
		mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
	return nl_sock_transact(s, nlh, NULL, NULL);
}

int nl_addr6_del(struct nl_sock *s, int ifindex, const struct nl_addr6_info *a)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];

	assert(s);
	assert(a);

	if (ifindex <= 0 || a->prefixlen > 128)
		return -EINVAL;
	return nl_sock_transact(s, nl_addr6_request(buf, RTM_DELADDR, 0, ifindex, a), NULL, NULL);
}

static int nl_route6_parse(const struct nlmsghdr *nlh, struct nl_route6_spec *r)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	int e;

	e = nl_policy_parse(nlh, sizeof(*rtm), nl_route6_policy, RTA_MAX, tb);
	if (e < 0)
		return e;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET6)
		return 0;
	if (rtm->rtm_dst_len > 128)
		return -EBADMSG;
	memset(r, 0, sizeof(*r));
	if (tb[RTA_DST])
		memcpy(&r->dst, mnl_attr_get_payload(tb[RTA_DST]), sizeof(r->dst));
	r->dst_len = rtm->rtm_dst_len;
	if (tb[RTA_OIF] && mnl_attr_get_u32(tb[RTA_OIF]) <= INT32_MAX)
		r->oif = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	r->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	r->type = rtm->rtm_type;
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	r->flags = rtm->rtm_flags & RTNH_F_ONLINK;
	if (tb[RTA_GATEWAY])
		memcpy(&r->gateway, mnl_attr_get_payload(tb[RTA_GATEWAY]), sizeof(r->gateway));
	if (tb[RTA_PREFSRC])
		memcpy(&r->prefsrc, mnl_attr_get_payload(tb[RTA_PREFSRC]), sizeof(r->prefsrc));
	if (tb[RTA_PRIORITY])
		r->priority = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_PREF]) {
		r->pref = mnl_attr_get_u8(tb[RTA_PREF]);
		r->has_pref = true;
	}
	if (tb[RTA_METRICS]) {
		uint16_t len = mnl_attr_get_payload_len(tb[RTA_METRICS]);

		if (len > sizeof(r->metrics))
			r->complex = true;
		else {
			memcpy(r->metrics, mnl_attr_get_payload(tb[RTA_METRICS]), len);
			r->metrics_len = len;
		}
	}
	if (tb[RTA_MULTIPATH] || tb[RTA_NH_ID] || tb[RTA_ENCAP] || tb[RTA_SRC] ||
	    rtm->rtm_src_len || (tb[RTA_EXPIRES] && mnl_attr_get_u32(tb[RTA_EXPIRES])))
		r->complex = true;
	return 1;
}

static int nl_route6_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_inet6_dump *d = data;
	struct nl_route6_spec r;
	int e;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	e = nl_route6_parse(nlh, &r);
	if (e <= 0)
		return e;
	if (r.oif != d->ifindex && !r.complex)
		return 0;
	return d->route_cb(&r, d->data);
}

int nl_route6_dump_oif(struct nl_sock *s, int oif, nl_route6_fn cb, void *data)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nl_inet6_dump d = { .ifindex = oif, .route_cb = cb, .data = data };
	struct nlmsghdr *nlh = nl_msg_start(buf);

	assert(s);
	assert(cb);

	if (oif <= 0)
		return -EINVAL;
	nl_route_dump_request(nlh, AF_INET6, oif);
	return nl_sock_transact(s, nlh, nl_route6_dump_cb, &d);
}

static struct nlmsghdr *nl_route6_request(void *buf, uint16_t type, uint16_t flags,
					  const struct nl_route6_spec *r, int oif)
{
	static const struct in6_addr any = IN6ADDR_ANY_INIT;
	struct nlmsghdr *nlh = nl_msg_start(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = r->dst_len;
	rtm->rtm_protocol = r->protocol;
	rtm->rtm_scope = r->scope;
	rtm->rtm_type = r->type;
	rtm->rtm_flags = r->flags & RTNH_F_ONLINK;
	rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_COMPAT;
	mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	if (r->dst_len)
		mnl_attr_put(nlh, RTA_DST, sizeof(r->dst), &r->dst);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	if (memcmp(&r->gateway, &any, sizeof(any)) != 0)
		mnl_attr_put(nlh, RTA_GATEWAY, sizeof(r->gateway), &r->gateway);
	if (memcmp(&r->prefsrc, &any, sizeof(any)) != 0)
		mnl_attr_put(nlh, RTA_PREFSRC, sizeof(r->prefsrc), &r->prefsrc);
	if (r->priority)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->priority);
	if (r->has_pref)
		mnl_attr_put_u8(nlh, RTA_PREF, r->pref);
	if (r->metrics_len)
		mnl_attr_put(nlh, RTA_METRICS | NLA_F_NESTED, r->metrics_len, r->metrics);
	return nlh;
}

int nl_route6_add(struct nl_sock *s, const struct nl_route6_spec *r, int oif)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];

	assert(s);
	assert(r);

	if (oif <= 0 || r->complex || r->dst_len > 128)
		return -EINVAL;
	return nl_sock_transact(s, nl_route6_request(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
						     r, oif),
				NULL, NULL);
}

int nl_route6_del(struct nl_sock *s, const struct nl_route6_spec *r, int oif)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];

	assert(s);
	assert(r);

	if (oif <= 0 || r->complex || r->dst_len > 128)
		return -EINVAL;
	return nl_sock_transact(s, nl_route6_request(buf, RTM_DELROUTE, 0, r, oif), NULL, NULL);
}
