/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the "tenant" key (config/conf-tenant.c): parsing, the modes that take one, the
 * id (the bridges' device group), the definition file's round trip; and the daemon's pairwise
 * checks (daemon/tenant/tenant.c): ids that collide, and when two tenants may share a subnet.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf-test-util.h"

#include "config/conf-network.h"
#include "daemon/tenant/tenant.h"
#include "shared/alloc-util.h"


static void expect_error(const char *mode, const char *const *kv, const char *msg)
{
	struct network_config c;
	char err[256] = "";

	assert_int_equal(conf_test_build(&c, "t", mode, err, sizeof(err), kv), -EINVAL);
	if (strcmp(err, msg) != 0)
		fail_msg("expected '%s', got '%s'", msg, err);
}

static void test_key(void **state)
{
	static const char *const modes[] = { "nat", "routed", "isolated", "open" };
	struct network_config c;
	char err[256] = "";

	(void)state;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(conf_test_build(&c, "t", modes[i], err, sizeof(err),
					 KV("tenant", "red")), 0);
		assert_string_equal(c.tenant, "red");
	}
	assert_int_equal(conf_test_build(&c, "t", "nat", err, sizeof(err), NULL), 0);
	assert_string_equal(c.tenant, "");
	/* set again: replaced */
	assert_int_equal(conf_test_build(&c, "t", "nat", err, sizeof(err),
			       KV("tenant", "red", "tenant", "blue-2")), 0);
	assert_string_equal(c.tenant, "blue-2");
	expect_error("nat", KV("tenant", "Red"),
		     "invalid tenant 'Red': must match [a-z0-9][a-z0-9_-]{0,31}");
	expect_error("nat", KV("tenant", ""),
		     "invalid tenant '': empty value");
	expect_error("nat", KV("tenant", "abcdefghijklmnopqrstuvwxyz0123456"),
		     "invalid tenant 'abcdefghijklmnopqrstuvwxyz0123456': must match "
		     "[a-z0-9][a-z0-9_-]{0,31}");
	expect_error("bridge", KV("tenant", "red"),
		     "mode bridge cannot belong to a tenant (nat, routed, isolated and open can: "
		     "their bridge is kvmnet's)");
	expect_error("macvtap", KV("tenant", "red"),
		     "mode macvtap cannot belong to a tenant (nat, routed, isolated and open can: "
		     "their bridge is kvmnet's)");
}

static void test_id(void **state)
{
	(void)state;
	assert_int_equal(network_tenant_id(""), 0);
	assert_int_equal(network_tenant_id(NULL), 0);
	/* 32-bit FNV-1a: the same on every host, never the default group 0 */
	assert_int_equal(network_tenant_id("red"), 1089765596u);
	assert_int_equal(network_tenant_id("blue"), 2197550541u);
	assert_true(network_tenant_id("a") != 0);
	/* two names of one id (found by search): the daemon refuses the second */
	assert_int_equal(network_tenant_id("t16efa"), network_tenant_id("t88dc0"));
}

static void test_round_trip(void **state)
{
	struct network_config c, back;
	_cleanup_free_ char *text = NULL;
	char err[256] = "";

	(void)state;
	assert_int_equal(conf_test_build(&c, "t", "routed", err, sizeof(err),
				 KV("tenant", "red")), 0);
	assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &text), 0);
	assert_non_null(strstr(text, "\ntenant = red\n"));
	assert_int_equal(network_config_parse(text, strlen(text), "t", &back, NULL, NULL, NULL, err,
					      sizeof(err)), 0);
	assert_true(network_config_equal(&c, &back));
	back.tenant[0] = '\0';
	assert_false(network_config_equal(&c, &back));
	free(text);
	text = NULL;
	assert_int_equal(conf_test_build(&c, "t", "routed", err, sizeof(err), NULL), 0);
	assert_int_equal(network_config_format(&c, NULL, NULL, NULL, &text), 0);
	assert_null(strstr(text, "tenant"));
}

static void test_conflicts(void **state)
{
	struct network_config a, b;
	char err[256] = "";

	(void)state;
	assert_int_equal(conf_test_build(&a, "a", "nat", err, sizeof(err),
				 KV("tenant", "t16efa")), 0);
	assert_int_equal(conf_test_build(&b, "b", "nat", err, sizeof(err),
				 KV("tenant", "t88dc0")), 0);
	assert_int_equal(tenant_check_conflict(&b, &a, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "tenant 't88dc0' has the same id as tenant 't16efa' of network "
				 "'a' (a 32-bit hash of the name): choose another name");
	assert_int_equal(conf_test_build(&b, "b", "nat", err, sizeof(err),
				 KV("tenant", "t16efa")), 0);
	assert_int_equal(tenant_check_conflict(&b, &a, err, sizeof(err)), 0);
	assert_int_equal(conf_test_build(&b, "b", "nat", err, sizeof(err), NULL), 0);
	assert_int_equal(tenant_check_conflict(&b, &a, err, sizeof(err)), 0);
}

static void test_shared_subnet(void **state)
{
	static const char *const l2[] = { "tenant", "blue", "overlay", "vxlan", "vni", "7",
					  "local", "192.0.2.1", "gateway", "remote", "dhcp",
					  "relay", "dns", "no", NULL };
	struct network_config red, blue, plain;
	char err[256] = "";

	(void)state;
	assert_int_equal(conf_test_build(&red, "r", "nat", err, sizeof(err),
				 KV("tenant", "red")), 0);
	assert_int_equal(conf_test_build(&blue, "b", "nat", err, sizeof(err),
				 KV("tenant", "blue")), 0);
	assert_int_equal(conf_test_build(&plain, "p", "nat", err, sizeof(err), NULL), 0);
	/* both with their gateway here: one routing table cannot hold both */
	assert_false(tenant_subnets_may_overlap(&blue, &red, err, sizeof(err)));
	assert_string_equal(err, " of tenant 'red': two tenants share a subnet on one host only "
				 "where all but one have their gateway on another host (gateway = "
				 "remote); kvmnet makes no VRFs");
	/* blue is layer 2 only here: no route of its own, no conflict, either way round */
	assert_int_equal(conf_test_build(&blue, "b", "nat", err, sizeof(err), l2), 0);
	assert_true(tenant_subnets_may_overlap(&blue, &red, err, sizeof(err)));
	assert_string_equal(err, "");
	assert_true(tenant_subnets_may_overlap(&red, &blue, err, sizeof(err)));
	assert_true(tenant_skips_route_check(&blue));
	assert_false(tenant_skips_route_check(&red));
	/* one tenant, or a network without one: the overlap is refused as ever, plainly */
	assert_false(tenant_subnets_may_overlap(&plain, &blue, err, sizeof(err)));
	assert_string_equal(err, "");
	assert_false(tenant_subnets_may_overlap(&red, &red, err, sizeof(err)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_shared_subnet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
