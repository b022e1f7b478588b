/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Turns a fw_network into the nft scripts that install or remove it in table inet kvmnet. Pure
 * text generation: the same model always gives the same bytes, and fw_network_hash() hashes
 * those bytes (with 0 in place of the hash itself), so the hash fw-apply reads back from a chain
 * comment tells whether a network needs re-applying.
 *
 * Chain names are 'n_NAME_KIND' with NAME used verbatim: nft's identifier grammar accepts '-'
 * (and a leading digit after "n_"), while nft 1.0.6 rejects quoted chain names, so no escaping
 * is needed or possible. The names cannot collide: KIND never contains '_', so the last '_'
 * splits NAME from KIND unambiguously.
 */
#include "firewall/fw-render.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firewall/fw-model.h"
#include "shared/alloc-util.h"

#define FW_TABLE "inet " FW_TABLE_NAME

enum fw_chain {
	FW_CHAIN_OUT,   /* forwarded from the bridge; dispatched by map fwd_out on iifname */
	FW_CHAIN_IN,    /* forwarded to the bridge; map fwd_in on oifname */
	FW_CHAIN_INPUT, /* to the host from the bridge; map input_v on iifname */
	FW_CHAIN_POST,  /* source NAT; map post_v on iifname */
	_FW_CHAIN_MAX,
};

static const struct {
	const char *kind;
	const char *map;
} fw_chains[_FW_CHAIN_MAX] = {
	[FW_CHAIN_OUT] = { "out", "fwd_out" },
	[FW_CHAIN_IN] = { "in", "fwd_in" },
	[FW_CHAIN_INPUT] = { "input", "input_v" },
	[FW_CHAIN_POST] = { "post", "post_v" },
};

/* Output sink: either a growing NUL-terminated buffer or, when hashing, only the FNV-1a state. */
struct render {
	char *buf;
	size_t len;
	size_t allocated;
	bool hash_only;
	uint64_t hash;
	int r;          /* first error; later emits are no-ops */
};

#define FNV1A_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV1A_PRIME UINT64_C(0x100000001b3)

static void emit(struct render *o, const char *fmt, ...) _printf_(2, 3);
static void emit(struct render *o, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int k;

	if (o->r < 0)
		return;

	va_start(ap, fmt);
	k = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= sizeof(line) - 1) {
		o->r = -EINVAL;
		return;
	}
	line[k++] = '\n';

	if (o->hash_only) {
		for (int i = 0; i < k; i++) {
			o->hash ^= (unsigned char)line[i];
			o->hash *= FNV1A_PRIME;
		}
		return;
	}

	if (o->len + k + 1 > o->allocated) {
		size_t n = o->allocated ? o->allocated * 2 : 4096;
		char *p;

		while (n < o->len + k + 1)
			n *= 2;
		p = realloc(o->buf, n);
		if (!p) {
			o->r = -ENOMEM;
			return;
		}
		o->buf = p;
		o->allocated = n;
	}
	memcpy(o->buf + o->len, line, k);
	o->len += k;
	o->buf[o->len] = '\0';
}

/* Emits "add rule inet kvmnet n_NAME_KIND <rule>". */
static void emit_rule(struct render *o, const struct fw_network *n, enum fw_chain c,
		      const char *fmt, ...) _printf_(4, 5);
static void emit_rule(struct render *o, const struct fw_network *n, enum fw_chain c,
		      const char *fmt, ...)
{
	char rule[384];
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(rule, sizeof(rule), fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= sizeof(rule)) {
		if (o->r >= 0)
			o->r = -EINVAL;
		return;
	}
	emit(o, "add rule " FW_TABLE " n_%s_%s %s", n->name, fw_chains[c].kind, rule);
}

static bool fw_name_is_valid(const char *s, size_t size)
{
	size_t len = strnlen(s, size);

	if (len == 0 || len >= size)
		return false;
	for (size_t i = 0; i < len; i++) {
		bool alnum = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9');

		if (!alnum && (i == 0 || (s[i] != '-' && s[i] != '_')))
			return false;
	}
	return true;
}

/*
 * Interface names go into nft double-quoted strings, which have no escapes in nft 1.0.6: a '"'
 * cannot be written, and a '*' or '\' would turn the name into a wildcard pattern. The kernel
 * allows all three in interface names, so they are refused here rather than mis-rendered.
 */
static bool fw_ifname_is_valid(const char *s, size_t size, bool may_be_empty)
{
	size_t len = strnlen(s, size);

	if (len >= size || (len == 0 && !may_be_empty))
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~' || strchr("\"*\\/:", s[i]))
			return false;
	return true;
}

static int fw_network_check(const struct fw_network *n)
{
	if (!fw_name_is_valid(n->name, sizeof(n->name)) ||
	    !fw_ifname_is_valid(n->bridge, sizeof(n->bridge), false) ||
	    !fw_ifname_is_valid(n->uplink, sizeof(n->uplink), true) || n->subnet.prefixlen > 32)
		return -EINVAL;
	if (n->mode < 0 || n->mode >= _NETWORK_MODE_MAX)
		return -EINVAL;
	return 0;
}

/* Which of the four per-network chains a mode uses. */
static bool fw_mode_has_chain(enum network_mode mode, enum fw_chain c)
{
	switch (mode) {
	case NETWORK_MODE_NAT:
		return c != FW_CHAIN_INPUT;
	case NETWORK_MODE_ROUTED:
		return c == FW_CHAIN_OUT || c == FW_CHAIN_IN;
	case NETWORK_MODE_ISOLATED:
		return c != FW_CHAIN_POST;
	default:
		return false;
	}
}

/* The table, the set and the maps: idempotent 'add', never flushed (other networks use them). */
static void emit_base_objects(struct render *o)
{
	emit(o, "add table " FW_TABLE);
	emit(o, "add set " FW_TABLE " bridges { type ifname; }");
	for (enum fw_chain c = 0; c < _FW_CHAIN_MAX; c++)
		emit(o, "add map " FW_TABLE " %s { type ifname : verdict; }", fw_chains[c].map);
}

/*
 * The base chains hold only the dispatch rules. 'add rule' is not idempotent, so each install
 * flushes them and adds the rules again; within one transaction no packet sees them empty.
 */
static void emit_base_chains(struct render *o)
{
	emit(o, "add chain " FW_TABLE " forward { type filter hook forward priority filter; "
		"policy accept; }");
	emit(o, "add chain " FW_TABLE " input { type filter hook input priority filter; "
		"policy accept; }");
	emit(o, "add chain " FW_TABLE " postrouting { type nat hook postrouting priority srcnat; "
		"policy accept; }");
	emit(o, "flush chain " FW_TABLE " forward");
	emit(o, "add rule " FW_TABLE " forward iifname vmap @fwd_out");
	emit(o, "add rule " FW_TABLE " forward oifname vmap @fwd_in");
	emit(o, "flush chain " FW_TABLE " input");
	emit(o, "add rule " FW_TABLE " input iifname vmap @input_v");
	emit(o, "flush chain " FW_TABLE " postrouting");
	emit(o, "add rule " FW_TABLE " postrouting iifname vmap @post_v");
}

/*
 * Removes all four possible chains of 'n' and the map elements jumping to them, whether or not
 * they exist: each object is added first, so the deletes cannot fail with ENOENT. Elements go
 * before their chain because a chain referenced by a jump cannot be deleted. Re-creating a chain
 * (rather than flushing it) is what updates its comment: 'add chain' on an existing chain keeps
 * the old comment.
 */
static void emit_purge(struct render *o, const struct fw_network *n)
{
	for (enum fw_chain c = 0; c < _FW_CHAIN_MAX; c++) {
		const char *k = fw_chains[c].kind, *m = fw_chains[c].map;

		emit(o, "add chain " FW_TABLE " n_%s_%s", n->name, k);
		emit(o, "add element " FW_TABLE " %s { \"%s\" : jump n_%s_%s }", m, n->bridge,
		     n->name, k);
		emit(o, "delete element " FW_TABLE " %s { \"%s\" }", m, n->bridge);
		emit(o, "flush chain " FW_TABLE " n_%s_%s", n->name, k);
		emit(o, "delete chain " FW_TABLE " n_%s_%s", n->name, k);
	}
}

static void emit_chain_out(struct render *o, const struct fw_network *n, const char *sub)
{
	emit_rule(o, n, FW_CHAIN_OUT, "oifname \"%s\" accept", n->bridge);
	if (n->mode == NETWORK_MODE_ISOLATED) {
		emit_rule(o, n, FW_CHAIN_OUT, "drop");
		return;
	}
	emit_rule(o, n, FW_CHAIN_OUT, "oifname @bridges drop");
	if (n->uplink[0])
		emit_rule(o, n, FW_CHAIN_OUT, "oifname != \"%s\" drop", n->uplink);
	emit_rule(o, n, FW_CHAIN_OUT, "ip saddr %s accept", sub);
	/* Spoofed sources and IPv6. */
	emit_rule(o, n, FW_CHAIN_OUT, "drop");
}

static void emit_chain_in(struct render *o, const struct fw_network *n, const char *sub)
{
	emit_rule(o, n, FW_CHAIN_IN, "iifname \"%s\" accept", n->bridge);
	switch (n->mode) {
	case NETWORK_MODE_NAT:
		emit_rule(o, n, FW_CHAIN_IN, "ct state established,related accept");
		/* Port forwards DNAT in prerouting; this lets them through. */
		emit_rule(o, n, FW_CHAIN_IN, "ct status dnat accept");
		break;
	case NETWORK_MODE_ROUTED:
		emit_rule(o, n, FW_CHAIN_IN, "iifname @bridges drop");
		emit_rule(o, n, FW_CHAIN_IN, "ip daddr %s accept", sub);
		break;
	default:
		break;
	}
	emit_rule(o, n, FW_CHAIN_IN, "drop");
}

static void emit_chain_input(struct render *o, const struct fw_network *n)
{
	/* Isolated guests reach the host only for DHCP and DNS. */
	emit_rule(o, n, FW_CHAIN_INPUT, "ct state established,related accept");
	emit_rule(o, n, FW_CHAIN_INPUT, "udp dport { 53, 67 } accept");
	emit_rule(o, n, FW_CHAIN_INPUT, "tcp dport 53 accept");
	emit_rule(o, n, FW_CHAIN_INPUT, "drop");
}

static void emit_chain_post(struct render *o, const struct fw_network *n, const char *sub)
{
	char up[IFNAMSIZ + 16] = "";

	/* Multicast on the local segment and limited broadcast must keep their source. */
	emit_rule(o, n, FW_CHAIN_POST, "ip saddr %s ip daddr 224.0.0.0/24 return", sub);
	emit_rule(o, n, FW_CHAIN_POST, "ip saddr %s ip daddr 255.255.255.255 return", sub);
	if (n->uplink[0])
		snprintf(up, sizeof(up), " oifname \"%s\"", n->uplink);
	emit_rule(o, n, FW_CHAIN_POST, "ip saddr %s ip daddr != %s oifname != \"%s\"%s masquerade",
		  sub, sub, n->bridge, up);
}

static void emit_network(struct render *o, const struct fw_network *n, uint64_t hash)
{
	char addr[INET_ADDRSTRLEN], sub[INET_ADDRSTRLEN + 4];

	if (!inet_ntop(AF_INET, &n->subnet.addr, addr, sizeof(addr))) {
		o->r = -EINVAL;
		return;
	}
	snprintf(sub, sizeof(sub), "%s/%u", addr, (unsigned)n->subnet.prefixlen);

	emit(o, "add element " FW_TABLE " bridges { \"%s\" }", n->bridge);
	for (enum fw_chain c = 0; c < _FW_CHAIN_MAX; c++) {
		if (!fw_mode_has_chain(n->mode, c))
			continue;
		emit(o, "add chain " FW_TABLE " n_%s_%s { comment \"kvmnet:%016" PRIx64 "\"; }",
		     n->name, fw_chains[c].kind, hash);
		switch (c) {
		case FW_CHAIN_OUT:
			emit_chain_out(o, n, sub);
			break;
		case FW_CHAIN_IN:
			emit_chain_in(o, n, sub);
			break;
		case FW_CHAIN_INPUT:
			emit_chain_input(o, n);
			break;
		case FW_CHAIN_POST:
			emit_chain_post(o, n, sub);
			break;
		default:
			break;
		}
	}
	for (enum fw_chain c = 0; c < _FW_CHAIN_MAX; c++)
		if (fw_mode_has_chain(n->mode, c))
			emit(o, "add element " FW_TABLE " %s { \"%s\" : jump n_%s_%s }",
			     fw_chains[c].map, n->bridge, n->name, fw_chains[c].kind);
}

static void emit_install(struct render *o, const struct fw_network *n, uint64_t hash)
{
	o->r = fw_network_check(n);
	emit_base_objects(o);
	emit_base_chains(o);
	emit_purge(o, n);
	emit_network(o, n, hash);
}

/*
 * The hash covers the whole install script rendered with 0 in place of the hash, so any change
 * to the rules, the elements or the base layout (say, after an upgrade) changes it.
 */
uint64_t fw_network_hash(const struct fw_network *n)
{
	struct render o = { .hash_only = true, .hash = FNV1A_OFFSET };

	emit_install(&o, n, 0);
	return o.r < 0 ? 0 : o.hash;
}

static int render_finish(struct render *o, char **ret)
{
	if (o->r < 0) {
		free(o->buf);
		return o->r;
	}
	*ret = o->buf;
	return 0;
}

int fw_render_network(const struct fw_network *n, char **ret)
{
	struct render o = { .hash_only = false };
	uint64_t hash = fw_network_hash(n);

	emit_install(&o, n, hash);
	return render_finish(&o, ret);
}

int fw_render_network_delete(const struct fw_network *n, char **ret)
{
	struct render o = { .hash_only = false };

	o.r = fw_network_check(n);
	emit_base_objects(&o);
	emit_purge(&o, n);
	emit(&o, "add element " FW_TABLE " bridges { \"%s\" }", n->bridge);
	emit(&o, "delete element " FW_TABLE " bridges { \"%s\" }", n->bridge);
	return render_finish(&o, ret);
}
