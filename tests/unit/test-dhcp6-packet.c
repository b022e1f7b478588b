/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for dhcp6/dhcp6-packet: a Solicit as dhclient -6 sends it parsed field by field, a
 * Reply's bytes against a hand-made message, build/parse round trips (statuses, FQDN, domain
 * list), DUIDs carrying a MAC, and malformed messages refused with -EBADMSG.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "dhcp6/dhcp6-packet.h"
#include "dhcp6/dhcp6-proto.h"
#include "shared/in6-addr-util.h"

/* A Solicit: xid 0x0a0b0c, CLIENTID DUID-LLT, ELAPSED 0, ORO (23, 24, 39), IA_NA iaid 0x11223344 */
static const uint8_t solicit[] = {
	1, 0x0a, 0x0b, 0x0c,
	0, 1, 0, 14, 0, 1, 0, 1, 0x2a, 0x2b, 0x2c, 0x2d, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
	0, 8, 0, 2, 0, 0,
	0, 6, 0, 6, 0, 23, 0, 24, 0, 39,
	0, 14, 0, 0,
	0, 3, 0, 12, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, 0, 0, 0, 0,
	/* an unknown option, skipped */
	0x12, 0x34, 0, 2, 0xaa, 0xbb,
};

static void test_parse_solicit(void **state)
{
	struct dhcp6_message m;
	uint8_t mac[6];

	assert_int_equal(dhcp6_message_parse(solicit, sizeof(solicit), &m), 0);
	assert_int_equal(m.type, DHCP6_SOLICIT);
	assert_int_equal(m.xid, 0x0a0b0c);
	assert_int_equal(m.client_id_len, 14);
	assert_ptr_equal(m.client_id, solicit + 8);
	assert_null(m.server_id);
	assert_true(m.has_elapsed);
	assert_int_equal(m.elapsed_cs, 0);
	assert_int_equal(m.n_oro, 3);
	assert_true(dhcp6_message_requests(&m, DHCP6_OPT_DNS_SERVERS));
	assert_true(dhcp6_message_requests(&m, DHCP6_OPT_DOMAIN_LIST));
	assert_false(dhcp6_message_requests(&m, DHCP6_OPT_PREFERENCE));
	assert_true(m.rapid_commit);
	assert_int_equal(m.n_ia_na, 1);
	assert_int_equal(m.ia_na[0].iaid, 0x11223344);
	assert_int_equal(m.ia_na[0].n_addrs, 0);
	assert_false(m.ia_na[0].status.present);
	assert_int_equal(dhcp6_duid_mac(m.client_id, m.client_id_len, mac), 0);
	assert_memory_equal(mac, ((uint8_t[]){ 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }), 6);
	assert_string_equal(dhcp6_msg_type_to_string(m.type), "SOLICIT");
	assert_null(dhcp6_msg_type_to_string(0));
	assert_null(dhcp6_msg_type_to_string(99));
}

static const uint8_t duid_ll[] = { 0, 3, 0, 1, 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t duid_uuid[] = { 0, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static struct dhcp6_message sample_reply(void)
{
	struct dhcp6_message m;

	memset(&m, 0, sizeof(m));
	m.type = DHCP6_REPLY;
	m.xid = 0x123456;
	m.client_id = duid_uuid;
	m.client_id_len = sizeof(duid_uuid);
	m.server_id = duid_ll;
	m.server_id_len = sizeof(duid_ll);
	m.n_ia_na = 1;
	m.ia_na[0].iaid = 7;
	m.ia_na[0].t1_sec = 1800;
	m.ia_na[0].t2_sec = 2880;
	m.ia_na[0].n_addrs = 1;
	assert_int_equal(in6_addr_from_string("fd42::1:5", &m.ia_na[0].addrs[0].addr), 0);
	m.ia_na[0].addrs[0].preferred_sec = 3600;
	m.ia_na[0].addrs[0].valid_sec = 3600;
	m.rapid_commit = true;
	m.n_dns = 1;
	assert_int_equal(in6_addr_from_string("fd42::1", &m.dns[0]), 0);
	m.n_domains = 1;
	strcpy(m.domains[0], "lab.kvmnet");
	return m;
}

static void test_reply_bytes(void **state)
{
	static const uint8_t expected[] = {
		7, 0x12, 0x34, 0x56,
		0, 1, 0, 18, 0, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		0, 2, 0, 10, 0, 3, 0, 1, 0x02, 0, 0, 0, 0, 0x01,
		/* IA_NA iaid 7, T1 1800, T2 2880, IAADDR fd42::1:5 3600/3600 */
		0, 3, 0, 40, 0, 0, 0, 7, 0, 0, 0x07, 0x08, 0, 0, 0x0b, 0x40,
		0, 5, 0, 24, 0xfd, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 5,
		0, 0, 0x0e, 0x10, 0, 0, 0x0e, 0x10,
		0, 14, 0, 0,
		0, 23, 0, 16, 0xfd, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0, 24, 0, 12, 3, 'l', 'a', 'b', 6, 'k', 'v', 'm', 'n', 'e', 't', 0,
	};
	struct dhcp6_message m = sample_reply();
	uint8_t buf[DHCP6_MESSAGE_MAX];
	int len = dhcp6_message_build(&m, buf, sizeof(buf));

	assert_int_equal(len, sizeof(expected));
	assert_memory_equal(buf, expected, sizeof(expected));
	/* one byte short of room */
	assert_int_equal(dhcp6_message_build(&m, buf, sizeof(expected) - 1), -ENOBUFS);
}

static void test_round_trip(void **state)
{
	static const char text[] = "no address for you";
	struct dhcp6_message m = sample_reply(), back;
	uint8_t buf[DHCP6_MESSAGE_MAX];
	int len;

	m.type = DHCP6_ADVERTISE;
	m.rapid_commit = false;
	m.has_preference = true;
	m.preference = 255;
	m.ia_na[0].addrs[0].status = (struct dhcp6_status_opt){ .present = true, .code = 0 };
	m.n_ia_na = 2;
	m.ia_na[1].iaid = 8;
	m.ia_na[1].status = (struct dhcp6_status_opt){
		.present = true, .code = DHCP6_STATUS_NO_ADDRS_AVAIL,
		.msg = (const uint8_t *)text, .msg_len = sizeof(text) - 1,
	};
	m.has_fqdn = true;
	m.fqdn_flags = DHCP6_FQDN_FLAG_S;
	strcpy(m.fqdn, "web1");
	m.fqdn_partial = true;
	len = dhcp6_message_build(&m, buf, sizeof(buf));
	assert_true(len > 0);
	assert_int_equal(dhcp6_message_parse(buf, (size_t)len, &back), 0);
	assert_int_equal(back.type, DHCP6_ADVERTISE);
	assert_int_equal(back.n_ia_na, 2);
	assert_true(back.ia_na[0].addrs[0].status.present);
	assert_int_equal(back.ia_na[1].status.code, DHCP6_STATUS_NO_ADDRS_AVAIL);
	assert_int_equal(back.ia_na[1].status.msg_len, sizeof(text) - 1);
	assert_memory_equal(back.ia_na[1].status.msg, text, sizeof(text) - 1);
	assert_true(back.has_preference);
	assert_int_equal(back.preference, 255);
	assert_true(back.has_fqdn);
	assert_string_equal(back.fqdn, "web1");
	assert_true(back.fqdn_partial);
	assert_int_equal(back.fqdn_flags, DHCP6_FQDN_FLAG_S);
	assert_string_equal(back.domains[0], "lab.kvmnet");
	assert_memory_equal(&back.ia_na[0].addrs[0].addr, &m.ia_na[0].addrs[0].addr, 16);

	/* a fully qualified name keeps its root label */
	m.fqdn_partial = false;
	strcpy(m.fqdn, "web1.lab.kvmnet");
	len = dhcp6_message_build(&m, buf, sizeof(buf));
	assert_int_equal(dhcp6_message_parse(buf, (size_t)len, &back), 0);
	assert_string_equal(back.fqdn, "web1.lab.kvmnet");
	assert_false(back.fqdn_partial);
}

static void test_build_invalid(void **state)
{
	struct dhcp6_message m = sample_reply();
	uint8_t buf[DHCP6_MESSAGE_MAX];

	m.xid = 0x1000000;
	assert_int_equal(dhcp6_message_build(&m, buf, sizeof(buf)), -EINVAL);
	m = sample_reply();
	strcpy(m.domains[0], "bad..name");
	assert_int_equal(dhcp6_message_build(&m, buf, sizeof(buf)), -EINVAL);
	m = sample_reply();
	m.client_id_len = 2;
	assert_int_equal(dhcp6_message_build(&m, buf, sizeof(buf)), -EINVAL);
	m = sample_reply();
	m.type = DHCP6_RELAY_FORW;
	assert_int_equal(dhcp6_message_build(&m, buf, sizeof(buf)), -EINVAL);
}

static void expect_bad(const uint8_t *buf, size_t len)
{
	struct dhcp6_message m;

	assert_int_equal(dhcp6_message_parse(buf, len, &m), -EBADMSG);
}

static void test_malformed(void **state)
{
	uint8_t b[sizeof(solicit) + 64];

	/* every truncation of the Solicit that cuts an option */
	for (size_t n = 0; n < sizeof(solicit); n++) {
		struct dhcp6_message m;
		int r = dhcp6_message_parse(solicit, n, &m);
		/* the cuts that fall between options leave a valid message */
		if (n == 4 || n == 22 || n == 28 || n == 38 || n == 42 || n == 58)
			assert_int_equal(r, 0);
		else
			assert_int_equal(r, -EBADMSG);
	}
	/* relay and unknown message types */
	expect_bad((const uint8_t[]){ 12, 0, 0, 0 }, 4);
	expect_bad((const uint8_t[]){ 13, 0, 0, 0 }, 4);
	expect_bad((const uint8_t[]){ 0, 0, 0, 0 }, 4);
	expect_bad((const uint8_t[]){ 200, 0, 0, 0 }, 4);
	/* two CLIENTIDs */
	memcpy(b, solicit, 22);
	memcpy(b + 22, solicit + 4, 18);
	expect_bad(b, 40);
	/* DUID too short */
	expect_bad((const uint8_t[]){ 1, 0, 0, 0, 0, 1, 0, 2, 0, 3 }, 10);
	/* DUID too long: 131 bytes */
	{
		uint8_t big[4 + 4 + 131] = { 1, 0, 0, 0, 0, 1, 0, 131 };
		expect_bad(big, sizeof(big));
		big[7] = 130;
		struct dhcp6_message m;
		assert_int_equal(dhcp6_message_parse(big, sizeof(big) - 1, &m), 0);
	}
	/* ELAPSED of 3 bytes, odd ORO, RAPID_COMMIT with a value, STATUS of 1 byte */
	expect_bad((const uint8_t[]){ 1, 0, 0, 0, 0, 8, 0, 3, 0, 0, 0 }, 11);
	expect_bad((const uint8_t[]){ 1, 0, 0, 0, 0, 6, 0, 3, 0, 23, 0 }, 11);
	expect_bad((const uint8_t[]){ 1, 0, 0, 0, 0, 14, 0, 1, 0 }, 9);
	expect_bad((const uint8_t[]){ 1, 0, 0, 0, 0, 13, 0, 1, 0 }, 9);
	/* IA_NA shorter than its fixed part; IAADDR shorter than its own */
	expect_bad((const uint8_t[]){ 1, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 1 }, 12);
	{
		uint8_t ia[] = { 1, 0, 0, 0, 0, 3, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
				 0, 5, 0, 4, 0, 0, 0, 0 };
		expect_bad(ia, sizeof(ia));
	}
	/* two IA_NAs with one IAID */
	{
		uint8_t two[4 + 32] = { 3, 0, 0, 0, 0, 3, 0, 12, 0, 0, 0, 9 };
		memcpy(two + 20, two + 4, 16);
		expect_bad(two, sizeof(two));
		two[27] = 10;           /* the second one's IAID: 10 */
		struct dhcp6_message m;
		assert_int_equal(dhcp6_message_parse(two, sizeof(two), &m), 0);
		assert_int_equal(m.n_ia_na, 2);
	}
	/* DNS_SERVERS not a multiple of 16; a domain with a compression pointer; FQDN bad flags */
	expect_bad((const uint8_t[]){ 7, 0, 0, 0, 0, 23, 0, 3, 1, 2, 3 }, 11);
	expect_bad((const uint8_t[]){ 7, 0, 0, 0, 0, 24, 0, 3, 0xc0, 0x0c, 0 }, 11);
	expect_bad((const uint8_t[]){ 7, 0, 0, 0, 0, 24, 0, 1, 0 }, 9);
	expect_bad((const uint8_t[]){ 1, 0, 0, 0, 0, 39, 0, 1, 0x80 }, 9);
	/* a label holding a dot */
	expect_bad((const uint8_t[]){ 7, 0, 0, 0, 0, 24, 0, 5, 3, 'a', '.', 'b', 0 }, 13);
}

static void test_duid_mac(void **state)
{
	uint8_t mac[6];

	assert_int_equal(dhcp6_duid_mac(duid_ll, sizeof(duid_ll), mac), 0);
	assert_memory_equal(mac, ((uint8_t[]){ 0x02, 0, 0, 0, 0, 0x01 }), 6);
	assert_int_equal(dhcp6_duid_mac(duid_uuid, sizeof(duid_uuid), mac), -ENOENT);
	/* hardware type not Ethernet */
	assert_int_equal(dhcp6_duid_mac((const uint8_t[]){ 0, 3, 0, 6, 1, 2, 3, 4, 5, 6 }, 10, mac),
			 -ENOENT);
	assert_int_equal(dhcp6_duid_mac(duid_ll, 9, mac), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_solicit),
		cmocka_unit_test(test_reply_bytes),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_build_invalid),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_duid_mac),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
