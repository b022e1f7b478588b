/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's bridge names, tenant ids and IPv4 subnets in use, indexed so that the conflict
 * checks of net.create/define/start (manager_check_conflicts()) cost the same with 10 networks
 * or 16,000: bridge name -> definitions (one hash lookup), tenant id -> definitions counted by
 * tenant name, subnet6 (always a /64) -> definitions, and the IPv4 subnets as a binary trie of prefixes held in one hash table, each node
 * counting the definitions at or under it. An overlap query looks up the candidate's covering
 * prefixes (at most 33) and, when the count under the candidate says there is one, goes down to
 * a definition inside it (at most 32 levels). The trie is kept per class of definitions (every
 * one, those without a tenant, those with their gateway on this host, those of each tenant) so
 * that the first definition a query meets is a conflict under the tenant rules
 * (tenant_subnets_may_overlap()), however many other tenants share the subnet. Kept by the
 * manager with its networks (manager_add_network(), removal, a redefinition), like vni-index.h;
 * pure, no I/O: test-conflict-index drives it.
 */
#ifndef KN_DAEMON_CONFLICT_INDEX_H
#define KN_DAEMON_CONFLICT_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct conflict_node;
struct in6_prefix;
struct network_config;

struct conflict_index {
	struct conflict_node *slots;  /* 'cap' of them, a power of two (NULL while empty) */
	size_t cap, n;
};

/* Frees the index's memory (not the definitions); it is empty and usable again. */
void conflict_index_done(struct conflict_index *ix);

/*
 * Indexes 'c' (borrowed: it must stay where it is, unchanged, until conflict_index_remove()) by
 * its bridge name, tenant and subnet; nothing for a definition without a bridge (macvtap: no
 * bridge, no subnet). Returns 0 or -ENOMEM (then nothing changed). At most about 100 hash
 * operations, whatever the number of definitions.
 */
int conflict_index_add(struct conflict_index *ix, const struct network_config *c);

/* Drops 'c' from the index (call it before 'c' changes or goes); others' entries stay. */
void conflict_index_remove(struct conflict_index *ix, const struct network_config *c);

/*
 * The definition at 'c' was replaced in place (a redefinition, after the copy); 'old' is a copy
 * of what it was when it was indexed. Re-indexes it. Returns 0 or -ENOMEM (the old entries are
 * gone then and the new ones missing: the caller logs it).
 */
int conflict_index_moved(struct conflict_index *ix, const struct network_config *c,
			 const struct network_config *old);

/*
 * Refuses 'c' when another indexed network conflicts with it, as the walk over every network
 * did: a bridge of the same name (-EEXIST, "bridge 'B' is used by network 'X'"), a tenant of
 * another name with the same id (-EEXIST, tenant_check_conflict()'s message), an overlapping
 * subnet the tenant rules do not allow (-EBUSY, "subnet S overlaps network 'X' (P)" and
 * tenant_subnets_may_overlap()'s reason). 'self' is the indexed definition 'c' replaces (a
 * redefinition or a start), never a conflict; NULL for a new network. 0 when none; the reason
 * goes to 'err' otherwise. Definitions without a bridge are never checked (macvtap).
 */
int conflict_index_check(const struct conflict_index *ix, const struct network_config *c,
			 const struct network_config *self, char *err, size_t errlen);

/*
 * An indexed definition other than 'self' (may be NULL) whose subnet6 overlaps 'p', i.e. is the
 * same /64 (subnet6 is never shared, tenants or not: ipv6/subnet6.c words the refusal); NULL if
 * none. One hash lookup.
 */
const struct network_config *conflict_index_find_subnet6(const struct conflict_index *ix,
							 const struct in6_prefix *p,
							 const struct network_config *self);

#endif
