/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Renders nft scripts (text for nft_run_cmd_from_buffer) from the model. Pure functions: same
 * model, same bytes, so they are tested against golden files.
 *
 * The layout has no per-network chain: table 'inet kvmnet' holds a constant set of chains whose
 * rules look the packet's interfaces and addresses up in sets, and a network is nothing but
 * elements of those sets. Adding or removing one is therefore 'add element'/'delete element'
 * only: no rule and no jump verdict enters the transaction, so the kernel does not re-validate
 * the table (nf_tables_validate walks every chain reachable from a jump, which grew with the
 * networks), and libnftables has only the few constant chains to cache.
 *
 *   set bridges  { type ifname; }                 every kvmnet bridge (open ones too); its
 *                                                 element carries comment "kvmnet:NAME"
 *   set guarded  { type ifname; }                 bridges of nat, routed and isolated networks
 *   set nat, routed, isolated { type ifname; }    the bridges of each mode
 *   set intra    { type ifname . ifname; }        BRIDGE . BRIDGE (forwarded within a bridge)
 *   set uplinked { type ifname; }                 bridges restricted to one uplink ...
 *   set uplinks  { type ifname . ifname; }        ... BRIDGE . UPLINK
 *   set nat6     { type ifname; }                 bridges of nat networks whose IPv6 is
 *                                                 masqueraded (NAT66: ULA, or nat6 = yes)
 *   set routed6  { type ifname; }                 bridges whose IPv6 is routed (routed
 *                                                 networks, nat ones not masquerading IPv6)
 *   set subnets6 { type ifname . ipv6_addr; }     BRIDGE . SUBNET6 (a /64) of the nat and
 *                                                 routed networks with a subnet6
 *   set tenanted { type ifname; }                 bridges of networks with a tenant
 *   set tenants  { type ifname . devgroup; }      BRIDGE . TENANT-ID of those that route within
 *                                                 their tenant (not isolated); the bridge's
 *                                                 device group is the id (conf-tenant.h)
 *   set subnets_L { type ifname . ipv4_addr; }    BRIDGE . NETWORK of the nat and routed
 *                                                 networks whose prefix length is L
 *
 *   chain forward (filter forward): between two kvmnet bridges, either of a tenant, drop unless
 *                   "oifname . iifgroup @tenants"; iifname @guarded jump from_net; oifname
 *                   @guarded jump to_net
 *   chain from_net: within the bridge accept; isolated drop; to another kvmnet bridge drop;
 *                   not through the uplink drop; from the subnet or the subnet6 accept; drop
 *   chain to_net:   nat: replies and port forwards (ct status dnat) accept; routed: to the
 *                   subnet, not from another kvmnet bridge, accept; routed6: the same for the
 *                   subnet6; drop (ICMPv6 errors, packet too big included, pass as 'related'
 *                   or as traffic to the subnet6)
 *   chain input (filter input): isolated bridges reach the host for DHCP, DHCPv6 and DNS
 *                   only, plus the ICMPv6 of ND, MLD and PMTU
 *   chain postrouting (nat srcnat): hairpin (a DNATed packet sent back out of the bridge of its
 *                   source's subnet is masqueraded), then iifname @nat jump nat_post (masquerade,
 *                   not to the subnet, the bridge itself, local multicast or the limited
 *                   broadcast; IPv6: not to the subnet6, masquerade from it when @nat6)
 *
 * A subnet check is one rule per prefix length in use, "iifname . ip saddr & MASK @subnets_L":
 * hash sets with the address masked in the rule, not one interval set. The kernel's set for
 * concatenated intervals (pipapo) copies all its elements on every commit that changes it
 * (12.8 ms of system time per transaction at 10,000 elements here), and libnftables reads a plain
 * interval set back in full before adding to it; a hash set costs the same at any size. The rules
 * of a prefix length are added with its first network (fw_render_base() with that length in the
 * mask: a constant number of chains, so the kernel's validation of that commit is cheap too).
 *
 * Per-packet cost does not grow with the number of networks: every decision is a set lookup,
 * one per prefix length in use for the subnet checks (one, when every network is a /24), and one
 * for IPv6 (every subnet6 is a /64: "iifname . ip6 saddr & ffff:ffff:ffff:ffff:: @subnets6").
 */
#ifndef KN_FIREWALL_FW_RENDER_H
#define KN_FIREWALL_FW_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fw_network;

/*
 * The lines that create the table and the sets above but the subnets_L when missing (idempotent
 * 'add', no rule), for scripts that add elements or rules referencing them.
 */
extern const char fw_render_declarations[];

/* Prefix lengths as a mask: bit 'len' for subnets_len. */
#define FW_PREFIX_BIT(len) (UINT64_C(1) << (len))

/* The prefix length bit of n's subnet set (nat and routed networks), 0 for the other modes. */
uint64_t fw_network_prefix_bit(const struct fw_network *n);

/*
 * Renders the script that creates the table, its sets and chains when missing and (re)writes the
 * chains' rules (flush and add in one transaction: no packet sees them empty); elements are kept.
 * The subnet rules (and sets) are those of the prefix lengths in 'prefix_mask' (FW_PREFIX_BIT()).
 * With 'reset' it first deletes the whole table (an older layout is installed: per-network
 * chains and verdict maps). Loading it adds rules, so the kernel validates the table: run it at
 * start-up, when the table is missing and when a network brings a new prefix length, not per
 * network. Returns 0 or -ENOMEM; '*ret' is malloc'd.
 */
int fw_render_base(bool reset, uint64_t prefix_mask, char **ret);

/*
 * Renders the script that installs network 'n' in one transaction: it removes every element a
 * network on n's bridge could have (any mode; the subnet and uplink elements of 'n' and of
 * 'old', when not NULL: the model installed before), then the script 'purge' (may be NULL; from
 * fw_list_installed(): whatever the kernel held for the bridge), then adds n's elements. Every
 * removal is an add followed by a delete, so it succeeds whether or not the element was there.
 * An 'open' network gets its 'bridges' element only. The table and sets are created if missing
 * (fw_render_declarations and the subnets_L of 'n' and 'old'), but not the chains: the base
 * script, with n's prefix length, must have been loaded. Returns
 * 0, -ENOMEM, or -EINVAL if 'n' (or 'old') cannot be rendered (invalid name or mode; an
 * interface name with '"', '*' or '\', which nft strings cannot express). '*ret' is malloc'd.
 */
int fw_render_network(const struct fw_network *n, const struct fw_network *old, const char *purge,
		      char **ret);

/*
 * Renders the script that removes every element of 'n' (as the first part of
 * fw_render_network()) and 'purge' (may be NULL), and succeeds whether or not they exist. Only
 * the bridge, subnet and uplink of 'n' matter. Returns 0, -ENOMEM or -EINVAL as
 * fw_render_network(); '*ret' is malloc'd.
 */
int fw_render_network_delete(const struct fw_network *n, const char *purge, char **ret);

/*
 * 64-bit FNV-1a over the 'add element' lines of 'n' (fw_render_network()'s last part, in the
 * order of fw_render_sets[]): equal hash = the same elements. fw_list_installed() hashes the
 * elements it reads back the same way. Returns 0 for a model fw_render_network() would refuse.
 */
uint64_t fw_network_hash(const struct fw_network *n);

/* FNV-1a as fw_network_hash() uses it: 'h' is the state so far (FW_HASH_INIT to start). */
#define FW_HASH_INIT UINT64_C(0xcbf29ce484222325)
uint64_t fw_hash_bytes(uint64_t h, const char *s, size_t len);

/*
 * The sets that hold a network's elements, in the order of their lines in every script; the
 * last, "subnets", stands for every subnets_L.
 */
#define FW_RENDER_N_SETS 14
#define FW_SET_NAME_MAX 32
extern const char *const fw_render_sets[FW_RENDER_N_SETS];

#endif
