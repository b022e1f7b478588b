/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-port policy of macvtap ports (port-service-internal.h), in table netdev kvmnet
 * (firewall/fw-macvtap.h): a port's chain on its device's egress hook, made with the port and
 * removed with it, and the addresses its learner (daemon/lan/) found, synced as set elements
 * after each batch of learner events. The addresses a port may use are bridge mode's
 * (port_learned_wanted()): the one the LAN's DHCP server gave its MAC, else the ones its ARP
 * announced. The table keeps them across a daemon restart, and the learner gets them back.
 */
#include "port-service.h"
#include "port-service-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-network.h"
#include "daemon/lan/addr-learn.h"
#include "daemon/manager-core.h"
#include "daemon/network-types.h"
#include "event/event.h"
#include "firewall/fw-apply.h"
#include "firewall/fw-macvtap.h"
#include "shared/alloc-util.h"
#include "shared/log.h"

_Static_assert(FW_MACVTAP_ADDRS_MAX == ADDR_LEARN_PER_PORT_MAX, "one bound per port");
_Static_assert(FW_MACVTAP_NETWORK_MAX == NETWORK_NAME_MAX, "one bound for network names");

static bool port_binds_ips(const struct port *p)
{
	return p->network->config.port_security == NETWORK_PORT_SECURITY_FULL;
}

/* Runs 'script' (freed), with the base first when it is not loaded yet. */
static int apply(struct port_service *ps, char *script, char **reterr_msg)
{
	_cleanup_free_ char *owned = script, *base = NULL, *both = NULL;
	int r;

	if (!ps->mv_base_installed) {
		r = fw_macvtap_render_base(&base);
		if (r < 0)
			return r;
		if (asprintf(&both, "%s%s", base, owned) < 0)
			return -ENOMEM;
	}
	r = fw_apply(ps->m->fw, both ? both : owned, reterr_msg);
	if (r >= 0)
		ps->mv_base_installed = true;
	return r;
}

/* What the port may use now: its MAC's DHCP address, else the addresses its ARP announced. */
static size_t wanted_addrs(const struct port *p, struct fw_macvtap_addr ret[FW_MACVTAP_ADDRS_MAX],
			   bool *ret_learning)
{
	const struct addr_learn_entry *e;
	size_t n, k = 0, n_dhcp = 0;

	e = p->learn ? addr_learn_entries(p->learn, &n) : (n = 0, NULL);
	for (size_t i = 0; i < n; i++)
		if (memcmp(e[i].mac, p->mac, 6) == 0 && e[i].source == ADDR_LEARN_SOURCE_DHCP)
			n_dhcp++;
	for (size_t i = 0; i < n && k < FW_MACVTAP_ADDRS_MAX; i++) {
		if (memcmp(e[i].mac, p->mac, 6) != 0)
			continue;
		if (n_dhcp && e[i].source != ADDR_LEARN_SOURCE_DHCP)
			continue;
		ret[k++] = (struct fw_macvtap_addr){ .ip = e[i].ip,
						     .dhcp = e[i].source == ADDR_LEARN_SOURCE_DHCP };
	}
	/* a guest with a DHCP address is held to it; one without may announce up to the bound */
	*ret_learning = port_binds_ips(p) && n_dhcp == 0 && n < ADDR_LEARN_PER_PORT_MAX;
	return k;
}

static const struct fw_macvtap_addr *addr_find(const struct fw_macvtap_addr *a, size_t n,
					       struct in_addr ip)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].ip.s_addr == ip.s_addr)
			return &a[i];
	return NULL;
}

/* Whether a port of the network of 'p' other than 'p' holds 'ip' in the table. */
static bool network_holds(struct port_service *ps, const struct port *p, struct in_addr ip)
{
	for (size_t i = 0; i < ps->n_ports; i++) {
		const struct port *q = ps->ports[i];

		if (q != p && q->mv_policy && q->network == p->network &&
		    addr_find(q->mv_addrs, q->mv_n_addrs, ip))
			return true;
	}
	return false;
}

/*
 * Brings the table's view of 'p' to 'want' (n_want of them) and 'learning'; with 'force' the
 * 'learning' element is written even when it seems right (a port new to the table).
 */
static int port_sync(struct port_service *ps, struct port *p, const struct fw_macvtap_addr *want,
		     size_t n_want, bool learning, bool force)
{
	struct fw_macvtap_addr add[FW_MACVTAP_ADDRS_MAX], del[FW_MACVTAP_ADDRS_MAX];
	struct in_addr taken_add[FW_MACVTAP_ADDRS_MAX], taken_del[FW_MACVTAP_ADDRS_MAX];
	size_t n_add = 0, n_del = 0, n_tdel = 0;
	_cleanup_free_ char *msg = NULL;
	char *script = NULL;
	int r;

	for (size_t i = 0; i < n_want; i++) {
		const struct fw_macvtap_addr *have = addr_find(p->mv_addrs, p->mv_n_addrs,
							       want[i].ip);
		if (!have || have->dhcp != want[i].dhcp)
			add[n_add++] = want[i];
		taken_add[i] = want[i].ip;
	}
	for (size_t i = 0; i < p->mv_n_addrs; i++)
		if (!addr_find(want, n_want, p->mv_addrs[i].ip)) {
			del[n_del++] = p->mv_addrs[i];
			if (!network_holds(ps, p, p->mv_addrs[i].ip))
				taken_del[n_tdel++] = p->mv_addrs[i].ip;
		}
	if (!force && n_add == 0 && n_del == 0 && learning == p->mv_learning)
		return 0;
	struct fw_macvtap_change c = { .ifname = p->name, .network = p->network->config.name,
				       .add = add, .n_add = n_add, .del = del, .n_del = n_del,
				       .taken_add = taken_add, .n_taken_add = n_add ? n_want : 0,
				       .taken_del = taken_del, .n_taken_del = n_tdel,
				       .learning = learning };
	memcpy(c.mac, p->mac, 6);
	r = fw_macvtap_render_addrs(&c, &script);
	if (r >= 0)
		r = apply(ps, script, &msg);
	if (r < 0) {
		log_warning("Failed to update the addresses of macvtap port '%s': %s", p->name,
			    msg ? msg : strerror(-r));
		return r;
	}
	memcpy(p->mv_addrs, want, n_want * sizeof(*want));
	p->mv_n_addrs = n_want;
	p->mv_learning = learning;
	return 0;
}

void port_macvtap_policy_mark(struct port_service *ps, struct port *p)
{
	if (!p->mv_policy || p->mv_dirty)
		return;
	p->mv_dirty = true;
	ps->mv_n_dirty++;
	event_source_enable_defer(ps->flush_source);
}

void port_macvtap_policy_flush(struct port_service *ps)
{
	for (size_t i = 0; i < ps->n_ports && ps->mv_n_dirty > 0; i++) {
		struct port *p = ps->ports[i];
		struct fw_macvtap_addr want[FW_MACVTAP_ADDRS_MAX];
		bool learning;
		size_t n;

		if (!p->mv_dirty)
			continue;
		p->mv_dirty = false;
		ps->mv_n_dirty--;
		n = wanted_addrs(p, want, &learning);
		(void)port_sync(ps, p, want, n, learning, false);
	}
}

void port_macvtap_policy_apply(struct port_service *ps, struct port *p,
			       const struct fw_macvtap_state *held)
{
	struct fw_macvtap_port fp = { .ip_binding = port_binds_ips(p) };
	_cleanup_free_ char *msg = NULL;
	char *script = NULL;
	int r;

	if (p->network->config.port_security == NETWORK_PORT_SECURITY_OFF) {
		if (held || p->mv_policy)
			port_macvtap_policy_remove(ps, p);
		return;
	}
	snprintf(fp.ifname, sizeof(fp.ifname), "%s", p->name);
	snprintf(fp.network, sizeof(fp.network), "%s", p->network->config.name);
	memcpy(fp.mac, p->mac, 6);
	r = fw_macvtap_render_add(&fp, held && held->has_mac ? held->mac : NULL, &script);
	if (r >= 0)
		r = apply(ps, script, &msg);
	if (r < 0) {
		/* the probe: a kernel or nft without the netdev egress hook refuses the chain */
		snprintf(ps->mv_error, sizeof(ps->mv_error), "%s", msg ? msg : strerror(-r));
		log_warning("Macvtap port '%s' is not under policy (port-security %s): %s, ignoring",
			    p->name, network_port_security_to_string(p->network->config.port_security),
			    ps->mv_error);
		return;
	}
	ps->mv_error[0] = '\0';
	p->mv_policy = true;
	p->mv_n_addrs = 0;
	p->mv_learning = false;
	if (held && held->has_mac && memcmp(held->mac, p->mac, 6) == 0) {
		/* a restart: what the table allowed is still allowed, and learned again */
		memcpy(p->mv_addrs, held->addrs, held->n_addrs * sizeof(held->addrs[0]));
		p->mv_n_addrs = held->n_addrs;
		p->mv_learning = held->learning;
		for (size_t i = 0; p->learn && i < held->n_addrs; i++)
			addr_learn_restore(p->learn, p->mac, held->addrs[i].ip,
					   held->addrs[i].dhcp ? ADDR_LEARN_SOURCE_DHCP
							       : ADDR_LEARN_SOURCE_ARP,
					   now_usec());
	} else if (held && held->has_mac) {
		/* another MAC before: its addresses go */
		struct fw_macvtap_change c = { .ifname = p->name,
					       .network = p->network->config.name };
		memcpy(c.mac, held->mac, 6);
		c.del = held->addrs;
		c.n_del = held->n_addrs;
		if (fw_macvtap_render_addrs(&c, &script) >= 0)
			(void)apply(ps, script, NULL);
	}
	/* the port's learning state now (a new port learns until it has an address) */
	if (p->mv_dirty) {
		p->mv_dirty = false;
		ps->mv_n_dirty--;
	}
	struct fw_macvtap_addr want[FW_MACVTAP_ADDRS_MAX];
	bool learning;
	size_t n = wanted_addrs(p, want, &learning);
	(void)port_sync(ps, p, want, n, learning, true);
}

static bool any_policy(struct port_service *ps, const struct network *n, const struct port *but)
{
	for (size_t i = 0; i < ps->n_ports; i++)
		if (ps->ports[i] != but && ps->ports[i]->mv_policy &&
		    (!n || ps->ports[i]->network == n))
			return true;
	return false;
}

/* Deletes the table when no port is under policy any longer (nothing left behind). */
static void table_reset_if_unused(struct port_service *ps, const struct port *but)
{
	char *script = NULL;

	if (any_policy(ps, NULL, but) || fw_macvtap_render_reset(&script) < 0)
		return;
	if (fw_apply(ps->m->fw, script, NULL) >= 0)
		ps->mv_base_installed = false;
	free(script);
}

void port_macvtap_policy_remove(struct port_service *ps, struct port *p)
{
	struct in_addr untake[FW_MACVTAP_ADDRS_MAX];
	_cleanup_free_ char *msg = NULL;
	char *script = NULL;
	size_t n_untake = 0;
	int r;

	if (p->mv_dirty) {
		p->mv_dirty = false;
		ps->mv_n_dirty--;
	}
	if (!p->mv_policy)
		return;
	if (!any_policy(ps, NULL, p)) {
		table_reset_if_unused(ps, p);
		p->mv_policy = false;
		return;
	}
	for (size_t i = 0; i < p->mv_n_addrs; i++)
		if (!network_holds(ps, p, p->mv_addrs[i].ip))
			untake[n_untake++] = p->mv_addrs[i].ip;
	struct fw_macvtap_change c = { .ifname = p->name, .network = p->network->config.name,
				       .taken_del = untake, .n_taken_del = n_untake };
	r = fw_macvtap_render_addrs(&c, &script);
	if (r >= 0)
		r = apply(ps, script, &msg);
	script = NULL;
	if (r >= 0)
		r = fw_macvtap_render_remove(p->name, p->mac, p->mv_addrs, p->mv_n_addrs, &script);
	if (r >= 0)
		r = apply(ps, script, &msg);
	script = NULL;
	if (r >= 0 && !any_policy(ps, p->network, p) &&
	    fw_macvtap_render_network_remove(p->network->config.name, &script) >= 0)
		r = apply(ps, script, &msg);
	if (r < 0)
		log_warning("Failed to remove the policy of macvtap port '%s': %s", p->name,
			    msg ? msg : strerror(-r));
	p->mv_policy = false;
	p->mv_n_addrs = 0;
}

static struct port *port_of_name(struct port_service *ps, const char *name)
{
	for (size_t i = 0; i < ps->n_ports; i++)
		if (strcmp(ps->ports[i]->name, name) == 0)
			return ps->ports[i];
	return NULL;
}

void port_macvtap_policy_startup(struct port_service *ps)
{
	struct fw_macvtap_listing *l = NULL;
	int r;

	r = fw_macvtap_list(ps->m->fw, &l);
	if (r < 0) {
		log_warning_errno(r, "Failed to read the macvtap port policy table: %m");
		return;
	}
	if (!any_policy(ps, NULL, NULL)) {
		if (l->n_ports > 0 || l->n_networks > 0)
			table_reset_if_unused(ps, NULL);
		fw_macvtap_listing_free(l);
		return;
	}
	for (size_t i = 0; i < l->n_ports; i++) {
		const struct fw_macvtap_state *st = &l->ports[i];
		struct port *p = port_of_name(ps, st->ifname);
		char *script = NULL;

		if (p && p->mv_policy)
			continue;
		if (fw_macvtap_render_remove(st->ifname, st->has_mac ? st->mac : NULL, st->addrs,
					     st->n_addrs, &script) >= 0)
			(void)apply(ps, script, NULL);
	}
	for (size_t i = 0; i < l->n_networks; i++) {
		struct network *n = manager_find_network(ps->m, l->networks[i]);
		char *script = NULL;

		if ((!n || !any_policy(ps, n, NULL)) &&
		    fw_macvtap_render_network_remove(l->networks[i], &script) >= 0)
			(void)apply(ps, script, NULL);
	}
	fw_macvtap_listing_free(l);
}

const char *port_service_macvtap_policy(struct port_service *ps, const struct network *n,
					char *buf, size_t len)
{
	if (n->config.port_security == NETWORK_PORT_SECURITY_OFF)
		snprintf(buf, len, "off");
	else if (ps && ps->mv_error[0])
		snprintf(buf, len, "unsupported: %s", ps->mv_error);
	else
		snprintf(buf, len, "egress");
	return buf;
}
