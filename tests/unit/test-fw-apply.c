/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel tests for fw-apply with fw-render's scripts, in a private network namespace (skipped
 * with 77 unless root and unshare(CLONE_NEWNET) work): load the base, install every mode, read
 * the hashes back, re-apply, find and purge stray and unnamed elements, delete twice, change a
 * mode in one transaction, replace an older layout, and leave a foreign table untouched.
 * The tests run in order and build on each other's state.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fw-test-util.h"
#include <nftables/libnftables.h>

#include "config/conf-network.h"
#include "firewall/fw-apply.h"
#include "firewall/fw-model.h"
#include "firewall/fw-render.h"
#include "shared/alloc-util.h"

static struct fw_ctx *ctx;

static struct fw_network nat1, nat2, iso, routed, open0;

static struct fw_network model(const char *name, enum network_mode mode, const char *subnet,
			       unsigned prefixlen, const char *uplink)
{
	struct fw_network n = { .mode = mode };

	snprintf(n.name, sizeof(n.name), "%s", name);
	snprintf(n.bridge, sizeof(n.bridge), "kn-%s", name);
	snprintf(n.uplink, sizeof(n.uplink), "%s", uplink);
	assert_int_equal(inet_pton(AF_INET, subnet, &n.subnet.addr), 1);
	n.subnet.prefixlen = prefixlen;
	n.gateway.s_addr = htonl(ntohl(n.subnet.addr.s_addr) + 1);
	return n;
}

static void install(const struct fw_network *n)
{
	_cleanup_free_ char *s = NULL;

	assert_int_equal(fw_render_network(n, NULL, NULL, &s), 0);
	fw_test_apply_ok(ctx, s);
}

static void load_base(bool reset)
{
	_cleanup_free_ char *s = NULL;

	/* The prefix lengths of the networks below (nat1 changes to a /23 on the way). */
	uint64_t mask = FW_PREFIX_BIT(24) | FW_PREFIX_BIT(23) | FW_PREFIX_BIT(16);

	assert_int_equal(fw_render_base(reset, mask, &s), 0);
	fw_test_apply_ok(ctx, s);
}

static void uninstall(const struct fw_network *n)
{
	_cleanup_free_ char *s = NULL;

	assert_int_equal(fw_render_network_delete(n, NULL, &s), 0);
	fw_test_apply_ok(ctx, s);
}

#define MAX_SEEN 16

struct seen {
	size_t n;
	char name[MAX_SEEN][NETWORK_NAME_MAX + 1];   /* "" = unnamed */
	uint64_t hash[MAX_SEEN];
	char purge[MAX_SEEN][2048];
};

static int collect(const char *network, uint64_t hash, const char *purge, void *data)
{
	struct seen *s = data;

	assert_true(s->n < MAX_SEEN);
	snprintf(s->name[s->n], sizeof(s->name[s->n]), "%s", network ? network : "");
	assert_true(strlen(purge) < sizeof(s->purge[s->n]));
	snprintf(s->purge[s->n], sizeof(s->purge[s->n]), "%s", purge);
	s->hash[s->n++] = hash;
	return 0;
}

static size_t seen_find(const struct seen *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->name[i], name) == 0)
			return i;
	fail_msg("network '%s' not reported", name);
	return 0;
}

static struct seen list_installed(void)
{
	struct seen s = { .n = 0 };

	assert_int_equal(fw_list_installed(ctx, collect, &s), 0);
	return s;
}

/* Asserts that 'n' is reported, with its current hash. */
static void assert_installed(const struct seen *s, const struct fw_network *n)
{
	assert_true(s->hash[seen_find(s, n->name)] == fw_network_hash(n));
}

static void assert_base_rules_once(void)
{
	_cleanup_free_ char *fwd = fw_test_nft_list("list chain inet kvmnet forward");
	_cleanup_free_ char *in = fw_test_nft_list("list chain inet kvmnet input");
	_cleanup_free_ char *post = fw_test_nft_list("list chain inet kvmnet postrouting");
	_cleanup_free_ char *table = fw_test_nft_list("list table inet kvmnet");

	assert_non_null(fwd);
	assert_non_null(in);
	assert_non_null(post);
	assert_int_equal(fw_test_count(fwd, "jump"), 2);
	assert_int_equal(fw_test_count(fwd, "iifname @guarded jump from_net"), 1);
	assert_int_equal(fw_test_count(in, "@isolated"), 5);
	assert_int_equal(fw_test_count(post, "jump nat_post"), 1);
	/* Six chains whatever the number of networks, and no verdict map. */
	assert_int_equal(fw_test_count(table, "\tchain "), 6);
	assert_null(strstr(table, "verdict"));
}

static void test_empty(void **state)
{
	struct seen s;
	int exists = -1;
	FILE *saved;
	long size;
	int fd;

	assert_int_equal(fw_table_exists(ctx, &exists), 0);
	assert_int_equal(exists, 0);

	/* Listing a missing table reports nothing and prints nothing on stderr. */
	saved = tmpfile();
	assert_non_null(saved);
	fflush(stderr);
	fd = dup(STDERR_FILENO);
	assert_true(fd >= 0);
	assert_true(dup2(fileno(saved), STDERR_FILENO) >= 0);
	s = list_installed();
	fflush(stderr);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	close(fd);
	assert_int_equal(fseek(saved, 0, SEEK_END), 0);
	size = ftell(saved);
	fclose(saved);
	assert_int_equal(s.n, 0);
	assert_int_equal(size, 0);
}

static void test_foreign_table(void **state)
{
	fw_test_apply_ok(ctx, "add table ip other\n"
		 "add chain ip other c { type filter hook input priority 0; policy accept; }\n"
		 "add rule ip other c tcp dport 22 accept\n");
}

static void test_install_all(void **state)
{
	struct seen s;
	int exists = 0;

	load_base(false);
	install(&nat1);
	install(&nat2);
	install(&iso);
	install(&routed);
	install(&open0);

	assert_int_equal(fw_table_exists(ctx, &exists), 0);
	assert_int_equal(exists, 1);
	s = list_installed();
	assert_int_equal(s.n, 5);
	assert_installed(&s, &nat1);
	assert_installed(&s, &nat2);
	assert_installed(&s, &iso);
	assert_installed(&s, &routed);
	assert_installed(&s, &open0);
	assert_base_rules_once();
	{
		_cleanup_free_ char *sub6 = fw_test_nft_list("list set inet kvmnet subnets6");
		_cleanup_free_ char *nat6 = fw_test_nft_list("list set inet kvmnet nat6");
		_cleanup_free_ char *routed6 = fw_test_nft_list("list set inet kvmnet routed6");

		assert_non_null(strstr(sub6, "\"kn-nat-2\" . fd42:2::"));
		assert_non_null(strstr(sub6, "\"kn-rt0\" . 2001:db8:4::"));
		assert_non_null(strstr(nat6, "\"kn-nat-2\""));
		assert_null(strstr(nat6, "\"kn-rt0\""));
		assert_non_null(strstr(routed6, "\"kn-rt0\""));
		assert_null(strstr(routed6, "\"kn-nat-2\""));
	}
}

/* A tenant's elements read back (the device group as a number) hash as the model does. */
static void test_tenant_read_back(void **state)
{
	struct fw_network red = model("red", NETWORK_MODE_NAT, "10.81.0.0", 24, "");
	struct fw_network blue = model("blue", NETWORK_MODE_OPEN, "10.82.0.0", 24, "");
	_cleanup_free_ char *set = NULL;
	struct seen s;

	(void)state;
	red.tenant = 1089765596u;
	blue.tenant = 2197550541u;
	install(&red);
	install(&blue);
	s = list_installed();
	assert_installed(&s, &red);
	assert_installed(&s, &blue);
	set = fw_test_nft_list("list set inet kvmnet tenants");
	assert_non_null(strstr(set, "\"kn-red\" . 1089765596"));
	uninstall(&red);
	uninstall(&blue);
	free(set);
	set = fw_test_nft_list("list set inet kvmnet tenants");
	assert_null(strstr(set, "kn-red"));
	assert_null(strstr(set, "kn-blue"));
}

static void test_reapply(void **state)
{
	_cleanup_free_ char *set = NULL, *sub = NULL, *up = NULL, *script = NULL;
	struct fw_network before = nat1;
	uint64_t old = fw_network_hash(&nat1);
	struct seen s;

	install(&nat1);
	install(&nat1);
	install(&open0);
	load_base(false);   /* keeps the elements */
	assert_base_rules_once();
	s = list_installed();
	assert_int_equal(s.n, 5);
	assert_installed(&s, &nat1);

	/* Changed data: the elements and the hash follow; the old model's elements go. */
	nat1.subnet.prefixlen = 23;
	snprintf(nat1.uplink, sizeof(nat1.uplink), "eth0");
	assert_int_equal(fw_render_network(&nat1, &before, NULL, &script), 0);
	fw_test_apply_ok(ctx, script);
	assert_true(fw_network_hash(&nat1) != old);
	s = list_installed();
	assert_int_equal(s.n, 5);
	assert_installed(&s, &nat1);
	sub = fw_test_nft_list("list set inet kvmnet subnets_23");
	assert_non_null(sub);
	assert_non_null(strstr(sub, "\"kn-nat-1\" . 10.1.0.0"));
	free(sub);
	sub = fw_test_nft_list("list set inet kvmnet subnets_24");
	assert_null(strstr(sub, "10.1.0.0"));
	up = fw_test_nft_list("list set inet kvmnet uplinks");
	assert_non_null(strstr(up, "\"kn-nat-1\" . \"eth0\""));
	assert_base_rules_once();

	set = fw_test_nft_list("list set inet kvmnet bridges");
	assert_non_null(set);
	assert_int_equal(fw_test_count(set, "\"kn-nat-1\""), 1);
	assert_int_equal(fw_test_count(set, "\"kn-open0\""), 1);
}

static void test_delete(void **state)
{
	_cleanup_free_ char *table = NULL;
	struct seen s;

	uninstall(&routed);
	uninstall(&routed);
	s = list_installed();
	assert_int_equal(s.n, 4);
	table = fw_test_nft_list("list table inet kvmnet");
	assert_non_null(table);
	assert_null(strstr(table, "rt0"));
	assert_null(strstr(table, "10.4.0.0"));

	uninstall(&open0);
	table = (free(table), fw_test_nft_list("list table inet kvmnet"));
	assert_null(strstr(table, "kn-open0"));

	/* Deleting what never existed works too. */
	struct fw_network ghost = model("ghost", NETWORK_MODE_NAT, "10.9.0.0", 24, "");

	uninstall(&ghost);
	s = list_installed();
	assert_int_equal(s.n, 3);
}

static void test_mode_change(void **state)
{
	_cleanup_free_ char *del = NULL, *add = NULL, *script = NULL, *table = NULL;
	struct fw_network n = nat2;
	struct seen s;

	n.mode = NETWORK_MODE_ISOLATED;
	assert_int_equal(fw_render_network_delete(&nat2, NULL, &del), 0);
	assert_int_equal(fw_render_network(&n, NULL, NULL, &add), 0);
	assert_true(asprintf(&script, "%s%s", del, add) >= 0);
	fw_test_apply_ok(ctx, script);
	nat2 = n;

	s = list_installed();
	assert_int_equal(s.n, 3);
	assert_installed(&s, &nat2);
	table = fw_test_nft_list("list set inet kvmnet isolated");
	assert_non_null(strstr(table, "\"kn-nat-2\""));
	table = (free(table), fw_test_nft_list("list set inet kvmnet nat"));
	assert_null(strstr(table, "\"kn-nat-2\""));
	table = (free(table), fw_test_nft_list("list set inet kvmnet uplinks"));
	assert_null(strstr(table, "\"kn-nat-2\""));
	table = (free(table), fw_test_nft_list("list set inet kvmnet nat6"));
	assert_null(strstr(table, "\"kn-nat-2\""));
	table = (free(table), fw_test_nft_list("list set inet kvmnet subnets6"));
	assert_null(strstr(table, "\"kn-nat-2\""));

	/* And back, this time with install alone: it clears the elements of any mode itself. */
	n.mode = NETWORK_MODE_NAT;
	install(&n);
	nat2 = n;
	s = list_installed();
	assert_installed(&s, &nat2);
	table = (free(table), fw_test_nft_list("list set inet kvmnet isolated"));
	assert_null(strstr(table, "\"kn-nat-2\""));
	table = (free(table), fw_test_nft_list("list set inet kvmnet nat"));
	assert_non_null(strstr(table, "\"kn-nat-2\""));
	assert_base_rules_once();
}

static void test_bad_script(void **state)
{
	_cleanup_free_ char *err = NULL, *table = NULL;
	struct seen s;

	assert_int_equal(fw_apply(ctx, "add rule inet kvmnet from_net frobnicate\n", &err),
			 -EINVAL);
	assert_non_null(err);
	assert_non_null(strstr(err, "Error:"));
	assert_true(strncmp(err, "Error: ", 7) == 0);
	assert_null(strchr(err, '\n'));
	free(err);
	err = NULL;
	assert_int_equal(fw_apply(ctx, "add rule inet kvmnet nosuchchain drop\n", NULL), -EINVAL);

	/* A failing transaction changes nothing, even its valid first half. */
	assert_int_equal(fw_apply(ctx,
				  "delete element inet kvmnet bridges { \"kn-iso\" }\n"
				  "add rule inet kvmnet nosuchchain drop\n",
				  &err),
			 -EINVAL);
	assert_non_null(strstr(err, "Error:"));
	s = list_installed();
	assert_int_equal(s.n, 3);
	table = fw_test_nft_list("list set inet kvmnet bridges");
	assert_non_null(table);
	assert_non_null(strstr(table, "\"kn-iso\""));

	/* The next success is not polluted by the earlier error. */
	free(err);
	err = NULL;
	install(&iso);
	assert_int_equal(fw_apply(ctx, "list table inet kvmnet\n", &err), 0);
	assert_null(err);
}

/* Elements the model does not explain: reported with another hash, and purged by the install. */
static void test_stray(void **state)
{
	_cleanup_free_ char *script = NULL, *sub = NULL;
	struct seen s;
	size_t i;

	fw_test_apply_ok(ctx, "add element inet kvmnet subnets_16 { \"kn-nat-1\" . 10.77.0.0 }\n"
			 "add element inet kvmnet guarded { \"kn-nobody\" }\n"
			 "add element inet kvmnet uplinks { \"kn-nobody\" . \"eth9\" }\n");
	s = list_installed();
	assert_int_equal(s.n, 4);
	i = seen_find(&s, "nat-1");
	assert_true(s.hash[i] != fw_network_hash(&nat1));
	assert_non_null(strstr(s.purge[i], "delete element inet kvmnet subnets_16 { \"kn-nat-1\" . "
					    "10.77.0.0 }\n"));
	i = seen_find(&s, "");
	assert_non_null(strstr(s.purge[i], "delete element inet kvmnet guarded { \"kn-nobody\" }\n"));
	assert_non_null(strstr(s.purge[i], "delete element inet kvmnet uplinks { \"kn-nobody\" . "
					    "\"eth9\" }\n"));
	fw_test_apply_ok(ctx, s.purge[i]);

	i = seen_find(&s, "nat-1");
	assert_int_equal(fw_render_network(&nat1, NULL, s.purge[i], &script), 0);
	fw_test_apply_ok(ctx, script);
	s = list_installed();
	assert_int_equal(s.n, 3);
	assert_installed(&s, &nat1);
	sub = fw_test_nft_list("list set inet kvmnet subnets_16");
	assert_null(strstr(sub, "10.77.0.0"));
}

static int stop_cb(const char *network, uint64_t hash, const char *purge, void *data)
{
	(*(int *)data)++;
	return -ECANCELED;
}

static void test_callback_error(void **state)
{
	int calls = 0;

	assert_int_equal(fw_list_installed(ctx, stop_cb, &calls), -ECANCELED);
	assert_int_equal(calls, 1);
}

static void test_delete_all(void **state)
{
	struct seen s;

	uninstall(&nat1);
	uninstall(&nat2);
	uninstall(&iso);
	s = list_installed();
	assert_int_equal(s.n, 0);
	assert_base_rules_once();
}

/* A table of the layout before (per-network chains, verdict maps) is reported as such, replaced. */
static void test_legacy(void **state)
{
	_cleanup_free_ char *table = NULL;
	struct seen s = { .n = 0 };

	install(&nat1);
	fw_test_apply_ok(ctx, "add map inet kvmnet fwd_out { type ifname : verdict; }\n"
			 "add chain inet kvmnet n_old_out\n"
			 "add element inet kvmnet fwd_out { \"kn-old\" : jump n_old_out }\n");
	assert_int_equal(fw_list_installed(ctx, collect, &s), 1);
	assert_int_equal(s.n, 0);
	load_base(true);
	table = fw_test_nft_list("list table inet kvmnet");
	assert_null(strstr(table, "fwd_out"));
	assert_null(strstr(table, "kn-nat-1"));
	assert_base_rules_once();
	s = list_installed();
	assert_int_equal(s.n, 0);
}

static void test_foreign_intact(void **state)
{
	_cleanup_free_ char *other = fw_test_nft_list("list table ip other");
	_cleanup_free_ char *tables = fw_test_nft_list("list tables");

	assert_non_null(other);
	assert_non_null(strstr(other, "tcp dport 22 accept"));
	assert_int_equal(fw_test_count(other, "accept"), 2); /* the rule and the policy */
	assert_non_null(tables);
	assert_int_equal(fw_test_count(tables, "table "), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_foreign_table),
		cmocka_unit_test(test_install_all),
		cmocka_unit_test(test_tenant_read_back),
		cmocka_unit_test(test_reapply),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_mode_change),
		cmocka_unit_test(test_bad_script),
		cmocka_unit_test(test_stray),
		cmocka_unit_test(test_callback_error),
		cmocka_unit_test(test_delete_all),
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_foreign_intact),
	};
	int r;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "skipping: needs root and unshare(CLONE_NEWNET)\n");
		return 77;
	}
	if (fw_ctx_new(&ctx) < 0)
		return 77;

	nat1 = model("nat-1", NETWORK_MODE_NAT, "10.1.0.0", 24, "");
	nat2 = model("nat-2", NETWORK_MODE_NAT, "10.2.0.0", 24, "eth0");
	iso = model("iso", NETWORK_MODE_ISOLATED, "10.3.0.0", 24, "");
	routed = model("rt0", NETWORK_MODE_ROUTED, "10.4.0.0", 16, "");
	/* Dual stack: a masqueraded ULA (nat6) and a routed global prefix (routed6). */
	nat2.has_subnet6 = routed.has_subnet6 = true;
	nat2.masquerade6 = true;
	nat2.subnet6.prefixlen = routed.subnet6.prefixlen = 64;
	if (inet_pton(AF_INET6, "fd42:2::", &nat2.subnet6.addr) != 1 ||
	    inet_pton(AF_INET6, "2001:db8:4::", &routed.subnet6.addr) != 1)
		return 1;
	open0 = model("open0", NETWORK_MODE_OPEN, "10.5.0.0", 24, "");

	r = cmocka_run_group_tests(tests, NULL, NULL);
	ctx = fw_ctx_free(ctx);
	return r;
}
