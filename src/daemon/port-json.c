/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 'port list': the ports of one network as JSON, with their policy state and leased address.
 * Part of the port service (port-service-internal.h).
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
#include "daemon/lan/lan-hosts.h"
#include "daemon/manager-core.h"
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

static const char *const port_origin_table[] = {
	[PORT_ORIGIN_DEFINED] = "defined",
	[PORT_ORIGIN_HELPER] = "bridge-helper",
	[PORT_ORIGIN_ADOPTED] = "adopted",
};

/* ---- listing ---- */

struct list_ctx {
	json_t *a;
	struct port_service *ps;
	struct fw_port_state *states;
	size_t n_states, cap_states;
	struct fw_macvtap_listing *mv;    /* table netdev kvmnet, when a macvtap port is listed */
};

static int list_state_cb(const struct fw_port_state *st, void *data)
{
	struct list_ctx *l = data;

	if (l->n_states == l->cap_states) {
		size_t cap = l->cap_states ? l->cap_states * 2 : 64;
		struct fw_port_state *a = realloc(l->states, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		l->states = a;
		l->cap_states = cap;
	}
	l->states[l->n_states++] = *st;
	return 0;
}

struct lease_by_mac {
	const uint8_t *mac;
	struct in_addr ip;
};

static int lease_by_mac_cb(const struct lease *l, void *data)
{
	struct lease_by_mac *f = data;

	if (l->state == LEASE_BOUND && memcmp(l->mac, f->mac, 6) == 0)
		f->ip = l->ip;
	return 0;
}

/* The learned addresses of 'p' (modes bridge, macvtap), newest last; NULL when it learns none. */
static json_t *learned_to_json(const struct port *p)
{
	const struct addr_learn_entry *e;
	char macbuf[MAC_STRLEN], ipbuf[INET_ADDRSTRLEN];
	uint64_t now = now_usec();
	json_t *a;
	size_t n;

	if (!p->learn)
		return NULL;
	a = json_array();
	e = addr_learn_entries(p->learn, &n);
	for (size_t i = 0; a && i < n; i++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s?}", "mac",
				      mac_to_string(e[i].mac, macbuf), "ip",
				      in_addr_to_string(e[i].ip, ipbuf), "source",
				      addr_learn_source_to_string(e[i].source), "age",
				      (json_int_t)((now - e[i].seen_usec) / 1000000), "hostname",
				      e[i].hostname[0] ? e[i].hostname : NULL);
		if (!o || json_array_append_new(a, o) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *port_to_json(struct list_ctx *l, const struct port *p)
{
	json_t *o;
	const struct network *n = p->network;
	const struct fw_port_state *st = NULL;
	const uint8_t *mac = p->has_mac ? p->mac : NULL;
	const struct network_port *def = network_ports_find(&n->ports, p->name);
	struct nl_link_info link = { 0 };
	char macbuf[MAC_STRLEN], ipbuf[INET_ADDRSTRLEN];
	struct in_addr ip = { 0 };
	const char *lab, *node = NULL;

	const struct fw_macvtap_state *mv = p->mv_policy ? fw_macvtap_listing_find(l->mv, p->name)
							 : NULL;
	uint64_t dropped = 0, dropped_bytes = 0;

	for (size_t i = 0; i < l->n_states; i++)
		if (strcmp(l->states[i].ifname, p->name) == 0)
			st = &l->states[i];
	if (st) {
		dropped = st->dropped_packets;
		dropped_bytes = st->dropped_bytes;
	} else if (mv) {
		dropped = mv->dropped_packets;
		dropped_bytes = mv->dropped_bytes;
	}
	if (!mac && st && st->has_mac)
		mac = st->mac;
	if (mac) {
		const struct network_host *h = network_hosts_find_mac(&n->hosts, mac);
		if (h)
			ip = h->ip;
		else if (n->leases) {
			struct lease_by_mac f = { .mac = mac };
			(void)lease_store_foreach(n->leases, lease_by_mac_cb, &f);
			ip = f.ip;
		}
	}
	if (p->learn && addr_learn_newest(p->learn)) {
		/* no lease of ours on a LAN network: what the guest's own traffic says */
		const struct addr_learn_entry *e = addr_learn_newest(p->learn);
		if (!mac)
			mac = e->mac;
		if (!ip.s_addr)
			ip = e->ip;
	}
	(void)nl_link_get_by_index(l->ps->m->nl, p->ifindex, &link);
	/* Counters as the guest sees them: what the tap receives, the guest sent. */
	o = json_pack("{s:s, s:s, s:s, s:s?, s:b, s:s?, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
			 "s:b, s:b, s:o?, s:o?, s:s?}",
			 "name", p->name, "network", n->config.name, "origin",
			 p->origin == PORT_ORIGIN_ADOPTED &&
					 l->ps->m->hooks.port_lab(l->ps->m, p->name, NULL)
				 ? "lab"
				 : port_origin_table[p->origin], "mac", mac ? mac_to_string(mac, macbuf) : NULL,
			 "mac-bound", p->has_mac, "ip",
			 ip.s_addr ? in_addr_to_string(ip, ipbuf) : NULL, "state",
			 !link.up ? "down" : link.carrier ? "up" : "no-carrier", "rx-packets",
			 (json_int_t)link.tx_packets, "rx-bytes", (json_int_t)link.tx_bytes,
			 "tx-packets", (json_int_t)link.rx_packets, "tx-bytes",
			 (json_int_t)link.rx_bytes, "dropped", (json_int_t)dropped,
			 "dropped-bytes", (json_int_t)dropped_bytes, "rate",
			 (json_int_t)p->rate_mbit, "policy", p->policy || p->mv_policy, "isolated",
			 p->policy && n->config.isolate_ports, "owner",
			 def && def->has_owner ? json_integer(def->owner) : NULL, "learned",
			 learned_to_json(p), "device",
			 p->macvtap && p->dev_path[0] ? p->dev_path : NULL);
	/* a lab node's port: which lab and node (docs/LABS.md) */
	if (o && (lab = l->ps->m->hooks.port_lab(l->ps->m, p->name, &node)) &&
	    (json_object_set_new(o, "lab", json_string(lab)) < 0 ||
	     json_object_set_new(o, "node", json_string(node)) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int port_cmp(const void *a, const void *b)
{
	const struct port *x = *(struct port *const *)a, *y = *(struct port *const *)b;
	int c = strcmp(x->network->config.name, y->network->config.name);

	return c ? c : strcmp(x->name, y->name);
}

int port_service_list_json(struct port_service *ps, const struct network *n, json_t *a)
{
	struct list_ctx l = { .a = a, .ps = ps };
	_cleanup_free_ struct port **sorted = NULL;
	int r;

	r = fw_port_list(ps->m->fw, list_state_cb, &l);
	if (r < 0)
		log_warning_errno(r, "Failed to read the port policy table: %m");
	sorted = calloc(ps->n_ports ? ps->n_ports : 1, sizeof(*sorted));
	if (!sorted) {
		free(l.states);
		return -ENOMEM;
	}
	if (ps->n_ports > 0) {   /* ps->ports is NULL until the first port */
		memcpy(sorted, ps->ports, ps->n_ports * sizeof(*sorted));
		qsort(sorted, ps->n_ports, sizeof(*sorted), port_cmp);
	}
	for (size_t i = 0; i < ps->n_ports && !l.mv; i++)
		if (sorted[i]->mv_policy && (!n || sorted[i]->network == n)) {
			r = fw_macvtap_list(ps->m->fw, &l.mv);
			if (r < 0) {
				log_warning_errno(r, "Failed to read the macvtap port policy table: %m");
				break;
			}
		}
	r = 0;
	for (size_t i = 0; i < ps->n_ports && r >= 0; i++) {
		if (n && sorted[i]->network != n)
			continue;
		json_t *o = port_to_json(&l, sorted[i]);
		r = o ? json_array_append_new(a, o) : -ENOMEM;
	}
	free(l.states);
	fw_macvtap_listing_free(l.mv);
	return r < 0 ? -ENOMEM : 0;
}

int port_service_hosts_append(struct port_service *ps, struct strbuf *sb)
{
	for (size_t i = 0; ps && i < ps->n_ports; i++) {
		const struct port *p = ps->ports[i];
		const struct addr_learn_entry *e;
		char domain[NETWORK_DOMAIN_MAX + 1];
		size_t n;
		int r;

		if (!p->learn || !p->network->active)
			continue;
		e = addr_learn_entries(p->learn, &n);
		r = lan_hosts_append(sb, e, n, p->name, network_config_domain(&p->network->config,
									     domain));
		if (r < 0)
			return r;
	}
	return 0;
}
