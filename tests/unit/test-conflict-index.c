/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the daemon's conflict index (daemon/conflict-index.c): the bridge-name, tenant-id
 * and subnet refusals of manager_check_conflicts() without a walk, word for word as the walk gave
 * them; the tenant rules on shared subnets; a network's own entries when it is redefined; and a
 * randomised comparison with the walk the index replaced.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/conf-network.h"
#include "config/conf-overlay.h"
#include "config/conf-tenant.h"
#include "shared/in6-addr-util.h"
#include "daemon/conflict-index.h"
#include "daemon/tenant/tenant.h"

/* 'gw_here' false: an overlay network whose gateway is on another host (gateway = remote). */
static void net(struct network_config *c, const char *name, const char *bridge,
		const char *subnet, const char *tenant, bool gw_here)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->bridge, sizeof(c->bridge), "%s", bridge);
	snprintf(c->tenant, sizeof(c->tenant), "%s", tenant ? tenant : "");
	if (subnet) {
		assert_int_equal(in_prefix_from_string(subnet, &c->subnet), 0);
		c->has_subnet = true;
	}
	if (!gw_here) {
		c->overlay.kind = NETWORK_OVERLAY_VXLAN;
		c->overlay.vni = 7;
		c->overlay.gateway = NETWORK_OVERLAY_GATEWAY_REMOTE;
	}
}

static int check(const struct conflict_index *ix, const struct network_config *c,
		 const struct network_config *self, char *err)
{
	err[0] = '\0';
	return conflict_index_check(ix, c, self, err, 256);
}

static void test_bridge_names(void **state)
{
	struct conflict_index ix = { 0 };
	struct network_config web, mv, c;
	char err[256];

	(void)state;
	net(&web, "web", "kn-web", "10.1.0.0/24", NULL, true);
	net(&mv, "mv", "", NULL, NULL, true);     /* macvtap: no bridge, no subnet */
	assert_int_equal(conflict_index_add(&ix, &web), 0);
	assert_int_equal(conflict_index_add(&ix, &mv), 0);

	net(&c, "new", "kn-web", "10.2.0.0/24", NULL, true);
	assert_int_equal(check(&ix, &c, NULL, err), -EEXIST);
	assert_string_equal(err, "bridge 'kn-web' is used by network 'web'");
	/* web itself, redefined: its own bridge and subnet are no conflict */
	net(&c, "web", "kn-web", "10.1.0.0/24", NULL, true);
	assert_int_equal(check(&ix, &c, &web, err), 0);
	net(&c, "new", "kn-web2", "10.2.0.0/24", NULL, true);
	assert_int_equal(check(&ix, &c, NULL, err), 0);
	/* a definition without a bridge is never checked nor a conflict */
	net(&c, "mv2", "", NULL, NULL, true);
	assert_int_equal(check(&ix, &c, NULL, err), 0);

	conflict_index_remove(&ix, &web);
	net(&c, "new", "kn-web", "10.1.0.0/24", NULL, true);
	assert_int_equal(check(&ix, &c, NULL, err), 0);
	conflict_index_remove(&ix, &mv);
	assert_int_equal(ix.n, 0);
	conflict_index_done(&ix);
}

static void test_subnet_overlaps(void **state)
{
	struct conflict_index ix = { 0 };
	struct network_config wide, narrow, host, c;
	char err[256];

	(void)state;
	net(&wide, "wide", "br-wide", "10.0.0.0/16", NULL, true);
	net(&narrow, "narrow", "br-narrow", "172.16.5.128/25", NULL, true);
	net(&host, "host", "br-host", "192.168.7.9/32", NULL, true);
	assert_int_equal(conflict_index_add(&ix, &wide), 0);
	assert_int_equal(conflict_index_add(&ix, &narrow), 0);
	assert_int_equal(conflict_index_add(&ix, &host), 0);

	/* inside an existing subnet (found among the covering prefixes) */
	net(&c, "new", "br-new", "10.0.200.0/24", NULL, true);
	assert_int_equal(check(&ix, &c, NULL, err), -EBUSY);
	assert_string_equal(err, "subnet 10.0.200.0/24 overlaps network 'wide' (10.0.0.0/16)");
	/* the same subnet */
	net(&c, "new", "br-new", "10.0.0.0/16", NULL, true);
	assert_int_equal(check(&ix, &c, NULL, err), -EBUSY);
	assert_string_equal(err, "subnet 10.0.0.0/16 overlaps network 'wide' (10.0.0.0/16)");
	/* covering existing subnets (found under the candidate) */
	net(&c, "new", "br-new", "172.16.0.0/12", NULL, true);
	assert_int_equal(check(&ix, &c, NULL, err), -EBUSY);
	assert_string_equal(err, "subnet 172.16.0.0/12 overlaps network 'narrow' (172.16.5.128/25)");
	net(&c, "new", "br-new", "192.168.7.8/30", NULL, true);
	assert_int_equal(check(&ix, &c, NULL, err), -EBUSY);
	assert_string_equal(err, "subnet 192.168.7.8/30 overlaps network 'host' (192.168.7.9/32)");
	net(&c, "new", "br-new", "0.0.0.0/0", NULL, true);
	assert_int_equal(check(&ix, &c, NULL, err), -EBUSY);
	/* next to them: free */
	net(&c, "new", "br-new", "172.16.5.0/25", NULL, true);
	assert_int_equal(check(&ix, &c, NULL, err), 0);
	net(&c, "new", "br-new", "10.1.0.0/16", NULL, true);
	assert_int_equal(check(&ix, &c, NULL, err), 0);
	net(&c, "new", "br-new", "192.168.7.8/32", NULL, true);
	assert_int_equal(check(&ix, &c, NULL, err), 0);
	/* no subnet (mode bridge): nothing to overlap */
	net(&c, "new", "br-new", NULL, NULL, true);
	assert_int_equal(check(&ix, &c, NULL, err), 0);

	/* wide redefined narrower: its old subnet is its own; another network's is not */
	net(&c, "wide", "br-wide", "10.0.3.0/24", NULL, true);
	assert_int_equal(check(&ix, &c, &wide, err), 0);
	snprintf(c.bridge, sizeof(c.bridge), "br-other");
	assert_int_equal(check(&ix, &c, &narrow, err), -EBUSY);
	assert_string_equal(err, "subnet 10.0.3.0/24 overlaps network 'wide' (10.0.0.0/16)");
	snprintf(c.bridge, sizeof(c.bridge), "br-wide");
	{
		struct network_config old = wide;

		wide = c;
		assert_int_equal(conflict_index_moved(&ix, &wide, &old), 0);
	}
	net(&c, "new", "br-new", "10.0.200.0/24", NULL, true);
	assert_int_equal(check(&ix, &c, NULL, err), 0);
	net(&c, "new", "br-new", "10.0.0.0/16", NULL, true);
	assert_int_equal(check(&ix, &c, NULL, err), -EBUSY);
	assert_string_equal(err, "subnet 10.0.0.0/16 overlaps network 'wide' (10.0.3.0/24)");
	/* a wider own subnet: only the others count, under and over it */
	net(&c, "wide", "br-wide", "10.0.0.0/8", NULL, true);
	assert_int_equal(check(&ix, &c, &wide, err), 0);
	net(&c, "wide", "br-wide", "0.0.0.0/0", NULL, true);
	assert_int_equal(check(&ix, &c, &wide, err), -EBUSY);
	conflict_index_done(&ix);
}

static void test_tenant_rules(void **state)
{
	struct conflict_index ix = { 0 };
	struct network_config l2[64], red, c;
	char names[64][3][32];
	char err[256];

	(void)state;
	/* 64 tenants' layer-2 extensions of one subnet, their gateways elsewhere: allowed */
	for (int i = 0; i < 64; i++) {
		snprintf(names[i][0], 32, "l2-%d", i);
		snprintf(names[i][1], 32, "br-l2-%d", i);
		snprintf(names[i][2], 32, "tenant-%d", i);
		net(&l2[i], names[i][0], names[i][1], "10.9.0.0/24", names[i][2], false);
		assert_int_equal(check(&ix, &l2[i], NULL, err), 0);
		assert_int_equal(conflict_index_add(&ix, &l2[i]), 0);
	}
	/* one tenant may have its gateway here */
	net(&red, "red", "br-red", "10.9.0.0/24", "red", true);
	assert_int_equal(check(&ix, &red, NULL, err), 0);
	assert_int_equal(conflict_index_add(&ix, &red), 0);
	/* a second one may not: both would route 10.9.0.0/24 here */
	net(&c, "blue", "br-blue", "10.9.0.128/25", "blue", true);
	assert_int_equal(check(&ix, &c, NULL, err), -EBUSY);
	assert_string_equal(err, "subnet 10.9.0.128/25 overlaps network 'red' (10.9.0.0/24) of tenant "
				 "'red': two tenants share a subnet on one host only where all but "
				 "one have their gateway on another host (gateway = remote); kvmnet "
				 "makes no VRFs");
	/* another tenant's extension is allowed still */
	net(&c, "blue", "br-blue", "10.9.0.0/16", "blue", false);
	assert_int_equal(check(&ix, &c, NULL, err), 0);
	/* the same tenant never overlaps itself, gateway or not */
	net(&c, "l2-5b", "br-l2-5b", "10.9.0.64/26", "tenant-5", false);
	assert_int_equal(check(&ix, &c, NULL, err), -EBUSY);
	assert_string_equal(err, "subnet 10.9.0.64/26 overlaps network 'l2-5' (10.9.0.0/24)");
	/* a network of no tenant overlaps everyone */
	net(&c, "plain", "br-plain", "10.9.0.0/23", NULL, true);
	assert_int_equal(check(&ix, &c, NULL, err), -EBUSY);
	assert_non_null(strstr(err, "subnet 10.9.0.0/23 overlaps network '"));
	/* and a tenant's network overlaps a network of no tenant */
	conflict_index_remove(&ix, &red);
	net(&red, "red", "br-red", "10.9.0.0/24", NULL, true);
	assert_int_equal(conflict_index_add(&ix, &red), 0);
	net(&c, "blue", "br-blue", "10.9.0.0/16", "blue", false);
	assert_int_equal(check(&ix, &c, NULL, err), -EBUSY);
	assert_string_equal(err, "subnet 10.9.0.0/16 overlaps network 'red' (10.9.0.0/24)");
	conflict_index_done(&ix);
}

static void test_tenant_ids(void **state)
{
	struct conflict_index ix = { 0 };
	struct network_config a, a2, c;
	char err[256];

	(void)state;
	/* two names of one id (test-conf-tenant) */
	net(&a, "a", "br-a", "10.1.0.0/24", "t16efa", true);
	net(&a2, "a2", "br-a2", NULL, "t16efa", true);
	assert_int_equal(conflict_index_add(&ix, &a), 0);
	assert_int_equal(conflict_index_add(&ix, &a2), 0);
	net(&c, "b", "br-b", "10.2.0.0/24", "t88dc0", true);
	assert_int_equal(check(&ix, &c, NULL, err), -EEXIST);
	assert_true(strcmp(err, "tenant 't88dc0' has the same id as tenant 't16efa' of network 'a' "
			   "(a 32-bit hash of the name): choose another name") == 0 ||
		    strcmp(err, "tenant 't88dc0' has the same id as tenant 't16efa' of network "
			   "'a2' (a 32-bit hash of the name): choose another name") == 0);
	/* the same tenant: fine */
	net(&c, "b", "br-b", "10.2.0.0/24", "t16efa", true);
	assert_int_equal(check(&ix, &c, NULL, err), 0);
	/* a renamed tenant of the only network that has it: its old name is its own */
	conflict_index_remove(&ix, &a2);
	net(&c, "a", "br-a", "10.1.0.0/24", "t88dc0", true);
	assert_int_equal(check(&ix, &c, &a, err), 0);
	assert_int_equal(check(&ix, &c, NULL, err), -EEXIST);
	conflict_index_done(&ix);
}

static int in6_prefix_from_string(const char *s, struct in6_prefix *ret)
{
	return in6_addr_prefix_from_string(s, &ret->addr, &ret->prefixlen);
}

static void test_subnet6(void **state)
{
	struct conflict_index ix = { 0 };
	struct network_config a, b, mv;
	struct in6_prefix p;

	(void)state;
	net(&a, "a", "br-a", "10.1.0.0/24", NULL, true);
	assert_int_equal(in6_prefix_from_string("fd00:1:2:3::/64", &a.subnet6), 0);
	a.has_subnet6 = true;
	net(&b, "b", "br-b", "10.2.0.0/24", NULL, true);
	net(&mv, "mv", "", NULL, NULL, true);
	assert_int_equal(conflict_index_add(&ix, &a), 0);
	assert_int_equal(conflict_index_add(&ix, &b), 0);
	assert_int_equal(conflict_index_add(&ix, &mv), 0);
	assert_int_equal(in6_prefix_from_string("fd00:1:2:3::/64", &p), 0);
	assert_ptr_equal(conflict_index_find_subnet6(&ix, &p, NULL), &a);
	assert_ptr_equal(conflict_index_find_subnet6(&ix, &p, &b), &a);
	/* its own prefix is no conflict for 'a' */
	assert_null(conflict_index_find_subnet6(&ix, &p, &a));
	/* a /64 that differs in either half, or in the host half only (the same /64) */
	assert_int_equal(in6_prefix_from_string("fd00:1:2:4::/64", &p), 0);
	assert_null(conflict_index_find_subnet6(&ix, &p, NULL));
	assert_int_equal(in6_prefix_from_string("fd01:1:2:3::/64", &p), 0);
	assert_null(conflict_index_find_subnet6(&ix, &p, NULL));
	/* moved to another prefix by a redefinition */
	{
		struct network_config old = a;

		assert_int_equal(in6_prefix_from_string("fd01:1:2:3::/64", &a.subnet6), 0);
		assert_int_equal(conflict_index_moved(&ix, &a, &old), 0);
	}
	assert_ptr_equal(conflict_index_find_subnet6(&ix, &p, NULL), &a);
	assert_int_equal(in6_prefix_from_string("fd00:1:2:3::/64", &p), 0);
	assert_null(conflict_index_find_subnet6(&ix, &p, NULL));
	conflict_index_remove(&ix, &a);
	assert_int_equal(in6_prefix_from_string("fd01:1:2:3::/64", &p), 0);
	assert_null(conflict_index_find_subnet6(&ix, &p, NULL));
	conflict_index_done(&ix);
}

/* The walk the index replaced: 0, -EEXIST or -EBUSY, and whether 'o' is one it would name. */
static int walk_conflict(const struct network_config *c, const struct network_config *o)
{
	char why[192], err[256];

	if (!c->bridge[0] || !o->bridge[0])
		return 0;
	if (strcmp(o->bridge, c->bridge) == 0)
		return -EEXIST;
	if (tenant_check_conflict(c, o, err, sizeof(err)) < 0)
		return -EEXIST;
	if (o->has_subnet && c->has_subnet && in_prefix_overlaps(&o->subnet, &c->subnet) &&
	    !tenant_subnets_may_overlap(c, o, why, sizeof(why)))
		return -EBUSY;
	return 0;
}

#define RANDOM_NETS 48

static uint32_t rnd(uint64_t *s)
{
	*s = *s * UINT64_C(6364136223846793005) + 1442695040888963407u;
	return (uint32_t)(*s >> 33);
}

static void random_net(uint64_t *s, struct network_config *c, int i)
{
	static const char *const tenants[] = { NULL, NULL, "red", "blue", "t16efa", "t88dc0" };
	char name[16], bridge[16], subnet[32];
	unsigned len = 20 + rnd(s) % 13;
	uint32_t addr = (UINT32_C(10) << 24) | ((rnd(s) % 16) << 8) | (rnd(s) % 256);

	snprintf(name, sizeof(name), "n%d", i);
	snprintf(bridge, sizeof(bridge), "br%u", rnd(s) % 64);
	if (rnd(s) % 8 == 0)
		len = 8 + rnd(s) % 12;
	addr &= len ? UINT32_MAX << (32 - len) : 0;
	snprintf(subnet, sizeof(subnet), "%u.%u.%u.%u/%u", addr >> 24, (addr >> 16) & 255,
		 (addr >> 8) & 255, addr & 255, len);
	net(c, name, rnd(s) % 16 == 0 ? "" : bridge, rnd(s) % 10 == 0 ? NULL : subnet,
	    tenants[rnd(s) % 6], rnd(s) % 2);
}

static void test_same_as_the_walk(void **state)
{
	static struct network_config nets[RANDOM_NETS];
	struct conflict_index ix = { 0 };
	bool in[RANDOM_NETS] = { false };
	uint64_t seed = 14;
	unsigned refused = 0, allowed = 0;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		int i = (int)(rnd(&seed) % RANDOM_NETS), self = -1;
		struct network_config c;
		char err[256];
		int r, want = 0;

		if (rnd(&seed) % 2) {
			/* add or remove a random network, keeping the index as the walk's list */
			if (in[i])
				conflict_index_remove(&ix, &nets[i]);
			else {
				random_net(&seed, &nets[i], i);
				assert_int_equal(conflict_index_add(&ix, &nets[i]), 0);
			}
			in[i] = !in[i];
			continue;
		}
		random_net(&seed, &c, i);
		if (in[i])
			self = i;
		/* the index checks bridges and tenant ids (-EEXIST) before subnets (-EBUSY) */
		for (int j = 0; j < RANDOM_NETS; j++) {
			int w = in[j] && j != self ? walk_conflict(&c, &nets[j]) : 0;

			if (w && (!want || (w == -EEXIST && want == -EBUSY)))
				want = w;
		}
		r = check(&ix, &c, self >= 0 ? &nets[self] : NULL, err);
		assert_int_equal(r, want);
		if (r < 0) {
			/* the network named is one the walk refuses 'c' for, the same way */
			const char *q = strstr(err, "network '");
			char named[64] = "";
			bool found = false;

			assert_non_null(q);
			assert_int_equal(sscanf(q, "network '%63[^']'", named), 1);
			for (int j = 0; j < RANDOM_NETS; j++)
				if (in[j] && j != self && strcmp(nets[j].name, named) == 0)
					found = walk_conflict(&c, &nets[j]) == r;
			assert_true(found);
			refused++;
		} else {
			allowed++;
		}
	}
	/* both outcomes were exercised */
	assert_true(refused > 1000);
	assert_true(allowed > 1000);
	conflict_index_done(&ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bridge_names),
		cmocka_unit_test(test_subnet_overlaps),
		cmocka_unit_test(test_tenant_rules),
		cmocka_unit_test(test_tenant_ids),
		cmocka_unit_test(test_subnet6),
		cmocka_unit_test(test_same_as_the_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
