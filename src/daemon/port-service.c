/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of port-service.h. Ports live in one array (linear lookups: a few thousand
 * ports, and lookups happen per netlink event or API call, never per packet). Bindings are kept
 * as the set of (MAC, IPv4) pairs installed in the kernel (an open-addressing hash) plus a list
 * of pairs whose desired state may have changed; the desired state is always recomputed from the
 * network (reservations and bound leases), so there are no reference counts to get wrong.
 */
#include "port-service.h"

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
#include "daemon/manager.h"
#include "daemon/network.h"
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

#define PORT_TEMPLATE_DEFINED "knt%d"
#define PORT_TEMPLATE_HELPER "knv%d"

enum port_origin {
	PORT_ORIGIN_DEFINED,    /* 'port add': a persistent tap in the network's definition */
	PORT_ORIGIN_HELPER,     /* made for QEMU's bridge helper: lives as long as QEMU's fd */
	PORT_ORIGIN_ADOPTED,    /* made by someone else (libvirt, by hand), found on the bridge */
};

static const char *const port_origin_table[] = {
	[PORT_ORIGIN_DEFINED] = "defined",
	[PORT_ORIGIN_HELPER] = "bridge-helper",
	[PORT_ORIGIN_ADOPTED] = "adopted",
};

struct port {
	char name[IFNAMSIZ];
	int ifindex;
	struct network *network;   /* borrowed */
	enum port_origin origin;
	bool policy;               /* its elements are in the bridge table */
	bool has_mac;              /* bound to 'mac' (a defined port with --mac) */
	uint8_t mac[6];
	uint32_t rate_mbit;
};

struct binding_key {
	uint8_t mac[6];
	struct in_addr ip;
};

/* One slot of the installed-pairs hash. */
struct binding_slot {
	struct binding_key key;
	uint8_t state;             /* SLOT_* */
};

enum { SLOT_EMPTY, SLOT_USED, SLOT_DELETED };

struct port_service {
	struct manager *m;
	struct port **ports;
	size_t n_ports;
	bool base_installed;
	bool base_isolate;            /* the base was rendered with the 'isolate' chain */
	/* What the bridge table holds, read once for a batch of port operations (snap_begin) */
	struct fw_port_state *snap;
	size_t n_snap, cap_snap;
	bool snap_valid;
	struct binding_slot *slots;   /* installed pairs; power-of-two size */
	size_t n_slots, n_live, n_used;
	struct binding_key *dirty;    /* pairs to re-examine at the next flush */
	size_t n_dirty, cap_dirty;
	struct event_source *flush_source;
};

static bool isolate_wanted(struct port_service *ps);

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

static int bindings_insert(struct port_service *ps, const struct binding_key *k);

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

static int bindings_insert(struct port_service *ps, const struct binding_key *k)
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
		if (in_prefix_contains(&m->networks[i]->config.subnet, ip))
			return m->networks[i];
	return NULL;
}

/* Whether pair 'k' should be allowed now: reserved for that MAC, or a live bound lease of it. */
static bool binding_wanted(struct port_service *ps, const struct binding_key *k)
{
	struct network *n = network_of_ip(ps->m, k->ip);
	const struct network_host *h;
	const struct lease *l;

	if (!n || !network_binds_ips(n))
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

static void bindings_mark(struct port_service *ps, const uint8_t mac[6], struct in_addr ip)
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
	bool isolate = isolate_wanted(ps), base = r >= 0 && !ps->base_installed;
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

static int port_service_on_flush(struct event_source *s, void *data)
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
static void bindings_mark_network(struct port_service *ps, struct network *n)
{
	for (size_t i = 0; i < n->hosts.n; i++)
		bindings_mark(ps, n->hosts.items[i].mac, n->hosts.items[i].ip);
	if (n->leases)
		(void)lease_store_foreach(n->leases, mark_lease_cb, n);
}

/* Marks every installed pair inside the subnet of 'n' (it goes down or stops binding). */
static void bindings_mark_installed(struct port_service *ps, const struct network *n)
{
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
	free(p);
}

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
					       c->dhcp,
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
 * until snap_end() use the copy. Our own changes in the batch touch each port once.
 */
static void snap_begin(struct port_service *ps)
{
	ps->n_snap = 0;
	ps->snap_valid = fw_port_list(ps->m->fw, snap_cb, ps) >= 0;
}

static void snap_end(struct port_service *ps)
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
static bool isolate_wanted(struct port_service *ps)
{
	for (size_t i = 0; i < ps->m->n_networks; i++) {
		const struct network *n = ps->m->networks[i];
		if (n->ifindex > 0 && n->config.isolate_ports)
			return true;
	}
	return false;
}

static int port_policy_remove(struct port_service *ps, const char *name)
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
static int port_policy_apply(struct port_service *ps, struct port *p, bool keep, char *err,
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
	    ps->base_installed && ps->base_isolate == isolate_wanted(ps)) {
		p->policy = true;
		return 0;
	}
	bool isolate = isolate_wanted(ps);
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

static int port_rate_apply(struct port_service *ps, const struct port *p, char *err, size_t errlen)
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
static uint32_t port_mtu(struct port_service *ps, const struct network *n)
{
	struct nl_link_info br;

	if (n->config.mtu)
		return n->config.mtu;
	if (nl_link_get_by_index(ps->m->nl, n->ifindex, &br) >= 0 && br.mtu)
		return br.mtu;
	return 1500;
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
	if (delete_tap && p->ifindex > 0) {
		int r = nl_link_delete(ps->m->nl, p->ifindex);
		if (r < 0 && r != -ENODEV)
			log_warning_errno(r, "Failed to delete tap '%s': %m", p->name);
	}
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

int port_service_add(struct network *n, struct network_port *port, char *err, size_t errlen)
{
	struct port_service *ps = n->manager->ports;
	struct port *p;
	int r;

	if (!n->active)
		return 0;
	r = port_make(ps, n, port->name[0] ? port->name : PORT_TEMPLATE_DEFINED, port, true, true,
		      NULL, &p, err, errlen);
	if (r < 0)
		return r;
	snprintf(port->name, sizeof(port->name), "%s", p->name);
	log_info("Port '%s' added to network '%s'", p->name, n->config.name);
	return 0;
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
	if (ifindex <= 0)
		return NULL;
	for (size_t i = 0; i < m->n_networks; i++)
		if (m->networks[i]->active && m->networks[i]->ifindex == ifindex)
			return m->networks[i];
	return NULL;
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

	(void)tap_get_info(ps->m->nl, link->ifindex, &ti);
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

void port_service_network_up(struct network *n)
{
	struct port_service *ps = n->manager->ports;
	struct bridge_scan scan = { .ps = ps, .n = n };
	char err[256];
	int r;

	if (!ps)
		return;
	snap_begin(ps);
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
	r = nl_link_dump(ps->m->nl, bridge_scan_cb, &scan);
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
	snap_end(ps);
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
	snap_begin(ps);
	for (size_t i = ps->n_ports; i > 0; i--) {
		struct port *p = ps->ports[i - 1];
		if (p->network == n)
			port_forget(ps, p, p->origin == PORT_ORIGIN_DEFINED);
	}
	snap_end(ps);
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
		p = port_find_ifindex(ps, link->ifindex);
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
	return 0;
}

/* ---- listing ---- */

struct list_ctx {
	json_t *a;
	struct port_service *ps;
	struct fw_port_state *states;
	size_t n_states, cap_states;
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

static json_t *port_to_json(struct list_ctx *l, const struct port *p)
{
	const struct network *n = p->network;
	const struct fw_port_state *st = NULL;
	const uint8_t *mac = p->has_mac ? p->mac : NULL;
	const struct network_port *def = network_ports_find(&n->ports, p->name);
	struct nl_link_info link = { 0 };
	char macbuf[MAC_STRLEN], ipbuf[INET_ADDRSTRLEN];
	struct in_addr ip = { 0 };

	for (size_t i = 0; i < l->n_states; i++)
		if (strcmp(l->states[i].ifname, p->name) == 0)
			st = &l->states[i];
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
	(void)nl_link_get_by_index(l->ps->m->nl, p->ifindex, &link);
	/* Counters as the guest sees them: what the tap receives, the guest sent. */
	return json_pack("{s:s, s:s, s:s, s:s?, s:b, s:s?, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
			 "s:b, s:b, s:o?}",
			 "name", p->name, "network", n->config.name, "origin",
			 port_origin_table[p->origin], "mac", mac ? mac_to_string(mac, macbuf) : NULL,
			 "mac-bound", p->has_mac, "ip",
			 ip.s_addr ? in_addr_to_string(ip, ipbuf) : NULL, "state",
			 !link.up ? "down" : link.carrier ? "up" : "no-carrier", "rx-packets",
			 (json_int_t)link.tx_packets, "rx-bytes", (json_int_t)link.tx_bytes,
			 "tx-packets", (json_int_t)link.rx_packets, "tx-bytes",
			 (json_int_t)link.rx_bytes, "dropped", (json_int_t)(st ? st->dropped_packets : 0),
			 "dropped-bytes", (json_int_t)(st ? st->dropped_bytes : 0), "rate",
			 (json_int_t)p->rate_mbit, "policy", p->policy, "isolated",
			 p->policy && n->config.isolate_ports, "owner",
			 def && def->has_owner ? json_integer(def->owner) : NULL);
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
	r = 0;
	for (size_t i = 0; i < ps->n_ports && r >= 0; i++) {
		if (n && sorted[i]->network != n)
			continue;
		json_t *o = port_to_json(&l, sorted[i]);
		r = o ? json_array_append_new(a, o) : -ENOMEM;
	}
	free(l.states);
	return r < 0 ? -ENOMEM : 0;
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
	for (size_t i = 0; i < ps->n_ports; i++)
		free(ps->ports[i]);
	free(ps->ports);
	free(ps->slots);
	free(ps->dirty);
	free(ps->snap);
	event_source_free(ps->flush_source);
	free(ps);
	return NULL;
}
