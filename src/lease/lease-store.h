/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One network's leases in memory, indexed by address and by client identity, with a free-address
 * search over the network's dynamic range. The DHCP engine reads and changes it; every change of
 * a durable state (BOUND, RELEASED, DECLINED, removal) is reported to the owner's change
 * callback, which journals it. No I/O here.
 */
#ifndef KN_LEASE_LEASE_STORE_H
#define KN_LEASE_LEASE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "lease/lease.h"

/* Hard limit on leases (any state) per network. */
#define LEASE_STORE_MAX_PER_NETWORK 1048576
/* Largest dynamic pool (a /8 network's range): the free search keeps one bit per address. */
#define LEASE_STORE_POOL_MAX (1U << 24)

struct lease_store;

/*
 * Called after a lease was stored with a durable state, or removed ('removed' true, 'l' is the
 * last value). Not called for LEASE_OFFERED.
 */
typedef void (*lease_store_change_fn)(const struct lease *l, bool removed, void *data);

/*
 * Creates a store whose dynamic pool is 'first'..'last' (inclusive). Leases outside the pool
 * (reservations) may be stored too. -EINVAL when 'first' is after 'last', -E2BIG for a pool of
 * more than LEASE_STORE_POOL_MAX addresses. 'cb' may be NULL; it must not change the store.
 */
int lease_store_new(struct in_addr first, struct in_addr last, lease_store_change_fn cb, void *data,
		    struct lease_store **ret);
struct lease_store *lease_store_free(struct lease_store *s);

/* Changes the pool (a redefined network); leases stay. Errors as for lease_store_new(). */
int lease_store_set_range(struct lease_store *s, struct in_addr first, struct in_addr last);

/* Borrowed pointers valid until the store next changes, or NULL. */
const struct lease *lease_store_find_by_ip(const struct lease_store *s, struct in_addr ip);
const struct lease *lease_store_find_by_id(const struct lease_store *s, const uint8_t *id,
					   size_t id_len);

/*
 * Inserts or replaces the lease for 'l->ip' (copied). A different lease of the same identity at
 * another address is removed first (one lease per client). -E2BIG over the limit, -EINVAL for an
 * identity longer than LEASE_CLIENT_ID_MAX. Reports durable changes to the callback.
 * A lease with 'id_len' 0 has no identity (a DECLINED address) and is found by address only.
 * Replacing a durable lease of another identity by an OFFERED one reports the old lease as
 * removed, so the journal never names a client for an address it no longer holds.
 */
int lease_store_put(struct lease_store *s, const struct lease *l);

/* Removes the lease at 'ip'; -ENOENT if none. Reported to the callback unless it was OFFERED. */
int lease_store_remove(struct lease_store *s, struct in_addr ip);

/*
 * Loads a lease from the journal at start-up: like put, without calling the callback.
 */
int lease_store_restore(struct lease_store *s, const struct lease *l);

/* Replays a journaled removal: like lease_store_remove(), without calling the callback. */
int lease_store_forget(struct lease_store *s, struct in_addr ip);

/* Whether an address is excluded from dynamic allocation (reserved, the gateway...). */
typedef bool (*lease_store_excluded_fn)(struct in_addr ip, void *data);

/*
 * Finds an address in the pool for a new client at time 'now': first one never leased, then
 * the one whose lease (RELEASED, expired BOUND or OFFERED, expired DECLINED) ended longest ago.
 * Addresses for which 'excluded' returns true are skipped. -ENOSPC when the pool is full.
 * Amortised O(1) for a pool being filled; never O(pool) per call on a full pool (the search keeps
 * a count of free addresses).
 */
int lease_store_find_free(struct lease_store *s, uint64_t now, lease_store_excluded_fn excluded,
			  void *data, struct in_addr *ret);

/*
 * Addresses that lease_store_find_free() found excluded are set aside, so that a pool whose
 * only free addresses are excluded still answers -ENOSPC in O(1). Call this when what
 * 'excluded' returns has changed (reservations edited, gateway moved): they are considered again.
 */
void lease_store_reset_excluded(struct lease_store *s);

/*
 * Moves every BOUND lease expired at 'now' to RELEASED (reported), drops expired OFFERED ones,
 * and returns the earliest future expiry (0 if none), for the caller's timer.
 */
uint64_t lease_store_expire(struct lease_store *s, uint64_t now);

typedef int (*lease_store_foreach_fn)(const struct lease *l, void *data);
/*
 * Calls 'cb' for every lease in address order; a negative return stops and is returned. 'cb' must
 * not change the store. -ENOMEM if the sorted index cannot be allocated.
 */
int lease_store_foreach(const struct lease_store *s, lease_store_foreach_fn cb, void *data);

size_t lease_store_count(const struct lease_store *s);

#endif
