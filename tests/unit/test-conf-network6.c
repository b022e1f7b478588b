/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the IPv6 keys of a network's definition (config/conf-network6.c) and the IPv6
 * helpers under them (shared/in6-addr-util): subnet6 syntax and refusals with their messages,
 * gateway6, auto candidates, ra-mode and nat6, the modes that refuse them, and the
 * format/parse round trip.
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
#include "shared/in6-addr-util.h"

static void config_basic(struct network_config *c, const char *mode)
{
	char err[256];

	network_config_init(c);
	assert_int_equal(network_config_set(c, "name", "lab", err, sizeof(err)), 0);
	assert_int_equal(network_config_set(c, "mode", mode, err, sizeof(err)), 0);
	assert_int_equal(network_config_set(c, "subnet", "10.0.0.0/24", err, sizeof(err)), 0);
}

static void set_ok(struct network_config *c, const char *key, const char *value)
{
	char err[512] = "";

	if (network_config_set(c, key, value, err, sizeof(err)) != 0)
		fail_msg("set %s=%s: %s", key, value, err);
}

static void set_error(const char *key, const char *value, const char *msg)
{
	struct network_config c, before;
	char err[512] = "";

	config_basic(&c, "nat");
	before = c;
	assert_int_equal(network_config_set(&c, key, value, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
	assert_true(network_config_equal(&c, &before));
}

static void finish_error(struct network_config *c, const char *msg)
{
	char err[512] = "";

	assert_int_equal(network_config_finish(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
}

static void test_in6_helpers(void **state)
{
	struct in6_prefix a, b;
	struct in6_addr x;
	char buf[IN6_PREFIX_STRLEN];
	const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	(void)state;
	assert_int_equal(in6_addr_prefix_from_string("fd00:1::/64", &a.addr, &a.prefixlen), 0);
	assert_int_equal(a.prefixlen, 64);
	assert_string_equal(in6_prefix_to_string(&a, buf), "fd00:1::/64");
	assert_true(in6_prefix_is_normal(&a));
	assert_int_equal(in6_addr_prefix_from_string("fd00:1::/129", &b.addr, &b.prefixlen), -EINVAL);
	assert_int_equal(in6_addr_prefix_from_string("fd00:1::/064", &b.addr, &b.prefixlen), -EINVAL);
	assert_int_equal(in6_addr_prefix_from_string("fd00:1::", &b.addr, &b.prefixlen), -EINVAL);
	assert_int_equal(in6_addr_prefix_from_string("/64", &b.addr, &b.prefixlen), -EINVAL);
	assert_int_equal(in6_addr_prefix_from_string("10.0.0.0/8", &b.addr, &b.prefixlen), -EINVAL);
	assert_int_equal(in6_addr_prefix_from_string("fd00::/16", &b.addr, &b.prefixlen), 0);
	assert_true(in6_prefix_overlaps(&a, &b) && in6_prefix_overlaps(&b, &a));
	assert_int_equal(in6_addr_prefix_from_string("fd00:1:0:1::/64", &b.addr, &b.prefixlen), 0);
	assert_false(in6_prefix_overlaps(&a, &b));
	assert_int_equal(in6_addr_prefix_from_string("fd00:1::1/64", &b.addr, &b.prefixlen), 0);
	assert_false(in6_prefix_is_normal(&b));
	assert_true(in6_prefix_contains(&a, &b.addr));
	x = in6_prefix_host(&a, 1);
	assert_string_equal(in6_addr_to_string(&x, buf), "fd00:1::1");
	x = in6_addr_link_local_from_mac(mac);
	assert_string_equal(in6_addr_to_string(&x, buf), "fe80::5054:ff:fe12:3456");
	/* masks that end inside a byte */
	assert_int_equal(in6_addr_prefix_from_string("fe80::/10", &b.addr, &b.prefixlen), 0);
	assert_int_equal(in6_addr_from_string("febf::1", &x), 0);
	assert_true(in6_prefix_contains(&b, &x));
	assert_int_equal(in6_addr_from_string("fec0::1", &x), 0);
	assert_false(in6_prefix_contains(&b, &x));
}

static void test_subnet6_set(void **state)
{
	struct network_config c;
	char err[256], buf[IN6_PREFIX_STRLEN];

	(void)state;
	config_basic(&c, "nat");
	assert_false(c.has_subnet6);
	set_ok(&c, "subnet6", "fd42:1:2:3::/64");
	assert_true(c.has_subnet6);
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_string_equal(in6_addr_to_string(&c.gateway6, buf), "fd42:1:2:3::1");
	assert_true(network_config_masquerades6(&c));   /* ULA, nat6 auto */
	set_ok(&c, "subnet6", "2001:db8:5::/64");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_false(network_config_masquerades6(&c));  /* global, nat6 auto: routed */
	set_ok(&c, "nat6", "yes");
	assert_true(network_config_masquerades6(&c));
	set_ok(&c, "nat6", "off");
	assert_int_equal(c.nat6, NETWORK_NAT6_NO);
	set_ok(&c, "subnet6", "none");
	assert_false(c.has_subnet6);
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_false(network_config_masquerades6(&c));
	set_ok(&c, "subnet6", "auto");
	assert_true(c.subnet6_auto);
	assert_false(c.has_subnet6);
	set_ok(&c, "ra-mode", "slaac+dhcpv6");
	assert_int_equal(c.ra_mode, NETWORK_RA_SLAAC_DHCPV6);
	set_ok(&c, "ra-mode", "dhcpv6");
	assert_int_equal(c.ra_mode, NETWORK_RA_DHCPV6);
}

static void test_subnet6_errors(void **state)
{
	(void)state;
	set_error("subnet6", "fd42::/48",
		  "invalid subnet6 'fd42::/48': must be a /64 (SLAAC needs 64-bit interface "
		  "identifiers)");
	set_error("subnet6", "fd42::/80",
		  "invalid subnet6 'fd42::/80': must be a /64 (SLAAC needs 64-bit interface "
		  "identifiers)");
	set_error("subnet6", "fd42::1/64", "invalid subnet6 'fd42::1/64': host bits set");
	set_error("subnet6", "fe80::/64",
		  "invalid subnet6 'fe80::/64': in the link-local range fe80::/10");
	set_error("subnet6", "ff02::/64", "invalid subnet6 'ff02::/64': in the multicast range "
		  "ff00::/8");
	set_error("subnet6", "::/64", "invalid subnet6 '::/64': in the reserved range (loopback, "
		  "unspecified, IPv4-mapped) ::/8");
	set_error("subnet6", "fd42::",
		  "invalid subnet6 'fd42::': expected PREFIX/64, auto or none, e.g. "
		  "fd12:3456:789a:1::/64");
	set_error("subnet6", "10.0.0.0/24",
		  "invalid subnet6 '10.0.0.0/24': expected PREFIX/64, auto or none, e.g. "
		  "fd12:3456:789a:1::/64");
	set_error("subnet6", "AUTO",
		  "invalid subnet6 'AUTO': expected PREFIX/64, auto or none, e.g. "
		  "fd12:3456:789a:1::/64");
	set_error("ra-mode", "stateful",
		  "invalid ra-mode 'stateful': must be slaac, dhcpv6 or slaac+dhcpv6");
	set_error("nat6", "maybe", "invalid nat6 'maybe': must be auto, yes or no");
	set_error("subnet6", "", "invalid subnet6 '': empty value");
}

static void test_subnet6_modes(void **state)
{
	struct network_config c;
	char err[256];

	(void)state;
	/* every mode with a bridge of ours takes one */
	for (int m = NETWORK_MODE_NAT; m <= NETWORK_MODE_OPEN; m++) {
		config_basic(&c, network_mode_to_string((enum network_mode)m));
		set_ok(&c, "subnet6", "fd42::/64");
		assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	}
	/* nat6 only on nat */
	config_basic(&c, "routed");
	set_ok(&c, "nat6", "yes");
	finish_error(&c, "nat6 is only for mode nat (mode routed routes its prefix)");
	config_basic(&c, "isolated");
	set_ok(&c, "nat6", "no");
	finish_error(&c, "nat6 is only for mode nat (mode isolated has no way out)");
	/* not on the LAN modes */
	network_config_init(&c);
	set_ok(&c, "name", "lan");
	set_ok(&c, "mode", "bridge");
	set_ok(&c, "bridge", "br0");
	set_ok(&c, "subnet6", "fd42::/64");
	finish_error(&c, "subnet6 is not allowed with mode bridge: the LAN's own routers address "
		     "the guests");
	set_ok(&c, "subnet6", "auto");
	finish_error(&c, "subnet6 is not allowed with mode bridge: the LAN's own routers address "
		     "the guests");
	set_ok(&c, "subnet6", "none");
	set_ok(&c, "ra-mode", "dhcpv6");
	finish_error(&c, "ra-mode is not allowed with mode bridge");
	network_config_init(&c);
	set_ok(&c, "name", "mv");
	set_ok(&c, "mode", "macvtap");
	set_ok(&c, "uplink", "eth0");
	set_ok(&c, "subnet6", "fd42::/64");
	finish_error(&c, "subnet6 is not allowed with mode macvtap: the LAN's own routers address "
		     "the guests");
}

static void test_subnet6_auto_candidates(void **state)
{
	struct in6_prefix a = network_subnet6_auto_candidate("lab", 0);
	struct in6_prefix b = network_subnet6_auto_candidate("lab", 0);
	struct in6_prefix c = network_subnet6_auto_candidate("lab", 1);
	struct in6_prefix d = network_subnet6_auto_candidate("web", 0);

	(void)state;
	assert_int_equal(a.prefixlen, 64);
	assert_int_equal(a.addr.s6_addr[0], 0xfd);
	assert_true(in6_prefix_is_normal(&a));
	assert_memory_equal(&a, &b, sizeof(a));             /* stable */
	assert_memory_equal(&a.addr, &c.addr, 6);           /* same global ID */
	assert_false(in6_prefix_overlaps(&a, &c));          /* another subnet ID */
	assert_memory_not_equal(&a.addr, &d.addr, 6);       /* another name, another ID */
	/* the first 256 candidates of a name are all different /64s */
	for (unsigned i = 0; i < 256; i++)
		for (unsigned k = 0; k < i; k++) {
			struct in6_prefix x = network_subnet6_auto_candidate("lab", i);
			struct in6_prefix y = network_subnet6_auto_candidate("lab", k);

			if (in6_prefix_overlaps(&x, &y))
				fail_msg("candidates %u and %u are the same", i, k);
		}
}

static void test_subnet6_round_trip(void **state)
{
	static const char *const texts[] = {
		"[network]\nmode = nat\nsubnet = 10.0.0.0/24\nsubnet6 = fd42:1::/64\n",
		("[network]\nmode = nat\nsubnet = 10.0.0.0/24\nsubnet6 = 2001:db8::/64\n"
		 "ra-mode = slaac+dhcpv6\nnat6 = yes\n"),
		"[network]\nmode = routed\nsubnet = 10.0.0.0/24\nsubnet6 = auto\nra-mode = dhcpv6\n",
		"[network]\nmode = isolated\nsubnet = 10.0.0.0/24\n",
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
		struct network_config c, d;
		_cleanup_free_ char *out = NULL;
		char err[256] = "";

		if (network_config_parse(texts[i], strlen(texts[i]), "lab", &c, NULL, NULL, NULL, err,
					 sizeof(err)) != 0)
			fail_msg("parse %zu: %s", i, err);
		assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &out), 0);
		assert_string_equal(out, texts[i]);
		assert_int_equal(network_config_parse(out, strlen(out), "lab", &d, NULL, NULL, NULL,
						      err, sizeof(err)), 0);
		assert_true(network_config_equal(&c, &d));
	}
	/* the line of a bad value is named */
	{
		static const char bad[] = "[network]\nmode = nat\nsubnet = 10.0.0.0/24\n"
					  "subnet6 = fd42::/56\n";
		struct network_config c;
		char err[256] = "";

		assert_int_equal(network_config_parse(bad, strlen(bad), "lab", &c, NULL, NULL, NULL,
						      err, sizeof(err)), -EINVAL);
		assert_string_equal(err, "line 4: invalid subnet6 'fd42::/56': must be a /64 (SLAAC "
				    "needs 64-bit interface identifiers)");
	}
}

static void test_dhcp6_range(void **state)
{
	struct network_config c;
	char a[INET6_ADDRSTRLEN], err[512] = "";

	(void)state;
	/* the default: PREFIX::1:0 - PREFIX::1:ffff, not written back */
	config_basic(&c, "nat");
	set_ok(&c, "subnet6", "fd42:5::/64");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_string_equal(in6_addr_to_string(&c.range6_first, a), "fd42:5::1:0");
	assert_string_equal(in6_addr_to_string(&c.range6_last, a), "fd42:5::1:ffff");
	assert_false(c.has_range6);
	/* a range given */
	config_basic(&c, "nat");
	set_ok(&c, "subnet6", "fd42:5::/64");
	set_ok(&c, "dhcp6-range", "fd42:5::100-fd42:5::1ff");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_string_equal(in6_addr_to_string(&c.range6_last, a), "fd42:5::1ff");
	set_error("dhcp6-range", "fd42:5::100", "invalid dhcp6-range 'fd42:5::100': expected "
		  "FIRST-LAST, e.g. fd12:3456:789a:1::1:0-fd12:3456:789a:1::1:ffff");
	config_basic(&c, "nat");
	set_ok(&c, "subnet6", "fd42:5::/64");
	set_ok(&c, "dhcp6-range", "fd42:5::1:0:0:1-fd42:5::1:0:0:9");
	finish_error(&c, "dhcp6-range fd42:5::1:0:0:1-fd42:5::1:0:0:9 must lie in the first /96 "
		     "of subnet6 fd42:5::/64 (PREFIX::xxxx:xxxx)");
	config_basic(&c, "nat");
	set_ok(&c, "subnet6", "fd42:5::/64");
	set_ok(&c, "dhcp6-range", "fd42:5::9-fd42:5::2");
	finish_error(&c, "dhcp6-range fd42:5::9-fd42:5::2: first address is after the last");
	config_basic(&c, "nat");
	set_ok(&c, "dhcp6-range", "fd42:5::2-fd42:5::9");
	finish_error(&c, "dhcp6-range needs a subnet6 given as PREFIX/64");
}

static void test_host_ip6_round_trip(void **state)
{
	static const char text[] =
		"[network]\nmode = nat\nsubnet = 10.0.0.0/24\nsubnet6 = fd42:1::/64\n"
		"ra-mode = dhcpv6\ndhcp6-range = fd42:1::100-fd42:1::1ff\n"
		"\n[host web]\nmac = 52:54:00:00:00:01\nip = 10.0.0.5\nip6 = fd42:1::5\n"
		"duid = 00:04:01:02:03\n";
	struct network_config c;
	struct network_hosts h = { 0 };
	_cleanup_free_ char *out = NULL;
	char err[256] = "";

	(void)state;
	if (network_config_parse(text, strlen(text), "lab", &c, &h, NULL, NULL, err,
				 sizeof(err)) != 0)
		fail_msg("parse: %s", err);
	assert_int_equal(h.n, 1);
	assert_true(h.items[0].has_ip6);
	assert_int_equal(h.items[0].duid_len, 5);
	assert_int_equal(network_config_format(&c, &h, NULL, NULL, &out), 0);
	assert_string_equal(out, text);
	network_hosts_done(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in6_helpers),
		cmocka_unit_test(test_subnet6_set),
		cmocka_unit_test(test_subnet6_errors),
		cmocka_unit_test(test_subnet6_modes),
		cmocka_unit_test(test_subnet6_auto_candidates),
		cmocka_unit_test(test_subnet6_round_trip),
		cmocka_unit_test(test_dhcp6_range),
		cmocka_unit_test(test_host_ip6_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
