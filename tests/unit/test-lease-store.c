/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lease/lease-store: lookups by address and identity, one lease per identity, the
 * free search's order (never used, then ended longest ago), exclusions, a full pool, expiry, the
 * change callback (durable states only; none on restore) and a /16 pool filled to the last
 * address.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lease/lease-store.h"
#include "lease/lease.h"
#include "shared/alloc-util.h"
#include "shared/in-addr-util.h"

struct change {
	struct lease l;
	bool removed;
};

struct recorder {
	struct change log[64];
	size_t n;
	size_t total;
};

static void record(const struct lease *l, bool removed, void *data)
{
	struct recorder *r = data;

	assert_int_not_equal(l->state, LEASE_OFFERED);
	if (r->n < ELEMENTSOF(r->log))
		r->log[r->n++] = (struct change){ .l = *l, .removed = removed };
	r->total++;
}

static struct in_addr A(const char *s)
{
	struct in_addr a;

	assert_int_equal(in_addr_from_string(s, &a), 0);
	return a;
}

static void assert_addr(struct in_addr a, const char *expected)
{
	char buf[INET_ADDRSTRLEN];

	assert_string_equal(in_addr_to_string(a, buf), expected);
}

static struct lease L(const char *ip, const char *id, enum lease_state st, uint64_t expires)
{
	struct lease l = { .ip = A(ip), .state = st, .expires = expires };

	l.id_len = (uint8_t)strlen(id);
	memcpy(l.id, id, l.id_len);
	return l;
}

static struct lease_store *store_new(const char *first, const char *last, struct recorder *rec)
{
	struct lease_store *s;

	assert_int_equal(lease_store_new(A(first), A(last), rec ? record : NULL, rec, &s), 0);
	return s;
}

static void test_siphash_vectors(void **state)
{
	uint8_t key[16], msg[15];

	for (size_t i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (size_t i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	/* the reference vectors of the SipHash paper, appendix A, and its test list */
	assert_true(lease_id_hash(msg, 15, key) == 0xa129ca6149be45e5ULL);
	assert_true(lease_id_hash(msg, 0, key) == 0x726fdb47dd0e0e31ULL);
	assert_string_equal(lease_state_to_string(LEASE_BOUND), "bound");
	assert_null(lease_state_to_string(_LEASE_STATE_MAX));
}

static void test_put_find_replace_remove(void **state)
{
	struct recorder rec = { 0 };
	struct lease_store *s = store_new("10.0.0.10", "10.0.0.20", &rec);
	struct lease l = L("10.0.0.10", "alice", LEASE_BOUND, 1000);
	const struct lease *f;

	strcpy(l.hostname, "alice-vm");
	assert_int_equal(lease_store_put(s, &l), 0);
	assert_int_equal(lease_store_count(s), 1);
	f = lease_store_find_by_ip(s, A("10.0.0.10"));
	assert_non_null(f);
	assert_string_equal(f->hostname, "alice-vm");
	assert_ptr_equal(lease_store_find_by_id(s, (const uint8_t *)"alice", 5), f);
	assert_null(lease_store_find_by_id(s, (const uint8_t *)"alic", 4));
	assert_null(lease_store_find_by_ip(s, A("10.0.0.11")));
	assert_int_equal(rec.n, 1);
	assert_false(rec.log[0].removed);

	/* replace at the same address, other identity */
	l = L("10.0.0.10", "bob", LEASE_BOUND, 2000);
	assert_int_equal(lease_store_put(s, &l), 0);
	assert_int_equal(lease_store_count(s), 1);
	assert_null(lease_store_find_by_id(s, (const uint8_t *)"alice", 5));
	assert_non_null(lease_store_find_by_id(s, (const uint8_t *)"bob", 3));
	assert_int_equal(lease_store_find_by_ip(s, A("10.0.0.10"))->expires, 2000);

	assert_int_equal(lease_store_remove(s, A("10.0.0.10")), 0);
	assert_int_equal(lease_store_remove(s, A("10.0.0.10")), -ENOENT);
	assert_int_equal(lease_store_count(s), 0);
	assert_true(rec.log[rec.n - 1].removed);
	assert_null(lease_store_find_by_id(s, (const uint8_t *)"bob", 3));

	/* identity too long */
	l = L("10.0.0.11", "x", LEASE_BOUND, 1);
	l.id_len = LEASE_CLIENT_ID_MAX + 1;
	assert_int_equal(lease_store_put(s, &l), -EINVAL);
	lease_store_free(s);
}

static void test_identity_unique(void **state)
{
	struct recorder rec = { 0 };
	struct lease_store *s = store_new("10.0.0.10", "10.0.0.20", &rec);
	struct lease l = L("10.0.0.10", "alice", LEASE_BOUND, 1000);

	assert_int_equal(lease_store_put(s, &l), 0);
	l = L("10.0.0.12", "alice", LEASE_BOUND, 1000);
	assert_int_equal(lease_store_put(s, &l), 0);
	assert_int_equal(lease_store_count(s), 1);
	assert_null(lease_store_find_by_ip(s, A("10.0.0.10")));
	assert_addr(lease_store_find_by_id(s, (const uint8_t *)"alice", 5)->ip, "10.0.0.12");
	/* the old binding was reported removed, then the new one stored */
	assert_int_equal(rec.n, 3);
	assert_true(rec.log[1].removed);
	assert_addr(rec.log[1].l.ip, "10.0.0.10");
	assert_false(rec.log[2].removed);

	/* leases without identity are found by address only and never collide */
	l = L("10.0.0.13", "", LEASE_DECLINED, 500);
	assert_int_equal(lease_store_put(s, &l), 0);
	l = L("10.0.0.14", "", LEASE_DECLINED, 500);
	assert_int_equal(lease_store_put(s, &l), 0);
	assert_int_equal(lease_store_count(s), 3);
	assert_null(lease_store_find_by_id(s, (const uint8_t *)"", 0));
	lease_store_free(s);
}

static void test_offered_not_reported(void **state)
{
	struct recorder rec = { 0 };
	struct lease_store *s = store_new("10.0.0.10", "10.0.0.20", &rec);
	struct lease l = L("10.0.0.10", "alice", LEASE_OFFERED, 60);

	assert_int_equal(lease_store_put(s, &l), 0);
	assert_int_equal(lease_store_remove(s, A("10.0.0.10")), 0);
	assert_int_equal(rec.total, 0);

	/* an offer replacing another client's released lease reports that lease gone */
	l = L("10.0.0.11", "bob", LEASE_RELEASED, 10);
	assert_int_equal(lease_store_put(s, &l), 0);
	l = L("10.0.0.11", "carol", LEASE_OFFERED, 70);
	assert_int_equal(lease_store_put(s, &l), 0);
	assert_int_equal(rec.n, 2);
	assert_true(rec.log[1].removed);
	assert_memory_equal(rec.log[1].l.id, "bob", 3);

	/* ...but not when it is the same client's */
	l = L("10.0.0.12", "dave", LEASE_RELEASED, 10);
	assert_int_equal(lease_store_put(s, &l), 0);
	l.state = LEASE_OFFERED;
	assert_int_equal(lease_store_put(s, &l), 0);
	assert_int_equal(rec.n, 3);
	lease_store_free(s);
}

static void test_restore_forget(void **state)
{
	struct recorder rec = { 0 };
	struct lease_store *s = store_new("10.0.0.10", "10.0.0.20", &rec);
	struct lease l = L("10.0.0.15", "alice", LEASE_BOUND, 1000);
	struct in_addr a;

	assert_int_equal(lease_store_restore(s, &l), 0);
	l = L("10.0.0.16", "alice", LEASE_BOUND, 1000);
	assert_int_equal(lease_store_restore(s, &l), 0);
	assert_int_equal(lease_store_count(s), 1);
	assert_int_equal(lease_store_forget(s, A("10.0.0.16")), 0);
	assert_int_equal(lease_store_forget(s, A("10.0.0.16")), -ENOENT);
	assert_int_equal(rec.total, 0);
	/* a restored lease inside the pool is not offered as never used */
	l = L("10.0.0.10", "bob", LEASE_BOUND, 1000);
	assert_int_equal(lease_store_restore(s, &l), 0);
	assert_int_equal(lease_store_find_free(s, 0, NULL, NULL, &a), 0);
	assert_addr(a, "10.0.0.11");
	lease_store_free(s);
}

static void fill(struct lease_store *s, uint64_t now, const char *prefix, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct lease l = { .state = LEASE_BOUND, .expires = now + 3600 };

		assert_int_equal(lease_store_find_free(s, now, NULL, NULL, &l.ip), 0);
		l.id_len = (uint8_t)snprintf((char *)l.id, sizeof(l.id), "%s%zu", prefix, i);
		assert_int_equal(lease_store_put(s, &l), 0);
	}
}

static void test_find_free_order(void **state)
{
	struct lease_store *s = store_new("10.0.0.10", "10.0.0.14", NULL);
	struct lease l;
	struct in_addr a;

	/* never used, in order */
	assert_int_equal(lease_store_find_free(s, 100, NULL, NULL, &a), 0);
	assert_addr(a, "10.0.0.10");
	/* not taken yet: the same again */
	assert_int_equal(lease_store_find_free(s, 100, NULL, NULL, &a), 0);
	assert_addr(a, "10.0.0.10");
	fill(s, 100, "c", 5);
	assert_int_equal(lease_store_find_free(s, 100, NULL, NULL, &a), -ENOSPC);

	/* then the one that ended longest ago */
	l = *lease_store_find_by_ip(s, A("10.0.0.13"));
	l.state = LEASE_RELEASED;
	l.expires = 150;
	assert_int_equal(lease_store_put(s, &l), 0);
	l = *lease_store_find_by_ip(s, A("10.0.0.11"));
	l.state = LEASE_RELEASED;
	l.expires = 120;
	assert_int_equal(lease_store_put(s, &l), 0);
	assert_int_equal(lease_store_find_free(s, 200, NULL, NULL, &a), 0);
	assert_addr(a, "10.0.0.11");
	l = L("10.0.0.11", "new", LEASE_OFFERED, 260);
	assert_int_equal(lease_store_put(s, &l), 0);
	assert_int_equal(lease_store_find_free(s, 200, NULL, NULL, &a), 0);
	assert_addr(a, "10.0.0.13");

	/* an expired binding counts too, by its expiry; a live decline does not */
	l = L("10.0.0.13", "", LEASE_DECLINED, 1000);
	assert_int_equal(lease_store_put(s, &l), 0);
	l = *lease_store_find_by_ip(s, A("10.0.0.14"));
	l.expires = 300;
	assert_int_equal(lease_store_put(s, &l), 0);
	assert_int_equal(lease_store_find_free(s, 250, NULL, NULL, &a), -ENOSPC);
	assert_int_equal(lease_store_find_free(s, 270, NULL, NULL, &a), 0);
	assert_addr(a, "10.0.0.11");
	/* the offer (until 260) ended before the binding (300) */
	assert_int_equal(lease_store_find_free(s, 400, NULL, NULL, &a), 0);
	assert_addr(a, "10.0.0.11");
	l = L("10.0.0.11", "new", LEASE_BOUND, 5000);
	assert_int_equal(lease_store_put(s, &l), 0);
	assert_int_equal(lease_store_find_free(s, 400, NULL, NULL, &a), 0);
	assert_addr(a, "10.0.0.14");
	/* the decline ends at 1000 */
	assert_int_equal(lease_store_remove(s, A("10.0.0.11")), 0);
	l = L("10.0.0.14", "x", LEASE_BOUND, 5000);
	assert_int_equal(lease_store_put(s, &l), 0);
	assert_int_equal(lease_store_find_free(s, 999, NULL, NULL, &a), 0);
	assert_addr(a, "10.0.0.11"); /* removed: as good as never used */
	l = L("10.0.0.11", "y", LEASE_BOUND, 5000);
	assert_int_equal(lease_store_put(s, &l), 0);
	assert_int_equal(lease_store_find_free(s, 999, NULL, NULL, &a), -ENOSPC);
	assert_int_equal(lease_store_find_free(s, 1000, NULL, NULL, &a), 0);
	assert_addr(a, "10.0.0.13");
	lease_store_free(s);
}

struct excl {
	uint32_t ips[8];
	size_t n;
	size_t calls;
};

static bool excluded(struct in_addr a, void *data)
{
	struct excl *e = data;

	e->calls++;
	for (size_t i = 0; i < e->n; i++)
		if (in_addr_to_host(a) == e->ips[i])
			return true;
	return false;
}

static void test_exclusions(void **state)
{
	struct lease_store *s = store_new("10.0.0.10", "10.0.0.13", NULL);
	struct excl e = { .ips = { 0x0a00000a, 0x0a00000c }, .n = 2 };
	struct lease l;
	struct in_addr a;

	assert_int_equal(lease_store_find_free(s, 0, excluded, &e, &a), 0);
	assert_addr(a, "10.0.0.11");
	l = L("10.0.0.11", "a", LEASE_BOUND, 100);
	assert_int_equal(lease_store_put(s, &l), 0);
	assert_int_equal(lease_store_find_free(s, 0, excluded, &e, &a), 0);
	assert_addr(a, "10.0.0.13");
	l = L("10.0.0.13", "b", LEASE_BOUND, 100);
	assert_int_equal(lease_store_put(s, &l), 0);
	/* only excluded addresses left: full, and answered without asking again */
	assert_int_equal(lease_store_find_free(s, 0, excluded, &e, &a), -ENOSPC);
	e.calls = 0;
	for (int i = 0; i < 100; i++)
		assert_int_equal(lease_store_find_free(s, 0, excluded, &e, &a), -ENOSPC);
	assert_int_equal(e.calls, 0);

	/* a released lease at an excluded address is set aside as well */
	l = L("10.0.0.11", "a", LEASE_RELEASED, 50);
	assert_int_equal(lease_store_put(s, &l), 0);
	e.ips[2] = 0x0a00000b;
	e.n = 3;
	assert_int_equal(lease_store_find_free(s, 60, excluded, &e, &a), -ENOSPC);

	/* the exclusions change: everything is looked at again */
	e.n = 1;
	lease_store_reset_excluded(s);
	assert_int_equal(lease_store_find_free(s, 60, excluded, &e, &a), 0);
	assert_addr(a, "10.0.0.12");
	l = L("10.0.0.12", "c", LEASE_BOUND, 100);
	assert_int_equal(lease_store_put(s, &l), 0);
	assert_int_equal(lease_store_find_free(s, 60, excluded, &e, &a), 0);
	assert_addr(a, "10.0.0.11");
	lease_store_free(s);
}

static void test_expire(void **state)
{
	struct recorder rec = { 0 };
	struct lease_store *s = store_new("10.0.0.10", "10.0.0.20", &rec);
	struct lease l;

	l = L("10.0.0.10", "a", LEASE_BOUND, 100);
	assert_int_equal(lease_store_put(s, &l), 0);
	l = L("10.0.0.11", "b", LEASE_OFFERED, 50);
	assert_int_equal(lease_store_put(s, &l), 0);
	l = L("10.0.0.12", "c", LEASE_BOUND, 300);
	assert_int_equal(lease_store_put(s, &l), 0);
	/* a reservation's binding outside the pool expires too */
	l = L("10.0.0.2", "d", LEASE_BOUND, 200);
	assert_int_equal(lease_store_put(s, &l), 0);
	rec.n = 0;

	assert_int_equal(lease_store_expire(s, 10), 50);
	assert_int_equal(lease_store_expire(s, 50), 100);
	assert_null(lease_store_find_by_ip(s, A("10.0.0.11")));
	assert_int_equal(rec.n, 0);
	assert_int_equal(lease_store_expire(s, 250), 300);
	assert_int_equal(rec.n, 2);
	assert_int_equal(lease_store_find_by_ip(s, A("10.0.0.10"))->state, LEASE_RELEASED);
	assert_int_equal(lease_store_find_by_ip(s, A("10.0.0.2"))->state, LEASE_RELEASED);
	assert_int_equal(rec.log[0].l.state, LEASE_RELEASED);
	assert_false(rec.log[0].removed);
	/* still remembered for its client */
	assert_non_null(lease_store_find_by_id(s, (const uint8_t *)"a", 1));
	assert_int_equal(lease_store_expire(s, 1000), 0);
	assert_int_equal(lease_store_count(s), 3);
	lease_store_free(s);
}

static int collect(const struct lease *l, void *data)
{
	uint32_t **p = data;

	*(*p)++ = in_addr_to_host(l->ip);
	return 0;
}

static int stop(const struct lease *l, void *data)
{
	return -ECANCELED;
}

static void test_foreach_and_range(void **state)
{
	struct lease_store *s = store_new("10.0.0.10", "10.0.0.20", NULL);
	const char *ips[] = { "10.0.0.15", "10.0.0.3", "10.0.0.12", "10.0.0.20" };
	uint32_t got[8], *p = got;
	struct lease l;
	struct in_addr a;

	for (size_t i = 0; i < ELEMENTSOF(ips); i++) {
		char id[8];

		snprintf(id, sizeof(id), "id%zu", i);
		l = L(ips[i], id, LEASE_BOUND, 100);
		assert_int_equal(lease_store_put(s, &l), 0);
	}
	assert_int_equal(lease_store_foreach(s, collect, &p), 0);
	assert_int_equal(p - got, 4);
	assert_int_equal(got[0], 0x0a000003);
	assert_int_equal(got[1], 0x0a00000c);
	assert_int_equal(got[2], 0x0a00000f);
	assert_int_equal(got[3], 0x0a000014);
	assert_int_equal(lease_store_foreach(s, stop, NULL), -ECANCELED);

	/* a new range: leases stay, the search follows */
	assert_int_equal(lease_store_set_range(s, A("10.0.0.2"), A("10.0.0.4")), 0);
	assert_int_equal(lease_store_count(s), 4);
	assert_int_equal(lease_store_find_free(s, 0, NULL, NULL, &a), 0);
	assert_addr(a, "10.0.0.2");
	assert_int_equal(lease_store_set_range(s, A("10.0.0.4"), A("10.0.0.2")), -EINVAL);
	assert_int_equal(lease_store_set_range(s, A("10.0.0.0"), A("12.0.0.0")), -E2BIG);
	lease_store_free(s);
}

static void test_large_pool(void **state)
{
	struct lease_store *s = store_new("10.1.0.1", "10.1.255.254", NULL);
	struct in_addr a;
	struct lease l;

	/* a /16 filled to the last address */
	fill(s, 1000, "m", 65534);
	assert_int_equal(lease_store_count(s), 65534);
	assert_int_equal(lease_store_find_free(s, 1000, NULL, NULL, &a), -ENOSPC);
	assert_non_null(lease_store_find_by_id(s, (const uint8_t *)"m40000", 6));
	assert_addr(lease_store_find_by_id(s, (const uint8_t *)"m0", 2)->ip, "10.1.0.1");
	assert_addr(lease_store_find_by_id(s, (const uint8_t *)"m65533", 6)->ip, "10.1.255.254");

	/* one freed in the middle is found at once */
	assert_int_equal(lease_store_remove(s, A("10.1.128.7")), 0);
	assert_int_equal(lease_store_find_free(s, 1000, NULL, NULL, &a), 0);
	assert_addr(a, "10.1.128.7");
	l = L("10.1.128.7", "back", LEASE_BOUND, 4600);
	assert_int_equal(lease_store_put(s, &l), 0);

	/* everything expires */
	assert_int_equal(lease_store_expire(s, 4600), 0);
	assert_int_equal(lease_store_count(s), 65534);
	assert_int_equal(lease_store_find_free(s, 4600, NULL, NULL, &a), 0);
	assert_addr(a, "10.1.0.1");
	lease_store_free(s);

	/* a /8 pool costs no eager memory worth speaking of and works */
	s = store_new("10.0.0.2", "10.255.255.254", NULL);
	assert_int_equal(lease_store_find_free(s, 0, NULL, NULL, &a), 0);
	assert_addr(a, "10.0.0.2");
	lease_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_put_find_replace_remove),
		cmocka_unit_test(test_identity_unique),
		cmocka_unit_test(test_offered_not_reported),
		cmocka_unit_test(test_restore_forget),
		cmocka_unit_test(test_find_free_order),
		cmocka_unit_test(test_exclusions),
		cmocka_unit_test(test_expire),
		cmocka_unit_test(test_foreach_and_range),
		cmocka_unit_test(test_large_pool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
