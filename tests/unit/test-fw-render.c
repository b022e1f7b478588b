/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for fw-model and fw-render: the base script and every mode, with and without an
 * uplink, are rendered and compared byte for byte with a golden file in $KVMNET_TEST_DATA
 * (regenerate them with KVMNET_UPDATE_GOLDEN=1); a network's script holds set elements only
 * (no rule, chain or verdict: nothing that makes the kernel validate the table); plus the
 * hash's stability and the refusal of unrenderable models.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fw-test-util.h"

#include "config/conf-network.h"
#include "firewall/fw-model.h"
#include "firewall/fw-render.h"
#include "shared/alloc-util.h"

static struct fw_network model(const char *name, enum network_mode mode, const char *bridge,
			       const char *uplink, const char *subnet, unsigned prefixlen)
{
	struct fw_network n = { .mode = mode };

	snprintf(n.name, sizeof(n.name), "%s", name);
	snprintf(n.bridge, sizeof(n.bridge), "%s", bridge);
	snprintf(n.uplink, sizeof(n.uplink), "%s", uplink);
	assert_int_equal(inet_pton(AF_INET, subnet, &n.subnet.addr), 1);
	n.subnet.prefixlen = prefixlen;
	n.gateway.s_addr = htonl(ntohl(n.subnet.addr.s_addr) + 1);
	return n;
}

/* 'n' dual-stack with the /64 'prefix6'; 'masquerade' as the config's nat6 would say. */
static struct fw_network with6(struct fw_network n, const char *prefix6, bool masquerade)
{
	assert_int_equal(inet_pton(AF_INET6, prefix6, &n.subnet6.addr), 1);
	n.subnet6.prefixlen = 64;
	n.has_subnet6 = true;
	n.masquerade6 = masquerade;
	return n;
}

/* Every line of a network's script adds a table or set (idempotent) or adds/deletes an element. */
static void assert_elements_only(const char *s)
{
	for (const char *line = s; *line; line = strchr(line, '\n') + 1) {
		assert_non_null(strchr(line, '\n'));
		if (strncmp(line, "add table inet kvmnet\n", 22) == 0 ||
		    strncmp(line, "add set inet kvmnet ", 20) == 0 ||
		    strncmp(line, "add element inet kvmnet ", 24) == 0 ||
		    strncmp(line, "delete element inet kvmnet ", 27) == 0)
			continue;
		fail_msg("not an element operation: %.*s", (int)(strchr(line, '\n') - line), line);
	}
	assert_null(strstr(s, "jump"));
	assert_null(strstr(s, "chain"));
	assert_null(strstr(s, "rule"));
}

static void check_render(const struct fw_network *n, const char *file)
{
	_cleanup_free_ char *s = NULL, *again = NULL;

	assert_int_equal(fw_render_network(n, NULL, NULL, &s), 0);
	assert_int_equal(fw_render_network(n, NULL, NULL, &again), 0);
	assert_string_equal(s, again);
	assert_elements_only(s);
	fw_test_check_golden(file, s);
}

static void test_base(void **state)
{
	_cleanup_free_ char *s = NULL, *reset = NULL;

	uint64_t mask = FW_PREFIX_BIT(24) | FW_PREFIX_BIT(16);
	_cleanup_free_ char *none = NULL;

	assert_int_equal(fw_render_base(false, mask, &s), 0);
	fw_test_check_golden("fw-base.nft", s);
	/* No element: loading the base again keeps every network's. */
	assert_null(strstr(s, "element"));
	assert_null(strstr(s, "delete"));
	/* One subnet rule per prefix length and check, with the address masked in the rule. */
	assert_int_equal(fw_test_count(s, "iifname . ip saddr & 255.255.255.0 @subnets_24 accept"), 1);
	assert_int_equal(fw_test_count(s, "iifname . ip saddr & 255.255.0.0 @subnets_16 accept"), 1);
	assert_int_equal(fw_test_count(s, "@subnets_24"), 5);
	assert_int_equal(fw_test_count(s, "add set inet kvmnet subnets_"), 2);
	/* IPv6: one rule per check whatever the prefix lengths (every subnet6 is a /64). */
	assert_int_equal(fw_test_count(s, "iifname . ip6 saddr & ffff:ffff:ffff:ffff:: @subnets6 "
					  "accept"), 1);
	assert_int_equal(fw_test_count(s, "@subnets6"), 4);
	assert_int_equal(fw_test_count(s, "iifname @nat6 iifname . ip6 saddr & ffff:ffff:ffff:ffff:: "
					  "@subnets6 masquerade"), 1);
	assert_non_null(strstr(s, "udp dport { 53, 67, 547 } accept"));
	assert_non_null(strstr(s, "packet-too-big"));
	assert_int_equal(fw_render_base(false, 0, &none), 0);
	assert_null(strstr(none, "subnets_"));
	assert_non_null(strstr(none, "@subnets6"));
	assert_int_equal(fw_render_base(true, mask, &reset), 0);
	assert_string_equal(reset + strlen("add table inet kvmnet\ndelete table inet kvmnet\n"), s);
}

static void test_nat(void **state)
{
	struct fw_network n = model("lab-1", NETWORK_MODE_NAT, "kn-lab-1", "", "192.168.100.0", 24);

	check_render(&n, "fw-nat.nft");
}

static void test_nat_uplink(void **state)
{
	struct fw_network n =
		model("lab-1", NETWORK_MODE_NAT, "kn-lab-1", "eth0", "192.168.100.0", 24);

	check_render(&n, "fw-nat-uplink.nft");
}

static void test_routed(void **state)
{
	struct fw_network n = model("rt_a", NETWORK_MODE_ROUTED, "kn-rt_a", "", "10.20.0.0", 16);

	check_render(&n, "fw-routed.nft");
}

static void test_routed_uplink(void **state)
{
	struct fw_network n =
		model("rt_a", NETWORK_MODE_ROUTED, "kn-rt_a", "enp1s0", "10.20.0.0", 16);

	check_render(&n, "fw-routed-uplink.nft");
}

static void test_isolated(void **state)
{
	struct fw_network n = model("0iso", NETWORK_MODE_ISOLATED, "br-iso", "", "10.30.0.0", 24);

	check_render(&n, "fw-isolated.nft");
}

static void test_nat6(void **state)
{
	struct fw_network n = model("lab-1", NETWORK_MODE_NAT, "kn-lab-1", "", "192.168.100.0", 24);
	struct fw_network ula = with6(n, "fd42:10::", true), global = with6(n, "2001:db8:1:2::", false);
	_cleanup_free_ char *s = NULL;

	/* A ULA prefix masqueraded (nat6), a global one routed (routed6). */
	check_render(&ula, "fw-nat6.nft");
	check_render(&global, "fw-nat6-routed.nft");
	assert_int_equal(fw_render_network(&global, NULL, NULL, &s), 0);
	assert_non_null(strstr(s, "add element inet kvmnet routed6 { \"kn-lab-1\" }\nadd"));
	assert_null(strstr(s, "add element inet kvmnet nat6 { \"kn-lab-1\" }\nadd"));
	assert_non_null(strstr(s, "add element inet kvmnet subnets6 { \"kn-lab-1\" . 2001:db8:1:2:: }"
				  "\n"));
	/* An IPv4-only model has no IPv6 element (its bridge's nat6/routed6 ones are removed). */
	free(s);
	s = NULL;
	assert_int_equal(fw_render_network(&n, NULL, NULL, &s), 0);
	assert_null(strstr(s, "element inet kvmnet subnets6"));
	assert_null(strstr(s, "add element inet kvmnet nat6 { \"kn-lab-1\" }\nadd"));
}

static void test_routed6_isolated6(void **state)
{
	struct fw_network r = with6(model("rt_a", NETWORK_MODE_ROUTED, "kn-rt_a", "", "10.20.0.0", 16),
				    "2001:db8:20::", false);
	struct fw_network i = with6(model("0iso", NETWORK_MODE_ISOLATED, "br-iso", "", "10.30.0.0", 24),
				    "fd42:30::", false);
	_cleanup_free_ char *s = NULL;
	char *bad = NULL;

	check_render(&r, "fw-routed6.nft");
	check_render(&i, "fw-isolated6.nft");
	/* Isolated: the IPv6 elements only removed, never added. */
	assert_int_equal(fw_render_network(&i, NULL, NULL, &s), 0);
	assert_null(strstr(s, "add element inet kvmnet subnets6 { \"br-iso\" . fd42:30:: }\nadd"));
	assert_non_null(strstr(s, "delete element inet kvmnet subnets6 { \"br-iso\" . fd42:30:: }\n"));
	/* Only /64s render. */
	i.subnet6.prefixlen = 48;
	assert_int_equal(fw_render_network(&i, NULL, NULL, &bad), -EINVAL);
	assert_null(bad);
}

static void test_open(void **state)
{
	struct fw_network n = model("open0", NETWORK_MODE_OPEN, "kn-open0", "", "10.40.0.0", 24);
	_cleanup_free_ char *s = NULL;

	check_render(&n, "fw-open.nft");
	assert_int_equal(fw_render_network(&n, NULL, NULL, &s), 0);
	/* Only its 'bridges' element survives the script (named by its comment). */
	assert_non_null(strstr(s, "add element inet kvmnet bridges { \"kn-open0\" comment "
				  "\"kvmnet:open0\" }\n"));
	for (const char *p = s; (p = strstr(p, "add element inet kvmnet ")); p++) {
		static const char named[] = "bridges { \"kn-open0\" comment";

		if (strncmp(p + strlen("add element inet kvmnet "), named, strlen(named)) == 0)
			continue;
		assert_non_null(strchr(p, '\n'));
		assert_true(strncmp(strchr(p, '\n') + 1, "delete element inet kvmnet ", 27) == 0);
	}
}

/*
 * A tenant's network: its bridge in 'tenanted', and BRIDGE . ID in 'tenants' unless isolated;
 * the elements of the tenant it had before go with 'old'; the id is part of the hash.
 */
static void test_tenant(void **state)
{
	struct fw_network n = model("red1", NETWORK_MODE_NAT, "kn-red1", "", "10.81.0.0", 24);
	struct fw_network iso = model("red2", NETWORK_MODE_ISOLATED, "kn-red2", "", "10.82.0.0", 24);
	struct fw_network before = n;
	_cleanup_free_ char *s = NULL, *t = NULL, *u = NULL;
	uint64_t untenanted = fw_network_hash(&n);

	(void)state;
	n.tenant = 1089765596u;
	check_render(&n, "fw-tenant.nft");
	assert_true(fw_network_hash(&n) != untenanted);
	assert_int_equal(fw_render_network(&n, &before, NULL, &s), 0);
	assert_non_null(strstr(s, "add element inet kvmnet tenanted { \"kn-red1\" }\n"));
	assert_non_null(strstr(s, "add element inet kvmnet tenants { \"kn-red1\" . 1089765596 }\n"));
	iso.tenant = n.tenant;
	assert_int_equal(fw_render_network(&iso, NULL, NULL, &t), 0);
	assert_non_null(strstr(t, "add element inet kvmnet tenanted { \"kn-red2\" }\n"));
	/* only its removal (an add followed by its delete): an isolated network routes nowhere */
	assert_int_equal(fw_test_count(t, "kvmnet tenants { \"kn-red2\" . 1089765596 }"), 2);
	assert_non_null(strstr(t, "add element inet kvmnet tenants { \"kn-red2\" . 1089765596 }\n"
				  "delete element inet kvmnet tenants { \"kn-red2\" . 1089765596 }\n"));
	/* tenant red -> blue: red's element is removed, blue's added */
	before = n;
	n.tenant = 2197550541u;
	assert_int_equal(fw_render_network(&n, &before, NULL, &u), 0);
	assert_non_null(strstr(u, "delete element inet kvmnet tenants { \"kn-red1\" . 1089765596 }\n"));
	assert_non_null(strstr(u, "add element inet kvmnet tenants { \"kn-red1\" . 2197550541 }\n"));
	assert_int_equal(fw_test_count(u, "add element inet kvmnet tenants { \"kn-red1\" . 1089765596 }"),
			 1);
}

static void test_delete(void **state)
{
	struct fw_network n = model("lab-1", NETWORK_MODE_NAT, "kn-lab-1", "", "192.168.100.0", 24);
	struct fw_network o = n;
	_cleanup_free_ char *s = NULL, *s2 = NULL, *s3 = NULL, *up = NULL;
	static const char purge[] = "add element inet kvmnet subnets_16 { \"kn-lab-1\" . 10.1.0.0 }\n"
				    "delete element inet kvmnet subnets_16 { \"kn-lab-1\" . 10.1.0.0 }\n";

	assert_int_equal(fw_render_network_delete(&n, NULL, &s), 0);
	assert_elements_only(s);
	fw_test_check_golden("fw-delete.nft", s);
	/* The mode does not matter: every mode's elements go. */
	o.mode = NETWORK_MODE_ISOLATED;
	assert_int_equal(fw_render_network_delete(&o, NULL, &s2), 0);
	assert_string_equal(s, s2);
	/* A purge script from the read-back comes before the model's own removals. */
	assert_int_equal(fw_render_network_delete(&n, purge, &s3), 0);
	assert_non_null(strstr(s3, purge));
	assert_true(strstr(s3, purge) < strstr(s3, "delete element inet kvmnet bridges"));
	/* Changing the subnet and uplink: the old model's elements are removed first. */
	o = n;
	snprintf(o.uplink, sizeof(o.uplink), "eth0");
	assert_int_equal(inet_pton(AF_INET, "192.168.200.0", &o.subnet.addr), 1);
	o.subnet.prefixlen = 23;
	assert_int_equal(fw_render_network(&n, &o, NULL, &up), 0);
	assert_elements_only(up);
	assert_non_null(strstr(up, "add set inet kvmnet subnets_23 { type ifname . ipv4_addr; }\n"));
	assert_non_null(strstr(up, "delete element inet kvmnet subnets_23 { \"kn-lab-1\" . "
				   "192.168.200.0 }\n"));
	assert_non_null(strstr(up, "delete element inet kvmnet uplinks { \"kn-lab-1\" . \"eth0\" }\n"));
	assert_null(strstr(up, "add element inet kvmnet uplinked { \"kn-lab-1\" }\nadd"));
	assert_non_null(strstr(up, "add element inet kvmnet subnets_24 { \"kn-lab-1\" . "
				   "192.168.100.0 }\n"));
	assert_true(strstr(up, "192.168.200.0 ") < strstr(up, "192.168.100.0 "));
}

static void test_hash(void **state)
{
	struct fw_network n = model("lab-1", NETWORK_MODE_NAT, "kn-lab-1", "", "192.168.100.0", 24);
	struct fw_network m = n;
	uint64_t h = fw_network_hash(&n);
	_cleanup_free_ char *s = NULL;
	const char *tail;
	char comment[64];

	assert_true(h != 0);
	assert_true(fw_network_hash(&n) == h);
	/* The gateway is not part of any rule. */
	m.gateway.s_addr = htonl(ntohl(m.gateway.s_addr) + 5);
	assert_true(fw_network_hash(&m) == h);

	m = n;
	m.subnet.prefixlen = 23;
	assert_true(fw_network_hash(&m) != h);
	m = n;
	assert_int_equal(inet_pton(AF_INET, "192.168.101.0", &m.subnet.addr), 1);
	assert_true(fw_network_hash(&m) != h);
	m = n;
	snprintf(m.uplink, sizeof(m.uplink), "eth0");
	assert_true(fw_network_hash(&m) != h);
	m = n;
	m.mode = NETWORK_MODE_ROUTED;
	assert_true(fw_network_hash(&m) != h);
	m = n;
	snprintf(m.bridge, sizeof(m.bridge), "kn-other");
	assert_true(fw_network_hash(&m) != h);

	m = n;
	snprintf(m.name, sizeof(m.name), "lab-2");
	assert_true(fw_network_hash(&m) != h);
	/* A subnet6, another subnet6, and its masquerade change the hash. */
	m = with6(n, "fd42:10::", true);
	assert_true(fw_network_hash(&m) != h);
	assert_true(fw_network_hash(&m) != fw_network_hash((struct fw_network[]){ with6(n, "fd42:11::", true) }));
	assert_true(fw_network_hash(&m) != fw_network_hash((struct fw_network[]){ with6(n, "fd42:10::", false) }));

	/* The hash is over the element lines at the end of the script, the ones fw-apply reads. */
	assert_int_equal(fw_render_network(&n, NULL, NULL, &s), 0);
	snprintf(comment, sizeof(comment), "add element inet kvmnet bridges { \"kn-lab-1\" comment");
	tail = strstr(s, comment);
	assert_non_null(tail);
	assert_null(strstr(tail + 1, comment));
	assert_true(fw_hash_bytes(FW_HASH_INIT, tail, strlen(tail)) == h);
}

static void test_invalid(void **state)
{
	struct fw_network good = model("a", NETWORK_MODE_NAT, "kn-a", "", "10.0.0.0", 8);
	struct fw_network n;
	char *s = NULL;

	n = good;
	snprintf(n.bridge, sizeof(n.bridge), "br\"x");
	assert_int_equal(fw_render_network(&n, NULL, NULL, &s), -EINVAL);
	assert_int_equal(fw_render_network_delete(&n, NULL, &s), -EINVAL);
	assert_true(fw_network_hash(&n) == 0);
	n = good;
	snprintf(n.uplink, sizeof(n.uplink), "eth*");
	assert_int_equal(fw_render_network(&n, NULL, NULL, &s), -EINVAL);
	n = good;
	n.bridge[0] = '\0';
	assert_int_equal(fw_render_network(&n, NULL, NULL, &s), -EINVAL);
	n = good;
	snprintf(n.name, sizeof(n.name), "Lab");
	assert_int_equal(fw_render_network(&n, NULL, NULL, &s), -EINVAL);
	n = good;
	snprintf(n.name, sizeof(n.name), "-lab");
	assert_int_equal(fw_render_network(&n, NULL, NULL, &s), -EINVAL);
	n = good;
	n.mode = _NETWORK_MODE_MAX;
	assert_int_equal(fw_render_network(&n, NULL, NULL, &s), -EINVAL);
	assert_null(s);
}

static void test_from_config(void **state)
{
	struct network_config c = {
		.name = "lab-1",
		.mode = NETWORK_MODE_ROUTED,
		.bridge = "kn-lab-1",
		.uplink = "eth0",
		.subnet = { .prefixlen = 24 },
		.mtu = 1400,
		.dhcp = true,
	};
	struct fw_network n;

	assert_int_equal(inet_pton(AF_INET, "192.168.7.0", &c.subnet.addr), 1);
	assert_int_equal(inet_pton(AF_INET, "192.168.7.1", &c.gateway), 1);
	fw_network_from_config(&c, &n);
	assert_string_equal(n.name, "lab-1");
	assert_int_equal(n.mode, NETWORK_MODE_ROUTED);
	assert_string_equal(n.bridge, "kn-lab-1");
	assert_string_equal(n.uplink, "eth0");
	assert_int_equal(n.subnet.addr.s_addr, c.subnet.addr.s_addr);
	assert_int_equal(n.subnet.prefixlen, 24);
	assert_int_equal(n.gateway.s_addr, c.gateway.s_addr);
	assert_false(n.has_subnet6);
	assert_false(n.masquerade6);

	/* nat6 auto: a ULA subnet6 is masqueraded, a global one routed; yes always masquerades. */
	c.mode = NETWORK_MODE_NAT;
	c.has_subnet6 = true;
	c.subnet6.prefixlen = 64;
	assert_int_equal(inet_pton(AF_INET6, "fd42:7::", &c.subnet6.addr), 1);
	fw_network_from_config(&c, &n);
	assert_true(n.has_subnet6 && n.masquerade6 && n.subnet6.prefixlen == 64);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:7::", &c.subnet6.addr), 1);
	fw_network_from_config(&c, &n);
	assert_false(n.masquerade6);
	c.nat6 = NETWORK_NAT6_YES;
	fw_network_from_config(&c, &n);
	assert_true(n.masquerade6);
	c.mode = NETWORK_MODE_ROUTED;
	fw_network_from_config(&c, &n);
	assert_false(n.masquerade6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base),
		cmocka_unit_test(test_nat),
		cmocka_unit_test(test_nat_uplink),
		cmocka_unit_test(test_routed),
		cmocka_unit_test(test_routed_uplink),
		cmocka_unit_test(test_isolated),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_nat6),
		cmocka_unit_test(test_routed6_isolated6),
		cmocka_unit_test(test_tenant),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_from_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
