/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel tests for fw-lab (the loss of lab nics, table bridge kvmnet_lab) through fw-apply, in a
 * private network namespace (skipped with 77 unless root and unshare(CLONE_NEWNET) work): a
 * loss is installed, read back, changed in place and removed without touching another nic's;
 * loading twice is idempotent; bad input renders nothing; the reset leaves no table. The tests
 * run in order.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fw-test-util.h"

#include "firewall/fw-apply.h"
#include "firewall/fw-lab.h"
#include "shared/alloc-util.h"

static struct fw_ctx *ctx;

static void apply_loss(const char *ifname, uint32_t loss)
{
	_cleanup_free_ char *s = NULL;

	assert_int_equal(fw_lab_render_loss(ifname, loss, &s), 0);
	fw_test_apply_ok(ctx, s);
}

static uint32_t loss_of(const char *ifname)
{
	uint32_t loss = 4242;

	assert_int_equal(fw_lab_loss_get(ctx, ifname, &loss), 0);
	return loss;
}

static void test_render(void **state)
{
	_cleanup_free_ char *s = NULL;

	(void)state;
	assert_int_equal(fw_lab_render_loss("kl-web.0", 150, &s), 0);
	assert_non_null(strstr(s, "add rule bridge kvmnet_lab out oifname vmap @loss\n"));
	assert_non_null(strstr(s, "add rule bridge kvmnet_lab l_kl-web.0 numgen random mod 10000 "
				  "< 150 counter drop\n"));
	assert_non_null(strstr(s, "add element bridge kvmnet_lab loss { \"kl-web.0\" : jump "
				  "l_kl-web.0 }\n"));
	assert_int_equal(fw_lab_render_loss("", 1, &s), -EINVAL);
	assert_int_equal(fw_lab_render_loss("a b", 1, &s), -EINVAL);
	assert_int_equal(fw_lab_render_loss("a\"b", 1, &s), -EINVAL);
	assert_int_equal(fw_lab_render_loss("abcdefghijklmnop", 1, &s), -EINVAL);
	assert_int_equal(fw_lab_render_loss("ok", FW_LAB_LOSS_MAX + 1, &s), -EINVAL);
}

static void test_set_change_remove(void **state)
{
	_cleanup_free_ char *all = NULL;

	(void)state;
	/* no table yet: no loss, nothing made by asking */
	assert_int_equal(loss_of("kn-a"), 0);
	assert_null(fw_test_nft_list("list table bridge kvmnet_lab"));

	apply_loss("kn-a", 150);
	apply_loss("kn-b.1", FW_LAB_LOSS_MAX);
	assert_int_equal(loss_of("kn-a"), 150);
	assert_int_equal(loss_of("kn-b.1"), FW_LAB_LOSS_MAX);
	assert_int_equal(loss_of("kn-c"), 0);

	/* again, and changed: still one base rule, one rule per nic */
	apply_loss("kn-a", 150);
	apply_loss("kn-a", 2500);
	assert_int_equal(loss_of("kn-a"), 2500);
	all = fw_test_nft_list("list table bridge kvmnet_lab");
	assert_non_null(all);
	assert_int_equal(fw_test_count(all, "oifname vmap @loss"), 1);
	assert_int_equal(fw_test_count(all, "numgen random mod 10000 < 2500"), 1);
	assert_int_equal(fw_test_count(all, "drop"), 2);
	assert_int_equal(fw_test_count(all, "hook postrouting"), 1);

	/* removed, twice (the second finds nothing), the other nic's untouched */
	apply_loss("kn-a", 0);
	apply_loss("kn-a", 0);
	apply_loss("kn-never", 0);
	assert_int_equal(loss_of("kn-a"), 0);
	assert_int_equal(loss_of("kn-b.1"), FW_LAB_LOSS_MAX);
	free(all);
	all = fw_test_nft_list("list table bridge kvmnet_lab");
	assert_non_null(all);
	assert_null(strstr(all, "kn-a"));
	assert_null(strstr(all, "kn-never"));
	assert_int_equal(fw_test_count(all, "numgen"), 0);
	assert_int_equal(fw_test_count(all, "drop"), 1);
}

static void test_reset(void **state)
{
	_cleanup_free_ char *s = NULL;

	(void)state;
	assert_int_equal(fw_lab_render_reset(&s), 0);
	fw_test_apply_ok(ctx, s);
	assert_null(fw_test_nft_list("list table bridge kvmnet_lab"));
	assert_int_equal(loss_of("kn-b.1"), 0);
	/* absent: succeeds all the same */
	fw_test_apply_ok(ctx, s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_set_change_remove),
		cmocka_unit_test(test_reset),
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
