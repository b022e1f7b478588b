/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel tests for src/netlink: bridges, MTU, state, masters, addresses, routes and the monitor,
 * against the real rtnetlink of a network namespace made for the run (exit 77 = skip without
 * root or unshare), plus nl_link_parse() fed malformed messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel-test-util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <libmnl/libmnl.h>

#include "netlink/nl-addr.h"
#include "netlink/nl-inet6.h"
#include "netlink/nl-link.h"
#include "netlink/nl-monitor.h"
#include "netlink/nl-route.h"
#include "netlink/nl-sock.h"
#include "shared/alloc-util.h"

/* ---- helpers ---- */

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

struct link_list {
	struct nl_link_info links[32];
	size_t n;
};

static int link_collect(const struct nl_link_info *link, void *data)
{
	struct link_list *l = data;

	if (l->n >= ELEMENTSOF(l->links))
		return -E2BIG;
	l->links[l->n++] = *link;
	return 0;
}

static const struct nl_link_info *link_find(const struct link_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->links[i].name, name) == 0)
			return &l->links[i];
	return NULL;
}

struct addr_list {
	struct nl_addr_info addrs[32];
	size_t n;
};

static int addr_collect(const struct nl_addr_info *a, void *data)
{
	struct addr_list *l = data;

	if (l->n >= ELEMENTSOF(l->addrs))
		return -E2BIG;
	l->addrs[l->n++] = *a;
	return 0;
}

static bool addr_has(const struct addr_list *l, int ifindex, const char *addr, uint8_t prefixlen)
{
	struct in_addr a = ip(addr);

	for (size_t i = 0; i < l->n; i++)
		if (l->addrs[i].ifindex == ifindex && l->addrs[i].addr.s_addr == a.s_addr &&
		    l->addrs[i].prefixlen == prefixlen)
			return true;
	return false;
}

struct route_list {
	struct nl_route_info routes[64];
	size_t n;
};

static int route_collect(const struct nl_route_info *r, void *data)
{
	struct route_list *l = data;

	if (l->n >= ELEMENTSOF(l->routes))
		return -E2BIG;
	l->routes[l->n++] = *r;
	return 0;
}

static const struct nl_route_info *route_find(const struct route_list *l, const char *dst,
					      uint8_t prefixlen, uint32_t table)
{
	struct in_addr a = ip(dst);

	for (size_t i = 0; i < l->n; i++)
		if (l->routes[i].dst.addr.s_addr == a.s_addr &&
		    l->routes[i].dst.prefixlen == prefixlen && l->routes[i].table == table)
			return &l->routes[i];
	return NULL;
}

/* The bridge options as the kernel reports them in IFLA_LINKINFO/IFLA_INFO_DATA. */
struct bridge_opts {
	bool has_stp, has_fwd;
	uint32_t stp_state, forward_delay;
};

static int bridge_opts_cb(const struct nlmsghdr *nlh, void *data)
{
	struct bridge_opts *o = data;
	const struct nlattr *attr, *info, *br;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	mnl_attr_for_each(attr, nlh, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(attr) != IFLA_LINKINFO)
			continue;
		mnl_attr_for_each_nested(info, attr) {
			if (mnl_attr_get_type(info) != IFLA_INFO_DATA)
				continue;
			mnl_attr_for_each_nested(br, info) {
				if (mnl_attr_validate(br, MNL_TYPE_U32) < 0)
					continue;
				if (mnl_attr_get_type(br) == IFLA_BR_STP_STATE) {
					o->has_stp = true;
					o->stp_state = mnl_attr_get_u32(br);
				} else if (mnl_attr_get_type(br) == IFLA_BR_FORWARD_DELAY) {
					o->has_fwd = true;
					o->forward_delay = mnl_attr_get_u32(br);
				}
			}
		}
	}
	return 0;
}

static void bridge_opts_get(struct nl_sock *s, int ifindex, struct bridge_opts *ret)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	*ret = (struct bridge_opts){ 0 };
	assert_int_equal(nl_sock_transact(s, nlh, bridge_opts_cb, ret), 0);
}

/* IFA_BROADCAST of 'addr' on 'ifindex', as the kernel reports it; INADDR_ANY if absent. */
struct brd_query {
	int ifindex;
	struct in_addr addr, brd;
	bool found;
};

static int brd_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct brd_query *q = data;
	const struct nlattr *attr;
	struct in_addr local = { 0 }, brd = { 0 };

	if (nlh->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != q->ifindex)
		return 0;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_payload_len(attr) != sizeof(struct in_addr))
			continue;
		if (mnl_attr_get_type(attr) == IFA_LOCAL)
			memcpy(&local, mnl_attr_get_payload(attr), sizeof(local));
		else if (mnl_attr_get_type(attr) == IFA_BROADCAST)
			memcpy(&brd, mnl_attr_get_payload(attr), sizeof(brd));
	}
	if (local.s_addr == q->addr.s_addr) {
		q->found = true;
		q->brd = brd;
	}
	return 0;
}

static struct in_addr addr_broadcast(struct nl_sock *s, int ifindex, const char *addr)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct brd_query q = { .ifindex = ifindex, .addr = ip(addr) };
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	assert_int_equal(nl_sock_transact(s, nlh, brd_cb, &q), 0);
	assert_true(q.found);
	return q.brd;
}

/* ---- links ---- */

static void test_bridge_create_read(void **state)
{
	struct nl_sock *s = *state;
	struct nl_link_info link, by_index;
	const struct nl_link_info *l;
	struct link_list all = { 0 };
	struct bridge_opts opts;
	static const uint8_t zero_mac[6];
	int ifindex = 0;

	assert_int_equal(nl_bridge_create(s, "kn-br0", 1400, &ifindex), 0);
	assert_true(ifindex > 1); /* 1 is lo */

	assert_int_equal(nl_link_get_by_name(s, "kn-br0", &link), 0);
	assert_int_equal(link.ifindex, ifindex);
	assert_string_equal(link.name, "kn-br0");
	assert_string_equal(link.kind, "bridge");
	assert_int_equal(link.mtu, 1400);
	assert_false(link.up); /* created down */
	assert_int_equal(link.master, 0);
	/* a random, unicast, locally administered address */
	assert_memory_not_equal(link.mac, zero_mac, sizeof(zero_mac));
	assert_int_equal(link.mac[0] & 0x01, 0);

	assert_int_equal(nl_link_get_by_index(s, ifindex, &by_index), 0);
	assert_string_equal(by_index.name, "kn-br0");
	assert_memory_equal(by_index.mac, link.mac, sizeof(link.mac));

	/* STP off and no forwarding delay, as the kernel reports them back */
	bridge_opts_get(s, ifindex, &opts);
	assert_true(opts.has_stp);
	assert_int_equal(opts.stp_state, 0);
	assert_true(opts.has_fwd);
	assert_int_equal(opts.forward_delay, 0);

	/* the namespace holds lo and the bridge, nothing else */
	assert_int_equal(nl_link_dump(s, link_collect, &all), 0);
	assert_int_equal(all.n, 2);
	l = link_find(&all, "lo");
	assert_non_null(l);
	assert_int_equal(l->ifindex, 1);
	assert_string_equal(l->kind, ""); /* loopback has no IFLA_LINKINFO */
	assert_int_equal(l->mtu, 65536);
	l = link_find(&all, "kn-br0");
	assert_non_null(l);
	assert_int_equal(l->ifindex, ifindex);
	assert_string_equal(l->kind, "bridge");
	assert_int_equal(l->mtu, 1400);

	assert_int_equal(nl_link_delete(s, ifindex), 0);
	assert_int_equal(nl_link_get_by_name(s, "kn-br0", &link), -ENODEV);
	assert_int_equal(nl_link_delete(s, ifindex), -ENODEV);
}

static void test_bridge_duplicate(void **state)
{
	struct nl_sock *s = *state;
	int ifindex = 0, again = -7;

	assert_int_equal(nl_bridge_create(s, "kn-br1", 0, &ifindex), 0);
	assert_int_equal(nl_bridge_create(s, "kn-br1", 0, &again), -EEXIST);
	assert_int_equal(again, -7); /* untouched on failure */
	/* a bridge may not take the name of any other link either */
	assert_int_equal(nl_bridge_create(s, "lo", 0, NULL), -EEXIST);

	assert_int_equal(nl_bridge_create(s, "", 0, NULL), -EINVAL);
	assert_int_equal(nl_bridge_create(s, "kn-0123456789abc", 0, NULL), -EINVAL); /* 16 chars */

	assert_int_equal(nl_link_delete(s, ifindex), 0);
}

static void test_link_missing(void **state)
{
	struct nl_sock *s = *state;
	struct nl_link_info link;

	memset(&link, 0x5a, sizeof(link));
	assert_int_equal(nl_link_get_by_name(s, "kn-missing", &link), -ENODEV);
	assert_int_equal(link.ifindex, 0x5a5a5a5a); /* 'ret' untouched on failure */
	assert_int_equal(nl_link_get_by_index(s, 4242, &link), -ENODEV);
	assert_int_equal(nl_link_delete(s, 4242), -ENODEV);
	assert_int_equal(nl_link_set_mtu(s, 4242, 1500), -ENODEV);
	assert_int_equal(nl_link_set_up(s, 4242, true), -ENODEV);
	assert_int_equal(nl_link_set_master(s, 4242, 0), -ENODEV);

	assert_int_equal(nl_link_get_by_index(s, 0, &link), -EINVAL);
	assert_int_equal(nl_link_get_by_name(s, "", &link), -EINVAL);
}

static void test_link_mtu_up(void **state)
{
	struct nl_sock *s = *state;
	struct nl_link_info link;
	int ifindex;

	assert_int_equal(nl_bridge_create(s, "kn-br2", 0, &ifindex), 0);
	assert_int_equal(nl_link_get_by_index(s, ifindex, &link), 0);
	assert_int_equal(link.mtu, 1500); /* mtu 0: the kernel's default */

	assert_int_equal(nl_link_set_mtu(s, ifindex, 1280), 0);
	assert_int_equal(nl_link_get_by_index(s, ifindex, &link), 0);
	assert_int_equal(link.mtu, 1280);
	assert_int_equal(nl_link_set_mtu(s, ifindex, 0), -EINVAL);
	assert_int_equal(nl_link_set_mtu(s, ifindex, 70000), -EINVAL); /* above the bridge's max */

	assert_int_equal(nl_link_set_up(s, ifindex, true), 0);
	assert_int_equal(nl_link_get_by_index(s, ifindex, &link), 0);
	assert_true(link.up);
	assert_int_equal(link.mtu, 1280);
	assert_int_equal(nl_link_set_up(s, ifindex, false), 0);
	assert_int_equal(nl_link_get_by_index(s, ifindex, &link), 0);
	assert_false(link.up);

	assert_int_equal(nl_link_delete(s, ifindex), 0);
}

static void test_link_master(void **state)
{
	struct nl_sock *s = *state;
	struct nl_link_info veth0, veth1, link;
	struct link_list all = { 0 };
	int br, r;

	assert_int_equal(nl_bridge_create(s, "kn-br3", 0, &br), 0);
	r = kernel_test_veth_create(s, "kn-veth0", "kn-veth1");
	if (r == -EOPNOTSUPP) {
		nl_link_delete(s, br);
		skip(); /* no veth driver */
	}
	assert_int_equal(r, 0);
	assert_int_equal(kernel_test_veth_create(s, "kn-veth0", "kn-veth2"), -EEXIST);

	assert_int_equal(nl_link_get_by_name(s, "kn-veth0", &veth0), 0);
	assert_int_equal(nl_link_get_by_name(s, "kn-veth1", &veth1), 0);
	assert_string_equal(veth0.kind, "veth");
	assert_int_equal(veth0.master, 0);

	assert_int_equal(nl_link_set_master(s, veth0.ifindex, br), 0);
	assert_int_equal(nl_link_get_by_index(s, veth0.ifindex, &link), 0);
	assert_int_equal(link.master, br);
	assert_int_equal(nl_link_dump(s, link_collect, &all), 0);
	assert_int_equal(link_find(&all, "kn-veth0")->master, br);
	assert_int_equal(link_find(&all, "kn-veth1")->master, 0);
	assert_int_equal(link_find(&all, "kn-br3")->master, 0);

	/* a veth is no master */
	assert_true(nl_link_set_master(s, veth1.ifindex, veth0.ifindex) < 0);
	assert_int_equal(nl_link_set_master(s, veth0.ifindex, -1), -EINVAL);

	assert_int_equal(nl_link_set_master(s, veth0.ifindex, 0), 0);
	assert_int_equal(nl_link_get_by_index(s, veth0.ifindex, &link), 0);
	assert_int_equal(link.master, 0);

	/* deleting one end takes the peer along */
	assert_int_equal(nl_link_delete(s, veth0.ifindex), 0);
	assert_int_equal(nl_link_get_by_index(s, veth1.ifindex, &link), -ENODEV);
	assert_int_equal(nl_link_delete(s, br), 0);
}

static int stop_at_first(const struct nl_link_info *link, void *data)
{
	(*(int *)data)++;
	return -ECANCELED;
}

static void test_link_dump_stop(void **state)
{
	struct nl_sock *s = *state;
	struct link_list before = { 0 }, after = { 0 };
	int ifindex, calls = 0;

	assert_int_equal(nl_link_dump(s, link_collect, &before), 0);
	/* one more link, so that the dump has something left when the callback stops it */
	assert_int_equal(nl_bridge_create(s, "kn-br4", 0, &ifindex), 0);
	assert_int_equal(nl_link_dump(s, stop_at_first, &calls), -ECANCELED);
	assert_int_equal(calls, 1);
	/* nothing of the stopped dump is left on the socket to confuse the next requests */
	assert_int_equal(nl_link_dump(s, link_collect, &after), 0);
	assert_int_equal(after.n, before.n + 1);
	assert_non_null(link_find(&after, "kn-br4"));
	assert_int_equal(nl_link_delete(s, ifindex), 0);
}

/* ---- addresses and routes ---- */

static void test_addr_route(void **state)
{
	struct nl_sock *s = *state;
	struct addr_list addrs = { 0 }, lo_addrs = { 0 }, all = { 0 };
	struct route_list routes = { 0 };
	const struct nl_route_info *r;
	int br;

	assert_int_equal(nl_bridge_create(s, "kn-br5", 0, &br), 0);
	assert_int_equal(nl_link_set_up(s, br, true), 0);

	assert_int_equal(nl_addr_add(s, br, ip("10.77.5.1"), 24), 0);
	assert_int_equal(nl_addr_add(s, br, ip("10.77.5.1"), 24), -EEXIST);
	assert_int_equal(nl_addr_add(s, br, ip("10.77.6.0"), 31), 0);
	assert_int_equal(nl_addr_add(s, br, ip("10.77.7.1"), 33), -EINVAL);
	assert_int_equal(nl_addr_add(s, 4242, ip("10.77.7.1"), 24), -ENODEV);

	assert_int_equal(nl_addr_dump(s, br, addr_collect, &addrs), 0);
	assert_int_equal(addrs.n, 2);
	assert_true(addr_has(&addrs, br, "10.77.5.1", 24));
	assert_true(addr_has(&addrs, br, "10.77.6.0", 31));
	/* the filter: lo is down and has no IPv4 address in a new namespace */
	assert_int_equal(nl_addr_dump(s, 1, addr_collect, &lo_addrs), 0);
	assert_int_equal(lo_addrs.n, 0);
	assert_int_equal(nl_addr_dump(s, 0, addr_collect, &all), 0);
	assert_true(addr_has(&all, br, "10.77.5.1", 24));

	/* the subnet broadcast is set for /24, and none for /31 (RFC 3021) */
	assert_int_equal(addr_broadcast(s, br, "10.77.5.1").s_addr, ip("10.77.5.255").s_addr);
	assert_int_equal(addr_broadcast(s, br, "10.77.6.0").s_addr, INADDR_ANY);

	/* every table: the connected route in main, the address itself in local */
	assert_int_equal(nl_route_dump(s, route_collect, &routes), 0);
	r = route_find(&routes, "10.77.5.0", 24, RT_TABLE_MAIN);
	assert_non_null(r);
	assert_int_equal(r->oif, br);
	assert_int_equal(r->type, RTN_UNICAST);
	assert_int_equal(r->protocol, RTPROT_KERNEL);
	r = route_find(&routes, "10.77.5.1", 32, RT_TABLE_LOCAL);
	assert_non_null(r);
	assert_int_equal(r->type, RTN_LOCAL);
	assert_int_equal(r->oif, br);
	r = route_find(&routes, "10.77.5.255", 32, RT_TABLE_LOCAL);
	assert_non_null(r);
	assert_int_equal(r->type, RTN_BROADCAST);

	assert_int_equal(nl_addr_del(s, br, ip("10.77.5.1"), 24), 0);
	assert_int_equal(nl_addr_del(s, br, ip("10.77.5.1"), 24), -EADDRNOTAVAIL);
	addrs.n = 0;
	assert_int_equal(nl_addr_dump(s, br, addr_collect, &addrs), 0);
	assert_int_equal(addrs.n, 1);
	assert_false(addr_has(&addrs, br, "10.77.5.1", 24));
	routes.n = 0;
	assert_int_equal(nl_route_dump(s, route_collect, &routes), 0);
	assert_null(route_find(&routes, "10.77.5.0", 24, RT_TABLE_MAIN));

	assert_int_equal(nl_link_delete(s, br), 0);
}

/* ---- an address and routes read in full and made again on another link ---- */

struct spec_list {
	struct nl_route_spec routes[16];
	size_t n;
};

static int spec_collect(const struct nl_route_spec *r, void *data)
{
	struct spec_list *l = data;

	if (l->n >= ELEMENTSOF(l->routes))
		return -E2BIG;
	l->routes[l->n++] = *r;
	return 0;
}

static const struct nl_route_spec *spec_find(const struct spec_list *l, const char *dst,
					     uint8_t prefixlen, uint32_t table)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->routes[i].base.dst.addr.s_addr == ip(dst).s_addr &&
		    l->routes[i].base.dst.prefixlen == prefixlen && l->routes[i].base.table == table)
			return &l->routes[i];
	return NULL;
}

static void test_addr_route_spec(void **state)
{
	struct nl_sock *s = *state;
	struct addr_list addrs = { 0 }, moved = { 0 };
	struct spec_list a = { 0 }, b = { 0 }, other = { 0 };
	struct nl_addr_info info = { 0 };
	const struct nl_route_spec *r;
	int br1, br2;

	assert_int_equal(nl_bridge_create(s, "kn-sp1", 0, &br1), 0);
	assert_int_equal(nl_bridge_create(s, "kn-sp2", 0, &br2), 0);
	assert_int_equal(nl_link_set_up(s, br1, true), 0);
	assert_int_equal(nl_link_set_up(s, br2, true), 0);

	/* an address with a label, a prefix-route metric and a finite lifetime */
	info.addr = ip("10.78.1.2");
	info.prefixlen = 24;
	info.broadcast = ip("10.78.1.255");
	info.rt_priority = 50;
	info.valid_sec = 600;
	info.preferred_sec = 300;
	assert_int_equal(nl_addr_add_info(s, br1, &info, "kn-sp1:x"), 0);
	assert_int_equal(nl_addr_add_info(s, br1, &info, NULL), -EEXIST);
	assert_int_equal(nl_addr_dump(s, br1, addr_collect, &addrs), 0);
	assert_int_equal(addrs.n, 1);
	assert_string_equal(addrs.addrs[0].label, "kn-sp1:x");
	assert_int_equal(addrs.addrs[0].rt_priority, 50);
	assert_int_equal(addrs.addrs[0].broadcast.s_addr, ip("10.78.1.255").s_addr);
	assert_int_equal(addrs.addrs[0].peer.s_addr, ip("10.78.1.2").s_addr);
	assert_true(addrs.addrs[0].valid_sec <= 600 && addrs.addrs[0].valid_sec >= 590);
	assert_false(addrs.addrs[0].flags & IFA_F_PERMANENT);

	/* a gateway route with metric and source, a link-scope route in table 100 */
	struct nl_route_spec gw = { .base = { .dst = { ip("198.18.5.0"), 24 }, .table = RT_TABLE_MAIN,
					      .type = RTN_UNICAST, .protocol = RTPROT_STATIC },
				    .scope = RT_SCOPE_UNIVERSE, .gateway = ip("10.78.1.1"),
				    .prefsrc = ip("10.78.1.2"), .priority = 9 };
	struct nl_route_spec link = { .base = { .dst = { ip("198.18.6.0"), 28 }, .table = 100,
						.type = RTN_UNICAST, .protocol = RTPROT_BOOT },
				      .scope = RT_SCOPE_LINK };
	assert_int_equal(nl_route_add_spec(s, &gw, br1), 0);
	assert_int_equal(nl_route_add_spec(s, &gw, br1), -EEXIST);
	assert_int_equal(nl_route_add_spec(s, &link, br1), 0);
	assert_string_equal(nl_sock_error_message(s), "");

	/* a gateway no route reaches: refused, with the kernel's reason in words (extended ACK) */
	struct nl_route_spec far = gw;
	far.base.dst.addr = ip("198.18.7.0");
	far.gateway = ip("10.99.99.1");
	far.prefsrc.s_addr = 0;
	assert_int_equal(nl_route_add_spec(s, &far, br1), -ENETUNREACH);
	assert_true(strlen(nl_sock_error_message(s)) > 0);
	assert_int_equal(nl_addr_dump(s, br2, addr_collect, &moved), 0);
	assert_string_equal(nl_sock_error_message(s), "");

	/* the dump of br1 only: both, with the kernel's prefix route; none of br2 */
	assert_int_equal(nl_route_dump_oif(s, br1, spec_collect, &a), 0);
	assert_int_equal(nl_route_dump_oif(s, br2, spec_collect, &other), 0);
	assert_int_equal(other.n, 0);
	r = spec_find(&a, "198.18.5.0", 24, RT_TABLE_MAIN);
	assert_non_null(r);
	assert_int_equal(r->base.oif, br1);
	assert_int_equal(r->gateway.s_addr, ip("10.78.1.1").s_addr);
	assert_int_equal(r->prefsrc.s_addr, ip("10.78.1.2").s_addr);
	assert_int_equal(r->priority, 9);
	assert_int_equal(r->base.protocol, RTPROT_STATIC);
	assert_false(r->complex);
	r = spec_find(&a, "198.18.6.0", 28, 100);
	assert_non_null(r);
	assert_int_equal(r->scope, RT_SCOPE_LINK);
	assert_non_null(spec_find(&a, "10.78.1.0", 24, RT_TABLE_MAIN));
	for (size_t i = 0; i < a.n; i++)
		assert_int_equal(a.routes[i].base.oif, br1);

	/* moved: off br1 (routes, then the address), onto br2 (the address, then the routes) */
	struct nl_route_spec on1_gw = *spec_find(&a, "198.18.5.0", 24, RT_TABLE_MAIN);
	struct nl_route_spec on1_link = *spec_find(&a, "198.18.6.0", 28, 100);
	assert_int_equal(nl_route_del_spec(s, &on1_gw), 0);
	assert_int_equal(nl_route_del_spec(s, &on1_gw), -ESRCH);
	assert_int_equal(nl_route_del_spec(s, &on1_link), 0);
	assert_int_equal(nl_addr_del(s, br1, info.addr, info.prefixlen), 0);
	assert_int_equal(nl_addr_add_info(s, br2, &addrs.addrs[0], "kn-sp2:x"), 0);
	assert_int_equal(nl_route_add_spec(s, &on1_link, br2), 0);
	assert_int_equal(nl_route_add_spec(s, &on1_gw, br2), 0);
	assert_int_equal(nl_addr_dump(s, br2, addr_collect, &moved), 0);
	assert_int_equal(moved.n, 1);
	assert_string_equal(moved.addrs[0].label, "kn-sp2:x");
	assert_int_equal(moved.addrs[0].rt_priority, 50);
	assert_int_equal(nl_route_dump_oif(s, br2, spec_collect, &b), 0);
	r = spec_find(&b, "198.18.5.0", 24, RT_TABLE_MAIN);
	assert_non_null(r);
	assert_int_equal(r->gateway.s_addr, ip("10.78.1.1").s_addr);
	assert_int_equal(r->priority, 9);
	assert_non_null(spec_find(&b, "198.18.6.0", 28, 100));
	/* the prefix route follows the address, with its metric */
	r = spec_find(&b, "10.78.1.0", 24, RT_TABLE_MAIN);
	assert_non_null(r);
	assert_int_equal(r->priority, 50);
	a.n = 0;
	assert_int_equal(nl_route_dump_oif(s, br1, spec_collect, &a), 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(nl_route_dump_oif(s, 0, spec_collect, &a), -EINVAL);

	assert_int_equal(nl_link_delete(s, br1), 0);
	assert_int_equal(nl_link_delete(s, br2), 0);
}

/* ---- IPv6: an address and a route read in full and made again on another link ---- */

struct addr6_list {
	struct nl_addr6_info a[16];
	size_t n;
};

static int addr6_collect(const struct nl_addr6_info *a, void *data)
{
	struct addr6_list *l = data;

	if (l->n >= ELEMENTSOF(l->a))
		return -E2BIG;
	l->a[l->n++] = *a;
	return 0;
}

struct route6_list {
	struct nl_route6_spec r[32];
	size_t n;
};

static int route6_collect(const struct nl_route6_spec *r, void *data)
{
	struct route6_list *l = data;

	if (l->n >= ELEMENTSOF(l->r))
		return -E2BIG;
	l->r[l->n++] = *r;
	return 0;
}

static const struct nl_route6_spec *route6_find(const struct route6_list *l, const char *dst,
						uint8_t len)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, dst, &a), 1);
	for (size_t i = 0; i < l->n; i++)
		if (memcmp(&l->r[i].dst, &a, sizeof(a)) == 0 && l->r[i].dst_len == len)
			return &l->r[i];
	return NULL;
}

static void test_inet6_spec(void **state)
{
	struct nl_sock *s = *state;
	struct nl_addr6_info a = { .prefixlen = 64, .valid_sec = UINT32_MAX,
				   .preferred_sec = UINT32_MAX };
	struct nl_route6_spec r = { .dst_len = 48, .table = RT_TABLE_MAIN, .type = RTN_UNICAST,
				    .protocol = RTPROT_STATIC, .priority = 77 };
	struct addr6_list addrs = { 0 };
	struct route6_list routes = { 0 }, other = { 0 };
	const struct nl_route6_spec *f;
	int br1, br2;

	assert_int_equal(nl_bridge_create(s, "kn-v61", 0, &br1), 0);
	assert_int_equal(nl_bridge_create(s, "kn-v62", 0, &br2), 0);
	assert_int_equal(nl_link_set_up(s, br1, true), 0);
	assert_int_equal(nl_link_set_up(s, br2, true), 0);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:5::2", &a.addr), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:9::", &r.dst), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:5::1", &r.gateway), 1);

	assert_int_equal(nl_addr6_add(s, br1, &a, IFA_F_NODAD), 0);
	assert_int_equal(nl_addr6_add(s, br1, &a, IFA_F_NODAD), -EEXIST);
	assert_int_equal(nl_route6_add(s, &r, br1), 0);
	assert_int_equal(nl_route6_add(s, &r, br1), -EEXIST);
	assert_int_equal(nl_addr6_dump(s, br1, addr6_collect, &addrs), 0);
	assert_int_equal(addrs.n >= 1, 1);
	assert_memory_equal(&addrs.a[0].addr, &a.addr, 16);
	assert_true(addrs.a[0].flags & IFA_F_PERMANENT);
	assert_true(addrs.a[0].flags & IFA_F_NODAD);
	assert_int_equal(nl_route6_dump_oif(s, br1, route6_collect, &routes), 0);
	assert_int_equal(nl_route6_dump_oif(s, br2, route6_collect, &other), 0);
	f = route6_find(&routes, "2001:db8:9::", 48);
	assert_non_null(f);
	assert_int_equal(f->oif, br1);
	assert_int_equal(f->priority, 77);
	assert_int_equal(f->protocol, RTPROT_STATIC);
	assert_memory_equal(&f->gateway, &r.gateway, 16);
	assert_false(f->complex);
	assert_null(route6_find(&other, "2001:db8:9::", 48));

	/* moved to br2 */
	assert_int_equal(nl_route6_del(s, f, br1), 0);
	assert_int_equal(nl_route6_del(s, &r, br1), -ESRCH);
	assert_int_equal(nl_addr6_del(s, br1, &a), 0);
	assert_int_equal(nl_addr6_add(s, br2, &addrs.a[0], 0), 0);
	assert_int_equal(nl_route6_add(s, &r, br2), 0);
	other.n = 0;
	assert_int_equal(nl_route6_dump_oif(s, br2, route6_collect, &other), 0);
	f = route6_find(&other, "2001:db8:9::", 48);
	assert_non_null(f);
	assert_int_equal(f->oif, br2);
	routes.n = 0;
	assert_int_equal(nl_route6_dump_oif(s, br1, route6_collect, &routes), 0);
	assert_null(route6_find(&routes, "2001:db8:9::", 48));

	assert_int_equal(nl_link_delete(s, br1), 0);
	assert_int_equal(nl_link_delete(s, br2), 0);
}

/* ---- monitor ---- */

struct change_log {
	struct nl_change c[128];
	size_t n, resyncs;
};

static void change_collect(const struct nl_change *c, void *data)
{
	struct change_log *log = data;

	if (c->type == NL_CHANGE_RESYNC)
		log->resyncs++;
	if (log->n < ELEMENTSOF(log->c))
		log->c[log->n++] = *c;
}

/* Waits (up to a second) for notifications and processes them. */
static void monitor_drain(struct nl_monitor *m)
{
	struct pollfd p = { .fd = nl_monitor_fd(m), .events = POLLIN };

	assert_int_equal(poll(&p, 1, 1000), 1);
	assert_int_equal(nl_monitor_process(m), 0);
}

static const struct nl_change *change_find(const struct change_log *log, enum nl_change_type type,
					   int ifindex)
{
	for (size_t i = 0; i < log->n; i++)
		if (log->c[i].type == type && log->c[i].link.ifindex == ifindex)
			return &log->c[i];
	return NULL;
}

static void test_monitor(void **state)
{
	struct nl_sock *s = *state;
	struct nl_monitor *m = NULL;
	struct change_log log = { 0 };
	const struct nl_change *c;
	struct nl_link_info veth0;
	int fd, br, rcvbuf = 0;
	socklen_t len = sizeof(rcvbuf);

	assert_int_equal(nl_monitor_new(change_collect, &log, &m), 0);
	fd = nl_monitor_fd(m);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len), 0);
	assert_true(rcvbuf >= 1024 * 1024); /* SO_RCVBUFFORCE went through: we are root */

	/* nothing pending: returns at once */
	assert_int_equal(nl_monitor_process(m), 0);
	assert_int_equal(log.n, 0);

	assert_int_equal(nl_bridge_create(s, "kn-br6", 0, &br), 0);
	monitor_drain(m);
	c = change_find(&log, NL_CHANGE_LINK_NEW, br);
	assert_non_null(c);
	assert_string_equal(c->link.name, "kn-br6");
	assert_string_equal(c->link.kind, "bridge");
	assert_null(change_find(&log, NL_CHANGE_LINK_DEL, br));

	assert_int_equal(nl_addr_add(s, br, ip("10.77.8.1"), 24), 0);
	monitor_drain(m);
	assert_non_null(change_find(&log, NL_CHANGE_ADDR, br));

	/* releasing a port makes the bridge send an AF_BRIDGE RTM_DELLINK: not a deletion */
	if (kernel_test_veth_create(s, "kn-veth3", "kn-veth4") == 0) {
		assert_int_equal(nl_link_get_by_name(s, "kn-veth3", &veth0), 0);
		assert_int_equal(nl_link_set_master(s, veth0.ifindex, br), 0);
		assert_int_equal(nl_link_set_master(s, veth0.ifindex, 0), 0);
		monitor_drain(m);
		assert_non_null(change_find(&log, NL_CHANGE_LINK_NEW, veth0.ifindex));
		assert_null(change_find(&log, NL_CHANGE_LINK_DEL, veth0.ifindex));
		assert_int_equal(nl_link_delete(s, veth0.ifindex), 0);
		monitor_drain(m);
		assert_non_null(change_find(&log, NL_CHANGE_LINK_DEL, veth0.ifindex));
	}

	assert_int_equal(nl_link_delete(s, br), 0);
	monitor_drain(m);
	c = change_find(&log, NL_CHANGE_LINK_DEL, br);
	assert_non_null(c);
	assert_string_equal(c->link.name, "kn-br6");
	/* the LINK_NEW came first */
	assert_true(c > change_find(&log, NL_CHANGE_LINK_NEW, br));

	assert_int_equal(log.resyncs, 0);
	assert_true(log.n < ELEMENTSOF(log.c));
	assert_null(nl_monitor_free(m));
}

/* ---- nl_link_parse() on hand-made messages ---- */

/* Builds a valid RTM_NEWLINK for "x0" (index 5, up, mtu 9000, kind veth) in 'buf'. */
static struct nlmsghdr *link_msg(void *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct nlattr *linkinfo;
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x42 };

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 5;
	ifi->ifi_flags = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "x0");
	mnl_attr_put_u32(nlh, IFLA_MTU, 9000);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	mnl_attr_nest_end(nlh, linkinfo);
	return nlh;
}

/* Parses a copy of 'nlh' in a buffer of exactly nlmsg_len bytes: ASan sees any overread. */
static int parse_exact(const struct nlmsghdr *nlh, struct nl_link_info *ret)
{
	struct nlmsghdr *copy = malloc(nlh->nlmsg_len);
	int r;

	assert_non_null(copy);
	memcpy(copy, nlh, nlh->nlmsg_len);
	r = nl_link_parse(copy, ret);
	free(copy);
	return r;
}

static void test_parse_valid(void **state)
{
	_Alignas(struct nlmsghdr) char buf[512];
	struct nlmsghdr *nlh = link_msg(buf);
	struct nl_link_info link;
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x42 };

	assert_int_equal(parse_exact(nlh, &link), 0);
	assert_int_equal(link.ifindex, 5);
	assert_string_equal(link.name, "x0");
	assert_string_equal(link.kind, "veth");
	assert_int_equal(link.mtu, 9000);
	assert_true(link.up);
	assert_int_equal(link.master, 3);
	assert_memory_equal(link.mac, mac, sizeof(mac));

	nlh->nlmsg_type = RTM_DELLINK;
	assert_int_equal(parse_exact(nlh, &link), 0);
	nlh->nlmsg_type = RTM_NEWADDR;
	assert_int_equal(parse_exact(nlh, &link), -EPROTO);
}

static void test_parse_truncated(void **state)
{
	_Alignas(struct nlmsghdr) char buf[512];
	struct nlmsghdr *nlh = link_msg(buf);
	uint32_t full = nlh->nlmsg_len;
	struct nl_link_info link;

	/* every cut: the header alone is -EBADMSG; later cuts land on an attribute boundary
	 * (fine, fewer attributes) or inside one (-EBADMSG), and nothing is read past the end */
	for (uint32_t len = sizeof(struct nlmsghdr); len <= full; len++) {
		int r;

		nlh->nlmsg_len = len;
		memset(&link, 0x5a, sizeof(link));
		r = parse_exact(nlh, &link);
		if (len < mnl_nlmsg_size(sizeof(struct ifinfomsg)))
			assert_int_equal(r, -EBADMSG);
		else
			assert_true(r == 0 || r == -EBADMSG);
		if (r < 0)
			assert_int_equal(link.ifindex, 0x5a5a5a5a); /* 'ret' untouched */
	}
	nlh->nlmsg_len = full;
	assert_int_equal(parse_exact(nlh, &link), 0);
}

/* Returns the first attribute of type 'type' in 'nlh', which must be there. */
static struct nlattr *attr_get(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(attr) == type)
			return attr;
	fail();
	return NULL;
}

static void test_parse_malformed(void **state)
{
	_Alignas(struct nlmsghdr) char buf[512];
	struct nlmsghdr *nlh;
	struct nlattr *attr;
	struct ifinfomsg *ifi;
	struct nl_link_info link;

	/* IFLA_MTU of 2 bytes instead of 4 */
	nlh = link_msg(buf);
	attr = attr_get(nlh, IFLA_MTU);
	attr->nla_len = MNL_ATTR_HDRLEN + 2;
	assert_int_equal(parse_exact(nlh, &link), -EBADMSG);

	/* IFLA_IFNAME without its NUL */
	nlh = link_msg(buf);
	attr = attr_get(nlh, IFLA_IFNAME);
	attr->nla_len = MNL_ATTR_HDRLEN + 2;
	assert_int_equal(parse_exact(nlh, &link), -EBADMSG);

	/* IFLA_IFNAME of IFNAMSIZ characters */
	nlh = link_msg(buf);
	nlh->nlmsg_len -= MNL_ALIGN(attr_get(nlh, IFLA_LINKINFO)->nla_len);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "kn-0123456789abc");
	assert_int_equal(parse_exact(nlh, &link), -EBADMSG);

	/* the last attribute claims more bytes than the message has */
	nlh = link_msg(buf);
	attr = attr_get(nlh, IFLA_LINKINFO);
	attr->nla_len += 8;
	assert_int_equal(parse_exact(nlh, &link), -EBADMSG);

	/* an attribute shorter than its own header */
	nlh = link_msg(buf);
	attr_get(nlh, IFLA_MTU)->nla_len = 2;
	assert_int_equal(parse_exact(nlh, &link), -EBADMSG);

	/* inside the nest: IFLA_INFO_KIND without its NUL */
	nlh = link_msg(buf);
	attr = mnl_attr_get_payload(attr_get(nlh, IFLA_LINKINFO));
	attr->nla_len = MNL_ATTR_HDRLEN + 4;
	assert_int_equal(parse_exact(nlh, &link), -EBADMSG);

	/* no such thing as ifindex 0 */
	nlh = link_msg(buf);
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_index = 0;
	assert_int_equal(parse_exact(nlh, &link), -EBADMSG);

	/* attributes unknown to the policy, even beyond IFLA_MAX, are skipped */
	nlh = link_msg(buf);
	mnl_attr_put_u16(nlh, IFLA_MAX + 7, 1);
	mnl_attr_put_u16(nlh, IFLA_TXQLEN, 1); /* not in the policy: size not checked */
	assert_int_equal(parse_exact(nlh, &link), 0);
	assert_int_equal(link.mtu, 9000);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_bridge_create_read),
		cmocka_unit_test(test_bridge_duplicate),
		cmocka_unit_test(test_link_missing),
		cmocka_unit_test(test_link_mtu_up),
		cmocka_unit_test(test_link_master),
		cmocka_unit_test(test_link_dump_stop),
		cmocka_unit_test(test_addr_route),
		cmocka_unit_test(test_addr_route_spec),
		cmocka_unit_test(test_inet6_spec),
		cmocka_unit_test(test_monitor),
	};

	int r = kernel_test_enter_netns(false);

	if (r != 0)
		return r;
	return cmocka_run_group_tests(tests, kernel_test_nl_setup, kernel_test_nl_teardown);
}
