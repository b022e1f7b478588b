/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of uplink-bridge.h. The move runs as a list of steps; each step done is pushed
 * on an undo stack, and a failure pops and undoes them in reverse, so the NIC ends exactly as it
 * was. The order keeps each step valid for the kernel: the bridge is made down, the NIC's routes
 * go before its addresses (a route's gateway and source need them), the NIC becomes a port, the
 * bridge comes up, and only then take the addresses and routes (link-scope routes before the
 * routes whose gateway they reach).
 */
#include "uplink-bridge.h"

#include <assert.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "daemon/lan/uplink-marker.h"
#include "daemon/manager-core.h"
#include "daemon/network-types.h"
#include "daemon/state-dir.h"
#include "netlink/nl-addr.h"
#include "netlink/nl-inet6.h"
#include "netlink/nl-link.h"
#include "netlink/nl-route.h"
#include "netlink/nl-sock.h"
#include "shared/alloc-util.h"
#include "shared/in-addr-util.h"
#include "shared/log.h"

enum uplink_step {
	UPLINK_STEP_BRIDGE,       /* the bridge made */
	UPLINK_STEP_ROUTE_DEL,    /* route 'index' taken off the NIC */
	UPLINK_STEP_ADDR_DEL,     /* address 'index' taken off the NIC */
	UPLINK_STEP_UPLINK_UP,    /* the NIC brought up */
	UPLINK_STEP_ENSLAVE,      /* the NIC made a port of the bridge */
	UPLINK_STEP_BRIDGE_UP,
	UPLINK_STEP_ADDR_ADD,     /* address 'index' put on the bridge */
	UPLINK_STEP_ROUTE_ADD,    /* route 'index' put on the bridge */
	UPLINK_STEP_ROUTE6_DEL,   /* the same for the IPv6 ones */
	UPLINK_STEP_ADDR6_DEL,
	UPLINK_STEP_ADDR6_ADD,
	UPLINK_STEP_ROUTE6_ADD,
};

#define UPLINK_STEPS_MAX                                                                    \
	(4 + 2 * UPLINK_MARKER_ADDR_MAX + 2 * UPLINK_MARKER_ROUTE_MAX +                      \
	 2 * UPLINK_MARKER_ADDR6_MAX + 2 * UPLINK_MARKER_ROUTE6_MAX)

struct uplink_move {
	struct manager *m;
	struct uplink_marker *mk;
	int uplink_ifindex, bridge_ifindex;
	char bridge_labels[UPLINK_MARKER_ADDR_MAX][IFNAMSIZ];
	size_t n_done;
	struct {
		enum uplink_step step;
		size_t index;
	} done[UPLINK_STEPS_MAX];
};

static const char *state_path(struct manager *m)
{
	return state_dir_path(m->state);
}

bool uplink_bridge_is_ours(struct manager *m, const char *name)
{
	return uplink_marker_exists(state_path(m), name);
}

struct uplink_read {
	struct uplink_marker *mk;
	char *err;
	size_t errlen;
};

static int uplink_addr_cb(const struct nl_addr_info *a, void *data)
{
	struct uplink_read *rd = data;

	if (rd->mk->n_addrs >= UPLINK_MARKER_ADDR_MAX) {
		snprintf(rd->err, rd->errlen, "uplink '%s' has more than %d IPv4 addresses",
			 rd->mk->uplink, UPLINK_MARKER_ADDR_MAX);
		return -E2BIG;
	}
	rd->mk->addrs[rd->mk->n_addrs++] = *a;
	return 0;
}

static int uplink_route_cb(const struct nl_route_spec *r, void *data)
{
	struct uplink_read *rd = data;
	char dst[IN_PREFIX_STRLEN];

	/* the kernel's own (connected, local, broadcast) come back with the addresses */
	if (r->base.protocol == RTPROT_KERNEL)
		return 0;
	if (r->complex) {
		snprintf(rd->err, rd->errlen, "uplink '%s' has a route to %s (table %u) that kvmnet "
			 "cannot move (multipath, nexthop object, encapsulation or realm)",
			 rd->mk->uplink, in_prefix_to_string(&r->base.dst, dst), r->base.table);
		return -EOPNOTSUPP;
	}
	if (rd->mk->n_routes >= UPLINK_MARKER_ROUTE_MAX) {
		snprintf(rd->err, rd->errlen, "uplink '%s' has more than %d IPv4 routes",
			 rd->mk->uplink, UPLINK_MARKER_ROUTE_MAX);
		return -E2BIG;
	}
	rd->mk->routes[rd->mk->n_routes++] = *r;
	return 0;
}

/* Static IPv6 addresses only: SLAAC, temporary and link-local ones the bridge makes itself. */
static int uplink_addr6_cb(const struct nl_addr6_info *a, void *data)
{
	struct uplink_read *rd = data;

	if (a->scope != RT_SCOPE_UNIVERSE || !(a->flags & IFA_F_PERMANENT) ||
	    (a->flags & (IFA_F_TEMPORARY | IFA_F_DADFAILED)))
		return 0;
	if (rd->mk->n_addrs6 >= UPLINK_MARKER_ADDR6_MAX) {
		snprintf(rd->err, rd->errlen, "uplink '%s' has more than %d static IPv6 addresses",
			 rd->mk->uplink, UPLINK_MARKER_ADDR6_MAX);
		return -E2BIG;
	}
	rd->mk->addrs6[rd->mk->n_addrs6++] = *a;
	return 0;
}

/* Static IPv6 routes only: the kernel's and router advertisements' come back by themselves. */
static int uplink_route6_cb(const struct nl_route6_spec *r, void *data)
{
	struct uplink_read *rd = data;
	char dst[INET6_ADDRSTRLEN];

	if (r->protocol == RTPROT_KERNEL || r->protocol == RTPROT_RA ||
	    r->protocol == RTPROT_REDIRECT || r->table == RT_TABLE_LOCAL ||
	    (r->type != RTN_UNICAST && !r->complex))
		return 0;
	if (r->complex) {
		snprintf(rd->err, rd->errlen, "uplink '%s' has an IPv6 route to %s/%u (table %u) "
			 "that kvmnet cannot move (multipath, nexthop object, encapsulation, source "
			 "prefix or lifetime)", rd->mk->uplink,
			 inet_ntop(AF_INET6, &r->dst, dst, sizeof(dst)), r->dst_len, r->table);
		return -EOPNOTSUPP;
	}
	if (rd->mk->n_routes6 >= UPLINK_MARKER_ROUTE6_MAX) {
		snprintf(rd->err, rd->errlen, "uplink '%s' has more than %d static IPv6 routes",
			 rd->mk->uplink, UPLINK_MARKER_ROUTE6_MAX);
		return -E2BIG;
	}
	rd->mk->routes6[rd->mk->n_routes6++] = *r;
	return 0;
}

/* Routes without a gateway first: a gateway must be reachable when its route is made. */
static void uplink_routes6_sort(struct uplink_marker *mk)
{
	static const struct in6_addr any = IN6ADDR_ANY_INIT;

	for (size_t i = 1; i < mk->n_routes6; i++) {
		struct nl_route6_spec r = mk->routes6[i];
		bool direct = memcmp(&r.gateway, &any, sizeof(any)) == 0;
		size_t j = i;

		for (; j > 0 && direct && memcmp(&mk->routes6[j - 1].gateway, &any, sizeof(any)) != 0;
		     j--)
			mk->routes6[j] = mk->routes6[j - 1];
		mk->routes6[j] = r;
	}
}

/* Host and link scope first (254, 253, ... 0): a gateway must be reachable when its route is
 * made. Stable, so routes of one scope keep the kernel's order. */
static void uplink_routes_sort(struct uplink_marker *mk)
{
	for (size_t i = 1; i < mk->n_routes; i++) {
		struct nl_route_spec r = mk->routes[i];
		size_t j = i;

		for (; j > 0 && mk->routes[j - 1].scope < r.scope; j--)
			mk->routes[j] = mk->routes[j - 1];
		mk->routes[j] = r;
	}
}

/* The label an address of the NIC gets on the bridge: "lan0:web" becomes "BRIDGE:web". */
static int uplink_bridge_label(const struct uplink_marker *mk, const char *label, char *out,
			       char *err, size_t errlen)
{
	size_t n = strlen(mk->uplink);

	out[0] = '\0';
	if (!label[0] || strcmp(label, mk->uplink) == 0)
		return 0;
	if (strncmp(label, mk->uplink, n) != 0 || label[n] != ':' ||
	    strlen(mk->bridge) + strlen(label + n) >= IFNAMSIZ) {
		snprintf(err, errlen, "address label '%s' of uplink '%s' has no equivalent on "
			 "bridge '%s'", label, mk->uplink, mk->bridge);
		return -EINVAL;
	}
	/* fits: checked above */
	strcpy(out, mk->bridge);
	strcat(out, label + n);
	return 0;
}

/* Reads the NIC (one link, its addresses and its routes, each a filtered request) into the
 * marker, and refuses NICs kvmnet must not move. Changes nothing. */
static int uplink_read(struct manager *m, const struct network *n, struct uplink_move *mv,
		       struct nl_link_info *nic, char *err, size_t errlen)
{
	struct uplink_marker *mk = mv->mk;
	struct uplink_read rd = { .mk = mk, .err = err, .errlen = errlen };
	int r;

	r = nl_link_get_by_name(m->nl, n->config.uplink, nic);
	if (r == -ENODEV) {
		snprintf(err, errlen, "uplink '%s' does not exist", n->config.uplink);
		return r;
	}
	if (r < 0) {
		snprintf(err, errlen, "failed to read uplink '%s': %s", n->config.uplink,
			 strerror(-r));
		return r;
	}
	if (strcmp(nic->kind, "bridge") == 0) {
		snprintf(err, errlen, "uplink '%s' is a bridge: use --bridge %s", nic->name,
			 nic->name);
		return -EINVAL;
	}
	if (nic->master > 0) {
		struct nl_link_info master = { 0 };

		(void)nl_link_get_by_index(m->nl, nic->master, &master);
		snprintf(err, errlen, "uplink '%s' is a port of '%s' already (use --bridge %s)",
			 nic->name, master.name[0] ? master.name : "another device",
			 master.name[0] ? master.name : "BRIDGE");
		return -EBUSY;
	}
	snprintf(mk->uplink, sizeof(mk->uplink), "%s", nic->name);
	snprintf(mk->bridge, sizeof(mk->bridge), "%s", n->config.bridge);
	mk->uplink_was_up = nic->up;
	r = nl_addr_dump(m->nl, nic->ifindex, uplink_addr_cb, &rd);
	if (r >= 0)
		r = nl_route_dump_oif(m->nl, nic->ifindex, uplink_route_cb, &rd);
	if (r >= 0)
		r = nl_addr6_dump(m->nl, nic->ifindex, uplink_addr6_cb, &rd);
	if (r >= 0)
		r = nl_route6_dump_oif(m->nl, nic->ifindex, uplink_route6_cb, &rd);
	if (r < 0) {
		if (r != -E2BIG && r != -EOPNOTSUPP)
			snprintf(err, errlen, "failed to read the addresses and routes of uplink "
				 "'%s': %s", nic->name, strerror(-r));
		return r;
	}
	uplink_routes_sort(mk);
	uplink_routes6_sort(mk);
	for (size_t i = 0; i < mk->n_addrs; i++) {
		r = uplink_bridge_label(mk, mk->addrs[i].label, mv->bridge_labels[i], err, errlen);
		if (r < 0)
			return r;
	}
	mv->uplink_ifindex = nic->ifindex;
	return 0;
}

/* What a failed step was doing, for the one-line error. */
static void uplink_step_describe(const struct uplink_move *mv, enum uplink_step step, size_t i,
				 char *buf, size_t len)
{
	const struct uplink_marker *mk = mv->mk;
	char a[IN_PREFIX_STRLEN], a6[INET6_ADDRSTRLEN];

	switch (step) {
	case UPLINK_STEP_BRIDGE:
		snprintf(buf, len, "creating bridge '%s'", mk->bridge);
		break;
	case UPLINK_STEP_ROUTE_DEL:
	case UPLINK_STEP_ROUTE_ADD:
		snprintf(buf, len, "%s route %s (table %u) %s '%s'",
			 step == UPLINK_STEP_ROUTE_DEL ? "removing" : "adding",
			 in_prefix_to_string(&mk->routes[i].base.dst, a), mk->routes[i].base.table,
			 step == UPLINK_STEP_ROUTE_DEL ? "from" : "to",
			 step == UPLINK_STEP_ROUTE_DEL ? mk->uplink : mk->bridge);
		break;
	case UPLINK_STEP_ADDR_DEL:
	case UPLINK_STEP_ADDR_ADD: {
		struct in_prefix p = { .addr = mk->addrs[i].addr, .prefixlen = mk->addrs[i].prefixlen };
		snprintf(buf, len, "%s address %s %s '%s'",
			 step == UPLINK_STEP_ADDR_DEL ? "removing" : "adding",
			 in_prefix_to_string(&p, a), step == UPLINK_STEP_ADDR_DEL ? "from" : "to",
			 step == UPLINK_STEP_ADDR_DEL ? mk->uplink : mk->bridge);
		break;
	}
	case UPLINK_STEP_ROUTE6_DEL:
	case UPLINK_STEP_ROUTE6_ADD:
		inet_ntop(AF_INET6, &mk->routes6[i].dst, a6, sizeof(a6));
		snprintf(buf, len, "%s IPv6 route %s/%u (table %u) %s '%s'",
			 step == UPLINK_STEP_ROUTE6_DEL ? "removing" : "adding", a6,
			 mk->routes6[i].dst_len, mk->routes6[i].table,
			 step == UPLINK_STEP_ROUTE6_DEL ? "from" : "to",
			 step == UPLINK_STEP_ROUTE6_DEL ? mk->uplink : mk->bridge);
		break;
	case UPLINK_STEP_ADDR6_DEL:
	case UPLINK_STEP_ADDR6_ADD:
		inet_ntop(AF_INET6, &mk->addrs6[i].addr, a6, sizeof(a6));
		snprintf(buf, len, "%s address %s/%u %s '%s'",
			 step == UPLINK_STEP_ADDR6_DEL ? "removing" : "adding", a6,
			 mk->addrs6[i].prefixlen, step == UPLINK_STEP_ADDR6_DEL ? "from" : "to",
			 step == UPLINK_STEP_ADDR6_DEL ? mk->uplink : mk->bridge);
		break;
	case UPLINK_STEP_UPLINK_UP:
		snprintf(buf, len, "bringing '%s' up", mk->uplink);
		break;
	case UPLINK_STEP_ENSLAVE:
		snprintf(buf, len, "adding '%s' to bridge '%s'", mk->uplink, mk->bridge);
		break;
	case UPLINK_STEP_BRIDGE_UP:
		snprintf(buf, len, "bringing '%s' up", mk->bridge);
		break;
	}
}

static int uplink_step_do(struct uplink_move *mv, enum uplink_step step, size_t i)
{
	struct nl_sock *nl = mv->m->nl;
	struct uplink_marker *mk = mv->mk;
	int r;

	switch (step) {
	case UPLINK_STEP_BRIDGE:
		/* the NIC's MTU and MAC: the LAN's DHCP server and ARP caches keep knowing it */
		r = nl_bridge_create(nl, mk->bridge, 0, &mv->bridge_ifindex);
		if (r >= 0) {
			struct nl_link_info nic;
			r = nl_link_get_by_index(nl, mv->uplink_ifindex, &nic);
			if (r >= 0)
				r = nl_link_set_mtu(nl, mv->bridge_ifindex, nic.mtu);
			if (r >= 0)
				r = nl_link_set_mac(nl, mv->bridge_ifindex, nic.mac);
			if (r < 0)
				(void)nl_link_delete(nl, mv->bridge_ifindex);
		}
		return r;
	case UPLINK_STEP_ROUTE_DEL:
		return nl_route_del_spec(nl, &mk->routes[i]);
	case UPLINK_STEP_ADDR_DEL:
		return nl_addr_del(nl, mv->uplink_ifindex, mk->addrs[i].addr, mk->addrs[i].prefixlen);
	case UPLINK_STEP_UPLINK_UP:
		return nl_link_set_up(nl, mv->uplink_ifindex, true);
	case UPLINK_STEP_ENSLAVE:
		return nl_link_set_master(nl, mv->uplink_ifindex, mv->bridge_ifindex);
	case UPLINK_STEP_BRIDGE_UP:
		return nl_link_set_up(nl, mv->bridge_ifindex, true);
	case UPLINK_STEP_ADDR_ADD:
		return nl_addr_add_info(nl, mv->bridge_ifindex, &mk->addrs[i], mv->bridge_labels[i]);
	case UPLINK_STEP_ROUTE_ADD:
		return nl_route_add_spec(nl, &mk->routes[i], mv->bridge_ifindex);
	case UPLINK_STEP_ROUTE6_DEL:
		return nl_route6_del(nl, &mk->routes6[i], mv->uplink_ifindex);
	case UPLINK_STEP_ADDR6_DEL:
		return nl_addr6_del(nl, mv->uplink_ifindex, &mk->addrs6[i]);
	case UPLINK_STEP_ADDR6_ADD:
		/* no duplicate address detection: this host held the address on this LAN a moment
		 * ago, and a tentative address would hold back routes using it as source */
		return nl_addr6_add(nl, mv->bridge_ifindex, &mk->addrs6[i], IFA_F_NODAD);
	case UPLINK_STEP_ROUTE6_ADD:
		return nl_route6_add(nl, &mk->routes6[i], mv->bridge_ifindex);
	}
	return -EINVAL;
}

static int uplink_step_undo(struct uplink_move *mv, enum uplink_step step, size_t i)
{
	struct nl_sock *nl = mv->m->nl;
	struct uplink_marker *mk = mv->mk;
	struct nl_route_spec on_bridge;

	switch (step) {
	case UPLINK_STEP_BRIDGE:
		return nl_link_delete(nl, mv->bridge_ifindex);
	case UPLINK_STEP_ROUTE_DEL:
		return nl_route_add_spec(nl, &mk->routes[i], mv->uplink_ifindex);
	case UPLINK_STEP_ADDR_DEL:
		return nl_addr_add_info(nl, mv->uplink_ifindex, &mk->addrs[i], mk->addrs[i].label);
	case UPLINK_STEP_UPLINK_UP:
		return nl_link_set_up(nl, mv->uplink_ifindex, false);
	case UPLINK_STEP_ENSLAVE:
		return nl_link_set_master(nl, mv->uplink_ifindex, 0);
	case UPLINK_STEP_BRIDGE_UP:
		return nl_link_set_up(nl, mv->bridge_ifindex, false);
	case UPLINK_STEP_ADDR_ADD:
		return nl_addr_del(nl, mv->bridge_ifindex, mk->addrs[i].addr, mk->addrs[i].prefixlen);
	case UPLINK_STEP_ROUTE_ADD:
		on_bridge = mk->routes[i];
		on_bridge.base.oif = mv->bridge_ifindex;
		return nl_route_del_spec(nl, &on_bridge);
	case UPLINK_STEP_ROUTE6_DEL:
		return nl_route6_add(nl, &mk->routes6[i], mv->uplink_ifindex);
	case UPLINK_STEP_ADDR6_DEL:
		return nl_addr6_add(nl, mv->uplink_ifindex, &mk->addrs6[i], 0);
	case UPLINK_STEP_ADDR6_ADD:
		return nl_addr6_del(nl, mv->bridge_ifindex, &mk->addrs6[i]);
	case UPLINK_STEP_ROUTE6_ADD:
		return nl_route6_del(nl, &mk->routes6[i], mv->bridge_ifindex);
	}
	return -EINVAL;
}

static int uplink_step(struct uplink_move *mv, enum uplink_step step, size_t i, char *err,
		       size_t errlen)
{
	char what[128];
	int r;

	assert(mv->n_done < UPLINK_STEPS_MAX);
	r = uplink_step_do(mv, step, i);
	if (r < 0) {
		const char *why = nl_sock_error_message(mv->m->nl);

		uplink_step_describe(mv, step, i, what, sizeof(what));
		snprintf(err, errlen, "failed to move uplink '%s' into bridge '%s': %s: %s%s%s%s",
			 mv->mk->uplink, mv->mk->bridge, what, strerror(-r), why[0] ? " (" : "",
			 why, why[0] ? ")" : "");
		return r;
	}
	mv->done[mv->n_done].step = step;
	mv->done[mv->n_done].index = i;
	mv->n_done++;
	return 0;
}

/* Pops the undo stack; returns the first error (every step is still tried). */
static int uplink_move_undo(struct uplink_move *mv)
{
	int ret = 0;

	while (mv->n_done > 0) {
		mv->n_done--;
		enum uplink_step step = mv->done[mv->n_done].step;
		size_t i = mv->done[mv->n_done].index;
		int r = uplink_step_undo(mv, step, i);

		/* deleting the bridge took its port, addresses and routes with it */
		if (r < 0 && step == UPLINK_STEP_BRIDGE_UP && r == -ENODEV)
			r = 0;
		if (r < 0) {
			char what[128];
			uplink_step_describe(mv, step, i, what, sizeof(what));
			log_error_errno(r, "Failed to undo %s: %m", what);
			if (ret == 0)
				ret = r;
		}
	}
	return ret;
}

static int uplink_move_run(struct uplink_move *mv, char *err, size_t errlen)
{
	struct uplink_marker *mk = mv->mk;
	int r;

	r = uplink_step(mv, UPLINK_STEP_BRIDGE, 0, err, errlen);
	for (size_t i = mk->n_routes6; r >= 0 && i > 0; i--)
		r = uplink_step(mv, UPLINK_STEP_ROUTE6_DEL, i - 1, err, errlen);
	for (size_t i = mk->n_addrs6; r >= 0 && i > 0; i--)
		r = uplink_step(mv, UPLINK_STEP_ADDR6_DEL, i - 1, err, errlen);
	for (size_t i = mk->n_routes; r >= 0 && i > 0; i--)
		r = uplink_step(mv, UPLINK_STEP_ROUTE_DEL, i - 1, err, errlen);
	/* secondaries before their primary: deleting a primary takes its secondaries along */
	for (size_t i = mk->n_addrs; r >= 0 && i > 0; i--)
		r = uplink_step(mv, UPLINK_STEP_ADDR_DEL, i - 1, err, errlen);
	if (r >= 0 && !mk->uplink_was_up)
		r = uplink_step(mv, UPLINK_STEP_UPLINK_UP, 0, err, errlen);
	if (r >= 0)
		r = uplink_step(mv, UPLINK_STEP_ENSLAVE, 0, err, errlen);
	if (r >= 0)
		r = uplink_step(mv, UPLINK_STEP_BRIDGE_UP, 0, err, errlen);
	for (size_t i = 0; r >= 0 && i < mk->n_addrs; i++)
		r = uplink_step(mv, UPLINK_STEP_ADDR_ADD, i, err, errlen);
	for (size_t i = 0; r >= 0 && i < mk->n_routes; i++)
		r = uplink_step(mv, UPLINK_STEP_ROUTE_ADD, i, err, errlen);
	for (size_t i = 0; r >= 0 && i < mk->n_addrs6; i++)
		r = uplink_step(mv, UPLINK_STEP_ADDR6_ADD, i, err, errlen);
	for (size_t i = 0; r >= 0 && i < mk->n_routes6; i++)
		r = uplink_step(mv, UPLINK_STEP_ROUTE6_ADD, i, err, errlen);
	return r;
}

/* The move, from nothing: read, record, run; undone on any failure. */
static int uplink_bridge_make(struct manager *m, struct network *n, struct nl_link_info *link,
			      char *err, size_t errlen)
{
	_cleanup_free_ struct uplink_move *mv = calloc(1, sizeof(*mv));
	_cleanup_free_ struct uplink_marker *mk = calloc(1, sizeof(*mk));
	const char *name = n->config.name;
	struct nl_link_info nic;
	int r;

	if (!mv || !mk)
		return -ENOMEM;
	mv->m = m;
	mv->mk = mk;
	r = uplink_read(m, n, mv, &nic, err, errlen);
	if (r < 0)
		return r;

	/* recorded before the first kernel change: a crash from here on is undone on restart */
	r = uplink_marker_save(state_path(m), name, mk);
	if (r < 0) {
		snprintf(err, errlen, "failed to record the uplink move of network '%s': %s", name,
			 strerror(-r));
		return r;
	}
	r = uplink_move_run(mv, err, errlen);
	if (r >= 0) {
		mk->complete = true;
		r = uplink_marker_save(state_path(m), name, mk);
		if (r < 0)
			snprintf(err, errlen, "failed to record the uplink move of network '%s': %s",
				 name, strerror(-r));
	}
	if (r >= 0)
		r = nl_link_get_by_index(m->nl, mv->bridge_ifindex, link);
	if (r >= 0) {
		log_info("Network '%s': uplink '%s' moved into bridge '%s' with %zu+%zu "
			 "address(es) and %zu+%zu route(s) (IPv4+IPv6)", name, mk->uplink,
			 mk->bridge, mk->n_addrs, mk->n_addrs6, mk->n_routes, mk->n_routes6);
		return 0;
	}
	if (uplink_move_undo(mv) >= 0)
		(void)uplink_marker_remove(state_path(m), name);
	return r;
}

int uplink_bridge_setup(struct manager *m, struct network *n, struct nl_link_info *link,
			bool *created, char *err, size_t errlen)
{
	_cleanup_free_ struct uplink_marker *mk = NULL;
	int r;

	*created = false;
	r = uplink_marker_load(state_path(m), n->config.name, &mk);
	if (r >= 0 && mk->complete && strcmp(mk->bridge, n->config.bridge) == 0 &&
	    strcmp(mk->uplink, n->config.uplink) == 0) {
		struct nl_link_info nic;

		/* made earlier (a daemon restart): adopted if it is whole */
		if (nl_link_get_by_name(m->nl, mk->bridge, link) >= 0 &&
		    strcmp(link->kind, "bridge") == 0 &&
		    nl_link_get_by_name(m->nl, mk->uplink, &nic) >= 0 &&
		    nic.master == link->ifindex)
			return 0;
	}
	if (r >= 0 || r == -EBADMSG) {
		/* half made, or changed behind our back: put the NIC back, then start over */
		r = uplink_bridge_teardown(m, n, err, errlen);
		if (r < 0)
			return r;
	} else if (r != -ENOENT) {
		snprintf(err, errlen, "failed to read the uplink record of network '%s': %s",
			 n->config.name, strerror(-r));
		return r;
	}
	r = uplink_bridge_make(m, n, link, err, errlen);
	if (r < 0)
		return r;
	*created = true;
	return 0;
}

/* Deletes the bridge the marker names, if it still is a bridge. */
static int uplink_bridge_delete(struct manager *m, const struct uplink_marker *mk)
{
	struct nl_link_info br;
	int r;

	r = nl_link_get_by_name(m->nl, mk->bridge, &br);
	if (r >= 0 && strcmp(br.kind, "bridge") == 0)
		r = nl_link_delete(m->nl, br.ifindex);
	return r == -ENODEV ? 0 : r;
}

/* Gives the NIC back what the marker says it had; what is there already is left. */
static int uplink_restore(struct manager *m, const struct uplink_marker *mk, char *err,
			  size_t errlen)
{
	struct nl_link_info nic;
	char a[IN_PREFIX_STRLEN];
	int r, ret = 0;

	r = nl_link_get_by_name(m->nl, mk->uplink, &nic);
	if (r == -ENODEV) {
		log_warning("Uplink '%s' is gone: its addresses and routes are not given back",
			    mk->uplink);
		return 0;
	}
	if (r < 0) {
		snprintf(err, errlen, "failed to read uplink '%s': %s", mk->uplink, strerror(-r));
		return r;
	}
	if (nic.master > 0)
		(void)nl_link_set_master(m->nl, nic.ifindex, 0);
	if (!nic.up && mk->uplink_was_up)
		(void)nl_link_set_up(m->nl, nic.ifindex, true);
	for (size_t i = 0; i < mk->n_addrs; i++) {
		struct in_prefix p = { .addr = mk->addrs[i].addr, .prefixlen = mk->addrs[i].prefixlen };

		r = nl_addr_add_info(m->nl, nic.ifindex, &mk->addrs[i], mk->addrs[i].label);
		if (r < 0 && r != -EEXIST && ret == 0) {
			snprintf(err, errlen, "failed to give address %s back to uplink '%s': %s",
				 in_prefix_to_string(&p, a), mk->uplink, strerror(-r));
			ret = r;
		}
	}
	for (size_t i = 0; i < mk->n_routes; i++) {
		r = nl_route_add_spec(m->nl, &mk->routes[i], nic.ifindex);
		if (r < 0 && r != -EEXIST && ret == 0) {
			snprintf(err, errlen, "failed to give route %s (table %u) back to uplink "
				 "'%s': %s", in_prefix_to_string(&mk->routes[i].base.dst, a),
				 mk->routes[i].base.table, mk->uplink, strerror(-r));
			ret = r;
		}
	}
	for (size_t i = 0; i < mk->n_addrs6; i++) {
		r = nl_addr6_add(m->nl, nic.ifindex, &mk->addrs6[i], 0);
		if (r < 0 && r != -EEXIST && ret == 0) {
			snprintf(err, errlen, "failed to give an IPv6 address back to uplink '%s': %s",
				 mk->uplink, strerror(-r));
			ret = r;
		}
	}
	for (size_t i = 0; i < mk->n_routes6; i++) {
		r = nl_route6_add(m->nl, &mk->routes6[i], nic.ifindex);
		if (r < 0 && r != -EEXIST && ret == 0) {
			snprintf(err, errlen, "failed to give an IPv6 route back to uplink '%s': %s",
				 mk->uplink, strerror(-r));
			ret = r;
		}
	}
	if (!mk->uplink_was_up)
		(void)nl_link_set_up(m->nl, nic.ifindex, false);
	return ret;
}

int uplink_bridge_teardown(struct manager *m, struct network *n, char *err, size_t errlen)
{
	_cleanup_free_ struct uplink_marker *mk = NULL;
	const char *name = n->config.name;
	int r;

	r = uplink_marker_load(state_path(m), name, &mk);
	if (r == -ENOENT)
		return 0;
	if (r == -EBADMSG) {
		/* nothing to put the NIC back from: say where, rather than guess */
		snprintf(err, errlen, "the uplink record %s/uplinks/%s.json of network '%s' is "
			 "damaged: check uplink '%s' and bridge '%s' by hand, then remove the file",
			 state_path(m), name, name, n->config.uplink, n->config.bridge);
		return r;
	}
	if (r < 0) {
		snprintf(err, errlen, "failed to read the uplink record of network '%s': %s", name,
			 strerror(-r));
		return r;
	}
	/* the bridge first: it takes its addresses and routes along, and frees the NIC */
	r = uplink_bridge_delete(m, mk);
	if (r < 0) {
		snprintf(err, errlen, "failed to delete bridge '%s': %s", mk->bridge, strerror(-r));
		return r;
	}
	r = uplink_restore(m, mk, err, errlen);
	if (r < 0)
		return r;
	r = uplink_marker_remove(state_path(m), name);
	if (r < 0)
		log_warning_errno(r, "Failed to remove the uplink record of network '%s': %m, "
				  "ignoring", name);
	log_info("Network '%s': bridge '%s' deleted, uplink '%s' has its %zu address(es) and "
		 "%zu route(s) back", name, mk->bridge, mk->uplink, mk->n_addrs, mk->n_routes);
	return 0;
}
