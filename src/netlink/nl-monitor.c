/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rtnetlink notification socket of nl-monitor.h: subscribed to link, IPv4 address and IPv4
 * route changes, drained without blocking from the daemon's event loop, each notification digested
 * into a struct nl_change with nl_link_parse() from nl-link.
 */
#include "netlink/nl-monitor.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "shared/alloc-util.h"
#include "shared/log.h"

/* Room for one notification: a link message is a few KiB, more with many VFs. */
#define NL_MONITOR_BUFSIZE (64u * 1024)
/*
 * Socket receive buffer. The default (rmem_default, ~200 KiB) overflows when a burst of
 * changes lands at once, such as a host stopping dozens of guests, each taking its taps along.
 */
#define NL_MONITOR_RCVBUF (8 * 1024 * 1024)

struct nl_monitor {
	struct mnl_socket *nl;
	nl_change_fn cb;
	void *data;
	_Alignas(struct nlmsghdr) char buf[NL_MONITOR_BUFSIZE];
};

static void nl_monitor_grow_rcvbuf(struct nl_monitor *m)
{
	int fd = mnl_socket_get_fd(m->nl), size = NL_MONITOR_RCVBUF;

	/* SO_RCVBUFFORCE may exceed net.core.rmem_max but needs CAP_NET_ADMIN; SO_RCVBUF is
	 * silently capped at rmem_max */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) >= 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0)
		log_debug_errno(-errno, "nl-monitor: cannot set SO_RCVBUF: %m, ignoring");
}

DEFINE_FREE_FUNC(struct nl_monitor, nl_monitor_free)

int nl_monitor_new(nl_change_fn cb, void *data, struct nl_monitor **ret)
{
	_cleanup_(nl_monitor_freep) struct nl_monitor *m = NULL;

	assert(cb);
	assert(ret);

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->cb = cb;
	m->data = data;

	m->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!m->nl)
		return negative_errno();
	if (mnl_socket_bind(m->nl,
			    RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE,
			    MNL_SOCKET_AUTOPID) < 0)
		return negative_errno();
	nl_monitor_grow_rcvbuf(m);

	*ret = TAKE_PTR(m);
	return 0;
}

struct nl_monitor *nl_monitor_free(struct nl_monitor *m)
{
	if (!m)
		return NULL;
	if (m->nl)
		mnl_socket_close(m->nl);
	free(m);
	return NULL;
}

int nl_monitor_fd(const struct nl_monitor *m)
{
	assert(m);
	return mnl_socket_get_fd(m->nl);
}

static void nl_monitor_emit(struct nl_monitor *m, enum nl_change_type type,
			    const struct nl_link_info *link)
{
	struct nl_change c = { .type = type };

	if (link)
		c.link = *link;
	m->cb(&c, m->data);
}

static int nl_monitor_link(struct nl_monitor *m, const struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct nl_link_info link;
	int r;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return -EBADMSG;
	/*
	 * The bridge also reports its ports on RTNLGRP_LINK, as AF_BRIDGE messages: a port being
	 * released from its bridge comes as an AF_BRIDGE RTM_DELLINK while the link lives on.
	 * Only AF_UNSPEC messages speak about the link itself.
	 */
	if (ifi->ifi_family != AF_UNSPEC)
		return 0;
	r = nl_link_parse(nlh, &link);
	if (r < 0)
		return r;
	nl_monitor_emit(m, nlh->nlmsg_type == RTM_NEWLINK ? NL_CHANGE_LINK_NEW : NL_CHANGE_LINK_DEL,
			&link);
	return 0;
}

static int nl_monitor_addr(struct nl_monitor *m, const struct nlmsghdr *nlh)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct nl_link_info link = { 0 };

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
		return -EBADMSG;
	if (ifa->ifa_family != AF_INET)
		return 0;
	if (ifa->ifa_index == 0 || ifa->ifa_index > INT32_MAX)
		return -EBADMSG;
	link.ifindex = (int)ifa->ifa_index;
	nl_monitor_emit(m, NL_CHANGE_ADDR, &link);
	return 0;
}

static int nl_monitor_route(struct nl_monitor *m, const struct nlmsghdr *nlh)
{
	struct nl_change c = { .replace = !!(nlh->nlmsg_flags & NLM_F_REPLACE) };
	int r = nl_route_parse(nlh, &c.route);

	if (r <= 0)
		return r;
	c.type = nlh->nlmsg_type == RTM_NEWROUTE ? NL_CHANGE_ROUTE_NEW : NL_CHANGE_ROUTE_DEL;
	m->cb(&c, m->data);
	return 0;
}

static int nl_monitor_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_monitor *m = data;
	int r = 0;

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		r = nl_monitor_link(m, nlh);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		r = nl_monitor_addr(m, nlh);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		r = nl_monitor_route(m, nlh);
		break;
	default:
		break;
	}

	/* A notification we cannot read is a change we do not know: have everything re-read
	 * rather than carry on with a stale picture. */
	if (r < 0) {
		log_debug_errno(r, "nl-monitor: malformed notification (type %u): %m",
				(unsigned int)nlh->nlmsg_type);
		nl_monitor_emit(m, NL_CHANGE_RESYNC, NULL);
	}
	return MNL_CB_OK;
}

int nl_monitor_process(struct nl_monitor *m)
{
	assert(m);

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(m->nl, m->buf, sizeof(m->buf));

		if (n < 0) {
			switch (errno) {
			case EAGAIN:
				return 0;
			case EINTR:
				continue;
			case ENOBUFS:
				/* the receive buffer overflowed and the kernel dropped
				 * notifications; the socket itself stays fine */
			case ENOSPC:
				/* libmnl: a notification did not fit in 'buf' and was cut */
				log_debug_errno(-errno, "nl-monitor: notifications lost: %m");
				nl_monitor_emit(m, NL_CHANGE_RESYNC, NULL);
				continue;
			default:
				return negative_errno();
			}
		}

		/* seq and port id 0: notifications carry those of whoever caused the change */
		if (mnl_cb_run(m->buf, (size_t)n, 0, 0, nl_monitor_msg_cb, m) < 0)
			nl_monitor_emit(m, NL_CHANGE_RESYNC, NULL);
	}
}
