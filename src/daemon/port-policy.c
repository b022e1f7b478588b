/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-port policy of fw-port.h in the bridge table (read once per batch of operations),
 * the forward-hook isolation chain, and the per-port rate. Part of the port service
 * (port-service-internal.h).
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
#include "daemon/manager-core.h"
#include "daemon/network-mode.h"
#include "daemon/network-types.h"
#include "event/event.h"
#include "firewall/fw-apply.h"
#include "firewall/fw-port.h"
#include "lease/lease-store.h"
#include "lease/lease.h"
#include "netlink/nl-link.h"
#include "netlink/nl-monitor.h"
#include "netlink/nl-qdisc.h"
#include "netlink/nl-tap.h"
#include "shared/alloc-util.h"
#include "shared/fd-util.h"
#include "shared/in-addr-util.h"
#include "shared/proc-util.h"
#include "shared/log.h"

/* Whether the bridge table has anything to say about 'p': filtering, isolation, a rate. */
static bool port_wants_policy(const struct port *p)
{
	const struct network_config *c = &p->network->config;

	return c->port_security != NETWORK_PORT_SECURITY_OFF || c->isolate_ports || p->rate_mbit;
}

static void port_to_fw(const struct port *p, struct fw_port *ret)
{
	const struct network_config *c = &p->network->config;

	bool filter = c->port_security != NETWORK_PORT_SECURITY_OFF;

	*ret = (struct fw_port){ .filter = filter,
				 .has_mac = p->has_mac,
				 .ip_binding = c->port_security == NETWORK_PORT_SECURITY_FULL &&
					       (c->dhcp || network_mode_ops(c->mode)->learns_addresses),
				 .isolated = c->isolate_ports,
				 /* Mbit/s to bytes/s */
				 .rate_bytes = (uint64_t)p->rate_mbit * 125000ULL,
				 /* tells the DHCP server the port (port_service_dhcp_port()) */
				 .dhcp_mark = filter ? fw_port_dhcp_mark(p->ifindex) : 0 };
	snprintf(ret->ifname, sizeof(ret->ifname), "%s", p->name);
	memcpy(ret->mac, p->mac, 6);
}

struct port_state_lookup {
	const char *name;
	struct fw_port_state st;
	bool found;
};

static int port_state_lookup_cb(const struct fw_port_state *st, void *data)
{
	struct port_state_lookup *l = data;

	if (strcmp(st->ifname, l->name) != 0)
		return 0;
	l->st = *st;
	l->found = true;
	return 0;
}

static int snap_cb(const struct fw_port_state *st, void *data)
{
	struct port_service *ps = data;

	if (ps->n_snap == ps->cap_snap) {
		size_t cap = ps->cap_snap ? ps->cap_snap * 2 : 64;
		struct fw_port_state *a = realloc(ps->snap, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		ps->snap = a;
		ps->cap_snap = cap;
	}
	ps->snap[ps->n_snap++] = *st;
	return 0;
}

/*
 * Reads the whole table once for a batch (listing it costs ~45 ms with 1,000 ports): lookups
 * until port_snap_end() use the copy. Our own changes in the batch touch each port once.
 */
void port_snap_begin(struct port_service *ps)
{
	ps->n_snap = 0;
	ps->snap_valid = fw_port_list(ps->m->fw, snap_cb, ps) >= 0;
}

void port_snap_end(struct port_service *ps)
{
	ps->snap_valid = false;
	ps->n_snap = 0;
}

/* Reads what the bridge table holds for port 'name'. */
static int port_read_state(struct port_service *ps, const char *name, struct port_state_lookup *l)
{
	*l = (struct port_state_lookup){ .name = name };
	if (ps->snap_valid) {
		for (size_t i = 0; i < ps->n_snap; i++)
			(void)port_state_lookup_cb(&ps->snap[i], l);
		return 0;
	}
	return fw_port_list(ps->m->fw, port_state_lookup_cb, l);
}

/* Whether some network needs the forward-hook 'isolate' chain. */
bool port_isolate_wanted(struct port_service *ps)
{
	for (size_t i = 0; i < ps->m->n_networks; i++) {
		const struct network *n = ps->m->networks[i];
		if (n->ifindex > 0 && n->config.isolate_ports)
			return true;
	}
	return false;
}

int port_policy_remove(struct port_service *ps, const char *name)
{
	_cleanup_free_ char *script = NULL, *msg = NULL;
	struct port_state_lookup l;
	int r;

	r = port_read_state(ps, name, &l);
	if (r < 0)
		return r;
	if (!l.found)
		return 0;
	r = fw_port_render_remove(name, l.st.has_mac ? l.st.mac : NULL, l.st.dhcp_mark, &script);
	if (r >= 0)
		r = fw_apply(ps->m->fw, script, &msg);
	if (r < 0)
		log_warning("Failed to remove the policy of port '%s': %s", name,
			    msg ? msg : strerror(-r));
	return r;
}

/*
 * Puts 'p' under its network's policy, or removes the policy when its network has none. With
 * 'keep', a port whose installed policy already matches is left alone (a MAC it learnt stays).
 */
int port_policy_apply(struct port_service *ps, struct port *p, bool keep, char *err,
			     size_t errlen)
{
	_cleanup_free_ char *base = NULL, *add = NULL, *msg = NULL;
	struct port_state_lookup l;
	struct fw_port fp;
	int r;

	if (!port_wants_policy(p)) {
		p->policy = false;
		return port_policy_remove(ps, p->name);
	}
	port_to_fw(p, &fp);
	/* a port new to us has nothing in the table: port_forget() cleans up after a name */
	if (keep)
		r = port_read_state(ps, p->name, &l);
	else {
		l = (struct port_state_lookup){ .name = p->name };
		r = 0;
	}
	if (r < 0) {
		snprintf(err, errlen, "failed to read the port policy table: %s", strerror(-r));
		return r;
	}
	if (keep && l.found && l.st.filter == fp.filter && l.st.ip_binding == fp.ip_binding &&
	    l.st.isolated == fp.isolated && l.st.rate_bytes == fp.rate_bytes &&
	    l.st.dhcp_mark == fp.dhcp_mark &&
	    (!fp.filter ||
	     (fp.has_mac ? (l.st.has_mac && !l.st.learning && memcmp(l.st.mac, fp.mac, 6) == 0)
			 : (l.st.has_mac || l.st.learning))) &&
	    ps->base_installed && ps->base_isolate == port_isolate_wanted(ps)) {
		p->policy = true;
		return 0;
	}
	bool isolate = port_isolate_wanted(ps);
	if (!ps->base_installed || ps->base_isolate != isolate) {
		r = fw_port_render_base(isolate, &base);
		if (r < 0)
			return r;
	}
	r = fw_port_render_add(&fp, l.found && l.st.has_mac ? l.st.mac : NULL,
			       l.found ? l.st.dhcp_mark : 0, &add);
	if (r < 0) {
		snprintf(err, errlen, "cannot render the policy of port '%s': %s", p->name,
			 strerror(-r));
		return r;
	}
	if (base) {
		char *both = NULL;
		if (asprintf(&both, "%s%s", base, add) < 0)
			return -ENOMEM;
		free(add);
		add = both;
	}
	r = fw_apply(ps->m->fw, add, &msg);
	if (r < 0) {
		snprintf(err, errlen, "failed to install the policy of port '%s': %s", p->name,
			 msg ? msg : strerror(-r));
		return r;
	}
	ps->base_installed = true;
	ps->base_isolate = isolate;
	p->policy = true;
	return 0;
}

int port_rate_apply(struct port_service *ps, const struct port *p, char *err, size_t errlen)
{
	int r;

	if (p->rate_mbit)
		r = nl_rate_limit_set(ps->m->nl, p->ifindex, (uint64_t)p->rate_mbit * 1000000ULL);
	else {
		uint64_t cur = 0;
		/* only clear what could be ours: an adopted port's qdiscs are its owner's */
		if (p->origin == PORT_ORIGIN_ADOPTED ||
		    nl_rate_limit_get(ps->m->nl, p->ifindex, &cur) < 0 || cur == 0)
			return 0;
		r = nl_rate_limit_clear(ps->m->nl, p->ifindex);
	}
	if (r < 0)
		snprintf(err, errlen, "failed to %s the rate limit of port '%s': %s",
			 p->rate_mbit ? "set" : "clear", p->name, strerror(-r));
	return r;
}

/* The MTU a port of 'n' gets: the network's, else the bridge's current one. */
uint32_t port_mtu(struct port_service *ps, const struct network *n)
{
	struct nl_link_info br;

	if (n->config.mtu)
		return n->config.mtu;
	if (nl_link_get_by_index(ps->m->nl, n->ifindex, &br) >= 0 && br.mtu)
		return br.mtu;
	return 1500;
}
