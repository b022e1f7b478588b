/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for cli/graph-dot: the DOT text of a topology document. Pure (no daemon, no
 * Graphviz): each test renders a small document into memory and checks what a reader of the
 * picture relies on: every name and address is on it, strings are escaped, node ids are
 * generated, modes are told apart, forwards are drawn, and a bare document still renders.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/graph-dot.h"

/* Renders the JSON text 'doc' and returns the DOT text (caller frees). */
static char *render(const char *doc)
{
	json_error_t jerr;
	json_t *topo = json_loads(doc, 0, &jerr);
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	assert_non_null(topo);
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	assert_int_equal(graph_dot_render(topo, out), 0);
	assert_int_equal(fclose(out), 0);
	json_decref(topo);
	assert_non_null(buf);
	return buf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static const char two_networks[] =
	"{\"networks\": ["
	" {\"name\": \"web\", \"mode\": \"nat\", \"subnet\": \"10.70.0.0/24\", \"gateway\": \"10.70.0.1\","
	"  \"bridge\": \"kn-web\", \"state\": \"active\", \"dhcp\": true, \"domain\": \"web.kvmnet\","
	"  \"dhcp-range\": \"10.70.0.2-10.70.0.254\","
	"  \"hosts\": [{\"mac\": \"52:54:00:00:00:10\", \"ip\": \"10.70.0.10\", \"hostname\": \"www\"}]},"
	" {\"name\": \"backend\", \"mode\": \"isolated\", \"subnet\": \"10.71.0.0/24\","
	"  \"gateway\": \"10.71.0.1\", \"bridge\": \"kn-backend\", \"state\": \"active\", \"hosts\": []}],"
	" \"ports\": ["
	" {\"name\": \"vm-www\", \"network\": \"web\", \"mac\": \"52:54:00:00:00:10\", \"state\": \"up\"},"
	" {\"name\": \"vm-db\", \"network\": \"backend\", \"mac\": \"52:54:00:00:00:20\", \"state\": \"up\"}],"
	" \"leases\": ["
	" {\"network\": \"backend\", \"mac\": \"52:54:00:00:00:20\", \"ip\": \"10.71.0.77\","
	"  \"hostname\": \"db1\", \"expires\": 1}]}";

static void test_everything_is_named(void **state)
{
	char *dot = render(two_networks);

	(void)state;
	assert_true(strncmp(dot, "digraph kvmnet {", 16) == 0);
	assert_int_equal(dot[strlen(dot) - 2], '}');
	for (const char *const *w = (const char *const[]){ "web (nat)", "backend (isolated)",
			"10.70.0.0/24", "10.71.0.0/24", "gateway 10.70.0.1", "kn-web", "kn-backend",
			"port vm-www", "port vm-db", "www", "10.70.0.10", "db1", "10.71.0.77",
			"52:54:00:00:00:20", "web.kvmnet", NULL }; *w; w++)
		if (!strstr(dot, *w))
			fail_msg("'%s' is not on the picture:\n%s", *w, dot);
	/* the reserved host without a lease is drawn dashed, the leased guest is not */
	assert_non_null(strstr(dot, "reserved, no lease"));
	free(dot);
}

static void test_modes_differ(void **state)
{
	char *dot = render(two_networks);
	const char *nat = strstr(dot, "web (nat)"), *iso = strstr(dot, "backend (isolated)");

	(void)state;
	assert_non_null(nat);
	assert_non_null(iso);
	/* the isolated network carries its fence (legend and cluster), the nat one does not */
	assert_true(count(dot, "no way out") >= 2);
	assert_non_null(strstr(dot, "#c0392b"));
	assert_non_null(strstr(dot, "#1f6fb2"));
	free(dot);
}

static void test_hostile_strings_are_escaped(void **state)
{
	char *dot = render("{\"networks\": [{\"name\": \"a\\\"];evil[\", \"mode\": \"nat\","
			   " \"subnet\": \"10.1.0.0/24\", \"hosts\": []}],"
			   " \"ports\": [{\"name\": \"p\\\\\", \"network\": \"a\\\"];evil[\"}],"
			   " \"leases\": [{\"network\": \"a\\\"];evil[\", \"mac\": \"52:54:00:00:00:01\","
			   " \"ip\": \"10.1.0.5\", \"hostname\": \"x\\ny\"}]}");

	(void)state;
	assert_null(strstr(dot, "a\"];evil["));
	assert_non_null(strstr(dot, "a\\\"];evil["));
	/* a backslash at the end of a name cannot swallow the closing quote */
	assert_null(strstr(dot, "port p\\\""));
	/* a newline from a guest does not start a new DOT statement */
	assert_null(strstr(dot, "x\ny"));
	/* node ids are generated: no name ever appears outside quotes as an id */
	assert_null(strstr(dot, "\tevil"));
	free(dot);
}

static void test_escape(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	graph_dot_escape(out, "q\"b\\n\nl<>{}");
	fclose(out);
	assert_null(strchr(buf, '\n'));
	assert_non_null(strstr(buf, "q\\\""));
	assert_non_null(strstr(buf, "b\\\\n"));
	free(buf);
}

static void test_forwards_are_arrows(void **state)
{
	char *dot = render("{\"networks\": [{\"name\": \"web\", \"mode\": \"nat\", \"subnet\": \"10.70.0.0/24\","
			   " \"hosts\": []}], \"ports\": [],"
			   " \"leases\": [{\"network\": \"web\", \"mac\": \"52:54:00:00:00:10\","
			   " \"ip\": \"10.70.0.10\", \"hostname\": \"www\"}],"
			   " \"forwards\": [{\"network\": \"web\", \"proto\": \"tcp\", \"host-port\": 8080,"
			   " \"to-ip\": \"10.70.0.10\", \"to-port\": 80}]}");

	(void)state;
	assert_non_null(strstr(dot, "outside ->"));
	assert_non_null(strstr(dot, "8080"));
	assert_non_null(strstr(dot, "forward "));
	free(dot);
}

static void test_empty_and_odd_documents(void **state)
{
	char *dot;

	(void)state;
	dot = render("{\"networks\": [], \"ports\": [], \"leases\": []}");
	assert_non_null(strstr(dot, "digraph kvmnet"));
	free(dot);
	/* missing arrays, wrong types and an unknown mode still give a picture */
	dot = render("{\"networks\": [{\"name\": 7, \"mode\": \"warp\"}, {}], \"ports\": 3}");
	assert_non_null(strstr(dot, "digraph kvmnet"));
	assert_int_equal(dot[strlen(dot) - 2], '}');
	free(dot);
}

/* A lab: node 'app' on two networks is one shape joined to both of its ports; its leases are not
 * drawn as guests of their own; a forward to a node's address points at the node. */
static const char lab_doc[] =
	"{\"networks\": ["
	" {\"name\": \"front\", \"mode\": \"nat\", \"subnet\": \"10.80.1.0/24\", \"gateway\": \"10.80.1.1\","
	"  \"bridge\": \"kn-front\", \"state\": \"active\", \"hosts\": ["
	"  {\"mac\": \"0a:00:00:00:00:01\", \"ip\": \"10.80.1.20\"}]},"
	" {\"name\": \"back\", \"mode\": \"isolated\", \"subnet\": \"10.80.2.0/24\", \"gateway\": \"10.80.2.1\","
	"  \"bridge\": \"kn-back\", \"state\": \"active\", \"hosts\": []}],"
	" \"ports\": ["
	" {\"name\": \"klapp0\", \"network\": \"front\", \"mac\": \"0a:00:00:00:00:01\", \"state\": \"up\","
	"  \"lab\": \"webapp\", \"node\": \"app\"},"
	" {\"name\": \"klapp1\", \"network\": \"back\", \"mac\": \"0a:00:00:00:00:02\", \"state\": \"up\","
	"  \"lab\": \"webapp\", \"node\": \"app\"},"
	" {\"name\": \"klweb0\", \"network\": \"front\", \"mac\": \"0a:00:00:00:00:03\", \"state\": \"up\","
	"  \"lab\": \"webapp\", \"node\": \"web\"}],"
	" \"leases\": [{\"network\": \"back\", \"mac\": \"0a:00:00:00:00:02\", \"ip\": \"10.80.2.50\"},"
	"  {\"network\": \"front\", \"mac\": \"0a:00:00:00:00:03\", \"ip\": \"10.80.1.77\"}],"
	" \"forwards\": [{\"proto\": \"tcp\", \"host-port\": 8080, \"to-ip\": \"10.80.1.77\", \"to-port\": 80}],"
	" \"labs\": [{\"name\": \"webapp\", \"state\": \"up\", \"checks-failed\": 1,"
	"  \"checks\": [{\"name\": \"a\"}, {\"name\": \"b\"}],"
	"  \"nodes\": [{\"name\": \"app\", \"kind\": \"netns\", \"state\": \"up\", \"namespace\": \"kl-webapp-app\","
	"   \"nics\": [{\"ifname\": \"eth0\", \"network\": \"front\", \"address\": \"10.80.1.20\"},"
	"    {\"ifname\": \"eth1\", \"network\": \"back\", \"address\": \"10.80.2.50\", \"rate\": \"2mbit\","
	"     \"loss\": \"5%\"}]},"
	"   {\"name\": \"web\", \"kind\": \"qemu\", \"state\": \"booting\","
	"   \"nics\": [{\"ifname\": \"eth0\", \"network\": \"front\", \"dhcp\": true, \"link\": \"down\"}]}]}]}";

static void test_lab_nodes_drawn_once(void **state)
{
	char *dot = render(lab_doc);

	(void)state;
	assert_int_equal(count(dot, "subgraph cluster_l0 {"), 1);
	assert_non_null(strstr(dot, "label=\"lab webapp (up, 1 of 2 checks passed)\\l\""));
	/* one shape per node, with kind, namespace, each nic and its impairments */
	assert_int_equal(count(dot, "label=\"node app\\nnetns\\nkl-webapp-app\\neth0 10.80.1.20 "
				    "(front)\\neth1 10.80.2.50 (back)\\n  rate 2mbit loss 5%\"]"), 1);
	assert_non_null(strstr(dot, "l0n1 [shape=box3d, style=\"filled,dashed\""));
	assert_non_null(strstr(dot, "node web\\nQEMU guest\\neth0 (DHCP, no address yet) (front)"
				    "\\n  link down\\nbooting\""));
	/* both of app's ports lead to the one shape; no guest ovals for lab nodes */
	assert_non_null(strstr(dot, "n0p0 -> l0n0;"));
	assert_non_null(strstr(dot, "n1p0 -> l0n0;"));
	assert_non_null(strstr(dot, "n0p1 -> l0n1;"));
	assert_int_equal(count(dot, "shape=ellipse"), 0);
	/* the port boxes do not repeat what the node's shape says */
	assert_null(strstr(dot, "\\nlab webapp"));
	/* the forward to web's leased address points at web's shape */
	assert_non_null(strstr(dot, "outside -> l0n1 [color=\"#c0392b\""));
	free(dot);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_everything_is_named),
		cmocka_unit_test(test_modes_differ),
		cmocka_unit_test(test_hostile_strings_are_escaped),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_forwards_are_arrows),
		cmocka_unit_test(test_empty_and_odd_documents),
		cmocka_unit_test(test_lab_nodes_drawn_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
