/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Renders the per-port policy of table netdev kvmnet (layout and rules in fw-macvtap.h) as nft
 * scripts, and reads the table back through fw-apply's JSON listing. As in fw-port.c, a change of
 * a port is element and object edits only (and, when the port comes or goes, its own chain), and
 * deleting what may be absent is written "add X; delete X" in one transaction.
 */
#include "firewall/fw-macvtap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "firewall/fw-apply.h"
#include "firewall/fw-script.h"
#include "shared/alloc-util.h"
#include "shared/ifname-util.h"

#define FW_MACVTAP_TABLE "netdev " FW_MACVTAP_TABLE_NAME
#define FW_FAMILY_NETDEV 5   /* NFPROTO_NETDEV */

static const char *const base_objects[] = {
	"add table " FW_MACVTAP_TABLE,
	"add set " FW_MACVTAP_TABLE " port_mac { type ifname . ether_addr; }",
	"add set " FW_MACVTAP_TABLE " ipbind { type ifname; }",
	"add set " FW_MACVTAP_TABLE " src4 { type ifname . ether_addr . ipv4_addr; }",
	"add set " FW_MACVTAP_TABLE " learning { type ifname; }",
	"add map " FW_MACVTAP_TABLE " drops { type ifname : counter; }",
	"add chain " FW_MACVTAP_TABLE " port_out",
	"add chain " FW_MACVTAP_TABLE " port_arp",
	"add chain " FW_MACVTAP_TABLE " port_ip4",
	"add chain " FW_MACVTAP_TABLE " port_ip6",
	"add chain " FW_MACVTAP_TABLE " deny",
};

static const char *const base_chains[] = { "port_out", "port_arp", "port_ip4", "port_ip6", "deny" };

/*
 * The first rule is the hot path: an IPv4 packet from a learned source meets one lookup and one
 * compare ('th sport' 67 of TCP merely takes the full path, where only UDP 67 is denied). In
 * 'deny' the counter is a rule of its own: a port without a map element still has its frame
 * dropped.
 */
static const char *const base_rules[] = {
	"port_out meta protocol ip oifname . ether saddr . ip saddr @src4 th sport != 67 accept",
	"port_out udp sport 67 goto deny",
	"port_out oifname . ether saddr != @port_mac goto deny",
	/* as in the bridge table: behind a VLAN tag the ARP and IP tests would not apply */
	"port_out oifname @ipbind ether type != { arp, ip, ip6 } goto deny",
	"port_out meta protocol vmap { arp : jump port_arp, ip : jump port_ip4, ip6 : jump port_ip6 }",
	"port_arp oifname . arp saddr ether != @port_mac goto deny",
	"port_arp oifname != @ipbind accept",
	/* RFC 5227 probes carry sender address 0.0.0.0 and are always allowed. */
	"port_arp arp saddr ip 0.0.0.0 accept",
	"port_arp oifname . ether saddr . arp saddr ip @src4 accept",
	/* a learning port's new address returns to its own chain, which knows its network */
	"port_arp oifname != @learning goto deny",
	/* DHCPDISCOVER and DHCPREQUEST before the guest has an address (RFC 2131 4.1). */
	"port_ip4 ip saddr 0.0.0.0 udp sport 68 udp dport 67 accept",
	"port_ip4 oifname @ipbind goto deny",
	"port_ip6 icmpv6 type nd-router-advert goto deny",
	"port_ip6 udp sport 547 goto deny",
	"deny counter name oifname map @drops",
	"deny drop",
};

static bool network_name_ok(const char *s)
{
	size_t n = strlen(s);

	/* network_name_is_valid(), which this layer cannot include */
	return n > 0 && n <= FW_MACVTAP_NETWORK_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n && s[0] != '_' &&
	       s[0] != '-';
}

static void emit_absent(struct fw_script *s, const char *set, const char *elem)
{
	fw_script_emit_absent(s, FW_MACVTAP_TABLE, set, elem);
}

static void emit_membership(struct fw_script *s, const char *set, const char *elem, bool member)
{
	fw_script_emit_membership(s, FW_MACVTAP_TABLE, set, elem, member);
}

int fw_macvtap_render_base(char **ret)
{
	struct fw_script s = FW_SCRIPT_INIT;

	for (size_t i = 0; i < ELEMENTSOF(base_objects); i++)
		fw_script_emit(&s, "%s", base_objects[i]);
	for (size_t i = 0; i < ELEMENTSOF(base_chains); i++)
		fw_script_emit(&s, "flush chain " FW_MACVTAP_TABLE " %s", base_chains[i]);
	for (size_t i = 0; i < ELEMENTSOF(base_rules); i++)
		fw_script_emit(&s, "add rule " FW_MACVTAP_TABLE " %s", base_rules[i]);
	return fw_script_finish(&s, ret);
}

/* '"IFNAME" . MAC' into 'buf'. */
static void port_mac_elem(const char *ifname, const uint8_t mac[6], char *buf, size_t len)
{
	char m[FW_MAC_STRLEN];

	fw_mac_format(mac, m);
	snprintf(buf, len, "\"%s\" . %s", ifname, m);
}

int fw_macvtap_render_add(const struct fw_macvtap_port *p, const uint8_t *old_mac, char **ret)
{
	struct fw_script s = FW_SCRIPT_INIT;
	char name[IFNAMSIZ + 2], elem[IFNAMSIZ + FW_MAC_STRLEN + 8];

	if (!ifname_is_valid(p->ifname) || !network_name_ok(p->network))
		return -EINVAL;
	snprintf(name, sizeof(name), "\"%s\"", p->ifname);

	fw_script_emit(&s, "add set " FW_MACVTAP_TABLE " t_%s { type ipv4_addr; }", p->network);
	/* 'add' keeps an existing chain (bound to its device or not); its rules are reset */
	fw_script_emit(&s, "add chain " FW_MACVTAP_TABLE " o_%s { type filter hook egress device "
		       "%s priority 0; policy accept; }", p->ifname, name);
	fw_script_emit(&s, "flush chain " FW_MACVTAP_TABLE " o_%s", p->ifname);
	fw_script_emit(&s, "add rule " FW_MACVTAP_TABLE " o_%s jump port_out", p->ifname);
	fw_script_emit(&s, "add rule " FW_MACVTAP_TABLE " o_%s arp saddr ip @t_%s goto deny",
		       p->ifname, p->network);
	fw_script_emit(&s, "add counter " FW_MACVTAP_TABLE " d_%s", p->ifname);
	fw_script_emit(&s, "add element " FW_MACVTAP_TABLE " drops { %s : \"d_%s\" }", name,
		       p->ifname);
	if (old_mac && memcmp(old_mac, p->mac, 6) != 0) {
		port_mac_elem(p->ifname, old_mac, elem, sizeof(elem));
		emit_absent(&s, "port_mac", elem);
	}
	port_mac_elem(p->ifname, p->mac, elem, sizeof(elem));
	fw_script_emit(&s, "add element " FW_MACVTAP_TABLE " port_mac { %s }", elem);
	emit_membership(&s, "ipbind", name, p->ip_binding);
	if (!p->ip_binding)
		emit_absent(&s, "learning", name);
	return fw_script_finish(&s, ret);
}

/* '"IFNAME" . MAC . IP' into 'buf'. */
static void src4_elem(const char *ifname, const uint8_t mac[6], struct in_addr ip, char *buf,
		      size_t len)
{
	char m[FW_MAC_STRLEN], a[INET_ADDRSTRLEN];

	fw_mac_format(mac, m);
	inet_ntop(AF_INET, &ip, a, sizeof(a));
	snprintf(buf, len, "\"%s\" . %s . %s", ifname, m, a);
}

int fw_macvtap_render_addrs(const struct fw_macvtap_change *c, char **ret)
{
	struct fw_script s = FW_SCRIPT_INIT;
	char name[IFNAMSIZ + 2], elem[IFNAMSIZ + FW_MAC_STRLEN + INET_ADDRSTRLEN + 8],
		set[FW_MACVTAP_NETWORK_MAX + 3], a[INET_ADDRSTRLEN];

	if (!ifname_is_valid(c->ifname) || !network_name_ok(c->network))
		return -EINVAL;
	snprintf(name, sizeof(name), "\"%s\"", c->ifname);
	snprintf(set, sizeof(set), "t_%s", c->network);

	for (size_t i = 0; i < c->n_del; i++) {
		src4_elem(c->ifname, c->mac, c->del[i].ip, elem, sizeof(elem));
		emit_absent(&s, "src4", elem);
	}
	for (size_t i = 0; i < c->n_taken_del; i++)
		emit_absent(&s, set, inet_ntop(AF_INET, &c->taken_del[i], a, sizeof(a)));
	for (size_t i = 0; i < c->n_add; i++) {
		/* how it was learned is the element's comment: the old element goes first */
		src4_elem(c->ifname, c->mac, c->add[i].ip, elem, sizeof(elem));
		emit_absent(&s, "src4", elem);
		fw_script_emit(&s, "add element " FW_MACVTAP_TABLE " src4 { %s comment \"%s\" }",
			       elem, c->add[i].dhcp ? "dhcp" : "arp");
	}
	for (size_t i = 0; i < c->n_taken_add; i++)
		fw_script_emit(&s, "add element " FW_MACVTAP_TABLE " %s { %s }", set,
			       inet_ntop(AF_INET, &c->taken_add[i], a, sizeof(a)));
	emit_membership(&s, "learning", name, c->learning);
	return fw_script_finish(&s, ret);
}

int fw_macvtap_render_remove(const char *ifname, const uint8_t *mac,
			     const struct fw_macvtap_addr *addrs, size_t n_addrs, char **ret)
{
	struct fw_script s = FW_SCRIPT_INIT;
	char name[IFNAMSIZ + 2], elem[IFNAMSIZ + FW_MAC_STRLEN + INET_ADDRSTRLEN + 8];

	if (!ifname_is_valid(ifname))
		return -EINVAL;
	snprintf(name, sizeof(name), "\"%s\"", ifname);

	/*
	 * Without a hook, 'add chain' leaves an existing base chain as it is and makes a regular
	 * one where there is none (its device took it along), so the delete always finds one.
	 */
	fw_script_emit(&s, "add chain " FW_MACVTAP_TABLE " o_%s", ifname);
	fw_script_emit(&s, "flush chain " FW_MACVTAP_TABLE " o_%s", ifname);
	fw_script_emit(&s, "delete chain " FW_MACVTAP_TABLE " o_%s", ifname);
	emit_absent(&s, "ipbind", name);
	emit_absent(&s, "learning", name);
	/* A counter still referenced by a map element cannot be deleted: the element goes first. */
	fw_script_emit(&s, "add counter " FW_MACVTAP_TABLE " d_%s", ifname);
	fw_script_emit(&s, "add element " FW_MACVTAP_TABLE " drops { %s : \"d_%s\" }", name,
		       ifname);
	fw_script_emit(&s, "delete element " FW_MACVTAP_TABLE " drops { %s }", name);
	fw_script_emit(&s, "delete counter " FW_MACVTAP_TABLE " d_%s", ifname);
	if (mac) {
		port_mac_elem(ifname, mac, elem, sizeof(elem));
		emit_absent(&s, "port_mac", elem);
		for (size_t i = 0; i < n_addrs; i++) {
			src4_elem(ifname, mac, addrs[i].ip, elem, sizeof(elem));
			emit_absent(&s, "src4", elem);
		}
	}
	return fw_script_finish(&s, ret);
}

int fw_macvtap_render_network_remove(const char *network, char **ret)
{
	struct fw_script s = FW_SCRIPT_INIT;

	if (!network_name_ok(network))
		return -EINVAL;
	fw_script_emit(&s, "add set " FW_MACVTAP_TABLE " t_%s { type ipv4_addr; }", network);
	fw_script_emit(&s, "delete set " FW_MACVTAP_TABLE " t_%s", network);
	return fw_script_finish(&s, ret);
}

int fw_macvtap_render_reset(char **ret)
{
	struct fw_script s = FW_SCRIPT_INIT;

	fw_script_emit(&s, "add table " FW_MACVTAP_TABLE);
	fw_script_emit(&s, "delete table " FW_MACVTAP_TABLE);
	return fw_script_finish(&s, ret);
}

/* Reading back. */

/* The object named 'kind' of our table in listing item 'it', or NULL. */
static json_t *table_object(json_t *it, const char *kind)
{
	return fw_json_table_object(it, kind, "netdev", FW_MACVTAP_TABLE_NAME);
}

static int state_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fw_macvtap_state *)a)->ifname,
		      ((const struct fw_macvtap_state *)b)->ifname);
}

const struct fw_macvtap_state *fw_macvtap_listing_find(const struct fw_macvtap_listing *l,
						       const char *ifname)
{
	struct fw_macvtap_state key;

	if (!l || l->n_ports == 0 || strlen(ifname) >= IFNAMSIZ)
		return NULL;
	strcpy(key.ifname, ifname);
	return bsearch(&key, l->ports, l->n_ports, sizeof(*l->ports), state_cmp);
}

static struct fw_macvtap_state *find_mut(struct fw_macvtap_listing *l, const char *ifname)
{
	return (struct fw_macvtap_state *)fw_macvtap_listing_find(l, ifname);
}

/* One state per counter d_IFNAME, and one network per set t_NETWORK; sorted by name. */
static int listing_fill(struct fw_macvtap_listing *l, json_t *items)
{
	size_t n = json_array_size(items);
	json_t *it;
	size_t i;

	l->ports = calloc(n ? n : 1, sizeof(*l->ports));
	l->networks = calloc(n ? n : 1, sizeof(*l->networks));
	if (!l->ports || !l->networks)
		return -ENOMEM;
	json_array_foreach(items, i, it) {
		json_t *c = table_object(it, "counter"), *set = table_object(it, "set");
		const char *name = json_string_value(json_object_get(c ? c : set, "name"));

		if (c && name && strncmp(name, "d_", 2) == 0 && name[2] &&
		    strlen(name + 2) < IFNAMSIZ) {
			struct fw_macvtap_state *st = &l->ports[l->n_ports++];

			strcpy(st->ifname, name + 2);
			st->dropped_packets = (uint64_t)json_integer_value(json_object_get(c, "packets"));
			st->dropped_bytes = (uint64_t)json_integer_value(json_object_get(c, "bytes"));
		} else if (set && name && strncmp(name, "t_", 2) == 0 &&
			   strlen(name + 2) <= FW_MACVTAP_NETWORK_MAX && name[2]) {
			strcpy(l->networks[l->n_networks++], name + 2);
		}
	}
	qsort(l->ports, l->n_ports, sizeof(*l->ports), state_cmp);
	return 0;
}

/* Sets 'ipbind' and 'learning' mark their ports; 'port_mac' gives each its MAC. */
static void listing_apply_set(struct fw_macvtap_listing *l, const char *name, json_t *elems)
{
	bool ipbind = strcmp(name, "ipbind") == 0, learning = strcmp(name, "learning") == 0;

	if (!ipbind && !learning && strcmp(name, "port_mac") != 0)
		return;
	for (size_t i = 0, n = fw_json_elem_count(elems); i < n; i++) {
		json_t *e = fw_json_elem_get(elems, i, NULL), *c = json_object_get(e, "concat");
		struct fw_macvtap_state *st;
		const char *ifname, *mac;
		uint8_t m[6];

		if (ipbind || learning) {
			ifname = json_string_value(e);
			st = ifname ? find_mut(l, ifname) : NULL;
			if (st && ipbind)
				st->ip_binding = true;
			else if (st)
				st->learning = true;
			continue;
		}
		ifname = json_string_value(json_array_get(c, 0));
		mac = json_string_value(json_array_get(c, 1));
		st = ifname && mac ? find_mut(l, ifname) : NULL;
		if (st && fw_mac_parse(mac, m)) {
			st->has_mac = true;
			memcpy(st->mac, m, 6);
		}
	}
}

/* Set 'src4': each element [IFNAME, MAC, IP] with comment "dhcp" or "arp". After 'port_mac'. */
static void listing_apply_src4(struct fw_macvtap_listing *l, json_t *elems)
{
	for (size_t i = 0, n = fw_json_elem_count(elems); i < n; i++) {
		json_t *w, *e = fw_json_elem_get(elems, i, &w), *c = json_object_get(e, "concat");
		const char *ifname = json_string_value(json_array_get(c, 0));
		const char *mac = json_string_value(json_array_get(c, 1));
		const char *ip = json_string_value(json_array_get(c, 2));
		const char *comment = json_string_value(json_object_get(w, "comment"));
		struct fw_macvtap_state *st = ifname ? find_mut(l, ifname) : NULL;
		struct fw_macvtap_addr a = { .dhcp = comment && strcmp(comment, "dhcp") == 0 };
		uint8_t m[6];

		if (!st || !mac || !ip || !fw_mac_parse(mac, m) || !st->has_mac ||
		    memcmp(m, st->mac, 6) != 0 || inet_pton(AF_INET, ip, &a.ip) != 1 ||
		    st->n_addrs == FW_MACVTAP_ADDRS_MAX)
			continue;
		st->addrs[st->n_addrs++] = a;
	}
}

static int listing_read(struct fw_ctx *ctx, json_t **ret)
{
	_cleanup_free_ char *text = NULL;
	json_t *doc;
	int r;

	r = fw_table_lookup(FW_FAMILY_NETDEV, FW_MACVTAP_TABLE_NAME);
	if (r <= 0) {
		*ret = NULL;
		return r;
	}
	r = fw_list_json(ctx, "list table " FW_MACVTAP_TABLE, &text);
	if (r < 0)
		return r;
	doc = json_loads(text, 0, NULL);
	if (!doc || !json_is_array(json_object_get(doc, "nftables"))) {
		json_decref(doc);
		return -EIO;
	}
	*ret = doc;
	return 0;
}

int fw_macvtap_list(struct fw_ctx *ctx, struct fw_macvtap_listing **ret)
{
	_cleanup_(json_decrefp) json_t *doc = NULL;
	struct fw_macvtap_listing *l;
	json_t *items, *it, *src4 = NULL;
	size_t i;
	int r;

	r = listing_read(ctx, &doc);
	if (r < 0)
		return r;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	if (!doc) {
		*ret = l;
		return 0;
	}
	items = json_object_get(doc, "nftables");
	r = listing_fill(l, items);
	if (r < 0) {
		fw_macvtap_listing_free(l);
		return r;
	}
	json_array_foreach(items, i, it) {
		json_t *set = table_object(it, "set");
		const char *name = json_string_value(json_object_get(set, "name"));

		if (!name)
			continue;
		if (strcmp(name, "src4") == 0)
			src4 = set;
		else
			listing_apply_set(l, name, json_object_get(set, "elem"));
	}
	if (src4)
		listing_apply_src4(l, json_object_get(src4, "elem"));
	*ret = l;
	return 0;
}

struct fw_macvtap_listing *fw_macvtap_listing_free(struct fw_macvtap_listing *l)
{
	if (!l)
		return NULL;
	free(l->ports);
	free(l->networks);
	free(l);
	return NULL;
}
