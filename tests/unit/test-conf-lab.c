/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for config/conf-lab: a full lab file read back field by field, every refusal the
 * validator makes with its one-line message, impairment values and their text, default names,
 * and the overlap lookup the daemon uses against the host's networks.
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

#include "config/conf-lab.h"

static const char full_lab[] =
	"# a three-tier lab\n"
	"[lab]\n"
	"name = shop\n"
	"\n"
	"[network front]\n"
	"mode = nat\n"
	"subnet = 10.70.1.0/24\n"
	"dhcp-range = 10.70.1.100-10.70.1.200\n"
	"\n"
	"[network back]\n"
	"mode = isolated\n"
	"subnet = 10.70.2.0/24\n"
	"dhcp = no\n"
	"\n"
	"[node web]\n"
	"kind = qemu\n"
	"nics = front:10.70.1.10, back:10.70.2.10\n"
	"memory = 1G\n"
	"cpus = 2\n"
	"nic.front.rate = 10mbit\n"
	"nic.front.loss = 2.5%\n"
	"\n"
	"[node db]\n"
	"nics = back:10.70.2.20\n"
	"listen = 5432, 22\n"
	"\n"
	"[node client]\n"
	"nics = front\n"
	"nic.front.delay = 20ms\n"
	"nic.front.jitter = 5ms\n"
	"\n"
	"[check db-hidden]\n"
	"from = client\n"
	"to = db:5432\n"
	"expect = closed\n"
	"\n"
	"[check web-up]\n"
	"from = client\n"
	"to = web\n"
	"expect = open\n"
	"\n"
	"[forward web-http]\n"
	"network = front\n"
	"proto = tcp\n"
	"host-port = 8080-8081\n"
	"to = web:80\n";

static void test_full(void **state)
{
	struct lab_config c;
	const struct lab_node *web, *db, *client;
	char err[256] = "", ip[INET_ADDRSTRLEN];

	(void)state;
	if (lab_config_parse(full_lab, strlen(full_lab), "ignored", &c, err, sizeof(err)) != 0)
		fail_msg("parse: %s", err);
	assert_string_equal(c.name, "shop");
	assert_int_equal(c.n_networks, 2);
	assert_string_equal(c.networks[0].config.name, "front");
	assert_int_equal(c.networks[0].config.mode, NETWORK_MODE_NAT);
	assert_int_equal(c.networks[0].line, 5);
	assert_int_equal(c.networks[1].config.mode, NETWORK_MODE_ISOLATED);
	assert_false(c.networks[1].config.dhcp);
	assert_string_equal(c.networks[1].config.bridge, "kn-back");

	assert_int_equal(c.n_nodes, 3);
	web = lab_config_find_node(&c, "web");
	db = lab_config_find_node(&c, "db");
	client = lab_config_find_node(&c, "client");
	assert_non_null(web);
	assert_non_null(db);
	assert_non_null(client);
	assert_null(lab_config_find_node(&c, "nope"));
	assert_int_equal(web->kind, LAB_NODE_QEMU);
	assert_int_equal(web->memory_mib, 1024);
	assert_int_equal(web->cpus, 2);
	assert_int_equal(web->n_listen, 0);
	assert_int_equal(db->n_listen, 2);
	assert_int_equal(db->listen[0], 5432);
	assert_int_equal(db->listen[1], 22);
	assert_null(web->kernel);
	assert_int_equal(web->n_nics, 2);
	assert_string_equal(web->nics[0].network, "front");
	assert_true(web->nics[0].has_ip);
	assert_string_equal(in_addr_to_string(web->nics[0].ip, ip), "10.70.1.10");
	assert_int_equal(web->nics[0].impair.rate_kbit, 10000);
	assert_int_equal(web->nics[0].impair.loss, 250);
	assert_int_equal(web->nics[1].impair.rate_kbit, 0);
	assert_int_equal(db->kind, LAB_NODE_NETNS);
	assert_int_equal(db->memory_mib, LAB_MEMORY_DEFAULT_MIB);
	assert_false(client->nics[0].has_ip);
	assert_int_equal(client->nics[0].impair.delay_usec, 20000);
	assert_int_equal(client->nics[0].impair.jitter_usec, 5000);
	assert_non_null(lab_node_find_nic(web, "back"));
	assert_null(lab_node_find_nic(db, "front"));

	assert_int_equal(c.n_checks, 2);
	assert_string_equal(c.checks[0].name, "db-hidden");
	assert_string_equal(c.checks[0].from, "client");
	assert_string_equal(c.checks[0].to, "db");
	assert_int_equal(c.checks[0].port, 5432);
	assert_int_equal(c.checks[0].expect, LAB_EXPECT_CLOSED);
	assert_int_equal(c.checks[1].port, 0);
	assert_int_equal(c.checks[1].expect, LAB_EXPECT_OPEN);
	assert_int_equal(c.n_forwards, 1);
	assert_string_equal(c.forwards[0].fwd.name, "web-http");
	assert_string_equal(c.forwards[0].network, "front");
	assert_string_equal(c.forwards[0].node, "web");
	assert_int_equal(c.forwards[0].fwd.proto, FORWARD_PROTO_TCP);
	assert_int_equal(c.forwards[0].fwd.host_port_first, 8080);
	assert_int_equal(c.forwards[0].fwd.host_port_last, 8081);
	assert_string_equal(in_addr_to_string(c.forwards[0].fwd.to_addr, ip), "10.70.1.10");
	assert_int_equal(c.forwards[0].fwd.to_port_first, 80);
	assert_int_equal(c.forwards[0].fwd.to_port_last, 81);
	lab_config_done(&c);
	assert_int_equal(c.n_nodes, 0);
	assert_null(c.nodes);
}

static void test_default_name(void **state)
{
	static const char text[] = "[network n1]\nsubnet = 10.1.0.0/24\n[node a]\nnics = n1\n";
	struct lab_config c;
	char err[256] = "", buf[LAB_NAME_MAX + 1];

	(void)state;
	assert_string_equal(lab_name_from_path("/x/y/webapp.lab", buf), "webapp");
	assert_string_equal(lab_name_from_path("train.conf", buf), "train");
	assert_string_equal(lab_name_from_path("plain", buf), "plain");
	assert_string_equal(lab_name_from_path(".lab", buf), ".lab");
	assert_string_equal(
		lab_name_from_path("/a-name-much-longer-than-thirty-two-characters.lab", buf), "");
	if (lab_config_parse(text, strlen(text), "webapp", &c, err, sizeof(err)) != 0)
		fail_msg("parse: %s", err);
	assert_string_equal(c.name, "webapp");
	lab_config_done(&c);
	assert_int_equal(lab_config_parse(text, strlen(text), NULL, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "invalid lab name ''"));
	assert_null(c.nodes);
}

struct bad_case {
	const char *text;
	const char *err;   /* the whole message */
};

#define NET1 "[network n1]\nsubnet = 10.1.0.0/24\ndhcp-range = 10.1.0.100-10.1.0.200\n"

static const struct bad_case bad_cases[] = {
	{ NET1 "[node a]\nnics = n2\n",
	  "line 4: node a: unknown network 'n2' (no [network n2] section in the lab)" },
	{ NET1 "[network n2]\nsubnet = 10.1.0.128/25\n[node a]\nnics = n1\n",
	  "line 4: subnet 10.1.0.128/25 of network n2 overlaps subnet 10.1.0.0/24 of network n1" },
	{ NET1 "bridge = br-x\n[network n2]\nsubnet = 10.2.0.0/24\nbridge = br-x\n",
	  "line 5: bridge br-x of network n2 is also network n1's" },
	{ NET1 "[node a]\nkind = netns\n", "line 4: node a is on no network (give it nics = NETWORK ...)" },
	{ NET1 "[node a]\nnics = n1\n[node a]\nnics = n1\n",
	  "line 6: duplicate section [node a] (first on line 4)" },
	{ NET1 "[network n1]\nsubnet = 10.2.0.0/24\n",
	  "line 4: duplicate section [network n1] (first on line 1)" },
	{ NET1 "[check c]\nfrom=a\nto=b\nexpect=open\n[check c]\n",
	  "line 8: duplicate section [check c] (first on line 4)" },
	{ NET1 "[node a]\nnics = n1\ncolour = red\n", "line 6: unknown key 'colour' in [node a]" },
	{ NET1 "bogus = 1\n", "line 4: unknown key 'bogus' in [network n1]" },
	{ NET1 "name = other\n",
	  "line 4: key 'name' is not allowed in [network n1]: the section names the network" },
	{ NET1 "[node a]\nnics = n1\nnics = n1\n",
	  "line 6: duplicate key 'nics' in [node a] (first set on line 5)" },
	{ "[vm x]\n", "line 1: unknown section [vm x] (expected [lab], [network NAME], [node NAME], "
		      "[check NAME] or [forward NAME])" },
#define FWD "[forward f]\nnetwork = n1\nproto = tcp\nhost-port = 8080\n"
	{ NET1 "[node a]\nnics = n1:10.1.0.5\n" FWD "to = a:80\n[forward f]\n",
	  "line 11: duplicate section [forward f] (first on line 6)" },
	{ NET1 "[node a]\nnics = n1\n" FWD "to = a:80\n",
	  "line 6: forward f: node a has no static address on network n1 (give it nics = "
	  "n1:ADDRESS)" },
	{ NET1 "[node a]\nnics = n1:10.1.0.5\n" FWD "to = b:80\n", "line 6: forward f: unknown node 'b'" },
	{ NET1 "[node a]\nnics = n1:10.1.0.5\n" FWD, "line 6: forward f needs 'to ='" },
	{ NET1 "[node a]\nnics = n1:10.1.0.5\n" FWD "to = a\n",
	  "line 10: invalid to 'a': expected NODE:PORT or NODE:FIRST-LAST (ports 1-65535)" },
	{ NET1 "[node a]\nnics = n1:10.1.0.5\n" FWD "to = a:80-82\n",
	  "line 6: forward f: 1 host ports cannot map onto 3 guest ports" },
	{ NET1 "[node a]\nnics = n1:10.1.0.5\n" FWD "to = a:80\n[forward g]\nnetwork = n1\n"
	  "proto = tcp\nhost-port = 8000-8080\nto = a:1000-1080\n",
	  "line 11: forward g claims the same host ports as forward f" },
	{ NET1 "[node a]\nnics = n1:10.1.0.5\n" FWD "to = a:80\nlisten = 1\n",
	  "line 11: unknown key 'listen' in [forward f] (expected network, proto, host-port, "
	  "host-address, to)" },
	{ NET1 "[forward Bad]\n", "line 4: invalid forward name 'Bad': expected 1-63 characters from "
				  "a-z, 0-9, '_', '.' and '-', starting with a letter or digit" },
	{ "[node]\n", "line 1: [node] needs a name: [node NAME]" },
	{ "[node Web]\n", "line 1: invalid node name 'Web': expected 1-32 characters from a-z, 0-9, "
			  "'_' and '-', starting with a letter or digit" },
	{ "x = 1\n", "line 1: key 'x' before the first section" },
	{ NET1 "[node a]\nnics = n1:10.1.0.150\n",
	  "line 4: node a: address 10.1.0.150 is inside the DHCP range 10.1.0.100-10.1.0.200 of "
	  "network n1 (set its dhcp-range to leave room, or dhcp = no)" },
	{ NET1 "[node a]\nnics = n1:10.2.0.5\n",
	  "line 4: node a: address 10.2.0.5 is not in subnet 10.1.0.0/24 of network n1" },
	{ NET1 "[node a]\nnics = n1:10.1.0.1\n", "line 4: node a: address 10.1.0.1 is the gateway "
						"of network n1" },
	{ NET1 "[node a]\nnics = n1:10.1.0.255\n", "line 4: node a: address 10.1.0.255 is the "
						 "network or broadcast address of n1" },
	{ NET1 "[node a]\nnics = n1:10.1.0.5\n[node b]\nnics = n1:10.1.0.5\n",
	  "line 6: node b: address 10.1.0.5 on n1 is already node a's" },
	{ NET1 "[node a]\nnics = n1 n1\n", "line 5: invalid nics: network n1 is listed twice" },
	{ NET1 "[node a]\nnics = n1:10.1.0.999\n",
	  "line 5: invalid nics item 'n1:10.1.0.999': '10.1.0.999' is not an IPv4 address" },
	{ NET1 "[node a]\nnics = ,\n", "line 5: invalid nics '': expected NETWORK[:ADDRESS] ..." },
	{ NET1 "[node a]\nnics = n1\nmemory = 512\n", "line 6: key 'memory' of node a needs kind = qemu" },
	{ NET1 "[node a]\nkind = vm\n", "line 5: invalid kind 'vm': expected netns or qemu" },
	{ NET1 "[node a]\nnics = n1\nnic.n2.rate = 1mbit\n",
	  "line 6: node a has no nic on network 'n2' (add it to nics)" },
	{ NET1 "[node a]\nnics = n1\nnic.n1.jitter = 1ms\n",
	  "line 4: node a: nic.n1.jitter needs a nic.n1.delay" },
	{ NET1 "[node a]\nnics = n1\nnic.n1.speed = 1\n",
	  "line 6: unknown key 'nic.n1.speed' in [node a] (impairments are nic.NETWORK.rate, .loss, "
	  ".delay or .jitter)" },
	{ NET1 "[node a]\nnics = n1\nnic.n1.rate = 10\n",
	  "line 6: invalid rate '10': expected a whole number with the unit kbit, mbit or gbit, "
	  "from 8kbit to 100gbit (e.g. 10mbit), or none" },
	{ NET1 "[node a]\nnics = n1\nnic.n1.loss = 101%\n",
	  "line 6: invalid loss '101%': expected a percentage from 0 to 100 with at most two "
	  "decimals (e.g. 5% or 0.5%)" },
	{ NET1 "[node a]\nnics = n1\nlisten = 80 0\n",
	  "line 6: invalid listen '80 0': expected TCP ports from 1 to 65535" },
	{ NET1 "[node a]\nnics = n1\nlisten = 80,80\n", "line 6: listen: port 80 given twice" },
	{ NET1 "[node a]\nnics = n1\nlisten = ,\n",
	  "line 6: invalid listen ',': expected TCP ports from 1 to 65535" },
	{ NET1 "[node a]\nkind = qemu\nnics = n1\ncpus = 0\n",
	  "line 7: invalid cpus '0': expected a number from 1 to 64" },
	{ NET1 "[node a]\nkind = qemu\nnics = n1\nmemory = 16\n",
	  "line 7: invalid memory '16': expected MiB from 32 to 1048576, optionally with the suffix "
	  "M or G (e.g. 256 or 1G)" },
	{ NET1 "[node a]\nnics = n1\n[check c]\nfrom = a\nto = b\nexpect = open\n",
	  "line 6: check c: unknown node 'b' in to" },
	{ NET1 "[node a]\nnics = n1\n[check c]\nfrom = a\nto = a:22\nexpect = open\n",
	  "line 6: check c: from and to are the same node (a)" },
	{ NET1 "[node a]\nnics = n1\n[check c]\nfrom = a\nto = a\n", "line 6: check c needs 'expect ='" },
	{ NET1 "[check c]\nto = a:0\n",
	  "line 5: invalid to 'a:0': expected NODE (ping) or NODE:PORT (TCP, 1-65535)" },
	{ NET1 "[check c]\nexpect = maybe\n", "line 5: invalid expect 'maybe': expected open or closed" },
	{ "[network n1]\nsubnet = 10.1.0.1/24\n",
	  "line 2: invalid subnet '10.1.0.1/24': host bits set" },
	{ "[network n1]\nmode = nat\n", "line 1: network n1: subnet is required" },
	{ "[lab]\nname = x\n[lab]\n", "line 3: duplicate section [lab] (first on line 1)" },
	{ "[lab]\nname = X\n", "line 2: invalid lab name 'X': expected 1-32 characters from a-z, "
			       "0-9, '_' and '-', starting with a letter or digit" },
	{ "[lab]\nname = x\nnot a pair\n", "line 3: expected 'key = value', '[section]' or a comment" },
	{ "[lab]\nname = x\0y\n", "line 2: NUL byte" },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		size_t len = strlen(bc->text);
		struct lab_config c;
		char err[512] = "";
		int r;

		if (strstr(bc->err, "NUL byte"))
			len += 3; /* the text goes on after its NUL */
		r = lab_config_parse(bc->text, len, "t", &c, err, sizeof(err));
		if (r != -EINVAL)
			fail_msg("case %zu: parse returned %d, expected -EINVAL (%s)", i, r, err);
		if (strcmp(err, bc->err) != 0)
			fail_msg("case %zu:\n  got      %s\n  expected %s", i, err, bc->err);
		assert_null(c.networks);
		assert_null(c.nodes);
		assert_null(c.checks);
		assert_int_equal(c.n_nodes, 0);
	}
}

static void test_impair(void **state)
{
	static const struct { const char *key, *in, *out; } ok[] = {
		{ "rate", "10mbit", "10mbit" }, { "rate", "10MBit", "10mbit" },
		{ "rate", "1500kbit", "1500kbit" }, { "rate", "2000kbit", "2mbit" },
		{ "rate", "100gbit", "100gbit" }, { "rate", "none", "none" }, { "rate", "0", "none" },
		{ "loss", "5%", "5%" }, { "loss", "5", "5%" }, { "loss", "0.5%", "0.5%" },
		{ "loss", "12.25", "12.25%" }, { "loss", "100%", "100%" }, { "loss", "0", "0%" },
		{ "delay", "20ms", "20ms" }, { "delay", "1000ms", "1s" }, { "delay", "250us", "250us" },
		{ "delay", "60s", "60s" }, { "jitter", "none", "none" },
	};
	static const struct { const char *key, *in; } bad[] = {
		{ "rate", "" }, { "rate", "mbit" }, { "rate", "7kbit" }, { "rate", "101gbit" },
		{ "rate", "-1mbit" }, { "rate", "1.5mbit" }, { "rate", "99999999999999999999kbit" },
		{ "loss", "" }, { "loss", "5.%" }, { "loss", "0.125" }, { "loss", "100.01" },
		{ "loss", "5%%" }, { "loss", "x" }, { "delay", "61s" }, { "delay", "20" },
		{ "delay", "20 ms" }, { "jitter", "5MS" },
	};
	struct lab_impair imp = { 0 }, before;
	char buf[24], err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (lab_impair_set(&imp, ok[i].key, ok[i].in, err, sizeof(err)) != 0)
			fail_msg("%s=%s: %s", ok[i].key, ok[i].in, err);
		assert_string_equal(lab_impair_to_string(&imp, ok[i].key, buf, sizeof(buf)),
				    ok[i].out);
	}
	imp = (struct lab_impair){ .rate_kbit = 3000, .loss = 7, .delay_usec = 9, .jitter_usec = 1 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		before = imp;
		if (lab_impair_set(&imp, bad[i].key, bad[i].in, err, sizeof(err)) != -EINVAL)
			fail_msg("%s=%s accepted", bad[i].key, bad[i].in);
		assert_memory_equal(&imp, &before, sizeof(imp));
		assert_null(strchr(err, '\n'));
	}
	assert_int_equal(lab_impair_set(&imp, "corrupt", "1%", err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "unknown impairment 'corrupt' (expected rate, loss, delay or jitter)");
	assert_null(lab_impair_to_string(&imp, "corrupt", buf, sizeof(buf)));
}

static void test_overlap_and_limits(void **state)
{
	struct lab_config c;
	struct in_prefix p;
	char err[256] = "";
	char *text;
	size_t len = 0, cap = 64 * (LAB_NODES_MAX + 2);
	int r;

	(void)state;
	assert_int_equal(lab_config_parse(full_lab, strlen(full_lab), NULL, &c, err, sizeof(err)),
			 0);
	assert_int_equal(in_prefix_from_string("10.70.2.128/25", &p), 0);
	assert_string_equal(lab_config_find_overlap(&c, &p)->config.name, "back");
	assert_int_equal(in_prefix_from_string("10.0.0.0/8", &p), 0);
	assert_string_equal(lab_config_find_overlap(&c, &p)->config.name, "front");
	assert_int_equal(in_prefix_from_string("10.71.0.0/16", &p), 0);
	assert_null(lab_config_find_overlap(&c, &p));
	lab_config_done(&c);

	/* LAB_NODES_MAX nodes load; one more is refused with -E2BIG. */
	text = malloc(cap);
	assert_non_null(text);
	len += (size_t)snprintf(text, cap, "[network n]\nsubnet = 10.8.0.0/16\n");
	for (int i = 0; i <= LAB_NODES_MAX; i++) {
		if (i == LAB_NODES_MAX) {
			r = lab_config_parse(text, len, "big", &c, err, sizeof(err));
			if (r != 0)
				fail_msg("%d nodes: %s", i, err);
			assert_int_equal(c.n_nodes, LAB_NODES_MAX);
			lab_config_done(&c);
		}
		len += (size_t)snprintf(text + len, cap - len, "[node n%d]\nnics = n\n", i);
	}
	assert_int_equal(lab_config_parse(text, len, "big", &c, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "line 2051: more than 1024 nodes");
	assert_null(c.nodes);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_default_name),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_impair),
		cmocka_unit_test(test_overlap_and_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
