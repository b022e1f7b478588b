/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One network's leases in memory. Leases live in a slab (stable indices); two open-addressing
 * hash tables (linear probing, backward-shift deletion) index them by address and by identity;
 * four binary min-heaps ordered by expiry serve lease_store_expire() and the "ended longest ago"
 * part of the free search, and a two-level bitmap with a cursor over the pool serves its "never
 * used" part. The DHCP engine (dhcp-server.c) drives it; the daemon journals what the change
 * callback reports.
 */
#include "lease/lease-store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "shared/alloc-util.h"
#include "shared/in-addr-util.h"

#define NONE UINT32_MAX

DEFINE_FREE_FUNC(struct lease_store, lease_store_free)

/*
 * Which heap an entry sits in. HEAP_TIMED_*: BOUND and OFFERED leases, for expiry (inside and
 * outside the pool, so the free search looks only at the former). HEAP_DECLINED/HEAP_RELEASED:
 * such leases inside the pool, candidates for reuse. Others sit in no heap.
 */
enum heap_id {
	HEAP_NONE,
	HEAP_TIMED_POOL,
	HEAP_TIMED_OUT,
	HEAP_DECLINED,
	HEAP_RELEASED,
	_HEAP_MAX,
	HEAP_PARKED = _HEAP_MAX, /* a candidate found excluded: set aside until reset_excluded */
	HEAP_FREE_SLOT,          /* slab slot not in use; 'pos' links the free list */
};

struct entry {
	struct lease l;
	uint32_t pos;   /* index in its heap, or next free slot */
	uint8_t heap;   /* enum heap_id */
};

struct id_slot {
	uint32_t idx;     /* entry index, NONE = empty */
	uint32_t hash;    /* low 32 bits of the identity's hash: home slot and quick compare */
};

struct heap {
	uint32_t *v;      /* entry indices; capacity is the slab's */
	uint32_t n;
};

struct lease_store {
	uint32_t first, last, pool_size; /* host order */
	lease_store_change_fn cb;
	void *data;
	uint8_t key[16];                 /* identity hash key */
	uint32_t ip_seed;

	struct entry *entries;
	uint32_t cap, used, free_head, count;

	uint32_t *ip_slots;              /* entry index or NONE */
	uint32_t ip_mask;
	struct id_slot *id_slots;
	uint32_t id_mask, id_count;

	struct heap heaps[_HEAP_MAX];

	/* bit set: address has a lease or was parked; l1 bit set: that l0 word is all ones */
	uint64_t *bits, *bits_l1;
	size_t n_words, n_l1;
	uint32_t n_unused, cursor;

	uint32_t *parked;                /* host-order addresses set aside as excluded */
	size_t n_parked, parked_cap;
};

static inline uint32_t ip_hash(const struct lease_store *s, uint32_t ip)
{
	/* murmur3's finaliser: spreads consecutive addresses over the table */
	uint32_t h = ip ^ s->ip_seed;

	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

static inline uint32_t entry_ip(const struct lease_store *s, uint32_t idx)
{
	return in_addr_to_host(s->entries[idx].l.ip);
}

static inline bool in_pool(const struct lease_store *s, uint32_t ip)
{
	return ip >= s->first && ip <= s->last;
}

static inline bool state_is_durable(enum lease_state st)
{
	return st != LEASE_OFFERED;
}

static void notify(struct lease_store *s, const struct lease *l, bool removed)
{
	if (s->cb && state_is_durable(l->state))
		s->cb(l, removed, s->data);
}

/* Heaps */

static inline bool entry_before(const struct lease_store *s, uint32_t a, uint32_t b)
{
	const struct entry *x = &s->entries[a], *y = &s->entries[b];

	if (x->l.expires != y->l.expires)
		return x->l.expires < y->l.expires;
	return in_addr_to_host(x->l.ip) < in_addr_to_host(y->l.ip);
}

static void heap_set(struct lease_store *s, struct heap *h, uint32_t pos, uint32_t idx)
{
	h->v[pos] = idx;
	s->entries[idx].pos = pos;
}

static void heap_sift_up(struct lease_store *s, struct heap *h, uint32_t pos)
{
	uint32_t idx = h->v[pos];

	while (pos > 0) {
		uint32_t parent = (pos - 1) / 2;

		if (!entry_before(s, idx, h->v[parent]))
			break;
		heap_set(s, h, pos, h->v[parent]);
		pos = parent;
	}
	heap_set(s, h, pos, idx);
}

static void heap_sift_down(struct lease_store *s, struct heap *h, uint32_t pos)
{
	uint32_t idx = h->v[pos];

	for (;;) {
		uint32_t c = 2 * pos + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && entry_before(s, h->v[c + 1], h->v[c]))
			c++;
		if (!entry_before(s, h->v[c], idx))
			break;
		heap_set(s, h, pos, h->v[c]);
		pos = c;
	}
	heap_set(s, h, pos, idx);
}

static void heap_detach(struct lease_store *s, uint32_t idx)
{
	struct entry *e = &s->entries[idx];
	struct heap *h;
	uint32_t pos, last;

	if (e->heap == HEAP_NONE || e->heap >= _HEAP_MAX) {
		e->heap = HEAP_NONE;
		return;
	}
	h = &s->heaps[e->heap];
	pos = e->pos;
	last = h->v[--h->n];
	e->heap = HEAP_NONE;
	if (pos == h->n)
		return;
	heap_set(s, h, pos, last);
	heap_sift_up(s, h, pos);
	heap_sift_down(s, h, s->entries[last].pos);
}

static enum heap_id heap_target(const struct lease_store *s, const struct entry *e)
{
	bool pool = in_pool(s, in_addr_to_host(e->l.ip));

	switch (e->l.state) {
	case LEASE_OFFERED:
	case LEASE_BOUND:
		return pool ? HEAP_TIMED_POOL : HEAP_TIMED_OUT;
	case LEASE_DECLINED:
		return pool ? HEAP_DECLINED : HEAP_NONE;
	case LEASE_RELEASED:
		return pool ? HEAP_RELEASED : HEAP_NONE;
	default:
		return HEAP_NONE;
	}
}

/* Puts entry 'idx' into the heap its state asks for, or re-sorts it there (its key changed). */
static void place(struct lease_store *s, uint32_t idx)
{
	struct entry *e = &s->entries[idx];
	enum heap_id t = heap_target(s, e);
	struct heap *h;

	heap_detach(s, idx);
	if (t == HEAP_NONE)
		return;
	h = &s->heaps[t];
	e->heap = t;
	h->v[h->n] = idx;
	e->pos = h->n++;
	heap_sift_up(s, h, e->pos);
}

/* Pool bitmap */

static void bit_set(struct lease_store *s, uint32_t i)
{
	size_t w = i / 64;

	if (s->bits[w] & (1ULL << (i % 64)))
		return;
	s->bits[w] |= 1ULL << (i % 64);
	s->n_unused--;
	if (s->bits[w] == UINT64_MAX)
		s->bits_l1[w / 64] |= 1ULL << (w % 64);
}

static void bit_clear(struct lease_store *s, uint32_t i)
{
	size_t w = i / 64;

	if (!(s->bits[w] & (1ULL << (i % 64))))
		return;
	s->bits[w] &= ~(1ULL << (i % 64));
	s->n_unused++;
	s->bits_l1[w / 64] &= ~(1ULL << (w % 64));
}

static bool bit_test(const struct lease_store *s, uint32_t i)
{
	return s->bits[i / 64] & (1ULL << (i % 64));
}

/* First clear bit at or after 'from', or NONE. The l1 level skips 4096 used addresses a word. */
static uint32_t bits_find_clear(const struct lease_store *s, uint32_t from)
{
	size_t w = from / 64;
	uint64_t m = ~s->bits[w] & (UINT64_MAX << (from % 64));

	if (m)
		return (uint32_t)(w * 64 + (size_t)__builtin_ctzll(m));
	for (w++; w < s->n_words;) {
		size_t k = w / 64;
		uint64_t lm = ~s->bits_l1[k] & (UINT64_MAX << (w % 64));

		if (lm) {
			w = k * 64 + (size_t)__builtin_ctzll(lm);
			return (uint32_t)(w * 64 + (size_t)__builtin_ctzll(~s->bits[w]));
		}
		w = (k + 1) * 64;
	}
	return NONE;
}

/* Hash tables */

static uint32_t ip_lookup(const struct lease_store *s, uint32_t ip, uint32_t *ret_slot)
{
	for (uint32_t i = ip_hash(s, ip) & s->ip_mask;; i = (i + 1) & s->ip_mask) {
		uint32_t idx = s->ip_slots[i];

		if (idx == NONE || entry_ip(s, idx) == ip) {
			if (ret_slot)
				*ret_slot = i;
			return idx;
		}
	}
}

static void ip_insert(struct lease_store *s, uint32_t idx)
{
	uint32_t slot;

	ip_lookup(s, entry_ip(s, idx), &slot);
	s->ip_slots[slot] = idx;
}

static void ip_delete(struct lease_store *s, uint32_t ip)
{
	uint32_t i, j;

	if (ip_lookup(s, ip, &i) == NONE)
		return;
	for (j = (i + 1) & s->ip_mask; s->ip_slots[j] != NONE; j = (j + 1) & s->ip_mask) {
		uint32_t home = ip_hash(s, entry_ip(s, s->ip_slots[j])) & s->ip_mask;

		/* move j back into the hole at i unless its home lies cyclically in (i, j] */
		if (((j - home) & s->ip_mask) >= ((j - i) & s->ip_mask)) {
			s->ip_slots[i] = s->ip_slots[j];
			i = j;
		}
	}
	s->ip_slots[i] = NONE;
}

static uint32_t id_lookup(const struct lease_store *s, const uint8_t *id, size_t len, uint32_t h,
			  uint32_t *ret_slot)
{
	for (uint32_t i = h & s->id_mask;; i = (i + 1) & s->id_mask) {
		const struct id_slot *sl = &s->id_slots[i];

		if (sl->idx == NONE ||
		    (sl->hash == h && s->entries[sl->idx].l.id_len == len &&
		     memcmp(s->entries[sl->idx].l.id, id, len) == 0)) {
			if (ret_slot)
				*ret_slot = i;
			return sl->idx;
		}
	}
}

static uint32_t id_hash(const struct lease_store *s, const uint8_t *id, size_t len)
{
	return (uint32_t)lease_id_hash(id, len, s->key);
}

static void id_insert(struct lease_store *s, uint32_t idx)
{
	const struct lease *l = &s->entries[idx].l;
	uint32_t h = id_hash(s, l->id, l->id_len), slot;

	id_lookup(s, l->id, l->id_len, h, &slot);
	s->id_slots[slot] = (struct id_slot){ .idx = idx, .hash = h };
	s->id_count++;
}

static void id_delete(struct lease_store *s, uint32_t idx)
{
	const struct lease *l = &s->entries[idx].l;
	uint32_t i, j;

	if (id_lookup(s, l->id, l->id_len, id_hash(s, l->id, l->id_len), &i) != idx)
		return;
	for (j = (i + 1) & s->id_mask; s->id_slots[j].idx != NONE; j = (j + 1) & s->id_mask) {
		uint32_t home = s->id_slots[j].hash & s->id_mask;

		if (((j - home) & s->id_mask) >= ((j - i) & s->id_mask)) {
			s->id_slots[i] = s->id_slots[j];
			i = j;
		}
	}
	s->id_slots[i].idx = NONE;
	s->id_count--;
}

/* Capacity: everything one more lease needs is allocated before anything changes. */

static int ip_table_resize(struct lease_store *s, uint32_t n)
{
	uint32_t *slots = malloc(sizeof(*slots) * n);

	if (!slots)
		return -ENOMEM;
	memset(slots, 0xff, sizeof(*slots) * n);
	free(s->ip_slots);
	s->ip_slots = slots;
	s->ip_mask = n - 1;
	for (uint32_t i = 0; i < s->used; i++)
		if (s->entries[i].heap != HEAP_FREE_SLOT)
			ip_insert(s, i);
	return 0;
}

static int id_table_resize(struct lease_store *s, uint32_t n)
{
	struct id_slot *slots = malloc(sizeof(*slots) * n);

	if (!slots)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		slots[i].idx = NONE;
	free(s->id_slots);
	s->id_slots = slots;
	s->id_mask = n - 1;
	s->id_count = 0;
	for (uint32_t i = 0; i < s->used; i++)
		if (s->entries[i].heap != HEAP_FREE_SLOT && s->entries[i].l.id_len > 0)
			id_insert(s, i);
	return 0;
}

static int store_reserve(struct lease_store *s)
{
	int r;

	if (s->free_head == NONE && s->used == s->cap) {
		uint32_t n = s->cap ? s->cap * 2 : 64;
		struct entry *e = realloc(s->entries, sizeof(*e) * n);

		if (!e)
			return -ENOMEM;
		s->entries = e;
		for (size_t i = 1; i < _HEAP_MAX; i++) {
			uint32_t *v = realloc(s->heaps[i].v, sizeof(*v) * n);

			if (!v)
				return -ENOMEM; /* the larger arrays already set stay: harmless */
			s->heaps[i].v = v;
		}
		s->cap = n;
	}
	/* load factor at most 1/2 */
	if ((size_t)(s->count + 1) * 2 > (size_t)s->ip_mask + 1) {
		r = ip_table_resize(s, (s->ip_mask + 1) * 2);
		if (r < 0)
			return r;
	}
	if ((size_t)(s->id_count + 1) * 2 > (size_t)s->id_mask + 1) {
		r = id_table_resize(s, (s->id_mask + 1) * 2);
		if (r < 0)
			return r;
	}
	return 0;
}

static uint32_t slab_alloc(struct lease_store *s)
{
	uint32_t idx;

	if (s->free_head != NONE) {
		idx = s->free_head;
		s->free_head = s->entries[idx].pos;
	} else
		idx = s->used++;
	s->entries[idx].heap = HEAP_NONE;
	return idx;
}

static void entry_unlink(struct lease_store *s, uint32_t idx)
{
	struct entry *e = &s->entries[idx];
	uint32_t ip = in_addr_to_host(e->l.ip);

	heap_detach(s, idx);
	ip_delete(s, ip);
	if (e->l.id_len > 0)
		id_delete(s, idx);
	if (in_pool(s, ip))
		bit_clear(s, ip - s->first);
	e->heap = HEAP_FREE_SLOT;
	e->pos = s->free_head;
	s->free_head = idx;
	s->count--;
}

static int pool_setup(struct lease_store *s, uint32_t first, uint32_t last)
{
	uint64_t size = (uint64_t)last - first + 1;
	size_t n_words, n_l1;
	uint64_t *bits, *l1;

	if (first > last)
		return -EINVAL;
	if (size > LEASE_STORE_POOL_MAX)
		return -E2BIG;
	n_words = (size + 63) / 64;
	n_l1 = (n_words + 63) / 64;
	/* calloc: the kernel maps zero pages lazily, so an empty /8 costs little */
	bits = calloc(n_words, sizeof(*bits));
	l1 = calloc(n_l1, sizeof(*l1));
	if (!bits || !l1) {
		free(bits);
		free(l1);
		return -ENOMEM;
	}
	/* bits past the pool's end are "used", and so are l1 bits past the last word */
	if (size % 64)
		bits[n_words - 1] = UINT64_MAX << (size % 64);
	if (bits[n_words - 1] == UINT64_MAX)
		l1[(n_words - 1) / 64] |= 1ULL << ((n_words - 1) % 64);
	if (n_words % 64)
		l1[n_l1 - 1] |= UINT64_MAX << (n_words % 64);

	free(s->bits);
	free(s->bits_l1);
	s->bits = bits;
	s->bits_l1 = l1;
	s->n_words = n_words;
	s->n_l1 = n_l1;
	s->first = first;
	s->last = last;
	s->pool_size = (uint32_t)size;
	s->n_unused = (uint32_t)size;
	s->cursor = 0;
	s->n_parked = 0;

	for (size_t i = 1; i < _HEAP_MAX; i++)
		s->heaps[i].n = 0;
	for (uint32_t i = 0; i < s->used; i++) {
		struct entry *e = &s->entries[i];
		uint32_t ip;

		if (e->heap == HEAP_FREE_SLOT)
			continue;
		e->heap = HEAP_NONE;
		place(s, i);
		ip = in_addr_to_host(e->l.ip);
		if (in_pool(s, ip))
			bit_set(s, ip - first);
	}
	return 0;
}

int lease_store_new(struct in_addr first, struct in_addr last, lease_store_change_fn cb, void *data,
		    struct lease_store **ret)
{
	_cleanup_(lease_store_freep) struct lease_store *s = NULL;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cb = cb;
	s->data = data;
	s->free_head = NONE;
	if (getrandom(s->key, sizeof(s->key), GRND_NONBLOCK) != (ssize_t)sizeof(s->key)) {
		/* no entropy yet (early boot): the key only has to be unguessable by guests */
		uint64_t t = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)s;

		memcpy(s->key, &t, sizeof(t));
	}
	memcpy(&s->ip_seed, s->key + 8, sizeof(s->ip_seed));

	r = ip_table_resize(s, 64);
	if (r < 0)
		return r;
	r = id_table_resize(s, 64);
	if (r < 0)
		return r;
	r = pool_setup(s, in_addr_to_host(first), in_addr_to_host(last));
	if (r < 0)
		return r;
	*ret = TAKE_PTR(s);
	return 0;
}

struct lease_store *lease_store_free(struct lease_store *s)
{
	if (!s)
		return NULL;
	free(s->entries);
	free(s->ip_slots);
	free(s->id_slots);
	for (size_t i = 1; i < _HEAP_MAX; i++)
		free(s->heaps[i].v);
	free(s->bits);
	free(s->bits_l1);
	free(s->parked);
	free(s);
	return NULL;
}

int lease_store_set_range(struct lease_store *s, struct in_addr first, struct in_addr last)
{
	return pool_setup(s, in_addr_to_host(first), in_addr_to_host(last));
}

const struct lease *lease_store_find_by_ip(const struct lease_store *s, struct in_addr ip)
{
	uint32_t idx = ip_lookup(s, in_addr_to_host(ip), NULL);

	return idx == NONE ? NULL : &s->entries[idx].l;
}

const struct lease *lease_store_find_by_id(const struct lease_store *s, const uint8_t *id,
					   size_t id_len)
{
	uint32_t idx;

	if (id_len == 0 || id_len > LEASE_CLIENT_ID_MAX)
		return NULL;
	idx = id_lookup(s, id, id_len, id_hash(s, id, id_len), NULL);
	return idx == NONE ? NULL : &s->entries[idx].l;
}

static bool same_id(const struct lease *a, const struct lease *b)
{
	return a->id_len == b->id_len && memcmp(a->id, b->id, a->id_len) == 0;
}

static int store_put(struct lease_store *s, const struct lease *l, bool report)
{
	uint32_t ip = in_addr_to_host(l->ip), e_idx, i_idx = NONE;
	struct lease old;
	int r;

	if (l->id_len > LEASE_CLIENT_ID_MAX || (unsigned)l->state >= _LEASE_STATE_MAX)
		return -EINVAL;
	r = store_reserve(s);
	if (r < 0)
		return r;

	e_idx = ip_lookup(s, ip, NULL);
	if (l->id_len > 0)
		i_idx = id_lookup(s, l->id, l->id_len, id_hash(s, l->id, l->id_len), NULL);
	if (e_idx == NONE && i_idx == NONE && s->count >= LEASE_STORE_MAX_PER_NETWORK)
		return -E2BIG;

	/* one lease per client: its lease at another address goes first */
	if (i_idx != NONE && i_idx != e_idx) {
		old = s->entries[i_idx].l;
		entry_unlink(s, i_idx);
		if (report)
			notify(s, &old, true);
	}

	if (e_idx != NONE) {
		struct entry *e = &s->entries[e_idx];
		bool same = same_id(&e->l, l);

		old = e->l;
		if (!same && e->l.id_len > 0)
			id_delete(s, e_idx);
		e->l = *l;
		if (!same && l->id_len > 0)
			id_insert(s, e_idx);
		if (report && !same && l->state == LEASE_OFFERED)
			notify(s, &old, true);
	} else {
		e_idx = slab_alloc(s);
		s->entries[e_idx].l = *l;
		ip_insert(s, e_idx);
		if (l->id_len > 0)
			id_insert(s, e_idx);
		if (in_pool(s, ip))
			bit_set(s, ip - s->first);
		s->count++;
	}
	s->entries[e_idx].l.hostname[LEASE_HOSTNAME_MAX] = '\0';
	place(s, e_idx);
	if (report)
		notify(s, &s->entries[e_idx].l, false);
	return 0;
}

int lease_store_put(struct lease_store *s, const struct lease *l)
{
	return store_put(s, l, true);
}

int lease_store_restore(struct lease_store *s, const struct lease *l)
{
	return store_put(s, l, false);
}

static int store_remove(struct lease_store *s, struct in_addr ip, bool report)
{
	uint32_t idx = ip_lookup(s, in_addr_to_host(ip), NULL);
	struct lease old;

	if (idx == NONE)
		return -ENOENT;
	old = s->entries[idx].l;
	entry_unlink(s, idx);
	if (report)
		notify(s, &old, true);
	return 0;
}

int lease_store_remove(struct lease_store *s, struct in_addr ip)
{
	return store_remove(s, ip, true);
}

int lease_store_forget(struct lease_store *s, struct in_addr ip)
{
	return store_remove(s, ip, false);
}

static int park(struct lease_store *s, uint32_t ip)
{
	if (s->n_parked == s->parked_cap) {
		size_t n = s->parked_cap ? s->parked_cap * 2 : 16;
		uint32_t *p = realloc(s->parked, sizeof(*p) * n);

		if (!p)
			return -ENOMEM;
		s->parked = p;
		s->parked_cap = n;
	}
	s->parked[s->n_parked++] = ip;
	return 0;
}

/* The reusable lease that ended longest ago, or NONE: RELEASED, or any other past its expiry. */
static uint32_t oldest_ended(const struct lease_store *s, uint64_t now)
{
	static const enum heap_id order[] = { HEAP_RELEASED, HEAP_DECLINED, HEAP_TIMED_POOL };
	uint32_t best = NONE;

	for (size_t i = 0; i < ELEMENTSOF(order); i++) {
		const struct heap *h = &s->heaps[order[i]];
		uint32_t top;

		if (h->n == 0)
			continue;
		top = h->v[0];
		if (order[i] != HEAP_RELEASED && s->entries[top].l.expires > now)
			continue;
		if (best == NONE || entry_before(s, top, best))
			best = top;
	}
	return best;
}

int lease_store_find_free(struct lease_store *s, uint64_t now, lease_store_excluded_fn excluded,
			  void *data, struct in_addr *ret)
{
	int r;

	/* Each turn either answers or sets one address aside, so this ends. */
	for (;;) {
		uint32_t i, idx, ip;

		if (s->n_unused > 0) {
			i = bits_find_clear(s, s->cursor);
			if (i == NONE)
				i = bits_find_clear(s, 0);
			if (i == NONE) {
				/* cannot happen: n_unused counts the clear bits */
				s->n_unused = 0;
				continue;
			}
			s->cursor = i;
			ip = s->first + i;
			if (excluded && excluded(in_addr_from_host(ip), data)) {
				r = park(s, ip);
				if (r < 0)
					return r;
				bit_set(s, i);
				continue;
			}
			*ret = in_addr_from_host(ip);
			return 0;
		}

		idx = oldest_ended(s, now);
		if (idx == NONE)
			return -ENOSPC;
		ip = entry_ip(s, idx);
		if (excluded && excluded(in_addr_from_host(ip), data)) {
			r = park(s, ip);
			if (r < 0)
				return r;
			heap_detach(s, idx);
			s->entries[idx].heap = HEAP_PARKED;
			continue;
		}
		*ret = in_addr_from_host(ip);
		return 0;
	}
}

void lease_store_reset_excluded(struct lease_store *s)
{
	for (size_t k = 0; k < s->n_parked; k++) {
		uint32_t ip = s->parked[k], idx = ip_lookup(s, ip, NULL);

		if (idx != NONE) {
			if (s->entries[idx].heap == HEAP_PARKED)
				place(s, idx);
		} else if (in_pool(s, ip) && bit_test(s, ip - s->first))
			bit_clear(s, ip - s->first);
	}
	s->n_parked = 0;
}

uint64_t lease_store_expire(struct lease_store *s, uint64_t now)
{
	static const enum heap_id timed[] = { HEAP_TIMED_POOL, HEAP_TIMED_OUT };
	uint64_t next = 0;

	for (size_t i = 0; i < ELEMENTSOF(timed); i++) {
		struct heap *h = &s->heaps[timed[i]];

		while (h->n > 0 && s->entries[h->v[0]].l.expires <= now) {
			uint32_t idx = h->v[0];
			struct entry *e = &s->entries[idx];

			if (e->l.state == LEASE_BOUND) {
				e->l.state = LEASE_RELEASED;
				place(s, idx);
				notify(s, &e->l, false);
			} else
				entry_unlink(s, idx);
		}
		if (h->n > 0 && (next == 0 || s->entries[h->v[0]].l.expires < next))
			next = s->entries[h->v[0]].l.expires;
	}
	return next;
}

static int cmp_ip(const void *a, const void *b, void *userdata)
{
	const struct lease_store *s = userdata;
	uint32_t x = entry_ip(s, *(const uint32_t *)a), y = entry_ip(s, *(const uint32_t *)b);

	return x < y ? -1 : x > y;
}

int lease_store_foreach(const struct lease_store *s, lease_store_foreach_fn cb, void *data)
{
	_cleanup_free_ uint32_t *order = NULL;
	size_t n = 0;
	int r;

	if (s->count == 0)
		return 0;
	order = malloc(sizeof(*order) * s->count);
	if (!order)
		return -ENOMEM;
	for (uint32_t i = 0; i < s->used; i++)
		if (s->entries[i].heap != HEAP_FREE_SLOT)
			order[n++] = i;
	qsort_r(order, n, sizeof(*order), cmp_ip, (void *)s);
	for (size_t i = 0; i < n; i++) {
		r = cb(&s->entries[order[i]].l, data);
		if (r < 0)
			return r;
	}
	return 0;
}

size_t lease_store_count(const struct lease_store *s)
{
	return s->count;
}
