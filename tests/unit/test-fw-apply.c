/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel tests for fw-apply with fw-render's scripts, in a private network namespace (skipped
 * with 77 unless root and unshare(CLONE_NEWNET) work): install every mode, read the hashes back,
 * re-apply, delete twice, change a mode in one transaction, and leave a foreign table untouched.
 * The tests run in order and build on each other's state.
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

	assert_int_equal(fw_render_network(n, &s), 0);
	fw_test_apply_ok(ctx, s);
}

static void uninstall(const struct fw_network *n)
{
	_cleanup_free_ char *s = NULL;

	assert_int_equal(fw_render_network_delete(n, &s), 0);
	fw_test_apply_ok(ctx, s);
}

#define MAX_SEEN 16

struct seen {
	size_t n;
	char name[MAX_SEEN][NETWORK_NAME_MAX + 1];
	uint64_t hash[MAX_SEEN];
};

static int collect(const char *network, uint64_t hash, void *data)
{
	struct seen *s = data;

	assert_true(s->n < MAX_SEEN);
	snprintf(s->name[s->n], sizeof(s->name[s->n]), "%s", network);
	s->hash[s->n++] = hash;
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
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->name[i], n->name) == 0) {
			assert_true(s->hash[i] == fw_network_hash(n));
			return;
		}
	fail_msg("network %s not reported", n->name);
}

static void assert_base_rules_once(void)
{
	_cleanup_free_ char *fwd = fw_test_nft_list("list chain inet kvmnet forward");
	_cleanup_free_ char *in = fw_test_nft_list("list chain inet kvmnet input");
	_cleanup_free_ char *post = fw_test_nft_list("list chain inet kvmnet postrouting");

	assert_non_null(fwd);
	assert_non_null(in);
	assert_non_null(post);
	assert_int_equal(fw_test_count(fwd, "vmap"), 2);
	assert_int_equal(fw_test_count(fwd, "iifname vmap @fwd_out"), 1);
	assert_int_equal(fw_test_count(in, "vmap"), 1);
	assert_int_equal(fw_test_count(post, "vmap"), 1);
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

	install(&nat1);
	install(&nat2);
	install(&iso);
	install(&routed);
	install(&open0);

	assert_int_equal(fw_table_exists(ctx, &exists), 0);
	assert_int_equal(exists, 1);
	s = list_installed();
	assert_int_equal(s.n, 4);
	assert_installed(&s, &nat1);
	assert_installed(&s, &nat2);
	assert_installed(&s, &iso);
	assert_installed(&s, &routed);
	assert_base_rules_once();
}

static void test_reapply(void **state)
{
	_cleanup_free_ char *set = NULL, *chain = NULL;
	uint64_t old = fw_network_hash(&nat1);
	struct seen s;

	install(&nat1);
	install(&nat1);
	install(&open0);
	assert_base_rules_once();
	s = list_installed();
	assert_int_equal(s.n, 4);
	assert_installed(&s, &nat1);

	/* Changed data: the rules and the hash in the comment follow. */
	nat1.subnet.prefixlen = 23;
	snprintf(nat1.uplink, sizeof(nat1.uplink), "eth0");
	install(&nat1);
	assert_true(fw_network_hash(&nat1) != old);
	s = list_installed();
	assert_int_equal(s.n, 4);
	assert_installed(&s, &nat1);
	chain = fw_test_nft_list("list chain inet kvmnet n_nat-1_out");
	assert_non_null(chain);
	assert_non_null(strstr(chain, "ip saddr 10.1.0.0/23 accept"));
	assert_non_null(strstr(chain, "oifname != \"eth0\" drop"));
	assert_int_equal(fw_test_count(chain, "drop"), 3);
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
	assert_int_equal(s.n, 3);
	table = fw_test_nft_list("list table inet kvmnet");
	assert_non_null(table);
	assert_null(strstr(table, "rt0"));

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
	assert_int_equal(fw_render_network_delete(&nat2, &del), 0);
	assert_int_equal(fw_render_network(&n, &add), 0);
	assert_true(asprintf(&script, "%s%s", del, add) >= 0);
	fw_test_apply_ok(ctx, script);
	nat2 = n;

	s = list_installed();
	assert_int_equal(s.n, 3);
	assert_installed(&s, &nat2);
	table = fw_test_nft_list("list table inet kvmnet");
	assert_non_null(table);
	assert_null(strstr(table, "n_nat-2_post"));
	assert_non_null(strstr(table, "chain n_nat-2_input {"));
	assert_non_null(strstr(table, "\"kn-nat-2\" : jump n_nat-2_input"));
	assert_null(strstr(table, "\"kn-nat-2\" : jump n_nat-2_post"));

	/* And back, this time with install alone: it clears chains of any earlier mode itself. */
	n.mode = NETWORK_MODE_NAT;
	install(&n);
	nat2 = n;
	s = list_installed();
	assert_installed(&s, &nat2);
	table = (free(table), fw_test_nft_list("list table inet kvmnet"));
	assert_null(strstr(table, "n_nat-2_input"));
	assert_non_null(strstr(table, "chain n_nat-2_post {"));
	assert_base_rules_once();
}

static void test_bad_script(void **state)
{
	_cleanup_free_ char *err = NULL, *table = NULL;
	struct seen s;

	assert_int_equal(fw_apply(ctx, "add rule inet kvmnet n_nat-1_out frobnicate\n", &err),
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

static int stop_cb(const char *network, uint64_t hash, void *data)
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
		cmocka_unit_test(test_reapply),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_mode_change),
		cmocka_unit_test(test_bad_script),
		cmocka_unit_test(test_callback_error),
		cmocka_unit_test(test_delete_all),
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
	open0 = model("open0", NETWORK_MODE_OPEN, "10.5.0.0", 24, "");

	r = cmocka_run_group_tests(tests, NULL, NULL);
	ctx = fw_ctx_free(ctx);
	return r;
}
