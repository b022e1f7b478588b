/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for config/conf-dns-record: record types, names and targets, every value syntax and
 * message, records built in code, absolute names, and the record set (duplicates, a CNAME alone
 * at its name, lengths in the domain, the limit; build() agreeing with add() one by one; copies).
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

#include "config/conf-dns-record.h"
#include "config/conf-network.h"
#include "shared/alloc-util.h"
#include "shared/in-addr-util.h"

/* A finished network "lab" (domain lab.kvmnet unless 'domain' is given). */
static void network(struct network_config *c, const char *domain)
{
	char err[256] = "";

	network_config_init(c);
	assert_int_equal(network_config_set(c, "name", "lab", err, sizeof(err)), 0);
	assert_int_equal(network_config_set(c, "subnet", "10.0.0.0/24", err, sizeof(err)), 0);
	if (domain)
		assert_int_equal(network_config_set(c, "domain", domain, err, sizeof(err)), 0);
	assert_int_equal(network_config_finish(c, err, sizeof(err)), 0);
}

/* A record of 'type' at 'name' with 'value', or fails the test. */
static struct network_dns_record record(const char *name, enum network_dns_record_type type,
					const char *value)
{
	struct network_dns_record r = { 0 };
	char why[256] = "";

	assert_true(strlen(name) < sizeof(r.name));
	strcpy(r.name, name);
	r.type = type;
	if (network_dns_record_set_value(&r, value, why, sizeof(why)) < 0)
		fail_msg("%s %s '%s': %s", name, network_dns_record_type_to_string(type), value,
			 why);
	return r;
}

static void check_name(const char *name, const char *why_expected)
{
	char why[256] = "";
	int r = network_dns_record_name_check(name, why, sizeof(why));

	if (!why_expected) {
		if (r != 0)
			fail_msg("name '%s': %s", name, why);
		return;
	}
	assert_int_equal(r, -EINVAL);
	assert_string_equal(why, why_expected);
}

/* Setting 'value' on a record of 'type' at 'name' fails with 'msg' and changes nothing. */
static void check_value_error(const char *name, enum network_dns_record_type type,
			      const char *value, const char *msg)
{
	struct network_dns_record r = { 0 }, before;
	char why[256] = "";

	strcpy(r.name, name);
	r.type = type;
	r.a.s_addr = 0x01020304;
	strcpy(r.target, "old");
	strcpy(r.txt, "old");
	r.port = 7;
	before = r;
	assert_int_equal(network_dns_record_set_value(&r, value, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, msg);
	assert_memory_equal(&r, &before, sizeof(r));
}

static void test_types(void **state)
{
	assert_string_equal(network_dns_record_type_to_string(NETWORK_DNS_RECORD_A), "A");
	assert_string_equal(network_dns_record_type_to_string(NETWORK_DNS_RECORD_CNAME), "CNAME");
	assert_string_equal(network_dns_record_type_to_string(NETWORK_DNS_RECORD_TXT), "TXT");
	assert_string_equal(network_dns_record_type_to_string(NETWORK_DNS_RECORD_SRV), "SRV");
	assert_null(network_dns_record_type_to_string(_NETWORK_DNS_RECORD_TYPE_MAX));
	assert_null(network_dns_record_type_to_string(_NETWORK_DNS_RECORD_TYPE_INVALID));
	for (int t = 0; t < _NETWORK_DNS_RECORD_TYPE_MAX; t++)
		assert_int_equal(network_dns_record_type_from_string(
					 network_dns_record_type_to_string(t)),
				 t);
	assert_int_equal(network_dns_record_type_from_string("cname"), NETWORK_DNS_RECORD_CNAME);
	assert_int_equal(network_dns_record_type_from_string("Srv"), NETWORK_DNS_RECORD_SRV);
	assert_int_equal(network_dns_record_type_from_string("MX"),
			 _NETWORK_DNS_RECORD_TYPE_INVALID);
	assert_int_equal(network_dns_record_type_from_string("A "),
			 _NETWORK_DNS_RECORD_TYPE_INVALID);
	assert_int_equal(network_dns_record_type_from_string(""), _NETWORK_DNS_RECORD_TYPE_INVALID);
	assert_int_equal(network_dns_record_type_from_string(NULL),
			 _NETWORK_DNS_RECORD_TYPE_INVALID);
}

static void test_names(void **state)
{
	char label63[64], label64[65], name[300];

	memset(label63, 'a', 63);
	label63[63] = '\0';
	memset(label64, 'a', 64);
	label64[64] = '\0';

	check_name("@", NULL);
	check_name("www", NULL);
	check_name("a.b.c", NULL);
	check_name("_http._tcp", NULL);
	check_name("_acme-challenge.www", NULL);
	check_name("0", NULL);
	check_name("x-1", NULL);
	check_name(label63, NULL);
	/* 253 characters: four labels of 63 and dots, minus two. */
	snprintf(name, sizeof(name), "%s.%s.%s.%s", label63, label63, label63, label63);
	name[NETWORK_DNS_NAME_MAX] = '\0';
	check_name(name, NULL);

	check_name("", "empty");
	check_name("www.", "names are relative to the network's domain: no trailing '.'");
	check_name(".", "empty label");
	check_name(".www", "empty label");
	check_name("a..b", "empty label");
	check_name("-a", "a label starts or ends with '-'");
	check_name("a.b-", "a label starts or ends with '-'");
	check_name("Www", "uppercase 'W' (names are written in lowercase)");
	check_name("a b", "character ' ' not allowed (labels use a-z, 0-9, '_' and '-')");
	check_name("a*", "character '*' not allowed (labels use a-z, 0-9, '_' and '-')");
	check_name("@.www", "character '@' not allowed (labels use a-z, 0-9, '_' and '-')");
	check_name("a\tb", "character '?' not allowed (labels use a-z, 0-9, '_' and '-')");
	check_name("caf\xc3\xa9", "character '?' not allowed (labels use a-z, 0-9, '_' and '-')");
	check_name(label64, "a label is longer than 63 characters");
	snprintf(name, sizeof(name), "%s.%s.%s.%s", label63, label63, label63, label63);
	name[NETWORK_DNS_NAME_MAX + 1] = '\0';
	check_name(name, "longer than 253 characters");
	/* NULL 'why' is allowed. */
	assert_int_equal(network_dns_record_name_check("a..b", NULL, 0), -EINVAL);
}

static void test_type_check(void **state)
{
	char why[256] = "";

	assert_int_equal(network_dns_record_type_check(NETWORK_DNS_RECORD_A, "@", why, sizeof(why)),
			 0);
	assert_int_equal(network_dns_record_type_check(NETWORK_DNS_RECORD_TXT, "@", why,
						       sizeof(why)),
			 0);
	assert_int_equal(network_dns_record_type_check(NETWORK_DNS_RECORD_CNAME, "www", why,
						       sizeof(why)),
			 0);
	assert_int_equal(network_dns_record_type_check(NETWORK_DNS_RECORD_CNAME, "@", why,
						       sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "the apex '@' cannot be an alias");
	assert_int_equal(network_dns_record_type_check(NETWORK_DNS_RECORD_SRV, "_http._tcp", why,
						       sizeof(why)),
			 0);
	assert_int_equal(network_dns_record_type_check(NETWORK_DNS_RECORD_SRV, "_ldap._tcp.dc",
						       why, sizeof(why)),
			 0);
	static const char *const bad_srv[] = { "www", "_http", "_http.tcp", "http._tcp", "@" };
	for (size_t i = 0; i < ELEMENTSOF(bad_srv); i++) {
		assert_int_equal(network_dns_record_type_check(NETWORK_DNS_RECORD_SRV, bad_srv[i],
							       why, sizeof(why)),
				 -EINVAL);
		assert_string_equal(why, "an SRV record's name starts with _service._proto, e.g. "
					 "_http._tcp");
	}
	assert_int_equal(network_dns_record_type_check(_NETWORK_DNS_RECORD_TYPE_MAX, "www", why,
						       sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "invalid type 4");
}

static void test_values(void **state)
{
	struct network_dns_record r;
	char buf[NETWORK_DNS_VALUE_MAX + 1], label63[64], name[300];

	r = record("www", NETWORK_DNS_RECORD_A, "10.0.0.5");
	assert_int_equal(in_addr_to_host(r.a), 0x0a000005);
	assert_string_equal(network_dns_record_value_to_string(&r, buf), "10.0.0.5");

	r = record("www", NETWORK_DNS_RECORD_CNAME, "web1");
	assert_string_equal(r.target, "web1");
	r = record("www", NETWORK_DNS_RECORD_CNAME, "www.example.com.");
	assert_string_equal(network_dns_record_value_to_string(&r, buf), "www.example.com.");
	r = record("www", NETWORK_DNS_RECORD_CNAME, "@");
	assert_string_equal(r.target, "@");

	r = record("@", NETWORK_DNS_RECORD_TXT, "v=spf1 -all; k=\"x\" #not a comment");
	assert_string_equal(r.txt, "v=spf1 -all; k=\"x\" #not a comment");
	assert_string_equal(network_dns_record_value_to_string(&r, buf), r.txt);
	r = record("@", NETWORK_DNS_RECORD_TXT, "caf\xc3\xa9");
	assert_string_equal(r.txt, "caf\xc3\xa9");

	r = record("_http._tcp", NETWORK_DNS_RECORD_SRV, "10 5 8080 web1");
	assert_int_equal(r.priority, 10);
	assert_int_equal(r.weight, 5);
	assert_int_equal(r.port, 8080);
	assert_string_equal(r.target, "web1");
	assert_string_equal(network_dns_record_value_to_string(&r, buf), "10 5 8080 web1");
	/* Any blanks between fields; the canonical form has single spaces and plain numbers. */
	r = record("_http._tcp", NETWORK_DNS_RECORD_SRV, "00 \t0   65535 .");
	assert_int_equal(r.port, 65535);
	assert_string_equal(network_dns_record_value_to_string(&r, buf), "0 0 65535 .");
	r = record("_x._udp", NETWORK_DNS_RECORD_SRV, "1 2 3 host.example.org.");
	assert_string_equal(r.target, "host.example.org.");

	/* The longest absolute target: 253 characters and the dot. */
	memset(label63, 'a', 63);
	label63[63] = '\0';
	snprintf(name, sizeof(name), "%s.%s.%s.%s", label63, label63, label63, label63);
	name[NETWORK_DNS_NAME_MAX] = '.';
	name[NETWORK_DNS_NAME_MAX + 1] = '\0';
	r = record("_x._udp", NETWORK_DNS_RECORD_CNAME, name);
	assert_string_equal(r.target, name);
	{
		char value[NETWORK_DNS_VALUE_MAX + 1] = "65535 65535 65535 ";

		assert_true(strlen(value) + strlen(name) < sizeof(value));
		strcat(value, name);
		assert_int_equal(strlen(value), NETWORK_DNS_VALUE_MAX);
		r = record("_x._udp", NETWORK_DNS_RECORD_SRV, value);
		assert_string_equal(network_dns_record_value_to_string(&r, buf), value);
	}

	/* Setting a value clears the fields of other types. */
	r = record("x", NETWORK_DNS_RECORD_SRV, "1 2 3 t");
	r.type = NETWORK_DNS_RECORD_A;
	assert_int_equal(network_dns_record_set_value(&r, "10.0.0.9", NULL, 0), 0);
	assert_int_equal(r.priority + r.weight + r.port, 0);
	assert_string_equal(r.target, "");
}

static void test_value_errors(void **state)
{
	char long_txt[300], long_name[300];

	check_value_error("www", NETWORK_DNS_RECORD_A, "10.0.0",
			  "expected an IPv4 address, e.g. 192.168.122.10");
	check_value_error("www", NETWORK_DNS_RECORD_A, "web1",
			  "expected an IPv4 address, e.g. 192.168.122.10");

	check_value_error("www", NETWORK_DNS_RECORD_CNAME, "a..b", "empty label");
	check_value_error("www", NETWORK_DNS_RECORD_CNAME, "Web1",
			  "uppercase 'W' (names are written in lowercase)");
	check_value_error("www", NETWORK_DNS_RECORD_CNAME, ".", "'.' is not a name");
	check_value_error("www", NETWORK_DNS_RECORD_CNAME, "www",
			  "'www' would be an alias of itself");
	check_value_error("www", NETWORK_DNS_RECORD_CNAME, "10.0.0.5 x",
			  "character ' ' not allowed (labels use a-z, 0-9, '_' and '-')");
	memset(long_name, 'a', 254);
	long_name[254] = '\0';
	for (size_t i = 63; i < 254; i += 64)
		long_name[i] = '.';
	check_value_error("www", NETWORK_DNS_RECORD_CNAME, long_name, "longer than 253 characters");

	memset(long_txt, 'x', 256);
	long_txt[256] = '\0';
	check_value_error("@", NETWORK_DNS_RECORD_TXT, long_txt, "longer than 255 bytes");
	long_txt[255] = '\0';
	assert_int_equal(record("@", NETWORK_DNS_RECORD_TXT, long_txt).txt[254], 'x');
	check_value_error("@", NETWORK_DNS_RECORD_TXT, "a\tb", "control character at byte 2");
	check_value_error("@", NETWORK_DNS_RECORD_TXT, "a\x7f", "control character at byte 2");
	check_value_error("@", NETWORK_DNS_RECORD_TXT, "a ;b",
			  "';' at the start or after a blank would start a comment");
	check_value_error("@", NETWORK_DNS_RECORD_TXT, ";b",
			  "';' at the start or after a blank would start a comment");
	check_value_error("@", NETWORK_DNS_RECORD_TXT, " a", "starts or ends with a blank");
	check_value_error("@", NETWORK_DNS_RECORD_TXT, "a ", "starts or ends with a blank");
	check_value_error("@", NETWORK_DNS_RECORD_TXT, "", "empty");

#define SRV_SYNTAX "expected PRIORITY WEIGHT PORT TARGET (numbers 0-65535), e.g. 10 5 443 web1"
	check_value_error("_h._tcp", NETWORK_DNS_RECORD_SRV, "10 5 443", SRV_SYNTAX);
	check_value_error("_h._tcp", NETWORK_DNS_RECORD_SRV, "10 5 443 web1 x", SRV_SYNTAX);
	check_value_error("_h._tcp", NETWORK_DNS_RECORD_SRV, "10 5 65536 web1", SRV_SYNTAX);
	check_value_error("_h._tcp", NETWORK_DNS_RECORD_SRV, "10 5 000443 web1", SRV_SYNTAX);
	check_value_error("_h._tcp", NETWORK_DNS_RECORD_SRV, "-1 5 443 web1", SRV_SYNTAX);
	check_value_error("_h._tcp", NETWORK_DNS_RECORD_SRV, "1 5 0x10 web1", SRV_SYNTAX);
	check_value_error("_h._tcp", NETWORK_DNS_RECORD_SRV, "web1", SRV_SYNTAX);
	check_value_error("_h._tcp", NETWORK_DNS_RECORD_SRV, "1 2 3 we..b",
			  "target 'we..b': empty label");
#undef SRV_SYNTAX

	check_value_error("www", _NETWORK_DNS_RECORD_TYPE_MAX, "x", "invalid type 4");
}

/* network_dns_record_check() fails with exactly 'msg'. */
static void check_record_error(const struct network_dns_record *r, const char *msg)
{
	char err[512] = "";

	assert_int_equal(network_dns_record_check(r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
}

static void test_record_check(void **state)
{
	struct network_dns_record r;
	char err[256];

	r = record("www", NETWORK_DNS_RECORD_CNAME, "web1");
	assert_int_equal(network_dns_record_check(&r, err, sizeof(err)), 0);

	/* Built in code: every field is checked again. */
	r = record("www", NETWORK_DNS_RECORD_A, "10.0.0.5");
	strcpy(r.name, "Www");
	check_record_error(&r, "invalid record name 'Www': uppercase 'W' (names are written in "
			       "lowercase)");
	memset(r.name, 'a', sizeof(r.name));
	check_record_error(&r, "invalid record name '"
			       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			       "aaaaaaaaa...': longer than 253 characters");
	r = record("www", NETWORK_DNS_RECORD_A, "10.0.0.5");
	r.type = NETWORK_DNS_RECORD_CNAME;
	check_record_error(&r, "record www CNAME: target '': empty label");
	strcpy(r.target, "www");
	check_record_error(&r, "record www CNAME: target 'www': 'www' would be an alias of itself");
	memset(r.target, 'b', sizeof(r.target));
	check_record_error(&r, "record www CNAME: target is not terminated");
	r = record("@", NETWORK_DNS_RECORD_A, "10.0.0.5");
	r.type = NETWORK_DNS_RECORD_CNAME;
	strcpy(r.target, "x");
	check_record_error(&r, "record @ CNAME: the apex '@' cannot be an alias");
	r.type = NETWORK_DNS_RECORD_TXT;
	check_record_error(&r, "record @ TXT: text '': empty");
	strcpy(r.txt, "a\nb");
	check_record_error(&r, "record @ TXT: text 'a?b': control character at byte 2");
	memset(r.txt, 'c', sizeof(r.txt));
	check_record_error(&r, "record @ TXT: text is not terminated");
	r.type = NETWORK_DNS_RECORD_SRV;
	check_record_error(&r, "record @ SRV: an SRV record's name starts with _service._proto, "
			       "e.g. _http._tcp");
	r = record("_a._tcp", NETWORK_DNS_RECORD_SRV, "1 1 1 .");
	assert_int_equal(network_dns_record_check(&r, err, sizeof(err)), 0);
	r.type = (enum network_dns_record_type)9;
	check_record_error(&r, "record _a._tcp ?: invalid type 9");
}

static void test_name_absolute(void **state)
{
	char buf[NETWORK_DNS_NAME_MAX + 1], label63[64], d[300];

	assert_int_equal(network_dns_name_absolute("@", "lab.kvmnet", buf), 0);
	assert_string_equal(buf, "lab.kvmnet");
	assert_int_equal(network_dns_name_absolute("www", "lab.kvmnet", buf), 0);
	assert_string_equal(buf, "www.lab.kvmnet");
	assert_int_equal(network_dns_name_absolute("www.example.com.", "lab.kvmnet", buf), 0);
	assert_string_equal(buf, "www.example.com");
	assert_int_equal(network_dns_name_absolute(".", "lab.kvmnet", buf), 0);
	assert_string_equal(buf, "");

	/* Exactly 253 characters fit; one more does not. */
	memset(label63, 'a', 63);
	label63[63] = '\0';
	snprintf(d, sizeof(d), "%s.%s.%s.%s", label63, label63, label63, label63);
	d[NETWORK_DNS_NAME_MAX - 2] = '\0';
	assert_int_equal(network_dns_name_absolute("x", d, buf), 0);
	assert_int_equal(strlen(buf), NETWORK_DNS_NAME_MAX);
	assert_int_equal(network_dns_name_absolute("xy", d, buf), -EINVAL);
	assert_int_equal(network_dns_name_absolute("@", d, buf), 0);
}

static void add_ok(struct network_dns_records *rs, const struct network_config *c,
		   struct network_dns_record r)
{
	char err[256] = "";

	if (network_dns_records_add(rs, &r, c, err, sizeof(err)) != 0)
		fail_msg("add %s: %s", r.name, err);
}

/* Adding fails with 'k' and exactly 'msg', and leaves 'rs' as it was. */
static void add_error(struct network_dns_records *rs, const struct network_config *c,
		      struct network_dns_record r, int k, const char *msg)
{
	_cleanup_(network_dns_records_done) struct network_dns_records before = { 0 };
	char err[512] = "";

	assert_int_equal(network_dns_records_copy(&before, rs), 0);
	assert_int_equal(network_dns_records_add(rs, &r, c, err, sizeof(err)), k);
	assert_string_equal(err, msg);
	assert_true(network_dns_records_equal(rs, &before));
}

static void test_records_add(void **state)
{
	_cleanup_(network_dns_records_done) struct network_dns_records rs = { 0 };
	struct network_dns_record r;
	struct network_config c;
	char label63[64], name[300];

	network(&c, NULL);
	add_ok(&rs, &c, record("www", NETWORK_DNS_RECORD_A, "10.0.0.5"));
	add_ok(&rs, &c, record("www", NETWORK_DNS_RECORD_A, "10.0.0.6"));
	add_ok(&rs, &c, record("www", NETWORK_DNS_RECORD_TXT, "hello"));
	add_ok(&rs, &c, record("alias", NETWORK_DNS_RECORD_CNAME, "www"));
	add_ok(&rs, &c, record("_http._tcp", NETWORK_DNS_RECORD_SRV, "0 0 80 www"));
	add_ok(&rs, &c, record("_http._tcp", NETWORK_DNS_RECORD_SRV, "0 0 8080 www"));
	assert_int_equal(rs.n, 6);
	/* In the order given. */
	assert_string_equal(rs.items[3].name, "alias");

	add_error(&rs, &c, record("www", NETWORK_DNS_RECORD_A, "10.0.0.5"), -EEXIST,
		  "record www A 10.0.0.5 is given twice");
	add_error(&rs, &c, record("_http._tcp", NETWORK_DNS_RECORD_SRV, "0 0 80 www"), -EEXIST,
		  "record _http._tcp SRV 0 0 80 www is given twice");
	add_error(&rs, &c, record("www", NETWORK_DNS_RECORD_CNAME, "other"), -EEXIST,
		  "record www CNAME: www already has A records, and an alias (CNAME) must be the "
		  "only record of its name");
	add_error(&rs, &c, record("alias", NETWORK_DNS_RECORD_TXT, "x"), -EEXIST,
		  "record alias TXT: alias is an alias (CNAME) and can have no other records");
	add_error(&rs, &c, record("alias", NETWORK_DNS_RECORD_CNAME, "other"), -EEXIST,
		  "record alias CNAME: alias is an alias (CNAME) and can have no other records");
	add_error(&rs, &c, record("alias", NETWORK_DNS_RECORD_CNAME, "www"), -EEXIST,
		  "record alias CNAME www is given twice");

	/* Invalid on its own. */
	r = record("x", NETWORK_DNS_RECORD_A, "10.0.0.5");
	strcpy(r.name, "x.");
	add_error(&rs, &c, r, -EINVAL,
		  "invalid record name 'x.': names are relative to the network's domain: no "
		  "trailing '.'");

	/* Lengths in the domain (lab.kvmnet, 10 characters). */
	memset(label63, 'a', 63);
	label63[63] = '\0';
	snprintf(name, sizeof(name), "%s.%s.%s.%s", label63, label63, label63, label63);
	name[NETWORK_DNS_NAME_MAX - 11] = '\0';
	add_ok(&rs, &c, record(name, NETWORK_DNS_RECORD_A, "10.0.0.5"));
	name[NETWORK_DNS_NAME_MAX - 11] = 'a';
	name[NETWORK_DNS_NAME_MAX - 10] = '\0';
	add_error(&rs, &c, record(name, NETWORK_DNS_RECORD_A, "10.0.0.5"), -EINVAL,
		  "record aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
		  "aaaaaaaaaaaaaaaa... A: the name is longer than 253 characters in domain "
		  "lab.kvmnet");
	add_error(&rs, &c, record("t", NETWORK_DNS_RECORD_CNAME, name), -EINVAL,
		  "record t CNAME: the target is longer than 253 characters in domain lab.kvmnet");
	r = record("_a._tcp", NETWORK_DNS_RECORD_SRV, "1 1 1 www");
	strcpy(r.target, "www.@");
	add_error(&rs, &c, r, -EINVAL,
		  "record _a._tcp SRV: target 'www.@': character '@' not allowed (labels use "
		  "a-z, 0-9, '_' and '-')");
	/* An absolute target does not take the domain. */
	name[NETWORK_DNS_NAME_MAX - 10] = '.';
	name[NETWORK_DNS_NAME_MAX - 9] = '\0';
	add_ok(&rs, &c, record("t", NETWORK_DNS_RECORD_CNAME, name));

	/* Only the fields of the type are kept. */
	r = record("only", NETWORK_DNS_RECORD_A, "10.0.0.7");
	strcpy(r.target, "junk");
	strcpy(r.txt, "junk");
	r.port = 5;
	add_ok(&rs, &c, r);
	assert_string_equal(rs.items[rs.n - 1].target, "");
	assert_string_equal(rs.items[rs.n - 1].txt, "");
	assert_int_equal(rs.items[rs.n - 1].port, 0);
}

static void test_records_limit(void **state)
{
	_cleanup_(network_dns_records_done) struct network_dns_records rs = { 0 }, built = { 0 };
	_cleanup_free_ struct network_dns_record *items = NULL;
	struct network_config c;
	char err[256] = "";
	size_t bad = 0;

	network(&c, NULL);
	items = calloc(NETWORK_DNS_RECORDS_MAX + 1, sizeof(*items));
	assert_non_null(items);
	for (unsigned i = 0; i <= NETWORK_DNS_RECORDS_MAX; i++) {
		snprintf(items[i].name, sizeof(items[i].name), "h%u", i);
		items[i].type = NETWORK_DNS_RECORD_A;
		items[i].a = in_addr_from_host(0x0a000000 + i);
	}
	for (unsigned i = 0; i < NETWORK_DNS_RECORDS_MAX; i++)
		add_ok(&rs, &c, items[i]);
	add_error(&rs, &c, items[NETWORK_DNS_RECORDS_MAX], -E2BIG,
		  "too many DNS records (limit 4096)");

	assert_int_equal(network_dns_records_build(&built, items, NETWORK_DNS_RECORDS_MAX + 1, &c,
						   &bad, err, sizeof(err)),
			 -E2BIG);
	assert_string_equal(err, "too many DNS records (limit 4096)");
	assert_int_equal(bad, NETWORK_DNS_RECORDS_MAX);
	assert_null(built.items);
	assert_int_equal(network_dns_records_build(&built, items, NETWORK_DNS_RECORDS_MAX, &c, &bad,
						   err, sizeof(err)),
			 0);
	assert_true(network_dns_records_equal(&built, &rs));
}

/*
 * build() of 'n' records gives what adding them one by one gives: the same set, or the same
 * error, message and position.
 */
static void check_build_like_add(const struct network_dns_record *items, size_t n,
				 const struct network_config *c)
{
	_cleanup_(network_dns_records_done) struct network_dns_records one = { 0 }, all = { 0 };
	char err1[512] = "", err2[512] = "";
	size_t i, bad = 99999;
	int r1 = 0, r2;

	for (i = 0; i < n && r1 == 0; i++)
		r1 = network_dns_records_add(&one, &items[i], c, err1, sizeof(err1));
	r2 = network_dns_records_build(&all, items, n, c, &bad, err2, sizeof(err2));
	assert_int_equal(r2, r1);
	if (r1 < 0) {
		assert_string_equal(err2, err1);
		assert_int_equal(bad, i - 1);
		assert_null(all.items);
		assert_int_equal(all.n, 0);
	} else {
		assert_true(network_dns_records_equal(&one, &all));
	}
}

static void test_records_build(void **state)
{
	static const char *const names[] = { "a", "b", "@", "_s._tcp" };
	static const char *const values[][4] = {
		[NETWORK_DNS_RECORD_A] = { "10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.3" },
		[NETWORK_DNS_RECORD_CNAME] = { "x", "y", "a", "x" },
		[NETWORK_DNS_RECORD_TXT] = { "t1", "t2", "t1", "t3" },
		[NETWORK_DNS_RECORD_SRV] = { "1 1 1 x", "1 1 2 x", "1 1 1 x", "2 1 1 x" },
	};
	struct network_dns_record items[12];
	struct network_config c;
	unsigned seed = 12345;

	network(&c, NULL);
	check_build_like_add(NULL, 0, &c);
	/* Random small sets over a few names, types and values: collisions of every kind. */
	for (unsigned round = 0; round < 3000; round++) {
		size_t n = 1 + round % ELEMENTSOF(items);

		for (size_t i = 0; i < n; i++) {
			struct network_dns_record *r = &items[i];
			unsigned t, v;
			char why[128];

			seed = seed * 1103515245u + 12345u;
			t = (seed >> 8) % _NETWORK_DNS_RECORD_TYPE_MAX;
			v = (seed >> 12) % 4;
			memset(r, 0, sizeof(*r));
			strcpy(r->name, names[(seed >> 16) % ELEMENTSOF(names)]);
			r->type = (enum network_dns_record_type)t;
			/* Some are invalid (a CNAME at "@", an SRV at "a"): build must agree. */
			if (network_dns_record_set_value(r, values[t][v], why, sizeof(why)) < 0)
				strcpy(r->target, "-bad-");
		}
		check_build_like_add(items, n, &c);
	}
}

static void test_records_check_copy_equal(void **state)
{
	_cleanup_(network_dns_records_done) struct network_dns_records rs = { 0 }, copy = { 0 },
								       empty = { 0 };
	struct network_config c, longer;
	char label63[64], d[300], err[512] = "", expected[512];

	network(&c, NULL);
	add_ok(&rs, &c, record("www", NETWORK_DNS_RECORD_A, "10.0.0.5"));
	add_ok(&rs, &c, record("_h._tcp", NETWORK_DNS_RECORD_SRV, "1 2 3 www"));
	assert_int_equal(network_dns_records_check(&rs, &c, err, sizeof(err)), 0);

	/* A longer domain: "_h._tcp" still fits, and so does the target "www". */
	memset(label63, 'a', 63);
	label63[63] = '\0';
	snprintf(d, sizeof(d), "%s.%s.%s.%s", label63, label63, label63, label63);
	d[NETWORK_DNS_NAME_MAX - 4] = '\0';
	network(&longer, d);
	assert_int_equal(network_dns_records_check(&rs, &longer, err, sizeof(err)), -EINVAL);
	snprintf(expected, sizeof(expected),
		 "record _h._tcp SRV: the name is longer than 253 characters in domain %s", d);
	assert_string_equal(err, expected);

	assert_int_equal(network_dns_records_copy(&copy, &rs), 0);
	assert_true(network_dns_records_equal(&copy, &rs));
	assert_ptr_not_equal(copy.items, rs.items);
	/* A copy can grow on its own. */
	add_ok(&copy, &c, record("www", NETWORK_DNS_RECORD_A, "10.0.0.6"));
	assert_false(network_dns_records_equal(&copy, &rs));
	assert_true(network_dns_records_equal(&empty, NULL));
	assert_true(network_dns_records_equal(NULL, NULL));
	assert_false(network_dns_records_equal(&rs, NULL));
	network_dns_records_done(&copy);
	assert_int_equal(network_dns_records_copy(&copy, &empty), 0);
	assert_null(copy.items);
	assert_int_equal(copy.n, 0);

	/* Same records in another order are another set: the order is the file's. */
	{
		_cleanup_(network_dns_records_done) struct network_dns_records rev = { 0 };

		add_ok(&rev, &c, record("_h._tcp", NETWORK_DNS_RECORD_SRV, "1 2 3 www"));
		add_ok(&rev, &c, record("www", NETWORK_DNS_RECORD_A, "10.0.0.5"));
		assert_false(network_dns_records_equal(&rev, &rs));
	}
	network_dns_records_done(&rs);
	assert_null(rs.items);
	assert_int_equal(rs.n, 0);
	network_dns_records_done(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_type_check),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_record_check),
		cmocka_unit_test(test_name_absolute),
		cmocka_unit_test(test_records_add),
		cmocka_unit_test(test_records_limit),
		cmocka_unit_test(test_records_build),
		cmocka_unit_test(test_records_check_copy_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
