/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel tests for fw-macvtap's scripts and read-back, in a private network namespace (skipped
 * with 77 unless root and unshare(CLONE_NEWNET) work, or when the kernel or nft has no netdev
 * egress hook): an absent table lists empty; ports (veths stand in for macvtaps: the hook is the
 * same on any device) and their learned addresses are read back with fw_macvtap_list() as a
 * restart finds them (MAC, binding, learning, each address with how it was learned, the
 * networks' sets); the base loaded again keeps them; removal leaves nothing of the port, and
 * the network's set and the reset leave no table. The tests run in order, on each other's state.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fw-test-util.h"

#include "firewall/fw-apply.h"
#include "firewall/fw-macvtap.h"
#include "shared/alloc-util.h"

static struct fw_ctx *ctx;

static const uint8_t mac1[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t mac2[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x02 };

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void apply(char *script)
{
	fw_test_apply_ok(ctx, script);
	free(script);
}

static void add_port(const char *ifname, const uint8_t mac[6], bool ip_binding)
{
	struct fw_macvtap_port p = { .ip_binding = ip_binding };
	char *s = NULL;

	snprintf(p.ifname, sizeof(p.ifname), "%s", ifname);
	snprintf(p.network, sizeof(p.network), "lan");
	memcpy(p.mac, mac, 6);
	assert_int_equal(fw_macvtap_render_add(&p, NULL, &s), 0);
	apply(s);
}

static struct fw_macvtap_listing *list(void)
{
	struct fw_macvtap_listing *l = NULL;

	assert_int_equal(fw_macvtap_list(ctx, &l), 0);
	assert_non_null(l);
	return l;
}

static void test_absent(void **state)
{
	struct fw_macvtap_listing *l = list();

	(void)state;
	assert_int_equal(l->n_ports, 0);
	assert_int_equal(l->n_networks, 0);
	fw_macvtap_listing_free(l);
}

static void test_ports_and_addrs(void **state)
{
	struct fw_macvtap_addr arp[] = { { .ip = ip("192.0.2.77") }, { .ip = ip("192.0.2.78") } };
	struct fw_macvtap_addr dhcp[] = { { .ip = ip("192.0.2.100"), .dhcp = true } };
	struct in_addr taken[] = { ip("192.0.2.77"), ip("192.0.2.78"), ip("192.0.2.100") };
	struct fw_macvtap_change c = { .ifname = "mv0", .network = "lan", .add = arp, .n_add = 2,
				       .taken_add = taken, .n_taken_add = 3, .learning = true };
	char *base = NULL, *s = NULL;

	(void)state;
	assert_int_equal(fw_macvtap_render_base(&base), 0);
	apply(base);
	add_port("mv0", mac1, true);
	add_port("mv1", mac2, false);
	memcpy(c.mac, mac1, 6);
	assert_int_equal(fw_macvtap_render_addrs(&c, &s), 0);
	apply(s);
	/* the guest got a DHCP address: its ARP ones go, it stops learning */
	c = (struct fw_macvtap_change){ .ifname = "mv0", .network = "lan", .add = dhcp,
					.n_add = 1, .del = arp, .n_del = 2, .learning = false };
	memcpy(c.mac, mac1, 6);
	assert_int_equal(fw_macvtap_render_addrs(&c, &s), 0);
	apply(s);
	/* the same change again changes nothing (an element is replaced, not doubled) */
	c = (struct fw_macvtap_change){ .ifname = "mv0", .network = "lan", .add = dhcp,
					.n_add = 1, .learning = false };
	memcpy(c.mac, mac1, 6);
	assert_int_equal(fw_macvtap_render_addrs(&c, &s), 0);
	apply(s);
	/* loading the base again loses nothing */
	assert_int_equal(fw_macvtap_render_base(&base), 0);
	apply(base);

	struct fw_macvtap_listing *l = list();
	const struct fw_macvtap_state *a = fw_macvtap_listing_find(l, "mv0");
	const struct fw_macvtap_state *b = fw_macvtap_listing_find(l, "mv1");
	assert_int_equal(l->n_ports, 2);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a->has_mac && memcmp(a->mac, mac1, 6) == 0);
	assert_true(a->ip_binding);
	assert_false(a->learning);
	assert_int_equal(a->n_addrs, 1);
	assert_int_equal(a->addrs[0].ip.s_addr, dhcp[0].ip.s_addr);
	assert_true(a->addrs[0].dhcp);
	assert_true(b->has_mac && memcmp(b->mac, mac2, 6) == 0);
	assert_false(b->ip_binding);
	assert_int_equal(b->n_addrs, 0);
	assert_int_equal(l->n_networks, 1);
	assert_string_equal(l->networks[0], "lan");
	assert_null(fw_macvtap_listing_find(l, "mv2"));
	fw_macvtap_listing_free(l);

	_cleanup_free_ char *chain = fw_test_nft_list("list chain netdev kvmnet o_mv0");
	assert_non_null(chain);
	assert_non_null(strstr(chain, "hook egress device \"mv0\""));
	assert_non_null(strstr(chain, "@t_lan"));
}

static void test_learning_read_back(void **state)
{
	struct fw_macvtap_addr arp[] = { { .ip = ip("192.0.2.79") } };
	struct fw_macvtap_change c = { .ifname = "mv1", .network = "lan", .add = arp, .n_add = 1,
				       .learning = true };
	char *s = NULL;

	(void)state;
	add_port("mv1", mac2, true);
	memcpy(c.mac, mac2, 6);
	assert_int_equal(fw_macvtap_render_addrs(&c, &s), 0);
	apply(s);

	struct fw_macvtap_listing *l = list();
	const struct fw_macvtap_state *b = fw_macvtap_listing_find(l, "mv1");
	assert_non_null(b);
	assert_true(b->ip_binding && b->learning);
	assert_int_equal(b->n_addrs, 1);
	assert_false(b->addrs[0].dhcp);
	fw_macvtap_listing_free(l);
}

static void test_remove(void **state)
{
	struct fw_macvtap_addr held[] = { { .ip = ip("192.0.2.100"), .dhcp = true } };
	struct fw_macvtap_addr held1[] = { { .ip = ip("192.0.2.79") } };
	char *s = NULL;

	(void)state;
	assert_int_equal(fw_macvtap_render_remove("mv0", mac1, held, 1, &s), 0);
	apply(s);
	/* a port that was never there: the removal still succeeds */
	assert_int_equal(fw_macvtap_render_remove("mv9", mac1, held, 1, &s), 0);
	apply(s);

	struct fw_macvtap_listing *l = list();
	assert_int_equal(l->n_ports, 1);
	assert_null(fw_macvtap_listing_find(l, "mv0"));
	fw_macvtap_listing_free(l);
	_cleanup_free_ char *text = fw_test_nft_list("list table netdev kvmnet");
	assert_non_null(text);
	assert_null(strstr(text, "mv0"));
	assert_null(strstr(text, "mv9"));

	assert_int_equal(fw_macvtap_render_remove("mv1", mac2, held1, 1, &s), 0);
	apply(s);
	assert_int_equal(fw_macvtap_render_network_remove("lan", &s), 0);
	apply(s);
	_cleanup_free_ char *empty = fw_test_nft_list("list table netdev kvmnet");
	assert_non_null(empty);
	assert_null(strstr(empty, "mv1"));
	assert_null(strstr(empty, "t_lan"));
	assert_null(strstr(empty, "192.0.2"));
	assert_int_equal(fw_macvtap_render_reset(&s), 0);
	apply(s);
	assert_int_equal(fw_table_lookup(5 /* NFPROTO_NETDEV */, FW_MACVTAP_TABLE_NAME), 0);
	test_absent(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_ports_and_addrs),
		cmocka_unit_test(test_learning_read_back),
		cmocka_unit_test(test_remove),
	};
	int r;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "skipping: needs root and unshare(CLONE_NEWNET)\n");
		return 77;
	}
	if (system("ip link add mv0 type veth peer name mv0p && ip link add mv1 type veth peer "
		   "name mv1p") != 0) {
		fprintf(stderr, "skipping: no veth (iproute2 missing?)\n");
		return 77;
	}
	if (fw_ctx_new(&ctx) < 0)
		return 77;
	if (fw_apply(ctx, "add table netdev knprobe\nadd chain netdev knprobe c { type filter "
		     "hook egress device \"mv0\" priority 0; }\ndelete table netdev knprobe\n",
		     NULL) < 0) {
		fprintf(stderr, "skipping: no netdev egress hook\n");
		ctx = fw_ctx_free(ctx);
		return 77;
	}
	r = cmocka_run_group_tests(tests, NULL, NULL);
	ctx = fw_ctx_free(ctx);
	return r;
}
