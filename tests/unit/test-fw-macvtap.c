/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for fw-macvtap's renderers: the base, a port's add (IPv4 binding or MAC only, a
 * changed MAC), an address change, a port's removal, a network's set and the reset, compared
 * byte for byte with golden files fw-macvtap-*.nft in $KVMNET_TEST_DATA (regenerate them with
 * KVMNET_UPDATE_GOLDEN=1); names nft could not take are refused.
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

#include "firewall/fw-macvtap.h"
#include "shared/alloc-util.h"

static const uint8_t mac1[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t mac2[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

static struct fw_macvtap_port port(const char *ifname, const char *network, bool ip_binding)
{
	struct fw_macvtap_port p = { .ip_binding = ip_binding };

	snprintf(p.ifname, sizeof(p.ifname), "%s", ifname);
	snprintf(p.network, sizeof(p.network), "%s", network);
	memcpy(p.mac, mac1, 6);
	return p;
}

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void test_base(void **state)
{
	_cleanup_free_ char *s = NULL;

	(void)state;
	assert_int_equal(fw_macvtap_render_base(&s), 0);
	fw_test_check_golden("fw-macvtap-base.nft", s);
}

static void test_add(void **state)
{
	struct fw_macvtap_port p = port("knt0", "lan", true);
	_cleanup_free_ char *s = NULL, *mac = NULL, *changed = NULL;

	(void)state;
	assert_int_equal(fw_macvtap_render_add(&p, NULL, &s), 0);
	fw_test_check_golden("fw-macvtap-add.nft", s);
	p = port("knt1", "lan", false);
	assert_int_equal(fw_macvtap_render_add(&p, NULL, &mac), 0);
	fw_test_check_golden("fw-macvtap-add-mac.nft", mac);
	/* the MAC the table held goes; the same MAC is left alone */
	p = port("knt0", "lan", true);
	assert_int_equal(fw_macvtap_render_add(&p, mac2, &changed), 0);
	fw_test_check_golden("fw-macvtap-add-changed.nft", changed);
	free(changed);
	changed = NULL;
	assert_int_equal(fw_macvtap_render_add(&p, mac1, &changed), 0);
	assert_string_equal(changed, s);
}

static void test_addrs(void **state)
{
	struct fw_macvtap_addr add[] = { { .ip = ip("192.0.2.100"), .dhcp = true } };
	struct fw_macvtap_addr del[] = { { .ip = ip("192.0.2.77") } };
	struct in_addr taken_add[] = { ip("192.0.2.100") }, taken_del[] = { ip("192.0.2.77") };
	struct fw_macvtap_change c = { .ifname = "knt0", .network = "lan", .add = add, .n_add = 1,
				       .del = del, .n_del = 1, .taken_add = taken_add,
				       .n_taken_add = 1, .taken_del = taken_del, .n_taken_del = 1,
				       .learning = false };
	_cleanup_free_ char *s = NULL, *learning = NULL;

	(void)state;
	memcpy(c.mac, mac1, 6);
	assert_int_equal(fw_macvtap_render_addrs(&c, &s), 0);
	fw_test_check_golden("fw-macvtap-addrs.nft", s);
	/* nothing but the learning state */
	c = (struct fw_macvtap_change){ .ifname = "knt0", .network = "lan", .learning = true };
	assert_int_equal(fw_macvtap_render_addrs(&c, &learning), 0);
	assert_string_equal(learning, "add element netdev kvmnet learning { \"knt0\" }\n");
}

static void test_remove(void **state)
{
	struct fw_macvtap_addr held[] = { { .ip = ip("192.0.2.100"), .dhcp = true },
					  { .ip = ip("192.0.2.77") } };
	_cleanup_free_ char *s = NULL, *net = NULL, *reset = NULL, *bare = NULL;

	(void)state;
	assert_int_equal(fw_macvtap_render_remove("knt0", mac1, held, 2, &s), 0);
	fw_test_check_golden("fw-macvtap-remove.nft", s);
	/* without a MAC, no port_mac or src4 element can be named */
	assert_int_equal(fw_macvtap_render_remove("knt0", NULL, held, 2, &bare), 0);
	assert_null(strstr(bare, "port_mac"));
	assert_null(strstr(bare, "src4"));
	assert_int_equal(fw_macvtap_render_network_remove("lan", &net), 0);
	assert_string_equal(net, "add set netdev kvmnet t_lan { type ipv4_addr; }\n"
				 "delete set netdev kvmnet t_lan\n");
	assert_int_equal(fw_macvtap_render_reset(&reset), 0);
	assert_string_equal(reset, "add table netdev kvmnet\ndelete table netdev kvmnet\n");
}

static void test_bad_names(void **state)
{
	static const char *const bad_ifnames[] = { "", "a b", "a\"b", "sixteen-chars-xx", "a;b" };
	static const char *const bad_networks[] = { "", "Lan", "a.b", "-x", "a\"b",
						    "thirty-three-characters-long-xxxx" };
	struct fw_macvtap_change c = { .ifname = "knt0", .network = "lan" };
	char *s = NULL;

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(bad_ifnames); i++) {
		struct fw_macvtap_port p = port("x", "lan", true);

		snprintf(p.ifname, sizeof(p.ifname), "%s", bad_ifnames[i]);
		if (strlen(bad_ifnames[i]) < sizeof(p.ifname))
			assert_int_equal(fw_macvtap_render_add(&p, NULL, &s), -EINVAL);
		assert_int_equal(fw_macvtap_render_remove(bad_ifnames[i], NULL, NULL, 0, &s),
				 -EINVAL);
		c.ifname = bad_ifnames[i];
		assert_int_equal(fw_macvtap_render_addrs(&c, &s), -EINVAL);
	}
	c.ifname = "knt0";
	for (size_t i = 0; i < ELEMENTSOF(bad_networks); i++) {
		struct fw_macvtap_port p = port("knt0", "lan", true);

		snprintf(p.network, sizeof(p.network), "%s", bad_networks[i]);
		if (strlen(bad_networks[i]) < sizeof(p.network))
			assert_int_equal(fw_macvtap_render_add(&p, NULL, &s), -EINVAL);
		c.network = bad_networks[i];
		assert_int_equal(fw_macvtap_render_addrs(&c, &s), -EINVAL);
		assert_int_equal(fw_macvtap_render_network_remove(bad_networks[i], &s), -EINVAL);
	}
	assert_null(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_addrs),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_bad_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
