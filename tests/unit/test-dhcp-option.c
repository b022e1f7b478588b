/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for dhcp/dhcp-option: build and parse round trips, long options split and joined
 * (RFC 3396), option overload into 'file' and 'sname', truncated and malformed options, PAD and
 * END, the builder's size limit, and host name / client FQDN decoding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "dhcp/dhcp-option.h"
#include "dhcp/dhcp-proto.h"
#include "shared/alloc-util.h"

#define MSG_MAX 8192
#define U8 (const uint8_t *)

/* A message: zero header and cookie, then 'opts' of 'n' bytes. Returns its length. */
static size_t msg_make(uint8_t *msg, const uint8_t *opts, size_t n)
{
	uint32_t cookie = htonl(DHCP_MAGIC_COOKIE);

	memset(msg, 0, DHCP_HEADER_SIZE);
	memcpy(msg + DHCP_HEADER_SIZE - 4, &cookie, 4);
	memcpy(msg + DHCP_HEADER_SIZE, opts, n);
	return DHCP_HEADER_SIZE + n;
}

static int parse_opts(struct dhcp_options *o, const uint8_t *opts, size_t n)
{
	static uint8_t msg[MSG_MAX];

	return dhcp_options_parse(o, msg, msg_make(msg, opts, n));
}

static void test_round_trip(void **state)
{
	static struct dhcp_options o;
	uint8_t buf[256], msg[MSG_MAX];
	struct dhcp_option_builder b;
	struct in_addr a = { htonl(0x0a000001) }, got;
	const uint8_t *v;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	size_t n;

	dhcp_option_builder_init(&b, buf, sizeof(buf));
	assert_int_equal(dhcp_option_append_u8(&b, DHCP_OPTION_MESSAGE_TYPE, DHCP_MSG_ACK), 0);
	assert_int_equal(dhcp_option_append_addr(&b, DHCP_OPTION_SERVER_ID, a), 0);
	assert_int_equal(dhcp_option_append_u32(&b, DHCP_OPTION_LEASE_TIME, 3600), 0);
	assert_int_equal(dhcp_option_append_u16(&b, DHCP_OPTION_MTU, 1400), 0);
	assert_int_equal(dhcp_option_append(&b, DHCP_OPTION_DOMAIN_NAME, "example.org", 11), 0);
	assert_int_equal(dhcp_option_append(&b, DHCP_OPTION_CLIENT_ID, "", 0), 0);
	assert_int_equal(dhcp_option_append(&b, DHCP_OPTION_PAD, "", 0), -EINVAL);
	assert_int_equal(dhcp_option_append(&b, DHCP_OPTION_END, "", 0), -EINVAL);
	n = dhcp_option_builder_finish(&b);
	assert_int_equal(n, 3 + 6 + 6 + 4 + 13 + 2 + 1);
	assert_int_equal(buf[n - 1], DHCP_OPTION_END);

	assert_int_equal(dhcp_options_parse(&o, msg, msg_make(msg, buf, n)), 0);
	assert_int_equal(dhcp_options_get_u8(&o, DHCP_OPTION_MESSAGE_TYPE, &u8), 0);
	assert_int_equal(u8, DHCP_MSG_ACK);
	assert_int_equal(dhcp_options_get_addr(&o, DHCP_OPTION_SERVER_ID, &got), 0);
	assert_int_equal(got.s_addr, a.s_addr);
	assert_int_equal(dhcp_options_get_u32(&o, DHCP_OPTION_LEASE_TIME, &u32), 0);
	assert_int_equal(u32, 3600);
	assert_int_equal(dhcp_options_get_u16(&o, DHCP_OPTION_MTU, &u16), 0);
	assert_int_equal(u16, 1400);
	v = dhcp_options_get(&o, DHCP_OPTION_DOMAIN_NAME, &n);
	assert_non_null(v);
	assert_int_equal(n, 11);
	assert_memory_equal(v, "example.org", 11);
	assert_true(dhcp_options_has(&o, DHCP_OPTION_CLIENT_ID));
	assert_non_null(dhcp_options_get(&o, DHCP_OPTION_CLIENT_ID, &n));
	assert_int_equal(n, 0);

	/* absent and wrongly sized */
	assert_false(dhcp_options_has(&o, DHCP_OPTION_ROUTER));
	assert_null(dhcp_options_get(&o, DHCP_OPTION_ROUTER, &n));
	assert_int_equal(dhcp_options_get_u32(&o, DHCP_OPTION_ROUTER, &u32), -ENOENT);
	assert_int_equal(dhcp_options_get_u16(&o, DHCP_OPTION_LEASE_TIME, &u16), -EBADMSG);
	assert_int_equal(dhcp_options_get_addr(&o, DHCP_OPTION_MESSAGE_TYPE, &got), -EBADMSG);
	assert_string_equal(dhcp_msg_type_to_string(DHCP_MSG_DISCOVER), "DHCPDISCOVER");
	assert_null(dhcp_msg_type_to_string(0));
	assert_null(dhcp_msg_type_to_string(_DHCP_MSG_MAX));
}

static void test_long_option(void **state)
{
	static struct dhcp_options o;
	uint8_t val[600], buf[700], msg[MSG_MAX];
	struct dhcp_option_builder b;
	const uint8_t *v;
	size_t n;

	for (size_t i = 0; i < sizeof(val); i++)
		val[i] = (uint8_t)(i * 7);
	dhcp_option_builder_init(&b, buf, sizeof(buf));
	assert_int_equal(dhcp_option_append(&b, DHCP_OPTION_RELAY_AGENT_INFO, val, sizeof(val)), 0);
	/* split into 255 + 255 + 90 (RFC 3396) */
	assert_int_equal(b.len, dhcp_option_wire_size(sizeof(val)));
	assert_int_equal(b.len, 606);
	assert_int_equal(buf[1], 255);
	assert_int_equal(buf[258], 255);
	assert_int_equal(buf[515], 90);
	n = dhcp_option_builder_finish(&b);

	assert_int_equal(dhcp_options_parse(&o, msg, msg_make(msg, buf, n)), 0);
	v = dhcp_options_get(&o, DHCP_OPTION_RELAY_AGENT_INFO, &n);
	assert_int_equal(n, sizeof(val));
	assert_memory_equal(v, val, sizeof(val));
}

static void test_repeated_joined(void **state)
{
	static struct dhcp_options o;
	/* instances of 12 and 55 interleaved: each joined in order */
	static const uint8_t opts[] = { 12, 2, 'a', 'b', 55, 2, 1, 3, 12, 1, 'c', 55, 1, 6, 12, 0,
					12, 2, 'd', 'e', 255 };
	const uint8_t *v;
	size_t n;

	assert_int_equal(parse_opts(&o, opts, sizeof(opts)), 0);
	v = dhcp_options_get(&o, DHCP_OPTION_HOST_NAME, &n);
	assert_int_equal(n, 5);
	assert_memory_equal(v, "abcde", 5);
	v = dhcp_options_get(&o, DHCP_OPTION_PARAMETER_REQUEST_LIST, &n);
	assert_int_equal(n, 3);
	assert_memory_equal(v, "\x01\x03\x06", 3);
}

static void test_overload(void **state)
{
	static struct dhcp_options o;
	uint8_t msg[MSG_MAX];
	static const uint8_t opts[] = { 53, 1, 1, 52, 1, 3, 12, 1, 'a', 255 };
	const uint8_t *v;
	size_t n, len = msg_make(msg, opts, sizeof(opts));

	/* 'file' first, then 'sname' (RFC 2131 §4.1) */
	memcpy(msg + DHCP_FILE_OFFSET, "\x0c\x01\x62\x00\x37\x01\x01\xff", 8);
	memcpy(msg + DHCP_SNAME_OFFSET, "\x0c\x01\x63\xff", 4);
	assert_int_equal(dhcp_options_parse(&o, msg, len), 0);
	assert_int_equal(o.overload, 3);
	v = dhcp_options_get(&o, DHCP_OPTION_HOST_NAME, &n);
	assert_int_equal(n, 3);
	assert_memory_equal(v, "abc", 3);
	assert_true(dhcp_options_has(&o, DHCP_OPTION_PARAMETER_REQUEST_LIST));

	/* without option 52 the fields are not options */
	msg[DHCP_HEADER_SIZE + 5] = 2; /* sname only */
	assert_int_equal(dhcp_options_parse(&o, msg, len), 0);
	v = dhcp_options_get(&o, DHCP_OPTION_HOST_NAME, &n);
	assert_int_equal(n, 2);
	assert_memory_equal(v, "ac", 2);
	assert_false(dhcp_options_has(&o, DHCP_OPTION_PARAMETER_REQUEST_LIST));

	/* a field need not end with END, but must hold whole options */
	msg[DHCP_HEADER_SIZE + 5] = 1;
	memset(msg + DHCP_FILE_OFFSET, 0, DHCP_FILE_SIZE);
	msg[DHCP_FILE_OFFSET + DHCP_FILE_SIZE - 3] = 12;
	msg[DHCP_FILE_OFFSET + DHCP_FILE_SIZE - 2] = 1;
	msg[DHCP_FILE_OFFSET + DHCP_FILE_SIZE - 1] = 'z';
	assert_int_equal(dhcp_options_parse(&o, msg, len), 0);
	msg[DHCP_FILE_OFFSET + DHCP_FILE_SIZE - 2] = 2; /* would run into 'options' */
	assert_int_equal(dhcp_options_parse(&o, msg, len), -EBADMSG);

	/* bad overload values */
	msg[DHCP_HEADER_SIZE + 5] = 0;
	assert_int_equal(dhcp_options_parse(&o, msg, len), -EBADMSG);
	msg[DHCP_HEADER_SIZE + 5] = 4;
	assert_int_equal(dhcp_options_parse(&o, msg, len), -EBADMSG);
	static const uint8_t two[] = { 52, 2, 1, 1, 255 };
	assert_int_equal(parse_opts(&o, two, sizeof(two)), -EBADMSG);
	/* option 52 inside an overloaded field is not followed */
	static const uint8_t nested[] = { 52, 1, 1, 255 };
	len = msg_make(msg, nested, sizeof(nested));
	memcpy(msg + DHCP_FILE_OFFSET, "\x34\x01\x02\xff", 4);
	memcpy(msg + DHCP_SNAME_OFFSET, "\x0c\x01\x63\xff", 4);
	assert_int_equal(dhcp_options_parse(&o, msg, len), 0);
	assert_false(dhcp_options_has(&o, DHCP_OPTION_HOST_NAME));
}

static void test_truncated(void **state)
{
	static struct dhcp_options o;
	static const uint8_t no_len[] = { 53 };
	static const uint8_t short_val[] = { 53, 1 };
	static const uint8_t overrun[] = { 12, 10, 'a', 'b' };
	static const uint8_t exact[] = { 12, 2, 'a', 'b' };
	uint8_t msg[MSG_MAX];

	assert_int_equal(parse_opts(&o, no_len, sizeof(no_len)), -EBADMSG);
	assert_int_equal(parse_opts(&o, short_val, sizeof(short_val)), -EBADMSG);
	assert_int_equal(parse_opts(&o, overrun, sizeof(overrun)), -EBADMSG);
	assert_int_equal(parse_opts(&o, exact, sizeof(exact)), 0);

	/* shorter than the header, or without the cookie */
	msg_make(msg, exact, sizeof(exact));
	for (size_t n = 0; n < DHCP_HEADER_SIZE; n++)
		assert_int_equal(dhcp_options_parse(&o, msg, n), -EBADMSG);
	msg[DHCP_HEADER_SIZE - 1] ^= 1;
	assert_int_equal(dhcp_options_parse(&o, msg, DHCP_HEADER_SIZE + sizeof(exact)), -EBADMSG);
}

static void test_pad_end(void **state)
{
	static struct dhcp_options o;
	/* PADs anywhere, and nothing after END counts, not even garbage */
	static const uint8_t opts[] = { 0, 0, 53, 1, 3, 0, 255, 12, 200, 'x' };
	static const uint8_t only_pad[] = { 0, 0, 0, 0 };
	uint8_t u8;

	assert_int_equal(parse_opts(&o, opts, sizeof(opts)), 0);
	assert_int_equal(dhcp_options_get_u8(&o, DHCP_OPTION_MESSAGE_TYPE, &u8), 0);
	assert_int_equal(u8, 3);
	assert_false(dhcp_options_has(&o, DHCP_OPTION_HOST_NAME));
	assert_int_equal(parse_opts(&o, only_pad, sizeof(only_pad)), 0);
	assert_false(dhcp_options_has(&o, DHCP_OPTION_MESSAGE_TYPE));
	assert_int_equal(parse_opts(&o, only_pad, 0), 0);
}

static void test_join_limit(void **state)
{
	static struct dhcp_options o;
	static uint8_t opts[20 * 257 + 1];
	size_t n = 0;

	/* joining more than the scratch area holds is refused, not truncated */
	for (int i = 0; i < 20; i++) {
		opts[n++] = 82;
		opts[n++] = 255;
		memset(opts + n, 'r', 255);
		n += 255;
	}
	opts[n++] = 255;
	assert_int_equal(parse_opts(&o, opts, n), -EBADMSG);
	/* up to the limit is fine */
	assert_int_equal(parse_opts(&o, opts, 8 * 257), 0);
	assert_int_equal(o.len[82], 8 * 255);
}

static void test_builder_limit(void **state)
{
	uint8_t buf[16], copy[16];
	struct dhcp_option_builder b;

	memset(buf, 0xaa, sizeof(buf));
	dhcp_option_builder_init(&b, buf, sizeof(buf));
	/* 2 + 12 = 14 bytes leave one for END */
	assert_int_equal(dhcp_option_append(&b, DHCP_OPTION_DOMAIN_NAME, "abcdefghijkl", 12), 0);
	memcpy(copy, buf, sizeof(buf));
	/* 14 + 2 would leave none: refused, nothing written */
	assert_int_equal(dhcp_option_append(&b, DHCP_OPTION_CLIENT_ID, "", 0), -E2BIG);
	assert_memory_equal(buf, copy, sizeof(buf));
	assert_int_equal(b.len, 14);
	assert_int_equal(dhcp_option_builder_finish(&b), 15);
	assert_int_equal(buf[14], DHCP_OPTION_END);
	assert_int_equal(buf[15], 0xaa);

	dhcp_option_builder_init(&b, buf, 1);
	assert_int_equal(dhcp_option_append_u8(&b, DHCP_OPTION_MESSAGE_TYPE, 1), -E2BIG);
	assert_int_equal(dhcp_option_builder_finish(&b), 1);
	dhcp_option_builder_init(&b, buf, 0);
	assert_int_equal(dhcp_option_append_u8(&b, DHCP_OPTION_MESSAGE_TYPE, 1), -E2BIG);
	assert_int_equal(dhcp_option_builder_finish(&b), 0);
	assert_int_equal(dhcp_option_wire_size(0), 2);
	assert_int_equal(dhcp_option_wire_size(255), 257);
	assert_int_equal(dhcp_option_wire_size(256), 260);
}

static void test_hostname(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{ "guest1", 6, "guest1" },
		{ "Guest-One", 9, "guest-one" },
		{ "web.example.org", 15, "web" },
		{ "db\0\0", 4, "db" },          /* trailing NULs some clients send */
		{ "a\0b", 3, "" },              /* an embedded NUL */
		{ "-lead", 5, "" },
		{ "trail-", 6, "" },
		{ "under_score", 11, "" },
		{ "sp ace", 6, "" },
		{ ".start", 6, "" },
		{ "", 0, "" },
		{ "caf\xc3\xa9", 5, "" },
		{ "x", 1, "x" },
	};
	char out[DHCP_HOSTNAME_MAX + 1], long_name[80];

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		int r = dhcp_hostname_sanitize((const uint8_t *)cases[i].in, cases[i].len, out);

		assert_string_equal(out, cases[i].out);
		assert_int_equal(r, cases[i].out[0] ? 0 : -EINVAL);
	}
	memset(long_name, 'a', sizeof(long_name));
	assert_int_equal(dhcp_hostname_sanitize((const uint8_t *)long_name, 63, out), 0);
	assert_int_equal(strlen(out), 63);
	assert_int_equal(dhcp_hostname_sanitize((const uint8_t *)long_name, 64, out), -EINVAL);
	assert_string_equal(out, "");
}

static void test_fqdn(void **state)
{
	char out[DHCP_HOSTNAME_MAX + 1];

	/* ASCII form */
	assert_int_equal(dhcp_fqdn_hostname(U8 "\x01\x00\x00Host.example.", 16, out), 0);
	assert_string_equal(out, "host");
	/* wire form (flag E) */
	assert_int_equal(dhcp_fqdn_hostname(U8 "\x05\x00\x00\x03vm1\x03lan\x00", 12,
					    out), 0);
	assert_string_equal(out, "vm1");
	/* label longer than what follows, compression pointer, empty, too short */
	assert_int_equal(dhcp_fqdn_hostname(U8 "\x04\x00\x00\x09vm", 6, out), -EINVAL);
	assert_int_equal(dhcp_fqdn_hostname(U8 "\x04\x00\x00\xc0\x0c", 5, out), -EINVAL);
	assert_int_equal(dhcp_fqdn_hostname(U8 "\x04\x00\x00\x00", 4, out), -EINVAL);
	assert_int_equal(dhcp_fqdn_hostname(U8 "\x04\x00\x00", 3, out), -EINVAL);
	assert_int_equal(dhcp_fqdn_hostname(U8 "\x04\x00", 2, out), -EINVAL);
	assert_int_equal(dhcp_fqdn_hostname(U8 "\x04\x00\x00\x03a.b", 7, out), -EINVAL);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_long_option),
		cmocka_unit_test(test_repeated_joined),
		cmocka_unit_test(test_overload),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_pad_end),
		cmocka_unit_test(test_join_limit),
		cmocka_unit_test(test_builder_limit),
		cmocka_unit_test(test_hostname),
		cmocka_unit_test(test_fqdn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
