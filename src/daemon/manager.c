/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of manager.h: start-up (load definitions, adopt what runs, repair what is
 * missing), conflict checks against other networks and the host, signal handling, and repair of
 * networks whose bridge or address was changed behind our back (netlink monitor -> defer).
 */
#include "manager.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include "daemon/conflict-index.h"
#include "daemon/dhcp-service.h"
#include "daemon/dns-service.h"
#include "daemon/forward-service.h"
#include "daemon/ipv6/subnet6.h"
#include "daemon/lan/uplink-bridge.h"
#include "daemon/network.h"
#include "daemon/overlay/evpn-frr.h"
#include "daemon/overlay/overlay.h"
#include "daemon/overlay/vni-index.h"
#include "daemon/port-service.h"
#include "daemon/route-cache.h"
#include "daemon/state-dir.h"
#include "daemon/tenant/tenant.h"
#include "event/event.h"
#include "firewall/fw-apply.h"
#include "firewall/fw-model.h"
#include "firewall/fw-render.h"
#include "netlink/nl-link.h"
#include "netlink/nl-monitor.h"
#include "netlink/nl-netns.h"
#include "netlink/nl-reaper.h"
#include "netlink/nl-route.h"
#include "netlink/nl-sock.h"
#include "shared/alloc-util.h"
#include "shared/int-map.h"
#include "shared/log.h"

static int manager_on_signal(struct event_source *s, const struct signalfd_siginfo *si, void *data)
{
	struct manager *m = data;

	log_info("Received %s, stopping (networks stay up)", strsignal((int)si->ssi_signo));
	event_loop_exit(m->loop, 0);
	return 0;
}

static void manager_on_change(const struct nl_change *c, void *data)
{
	struct manager *m = data;
	struct network *n;

	route_cache_changed(m->routes, c);
	port_service_link_changed(m->ports, c);
	switch (c->type) {
	case NL_CHANGE_LINK_DEL:
	case NL_CHANGE_ADDR:
		n = manager_network_of_link(m, c->link.ifindex);
		if (n)
			manager_schedule_repair(m, n);
		break;
	case NL_CHANGE_LINK_NEW:
		n = manager_network_of_link(m, c->link.ifindex);
		if (n && !c->link.up)
			manager_schedule_repair(m, n);
		break;
	case NL_CHANGE_RESYNC:
		for (size_t i = 0; i < m->n_networks; i++)
			if (m->networks[i]->active)
				manager_schedule_repair(m, m->networks[i]);
		break;
	case NL_CHANGE_ROUTE_NEW:
	case NL_CHANGE_ROUTE_DEL:
		break;
	}
}

static int manager_on_monitor(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct manager *m = data;

	return nl_monitor_process(m->monitor);
}

static int manager_on_repair(struct event_source *s, void *data)
{
	struct manager *m = data;
	char err[256];

	for (size_t i = 0; i < m->n_networks; i++) {
		struct network *n = m->networks[i];
		if (!n->dirty)
			continue;
		n->dirty = false;
		if (!n->active)
			continue;
		int r = network_up(m, n, NULL, true, err, sizeof(err));
		if (r < 0)
			log_warning("Failed to repair network '%s': %s", n->config.name, err);
	}
	return 0;
}

/* The hooks (manager-core.h): what a service tells one above it. */
static void manager_lease_journal(struct manager *m, const char *network, const struct lease *l,
				  bool removed)
{
	if (m->dhcp)
		dhcp_service_journal_change(m->dhcp, network, l, removed);
}

static int manager_lease_commit(struct manager *m)
{
	return dhcp_service_commit_batch(m->dhcp);
}

static void manager_hosts_changed(struct manager *m)
{
	dns_service_hosts_changed(m->dns);
}

/* Until a lab engine registers itself (lab_engine_new()), no port is a lab's. */
static const char *manager_port_lab_none(const struct manager *m, const char *port,
					 const char **ret_node)
{
	return NULL;
}

int manager_new(const struct manager_options *o, struct manager **ret)
{
	struct manager *m = calloc(1, sizeof(*m));
	int r;

	if (!m)
		return -ENOMEM;
	m->start_usec = now_usec();
	m->hooks = (struct manager_hooks){
		.lease_journal = manager_lease_journal,
		.lease_commit = manager_lease_commit,
		.hosts_changed = manager_hosts_changed,
		.port_lab = manager_port_lab_none,
	};

	r = event_loop_new(&m->loop);
	if (r < 0)
		goto fail;
	r = state_dir_open(o->state_dir, &m->state);
	if (r < 0) {
		log_error_errno(r, "Failed to open state directory '%s': %m", o->state_dir);
		goto fail;
	}
	r = nl_sock_new(&m->nl);
	if (r < 0) {
		log_error_errno(r, "Failed to open netlink socket: %m");
		goto fail;
	}
	r = nl_reaper_new(&m->reaper);
	if (r < 0)
		log_warning_errno(r, "Failed to start the link reaper: %m, deleting links inline");
	r = fw_ctx_new(&m->fw);
	if (r < 0) {
		log_error_errno(r, "Failed to create nftables context: %m");
		goto fail;
	}
	m->by_ifindex = calloc(1, sizeof(*m->by_ifindex));
	m->by_vni = calloc(1, sizeof(*m->by_vni));
	m->conflicts = calloc(1, sizeof(*m->conflicts));
	if (!m->by_ifindex || !m->by_vni || !m->conflicts) {
		r = -ENOMEM;
		goto fail;
	}
	r = route_cache_new(&m->routes);
	if (r < 0)
		goto fail;
	r = nl_monitor_new(manager_on_change, m, &m->monitor);
	if (r < 0) {
		log_error_errno(r, "Failed to open netlink monitor: %m");
		goto fail;
	}
	r = event_add_io(m->loop, nl_monitor_fd(m->monitor), EPOLLIN, manager_on_monitor, m,
			 &m->monitor_source);
	if (r < 0)
		goto fail;
	r = event_add_defer(m->loop, manager_on_repair, m, &m->repair_source);
	if (r < 0)
		goto fail;
	r = event_add_signal(m->loop, SIGTERM, manager_on_signal, m, &m->sigterm_source);
	if (r >= 0)
		r = event_add_signal(m->loop, SIGINT, manager_on_signal, m, &m->sigint_source);
	if (r < 0)
		goto fail;
	r = dhcp_service_new(m, &m->dhcp);
	if (r < 0)
		goto fail;
	r = dns_service_new(m, o->hosts_file, &m->dns);
	if (r < 0)
		goto fail;
	r = port_service_new(m, &m->ports);
	if (r < 0)
		goto fail;
	r = evpn_frr_new(o->frr_vty_dir, state_dir_path(m->state), &m->evpn);
	if (r < 0)
		goto fail;
	*ret = m;
	return 0;
fail:
	manager_free(m);
	return r;
}

struct manager *manager_free(struct manager *m)
{
	if (!m)
		return NULL;
	m->reaper = nl_reaper_free(m->reaper);   /* what was handed over is deleted first */
	for (size_t i = 0; i < m->n_networks; i++)
		network_free(m->networks[i]);
	m->evpn = evpn_frr_free(m->evpn);
	free(m->networks);
	forward_service_free(m);
	m->dhcp = dhcp_service_free(m->dhcp);
	m->dns = dns_service_free(m->dns);
	m->ports = port_service_free(m->ports);
	/* Sources are freed with the loop; the monitor's fd must outlive its source. */
	m->loop = event_loop_free(m->loop);
	nl_monitor_free(m->monitor);
	route_cache_free(m->routes);
	if (m->by_ifindex)
		int_map_done(m->by_ifindex);
	free(m->by_ifindex);
	if (m->by_vni)
		vni_index_done(m->by_vni);
	free(m->by_vni);
	if (m->conflicts)
		conflict_index_done(m->conflicts);
	free(m->conflicts);
	fw_ctx_free(m->fw);
	nl_sock_free(m->nl);
	state_dir_free(m->state);
	free(m);
	return NULL;
}

int manager_add_network(struct manager *m, struct network *n)
{
	size_t pos = 0;

	if (m->n_networks >= MANAGER_NETWORKS_MAX) {
		manager_link_unindex(m, n);
		network_free(n);
		return -E2BIG;
	}
	struct network **a = realloc(m->networks, (m->n_networks + 1) * sizeof(*a));
	bool vni = a && vni_index_add(m->by_vni, &n->config) >= 0;
	if (!vni || conflict_index_add(m->conflicts, &n->config) < 0) {
		if (vni)
			vni_index_remove(m->by_vni, &n->config);
		if (a)
			m->networks = a;
		manager_link_unindex(m, n);
		network_free(n);
		return -ENOMEM;
	}
	m->networks = a;
	while (pos < m->n_networks && strcmp(a[pos]->config.name, n->config.name) < 0)
		pos++;
	memmove(a + pos + 1, a + pos, (m->n_networks - pos) * sizeof(*a));
	a[pos] = n;
	m->n_networks++;
	return 0;
}

void manager_remove_network(struct manager *m, struct network *n)
{
	for (size_t i = 0; i < m->n_networks; i++)
		if (m->networks[i] == n) {
			memmove(m->networks + i, m->networks + i + 1,
				(m->n_networks - i - 1) * sizeof(*m->networks));
			m->n_networks--;
			vni_index_remove(m->by_vni, &n->config);
			conflict_index_remove(m->conflicts, &n->config);
			break;
		}
	manager_link_unindex(m, n);
	network_free(n);
}

void manager_network_redefined(struct manager *m, struct network *n,
			       const struct network_config *old)
{
	if (vni_index_moved(m->by_vni, &n->config, old->overlay.vni) < 0)
		log_error("Out of memory indexing the VNI of '%s'", n->config.name);
	if (conflict_index_moved(m->conflicts, &n->config, old) < 0)
		log_error("Out of memory indexing the bridge and subnet of '%s'", n->config.name);
	/* why start-up left it stopped was about the old definition */
	n->start_refused[0] = '\0';
}

struct route_check {
	struct manager *m;
	const struct network_config *c;
	int own_ifindex;
	char *err;
	size_t errlen;
};

static int manager_route_check_cb(const struct nl_route_info *rt, void *data)
{
	struct route_check *rc = data;
	char a[IN_PREFIX_STRLEN], b[IN_PREFIX_STRLEN];
	struct nl_link_info link = { 0 };

	/* The cache holds only routes to specific subnets (a default route overlaps everything)
	 * of the main table, and the local table's 'local' routes (127.0.0.0/8, host addresses). */
	if (rt->family != AF_INET || (rt->oif && rt->oif == rc->own_ifindex))
		return 0;
	if (!in_prefix_overlaps(&rt->dst, &rc->c->subnet))
		return 0;
	if (rt->oif)
		(void)nl_link_get_by_index(rc->m->nl, rt->oif, &link);
	snprintf(rc->err, rc->errlen, "subnet %s overlaps route %s%s%s on the host",
		 in_prefix_to_string(&rc->c->subnet, a), in_prefix_to_string(&rt->dst, b),
		 link.name[0] ? " dev " : "", link.name);
	return -EBUSY;
}

static int manager_check_conflicts_once(struct manager *m, const struct network_config *c,
					const char *self, char *err, size_t errlen)
{
	struct route_check rc = { .m = m, .c = c, .err = err, .errlen = errlen };
	struct network *own = self ? manager_find_network(m, self) : NULL;
	int r = vni_index_check(m->by_vni, c, self, err, errlen);

	if (r >= 0)
		r = conflict_index_check(m->conflicts, c, own ? &own->config : NULL, err, errlen);
	if (r < 0)
		return r;
	if (!c->has_subnet)
		return 0;
	if (tenant_skips_route_check(c))
		return subnet6_check_conflicts(m, c, self, 0, err, errlen);
	/* The network's own bridge carries its connected route; that one is no conflict. */
	if (own && own->active)
		rc.own_ifindex = own->ifindex;
	/* Notifications the kernel sent before this request first, so that the cache is as
	 * current as a dump would be. */
	r = nl_monitor_process(m->monitor);
	if (r < 0)
		log_debug_errno(r, "Failed to read netlink notifications: %m, ignoring");
	r = route_cache_foreach(m->routes, m->nl, manager_route_check_cb, &rc);
	if (r == -EBUSY || r == -ENOMEM)
		return r;
	if (r < 0) {
		snprintf(err, errlen, "failed to read the host's routes: %s", strerror(-r));
		return r;
	}
	return subnet6_check_conflicts(m, c, self, rc.own_ifindex, err, errlen);
}

int manager_check_conflicts(struct manager *m, const struct network_config *c, const char *self,
			    char *err, size_t errlen)
{
	int r = manager_check_conflicts_once(m, c, self, err, errlen);

	/* A stopped network's bridge may still be on its way out with its routes (the link
	 * reaper): a conflict then is checked again once it is gone. */
	if ((r == -EBUSY || r == -EEXIST) && manager_links_pending(m)) {
		manager_links_settle(m);
		r = manager_check_conflicts_once(m, c, self, err, errlen);
	}
	return r;
}

static int manager_load_cb(const char *name, const char *text, size_t len, void *data)
{
	struct manager *m = data;
	_cleanup_(network_hosts_done) struct network_hosts hosts = { 0 };
	_cleanup_(network_dns_records_done) struct network_dns_records records = { 0 };
	_cleanup_(network_ports_done) struct network_ports ports = { 0 };
	_cleanup_(network_forwards_done) struct network_forwards forwards = { 0 };
	struct network_config c;
	struct network *n;
	char err[256];
	int r;

	r = network_config_parse_full(text, len, name, &c, &hosts, &records, &ports, &forwards, err,
				      sizeof(err));
	for (size_t i = 0; r >= 0 && i < forwards.n; i++)
		r = forward_service_check_network(m, NULL, &c, &forwards.items[i], false, err,
						  sizeof(err));
	if (r < 0) {
		log_error("Definition of network '%s' is invalid, skipping it: %s", name, err);
		return 0;
	}
	if (strcmp(c.name, name) != 0) {
		log_error("Definition file '%s.conf' names network '%s', skipping it", name, c.name);
		return 0;
	}
	r = network_new(m, &c, &hosts, &records, &n);
	if (r < 0)
		return r;
	n->ports = ports;
	ports = (struct network_ports){ 0 };
	n->forwards = forwards;
	forwards = (struct network_forwards){ 0 };
	r = forward_service_index(m, n, &n->forwards, true);
	if (r >= 0)
		r = dhcp_service_network_attach(n);
	if (r < 0) {
		network_free(n);
		return r;
	}
	return manager_add_network(m, n);
}

/*
 * What start-up found in the kernel for one bridge. A network whose elements differ from its
 * definition keeps the script that removes them for its next install or removal; elements no
 * definition explains (a network deleted meanwhile, or unnamed) are removed now.
 */
static int manager_installed_cb(const char *name, uint64_t hash, const char *purge, void *data)
{
	struct manager *m = data;
	struct network *n = name ? manager_find_network(m, name) : NULL;
	struct fw_network model;

	if (!n) {
		_cleanup_free_ char *script = NULL, *msg = NULL;
		size_t len = strlen(fw_render_declarations) + strlen(purge) + 1;

		log_warning("Rules of unknown network '%s' are installed, removing them",
			    name ? name : "(unnamed)");
		script = malloc(len);
		if (!script)
			return -ENOMEM;
		snprintf(script, len, "%s%s", fw_render_declarations, purge);
		if (fw_apply(m->fw, script, &msg) < 0)
			log_warning("Failed to remove them: %s, ignoring", msg ? msg : "out of memory");
		return 0;
	}
	fw_network_from_config(&n->config, &model);
	n->fw_hash = hash;
	n->fw_unknown = false;
	free(n->fw_purge);
	n->fw_purge = NULL;
	if (hash != fw_network_hash(&model)) {
		n->fw_purge = strdup(purge);
		if (!n->fw_purge)
			return -ENOMEM;
	}
	return 0;
}

/*
 * The taps of stopped network 'n''s defined ports that an interrupted stop left behind: the port
 * service knows only the ports of running networks, so network_down() cannot see them.
 */
static void manager_delete_stopped_taps(struct manager *m, struct network *n)
{
	for (size_t i = 0; i < n->ports.n; i++) {
		struct nl_link_info link;
		int r = nl_link_get_by_name(m->nl, n->ports.items[i].name, &link);

		if (r >= 0 && strcmp(link.kind, "tun") == 0) {
			r = nl_link_delete(m->nl, link.ifindex);
			if (r < 0 && r != -ENODEV)
				log_warning_errno(r, "Failed to delete tap '%s' of stopped network "
						  "'%s': %m", n->ports.items[i].name,
						  n->config.name);
		}
	}
}

static bool manager_has_network_cb(const char *name, void *data)
{
	return manager_find_network(data, name) != NULL;
}

/*
 * The table's chains and rules, rewritten once per start (an upgrade may change them; elements
 * stay; forward_service_sync() makes the table anyway). An older layout (per-network chains)
 * goes as a whole first: its networks, which fw_list_installed() did not report, are installed
 * again below, its forwards by forward_service_sync().
 */
static int manager_fw_base(struct manager *m, bool reset)
{
	_cleanup_free_ char *script = NULL, *msg = NULL;
	uint64_t mask = 0;
	int r;

	if (reset)
		log_info("Replacing the nftables table of an older kvmnetd");
	/* The subnet rules of every defined network's prefix length (few: /24 and some others). */
	for (size_t i = 0; i < m->n_networks; i++) {
		struct fw_network model;

		fw_network_from_config(&m->networks[i]->config, &model);
		mask |= fw_network_prefix_bit(&model);
	}
	r = fw_render_base(reset, mask, &script);
	if (r >= 0)
		r = fw_apply(m->fw, script, &msg);
	if (r < 0)
		return log_error_errno(r, "Failed to install the base nftables rules: %s",
				       msg ? msg : "out of memory");
	m->fw_prefix_mask = mask;
	return 0;
}

/* The conflict checks of net.start against the networks in 'won' only. */
static int manager_check_won(const struct vni_index *won_vni, const struct conflict_index *won,
			     const struct network_config *c, char *err, size_t errlen)
{
	int r = vni_index_check(won_vni, c, NULL, err, errlen);

	return r < 0 ? r : conflict_index_check(won, c, NULL, err, errlen);
}

/*
 * Definitions written by hand into the state directory may conflict (the API refuses the second
 * of two such): of the networks start-up would bring up, in name order, each one that conflicts
 * with one before it stays stopped, its reason in n->start_refused (net show). A stopped
 * network that conflicts with one of those is not cleaned up either: its bridge or VXLAN device
 * may be the other's: keep[i] is set for it. Checks against the winners only, through indexes
 * of their own.
 */
static int manager_startup_conflicts(struct manager *m, int autostart, bool *keep)
{
	struct vni_index won_vni = { 0 };
	struct conflict_index won = { 0 };
	char err[256];
	int r = 0;

	for (size_t i = 0; r >= 0 && i < m->n_networks; i++) {
		struct network *n = m->networks[i];

		if (!state_dir_is_running(m->state, n->config.name) &&
		    !(autostart && n->config.autostart))
			continue;
		if (manager_check_won(&won_vni, &won, &n->config, err, sizeof(err)) < 0) {
			snprintf(n->start_refused, sizeof(n->start_refused), "%s", err);
			log_error("Network '%s' is not started: %s (two definitions in the state "
				  "directory conflict; the first by name starts)", n->config.name,
				  err);
			continue;
		}
		r = vni_index_add(&won_vni, &n->config);
		if (r >= 0)
			r = conflict_index_add(&won, &n->config);
	}
	/* a stopped network that conflicts with a started one: "held" for the cleanup's sake only */
	for (size_t i = 0; r >= 0 && i < m->n_networks; i++) {
		struct network *n = m->networks[i];

		if (!n->start_refused[0] && !state_dir_is_running(m->state, n->config.name) &&
		    !(autostart && n->config.autostart) &&
		    manager_check_won(&won_vni, &won, &n->config, err, sizeof(err)) < 0)
			keep[i] = true;
	}
	vni_index_done(&won_vni);
	conflict_index_done(&won);
	if (r < 0)
		return log_error_errno(r, "Failed to check the definitions for conflicts: %m");
	return 0;
}

int manager_startup(struct manager *m)
{
	_cleanup_free_ bool *keep = NULL;
	char err[256];
	int autostart, r;

	/* Links a killed predecessor handed to its reaper: their stop was acknowledged. */
	r = nl_reaper_reap_now(m->nl);
	if (r < 0)
		log_warning_errno(r, "Failed to delete links left for deletion: %m, ignoring");

	r = state_dir_load_networks(m->state, manager_load_cb, m);
	if (r < 0)
		return log_error_errno(r, "Failed to load network definitions: %m");
	r = state_dir_prune_running(m->state, manager_has_network_cb, m);
	if (r < 0)
		log_warning_errno(r, "Failed to prune running markers: %m");
	r = dhcp_service_load(m->dhcp, state_dir_path(m->state));
	if (r < 0)
		return r;
	r = fw_list_installed(m->fw, manager_installed_cb, m);
	if (r < 0)
		return log_error_errno(r, "Failed to read installed nftables rules: %m");
	r = manager_fw_base(m, r == 1);
	if (r < 0)
		return r;
	autostart = state_dir_autostart_pending(m->state);
	if (autostart < 0) {
		log_warning_errno(autostart, "Failed to read boot id: %m, autostarting anyway");
		autostart = 1;
	}

	keep = calloc(m->n_networks + 1, sizeof(*keep));
	if (!keep)
		return log_oom();
	r = manager_startup_conflicts(m, autostart, keep);
	if (r < 0)
		return r;
	for (size_t i = 0; i < m->n_networks; i++) {
		struct network *n = m->networks[i];
		bool running = state_dir_is_running(m->state, n->config.name);

		if (n->start_refused[0])
			continue;
		if (!running && !(autostart && n->config.autostart)) {
			/*
			 * Left over from an interrupted stop (or a start killed before it was
			 * recorded): rules, or a bridge made before the rules. Finish the stop.
			 */
			struct nl_link_info link;
			if (keep[i])
				continue;
			if (n->fw_hash || n->fw_unknown || uplink_bridge_is_ours(m, n->config.name) ||
			    (nl_link_get_by_name(m->nl, n->config.bridge, &link) >= 0 &&
			     strcmp(link.kind, "bridge") == 0)) {
				r = network_down(m, n, err, sizeof(err));
				if (r < 0)
					log_warning("Failed to clean up stopped network '%s': %s",
						    n->config.name, err);
				manager_delete_stopped_taps(m, n);
			}
			continue;
		}
		r = network_up(m, n, NULL, true, err, sizeof(err));
		if (r < 0) {
			log_error("Failed to start network '%s': %s", n->config.name, err);
			continue;
		}
		n->active = true;
		if (!running) {
			r = state_dir_set_running(m->state, n->config.name, true);
			if (r < 0)
				log_warning_errno(r, "Failed to record network '%s' as running: %m",
						  n->config.name);
		}
		log_info("Network '%s' is up on '%s' (ifindex %d)%s", n->config.name,
			 n->config.bridge, n->ifindex, running ? "" : ", autostarted");
	}
	/* Every running network's forwards in one transaction, whatever an earlier run left. */
	(void)forward_service_sync(m);
	return port_service_startup(m->ports);
}

int manager_run(struct manager *m)
{
	return event_loop_run(m->loop);
}
