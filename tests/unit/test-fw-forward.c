/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for firewall/fw-forward: the start-up script (maps, base chains, every forward's
 * elements) against a golden file, the element scripts of single ports, ranges and host
 * addresses, and refusals of forwards that cannot be rendered.
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

#include "fw-test-util.h"

#include "config/conf-forward.h"
#include "config/conf-network.h"
#include "firewall/fw-forward.h"
#include "firewall/fw-render.h"
#include "shared/alloc-util.h"

/* A finished forward of network 10.0.0.0/24; 'addr' may be NULL. */
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

static void test_elements(void **state)
{
	struct network_forward f = forward("web", "tcp", "8080", "10.0.0.10:80", NULL);
	_cleanup_free_ char *add = NULL, *del = NULL, *range = NULL, *addr = NULL;

	(void)state;
	assert_int_equal(fw_forward_render_elements(&f, false, &add), 0);
	assert_string_equal(add, "add element inet kvmnet fwd_any { tcp . 8080 : 10.0.0.10 . 80 }\n");
	assert_int_equal(fw_forward_render_elements(&f, true, &del), 0);
	assert_string_equal(del, "add element inet kvmnet fwd_any { tcp . 8080 : 10.0.0.10 . 80 }\n"
			    "delete element inet kvmnet fwd_any { tcp . 8080 }\n");

	f = forward("r", "udp", "5000-5002", "10.0.0.11:6000", NULL);
	assert_int_equal(fw_forward_render_elements(&f, false, &range), 0);
	assert_string_equal(range, "add element inet kvmnet fwd_any { udp . 5000 : 10.0.0.11 . 6000, "
			    "udp . 5001 : 10.0.0.11 . 6001, udp . 5002 : 10.0.0.11 . 6002 }\n");

	f = forward("a", "tcp", "443-444", "10.0.0.12:8443-8444", "192.0.2.1");
	assert_int_equal(fw_forward_render_elements(&f, true, &addr), 0);
	assert_non_null(strstr(addr, "delete element inet kvmnet fwd_addr { 192.0.2.1 . tcp . 443, "
				     "192.0.2.1 . tcp . 444 }\n"));
}

static void test_refused(void **state)
{
	struct network_forward f = forward("web", "tcp", "8080", "10.0.0.10:80", NULL), bad;
	char *s = NULL;

	(void)state;
	bad = f;
	bad.proto = _FORWARD_PROTO_MAX;
	assert_int_equal(fw_forward_render_elements(&bad, false, &s), -EINVAL);
	bad = f;
	bad.to_port_last = 81;
	assert_int_equal(fw_forward_render_elements(&bad, false, &s), -EINVAL);
	bad = f;
	bad.host_port_first = 0;
	assert_int_equal(fw_forward_render_elements(&bad, false, &s), -EINVAL);
	bad = f;
	bad.host_port_last = bad.host_port_first + FORWARD_RANGE_MAX;
	bad.to_port_last = bad.to_port_first + FORWARD_RANGE_MAX;
	assert_int_equal(fw_forward_render_elements(&bad, false, &s), -EINVAL);
	assert_null(s);
}

static void test_sync_golden(void **state)
{
	struct network_forwards a = { 0 }, b = { 0 };
	struct network_forward f;
	struct fw_forward_network sets[2] = { { .forwards = &a }, { .forwards = &b } };
	_cleanup_free_ char *s = NULL, *empty = NULL;
	char err[256];

	(void)state;
	f = forward("web", "tcp", "8080", "10.0.0.10:80", NULL);
	assert_int_equal(network_forwards_add(&a, &f, err, sizeof(err)), 0);
	f = forward("dns", "udp", "5353", "10.0.0.10:53", "192.0.2.1");
	assert_int_equal(network_forwards_add(&a, &f, err, sizeof(err)), 0);
	f = forward("range", "tcp", "9000-9001", "10.0.0.20:9100", NULL);
	assert_int_equal(network_forwards_add(&b, &f, err, sizeof(err)), 0);
	assert_int_equal(fw_forward_render_sync(sets, 2, &s), 0);
	fw_test_check_golden("fw-forward-sync.nft", s);

	/* No forwards: the base objects and the flushes only. */
	assert_int_equal(fw_forward_render_sync(NULL, 0, &empty), 0);
	assert_int_equal(fw_test_count(empty, "add element"), 0);
	assert_int_equal(fw_test_count(empty, "flush map"), 2);
	assert_int_equal(fw_test_count(empty, "flush set"), 0);
	/* The hairpin masquerade is fw-render's (its subnet sets): no chain of its own here. */
	assert_null(strstr(empty, "masquerade"));
	assert_null(strstr(empty, "postrouting"));
	assert_true(strncmp(empty, fw_render_declarations, strlen(fw_render_declarations)) == 0);
	network_forwards_done(&a);
	network_forwards_done(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elements),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_sync_golden),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
