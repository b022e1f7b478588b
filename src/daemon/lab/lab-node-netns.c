/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The netns node kind (lab-node.h): a network namespace "kl-LAB-NODE" under the daemon's netns
 * folder (/run/netns unless kvmnetd --netns-dir), one veth per nic whose host end is a port of
 * the network's bridge and whose node end is eth0, eth1... in 'nics' order, static addresses
 * and the default route set over netlink inside, DHCP nics served by lab-dhcp.c, and the node's
 * 'listen' ports held open by the daemon (accept and close) so that TCP checks find them open.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include "daemon/lab/lab-dhcp.h"
#include "daemon/lab/lab-engine.h"
#include "daemon/lab/lab-node.h"
#include "daemon/manager-core.h"
#include "daemon/network-types.h"
#include "event/event.h"
#include "netlink/nl-addr.h"
#include "netlink/nl-link.h"
#include "netlink/nl-netns.h"
#include "netlink/nl-route.h"
#include "netlink/nl-sock.h"
#include "shared/alloc-util.h"
#include "shared/fd-util.h"
#include "shared/in-addr-util.h"
#include "shared/log.h"

struct netns_data {
	int listen_fd[LAB_LISTEN_MAX];
	struct event_source *listen_src[LAB_LISTEN_MAX];
	size_t n_listen;
	bool have_default_route;
};

static const char *netns_dir(const struct lab_node_run *n)
{
	return n->lab->engine->netns_dir;
}

static int netns_plan(struct lab_node_run *n, json_t *record)
{
	json_t *ports = json_array();

	for (size_t i = 0; ports && i < n->n_nics; i++)
		if (json_array_append_new(ports, json_string(n->nics[i].host_ifname)) < 0) {
			json_decref(ports);
			return -ENOMEM;
		}
	if (!ports || json_object_set_new(record, "namespace", json_string(n->ns_name)) < 0 ||
	    json_object_set_new(record, "ports", ports) < 0)
		return -ENOMEM;
	return 0;
}

static int on_accept(struct event_source *s, int fd, uint32_t revents, void *data)
{
	for (int i = 0; i < 16; i++) {
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (c < 0)
			break;
		close(c);
	}
	return 0;
}

static void listeners_stop(struct netns_data *d)
{
	for (size_t i = 0; i < d->n_listen; i++) {
		d->listen_src[i] = event_source_free(d->listen_src[i]);
		safe_close(d->listen_fd[i]);
	}
	d->n_listen = 0;
}

static int listeners_start(struct lab_node_run *n, struct netns_data *d, char *err, size_t errlen)
{
	for (size_t i = 0; i < n->conf->n_listen; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons(n->conf->listen[i]) };
		int one = 1, fd, r;

		fd = nl_netns_socket(n->ns_fd, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			r = fd;
			goto fail;
		}
		d->listen_fd[d->n_listen] = fd;
		d->listen_src[d->n_listen] = NULL;
		d->n_listen++;
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
			r = -errno;
			goto fail;
		}
		r = event_add_io(n->lab->m->loop, fd, EPOLLIN, on_accept, n,
				 &d->listen_src[d->n_listen - 1]);
		if (r < 0)
			goto fail;
		continue;
	fail:
		snprintf(err, errlen, "node %s: cannot listen on tcp port %u: %s", n->conf->name,
			 n->conf->listen[i], strerror(-r));
		listeners_stop(d);
		return r;
	}
	return 0;
}

/* The default route of the node goes through the gateway of its first nic's network. */
static void route_default(struct lab_node_run *n, struct nl_sock *nl, struct lab_nic_run *nic,
			  struct in_addr gw)
{
	struct netns_data *d = n->kind_data;
	int r;

	if (d->have_default_route || gw.s_addr == 0 || nic != &n->nics[0])
		return;
	r = nl_route_add_default(nl, nic->ifindex, gw);
	if (r < 0)
		log_warning_errno(r, "Lab %s: node %s: cannot set its default route: %m",
				  n->lab->name, n->conf->name);
	else
		d->have_default_route = true;
}

static void on_lease(struct lab_dhcp_client *c, const struct lab_dhcp_lease *lease,
		     const struct lab_dhcp_lease *old, void *data)
{
	struct lab_nic_run *nic = data;
	struct lab_node_run *n = nic->node;
	struct nl_sock *nl = NULL;
	char ip[INET_ADDRSTRLEN];
	int r;

	r = nl_netns_sock_new(n->ns_fd, &nl);
	if (r < 0) {
		log_warning_errno(r, "Lab %s: node %s: cannot reach its namespace: %m", n->lab->name,
				  n->conf->name);
		return;
	}
	if (old && old->addr.s_addr && old->addr.s_addr != lease->addr.s_addr)
		(void)nl_addr_del(nl, nic->ifindex, old->addr, old->prefixlen);
	r = nl_addr_add(nl, nic->ifindex, lease->addr, lease->prefixlen);
	if (r < 0 && r != -EEXIST)
		log_warning_errno(r, "Lab %s: node %s: cannot set address %s on %s: %m",
				  n->lab->name, n->conf->name, in_addr_to_string(lease->addr, ip),
				  nic->ifname);
	else {
		bool changed = !nic->has_addr || nic->addr.s_addr != lease->addr.s_addr;

		nic->has_addr = true;
		nic->addr = lease->addr;
		nic->prefixlen = lease->prefixlen;
		route_default(n, nl, nic, lease->router);
		if (changed)
			lab_node_changed(n);
	}
	nl_sock_free(nl);
}

/* The node's side of nic 'nic': MAC, up, static address or DHCP. */
static int nic_inside(struct lab_node_run *n, struct nl_sock *nl, struct lab_nic_run *nic,
		      const struct network *net, struct in_addr prev, char *err, size_t errlen)
{
	struct nl_link_info li;
	const char *what = "find";
	int r;

	r = nl_link_get_by_name(nl, nic->ifname, &li);
	if (r >= 0) {
		nic->ifindex = li.ifindex;
		what = "set the MAC of";
		r = nl_link_set_mac(nl, li.ifindex, nic->mac);
	}
	if (r >= 0 && net->config.mtu) {
		what = "set the MTU of";
		r = nl_link_set_mtu(nl, li.ifindex, net->config.mtu);
	}
	if (r >= 0) {
		what = "bring up";
		r = nl_link_set_up(nl, li.ifindex, true);
	}
	if (r >= 0 && nic->conf->has_ip) {
		what = "set the address of";
		nic->addr = nic->conf->ip;
		nic->prefixlen = net->config.subnet.prefixlen;
		r = nl_addr_add(nl, li.ifindex, nic->addr, nic->prefixlen);
		if (r == -EEXIST)
			r = 0;
		if (r >= 0) {
			nic->has_addr = true;
			route_default(n, nl, nic, net->config.gateway);
		}
	}
	if (r >= 0 && !nic->conf->has_ip && !nic->dhcp) {
		what = "start the DHCP client of";
		r = lab_dhcp_client_new(n->lab->m->loop, n->ns_fd, nic->ifname, nic->ifindex, nic->mac,
					prev,
					n->conf->name, on_lease, nic, &nic->dhcp);
	}
	if (r < 0)
		snprintf(err, errlen, "node %s: cannot %s %s: %s", n->conf->name, what, nic->ifname,
			 strerror(-r));
	return r;
}

/* The host's side: the veth exists (made here unless adopting), on the bridge, up. */
static int nic_outside(struct lab_node_run *n, struct lab_nic_run *nic, const struct network *net,
		       bool create, char *err, size_t errlen)
{
	struct nl_sock *hnl = n->lab->m->nl;
	struct nl_link_info li;
	const char *what = "create";
	int ifindex = 0, r;

	if (create)
		r = nl_veth_create(hnl, nic->host_ifname, nic->ifname, n->ns_fd, &ifindex);
	else {
		what = "find";
		r = nl_link_get_by_name(hnl, nic->host_ifname, &li);
		ifindex = li.ifindex;
	}
	if (r >= 0 && net->config.mtu) {
		what = "set the MTU of";
		r = nl_link_set_mtu(hnl, ifindex, net->config.mtu);
	}
	if (r >= 0 && (create || li.master != net->ifindex)) {
		what = "attach";
		r = nl_link_set_master(hnl, ifindex, net->ifindex);
	}
	if (r >= 0) {
		what = "bring up";
		r = nl_link_set_up(hnl, ifindex, true);
	}
	if (r < 0)
		snprintf(err, errlen, "node %s: cannot %s port %s (network %s): %s", n->conf->name,
			 what, nic->host_ifname, net->config.name, strerror(-r));
	return r;
}

static int node_network(struct lab_node_run *n, struct lab_nic_run *nic,
			const struct network **ret, char *err, size_t errlen)
{
	const struct network *net = manager_find_network(n->lab->m, nic->conf->network);

	if (!net || !net->active || net->ifindex <= 0) {
		snprintf(err, errlen, "node %s: network %s is not up", n->conf->name,
			 nic->conf->network);
		return -ENETDOWN;
	}
	*ret = net;
	return 0;
}

/* Everything but the namespace itself, for start and adopt. */
static int netns_setup(struct lab_node_run *n, bool create, json_t *record, char *err,
		       size_t errlen)
{
	struct netns_data *d = n->kind_data;
	struct nl_sock *nl = NULL;
	json_t *leases = json_object_get(record, "leases");
	int r;

	r = nl_netns_sock_new(n->ns_fd, &nl);
	if (r < 0) {
		snprintf(err, errlen, "node %s: cannot reach its namespace: %s", n->conf->name,
			 strerror(-r));
		return r;
	}
	if (create) {
		struct nl_link_info lo;

		r = nl_link_get_by_name(nl, "lo", &lo);
		if (r >= 0)
			r = nl_link_set_up(nl, lo.ifindex, true);
		if (r < 0)
			snprintf(err, errlen, "node %s: cannot bring up lo: %s", n->conf->name,
				 strerror(-r));
	}
	for (size_t i = 0; r >= 0 && i < n->n_nics; i++) {
		struct lab_nic_run *nic = &n->nics[i];
		const struct network *net;
		struct in_addr prev = { 0 };
		const char *p = json_string_value(json_object_get(leases, nic->ifname));

		if (p)
			(void)in_addr_from_string(p, &prev);
		r = node_network(n, nic, &net, err, errlen);
		if (r >= 0)
			r = nic_outside(n, nic, net, create, err, errlen);
		if (r >= 0)
			r = nic_inside(n, nl, nic, net, prev, err, errlen);
	}
	if (r >= 0)
		r = listeners_start(n, d, err, errlen);
	nl_sock_free(nl);
	return r;
}

static bool node_all_addressed(const struct lab_node_run *n)
{
	for (size_t i = 0; i < n->n_nics; i++)
		if (!n->nics[i].has_addr)
			return false;
	return true;
}

static int data_new(struct lab_node_run *n)
{
	if (!n->kind_data) {
		n->kind_data = calloc(1, sizeof(struct netns_data));
		if (!n->kind_data)
			return -ENOMEM;
	}
	return 0;
}

static int netns_start(struct lab_node_run *n, json_t *record, char *err, size_t errlen)
{
	int r = data_new(n);

	if (r < 0)
		return r;
	r = nl_netns_create(netns_dir(n), n->ns_name);
	if (r < 0) {
		snprintf(err, errlen, "node %s: cannot create namespace %s: %s", n->conf->name,
			 n->ns_name, r == -EEXIST ? "it exists already" : strerror(-r));
		/* not ours: stop() must leave it alone */
		(void)json_object_del(record, "namespace");
		return r;
	}
	r = nl_netns_open(netns_dir(n), n->ns_name);
	if (r < 0) {
		snprintf(err, errlen, "node %s: cannot open namespace %s: %s", n->conf->name,
			 n->ns_name, strerror(-r));
		return r;
	}
	n->ns_fd = r;
	r = netns_setup(n, true, record, err, errlen);
	if (r < 0)
		return r;
	if (node_all_addressed(n))
		n->state = LAB_NODE_UP;
	return 0;
}

static void netns_release(struct lab_node_run *n)
{
	struct netns_data *d = n->kind_data;

	for (size_t i = 0; i < n->n_nics; i++)
		n->nics[i].dhcp = lab_dhcp_client_free(n->nics[i].dhcp);
	if (d)
		listeners_stop(d);
	free(d);
	n->kind_data = NULL;
	n->ns_fd = safe_close(n->ns_fd);
}

static void netns_stop(struct lab_node_run *n, json_t *record)
{
	const char *ns = json_string_value(json_object_get(record, "namespace"));
	json_t *ports = json_object_get(record, "ports"), *p;
	size_t i;
	int r;

	netns_release(n);
	/* The host ends first: deleting one deletes its peer, and nothing is left on the bridge. */
	json_array_foreach(ports, i, p) {
		struct nl_link_info li;
		const char *name = json_string_value(p);

		if (!name || nl_link_get_by_name(n->lab->m->nl, name, &li) < 0)
			continue;
		if (strcmp(li.kind, "veth") != 0) {
			log_warning("Lab %s: %s is no longer a veth, left alone", n->lab->name, name);
			continue;
		}
		r = nl_link_delete(n->lab->m->nl, li.ifindex);
		if (r < 0 && r != -ENODEV)
			log_warning_errno(r, "Lab %s: cannot delete port %s: %m", n->lab->name, name);
	}
	if (ns) {
		r = nl_netns_delete(netns_dir(n), ns);
		if (r < 0 && r != -ENOENT)
			log_warning_errno(r, "Lab %s: cannot delete namespace %s: %m", n->lab->name,
					  ns);
	}
}

static int netns_adopt(struct lab_node_run *n, json_t *record, char *err, size_t errlen)
{
	const char *ns = json_string_value(json_object_get(record, "namespace"));
	int r = data_new(n);

	if (r < 0)
		return r;
	if (ns && strcmp(ns, n->ns_name) != 0) {
		snprintf(err, errlen, "node %s: its record names namespace %s, not %s",
			 n->conf->name, ns, n->ns_name);
		return -EINVAL;
	}
	r = nl_netns_open(netns_dir(n), n->ns_name);
	if (r < 0) {
		n->state = LAB_NODE_GONE;
		snprintf(n->error, sizeof(n->error), "namespace %s is gone", n->ns_name);
		return 0;
	}
	n->ns_fd = r;
	/* Static addresses are re-applied (EEXIST is fine); DHCP nics ask for their old lease. */
	r = netns_setup(n, false, record, err, errlen);
	if (r < 0) {
		n->state = LAB_NODE_FAILED;
		snprintf(n->error, sizeof(n->error), "%.200s", err);
		return 0;
	}
	for (size_t i = 0; i < n->n_nics; i++) {
		const char *p = json_string_value(
			json_object_get(json_object_get(record, "leases"), n->nics[i].ifname));

		if (!n->nics[i].conf->has_ip && p &&
		    in_addr_from_string(p, &n->nics[i].addr) >= 0) {
			n->nics[i].has_addr = true;
		}
	}
	n->state = node_all_addressed(n) ? LAB_NODE_UP : LAB_NODE_STARTING;
	return 0;
}

static int netns_socket(struct lab_node_run *n, int domain, int type, int protocol)
{
	if (n->ns_fd < 0)
		return -ENOENT;
	return nl_netns_socket(n->ns_fd, domain, type | SOCK_NONBLOCK, protocol);
}

static int netns_to_json(const struct lab_node_run *n, json_t *o)
{
	return json_object_set_new(o, "namespace", json_string(n->ns_name));
}

const struct lab_node_ops lab_node_netns_ops = {
	.kind = LAB_NODE_NETNS,
	.plan = netns_plan,
	.start = netns_start,
	.stop = netns_stop,
	.adopt = netns_adopt,
	.to_json = netns_to_json,
	.socket = netns_socket,
	.release = netns_release,
};
