/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of port-service.h: the port registry (one array, linear lookups: a few
 * thousand ports, and lookups happen per netlink event or API call, never per packet), the life
 * cycle of ports (made, adopted, forgotten), the netlink monitor and start-up. The bindings,
 * the policy and the listing are in port-bindings.c, port-policy.c and port-json.c.
 */
#include "port-service.h"
#include "port-service-internal.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "config/conf-host.h"
#include "config/conf-network.h"
#include "config/conf-port.h"
#include "daemon/lan/addr-learn.h"
#include "daemon/manager-core.h"
#include "daemon/network-mode.h"
#include "daemon/network-types.h"
#include "event/event.h"
#include "firewall/fw-apply.h"
#include "firewall/fw-port.h"
#include "lease/lease-store.h"
#include "lease/lease.h"
#include "netlink/nl-link.h"
#include "netlink/nl-reaper.h"
#include "netlink/nl-monitor.h"
#include "netlink/nl-qdisc.h"
#include "netlink/nl-tap.h"
#include "shared/alloc-util.h"
#include "shared/fd-util.h"
#include "shared/in-addr-util.h"
#include "shared/proc-util.h"
#include "shared/log.h"

/* ---- ports ---- */

static struct port *port_find_ifindex(struct port_service *ps, int ifindex)
{
	for (size_t i = 0; i < ps->n_ports; i++)
		if (ps->ports[i]->ifindex == ifindex)
			return ps->ports[i];
	return NULL;
}

static struct port *port_find_name(struct port_service *ps, const char *name)
{
	for (size_t i = 0; i < ps->n_ports; i++)
		if (strcmp(ps->ports[i]->name, name) == 0)
			return ps->ports[i];
	return NULL;
}

static int port_register(struct port_service *ps, struct port *p)
{
	struct port **a;

	if (ps->n_ports >= PORT_SERVICE_PORTS_MAX)
		return -E2BIG;
	a = realloc(ps->ports, (ps->n_ports + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	ps->ports = a;
	a[ps->n_ports++] = p;
	return 0;
}

static void port_unregister(struct port_service *ps, struct port *p)
{
	for (size_t i = 0; i < ps->n_ports; i++)
		if (ps->ports[i] == p) {
			ps->ports[i] = ps->ports[--ps->n_ports];
			break;
		}
	if (p->mv_dirty)
		ps->mv_n_dirty--;
	if (p->learn) {
		/* its learned pairs are re-examined (and dropped) once it is gone */
		size_t n;
		const struct addr_learn_entry *e = addr_learn_entries(p->learn, &n);
		for (size_t i = 0; i < n; i++)
			bindings_mark(ps, e[i].mac, e[i].ip);
		if (n > 0)
			ps->m->hooks.hosts_changed(ps->m);
	}
	addr_learn_free(p->learn);
	free(p);
}

bool port_learned_wanted(struct port_service *ps, const struct binding_key *k)
{
	for (size_t i = 0; i < ps->n_ports; i++) {
		const struct port *p = ps->ports[i];
		const struct addr_learn_entry *e;
		bool match = false, dhcp = false;
		size_t n;

		/* a macvtap's frames cross no bridge of ours: it has no policy to bind to */
		if (!p->learn || p->macvtap ||
		    p->network->config.port_security != NETWORK_PORT_SECURITY_FULL)
			continue;
		e = addr_learn_entries(p->learn, &n);
		for (size_t j = 0; j < n; j++) {
			if (memcmp(e[j].mac, k->mac, 6) != 0)
				continue;
			if (e[j].source == ADDR_LEARN_SOURCE_DHCP) {
				dhcp = true;
				if (e[j].ip.s_addr == k->ip.s_addr)
					return true;
			}
			match |= e[j].ip.s_addr == k->ip.s_addr;
		}
		if (match && !dhcp)
			return true;
	}
	return false;
}

static void port_learned(struct addr_learn *l, const struct addr_learn_entry *e, bool removed,
			 void *data)
{
	struct port *p = data;
	char ip[INET_ADDRSTRLEN], mac[MAC_STRLEN];

	const struct addr_learn_entry *all;
	size_t n;

	/* a DHCP address outranks the ARP-learned ones of the MAC: all of them are re-examined */
	all = addr_learn_entries(l, &n);
	for (size_t i = 0; i < n; i++)
		if (memcmp(all[i].mac, e->mac, 6) == 0)
			bindings_mark(p->network->manager->ports, all[i].mac, all[i].ip);
	bindings_mark(p->network->manager->ports, e->mac, e->ip);
	if (p->macvtap)
		port_macvtap_policy_mark(p->network->manager->ports, p);
	p->network->manager->hooks.hosts_changed(p->network->manager);
	log_info("Port '%s' of network '%s': guest %s %s %s (%s%s%s)", p->name,
		 p->network->config.name, mac_to_string(e->mac, mac),
		 removed ? "no longer uses" : "uses", in_addr_to_string(e->ip, ip),
		 addr_learn_source_to_string(e->source), e->hostname[0] ? ", host name " : "",
		 e->hostname);
}

/* Starts learning the guest's addresses on modes that have no lease of ours to tell them. */
static void port_learn_start(struct port_service *ps, struct port *p)
{
	int r;

	if (p->learn || !network_mode_ops(p->network->config.mode)->learns_addresses)
		return;
	r = addr_learn_new(ps->m->loop, p->ifindex, port_learned, p, &p->learn);
	if (r < 0) {
		log_warning_errno(r, "Failed to watch port '%s' for guest addresses: %m, ignoring",
				  p->name);
		return;
	}
	/* a macvtap is the guest's end of its link: the guest's frames are its outgoing ones */
	addr_learn_set_guest_end(p->learn, p->macvtap);
}

/*
 * A MAC for the tap device itself (the guest has its own): fe:xx:xx:xx:xx:xx, locally
 * administered, and high enough never to become the bridge's own address.
 */
static void port_random_tap_mac(uint8_t mac[6])
{
	if (getrandom(mac, 6, 0) != 6)
		for (size_t i = 0; i < 6; i++)
			mac[i] = (uint8_t)rand();
	mac[0] = 0xfe;
}

/*
 * Attaches link 'p' (already registered) to its network: MTU, policy, rate, master, up. With
 * 'own', the tap is ours and gets the tap MAC and MTU; an adopted port keeps its settings.
 */
static int port_attach(struct port_service *ps, struct port *p, bool own, bool keep_policy,
		       char *err, size_t errlen)
{
	struct network *n = p->network;
	int r;

	if (own) {
		uint8_t mac[6];
		uint32_t mtu = port_mtu(ps, n);

		port_random_tap_mac(mac);
		r = nl_link_set_mac(ps->m->nl, p->ifindex, mac);
		if (r >= 0)
			r = nl_link_set_mtu(ps->m->nl, p->ifindex, mtu);
		if (r < 0) {
			snprintf(err, errlen, "failed to set up tap '%s': %s", p->name,
				 strerror(-r));
			return r;
		}
	}
	/* policy before the port joins the bridge: no frame passes unchecked */
	r = port_policy_apply(ps, p, keep_policy, err, errlen);
	if (r < 0)
		return r;
	r = port_rate_apply(ps, p, err, errlen);
	if (r < 0)
		return r;
	/* before the port joins the bridge, so the guest's first DHCP exchange is seen */
	port_learn_start(ps, p);
	if (own) {
		r = nl_link_set_master(ps->m->nl, p->ifindex, n->ifindex);
		if (r >= 0)
			r = nl_link_set_up(ps->m->nl, p->ifindex, true);
		if (r < 0) {
			snprintf(err, errlen, "failed to attach tap '%s' to bridge '%s': %s", p->name,
				 n->config.bridge, strerror(-r));
			return r;
		}
	}
	return 0;
}

/* What a defined port's [port] section says about its policy: bound MAC and rate. */
static void port_take_definition(struct port *p, const struct network_port *def)
{
	p->has_mac = def->has_mac;
	memcpy(p->mac, def->mac, 6);
	p->rate_mbit = def->rate_mbit;
}

static struct port *port_new(struct network *n, const char *name, int ifindex,
			     enum port_origin origin)
{
	struct port *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ifindex = ifindex;
	p->network = n;
	p->origin = origin;
	return p;
}

/* Forgets 'p': its policy goes; a defined tap is deleted when 'delete_tap'. */
static void port_forget(struct port_service *ps, struct port *p, bool delete_tap)
{
	if (p->policy)
		(void)port_policy_remove(ps, p->name);
	if (p->macvtap)
		port_macvtap_policy_remove(ps, p);
	if (delete_tap && p->ifindex > 0) {
		int r = manager_link_delete(ps->m, p->ifindex, p->name);
		if (r < 0 && r != -ENODEV)
			log_warning_errno(r, "Failed to delete tap '%s': %m", p->name);
	}
	if (p->macvtap)
		port_macvtap_node_remove(p);
	/* the cache of allowed sources may name this ifindex */
	port_unregister(ps, p);
}

/*
 * Makes a tap for network 'n' and attaches it. 'template' is an exact name or a "%d" template.
 * Returns the registered port; with 'ret_fd' the tap's (only) fd is returned instead of being
 * closed (a non-persistent tap).
 */
static int port_make(struct port_service *ps, struct network *n, const char *template,
		     const struct network_port *def, bool persist, bool vnet_hdr, int *ret_fd,
		     struct port **ret, char *err, size_t errlen)
{
	struct tap_options o = {
		.name = template,
		.owner = def && def->has_owner ? (uid_t)def->owner : (uid_t)-1,
		.queues = def && def->queues ? def->queues : 1,
		.vnet_hdr = vnet_hdr,
		.persist = persist,
	};
	int fds[TAP_QUEUES_MAX];
	char name[IFNAMSIZ];
	struct nl_link_info link = { 0 };
	struct port *p;
	int r;

	for (size_t i = 0; i < TAP_QUEUES_MAX; i++)
		fds[i] = -1;
	manager_link_settle_name(ps->m, template);   /* a tap of that name may be on its way out */
	r = tap_create(ps->m->nl, &o, name, fds);
	if (r < 0) {
		if (r == -EEXIST)
			snprintf(err, errlen, "interface '%s' already exists", template);
		else
			snprintf(err, errlen, "failed to create tap '%s': %s", template,
				 strerror(-r));
		return r;
	}
	r = nl_link_get_by_name(ps->m->nl, name, &link);
	if (r < 0) {
		snprintf(err, errlen, "failed to read tap '%s': %s", name, strerror(-r));
		goto fail_link;
	}
	p = port_new(n, name, link.ifindex,
		     persist ? PORT_ORIGIN_DEFINED : PORT_ORIGIN_HELPER);
	if (!p) {
		r = -ENOMEM;
		goto fail_link;
	}
	if (def)
		port_take_definition(p, def);
	r = port_register(ps, p);
	if (r < 0) {
		free(p);
		snprintf(err, errlen, "too many ports");
		goto fail_link;
	}
	r = port_attach(ps, p, true, false, err, errlen);
	if (r < 0) {
		port_forget(ps, p, false);
		goto fail_link;
	}
	for (unsigned i = 0; i < o.queues; i++)
		if (ret_fd && i == 0)
			*ret_fd = fds[0];
		else
			safe_close(fds[i]);
	*ret = p;
	return 0;

fail_link:
	if (link.ifindex > 0)
		(void)nl_link_delete(ps->m->nl, link.ifindex);
	for (unsigned i = 0; i < o.queues; i++)
		safe_close(fds[i]);
	return r;
}

static bool network_is_macvtap(const struct network *n)
{
	return strcmp(network_mode_ops(n->config.mode)->port_kind, "macvtap") == 0;
}

/*
 * Registers macvtap 'ifindex' as defined port 'def' of 'n', sees to its /dev node and puts it
 * under policy ('held', may be NULL: what the policy table holds for its name).
 */
static int port_macvtap_register(struct port_service *ps, struct network *n,
				 const struct network_port *def, int ifindex,
				 const struct fw_macvtap_state *held, struct port **ret,
				 char *err, size_t errlen)
{
	struct port *p = port_new(n, def->name, ifindex, PORT_ORIGIN_DEFINED);
	int r;

	if (!p)
		return -ENOMEM;
	port_take_definition(p, def);
	p->macvtap = true;
	r = port_register(ps, p);
	if (r < 0) {
		free(p);
		snprintf(err, errlen, "too many ports");
		return r;
	}
	/* a macvtap's own MAC is the one its guest must use */
	if (!p->has_mac) {
		struct nl_link_info link;

		if (nl_link_get_by_index(ps->m->nl, ifindex, &link) >= 0)
			memcpy(p->mac, link.mac, 6);
	}
	port_learn_start(ps, p);
	/* before the node is its owner's: the guest cannot send a frame without it */
	port_macvtap_policy_apply(ps, p, held);
	r = port_macvtap_node(p, def, err, errlen);
	if (r < 0) {
		port_macvtap_policy_remove(ps, p);
		port_unregister(ps, p);
		return r;
	}
	*ret = p;
	return 0;
}

/* 'port add' on a macvtap network: the device, then its node; nothing left on failure. */
static int port_make_macvtap(struct port_service *ps, struct network *n,
			     const struct network_port *def, const struct fw_macvtap_state *held,
			     struct port **ret, char *err, size_t errlen)
{
	int ifindex, r;

	r = port_macvtap_create(ps, n, def, &ifindex, err, errlen);
	if (r < 0)
		return r;
	r = port_macvtap_register(ps, n, def, ifindex, held, ret, err, errlen);
	if (r < 0)
		(void)nl_link_delete(ps->m->nl, ifindex);
	return r;
}

int port_service_add(struct network *n, struct network_port *port, char *err, size_t errlen)
{
	struct port_service *ps = n->manager->ports;
	struct port *p;
	int r;

	if (!n->active)
		return 0;
	if (network_is_macvtap(n)) {
		r = port_make_macvtap(ps, n, port, NULL, &p, err, errlen);
		if (r < 0)
			return r;
		log_info("Port '%s' (%s) added to macvtap network '%s'", p->name, p->dev_path,
			 n->config.name);
		return 0;
	}
	r = port_make(ps, n, port->name[0] ? port->name : PORT_TEMPLATE_DEFINED, port, true, true,
		      NULL, &p, err, errlen);
	if (r < 0)
		return r;
	snprintf(port->name, sizeof(port->name), "%s", p->name);
	log_info("Port '%s' added to network '%s'", p->name, n->config.name);
	return 0;
}

const char *port_service_device(struct port_service *ps, const char *name)
{
	struct port *p = port_find_name(ps, name);

	return p && p->macvtap && p->dev_path[0] ? p->dev_path : NULL;
}

int port_service_remove_defined(struct network *n, const char *name)
{
	struct port_service *ps = n->manager->ports;
	struct port *p = port_find_name(ps, name);

	if (p && p->network == n && p->origin == PORT_ORIGIN_DEFINED)
		port_forget(ps, p, true);
	return 0;
}

bool port_service_find_transient(struct port_service *ps, const char *name, char *net,
				 size_t netlen)
{
	struct port *p = port_find_name(ps, name);

	if (!p || p->origin == PORT_ORIGIN_DEFINED)
		return false;
	snprintf(net, netlen, "%s", p->network->config.name);
	return true;
}

int port_service_dhcp_port(struct port_service *ps, const struct network *n, uint32_t mark)
{
	int ifindex = fw_port_dhcp_mark_ifindex(mark);
	struct port *p = ifindex > 0 ? port_find_ifindex(ps, ifindex) : NULL;

	if (!p || p->network != n || !p->policy ||
	    n->config.port_security == NETWORK_PORT_SECURITY_OFF)
		return 0;
	return ifindex;
}

int port_service_remove_transient(struct port_service *ps, const char *name, char *err,
				  size_t errlen)
{
	struct port *p = port_find_name(ps, name);

	if (!p || p->origin == PORT_ORIGIN_DEFINED) {
		snprintf(err, errlen, "port '%s' does not exist", name);
		return -ENOENT;
	}
	if (p->origin == PORT_ORIGIN_ADOPTED && ps->m->hooks.port_lab(ps->m, name, NULL)) {
		snprintf(err, errlen, "port '%s' is a node's of lab %s: 'lab down' removes it", name,
			 ps->m->hooks.port_lab(ps->m, name, NULL));
		return -EPERM;
	}
	if (p->origin == PORT_ORIGIN_ADOPTED) {
		snprintf(err, errlen,
			 "port '%s' was not made by kvmnet: detach it where it was made", name);
		return -EPERM;
	}
	port_forget(ps, p, true);
	return 0;
}

/* ---- allow-attach ---- */

static bool attach_allowed(const struct network_config *c, const struct ucred *cred)
{
	char buf[4096];

	if (cred->uid == 0 || c->n_allow_attach == 0)
		return true;
	for (size_t i = 0; i < c->n_allow_attach; i++) {
		const char *e = c->allow_attach[i];
		if (e[0] == '@') {
			struct group gr, *g = NULL;
			if (getgrnam_r(e + 1, &gr, buf, sizeof(buf), &g) == 0 && g &&
			    (g->gr_gid == cred->gid || proc_pid_in_group(cred->pid, g->gr_gid)))
				return true;
		} else {
			struct passwd pw, *u = NULL;
			if (getpwnam_r(e, &pw, buf, sizeof(buf), &u) == 0 && u &&
			    u->pw_uid == cred->uid)
				return true;
		}
	}
	return false;
}

int port_service_attach(struct network *n, const struct ucred *cred, bool vnet_hdr, int *ret_fd,
			char ret_name[IFNAMSIZ], char *err, size_t errlen)
{
	struct port_service *ps = n->manager->ports;
	struct port *p;
	int r;

	if (!attach_allowed(&n->config, cred)) {
		snprintf(err, errlen, "uid %u may not attach to network '%s' (allow-attach)",
			 (unsigned)cred->uid, n->config.name);
		return -EPERM;
	}
	if (!n->active) {
		snprintf(err, errlen, "network '%s' is not active", n->config.name);
		return -ENETDOWN;
	}
	if (network_is_macvtap(n)) {
		snprintf(err, errlen, "network '%s' is a macvtap network: make its ports with "
			 "'kvmnet port add' and give QEMU their /dev/tapN", n->config.name);
		return -EOPNOTSUPP;
	}
	r = port_make(ps, n, PORT_TEMPLATE_HELPER, NULL, false, vnet_hdr, ret_fd, &p, err, errlen);
	if (r < 0)
		return r;
	snprintf(ret_name, IFNAMSIZ, "%s", p->name);
	log_info("Port '%s' attached to network '%s' for pid %d (uid %u) through the bridge helper",
		 p->name, n->config.name, (int)cred->pid, (unsigned)cred->uid);
	return 0;
}

/* ---- networks and the monitor ---- */

static struct network *network_of_bridge(struct manager *m, int ifindex)
{
	struct network *n = ifindex > 0 ? manager_network_of_link(m, ifindex) : NULL;

	return n && n->ifindex == ifindex ? n : NULL;   /* not its VXLAN device */
}

/* Takes link 'link', found on the bridge of 'n', under kvmnet's care. */
static void port_adopt(struct port_service *ps, struct network *n, const struct nl_link_info *link,
		       bool keep)
{
	const struct network_port *def = network_ports_find(&n->ports, link->name);
	struct tap_info ti = { 0 };
	char err[256];
	struct port *p;
	int r;

	/* a network's VXLAN device is its overlay's (daemon/overlay/), never a guest's port */
	if (strcmp(link->kind, "vxlan") == 0)
		return;
	(void)tap_get_info(ps->m->nl, link->ifindex, &ti);
	/* on the host's bridge only VM NICs are guests: the LAN NIC and containers' veths are not */
	if (network_mode_ops(n->config.mode)->foreign_bridge && !ti.is_tap)
		return;
	/* a defined tap kvmnetd made before a restart, or a helper tap still held by QEMU */
	p = port_new(n, link->name, link->ifindex,
		     def && ti.is_tap ? PORT_ORIGIN_DEFINED
		     : ti.is_tap && !ti.persist && strncmp(link->name, "knv", 3) == 0
			     ? PORT_ORIGIN_HELPER
			     : PORT_ORIGIN_ADOPTED);
	if (!p) {
		log_oom();
		return;
	}
	if (def && ti.is_tap)
		port_take_definition(p, def);
	if (port_register(ps, p) < 0) {
		log_warning("Too many ports, not adopting '%s'", link->name);
		free(p);
		return;
	}
	r = port_attach(ps, p, false, keep, err, sizeof(err));
	if (r < 0)
		log_warning("Port '%s' on network '%s': %s", p->name, n->config.name, err);
	else if (p->origin == PORT_ORIGIN_ADOPTED)
		log_info("Adopted port '%s' on network '%s'", p->name, n->config.name);
}

struct bridge_scan {
	struct port_service *ps;
	struct network *n;
	int *seen;
	size_t n_seen, cap;
};

static int bridge_scan_cb(const struct nl_link_info *link, void *data)
{
	struct bridge_scan *s = data;

	if (link->master != s->n->ifindex)
		return 0;
	if (s->n_seen == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		int *a = realloc(s->seen, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		s->seen = a;
		s->cap = cap;
	}
	s->seen[s->n_seen++] = link->ifindex;
	return 0;
}

/*
 * network_up() of a macvtap network: its defined ports' devices are adopted when they exist over
 * the uplink (a restart), made when missing, and put under policy in table netdev kvmnet (read
 * once, for what it still allows); ports dropped from the definition go. No bridge to scan.
 */
static void port_macvtap_network_up(struct port_service *ps, struct network *n)
{
	struct fw_macvtap_listing *held = NULL;
	char err[256];
	int r;

	if (n->ports.n > 0 && n->config.port_security != NETWORK_PORT_SECURITY_OFF) {
		r = fw_macvtap_list(ps->m->fw, &held);
		if (r < 0)
			log_warning_errno(r, "Failed to read the macvtap port policy table: %m");
	}
	for (size_t i = 0; i < n->ports.n; i++) {
		const struct network_port *def = &n->ports.items[i];
		const struct fw_macvtap_state *st = fw_macvtap_listing_find(held, def->name);
		struct port *p = port_find_name(ps, def->name);
		struct nl_link_info link;

		if (p && p->network == n && p->macvtap) {
			if (port_macvtap_node(p, def, err, sizeof(err)) < 0)
				log_warning("Network '%s': %s", n->config.name, err);
			port_macvtap_policy_apply(ps, p, st);
			continue;
		}
		r = nl_link_get_by_name(ps->m->nl, def->name, &link);
		if (r == -ENODEV) {
			r = port_make_macvtap(ps, n, def, st, &p, err, sizeof(err));
			if (r < 0)
				log_warning("Network '%s': %s", n->config.name, err);
			continue;
		}
		if (r < 0 || strcmp(link.kind, "macvtap") != 0 || link.lower != n->ifindex) {
			log_warning("Network '%s': port '%s' cannot be made: %s", n->config.name,
				    def->name, r < 0 ? strerror(-r)
				    : "an interface of that name exists and is not a macvtap of the uplink");
			continue;
		}
		r = port_macvtap_register(ps, n, def, link.ifindex, st, &p, err, sizeof(err));
		if (r < 0)
			log_warning("Network '%s': %s", n->config.name, err);
		else if (!link.up)
			(void)nl_link_set_up(ps->m->nl, link.ifindex, true);
	}
	for (size_t i = ps->n_ports; i > 0; i--) {
		struct port *p = ps->ports[i - 1];

		if (p->network == n && !network_ports_find(&n->ports, p->name))
			port_forget(ps, p, p->origin == PORT_ORIGIN_DEFINED);
	}
	fw_macvtap_listing_free(held);
}

void port_service_network_up(struct network *n)
{
	struct port_service *ps = n->manager->ports;
	struct bridge_scan scan = { .ps = ps, .n = n };
	char err[256];
	int r;

	if (!ps)
		return;
	if (network_is_macvtap(n)) {
		port_macvtap_network_up(ps, n);
		return;
	}
	port_snap_begin(ps);
	/* 1. defined taps: adopt the existing, make the missing */
	for (size_t i = 0; i < n->ports.n; i++) {
		struct network_port *def = &n->ports.items[i];
		struct nl_link_info link;
		struct tap_info ti = { 0 };
		struct port *p = port_find_name(ps, def->name);

		if (p && p->network == n)
			continue;
		r = nl_link_get_by_name(ps->m->nl, def->name, &link);
		if (r == -ENODEV) {
			r = port_make(ps, n, def->name, def, true, true, NULL, &p, err, sizeof(err));
			if (r < 0)
				log_warning("Network '%s': %s", n->config.name, err);
			continue;
		}
		if (r >= 0)
			r = tap_get_info(ps->m->nl, link.ifindex, &ti);
		if (r < 0 || !ti.is_tap) {
			log_warning("Network '%s': port '%s' cannot be made: %s", n->config.name,
				    def->name, r < 0 ? strerror(-r) : "an interface of that name exists and is not a tap");
			continue;
		}
		if (link.master != n->ifindex) {
			/* ours from before (the bridge was re-created): join it again */
			p = port_new(n, def->name, link.ifindex, PORT_ORIGIN_DEFINED);
			if (!p || port_register(ps, p) < 0) {
				free(p);
				continue;
			}
			port_take_definition(p, def);
			r = port_attach(ps, p, true, true, err, sizeof(err));
			if (r < 0)
				log_warning("Network '%s': %s", n->config.name, err);
		}
	}
	/* 2. everything on the bridge: known ports get their policy re-applied, others adopted */
	r = nl_link_dump_master(ps->m->nl, n->ifindex, bridge_scan_cb, &scan);
	if (r < 0)
		log_warning_errno(r, "Failed to list the ports of '%s': %m", n->config.bridge);
	for (size_t i = 0; i < scan.n_seen; i++) {
		struct port *p = port_find_ifindex(ps, scan.seen[i]);
		struct nl_link_info link;

		if (!p) {
			if (nl_link_get_by_index(ps->m->nl, scan.seen[i], &link) >= 0)
				port_adopt(ps, n, &link, true);
			continue;
		}
		p->network = n;
		if (p->origin == PORT_ORIGIN_DEFINED) {
			const struct network_port *def = network_ports_find(&n->ports, p->name);
			if (def)
				port_take_definition(p, def);
		}
		if (port_policy_apply(ps, p, true, err, sizeof(err)) < 0 ||
		    port_rate_apply(ps, p, err, sizeof(err)) < 0)
			log_warning("Network '%s': %s", n->config.name, err);
	}
	/* 3. known ports of this network no longer on its bridge */
	for (size_t i = ps->n_ports; i > 0; i--) {
		struct port *p = ps->ports[i - 1];
		bool present = false;

		if (p->network != n)
			continue;
		for (size_t k = 0; k < scan.n_seen && !present; k++)
			present = scan.seen[k] == p->ifindex;
		if (p->origin == PORT_ORIGIN_DEFINED && !network_ports_find(&n->ports, p->name))
			port_forget(ps, p, true);   /* dropped from the definition */
		else if (!present && p->origin != PORT_ORIGIN_DEFINED)
			port_forget(ps, p, false);
	}
	free(scan.seen);
	port_snap_end(ps);
	/* 4. bindings: whatever the network wants now, and what it no longer wants */
	bindings_mark_installed(ps, n);
	bindings_mark_network(ps, n);
	port_service_flush(ps);
}

void port_service_network_down(struct network *n)
{
	struct port_service *ps = n->manager->ports;

	if (!ps)
		return;
	port_snap_begin(ps);
	for (size_t i = ps->n_ports; i > 0; i--) {
		struct port *p = ps->ports[i - 1];
		if (p->network == n)
			port_forget(ps, p, p->origin == PORT_ORIGIN_DEFINED);
	}
	port_snap_end(ps);
	bindings_mark_installed(ps, n);
	port_service_flush(ps);
}

void port_service_link_changed(struct port_service *ps, const struct nl_change *c)
{
	struct port *p;
	struct network *n;

	if (!ps)
		return;
	switch (c->type) {
	case NL_CHANGE_LINK_NEW: {
		/*
		 * A notification is a snapshot from when it was queued: a tap we have just made
		 * and attached still has notifications of its first moments (no master yet) in
		 * the queue. Judge the link as it is now.
		 */
		struct nl_link_info now;
		const struct nl_link_info *link = &c->link;
		int r = nl_link_get_by_index(ps->m->nl, c->link.ifindex, &now);

		if (r == -ENODEV)
			return;   /* gone already: its RTM_DELLINK follows */
		if (r >= 0)
			link = &now;
		if (link->group == NL_REAPER_GROUP)
			return;   /* being deleted (manager_link_delete()): not a port to adopt */
		p = port_find_ifindex(ps, link->ifindex);
		if (p && p->macvtap) {
			if (link->lower == p->network->ifindex && strcmp(link->name, p->name) == 0)
				return;
			log_info("Port '%s' left network '%s'", p->name, p->network->config.name);
			port_forget(ps, p, false);
			return;
		}
		if (p) {
			if (link->master == p->network->ifindex && strcmp(link->name, p->name) == 0)
				return;
			/* left the bridge, or renamed: its policy is keyed by the old name */
			log_info("Port '%s' left network '%s'%s", p->name, p->network->config.name,
				 link->master == p->network->ifindex ? " (renamed)" : "");
			port_forget(ps, p, false);
		}
		n = network_of_bridge(ps->m, link->master);
		if (n)
			port_adopt(ps, n, link, false);
		break;
	}
	case NL_CHANGE_LINK_DEL:
		p = port_find_ifindex(ps, c->link.ifindex);
		if (!p)
			return;
		log_info("Port '%s' of network '%s' is gone", p->name, p->network->config.name);
		n = p->network;
		if (p->origin == PORT_ORIGIN_DEFINED && n->active)
			manager_schedule_repair(ps->m, n);   /* re-made by network_up() */
		port_forget(ps, p, false);
		break;
	case NL_CHANGE_RESYNC:
		for (size_t i = 0; i < ps->m->n_networks; i++)
			if (ps->m->networks[i]->active)
				manager_schedule_repair(ps->m, ps->m->networks[i]);
		break;
	case NL_CHANGE_ADDR:
	case NL_CHANGE_ROUTE_NEW:
	case NL_CHANGE_ROUTE_DEL:
		break;
	}
}

/* ---- start-up ---- */

static int startup_stale_cb(const struct fw_port_state *st, void *data)
{
	struct port_service *ps = data;
	struct port *p = port_find_name(ps, st->ifname);

	if (!p || !p->policy) {
		_cleanup_free_ char *script = NULL;
		if (fw_port_render_remove(st->ifname, st->has_mac ? st->mac : NULL, st->dhcp_mark,
					  &script) >= 0)
			(void)fw_apply(ps->m->fw, script, NULL);
	}
	return 0;
}

int port_service_startup(struct port_service *ps)
{
	_cleanup_free_ struct fw_binding *installed = NULL;
	size_t n_installed = 0;
	int r;

	r = fw_port_list(ps->m->fw, startup_stale_cb, ps);
	if (r < 0)
		log_warning_errno(r, "Failed to read the port policy table: %m");
	r = fw_port_list_bindings(ps->m->fw, &installed, &n_installed);
	if (r < 0)
		log_warning_errno(r, "Failed to read the port bindings: %m");
	for (size_t i = 0; i < n_installed; i++) {
		struct binding_key k = { .ip = installed[i].ip };
		memcpy(k.mac, installed[i].mac, 6);
		(void)bindings_insert(ps, &k);
		bindings_mark(ps, k.mac, k.ip);
	}
	for (size_t i = 0; i < ps->m->n_networks; i++)
		if (ps->m->networks[i]->active)
			bindings_mark_network(ps, ps->m->networks[i]);
	port_service_flush(ps);
	port_macvtap_policy_startup(ps);
	return 0;
}

/* ---- life cycle ---- */

int port_service_new(struct manager *m, struct port_service **ret)
{
	struct port_service *ps = calloc(1, sizeof(*ps));
	int r;

	if (!ps)
		return -ENOMEM;
	ps->m = m;
	r = event_add_defer(m->loop, port_service_on_flush, ps, &ps->flush_source);
	if (r < 0) {
		free(ps);
		return r;
	}
	*ret = ps;
	return 0;
}

struct port_service *port_service_free(struct port_service *ps)
{
	if (!ps)
		return NULL;
	for (size_t i = 0; i < ps->n_ports; i++) {
		/* the ports stay in the kernel (a daemon stop); their learners go before the loop */
		addr_learn_free(ps->ports[i]->learn);
		free(ps->ports[i]);
	}
	free(ps->ports);
	free(ps->slots);
	free(ps->dirty);
	free(ps->snap);
	event_source_free(ps->flush_source);
	free(ps);
	return NULL;
}
