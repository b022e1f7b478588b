/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for config/conf-port: the keys of a port and their messages, and the port set
 * (sorted by name, unique names and MACs, checks against the network's bridge and uplink, the
 * limit, removal, re-checks, copies and equality).
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

#include "config/conf-host.h"
#include "config/conf-network.h"
#include "config/conf-port.h"
#include "shared/alloc-util.h"

/* A finished network "lab" on 10.0.0.0/24, bridge kn-lab, and 'uplink' unless NULL. */
static void network(struct network_config *c, const char *uplink)
{
	char err[256] = "";

	network_config_init(c);
	assert_int_equal(network_config_set(c, "name", "lab", err, sizeof(err)), 0);
	assert_int_equal(network_config_set(c, "subnet", "10.0.0.0/24", err, sizeof(err)), 0);
	if (uplink)
		assert_int_equal(network_config_set(c, "uplink", uplink, err, sizeof(err)), 0);
	assert_int_equal(network_config_finish(c, err, sizeof(err)), 0);
}

/* A port named 'name', bound to 'mac' unless NULL, otherwise with the defaults. */
static struct network_port port(const char *name, const char *mac)
{
	struct network_port p;

	network_port_init(&p);
	assert_true(strlen(name) < sizeof(p.name));
	strcpy(p.name, name);
	if (mac) {
		assert_int_equal(mac_from_string(mac, p.mac), 0);
		p.has_mac = true;
	}
	return p;
}

static void add_ok(struct network_ports *ps, const struct network_config *c,
		   const struct network_port *p)
{
	char err[256] = "";
	int r = network_ports_add(ps, p, c, err, sizeof(err));

	if (r != 0)
		fail_msg("add %s: %s", p->name, err);
}

/* Adding fails with 'r' and exactly 'msg', and leaves 'ps' as it was. */
static void add_error(struct network_ports *ps, const struct network_config *c,
		      const struct network_port *p, int r, const char *msg)
{
	_cleanup_(network_ports_done) struct network_ports before = { 0 };
	char err[256] = "";

	assert_int_equal(network_ports_copy(&before, ps), 0);
	assert_int_equal(network_ports_add(ps, p, c, err, sizeof(err)), r);
	assert_string_equal(err, msg);
	assert_true(network_ports_equal(ps, &before));
}

static void set_ok(struct network_port *p, const char *key, const char *value)
{
	char err[256] = "";
	int r = network_port_set(p, key, value, err, sizeof(err));

	if (r != 0)
		fail_msg("set %s=%s: %s", key, value, err);
}

/* Setting fails with 'r' and exactly 'msg', and leaves the port as it was. */
static void set_error(const char *key, const char *value, int r, const char *msg)
{
	struct network_port p = port("tap0", "52:54:00:00:00:01"), before;
	char err[256] = "";

	p.has_owner = true;
	p.owner = 1000;
	p.queues = 4;
	p.rate_mbit = 100;
	memcpy(&before, &p, sizeof(p));
	assert_int_equal(network_port_set(&p, key, value, err, sizeof(err)), r);
	assert_string_equal(err, msg);
	assert_memory_equal(&p, &before, sizeof(p));
}

static void test_init(void **state)
{
	struct network_port p;

	memset(&p, 0xaa, sizeof(p));
	network_port_init(&p);
	assert_string_equal(p.name, "");
	assert_false(p.has_mac);
	assert_false(p.has_owner);
	assert_int_equal(p.queues, 1);
	assert_int_equal(p.rate_mbit, 0);
	for (size_t i = 0; i < sizeof(p.name); i++)
		assert_int_equal(p.name[i], 0);
}

static void test_set(void **state)
{
	struct network_port p;
	char buf[MAC_STRLEN];

	network_port_init(&p);
	set_ok(&p, "mac", "52-54-00-AB-cd-EF");
	assert_true(p.has_mac);
	assert_string_equal(mac_to_string(p.mac, buf), "52:54:00:ab:cd:ef");
	set_ok(&p, "mac", "02:00:00:00:00:01");
	assert_string_equal(mac_to_string(p.mac, buf), "02:00:00:00:00:01");

	set_ok(&p, "owner", "0");
	assert_true(p.has_owner);
	assert_int_equal(p.owner, 0);
	set_ok(&p, "owner", "4294967294");
	assert_int_equal(p.owner, 4294967294u);
	set_ok(&p, "owner", "0001000");
	assert_int_equal(p.owner, 1000);

	set_ok(&p, "queues", "1");
	assert_int_equal(p.queues, 1);
	set_ok(&p, "queues", "16");
	assert_int_equal(p.queues, PORT_QUEUES_MAX);

	set_ok(&p, "rate", "0");
	assert_int_equal(p.rate_mbit, 0);
	set_ok(&p, "rate", "100000");
	assert_int_equal(p.rate_mbit, PORT_RATE_MAX_MBIT);
	set_ok(&p, "rate", "1");
	assert_int_equal(p.rate_mbit, 1);

	/* A NULL or tiny error buffer is fine. */
	assert_int_equal(network_port_set(&p, "rate", "x", NULL, 0), -EINVAL);
	assert_int_equal(network_port_set(&p, "foo", "x", NULL, 0), -ENOENT);
}

/* Every message network_port_set() can produce. */
static void test_set_errors(void **state)
{
	set_error("foo", "1", -ENOENT, "unknown key 'foo' in [port]");
	set_error("MAC", "52:54:00:00:00:02", -ENOENT, "unknown key 'MAC' in [port]");
	set_error("name", "tap1", -ENOENT, "unknown key 'name' in [port]");
	set_error("k\x1b", "1", -ENOENT, "unknown key 'k?' in [port]");

	set_error("mac", "", -EINVAL, "invalid mac '': empty value");
	set_error("owner", "", -EINVAL, "invalid owner '': empty value");
	set_error("queues", "", -EINVAL, "invalid queues '': empty value");
	set_error("rate", "", -EINVAL, "invalid rate '': empty value");

	set_error("mac", "52:54:00:12:34", -EINVAL,
		  "invalid mac '52:54:00:12:34': expected six hex bytes, e.g. 52:54:00:12:34:56");
	set_error("mac", "52:54-00:12:34:56", -EINVAL,
		  "invalid mac '52:54-00:12:34:56': expected six hex bytes, e.g. "
		  "52:54:00:12:34:56");
	set_error("mac", "01:00:5e:00:00:01", -EINVAL,
		  "invalid mac '01:00:5e:00:00:01': a multicast MAC cannot be bound to a port");
	set_error("mac", "ff:ff:ff:ff:ff:ff", -EINVAL,
		  "invalid mac 'ff:ff:ff:ff:ff:ff': a multicast MAC cannot be bound to a port");
	set_error("mac", "00:00:00:00:00:00", -EINVAL,
		  "invalid mac '00:00:00:00:00:00': the all-zero MAC cannot be bound to a port");

	set_error("owner", "4294967295", -EINVAL,
		  "invalid owner '4294967295': must be a decimal uid from 0 to 4294967294");
	set_error("owner", "99999999999999999999999", -EINVAL,
		  "invalid owner '99999999999999999999999': must be a decimal uid from 0 to "
		  "4294967294");
	set_error("owner", "-1", -EINVAL,
		  "invalid owner '-1': must be a decimal uid from 0 to 4294967294");
	set_error("owner", "root", -EINVAL,
		  "invalid owner 'root': must be a decimal uid from 0 to 4294967294");
	set_error("owner", " 1000", -EINVAL,
		  "invalid owner ' 1000': must be a decimal uid from 0 to 4294967294");

	set_error("queues", "0", -EINVAL,
		  "invalid queues '0': must be a whole number from 1 to 16");
	set_error("queues", "17", -EINVAL,
		  "invalid queues '17': must be a whole number from 1 to 16");
	set_error("queues", "0x4", -EINVAL,
		  "invalid queues '0x4': must be a whole number from 1 to 16");

	set_error("rate", "5x", -EINVAL,
		  "invalid rate '5x': must be a whole number of Mbit/s from 0 to 100000");
	set_error("rate", "100001", -EINVAL,
		  "invalid rate '100001': must be a whole number of Mbit/s from 0 to 100000");
	set_error("rate", "1.5", -EINVAL,
		  "invalid rate '1.5': must be a whole number of Mbit/s from 0 to 100000");
	set_error("rate", "10M", -EINVAL,
		  "invalid rate '10M': must be a whole number of Mbit/s from 0 to 100000");
}

static void test_add_sorted_and_find(void **state)
{
	_cleanup_(network_ports_done) struct network_ports ps = { 0 };
	static const char *const names[] = { "vm-b", "tap10", "Tap2", "tap1", "a", "vm.a_1" };
	static const char *const sorted[] = { "Tap2", "a", "tap1", "tap10", "vm-b", "vm.a_1" };
	struct network_config c;
	uint8_t mac[6];

	network(&c, NULL);
	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		char m[MAC_STRLEN];
		struct network_port p;

		snprintf(m, sizeof(m), "52:54:00:00:00:%02zx", i + 1);
		/* Every other port is bound to a MAC. */
		p = port(names[i], i % 2 ? NULL : m);
		add_ok(&ps, &c, &p);
	}
	assert_int_equal(ps.n, ELEMENTSOF(names));
	for (size_t i = 0; i < ELEMENTSOF(sorted); i++) {
		assert_string_equal(ps.items[i].name, sorted[i]);
		assert_ptr_equal(network_ports_find(&ps, sorted[i]), &ps.items[i]);
	}
	assert_null(network_ports_find(&ps, "tap"));
	assert_null(network_ports_find(&ps, "tap100"));
	assert_null(network_ports_find(&ps, "TAP1"));
	assert_null(network_ports_find(&ps, ""));
	assert_null(network_ports_find(&ps, NULL));
	assert_null(network_ports_find(NULL, "tap1"));

	assert_int_equal(mac_from_string("52:54:00:00:00:03", mac), 0);
	assert_ptr_equal(network_ports_find_mac(&ps, mac), network_ports_find(&ps, "Tap2"));
	/* Ports without a MAC never match, whatever their (zero) MAC bytes. */
	memset(mac, 0, sizeof(mac));
	assert_null(network_ports_find_mac(&ps, mac));
	assert_int_equal(mac_from_string("52:54:00:00:00:02", mac), 0);
	assert_null(network_ports_find_mac(&ps, mac));
	assert_null(network_ports_find_mac(NULL, mac));
	assert_null(network_ports_find_mac(&ps, NULL));

	/* Fields that do not apply are stored as zero; the name's tail too. */
	{
		struct network_port p = port("zz", NULL);
		const struct network_port *found;

		memset(p.mac, 0xee, 6);
		p.owner = 77;
		p.name[5] = 'x';
		add_ok(&ps, &c, &p);
		found = network_ports_find(&ps, "zz");
		assert_non_null(found);
		for (size_t i = 0; i < 6; i++)
			assert_int_equal(found->mac[i], 0);
		assert_int_equal(found->owner, 0);
		for (size_t i = 2; i < sizeof(found->name); i++)
			assert_int_equal(found->name[i], 0);
	}
}

/* Every message network_ports_add() can produce, against the network and the other ports. */
static void test_add_errors(void **state)
{
	_cleanup_(network_ports_done) struct network_ports ps = { 0 };
	struct network_config c;
	struct network_port p;

	network(&c, "eth0");
	p = port("tap1", "52:54:00:12:34:56");
	add_ok(&ps, &c, &p);

	p = port("tap1", NULL);
	add_error(&ps, &c, &p, -EEXIST, "port tap1 already exists");
	p = port("tap2", "52:54:00:12:34:56");
	add_error(&ps, &c, &p, -EEXIST, "MAC 52:54:00:12:34:56 is already bound to port tap1");
	p = port("kn-lab", NULL);
	add_error(&ps, &c, &p, -EINVAL, "port name 'kn-lab' is taken by the network's bridge");
	p = port("eth0", NULL);
	add_error(&ps, &c, &p, -EINVAL, "port name 'eth0' is taken by the network's uplink");

	/* Names. */
	p = port("", NULL);
	add_error(&ps, &c, &p, -EINVAL,
		  "invalid port name '': not an interface name (1-15 characters from A-Z, a-z, "
		  "0-9, '_', '.', '-')");
	p = port("a b", NULL);
	add_error(&ps, &c, &p, -EINVAL,
		  "invalid port name 'a b': not an interface name (1-15 characters from A-Z, "
		  "a-z, 0-9, '_', '.', '-')");
	p = port("..", NULL);
	add_error(&ps, &c, &p, -EINVAL,
		  "invalid port name '..': not an interface name (1-15 characters from A-Z, "
		  "a-z, 0-9, '_', '.', '-')");
	p = port("tap\n", NULL);
	add_error(&ps, &c, &p, -EINVAL,
		  "invalid port name 'tap?': not an interface name (1-15 characters from A-Z, "
		  "a-z, 0-9, '_', '.', '-')");
	p = port("x", NULL);
	memset(p.name, 'a', sizeof(p.name));
	add_error(&ps, &c, &p, -EINVAL, "invalid port name: longer than 15 characters");

	/* Fields out of range, for ports built in code. */
	p = port("tap3", "01:00:5e:00:00:01");
	add_error(&ps, &c, &p, -EINVAL,
		  "port tap3: multicast MAC 01:00:5e:00:00:01 cannot be bound to a port");
	p = port("tap3", "00:00:00:00:00:00");
	add_error(&ps, &c, &p, -EINVAL, "port tap3: the all-zero MAC cannot be bound to a port");
	p = port("tap3", NULL);
	p.has_owner = true;
	p.owner = UINT32_MAX;
	add_error(&ps, &c, &p, -EINVAL, "port tap3: owner 4294967295 is not a uid");
	p = port("tap3", NULL);
	p.queues = 0;
	add_error(&ps, &c, &p, -EINVAL, "port tap3: queues 0 is not from 1 to 16");
	p.queues = 17;
	add_error(&ps, &c, &p, -EINVAL, "port tap3: queues 17 is not from 1 to 16");
	p = port("tap3", NULL);
	p.rate_mbit = 100001;
	add_error(&ps, &c, &p, -EINVAL, "port tap3: rate 100001 is not from 0 to 100000 Mbit/s");

	/* Without an uplink the name is free; an owner without has_owner is not looked at. */
	network(&c, NULL);
	p = port("eth0", NULL);
	p.owner = UINT32_MAX;
	add_ok(&ps, &c, &p);
	assert_int_equal(ps.n, 2);
}

/* NETWORK_PORTS_MAX ports, then -E2BIG; duplicates are reported before the limit. */
static void test_add_limit(void **state)
{
	_cleanup_(network_ports_done) struct network_ports ps = { 0 };
	struct network_config c;
	struct network_port p;
	char err[256] = "";

	network(&c, NULL);
	for (unsigned i = 0; i < NETWORK_PORTS_MAX; i++) {
		p = port("x", NULL);
		snprintf(p.name, sizeof(p.name), "tap%u", (i * 2741) % NETWORK_PORTS_MAX);
		p.has_mac = true;
		p.mac[0] = 0x52;
		p.mac[4] = (uint8_t)(i >> 8);
		p.mac[5] = (uint8_t)i;
		assert_int_equal(network_ports_add(&ps, &p, &c, err, sizeof(err)), 0);
	}
	assert_int_equal(ps.n, NETWORK_PORTS_MAX);
	for (size_t i = 1; i < ps.n; i++)
		assert_true(strcmp(ps.items[i - 1].name, ps.items[i].name) < 0);
	p = port("tap0", NULL);
	add_error(&ps, &c, &p, -EEXIST, "port tap0 already exists");
	p = port("more", "52:00:00:00:00:00");
	add_error(&ps, &c, &p, -EEXIST, "MAC 52:00:00:00:00:00 is already bound to port tap0");
	p = port("more", NULL);
	add_error(&ps, &c, &p, -E2BIG, "too many ports (limit 4096)");
	/* After a removal there is room again. */
	assert_int_equal(network_ports_remove(&ps, "tap7"), 0);
	add_ok(&ps, &c, &p);
}

static void test_remove(void **state)
{
	static const char *const order[] = { "tap3", "tap0", "tap2", "tap1" };
	_cleanup_(network_ports_done) struct network_ports ps = { 0 };
	struct network_config c;
	struct network_port p;

	network(&c, NULL);
	assert_int_equal(network_ports_remove(&ps, "tap1"), -ENOENT);
	for (int i = 0; i < 5; i++) {
		char name[IFNAMSIZ];

		snprintf(name, sizeof(name), "tap%d", i);
		p = port(name, NULL);
		add_ok(&ps, &c, &p);
	}
	assert_int_equal(network_ports_remove(&ps, "tap9"), -ENOENT);
	assert_int_equal(network_ports_remove(&ps, "tap2"), 0);
	assert_int_equal(ps.n, 4);
	assert_null(network_ports_find(&ps, "tap2"));
	assert_string_equal(ps.items[2].name, "tap3");
	assert_int_equal(network_ports_remove(&ps, "tap2"), -ENOENT);
	assert_int_equal(network_ports_remove(&ps, "tap0"), 0);
	assert_int_equal(network_ports_remove(&ps, "tap4"), 0);
	assert_string_equal(ps.items[0].name, "tap1");
	assert_string_equal(ps.items[1].name, "tap3");
	/* Adding after removals, then emptying: the set frees its array. */
	p = port("tap2", NULL);
	add_ok(&ps, &c, &p);
	p = port("tap0", NULL);
	add_ok(&ps, &c, &p);
	assert_string_equal(ps.items[0].name, "tap0");
	assert_string_equal(ps.items[3].name, "tap3");
	for (size_t i = 0; i < ELEMENTSOF(order); i++)
		assert_int_equal(network_ports_remove(&ps, order[i]), 0);
	assert_int_equal(ps.n, 0);
	assert_null(ps.items);
	/* A MAC removed with its port is free again. */
	p = port("a", "52:54:00:00:00:09");
	add_ok(&ps, &c, &p);
	assert_int_equal(network_ports_remove(&ps, "a"), 0);
	p = port("b", "52:54:00:00:00:09");
	add_ok(&ps, &c, &p);
}

/* Re-checks against a changed network: a bridge or uplink renamed onto a port. */
static void test_check(void **state)
{
	_cleanup_(network_ports_done) struct network_ports ps = { 0 };
	struct network_config c;
	struct network_port p;
	char err[256] = "";

	network(&c, NULL);
	assert_int_equal(network_ports_check(&ps, &c, err, sizeof(err)), 0);
	p = port("br1", NULL);
	add_ok(&ps, &c, &p);
	p = port("eth1", NULL);
	add_ok(&ps, &c, &p);
	assert_int_equal(network_ports_check(&ps, &c, err, sizeof(err)), 0);

	assert_int_equal(network_config_set(&c, "bridge", "br1", err, sizeof(err)), 0);
	assert_int_equal(network_config_finish(&c, err, sizeof(err)), 0);
	assert_int_equal(network_ports_check(&ps, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "port name 'br1' is taken by the network's bridge");

	network(&c, "eth1");
	assert_int_equal(network_ports_check(&ps, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "port name 'eth1' is taken by the network's uplink");

	/* A field changed in place is caught too. */
	network(&c, NULL);
	ps.items[0].queues = 0;
	assert_int_equal(network_ports_check(&ps, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "port br1: queues 0 is not from 1 to 16");
	assert_int_equal(network_ports_check(&ps, &c, NULL, 0), -EINVAL);
}

static void test_copy_and_equal(void **state)
{
	_cleanup_(network_ports_done) struct network_ports a = { 0 }, b = { 0 }, empty = { 0 };
	struct network_config c;
	struct network_port p;

	network(&c, NULL);
	assert_true(network_ports_equal(NULL, NULL));
	assert_true(network_ports_equal(&empty, NULL));
	assert_true(network_ports_equal(NULL, &empty));

	p = port("tap1", "52:54:00:00:00:01");
	p.has_owner = true;
	p.owner = 1000;
	p.queues = 4;
	p.rate_mbit = 250;
	add_ok(&a, &c, &p);
	p = port("tap2", NULL);
	add_ok(&a, &c, &p);
	assert_false(network_ports_equal(&a, NULL));
	assert_false(network_ports_equal(&empty, &a));

	assert_int_equal(network_ports_copy(&b, &a), 0);
	assert_int_equal(b.n, 2);
	assert_ptr_not_equal(b.items, a.items);
	assert_true(network_ports_equal(&a, &b));
	/* The copy is independent, and can grow. */
	p = port("tap3", NULL);
	add_ok(&b, &c, &p);
	assert_int_equal(a.n, 2);
	assert_false(network_ports_equal(&a, &b));
	assert_int_equal(network_ports_remove(&b, "tap3"), 0);
	assert_true(network_ports_equal(&a, &b));

	/* Each field counts; bytes that do not apply do not. */
	b.items[0].rate_mbit = 251;
	assert_false(network_ports_equal(&a, &b));
	b.items[0].rate_mbit = 250;
	b.items[0].queues = 3;
	assert_false(network_ports_equal(&a, &b));
	b.items[0].queues = 4;
	b.items[0].owner = 1001;
	assert_false(network_ports_equal(&a, &b));
	b.items[0].has_owner = false;
	assert_false(network_ports_equal(&a, &b));
	b.items[0].owner = 1000;
	b.items[0].has_owner = true;
	b.items[0].mac[5] = 2;
	assert_false(network_ports_equal(&a, &b));
	b.items[0].has_mac = false;
	assert_false(network_ports_equal(&a, &b));
	b.items[0].has_mac = true;
	b.items[0].mac[5] = 1;
	b.items[0].name[3] = '9';
	assert_false(network_ports_equal(&a, &b));
	b.items[0].name[3] = '1';
	assert_true(network_ports_equal(&a, &b));
	b.items[1].mac[0] = 0x52;       /* tap2 has no MAC */
	b.items[1].owner = 5;           /* ... and no owner */
	b.items[1].name[10] = 'x';      /* after the NUL */
	assert_true(network_ports_equal(&a, &b));

	/* Copying an empty set gives an empty set. */
	network_ports_done(&b);
	assert_int_equal(network_ports_copy(&b, &empty), 0);
	assert_null(b.items);
	assert_int_equal(b.n, 0);

	/* done() accepts NULL and leaves the set empty. */
	network_ports_done(NULL);
	network_ports_done(&a);
	assert_null(a.items);
	assert_int_equal(a.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_add_sorted_and_find),
		cmocka_unit_test(test_add_errors),
		cmocka_unit_test(test_add_limit),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_copy_and_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
