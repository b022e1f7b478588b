/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Turns a fw_network into the nft scripts that install or remove it in table inet kvmnet: set
 * elements only (the layout is in fw-render.h), and the base script with the table's constant
 * chains. Pure text generation: the same model always gives the same bytes, and
 * fw_network_hash() hashes a network's element lines, which fw-apply reads back from the kernel
 * and hashes the same way to tell whether a network needs re-applying.
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

enum fw_set {
	FW_SET_BRIDGES,
	FW_SET_GUARDED,
	FW_SET_NAT,
	FW_SET_ROUTED,
	FW_SET_ISOLATED,
	FW_SET_INTRA,
	FW_SET_UPLINKED,
	FW_SET_UPLINKS,
	FW_SET_NAT6,
	FW_SET_ROUTED6,
	FW_SET_SUBNETS6,
	FW_SET_TENANTED,
	FW_SET_TENANTS,
	FW_SET_SUBNETS,
	_FW_SET_MAX,
};

const char *const fw_render_sets[FW_RENDER_N_SETS] = {
	[FW_SET_BRIDGES] = "bridges",   [FW_SET_GUARDED] = "guarded",
	[FW_SET_NAT] = "nat",           [FW_SET_ROUTED] = "routed",
	[FW_SET_ISOLATED] = "isolated", [FW_SET_INTRA] = "intra",
	[FW_SET_UPLINKED] = "uplinked", [FW_SET_UPLINKS] = "uplinks",
	[FW_SET_NAT6] = "nat6",         [FW_SET_ROUTED6] = "routed6",
	[FW_SET_SUBNETS6] = "subnets6",
	[FW_SET_TENANTED] = "tenanted", [FW_SET_TENANTS] = "tenants",
	[FW_SET_SUBNETS] = "subnets",
};

_Static_assert(_FW_SET_MAX == FW_RENDER_N_SETS, "fw_render_sets");

const char fw_render_declarations[] =
	"add table " FW_TABLE "\n"
	"add set " FW_TABLE " bridges { type ifname; }\n"
	"add set " FW_TABLE " guarded { type ifname; }\n"
	"add set " FW_TABLE " nat { type ifname; }\n"
	"add set " FW_TABLE " routed { type ifname; }\n"
	"add set " FW_TABLE " isolated { type ifname; }\n"
	"add set " FW_TABLE " intra { type ifname . ifname; }\n"
	"add set " FW_TABLE " uplinked { type ifname; }\n"
	"add set " FW_TABLE " uplinks { type ifname . ifname; }\n"
	"add set " FW_TABLE " nat6 { type ifname; }\n"
	"add set " FW_TABLE " routed6 { type ifname; }\n"
	"add set " FW_TABLE " subnets6 { type ifname . ipv6_addr; }\n"
	"add set " FW_TABLE " tenanted { type ifname; }\n"
	"add set " FW_TABLE " tenants { type ifname . devgroup; }\n";

/* A subnet6 is always a /64: the one mask of every IPv6 subnet check. */
#define FW_MASK6 "& ffff:ffff:ffff:ffff::"

/* The ICMPv6 types an IPv6 link cannot work without: ND, MLD and the errors (PMTU: too big). */
#define FW_ICMP6_NEEDED                                                                   \
	"destination-unreachable, packet-too-big, time-exceeded, parameter-problem, "     \
	"nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld-listener-report, " \
	"mld2-listener-report"

/* The netmask of prefix length 'len', in network byte order. */
static uint32_t fw_prefix_mask(unsigned len)
{
	return len == 0 ? 0 : htonl(~UINT32_C(0) << (32 - (len > 32 ? 32 : len)));
}

/* Output sink: a growing NUL-terminated buffer, or when hashing only the FNV-1a state. */
struct render {
	char *buf;
	size_t len;
	size_t allocated;
	bool hash_only;
	uint64_t hash;
	int r;          /* first error; later emits are no-ops */
};

#define FNV1A_PRIME UINT64_C(0x100000001b3)

uint64_t fw_hash_bytes(uint64_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= FNV1A_PRIME;
	}
	return h;
}

static void emit_raw(struct render *o, const char *s, size_t k)
{
	if (o->r < 0)
		return;
	if (o->hash_only) {
		o->hash = fw_hash_bytes(o->hash, s, k);
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
	memcpy(o->buf + o->len, s, k);
	o->len += k;
	o->buf[o->len] = '\0';
}

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
	emit_raw(o, line, k);
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
	    !fw_ifname_is_valid(n->uplink, sizeof(n->uplink), true) || n->subnet.prefixlen > 32 ||
	    (n->has_subnet6 && n->subnet6.prefixlen != 64))
		return -EINVAL;
	if (n->mode < 0 || n->mode >= _NETWORK_MODE_MAX)
		return -EINVAL;
	return 0;
}

static bool fw_mode_is_guarded(enum network_mode mode)
{
	return mode == NETWORK_MODE_NAT || mode == NETWORK_MODE_ROUTED ||
	       mode == NETWORK_MODE_ISOLATED;
}

/*
 * A tenant's network is in 'tenanted'; the ones that route within their tenant (nat, routed,
 * open: not isolated, whose guests reach only each other) are in 'tenants' with the tenant's id,
 * the device group of their bridge. Without a tenant there is no key, also for removal: the id of
 * a tenant the network had before comes with 'old' (fw_render_network()).
 */
static bool fw_tenant_key(const struct fw_network *n, bool with_id, bool any_mode, char *buf,
			  size_t size, int *k)
{
	if (n->tenant == 0)
		return false;
	if (!with_id) {
		*k = snprintf(buf, size, "\"%s\"", n->bridge);
		return true;
	}
	if (!any_mode && n->mode == NETWORK_MODE_ISOLATED)
		return false;
	*k = snprintf(buf, size, "\"%s\" . %" PRIu32, n->bridge, n->tenant);
	return true;
}

/*
 * The key of n's element in set 's' (nft syntax, as fw-apply formats it back from a listing),
 * or false when n has none there. With 'any_mode', the key it would have in any mode (for
 * removal); the subnet and uplink keys still come from 'n'.
 */
static bool fw_element_key(const struct fw_network *n, enum fw_set s, bool any_mode, char *set,
			   char *buf, size_t size)
{
	bool guarded = any_mode || fw_mode_is_guarded(n->mode);
	bool routed6 = n->mode == NETWORK_MODE_ROUTED ||
		       (n->mode == NETWORK_MODE_NAT && !n->masquerade6);
	char a[INET6_ADDRSTRLEN];
	struct in6_addr net6;
	struct in_addr net;
	int k;

	snprintf(set, FW_SET_NAME_MAX, "%s", fw_render_sets[s]);
	switch (s) {
	case FW_SET_BRIDGES:
		k = snprintf(buf, size, "\"%s\"", n->bridge);
		break;
	case FW_SET_GUARDED:
	case FW_SET_NAT:
	case FW_SET_ROUTED:
	case FW_SET_ISOLATED:
		if (!any_mode && ((s == FW_SET_GUARDED && !guarded) ||
				  (s == FW_SET_NAT && n->mode != NETWORK_MODE_NAT) ||
				  (s == FW_SET_ROUTED && n->mode != NETWORK_MODE_ROUTED) ||
				  (s == FW_SET_ISOLATED && n->mode != NETWORK_MODE_ISOLATED)))
			return false;
		k = snprintf(buf, size, "\"%s\"", n->bridge);
		break;
	case FW_SET_INTRA:
		if (!guarded)
			return false;
		k = snprintf(buf, size, "\"%s\" . \"%s\"", n->bridge, n->bridge);
		break;
	case FW_SET_UPLINKED:
		if (!any_mode && !(guarded && n->mode != NETWORK_MODE_ISOLATED && n->uplink[0]))
			return false;
		k = snprintf(buf, size, "\"%s\"", n->bridge);
		break;
	case FW_SET_UPLINKS:
		if (!n->uplink[0] || (!any_mode && (!guarded || n->mode == NETWORK_MODE_ISOLATED)))
			return false;
		k = snprintf(buf, size, "\"%s\" . \"%s\"", n->bridge, n->uplink);
		break;
	case FW_SET_NAT6:
	case FW_SET_ROUTED6:
		if (!any_mode && !(n->has_subnet6 && (s == FW_SET_NAT6 ? n->masquerade6 &&
							     n->mode == NETWORK_MODE_NAT : routed6)))
			return false;
		k = snprintf(buf, size, "\"%s\"", n->bridge);
		break;
	case FW_SET_SUBNETS6:
		if (!n->has_subnet6 ||
		    (!any_mode && n->mode != NETWORK_MODE_NAT && n->mode != NETWORK_MODE_ROUTED))
			return false;
		net6 = in6_addr_mask(&n->subnet6.addr, 64);
		if (!inet_ntop(AF_INET6, &net6, a, sizeof(a)))
			return false;
		k = snprintf(buf, size, "\"%s\" . %s", n->bridge, a);
		break;
	case FW_SET_TENANTED:
	case FW_SET_TENANTS:
		if (!fw_tenant_key(n, s == FW_SET_TENANTS, any_mode, buf, size, &k))
			return false;
		break;
	case FW_SET_SUBNETS:
		if (!any_mode && n->mode != NETWORK_MODE_NAT && n->mode != NETWORK_MODE_ROUTED)
			return false;
		net.s_addr = n->subnet.addr.s_addr & fw_prefix_mask(n->subnet.prefixlen);
		if (!inet_ntop(AF_INET, &net, a, sizeof(a)))
			return false;
		snprintf(set, FW_SET_NAME_MAX, "subnets_%u", (unsigned)n->subnet.prefixlen);
		k = snprintf(buf, size, "\"%s\" . %s", n->bridge, a);
		break;
	default:
		return false;
	}
	return k > 0 && (size_t)k < size;
}

/* Removes whatever element 'n' could have in every set, whether or not it is there. */
static void emit_purge(struct render *o, const struct fw_network *n)
{
	char set[FW_SET_NAME_MAX], key[128];

	for (enum fw_set s = 0; s < _FW_SET_MAX; s++) {
		if (!fw_element_key(n, s, true, set, key, sizeof(key)))
			continue;
		emit(o, "add element " FW_TABLE " %s { %s }", set, key);
		emit(o, "delete element " FW_TABLE " %s { %s }", set, key);
	}
}

static void emit_elements(struct render *o, const struct fw_network *n)
{
	char set[FW_SET_NAME_MAX], key[128];

	for (enum fw_set s = 0; s < _FW_SET_MAX; s++) {
		if (!fw_element_key(n, s, false, set, key, sizeof(key)))
			continue;
		if (s == FW_SET_BRIDGES)
			emit(o, "add element " FW_TABLE " %s { %s comment \"kvmnet:%s\" }", set, key,
			     n->name);
		else
			emit(o, "add element " FW_TABLE " %s { %s }", set, key);
	}
}

/* The subnet set of prefix length 'len' (idempotent). */
static void emit_subnet_set(struct render *o, unsigned len)
{
	emit(o, "add set " FW_TABLE " subnets_%u { type ifname . ipv4_addr; }", len);
}

uint64_t fw_network_hash(const struct fw_network *n)
{
	struct render o = { .hash_only = true, .hash = FW_HASH_INIT };

	o.r = fw_network_check(n);
	emit_elements(&o, n);
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

/* "& 255.255.255.0 @subnets_24" for prefix length 'len'. */
static void subnet_match(unsigned len, char *buf, size_t size)
{
	struct in_addr m = { .s_addr = fw_prefix_mask(len) };
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &m, a, sizeof(a));
	snprintf(buf, size, "& %s @subnets_%u", a, len);
}

/* One rule per prefix length in 'mask': "add rule CHAIN BEFORE ip FIELD & MASK @subnets_L AFTER". */
static void emit_subnet_rules(struct render *o, uint64_t mask, const char *chain, const char *before,
			      const char *after)
{
	char m[64];

	for (unsigned len = 0; len <= 32; len++) {
		if (!(mask & FW_PREFIX_BIT(len)))
			continue;
		subnet_match(len, m, sizeof(m));
		emit(o, "add rule " FW_TABLE " %s %s %s %s", chain, before, m, after);
	}
}

/*
 * Tenants (conf-tenant.h): a bridge's device group is its tenant's id, and 'tenants' holds
 * BRIDGE . ID for the networks that route within their tenant. Between two kvmnet bridges, when
 * either belongs to a tenant, the packet is dropped unless its output bridge is a member of the
 * tenant of its input bridge: two tenants never meet, a tenant never meets a network without
 * one, open networks included (which have no other rule). Within one bridge (br_netfilter) is
 * not between two. The same lookup lets a tenant's traffic past from_net's and to_net's
 * "another kvmnet bridge" drops and nat_post's masquerade (addresses are kept in a tenant).
 */
static void emit_tenant_forward(struct render *o)
{
	emit(o, "add rule " FW_TABLE " forward iifname @tenanted oifname @bridges "
		"iifname . oifname != @intra oifname . iifgroup != @tenants drop");
	emit(o, "add rule " FW_TABLE " forward oifname @tenanted iifname @bridges "
		"iifname . oifname != @intra oifname . iifgroup != @tenants drop");
}

/*
 * Within a bridge (br_netfilter) first; then what a guest may send: never to another kvmnet
 * bridge, only through the uplink when there is one, only from its subnet (spoofed sources and
 * IPv6: 'ip saddr' matches IPv4 only). Isolated guests reach only each other. Reached only from
 * outside kvmnet's guarded bridges, to_net lets replies and port forwards (DNAT in prerouting)
 * into nat networks, and traffic to the subnet into routed ones.
 */
static void emit_forward(struct render *o, uint64_t mask)
{
	emit(o, "flush chain " FW_TABLE " forward");
	emit_tenant_forward(o);
	emit(o, "add rule " FW_TABLE " forward iifname @guarded jump from_net");
	emit(o, "add rule " FW_TABLE " forward oifname @guarded jump to_net");
	emit(o, "flush chain " FW_TABLE " from_net");
	emit(o, "add rule " FW_TABLE " from_net iifname . oifname @intra accept");
	emit(o, "add rule " FW_TABLE " from_net iifname @isolated drop");
	emit(o, "add rule " FW_TABLE " from_net oifname @bridges "
		"oifname . iifgroup != @tenants drop");
	emit(o, "add rule " FW_TABLE " from_net iifname @uplinked iifname . oifname != @uplinks drop");
	emit_subnet_rules(o, mask, "from_net", "iifname . ip saddr", "accept");
	emit(o, "add rule " FW_TABLE " from_net iifname . ip6 saddr " FW_MASK6 " @subnets6 accept");
	emit(o, "add rule " FW_TABLE " from_net drop");
	emit(o, "flush chain " FW_TABLE " to_net");
	emit(o, "add rule " FW_TABLE " to_net oifname @nat ct state established,related accept");
	emit(o, "add rule " FW_TABLE " to_net oifname @nat ct status dnat accept");
	emit_subnet_rules(o, mask, "to_net", "oifname @routed iifname != @bridges oifname . ip daddr",
			  "accept");
	emit(o, "add rule " FW_TABLE " to_net oifname @routed6 iifname != @bridges "
		 "oifname . ip6 daddr " FW_MASK6 " @subnets6 accept");
	emit(o, "add rule " FW_TABLE " to_net iifname @bridges oifname . iifgroup @tenants accept");
	emit(o, "add rule " FW_TABLE " to_net drop");
}

/*
 * Hairpin first: a DNATed packet (a port forward) leaving by the bridge of the subnet it came
 * from has its source masqueraded, so that replies come back through the host. Then nat
 * networks' masquerade, except to their own subnet and bridge, local multicast and the limited
 * broadcast (which keep their source).
 */
static void emit_postrouting(struct render *o, uint64_t mask)
{
	emit(o, "flush chain " FW_TABLE " postrouting");
	emit_subnet_rules(o, mask, "postrouting", "ct status dnat oifname . ip saddr", "masquerade");
	emit(o, "add rule " FW_TABLE " postrouting iifname @nat jump nat_post");
	emit(o, "flush chain " FW_TABLE " nat_post");
	emit(o, "add rule " FW_TABLE " nat_post ip daddr 224.0.0.0/24 return");
	emit(o, "add rule " FW_TABLE " nat_post ip daddr 255.255.255.255 return");
	emit(o, "add rule " FW_TABLE " nat_post iifname . oifname @intra return");
	emit(o, "add rule " FW_TABLE " nat_post oifname . iifgroup @tenants return");
	emit_subnet_rules(o, mask, "nat_post", "iifname . ip daddr", "return");
	emit(o, "add rule " FW_TABLE " nat_post iifname . ip6 daddr " FW_MASK6 " @subnets6 return");
	emit(o, "add rule " FW_TABLE " nat_post iifname @uplinked iifname . oifname != @uplinks return");
	emit_subnet_rules(o, mask, "nat_post", "iifname . ip saddr", "masquerade");
	emit(o, "add rule " FW_TABLE " nat_post iifname @nat6 iifname . ip6 saddr " FW_MASK6
		 " @subnets6 masquerade");
}

int fw_render_base(bool reset, uint64_t prefix_mask, char **ret)
{
	struct render o = { .hash_only = false };

	if (reset) {
		emit(&o, "add table " FW_TABLE);
		emit(&o, "delete table " FW_TABLE);
	}
	emit_raw(&o, fw_render_declarations, strlen(fw_render_declarations));
	for (unsigned len = 0; len <= 32; len++)
		if (prefix_mask & FW_PREFIX_BIT(len))
			emit_subnet_set(&o, len);
	emit(&o, "add chain " FW_TABLE " forward { type filter hook forward priority filter; "
		 "policy accept; }");
	emit(&o, "add chain " FW_TABLE " from_net");
	emit(&o, "add chain " FW_TABLE " to_net");
	emit(&o, "add chain " FW_TABLE " input { type filter hook input priority filter; "
		 "policy accept; }");
	emit(&o, "add chain " FW_TABLE " postrouting { type nat hook postrouting priority srcnat; "
		 "policy accept; }");
	emit(&o, "add chain " FW_TABLE " nat_post");
	emit_forward(&o, prefix_mask);
	/*
	 * Isolated guests reach the host only for DHCP, DHCPv6 and DNS, and the ICMPv6 that
	 * neighbour discovery, router solicitations, MLD and path MTU discovery need.
	 */
	emit(&o, "flush chain " FW_TABLE " input");
	emit(&o, "add rule " FW_TABLE " input iifname @isolated ct state established,related accept");
	emit(&o, "add rule " FW_TABLE " input iifname @isolated udp dport { 53, 67, 547 } accept");
	emit(&o, "add rule " FW_TABLE " input iifname @isolated tcp dport 53 accept");
	emit(&o, "add rule " FW_TABLE " input iifname @isolated icmpv6 type { " FW_ICMP6_NEEDED
		 " } accept");
	emit(&o, "add rule " FW_TABLE " input iifname @isolated drop");
	emit_postrouting(&o, prefix_mask);
	return render_finish(&o, ret);
}

uint64_t fw_network_prefix_bit(const struct fw_network *n)
{
	if ((n->mode != NETWORK_MODE_NAT && n->mode != NETWORK_MODE_ROUTED) || n->subnet.prefixlen > 32)
		return 0;
	return FW_PREFIX_BIT(n->subnet.prefixlen);
}

static void emit_removal(struct render *o, const struct fw_network *n, const struct fw_network *old,
			 const char *purge)
{
	if (o->r >= 0)
		o->r = fw_network_check(n);
	if (old && o->r >= 0)
		o->r = fw_network_check(old);
	emit_raw(o, fw_render_declarations, strlen(fw_render_declarations));
	if (old && old->subnet.prefixlen <= 32)
		emit_subnet_set(o, old->subnet.prefixlen);
	if (n->subnet.prefixlen <= 32)
		emit_subnet_set(o, n->subnet.prefixlen);
	if (purge)
		emit_raw(o, purge, strlen(purge));
	if (old)
		emit_purge(o, old);
	emit_purge(o, n);
}

int fw_render_network(const struct fw_network *n, const struct fw_network *old, const char *purge,
		      char **ret)
{
	struct render o = { .hash_only = false };

	emit_removal(&o, n, old, purge);
	emit_elements(&o, n);
	return render_finish(&o, ret);
}

int fw_render_network_delete(const struct fw_network *n, const char *purge, char **ret)
{
	struct render o = { .hash_only = false };

	emit_removal(&o, n, NULL, purge);
	return render_finish(&o, ret);
}
