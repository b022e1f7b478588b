/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The zone of one network in memory. Hosts (gateway, reservations, leases) live in a slab with
 * stable indices; two open-addressing hash tables (linear probing, backward-shift deletion)
 * index them by label and by the address they answer with, so a lease coming or going costs
 * O(1). Static records are kept sorted by name with a third table over their names (and the
 * empty non-terminals above them). Names are hashed with SipHash-1-3 under a random key, as
 * guests choose their host names. dns-server.c reads it; the daemon keeps it up to date.
 */
#include "dns/dns-zone.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "dns/dns-packet.h"
#include "dns/dns-proto.h"
#include "shared/alloc-util.h"
#include "shared/in6-addr-util.h"

#define NONE UINT32_MAX
#define TABLE_MIN 16               /* slots; a power of two */
#define ARPA_SUFFIX ".in-addr.arpa"
#define ARPA_SUFFIX_LEN (sizeof(ARPA_SUFFIX) - 1)
#define ARPA6_SUFFIX_LEN (sizeof("ip6.arpa") - 1)

/* The address families a host answers for: A and in-addr.arpa, AAAA and ip6.arpa. */
enum { FAM4, FAM6, _FAM_MAX };
static const size_t fam_len[_FAM_MAX] = { 4, 16 };

struct slot {
	uint32_t idx;              /* entry index, NONE = empty */
	uint32_t hash;             /* of the entry's key: home slot, quick compare, rehash */
};

struct table {
	struct slot *slots;
	uint32_t mask;             /* slots - 1 */
	uint32_t count;
};

struct host {
	char *fqdn;                /* "label.domain", owned; NULL: a free slab slot */
	uint32_t hash;             /* of the label */
	uint32_t next[_FAM_MAX];   /* next host answering for the same address of the family;
				    * next[FAM4]: the free-list link of a free slot */
	uint8_t label_len;
	uint8_t held[_FAM_MAX];    /* per family, bit per source (enum dns_zone_source) holding an
				    * address of the label; the host exists while one is set */
	struct in_addr ip[_DNS_ZONE_SOURCE_MAX];
	struct in6_addr ip6[_DNS_ZONE_SOURCE_MAX];
};

struct static_name {
	const char *name;          /* relative, "" for the apex; points into 'statics' */
	uint32_t len;
	uint32_t first, n;         /* statics[first, first + n); n = 0: an empty non-terminal */
};

struct dns_zone {
	char domain[DNS_ZONE_NAME_MAX + 1];
	size_t domain_len;
	uint32_t net, mask;        /* the subnet, host order */
	uint8_t prefixlen;
	uint8_t apex_octets;       /* labels of the reverse apex: the prefix rounded up to octets */
	bool has_net6;             /* an ip6.arpa reverse zone (dns_zone_set_reverse6()) */
	struct in6_addr net6;      /* its prefix, host bits zero */
	uint8_t prefixlen6;
	uint8_t apex_nibbles6;     /* labels of its apex: the prefix rounded up to nibbles */
	uint32_t ttl, serial;
	uint64_t key[2];           /* SipHash key */

	struct host *hosts;
	uint32_t hosts_alloc, hosts_used, n_hosts, free_head;
	struct table by_name;      /* label -> host */
	struct table by_ip[_FAM_MAX]; /* address answered -> first host of its chain; room for
				       * all hosts in each */

	struct dns_static_record *statics;
	size_t n_statics;
	struct static_name *snames;
	size_t n_snames;
	struct table by_static;    /* relative name -> snames index */
};

DEFINE_FREE_FUNC(struct dns_zone, dns_zone_free)

/* Hashing */

#define ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

static inline void sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL64(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL64(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL64(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL64(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL64(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL64(v[2], 32);
}

/* SipHash-1-3 (Aumasson and Bernstein): keyed, so guests cannot aim names at one slot. */
static uint32_t name_hash(const struct dns_zone *z, const char *s, size_t len)
{
	uint64_t v[4] = {
		z->key[0] ^ 0x736f6d6570736575ULL,
		z->key[1] ^ 0x646f72616e646f6dULL,
		z->key[0] ^ 0x6c7967656e657261ULL,
		z->key[1] ^ 0x7465646279746573ULL,
	};
	uint64_t m, tail = (uint64_t)len << 56;
	size_t i = 0;

	for (; len - i >= 8; i += 8) {
		m = 0;
		for (unsigned k = 0; k < 8; k++)
			m |= (uint64_t)(uint8_t)s[i + k] << (8 * k);
		v[3] ^= m;
		sip_round(v);
		v[0] ^= m;
	}
	for (unsigned k = 0; i + k < len; k++)
		tail |= (uint64_t)(uint8_t)s[i + k] << (8 * k);
	v[3] ^= tail;
	sip_round(v);
	v[0] ^= tail;
	v[2] ^= 0xff;
	sip_round(v);
	sip_round(v);
	sip_round(v);
	return (uint32_t)(v[0] ^ v[1] ^ v[2] ^ v[3]);
}

static inline uint32_t ip_hash(const struct dns_zone *z, uint32_t ip)
{
	/* murmur3's finaliser: spreads consecutive addresses over the table */
	uint32_t h = ip ^ (uint32_t)z->key[0];

	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

/* Tables */

static int table_init(struct table *t)
{
	t->slots = malloc(sizeof(*t->slots) * TABLE_MIN);
	if (!t->slots)
		return -ENOMEM;
	for (uint32_t i = 0; i < TABLE_MIN; i++)
		t->slots[i].idx = NONE;
	t->mask = TABLE_MIN - 1;
	t->count = 0;
	return 0;
}

/* Makes room for 'n' entries at a load of at most one half. */
static int table_reserve(struct table *t, uint32_t n)
{
	uint64_t size = (uint64_t)t->mask + 1, new_size = size;
	struct slot *s;

	if ((uint64_t)n * 2 <= size)
		return 0;
	while ((uint64_t)n * 2 > new_size)
		new_size *= 2;
	s = malloc(sizeof(*s) * new_size);
	if (!s)
		return -ENOMEM;
	for (uint64_t i = 0; i < new_size; i++)
		s[i].idx = NONE;
	for (uint64_t i = 0; i < size; i++) {
		uint64_t j;

		if (t->slots[i].idx == NONE)
			continue;
		for (j = t->slots[i].hash & (new_size - 1); s[j].idx != NONE;
		     j = (j + 1) & (new_size - 1))
			;
		s[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = s;
	t->mask = (uint32_t)(new_size - 1);
	return 0;
}

/* Inserts without looking for a duplicate; table_reserve() must have made room. */
static void table_insert(struct table *t, uint32_t idx, uint32_t hash)
{
	uint32_t i;

	for (i = hash & t->mask; t->slots[i].idx != NONE; i = (i + 1) & t->mask)
		;
	t->slots[i] = (struct slot){ .idx = idx, .hash = hash };
	t->count++;
}

static void table_delete_at(struct table *t, uint32_t i)
{
	for (uint32_t j = (i + 1) & t->mask; t->slots[j].idx != NONE; j = (j + 1) & t->mask) {
		uint32_t home = t->slots[j].hash & t->mask;

		/* move 'j' into the hole unless its home lies between the hole and 'j' */
		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i].idx = NONE;
	t->count--;
}

/* Hosts */

static inline unsigned host_best(const struct host *h, unsigned fam)
{
	return (unsigned)__builtin_ctz(h->held[fam]);   /* lowest source = highest priority */
}

/* The address of 'fam' that 'source' gives 'h' (4 or 16 bytes, network order). */
static inline const uint8_t *host_src_addr(const struct host *h, unsigned fam, unsigned source)
{
	return fam == FAM4 ? (const uint8_t *)&h->ip[source].s_addr : h->ip6[source].s6_addr;
}

/* The address of 'fam' the host answers with; h->held[fam] must be set. */
static inline const uint8_t *host_addr(const struct host *h, unsigned fam)
{
	return host_src_addr(h, fam, host_best(h, fam));
}

static uint32_t addr_hash(const struct dns_zone *z, unsigned fam, const uint8_t *a)
{
	uint32_t ip;

	if (fam == FAM6)
		return name_hash(z, (const char *)a, 16);
	memcpy(&ip, a, 4);
	return ip_hash(z, ntohl(ip));
}

/* Slot of the host named 'label', or NONE. */
static uint32_t host_find(const struct dns_zone *z, const char *label, size_t len, uint32_t hash)
{
	const struct table *t = &z->by_name;

	for (uint32_t i = hash & t->mask; t->slots[i].idx != NONE; i = (i + 1) & t->mask) {
		const struct host *h = &z->hosts[t->slots[i].idx];

		if (t->slots[i].hash == hash && h->label_len == len &&
		    memcmp(h->fqdn, label, len) == 0)
			return i;
	}
	return NONE;
}

static uint32_t ip_find(const struct dns_zone *z, unsigned fam, const uint8_t *a)
{
	const struct table *t = &z->by_ip[fam];
	uint32_t hash = addr_hash(z, fam, a);

	for (uint32_t i = hash & t->mask; t->slots[i].idx != NONE; i = (i + 1) & t->mask)
		if (t->slots[i].hash == hash &&
		    memcmp(host_addr(&z->hosts[t->slots[i].idx], fam), a, fam_len[fam]) == 0)
			return i;
	return NONE;
}

/* Adds host 'idx' to the chain of the address of 'fam' it answers with; by_ip has room. */
static void ip_link(struct dns_zone *z, unsigned fam, uint32_t idx)
{
	const uint8_t *a = host_addr(&z->hosts[idx], fam);
	uint32_t i = ip_find(z, fam, a);

	if (i == NONE) {
		z->hosts[idx].next[fam] = NONE;
		table_insert(&z->by_ip[fam], idx, addr_hash(z, fam, a));
		return;
	}
	z->hosts[idx].next[fam] = z->by_ip[fam].slots[i].idx;
	z->by_ip[fam].slots[i].idx = idx;
}

/* Takes host 'idx' off the chain of 'a' (a copy: the host may be changing). */
static void ip_unlink(struct dns_zone *z, unsigned fam, uint32_t idx, const uint8_t *a)
{
	uint32_t i = ip_find(z, fam, a), *p;

	if (i == NONE)
		return;
	/* chains are short: one name per address but for conflicting definitions */
	for (p = &z->by_ip[fam].slots[i].idx; *p != NONE; p = &z->hosts[*p].next[fam])
		if (*p == idx) {
			*p = z->hosts[idx].next[fam];
			break;
		}
	if (z->by_ip[fam].slots[i].idx == NONE)
		table_delete_at(&z->by_ip[fam], i);
}

static bool label_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

/* Lowercases the label 'label' into 'buf' (DNS_LABEL_MAX + 1); its length, or -EINVAL. */
static int label_normalize(const char *label, char *buf)
{
	size_t n = 0;

	for (; label[n]; n++) {
		if (n == DNS_LABEL_MAX)
			return -EINVAL;
		buf[n] = lower(label[n]);
		if (!label_char_ok(buf[n]))
			return -EINVAL;
	}
	if (n == 0)
		return -EINVAL;
	buf[n] = '\0';
	return (int)n;
}

static int host_alloc(struct dns_zone *z, uint32_t *ret)
{
	if (z->free_head != NONE) {
		*ret = z->free_head;
		z->free_head = z->hosts[*ret].next[FAM4];
		return 0;
	}
	if (z->hosts_used == z->hosts_alloc) {
		uint32_t n = z->hosts_alloc ? z->hosts_alloc * 2 : 4;
		struct host *v = realloc(z->hosts, sizeof(*v) * n);

		if (!v)
			return -ENOMEM;
		z->hosts = v;
		z->hosts_alloc = n;
	}
	*ret = z->hosts_used++;
	return 0;
}

static void host_set_addr(struct host *h, unsigned fam, unsigned source, const uint8_t *a)
{
	if (fam == FAM4)
		memcpy(&h->ip[source].s_addr, a, 4);
	else
		memcpy(h->ip6[source].s6_addr, a, 16);
}

static int host_add(struct dns_zone *z, const char *label, size_t len, uint32_t hash,
		    unsigned fam, const uint8_t *a, enum dns_zone_source source)
{
	_cleanup_free_ char *fqdn = NULL;
	struct host *h;
	uint32_t idx;
	int r;

	if (z->n_hosts >= DNS_ZONE_RECORDS_MAX)
		return -E2BIG;
	if (len + 1 + z->domain_len > DNS_ZONE_NAME_MAX)
		return -EINVAL;
	/* everything that can fail comes first */
	r = table_reserve(&z->by_name, z->by_name.count + 1);
	if (r < 0)
		return r;
	/* sized by hosts, not addresses: a host moving to a new address (or taking one of the
	 * other family) never needs to grow them */
	for (unsigned f = 0; f < _FAM_MAX; f++) {
		r = table_reserve(&z->by_ip[f], z->n_hosts + 1);
		if (r < 0)
			return r;
	}
	fqdn = malloc(len + 1 + z->domain_len + 1);
	if (!fqdn)
		return -ENOMEM;
	r = host_alloc(z, &idx);
	if (r < 0)
		return r;
	memcpy(fqdn, label, len);
	fqdn[len] = '.';
	memcpy(fqdn + len + 1, z->domain, z->domain_len + 1);
	h = &z->hosts[idx];
	*h = (struct host){ .fqdn = TAKE_PTR(fqdn), .hash = hash, .label_len = (uint8_t)len,
			    .next = { NONE, NONE } };
	h->held[fam] = (uint8_t)(1U << source);
	host_set_addr(h, fam, source, a);
	table_insert(&z->by_name, idx, hash);
	ip_link(z, fam, idx);
	z->n_hosts++;
	return 0;
}

static int zone_set_host(struct dns_zone *z, const char *label, unsigned fam, const uint8_t *a,
			 enum dns_zone_source source)
{
	char buf[DNS_LABEL_MAX + 1];
	uint8_t old[16];
	uint32_t hash, slot, idx;
	struct host *h, next;
	bool had;
	int n;

	if ((unsigned)source >= _DNS_ZONE_SOURCE_MAX)
		return -EINVAL;
	n = label_normalize(label, buf);
	if (n < 0)
		return n;
	hash = name_hash(z, buf, (size_t)n);
	slot = host_find(z, buf, (size_t)n, hash);
	if (slot == NONE) {
		int r = host_add(z, buf, (size_t)n, hash, fam, a, source);

		if (r < 0)
			return r;
		z->serial++;
		return 0;
	}
	idx = z->by_name.slots[slot].idx;
	h = &z->hosts[idx];
	if ((h->held[fam] & (1U << source)) &&
	    memcmp(host_src_addr(h, fam, source), a, fam_len[fam]) == 0)
		return 0;
	had = h->held[fam] != 0;
	if (had)
		memcpy(old, host_addr(h, fam), fam_len[fam]);
	next = *h;
	next.held[fam] |= (uint8_t)(1U << source);
	host_set_addr(&next, fam, source, a);
	/* ip_find() must still see the old address while the host leaves its chain */
	if (had && memcmp(host_addr(&next, fam), old, fam_len[fam]) == 0) {
		*h = next;
	} else {
		if (had)
			ip_unlink(z, fam, idx, old);
		*h = next;
		ip_link(z, fam, idx);
	}
	z->serial++;
	return 0;
}

static void zone_remove_host(struct dns_zone *z, const char *label, unsigned fam,
			     const uint8_t *a, enum dns_zone_source source)
{
	char buf[DNS_LABEL_MAX + 1];
	uint8_t old[16];
	uint32_t hash, slot, idx;
	struct host *h;
	int n;

	if ((unsigned)source >= _DNS_ZONE_SOURCE_MAX)
		return;
	n = label_normalize(label, buf);
	if (n < 0)
		return;
	hash = name_hash(z, buf, (size_t)n);
	slot = host_find(z, buf, (size_t)n, hash);
	if (slot == NONE)
		return;
	idx = z->by_name.slots[slot].idx;
	h = &z->hosts[idx];
	if (!(h->held[fam] & (1U << source)) ||
	    memcmp(host_src_addr(h, fam, source), a, fam_len[fam]) != 0)
		return;
	/* ip_find() on the old address must still see it: unlink before the change */
	memcpy(old, host_addr(h, fam), fam_len[fam]);
	ip_unlink(z, fam, idx, old);
	h->held[fam] &= (uint8_t)~(1U << source);
	if (h->held[fam])
		ip_link(z, fam, idx);
	if (!h->held[FAM4] && !h->held[FAM6]) {
		table_delete_at(&z->by_name, slot);
		free(h->fqdn);
		h->fqdn = NULL;
		h->next[FAM4] = z->free_head;
		z->free_head = idx;
		z->n_hosts--;
	}
	z->serial++;
}

int dns_zone_set_host(struct dns_zone *z, const char *label, struct in_addr ip,
		      enum dns_zone_source source)
{
	return zone_set_host(z, label, FAM4, (const uint8_t *)&ip.s_addr, source);
}

int dns_zone_set_host6(struct dns_zone *z, const char *label, const struct in6_addr *ip,
		       enum dns_zone_source source)
{
	return zone_set_host(z, label, FAM6, ip->s6_addr, source);
}

void dns_zone_remove_host(struct dns_zone *z, const char *label, struct in_addr ip,
			  enum dns_zone_source source)
{
	zone_remove_host(z, label, FAM4, (const uint8_t *)&ip.s_addr, source);
}

void dns_zone_remove_host6(struct dns_zone *z, const char *label, const struct in6_addr *ip,
			   enum dns_zone_source source)
{
	zone_remove_host(z, label, FAM6, ip->s6_addr, source);
}

/* Static records */

/* Checks and lowercases a relative name ("@" or labels); its length, or -EINVAL. */
static int name_normalize(char *name, size_t max)
{
	size_t n = 0, label = 0;

	if (strcmp(name, "@") == 0)
		return 1;
	for (; name[n]; n++) {
		name[n] = lower(name[n]);
		if (name[n] == '.') {
			if (label == 0)
				return -EINVAL;
			label = 0;
			continue;
		}
		if (!label_char_ok(name[n]) || ++label > DNS_LABEL_MAX)
			return -EINVAL;
	}
	if (n == 0 || label == 0 || n > max)
		return -EINVAL;
	return (int)n;
}

static int static_check(const struct dns_zone *z, struct dns_static_record *r)
{
	int n;

	if (!memchr(r->name, '\0', sizeof(r->name)) || !memchr(r->target, '\0', sizeof(r->target)))
		return -EINVAL;
	n = name_normalize(r->name, DNS_ZONE_NAME_MAX);
	if (n < 0)
		return n;
	if (strcmp(r->name, "@") != 0 && (size_t)n + 1 + z->domain_len > DNS_ZONE_NAME_MAX)
		return -EINVAL;
	switch (r->type) {
	case DNS_RECORD_A:
		return 0;
	case DNS_RECORD_TXT:
		return memchr(r->txt, '\0', sizeof(r->txt)) ? 0 : -EINVAL;
	case DNS_RECORD_CNAME:
		if (strcmp(r->name, "@") == 0)
			return -EINVAL;   /* the apex has SOA and NS */
		__attribute__((__fallthrough__));
	case DNS_RECORD_SRV:
		n = (int)strlen(r->target);
		if (n > 0 && r->target[n - 1] == '.')
			r->target[--n] = '\0';
		/* RFC 2782: an SRV target "." says the service is decidedly not there */
		if (n == 0)
			return r->type == DNS_RECORD_SRV ? 0 : -EINVAL;
		if (strcmp(r->target, "@") == 0) {
			memcpy(r->target, z->domain, z->domain_len + 1);
			return 0;
		}
		return name_normalize(r->target, DNS_ZONE_NAME_MAX) < 0 ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

static int cmp_record_ptr(const void *a, const void *b)
{
	const struct dns_static_record *x = *(const struct dns_static_record *const *)a;
	const struct dns_static_record *y = *(const struct dns_static_record *const *)b;
	int c = strcmp(x->name, y->name);

	/* records of one name keep the order given */
	if (c == 0)
		c = x < y ? -1 : x > y;
	return c;
}

/* A set of static records under construction, swapped into the zone when complete. */
struct static_set {
	struct dns_static_record *recs;
	size_t n;
	struct static_name *names;
	size_t n_names, names_alloc;
	struct table table;
};

static void static_set_done(struct static_set *s)
{
	free(s->recs);
	free(s->names);
	free(s->table.slots);
}

static const struct static_name *static_find_in(const struct table *t,
						const struct static_name *names, const char *name,
						size_t len, uint32_t hash)
{
	for (uint32_t i = hash & t->mask; t->slots[i].idx != NONE; i = (i + 1) & t->mask) {
		const struct static_name *sn = &names[t->slots[i].idx];

		if (t->slots[i].hash == hash && sn->len == len && memcmp(sn->name, name, len) == 0)
			return sn;
	}
	return NULL;
}

/* Adds 'name' unless present (records come first, so an empty non-terminal never hides them). */
static int static_set_add(const struct dns_zone *z, struct static_set *s, const char *name,
			  size_t len, uint32_t first, uint32_t n)
{
	uint32_t hash = name_hash(z, name, len);
	int r;

	if (static_find_in(&s->table, s->names, name, len, hash))
		return 0;
	if (s->n_names >= DNS_ZONE_RECORDS_MAX)
		return -E2BIG;
	if (s->n_names == s->names_alloc) {
		size_t na = s->names_alloc ? s->names_alloc * 2 : 16;
		struct static_name *v = realloc(s->names, sizeof(*v) * na);

		if (!v)
			return -ENOMEM;
		s->names = v;
		s->names_alloc = na;
	}
	r = table_reserve(&s->table, (uint32_t)s->n_names + 1);
	if (r < 0)
		return r;
	s->names[s->n_names] = (struct static_name){ .name = name, .len = (uint32_t)len,
						     .first = first, .n = n };
	table_insert(&s->table, (uint32_t)s->n_names, hash);
	s->n_names++;
	return 0;
}

/* Sorts the checked records of 's' by name into 's->recs'. */
static int static_set_sort(struct static_set *s, struct dns_static_record *copy)
{
	_cleanup_free_ const struct dns_static_record **order = NULL;

	order = malloc(sizeof(*order) * (s->n ? s->n : 1));
	s->recs = malloc(sizeof(*s->recs) * (s->n ? s->n : 1));
	if (!order || !s->recs)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		order[i] = &copy[i];
	qsort(order, s->n, sizeof(*order), cmp_record_ptr);
	for (size_t i = 0; i < s->n; i++)
		s->recs[i] = *order[i];
	return 0;
}

/* Indexes the sorted records by name, with the empty non-terminals above them. */
static int static_set_index(const struct dns_zone *z, struct static_set *s)
{
	int r;

	for (size_t i = 0, j; i < s->n; i = j) {
		const char *name = s->recs[i].name;
		bool cname = false;

		for (j = i; j < s->n && strcmp(s->recs[j].name, name) == 0; j++)
			cname |= s->recs[j].type == DNS_RECORD_CNAME;
		/* RFC 1034 §3.6.2: a CNAME has no other data beside it */
		if (cname && j - i > 1)
			return -EINVAL;
		if (strcmp(name, "@") == 0)
			name = "";
		r = static_set_add(z, s, name, strlen(name), (uint32_t)i, (uint32_t)(j - i));
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < s->n; i++)
		for (const char *p = strchr(s->recs[i].name, '.'); p; p = strchr(p + 1, '.')) {
			r = static_set_add(z, s, p + 1, strlen(p + 1), 0, 0);
			if (r < 0)
				return r;
		}
	return 0;
}

int dns_zone_set_static(struct dns_zone *z, const struct dns_static_record *r, size_t n)
{
	_cleanup_free_ struct dns_static_record *copy = NULL;
	struct static_set s = { .n = n };
	int k;

	if (n > DNS_ZONE_RECORDS_MAX)
		return -E2BIG;
	copy = malloc(sizeof(*copy) * (n ? n : 1));
	if (!copy)
		return -ENOMEM;
	if (n)
		memcpy(copy, r, sizeof(*copy) * n);
	for (size_t i = 0; i < n; i++) {
		k = static_check(z, &copy[i]);
		if (k < 0)
			return k;
	}
	k = table_init(&s.table);
	if (k >= 0)
		k = static_set_sort(&s, copy);
	if (k >= 0)
		k = static_set_index(z, &s);
	if (k < 0) {
		static_set_done(&s);
		return k;
	}
	free(z->statics);
	free(z->snames);
	free(z->by_static.slots);
	z->statics = s.recs;
	z->n_statics = s.n;
	z->snames = s.names;
	z->n_snames = s.n_names;
	z->by_static = s.table;
	z->serial++;
	return 0;
}

/* Zone */

int dns_zone_new(const char *domain, const struct in_prefix *subnet, uint32_t ttl_sec,
		 struct dns_zone **ret)
{
	_cleanup_(dns_zone_freep) struct dns_zone *z = NULL;
	size_t len = strlen(domain);
	uint8_t p = subnet->prefixlen;

	if (len == 0 || len > DNS_ZONE_NAME_MAX || p > 32)
		return -EINVAL;
	z = calloc(1, sizeof(*z));
	if (!z)
		return -ENOMEM;
	memcpy(z->domain, domain, len + 1);
	if (name_normalize(z->domain, DNS_ZONE_NAME_MAX) < 0 || strcmp(z->domain, "@") == 0)
		return -EINVAL;
	z->domain_len = len;
	z->prefixlen = p;
	z->mask = p ? ~0U << (32 - p) : 0;
	z->net = in_addr_to_host(subnet->addr) & z->mask;
	z->apex_octets = (uint8_t)((p + 7) / 8);
	if (z->apex_octets == 0)
		z->apex_octets = 1;
	z->ttl = ttl_sec;
	z->serial = 1;
	z->free_head = NONE;
	if (getrandom(z->key, sizeof(z->key), GRND_NONBLOCK) != sizeof(z->key)) {
		/* early boot: a weaker key still spreads names */
		z->key[0] = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)z;
		z->key[1] = (uint64_t)clock() ^ 0x9e3779b97f4a7c15ULL;
	}
	if (table_init(&z->by_name) < 0 || table_init(&z->by_ip[FAM4]) < 0 ||
	    table_init(&z->by_ip[FAM6]) < 0 || table_init(&z->by_static) < 0)
		return -ENOMEM;
	*ret = TAKE_PTR(z);
	return 0;
}

int dns_zone_set_reverse6(struct dns_zone *z, const struct in6_prefix *subnet6)
{
	if (!subnet6) {
		z->has_net6 = false;
		z->serial++;
		return 0;
	}
	/* a zone cut at a nibble boundary; shorter prefixes than /4 would be the whole ip6.arpa */
	if (subnet6->prefixlen < 4 || subnet6->prefixlen > 128)
		return -EINVAL;
	z->has_net6 = true;
	z->prefixlen6 = subnet6->prefixlen;
	z->net6 = in6_addr_mask(&subnet6->addr, subnet6->prefixlen);
	z->apex_nibbles6 = (uint8_t)((subnet6->prefixlen + 3) / 4);
	z->serial++;
	return 0;
}

struct dns_zone *dns_zone_free(struct dns_zone *z)
{
	if (!z)
		return NULL;
	for (uint32_t i = 0; i < z->hosts_used; i++)
		free(z->hosts[i].fqdn);
	free(z->hosts);
	free(z->by_name.slots);
	free(z->by_ip[FAM4].slots);
	free(z->by_ip[FAM6].slots);
	free(z->statics);
	free(z->snames);
	free(z->by_static.slots);
	free(z);
	return NULL;
}

/* Lookups */

static void forward_lookup(const struct dns_zone *z, const char *rel, size_t len,
			   struct dns_zone_node *ret)
{
	uint32_t hash = name_hash(z, rel, len);
	const struct static_name *sn;

	ret->apex_len = z->domain_len;
	ret->apex = len == 0;
	ret->exists = ret->apex;
	sn = static_find_in(&z->by_static, z->snames, rel, len, hash);
	if (sn) {
		ret->exists = true;
		ret->statics = sn->n ? &z->statics[sn->first] : NULL;
		ret->n_statics = sn->n;
	}
	if (len > 0 && len <= DNS_LABEL_MAX && !memchr(rel, '.', len)) {
		uint32_t slot = host_find(z, rel, len, hash);

		if (slot != NONE) {
			const struct host *h = &z->hosts[z->by_name.slots[slot].idx];

			ret->exists = true;
			ret->has_host = h->held[FAM4] != 0;
			if (ret->has_host)
				ret->host_ip = h->ip[host_best(h, FAM4)];
			ret->has_host6 = h->held[FAM6] != 0;
			if (ret->has_host6)
				ret->host_ip6 = h->ip6[host_best(h, FAM6)];
		}
	}
}

/*
 * RFC 1035 §3.5: the name of a.b.c.d is d.c.b.a.in-addr.arpa. A name is ours if its octet
 * labels (read from the right, up to four) pin down at least the subnet's prefix and that prefix
 * is the subnet's: for a /20 those are the 16 /24 zones and everything below them. Labels to the
 * left of the octets are children that do not exist.
 */
static bool reverse_lookup(const struct dns_zone *z, const char *q, size_t len,
			   struct dns_zone_node *ret)
{
	uint32_t addr;
	unsigned k;
	bool child;

	if (!dns_name_parse_reverse4(q, len, &addr, &k, &child))
		return false;
	if (8 * k < z->prefixlen || ((addr ^ z->net) & z->mask) != 0)
		return false;
	ret->reverse = true;
	/* "c.b.a.in-addr.arpa": each octet with its dot, and "in-addr.arpa" */
	ret->apex_len = ARPA_SUFFIX_LEN - 1;
	for (unsigned i = 0; i < z->apex_octets; i++) {
		unsigned v = (addr >> (24 - 8 * i)) & 0xff;

		ret->apex_len += 2 + (v >= 10) + (v >= 100);
	}
	ret->apex = k == z->apex_octets && !child;
	if (child)
		ret->exists = false;
	else if (k == 4) {
		ret->ptr = dns_zone_lookup_ptr(z, in_addr_from_host(addr));
		ret->exists = ret->ptr || ret->apex;
	} else
		/* the apex, or a name between it and the addresses: present or not, never NXDOMAIN
		 * (RFC 8020 resolvers would take everything below for gone) */
		ret->exists = true;
	return true;
}

/*
 * RFC 3596 §2.5: the name of an IPv6 address is its 32 nibbles, lowest first, under ip6.arpa.
 * The reverse zone of a /64 is its 16 nibbles; names between the apex and the addresses exist
 * (empty non-terminals), longer ones do not.
 */
static bool reverse6_lookup(const struct dns_zone *z, const char *q, size_t len,
			    struct dns_zone_node *ret)
{
	struct in6_addr addr, masked;
	unsigned k;
	bool child;

	if (!z->has_net6 || !dns_name_parse_reverse6(q, len, &addr, &k, &child))
		return false;
	masked = in6_addr_mask(&addr, z->prefixlen6);
	if (4 * k < z->prefixlen6 || !in6_addr_equal(&masked, &z->net6))
		return false;
	ret->reverse = true;
	/* "x.y. ... .ip6.arpa": each nibble with its dot, and "ip6.arpa" */
	ret->apex_len = ARPA6_SUFFIX_LEN + 2 * (size_t)z->apex_nibbles6;
	ret->apex = k == z->apex_nibbles6 && !child;
	if (child)
		ret->exists = false;
	else if (k == 32) {
		ret->ptr = dns_zone_lookup_ptr6(z, &addr);
		ret->exists = ret->ptr || ret->apex;
	} else
		ret->exists = true;
	return true;
}

bool dns_zone_lookup(const struct dns_zone *z, const char *qname, size_t len,
		     struct dns_zone_node *ret)
{
	size_t d = z->domain_len;

	*ret = (struct dns_zone_node){};
	if (len == d && memcmp(qname, z->domain, d) == 0) {
		forward_lookup(z, "", 0, ret);
		return true;
	}
	/* the text form escapes dots inside labels, so a '.' here is a label boundary */
	if (len > d && qname[len - d - 1] == '.' && memcmp(qname + len - d, z->domain, d) == 0) {
		forward_lookup(z, qname, len - d - 1, ret);
		return true;
	}
	return reverse_lookup(z, qname, len, ret) || reverse6_lookup(z, qname, len, ret);
}

bool dns_zone_is_authoritative(const struct dns_zone *z, const char *qname)
{
	struct dns_zone_node node;

	return dns_zone_lookup(z, qname, strlen(qname), &node);
}

bool dns_zone_lookup_a(const struct dns_zone *z, const char *qname, struct in_addr *ret)
{
	struct dns_zone_node node;

	if (!dns_zone_lookup(z, qname, strlen(qname), &node) || node.reverse)
		return false;
	for (size_t i = 0; i < node.n_statics; i++)
		if (node.statics[i].type == DNS_RECORD_A) {
			*ret = node.statics[i].a;
			return true;
		}
	if (!node.has_host)
		return false;
	*ret = node.host_ip;
	return true;
}

bool dns_zone_lookup_aaaa(const struct dns_zone *z, const char *qname, struct in6_addr *ret)
{
	struct dns_zone_node node;

	if (!dns_zone_lookup(z, qname, strlen(qname), &node) || node.reverse || !node.has_host6)
		return false;
	*ret = node.host_ip6;
	return true;
}

static const char *ptr_find(const struct dns_zone *z, unsigned fam, const uint8_t *a)
{
	uint32_t slot = ip_find(z, fam, a);
	const struct host *best = NULL;

	if (slot == NONE)
		return NULL;
	for (uint32_t i = z->by_ip[fam].slots[slot].idx; i != NONE; i = z->hosts[i].next[fam])
		if (!best || host_best(&z->hosts[i], fam) < host_best(best, fam))
			best = &z->hosts[i];
	return best->fqdn;
}

const char *dns_zone_lookup_ptr(const struct dns_zone *z, struct in_addr ip)
{
	return ptr_find(z, FAM4, (const uint8_t *)&ip.s_addr);
}

const char *dns_zone_lookup_ptr6(const struct dns_zone *z, const struct in6_addr *ip)
{
	return ptr_find(z, FAM6, ip->s6_addr);
}

const struct dns_static_record *dns_zone_static_get(const struct dns_zone *z, size_t i,
						    size_t *ret_n)
{
	if (ret_n)
		*ret_n = z->n_statics;
	return i < z->n_statics ? &z->statics[i] : NULL;
}

const char *dns_zone_domain(const struct dns_zone *z)
{
	return z->domain;
}

uint32_t dns_zone_ttl(const struct dns_zone *z)
{
	return z->ttl;
}

uint32_t dns_zone_serial(const struct dns_zone *z)
{
	return z->serial;
}
