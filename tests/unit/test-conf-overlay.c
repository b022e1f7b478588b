/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for config/conf-overlay: the overlay keys and their messages, the checks against
 * the mode and each other, formatting into a definition file and parsing it back, equality.
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

#include "conf-test-util.h"

#include "config/conf-network.h"

/* Network "ov" of mode 'mode' on 10.0.0.0/24 with the keys in 'kv' (key, value, ..., NULL). */
static int build(struct network_config *c, const char *mode, char *err, size_t errlen,
		 const char *const *kv)
{
	return conf_test_build(c, "ov", mode, err, errlen, kv);
}

static void expect_error(const char *mode, const char *const *kv, const char *msg)
{
	struct network_config c;
	char err[256] = "";

	assert_int_equal(build(&c, mode, err, sizeof(err), kv), -EINVAL);
	if (strcmp(err, msg) != 0)
		fail_msg("expected '%s', got '%s'", msg, err);
}

static void test_keys_and_defaults(void **state)
{
	struct network_config c;
	char err[256] = "";

	(void)state;
	assert_int_equal(build(&c, "nat", err, sizeof(err),
			       KV("overlay", "vxlan", "vni", "16777215", "peers",
				  "192.0.2.2 , 192.0.2.3", "local", "192.0.2.1")), 0);
	assert_int_equal(c.overlay.kind, NETWORK_OVERLAY_VXLAN);
	assert_int_equal(c.overlay.vni, 16777215);
	assert_int_equal(c.overlay.n_peers, 2);
	assert_true(network_overlay_has_peer(&c.overlay, c.overlay.peers[1]));
	assert_int_equal(network_overlay_port(&c.overlay), 4789);
	assert_int_equal(build(&c, "open", err, sizeof(err),
			       KV("overlay", "vxlan", "vni", "1", "vxlan-port", "8472")), 0);
	assert_int_equal(network_overlay_port(&c.overlay), 8472);
	/* no overlay: nothing set, nothing formatted */
	assert_int_equal(build(&c, "isolated", err, sizeof(err), NULL), 0);
	assert_int_equal(c.overlay.kind, NETWORK_OVERLAY_NONE);
	assert_int_equal(build(&c, "routed", err, sizeof(err), KV("overlay", "none")), 0);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("nat", KV("overlay", "vxlan", "vni", "0"),
		     "invalid vni '0': must be between 1 and 16777215");
	expect_error("nat", KV("overlay", "vxlan", "vni", "16777216"),
		     "invalid vni '16777216': must be between 1 and 16777215");
	expect_error("nat", KV("vni", "x1"), "invalid vni 'x1': not a decimal number");
	expect_error("nat", KV("overlay", "geneve"), "invalid overlay 'geneve': must be none, vxlan or evpn");
	expect_error("nat", KV("overlay", "vxlan"), "an overlay needs a vni (--vni N, 1..16777215)");
	expect_error("nat", KV("vni", "5"), "vni needs an overlay (--overlay vxlan)");
	expect_error("nat", KV("peers", "192.0.2.2"), "peers needs an overlay (--overlay vxlan)");
	expect_error("nat", KV("overlay", "vxlan", "vni", "5", "peers", "192.0.2.2,192.0.2.2"),
		     "invalid peers '192.0.2.2,192.0.2.2': 192.0.2.2 is given twice");
	expect_error("nat", KV("overlay", "vxlan", "vni", "5", "peers", "192.0.2.2,,1.2.3.4"),
		     "invalid peers '192.0.2.2,,1.2.3.4': empty entry");
	expect_error("nat", KV("overlay", "vxlan", "vni", "5", "peers", "224.0.0.1"),
		     "invalid peers '224.0.0.1': 224.0.0.1 is not a unicast address");
	expect_error("nat", KV("overlay", "vxlan", "vni", "5", "peers", "host-b"),
		     "invalid peers 'host-b': peer 1: expected an IPv4 address, e.g. 192.0.2.2");
	expect_error("nat", KV("overlay", "vxlan", "vni", "5", "local", "127.0.0.1"),
		     "invalid local '127.0.0.1': not a unicast address");
	expect_error("nat", KV("overlay", "vxlan", "vni", "5", "vxlan-port", "0"),
		     "invalid vxlan-port '0': must be a port from 1 to 65535");
	expect_error("nat", KV("overlay", "vxlan", "vni", "5", "vxlan-port", "65536"),
		     "invalid vxlan-port '65536': must be a port from 1 to 65535");
	expect_error("nat", KV("overlay", "vxlan", "vni", "5", "peers", "192.0.2.1", "local",
			       "192.0.2.1"), "peer 192.0.2.1 is the local address");
	expect_error("bridge", KV("overlay", "vxlan", "vni", "5"),
		     "mode bridge cannot carry an overlay (nat, routed, isolated and open can)");
	expect_error("macvtap", KV("overlay", "vxlan", "vni", "5"),
		     "mode macvtap cannot carry an overlay (nat, routed, isolated and open can)");
}

static void test_gateway_and_dhcp(void **state)
{
	struct network_config c, back;
	char err[256] = "", *text = NULL;

	(void)state;
	assert_int_equal(build(&c, "nat", err, sizeof(err),
			       KV("overlay", "vxlan", "vni", "3", "local", "192.0.2.2", "gateway",
				  "remote", "dhcp", "relay", "dns", "no")), 0);
	assert_false(c.dhcp);
	assert_int_equal(c.overlay.dhcp, NETWORK_OVERLAY_DHCP_RELAY);
	assert_false(network_overlay_has_gateway(&c.overlay));
	assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &text), 0);
	assert_non_null(strstr(text, "gateway = remote\ndhcp = relay\ndns = no\n"));
	assert_int_equal(network_config_parse(text, strlen(text), "ov", &back, NULL, NULL, NULL, err,
					      sizeof(err)), 0);
	assert_true(network_config_equal(&c, &back));
	free(text);

	assert_int_equal(build(&c, "routed", err, sizeof(err),
			       KV("overlay", "vxlan", "vni", "3", "gateway", "anycast", "dhcp",
				  "local")), 0);
	assert_true(c.dhcp);
	assert_true(network_overlay_has_gateway(&c.overlay));
	assert_string_equal(network_overlay_dhcp_value(&c), "local");
	/* "none" is "no"; a boolean resets local/relay */
	assert_int_equal(build(&c, "nat", err, sizeof(err),
			       KV("overlay", "vxlan", "vni", "3", "dhcp", "relay", "dhcp", "none")),
			 0);
	assert_false(c.dhcp);
	assert_string_equal(network_overlay_dhcp_value(&c), "no");
	assert_int_equal(build(&c, "nat", err, sizeof(err),
			       KV("overlay", "vxlan", "vni", "3", "dhcp", "local", "dhcp", "yes")),
			 0);
	assert_null(network_overlay_dhcp_value(&c));

	expect_error("nat", KV("dhcp", "relay"), "dhcp = relay needs an overlay (--overlay vxlan)");
	expect_error("nat", KV("dhcp", "local"), "dhcp = local needs an overlay (--overlay vxlan)");
	expect_error("nat", KV("gateway", "anycast"), "gateway needs an overlay (--overlay vxlan)");
	expect_error("nat", KV("overlay", "vxlan", "vni", "3", "gateway", "up"),
		     "invalid gateway 'up': must be local, remote or anycast");
	expect_error("isolated", KV("overlay", "vxlan", "vni", "3", "gateway", "anycast"),
		     "gateway = anycast needs mode nat or routed");
	expect_error("nat", KV("overlay", "vxlan", "vni", "3", "gateway", "remote", "dhcp", "relay",
			       "dns", "no"),
		     "gateway = remote needs local (this host's underlay address)");
	expect_error("nat", KV("overlay", "vxlan", "vni", "3", "local", "192.0.2.2", "gateway",
			       "remote", "dns", "no"),
		     "gateway = remote leaves this host no address to serve DHCP from: set dhcp = "
		     "relay (or no)");
	expect_error("nat", KV("overlay", "vxlan", "vni", "3", "local", "192.0.2.2", "gateway",
			       "remote", "dhcp", "no"),
		     "gateway = remote leaves this host no address to serve DNS from: set dns = no "
		     "(guests use the gateway's)");
}

static void test_file_round_trip(void **state)
{
	struct network_config c, back;
	char err[256] = "", *text = NULL;

	(void)state;
	assert_int_equal(build(&c, "nat", err, sizeof(err),
			       KV("overlay", "vxlan", "vni", "100", "peers", "192.0.2.2,192.0.2.3",
				  "local", "192.0.2.1", "vxlan-port", "4790")), 0);
	assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &text), 0);
	assert_non_null(strstr(text, "overlay = vxlan\nvni = 100\npeers = 192.0.2.2, 192.0.2.3\n"
				     "local = 192.0.2.1\nvxlan-port = 4790\n"));
	assert_int_equal(network_config_parse(text, strlen(text), "ov", &back, NULL, NULL, NULL, err,
					      sizeof(err)), 0);
	assert_true(network_config_equal(&c, &back));
	back.overlay.peers[1].s_addr ^= 1;
	assert_false(network_config_equal(&c, &back));
	free(text);

	/* a repeated overlay key is an error, with its line */
	static const char dup[] = "[network]\nsubnet = 10.0.0.0/24\noverlay = vxlan\nvni = 1\n"
				  "vni = 2\n";
	assert_int_equal(network_config_parse(dup, strlen(dup), "ov", &back, NULL, NULL, NULL, err,
					      sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 5: duplicate key 'vni' in [network] (first set on line 4)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_and_defaults),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_gateway_and_dhcp),
		cmocka_unit_test(test_file_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
