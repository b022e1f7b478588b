/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for config/conf-network: names, interface names, default bridges, every key's
 * validation and message (lease-time and dhcp-routes included), whole-config checks in
 * network_config_finish(), the INI parser (line numbers, sections, duplicates, syntax, [host],
 * [dns-record] and [port] sections), the port keys (isolate-ports, port-security, allow-attach)
 * and the format/parse round trip with reservations, records and ports.
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

#include "config/conf-dns-record.h"
#include "config/conf-host.h"
#include "config/conf-network.h"
#include "config/conf-port.h"
#include "shared/alloc-util.h"
#include "shared/in-addr-util.h"

static void assert_addr(struct in_addr a, const char *expected)
{
	char buf[INET_ADDRSTRLEN];

	assert_string_equal(in_addr_to_string(a, buf), expected);
}

static void assert_fwd(const struct ip_addr *a, int family, const char *expected)
{
	char buf[IP_ADDR_STRLEN];

	assert_int_equal(a->family, family);
	assert_string_equal(ip_addr_to_string(a, buf), expected);
}

/* A config with a name and a subnet: the least that network_config_finish() accepts. */
static void config_basic(struct network_config *c, const char *subnet)
{
	char err[256];

	network_config_init(c);
	assert_int_equal(network_config_set(c, "name", "lab", err, sizeof(err)), 0);
	assert_int_equal(network_config_set(c, "subnet", subnet, err, sizeof(err)), 0);
}

/* Setting 'key' to 'value' fails with exactly 'msg' and leaves the config untouched. */
static void check_set_error(const char *key, const char *value, const char *msg)
{
	struct network_config c, before;
	char err[512] = "";

	config_basic(&c, "10.0.0.0/24");
	before = c;
	assert_int_equal(network_config_set(&c, key, value, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
	assert_true(network_config_equal(&c, &before));
}

static void check_set_ok(struct network_config *c, const char *key, const char *value)
{
	char err[512] = "";
	int r = network_config_set(c, key, value, err, sizeof(err));

	if (r != 0)
		fail_msg("set %s=%s: %s", key, value, err);
}

/* Finishing 'c' fails with exactly 'msg'. */
static void check_finish_error(struct network_config *c, const char *msg)
{
	char err[512] = "";

	assert_int_equal(network_config_finish(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
}

/*
 * Parsing 'text' (reservations, DNS records and ports allowed) fails with 'r' and exactly 'msg';
 * no hosts, records or ports are left.
 */
static void check_parse_error(const char *text, const char *name, int r, const char *msg)
{
	struct network_hosts hosts = { .items = (void *)&hosts, .n = 42 };
	struct network_dns_records records = { .items = (void *)&records, .n = 42 };
	struct network_ports ports = { .items = (void *)&ports, .n = 42 };
	struct network_config c;
	char err[512] = "";

	assert_int_equal(network_config_parse(text, strlen(text), name, &c, &hosts, &records,
					      &ports, err, sizeof(err)),
			 r);
	assert_string_equal(err, msg);
	assert_null(hosts.items);
	assert_int_equal(hosts.n, 0);
	assert_null(records.items);
	assert_int_equal(records.n, 0);
	assert_null(ports.items);
	assert_int_equal(ports.n, 0);
}

/* Parses 'text' into 'c' and 'hosts' (caller frees), or fails the test. */
static void parse_hosts_ok(const char *text, const char *name, struct network_config *c,
			   struct network_hosts *hosts)
{
	char err[512] = "";
	int r = network_config_parse(text, strlen(text), name, c, hosts, NULL, NULL, err,
				     sizeof(err));

	if (r != 0)
		fail_msg("parse failed (%d): %s", r, err);
}

/* Parses 'text' without reservations (hosts == NULL), or fails the test. */
static void parse_ok(const char *text, const char *name, struct network_config *c)
{
	char err[512] = "";
	int r = network_config_parse(text, strlen(text), name, c, NULL, NULL, NULL, err,
				     sizeof(err));

	if (r != 0)
		fail_msg("parse failed (%d): %s", r, err);
}

static void test_mode_strings(void **state)
{
	assert_string_equal(network_mode_to_string(NETWORK_MODE_NAT), "nat");
	assert_string_equal(network_mode_to_string(NETWORK_MODE_ROUTED), "routed");
	assert_string_equal(network_mode_to_string(NETWORK_MODE_ISOLATED), "isolated");
	assert_string_equal(network_mode_to_string(NETWORK_MODE_OPEN), "open");
	assert_null(network_mode_to_string(_NETWORK_MODE_MAX));
	assert_null(network_mode_to_string(_NETWORK_MODE_INVALID));

	for (int m = 0; m < _NETWORK_MODE_MAX; m++)
		assert_int_equal(network_mode_from_string(network_mode_to_string(m)), m);
	assert_int_equal(network_mode_from_string("NAT"), _NETWORK_MODE_INVALID);
	assert_string_equal(network_mode_to_string(NETWORK_MODE_BRIDGE), "bridge");
	assert_int_equal(network_mode_from_string("bridged"), _NETWORK_MODE_INVALID);
	assert_int_equal(network_mode_from_string(""), _NETWORK_MODE_INVALID);
	assert_int_equal(network_mode_from_string(NULL), _NETWORK_MODE_INVALID);
}

static void test_init_defaults(void **state)
{
	struct network_config c;

	memset(&c, 0xaa, sizeof(c));
	network_config_init(&c);
	assert_int_equal(c.mode, NETWORK_MODE_NAT);
	assert_true(c.dhcp);
	assert_true(c.dns);
	assert_false(c.autostart);
	assert_false(c.has_subnet);
	assert_false(c.has_range);
	assert_false(c.has_bridge);
	assert_string_equal(c.name, "");
	assert_string_equal(c.domain, "");
	assert_string_equal(c.bridge, "");
	assert_string_equal(c.uplink, "");
	assert_int_equal(c.mtu, 0);
	assert_int_equal(c.lease_time_sec, 3600);
	assert_int_equal(c.n_routes, 0);
	assert_false(c.isolate_ports);
	assert_int_equal(c.port_security, NETWORK_PORT_SECURITY_FULL);
	assert_int_equal(c.n_allow_attach, 0);
	for (size_t i = 0; i < NETWORK_ALLOW_ATTACH_MAX; i++)
		assert_string_equal(c.allow_attach[i], "");
}

static void test_name_is_valid(void **state)
{
	static const char *const ok[] = {
		"a", "0", "lab", "web-1", "a_b", "9lives", "a-", "a_",
		"abcdefghijklmnopqrstuvwxyz012345", /* 32 */
	};
	static const char *const bad[] = {
		"", "Lab", "LAB", "-a", "_a", "a b", "a.b", "a/b", "lab\n", "caf\xc3\xa9",
		"abcdefghijklmnopqrstuvwxyz0123456", /* 33 */
	};

	for (size_t i = 0; i < ELEMENTSOF(ok); i++)
		assert_true(network_name_is_valid(ok[i]));
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_false(network_name_is_valid(bad[i]));
	assert_false(network_name_is_valid(NULL));
}

static void test_ifname_is_valid(void **state)
{
	static const char *const ok[] = {
		"eth0", "br-lan", "kn-lab", "a", "enp0s31f6", "vlan.10", "123456789012345", "x..",
	};
	static const char *const bad[] = {
		"", ".", "..", "a/b", "a:b", "a b", "a\tb", "br%d", "eth0\n", "a\x7f",
		"caf\xc3\xa9", ";x", "a;b", "eth+", "eth*", "a\"b", "a'b", "a\\b", "[br]", "a=b",
		"a#b", "1234567890123456", /* 16 */
	};

	for (size_t i = 0; i < ELEMENTSOF(ok); i++)
		assert_true(ifname_is_valid(ok[i]));
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_false(ifname_is_valid(bad[i]));
	assert_false(ifname_is_valid(NULL));
}

static void test_default_bridge(void **state)
{
	char buf[IFNAMSIZ];

	network_default_bridge("lab", buf);
	assert_string_equal(buf, "kn-lab");
	/* 12 characters still fit: "kn-" + 12 = 15. */
	network_default_bridge("abcdefghijkl", buf);
	assert_string_equal(buf, "kn-abcdefghijkl");
	/* 13 do not: first 6 + "-" + low 20 bits of FNV-1a 32 (0x3b8356e8). */
	network_default_bridge("abcdefghijklm", buf);
	assert_string_equal(buf, "kn-abcdef-356e8");
	/* Names sharing a prefix still get distinct bridges. */
	network_default_bridge("production-network-01", buf);
	assert_string_equal(buf, "kn-produc-898bb");
	network_default_bridge("production-network-02", buf);
	assert_string_equal(buf, "kn-produc-89a4e");
	network_default_bridge("abcdefghijklmnopqrstuvwxyz012345", buf);
	assert_int_equal(strlen(buf), 15);
	assert_true(ifname_is_valid(buf));
}

static void test_set_valid_values(void **state)
{
	struct network_config c;

	network_config_init(&c);
	check_set_ok(&c, "name", "web");
	assert_string_equal(c.name, "web");
	check_set_ok(&c, "mode", "routed");
	assert_int_equal(c.mode, NETWORK_MODE_ROUTED);
	check_set_ok(&c, "mode", "isolated");
	assert_int_equal(c.mode, NETWORK_MODE_ISOLATED);
	check_set_ok(&c, "mode", "open");
	assert_int_equal(c.mode, NETWORK_MODE_OPEN);
	check_set_ok(&c, "subnet", "10.1.0.0/16");
	assert_true(c.has_subnet);
	assert_addr(c.subnet.addr, "10.1.0.0");
	assert_int_equal(c.subnet.prefixlen, 16);
	check_set_ok(&c, "dhcp-range", "10.1.0.10-10.1.0.10");
	assert_true(c.has_range);
	assert_addr(c.range_first, "10.1.0.10");
	assert_addr(c.range_last, "10.1.0.10");
	check_set_ok(&c, "domain", "vm.internal");
	assert_string_equal(c.domain, "vm.internal");
	check_set_ok(&c, "mtu", "9000");
	assert_int_equal(c.mtu, 9000);
	check_set_ok(&c, "mtu", "68");
	assert_int_equal(c.mtu, 68);
	check_set_ok(&c, "mtu", "65535");
	assert_int_equal(c.mtu, 65535);
	check_set_ok(&c, "bridge", "virbr7");
	assert_true(c.has_bridge);
	assert_string_equal(c.bridge, "virbr7");
	check_set_ok(&c, "uplink", "eth0");
	assert_string_equal(c.uplink, "eth0");

	/* Setting a key again replaces it; a shorter string leaves no tail behind. */
	check_set_ok(&c, "bridge", "br0");
	assert_string_equal(c.bridge, "br0");
	check_set_ok(&c, "subnet", "192.168.0.0/30");
	assert_int_equal(c.subnet.prefixlen, 30);
	check_set_ok(&c, "subnet", "10.0.0.0/8");
	assert_int_equal(c.subnet.prefixlen, 8);
}

static void test_booleans(void **state)
{
	static const char *const yes[] = { "yes", "true", "on", "1", "YES", "True", "On" };
	static const char *const no[] = { "no", "false", "off", "0", "NO", "False", "OFF" };
	static const char *const keys[] = { "dhcp", "dns", "autostart", "isolate-ports" };

	for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
		struct network_config c;

		network_config_init(&c);
		for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
			bool *field = k == 0 ? &c.dhcp : k == 1 ? &c.dns : k == 2 ? &c.autostart
										: &c.isolate_ports;

			check_set_ok(&c, keys[k], no[i]);
			assert_false(*field);
			check_set_ok(&c, keys[k], yes[i]);
			assert_true(*field);
		}
	}
	check_set_error("dhcp", "maybe",
			"invalid dhcp 'maybe': expected yes/no, true/false, on/off or 1/0");
	check_set_error("dns", "2", "invalid dns '2': expected yes/no, true/false, on/off or 1/0");
	check_set_error("autostart", "yess",
			"invalid autostart 'yess': expected yes/no, true/false, on/off or 1/0");
	check_set_error("isolate-ports", "mac",
			"invalid isolate-ports 'mac': expected yes/no, true/false, on/off or 1/0");
	check_set_error("isolate-ports", "", "invalid isolate-ports '': empty value");
}

/* Every message network_config_set() can produce, each once. */
static void test_set_errors(void **state)
{
	check_set_error("foo", "bar", "unknown key 'foo'");
	check_set_error("Mode", "nat", "unknown key 'Mode'");
	check_set_error("domain", "", "invalid domain '': empty value");

	check_set_error("name", "Lab", "invalid name 'Lab': must match [a-z0-9][a-z0-9_-]{0,31}");
	check_set_error("mode", "bridged",
			"invalid mode 'bridged': must be nat, routed, isolated, open, bridge or macvtap");

	check_set_error("subnet", "10.0.0.1/24", "invalid subnet '10.0.0.1/24': host bits set");
	check_set_error("subnet", "10.0.0.0",
			"invalid subnet '10.0.0.0': expected ADDRESS/LENGTH, e.g. 10.0.0.0/24");
	check_set_error("subnet", "10.0.0.0/33",
			"invalid subnet '10.0.0.0/33': expected ADDRESS/LENGTH, e.g. 10.0.0.0/24");
	check_set_error("subnet", "10.0.0.0/7",
			"invalid subnet '10.0.0.0/7': too large (shorter than /8)");
	check_set_error("subnet", "10.0.0.0/31",
			"invalid subnet '10.0.0.0/31': too small (longer than /30 leaves no room "
			"for a gateway and a guest)");
	check_set_error("subnet", "127.0.0.0/8",
			"invalid subnet '127.0.0.0/8': overlaps the loopback range 127.0.0.0/8");
	check_set_error("subnet", "0.0.0.0/24",
			"invalid subnet '0.0.0.0/24': overlaps the 'this network' range 0.0.0.0/8");
	check_set_error("subnet", "239.1.0.0/16",
			"invalid subnet '239.1.0.0/16': overlaps the multicast range 224.0.0.0/4");
	check_set_error("subnet", "250.0.0.0/24",
			"invalid subnet '250.0.0.0/24': overlaps the reserved range 240.0.0.0/4");

	check_set_error("dhcp-range", "10.0.0.2",
			"invalid dhcp-range '10.0.0.2': expected FIRST-LAST, e.g. "
			"192.168.122.100-192.168.122.254");
	check_set_error("dhcp-range", "10.0.0.9-10.0.0.2",
			"invalid dhcp-range '10.0.0.9-10.0.0.2': first address is after the last");

	check_set_error("domain", "VM.internal",
			"invalid domain 'VM.internal': uppercase 'V' (domains are written in "
			"lowercase)");
	check_set_error("domain", "vm..internal", "invalid domain 'vm..internal': empty label");
	check_set_error("domain", "-vm.internal",
			"invalid domain '-vm.internal': a label starts or ends with '-'");
	check_set_error("domain", "vm_1.internal",
			"invalid domain 'vm_1.internal': character '_' not allowed (labels use "
			"a-z, 0-9 and '-')");

	check_set_error("mtu", "abc", "invalid mtu 'abc': not a decimal number");
	check_set_error("mtu", "67", "invalid mtu '67': must be between 68 and 65535");

	check_set_error("bridge", "br0:1",
			"invalid bridge 'br0:1': not an interface name (1-15 characters from A-Z, "
			"a-z, 0-9, '_', '.', '-')");
	check_set_error("uplink", "this-name-is-too-long",
			"invalid uplink 'this-name-is-too-long': not an interface name (1-15 "
			"characters from A-Z, a-z, 0-9, '_', '.', '-')");
}

static void test_set_edge_values(void **state)
{
	struct network_config c;

	/* Subnet sizes: /8 and /30 are the bounds. */
	config_basic(&c, "10.0.0.0/8");
	check_set_ok(&c, "subnet", "10.0.0.0/30");
	check_set_error("subnet", "10.0.0.0/32",
			"invalid subnet '10.0.0.0/32': too small (longer than /30 leaves no room "
			"for a gateway and a guest)");
	check_set_error("subnet", "0.0.0.0/0",
			"invalid subnet '0.0.0.0/0': too large (shorter than /8)");
	check_set_error("subnet", "10.0.0.0/24 ",
			"invalid subnet '10.0.0.0/24 ': expected ADDRESS/LENGTH, e.g. 10.0.0.0/24");
	check_set_error("subnet", "010.0.0.0/24",
			"invalid subnet '010.0.0.0/24': expected ADDRESS/LENGTH, e.g. 10.0.0.0/24");

	/* Ranges: strict addresses, no blanks, exactly one '-'. */
	check_set_ok(&c, "dhcp-range", "10.0.0.2-10.0.0.2");
	check_set_error("dhcp-range", "10.0.0.2 - 10.0.0.9",
			"invalid dhcp-range '10.0.0.2 - 10.0.0.9': expected FIRST-LAST, e.g. "
			"192.168.122.100-192.168.122.254");
	check_set_error("dhcp-range", "10.0.0.2-",
			"invalid dhcp-range '10.0.0.2-': expected FIRST-LAST, e.g. "
			"192.168.122.100-192.168.122.254");
	check_set_error("dhcp-range", "10.0.0.2-10.0.0.3-10.0.0.4",
			"invalid dhcp-range '10.0.0.2-10.0.0.3-10.0.0.4': expected FIRST-LAST, "
			"e.g. 192.168.122.100-192.168.122.254");

	/* MTU: numbers only, within 68..65535. */
	check_set_ok(&c, "mtu", "01500");
	assert_int_equal(c.mtu, 1500);
	check_set_error("mtu", "0", "invalid mtu '0': must be between 68 and 65535");
	check_set_error("mtu", "65536", "invalid mtu '65536': must be between 68 and 65535");
	check_set_error("mtu", "99999999999999999999999",
			"invalid mtu '99999999999999999999999': must be between 68 and 65535");
	check_set_error("mtu", "-1", "invalid mtu '-1': not a decimal number");
	check_set_error("mtu", "1500 ", "invalid mtu '1500 ': not a decimal number");
	check_set_error("mtu", "0x600", "invalid mtu '0x600': not a decimal number");

	/* Names: 32 characters is the limit. */
	check_set_ok(&c, "name", "abcdefghijklmnopqrstuvwxyz012345");
	check_set_error("name", "abcdefghijklmnopqrstuvwxyz0123456",
			"invalid name 'abcdefghijklmnopqrstuvwxyz0123456': must match "
			"[a-z0-9][a-z0-9_-]{0,31}");

	/*
	 * The kernel would accept ";]" as a name, but "bridge = ;]" reads back as an empty value
	 * (inline comment), so it must be refused up front (found by fuzzing the round trip).
	 */
	check_set_error("bridge", ";]",
			"invalid bridge ';]': not an interface name (1-15 characters from A-Z, "
			"a-z, 0-9, '_', '.', '-')");

	/* Control characters never reach a message raw. */
	check_set_error("mode", "nat\x1b[2J",
			"invalid mode 'nat?[2J': must be nat, routed, isolated, open, bridge or macvtap");
}

static void test_domain(void **state)
{
	char label63[64], label64[65], max[4 * 64], msg[512];
	struct network_config c;

	memset(label63, 'a', 63);
	label63[63] = '\0';
	memset(label64, 'b', 64);
	label64[64] = '\0';

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "domain", "internal");
	check_set_ok(&c, "domain", "a-b.c0.example");
	check_set_ok(&c, "domain", "0.9");
	check_set_ok(&c, "domain", label63);

	snprintf(msg, sizeof(msg), "invalid domain '%s': a label is longer than 63 characters",
		 label64);
	check_set_error("domain", label64, msg);

	/* 4 labels of 63 + 3 dots = 255; cut to exactly 253. */
	snprintf(max, sizeof(max), "%s.%s.%s.%s", label63, label63, label63, label63);
	max[NETWORK_DOMAIN_MAX] = '\0';
	check_set_ok(&c, "domain", max);
	assert_int_equal(strlen(c.domain), NETWORK_DOMAIN_MAX);

	snprintf(max, sizeof(max), "%s.%s.%s.%s", label63, label63, label63, label63);
	max[NETWORK_DOMAIN_MAX + 1] = '\0';
	snprintf(msg, sizeof(msg), "invalid domain '%.80s...': longer than 253 characters", max);
	check_set_error("domain", max, msg);

	check_set_error("domain", ".internal", "invalid domain '.internal': empty label");
	check_set_error("domain", "vm.internal.", "invalid domain 'vm.internal.': empty label");
	check_set_error("domain", "vm-.internal",
			"invalid domain 'vm-.internal': a label starts or ends with '-'");
	check_set_error("domain", "vm.internal-",
			"invalid domain 'vm.internal-': a label starts or ends with '-'");
	check_set_error("domain", "vm internal",
			"invalid domain 'vm internal': character '?' not allowed (labels use a-z, "
			"0-9 and '-')");
	check_set_error("domain", "vm.intErnal",
			"invalid domain 'vm.intErnal': uppercase 'E' (domains are written in "
			"lowercase)");
}

static void test_finish_defaults(void **state)
{
	struct network_config c;
	char err[256];

	config_basic(&c, "192.168.122.0/24");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_addr(c.gateway, "192.168.122.1");
	assert_addr(c.range_first, "192.168.122.2");
	assert_addr(c.range_last, "192.168.122.254");
	assert_false(c.has_range);
	assert_string_equal(c.bridge, "kn-lab");
	assert_false(c.has_bridge);

	/* /30: one guest address between gateway and broadcast. */
	config_basic(&c, "10.0.0.4/30");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_addr(c.gateway, "10.0.0.5");
	assert_addr(c.range_first, "10.0.0.6");
	assert_addr(c.range_last, "10.0.0.6");

	/* /8 */
	config_basic(&c, "10.0.0.0/8");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_addr(c.range_last, "10.255.255.254");

	/* Explicit values are kept; finishing twice changes nothing. */
	config_basic(&c, "192.168.122.0/24");
	check_set_ok(&c, "dhcp-range", "192.168.122.100-192.168.122.199");
	check_set_ok(&c, "bridge", "virbr9");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_addr(c.range_first, "192.168.122.100");
	assert_addr(c.range_last, "192.168.122.199");
	assert_string_equal(c.bridge, "virbr9");
	{
		struct network_config again = c;

		assert_int_equal(network_config_finish(&again, err, sizeof(err)), 0);
		assert_true(network_config_equal(&again, &c));
	}

	/* Changing the subnet after a finish re-derives the default range and gateway. */
	config_basic(&c, "192.168.122.0/24");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	check_set_ok(&c, "subnet", "10.5.0.0/16");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_addr(c.gateway, "10.5.0.1");
	assert_addr(c.range_first, "10.5.0.2");
	assert_addr(c.range_last, "10.5.255.254");

	/* A long name gets a hashed bridge. */
	network_config_init(&c);
	check_set_ok(&c, "name", "abcdefghijklm");
	check_set_ok(&c, "subnet", "10.0.0.0/24");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_string_equal(c.bridge, "kn-abcdef-356e8");
}

static void test_finish_errors(void **state)
{
	struct network_config c;

	network_config_init(&c);
	check_set_ok(&c, "subnet", "10.0.0.0/24");
	check_finish_error(&c, "name is required");

	network_config_init(&c);
	check_set_ok(&c, "name", "lab");
	check_finish_error(&c, "subnet is required");
	/* ... whatever the mode that addresses its guests itself. */
	for (int m = 0; m < _NETWORK_MODE_MAX; m++) {
		if (m == NETWORK_MODE_BRIDGE || m == NETWORK_MODE_MACVTAP)
			continue;
		check_set_ok(&c, "mode", network_mode_to_string(m));
		check_finish_error(&c, "subnet is required");
	}
	/* Mode bridge: the LAN's server addresses the guests, kvmnet needs only the bridge. */
	network_config_init(&c);
	check_set_ok(&c, "name", "lan");
	check_set_ok(&c, "mode", "bridge");
	check_finish_error(&c, "mode bridge needs --bridge (an existing bridge) or --uplink (a NIC "
			       "to build one around)");
	check_set_ok(&c, "bridge", "br0");
	check_set_ok(&c, "subnet", "10.0.0.0/24");
	check_finish_error(&c, "subnet is not allowed with mode bridge: the LAN's own DHCP server "
			       "addresses the guests");
	network_config_init(&c);
	check_set_ok(&c, "name", "lan");
	check_set_ok(&c, "mode", "bridge");
	check_set_ok(&c, "bridge", "br0");
	check_set_ok(&c, "mtu", "1400");
	check_finish_error(&c, "mtu is not allowed with mode bridge: the bridge is not kvmnet's, "
			       "its MTU stays as it is");
	network_config_init(&c);
	check_set_ok(&c, "name", "lan");
	check_set_ok(&c, "mode", "bridge");
	check_set_ok(&c, "bridge", "br0");
	{
		char err[256] = "";
		assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
		assert_false(c.dhcp);
		assert_false(c.dns);
		assert_false(c.has_subnet);
		assert_string_equal(c.bridge, "br0");
	}

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "dhcp-range", "10.9.0.5-10.9.0.9");
	check_finish_error(&c, "dhcp-range 10.9.0.5-10.9.0.9 is outside subnet 10.0.0.0/24");

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "dhcp-range", "10.0.0.200-10.0.1.5");
	check_finish_error(&c, "dhcp-range 10.0.0.200-10.0.1.5 is outside subnet 10.0.0.0/24");

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "dhcp-range", "9.255.255.250-10.0.0.5");
	check_finish_error(&c, "dhcp-range 9.255.255.250-10.0.0.5 is outside subnet 10.0.0.0/24");

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "dhcp-range", "10.0.0.0-10.0.0.9");
	check_finish_error(&c,
			   "dhcp-range 10.0.0.0-10.0.0.9 includes the network address 10.0.0.0");

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "dhcp-range", "10.0.0.100-10.0.0.255");
	check_finish_error(&c,
			   "dhcp-range 10.0.0.100-10.0.0.255 includes the broadcast address "
			   "10.0.0.255");

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "dhcp-range", "10.0.0.1-10.0.0.9");
	check_finish_error(&c, "dhcp-range 10.0.0.1-10.0.0.9 includes the gateway 10.0.0.1");

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "dhcp-range", "10.0.0.1-10.0.0.1");
	check_finish_error(&c, "dhcp-range 10.0.0.1-10.0.0.1 includes the gateway 10.0.0.1");

	config_basic(&c, "10.0.0.4/30");
	check_set_ok(&c, "dhcp-range", "10.0.0.6-10.0.0.7");
	check_finish_error(&c,
			   "dhcp-range 10.0.0.6-10.0.0.7 includes the broadcast address 10.0.0.7");

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "uplink", "kn-lab");
	check_finish_error(&c, "uplink 'kn-lab' cannot be the network's own bridge");

	/* Configs built in code rather than with network_config_set() are checked too. */
	config_basic(&c, "10.0.0.0/24");
	c.range_first = in_addr_from_host(0x0a000009);
	c.range_last = in_addr_from_host(0x0a000005);
	c.has_range = true;
	check_finish_error(&c, "dhcp-range 10.0.0.9-10.0.0.5: first address is after the last");

	config_basic(&c, "10.0.0.0/24");
	c.subnet.prefixlen = 31;
	check_finish_error(&c, "invalid subnet '10.0.0.0/31': too small (longer than /30 leaves no "
			       "room for a gateway and a guest)");

	config_basic(&c, "10.0.0.0/24");
	c.subnet.addr = in_addr_from_host(0x0a000001);
	check_finish_error(&c, "invalid subnet '10.0.0.1/24': host bits set");

	config_basic(&c, "10.0.0.0/24");
	c.mtu = 10;
	check_finish_error(&c, "invalid mtu 10: must be between 68 and 65535");

	config_basic(&c, "10.0.0.0/24");
	c.mode = _NETWORK_MODE_MAX;
	check_finish_error(&c, "invalid mode 6");

	config_basic(&c, "10.0.0.0/24");
	strcpy(c.name, "Bad");
	check_finish_error(&c, "invalid name 'Bad': must match [a-z0-9][a-z0-9_-]{0,31}");
}

/* Error order in finish() is fixed: the name is checked before the subnet, etc. */
static void test_finish_error_order(void **state)
{
	struct network_config c;

	network_config_init(&c);
	check_set_ok(&c, "dhcp-range", "1.1.1.1-1.1.1.2");
	check_finish_error(&c, "name is required");
	check_set_ok(&c, "name", "lab");
	check_finish_error(&c, "subnet is required");
	check_set_ok(&c, "uplink", "kn-lab");
	check_set_ok(&c, "subnet", "10.0.0.0/24");
	check_finish_error(&c, "dhcp-range 1.1.1.1-1.1.1.2 is outside subnet 10.0.0.0/24");
	check_set_ok(&c, "dhcp-range", "10.0.0.2-10.0.0.3");
	check_finish_error(&c, "uplink 'kn-lab' cannot be the network's own bridge");
}

/* Flags in any order give the same result, and the same as a file with those keys. */
static void test_order_independence(void **state)
{
	static const char *const kv[][2] = {
		{ "name", "lab" },	    { "mode", "routed" },	{ "subnet", "10.7.0.0/16" },
		{ "dhcp-range", "10.7.1.0-10.7.1.255" }, { "domain", "lab.example" },
		{ "mtu", "1400" },	    { "bridge", "br-lab" },	{ "uplink", "eth1" },
		{ "dhcp", "no" },	    { "dns", "off" },		{ "autostart", "yes" },
		{ "lease-time", "2h" },
		{ "dhcp-routes", "10.8.0.0/16 via 10.7.0.5, 0.0.0.0/0 via 10.7.0.1" },
		{ "dhcp-leases-per-port", "4" },
		{ "dns-forwarders", "10.7.0.53, 192.0.2.53" },
		{ "isolate-ports", "yes" }, { "port-security", "mac" },
		{ "allow-attach", "alice, @kvm" },
	};
	const size_t n = ELEMENTSOF(kv);
	struct network_config ref, c, f;
	char err[256], text[1024];
	size_t off = 0;

	network_config_init(&ref);
	for (size_t i = 0; i < n; i++)
		check_set_ok(&ref, kv[i][0], kv[i][1]);
	assert_int_equal(network_config_finish(&ref, err, sizeof(err)), 0);

	/* Every rotation, forwards and backwards. */
	for (size_t rot = 0; rot < n; rot++) {
		network_config_init(&c);
		for (size_t i = 0; i < n; i++)
			check_set_ok(&c, kv[(i + rot) % n][0], kv[(i + rot) % n][1]);
		assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
		assert_true(network_config_equal(&c, &ref));

		network_config_init(&c);
		for (size_t i = n; i-- > 0;)
			check_set_ok(&c, kv[(i + rot) % n][0], kv[(i + rot) % n][1]);
		assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
		assert_true(network_config_equal(&c, &ref));
	}

	/* The same keys in a file, backwards. */
	off += (size_t)snprintf(text + off, sizeof(text) - off, "[network]\n");
	for (size_t i = n; i-- > 0;)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s = %s\n", kv[i][0],
					kv[i][1]);
	parse_ok(text, "ignored", &f);
	assert_true(network_config_equal(&f, &ref));
}

static void test_parse_example(void **state)
{
	static const char text[] = "# Lab network\n"
				   "[network]\n"
				   "mode = nat\n"
				   "subnet = 192.168.122.0/24\n"
				   "dhcp-range = 192.168.122.100-192.168.122.254\n"
				   "domain = vm.internal\n"
				   "autostart = yes\n";
	struct network_config c;

	parse_ok(text, "lab", &c);
	assert_string_equal(c.name, "lab");
	assert_int_equal(c.mode, NETWORK_MODE_NAT);
	assert_addr(c.subnet.addr, "192.168.122.0");
	assert_int_equal(c.subnet.prefixlen, 24);
	assert_addr(c.gateway, "192.168.122.1");
	assert_addr(c.range_first, "192.168.122.100");
	assert_addr(c.range_last, "192.168.122.254");
	assert_true(c.has_range);
	assert_string_equal(c.domain, "vm.internal");
	assert_true(c.autostart);
	assert_true(c.dhcp);
	assert_true(c.dns);
	assert_string_equal(c.bridge, "kn-lab");
	assert_false(c.has_bridge);
	assert_int_equal(c.mtu, 0);
}

static void test_parse_syntax_variants(void **state)
{
	struct network_config c;

	/* CRLF, a BOM, indentation, ';' and '#' comments, inline ';' comments, "key: value". */
	parse_ok("\xef\xbb\xbf[network]\r\n"
		 "; comment\r\n"
		 "   # another\r\n"
		 "\tsubnet = 10.0.0.0/24 ; inline comment\r\n"
		 "  mode:routed\r\n"
		 "\r\n"
		 "dhcp=false\r\n"
		 "domain    =    a.b   \r\n",
		 "lab", &c);
	assert_int_equal(c.mode, NETWORK_MODE_ROUTED);
	assert_addr(c.subnet.addr, "10.0.0.0");
	assert_false(c.dhcp);
	assert_string_equal(c.domain, "a.b");

	/* No final newline, section header with a trailing comment. */
	parse_ok("[network] ; the only section\nsubnet = 10.0.0.0/24", "lab", &c);
	assert_addr(c.gateway, "10.0.0.1");

	/* The text need not be NUL-terminated: only 'len' bytes count. */
	{
		static const char text[] = "[network]\nsubnet = 10.0.0.0/24\nGARBAGE";
		char err[256] = "";

		assert_int_equal(network_config_parse(text, strlen(text) - strlen("GARBAGE"), "lab",
						      &c, NULL, NULL, NULL, err, sizeof(err)),
				 0);
	}

	/* '#' is a comment only at the start of a line. */
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\nmode = nat # comment\n", "lab", -EINVAL,
			  "line 3: invalid mode 'nat # comment': must be nat, routed, isolated, "
			  "open, bridge or macvtap");
}

static void test_parse_name(void **state)
{
	struct network_config c;

	/* The file's name key wins over the file name. */
	parse_ok("[network]\nname = web\nsubnet = 10.0.0.0/24\n", "lab", &c);
	assert_string_equal(c.name, "web");
	assert_string_equal(c.bridge, "kn-web");
	/* ... even when the file name is not a valid network name. */
	parse_ok("[network]\nname = web\nsubnet = 10.0.0.0/24\n", "Lab Network", &c);
	assert_string_equal(c.name, "web");
	parse_ok("[network]\nname = web\nsubnet = 10.0.0.0/24\n", NULL, &c);
	assert_string_equal(c.name, "web");

	check_parse_error("[network]\nsubnet = 10.0.0.0/24\n", NULL, -EINVAL, "name is required");
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\n", "Lab", -EINVAL,
			  "invalid name 'Lab': must match [a-z0-9][a-z0-9_-]{0,31}");
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\nname = Web\n", "lab", -EINVAL,
			  "line 3: invalid name 'Web': must match [a-z0-9][a-z0-9_-]{0,31}");
}

static void test_parse_errors(void **state)
{
	check_parse_error("", "lab", -EINVAL, "missing [network] section");
	check_parse_error("# only a comment\n\n", "lab", -EINVAL, "missing [network] section");
	check_parse_error("[network]\nmode = nat\n", "lab", -EINVAL, "subnet is required");
	check_parse_error("[network]\n", "lab", -EINVAL, "subnet is required");

	check_parse_error("[network]\nsubnet = 10.0.0.0/24\nfoo = 1\n", "lab", -EINVAL,
			  "line 3: unknown key 'foo' in [network]");
	check_parse_error("[network]\nsubnet = 10.0.0.1/24\n", "lab", -EINVAL,
			  "line 2: invalid subnet '10.0.0.1/24': host bits set");
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\n\n\nsubnet = 10.1.0.0/24\n", "lab",
			  -EINVAL,
			  "line 5: duplicate key 'subnet' in [network] (first set on line 2)");
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\n[network]\n", "lab", -EINVAL,
			  "line 3: duplicate section [network]");
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\n[hosts web1]\nmac = 52:54:00:12:34:56\n",
			  "lab", -EINVAL, "line 3: unknown section [hosts web1]");
	/* An empty unknown section is still refused. */
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\n\n[forward web]\n", "lab", -EINVAL,
			  "line 4: [forward] sections are not allowed here");
	check_parse_error("[ network ]\n", "lab", -EINVAL, "line 1: unknown section [ network ]");
	check_parse_error("[Network]\n", "lab", -EINVAL, "line 1: unknown section [Network]");
	check_parse_error("mode = nat\n[network]\n", "lab", -EINVAL,
			  "line 1: key 'mode' before the [network] section");
	check_parse_error("[network\nsubnet = 10.0.0.0/24\n", "lab", -EINVAL,
			  "line 1: missing ']' in section header");
	check_parse_error("[network] extra\n", "lab", -EINVAL,
			  "line 1: unexpected text after section header");
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\njust some words\n", "lab", -EINVAL,
			  "line 3: expected 'key = value', '[section]' or a comment");
	check_parse_error("[network]\r\nsubnet = 10.0.0.0/24\r\nmtu = 12\r\n", "lab", -EINVAL,
			  "line 3: invalid mtu '12': must be between 68 and 65535");
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\ndhcp-range = 10.9.0.5-10.9.0.9\n",
			  "lab", -EINVAL,
			  "dhcp-range 10.9.0.5-10.9.0.9 is outside subnet 10.0.0.0/24");
	check_parse_error("[network]\ndomain =\nsubnet = 10.0.0.0/24\n", "lab", -EINVAL,
			  "line 2: invalid domain '': empty value");
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\nautostart = sometimes\n", "lab",
			  -EINVAL,
			  "line 3: invalid autostart 'sometimes': expected yes/no, true/false, "
			  "on/off or 1/0");
	/* An indented line is a key of its own, never a continuation of the previous value. */
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\n    more text\n", "lab", -EINVAL,
			  "line 3: expected 'key = value', '[section]' or a comment");
}

/* The first error in the file is reported, whichever part of the parser finds it. */
static void test_parse_first_error_wins(void **state)
{
	check_parse_error("[network]\nwhat\nfoo = 1\n", "lab", -EINVAL,
			  "line 2: expected 'key = value', '[section]' or a comment");
	check_parse_error("[network]\nfoo = 1\nwhat\n", "lab", -EINVAL,
			  "line 2: unknown key 'foo' in [network]");
	check_parse_error("[network]\nwhat\n[x]\n", "lab", -EINVAL,
			  "line 2: expected 'key = value', '[section]' or a comment");
	check_parse_error("[network]\nmtu = 1\n[x]\n", "lab", -EINVAL,
			  "line 2: invalid mtu '1': must be between 68 and 65535");
}

static void test_parse_limits(void **state)
{
	struct network_config c;
	char err[256] = "", *text, line[1100];
	size_t len = NETWORK_CONFIG_TEXT_MAX + 1;

	/* NUL bytes. */
	{
		static const char nul[] = "[network]\nsubnet = 10.0.0.0/24\nmode = n\0t\n";

		assert_int_equal(network_config_parse(nul, sizeof(nul) - 1, "lab", &c, NULL, NULL,
						      NULL, err, sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, "line 3: NUL byte");
	}

	/* Over-long lines: 1000 characters pass (as a comment), 1001 do not. */
	memset(line, 'x', sizeof(line));
	memcpy(line, "[network]\n#", 11);
	snprintf(line + 10 + 1000, sizeof(line) - 1010, "\nsubnet = 10.0.0.0/24\n");
	parse_ok(line, "lab", &c);
	memset(line, 'x', sizeof(line));
	memcpy(line, "[network]\n#", 11);
	snprintf(line + 10 + 1001, sizeof(line) - 1011, "\nsubnet = 10.0.0.0/24\n");
	check_parse_error(line, "lab", -EINVAL,
			  "line 2: line too long (more than 1000 characters)");

	/* Too large a text is refused before parsing. */
	text = malloc(len);
	assert_non_null(text);
	memset(text, '\n', len);
	assert_int_equal(network_config_parse(text, len, "lab", &c, NULL, NULL, NULL, err,
					      sizeof(err)),
			 -E2BIG);
	{
		char want[64];
		snprintf(want, sizeof(want), "definition is larger than %d bytes",
			 NETWORK_CONFIG_TEXT_MAX);
		assert_string_equal(err, want);
	}
	/*
	 * At the limit, blank lines are fine and line numbers keep counting: line 1 is the header,
	 * the newlines at offsets 10..len-7 end lines 2..len-15, and "mtu=1" is line len-14.
	 */
	memcpy(text, "[network]\n", 10);
	memcpy(text + len - 1 - 5, "mtu=1", 5);
	assert_int_equal(network_config_parse(text, len - 1, "lab", &c, NULL, NULL, NULL, err,
					      sizeof(err)),
			 -EINVAL);
	{
		char want[96];
		snprintf(want, sizeof(want), "line %zu: invalid mtu '1': must be between 68 and 65535",
			 len - 14);
		assert_string_equal(err, want);
	}
	free(text);

	/* A NULL text with length 0, and a NULL or tiny error buffer. */
	assert_int_equal(network_config_parse(NULL, 0, "lab", &c, NULL, NULL, NULL, err,
					      sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "missing [network] section");
	assert_int_equal(network_config_parse("[x]", 3, "lab", &c, NULL, NULL, NULL, NULL, 0),
			 -EINVAL);
	strcpy(err, "zzzz");
	assert_int_equal(network_config_parse("[x]", 3, "lab", &c, NULL, NULL, NULL, err, 5),
			 -EINVAL);
	assert_string_equal(err, "line");
}

static void test_format_golden(void **state)
{
	static const char expected[] = "[network]\n"
				       "mode = routed\n"
				       "subnet = 192.168.122.0/24\n"
				       "dhcp-range = 192.168.122.100-192.168.122.199\n"
				       "domain = vm.internal\n"
				       "mtu = 9000\n"
				       "bridge = virbr5\n"
				       "uplink = eth0\n"
				       "dhcp = no\n"
				       "dns = no\n"
				       "autostart = yes\n";
	struct network_config c;
	char err[256];
	_cleanup_free_ char *text = NULL, *minimal = NULL;

	network_config_init(&c);
	/* Set in a different order from the file's: the output order is fixed. */
	check_set_ok(&c, "autostart", "on");
	check_set_ok(&c, "dns", "0");
	check_set_ok(&c, "dhcp", "false");
	check_set_ok(&c, "uplink", "eth0");
	check_set_ok(&c, "bridge", "virbr5");
	check_set_ok(&c, "mtu", "9000");
	check_set_ok(&c, "domain", "vm.internal");
	check_set_ok(&c, "dhcp-range", "192.168.122.100-192.168.122.199");
	check_set_ok(&c, "subnet", "192.168.122.0/24");
	check_set_ok(&c, "mode", "routed");
	check_set_ok(&c, "name", "lab");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &text), 0);
	assert_string_equal(text, expected);

	/* Defaults (derived range and bridge, dhcp/dns on, no autostart) are not written. */
	config_basic(&c, "10.0.0.0/24");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &minimal), 0);
	assert_string_equal(minimal, "[network]\nmode = nat\nsubnet = 10.0.0.0/24\n");
}

/* format -> parse gives 'c' and 'hosts' (may be NULL) back, and formatting again is stable. */
static void check_round_trip_hosts(const struct network_config *c,
				   const struct network_hosts *hosts)
{
	_cleanup_free_ char *text = NULL, *text2 = NULL;
	_cleanup_(network_hosts_done) struct network_hosts back_hosts = { 0 };
	struct network_config back;

	assert_int_equal(network_config_format(c, hosts, NULL, NULL, &text), 0);
	parse_hosts_ok(text, c->name, &back, &back_hosts);
	if (!network_config_equal(&back, c))
		fail_msg("round trip changed the config:\n%s", text);
	if (!network_hosts_equal(&back_hosts, hosts))
		fail_msg("round trip changed the reservations:\n%s", text);
	assert_int_equal(network_config_format(&back, &back_hosts, NULL, NULL, &text2), 0);
	assert_string_equal(text, text2);
}

static void check_round_trip(const struct network_config *c)
{
	check_round_trip_hosts(c, NULL);
}

/* macvtap networks: an uplink, a macvtap-mode, and none of the keys of a network with a subnet. */
static void test_macvtap(void **state)
{
	static const char *const modes[] = { "bridge", "vepa", "private", "passthrough" };
	struct network_config c;
	char err[256];

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		network_config_init(&c);
		check_set_ok(&c, "name", "mv");
		check_set_ok(&c, "mode", "macvtap");
		check_set_ok(&c, "uplink", "eth0");
		if (i > 0)
			check_set_ok(&c, "macvtap-mode", modes[i]);
		assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
		assert_int_equal(c.macvtap_mode, (int)i);
		assert_string_equal(network_macvtap_mode_to_string(c.macvtap_mode), modes[i]);
		assert_false(c.dhcp);
		assert_false(c.dns);
		assert_false(c.has_subnet);
		assert_string_equal(c.bridge, "");
		check_round_trip(&c);
	}
	check_set_error("macvtap-mode", "weird", "invalid macvtap-mode 'weird': must be bridge, "
			"vepa, private or passthrough");
	check_set_error("macvtap-mode", "Bridge", "invalid macvtap-mode 'Bridge': must be bridge, "
			"vepa, private or passthrough");

	network_config_init(&c);
	check_set_ok(&c, "name", "mv");
	check_set_ok(&c, "mode", "macvtap");
	check_finish_error(&c, "a macvtap network needs an uplink (--uplink NIC)");
	check_set_ok(&c, "uplink", "eth0");
	check_set_ok(&c, "subnet", "10.0.0.0/24");
	check_finish_error(&c, "a macvtap network has no subnet (its guests are on the LAN of its "
			   "uplink)");
	network_config_init(&c);
	check_set_ok(&c, "name", "mv");
	check_set_ok(&c, "mode", "macvtap");
	check_set_ok(&c, "uplink", "eth0");
	check_set_ok(&c, "bridge", "br0");
	check_finish_error(&c, "a macvtap network has no bridge (its guests are on the LAN of its "
			   "uplink)");
	network_config_init(&c);
	check_set_ok(&c, "name", "mv");
	check_set_ok(&c, "mode", "macvtap");
	check_set_ok(&c, "uplink", "eth0");
	check_set_ok(&c, "isolate-ports", "yes");
	check_finish_error(&c, "a macvtap network has no isolate-ports: use macvtap-mode private");
	/* a file says the same */
	check_parse_error("[network]\nmode = macvtap\n", "mv", -EINVAL,
			  "a macvtap network needs an uplink (--uplink NIC)");
}

static void test_round_trip(void **state)
{
	char label63[64], domain[4 * 64], err[256];
	struct network_config c;

	/* Minimal, every mode (bridge: no subnet, an existing bridge). */
	for (int m = 0; m < _NETWORK_MODE_MAX; m++) {
		if (m == NETWORK_MODE_MACVTAP)
			continue;
		if (m == NETWORK_MODE_BRIDGE) {
			network_config_init(&c);
			check_set_ok(&c, "name", "lan");
			check_set_ok(&c, "bridge", "br0");
		} else
			config_basic(&c, "192.168.122.0/24");
		check_set_ok(&c, "mode", network_mode_to_string(m));
		assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
		check_round_trip(&c);
	}

	/* Everything set, booleans flipped from their defaults. */
	config_basic(&c, "172.16.0.0/12");
	check_set_ok(&c, "dhcp-range", "172.16.1.1-172.16.2.254");
	check_set_ok(&c, "domain", "x.y.z");
	check_set_ok(&c, "mtu", "65535");
	check_set_ok(&c, "bridge", "brX-1.2");
	check_set_ok(&c, "uplink", "enp0s31f6");
	check_set_ok(&c, "dhcp", "off");
	check_set_ok(&c, "dns", "off");
	check_set_ok(&c, "autostart", "on");
	check_set_ok(&c, "lease-time", "45m");
	check_set_ok(&c, "dhcp-routes", "10.0.0.0/8 via 172.16.0.9,192.168.0.0/16 via 172.31.255.254");
	check_set_ok(&c, "dns-forwarders", "198.51.100.53,192.0.2.53 , 127.0.0.53,172.16.0.53");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	check_round_trip(&c);

	/* One boolean at a time. */
	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "dns", "no");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	check_round_trip(&c);

	/* /30 with its only possible range, written out explicitly. */
	config_basic(&c, "10.0.0.4/30");
	check_set_ok(&c, "dhcp-range", "10.0.0.6-10.0.0.6");
	check_set_ok(&c, "mtu", "68");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	check_round_trip(&c);

	/* The longest name (hashed bridge) and the longest domain (a 262-character line). */
	memset(label63, 'a', 63);
	label63[63] = '\0';
	snprintf(domain, sizeof(domain), "%s.%s.%s.%s", label63, label63, label63, label63);
	domain[NETWORK_DOMAIN_MAX] = '\0';
	network_config_init(&c);
	check_set_ok(&c, "name", "abcdefghijklmnopqrstuvwxyz012345");
	check_set_ok(&c, "subnet", "10.255.0.0/16");
	check_set_ok(&c, "domain", domain);
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	check_round_trip(&c);
}

static void check_lease_time(const char *value, uint32_t expected)
{
	struct network_config c;

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "lease-time", value);
	assert_int_equal(c.lease_time_sec, expected);
}

static void test_lease_time(void **state)
{
	static const char *const bad_syntax[] = {
		"1 h", "1H", "h", "1.5h", "-1", "1hs", "0x10", "+60", "60 ", " 60", "1w", "1h30m",
	};
	static const struct {
		const char *value;
		const char *written;	/* NULL = the default, not written */
	} canonical[] = {
		{ "7200", "2h" },	{ "90", "90s" },     { "5400s", "90m" }, { "1440m", "1d" },
		{ "61", "61s" },	{ "60m", NULL },     { "3600s", NULL },	 { "365d", "365d" },
		{ "8759h", "8759h" },	{ "120m", "2h" },
	};
	char err[256], msg[512];
	struct network_config c;

	check_lease_time("60", 60);
	check_lease_time("60s", 60);
	check_lease_time("1m", 60);
	check_lease_time("90s", 90);
	check_lease_time("2h", 7200);
	check_lease_time("1d", 86400);
	check_lease_time("365d", 31536000);
	check_lease_time("8760h", 31536000);
	check_lease_time("525600m", 31536000);
	check_lease_time("31536000", 31536000);
	check_lease_time("0001h", 3600);

	check_set_error("lease-time", "59", "invalid lease-time '59': must be between 60s and 365d");
	check_set_error("lease-time", "0", "invalid lease-time '0': must be between 60s and 365d");
	check_set_error("lease-time", "0d", "invalid lease-time '0d': must be between 60s and 365d");
	check_set_error("lease-time", "366d",
			"invalid lease-time '366d': must be between 60s and 365d");
	check_set_error("lease-time", "31536001",
			"invalid lease-time '31536001': must be between 60s and 365d");
	check_set_error("lease-time", "99999999999999999999999999d",
			"invalid lease-time '99999999999999999999999999d': must be between 60s and "
			"365d");
	check_set_error("lease-time", "", "invalid lease-time '': empty value");
	for (size_t i = 0; i < ELEMENTSOF(bad_syntax); i++) {
		snprintf(msg, sizeof(msg),
			 "invalid lease-time '%s': expected seconds, or a number with suffix s, m, "
			 "h or d, e.g. 1h",
			 bad_syntax[i]);
		check_set_error("lease-time", bad_syntax[i], msg);
	}

	/* Written back only when not the default, in the largest unit that divides it. */
	for (size_t i = 0; i < ELEMENTSOF(canonical); i++) {
		_cleanup_free_ char *text = NULL;

		config_basic(&c, "10.0.0.0/24");
		check_set_ok(&c, "lease-time", canonical[i].value);
		assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
		assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &text), 0);
		if (canonical[i].written) {
			snprintf(msg, sizeof(msg),
				 "[network]\nmode = nat\nsubnet = 10.0.0.0/24\nlease-time = %s\n",
				 canonical[i].written);
			assert_string_equal(text, msg);
		} else {
			assert_string_equal(text, "[network]\nmode = nat\nsubnet = 10.0.0.0/24\n");
		}
		check_round_trip(&c);
	}

	/* In a file, with its line number; and a config built in code is checked by finish(). */
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\n\nlease-time = 30s\n", "lab", -EINVAL,
			  "line 4: invalid lease-time '30s': must be between 60s and 365d");
	config_basic(&c, "10.0.0.0/24");
	c.lease_time_sec = 10;
	check_finish_error(&c, "invalid lease-time 10: must be between 60s and 365d");
}

static void test_dhcp_leases_per_port(void **state)
{
	static const char *const bad[] = {
		"-1", "1025", "4096", "x", "4x", "1.5", " 4", "4 ", "+4", "0x10",
		"99999999999999999999999999",
	};
	static const struct {
		const char *value;
		uint32_t n;
		const char *written;    /* NULL: the default, not written back */
	} good[] = {
		{ "0", 0, "0" }, { "1", 1, "1" }, { "4", 4, "4" }, { "0016", 16, NULL },
		{ "16", 16, NULL }, { "1024", 1024, "1024" },
	};
	struct network_config c;
	char err[256], msg[512];

	network_config_init(&c);
	assert_int_equal(c.dhcp_leases_per_port, 16);
	for (size_t i = 0; i < ELEMENTSOF(good); i++) {
		_cleanup_free_ char *text = NULL;

		config_basic(&c, "10.0.0.0/24");
		check_set_ok(&c, "dhcp-leases-per-port", good[i].value);
		assert_int_equal(c.dhcp_leases_per_port, good[i].n);
		assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
		assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &text), 0);
		if (good[i].written) {
			snprintf(msg, sizeof(msg),
				 "[network]\nmode = nat\nsubnet = 10.0.0.0/24\n"
				 "dhcp-leases-per-port = %s\n", good[i].written);
			assert_string_equal(text, msg);
		} else {
			assert_string_equal(text, "[network]\nmode = nat\nsubnet = 10.0.0.0/24\n");
		}
		check_round_trip(&c);
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		snprintf(msg, sizeof(msg),
			 "invalid dhcp-leases-per-port '%s': must be a whole number from 0 to 1024 "
			 "(0: no cap)", bad[i]);
		check_set_error("dhcp-leases-per-port", bad[i], msg);
	}
	check_set_error("dhcp-leases-per-port", "", "invalid dhcp-leases-per-port '': empty value");

	/* Written after the routes, before the domain. */
	{
		_cleanup_free_ char *text = NULL;

		config_basic(&c, "10.0.0.0/24");
		check_set_ok(&c, "domain", "lab.example");
		check_set_ok(&c, "dhcp-leases-per-port", "2");
		check_set_ok(&c, "dhcp-routes", "0.0.0.0/0 via 10.0.0.1");
		check_set_ok(&c, "lease-time", "2h");
		assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
		assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &text), 0);
		assert_string_equal(text, "[network]\nmode = nat\nsubnet = 10.0.0.0/24\n"
					  "lease-time = 2h\ndhcp-routes = 0.0.0.0/0 via 10.0.0.1\n"
					  "dhcp-leases-per-port = 2\ndomain = lab.example\n");
		check_round_trip(&c);
	}

	/* In a file, with its line number; 0 from a file; a config built in code. */
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\ndhcp-leases-per-port = 2000\n", "lab",
			  -EINVAL,
			  "line 3: invalid dhcp-leases-per-port '2000': must be a whole number "
			  "from 0 to 1024 (0: no cap)");
	parse_ok("[network]\nsubnet = 10.0.0.0/24\ndhcp-leases-per-port = 0\n", "lab", &c);
	assert_int_equal(c.dhcp_leases_per_port, 0);
	config_basic(&c, "10.0.0.0/24");
	c.dhcp_leases_per_port = 1025;
	check_finish_error(&c, "invalid dhcp-leases-per-port 1025: must be a whole number "
			       "from 0 to 1024 (0: no cap)");
}

static void assert_route(const struct network_route *rt, const char *dst, const char *gw)
{
	char buf[IN_PREFIX_STRLEN];

	assert_string_equal(in_prefix_to_string(&rt->dst, buf), dst);
	assert_addr(rt->gw, gw);
}

static void test_dhcp_routes(void **state)
{
	struct network_config c, before;
	char err[512], text[2048], msg[2048];
	_cleanup_free_ char *out = NULL;
	size_t off = 0;

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "dhcp-routes", "10.1.0.0/16 via 10.0.0.5");
	assert_int_equal(c.n_routes, 1);
	assert_route(&c.routes[0], "10.1.0.0/16", "10.0.0.5");

	/* Blanks around commas and inside items; setting again replaces the whole list. */
	check_set_ok(&c, "dhcp-routes",
		     "0.0.0.0/0 via 10.0.0.1 ,\t192.168.7.0/24   via 10.0.0.254,10.9.9.9/32 via "
		     "10.0.0.2");
	assert_int_equal(c.n_routes, 3);
	assert_route(&c.routes[0], "0.0.0.0/0", "10.0.0.1");
	assert_route(&c.routes[1], "192.168.7.0/24", "10.0.0.254");
	assert_route(&c.routes[2], "10.9.9.9/32", "10.0.0.2");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &out), 0);
	assert_string_equal(out, "[network]\nmode = nat\nsubnet = 10.0.0.0/24\n"
				 "dhcp-routes = 0.0.0.0/0 via 10.0.0.1, 192.168.7.0/24 via "
				 "10.0.0.254, 10.9.9.9/32 via 10.0.0.2\n");
	check_round_trip(&c);

	/* 16 routes are the limit. */
	config_basic(&c, "10.0.0.0/24");
	for (int i = 0; i < NETWORK_ROUTES_MAX; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s10.%d.0.0/16 via 10.0.0.%d",
					i ? ", " : "", 100 + i, 2 + i);
	check_set_ok(&c, "dhcp-routes", text);
	assert_int_equal(c.n_routes, NETWORK_ROUTES_MAX);
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	check_round_trip(&c);
	before = c;
	snprintf(text + off, sizeof(text) - off, ", 10.200.0.0/16 via 10.0.0.9");
	snprintf(msg, sizeof(msg), "invalid dhcp-routes '%.80s...': more than 16 routes", text);
	assert_int_equal(network_config_set(&c, "dhcp-routes", text, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
	assert_true(network_config_equal(&c, &before));

	check_set_error("dhcp-routes", "10.1.0.1/16 via 10.0.0.5",
			"invalid dhcp-routes '10.1.0.1/16 via 10.0.0.5': destination 10.1.0.1/16 "
			"has host bits set");
	check_set_error("dhcp-routes", "10.1.0.0/16 via 10.0.0.5,",
			"invalid dhcp-routes '10.1.0.0/16 via 10.0.0.5,': route 2 is empty");
	check_set_error("dhcp-routes", ", 10.1.0.0/16 via 10.0.0.5",
			"invalid dhcp-routes ', 10.1.0.0/16 via 10.0.0.5': route 1 is empty");
	check_set_error("dhcp-routes", "10.1.0.0/16 10.0.0.5",
			"invalid dhcp-routes '10.1.0.0/16 10.0.0.5': route 1: expected DEST/LEN via "
			"GATEWAY, e.g. 10.1.0.0/16 via 192.168.122.5");
	check_set_error("dhcp-routes", "10.2.0.0/16 via 10.0.0.5, 10.1.0.0/16 gw 10.0.0.5",
			"invalid dhcp-routes '10.2.0.0/16 via 10.0.0.5, 10.1.0.0/16 gw 10.0.0.5': "
			"route 2: expected DEST/LEN via GATEWAY, e.g. 10.1.0.0/16 via 192.168.122.5");
	check_set_error("dhcp-routes", "10.1.0.0 via 10.0.0.5",
			"invalid dhcp-routes '10.1.0.0 via 10.0.0.5': route 1: expected DEST/LEN via "
			"GATEWAY, e.g. 10.1.0.0/16 via 192.168.122.5");
	check_set_error("dhcp-routes", "10.1.0.0/33 via 10.0.0.5",
			"invalid dhcp-routes '10.1.0.0/33 via 10.0.0.5': route 1: expected DEST/LEN "
			"via GATEWAY, e.g. 10.1.0.0/16 via 192.168.122.5");
	check_set_error("dhcp-routes", "10.1.0.0/16 via 10.0.0.5 extra",
			"invalid dhcp-routes '10.1.0.0/16 via 10.0.0.5 extra': route 1: expected "
			"DEST/LEN via GATEWAY, e.g. 10.1.0.0/16 via 192.168.122.5");
	check_set_error("dhcp-routes", "10.1.0.0/16 via 10.0.0.5, 10.1.0.0/16 via 10.0.0.6",
			"invalid dhcp-routes '10.1.0.0/16 via 10.0.0.5, 10.1.0.0/16 via 10.0.0.6': "
			"destination 10.1.0.0/16 is given twice");
	check_set_error("dhcp-routes", "", "invalid dhcp-routes '': empty value");

	/* The gateway must be a guest address of the subnet: checked in finish(). */
	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "dhcp-routes", "10.1.0.0/16 via 10.0.0.5, 10.2.0.0/16 via 10.9.0.1");
	check_finish_error(&c, "dhcp-routes: gateway 10.9.0.1 of route 10.2.0.0/16 is outside "
			       "subnet 10.0.0.0/24");
	check_set_ok(&c, "dhcp-routes", "10.1.0.0/16 via 10.0.0.0");
	check_finish_error(&c, "dhcp-routes: gateway 10.0.0.0 of route 10.1.0.0/16 is the network "
			       "address of subnet 10.0.0.0/24");
	check_set_ok(&c, "dhcp-routes", "10.1.0.0/16 via 10.0.0.255");
	check_finish_error(&c, "dhcp-routes: gateway 10.0.0.255 of route 10.1.0.0/16 is the "
			       "broadcast address of subnet 10.0.0.0/24");
	check_set_ok(&c, "dhcp-routes", "10.1.0.0/16 via 0.0.0.0");
	check_finish_error(&c, "dhcp-routes: gateway 0.0.0.0 of route 10.1.0.0/16 is outside "
			       "subnet 10.0.0.0/24");
	/* ... whatever order the keys came in. */
	network_config_init(&c);
	check_set_ok(&c, "dhcp-routes", "10.1.0.0/16 via 10.5.0.7");
	check_set_ok(&c, "name", "lab");
	check_set_ok(&c, "subnet", "10.5.0.0/16");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	check_parse_error("[network]\ndhcp-routes = 10.1.0.0/16 via 10.0.0.5\nsubnet = 10.3.0.0/24\n",
			  "lab", -EINVAL,
			  "dhcp-routes: gateway 10.0.0.5 of route 10.1.0.0/16 is outside subnet "
			  "10.3.0.0/24");

	/* Built in code: count and host bits are checked again. */
	config_basic(&c, "10.0.0.0/24");
	c.n_routes = NETWORK_ROUTES_MAX + 1;
	check_finish_error(&c, "dhcp-routes: more than 16 routes");
	config_basic(&c, "10.0.0.0/24");
	c.n_routes = 1;
	c.routes[0].dst.addr = in_addr_from_host(0x0a010001);
	c.routes[0].dst.prefixlen = 16;
	c.routes[0].gw = in_addr_from_host(0x0a000005);
	check_finish_error(&c, "dhcp-routes: destination 10.1.0.1/16 has host bits set");
}

/* A network with a /24 and three reservations, unsorted in the file. */
static const char hosts_text[] = "[network]\n"
				 "subnet = 10.0.0.0/24\n"
				 "\n"
				 "[host web1]\n"
				 "mac = 52:54:00:12:34:56\n"
				 "ip = 10.0.0.10\n"
				 "\n"
				 "[host]\n"
				 "ip = 10.0.0.12\n"
				 "mac = 52-54-00-00-00-01\n"
				 "[host DB-1] ; the database\n"
				 "  mac = 52:54:00:AA:BB:CC\n"
				 "  ip = 10.0.0.200\n";

static void assert_host(const struct network_host *h, const char *name, const char *mac,
			const char *ip)
{
	char buf[MAC_STRLEN];

	assert_non_null(h);
	assert_string_equal(h->name, name);
	assert_string_equal(mac_to_string(h->mac, buf), mac);
	assert_addr(h->ip, ip);
}

static void test_hosts_parse(void **state)
{
	_cleanup_(network_hosts_done) struct network_hosts hosts = { 0 };
	struct network_config c;

	parse_hosts_ok(hosts_text, "lab", &c, &hosts);
	assert_int_equal(hosts.n, 3);
	/* Sorted by MAC. */
	assert_host(&hosts.items[0], "", "52:54:00:00:00:01", "10.0.0.12");
	assert_host(&hosts.items[1], "web1", "52:54:00:12:34:56", "10.0.0.10");
	assert_host(&hosts.items[2], "DB-1", "52:54:00:aa:bb:cc", "10.0.0.200");
	check_round_trip_hosts(&c, &hosts);
	network_hosts_done(&hosts);

	/* [host] sections may come first, and a network may have none. */
	parse_hosts_ok("[host a]\nmac = 02:00:00:00:00:01\nip = 10.0.0.2\n[network]\nsubnet = "
		       "10.0.0.0/24\n",
		       "lab", &c, &hosts);
	assert_int_equal(hosts.n, 1);
	assert_host(&hosts.items[0], "a", "02:00:00:00:00:01", "10.0.0.2");
	network_hosts_done(&hosts);
	parse_hosts_ok("[network]\nsubnet = 10.0.0.0/24\n", "lab", &c, &hosts);
	assert_int_equal(hosts.n, 0);
	assert_null(hosts.items);

	/* Without a place to put them, [host] sections are refused. */
	{
		char err[256] = "";

		assert_int_equal(network_config_parse(hosts_text, strlen(hosts_text), "lab", &c,
						      NULL, NULL, NULL, err, sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, "line 4: [host] sections are not allowed here");
	}
}

static void test_hosts_parse_errors(void **state)
{
	static const char net[] = "[network]\nsubnet = 10.0.0.0/24\n";
	char text[1024];

#define HOSTS_ERROR(body, msg)                                                                     \
	do {                                                                                       \
		snprintf(text, sizeof(text), "%s%s", net, body);                                   \
		check_parse_error(text, "lab", -EINVAL, msg);                                      \
	} while (0)

	/* Duplicates, reported at the header of the later section. */
	HOSTS_ERROR("[host a]\nmac = 52:54:00:12:34:56\nip = 10.0.0.10\n"
		    "[host b]\nmac = 52:54:00:12:34:56\nip = 10.0.0.11\n",
		    "line 6: MAC 52:54:00:12:34:56 already has a reservation (a)");
	HOSTS_ERROR("[host]\nmac = 52:54:00:12:34:56\nip = 10.0.0.10\n"
		    "[host b]\nmac = 52:54:00:12:34:56\nip = 10.0.0.11\n",
		    "line 6: MAC 52:54:00:12:34:56 already has a reservation (10.0.0.10)");
	HOSTS_ERROR("[host db1]\nmac = 52:54:00:aa:bb:cc\nip = 10.0.0.10\n\n\n"
		    "[host web1]\nmac = 52:54:00:12:34:56\nip = 10.0.0.10\n",
		    "line 8: address 10.0.0.10 is reserved for 52:54:00:aa:bb:cc (db1)");
	HOSTS_ERROR("[host]\nmac = 52:54:00:aa:bb:cc\nip = 10.0.0.10\n"
		    "[host]\nmac = 52:54:00:12:34:56\nip = 10.0.0.10\n",
		    "line 6: address 10.0.0.10 is reserved for 52:54:00:aa:bb:cc");
	HOSTS_ERROR("[host web1]\nmac = 52:54:00:aa:bb:cc\nip = 10.0.0.10\n"
		    "[host WEB1]\nmac = 52:54:00:12:34:56\nip = 10.0.0.11\n",
		    "line 6: host name 'WEB1' is already used by 52:54:00:aa:bb:cc");

	/* Checks against the network. */
	HOSTS_ERROR("[host gw]\nmac = 52:54:00:12:34:56\nip = 10.0.0.1\n",
		    "line 3: address 10.0.0.1 is the gateway");
	HOSTS_ERROR("[host x]\nmac = 52:54:00:12:34:56\nip = 10.0.1.1\n",
		    "line 3: address 10.0.1.1 is outside subnet 10.0.0.0/24");
	HOSTS_ERROR("[host x]\nmac = 01:00:5e:00:00:01\nip = 10.0.0.9\n",
		    "line 3: multicast MAC 01:00:5e:00:00:01 cannot be reserved");

	/* Line-level errors. */
	HOSTS_ERROR("[host x]\nmac = 52:54:00:12:34\nip = 10.0.0.9\n",
		    "line 4: invalid mac '52:54:00:12:34': expected six hex bytes, e.g. "
		    "52:54:00:12:34:56");
	HOSTS_ERROR("[host x]\nmac = 52:54:00:12:34:5g\n",
		    "line 4: invalid mac '52:54:00:12:34:5g': expected six hex bytes, e.g. "
		    "52:54:00:12:34:56");
	HOSTS_ERROR("[host x]\nmac = 52:54:00:12:34:56\nip = 10.0.0\n",
		    "line 5: invalid ip '10.0.0': expected an IPv4 address, e.g. 192.168.122.10");
	HOSTS_ERROR("[host x]\nmac =\n", "line 4: invalid mac '': empty value");
	HOSTS_ERROR("[host x]\nmac = 52:54:00:12:34:56\nhostname = x\n",
		    "line 5: unknown key 'hostname' in [host x]");
	HOSTS_ERROR("[host]\nmac = 52:54:00:12:34:56\nmac = 52:54:00:12:34:57\n",
		    "line 5: duplicate key 'mac' in [host] (first set on line 4)");
	HOSTS_ERROR("[host a_b]\n", "line 3: host name 'a_b' is not a valid DNS label");
	HOSTS_ERROR("[host -a]\n", "line 3: host name '-a' is not a valid DNS label");
	HOSTS_ERROR("[host a b]\n", "line 3: host name 'a b' is not a valid DNS label");
	HOSTS_ERROR("[host ]\n", "line 3: expected [host] or [host NAME]");
	HOSTS_ERROR("[host\tweb]\nmac = 52:54:00:12:34:56\n", "line 3: missing key 'ip' in [host web]");
	HOSTS_ERROR("[hostweb]\n", "line 3: unknown section [hostweb]");
	HOSTS_ERROR("[host "
		    "a234567890123456789012345678901234567890123456789012345678901234]\n",
		    "line 3: host name "
		    "'a234567890123456789012345678901234567890123456789012345678901234' is not a "
		    "valid DNS label");
	/* A key outside any section is still refused; so is a second [network]. */
	check_parse_error("mac = 52:54:00:12:34:56\n[network]\n", "lab", -EINVAL,
			  "line 1: key 'mac' before the [network] section");
	HOSTS_ERROR("[host]\nmac = 52:54:00:12:34:56\nip = 10.0.0.2\n[network]\n",
		    "line 6: duplicate section [network]");

	/* Structural: a section without its keys (after every line-level error). */
	HOSTS_ERROR("[host a]\nip = 10.0.0.9\n", "line 3: missing key 'mac' in [host a]");
	HOSTS_ERROR("[host]\n\n[host b]\nmac = 52:54:00:12:34:56\nip = 10.0.0.9\n",
		    "line 3: missing key 'mac' in [host]");
	HOSTS_ERROR("[host a]\nip = 10.0.0.9\n[host b]\nmtu = 9000\n",
		    "line 6: unknown key 'mtu' in [host b]");
	check_parse_error("[host a]\nmac = 52:54:00:12:34:56\nip = 10.0.0.9\n", "lab", -EINVAL,
			  "missing [network] section");
	/* The network is checked before its reservations. */
	check_parse_error("[network]\n[host a]\nmac = 52:54:00:12:34:56\nip = 10.0.0.1\n", "lab",
			  -EINVAL, "subnet is required");
#undef HOSTS_ERROR
}

static void test_hosts_format(void **state)
{
	static const char expected[] = "[network]\n"
				       "mode = nat\n"
				       "subnet = 10.0.0.0/24\n"
				       "\n"
				       "[host]\n"
				       "mac = 52:54:00:00:00:01\n"
				       "ip = 10.0.0.12\n"
				       "\n"
				       "[host web1]\n"
				       "mac = 52:54:00:12:34:56\n"
				       "ip = 10.0.0.10\n"
				       "\n"
				       "[host DB-1]\n"
				       "mac = 52:54:00:aa:bb:cc\n"
				       "ip = 10.0.0.200\n";
	_cleanup_(network_hosts_done) struct network_hosts hosts = { 0 }, empty = { 0 };
	_cleanup_free_ char *text = NULL, *none = NULL;
	struct network_config c;

	parse_hosts_ok(hosts_text, "lab", &c, &hosts);
	assert_int_equal(network_config_format(&c, &hosts, NULL, NULL, &text), 0);
	assert_string_equal(text, expected);
	/* No reservations: the same as passing NULL. */
	assert_int_equal(network_config_format(&c, &empty, NULL, NULL, &none), 0);
	assert_string_equal(none, "[network]\nmode = nat\nsubnet = 10.0.0.0/24\n");
}

static void test_hosts_round_trip(void **state)
{
	_cleanup_(network_hosts_done) struct network_hosts hosts = { 0 };
	struct network_config c;
	char err[256];

	config_basic(&c, "10.20.0.0/16");
	check_set_ok(&c, "lease-time", "12h");
	check_set_ok(&c, "dhcp-routes", "0.0.0.0/0 via 10.20.0.1");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	/* Many reservations, named and not, added in an order unlike the MACs'. */
	for (unsigned i = 0; i < 500; i++) {
		struct network_host h = { 0 };
		unsigned k = (i * 7919) % 500;

		h.mac[0] = 0x52;
		h.mac[1] = 0x54;
		h.mac[4] = (uint8_t)(k >> 8);
		h.mac[5] = (uint8_t)k;
		h.ip = in_addr_from_host(0x0a140000 + 0x100 + i);
		if (i % 3)
			snprintf(h.name, sizeof(h.name), "vm-%u", i);
		assert_int_equal(network_hosts_add(&hosts, &h, &c, err, sizeof(err)), 0);
	}
	check_round_trip_hosts(&c, &hosts);
}

/* The most reservations a network may have, with the longest names, still fit in a file. */
static void test_hosts_format_limit(void **state)
{
	_cleanup_(network_hosts_done) struct network_hosts hosts = { 0 };
	_cleanup_free_ struct network_host *items = calloc(NETWORK_HOSTS_MAX, sizeof(*items));
	struct network_config c;
	char err[256];

	assert_non_null(items);
	config_basic(&c, "10.0.0.0/8");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	for (unsigned i = 0; i < NETWORK_HOSTS_MAX; i++) {
		items[i].mac[0] = 0x52;
		items[i].mac[3] = (uint8_t)(i >> 16);
		items[i].mac[4] = (uint8_t)(i >> 8);
		items[i].mac[5] = (uint8_t)i;
		items[i].ip = in_addr_from_host(0x0a000100 + i);
		/* 63-character names: about 117 bytes a section. */
		snprintf(items[i].name, sizeof(items[i].name), "h%05u-%056u", i, 0);
	}
	assert_int_equal(network_hosts_build(&hosts, items, NETWORK_HOSTS_MAX, &c, NULL, err,
					     sizeof(err)),
			 0);
	check_round_trip_hosts(&c, &hosts);
}

/* "dns-forwarders": values, messages, the check against the gateway, text form. */
static void test_dns_forwarders(void **state)
{
	struct network_config c, before;
	char err[512] = "";
	_cleanup_free_ char *text = NULL;

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "dns-forwarders", "192.0.2.53");
	assert_int_equal(c.n_dns_forwarders, 1);
	assert_fwd(&c.dns_forwarders[0], AF_INET, "192.0.2.53");
	check_set_ok(&c, "dns-forwarders", " 198.51.100.53 ,\t192.0.2.53,127.0.0.53, 10.0.0.53 ");
	assert_int_equal(c.n_dns_forwarders, 4);
	assert_fwd(&c.dns_forwarders[0], AF_INET, "198.51.100.53");
	assert_fwd(&c.dns_forwarders[1], AF_INET, "192.0.2.53");
	assert_fwd(&c.dns_forwarders[2], AF_INET, "127.0.0.53");
	assert_fwd(&c.dns_forwarders[3], AF_INET, "10.0.0.53");
	/* Setting again replaces the list and zeroes the unused entries. */
	check_set_ok(&c, "dns-forwarders", "192.0.2.1");
	assert_int_equal(c.n_dns_forwarders, 1);
	assert_int_equal(c.dns_forwarders[1].family, 0);
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	check_round_trip(&c);

	check_set_error("dns-forwarders", "", "invalid dns-forwarders '': empty value");
	check_set_error("dns-forwarders", "192.0.2.53,",
			"invalid dns-forwarders '192.0.2.53,': address 2 is empty");
	check_set_error("dns-forwarders", " , 192.0.2.53",
			"invalid dns-forwarders ' , 192.0.2.53': address 1 is empty");
	check_set_error("dns-forwarders", "192.0.2.1,192.0.2.2,192.0.2.3,192.0.2.4,192.0.2.5",
			"invalid dns-forwarders '192.0.2.1,192.0.2.2,192.0.2.3,192.0.2.4,192.0.2.5': "
			"more than 4 addresses");
	check_set_error("dns-forwarders", "192.0.2.1 192.0.2.2",
			"invalid dns-forwarders '192.0.2.1 192.0.2.2': address 1: expected an IPv4 "
			"or IPv6 address, e.g. 192.0.2.53 or 2001:db8::53");
	check_set_error("dns-forwarders", "192.0.2.1, dns.example",
			"invalid dns-forwarders '192.0.2.1, dns.example': address 2: expected an "
			"IPv4 or IPv6 address, e.g. 192.0.2.53 or 2001:db8::53");
	check_set_error("dns-forwarders", "192.0.2.1, 1111111111111111111111111",
			"invalid dns-forwarders '192.0.2.1, 1111111111111111111111111': address 2: "
			"expected an IPv4 or IPv6 address, e.g. 192.0.2.53 or 2001:db8::53");
	check_set_error("dns-forwarders", "192.0.2.1:53",
			"invalid dns-forwarders '192.0.2.1:53': address 1: expected an IPv4 "
			"or IPv6 address, e.g. 192.0.2.53 or 2001:db8::53");
	check_set_error("dns-forwarders", "0.0.0.0",
			"invalid dns-forwarders '0.0.0.0': 0.0.0.0 is not a unicast address");
	check_set_error("dns-forwarders", "192.0.2.1, 224.0.0.251",
			"invalid dns-forwarders '192.0.2.1, 224.0.0.251': 224.0.0.251 is not a "
			"unicast address");
	check_set_error("dns-forwarders", "240.0.0.1",
			"invalid dns-forwarders '240.0.0.1': 240.0.0.1 is not a unicast address");
	check_set_error("dns-forwarders", "255.255.255.255",
			"invalid dns-forwarders '255.255.255.255': 255.255.255.255 is not a unicast "
			"address");
	check_set_error("dns-forwarders", "192.0.2.1, 192.0.2.2, 192.0.2.1",
			"invalid dns-forwarders '192.0.2.1, 192.0.2.2, 192.0.2.1': 192.0.2.1 is "
			"given twice");

	/* The network's own gateway would be the DNS server asking itself: finish() refuses. */
	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "dns-forwarders", "192.0.2.53, 10.0.0.1");
	check_finish_error(&c, "dns-forwarders: 10.0.0.1 is the network's own gateway (its DNS "
			       "server would ask itself)");
	check_parse_error("[network]\ndns-forwarders = 10.0.0.1\nsubnet = 10.0.0.0/24\n", "lab",
			  -EINVAL,
			  "dns-forwarders: 10.0.0.1 is the network's own gateway (its DNS server "
			  "would ask itself)");
	/* Other guests of the subnet may serve DNS. */
	check_set_ok(&c, "dns-forwarders", "10.0.0.2");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);

	/* Built in code: count, unicast and duplicates are checked again, after the routes. */
	config_basic(&c, "10.0.0.0/24");
	c.n_dns_forwarders = NETWORK_DNS_FORWARDERS_MAX + 1;
	check_finish_error(&c, "dns-forwarders: more than 4 addresses");
	config_basic(&c, "10.0.0.0/24");
	c.n_dns_forwarders = 2;
	c.dns_forwarders[0] = ip_addr_from_in(in_addr_from_host(0xc0000235));
	c.dns_forwarders[1] = ip_addr_from_in(in_addr_from_host(0xc0000235));
	check_finish_error(&c, "dns-forwarders: 192.0.2.53 is given twice");
	c.dns_forwarders[1] = ip_addr_from_in(in_addr_from_host(0xe0000001));
	check_finish_error(&c, "dns-forwarders: 224.0.0.1 is not a unicast address");
	c.n_routes = NETWORK_ROUTES_MAX + 1;
	check_finish_error(&c, "dhcp-routes: more than 16 routes");

	/* Text form: after the domain, in the order given; a repeated key is an error. */
	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "domain", "lab.example");
	check_set_ok(&c, "mtu", "1400");
	check_set_ok(&c, "dns-forwarders", "198.51.100.53,192.0.2.53");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &text), 0);
	assert_string_equal(text, "[network]\nmode = nat\nsubnet = 10.0.0.0/24\n"
				  "domain = lab.example\n"
				  "dns-forwarders = 198.51.100.53, 192.0.2.53\n"
				  "mtu = 1400\n");
	parse_ok(text, "lab", &before);
	assert_true(network_config_equal(&before, &c));
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\ndns-forwarders = 192.0.2.1\n"
			  "dns-forwarders = 192.0.2.2\n",
			  "lab", -EINVAL,
			  "line 4: duplicate key 'dns-forwarders' in [network] (first set on line 3)");

	/* Equality looks at the used entries only. */
	before = c;
	before.dns_forwarders[3] = ip_addr_from_in(in_addr_from_host(1));
	assert_true(network_config_equal(&before, &c));
	before.dns_forwarders[1] = ip_addr_from_in(in_addr_from_host(1));
	assert_false(network_config_equal(&before, &c));
	before = c;
	before.n_dns_forwarders = 1;
	assert_false(network_config_equal(&before, &c));
}

/* IPv6 "dns-forwarders": mixed with IPv4, what is refused, the gateway6, text form. */
static void test_dns_forwarders6(void **state)
{
	struct network_config c, back;
	char err[512] = "";
	_cleanup_free_ char *text = NULL;

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "dns-forwarders", "2001:DB8:0::53 , 192.0.2.53,fd00:1::1,::1");
	assert_int_equal(c.n_dns_forwarders, 4);
	assert_fwd(&c.dns_forwarders[0], AF_INET6, "2001:db8::53");
	assert_fwd(&c.dns_forwarders[1], AF_INET, "192.0.2.53");
	assert_fwd(&c.dns_forwarders[2], AF_INET6, "fd00:1::1");
	assert_fwd(&c.dns_forwarders[3], AF_INET6, "::1");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	check_round_trip(&c);
	assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &text), 0);
	assert_non_null(strstr(text, "\ndns-forwarders = 2001:db8::53, 192.0.2.53, fd00:1::1, ::1\n"));
	parse_ok(text, "lab", &back);
	assert_true(network_config_equal(&back, &c));
	/* The same address in another family is another address. */
	back.dns_forwarders[1] = ip_addr_from_in(in_addr_from_host(0xc0000236));
	assert_false(network_config_equal(&back, &c));

	check_set_error("dns-forwarders", "::",
			"invalid dns-forwarders '::': :: is the unspecified address");
	check_set_error("dns-forwarders", "192.0.2.1, ff02::fb",
			"invalid dns-forwarders '192.0.2.1, ff02::fb': ff02::fb is a multicast "
			"address");
	check_set_error("dns-forwarders", "fe80::1",
			"invalid dns-forwarders 'fe80::1': fe80::1 is link-local (fe80::/10), which "
			"needs an interface: use a global or unique local address");
	check_set_error("dns-forwarders", "fe80::1%eth0",
			"invalid dns-forwarders 'fe80::1%eth0': address 1: expected an IPv4 or IPv6 "
			"address, e.g. 192.0.2.53 or 2001:db8::53");
	check_set_error("dns-forwarders", "::ffff:192.0.2.1",
			"invalid dns-forwarders '::ffff:192.0.2.1': ::ffff:192.0.2.1 is "
			"IPv4-mapped: write the IPv4 address");
	check_set_error("dns-forwarders", "[2001:db8::1]",
			"invalid dns-forwarders '[2001:db8::1]': address 1: expected an IPv4 or "
			"IPv6 address, e.g. 192.0.2.53 or 2001:db8::53");
	check_set_error("dns-forwarders", "2001:db8::1, 2001:db8:0:0::1",
			"invalid dns-forwarders '2001:db8::1, 2001:db8:0:0::1': 2001:db8::1 is "
			"given twice");
	/* The longest IPv6 text form fits. */
	check_set_ok(&c, "dns-forwarders", "2001:ffff:ffff:ffff:ffff:ffff:255.255.255.255");
	assert_fwd(&c.dns_forwarders[0], AF_INET6, "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff");

	/* The gateway6 is the network's own DNS server, as the gateway is. */
	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "subnet6", "fd42:1::/64");
	check_set_ok(&c, "dns-forwarders", "2001:db8::53, fd42:1::1");
	check_finish_error(&c, "dns-forwarders: fd42:1::1 is the network's own gateway (its DNS "
			       "server would ask itself)");
	check_set_ok(&c, "dns-forwarders", "fd42:1::2");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	/* Without a subnet6, fd42:1::1 is nobody in particular. */
	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "dns-forwarders", "fd42:1::1");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);

	/* Built in code: checked again. */
	config_basic(&c, "10.0.0.0/24");
	c.n_dns_forwarders = 1;
	c.dns_forwarders[0] = ip_addr_from_in6(&(struct in6_addr){ .s6_addr = { 0xff, 0x02 } });
	check_finish_error(&c, "dns-forwarders: ff02:: is a multicast address");
	c.dns_forwarders[0].family = AF_UNIX;
	check_finish_error(&c, "dns-forwarders: ? is of no known address family");
}

static void test_config_domain(void **state)
{
	char buf[NETWORK_DOMAIN_MAX + 1];
	struct network_config c;

	config_basic(&c, "10.0.0.0/24");
	assert_string_equal(network_config_domain(&c, buf), "lab.kvmnet");
	check_set_ok(&c, "domain", "vm.internal");
	assert_string_equal(network_config_domain(&c, buf), "vm.internal");
}

/* Parses 'text' with reservations and records (caller frees both), or fails the test. */
static void parse_records_ok(const char *text, struct network_config *c,
			     struct network_hosts *hosts, struct network_dns_records *records)
{
	char err[512] = "";
	int r = network_config_parse(text, strlen(text), "lab", c, hosts, records, NULL, err,
				     sizeof(err));

	if (r != 0)
		fail_msg("parse failed (%d): %s", r, err);
}

/* format -> parse gives 'c', 'hosts' and 'records' back, and formatting again is stable. */
static void check_round_trip_records(const struct network_config *c,
				     const struct network_hosts *hosts,
				     const struct network_dns_records *records)
{
	_cleanup_(network_dns_records_done) struct network_dns_records back_records = { 0 };
	_cleanup_(network_hosts_done) struct network_hosts back_hosts = { 0 };
	_cleanup_free_ char *text = NULL, *text2 = NULL;
	struct network_config back;

	assert_int_equal(network_config_format(c, hosts, records, NULL, &text), 0);
	parse_records_ok(text, &back, &back_hosts, &back_records);
	if (!network_config_equal(&back, c))
		fail_msg("round trip changed the config:\n%s", text);
	if (!network_hosts_equal(&back_hosts, hosts))
		fail_msg("round trip changed the reservations:\n%s", text);
	if (!network_dns_records_equal(&back_records, records))
		fail_msg("round trip changed the records:\n%s", text);
	assert_int_equal(network_config_format(&back, &back_hosts, &back_records, NULL, &text2), 0);
	assert_string_equal(text, text2);
}

static const char records_text[] = "[dns-record www]\n"
				   "type = A\n"
				   "value = 10.0.0.10\n"
				   "[network]\n"
				   "subnet = 10.0.0.0/24\n"
				   "dns-forwarders = 192.0.2.53\n"
				   "\n"
				   "[dns-record www]   ; a second address\n"
				   "value = 10.0.0.11\n"
				   "type = a\n"
				   "[dns-record @]\n"
				   "type = TXT\n"
				   "value = v=spf1 -all; \"quoted\" # kept\n"
				   "[host web1]\n"
				   "mac = 52:54:00:12:34:56\n"
				   "ip = 10.0.0.10\n"
				   "[dns-record\tdocs]\n"
				   "  type = cname\n"
				   "  value = www.example.org.\n"
				   "[dns-record _http._tcp]\n"
				   "type = SRV\n"
				   "value = 10   5 8080 web1\n";

static void test_records_parse(void **state)
{
	_cleanup_(network_dns_records_done) struct network_dns_records records = { 0 };
	_cleanup_(network_hosts_done) struct network_hosts hosts = { 0 };
	struct network_config c;

	parse_records_ok(records_text, &c, &hosts, &records);
	assert_int_equal(hosts.n, 1);
	assert_int_equal(c.n_dns_forwarders, 1);
	assert_int_equal(records.n, 5);
	/* In file order. */
	assert_string_equal(records.items[0].name, "www");
	assert_int_equal(records.items[0].type, NETWORK_DNS_RECORD_A);
	assert_addr(records.items[0].a, "10.0.0.10");
	assert_string_equal(records.items[1].name, "www");
	assert_addr(records.items[1].a, "10.0.0.11");
	assert_string_equal(records.items[2].name, "@");
	assert_int_equal(records.items[2].type, NETWORK_DNS_RECORD_TXT);
	assert_string_equal(records.items[2].txt, "v=spf1 -all; \"quoted\" # kept");
	assert_string_equal(records.items[3].name, "docs");
	assert_int_equal(records.items[3].type, NETWORK_DNS_RECORD_CNAME);
	assert_string_equal(records.items[3].target, "www.example.org.");
	assert_string_equal(records.items[4].name, "_http._tcp");
	assert_int_equal(records.items[4].type, NETWORK_DNS_RECORD_SRV);
	assert_int_equal(records.items[4].priority, 10);
	assert_int_equal(records.items[4].weight, 5);
	assert_int_equal(records.items[4].port, 8080);
	assert_string_equal(records.items[4].target, "web1");
	check_round_trip_records(&c, &hosts, &records);

	/* Without a place to put them, [dns-record] sections are refused; [host] ones are not. */
	{
		char err[256] = "";

		network_hosts_done(&hosts);
		assert_int_equal(network_config_parse(records_text, strlen(records_text), "lab", &c,
						      &hosts, NULL, NULL, err, sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, "line 1: [dns-record] sections are not allowed here");
		assert_int_equal(hosts.n, 0);
	}
	/* A network without records. */
	network_dns_records_done(&records);
	parse_records_ok("[network]\nsubnet = 10.0.0.0/24\n", &c, &hosts, &records);
	assert_int_equal(records.n, 0);
	assert_null(records.items);
}

static void test_records_format(void **state)
{
	static const char expected[] = "[network]\n"
				       "mode = nat\n"
				       "subnet = 10.0.0.0/24\n"
				       "dns-forwarders = 192.0.2.53\n"
				       "\n"
				       "[host web1]\n"
				       "mac = 52:54:00:12:34:56\n"
				       "ip = 10.0.0.10\n"
				       "\n"
				       "[dns-record www]\n"
				       "type = A\n"
				       "value = 10.0.0.10\n"
				       "\n"
				       "[dns-record www]\n"
				       "type = A\n"
				       "value = 10.0.0.11\n"
				       "\n"
				       "[dns-record @]\n"
				       "type = TXT\n"
				       "value = v=spf1 -all; \"quoted\" # kept\n"
				       "\n"
				       "[dns-record docs]\n"
				       "type = CNAME\n"
				       "value = www.example.org.\n"
				       "\n"
				       "[dns-record _http._tcp]\n"
				       "type = SRV\n"
				       "value = 10 5 8080 web1\n";
	_cleanup_(network_dns_records_done) struct network_dns_records records = { 0 },
								       empty = { 0 };
	_cleanup_(network_hosts_done) struct network_hosts hosts = { 0 };
	_cleanup_free_ char *text = NULL, *none = NULL;
	struct network_config c;

	parse_records_ok(records_text, &c, &hosts, &records);
	assert_int_equal(network_config_format(&c, &hosts, &records, NULL, &text), 0);
	assert_string_equal(text, expected);
	/* No records: the same as passing NULL. */
	assert_int_equal(network_config_format(&c, NULL, &empty, NULL, &none), 0);
	assert_string_equal(none, "[network]\nmode = nat\nsubnet = 10.0.0.0/24\n"
				  "dns-forwarders = 192.0.2.53\n");
}

static void test_records_parse_errors(void **state)
{
	static const char net[] = "[network]\nsubnet = 10.0.0.0/24\n";
	char text[2048], name254[300];

#define RECORD_ERROR(body, msg)                                                                    \
	do {                                                                                       \
		snprintf(text, sizeof(text), "%s%s", net, body);                                   \
		check_parse_error(text, "lab", -EINVAL, msg);                                      \
	} while (0)

	/* Headers. */
	RECORD_ERROR("[dns-record]\n", "line 3: expected [dns-record NAME]");
	RECORD_ERROR("[dns-record  ]\n", "line 3: expected [dns-record NAME]");
	RECORD_ERROR("[dns-recordwww]\n", "line 3: unknown section [dns-recordwww]");
	RECORD_ERROR("[dns-record Www]\n",
		     "line 3: invalid record name 'Www': uppercase 'W' (names are written in "
		     "lowercase)");
	RECORD_ERROR("[dns-record www.lab.kvmnet.]\n",
		     "line 3: invalid record name 'www.lab.kvmnet.': names are relative to the "
		     "network's domain: no trailing '.'");
	RECORD_ERROR("[dns-record a..b]\n", "line 3: invalid record name 'a..b': empty label");
	RECORD_ERROR("[dns-record www x]\n",
		     "line 3: invalid record name 'www x': character ' ' not allowed (labels use "
		     "a-z, 0-9, '_' and '-')");
	RECORD_ERROR("[dns-record -www]\n",
		     "line 3: invalid record name '-www': a label starts or ends with '-'");
	memset(name254, 'a', 254);
	name254[254] = '\0';
	snprintf(text, sizeof(text), "%s[dns-record %s]\n", net, name254);
	check_parse_error(text, "lab", -EINVAL,
			  "line 3: invalid record name "
			  "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			  "aaaa...': longer than 253 characters");
	RECORD_ERROR("[dns-record x]\ntype = A\nvalue = 10.0.0.9\n[dns-record]\n",
		     "line 6: expected [dns-record NAME]");

	/* Keys. */
	RECORD_ERROR("[dns-record www]\nttl = 60\n",
		     "line 4: unknown key 'ttl' in [dns-record www]");
	RECORD_ERROR("[dns-record www]\ntype = A\ntype = TXT\n",
		     "line 5: duplicate key 'type' in [dns-record www] (first set on line 4)");
	RECORD_ERROR("[dns-record www]\nvalue = x\nvalue = y\n",
		     "line 5: duplicate key 'value' in [dns-record www] (first set on line 4)");
	RECORD_ERROR("[dns-record www]\ntype =\n", "line 4: invalid type '': empty value");
	RECORD_ERROR("[dns-record www]\nvalue =\n", "line 4: invalid value '': empty value");
	RECORD_ERROR("[dns-record www]\ntype = MX\n",
		     "line 4: invalid type 'MX': must be A, CNAME, TXT or SRV");
	RECORD_ERROR("[dns-record @]\ntype = CNAME\n",
		     "line 4: invalid type 'CNAME': the apex '@' cannot be an alias");
	RECORD_ERROR("[dns-record www]\ntype = SRV\n",
		     "line 4: invalid type 'SRV': an SRV record's name starts with _service._proto, "
		     "e.g. _http._tcp");

	/* Values, type first and value first: the error is on the value's line. */
	RECORD_ERROR("[dns-record www]\ntype = A\nvalue = 10.0.0.256\n",
		     "line 5: invalid value '10.0.0.256' for A: expected an IPv4 address, e.g. "
		     "192.168.122.10");
	RECORD_ERROR("[dns-record www]\nvalue = 10.0.0.256\n\n# comment\ntype = A\n",
		     "line 4: invalid value '10.0.0.256' for A: expected an IPv4 address, e.g. "
		     "192.168.122.10");
	RECORD_ERROR("[dns-record www]\nvalue = www\ntype = CNAME\n",
		     "line 4: invalid value 'www' for CNAME: 'www' would be an alias of itself");
	RECORD_ERROR("[dns-record www]\ntype = CNAME\nvalue = Web1\n",
		     "line 5: invalid value 'Web1' for CNAME: uppercase 'W' (names are written in "
		     "lowercase)");
	RECORD_ERROR("[dns-record www]\ntype = CNAME\nvalue = .\n",
		     "line 5: invalid value '.' for CNAME: '.' is not a name");
	RECORD_ERROR("[dns-record @]\ntype = TXT\nvalue = a\tb\n",
		     "line 5: invalid value 'a?b' for TXT: control character at byte 2");
	/* In the file, ';' after a blank starts a comment: the text is "a;b". */
	{
		_cleanup_(network_dns_records_done) struct network_dns_records rs = { 0 };
		struct network_config c;

		snprintf(text, sizeof(text), "%s[dns-record @]\ntype = TXT\nvalue = a;b ;c\n", net);
		parse_records_ok(text, &c, NULL, &rs);
		assert_string_equal(rs.items[0].txt, "a;b");
	}
	RECORD_ERROR("[dns-record _h._tcp]\ntype = SRV\nvalue = 1 2 70000 web1\n",
		     "line 5: invalid value '1 2 70000 web1' for SRV: expected PRIORITY WEIGHT PORT "
		     "TARGET (numbers 0-65535), e.g. 10 5 443 web1");
	RECORD_ERROR("[dns-record _h._tcp]\ntype = SRV\nvalue = 1 2 3 web_1..x\n",
		     "line 5: invalid value '1 2 3 web_1..x' for SRV: target 'web_1..x': empty "
		     "label");
	/* A value whose type never comes: the section is incomplete. */
	RECORD_ERROR("[dns-record www]\nvalue = 10.0.0.256\n",
		     "line 3: missing key 'type' in [dns-record www]");

	/* Structural (after every line-level error): the first incomplete section, by line. */
	RECORD_ERROR("[dns-record www]\ntype = A\n",
		     "line 3: missing key 'value' in [dns-record www]");
	RECORD_ERROR("[dns-record www]\n[host a]\nip = 10.0.0.9\n",
		     "line 3: missing key 'type' in [dns-record www]");
	RECORD_ERROR("[host a]\nip = 10.0.0.9\n[dns-record www]\n",
		     "line 3: missing key 'mac' in [host a]");
	RECORD_ERROR("[dns-record www]\n[dns-record x]\nbad\n",
		     "line 5: expected 'key = value', '[section]' or a comment");

	/* Against each other, at the header of the later section. */
	RECORD_ERROR("[dns-record www]\ntype = A\nvalue = 10.0.0.5\n\n"
		     "[dns-record www]\nvalue = 10.0.0.5\ntype = A\n",
		     "line 7: record www A 10.0.0.5 is given twice");
	RECORD_ERROR("[dns-record www]\ntype = A\nvalue = 10.0.0.5\n"
		     "[dns-record www]\ntype = CNAME\nvalue = web1\n",
		     "line 6: record www CNAME: www already has A records, and an alias (CNAME) "
		     "must be the only record of its name");
	RECORD_ERROR("[dns-record www]\ntype = CNAME\nvalue = web1\n"
		     "[dns-record www]\ntype = TXT\nvalue = hello\n",
		     "line 6: record www TXT: www is an alias (CNAME) and can have no other records");
	/* Against the network: the name must fit in the domain. */
	snprintf(text, sizeof(text),
		 "[network]\nsubnet = 10.0.0.0/24\ndomain = %.63s.%.63s.%.63s.%.59s\n"
		 "[dns-record a]\ntype = A\nvalue = 10.0.0.5\n"
		 "[dns-record ab]\ntype = A\nvalue = 10.0.0.5\n",
		 name254, name254, name254, name254);
	{
		char msg[600];

		snprintf(msg, sizeof(msg),
			 "line 7: record ab A: the name is longer than 253 characters in domain "
			 "%.63s.%.63s.%.63s.%.59s",
			 name254, name254, name254, name254);
		check_parse_error(text, "lab", -EINVAL, msg);
	}
	/* The network, then its reservations, then its records; none are returned on failure. */
	check_parse_error("[network]\n[dns-record www]\ntype = A\nvalue = 10.0.0.5\n", "lab",
			  -EINVAL, "subnet is required");
	RECORD_ERROR("[dns-record www]\ntype = CNAME\nvalue = web1\n"
		     "[dns-record www]\ntype = TXT\nvalue = hello\n"
		     "[host gw]\nmac = 52:54:00:12:34:56\nip = 10.0.0.1\n",
		     "line 9: address 10.0.0.1 is the gateway");
	RECORD_ERROR("[host web1]\nmac = 52:54:00:12:34:56\nip = 10.0.0.10\n"
		     "[dns-record www]\ntype = CNAME\nvalue = web1\n"
		     "[dns-record www]\ntype = TXT\nvalue = hello\n",
		     "line 9: record www TXT: www is an alias (CNAME) and can have no other records");
#undef RECORD_ERROR
}

/* The most records a network may have: one more is refused at its header. */
static void test_records_limit(void **state)
{
	_cleanup_(network_dns_records_done) struct network_dns_records records = { 0 };
	_cleanup_(network_hosts_done) struct network_hosts hosts = { 0 };
	size_t size = 64 + (NETWORK_DNS_RECORDS_MAX + 1) * 64, off = 0;
	_cleanup_free_ char *text = malloc(size);
	struct network_config c;
	char msg[128];

	assert_non_null(text);
	off += (size_t)snprintf(text, size, "[network]\nsubnet = 10.0.0.0/16\n");
	for (unsigned i = 0; i < NETWORK_DNS_RECORDS_MAX; i++)
		off += (size_t)snprintf(text + off, size - off,
					"[dns-record @]\ntype = TXT\nvalue = t%u\n", i);
	parse_records_ok(text, &c, &hosts, &records);
	assert_int_equal(records.n, NETWORK_DNS_RECORDS_MAX);
	check_round_trip_records(&c, &hosts, &records);

	snprintf(text + off, size - off, "[dns-record @]\ntype = TXT\nvalue = more\n");
	snprintf(msg, sizeof(msg), "line %d: too many [dns-record] sections (limit 4096)",
		 2 + 3 * NETWORK_DNS_RECORDS_MAX + 1);
	check_parse_error(text, "lab", -EINVAL, msg);
}

static void test_records_round_trip(void **state)
{
	_cleanup_(network_dns_records_done) struct network_dns_records records = { 0 };
	_cleanup_(network_hosts_done) struct network_hosts hosts = { 0 };
	static const struct {
		const char *name;
		enum network_dns_record_type type;
		const char *value;
	} list[] = {
		{ "@", NETWORK_DNS_RECORD_A, "10.0.0.2" },
		{ "@", NETWORK_DNS_RECORD_TXT, "x=1" },
		{ "a.b.c", NETWORK_DNS_RECORD_A, "192.0.2.1" },
		{ "alias", NETWORK_DNS_RECORD_CNAME, "@" },
		{ "ext", NETWORK_DNS_RECORD_CNAME, "host.example.com." },
		{ "_acme-challenge", NETWORK_DNS_RECORD_TXT, "a:b=c;d \"e\" #f [g] \xc3\xa9" },
		{ "_sip._udp", NETWORK_DNS_RECORD_SRV, "0 0 0 ." },
		{ "_sip._udp", NETWORK_DNS_RECORD_SRV, "65535 65535 65535 sip.example.net." },
		{ "_ldap._tcp.dc", NETWORK_DNS_RECORD_SRV, "1 2 389 @" },
		{ "0-9_x", NETWORK_DNS_RECORD_A, "255.255.255.255" },
	};
	struct network_config c;
	char err[256];

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "domain", "lab.example");
	check_set_ok(&c, "dns-forwarders", "192.0.2.53, 198.51.100.53");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	for (size_t i = 0; i < ELEMENTSOF(list); i++) {
		struct network_dns_record r = { 0 };

		strcpy(r.name, list[i].name);
		r.type = list[i].type;
		assert_int_equal(network_dns_record_set_value(&r, list[i].value, err, sizeof(err)),
				 0);
		if (network_dns_records_add(&records, &r, &c, err, sizeof(err)) != 0)
			fail_msg("%s: %s", list[i].name, err);
	}
	check_round_trip_records(&c, &hosts, &records);
	check_round_trip_records(&c, NULL, &records);
}

static void test_port_security(void **state)
{
	static const struct {
		const char *text;
		enum network_port_security value;
	} ok[] = {
		{ "yes", NETWORK_PORT_SECURITY_FULL }, { "mac", NETWORK_PORT_SECURITY_MAC },
		{ "no", NETWORK_PORT_SECURITY_OFF },   { "MAC", NETWORK_PORT_SECURITY_MAC },
		{ "true", NETWORK_PORT_SECURITY_FULL }, { "On", NETWORK_PORT_SECURITY_FULL },
		{ "1", NETWORK_PORT_SECURITY_FULL },   { "YES", NETWORK_PORT_SECURITY_FULL },
		{ "false", NETWORK_PORT_SECURITY_OFF }, { "off", NETWORK_PORT_SECURITY_OFF },
		{ "0", NETWORK_PORT_SECURITY_OFF },    { "No", NETWORK_PORT_SECURITY_OFF },
	};
	struct network_config c;
	char err[256];

	assert_string_equal(network_port_security_to_string(NETWORK_PORT_SECURITY_FULL), "yes");
	assert_string_equal(network_port_security_to_string(NETWORK_PORT_SECURITY_MAC), "mac");
	assert_string_equal(network_port_security_to_string(NETWORK_PORT_SECURITY_OFF), "no");
	assert_null(network_port_security_to_string(_NETWORK_PORT_SECURITY_MAX));
	assert_null(network_port_security_to_string(_NETWORK_PORT_SECURITY_INVALID));
	for (int v = 0; v < _NETWORK_PORT_SECURITY_MAX; v++)
		assert_int_equal(network_port_security_from_string(
					 network_port_security_to_string(v)),
				 v);
	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		assert_int_equal(network_port_security_from_string(ok[i].text), ok[i].value);
		config_basic(&c, "10.0.0.0/24");
		check_set_ok(&c, "port-security", ok[i].text);
		assert_int_equal(c.port_security, ok[i].value);
	}
	assert_int_equal(network_port_security_from_string("full"), _NETWORK_PORT_SECURITY_INVALID);
	assert_int_equal(network_port_security_from_string(""), _NETWORK_PORT_SECURITY_INVALID);
	assert_int_equal(network_port_security_from_string(NULL), _NETWORK_PORT_SECURITY_INVALID);

	check_set_error("port-security", "strict",
			"invalid port-security 'strict': expected yes, mac or no (yes/no also as "
			"true/false, on/off or 1/0)");
	check_set_error("port-security", "", "invalid port-security '': empty value");
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\n\nport-security = ip\n", "lab", -EINVAL,
			  "line 4: invalid port-security 'ip': expected yes, mac or no (yes/no "
			  "also as true/false, on/off or 1/0)");

	/* Built in code: checked by finish(), after the bridge and uplink. */
	config_basic(&c, "10.0.0.0/24");
	c.port_security = _NETWORK_PORT_SECURITY_MAX;
	check_finish_error(&c, "invalid port-security 3");
	check_set_ok(&c, "uplink", "kn-lab");
	check_finish_error(&c, "uplink 'kn-lab' cannot be the network's own bridge");
	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "port-security", "no");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	check_round_trip(&c);
}

static void test_allow_attach(void **state)
{
	char name32[40], text[1024], msg[1200], err[512];
	struct network_config c, before;
	size_t off = 0;

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "allow-attach", "alice");
	assert_int_equal(c.n_allow_attach, 1);
	assert_string_equal(c.allow_attach[0], "alice");
	/* Blanks around commas; users and groups; '_', '-', digits and a trailing '$'. */
	check_set_ok(&c, "allow-attach", " @kvm ,\tbob_1,_svc-x$ , @libvirt-qemu,alice");
	assert_int_equal(c.n_allow_attach, 5);
	assert_string_equal(c.allow_attach[0], "@kvm");
	assert_string_equal(c.allow_attach[1], "bob_1");
	assert_string_equal(c.allow_attach[2], "_svc-x$");
	assert_string_equal(c.allow_attach[3], "@libvirt-qemu");
	assert_string_equal(c.allow_attach[4], "alice");
	/* A user and a group of the same name are different entries. */
	check_set_ok(&c, "allow-attach", "kvm, @kvm");
	assert_int_equal(c.n_allow_attach, 2);
	/* Setting again replaces the list and zeroes the unused entries. */
	assert_string_equal(c.allow_attach[2], "");
	/* Empty, or only blanks: the default. */
	check_set_ok(&c, "allow-attach", "");
	assert_int_equal(c.n_allow_attach, 0);
	assert_string_equal(c.allow_attach[0], "");
	check_set_ok(&c, "allow-attach", "a");
	check_set_ok(&c, "allow-attach", " \t ");
	assert_int_equal(c.n_allow_attach, 0);

	/* The longest names: 32 characters, with '$' and '@'. */
	memset(name32, 'a', 32);
	snprintf(name32 + 32, sizeof(name32) - 32, "$");
	snprintf(text, sizeof(text), "@%s, %s", name32, name32);
	check_set_ok(&c, "allow-attach", text);
	assert_int_equal(strlen(c.allow_attach[0]), NETWORK_ALLOW_ATTACH_NAME_MAX);
	assert_int_equal(c.n_allow_attach, 2);
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	check_round_trip(&c);

	/* 16 names are the limit. */
	off = 0;
	for (int i = 0; i < NETWORK_ALLOW_ATTACH_MAX; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%su%d", i ? ", " : "", i);
	check_set_ok(&c, "allow-attach", text);
	assert_int_equal(c.n_allow_attach, NETWORK_ALLOW_ATTACH_MAX);
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	check_round_trip(&c);
	before = c;
	snprintf(text + off, sizeof(text) - off, ", u99");
	snprintf(msg, sizeof(msg), "invalid allow-attach '%s': more than 16 names", text);
	assert_int_equal(network_config_set(&c, "allow-attach", text, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
	assert_true(network_config_equal(&c, &before));

	/* Every message. */
#define SYNTAX "expected a user name or @group ([a-z_][a-z0-9_-]{0,31}, optionally ending in '$')"
	check_set_error("allow-attach", "alice,", "invalid allow-attach 'alice,': name 2 is empty");
	check_set_error("allow-attach", " , alice",
			"invalid allow-attach ' , alice': name 1 is empty");
	check_set_error("allow-attach", "alice,,bob",
			"invalid allow-attach 'alice,,bob': name 2 is empty");
	check_set_error("allow-attach", "Alice", "invalid allow-attach 'Alice': name 1: " SYNTAX);
	check_set_error("allow-attach", "alice, 1bob",
			"invalid allow-attach 'alice, 1bob': name 2: " SYNTAX);
	check_set_error("allow-attach", "-x", "invalid allow-attach '-x': name 1: " SYNTAX);
	check_set_error("allow-attach", "@", "invalid allow-attach '@': name 1: " SYNTAX);
	check_set_error("allow-attach", "$", "invalid allow-attach '$': name 1: " SYNTAX);
	check_set_error("allow-attach", "@@kvm", "invalid allow-attach '@@kvm': name 1: " SYNTAX);
	check_set_error("allow-attach", "a$b", "invalid allow-attach 'a$b': name 1: " SYNTAX);
	check_set_error("allow-attach", "a$$", "invalid allow-attach 'a$$': name 1: " SYNTAX);
	check_set_error("allow-attach", "alice bob",
			"invalid allow-attach 'alice bob': name 1: " SYNTAX);
	check_set_error("allow-attach", "al.ice", "invalid allow-attach 'al.ice': name 1: " SYNTAX);
	check_set_error("allow-attach", "caf\xc3\xa9",
			"invalid allow-attach 'caf?\?': name 1: " SYNTAX);
	/* 33 characters before the '$' are one too many, with or without '@'. */
	memset(name32, 'a', 33);
	name32[33] = '\0';
	snprintf(text, sizeof(text), "x, %s", name32);
	snprintf(msg, sizeof(msg), "invalid allow-attach '%s': name 2: " SYNTAX, text);
	check_set_error("allow-attach", text, msg);
	snprintf(text, sizeof(text), "@%s", name32);
	snprintf(msg, sizeof(msg), "invalid allow-attach '%s': name 1: " SYNTAX, text);
	check_set_error("allow-attach", text, msg);
	snprintf(text, sizeof(text), "@%s$", name32);
	snprintf(msg, sizeof(msg), "invalid allow-attach '%s': name 1: " SYNTAX, text);
	check_set_error("allow-attach", text, msg);
	check_set_error("allow-attach", "alice, @kvm, alice",
			"invalid allow-attach 'alice, @kvm, alice': alice is given twice");
	check_set_error("allow-attach", "@kvm,@kvm",
			"invalid allow-attach '@kvm,@kvm': @kvm is given twice");

	/* In a file: an empty value is the default; errors carry their line. */
	parse_ok("[network]\nsubnet = 10.0.0.0/24\nallow-attach =\n", "lab", &c);
	assert_int_equal(c.n_allow_attach, 0);
	parse_ok("[network]\nsubnet = 10.0.0.0/24\nallow-attach = ; nobody in particular\n", "lab",
		 &c);
	assert_int_equal(c.n_allow_attach, 0);
	parse_ok("[network]\nsubnet = 10.0.0.0/24\nallow-attach = alice, @kvm ; comment\n", "lab",
		 &c);
	assert_int_equal(c.n_allow_attach, 2);
	assert_string_equal(c.allow_attach[1], "@kvm");
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\nallow-attach = root,\n", "lab", -EINVAL,
			  "line 3: invalid allow-attach 'root,': name 2 is empty");
	check_parse_error("[network]\nallow-attach =\nsubnet = 10.0.0.0/24\nallow-attach = a\n",
			  "lab", -EINVAL,
			  "line 4: duplicate key 'allow-attach' in [network] (first set on line "
			  "2)");

	/* Built in code: count, names and duplicates are checked again by finish(), last. */
	config_basic(&c, "10.0.0.0/24");
	c.n_allow_attach = NETWORK_ALLOW_ATTACH_MAX + 1;
	check_finish_error(&c, "allow-attach: more than 16 names");
	c.port_security = _NETWORK_PORT_SECURITY_MAX;
	check_finish_error(&c, "invalid port-security 3");
	config_basic(&c, "10.0.0.0/24");
	c.n_allow_attach = 2;
	strcpy(c.allow_attach[0], "alice");
	strcpy(c.allow_attach[1], "Bob");
	check_finish_error(&c, "allow-attach: name 2: " SYNTAX);
	memset(c.allow_attach[1], 'a', sizeof(c.allow_attach[1]));
	check_finish_error(&c, "allow-attach: name 2: " SYNTAX);
	strcpy(c.allow_attach[1], "alice");
	check_finish_error(&c, "allow-attach: alice is given twice");
	c.n_allow_attach = 1;
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
#undef SYNTAX
}

/* The new [network] keys: written after the others, only when not the default. */
static void test_port_keys_format(void **state)
{
	static const char expected[] = "[network]\n"
				       "mode = nat\n"
				       "subnet = 10.0.0.0/24\n"
				       "autostart = yes\n"
				       "isolate-ports = yes\n"
				       "port-security = mac\n"
				       "allow-attach = alice, @kvm, svc$\n";
	_cleanup_free_ char *text = NULL, *defaults = NULL;
	struct network_config c, back;
	char err[256];

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "allow-attach", "alice ,@kvm,  svc$");
	check_set_ok(&c, "port-security", "MAC");
	check_set_ok(&c, "isolate-ports", "on");
	check_set_ok(&c, "autostart", "1");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &text), 0);
	assert_string_equal(text, expected);
	parse_ok(text, "lab", &back);
	assert_true(network_config_equal(&back, &c));
	check_round_trip(&c);

	/* Given explicitly but equal to the defaults: not written. */
	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "isolate-ports", "no");
	check_set_ok(&c, "port-security", "yes");
	check_set_ok(&c, "allow-attach", "");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &defaults), 0);
	assert_string_equal(defaults, "[network]\nmode = nat\nsubnet = 10.0.0.0/24\n");

	/* port-security = no is written as such. */
	check_set_ok(&c, "port-security", "off");
	free(defaults);
	defaults = NULL;
	assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &defaults), 0);
	assert_string_equal(defaults, "[network]\nmode = nat\nsubnet = 10.0.0.0/24\n"
				      "port-security = no\n");
	/* An invalid value built in code is not written. */
	c.port_security = _NETWORK_PORT_SECURITY_INVALID;
	free(defaults);
	defaults = NULL;
	assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &defaults), -EINVAL);
	assert_null(defaults);
}

/* Parses 'text' with reservations, records and ports (caller frees them), or fails the test. */
static void parse_ports_ok(const char *text, struct network_config *c,
			   struct network_hosts *hosts, struct network_dns_records *records,
			   struct network_ports *ports)
{
	char err[512] = "";
	int r = network_config_parse(text, strlen(text), "lab", c, hosts, records, ports, err,
				     sizeof(err));

	if (r != 0)
		fail_msg("parse failed (%d): %s", r, err);
}

/* format -> parse gives everything back, and formatting again is stable. */
static void check_round_trip_ports(const struct network_config *c,
				   const struct network_hosts *hosts,
				   const struct network_dns_records *records,
				   const struct network_ports *ports)
{
	_cleanup_(network_dns_records_done) struct network_dns_records back_records = { 0 };
	_cleanup_(network_hosts_done) struct network_hosts back_hosts = { 0 };
	_cleanup_(network_ports_done) struct network_ports back_ports = { 0 };
	_cleanup_free_ char *text = NULL, *text2 = NULL;
	struct network_config back;

	assert_int_equal(network_config_format(c, hosts, records, ports, &text), 0);
	parse_ports_ok(text, &back, &back_hosts, &back_records, &back_ports);
	if (!network_config_equal(&back, c))
		fail_msg("round trip changed the config:\n%s", text);
	if (!network_hosts_equal(&back_hosts, hosts))
		fail_msg("round trip changed the reservations:\n%s", text);
	if (!network_dns_records_equal(&back_records, records))
		fail_msg("round trip changed the records:\n%s", text);
	if (!network_ports_equal(&back_ports, ports))
		fail_msg("round trip changed the ports:\n%s", text);
	assert_int_equal(network_config_format(&back, &back_hosts, &back_records, &back_ports,
					       &text2),
			 0);
	assert_string_equal(text, text2);
}

/* Ports among the other sections, in no particular order, with every key once. */
static const char ports_text[] = "[port vm-web]\n"
				 "mac = 52:54:00:AA:00:01\n"
				 "owner = 1000\n"
				 "[network]\n"
				 "subnet = 10.0.0.0/24\n"
				 "isolate-ports = yes\n"
				 "\n"
				 "[port\ttap0]   ; a bare port\n"
				 "[host web1]\n"
				 "mac = 52:54:00:aa:00:01\n"
				 "ip = 10.0.0.10\n"
				 "[port kn-db.1]\n"
				 "  rate = 250\n"
				 "  queues = 4\n"
				 "  mac = 52-54-00-aa-00-02\n"
				 "[dns-record www]\n"
				 "type = CNAME\n"
				 "value = web1\n"
				 "[port Tap_9]\n"
				 "queues = 1\n"
				 "rate = 0\n";

static void test_ports_parse(void **state)
{
	_cleanup_(network_dns_records_done) struct network_dns_records records = { 0 };
	_cleanup_(network_hosts_done) struct network_hosts hosts = { 0 };
	_cleanup_(network_ports_done) struct network_ports ports = { 0 };
	const struct network_port *p;
	struct network_config c;
	char m[MAC_STRLEN];

	parse_ports_ok(ports_text, &c, &hosts, &records, &ports);
	assert_true(c.isolate_ports);
	assert_int_equal(hosts.n, 1);
	assert_int_equal(records.n, 1);
	assert_int_equal(ports.n, 4);
	/* Sorted by name (bytewise: uppercase first). */
	assert_string_equal(ports.items[0].name, "Tap_9");
	assert_string_equal(ports.items[1].name, "kn-db.1");
	assert_string_equal(ports.items[2].name, "tap0");
	assert_string_equal(ports.items[3].name, "vm-web");

	p = network_ports_find(&ports, "vm-web");
	assert_non_null(p);
	assert_true(p->has_mac);
	assert_string_equal(mac_to_string(p->mac, m), "52:54:00:aa:00:01");
	assert_true(p->has_owner);
	assert_int_equal(p->owner, 1000);
	assert_int_equal(p->queues, 1);
	assert_int_equal(p->rate_mbit, 0);
	p = network_ports_find(&ports, "kn-db.1");
	assert_string_equal(mac_to_string(p->mac, m), "52:54:00:aa:00:02");
	assert_false(p->has_owner);
	assert_int_equal(p->queues, 4);
	assert_int_equal(p->rate_mbit, 250);
	p = network_ports_find(&ports, "tap0");
	assert_false(p->has_mac);
	assert_false(p->has_owner);
	assert_int_equal(p->queues, 1);
	assert_int_equal(p->rate_mbit, 0);
	check_round_trip_ports(&c, &hosts, &records, &ports);

	/* A network may have none. */
	network_ports_done(&ports);
	network_hosts_done(&hosts);
	network_dns_records_done(&records);
	parse_ports_ok("[network]\nsubnet = 10.0.0.0/24\n", &c, &hosts, &records, &ports);
	assert_int_equal(ports.n, 0);
	assert_null(ports.items);

	/* Without a place to put them, [port] sections are refused; the others are not. */
	{
		char err[256] = "";

		assert_int_equal(network_config_parse(ports_text, strlen(ports_text), "lab", &c,
						      &hosts, &records, NULL, err, sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, "line 1: [port] sections are not allowed here");
		assert_int_equal(hosts.n, 0);
		assert_int_equal(records.n, 0);
		static const char bare[] = "[network]\nsubnet = 10.0.0.0/24\n[port]\n";

		assert_int_equal(network_config_parse(bare, strlen(bare), "lab", &c, NULL, NULL,
						      NULL, err, sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, "line 3: [port] sections are not allowed here");
		/* ... but a text without [port] sections parses with NULL. */
		parse_records_ok(records_text, &c, &hosts, &records);
	}
}

static void test_ports_format(void **state)
{
	static const char expected[] = "[network]\n"
				       "mode = nat\n"
				       "subnet = 10.0.0.0/24\n"
				       "isolate-ports = yes\n"
				       "\n"
				       "[host web1]\n"
				       "mac = 52:54:00:aa:00:01\n"
				       "ip = 10.0.0.10\n"
				       "\n"
				       "[dns-record www]\n"
				       "type = CNAME\n"
				       "value = web1\n"
				       "\n"
				       "[port Tap_9]\n"
				       "\n"
				       "[port kn-db.1]\n"
				       "mac = 52:54:00:aa:00:02\n"
				       "queues = 4\n"
				       "rate = 250\n"
				       "\n"
				       "[port tap0]\n"
				       "\n"
				       "[port vm-web]\n"
				       "mac = 52:54:00:aa:00:01\n"
				       "owner = 1000\n";
	_cleanup_(network_dns_records_done) struct network_dns_records records = { 0 };
	_cleanup_(network_hosts_done) struct network_hosts hosts = { 0 };
	_cleanup_(network_ports_done) struct network_ports ports = { 0 }, empty = { 0 };
	_cleanup_free_ char *text = NULL, *none = NULL, *null = NULL, *only = NULL;
	struct network_config c;

	parse_ports_ok(ports_text, &c, &hosts, &records, &ports);
	assert_int_equal(network_config_format(&c, &hosts, &records, &ports, &text), 0);
	assert_string_equal(text, expected);
	/* No ports: the same as passing NULL. */
	assert_int_equal(network_config_format(&c, &hosts, &records, &empty, &none), 0);
	assert_int_equal(network_config_format(&c, &hosts, &records, NULL, &null), 0);
	assert_string_equal(none, null);
	assert_null(strstr(none, "[port"));
	/* Ports without reservations or records. */
	assert_int_equal(network_config_format(&c, NULL, NULL, &ports, &only), 0);
	assert_string_equal(only, "[network]\nmode = nat\nsubnet = 10.0.0.0/24\nisolate-ports = "
				  "yes\n\n[port Tap_9]\n\n[port kn-db.1]\nmac = 52:54:00:aa:00:02\n"
				  "queues = 4\nrate = 250\n\n[port tap0]\n\n[port vm-web]\n"
				  "mac = 52:54:00:aa:00:01\nowner = 1000\n");
	check_round_trip_ports(&c, NULL, NULL, &ports);
}

static void test_ports_parse_errors(void **state)
{
	static const char net[] = "[network]\nsubnet = 10.0.0.0/24\n";
	char text[2048], name[120], msg[512];

#define PORT_ERROR(body, msg)                                                                      \
	do {                                                                                       \
		snprintf(text, sizeof(text), "%s%s", net, body);                                   \
		check_parse_error(text, "lab", -EINVAL, msg);                                      \
	} while (0)
#define IFNAME_RULE "not an interface name (1-15 characters from A-Z, a-z, 0-9, '_', '.', '-')"

	/* Headers. */
	PORT_ERROR("[port]\n", "line 3: expected [port NAME]");
	PORT_ERROR("[port  \t]\n", "line 3: expected [port NAME]");
	PORT_ERROR("[port tap0]\n[port]\nmac = 52:54:00:00:00:01\n",
		   "line 4: expected [port NAME]");
	PORT_ERROR("[porttap0]\n", "line 3: unknown section [porttap0]");
	PORT_ERROR("[ports tap0]\n", "line 3: unknown section [ports tap0]");
	PORT_ERROR("[Port tap0]\n", "line 3: unknown section [Port tap0]");
	PORT_ERROR("[port a b]\n", "line 3: invalid port name 'a b': " IFNAME_RULE);
	PORT_ERROR("[port tap0 ]\n", "line 3: invalid port name 'tap0 ': " IFNAME_RULE);
	PORT_ERROR("[port br%d]\n", "line 3: invalid port name 'br%d': " IFNAME_RULE);
	PORT_ERROR("[port ..]\n", "line 3: invalid port name '..': " IFNAME_RULE);
	PORT_ERROR("[port a\"b]\n", "line 3: invalid port name 'a\"b': " IFNAME_RULE);
	PORT_ERROR("[port a;b]\n", "line 3: invalid port name 'a;b': " IFNAME_RULE);
	PORT_ERROR("[port 1234567890123456]\n",
		   "line 3: invalid port name '1234567890123456': " IFNAME_RULE);
	PORT_ERROR("[port caf\xc3\xa9]\n", "line 3: invalid port name 'caf?\?': " IFNAME_RULE);
	memset(name, 'x', 100);
	name[100] = '\0';
	snprintf(text, sizeof(text), "%s[port %s]\n", net, name);
	snprintf(msg, sizeof(msg), "line 3: invalid port name '%.80s...': " IFNAME_RULE, name);
	check_parse_error(text, "lab", -EINVAL, msg);
	/* 15 characters are fine. */
	{
		_cleanup_(network_ports_done) struct network_ports ps = { 0 };
		struct network_config c;

		snprintf(text, sizeof(text), "%s[port 123456789012345]\n", net);
		parse_ports_ok(text, &c, NULL, NULL, &ps);
		assert_string_equal(ps.items[0].name, "123456789012345");
	}

	/* Keys, each error on its line. */
	PORT_ERROR("[port tap0]\nname = tap1\n", "line 4: unknown key 'name' in [port tap0]");
	PORT_ERROR("[port tap0]\nip = 10.0.0.5\n", "line 4: unknown key 'ip' in [port tap0]");
	PORT_ERROR("[port tap0]\nqueues = 2\n\nqueues = 2\n",
		   "line 6: duplicate key 'queues' in [port tap0] (first set on line 4)");
	PORT_ERROR("[port tap0]\nmac = 52:54:00:00:00:01\nmac = 52:54:00:00:00:02\n",
		   "line 5: duplicate key 'mac' in [port tap0] (first set on line 4)");
	/* Empty and invalid values. */
	PORT_ERROR("[port tap0]\nmac =\n", "line 4: invalid mac '': empty value");
	PORT_ERROR("[port tap0]\nowner =\n", "line 4: invalid owner '': empty value");
	PORT_ERROR("[port tap0]\nrate = 1\nqueues =\n", "line 5: invalid queues '': empty value");
	PORT_ERROR("[port tap0]\nrate =\n", "line 4: invalid rate '': empty value");
	PORT_ERROR("[port tap0]\nmac = 52:54:00:12:34\n",
		   "line 4: invalid mac '52:54:00:12:34': expected six hex bytes, e.g. "
		   "52:54:00:12:34:56");
	PORT_ERROR("[port tap0]\nmac = 33:33:00:00:00:01\n",
		   "line 4: invalid mac '33:33:00:00:00:01': a multicast MAC cannot be bound to a "
		   "port");
	PORT_ERROR("[port tap0]\nmac = 00-00-00-00-00-00\n",
		   "line 4: invalid mac '00-00-00-00-00-00': the all-zero MAC cannot be bound to a "
		   "port");
	PORT_ERROR("[port tap0]\nowner = qemu\n",
		   "line 4: invalid owner 'qemu': must be a decimal uid from 0 to 4294967294");
	PORT_ERROR("[port tap0]\nowner = 4294967295\n",
		   "line 4: invalid owner '4294967295': must be a decimal uid from 0 to "
		   "4294967294");
	PORT_ERROR("[port tap0]\nqueues = 32\n",
		   "line 4: invalid queues '32': must be a whole number from 1 to 16");
	PORT_ERROR("[port tap0]\nqueues = 0\n",
		   "line 4: invalid queues '0': must be a whole number from 1 to 16");
	PORT_ERROR("[port tap0]\nrate = 5x\n",
		   "line 4: invalid rate '5x': must be a whole number of Mbit/s from 0 to 100000");
	PORT_ERROR("[port tap0]\nrate = 100001\n",
		   "line 4: invalid rate '100001': must be a whole number of Mbit/s from 0 to "
		   "100000");
	/* Line-level errors come first, whichever section they are in. */
	PORT_ERROR("[port tap0]\n[port tap0]\nrate = x\n",
		   "line 5: invalid rate 'x': must be a whole number of Mbit/s from 0 to 100000");
	PORT_ERROR("[port kn-lab]\n[host a]\nip = 10.0.0.9\nbad\n",
		   "line 6: expected 'key = value', '[section]' or a comment");
	check_parse_error("[port tap0]\nrate = 1\n", "lab", -EINVAL, "missing [network] section");
	PORT_ERROR("[port tap0]\n[network]\n", "line 4: duplicate section [network]");

	/* Against the network and each other, at the header of the later section. */
	PORT_ERROR("\n[port kn-lab]\n",
		   "line 4: port name 'kn-lab' is taken by the network's bridge");
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\n[port br0]\n[network]\n", "lab",
			  -EINVAL, "line 4: duplicate section [network]");
	check_parse_error("[port br0]\n[network]\nsubnet = 10.0.0.0/24\nbridge = br0\n", "lab",
			  -EINVAL, "line 1: port name 'br0' is taken by the network's bridge");
	check_parse_error("[network]\nsubnet = 10.0.0.0/24\nuplink = eth0\n[port eth0]\n", "lab",
			  -EINVAL, "line 4: port name 'eth0' is taken by the network's uplink");
	/* A port may take the default bridge's name when the bridge has another. */
	{
		_cleanup_(network_ports_done) struct network_ports ps = { 0 };
		struct network_config c;

		parse_ports_ok("[network]\nsubnet = 10.0.0.0/24\nbridge = br0\n[port kn-lab]\n", &c,
			       NULL, NULL, &ps);
		assert_int_equal(ps.n, 1);
	}
	PORT_ERROR("[port tap0]\nmac = 52:54:00:00:00:01\n[port tap1]\n\n[port tap0]\n",
		   "line 7: port tap0 already exists");
	PORT_ERROR("[port tap0]\nmac = 52:54:00:00:00:01\n[port tap1]\n"
		   "[port tap2]\nmac = 52-54-00-00-00-01\n",
		   "line 6: MAC 52:54:00:00:00:01 is already bound to port tap0");
	/* ... in file order, not name order. */
	PORT_ERROR("[port tap9]\nmac = 52:54:00:00:00:01\n[port tap1]\nmac = 52:54:00:00:00:01\n",
		   "line 5: MAC 52:54:00:00:00:01 is already bound to port tap9");

	/* The network, then its reservations, then its records, then its ports. */
	check_parse_error("[network]\n[port kn-lab]\n", "lab", -EINVAL, "subnet is required");
	PORT_ERROR("[port kn-lab]\n[host gw]\nmac = 52:54:00:12:34:56\nip = 10.0.0.1\n",
		   "line 4: address 10.0.0.1 is the gateway");
	PORT_ERROR("[port kn-lab]\n[dns-record www]\ntype = A\nvalue = 10.0.0.5\n"
		   "[dns-record www]\ntype = A\nvalue = 10.0.0.5\n",
		   "line 7: record www A 10.0.0.5 is given twice");
	PORT_ERROR("[port kn-lab]\n[dns-record www]\ntype = A\n",
		   "line 4: missing key 'value' in [dns-record www]");
#undef IFNAME_RULE
#undef PORT_ERROR
}

/* The most ports a network may have: one more is refused at its header. */
static void test_ports_limit(void **state)
{
	_cleanup_(network_ports_done) struct network_ports ports = { 0 };
	size_t size = 64 + (NETWORK_PORTS_MAX + 1) * 48, off = 0;
	_cleanup_free_ char *text = malloc(size);
	struct network_config c;
	char msg[128];

	assert_non_null(text);
	off += (size_t)snprintf(text, size, "[network]\nsubnet = 10.0.0.0/16\n");
	for (unsigned i = 0; i < NETWORK_PORTS_MAX; i++)
		off += (size_t)snprintf(text + off, size - off,
					"[port t%u]\nmac = 52:54:00:00:%02x:%02x\n", i, i >> 8,
					i & 0xff);
	parse_ports_ok(text, &c, NULL, NULL, &ports);
	assert_int_equal(ports.n, NETWORK_PORTS_MAX);
	check_round_trip_ports(&c, NULL, NULL, &ports);

	snprintf(text + off, size - off, "[port more]\n");
	snprintf(msg, sizeof(msg), "line %d: too many [port] sections (limit 4096)",
		 2 + 2 * NETWORK_PORTS_MAX + 1);
	check_parse_error(text, "lab", -EINVAL, msg);
}

/* Ports built in code, with every combination of non-default keys, survive the text form. */
static void test_ports_round_trip(void **state)
{
	_cleanup_(network_dns_records_done) struct network_dns_records records = { 0 };
	_cleanup_(network_hosts_done) struct network_hosts hosts = { 0 };
	_cleanup_(network_ports_done) struct network_ports ports = { 0 };
	struct network_config c;
	char err[256];

	config_basic(&c, "10.0.0.0/24");
	check_set_ok(&c, "uplink", "eth0");
	check_set_ok(&c, "port-security", "no");
	check_set_ok(&c, "allow-attach", "@kvm");
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	for (unsigned i = 0; i < 64; i++) {
		struct network_port p;

		network_port_init(&p);
		snprintf(p.name, sizeof(p.name), "vnet%u", 63 - i);
		if (i & 1) {
			p.has_mac = true;
			p.mac[0] = 0x02;
			p.mac[5] = (uint8_t)i;
		}
		if (i & 2) {
			p.has_owner = true;
			p.owner = i & 8 ? 4294967294u : 0;
		}
		if (i & 4)
			p.queues = i & 8 ? PORT_QUEUES_MAX : 2;
		if (i & 16)
			p.rate_mbit = i & 32 ? PORT_RATE_MAX_MBIT : 1;
		if (network_ports_add(&ports, &p, &c, err, sizeof(err)) != 0)
			fail_msg("%s: %s", p.name, err);
	}
	check_round_trip_ports(&c, &hosts, &records, &ports);
	check_round_trip_ports(&c, NULL, NULL, &ports);
}

static void test_equal(void **state)
{
	struct network_config a, b;
	char err[256];

	config_basic(&a, "10.0.0.0/24");
	assert_int_equal(network_config_finish(&a, err, sizeof(err)), 0);
	b = a;
	assert_true(network_config_equal(&a, &b));

	/* Bytes after a string's NUL do not matter. */
	b.domain[10] = 'x';
	assert_true(network_config_equal(&a, &b));

	b = a;
	b.autostart = true;
	assert_false(network_config_equal(&a, &b));
	b = a;
	b.has_bridge = true;
	assert_false(network_config_equal(&a, &b));
	b = a;
	b.subnet.prefixlen = 25;
	assert_false(network_config_equal(&a, &b));
	b = a;
	strcpy(b.uplink, "eth0");
	assert_false(network_config_equal(&a, &b));
	b = a;
	b.lease_time_sec = 7200;
	assert_false(network_config_equal(&a, &b));

	/* Routes: count and contents matter, entries past the count do not. */
	check_set_ok(&a, "dhcp-routes", "10.1.0.0/16 via 10.0.0.5");
	b = a;
	assert_true(network_config_equal(&a, &b));
	b.routes[1].gw = in_addr_from_host(1);
	assert_true(network_config_equal(&a, &b));
	b = a;
	b.routes[0].gw = in_addr_from_host(0x0a000006);
	assert_false(network_config_equal(&a, &b));
	b = a;
	b.routes[0].dst.prefixlen = 17;
	assert_false(network_config_equal(&a, &b));
	b = a;
	b.n_routes = 0;
	assert_false(network_config_equal(&a, &b));

	/* The port keys. */
	b = a;
	b.isolate_ports = true;
	assert_false(network_config_equal(&a, &b));
	b = a;
	b.port_security = NETWORK_PORT_SECURITY_MAC;
	assert_false(network_config_equal(&a, &b));
	/* allow-attach: count and contents matter; entries past the count, string tails do not. */
	check_set_ok(&a, "allow-attach", "alice, @kvm");
	b = a;
	assert_true(network_config_equal(&a, &b));
	strcpy(b.allow_attach[2], "x");
	b.allow_attach[0][20] = 'x';
	assert_true(network_config_equal(&a, &b));
	b = a;
	strcpy(b.allow_attach[1], "@kvm2");
	assert_false(network_config_equal(&a, &b));
	b = a;
	b.n_allow_attach = 1;
	assert_false(network_config_equal(&a, &b));
	b = a;
	strcpy(b.allow_attach[0], "@kvm");
	strcpy(b.allow_attach[1], "alice");
	assert_false(network_config_equal(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_strings),
		cmocka_unit_test(test_init_defaults),
		cmocka_unit_test(test_name_is_valid),
		cmocka_unit_test(test_ifname_is_valid),
		cmocka_unit_test(test_default_bridge),
		cmocka_unit_test(test_set_valid_values),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_set_edge_values),
		cmocka_unit_test(test_domain),
		cmocka_unit_test(test_finish_defaults),
		cmocka_unit_test(test_finish_errors),
		cmocka_unit_test(test_finish_error_order),
		cmocka_unit_test(test_order_independence),
		cmocka_unit_test(test_parse_example),
		cmocka_unit_test(test_parse_syntax_variants),
		cmocka_unit_test(test_parse_name),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_first_error_wins),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_format_golden),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_macvtap),
		cmocka_unit_test(test_lease_time),
		cmocka_unit_test(test_dhcp_leases_per_port),
		cmocka_unit_test(test_dhcp_routes),
		cmocka_unit_test(test_hosts_parse),
		cmocka_unit_test(test_hosts_parse_errors),
		cmocka_unit_test(test_hosts_format),
		cmocka_unit_test(test_hosts_round_trip),
		cmocka_unit_test(test_hosts_format_limit),
		cmocka_unit_test(test_dns_forwarders),
		cmocka_unit_test(test_dns_forwarders6),
		cmocka_unit_test(test_config_domain),
		cmocka_unit_test(test_records_parse),
		cmocka_unit_test(test_records_format),
		cmocka_unit_test(test_records_parse_errors),
		cmocka_unit_test(test_records_limit),
		cmocka_unit_test(test_records_round_trip),
		cmocka_unit_test(test_port_security),
		cmocka_unit_test(test_allow_attach),
		cmocka_unit_test(test_port_keys_format),
		cmocka_unit_test(test_ports_parse),
		cmocka_unit_test(test_ports_format),
		cmocka_unit_test(test_ports_parse_errors),
		cmocka_unit_test(test_ports_limit),
		cmocka_unit_test(test_ports_round_trip),
		cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
