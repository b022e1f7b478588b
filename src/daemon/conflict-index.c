/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of conflict-index.h: one open-addressing hash table (linear probing, deletion
 * by backward shift, grown at 1/2 full) of nodes keyed by (kind, prefix length, tenant id,
 * address or name hash). A definition owns a fixed set of keys (conflict_keys()): its bridge
 * name, its tenant id and name, and for its subnet, in each class it belongs to, every prefix
 * from /0 down to its own (the trie path), its definition listed at the last one.
 */
#include "daemon/conflict-index.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-network.h"
#include "config/conf-overlay.h"
#include "config/conf-tenant.h"
#include "daemon/tenant/tenant.h"

enum conflict_kind {
	CONFLICT_EMPTY,         /* a free slot */
	CONFLICT_BRIDGE,        /* addr: hash of the bridge name; lists its definitions */
	CONFLICT_TENANT_ID,     /* addr: tenant id; lists the definitions of tenants with that id */
	CONFLICT_TENANT_NAME,   /* tenant: id, addr: hash of the name; counts only */
	CONFLICT_ALL,           /* the subnet tries: every definition with a subnet */
	CONFLICT_NO_TENANT,     /* ... those without a tenant */
	CONFLICT_GATEWAY,       /* ... those with their gateway on this host */
	CONFLICT_TENANT,        /* ... those of the tenant whose id is 'tenant' */
	CONFLICT_SUBNET6,       /* tenant, addr: the /64's two halves; lists its definitions */
};

struct conflict_key {
	uint8_t kind;           /* enum conflict_kind */
	uint8_t len;            /* prefix length of a trie node, 0..32 */
	uint32_t tenant;        /* tenant id (CONFLICT_TENANT, CONFLICT_TENANT_NAME), else 0; the
				 * first half of a subnet6 */
	uint32_t addr;          /* host order, masked to 'len'; or a hash, see the kinds */
};

struct conflict_node {
	struct conflict_key key;
	uint32_t count;         /* definitions at or under this node */
	uint32_t n_exact, cap_exact;
	const struct network_config **exact;   /* borrowed: the definitions at exactly this key */
};

/* The bridge, 2 tenant keys, 3 classes of 33 prefixes, the subnet6. */
#define CONFLICT_KEYS_MAX (1 + 2 + 3 * 33 + 1)

static uint64_t mix64(uint64_t x)
{
	/* splitmix64's finaliser: every input bit reaches every output bit */
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static size_t key_hash(const struct conflict_key *k, size_t cap)
{
	uint64_t h = mix64(((uint64_t)k->kind << 40) | ((uint64_t)k->len << 32) | k->tenant);

	return (size_t)mix64(h ^ k->addr) & (cap - 1);
}

static bool key_equal(const struct conflict_key *a, const struct conflict_key *b)
{
	return a->kind == b->kind && a->len == b->len && a->tenant == b->tenant &&
	       a->addr == b->addr;
}

static uint32_t name_hash(const char *s)
{
	/* FNV-1a 64, folded: not the tenant id (FNV-1a 32), so two names of one id differ here */
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * UINT64_C(1099511628211);
	return (uint32_t)(h ^ (h >> 32));
}

static uint32_t mask_of(unsigned len)
{
	return len == 0 ? 0 : UINT32_MAX << (32 - len);
}

static struct conflict_key subnet_key(enum conflict_kind kind, uint32_t tenant, uint32_t addr,
				      unsigned len)
{
	return (struct conflict_key){
		.kind = (uint8_t)kind, .len = (uint8_t)len, .tenant = tenant,
		.addr = addr & mask_of(len),
	};
}

/*
 * A subnet6 is always a /64 (conf-network6.c), so two overlap only when they are the same: one
 * key holds the whole prefix, no collision.
 */
static struct conflict_key subnet6_key(const struct in6_prefix *p)
{
	const uint8_t *b = p->addr.s6_addr;

	return (struct conflict_key){
		.kind = CONFLICT_SUBNET6, .len = 64,
		.tenant = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3],
		.addr = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7],
	};
}

static bool has_gateway(const struct network_config *c)
{
	return network_overlay_has_gateway(&c->overlay);
}

/* Whether definition 'o' is in the subnet class 'kind' ('tenant': the id of CONFLICT_TENANT). */
static bool in_class(const struct network_config *o, enum conflict_kind kind, uint32_t tenant)
{
	switch (kind) {
	case CONFLICT_ALL:
		return true;
	case CONFLICT_NO_TENANT:
		return !o->tenant[0];
	case CONFLICT_GATEWAY:
		return has_gateway(o);
	case CONFLICT_TENANT:
		return o->tenant[0] && network_tenant_id(o->tenant) == tenant;
	default:
		return false;
	}
}

/* The keys of 'c' into 'keys' ('exact[i]': 'c' is listed at keys[i]); returns how many. */
static size_t conflict_keys(const struct network_config *c, struct conflict_key *keys,
			    bool *exact)
{
	static const enum conflict_kind classes[] = {
		CONFLICT_ALL, CONFLICT_NO_TENANT, CONFLICT_GATEWAY, CONFLICT_TENANT,
	};
	uint32_t id = c->tenant[0] ? network_tenant_id(c->tenant) : 0;
	size_t n = 0;

	if (!c->bridge[0])
		return 0;
	keys[n] = (struct conflict_key){ .kind = CONFLICT_BRIDGE, .addr = name_hash(c->bridge) };
	exact[n++] = true;
	if (c->tenant[0]) {
		keys[n] = (struct conflict_key){ .kind = CONFLICT_TENANT_ID, .addr = id };
		exact[n++] = true;
		keys[n] = (struct conflict_key){
			.kind = CONFLICT_TENANT_NAME, .tenant = id, .addr = name_hash(c->tenant),
		};
		exact[n++] = false;
	}
	if (c->has_subnet6 && c->subnet6.prefixlen == 64) {
		keys[n] = subnet6_key(&c->subnet6);
		exact[n++] = true;
	}
	if (!c->has_subnet)
		return n;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		uint32_t t = classes[i] == CONFLICT_TENANT ? id : 0;

		if (!in_class(c, classes[i], t))
			continue;
		for (unsigned len = 0; len <= c->subnet.prefixlen; len++) {
			keys[n] = subnet_key(classes[i], t, ntohl(c->subnet.addr.s_addr), len);
			exact[n++] = len == c->subnet.prefixlen;
		}
	}
	return n;
}

static struct conflict_node *node_find(const struct conflict_index *ix, const struct conflict_key *k)
{
	if (ix->cap == 0)
		return NULL;
	for (size_t i = key_hash(k, ix->cap);; i = (i + 1) & (ix->cap - 1)) {
		if (ix->slots[i].key.kind == CONFLICT_EMPTY)
			return NULL;
		if (key_equal(&ix->slots[i].key, k))
			return &ix->slots[i];
	}
}

static struct conflict_node *node_place(struct conflict_node *slots, size_t cap,
					const struct conflict_key *k)
{
	size_t i = key_hash(k, cap);

	while (slots[i].key.kind != CONFLICT_EMPTY)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int index_grow(struct conflict_index *ix)
{
	size_t cap = ix->cap ? 2 * ix->cap : 64;
	struct conflict_node *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < ix->cap; i++)
		if (ix->slots[i].key.kind != CONFLICT_EMPTY)
			*node_place(slots, cap, &ix->slots[i].key) = ix->slots[i];
	free(ix->slots);
	ix->slots = slots;
	ix->cap = cap;
	return 0;
}

static void node_delete(struct conflict_index *ix, struct conflict_node *s)
{
	size_t mask = ix->cap - 1, hole = (size_t)(s - ix->slots);

	free(s->exact);
	/* Backward shift, as in shared/int-map.c: no tombstones, probes stay short. */
	for (size_t i = (hole + 1) & mask; ix->slots[i].key.kind != CONFLICT_EMPTY;
	     i = (i + 1) & mask) {
		size_t home = key_hash(&ix->slots[i].key, ix->cap);

		if (((i - home) & mask) >= ((i - hole) & mask)) {
			ix->slots[hole] = ix->slots[i];
			hole = i;
		}
	}
	ix->slots[hole] = (struct conflict_node){ 0 };
	ix->n--;
}

/* One more definition at or under 'k' ('c': listed at 'k', or NULL). 0 or -ENOMEM (unchanged). */
static int node_add(struct conflict_index *ix, const struct conflict_key *k,
		    const struct network_config *c)
{
	struct conflict_node *s = node_find(ix, k);

	if (!s) {
		if (2 * (ix->n + 1) > ix->cap && index_grow(ix) < 0)
			return -ENOMEM;
		s = node_place(ix->slots, ix->cap, k);
		*s = (struct conflict_node){ .key = *k };
		ix->n++;
	}
	if (c && s->n_exact == s->cap_exact) {
		uint32_t cap = s->cap_exact ? 2 * s->cap_exact : 1;
		const struct network_config **a = realloc(s->exact, cap * sizeof(*a));

		if (!a) {
			if (s->count == 0)
				node_delete(ix, s);
			return -ENOMEM;
		}
		s->exact = a;
		s->cap_exact = cap;
	}
	if (c)
		s->exact[s->n_exact++] = c;
	s->count++;
	return 0;
}

/* Undoes node_add(ix, k, c). The list is as long as the definitions sharing 'k' exactly. */
static void node_drop(struct conflict_index *ix, const struct conflict_key *k,
		      const struct network_config *c)
{
	struct conflict_node *s = node_find(ix, k);

	if (!s)
		return;
	if (c) {
		uint32_t i = 0;

		while (i < s->n_exact && s->exact[i] != c)
			i++;
		if (i == s->n_exact)
			return;
		s->exact[i] = s->exact[--s->n_exact];
	}
	if (--s->count == 0)
		node_delete(ix, s);
}

void conflict_index_done(struct conflict_index *ix)
{
	for (size_t i = 0; i < ix->cap; i++)
		free(ix->slots[i].exact);
	free(ix->slots);
	*ix = (struct conflict_index){ 0 };
}

int conflict_index_add(struct conflict_index *ix, const struct network_config *c)
{
	struct conflict_key keys[CONFLICT_KEYS_MAX];
	bool exact[CONFLICT_KEYS_MAX];
	size_t n = conflict_keys(c, keys, exact);

	for (size_t i = 0; i < n; i++)
		if (node_add(ix, &keys[i], exact[i] ? c : NULL) < 0) {
			while (i-- > 0)
				node_drop(ix, &keys[i], exact[i] ? c : NULL);
			return -ENOMEM;
		}
	return 0;
}

/* Drops the entries of 'c' made from the contents 'as' (what 'c' held when it was indexed). */
static void index_drop(struct conflict_index *ix, const struct network_config *c,
		       const struct network_config *as)
{
	struct conflict_key keys[CONFLICT_KEYS_MAX];
	bool exact[CONFLICT_KEYS_MAX];
	size_t n = conflict_keys(as, keys, exact);

	for (size_t i = 0; i < n; i++)
		node_drop(ix, &keys[i], exact[i] ? c : NULL);
}

void conflict_index_remove(struct conflict_index *ix, const struct network_config *c)
{
	index_drop(ix, c, c);
}

int conflict_index_moved(struct conflict_index *ix, const struct network_config *c,
			 const struct network_config *old)
{
	index_drop(ix, c, old);
	return conflict_index_add(ix, c);
}

static int check_bridge(const struct conflict_index *ix, const struct network_config *c,
			const struct network_config *self, char *err, size_t errlen)
{
	struct conflict_key k = { .kind = CONFLICT_BRIDGE, .addr = name_hash(c->bridge) };
	const struct conflict_node *s = node_find(ix, &k);

	for (uint32_t i = 0; s && i < s->n_exact; i++)
		if (s->exact[i] != self && strcmp(s->exact[i]->bridge, c->bridge) == 0) {
			snprintf(err, errlen, "bridge '%s' is used by network '%s'", c->bridge,
				 s->exact[i]->name);
			return -EEXIST;
		}
	return 0;
}

static int check_tenant_id(const struct conflict_index *ix, const struct network_config *c,
			   const struct network_config *self, char *err, size_t errlen)
{
	uint32_t id = network_tenant_id(c->tenant);
	struct conflict_key kid = { .kind = CONFLICT_TENANT_ID, .addr = id };
	struct conflict_key kname = {
		.kind = CONFLICT_TENANT_NAME, .tenant = id, .addr = name_hash(c->tenant),
	};
	const struct conflict_node *all = node_find(ix, &kid), *named = node_find(ix, &kname);
	uint32_t others = all ? all->count : 0, same = named ? named->count : 0;

	/* The id's definitions are all of this tenant's name unless the counts differ: only then
	 * is the list read, to name one of another (a refusal, so never on the way to success). */
	if (self && self->bridge[0] && self->tenant[0] && network_tenant_id(self->tenant) == id) {
		others--;
		if (name_hash(self->tenant) == kname.addr)
			same--;
	}
	if (others == same)
		return 0;
	for (uint32_t i = 0; i < all->n_exact; i++) {
		int r;

		if (all->exact[i] == self)
			continue;
		r = tenant_check_conflict(c, all->exact[i], err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

struct subnet_query {
	const struct conflict_index *ix;
	const struct network_config *c, *self;
	char why[192];
};

/* Whether 'self' is counted at node 'k' (it is in the index, in the class, under the prefix). */
static bool self_under(const struct network_config *self, const struct conflict_key *k)
{
	return self && self->bridge[0] && self->has_subnet && self->subnet.prefixlen >= k->len &&
	       in_class(self, (enum conflict_kind)k->kind, k->tenant) &&
	       (ntohl(self->subnet.addr.s_addr) & mask_of(k->len)) == k->addr;
}

/* A definition listed at 's' other than 'self' whose overlap the tenant rules refuse. */
static const struct network_config *exact_conflict(struct subnet_query *q,
						   const struct conflict_node *s)
{
	for (uint32_t i = 0; i < s->n_exact; i++)
		if (s->exact[i] != q->self &&
		    !tenant_subnets_may_overlap(q->c, s->exact[i], q->why, sizeof(q->why)))
			return s->exact[i];
	return NULL;
}

/*
 * A conflicting definition strictly under node 'k' (whose own list is checked already): down
 * the children whose count is more than 'self'. In a class every definition is a conflict, so
 * the first path taken ends at one: at most 32 levels. (Only tenants whose ids collide, which
 * the tenant check refuses, could send it down a path to nothing.)
 */
static const struct network_config *below_conflict(struct subnet_query *q,
						   const struct conflict_key *k)
{
	const struct conflict_node *s = node_find(q->ix, k);

	if (!s || s->count <= (uint32_t)self_under(q->self, k))
		return NULL;
	if (k->len == 32)
		return NULL;
	for (uint32_t bit = 0; bit < 2; bit++) {
		struct conflict_key child = *k;
		const struct conflict_node *cs;
		const struct network_config *o;

		child.len = (uint8_t)(k->len + 1);
		child.addr = k->addr | (bit << (31 - k->len));
		cs = node_find(q->ix, &child);
		if (!cs || cs->count <= (uint32_t)self_under(q->self, &child))
			continue;
		o = exact_conflict(q, cs);
		if (!o)
			o = below_conflict(q, &child);
		if (o)
			return o;
	}
	return NULL;
}

/* A conflicting definition of class 'kind' overlapping the candidate, NULL if none. */
static const struct network_config *class_conflict(struct subnet_query *q, enum conflict_kind kind,
						   uint32_t tenant)
{
	uint32_t addr = ntohl(q->c->subnet.addr.s_addr);
	unsigned plen = q->c->subnet.prefixlen;
	struct conflict_key k;

	/* the candidate's own prefix and those covering it: one lookup per length */
	for (unsigned len = 0; len <= plen; len++) {
		const struct conflict_node *s;
		const struct network_config *o;

		k = subnet_key(kind, tenant, addr, len);
		s = node_find(q->ix, &k);
		if (!s)
			break;   /* no node here: none under it either */
		o = exact_conflict(q, s);
		if (o)
			return o;
		if (len == plen)
			return below_conflict(q, &k);
	}
	return NULL;
}

static int check_subnet(const struct conflict_index *ix, const struct network_config *c,
			const struct network_config *self, char *err, size_t errlen)
{
	struct subnet_query q = { .ix = ix, .c = c, .self = self };
	uint32_t id = c->tenant[0] ? network_tenant_id(c->tenant) : 0;
	const struct network_config *o;
	char a[IN_PREFIX_STRLEN], b[IN_PREFIX_STRLEN];

	/*
	 * Without a tenant every overlap is refused; with one, those with networks of no tenant,
	 * of the same tenant, and (when this network has its gateway here) of any tenant that has
	 * its gateway here too: tenant_subnets_may_overlap() in classes.
	 */
	if (!c->tenant[0]) {
		o = class_conflict(&q, CONFLICT_ALL, 0);
	} else {
		o = class_conflict(&q, CONFLICT_NO_TENANT, 0);
		if (!o)
			o = class_conflict(&q, CONFLICT_TENANT, id);
		if (!o && has_gateway(c))
			o = class_conflict(&q, CONFLICT_GATEWAY, 0);
	}
	if (!o)
		return 0;
	snprintf(err, errlen, "subnet %s overlaps network '%s' (%s)%s",
		 in_prefix_to_string(&c->subnet, a), o->name, in_prefix_to_string(&o->subnet, b),
		 q.why);
	return -EBUSY;
}

int conflict_index_check(const struct conflict_index *ix, const struct network_config *c,
			 const struct network_config *self, char *err, size_t errlen)
{
	int r;

	/* macvtap networks have neither bridge nor subnet (network-mode.c checks the uplink) */
	if (!c->bridge[0])
		return 0;
	r = check_bridge(ix, c, self, err, errlen);
	if (r >= 0 && c->tenant[0])
		r = check_tenant_id(ix, c, self, err, errlen);
	/* mode bridge has no subnet: nothing to overlap */
	if (r >= 0 && c->has_subnet)
		r = check_subnet(ix, c, self, err, errlen);
	return r;
}

const struct network_config *conflict_index_find_subnet6(const struct conflict_index *ix,
							 const struct in6_prefix *p,
							 const struct network_config *self)
{
	struct conflict_key k = subnet6_key(p);
	const struct conflict_node *s = p->prefixlen == 64 ? node_find(ix, &k) : NULL;

	for (uint32_t i = 0; s && i < s->n_exact; i++)
		if (s->exact[i] != self)
			return s->exact[i];
	return NULL;
}
