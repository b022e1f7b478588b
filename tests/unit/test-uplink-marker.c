/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for daemon/lan/uplink-marker against files in a tmpdir: a marker with every field
 * set comes back the same, a missing one is -ENOENT, and a damaged or hostile one (bad JSON,
 * wrong types, out-of-range numbers, too many entries, names too long) is -EBADMSG, never a
 * partly filled record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/lan/uplink-marker.h"

static char tmpdir[64];

static int setup(void **state)
{
	strcpy(tmpdir, "/tmp/kn-uplink-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static struct uplink_marker *sample(void)
{
	struct uplink_marker *mk = calloc(1, sizeof(*mk));

	assert_non_null(mk);
	strcpy(mk->uplink, "eth0");
	strcpy(mk->bridge, "kn-lan");
	mk->uplink_was_up = true;
	mk->n_addrs = 2;
	mk->addrs[0] = (struct nl_addr_info){ .addr = ip("192.168.1.5"), .prefixlen = 24,
					      .peer = ip("192.168.1.5"),
					      .broadcast = ip("192.168.1.255"), .flags = 0x80,
					      .valid_sec = UINT32_MAX, .preferred_sec = UINT32_MAX,
					      .label = "eth0" };
	mk->addrs[1] = (struct nl_addr_info){ .addr = ip("10.0.0.1"), .prefixlen = 32,
					      .peer = ip("10.0.0.2"), .scope = 253,
					      .rt_priority = 77, .valid_sec = 3600,
					      .preferred_sec = 1800, .label = "eth0:p2p" };
	mk->n_routes = 2;
	mk->routes[0] = (struct nl_route_spec){
		.base = { .dst = { ip("0.0.0.0"), 0 }, .table = 254, .type = 1, .protocol = 3 },
		.gateway = ip("192.168.1.1"), .prefsrc = ip("192.168.1.5"), .priority = 100,
		.metrics_len = 8, .metrics = { 8, 0, 2, 0, 0xdc, 5, 0, 0 } };
	mk->routes[1] = (struct nl_route_spec){
		.base = { .dst = { ip("192.0.2.0"), 24 }, .table = 1000, .type = 1, .protocol = 4 },
		.scope = 0, .tos = 0x10, .flags = 4, .via_family = AF_INET6 };
	assert_int_equal(inet_pton(AF_INET6, "fe80::1", &mk->routes[1].via), 1);
	mk->n_addrs6 = 1;
	mk->addrs6[0] = (struct nl_addr6_info){ .prefixlen = 64, .flags = 0x80, .rt_priority = 5,
						.valid_sec = UINT32_MAX, .preferred_sec = 100 };
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::2", &mk->addrs6[0].addr), 1);
	mk->n_routes6 = 1;
	mk->routes6[0] = (struct nl_route6_spec){ .dst_len = 48, .table = 254, .type = 1,
						  .protocol = 3, .priority = 1024, .pref = 1,
						  .has_pref = true, .metrics_len = 1,
						  .metrics = { 0xab } };
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:99::", &mk->routes6[0].dst), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &mk->routes6[0].gateway), 1);
	return mk;
}

static void test_round_trip(void **state)
{
	struct uplink_marker *mk = sample(), *back = NULL;

	assert_false(uplink_marker_exists(tmpdir, "lan"));
	assert_int_equal(uplink_marker_load(tmpdir, "lan", &back), -ENOENT);
	assert_int_equal(uplink_marker_save(tmpdir, "lan", mk), 0);
	assert_true(uplink_marker_exists(tmpdir, "lan"));
	assert_int_equal(uplink_marker_load(tmpdir, "lan", &back), 0);
	assert_string_equal(back->uplink, "eth0");
	assert_string_equal(back->bridge, "kn-lan");
	assert_true(back->uplink_was_up);
	assert_false(back->complete);
	assert_int_equal(back->n_addrs, 2);
	assert_int_equal(back->n_routes, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct nl_addr_info *x = &mk->addrs[i], *y = &back->addrs[i];

		assert_int_equal(x->addr.s_addr, y->addr.s_addr);
		assert_int_equal(x->prefixlen, y->prefixlen);
		assert_int_equal(x->peer.s_addr, y->peer.s_addr);
		assert_int_equal(x->broadcast.s_addr, y->broadcast.s_addr);
		assert_int_equal(x->scope, y->scope);
		assert_int_equal(x->flags, y->flags);
		assert_int_equal(x->rt_priority, y->rt_priority);
		assert_int_equal(x->valid_sec, y->valid_sec);
		assert_int_equal(x->preferred_sec, y->preferred_sec);
		assert_string_equal(x->label, y->label);
	}
	for (size_t i = 0; i < 2; i++) {
		const struct nl_route_spec *x = &mk->routes[i], *y = &back->routes[i];

		assert_int_equal(x->base.dst.addr.s_addr, y->base.dst.addr.s_addr);
		assert_int_equal(x->base.dst.prefixlen, y->base.dst.prefixlen);
		assert_int_equal(x->base.table, y->base.table);
		assert_int_equal(x->base.type, y->base.type);
		assert_int_equal(x->base.protocol, y->base.protocol);
		assert_int_equal(x->scope, y->scope);
		assert_int_equal(x->tos, y->tos);
		assert_int_equal(x->flags, y->flags);
		assert_int_equal(x->gateway.s_addr, y->gateway.s_addr);
		assert_int_equal(x->prefsrc.s_addr, y->prefsrc.s_addr);
		assert_int_equal(x->priority, y->priority);
		assert_int_equal(x->via_family, y->via_family);
		assert_memory_equal(&x->via, &y->via, sizeof(x->via));
		assert_int_equal(x->metrics_len, y->metrics_len);
		assert_memory_equal(x->metrics, y->metrics, x->metrics_len);
	}
	assert_int_equal(back->n_addrs6, 1);
	assert_memory_equal(&back->addrs6[0].addr, &mk->addrs6[0].addr, 16);
	assert_int_equal(back->addrs6[0].prefixlen, 64);
	assert_int_equal(back->addrs6[0].flags, 0x80);
	assert_int_equal(back->addrs6[0].rt_priority, 5);
	assert_int_equal(back->addrs6[0].valid_sec, UINT32_MAX);
	assert_int_equal(back->addrs6[0].preferred_sec, 100);
	assert_int_equal(back->n_routes6, 1);
	assert_memory_equal(&back->routes6[0].dst, &mk->routes6[0].dst, 16);
	assert_memory_equal(&back->routes6[0].gateway, &mk->routes6[0].gateway, 16);
	assert_int_equal(back->routes6[0].dst_len, 48);
	assert_int_equal(back->routes6[0].priority, 1024);
	assert_true(back->routes6[0].has_pref);
	assert_int_equal(back->routes6[0].pref, 1);
	assert_int_equal(back->routes6[0].metrics_len, 1);
	assert_int_equal(back->routes6[0].metrics[0], 0xab);
	free(back);

	/* replaced as a whole */
	mk->complete = true;
	mk->n_routes = 0;
	assert_int_equal(uplink_marker_save(tmpdir, "lan", mk), 0);
	assert_int_equal(uplink_marker_load(tmpdir, "lan", &back), 0);
	assert_true(back->complete);
	assert_int_equal(back->n_routes, 0);
	free(back);

	assert_int_equal(uplink_marker_remove(tmpdir, "lan"), 0);
	assert_int_equal(uplink_marker_remove(tmpdir, "lan"), 0);
	assert_false(uplink_marker_exists(tmpdir, "lan"));
	free(mk);
}

static void write_marker(const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/uplinks/bad.json", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_damaged(void **state)
{
	static const char *const good_route = "{\"dst\": \"192.0.2.0/24\", \"table\": 254, "
		"\"type\": 1, \"protocol\": 3, \"scope\": 0, \"tos\": 0, \"flags\": 0, "
		"\"gateway\": \"0.0.0.0\", \"prefsrc\": \"0.0.0.0\", \"priority\": 0, "
		"\"via6\": \"\", \"metrics\": \"\"}";
	static const char *const cases[] = {
		"",
		"not json",
		"[]",
		"{\"uplink\": \"eth0\"}",
		"{\"uplink\": \"\", \"bridge\": \"b\", \"uplink-was-up\": true, \"complete\": true, "
		"\"addresses\": [], \"routes\": []}",
		"{\"uplink\": \"eth0-much-too-long\", \"bridge\": \"b\", \"uplink-was-up\": true, "
		"\"complete\": true, \"addresses\": [], \"routes\": []}",
		"{\"uplink\": \"eth0\", \"bridge\": \"b\", \"uplink-was-up\": 1, \"complete\": true, "
		"\"addresses\": [], \"routes\": []}",
		"{\"uplink\": \"eth0\", \"bridge\": \"b\", \"uplink-was-up\": true, \"complete\": true, "
		"\"addresses\": {}, \"routes\": []}",
		"{\"uplink\": \"eth0\", \"bridge\": \"b\", \"uplink-was-up\": true, \"complete\": true, "
		"\"addresses\": [{\"address\": \"1.2.3.4\"}], \"routes\": []}",
		"{\"uplink\": \"eth0\", \"bridge\": \"b\", \"uplink-was-up\": true, \"complete\": true, "
		"\"addresses\": [{\"address\": \"1.2.3.4\", \"prefixlen\": 33, \"peer\": \"1.2.3.4\", "
		"\"broadcast\": \"0.0.0.0\", \"scope\": 0, \"flags\": 0, \"metric\": 0, \"valid\": 1, "
		"\"preferred\": 1, \"label\": \"\"}], \"routes\": []}",
		"{\"uplink\": \"eth0\", \"bridge\": \"b\", \"uplink-was-up\": true, \"complete\": true, "
		"\"addresses\": [{\"address\": \"1.2.3.999\", \"prefixlen\": 24, \"peer\": \"1.2.3.4\", "
		"\"broadcast\": \"0.0.0.0\", \"scope\": 0, \"flags\": 0, \"metric\": 0, \"valid\": 1, "
		"\"preferred\": 1, \"label\": \"\"}], \"routes\": []}",
		"{\"uplink\": \"eth0\", \"bridge\": \"b\", \"uplink-was-up\": true, \"complete\": true, "
		"\"addresses\": [], \"routes\": [{\"dst\": \"192.0.2.0/24\", \"table\": 254, "
		"\"type\": 300, \"protocol\": 3, \"scope\": 0, \"tos\": 0, \"flags\": 0, "
		"\"gateway\": \"0.0.0.0\", \"prefsrc\": \"0.0.0.0\", \"priority\": 0, "
		"\"via6\": \"\", \"metrics\": \"\"}]}",
		"{\"uplink\": \"eth0\", \"bridge\": \"b\", \"uplink-was-up\": true, \"complete\": true, "
		"\"addresses\": [], \"routes\": [{\"dst\": \"192.0.2.0/24\", \"table\": 254, "
		"\"type\": 1, \"protocol\": 3, \"scope\": 0, \"tos\": 0, \"flags\": 0, "
		"\"gateway\": \"0.0.0.0\", \"prefsrc\": \"0.0.0.0\", \"priority\": 0, "
		"\"via6\": \"not-v6\", \"metrics\": \"\"}]}",
		"{\"uplink\": \"eth0\", \"bridge\": \"b\", \"uplink-was-up\": true, \"complete\": true, "
		"\"addresses\": [], \"routes\": [{\"dst\": \"192.0.2.0/24\", \"table\": 254, "
		"\"type\": 1, \"protocol\": 3, \"scope\": 0, \"tos\": 0, \"flags\": 0, "
		"\"gateway\": \"0.0.0.0\", \"prefsrc\": \"0.0.0.0\", \"priority\": 0, "
		"\"via6\": \"\", \"metrics\": \"abc\"}]}",
	};
	struct uplink_marker *mk = sample(), *back = NULL;
	char *many;
	size_t len = 0;

	/* makes uplinks/ */
	assert_int_equal(uplink_marker_save(tmpdir, "bad", mk), 0);
	free(mk);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_marker(cases[i]);
		assert_int_equal(uplink_marker_load(tmpdir, "bad", &back), -EBADMSG);
		assert_null(back);
	}
	/* a record of the version before IPv6 moved: no IPv6 arrays, none to give back */
	write_marker("{\"uplink\": \"eth0\", \"bridge\": \"b\", \"uplink-was-up\": true, "
		     "\"complete\": true, \"addresses\": [], \"routes\": []}");
	assert_int_equal(uplink_marker_load(tmpdir, "bad", &back), 0);
	assert_int_equal(back->n_addrs6 + back->n_routes6, 0);
	free(back);
	back = NULL;
	write_marker("{\"uplink\": \"eth0\", \"bridge\": \"b\", \"uplink-was-up\": true, "
		     "\"complete\": true, \"addresses\": [], \"routes\": [], "
		     "\"addresses6\": [{\"address\": \"1.2.3.4\", \"prefixlen\": 64, "
		     "\"scope\": 0, \"flags\": 0, \"metric\": 0, \"valid\": 1, "
		     "\"preferred\": 1}]}");
	assert_int_equal(uplink_marker_load(tmpdir, "bad", &back), -EBADMSG);
	assert_null(back);
	/* one route more than the limit */
	many = malloc(64 + (UPLINK_MARKER_ROUTE_MAX + 1) * (strlen(good_route) + 2) + 256);
	assert_non_null(many);
	len += sprintf(many, "{\"uplink\": \"eth0\", \"bridge\": \"b\", \"uplink-was-up\": true, "
		       "\"complete\": true, \"addresses\": [], \"routes\": [");
	for (size_t i = 0; i <= UPLINK_MARKER_ROUTE_MAX; i++)
		len += sprintf(many + len, "%s%s", i ? ", " : "", good_route);
	sprintf(many + len, "]}");
	write_marker(many);
	assert_int_equal(uplink_marker_load(tmpdir, "bad", &back), -EBADMSG);
	/* and at the limit it loads */
	many[len - strlen(good_route) - 2] = '\0';
	strcat(many, "]}");
	write_marker(many);
	assert_int_equal(uplink_marker_load(tmpdir, "bad", &back), 0);
	assert_int_equal(back->n_routes, UPLINK_MARKER_ROUTE_MAX);
	free(back);
	free(many);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_damaged),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
