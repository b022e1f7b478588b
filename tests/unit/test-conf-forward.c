/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for config/conf-forward: the keys of a forward and their messages, the checks
 * against the network (guest address, range sizes and cap), overlap between forwards (proto,
 * ports, host addresses), default names, formatting, copies and equality.
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

#include "config/conf-forward.h"
#include "config/conf-network.h"
#include "shared/strbuf.h"

/* A finished network "lab" on 10.0.0.0/24 (gateway 10.0.0.1). */
static void network(struct network_config *c)
{
	char err[256] = "";

	network_config_init(c);
	assert_int_equal(network_config_set(c, "name", "lab", err, sizeof(err)), 0);
	assert_int_equal(network_config_set(c, "subnet", "10.0.0.0/24", err, sizeof(err)), 0);
	assert_int_equal(network_config_finish(c, err, sizeof(err)), 0);
}

/* Builds forward 'name' from its keys (addr may be NULL) and returns finish()'s result. */
static int forward(struct network_forward *f, const char *name, const char *proto,
		   const char *ports, const char *to, const char *addr, char *err, size_t errlen)
{
	struct network_config c;

	network(&c);
	network_forward_init(f);
	snprintf(f->name, sizeof(f->name), "%s", name);
	assert_int_equal(network_forward_set(f, "proto", proto, err, errlen), 0);
	assert_int_equal(network_forward_set(f, "host-port", ports, err, errlen), 0);
	assert_int_equal(network_forward_set(f, "to", to, err, errlen), 0);
	if (addr)
		assert_int_equal(network_forward_set(f, "host-address", addr, err, errlen), 0);
	return network_forward_finish(f, &c, err, errlen);
}

static void test_set_errors(void **state)
{
	struct network_forward f;
	char err[256];

	(void)state;
	network_forward_init(&f);
	assert_int_equal(network_forward_set(&f, "proto", "icmp", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "invalid proto 'icmp': must be tcp or udp");
	assert_int_equal(network_forward_set(&f, "proto", "TCP", err, sizeof(err)), -EINVAL);
	assert_int_equal(network_forward_set(&f, "host-port", "0", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "invalid host-port '0': expected PORT or FIRST-LAST, ports 1-65535");
	assert_int_equal(network_forward_set(&f, "host-port", "65536", err, sizeof(err)), -EINVAL);
	assert_int_equal(network_forward_set(&f, "host-port", "90-80", err, sizeof(err)), -EINVAL);
	assert_int_equal(network_forward_set(&f, "host-port", "8x", err, sizeof(err)), -EINVAL);
	assert_int_equal(network_forward_set(&f, "host-port", "", err, sizeof(err)), -EINVAL);
	assert_int_equal(network_forward_set(&f, "to", "10.0.0.5", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "invalid to '10.0.0.5': expected GUESTIP:PORT or GUESTIP:FIRST-LAST, "
			    "e.g. 192.168.122.10:80");
	assert_int_equal(network_forward_set(&f, "to", "10.0.0:80", err, sizeof(err)), -EINVAL);
	assert_int_equal(network_forward_set(&f, "to", "10.0.0.5:", err, sizeof(err)), -EINVAL);
	assert_int_equal(network_forward_set(&f, "host-address", "224.0.0.1", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "invalid host-address '224.0.0.1': expected a unicast IPv4 address");
	assert_int_equal(network_forward_set(&f, "host-address", "0.0.0.0", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(network_forward_set(&f, "port", "1", err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "unknown key 'port' in [forward]");
	/* Nothing was set by the failures. */
	assert_false(f.has_proto);
	assert_int_equal(f.host_port_first, 0);
	assert_false(f.has_to);
	assert_false(f.has_host_address);
}

static void test_finish(void **state)
{
	struct network_forward f;
	char err[256];

	(void)state;
	assert_int_equal(forward(&f, "web", "tcp", "8080", "10.0.0.10:80", NULL, err, sizeof(err)),
			 0);
	assert_int_equal(f.proto, FORWARD_PROTO_TCP);
	assert_int_equal(f.to_port_first, 80);
	assert_int_equal(f.to_port_last, 80);

	/* A single guest port with a host range is the range starting there. */
	assert_int_equal(forward(&f, "r", "udp", "5000-5009", "10.0.0.10:6000", NULL, err,
				 sizeof(err)), 0);
	assert_int_equal(f.to_port_last, 6009);
	assert_int_equal(forward(&f, "r", "udp", "5000-5009", "10.0.0.10:6000-6009", NULL, err,
				 sizeof(err)), 0);
	assert_int_equal(forward(&f, "r", "udp", "5000-5009", "10.0.0.10:6000-6008", NULL, err,
				 sizeof(err)), -EINVAL);
	assert_string_equal(err, "forward r: 10 host ports cannot map onto 9 guest ports");
	assert_int_equal(forward(&f, "r", "tcp", "1000-1256", "10.0.0.10:1000", NULL, err,
				 sizeof(err)), -EINVAL);
	assert_string_equal(err, "forward r: host ports 1000-1256 are 257 ports, at most 256 allowed");
	assert_int_equal(forward(&f, "r", "tcp", "1000-1255", "10.0.0.10:65500", NULL, err,
				 sizeof(err)), -EINVAL);
	assert_string_equal(err, "forward r: guest ports from 65500 would pass 65535");

	/* The guest address: inside the subnet, not network, gateway or broadcast. */
	assert_int_equal(forward(&f, "x", "tcp", "80", "10.0.1.5:80", NULL, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "forward x: 10.0.1.5 is not a guest address of network lab "
			    "(10.0.0.0/24)");
	assert_int_equal(forward(&f, "x", "tcp", "80", "10.0.0.1:80", NULL, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(forward(&f, "x", "tcp", "80", "10.0.0.0:80", NULL, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(forward(&f, "x", "tcp", "80", "10.0.0.255:80", NULL, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(forward(&f, "x", "tcp", "80", "10.0.0.254:80", NULL, err, sizeof(err)),
			 0);
	assert_int_equal(forward(&f, "Bad", "tcp", "80", "10.0.0.5:80", NULL, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "invalid forward name 'Bad': expected [a-z0-9][a-z0-9_.-]{0,62}");
}

static void test_missing_keys(void **state)
{
	struct network_config c;
	struct network_forward f;
	char err[256];

	(void)state;
	network(&c);
	network_forward_init(&f);
	strcpy(f.name, "web");
	assert_int_equal(network_forward_finish(&f, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "missing key 'proto' in [forward web]");
	assert_int_equal(network_forward_set(&f, "proto", "udp", err, sizeof(err)), 0);
	assert_int_equal(network_forward_finish(&f, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "missing key 'host-port' in [forward web]");
	assert_int_equal(network_forward_set(&f, "host-port", "53", err, sizeof(err)), 0);
	assert_int_equal(network_forward_finish(&f, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "missing key 'to' in [forward web]");
}

static void test_overlap_and_set(void **state)
{
	struct network_forwards fs = { 0 }, copy;
	struct network_forward a, b;
	struct in_addr addr;
	char err[256], name[FORWARD_NAME_MAX + 1];

	(void)state;
	assert_int_equal(forward(&a, "web", "tcp", "8080-8089", "10.0.0.10:80", NULL, err,
				 sizeof(err)), 0);
	assert_int_equal(network_forwards_add(&fs, &a, err, sizeof(err)), 0);
	assert_int_equal(network_forwards_add(&fs, &a, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "forward web already exists");

	/* Same ports on udp: no clash. */
	assert_int_equal(forward(&b, "dns", "udp", "8080", "10.0.0.10:53", NULL, err, sizeof(err)),
			 0);
	assert_int_equal(network_forwards_add(&fs, &b, err, sizeof(err)), 0);
	/* Inside the range, on any or on one address: clash. */
	assert_int_equal(forward(&b, "b", "tcp", "8085", "10.0.0.11:80", "192.0.2.1", err,
				 sizeof(err)), 0);
	assert_true(network_forward_overlaps(&a, &b));
	assert_int_equal(network_forwards_add(&fs, &b, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "tcp host port 8085 is already forwarded by web");
	assert_int_equal(fs.n, 2);

	/* Two distinct host addresses share a port; "any" then clashes with both. */
	assert_int_equal(forward(&a, "a1", "tcp", "443", "10.0.0.10:443", "192.0.2.1", err,
				 sizeof(err)), 0);
	assert_int_equal(forward(&b, "a2", "tcp", "443", "10.0.0.11:443", "192.0.2.2", err,
				 sizeof(err)), 0);
	assert_false(network_forward_overlaps(&a, &b));
	assert_int_equal(network_forwards_add(&fs, &a, err, sizeof(err)), 0);
	assert_int_equal(network_forwards_add(&fs, &b, err, sizeof(err)), 0);
	network_forward_default_name(&b, name);
	assert_string_equal(name, "tcp-443-192.0.2.2");
	assert_int_equal(forward(&b, "any", "tcp", "400-500", "10.0.0.12:400", NULL, err,
				 sizeof(err)), 0);
	assert_int_equal(network_forwards_add(&fs, &b, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "tcp host port 443 is already forwarded by a1");
	network_forward_default_name(&b, name);
	assert_string_equal(name, "tcp-400-500");

	/* Lookups by first host port and address. */
	assert_int_equal(in_addr_from_string("192.0.2.2", &addr), 0);
	assert_string_equal(network_forwards_find_port(&fs, FORWARD_PROTO_TCP, 443, &addr)->name,
			    "a2");
	assert_null(network_forwards_find_port(&fs, FORWARD_PROTO_TCP, 443, NULL));
	assert_string_equal(network_forwards_find_port(&fs, FORWARD_PROTO_TCP, 8080, NULL)->name,
			    "web");
	assert_null(network_forwards_find_port(&fs, FORWARD_PROTO_TCP, 8081, NULL));
	assert_string_equal(network_forwards_find(&fs, "dns")->name, "dns");

	assert_int_equal(network_forwards_copy(&copy, &fs), 0);
	assert_true(network_forwards_equal(&copy, &fs));
	assert_int_equal(network_forwards_remove(&copy, "dns"), 0);
	assert_int_equal(network_forwards_remove(&copy, "dns"), -ENOENT);
	assert_false(network_forwards_equal(&copy, &fs));
	assert_string_equal(copy.items[1].name, "a1");
	network_forwards_done(&copy);
	network_forwards_done(&fs);
}

static void test_format_and_check(void **state)
{
	struct network_forwards fs = { 0 };
	struct network_forward f;
	struct network_config c;
	struct strbuf sb = STRBUF_INIT;
	char err[256], *text = NULL;

	(void)state;
	assert_int_equal(forward(&f, "web", "tcp", "8080", "10.0.0.10:80", NULL, err, sizeof(err)),
			 0);
	assert_int_equal(network_forwards_add(&fs, &f, err, sizeof(err)), 0);
	assert_int_equal(forward(&f, "games", "udp", "27000-27009", "10.0.0.20:27000", "192.0.2.7",
				 err, sizeof(err)), 0);
	assert_int_equal(network_forwards_add(&fs, &f, err, sizeof(err)), 0);
	assert_int_equal(network_forwards_format(&fs, &sb), 0);
	assert_int_equal(strbuf_steal(&sb, &text), 0);
	assert_string_equal(text,
			    "\n[forward web]\nproto = tcp\nhost-port = 8080\nto = 10.0.0.10:80\n"
			    "\n[forward games]\nproto = udp\nhost-port = 27000-27009\n"
			    "to = 10.0.0.20:27000-27009\nhost-address = 192.0.2.7\n");
	free(text);

	network(&c);
	assert_int_equal(network_forwards_check(&fs, &c, err, sizeof(err)), 0);
	assert_int_equal(in_prefix_from_string("10.0.0.0/29", &c.subnet), 0);
	assert_int_equal(network_forwards_check(&fs, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "forward web: 10.0.0.10 is not a guest address of network lab "
			    "(10.0.0.0/29)");
	network_forwards_done(&fs);
}

static const char definition[] =
	"[network]\n"
	"mode = nat\n"
	"subnet = 10.0.0.0/24\n"
	"\n"
	"[forward web]\n"
	"proto = tcp\n"
	"host-port = 8080\n"
	"to = 10.0.0.10:80\n"
	"\n"
	"[forward games]\n"
	"proto = udp\n"
	"host-port = 27000-27009\n"
	"to = 10.0.0.20:27000-27009\n"
	"host-address = 192.0.2.7\n";

/* Parses 'text' as network "lab" with forwards; returns the result, reason in 'err'. */
static int parse(const char *text, struct network_forwards *fs, char *err, size_t errlen)
{
	struct network_config c;

	return network_config_parse_full(text, strlen(text), "lab", &c, NULL, NULL, NULL, fs, err,
					 errlen);
}

static void test_file_round_trip(void **state)
{
	struct network_forwards fs, again;
	struct network_config c;
	char err[256] = "", *text = NULL;

	(void)state;
	assert_int_equal(network_config_parse_full(definition, strlen(definition), "lab", &c, NULL,
						   NULL, NULL, &fs, err, sizeof(err)), 0);
	assert_int_equal(fs.n, 2);
	assert_string_equal(fs.items[1].name, "games");
	assert_int_equal(network_config_format_full(&c, NULL, NULL, NULL, &fs, &text), 0);
	assert_string_equal(text, definition);
	assert_int_equal(parse(text, &again, err, sizeof(err)), 0);
	assert_true(network_forwards_equal(&fs, &again));
	free(text);
	network_forwards_done(&again);

	/* Without a place for them, forwards are refused. */
	assert_int_equal(network_config_parse(definition, strlen(definition), "lab", &c, NULL, NULL,
					      NULL, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 5: [forward] sections are not allowed here");
	network_forwards_done(&fs);
}

static void test_file_errors(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "[network]\nsubnet = 10.0.0.0/24\n[forward]\n",
		  "line 3: expected [forward NAME]" },
		{ "[network]\nsubnet = 10.0.0.0/24\n[forward Web]\n",
		  "line 3: invalid forward name 'Web': expected [a-z0-9][a-z0-9_.-]{0,62}" },
		{ "[network]\nsubnet = 10.0.0.0/24\n[forward w]\nport = 1\n",
		  "line 4: unknown key 'port' in [forward w]" },
		{ "[network]\nsubnet = 10.0.0.0/24\n[forward w]\nproto = tcp\nproto = udp\n",
		  "line 5: duplicate key 'proto' in [forward w] (first set on line 4)" },
		{ "[network]\nsubnet = 10.0.0.0/24\n[forward w]\nproto = sctp\n",
		  "line 4: invalid proto 'sctp': must be tcp or udp" },
		{ "[network]\nsubnet = 10.0.0.0/24\n[forward w]\nproto = tcp\nhost-port = 80\n",
		  "line 3: missing key 'to' in [forward w]" },
		{ "[network]\nsubnet = 10.0.0.0/24\n[forward w]\nproto = tcp\nhost-port = 80\n"
		  "to = 10.9.0.5:80\n",
		  "line 3: forward w: 10.9.0.5 is not a guest address of network lab (10.0.0.0/24)" },
		{ "[network]\nsubnet = 10.0.0.0/24\n[forward a]\nproto = tcp\nhost-port = 80\n"
		  "to = 10.0.0.5:80\n[forward b]\nproto = tcp\nhost-port = 70-90\n"
		  "to = 10.0.0.6:70\n",
		  "line 7: tcp host port 80 is already forwarded by a" },
		{ "[network]\nsubnet = 10.0.0.0/24\n[forward a]\nproto = tcp\nhost-port = 80\n"
		  "to = 10.0.0.5:80\n[forward a]\nproto = udp\nhost-port = 80\n"
		  "to = 10.0.0.6:80\n",
		  "line 7: forward a already exists" },
	};
	struct network_forwards fs;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].text, &fs, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, cases[i].err);
		assert_int_equal(fs.n, 0);
		assert_null(fs.items);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_finish),
		cmocka_unit_test(test_missing_keys),
		cmocka_unit_test(test_overlap_and_set),
		cmocka_unit_test(test_format_and_check),
		cmocka_unit_test(test_file_round_trip),
		cmocka_unit_test(test_file_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
