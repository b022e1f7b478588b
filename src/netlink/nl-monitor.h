/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A non-blocking rtnetlink socket subscribed to RTNLGRP_LINK (and IPv4 addresses), digesting
 * kernel notifications into change structs for the daemon's event loop (after OVS's
 * rtnetlink_change). On ENOBUFS (lost notifications) the callback gets NL_CHANGE_RESYNC.
 */
#ifndef KN_NETLINK_NL_MONITOR_H
#define KN_NETLINK_NL_MONITOR_H

#include "netlink/nl-link.h"
#include "netlink/nl-route.h"

enum nl_change_type {
	NL_CHANGE_LINK_NEW,   /* a link appeared or changed */
	NL_CHANGE_LINK_DEL,   /* a link went away */
	NL_CHANGE_ADDR,       /* an IPv4 address was added or removed on 'link.ifindex' */
	NL_CHANGE_ROUTE_NEW,  /* an IPv4/IPv6 route was added ('replace': it replaced one) */
	NL_CHANGE_ROUTE_DEL,  /* an IPv4/IPv6 route was removed */
	NL_CHANGE_RESYNC,     /* notifications were lost: re-read everything */
};

struct nl_change {
	enum nl_change_type type;
	struct nl_link_info link;  /* LINK_*: the link; ADDR: only ifindex set */
	struct nl_route_info route; /* ROUTE_* */
	bool replace;               /* ROUTE_NEW: NLM_F_REPLACE */
};

typedef void (*nl_change_fn)(const struct nl_change *c, void *data);

struct nl_monitor;

/*
 * Opens the notification socket (NONBLOCK, CLOEXEC, receive buffer enlarged when allowed).
 * 'cb' gets every change from nl_monitor_process(), with 'data'; it must not free the monitor.
 * Returns 0 and sets '*ret', -ENOMEM, or the socket's -errno.
 */
int nl_monitor_new(nl_change_fn cb, void *data, struct nl_monitor **ret);
/* Closes and frees 'm'; accepts NULL; returns NULL. */
struct nl_monitor *nl_monitor_free(struct nl_monitor *m);
/* The socket to watch for EPOLLIN. */
int nl_monitor_fd(const struct nl_monitor *m);
/* Reads and dispatches every pending notification without blocking. Returns 0 or -errno. */
int nl_monitor_process(struct nl_monitor *m);

#endif
