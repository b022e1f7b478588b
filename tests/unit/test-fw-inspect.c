/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for fw-inspect on rulesets recorded with 'nft -j list ruleset' in a scratch
 * namespace ($KVMNET_TEST_DATA/doctor-*.json): the shape Docker makes with iptables-nft, a
 * firewalld-like inet table, the chains of ufw. Each must name the chains and rules that drop a
 * network's traffic, the fix must be the narrowest accept in the right chain, and the ruleset
 * with the fix applied (or without foreign tables) must give no finding.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "firewall/fw-inspect.h"

static json_t *load(const char *file)
{
	char path[4096];
	json_error_t e;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", getenv("KVMNET_TEST_DATA"), file);
	j = json_load_file(path, 0, &e);
	if (!j)
		fail_msg("%s: %s", path, e.text);
	return j;
}

static struct fw_inspect_net lab(void)
{
	struct fw_inspect_net n = { .name = "lab", .bridge = "kn-lab", .uplink = "",
				    .forward = true, .dhcp = true, .dns = true };

	inet_pton(AF_INET, "10.77.0.0", &n.subnet.addr);
	n.subnet.prefixlen = 24;
	inet_pton(AF_INET, "10.77.0.1", &n.gateway);
	return n;
}

static const struct fw_finding *find_handle(const struct fw_findings *f, enum fw_flow flow,
					    const char *chain, int policy)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->items[i].flow == flow && strcmp(f->items[i].chain, chain) == 0 &&
		    (policy < 0 || (f->items[i].handle == 0) == (policy > 0)))
			return &f->items[i];
	return NULL;
}

static const struct fw_finding *find(const struct fw_findings *f, enum fw_flow flow,
				     const char *chain)
{
	return find_handle(f, flow, chain, -1);
}

/* Adds the rules 'script' (insert rule F T C EXPR... comment "X") to 'rs' as nft would list. */
static void apply_fix_roughly(json_t *rs, const char *family, const char *table,
			      const char *chain, json_t *expr, const char *comment)
{
	json_t *items = json_object_get(rs, "nftables");
	size_t pos = json_array_size(items);

	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *r = json_object_get(json_array_get(items, i), "rule");
		if (r && strcmp(json_string_value(json_object_get(r, "chain")), chain) == 0 &&
		    strcmp(json_string_value(json_object_get(r, "table")), table) == 0) {
			pos = i;
			break;
		}
	}
	json_array_insert_new(items, pos,
			      json_pack("{s:{s:s, s:s, s:s, s:i, s:s, s:o}}", "rule", "family",
					family, "table", table, "chain", chain, "handle", 9999,
					"comment", comment, "expr", expr));
}

static json_t *match_if(const char *key, const char *name)
{
	return json_pack("{s:{s:s, s:{s:{s:s}}, s:s}}", "match", "op", "==", "left", "meta", "key",
			 key, "right", name);
}

static void test_docker(void **state)
{
	json_t *rs = load("doctor-docker.json");
	struct fw_inspect_net n = lab();
	struct fw_findings f = { 0 };
	struct strbuf sb = STRBUF_INIT;
	const struct fw_finding *x;

	assert_int_equal(fw_inspect(rs, &n, &f), 0);
	x = find(&f, FW_FLOW_OUT, "FORWARD");
	assert_non_null(x);
	assert_string_equal(x->table, "filter");
	assert_string_equal(x->family, "ip");
	assert_int_equal(x->handle, 0);
	assert_false(x->may);
	assert_string_equal(x->owner, "Docker");
	assert_string_equal(x->fix_chain, "DOCKER-USER");
	assert_non_null(find(&f, FW_FLOW_REPLY, "FORWARD"));
	/* No INPUT chain: DHCP and DNS pass; the nat table drops nothing. */
	assert_null(find(&f, FW_FLOW_DHCP, "INPUT"));
	assert_int_equal(f.n, 2);

	assert_int_equal(fw_finding_format(x, &n, &sb), 0);
	assert_non_null(strstr(sb.buf, "lab: table ip filter chain FORWARD (policy drop) [Docker] "
				       "drops guest traffic to the outside on kn-lab; run "
				       "'kvmnet doctor --fix lab'"));
	strbuf_done(&sb);

	strbuf_init(&sb);
	assert_int_equal(fw_inspect_render_fix(rs, &f, &n, &sb, NULL, NULL), 2);
	assert_string_equal(sb.buf,
			    "insert rule ip filter DOCKER-USER iifname \"kn-lab\" counter accept "
			    "comment \"kvmnet-doctor:lab\"\n"
			    "insert rule ip filter DOCKER-USER oifname \"kn-lab\" counter accept "
			    "comment \"kvmnet-doctor:lab\"\n");
	strbuf_done(&sb);

	/* With an accept for the bridge at the top of DOCKER-USER, nothing is left. */
	apply_fix_roughly(rs, "ip", "filter", "DOCKER-USER",
			  json_pack("[o, {s:n}]", match_if("iifname", "kn-lab"), "accept"),
			  "kvmnet-doctor:lab");
	apply_fix_roughly(rs, "ip", "filter", "DOCKER-USER",
			  json_pack("[o, {s:n}]", match_if("oifname", "kn-lab"), "accept"),
			  "kvmnet-doctor:lab");
	fw_findings_done(&f);
	assert_int_equal(fw_inspect(rs, &n, &f), 0);
	assert_int_equal(f.n, 0);
	/* And the rules are found again by their comment, not those of another network. */
	strbuf_init(&sb);
	assert_int_equal(fw_inspect_render_cleanup(rs, "lab", &sb), 2);
	assert_string_equal(sb.buf, "delete rule ip filter DOCKER-USER handle 9999\n"
				    "delete rule ip filter DOCKER-USER handle 9999\n");
	strbuf_done(&sb);
	strbuf_init(&sb);
	assert_int_equal(fw_inspect_render_cleanup(rs, "la", &sb), 0);
	strbuf_done(&sb);
	fw_findings_done(&f);
	json_decref(rs);
}

static void test_firewalld(void **state)
{
	json_t *rs = load("doctor-firewalld.json");
	struct fw_inspect_net n = lab();
	struct fw_findings f = { 0 };
	struct strbuf sb = STRBUF_INIT;
	const struct fw_finding *x;

	assert_int_equal(fw_inspect(rs, &n, &f), 0);
	x = find(&f, FW_FLOW_OUT, "filter_FORWARD");
	assert_non_null(x);
	assert_string_equal(x->family, "inet");
	assert_string_equal(x->table, "firewalld_test");
	assert_true(x->handle > 0);
	assert_string_equal(x->text, "reject");
	assert_false(x->may);
	assert_string_equal(x->owner, "firewalld");
	assert_string_equal(x->fix_chain, "filter_FORWARD");
	/* Replies pass (ct state established accept comes first). */
	assert_null(find(&f, FW_FLOW_REPLY, "filter_FORWARD"));
	assert_non_null(find(&f, FW_FLOW_DHCP, "filter_INPUT"));
	assert_non_null(find(&f, FW_FLOW_DNS, "filter_INPUT"));
	assert_int_equal(f.n, 3);

	assert_int_equal(fw_inspect_render_fix(rs, &f, &n, &sb, NULL, NULL), 4);
	assert_string_equal(
		sb.buf,
		"insert rule inet firewalld_test filter_FORWARD iifname \"kn-lab\" counter accept "
		"comment \"kvmnet-doctor:lab\"\n"
		"insert rule inet firewalld_test filter_INPUT iifname \"kn-lab\" udp dport 67 "
		"counter accept comment \"kvmnet-doctor:lab\"\n"
		"insert rule inet firewalld_test filter_INPUT iifname \"kn-lab\" udp dport 53 "
		"counter accept comment \"kvmnet-doctor:lab\"\n"
		"insert rule inet firewalld_test filter_INPUT iifname \"kn-lab\" tcp dport 53 "
		"counter accept comment \"kvmnet-doctor:lab\"\n");
	strbuf_done(&sb);

	/* An isolated network without DHCP/DNS has nothing to lose here. */
	n.forward = n.dhcp = n.dns = false;
	fw_findings_done(&f);
	assert_int_equal(fw_inspect(rs, &n, &f), 0);
	assert_int_equal(f.n, 0);
	json_decref(rs);
}

static void test_ufw(void **state)
{
	json_t *rs = load("doctor-ufw.json");
	struct fw_inspect_net n = lab();
	struct fw_findings f = { 0 };
	const struct fw_finding *x;

	assert_int_equal(fw_inspect(rs, &n, &f), 0);
	/* ufw's conntrack matches are xt matches: only "may", but the policy is still named. */
	x = find_handle(&f, FW_FLOW_OUT, "FORWARD", 1);
	assert_non_null(x);
	assert_true(x->may);
	assert_string_equal(x->owner, "ufw");
	assert_string_equal(x->fix_chain, "FORWARD");
	x = find_handle(&f, FW_FLOW_DHCP, "INPUT", 1);
	assert_non_null(x);
	/* ... and the conntrack INVALID drop before it, as "may". */
	x = find_handle(&f, FW_FLOW_DHCP, "INPUT", 0);
	assert_non_null(x);
	assert_true(x->may);
	assert_string_equal(x->rule_chain, "ufw-before-input");
	assert_non_null(find(&f, FW_FLOW_DNS, "INPUT"));
	fw_findings_done(&f);
	json_decref(rs);
}

static void test_empty(void **state)
{
	json_t *rs = json_pack("{s:[{s:{s:s}}]}", "nftables", "metainfo", "version", "1.0.6");
	struct fw_inspect_net n = lab();
	struct fw_findings f = { 0 };

	assert_int_equal(fw_inspect(rs, &n, &f), 0);
	assert_int_equal(f.n, 0);
	json_decref(rs);
	rs = json_pack("{s:i}", "x", 1);
	assert_int_equal(fw_inspect(rs, &n, &f), -EINVAL);
	json_decref(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_firewalld),
		cmocka_unit_test(test_ufw),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
