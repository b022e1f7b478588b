/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel tests for fw-forward's scripts through fw-apply, in a private network namespace
 * (skipped with 77 unless root and unshare(CLONE_NEWNET) work): the start-up script loads beside
 * a network's chains and replaces what an earlier run left, element scripts add and remove one
 * forward without touching the others, adding the same element twice is a no-op, and a host port
 * already mapped elsewhere is refused with nothing changed. The tests run in order.
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

#include "config/conf-forward.h"
#include "config/conf-network.h"
#include "firewall/fw-apply.h"
#include "firewall/fw-forward.h"
#include "firewall/fw-model.h"
#include "firewall/fw-render.h"
#include "shared/alloc-util.h"

static struct fw_ctx *ctx;

static struct network_forward forward(const char *name, const char *proto, const char *ports,
				      const char *to, const char *addr)
{
	struct network_config c;
	struct network_forward f;
	char err[256] = "";

	network_config_init(&c);
	assert_int_equal(network_config_set(&c, "name", "lab", err, sizeof(err)), 0);
	assert_int_equal(network_config_set(&c, "subnet", "10.0.0.0/24", err, sizeof(err)), 0);
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	network_forward_init(&f);
	snprintf(f.name, sizeof(f.name), "%s", name);
	assert_int_equal(network_forward_set(&f, "proto", proto, err, sizeof(err)), 0);
	assert_int_equal(network_forward_set(&f, "host-port", ports, err, sizeof(err)), 0);
	assert_int_equal(network_forward_set(&f, "to", to, err, sizeof(err)), 0);
	if (addr)
		assert_int_equal(network_forward_set(&f, "host-address", addr, err, sizeof(err)), 0);
	assert_int_equal(network_forward_finish(&f, &c, err, sizeof(err)), 0);
	return f;
}

static void apply_elements(const struct network_forward *f, bool delete, int expect)
{
	_cleanup_free_ char *s = NULL, *err = NULL;

	assert_int_equal(fw_forward_render_elements(f, delete, &s), 0);
	assert_int_equal(fw_apply(ctx, s, &err), expect);
}

static char *list_maps(void)
{
	char *any = fw_test_nft_list("list map inet kvmnet fwd_any");
	char *addr = fw_test_nft_list("list map inet kvmnet fwd_addr");
	char *both;

	assert_non_null(any);
	assert_non_null(addr);
	assert_true(asprintf(&both, "%s%s", any, addr) > 0);
	free(any);
	free(addr);
	return both;
}

static void test_sync(void **state)
{
	struct network_forwards fs = { 0 };
	struct network_forward f = forward("old", "tcp", "7000", "10.0.0.9:70", NULL);
	struct fw_forward_network sets[1] = { { .forwards = &fs } };
	struct fw_network n = { .mode = NETWORK_MODE_NAT };
	_cleanup_free_ char *base = NULL, *net = NULL, *s1 = NULL, *s2 = NULL, *maps = NULL, *pre = NULL;
	char err[256];

	(void)state;
	/* The base and a network's elements first, as at start-up, then the forwards beside them. */
	snprintf(n.name, sizeof(n.name), "lab");
	snprintf(n.bridge, sizeof(n.bridge), "kn-lab");
	assert_int_equal(inet_pton(AF_INET, "10.0.0.0", &n.subnet.addr), 1);
	n.subnet.prefixlen = 24;
	assert_int_equal(fw_render_base(false, FW_PREFIX_BIT(24), &base), 0);
	fw_test_apply_ok(ctx, base);
	assert_int_equal(fw_render_network(&n, NULL, NULL, &net), 0);
	fw_test_apply_ok(ctx, net);

	assert_int_equal(network_forwards_add(&fs, &f, err, sizeof(err)), 0);
	assert_int_equal(fw_forward_render_sync(sets, 1, &s1), 0);
	fw_test_apply_ok(ctx, s1);
	network_forwards_done(&fs);

	/* A second run's sync replaces the first one's elements and rules. */
	f = forward("web", "tcp", "8080", "10.0.0.10:80", NULL);
	assert_int_equal(network_forwards_add(&fs, &f, err, sizeof(err)), 0);
	assert_int_equal(fw_forward_render_sync(sets, 1, &s2), 0);
	fw_test_apply_ok(ctx, s2);
	maps = list_maps();
	assert_null(strstr(maps, "7000"));
	assert_non_null(strstr(maps, "tcp . 8080 : 10.0.0.10 . 80"));
	pre = fw_test_nft_list("list chain inet kvmnet fwd_pre");
	assert_non_null(pre);
	assert_int_equal(fw_test_count(pre, "dnat ip to"), 2);
	free(maps);
	maps = fw_test_nft_list("list chain inet kvmnet postrouting");
	assert_non_null(maps);
	assert_non_null(strstr(maps, "ct status dnat oifname . ip saddr & 255.255.255.0 @subnets_24 "
				     "masquerade"));
	free(maps);
	maps = fw_test_nft_list("list set inet kvmnet subnets_24");
	assert_non_null(strstr(maps, "\"kn-lab\" . 10.0.0.0"));
	network_forwards_done(&fs);
}

static void test_add_remove(void **state)
{
	struct network_forward range = forward("r", "udp", "5000-5009", "10.0.0.11:6000", NULL);
	struct network_forward one = forward("a", "tcp", "443", "10.0.0.12:8443", "192.0.2.1");
	struct network_forward clash = forward("c", "tcp", "8080", "10.0.0.13:80", NULL);
	_cleanup_free_ char *m1 = NULL, *m2 = NULL, *m3 = NULL;

	(void)state;
	apply_elements(&range, false, 0);
	apply_elements(&one, false, 0);
	apply_elements(&one, false, 0); /* the same element again: a no-op */
	m1 = list_maps();
	assert_int_equal(fw_test_count(m1, " : 10.0.0.11 . "), 10);
	assert_non_null(strstr(m1, "192.0.2.1 . tcp . 443 : 10.0.0.12 . 8443"));

	/* tcp 8080 already goes to 10.0.0.10: refused, nothing changed. */
	apply_elements(&clash, false, -EINVAL);
	m2 = list_maps();
	assert_string_equal(m1, m2);

	apply_elements(&range, true, 0);
	apply_elements(&range, true, 0); /* removing what is not there succeeds */
	m3 = list_maps();
	assert_int_equal(fw_test_count(m3, "10.0.0.11"), 0);
	assert_non_null(strstr(m3, "tcp . 8080 : 10.0.0.10 . 80"));
	assert_non_null(strstr(m3, "192.0.2.1 . tcp . 443"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sync),
		cmocka_unit_test(test_add_remove),
	};
	int r;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "skipping: needs root and unshare(CLONE_NEWNET)\n");
		return 77;
	}
	if (fw_ctx_new(&ctx) < 0)
		return 77;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	ctx = fw_ctx_free(ctx);
	return r;
}
