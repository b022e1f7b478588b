/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for shared/in-addr-util: strict dotted-quad and prefix parsing, formatting, masks,
 * containment, overlap, wrap-around arithmetic and the default gateway/range of a subnet.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "shared/alloc-util.h"
#include "shared/in-addr-util.h"

static struct in_addr A(const char *s)
{
	struct in_addr a;

	assert_int_equal(in_addr_from_string(s, &a), 0);
	return a;
}

static struct in_prefix P(const char *s)
{
	struct in_prefix p;

	assert_int_equal(in_prefix_from_string(s, &p), 0);
	return p;
}

static void assert_addr(struct in_addr a, const char *expected)
{
	char buf[INET_ADDRSTRLEN];

	assert_string_equal(in_addr_to_string(a, buf), expected);
}

static void test_addr_parse_valid(void **state)
{
	static const struct {
		const char *s;
		uint32_t h;
	} ok[] = {
		{ "0.0.0.0", 0 },
		{ "255.255.255.255", 0xffffffff },
		{ "192.168.122.1", 0xc0a87a01 },
		{ "10.0.0.1", 0x0a000001 },
		{ "1.2.3.4", 0x01020304 },
		{ "100.64.0.10", 0x6440000a },
	};

	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		struct in_addr a;

		assert_int_equal(in_addr_from_string(ok[i].s, &a), 0);
		assert_int_equal(in_addr_to_host(a), ok[i].h);
		/* Network order in the struct, as the kernel wants it. */
		assert_int_equal(a.s_addr, htonl(ok[i].h));
		assert_addr(a, ok[i].s);
	}
}

static void test_addr_parse_invalid(void **state)
{
	static const char *const bad[] = {
		/* too few or too many parts, empty parts */
		"", "1.2.3", "1.2.3.4.5", "1..3.4", "1.2.3.", ".1.2.3", "1.2.3.4.", "...",
		/* leading zeros (octal in inet_aton) */
		"01.2.3.4", "1.02.3.4", "1.2.3.04", "00.0.0.0", "010.0.0.0",
		/* blanks and trailing garbage */
		"1.2.3.4 ", " 1.2.3.4", "1.2.3.4\n", "1 .2.3.4", "1.2.3.4x", "1.2.3.4/24",
		/* out of range */
		"256.0.0.1", "1.2.3.256", "999.1.1.1", "1234.1.1.1",
		/* not decimal digits */
		"+1.2.3.4", "-1.2.3.4", "1.2.3.-4", "0x1.2.3.4", "a.b.c.d", "1,2,3,4", "localhost",
		"::1",
	};

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct in_addr a = { .s_addr = 0x5a5a5a5a };

		assert_int_equal(in_addr_from_string(bad[i], &a), -EINVAL);
		/* ret_* is written only on success. */
		assert_int_equal(a.s_addr, 0x5a5a5a5a);
	}
}

static void test_prefix_parse_valid(void **state)
{
	static const struct {
		const char *s;
		uint32_t h;
		uint8_t len;
	} ok[] = {
		{ "10.0.0.0/8", 0x0a000000, 8 },
		{ "192.168.122.0/24", 0xc0a87a00, 24 },
		{ "0.0.0.0/0", 0, 0 },
		{ "1.2.3.4/32", 0x01020304, 32 },
		{ "10.0.0.4/30", 0x0a000004, 30 },
		{ "10.0.0.2/31", 0x0a000002, 31 },
		{ "172.16.0.0/12", 0xac100000, 12 },
	};

	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		char buf[IN_PREFIX_STRLEN];
		struct in_prefix p;

		assert_int_equal(in_prefix_from_string(ok[i].s, &p), 0);
		assert_int_equal(in_addr_to_host(p.addr), ok[i].h);
		assert_int_equal(p.prefixlen, ok[i].len);
		assert_string_equal(in_prefix_to_string(&p, buf), ok[i].s);
	}
}

static void test_prefix_parse_invalid(void **state)
{
	static const char *const bad[] = {
		/* host bits set */
		"10.0.0.1/24", "10.0.0.128/24", "192.168.1.0/16", "0.0.0.1/0", "10.0.0.2/30",
		/* missing or malformed length */
		"10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/100", "10.0.0.0/024",
		"10.0.0.0/08", "10.0.0.0/2a", "10.0.0.0/ 24", "10.0.0.0/24 ", "10.0.0.0/-1",
		"10.0.0.0/+8", "10.0.0.0/24/1", "10.0.0.0//24", "10.0.0.0\\24",
		/* malformed address */
		" 10.0.0.0/24", "/24", "garbage", "", "10.0.0/24", "010.0.0.0/8", "256.0.0.0/8",
	};

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct in_prefix p = { .prefixlen = 99 };

		assert_int_equal(in_prefix_from_string(bad[i], &p), -EINVAL);
		assert_int_equal(p.prefixlen, 99);
	}
}

static void test_addr_prefix_lenient(void **state)
{
	struct in_addr a;
	uint8_t len = 0;

	/* Host bits are allowed here: the caller decides what they mean. */
	assert_int_equal(in_addr_prefix_from_string("10.0.0.1/24", &a, &len), 0);
	assert_addr(a, "10.0.0.1");
	assert_int_equal(len, 24);
	assert_int_equal(in_addr_prefix_from_string("10.0.0.1/32", &a, &len), 0);
	assert_int_equal(len, 32);
	/* Syntax is as strict as in_prefix_from_string(). */
	assert_int_equal(in_addr_prefix_from_string("10.0.0.1", &a, &len), -EINVAL);
	assert_int_equal(in_addr_prefix_from_string("10.0.0.1/33", &a, &len), -EINVAL);
	assert_int_equal(in_addr_prefix_from_string("10.0.0.01/24", &a, &len), -EINVAL);
}

static void test_netmask(void **state)
{
	assert_addr(in_prefixlen_to_netmask(0), "0.0.0.0");
	assert_addr(in_prefixlen_to_netmask(1), "128.0.0.0");
	assert_addr(in_prefixlen_to_netmask(8), "255.0.0.0");
	assert_addr(in_prefixlen_to_netmask(20), "255.255.240.0");
	assert_addr(in_prefixlen_to_netmask(24), "255.255.255.0");
	assert_addr(in_prefixlen_to_netmask(30), "255.255.255.252");
	assert_addr(in_prefixlen_to_netmask(31), "255.255.255.254");
	assert_addr(in_prefixlen_to_netmask(32), "255.255.255.255");
}

static void test_contains(void **state)
{
	struct in_prefix p24 = P("192.168.122.0/24"), p0 = P("0.0.0.0/0"), p32 = P("10.1.2.3/32");

	assert_true(in_prefix_contains(&p24, A("192.168.122.0")));
	assert_true(in_prefix_contains(&p24, A("192.168.122.1")));
	assert_true(in_prefix_contains(&p24, A("192.168.122.255")));
	assert_false(in_prefix_contains(&p24, A("192.168.121.255")));
	assert_false(in_prefix_contains(&p24, A("192.168.123.0")));
	assert_false(in_prefix_contains(&p24, A("10.0.0.1")));

	assert_true(in_prefix_contains(&p0, A("0.0.0.0")));
	assert_true(in_prefix_contains(&p0, A("255.255.255.255")));

	assert_true(in_prefix_contains(&p32, A("10.1.2.3")));
	assert_false(in_prefix_contains(&p32, A("10.1.2.2")));
	assert_false(in_prefix_contains(&p32, A("10.1.2.4")));
}

/* Overlap is symmetric; every case is checked both ways round. */
static void check_overlap(const char *a, const char *b, bool expected)
{
	struct in_prefix pa = P(a), pb = P(b);

	assert_int_equal(in_prefix_overlaps(&pa, &pb), expected);
	assert_int_equal(in_prefix_overlaps(&pb, &pa), expected);
}

static void test_overlaps(void **state)
{
	check_overlap("10.0.0.0/24", "10.0.0.0/24", true);	/* identical */
	check_overlap("10.1.0.0/16", "10.1.0.0/24", true);	/* same start, nested */
	check_overlap("10.1.0.0/16", "10.1.255.0/24", true);	/* nested at the end */
	check_overlap("10.0.0.0/8", "10.255.255.255/32", true); /* last address */
	check_overlap("0.0.0.0/0", "192.168.1.0/24", true);	/* everything */
	check_overlap("10.0.0.0/24", "10.0.1.0/24", false);	/* adjacent */
	check_overlap("10.0.0.0/16", "10.1.0.0/16", false);
	check_overlap("10.0.0.0/25", "10.0.0.128/25", false);	/* halves */
	check_overlap("10.0.0.0/24", "10.0.0.128/25", true);
	check_overlap("10.0.0.4/30", "10.0.0.8/30", false);
	check_overlap("10.0.0.4/30", "10.0.0.7/32", true);
	check_overlap("10.0.0.4/30", "10.0.0.8/32", false);
	check_overlap("192.168.0.0/16", "172.16.0.0/12", false);
	check_overlap("1.2.3.4/32", "1.2.3.4/32", true);
	check_overlap("1.2.3.4/32", "1.2.3.5/32", false);
}

static void test_first_last(void **state)
{
	struct in_prefix p;

	p = P("192.168.122.0/24");
	assert_addr(in_prefix_first(&p), "192.168.122.0");
	assert_addr(in_prefix_last(&p), "192.168.122.255");
	p = P("10.0.0.4/30");
	assert_addr(in_prefix_first(&p), "10.0.0.4");
	assert_addr(in_prefix_last(&p), "10.0.0.7");
	p = P("10.0.0.2/31");
	assert_addr(in_prefix_first(&p), "10.0.0.2");
	assert_addr(in_prefix_last(&p), "10.0.0.3");
	p = P("10.0.0.9/32");
	assert_addr(in_prefix_first(&p), "10.0.0.9");
	assert_addr(in_prefix_last(&p), "10.0.0.9");
	p = P("0.0.0.0/0");
	assert_addr(in_prefix_first(&p), "0.0.0.0");
	assert_addr(in_prefix_last(&p), "255.255.255.255");
	p = P("172.16.0.0/12");
	assert_addr(in_prefix_last(&p), "172.31.255.255");

	/* A prefix that was not normalised still yields its network and broadcast. */
	p.addr = A("10.0.0.77");
	p.prefixlen = 24;
	assert_addr(in_prefix_first(&p), "10.0.0.0");
	assert_addr(in_prefix_last(&p), "10.0.0.255");
	assert_true(in_prefix_contains(&p, A("10.0.0.1")));
}

static void test_add(void **state)
{
	assert_addr(in_addr_add(A("10.0.0.1"), 1), "10.0.0.2");
	assert_addr(in_addr_add(A("10.0.0.255"), 1), "10.0.1.0");
	assert_addr(in_addr_add(A("10.0.1.0"), -1), "10.0.0.255");
	assert_addr(in_addr_add(A("10.0.0.1"), 0), "10.0.0.1");
	assert_addr(in_addr_add(A("255.255.255.255"), 1), "0.0.0.0");
	assert_addr(in_addr_add(A("0.0.0.0"), -1), "255.255.255.255");
	assert_addr(in_addr_add(A("1.2.3.4"), INT64_C(1) << 32), "1.2.3.4");
	assert_addr(in_addr_add(A("1.2.3.4"), -(INT64_C(1) << 32)), "1.2.3.4");
	assert_addr(in_addr_add(A("0.0.0.0"), 0x01020304), "1.2.3.4");
	assert_addr(in_addr_add(A("1.2.3.4"), INT64_MIN), "1.2.3.4");
}

static void test_host_order(void **state)
{
	struct in_addr a = in_addr_from_host(0xc0a87a01);

	assert_addr(a, "192.168.122.1");
	assert_int_equal(in_addr_to_host(a), 0xc0a87a01);
	assert_true(in_addr_to_host(A("10.0.0.2")) < in_addr_to_host(A("10.0.0.10")));
	assert_true(in_addr_to_host(A("9.255.255.255")) < in_addr_to_host(A("10.0.0.0")));
	assert_true(in_addr_equal(A("1.2.3.4"), in_addr_from_host(0x01020304)));
	assert_false(in_addr_equal(A("1.2.3.4"), A("4.3.2.1")));
}

static void test_default_gateway(void **state)
{
	struct in_addr gw = A("9.9.9.9");
	struct in_prefix p;

	p = P("192.168.122.0/24");
	assert_int_equal(in_prefix_default_gateway(&p, &gw), 0);
	assert_addr(gw, "192.168.122.1");
	p = P("10.0.0.0/8");
	assert_int_equal(in_prefix_default_gateway(&p, &gw), 0);
	assert_addr(gw, "10.0.0.1");
	p = P("10.0.0.4/30");
	assert_int_equal(in_prefix_default_gateway(&p, &gw), 0);
	assert_addr(gw, "10.0.0.5");

	/* /31 and /32 have no room for a gateway and a guest. */
	gw = A("9.9.9.9");
	p = P("10.0.0.2/31");
	assert_int_equal(in_prefix_default_gateway(&p, &gw), -EINVAL);
	p = P("10.0.0.2/32");
	assert_int_equal(in_prefix_default_gateway(&p, &gw), -EINVAL);
	assert_addr(gw, "9.9.9.9");
}

static void test_default_range(void **state)
{
	struct in_addr first = A("9.9.9.9"), last = A("9.9.9.9");
	struct in_prefix p;

	p = P("192.168.122.0/24");
	assert_int_equal(in_prefix_default_range(&p, &first, &last), 0);
	assert_addr(first, "192.168.122.2");
	assert_addr(last, "192.168.122.254");

	p = P("10.20.0.0/16");
	assert_int_equal(in_prefix_default_range(&p, &first, &last), 0);
	assert_addr(first, "10.20.0.2");
	assert_addr(last, "10.20.255.254");

	/* /30: network .4, gateway .5, one guest .6, broadcast .7. */
	p = P("10.0.0.4/30");
	assert_int_equal(in_prefix_default_range(&p, &first, &last), 0);
	assert_addr(first, "10.0.0.6");
	assert_addr(last, "10.0.0.6");

	p = P("10.0.0.0/29");
	assert_int_equal(in_prefix_default_range(&p, &first, &last), 0);
	assert_addr(first, "10.0.0.2");
	assert_addr(last, "10.0.0.6");

	first = last = A("9.9.9.9");
	p = P("10.0.0.2/31");
	assert_int_equal(in_prefix_default_range(&p, &first, &last), -EINVAL);
	p = P("10.0.0.2/32");
	assert_int_equal(in_prefix_default_range(&p, &first, &last), -EINVAL);
	assert_addr(first, "9.9.9.9");
	assert_addr(last, "9.9.9.9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_parse_valid),
		cmocka_unit_test(test_addr_parse_invalid),
		cmocka_unit_test(test_prefix_parse_valid),
		cmocka_unit_test(test_prefix_parse_invalid),
		cmocka_unit_test(test_addr_prefix_lenient),
		cmocka_unit_test(test_netmask),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_first_last),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_host_order),
		cmocka_unit_test(test_default_gateway),
		cmocka_unit_test(test_default_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
