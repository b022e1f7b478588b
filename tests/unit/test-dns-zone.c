/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for dns/dns-zone: hosts set and removed by source with their priorities, PTR
 * records, static records (sorting, CNAME rules, empty non-terminals), which names are ours in
 * the domain and in the reverse zones of /24, /20, /16 and /25 subnets, serial bumps, the limit,
 * and a churn of leases checked against a plain array.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns-zone.h"
#include "shared/alloc-util.h"
#include "shared/in-addr-util.h"

static struct in_addr A(const char *s)
{
	struct in_addr a;

	assert_int_equal(in_addr_from_string(s, &a), 0);
	return a;
}

static struct dns_zone *zone(const char *domain, const char *subnet)
{
	struct in_prefix p;
	struct dns_zone *z;

	assert_int_equal(in_prefix_from_string(subnet, &p), 0);
	assert_int_equal(dns_zone_new(domain, &p, 60, &z), 0);
	return z;
}

static void assert_a(const struct dns_zone *z, const char *name, const char *ip)
{
	struct in_addr a;
	char buf[INET_ADDRSTRLEN];

	if (!ip) {
		assert_false(dns_zone_lookup_a(z, name, &a));
		return;
	}
	assert_true(dns_zone_lookup_a(z, name, &a));
	assert_string_equal(in_addr_to_string(a, buf), ip);
}

static void assert_ptr(const struct dns_zone *z, const char *ip, const char *name)
{
	const char *p = dns_zone_lookup_ptr(z, A(ip));

	if (!name)
		assert_null(p);
	else {
		assert_non_null(p);
		assert_string_equal(p, name);
	}
}

static void test_new(void **state)
{
	struct in_prefix p = { A("10.0.0.0"), 24 };
	struct dns_zone *z;

	assert_int_equal(dns_zone_new("", &p, 60, &z), -EINVAL);
	assert_int_equal(dns_zone_new("a..b", &p, 60, &z), -EINVAL);
	assert_int_equal(dns_zone_new("bad name", &p, 60, &z), -EINVAL);
	assert_int_equal(dns_zone_new("lab.", &p, 60, &z), -EINVAL);
	assert_int_equal(dns_zone_new("Lab.KVMNET", &p, 60, &z), 0);
	assert_string_equal(dns_zone_domain(z), "lab.kvmnet");
	assert_int_equal(dns_zone_ttl(z), 60);
	dns_zone_free(z);
	assert_null(dns_zone_free(NULL));
}

static void test_hosts(void **state)
{
	struct dns_zone *z = zone("lab.kvmnet", "10.0.0.0/24");
	char label[80];

	assert_int_equal(dns_zone_set_host(z, "gateway", A("10.0.0.1"), DNS_ZONE_SOURCE_GATEWAY),
			 0);
	assert_int_equal(dns_zone_set_host(z, "Web", A("10.0.0.5"), DNS_ZONE_SOURCE_RESERVATION),
			 0);
	assert_a(z, "gateway.lab.kvmnet", "10.0.0.1");
	assert_a(z, "web.lab.kvmnet", "10.0.0.5");
	assert_a(z, "nope.lab.kvmnet", NULL);
	assert_a(z, "web.other", NULL);
	assert_ptr(z, "10.0.0.5", "web.lab.kvmnet");
	assert_ptr(z, "10.0.0.1", "gateway.lab.kvmnet");
	assert_ptr(z, "10.0.0.6", NULL);

	/* a lease moving to another address */
	assert_int_equal(dns_zone_set_host(z, "db", A("10.0.0.20"), DNS_ZONE_SOURCE_LEASE), 0);
	assert_int_equal(dns_zone_set_host(z, "db", A("10.0.0.21"), DNS_ZONE_SOURCE_LEASE), 0);
	assert_a(z, "db.lab.kvmnet", "10.0.0.21");
	assert_ptr(z, "10.0.0.20", NULL);
	assert_ptr(z, "10.0.0.21", "db.lab.kvmnet");

	/* removal needs the same source and address */
	dns_zone_remove_host(z, "db", A("10.0.0.20"), DNS_ZONE_SOURCE_LEASE);
	dns_zone_remove_host(z, "db", A("10.0.0.21"), DNS_ZONE_SOURCE_RESERVATION);
	assert_a(z, "db.lab.kvmnet", "10.0.0.21");
	dns_zone_remove_host(z, "DB", A("10.0.0.21"), DNS_ZONE_SOURCE_LEASE);
	assert_a(z, "db.lab.kvmnet", NULL);
	assert_ptr(z, "10.0.0.21", NULL);
	dns_zone_remove_host(z, "db", A("10.0.0.21"), DNS_ZONE_SOURCE_LEASE);
	dns_zone_remove_host(z, "bad label", A("10.0.0.21"), DNS_ZONE_SOURCE_LEASE);

	/* bad labels */
	assert_int_equal(dns_zone_set_host(z, "", A("10.0.0.9"), DNS_ZONE_SOURCE_LEASE), -EINVAL);
	assert_int_equal(dns_zone_set_host(z, "a.b", A("10.0.0.9"), DNS_ZONE_SOURCE_LEASE),
			 -EINVAL);
	assert_int_equal(dns_zone_set_host(z, "a b", A("10.0.0.9"), DNS_ZONE_SOURCE_LEASE),
			 -EINVAL);
	assert_int_equal(dns_zone_set_host(z, "x", A("10.0.0.9"), _DNS_ZONE_SOURCE_MAX), -EINVAL);
	memset(label, 'a', 64);
	label[64] = '\0';
	assert_int_equal(dns_zone_set_host(z, label, A("10.0.0.9"), DNS_ZONE_SOURCE_LEASE),
			 -EINVAL);
	label[63] = '\0';
	assert_int_equal(dns_zone_set_host(z, label, A("10.0.0.9"), DNS_ZONE_SOURCE_LEASE), 0);
	dns_zone_free(z);
}

static void test_priority(void **state)
{
	struct dns_zone *z = zone("lab.kvmnet", "10.0.0.0/24");

	/* a lease's name taken by a reservation, then by the gateway */
	assert_int_equal(dns_zone_set_host(z, "web", A("10.0.0.7"), DNS_ZONE_SOURCE_LEASE), 0);
	assert_int_equal(dns_zone_set_host(z, "web", A("10.0.0.5"), DNS_ZONE_SOURCE_RESERVATION),
			 0);
	assert_a(z, "web.lab.kvmnet", "10.0.0.5");
	assert_ptr(z, "10.0.0.7", NULL);
	assert_ptr(z, "10.0.0.5", "web.lab.kvmnet");
	assert_int_equal(dns_zone_set_host(z, "web", A("10.0.0.1"), DNS_ZONE_SOURCE_GATEWAY), 0);
	assert_a(z, "web.lab.kvmnet", "10.0.0.1");
	assert_ptr(z, "10.0.0.5", NULL);

	/* a lower source never overrides, whatever the order */
	assert_int_equal(dns_zone_set_host(z, "web", A("10.0.0.8"), DNS_ZONE_SOURCE_LEASE), 0);
	assert_a(z, "web.lab.kvmnet", "10.0.0.1");

	/* the holders below come back when the higher ones go */
	dns_zone_remove_host(z, "web", A("10.0.0.1"), DNS_ZONE_SOURCE_GATEWAY);
	assert_a(z, "web.lab.kvmnet", "10.0.0.5");
	assert_ptr(z, "10.0.0.5", "web.lab.kvmnet");
	dns_zone_remove_host(z, "web", A("10.0.0.5"), DNS_ZONE_SOURCE_RESERVATION);
	assert_a(z, "web.lab.kvmnet", "10.0.0.8");
	assert_ptr(z, "10.0.0.8", "web.lab.kvmnet");
	assert_ptr(z, "10.0.0.5", NULL);

	/* forty names on one address, spreading out to their own: by_ip grows with the names */
	for (unsigned i = 0; i < 40; i++) {
		char label[16];

		snprintf(label, sizeof(label), "s%u", i);
		assert_int_equal(dns_zone_set_host(z, label, A("10.0.0.99"),
						   DNS_ZONE_SOURCE_RESERVATION),
				 0);
		assert_int_equal(dns_zone_set_host(z, label, in_addr_from_host(0x0a000064U + i),
						   DNS_ZONE_SOURCE_LEASE),
				 0);
	}
	for (unsigned i = 0; i < 40; i++) {
		char label[16];

		snprintf(label, sizeof(label), "s%u", i);
		dns_zone_remove_host(z, label, A("10.0.0.99"), DNS_ZONE_SOURCE_RESERVATION);
	}
	assert_ptr(z, "10.0.0.99", NULL);
	assert_ptr(z, "10.0.0.139", "s39.lab.kvmnet");
	assert_a(z, "s0.lab.kvmnet", "10.0.0.100");

	/* two names for one address: PTR names the higher source's */
	assert_int_equal(dns_zone_set_host(z, "alias", A("10.0.0.8"), DNS_ZONE_SOURCE_RESERVATION),
			 0);
	assert_ptr(z, "10.0.0.8", "alias.lab.kvmnet");
	dns_zone_remove_host(z, "alias", A("10.0.0.8"), DNS_ZONE_SOURCE_RESERVATION);
	assert_ptr(z, "10.0.0.8", "web.lab.kvmnet");
	dns_zone_free(z);
}

static void test_serial(void **state)
{
	struct dns_zone *z = zone("lab.kvmnet", "10.0.0.0/24");
	struct dns_static_record r = { .name = "www", .type = DNS_RECORD_A, .a = A("10.0.0.9") };
	uint32_t s = dns_zone_serial(z);

	assert_int_equal(dns_zone_set_host(z, "a", A("10.0.0.5"), DNS_ZONE_SOURCE_LEASE), 0);
	assert_true(dns_zone_serial(z) == s + 1);
	/* the same again is no change */
	assert_int_equal(dns_zone_set_host(z, "a", A("10.0.0.5"), DNS_ZONE_SOURCE_LEASE), 0);
	assert_true(dns_zone_serial(z) == s + 1);
	assert_int_equal(dns_zone_set_host(z, "a", A("10.0.0.6"), DNS_ZONE_SOURCE_LEASE), 0);
	assert_true(dns_zone_serial(z) == s + 2);
	dns_zone_remove_host(z, "a", A("10.0.0.5"), DNS_ZONE_SOURCE_LEASE);
	assert_true(dns_zone_serial(z) == s + 2);
	dns_zone_remove_host(z, "a", A("10.0.0.6"), DNS_ZONE_SOURCE_LEASE);
	assert_true(dns_zone_serial(z) == s + 3);
	assert_int_equal(dns_zone_set_static(z, &r, 1), 0);
	assert_true(dns_zone_serial(z) == s + 4);
	dns_zone_free(z);
}

static void test_static(void **state)
{
	struct dns_zone *z = zone("lab.kvmnet", "10.0.0.0/24");
	struct dns_static_record r[] = {
		{ .name = "www", .type = DNS_RECORD_CNAME, .target = "Web.lab.kvmnet." },
		{ .name = "_http._tcp", .type = DNS_RECORD_SRV, .target = "web.lab.kvmnet",
		  .priority = 1, .weight = 2, .port = 80 },
		{ .name = "multi", .type = DNS_RECORD_A, .a = A("10.0.0.31") },
		{ .name = "@", .type = DNS_RECORD_TXT, .txt = "v=spf1 -all" },
		{ .name = "Multi", .type = DNS_RECORD_A, .a = A("10.0.0.32") },
		{ .name = "multi", .type = DNS_RECORD_TXT, .txt = "hello" },
	};
	const struct dns_static_record *g;
	struct dns_zone_node n;
	size_t count;

	assert_int_equal(dns_zone_set_static(z, r, ELEMENTSOF(r)), 0);
	/* sorted by name, records of one name in the order given */
	g = dns_zone_static_get(z, 0, &count);
	assert_int_equal(count, 6);
	assert_string_equal(g->name, "@");
	assert_string_equal(dns_zone_static_get(z, 1, NULL)->name, "_http._tcp");
	g = dns_zone_static_get(z, 2, NULL);
	assert_string_equal(g->name, "multi");
	assert_int_equal(g->a.s_addr, A("10.0.0.31").s_addr);
	g = dns_zone_static_get(z, 3, NULL);
	assert_string_equal(g->name, "multi");
	assert_int_equal(g->a.s_addr, A("10.0.0.32").s_addr);
	assert_int_equal(dns_zone_static_get(z, 4, NULL)->type, DNS_RECORD_TXT);
	g = dns_zone_static_get(z, 5, NULL);
	assert_string_equal(g->name, "www");
	assert_string_equal(g->target, "web.lab.kvmnet");
	assert_null(dns_zone_static_get(z, 6, NULL));

	assert_true(dns_zone_lookup(z, "multi.lab.kvmnet", 16, &n));
	assert_true(n.exists);
	assert_int_equal(n.n_statics, 3);
	assert_a(z, "multi.lab.kvmnet", "10.0.0.31");
	assert_true(dns_zone_lookup(z, "lab.kvmnet", 10, &n));
	assert_true(n.exists && n.apex);
	assert_int_equal(n.n_statics, 1);
	assert_int_equal(n.statics[0].type, DNS_RECORD_TXT);

	/* "_tcp" exists (an empty non-terminal), "x._tcp" does not */
	assert_true(dns_zone_lookup(z, "_tcp.lab.kvmnet", 15, &n));
	assert_true(n.exists);
	assert_int_equal(n.n_statics, 0);
	assert_true(dns_zone_lookup(z, "x._tcp.lab.kvmnet", 17, &n));
	assert_false(n.exists);

	/* "@" as a target is the domain, "." the root (SRV only) */
	{
		struct dns_static_record t[] = {
			{ .name = "a", .type = DNS_RECORD_CNAME, .target = "@" },
			{ .name = "_x._tcp", .type = DNS_RECORD_SRV, .target = "." },
		};
		struct dns_zone *z2 = zone("lab.kvmnet", "10.0.0.0/24");

		assert_int_equal(dns_zone_set_static(z2, t, 2), 0);
		assert_string_equal(dns_zone_static_get(z2, 0, NULL)->target, "");
		assert_string_equal(dns_zone_static_get(z2, 1, NULL)->target, "lab.kvmnet");
		dns_zone_free(z2);
	}

	/* static A records replace the host's */
	assert_int_equal(dns_zone_set_host(z, "multi", A("10.0.0.40"), DNS_ZONE_SOURCE_LEASE), 0);
	assert_a(z, "multi.lab.kvmnet", "10.0.0.31");

	/* a CNAME alone, never at the apex; bad names; the old set stays */
	r[0].type = DNS_RECORD_CNAME;
	strcpy(r[0].name, "multi");
	assert_int_equal(dns_zone_set_static(z, r, ELEMENTSOF(r)), -EINVAL);
	strcpy(r[0].name, "@");
	assert_int_equal(dns_zone_set_static(z, r, 1), -EINVAL);
	strcpy(r[0].name, "a..b");
	assert_int_equal(dns_zone_set_static(z, r, 1), -EINVAL);
	strcpy(r[0].name, "ok");
	strcpy(r[0].target, "bad target");
	assert_int_equal(dns_zone_set_static(z, r, 1), -EINVAL);
	r[0].type = _DNS_RECORD_TYPE_MAX;
	assert_int_equal(dns_zone_set_static(z, r, 1), -EINVAL);
	r[0].type = DNS_RECORD_CNAME;
	strcpy(r[0].target, ".");
	assert_int_equal(dns_zone_set_static(z, r, 1), -EINVAL);
	dns_zone_static_get(z, 0, &count);
	assert_int_equal(count, 6);
	assert_int_equal(dns_zone_set_static(z, r, DNS_ZONE_RECORDS_MAX + 1), -E2BIG);

	/* replaced by nothing */
	assert_int_equal(dns_zone_set_static(z, NULL, 0), 0);
	dns_zone_static_get(z, 0, &count);
	assert_int_equal(count, 0);
	assert_true(dns_zone_lookup(z, "_tcp.lab.kvmnet", 15, &n));
	assert_false(n.exists);
	assert_a(z, "multi.lab.kvmnet", "10.0.0.40");
	dns_zone_free(z);
}

static bool ours(const struct dns_zone *z, const char *name)
{
	return dns_zone_is_authoritative(z, name);
}

static void test_authoritative_forward(void **state)
{
	struct dns_zone *z = zone("lab.kvmnet", "10.0.0.0/24");
	struct dns_zone_node n;

	assert_true(ours(z, "lab.kvmnet"));
	assert_true(ours(z, "x.lab.kvmnet"));
	assert_true(ours(z, "a.b.lab.kvmnet"));
	assert_false(ours(z, "kvmnet"));
	assert_false(ours(z, "xlab.kvmnet"));
	assert_false(ours(z, "lab.kvmnet.com"));
	assert_false(ours(z, ""));
	/* an escaped dot is no label boundary */
	assert_false(ours(z, "x\\046lab.kvmnet"));
	assert_true(ours(z, "x\\046lab.lab.kvmnet"));

	assert_true(dns_zone_lookup(z, "nope.lab.kvmnet", 15, &n));
	assert_false(n.exists);
	assert_false(n.reverse);
	assert_int_equal(n.apex_len, 10);
	assert_true(dns_zone_lookup(z, "lab.kvmnet", 10, &n));
	assert_true(n.exists && n.apex);
	dns_zone_free(z);
}

static void test_authoritative_reverse(void **state)
{
	struct dns_zone *z = zone("lab.kvmnet", "10.0.0.0/24");
	struct dns_zone_node n;

	assert_int_equal(dns_zone_set_host(z, "gateway", A("10.0.0.1"), DNS_ZONE_SOURCE_GATEWAY),
			 0);
	/* /24: one zone */
	assert_true(ours(z, "0.0.10.in-addr.arpa"));
	assert_true(ours(z, "5.0.0.10.in-addr.arpa"));
	assert_true(ours(z, "x.5.0.0.10.in-addr.arpa"));
	assert_false(ours(z, "0.10.in-addr.arpa"));
	assert_false(ours(z, "10.in-addr.arpa"));
	assert_false(ours(z, "1.0.10.in-addr.arpa"));
	assert_false(ours(z, "5.1.0.10.in-addr.arpa"));
	assert_false(ours(z, "in-addr.arpa"));

	assert_true(dns_zone_lookup(z, "1.0.0.10.in-addr.arpa", 21, &n));
	assert_true(n.reverse && n.exists && !n.apex);
	assert_string_equal(n.ptr, "gateway.lab.kvmnet");
	assert_int_equal(n.apex_len, strlen("0.0.10.in-addr.arpa"));
	assert_true(dns_zone_lookup(z, "2.0.0.10.in-addr.arpa", 21, &n));
	assert_false(n.exists);
	assert_null(n.ptr);
	assert_true(dns_zone_lookup(z, "0.0.10.in-addr.arpa", 19, &n));
	assert_true(n.exists && n.apex);
	assert_true(dns_zone_lookup(z, "x.1.0.0.10.in-addr.arpa", 23, &n));
	assert_false(n.exists);
	dns_zone_free(z);

	/* /20: sixteen /24 zones */
	z = zone("lab.kvmnet", "10.1.16.0/20");
	assert_false(ours(z, "15.1.10.in-addr.arpa"));
	assert_true(ours(z, "16.1.10.in-addr.arpa"));
	assert_true(ours(z, "31.1.10.in-addr.arpa"));
	assert_false(ours(z, "32.1.10.in-addr.arpa"));
	assert_false(ours(z, "1.10.in-addr.arpa"));
	assert_true(ours(z, "200.20.1.10.in-addr.arpa"));
	assert_false(ours(z, "200.40.1.10.in-addr.arpa"));
	assert_true(dns_zone_lookup(z, "200.20.1.10.in-addr.arpa", 24, &n));
	assert_int_equal(n.apex_len, strlen("20.1.10.in-addr.arpa"));
	assert_true(dns_zone_lookup(z, "20.1.10.in-addr.arpa", 20, &n));
	assert_true(n.apex && n.exists);
	dns_zone_free(z);

	/* /16: one zone of two octets, the /24s between it and the addresses exist */
	z = zone("lab.kvmnet", "172.20.0.0/16");
	assert_true(ours(z, "20.172.in-addr.arpa"));
	assert_false(ours(z, "21.172.in-addr.arpa"));
	assert_false(ours(z, "172.in-addr.arpa"));
	assert_true(dns_zone_lookup(z, "20.172.in-addr.arpa", 19, &n));
	assert_true(n.apex && n.exists);
	assert_true(dns_zone_lookup(z, "7.20.172.in-addr.arpa", 21, &n));
	assert_true(n.exists && !n.apex);
	assert_int_equal(n.apex_len, 19);
	assert_true(dns_zone_lookup(z, "9.7.20.172.in-addr.arpa", 23, &n));
	assert_false(n.exists);
	dns_zone_free(z);

	/* /25: only the addresses of the subnet */
	z = zone("lab.kvmnet", "192.168.1.128/25");
	assert_true(ours(z, "129.1.168.192.in-addr.arpa"));
	assert_false(ours(z, "1.1.168.192.in-addr.arpa"));
	assert_false(ours(z, "1.168.192.in-addr.arpa"));
	dns_zone_free(z);
}

/* Leases coming and going, checked against a plain array: the tables' deletions and growth. */
static void test_churn(void **state)
{
	struct dns_zone *z = zone("lab.kvmnet", "10.9.0.0/16");
	static uint32_t held[2048];   /* address's host part + 1 per name, 0 = none */
	unsigned seed = 12345;
	char label[16], name[64];

	memset(held, 0, sizeof(held));
	for (unsigned i = 0; i < 40000; i++) {
		unsigned k, ip;

		seed = seed * 1103515245U + 12345U;
		k = (seed >> 8) % 2048;
		ip = (seed >> 4) % 4000 + 2;
		snprintf(label, sizeof(label), "h%u", k);
		if (held[k]) {
			dns_zone_remove_host(z, label, in_addr_from_host(0x0a090000U + held[k] - 1),
					     DNS_ZONE_SOURCE_LEASE);
			held[k] = 0;
		} else {
			struct in_addr a = in_addr_from_host(0x0a090000U + ip);

			assert_int_equal(dns_zone_set_host(z, label, a, DNS_ZONE_SOURCE_LEASE), 0);
			held[k] = ip + 1;
		}
	}
	for (unsigned k = 0; k < 2048; k++) {
		struct in_addr a;

		snprintf(name, sizeof(name), "h%u.lab.kvmnet", k);
		assert_int_equal(dns_zone_lookup_a(z, name, &a), held[k] != 0);
		if (held[k]) {
			assert_int_equal(in_addr_to_host(a), 0x0a090000U + held[k] - 1);
			assert_non_null(dns_zone_lookup_ptr(z, a));
		}
	}
	dns_zone_free(z);
}

/* The model of test_sources: per label and source, the host part of its address + 1, or 0. */
static uint32_t model[256][_DNS_ZONE_SOURCE_MAX];

static int model_best(unsigned k)
{
	for (int s = 0; s < _DNS_ZONE_SOURCE_MAX; s++)
		if (model[k][s])
			return s;
	return -1;
}

static void model_check(const struct dns_zone *z)
{
	char name[64];

	for (unsigned k = 0; k < 256; k++) {
		int b = model_best(k);

		snprintf(name, sizeof(name), "m%u.lab.kvmnet", k);
		if (b < 0)
			assert_a(z, name, NULL);
		else {
			struct in_addr a;

			assert_true(dns_zone_lookup_a(z, name, &a));
			assert_int_equal(in_addr_to_host(a), 0x0a000000U + model[k][b] - 1);
		}
	}
	/* PTR: a name answering with the address, of the best source among those */
	for (unsigned ip = 1; ip <= 64; ip++) {
		const char *p = dns_zone_lookup_ptr(z, in_addr_from_host(0x0a000000U + ip));
		int want = -1;
		unsigned k;

		for (k = 0; k < 256; k++) {
			int b = model_best(k);

			if (b >= 0 && model[k][b] == ip + 1 && (want < 0 || b < want))
				want = b;
		}
		if (want < 0) {
			assert_null(p);
			continue;
		}
		assert_non_null(p);
		assert_int_equal(sscanf(p, "m%u.", &k), 1);
		assert_true(k < 256);
		assert_int_equal(model_best(k), want);
		assert_int_equal(model[k][want], ip + 1);
	}
}

/* All three sources over few addresses: names shadowing each other, sharing addresses. */
static void test_sources(void **state)
{
	struct dns_zone *z = zone("lab.kvmnet", "10.0.0.0/24");
	unsigned seed = 777;
	char label[16];

	memset(model, 0, sizeof(model));
	for (unsigned i = 1; i <= 60000; i++) {
		unsigned k, s, ip;

		seed = seed * 1103515245U + 12345U;
		k = (seed >> 4) % 256;
		s = (seed >> 12) % _DNS_ZONE_SOURCE_MAX;
		ip = (seed >> 16) % 64 + 1;
		snprintf(label, sizeof(label), "m%u", k);
		if (model[k][s] && (seed >> 28) < 10) {
			struct in_addr a = in_addr_from_host(0x0a000000U + model[k][s] - 1);

			dns_zone_remove_host(z, label, a, s);
			model[k][s] = 0;
		} else {
			struct in_addr a = in_addr_from_host(0x0a000000U + ip);

			assert_int_equal(dns_zone_set_host(z, label, a, s), 0);
			model[k][s] = ip + 1;
		}
		if (i % 10000 == 0)
			model_check(z);
	}
	dns_zone_free(z);
}

static void test_limit(void **state)
{
	struct dns_zone *z = zone("lab.kvmnet", "10.0.0.0/8");
	char label[16];

	for (unsigned i = 0; i < DNS_ZONE_RECORDS_MAX; i++) {
		snprintf(label, sizeof(label), "h%u", i);
		assert_int_equal(dns_zone_set_host(z, label, in_addr_from_host(0x0a000000U + i),
						   DNS_ZONE_SOURCE_LEASE),
				 0);
	}
	assert_int_equal(dns_zone_set_host(z, "one-more", A("10.200.0.1"), DNS_ZONE_SOURCE_LEASE),
			 -E2BIG);
	/* another source for a name held is no new name */
	assert_int_equal(dns_zone_set_host(z, "h7", A("10.200.0.1"), DNS_ZONE_SOURCE_RESERVATION),
			 0);
	assert_a(z, "h7.lab.kvmnet", "10.200.0.1");
	assert_a(z, "h262143.lab.kvmnet", "10.3.255.255");
	dns_zone_remove_host(z, "h1", A("10.0.0.1"), DNS_ZONE_SOURCE_LEASE);
	assert_int_equal(dns_zone_set_host(z, "one-more", A("10.200.0.1"), DNS_ZONE_SOURCE_LEASE),
			 0);
	dns_zone_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_authoritative_forward),
		cmocka_unit_test(test_authoritative_reverse),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
