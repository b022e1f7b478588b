/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for fw-port's renderers: the base, a port's add (bound, learning, with and without
 * IPv4 binding, isolated, replacing a learnt MAC), its removal, binding updates and the reset are
 * compared byte for byte with golden files fw-port-*.nft in $KVMNET_TEST_DATA (regenerate them
 * with KVMNET_UPDATE_GOLDEN=1), and names nft could not take are refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fw-test-util.h"

#include "firewall/fw-port.h"
#include "shared/alloc-util.h"

static const uint8_t mac1[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t mac2[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

static struct fw_port port(const char *ifname, const uint8_t *mac, bool ip_binding, bool isolated)
{
	struct fw_port p = { .filter = true, .has_mac = mac != NULL, .ip_binding = ip_binding,
			     .isolated = isolated };

	snprintf(p.ifname, sizeof(p.ifname), "%s", ifname);
	if (mac)
		memcpy(p.mac, mac, 6);
	return p;
}

static struct fw_binding binding(const uint8_t *mac, const char *ip)
{
	struct fw_binding b;

	memcpy(b.mac, mac, 6);
	assert_int_equal(inet_pton(AF_INET, ip, &b.ip), 1);
	return b;
}

static void check_add(const struct fw_port *p, const uint8_t *learnt, const char *file)
{
	_cleanup_free_ char *s = NULL, *again = NULL;

	assert_int_equal(fw_port_render_add(p, learnt, 0, &s), 0);
	assert_int_equal(fw_port_render_add(p, learnt, 0, &again), 0);
	assert_string_equal(s, again);
	fw_test_check_golden(file, s);
}

/* The last line of 's' (which ends in '\n'). */
static const char *last_line(const char *s)
{
	size_t len = strlen(s);
	const char *p;

	assert_true(len > 0 && s[len - 1] == '\n');
	for (p = s + len - 1; p > s && p[-1] != '\n'; p--)
		;
	return p;
}

static void test_base(void **state)
{
	_cleanup_free_ char *s = NULL;

	assert_int_equal(fw_port_render_base(true, &s), 0);
	fw_test_check_golden("fw-port-base.nft", s);
	/* Every chain is flushed exactly once, and after all of them exist. */
	assert_int_equal(fw_test_count(s, "flush chain "), 8);
	assert_true(strstr(s, "add chain bridge kvmnet deny\n") < strstr(s, "flush chain "));
	assert_null(strstr(s, "\ndelete "));
	assert_null(strstr(s, "flush set"));
}

/* Without isolated ports the forward-hook chain is made (idempotent), emptied and deleted. */
static void test_base_without_isolate(void **state)
{
	_cleanup_free_ char *s = NULL, *with = NULL;

	assert_int_equal(fw_port_render_base(false, &s), 0);
	assert_int_equal(fw_port_render_base(true, &with), 0);
	assert_null(strstr(s, "add rule bridge kvmnet isolate "));
	assert_non_null(strstr(with, "add rule bridge kvmnet isolate "));
	assert_string_equal(last_line(s), "delete chain bridge kvmnet isolate\n");
	assert_true(strstr(s, "flush chain bridge kvmnet isolate\n") <
		    strstr(s, "delete chain bridge kvmnet isolate\n"));
}

static void test_add_bound_ipbind(void **state)
{
	struct fw_port p = port("vnet0", mac1, true, false);

	p.dhcp_mark = fw_port_dhcp_mark(7);
	check_add(&p, NULL, "fw-port-add-bound.nft");
}

/* The mark of a port's DHCP requests: the flag byte and its ifindex, nothing else. */
static void test_dhcp_mark(void **state)
{
	assert_int_equal(fw_port_dhcp_mark(1), 0x6b000001);
	assert_int_equal(fw_port_dhcp_mark(0xffffff), 0x6bffffff);
	assert_int_equal(fw_port_dhcp_mark(0), 0);
	assert_int_equal(fw_port_dhcp_mark(-1), 0);
	assert_int_equal(fw_port_dhcp_mark(0x1000000), 0);
	assert_int_equal(fw_port_dhcp_mark_ifindex(fw_port_dhcp_mark(4242)), 4242);
	assert_int_equal(fw_port_dhcp_mark_ifindex(0x6bffffff), 0xffffff);
	assert_int_equal(fw_port_dhcp_mark_ifindex(0), 0);
	assert_int_equal(fw_port_dhcp_mark_ifindex(5), 0);
	assert_int_equal(fw_port_dhcp_mark_ifindex(0x6a000005), 0);
	assert_int_equal(fw_port_dhcp_mark_ifindex(0xeb000005), 0);
}

/*
 * A port's element in dhcp_port is replaced when its mark changes (nft cannot add an element with
 * another value over it), left alone when it does not, and removed when the port stops filtering.
 */
static void test_add_dhcp_mark_change(void **state)
{
	struct fw_port p = port("vnet0", mac1, true, false);
	_cleanup_free_ char *changed = NULL, *same = NULL, *plain = NULL, *off = NULL;
	static const char held[] =
		"add element bridge kvmnet dhcp_port { \"vnet0\" : 0x6b000007 }\n"
		"delete element bridge kvmnet dhcp_port { \"vnet0\" }\n";
	static const char wanted[] =
		"add element bridge kvmnet dhcp_port { \"vnet0\" : 0x6b000009 }\n";

	p.dhcp_mark = fw_port_dhcp_mark(9);
	assert_int_equal(fw_port_render_add(&p, mac1, fw_port_dhcp_mark(7), &changed), 0);
	assert_non_null(strstr(changed, held));
	assert_true(strstr(changed, held) < strstr(changed, wanted));
	assert_int_equal(fw_port_render_add(&p, mac1, fw_port_dhcp_mark(9), &same), 0);
	assert_int_equal(fw_port_render_add(&p, mac1, 0, &plain), 0);
	assert_string_equal(same, plain);
	assert_int_equal(fw_test_count(same, "dhcp_port"), 1);
	assert_non_null(strstr(same, wanted));

	/* port-security no: the port keeps no element, whatever its dhcp_mark says */
	p.filter = false;
	assert_int_equal(fw_port_render_add(&p, NULL, fw_port_dhcp_mark(9), &off), 0);
	assert_int_equal(fw_test_count(off, "dhcp_port"), 2);
	assert_non_null(strstr(off, "delete element bridge kvmnet dhcp_port { \"vnet0\" }\n"));
}

static void test_add_bound_same_mac(void **state)
{
	struct fw_port p = port("vnet0", mac1, true, false);
	_cleanup_free_ char *s = NULL, *plain = NULL;

	/* The MAC the table holds is the one wanted: nothing to delete, same script. */
	assert_int_equal(fw_port_render_add(&p, mac1, 0, &s), 0);
	assert_int_equal(fw_port_render_add(&p, NULL, 0, &plain), 0);
	assert_string_equal(s, plain);
}

static void test_add_bound_replace(void **state)
{
	struct fw_port p = port("tap.guest-1", mac2, false, false);

	check_add(&p, mac1, "fw-port-add-replace.nft");
}

static void test_add_learn_isolated(void **state)
{
	struct fw_port p = port("kt-a_b.c", NULL, false, true);

	check_add(&p, NULL, "fw-port-add-learn.nft");
}

static void test_add_learn_ipbind_relearn(void **state)
{
	struct fw_port p = port("vnet7", NULL, true, true);
	_cleanup_free_ char *s = NULL;

	/* A learning port forgets what it learnt: the held MAC goes even though p->mac matches. */
	memcpy(p.mac, mac1, 6);
	check_add(&p, mac1, "fw-port-add-relearn.nft");
	assert_int_equal(fw_port_render_add(&p, mac1, 0, &s), 0);
	assert_non_null(strstr(s, "delete element bridge kvmnet port_mac { \"vnet7\" . "
				  "52:54:00:12:34:56 }\n"));
	assert_null(strstr(s, "delete element bridge kvmnet learn"));
	assert_string_equal(last_line(s), "flush set bridge kvmnet fast4\n");
}

static void test_remove(void **state)
{
	_cleanup_free_ char *s = NULL, *bare = NULL;

	assert_int_equal(fw_port_render_remove("vnet0", mac1, fw_port_dhcp_mark(7), &s), 0);
	fw_test_check_golden("fw-port-remove.nft", s);
	assert_string_equal(last_line(s), "flush set bridge kvmnet fast4\n");

	/* Without a MAC or a mark, port_mac and dhcp_port are left alone, nothing else changes. */
	assert_int_equal(fw_port_render_remove("vnet0", NULL, 0, &bare), 0);
	assert_null(strstr(bare, "port_mac"));
	assert_null(strstr(bare, "dhcp_port"));
	assert_int_equal(fw_test_count(s, "\n"), fw_test_count(bare, "\n") + 4);
}

static void test_bindings_both(void **state)
{
	struct fw_binding add[] = { binding(mac1, "10.0.0.2"), binding(mac2, "192.168.122.254") };
	struct fw_binding del[] = { binding(mac1, "10.0.0.9") };
	_cleanup_free_ char *s = NULL;

	assert_int_equal(fw_port_render_bindings(add, 2, del, 1, &s), 0);
	fw_test_check_golden("fw-port-bindings.nft", s);
}

static void test_bindings_add_only(void **state)
{
	struct fw_binding add[] = { binding(mac1, "10.0.0.2") };
	_cleanup_free_ char *s = NULL;

	assert_int_equal(fw_port_render_bindings(add, 1, NULL, 0, &s), 0);
	fw_test_check_golden("fw-port-bindings-add.nft", s);
	/* Adding a pair invalidates no cached source. */
	assert_null(strstr(s, "fast4"));
}

static void test_bindings_del_only(void **state)
{
	struct fw_binding del[] = { binding(mac2, "10.0.0.3"), binding(mac1, "0.0.0.0") };
	_cleanup_free_ char *s = NULL;

	assert_int_equal(fw_port_render_bindings(NULL, 0, del, 2, &s), 0);
	fw_test_check_golden("fw-port-bindings-del.nft", s);
	assert_string_equal(last_line(s), "flush set bridge kvmnet fast4\n");
}

static void test_bindings_none(void **state)
{
	_cleanup_free_ char *s = NULL;

	assert_int_equal(fw_port_render_bindings(NULL, 0, NULL, 0, &s), 0);
	assert_non_null(s);
	assert_string_equal(s, "");
}

static void test_reset(void **state)
{
	_cleanup_free_ char *s = NULL;

	assert_int_equal(fw_port_render_reset(&s), 0);
	fw_test_check_golden("fw-port-reset.nft", s);
}

static void test_invalid_ifnames(void **state)
{
	static const char *const bad[] = {
		"", ".", "..", "a\"b", "eth*", "a b", "a:b", "a/b", "a\\b", "a;b", "a%d",
		"t\xc3\xa9", "a+", "a\tb", "sixteen-chars-xx",
	};
	static const char *const good[] = {
		"a", "...", "-", "_", "0", "ABC", "a.b-c_d", "fifteen-chars-x",
	};
	struct fw_port p;
	char *s = NULL;

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		p = port(bad[i], mac1, false, false);
		/* snprintf() cut the long one to 15: write it unterminated, as a caller could. */
		if (strlen(bad[i]) >= IFNAMSIZ)
			memcpy(p.ifname, bad[i], IFNAMSIZ);
		assert_int_equal(fw_port_render_add(&p, NULL, 0, &s), -EINVAL);
		if (strlen(bad[i]) < IFNAMSIZ)
			assert_int_equal(fw_port_render_remove(bad[i], NULL, 0, &s), -EINVAL);
	}
	assert_int_equal(fw_port_render_remove("sixteen-chars-xx", mac1, 0, &s), -EINVAL);
	assert_null(s);

	for (size_t i = 0; i < ELEMENTSOF(good); i++) {
		_cleanup_free_ char *a = NULL, *r = NULL;

		p = port(good[i], NULL, false, false);
		assert_int_equal(fw_port_render_add(&p, NULL, 0, &a), 0);
		assert_int_equal(fw_port_render_remove(good[i], NULL, 0, &r), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base),
		cmocka_unit_test(test_base_without_isolate),
		cmocka_unit_test(test_add_bound_ipbind),
		cmocka_unit_test(test_dhcp_mark),
		cmocka_unit_test(test_add_dhcp_mark_change),
		cmocka_unit_test(test_add_bound_same_mac),
		cmocka_unit_test(test_add_bound_replace),
		cmocka_unit_test(test_add_learn_isolated),
		cmocka_unit_test(test_add_learn_ipbind_relearn),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_bindings_both),
		cmocka_unit_test(test_bindings_add_only),
		cmocka_unit_test(test_bindings_del_only),
		cmocka_unit_test(test_bindings_none),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_invalid_ifnames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
