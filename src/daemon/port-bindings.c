/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The (MAC, IPv4) pairs the port policy allows, kept as the set installed in the kernel (an
 * open-addressing hash) plus a list of pairs whose desired state may have changed; the desired
 * state is always recomputed from the network (reservations and bound leases), so there are no
 * reference counts to get wrong. Part of the port service (port-service-internal.h).
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

/* ---- installed bindings: a small open-addressing hash ---- */

static uint64_t binding_hash(const struct binding_key *k)
{
	uint64_t h = 1469598103934665603ULL;
	const uint8_t *p = k->mac;

	for (size_t i = 0; i < 6; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	p = (const uint8_t *)&k->ip.s_addr;
	for (size_t i = 0; i < 4; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static bool binding_key_equal(const struct binding_key *a, const struct binding_key *b)
{
	return memcmp(a->mac, b->mac, 6) == 0 && a->ip.s_addr == b->ip.s_addr;
}

static struct binding_slot *bindings_find(struct port_service *ps, const struct binding_key *k)
{
	if (!ps->n_slots)
		return NULL;
	for (size_t i = binding_hash(k) & (ps->n_slots - 1), n = 0; n < ps->n_slots;
	     i = (i + 1) & (ps->n_slots - 1), n++) {
		struct binding_slot *s = &ps->slots[i];
		if (s->state == SLOT_EMPTY)
			return NULL;
		if (s->state == SLOT_USED && binding_key_equal(&s->key, k))
			return s;
	}
	return NULL;
}

static int bindings_grow(struct port_service *ps)
{
	struct binding_slot *old = ps->slots;
	size_t n_old = ps->n_slots, n_new = n_old ? n_old * 2 : 256;

	while (ps->n_live * 2 >= n_new)
		n_new *= 2;
	ps->slots = calloc(n_new, sizeof(*ps->slots));
	if (!ps->slots) {
		ps->slots = old;
		return -ENOMEM;
	}
	ps->n_slots = n_new;
	ps->n_live = ps->n_used = 0;
	for (size_t i = 0; i < n_old; i++)
		if (old[i].state == SLOT_USED)
			(void)bindings_insert(ps, &old[i].key);
	free(old);
	return 0;
}

int bindings_insert(struct port_service *ps, const struct binding_key *k)
{
	if (bindings_find(ps, k))
		return 0;
	if ((ps->n_used + 1) * 4 > ps->n_slots * 3) {
		int r = bindings_grow(ps);
		if (r < 0)
			return r;
	}
	for (size_t i = binding_hash(k) & (ps->n_slots - 1);; i = (i + 1) & (ps->n_slots - 1)) {
		struct binding_slot *s = &ps->slots[i];
		if (s->state != SLOT_USED) {
			if (s->state == SLOT_EMPTY)
				ps->n_used++;
			s->key = *k;
			s->state = SLOT_USED;
			ps->n_live++;
			return 0;
		}
	}
}

static void bindings_erase(struct port_service *ps, const struct binding_key *k)
{
	struct binding_slot *s = bindings_find(ps, k);

	if (s) {
		s->state = SLOT_DELETED;
		ps->n_live--;
	}
}

/* ---- desired bindings ---- */

static bool network_binds_ips(const struct network *n)
{
	return n->ifindex > 0 && n->config.port_security == NETWORK_PORT_SECURITY_FULL && n->config.dhcp;
}

static struct network *network_of_ip(struct manager *m, struct in_addr ip)
{
	for (size_t i = 0; i < m->n_networks; i++)
		if (m->networks[i]->config.has_subnet &&
		    in_prefix_contains(&m->networks[i]->config.subnet, ip))
			return m->networks[i];
	return NULL;
}

/* Whether pair 'k' should be allowed now: reserved for that MAC, or a live bound lease of it. */
static bool binding_wanted(struct port_service *ps, const struct binding_key *k)
{
	struct network *n = network_of_ip(ps->m, k->ip);
	const struct network_host *h;
	const struct lease *l;

	if (!n)
		return port_learned_wanted(ps, k);   /* LAN networks have no subnet of ours */
	if (!network_binds_ips(n))
		return false;
	h = network_hosts_find_mac(&n->hosts, k->mac);
	if (h && h->ip.s_addr == k->ip.s_addr)
		return true;
	if (!n->leases)
		return false;
	l = lease_store_find_by_ip(n->leases, k->ip);
	return l && l->state == LEASE_BOUND && memcmp(l->mac, k->mac, 6) == 0 &&
	       l->expires > (uint64_t)time(NULL);
}

void bindings_mark(struct port_service *ps, const uint8_t mac[6], struct in_addr ip)
{
	if (ps->n_dirty == ps->cap_dirty) {
		size_t cap = ps->cap_dirty ? ps->cap_dirty * 2 : 64;
		struct binding_key *d = realloc(ps->dirty, cap * sizeof(*d));
		if (!d) {
			log_oom();
			return;
		}
		ps->dirty = d;
		ps->cap_dirty = cap;
	}
	memcpy(ps->dirty[ps->n_dirty].mac, mac, 6);
	ps->dirty[ps->n_dirty].ip = ip;
	ps->n_dirty++;
	event_source_enable_defer(ps->flush_source);
}

void port_service_flush(struct port_service *ps)
{
	_cleanup_free_ struct fw_binding *add = NULL, *del = NULL;
	_cleanup_free_ char *script = NULL, *msg = NULL;
	size_t n_add = 0, n_del = 0;
	int r;

	if (ps && ps->mv_n_dirty > 0)
		port_macvtap_policy_flush(ps);
	if (!ps || ps->n_dirty == 0)
		return;
	add = calloc(ps->n_dirty, sizeof(*add));
	del = calloc(ps->n_dirty, sizeof(*del));
	if (!add || !del) {
		log_oom();
		return;
	}
	for (size_t i = 0; i < ps->n_dirty; i++) {
		const struct binding_key *k = &ps->dirty[i];
		bool want = binding_wanted(ps, k), have = bindings_find(ps, k) != NULL;
		struct fw_binding *b;

		if (want == have)
			continue;
		/* the same pair may be listed twice: decide once */
		if (want)
			(void)bindings_insert(ps, k);
		else
			bindings_erase(ps, k);
		b = want ? &add[n_add++] : &del[n_del++];
		memcpy(b->mac, k->mac, 6);
		b->ip = k->ip;
	}
	ps->n_dirty = 0;
	if (n_add == 0 && n_del == 0)
		return;
	r = fw_port_render_bindings(add, n_add, del, n_del, &script);
	/* the set lives in the base table, which exists once any port needed it */
	bool isolate = port_isolate_wanted(ps), base = r >= 0 && !ps->base_installed;
	if (base) {
		_cleanup_free_ char *b = NULL, *both = NULL;
		r = fw_port_render_base(isolate, &b);
		if (r >= 0 && asprintf(&both, "%s%s", b, script) < 0)
			r = -ENOMEM;
		if (r >= 0) {
			free(script);
			script = TAKE_PTR(both);
		}
	}
	if (r >= 0)
		r = fw_apply(ps->m->fw, script, &msg);
	if (r >= 0 && base) {
		ps->base_installed = true;
		ps->base_isolate = isolate;
	}
	if (r < 0) {
		log_warning("Failed to update port bindings (%zu added, %zu removed): %s", n_add,
			    n_del, msg ? msg : strerror(-r));
		/* Undo what we believed: each pair is re-examined at its next change. */
		for (size_t i = 0; i < n_add; i++) {
			struct binding_key k = { .ip = add[i].ip };
			memcpy(k.mac, add[i].mac, 6);
			bindings_erase(ps, &k);
		}
		for (size_t i = 0; i < n_del; i++) {
			struct binding_key k = { .ip = del[i].ip };
			memcpy(k.mac, del[i].mac, 6);
			(void)bindings_insert(ps, &k);
		}
	}
}

int port_service_on_flush(struct event_source *s, void *data)
{
	port_service_flush(data);
	return 0;
}

static int mark_lease_cb(const struct lease *l, void *data)
{
	struct network *n = data;

	if (l->state == LEASE_BOUND)
		bindings_mark(n->manager->ports, l->mac, l->ip);
	return 0;
}

/* Marks every pair network 'n' may want (its reservations and bound leases). */
void bindings_mark_network(struct port_service *ps, struct network *n)
{
	for (size_t i = 0; i < n->hosts.n; i++)
		bindings_mark(ps, n->hosts.items[i].mac, n->hosts.items[i].ip);
	if (n->leases)
		(void)lease_store_foreach(n->leases, mark_lease_cb, n);
}

/* Marks every installed pair inside the subnet of 'n' (it goes down or stops binding). */
void bindings_mark_installed(struct port_service *ps, const struct network *n)
{
	if (n && !n->config.has_subnet)
		return;
	for (size_t i = 0; i < ps->n_slots; i++)
		if (ps->slots[i].state == SLOT_USED &&
		    (!n || in_prefix_contains(&n->config.subnet, ps->slots[i].key.ip)))
			bindings_mark(ps, ps->slots[i].key.mac, ps->slots[i].key.ip);
}

void port_service_lease_changed(struct network *n, const struct lease *l, bool removed)
{
	if (n->manager->ports)
		bindings_mark(n->manager->ports, l->mac, l->ip);
}

void port_service_network_changed(struct network *n)
{
	struct port_service *ps = n->manager->ports;

	if (!ps)
		return;
	bindings_mark_installed(ps, n);
	bindings_mark_network(ps, n);
}
