/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kernel-test-util.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "netlink/nl-sock.h"

int kernel_test_enter_netns(bool need_tun)
{
	if (geteuid() != 0) {
		printf("skipping: needs root for a network namespace of its own\n");
		return 77;
	}
	if (need_tun && access("/dev/net/tun", R_OK | W_OK) < 0) {
		printf("skipping: no usable /dev/net/tun (CONFIG_TUN): %m\n");
		return 77;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		printf("skipping: unshare(CLONE_NEWNET) failed: %m\n");
		return 77;
	}
	return 0;
}

int kernel_test_veth_create(struct nl_sock *s, const char *a, const char *b)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlattr *linkinfo, *info_data, *peer;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, a);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	info_data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* the peer's attributes follow an ifinfomsg of its own */
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, b);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, info_data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nl_sock_transact(s, nlh, NULL, NULL);
}

int kernel_test_nl_setup(void **state)
{
	struct nl_sock *s;

	if (nl_sock_new(&s) < 0)
		return -1;
	*state = s;
	return 0;
}

int kernel_test_nl_teardown(void **state)
{
	nl_sock_free(*state);
	return 0;
}
