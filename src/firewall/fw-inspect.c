/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of fw-inspect.h: a small, conservative interpreter of nft's JSON rules.
 *
 * Conditions evaluate to yes, no or maybe. A rule's verdict is taken for sure only when every
 * condition before it is "yes" and nothing earlier on the path was uncertain; a drop reached
 * otherwise is a "may" finding, an accept reached otherwise does not stop the walk (the traffic
 * it does not accept goes on). Jumps and gotos are followed (to a depth of 16); a verdict map is
 * followed through the element its key selects, or through every element when the key cannot be
 * evaluated.
 */
#include "firewall/fw-inspect.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/alloc-util.h"

#define WALK_DEPTH_MAX 16

enum tri { TRI_NO, TRI_YES, TRI_MAYBE };

static enum tri tri_and(enum tri a, enum tri b)
{
	if (a == TRI_NO || b == TRI_NO)
		return TRI_NO;
	if (a == TRI_MAYBE || b == TRI_MAYBE)
		return TRI_MAYBE;
	return TRI_YES;
}

static enum tri tri_not(enum tri a)
{
	return a == TRI_YES ? TRI_NO : a == TRI_NO ? TRI_YES : TRI_MAYBE;
}

enum addr_kind { ADDR_PREFIX, ADDR_OUTSIDE, ADDR_UNKNOWN };

#define CT_NEW 1u
#define CT_ESTABLISHED 2u

#define L4_ANY 0
#define L4_UDP 17
#define L4_TCP 6
#define L4_UDP_TCP -1

struct flow {
	const char *hook;
	const char *iif;        /* NULL = the outside */
	const char *oif;
	enum addr_kind saddr_kind, daddr_kind;
	struct in_prefix saddr, daddr;
	int l4;
	int dport;              /* -1 = any */
	unsigned ct;
};

struct chain {
	const char *family, *table, *name;
	json_t *obj;
	json_t **rules;
	size_t n_rules;
};

struct ruleset {
	struct chain *chains;
	size_t n_chains;
};

struct walk {
	const struct fw_inspect_net *net;
	const struct ruleset *rs;
	const struct chain *base;
	struct flow fl;
	enum fw_flow flow;
	bool uncertain;         /* something earlier may have accepted or left the chain */
	struct fw_findings *out;
	int r;
};

enum verdict { V_NONE, V_ACCEPT, V_DROP };

void fw_findings_done(struct fw_findings *f)
{
	free(f->items);
	*f = (struct fw_findings){ 0 };
}

static const char *const flow_names[_FW_FLOW_MAX] = {
	[FW_FLOW_OUT] = "out", [FW_FLOW_REPLY] = "reply",
	[FW_FLOW_DHCP] = "dhcp", [FW_FLOW_DNS] = "dns",
};

const char *fw_flow_to_string(enum fw_flow flow)
{
	return flow < _FW_FLOW_MAX ? flow_names[flow] : NULL;
}

const char *fw_flow_describe(enum fw_flow flow)
{
	switch (flow) {
	case FW_FLOW_OUT:
		return "guest traffic to the outside";
	case FW_FLOW_REPLY:
		return "replies from the outside to guests";
	case FW_FLOW_DHCP:
		return "DHCP requests from guests to the host";
	case FW_FLOW_DNS:
		return "DNS queries from guests to the host";
	default:
		return "traffic";
	}
}

/* ---- the ruleset index ---- */

static void ruleset_done(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->n_chains; i++)
		free(rs->chains[i].rules);
	free(rs->chains);
	*rs = (struct ruleset){ 0 };
}

static const char *obj_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static struct chain *ruleset_find(const struct ruleset *rs, const char *family, const char *table,
				  const char *name)
{
	for (size_t i = 0; i < rs->n_chains; i++) {
		struct chain *c = &rs->chains[i];
		if (strcmp(c->family, family) == 0 && strcmp(c->table, table) == 0 &&
		    strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

static int ruleset_index(json_t *root, struct ruleset *rs)
{
	json_t *items = json_object_get(root, "nftables"), *it;
	size_t i;

	if (!json_is_array(items))
		return -EINVAL;
	json_array_foreach(items, i, it) {
		json_t *c = json_object_get(it, "chain");
		if (!json_is_object(c))
			continue;
		struct chain *n = realloc(rs->chains, (rs->n_chains + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		rs->chains = n;
		rs->chains[rs->n_chains++] = (struct chain){
			.family = obj_str(c, "family"), .table = obj_str(c, "table"),
			.name = obj_str(c, "name"), .obj = c,
		};
	}
	json_array_foreach(items, i, it) {
		json_t *r = json_object_get(it, "rule");
		if (!json_is_object(r))
			continue;
		struct chain *c = ruleset_find(rs, obj_str(r, "family"), obj_str(r, "table"),
					       obj_str(r, "chain"));
		if (!c)
			continue;
		json_t **n = realloc(c->rules, (c->n_rules + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		c->rules = n;
		c->rules[c->n_rules++] = r;
	}
	return 0;
}

/* ---- conditions ---- */

static bool ifname_matches(const char *pattern, const char *name)
{
	size_t len = strlen(pattern);

	if (len > 0 && pattern[len - 1] == '*')
		return strncmp(pattern, name, len - 1) == 0;
	return strcmp(pattern, name) == 0;
}

/* An interface of the flow against one element; NULL = the outside. */
static enum tri ifname_cmp(const struct walk *w, const char *flow_if, json_t *elem)
{
	const char *p = json_string_value(elem);

	if (!p)
		return TRI_MAYBE;
	if (!flow_if)
		flow_if = w->net->uplink && w->net->uplink[0] ? w->net->uplink : NULL;
	if (!flow_if)
		/* The outside: assumed to be no interface a rule names (see docs/DOCTOR.md). */
		return strcmp(p, "*") == 0 ? TRI_YES : TRI_NO;
	return ifname_matches(p, flow_if) ? TRI_YES : TRI_NO;
}

static bool elem_range(json_t *e, uint32_t *lo, uint32_t *hi)
{
	struct in_addr a, b;
	json_t *p;

	if (json_is_string(e)) {
		if (in_addr_from_string(json_string_value(e), &a) < 0)
			return false;
		*lo = *hi = in_addr_to_host(a);
		return true;
	}
	if ((p = json_object_get(e, "prefix"))) {
		struct in_prefix pf;
		json_int_t len = json_integer_value(json_object_get(p, "len"));
		if (in_addr_from_string(obj_str(p, "addr"), &pf.addr) < 0 || len < 0 || len > 32)
			return false;
		pf.prefixlen = (uint8_t)len;
		*lo = in_addr_to_host(in_prefix_first(&pf));
		*hi = in_addr_to_host(in_prefix_last(&pf));
		return true;
	}
	if ((p = json_object_get(e, "range")) && json_array_size(p) == 2) {
		if (in_addr_from_string(json_string_value(json_array_get(p, 0)) ?: "", &a) < 0 ||
		    in_addr_from_string(json_string_value(json_array_get(p, 1)) ?: "", &b) < 0)
			return false;
		*lo = in_addr_to_host(a);
		*hi = in_addr_to_host(b);
		return true;
	}
	return false;
}

static enum tri addr_cmp(const struct walk *w, enum addr_kind kind, const struct in_prefix *v,
			 json_t *elem)
{
	uint32_t lo, hi, a, b;

	if (!elem_range(elem, &lo, &hi))
		return TRI_MAYBE;
	if (lo == 0 && hi == UINT32_MAX)
		return TRI_YES;
	if (kind == ADDR_UNKNOWN)
		return TRI_MAYBE;
	if (kind == ADDR_OUTSIDE)
		v = &w->net->subnet;
	a = in_addr_to_host(in_prefix_first(v));
	b = in_addr_to_host(in_prefix_last(v));
	if (kind == ADDR_OUTSIDE)
		/* Any address but the subnet's: no when the element lies inside the subnet. */
		return lo >= a && hi <= b ? TRI_NO : TRI_MAYBE;
	if (lo <= a && b <= hi)
		return TRI_YES;
	if (hi < a || lo > b)
		return TRI_NO;
	return TRI_MAYBE;
}

static int proto_number(json_t *e)
{
	const char *s = json_string_value(e);

	if (json_is_integer(e))
		return (int)json_integer_value(e);
	if (!s)
		return -2;
	if (strcmp(s, "udp") == 0)
		return L4_UDP;
	if (strcmp(s, "tcp") == 0)
		return L4_TCP;
	if (strcmp(s, "icmp") == 0)
		return 1;
	return -3;      /* some other protocol: never udp or tcp */
}

static enum tri l4_cmp(int flow_l4, int proto)
{
	if (proto == -2)
		return TRI_MAYBE;
	if (flow_l4 == L4_ANY)
		return TRI_MAYBE;
	if (flow_l4 == L4_UDP_TCP)
		return proto == L4_UDP || proto == L4_TCP ? TRI_MAYBE : TRI_NO;
	return proto == flow_l4 ? TRI_YES : TRI_NO;
}

static enum tri port_cmp(int dport, json_t *e)
{
	json_t *rg = json_object_get(e, "range");

	if (dport < 0)
		return TRI_MAYBE;
	if (json_is_integer(e))
		return json_integer_value(e) == dport ? TRI_YES : TRI_NO;
	if (json_array_size(rg) == 2 && json_is_integer(json_array_get(rg, 0)))
		return json_integer_value(json_array_get(rg, 0)) <= dport &&
				       dport <= json_integer_value(json_array_get(rg, 1)) ?
			       TRI_YES : TRI_NO;
	return TRI_MAYBE;
}

static enum tri ct_cmp(unsigned ct, json_t *e)
{
	const char *s = json_string_value(e);

	if (!s)
		return TRI_MAYBE;
	if (strcmp(s, "new") == 0)
		return ct & CT_NEW ? TRI_YES : TRI_NO;
	if (strcmp(s, "established") == 0)
		return ct & CT_ESTABLISHED ? TRI_YES : TRI_NO;
	return TRI_NO;  /* related, invalid, untracked */
}

enum key_kind {
	K_UNKNOWN, K_IIF, K_OIF, K_SADDR, K_DADDR, K_L4, K_DPORT, K_CT_STATE, K_CT_STATUS, K_NO,
};

/* What the left side of a match is, and the protocol a payload match implies. */
static enum key_kind key_of(json_t *left, int *ret_implied_l4)
{
	json_t *meta = json_object_get(left, "meta"), *pl = json_object_get(left, "payload");
	json_t *ct = json_object_get(left, "ct");

	*ret_implied_l4 = -2;
	if (meta) {
		const char *k = obj_str(meta, "key");
		if (strcmp(k, "iifname") == 0 || strcmp(k, "iif") == 0)
			return K_IIF;
		if (strcmp(k, "oifname") == 0 || strcmp(k, "oif") == 0)
			return K_OIF;
		if (strcmp(k, "l4proto") == 0)
			return K_L4;
		return K_UNKNOWN;
	}
	if (pl) {
		const char *proto = obj_str(pl, "protocol"), *field = obj_str(pl, "field");
		if (strcmp(proto, "ip6") == 0 || strcmp(proto, "icmpv6") == 0)
			return K_NO;
		if (strcmp(proto, "ip") == 0) {
			if (strcmp(field, "saddr") == 0)
				return K_SADDR;
			if (strcmp(field, "daddr") == 0)
				return K_DADDR;
			if (strcmp(field, "protocol") == 0)
				return K_L4;
			return K_UNKNOWN;
		}
		if (strcmp(field, "dport") == 0 && (strcmp(proto, "udp") == 0 ||
						    strcmp(proto, "tcp") == 0 ||
						    strcmp(proto, "th") == 0)) {
			*ret_implied_l4 = strcmp(proto, "udp") == 0   ? L4_UDP :
					  strcmp(proto, "tcp") == 0   ? L4_TCP :
									-2;
			return K_DPORT;
		}
		if (strcmp(proto, "udp") == 0 || strcmp(proto, "tcp") == 0)
			*ret_implied_l4 = strcmp(proto, "udp") == 0 ? L4_UDP : L4_TCP;
		return K_UNKNOWN;
	}
	if (ct && strcmp(obj_str(ct, "key"), "state") == 0)
		return K_CT_STATE;
	if (ct && strcmp(obj_str(ct, "key"), "status") == 0)
		return K_CT_STATUS;
	return K_UNKNOWN;
}

static enum tri elem_cmp(const struct walk *w, enum key_kind k, json_t *e)
{
	switch (k) {
	case K_IIF:
		return ifname_cmp(w, w->fl.iif, e);
	case K_OIF:
		return ifname_cmp(w, w->fl.oif, e);
	case K_SADDR:
		return addr_cmp(w, w->fl.saddr_kind, &w->fl.saddr, e);
	case K_DADDR:
		return addr_cmp(w, w->fl.daddr_kind, &w->fl.daddr, e);
	case K_L4:
		return l4_cmp(w->fl.l4, proto_number(e));
	case K_DPORT:
		return port_cmp(w->fl.dport, e);
	case K_CT_STATE:
		return ct_cmp(w->fl.ct, e);
	case K_CT_STATUS:
		/* A guest's own connections are never destination-translated. */
		return json_is_string(e) && strcmp(json_string_value(e), "dnat") == 0 ? TRI_NO :
											 TRI_MAYBE;
	case K_NO:
		return TRI_NO;
	default:
		return TRI_MAYBE;
	}
}

/* The value against a right side that may be one element, a list or an anonymous set. */
static enum tri value_in(const struct walk *w, enum key_kind k, json_t *right)
{
	json_t *set = json_object_get(right, "set"), *e;
	enum tri res = TRI_NO;
	size_t i;

	if (!set && json_is_array(right))
		set = right;
	if (!set)
		return elem_cmp(w, k, right);
	if (json_is_string(set) || json_is_integer(set))
		return elem_cmp(w, k, set);
	json_array_foreach(set, i, e) {
		enum tri t = elem_cmp(w, k, e);
		if (t == TRI_YES)
			return TRI_YES;
		if (t == TRI_MAYBE)
			res = TRI_MAYBE;
	}
	return res;
}

static enum tri eval_match(const struct walk *w, json_t *m)
{
	const char *op = obj_str(m, "op");
	int implied;
	enum key_kind k = key_of(json_object_get(m, "left"), &implied);
	enum tri t, pre = TRI_YES;

	if (implied != -2)
		pre = l4_cmp(w->fl.l4, implied);
	if (k == K_NO)
		return TRI_NO;
	if (k == K_UNKNOWN)
		return tri_and(pre, TRI_MAYBE);
	t = value_in(w, k, json_object_get(m, "right"));
	if (strcmp(op, "!=") == 0)
		t = tri_not(t);
	else if (strcmp(op, "==") != 0 && strcmp(op, "in") != 0)
		t = TRI_MAYBE;
	return tri_and(pre, t);
}

/* ---- rule text ---- */

static void text_value(struct strbuf *sb, json_t *v)
{
	json_t *p;
	size_t i;

	if (json_is_string(v))
		strbuf_appendf(sb, "%s", json_string_value(v));
	else if (json_is_integer(v))
		strbuf_appendf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_array(v)) {
		json_array_foreach(v, i, p) {
			strbuf_append(sb, i ? "," : "");
			text_value(sb, p);
		}
	} else if ((p = json_object_get(v, "set"))) {
		strbuf_append(sb, "{ ");
		if (json_is_array(p))
			json_array_foreach(p, i, v) {
				strbuf_append(sb, i ? ", " : "");
				text_value(sb, v);
			}
		else
			text_value(sb, p);
		strbuf_append(sb, " }");
	} else if ((p = json_object_get(v, "prefix")))
		strbuf_appendf(sb, "%s/%" JSON_INTEGER_FORMAT, obj_str(p, "addr"),
			       json_integer_value(json_object_get(p, "len")));
	else if ((p = json_object_get(v, "range")) && json_array_size(p) == 2) {
		text_value(sb, json_array_get(p, 0));
		strbuf_append(sb, "-");
		text_value(sb, json_array_get(p, 1));
	} else if ((p = json_object_get(v, "meta")))
		strbuf_appendf(sb, "%s", obj_str(p, "key"));
	else if ((p = json_object_get(v, "payload")))
		strbuf_appendf(sb, "%s %s", obj_str(p, "protocol"), obj_str(p, "field"));
	else if ((p = json_object_get(v, "ct")))
		strbuf_appendf(sb, "ct %s", obj_str(p, "key"));
	else
		strbuf_append(sb, "...");
}

static void rule_text(json_t *rule, char *buf, size_t size)
{
	struct strbuf sb;
	json_t *e, *v;
	const char *key;
	size_t i;

	strbuf_init(&sb);
	json_array_foreach(json_object_get(rule, "expr"), i, e) {
		json_object_foreach(e, key, v) {
			if (strcmp(key, "counter") == 0)
				continue;
			if (sb.len)
				strbuf_append(&sb, " ");
			if (strcmp(key, "match") == 0) {
				const char *op = obj_str(v, "op");
				text_value(&sb, json_object_get(v, "left"));
				strbuf_appendf(&sb, " %s", strcmp(op, "!=") == 0 ? "!= " : "");
				if (json_is_string(json_object_get(v, "right")) &&
				    json_object_get(json_object_get(v, "left"), "meta"))
					strbuf_appendf(&sb, "\"%s\"",
						       json_string_value(json_object_get(v, "right")));
				else
					text_value(&sb, json_object_get(v, "right"));
			} else if (strcmp(key, "jump") == 0 || strcmp(key, "goto") == 0)
				strbuf_appendf(&sb, "%s %s", key, obj_str(v, "target"));
			else if (strcmp(key, "xt") == 0)
				strbuf_appendf(&sb, "xt %s", obj_str(v, "name"));
			else
				strbuf_append(&sb, key);
		}
	}
	snprintf(buf, size, "%s", sb.len ? sb.buf : "");
	/* A cut in the middle of the text still reads: mark it. */
	if (sb.len >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
	strbuf_done(&sb);
}

/* ---- the walk ---- */

static const char *guess_owner(const struct ruleset *rs, const char *family, const char *table)
{
	if (strncmp(table, "firewalld", 9) == 0)
		return "firewalld";
	for (size_t i = 0; i < rs->n_chains; i++) {
		const struct chain *c = &rs->chains[i];
		if (strcmp(c->family, family) != 0 || strcmp(c->table, table) != 0)
			continue;
		if (strncmp(c->name, "DOCKER", 6) == 0)
			return "Docker";
		if (strncmp(c->name, "ufw-", 4) == 0)
			return "ufw";
	}
	return NULL;
}

static void add_finding(struct walk *w, const struct chain *c, json_t *rule, bool may)
{
	const struct chain *base = w->base;
	struct fw_finding f = { .flow = w->flow, .may = may };
	struct fw_findings *o = w->out;

	snprintf(f.family, sizeof(f.family), "%s", base->family);
	snprintf(f.table, sizeof(f.table), "%s", base->table);
	snprintf(f.chain, sizeof(f.chain), "%s", base->name);
	if (rule) {
		snprintf(f.rule_chain, sizeof(f.rule_chain), "%s", c->name);
		f.handle = (uint64_t)json_integer_value(json_object_get(rule, "handle"));
		rule_text(rule, f.text, sizeof(f.text));
	} else
		snprintf(f.text, sizeof(f.text), "policy drop");
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->items[i].family, f.family) == 0 &&
		    strcmp(o->items[i].table, f.table) == 0 &&
		    strcmp(o->items[i].chain, f.chain) == 0 &&
		    strcmp(o->items[i].rule_chain, f.rule_chain) == 0 &&
		    o->items[i].handle == f.handle && o->items[i].flow == f.flow)
			return;
	f.owner = guess_owner(w->rs, f.family, f.table);
	/* Docker asks for user rules in DOCKER-USER, which its FORWARD chain jumps to first. */
	if ((f.flow == FW_FLOW_OUT || f.flow == FW_FLOW_REPLY) &&
	    ruleset_find(w->rs, f.family, f.table, "DOCKER-USER"))
		snprintf(f.fix_chain, sizeof(f.fix_chain), "DOCKER-USER");
	else
		snprintf(f.fix_chain, sizeof(f.fix_chain), "%s", f.chain);
	struct fw_finding *n = realloc(o->items, (o->n + 1) * sizeof(*n));
	if (!n) {
		w->r = -ENOMEM;
		return;
	}
	o->items = n;
	o->items[o->n++] = f;
}

static enum verdict walk_chain(struct walk *w, const struct chain *c, bool maybe, int depth);

/* Applies verdict object 'v' (one of accept/drop/reject/jump/goto/return) reached with 'cond'. */
static enum verdict apply_verdict(struct walk *w, const struct chain *c, json_t *rule,
				  const char *key, json_t *v, enum tri cond, bool *maybe,
				  int depth, bool *ret_stop)
{
	bool unsure = *maybe || w->uncertain || cond == TRI_MAYBE;

	*ret_stop = false;
	if (strcmp(key, "accept") == 0) {
		if (!unsure) {
			*ret_stop = true;
			return V_ACCEPT;
		}
		w->uncertain = true;
	} else if (strcmp(key, "drop") == 0 || strcmp(key, "reject") == 0) {
		add_finding(w, c, rule, unsure);
		if (!unsure) {
			*ret_stop = true;
			return V_DROP;
		}
	} else if (strcmp(key, "jump") == 0 || strcmp(key, "goto") == 0) {
		const struct chain *t = ruleset_find(w->rs, c->family, c->table,
						     obj_str(v, "target"));
		enum verdict r = V_NONE;
		if (t && depth < WALK_DEPTH_MAX)
			r = walk_chain(w, t, *maybe || cond == TRI_MAYBE, depth + 1);
		if (r != V_NONE) {
			*ret_stop = true;
			return r;
		}
		if (key[0] == 'g') {
			if (cond == TRI_YES && !*maybe) {
				*ret_stop = true;
				return V_NONE;
			}
			*maybe = true;
		}
	} else if (strcmp(key, "return") == 0) {
		if (cond == TRI_YES && !*maybe) {
			*ret_stop = true;
			return V_NONE;
		}
		*maybe = true;
	}
	return V_NONE;
}

static bool is_verdict(const char *key)
{
	return strcmp(key, "accept") == 0 || strcmp(key, "drop") == 0 ||
	       strcmp(key, "reject") == 0 || strcmp(key, "jump") == 0 ||
	       strcmp(key, "goto") == 0 || strcmp(key, "return") == 0;
}

/* A verdict map: the element the key selects, or every element with "maybe". */
static enum verdict apply_vmap(struct walk *w, const struct chain *c, json_t *rule, json_t *vm,
			       enum tri cond, bool *maybe, int depth, bool *ret_stop)
{
	int implied;
	enum key_kind k = key_of(json_object_get(vm, "key"), &implied);
	json_t *elems = json_object_get(json_object_get(vm, "data"), "set"), *e, *yes = NULL;
	size_t i;

	*ret_stop = false;
	if (k == K_NO)
		return V_NONE;
	json_array_foreach(elems, i, e) {
		enum tri t = k == K_UNKNOWN ? TRI_MAYBE : value_in(w, k, json_array_get(e, 0));
		if (t == TRI_YES) {
			yes = e;
			break;
		}
	}
	json_array_foreach(elems, i, e) {
		enum tri t = k == K_UNKNOWN ? TRI_MAYBE : value_in(w, k, json_array_get(e, 0));
		json_t *vo = json_array_get(e, 1), *v;
		const char *key;
		if (yes ? e != yes : t == TRI_NO)
			continue;
		json_object_foreach(vo, key, v) {
			if (!is_verdict(key))
				continue;
			enum verdict r = apply_verdict(w, c, rule, key, v, tri_and(cond, t), maybe,
						       depth, ret_stop);
			if (*ret_stop)
				return r;
		}
	}
	return V_NONE;
}

static enum verdict walk_chain(struct walk *w, const struct chain *c, bool maybe, int depth)
{
	for (size_t i = 0; i < c->n_rules && w->r >= 0; i++) {
		json_t *rule = c->rules[i], *e, *v;
		enum tri cond = TRI_YES;
		const char *key;
		size_t j;

		json_array_foreach(json_object_get(rule, "expr"), j, e) {
			bool stop = false;
			enum verdict r = V_NONE;

			if (cond == TRI_NO)
				break;
			json_object_foreach(e, key, v) {
				if (strcmp(key, "match") == 0)
					cond = tri_and(cond, eval_match(w, v));
				else if (strcmp(key, "vmap") == 0)
					r = apply_vmap(w, c, rule, v, cond, &maybe, depth, &stop);
				else if (is_verdict(key))
					r = apply_verdict(w, c, rule, key, v, cond, &maybe, depth,
							  &stop);
				else if (strcmp(key, "limit") == 0 || strcmp(key, "quota") == 0 ||
					 (strcmp(key, "xt") == 0 &&
					  strcmp(obj_str(v, "type"), "target") != 0))
					cond = tri_and(cond, TRI_MAYBE);
			}
			if (stop)
				return r;
		}
	}
	return V_NONE;
}

static void flow_init(const struct fw_inspect_net *net, enum fw_flow flow, struct flow *fl)
{
	*fl = (struct flow){ .dport = -1, .ct = CT_NEW };
	switch (flow) {
	case FW_FLOW_OUT:
		*fl = (struct flow){ .hook = "forward", .iif = net->bridge,
				     .saddr_kind = ADDR_PREFIX, .saddr = net->subnet,
				     .daddr_kind = ADDR_OUTSIDE, .l4 = L4_ANY, .dport = -1,
				     .ct = CT_NEW };
		break;
	case FW_FLOW_REPLY:
		*fl = (struct flow){ .hook = "forward", .oif = net->bridge,
				     .saddr_kind = ADDR_OUTSIDE, .daddr_kind = ADDR_PREFIX,
				     .daddr = net->subnet, .l4 = L4_ANY, .dport = -1,
				     .ct = CT_ESTABLISHED };
		break;
	case FW_FLOW_DHCP:
		*fl = (struct flow){ .hook = "input", .iif = net->bridge, .oif = "",
				     .saddr_kind = ADDR_UNKNOWN, .daddr_kind = ADDR_UNKNOWN,
				     .l4 = L4_UDP, .dport = 67, .ct = CT_NEW };
		break;
	default:
		*fl = (struct flow){ .hook = "input", .iif = net->bridge, .oif = "",
				     .saddr_kind = ADDR_PREFIX, .saddr = net->subnet,
				     .daddr_kind = ADDR_PREFIX,
				     .daddr = { .addr = net->gateway, .prefixlen = 32 },
				     .l4 = L4_UDP_TCP, .dport = 53, .ct = CT_NEW };
		break;
	}
}

static bool flow_applies(const struct fw_inspect_net *net, enum fw_flow flow)
{
	switch (flow) {
	case FW_FLOW_OUT:
	case FW_FLOW_REPLY:
		return net->forward;
	case FW_FLOW_DHCP:
		return net->dhcp;
	default:
		return net->dns;
	}
}

static bool table_is_ours(const struct chain *c)
{
	return strcmp(c->family, "inet") == 0 && strcmp(c->table, "kvmnet") == 0;
}

int fw_inspect(json_t *ruleset, const struct fw_inspect_net *net, struct fw_findings *out)
{
	struct ruleset rs = { 0 };
	int r = ruleset_index(ruleset, &rs);

	for (size_t i = 0; r >= 0 && i < rs.n_chains; i++) {
		const struct chain *c = &rs.chains[i];
		const char *hook = obj_str(c->obj, "hook");

		if (table_is_ours(c) || !hook[0] ||
		    (strcmp(c->family, "ip") != 0 && strcmp(c->family, "inet") != 0))
			continue;
		for (enum fw_flow f = 0; f < _FW_FLOW_MAX && r >= 0; f++) {
			struct walk w = { .net = net, .rs = &rs, .base = c, .flow = f, .out = out };

			if (!flow_applies(net, f))
				continue;
			flow_init(net, f, &w.fl);
			if (strcmp(w.fl.hook, hook) != 0)
				continue;
			enum verdict v = walk_chain(&w, c, false, 0);
			if (w.r >= 0 && v == V_NONE && strcmp(obj_str(c->obj, "policy"), "drop") == 0)
				add_finding(&w, c, NULL, w.uncertain);
			r = w.r;
		}
	}
	ruleset_done(&rs);
	return r;
}

int fw_finding_format(const struct fw_finding *f, const struct fw_inspect_net *net,
		      struct strbuf *sb)
{
	int r = strbuf_appendf(sb, "%s: table %s %s chain %s ", net->name, f->family, f->table,
			       f->chain);

	if (r < 0)
		return r;
	if (f->handle)
		r = strbuf_appendf(sb, "rule %" PRIu64 " '%s'%s%s ", f->handle, f->text,
			       strcmp(f->rule_chain, f->chain) ? " in chain " : "",
			       strcmp(f->rule_chain, f->chain) ? f->rule_chain : "");
	else
		r = strbuf_append(sb, "(policy drop) ");
	if (r >= 0 && f->owner)
		r = strbuf_appendf(sb, "[%s] ", f->owner);
	if (r < 0)
		return r;
	return strbuf_appendf(sb, "%s %s on %s; run 'kvmnet doctor --fix %s' or add an accept for %s %s in chain %s",
		       f->may ? "may drop" : "drops", fw_flow_describe(f->flow), net->bridge,
		       net->name, f->flow == FW_FLOW_REPLY ? "oifname" : "iifname", net->bridge,
		       f->fix_chain);
}

/* ---- fixes ---- */

static bool rule_is_ours(json_t *rule, const char *name)
{
	const char *c = obj_str(rule, "comment");
	size_t n = strlen(FW_DOCTOR_COMMENT_PREFIX);

	return strncmp(c, FW_DOCTOR_COMMENT_PREFIX, n) == 0 && strcmp(c + n, name) == 0;
}

/* Whether a rule of ours in chain 'c' accepts flow 'w->fl' for sure. */
static bool chain_has_our_accept(struct walk *w, const struct chain *c)
{
	for (size_t i = 0; c && i < c->n_rules; i++) {
		json_t *rule = c->rules[i], *e, *v;
		enum tri cond = TRI_YES;
		const char *key;
		size_t j;

		if (!rule_is_ours(rule, w->net->name))
			continue;
		json_array_foreach(json_object_get(rule, "expr"), j, e)
			json_object_foreach(e, key, v) {
				if (strcmp(key, "match") == 0)
					cond = tri_and(cond, eval_match(w, v));
				else if (strcmp(key, "accept") == 0 && cond == TRI_YES)
					return true;
			}
	}
	return false;
}

int fw_inspect_render_fix(json_t *ruleset, const struct fw_findings *f,
			  const struct fw_inspect_net *net, struct strbuf *sb,
			  fw_fix_chain_fn chain_cb, void *data)
{
	struct ruleset rs = { 0 };
	int r = ruleset_index(ruleset, &rs), n = 0;

	for (size_t i = 0; r >= 0 && i < f->n; i++) {
		const struct fw_finding *x = &f->items[i];
		const struct chain *target = ruleset_find(&rs, x->family, x->table, x->fix_chain);
		bool seen = false;

		/* One rule per target chain and flow, however many findings lead there. */
		for (size_t j = 0; j < i; j++)
			if (f->items[j].flow == x->flow && strcmp(f->items[j].family, x->family) == 0 &&
			    strcmp(f->items[j].table, x->table) == 0 &&
			    strcmp(f->items[j].fix_chain, x->fix_chain) == 0)
				seen = true;
		if (seen || !target)
			continue;

		static const int dns_l4[] = { L4_UDP, L4_TCP };
		size_t variants = x->flow == FW_FLOW_DNS ? 2 : 1;
		bool wrote = false;
		for (size_t v = 0; v < variants && r >= 0; v++) {
			struct walk w = { .net = net, .rs = &rs };
			flow_init(net, x->flow, &w.fl);
			if (x->flow == FW_FLOW_DNS)
				w.fl.l4 = dns_l4[v];
			if (chain_has_our_accept(&w, target))
				continue;
			r = strbuf_appendf(sb, "insert rule %s %s %s ", x->family, x->table,
					   x->fix_chain);
			if (r < 0)
				break;
			switch (x->flow) {
			case FW_FLOW_OUT:
				r = strbuf_appendf(sb, "iifname \"%s\"", net->bridge);
				break;
			case FW_FLOW_REPLY:
				/*
				 * iptables-nft cannot read back a native ct expression (the
				 * whole chain turns "incompatible" for Docker): in such tables
				 * the reply accept is on the bridge only; table inet kvmnet
				 * still filters what reaches guests.
				 */
				r = strbuf_appendf(sb, "oifname \"%s\"%s", net->bridge,
						   net->routed || x->owner ? "" :
						   " ct state established,related");
				break;
			case FW_FLOW_DHCP:
				r = strbuf_appendf(sb, "iifname \"%s\" udp dport 67", net->bridge);
				break;
			default:
				r = strbuf_appendf(sb, "iifname \"%s\" %s dport 53", net->bridge,
						   v == 0 ? "udp" : "tcp");
				break;
			}
			if (r >= 0)
				r = strbuf_appendf(sb, " counter accept comment \"%s%s\"\n",
						   FW_DOCTOR_COMMENT_PREFIX, net->name);
			n++;
			wrote = true;
		}
		if (r >= 0 && wrote && chain_cb)
			r = chain_cb(x->family, x->table, x->fix_chain, data);
	}
	ruleset_done(&rs);
	return r < 0 ? r : n;
}

int fw_inspect_render_cleanup(json_t *listing, const char *name, struct strbuf *sb)
{
	json_t *items = json_object_get(listing, "nftables"), *it;
	size_t i;
	int n = 0, r;

	if (!json_is_array(items))
		return -EINVAL;
	json_array_foreach(items, i, it) {
		json_t *rule = json_object_get(it, "rule");
		if (!json_is_object(rule) || !rule_is_ours(rule, name))
			continue;
		r = strbuf_appendf(sb, "delete rule %s %s %s handle %" JSON_INTEGER_FORMAT "\n",
				   obj_str(rule, "family"), obj_str(rule, "table"),
				   obj_str(rule, "chain"),
				   json_integer_value(json_object_get(rule, "handle")));
		if (r < 0)
			return r;
		n++;
	}
	return n;
}
