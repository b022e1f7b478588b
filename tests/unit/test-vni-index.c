/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the daemon's VNI index (daemon/overlay/vni-index.c): the "vni N is used by
 * network X" refusal from one hash lookup, a network's own VNI when it is redefined, VNIs
 * changed by a redefinition, removals that leave other networks' entries alone.
 */
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
#include "daemon/overlay/vni-index.h"

static void net(struct network_config *c, const char *name, enum network_overlay_kind kind,
		uint32_t vni)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->overlay.kind = kind;
	c->overlay.vni = kind == NETWORK_OVERLAY_NONE ? 0 : vni;
}

static void test_refuses_a_vni_in_use(void **state)
{
	struct vni_index ix = { 0 };
	struct network_config web, db, plain, c;
	char err[256] = "";

	(void)state;
	net(&web, "web", NETWORK_OVERLAY_VXLAN, 4242);
	net(&db, "db", NETWORK_OVERLAY_EVPN, 16777215);
	net(&plain, "plain", NETWORK_OVERLAY_NONE, 0);
	assert_int_equal(vni_index_add(&ix, &web), 0);
	assert_int_equal(vni_index_add(&ix, &db), 0);
	assert_int_equal(vni_index_add(&ix, &plain), 0);
	assert_ptr_equal(vni_index_find(&ix, 4242), &web);
	assert_ptr_equal(vni_index_find(&ix, 16777215), &db);
	assert_null(vni_index_find(&ix, 1));
	assert_null(vni_index_find(&ix, 0));
	assert_null(vni_index_find(&ix, 16777216));

	/* the same VNI, whatever the kind: refused, naming the network that has it */
	net(&c, "new", NETWORK_OVERLAY_EVPN, 4242);
	assert_int_equal(vni_index_check(&ix, &c, NULL, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "vni 4242 is used by network 'web'");
	net(&c, "new", NETWORK_OVERLAY_VXLAN, 16777215);
	assert_int_equal(vni_index_check(&ix, &c, NULL, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "vni 16777215 is used by network 'db'");
	/* web redefined with its own VNI: no conflict with itself; another VNI is free */
	net(&c, "web", NETWORK_OVERLAY_VXLAN, 4242);
	assert_int_equal(vni_index_check(&ix, &c, "web", err, sizeof(err)), 0);
	assert_int_equal(vni_index_check(&ix, &c, "db", err, sizeof(err)), -EEXIST);
	net(&c, "new", NETWORK_OVERLAY_VXLAN, 4243);
	assert_int_equal(vni_index_check(&ix, &c, NULL, err, sizeof(err)), 0);
	/* no overlay: nothing to check */
	net(&c, "new", NETWORK_OVERLAY_NONE, 0);
	assert_int_equal(vni_index_check(&ix, &c, NULL, err, sizeof(err)), 0);
	vni_index_done(&ix);
	assert_null(vni_index_find(&ix, 4242));
}

static void test_redefinition_and_removal(void **state)
{
	struct vni_index ix = { 0 };
	struct network_config web, other, c;
	char err[256] = "";

	(void)state;
	net(&web, "web", NETWORK_OVERLAY_VXLAN, 100);
	assert_int_equal(vni_index_add(&ix, &web), 0);
	/* redefined in place with VNI 200: 100 is free, 200 taken */
	web.overlay.vni = 200;
	assert_int_equal(vni_index_moved(&ix, &web, 100), 0);
	assert_null(vni_index_find(&ix, 100));
	assert_ptr_equal(vni_index_find(&ix, 200), &web);
	net(&c, "new", NETWORK_OVERLAY_VXLAN, 100);
	assert_int_equal(vni_index_check(&ix, &c, NULL, err, sizeof(err)), 0);
	/* the overlay dropped: nothing left; added back */
	web.overlay.kind = NETWORK_OVERLAY_NONE;
	web.overlay.vni = 0;
	assert_int_equal(vni_index_moved(&ix, &web, 200), 0);
	assert_null(vni_index_find(&ix, 200));
	web.overlay.kind = NETWORK_OVERLAY_VXLAN;
	web.overlay.vni = 300;
	assert_int_equal(vni_index_moved(&ix, &web, 0), 0);
	assert_ptr_equal(vni_index_find(&ix, 300), &web);
	/* removing a definition that does not own the entry leaves the owner's */
	net(&other, "other", NETWORK_OVERLAY_VXLAN, 300);
	vni_index_remove(&ix, &other);
	assert_ptr_equal(vni_index_find(&ix, 300), &web);
	vni_index_remove(&ix, &web);
	assert_null(vni_index_find(&ix, 300));
	vni_index_done(&ix);
}

/* Hand-edited definitions sharing a VNI: both indexed, neither forgotten when the other goes. */
static void test_duplicates(void **state)
{
	struct vni_index ix = { 0 };
	struct network_config a, b, c;
	char err[256] = "";

	(void)state;
	net(&a, "a", NETWORK_OVERLAY_VXLAN, 4242);
	net(&b, "b", NETWORK_OVERLAY_VXLAN, 4242);
	assert_int_equal(vni_index_add(&ix, &a), 0);
	assert_int_equal(vni_index_add(&ix, &b), 0);
	assert_ptr_equal(vni_index_find(&ix, 4242), &a);
	/* each is refused because of the other (net start of the one start-up left stopped) */
	assert_int_equal(vni_index_check(&ix, &b, "b", err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "vni 4242 is used by network 'a'");
	assert_int_equal(vni_index_check(&ix, &a, "a", err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "vni 4242 is used by network 'b'");
	/* the first goes: the second still holds the VNI */
	vni_index_remove(&ix, &a);
	assert_ptr_equal(vni_index_find(&ix, 4242), &b);
	assert_int_equal(vni_index_check(&ix, &b, "b", err, sizeof(err)), 0);
	net(&c, "c", NETWORK_OVERLAY_EVPN, 4242);
	assert_int_equal(vni_index_check(&ix, &c, NULL, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "vni 4242 is used by network 'b'");
	vni_index_remove(&ix, &b);
	assert_null(vni_index_find(&ix, 4242));
	assert_int_equal(vni_index_check(&ix, &c, NULL, err, sizeof(err)), 0);
	vni_index_done(&ix);
}

/* Many networks: every VNI found, each refusal names its own network, removals exact. */
static void test_many_networks(void **state)
{
	enum { N = 5000 };
	struct network_config *nets = calloc(N, sizeof(*nets));
	struct vni_index ix = { 0 };
	struct network_config c;
	char name[32], err[256], want[256];

	(void)state;
	assert_non_null(nets);
	for (unsigned i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		net(&nets[i], name, i % 2 ? NETWORK_OVERLAY_VXLAN : NETWORK_OVERLAY_EVPN,
		    1 + i * 3331u % 16777215u);
		assert_int_equal(vni_index_add(&ix, &nets[i]), 0);
	}
	for (unsigned i = 0; i < N; i++) {
		net(&c, "new", NETWORK_OVERLAY_VXLAN, nets[i].overlay.vni);
		assert_int_equal(vni_index_check(&ix, &c, NULL, err, sizeof(err)), -EEXIST);
		snprintf(want, sizeof(want), "vni %u is used by network 'n%u'",
			 (unsigned)nets[i].overlay.vni, i);
		assert_string_equal(err, want);
	}
	for (unsigned i = 0; i < N; i += 2)
		vni_index_remove(&ix, &nets[i]);
	for (unsigned i = 0; i < N; i++)
		assert_ptr_equal(vni_index_find(&ix, nets[i].overlay.vni), i % 2 ? &nets[i] : NULL);
	vni_index_done(&ix);
	free(nets);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refuses_a_vni_in_use),
		cmocka_unit_test(test_redefinition_and_removal),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_many_networks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
