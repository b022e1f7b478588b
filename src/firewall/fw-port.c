/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Renders the per-port policy of table bridge kvmnet (layout and rules in fw-port.h) as nft
 * scripts, pure text like fw-render's, and reads the table back through fw-apply's JSON listing.
 *
 * Every per-port change is a set of element and object edits, never a rule edit, so the rules stay
 * the same whatever the number of ports, and a change is one small transaction. Deleting something
 * that may be absent is written "add X; delete X" in the same transaction (the add is a no-op when
 * X exists), which nft 1.0.6 accepts for set elements, map elements and counters alike; it has no
 * 'destroy' command yet.
 */
#include "firewall/fw-port.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "firewall/fw-apply.h"
#include "firewall/fw-script.h"
#include "shared/alloc-util.h"
#include "shared/ifname-util.h"
#include "shared/strbuf.h"

#define FW_PORT_TABLE "bridge " FW_PORT_TABLE_NAME

#define MAC_STRLEN FW_MAC_STRLEN

/*
 * Sets and chains are created with 'add', which leaves existing ones (and their elements) alone;
 * chains are then flushed and refilled, so loading the base again only replaces rules, atomically.
 * Every chain is created before any rule so that jumps and gotos find their target.
 *
 * Sets written to from the packet path need 'dynamic' (nft then gives them size 65535). When
 * 'fast4' is full, 'add @fast4' fails for new flows, which merely keeps them on the full path.
 */
static const char *const base_objects[] = {
	"add table " FW_PORT_TABLE,
	"add set " FW_PORT_TABLE " ports { type ifname; }",
	"add set " FW_PORT_TABLE " port_mac { type ifname . ether_addr; flags dynamic; }",
	"add set " FW_PORT_TABLE " learn { type ifname; flags dynamic; }",
	"add set " FW_PORT_TABLE " ipbind { type ifname; }",
	"add set " FW_PORT_TABLE " mac_ip { type ether_addr . ipv4_addr; }",
	"add set " FW_PORT_TABLE " isolated { type ifname; }",
	"add set " FW_PORT_TABLE " fast4 { type iface_index . ether_addr . ipv4_addr; "
	"flags dynamic; }",
	"add map " FW_PORT_TABLE " drops { type ifname : counter; }",
	"add set " FW_PORT_TABLE " limited { type ifname; }",
	"add map " FW_PORT_TABLE " limits { type ifname : limit; }",
	"add map " FW_PORT_TABLE " dhcp_port { type ifname : mark; }",
	"add chain " FW_PORT_TABLE " pre { type filter hook prerouting priority -300; "
	"policy accept; }",
	"add chain " FW_PORT_TABLE " port_in",
	"add chain " FW_PORT_TABLE " port_arp",
	"add chain " FW_PORT_TABLE " port_ip4",
	"add chain " FW_PORT_TABLE " port_dhcp",
	"add chain " FW_PORT_TABLE " port_ip6",
	/* 'fwd' is an nft keyword, hence 'isolate'. */
	"add chain " FW_PORT_TABLE " isolate { type filter hook forward priority -300; "
	"policy accept; }",
	"add chain " FW_PORT_TABLE " deny",
};

static const char *const base_chains[] = {
	"pre", "port_in", "port_arp", "port_ip4", "port_dhcp", "port_ip6", "isolate", "deny",
};

/*
 * The rule order in 'pre' is the datapath's. The first rule is the hot path, the only one a frame
 * from a known source meets: one lookup in fast4, then the transport source port, which only a
 * hit reads, so that a guest cannot answer DHCP even from a cached source ('th sport' 67 of TCP
 * or ICMP merely takes the full path, where only 'udp sport 67' is denied). In 'deny', the counter
 * is a rule of its own: when the map has no element for the port, the objref lookup ends that rule
 * but not the chain, so the frame is still dropped.
 */
static const char *const base_rules[] = {
	"pre meta protocol ip iif . ether saddr . ip saddr @fast4 th sport != 67 accept",
	"pre udp sport 67 iifname @ports goto deny",
	"pre iifname @ports jump port_in",
	/* after the policy: a rate-limited port never enters fast4 (see port_ip4) */
	"pre iifname @limited limit name iifname map @limits drop",
	"port_in iifname @learn add @port_mac { iifname . ether saddr } delete @learn { iifname }",
	"port_in iifname . ether saddr != @port_mac goto deny",
	/*
	 * Under IP binding only ARP, IPv4 and IPv6 frames, untagged: behind a VLAN tag (which
	 * 'ether type' shows even when the kernel has taken it off) the ARP and IP tests below
	 * would not apply. A tagged frame from a cached source passes 'pre' as its inner packet,
	 * which carries the port's own MAC and bound address anyway.
	 */
	"port_in iifname @ipbind ether type != { arp, ip, ip6 } goto deny",
	"port_in meta protocol vmap { arp : jump port_arp, ip : jump port_ip4, "
	"ip6 : jump port_ip6 }",
	"port_arp iifname . arp saddr ether != @port_mac goto deny",
	/* RFC 5227 probes carry sender address 0.0.0.0 and are always allowed. */
	"port_arp iifname @ipbind arp saddr ip != 0.0.0.0 ether saddr . arp saddr ip != @mac_ip "
	"goto deny",
	/* DHCPDISCOVER and DHCPREQUEST before the guest has an address (RFC 2131 4.1). */
	"port_ip4 ip saddr 0.0.0.0 udp sport 68 udp dport 67 goto port_dhcp",
	"port_ip4 iifname @ipbind ether saddr . ip saddr != @mac_ip goto deny",
	"port_ip4 iifname != @limited add @fast4 { iif . ether saddr . ip saddr }",
	/* A port without an element ends the first rule only: its request is accepted unmarked. */
	"port_dhcp meta mark set iifname map @dhcp_port",
	"port_dhcp accept",
	"port_ip6 icmpv6 type nd-router-advert goto deny",
	"port_ip6 udp sport 547 goto deny",
	"isolate iifname @isolated oifname @isolated goto deny",
	"deny counter name iifname map @drops",
	"deny drop",
};

static void emit_absent(struct fw_script *s, const char *set, const char *elem)
{
	fw_script_emit_absent(s, FW_PORT_TABLE, set, elem);
}

static void emit_membership(struct fw_script *s, const char *set, const char *elem, bool member)
{
	fw_script_emit_membership(s, FW_PORT_TABLE, set, elem, member);
}

int fw_port_render_base(bool isolate, char **ret)
{
	struct fw_script s = FW_SCRIPT_INIT;

	for (size_t i = 0; i < ELEMENTSOF(base_objects); i++)
		fw_script_emit(&s, "%s", base_objects[i]);
	for (size_t i = 0; i < ELEMENTSOF(base_chains); i++)
		fw_script_emit(&s, "flush chain " FW_PORT_TABLE " %s", base_chains[i]);
	for (size_t i = 0; i < ELEMENTSOF(base_rules); i++)
		if (isolate || strncmp(base_rules[i], "isolate ", 8) != 0)
			fw_script_emit(&s, "add rule " FW_PORT_TABLE " %s", base_rules[i]);
	/* Even an empty forward-hook chain costs every forwarded frame: none unless needed. */
	if (!isolate)
		fw_script_emit(&s, "delete chain " FW_PORT_TABLE " isolate");
	return fw_script_finish(&s, ret);
}

/* Removes ("ifname" . 'mac') from port_mac, present or not. */
static void emit_port_mac_absent(struct fw_script *s, const char *ifname, const uint8_t *mac)
{
	char m[MAC_STRLEN], elem[IFNAMSIZ + MAC_STRLEN + 8];

	fw_mac_format(mac, m);
	snprintf(elem, sizeof(elem), "\"%s\" . %s", ifname, m);
	emit_absent(s, "port_mac", elem);
}

uint64_t fw_port_rate_burst(uint64_t rate_bytes)
{
	/*
	 * nft's limit bucket holds one unit of time at the rate plus the burst (nft_limit_init():
	 * rate + burst per second), so a second's worth is there already: far more than the 200 ms
	 * a policed TCP flow needs to recover from a lost retransmission (measured with tc police:
	 * a 100 ms bucket gave TCP half the rate, 200-300 ms 97-105%). The burst only tops the
	 * bucket up to two 64 KiB GSO frames at low rates: a larger frame could never pass.
	 */
	return rate_bytes >= 2 * 65536 ? 0 : 2 * 65536 - rate_bytes;
}

uint32_t fw_port_dhcp_mark(int ifindex)
{
	if (ifindex <= 0 || (uint32_t)ifindex & FW_PORT_DHCP_MARK_MASK)
		return 0;
	return FW_PORT_DHCP_MARK | (uint32_t)ifindex;
}

int fw_port_dhcp_mark_ifindex(uint32_t mark)
{
	if ((mark & FW_PORT_DHCP_MARK_MASK) != FW_PORT_DHCP_MARK)
		return 0;
	return (int)(mark & ~FW_PORT_DHCP_MARK_MASK);
}

/*
 * Removes port 'name''s element from dhcp_port, present or not; 'mark' is its value when present
 * (nft refuses to add an element that exists with another value).
 */
static void emit_dhcp_port_absent(struct fw_script *s, const char *name, uint32_t mark)
{
	fw_script_emit(s, "add element " FW_PORT_TABLE " dhcp_port { %s : 0x%08" PRIx32 " }", name, mark);
	fw_script_emit(s, "delete element " FW_PORT_TABLE " dhcp_port { %s }", name);
}

/* Removes port 'ifname's limit object and its map element, present or not. */
static void emit_limit_absent(struct fw_script *s, const char *ifname)
{
	fw_script_emit(s, "add limit " FW_PORT_TABLE " l_%s { rate over 1 bytes/second }", ifname);
	fw_script_emit(s, "add element " FW_PORT_TABLE " limits { \"%s\" : \"l_%s\" }", ifname, ifname);
	fw_script_emit(s, "delete element " FW_PORT_TABLE " limits { \"%s\" }", ifname);
	fw_script_emit(s, "delete limit " FW_PORT_TABLE " l_%s", ifname);
}

int fw_port_render_add(const struct fw_port *p, const uint8_t *learnt_mac, uint32_t held_dhcp_mark,
		       char **ret)
{
	struct fw_script s = FW_SCRIPT_INIT;
	uint32_t dhcp_mark = p->filter ? p->dhcp_mark : 0;
	char name[IFNAMSIZ + 2];

	if (!ifname_is_valid(p->ifname))
		return -EINVAL;
	snprintf(name, sizeof(name), "\"%s\"", p->ifname);

	emit_membership(&s, "ports", name, p->filter);
	/* 'add counter' leaves an existing counter and its values alone. */
	fw_script_emit(&s, "add counter " FW_PORT_TABLE " d_%s", p->ifname);
	fw_script_emit(&s, "add element " FW_PORT_TABLE " drops { %s : \"d_%s\" }", name, p->ifname);
	if (learnt_mac && (!p->filter || !p->has_mac || memcmp(learnt_mac, p->mac, 6) != 0))
		emit_port_mac_absent(&s, p->ifname, learnt_mac);
	if (p->filter && p->has_mac) {
		char m[MAC_STRLEN];

		fw_mac_format(p->mac, m);
		fw_script_emit(&s, "add element " FW_PORT_TABLE " port_mac { %s . %s }", name, m);
	}
	emit_membership(&s, "learn", name, p->filter && !p->has_mac);
	emit_membership(&s, "ipbind", name, p->filter && p->ip_binding);
	emit_membership(&s, "isolated", name, p->isolated);
	/* The limit object is re-made ('add' would keep an old rate): its element goes first. */
	emit_limit_absent(&s, p->ifname);
	if (p->rate_bytes) {
		fw_script_emit(&s, "add limit " FW_PORT_TABLE " l_%s { rate over %" PRIu64 " bytes/second "
		     "burst %" PRIu64 " bytes }", p->ifname, p->rate_bytes,
		     fw_port_rate_burst(p->rate_bytes));
		fw_script_emit(&s, "add element " FW_PORT_TABLE " limits { %s : \"l_%s\" }", name, p->ifname);
	}
	emit_membership(&s, "limited", name, p->rate_bytes != 0);
	if (held_dhcp_mark && held_dhcp_mark != dhcp_mark)
		emit_dhcp_port_absent(&s, name, held_dhcp_mark);
	if (dhcp_mark)
		fw_script_emit(&s, "add element " FW_PORT_TABLE " dhcp_port { %s : 0x%08" PRIx32 " }", name,
		     dhcp_mark);
	fw_script_emit(&s, "flush set " FW_PORT_TABLE " fast4");
	return fw_script_finish(&s, ret);
}

int fw_port_render_remove(const char *ifname, const uint8_t *learnt_mac, uint32_t held_dhcp_mark,
			  char **ret)
{
	struct fw_script s = FW_SCRIPT_INIT;
	char name[IFNAMSIZ + 2];

	if (!ifname_is_valid(ifname))
		return -EINVAL;
	snprintf(name, sizeof(name), "\"%s\"", ifname);

	emit_absent(&s, "ports", name);
	emit_absent(&s, "learn", name);
	emit_absent(&s, "ipbind", name);
	emit_absent(&s, "isolated", name);
	emit_absent(&s, "limited", name);
	emit_limit_absent(&s, ifname);
	/* A counter still referenced by a map element cannot be deleted: the element goes first. */
	fw_script_emit(&s, "add counter " FW_PORT_TABLE " d_%s", ifname);
	fw_script_emit(&s, "add element " FW_PORT_TABLE " drops { %s : \"d_%s\" }", name, ifname);
	fw_script_emit(&s, "delete element " FW_PORT_TABLE " drops { %s }", name);
	fw_script_emit(&s, "delete counter " FW_PORT_TABLE " d_%s", ifname);
	if (learnt_mac)
		emit_port_mac_absent(&s, ifname, learnt_mac);
	if (held_dhcp_mark)
		emit_dhcp_port_absent(&s, name, held_dhcp_mark);
	fw_script_emit(&s, "flush set " FW_PORT_TABLE " fast4");
	return fw_script_finish(&s, ret);
}

static void format_binding(const struct fw_binding *b, char buf[static MAC_STRLEN + 24])
{
	char m[MAC_STRLEN], ip[INET_ADDRSTRLEN];

	fw_mac_format(b->mac, m);
	inet_ntop(AF_INET, &b->ip, ip, sizeof(ip));
	snprintf(buf, MAC_STRLEN + 24, "%s . %s", m, ip);
}

int fw_port_render_bindings(const struct fw_binding *add, size_t n_add,
			    const struct fw_binding *del, size_t n_del, char **ret)
{
	struct fw_script s = FW_SCRIPT_INIT;
	char elem[MAC_STRLEN + 24];

	for (size_t i = 0; i < n_del; i++) {
		format_binding(&del[i], elem);
		emit_absent(&s, "mac_ip", elem);
	}
	for (size_t i = 0; i < n_add; i++) {
		format_binding(&add[i], elem);
		fw_script_emit(&s, "add element " FW_PORT_TABLE " mac_ip { %s }", elem);
	}
	/* A cached source whose pair was withdrawn must take the full path again. */
	if (n_del > 0)
		fw_script_emit(&s, "flush set " FW_PORT_TABLE " fast4");
	return fw_script_finish(&s, ret);
}

int fw_port_render_reset(char **ret)
{
	struct fw_script s = FW_SCRIPT_INIT;

	fw_script_emit(&s, "add table " FW_PORT_TABLE);
	fw_script_emit(&s, "delete table " FW_PORT_TABLE);
	return fw_script_finish(&s, ret);
}

/* Reading back. */

/*
 * Runs the JSON listing 'cmd' of (part of) table bridge kvmnet and parses it into '*ret'; sets
 * '*ret' to NULL when the table does not exist. The listing is tried first: a missing table is
 * the rare case, and only then is it told apart from a real failure.
 */
static int list_json(struct fw_ctx *ctx, const char *cmd, json_t **ret)
{
	_cleanup_free_ char *text = NULL, *tables = NULL;
	json_t *doc;
	int r;

	/* Asked first, in one netlink request: without ports the table is missing, and telling
	 * that from a failed listing would need nft's listing of every table on the host. */
	r = fw_table_lookup(FW_FAMILY_BRIDGE, FW_PORT_TABLE_NAME);
	if (r == 0) {
		*ret = NULL;
		return 0;
	}
	r = fw_list_json(ctx, cmd, &text);
	if (r == -EIO) {
		_cleanup_(json_decrefp) json_t *t = NULL;
		json_t *items, *it;
		size_t i;

		r = fw_list_json(ctx, "list tables bridge", &tables);
		if (r < 0)
			return r;
		t = json_loads(tables, 0, NULL);
		items = json_object_get(t, "nftables");
		if (!json_is_array(items))
			return -EIO;
		json_array_foreach(items, i, it) {
			json_t *tab = json_object_get(it, "table");
			const char *name = json_string_value(json_object_get(tab, "name"));

			if (name && strcmp(name, FW_PORT_TABLE_NAME) == 0)
				return -EIO;
		}
		*ret = NULL;
		return 0;
	}
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

/* The object named 'kind' of our table in listing item 'it', or NULL. */
static json_t *table_object(json_t *it, const char *kind)
{
	return fw_json_table_object(it, kind, "bridge", FW_PORT_TABLE_NAME);
}

/* The two members of a {"concat": [a, b]} element as strings, or false. */
static bool elem_pair(json_t *e, const char **ret_a, const char **ret_b)
{
	json_t *c = json_object_get(e, "concat");
	const char *a, *b;

	if (!json_is_array(c) || json_array_size(c) != 2)
		return false;
	a = json_string_value(json_array_get(c, 0));
	b = json_string_value(json_array_get(c, 1));
	if (!a || !b)
		return false;
	*ret_a = a;
	*ret_b = b;
	return true;
}

struct port_table {
	struct fw_port_state *v;     /* sorted by ifname */
	size_t n;
};

static int state_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fw_port_state *)a)->ifname,
		      ((const struct fw_port_state *)b)->ifname);
}

static struct fw_port_state *port_table_find(const struct port_table *t, const char *ifname)
{
	struct fw_port_state key;

	if (strlen(ifname) >= IFNAMSIZ || t->n == 0)
		return NULL;
	strcpy(key.ifname, ifname);
	return bsearch(&key, t->v, t->n, sizeof(*t->v), state_cmp);
}

/*
 * Fills 't' with one state per port counter 'd_IFNAME' (every port under any policy has one).
 * Names that do not fit are skipped.
 */
static int port_table_fill(struct port_table *t, json_t *items)
{
	size_t n = json_array_size(items);
	json_t *it;
	size_t i;

	t->v = calloc(n ? n : 1, sizeof(*t->v));
	if (!t->v)
		return -ENOMEM;
	json_array_foreach(items, i, it) {
		json_t *c = table_object(it, "counter");
		const char *name = c ? json_string_value(json_object_get(c, "name")) : NULL;

		if (!name || strncmp(name, "d_", 2) != 0 || strlen(name + 2) >= IFNAMSIZ ||
		    !name[2])
			continue;
		strcpy(t->v[t->n++].ifname, name + 2);
	}
	qsort(t->v, t->n, sizeof(*t->v), state_cmp);
	return 0;
}

static void port_table_apply_limit(struct port_table *t, json_t *limit)
{
	const char *name = json_string_value(json_object_get(limit, "name"));
	const char *unit = json_string_value(json_object_get(limit, "rate_unit"));
	uint64_t rate = (uint64_t)json_integer_value(json_object_get(limit, "rate"));
	struct fw_port_state *st;

	if (!name || strncmp(name, "l_", 2) != 0 || !(st = port_table_find(t, name + 2)))
		return;
	if (unit && strcmp(unit, "kbytes") == 0)
		rate *= 1024;
	else if (unit && strcmp(unit, "mbytes") == 0)
		rate *= 1024 * 1024;
	st->rate_bytes = rate;
}

/* Map 'dhcp_port': each element is [IFNAME, MARK]. Other maps are ignored. */
static void port_table_apply_map(struct port_table *t, json_t *map)
{
	const char *name = json_string_value(json_object_get(map, "name"));
	json_t *elems = json_object_get(map, "elem");

	if (!name || strcmp(name, "dhcp_port") != 0 || !json_is_array(elems))
		return;
	for (size_t i = 0, n = json_array_size(elems); i < n; i++) {
		json_t *e = json_array_get(elems, i), *key = json_array_get(e, 0);
		json_t *wrapped = json_object_get(key, "elem");
		const char *ifname;
		struct fw_port_state *st;

		if (wrapped)
			key = json_object_get(wrapped, "val");
		ifname = json_string_value(key);
		st = ifname ? port_table_find(t, ifname) : NULL;
		if (st && json_is_integer(json_array_get(e, 1)))
			st->dhcp_mark = (uint32_t)json_integer_value(json_array_get(e, 1));
	}
}

/* The flag of 'st' that membership in set 'name' sets, or NULL for any other set. */
static bool *port_state_flag(struct fw_port_state *st, const char *name)
{
	if (strcmp(name, "ports") == 0)
		return &st->filter;
	if (strcmp(name, "learn") == 0)
		return &st->learning;
	if (strcmp(name, "ipbind") == 0)
		return &st->ip_binding;
	if (strcmp(name, "isolated") == 0)
		return &st->isolated;
	return NULL;
}

static void port_table_apply_mac(struct port_table *t, json_t *elems)
{
	for (size_t i = 0, n = fw_json_elem_count(elems); i < n; i++) {
		const char *ifname, *mac;
		struct fw_port_state *st;
		uint8_t m[6];

		if (!elem_pair(fw_json_elem_get(elems, i, NULL), &ifname, &mac) || !fw_mac_parse(mac, m))
			continue;
		st = port_table_find(t, ifname);
		/* After a learning race there may be two; one is as good as the other. */
		if (st && !st->has_mac) {
			st->has_mac = true;
			memcpy(st->mac, m, 6);
		}
	}
}

/* Applies set 'name' (not 'ports') to the states in 't'; other sets are ignored. */
static void port_table_apply_set(struct port_table *t, const char *name, json_t *set)
{
	json_t *elems = json_object_get(set, "elem");

	if (strcmp(name, "port_mac") == 0) {
		port_table_apply_mac(t, elems);
		return;
	}
	for (size_t i = 0, n = fw_json_elem_count(elems); i < n; i++) {
		const char *ifname = json_string_value(fw_json_elem_get(elems, i, NULL));
		struct fw_port_state *st = ifname ? port_table_find(t, ifname) : NULL;
		bool *flag;

		if (!st)
			continue;
		flag = port_state_flag(st, name);
		if (!flag)
			return; /* not a set that tells a flag ('ports', 'fast4'...) */
		*flag = true;
	}
}

static void port_table_apply_counter(struct port_table *t, json_t *counter)
{
	const char *name = json_string_value(json_object_get(counter, "name"));
	struct fw_port_state *st;

	if (!name || strncmp(name, "d_", 2) != 0)
		return;
	st = port_table_find(t, name + 2);
	if (!st)
		return;
	st->dropped_packets = (uint64_t)json_integer_value(json_object_get(counter, "packets"));
	st->dropped_bytes = (uint64_t)json_integer_value(json_object_get(counter, "bytes"));
}

static json_t *find_set(json_t *items, const char *name)
{
	json_t *it;
	size_t i;

	json_array_foreach(items, i, it) {
		json_t *set = table_object(it, "set");
		const char *n = json_string_value(json_object_get(set, "name"));

		if (n && strcmp(n, name) == 0)
			return set;
	}
	return NULL;
}

int fw_port_list(struct fw_ctx *ctx, fw_port_state_fn cb, void *data)
{
	_cleanup_(json_decrefp) json_t *doc = NULL;
	struct port_table t = { .v = NULL };
	json_t *items, *ports, *it;
	size_t i;
	int r;

	r = list_json(ctx, "list table " FW_PORT_TABLE, &doc);
	if (r < 0 || !doc)
		return r;
	items = json_object_get(doc, "nftables");
	ports = find_set(items, "ports");
	if (!ports)
		return -EIO;
	r = port_table_fill(&t, items);
	if (r < 0)
		return r;

	json_array_foreach(items, i, it) {
		json_t *o;

		if ((o = table_object(it, "set"))) {
			const char *name = json_string_value(json_object_get(o, "name"));

			if (name)
				port_table_apply_set(&t, name, o);
		} else if ((o = table_object(it, "counter"))) {
			port_table_apply_counter(&t, o);
		} else if ((o = table_object(it, "limit"))) {
			port_table_apply_limit(&t, o);
		} else if ((o = table_object(it, "map"))) {
			port_table_apply_map(&t, o);
		}
	}

	/* Everything is copied out of 'doc' already, so 'cb' may use 'ctx'. */
	r = 0;
	for (i = 0; i < t.n && r >= 0; i++)
		r = cb(&t.v[i], data);
	free(t.v);
	return r < 0 ? r : 0;
}

int fw_port_list_bindings(struct fw_ctx *ctx, struct fw_binding **ret, size_t *ret_n)
{
	_cleanup_(json_decrefp) json_t *doc = NULL;
	_cleanup_free_ struct fw_binding *v = NULL;
	json_t *set, *elems;
	size_t n, k = 0;
	int r;

	r = list_json(ctx, "list set " FW_PORT_TABLE " mac_ip", &doc);
	if (r < 0)
		return r;
	set = doc ? find_set(json_object_get(doc, "nftables"), "mac_ip") : NULL;
	if (doc && !set)
		return -EIO;
	elems = json_object_get(set, "elem");
	n = fw_json_elem_count(elems);
	if (n == 0) {
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}

	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *mac, *ip;

		if (!elem_pair(fw_json_elem_get(elems, i, NULL), &mac, &ip) || !fw_mac_parse(mac, v[k].mac) ||
		    inet_pton(AF_INET, ip, &v[k].ip) != 1)
			return -EIO;
		k++;
	}
	*ret = TAKE_PTR(v);
	*ret_n = k;
	return 0;
}
