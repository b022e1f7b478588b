/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for config/conf-host: MAC parsing and formatting, host name labels, and the
 * reservation set (sorted by MAC, unique MAC/address/name, checks against the network, limits,
 * copies).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-host.h"
#include "config/conf-network.h"
#include "shared/alloc-util.h"
#include "shared/in-addr-util.h"

/* A finished 10.0.0.0/24 network: gateway 10.0.0.1. */
static void network(struct network_config *c, const char *subnet)
{
	char err[256] = "";

	network_config_init(c);
	assert_int_equal(network_config_set(c, "name", "lab", err, sizeof(err)), 0);
	assert_int_equal(network_config_set(c, "subnet", subnet, err, sizeof(err)), 0);
	assert_int_equal(network_config_finish(c, err, sizeof(err)), 0);
}

static struct network_host host(const char *name, const char *mac, const char *ip)
{
	struct network_host h = { 0 };

	assert_true(strlen(name) < sizeof(h.name));
	strcpy(h.name, name);
	assert_int_equal(mac_from_string(mac, h.mac), 0);
	assert_int_equal(in_addr_from_string(ip, &h.ip), 0);
	return h;
}

static void add_ok(struct network_hosts *hs, const struct network_config *c, const char *name,
		   const char *mac, const char *ip)
{
	struct network_host h = host(name, mac, ip);
	char err[256] = "";
	int r = network_hosts_add(hs, &h, c, err, sizeof(err));

	if (r != 0)
		fail_msg("add %s %s %s: %s", name, mac, ip, err);
}

/* Adding fails with 'r' and exactly 'msg', and leaves 'hs' as it was. */
static void add_error(struct network_hosts *hs, const struct network_config *c,
		      const struct network_host *h, int r, const char *msg)
{
	_cleanup_(network_hosts_done) struct network_hosts before = { 0 };
	char err[256] = "";

	assert_int_equal(network_hosts_copy(&before, hs), 0);
	assert_int_equal(network_hosts_add(hs, h, c, err, sizeof(err)), r);
	assert_string_equal(err, msg);
	assert_true(network_hosts_equal(hs, &before));
}

static void test_mac_from_string(void **state)
{
	static const char *const bad[] = {
		"", "52:54:00:12:34", "52:54:00:12:34:56:78", "52:54:00:12:34:5", "52:54:00:12:34:5g",
		"52-54:00:12:34:56", "52:54:00:12:34-56", "52.54.00.12.34.56", "525400123456",
		" 52:54:00:12:34:56", "52:54:00:12:34:56 ", "52:54:00:12:3:456", "+2:54:00:12:34:56",
	};
	uint8_t mac[6], keep[6] = { 1, 2, 3, 4, 5, 6 };
	char buf[MAC_STRLEN];

	assert_int_equal(mac_from_string("52:54:00:12:34:56", mac), 0);
	assert_memory_equal(mac, ((uint8_t[]){ 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }), 6);
	assert_int_equal(mac_from_string("AA-bb-CC-dd-EE-ff", mac), 0);
	assert_memory_equal(mac, ((uint8_t[]){ 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff }), 6);
	assert_string_equal(mac_to_string(mac, buf), "aa:bb:cc:dd:ee:ff");
	assert_int_equal(mac_from_string("00:00:00:00:00:00", mac), 0);
	assert_string_equal(mac_to_string(mac, buf), "00:00:00:00:00:00");

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		memcpy(mac, keep, 6);
		if (mac_from_string(bad[i], mac) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
		assert_memory_equal(mac, keep, 6);
	}
	assert_int_equal(mac_from_string(NULL, mac), -EINVAL);
}

static void test_host_name_is_valid(void **state)
{
	char label63[64], label64[65];
	static const char *const ok[] = { "a", "0", "web1", "WEB-1", "9lives", "a-b-c", "x--y" };
	static const char *const bad[] = { "", "-a", "a-", "a_b", "a.b", "a b", "a\n", "caf\xc3\xa9",
					   "-" };

	memset(label63, 'a', 63);
	label63[63] = '\0';
	memset(label64, 'b', 64);
	label64[64] = '\0';
	for (size_t i = 0; i < ELEMENTSOF(ok); i++)
		assert_true(host_name_is_valid(ok[i]));
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_false(host_name_is_valid(bad[i]));
	assert_true(host_name_is_valid(label63));
	assert_false(host_name_is_valid(label64));
	assert_false(host_name_is_valid(NULL));
}

static void test_add_sorted_and_find(void **state)
{
	_cleanup_(network_hosts_done) struct network_hosts hs = { 0 };
	struct network_config c;
	char buf[MAC_STRLEN];
	uint8_t mac[6];
	struct in_addr ip;

	network(&c, "10.0.0.0/24");
	assert_null(network_hosts_find_mac(&hs, (uint8_t[6]){ 0 }));
	add_ok(&hs, &c, "web1", "52:54:00:12:34:56", "10.0.0.10");
	add_ok(&hs, &c, "", "52:54:00:00:00:01", "10.0.0.20");
	add_ok(&hs, &c, "db1", "52:54:00:aa:bb:cc", "10.0.0.254");
	add_ok(&hs, &c, "first", "02:00:00:00:00:00", "10.0.0.2");
	/* Inside the dynamic range is allowed: the DHCP engine keeps such addresses for the MAC. */
	add_ok(&hs, &c, "in-range", "52:54:00:12:34:57", "10.0.0.100");
	assert_int_equal(hs.n, 5);
	assert_string_equal(mac_to_string(hs.items[0].mac, buf), "02:00:00:00:00:00");
	assert_string_equal(mac_to_string(hs.items[1].mac, buf), "52:54:00:00:00:01");
	assert_string_equal(mac_to_string(hs.items[2].mac, buf), "52:54:00:12:34:56");
	assert_string_equal(mac_to_string(hs.items[3].mac, buf), "52:54:00:12:34:57");
	assert_string_equal(mac_to_string(hs.items[4].mac, buf), "52:54:00:aa:bb:cc");

	for (size_t i = 0; i < hs.n; i++) {
		assert_ptr_equal(network_hosts_find_mac(&hs, hs.items[i].mac), &hs.items[i]);
		assert_ptr_equal(network_hosts_find_ip(&hs, hs.items[i].ip), &hs.items[i]);
	}
	assert_int_equal(mac_from_string("52:54:00:12:34:58", mac), 0);
	assert_null(network_hosts_find_mac(&hs, mac));
	assert_int_equal(mac_from_string("00:00:00:00:00:01", mac), 0);
	assert_null(network_hosts_find_mac(&hs, mac));
	assert_int_equal(mac_from_string("ff:ff:ff:ff:ff:fe", mac), 0);
	assert_null(network_hosts_find_mac(&hs, mac));
	assert_int_equal(in_addr_from_string("10.0.0.11", &ip), 0);
	assert_null(network_hosts_find_ip(&hs, ip));
	assert_null(network_hosts_find_ip(NULL, ip));
	assert_null(network_hosts_find_mac(NULL, mac));
	assert_string_equal(network_hosts_find_mac(&hs, hs.items[2].mac)->name, "web1");
}

/* Every message network_hosts_add() can produce. */
static void test_add_errors(void **state)
{
	_cleanup_(network_hosts_done) struct network_hosts hs = { 0 };
	struct network_config c;
	struct network_host h;

	network(&c, "10.0.0.0/24");
	add_ok(&hs, &c, "web1", "52:54:00:12:34:56", "10.0.0.5");
	add_ok(&hs, &c, "db1", "52:54:00:aa:bb:cc", "10.0.0.10");
	add_ok(&hs, &c, "", "52:54:00:00:00:07", "10.0.0.7");

	h = host("x", "52:54:00:01:02:03", "10.0.0.1");
	add_error(&hs, &c, &h, -EINVAL, "address 10.0.0.1 is the gateway");
	h = host("x", "52:54:00:01:02:03", "10.0.0.0");
	add_error(&hs, &c, &h, -EINVAL, "address 10.0.0.0 is the network address");
	h = host("x", "52:54:00:01:02:03", "10.0.0.255");
	add_error(&hs, &c, &h, -EINVAL, "address 10.0.0.255 is the broadcast address");
	h = host("x", "52:54:00:01:02:03", "10.0.1.5");
	add_error(&hs, &c, &h, -EINVAL, "address 10.0.1.5 is outside subnet 10.0.0.0/24");
	h = host("x", "01:00:5e:00:00:01", "10.0.0.20");
	add_error(&hs, &c, &h, -EINVAL, "multicast MAC 01:00:5e:00:00:01 cannot be reserved");
	h = host("x", "ff:ff:ff:ff:ff:ff", "10.0.0.20");
	add_error(&hs, &c, &h, -EINVAL, "multicast MAC ff:ff:ff:ff:ff:ff cannot be reserved");
	h = host("x", "00:00:00:00:00:00", "10.0.0.20");
	add_error(&hs, &c, &h, -EINVAL, "MAC 00:00:00:00:00:00 cannot be reserved");
	h = host("a_b", "52:54:00:01:02:03", "10.0.0.20");
	add_error(&hs, &c, &h, -EINVAL, "host name 'a_b' is not a valid DNS label");
	h = host("a\x1b", "52:54:00:01:02:03", "10.0.0.20");
	add_error(&hs, &c, &h, -EINVAL, "host name 'a?' is not a valid DNS label");
	h = host("", "52:54:00:01:02:03", "10.0.0.20");
	memset(h.name, 'a', sizeof(h.name));   /* no NUL */
	add_error(&hs, &c, &h, -EINVAL, "host name is longer than 63 characters");

	h = host("web2", "52:54:00:12:34:56", "10.0.0.20");
	add_error(&hs, &c, &h, -EEXIST, "MAC 52:54:00:12:34:56 already has a reservation (web1)");
	h = host("web2", "52:54:00:00:00:07", "10.0.0.20");
	add_error(&hs, &c, &h, -EEXIST, "MAC 52:54:00:00:00:07 already has a reservation (10.0.0.7)");
	h = host("web2", "52:54:00:01:02:03", "10.0.0.10");
	add_error(&hs, &c, &h, -EEXIST, "address 10.0.0.10 is reserved for 52:54:00:aa:bb:cc (db1)");
	h = host("web2", "52:54:00:01:02:03", "10.0.0.7");
	add_error(&hs, &c, &h, -EEXIST, "address 10.0.0.7 is reserved for 52:54:00:00:00:07");
	h = host("Web1", "52:54:00:01:02:03", "10.0.0.20");
	add_error(&hs, &c, &h, -EEXIST, "host name 'Web1' is already used by 52:54:00:12:34:56");
	/* Many hosts may have no name. */
	add_ok(&hs, &c, "", "52:54:00:00:00:08", "10.0.0.8");
	assert_int_equal(hs.n, 4);

	/* A NULL or short error buffer is fine. */
	h = host("x", "52:54:00:01:02:03", "10.0.0.1");
	assert_int_equal(network_hosts_add(&hs, &h, &c, NULL, 0), -EINVAL);
}

static void test_add_limit(void **state)
{
	struct network_hosts hs = { 0 };
	struct network_config c;
	struct network_host h;
	char err[256] = "";

	network(&c, "10.0.0.0/8");
	/* Filled directly: adding 65536 one by one checks uniqueness linearly and is slow. */
	hs.items = calloc(NETWORK_HOSTS_MAX, sizeof(*hs.items));
	assert_non_null(hs.items);
	for (size_t i = 0; i < NETWORK_HOSTS_MAX; i++) {
		hs.items[i].mac[0] = 0x52;
		hs.items[i].mac[4] = (uint8_t)(i >> 8);
		hs.items[i].mac[5] = (uint8_t)i;
		hs.items[i].ip = in_addr_from_host(0x0a010000 + (uint32_t)i);
	}
	hs.n = NETWORK_HOSTS_MAX;
	h = host("", "52:54:00:00:00:01", "10.0.0.2");
	assert_int_equal(network_hosts_add(&hs, &h, &c, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "too many reservations (limit 65536)");
	assert_int_equal(hs.n, NETWORK_HOSTS_MAX);
	/* Below the limit again, one more fits. */
	assert_int_equal(network_hosts_remove(&hs, hs.items[100].mac), 0);
	assert_int_equal(network_hosts_add(&hs, &h, &c, err, sizeof(err)), 0);
	assert_int_equal(hs.n, NETWORK_HOSTS_MAX);
	network_hosts_done(&hs);
}

static void test_remove(void **state)
{
	_cleanup_(network_hosts_done) struct network_hosts hs = { 0 };
	struct network_config c;
	uint8_t mac[6];

	network(&c, "10.0.0.0/24");
	add_ok(&hs, &c, "a", "52:54:00:00:00:01", "10.0.0.11");
	add_ok(&hs, &c, "b", "52:54:00:00:00:02", "10.0.0.12");
	add_ok(&hs, &c, "c", "52:54:00:00:00:03", "10.0.0.13");

	assert_int_equal(mac_from_string("52:54:00:00:00:04", mac), 0);
	assert_int_equal(network_hosts_remove(&hs, mac), -ENOENT);
	assert_int_equal(mac_from_string("52:54:00:00:00:02", mac), 0);
	assert_int_equal(network_hosts_remove(&hs, mac), 0);
	assert_int_equal(network_hosts_remove(&hs, mac), -ENOENT);
	assert_int_equal(hs.n, 2);
	assert_string_equal(hs.items[0].name, "a");
	assert_string_equal(hs.items[1].name, "c");
	/* Its address and name are free again. */
	add_ok(&hs, &c, "b", "52:54:00:00:00:09", "10.0.0.12");
	assert_string_equal(hs.items[2].name, "b");

	for (int i = 0; i < 3; i++)
		assert_int_equal(network_hosts_remove(&hs, hs.items[0].mac), 0);
	assert_int_equal(hs.n, 0);
	assert_null(hs.items);
	assert_int_equal(network_hosts_remove(&hs, mac), -ENOENT);
	add_ok(&hs, &c, "d", "52:54:00:00:00:04", "10.0.0.14");
	assert_int_equal(hs.n, 1);
}

/* A reservation valid in 'from' fails network_hosts_check() against 'to' with 'msg'. */
static void check_moved(const char *name, const char *ip, const char *from, const char *to,
			const char *msg)
{
	_cleanup_(network_hosts_done) struct network_hosts hs = { 0 };
	struct network_config c;
	char err[256] = "";

	network(&c, from);
	add_ok(&hs, &c, name, "52:54:00:12:34:56", ip);
	assert_int_equal(network_hosts_check(&hs, &c, err, sizeof(err)), 0);
	network(&c, to);
	assert_int_equal(network_hosts_check(&hs, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
}

static void test_check(void **state)
{
	_cleanup_(network_hosts_done) struct network_hosts hs = { 0 };
	struct network_config c;
	char err[256] = "";

	network(&c, "10.0.0.0/24");
	assert_int_equal(network_hosts_check(&hs, &c, err, sizeof(err)), 0);
	add_ok(&hs, &c, "web1", "52:54:00:12:34:56", "10.0.0.10");
	add_ok(&hs, &c, "", "52:54:00:00:00:01", "10.0.0.2");
	assert_int_equal(network_hosts_check(&hs, &c, err, sizeof(err)), 0);

	/* The subnet moved: the first reservation (by MAC) that no longer fits is reported. */
	network(&c, "10.1.0.0/24");
	assert_int_equal(network_hosts_check(&hs, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "reservation 52:54:00:00:00:01: address 10.0.0.2 is outside subnet "
				 "10.1.0.0/24");
	network(&c, "10.0.0.0/30");
	assert_int_equal(network_hosts_check(&hs, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "reservation 52:54:00:12:34:56 (web1): address 10.0.0.10 is "
				 "outside subnet 10.0.0.0/30");
	network(&c, "10.0.0.0/28");
	assert_int_equal(network_hosts_check(&hs, &c, err, sizeof(err)), 0);

	check_moved("web1", "10.0.0.9", "10.0.0.0/24", "10.0.0.8/30",
		    "reservation 52:54:00:12:34:56 (web1): address 10.0.0.9 is the gateway");
	check_moved("", "10.0.0.8", "10.0.0.0/24", "10.0.0.8/30",
		    "reservation 52:54:00:12:34:56: address 10.0.0.8 is the network address");
	check_moved("", "10.0.0.11", "10.0.0.0/24", "10.0.0.8/30",
		    "reservation 52:54:00:12:34:56: address 10.0.0.11 is the broadcast address");
}

static void test_copy_and_equal(void **state)
{
	_cleanup_(network_hosts_done) struct network_hosts a = { 0 }, b = { 0 }, empty = { 0 };
	struct network_config c;

	network(&c, "10.0.0.0/24");
	assert_true(network_hosts_equal(&a, &empty));
	assert_true(network_hosts_equal(NULL, &empty));
	assert_int_equal(network_hosts_copy(&b, &a), 0);
	assert_int_equal(b.n, 0);
	assert_null(b.items);

	add_ok(&a, &c, "a", "52:54:00:00:00:01", "10.0.0.11");
	add_ok(&a, &c, "b", "52:54:00:00:00:02", "10.0.0.12");
	add_ok(&a, &c, "", "52:54:00:00:00:03", "10.0.0.13");
	assert_int_equal(network_hosts_copy(&b, &a), 0);
	assert_true(network_hosts_equal(&a, &b));
	assert_ptr_not_equal(a.items, b.items);
	assert_false(network_hosts_equal(&a, NULL));

	/* The copy grows on its own (3 -> 4 -> 5 crosses its capacity) and leaves 'a' alone. */
	add_ok(&b, &c, "d", "52:54:00:00:00:04", "10.0.0.14");
	add_ok(&b, &c, "e", "52:54:00:00:00:05", "10.0.0.15");
	assert_int_equal(a.n, 3);
	assert_int_equal(b.n, 5);
	assert_false(network_hosts_equal(&a, &b));
	assert_int_equal(network_hosts_remove(&b, b.items[4].mac), 0);
	assert_int_equal(network_hosts_remove(&b, b.items[3].mac), 0);
	assert_true(network_hosts_equal(&a, &b));

	/* Name, address and MAC each count. */
	strcpy(b.items[0].name, "z");
	assert_false(network_hosts_equal(&a, &b));
	strcpy(b.items[0].name, "a");
	b.items[1].ip = in_addr_from_host(0x0a000063);
	assert_false(network_hosts_equal(&a, &b));
	b.items[1].ip = a.items[1].ip;
	b.items[2].mac[5] = 9;
	assert_false(network_hosts_equal(&a, &b));

	network_hosts_done(&b);
	network_hosts_done(&b);
	network_hosts_done(NULL);
}

/* network_hosts_build() says exactly what adding one by one says, on random inputs. */
static void test_build_matches_add(void **state)
{
	static const char *const names[] = { "", "", "", "a", "b", "A", "c-1", "x_y" };
	struct network_config c;
	unsigned seed = 12345, failed = 0, kinds[4] = { 0 };

	network(&c, "10.0.0.0/26");
	for (int round = 0; round < 3000; round++) {
		_cleanup_(network_hosts_done) struct network_hosts seq = { 0 }, built = { 0 };
		struct network_host items[12];
		char e1[256] = "", e2[256] = "";
		size_t n = 1 + (size_t)(rand_r(&seed) % 12), bad_seq = n, bad_built = SIZE_MAX;
		int r1 = 0, r2;

		memset(items, 0, sizeof(items));
		for (size_t i = 0; i < n; i++) {
			items[i].mac[0] = rand_r(&seed) % 20 ? 0x52 : 0x01;
			items[i].mac[5] = (uint8_t)(rand_r(&seed) % 48);
			items[i].ip = in_addr_from_host(0x0a000000 + (uint32_t)(rand_r(&seed) % 66));
			strcpy(items[i].name, names[rand_r(&seed) % ELEMENTSOF(names)]);
		}
		for (size_t i = 0; i < n && r1 == 0; i++) {
			r1 = network_hosts_add(&seq, &items[i], &c, e1, sizeof(e1));
			if (r1 < 0)
				bad_seq = i;
		}
		r2 = network_hosts_build(&built, items, n, &c, &bad_built, e2, sizeof(e2));
		assert_int_equal(r1, r2);
		if (r1 < 0) {
			failed++;
			kinds[strstr(e1, "already has") ? 0 : strstr(e1, "is reserved") ? 1
				: strstr(e1, "already used") ? 2 : 3]++;
			assert_int_equal(bad_seq, bad_built);
			assert_string_equal(e1, e2);
			assert_int_equal(built.n, 0);
			assert_null(built.items);
		} else {
			assert_true(network_hosts_equal(&seq, &built));
		}
	}
	/* Both outcomes and every kind of message were exercised. */
	assert_in_range(failed, 300, 2900);
	for (size_t k = 0; k < ELEMENTSOF(kinds); k++)
		assert_true(kinds[k] > 50);
}

static void test_build(void **state)
{
	_cleanup_(network_hosts_done) struct network_hosts hs = { 0 };
	struct network_host items[3];
	struct network_config c;
	char err[256] = "";
	size_t bad = 99;

	network(&c, "10.0.0.0/24");
	assert_int_equal(network_hosts_build(&hs, NULL, 0, &c, &bad, err, sizeof(err)), 0);
	assert_int_equal(hs.n, 0);
	assert_null(hs.items);
	assert_int_equal(bad, 99);

	items[0] = host("c", "52:54:00:00:00:03", "10.0.0.3");
	items[1] = host("", "52:54:00:00:00:01", "10.0.0.4");
	items[2] = host("a", "52:54:00:00:00:02", "10.0.0.5");
	assert_int_equal(network_hosts_build(&hs, items, 3, &c, &bad, err, sizeof(err)), 0);
	assert_int_equal(hs.n, 3);
	assert_string_equal(hs.items[0].name, "");
	assert_string_equal(hs.items[1].name, "a");
	assert_string_equal(hs.items[2].name, "c");
	/* It grows by add like any other set. */
	add_ok(&hs, &c, "d", "52:54:00:00:00:04", "10.0.0.6");
	add_ok(&hs, &c, "e", "52:54:00:00:00:05", "10.0.0.7");
	assert_int_equal(hs.n, 5);

	/* The first problem in input order wins: here the name of the third. */
	network_hosts_done(&hs);
	items[2] = host("C", "52:54:00:00:00:02", "10.0.0.5");
	assert_int_equal(network_hosts_build(&hs, items, 3, &c, &bad, err, sizeof(err)), -EEXIST);
	assert_int_equal(bad, 2);
	assert_string_equal(err, "host name 'C' is already used by 52:54:00:00:00:03");
	assert_int_equal(hs.n, 0);
	/* An invalid host stops the checks: what follows it does not matter. */
	items[1] = host("", "52:54:00:00:00:01", "10.0.0.1");
	memset(items[2].name, 'z', sizeof(items[2].name));
	assert_int_equal(network_hosts_build(&hs, items, 3, &c, &bad, err, sizeof(err)), -EINVAL);
	assert_int_equal(bad, 1);
	assert_string_equal(err, "address 10.0.0.1 is the gateway");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_from_string),
		cmocka_unit_test(test_host_name_is_valid),
		cmocka_unit_test(test_add_sorted_and_find),
		cmocka_unit_test(test_add_errors),
		cmocka_unit_test(test_add_limit),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_copy_and_equal),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_build_matches_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
