/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for ndp/ndp-packet: the RA's bytes (header, source link-layer address, MTU, prefix
 * information, RDNSS, DNSSL with its padding) against a hand-made message, build/parse round
 * trips, RS/NS/NA parsing and building, and malformed messages refused with -EBADMSG.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "ndp/ndp-packet.h"
#include "ndp/ndp-proto.h"
#include "shared/alloc-util.h"
#include "shared/in6-addr-util.h"

static struct ndp_ra sample_ra(void)
{
	struct ndp_ra ra;

	memset(&ra, 0, sizeof(ra));
	ra.cur_hop_limit = 64;
	ra.managed = true;
	ra.other = true;
	ra.router_lifetime_sec = 1800;
	ra.has_lladdr = true;
	memcpy(ra.lladdr, (uint8_t[]){ 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 }, 6);
	ra.mtu = 1400;
	ra.n_prefixes = 1;
	assert_int_equal(in6_addr_prefix_from_string("fd42:1::/64", &ra.prefixes[0].prefix.addr,
						     &ra.prefixes[0].prefix.prefixlen), 0);
	ra.prefixes[0].onlink = true;
	ra.prefixes[0].autonomous = false;
	ra.prefixes[0].valid_sec = 86400;
	ra.prefixes[0].preferred_sec = 14400;
	ra.n_rdnss = 1;
	assert_int_equal(in6_addr_from_string("fd42:1::1", &ra.rdnss[0]), 0);
	ra.rdnss_lifetime_sec = 1800;
	ra.n_dnssl = 1;
	strcpy(ra.dnssl[0], "lab.kvmnet");
	ra.dnssl_lifetime_sec = 1800;
	return ra;
}

static void test_ra_bytes(void **state)
{
	static const uint8_t expected[] = {
		/* header: type 134, code 0, checksum 0, hop limit 64, M|O, lifetime 1800 */
		134, 0, 0, 0, 64, 0xc0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0,
		/* source link-layer address */
		1, 1, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55,
		/* MTU 1400 */
		5, 1, 0, 0, 0, 0, 0x05, 0x78,
		/* prefix information: /64, L, valid 86400, preferred 14400, fd42:1:: */
		3, 4, 64, 0x80, 0x00, 0x01, 0x51, 0x80, 0x00, 0x00, 0x38, 0x40, 0, 0, 0, 0,
		0xfd, 0x42, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		/* RDNSS: length 3, lifetime 1800, fd42:1::1 */
		25, 3, 0, 0, 0, 0, 0x07, 0x08,
		0xfd, 0x42, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		/* DNSSL: 8 + 12 octets of name, padded to 24: length 3 */
		31, 3, 0, 0, 0, 0, 0x07, 0x08,
		3, 'l', 'a', 'b', 6, 'k', 'v', 'm', 'n', 'e', 't', 0, 0, 0, 0, 0,
	};
	struct ndp_ra ra = sample_ra();
	uint8_t buf[NDP_MESSAGE_MAX];
	int len;

	(void)state;
	len = ndp_ra_build(&ra, buf, sizeof(buf));
	assert_int_equal(len, sizeof(expected));
	assert_memory_equal(buf, expected, sizeof(expected));
	/* too small a buffer: -ENOBUFS, never a partial message */
	assert_int_equal(ndp_ra_build(&ra, buf, sizeof(expected) - 1), -ENOBUFS);
	assert_int_equal(ndp_ra_build(&ra, buf, 8), -ENOBUFS);
	/* an invalid domain */
	strcpy(ra.dnssl[0], "a..b");
	assert_int_equal(ndp_ra_build(&ra, buf, sizeof(buf)), -EINVAL);
}

static void test_ra_round_trip(void **state)
{
	struct ndp_ra ra = sample_ra(), back;
	uint8_t buf[NDP_MESSAGE_MAX];
	int len;

	(void)state;
	ra.n_dnssl = 2;
	strcpy(ra.dnssl[1], "example.org");
	ra.n_rdnss = 2;
	assert_int_equal(in6_addr_from_string("2001:db8::53", &ra.rdnss[1]), 0);
	len = ndp_ra_build(&ra, buf, sizeof(buf));
	assert_true(len > 0 && len % 8 == 0);
	assert_int_equal(ndp_ra_parse(buf, (size_t)len, &back), 0);
	assert_memory_equal(&ra, &back, sizeof(ra));
	/* without options */
	memset(&ra, 0, sizeof(ra));
	ra.router_lifetime_sec = 0;
	len = ndp_ra_build(&ra, buf, sizeof(buf));
	assert_int_equal(len, NDP_RA_HDR_LEN);
	assert_int_equal(ndp_ra_parse(buf, (size_t)len, &back), 0);
	assert_memory_equal(&ra, &back, sizeof(ra));
}

static void test_ra_malformed(void **state)
{
	struct ndp_ra ra = sample_ra(), back;
	uint8_t buf[NDP_MESSAGE_MAX];
	int len = ndp_ra_build(&ra, buf, sizeof(buf));

	(void)state;
	assert_true(len > 0);
	/* truncated inside an option */
	assert_int_equal(ndp_ra_parse(buf, (size_t)len - 1, &back), -EBADMSG);
	assert_int_equal(ndp_ra_parse(buf, 15, &back), -EBADMSG);
	/* code not 0 */
	buf[1] = 1;
	assert_int_equal(ndp_ra_parse(buf, (size_t)len, &back), -EBADMSG);
	buf[1] = 0;
	/* an option of length 0 (RFC 4861 §4.6: discard) */
	buf[17] = 0;
	assert_int_equal(ndp_ra_parse(buf, (size_t)len, &back), -EBADMSG);
	buf[17] = 1;
	/* a prefix option of the wrong length */
	buf[33] = 3;
	assert_int_equal(ndp_ra_parse(buf, (size_t)len, &back), -EBADMSG);
	buf[33] = 4;
	/* an RDNSS option of even length */
	buf[65] = 2;
	assert_int_equal(ndp_ra_parse(buf, (size_t)len, &back), -EBADMSG);
	buf[65] = 3;
	/* DNSSL: padding not zero, a label running past the option */
	buf[len - 1] = 1;
	assert_int_equal(ndp_ra_parse(buf, (size_t)len, &back), -EBADMSG);
	buf[len - 1] = 0;
	buf[len - 16] = 40;
	assert_int_equal(ndp_ra_parse(buf, (size_t)len, &back), -EBADMSG);
	buf[len - 16] = 3;
	assert_int_equal(ndp_ra_parse(buf, (size_t)len, &back), 0);
	/* not an RA */
	buf[0] = NDP_ROUTER_SOLICIT;
	assert_int_equal(ndp_ra_parse(buf, (size_t)len, &back), -EBADMSG);
}

static void test_ra_unknown_and_extra_options(void **state)
{
	struct ndp_ra back;
	uint8_t buf[16 + 8 + 5 * 32] = { NDP_ROUTER_ADVERT, 0 };
	size_t off = 16;

	(void)state;
	/* an unknown option is skipped */
	buf[off] = 200;
	buf[off + 1] = 1;
	off += 8;
	/* five prefixes: the first NDP_RA_PREFIXES_MAX are kept */
	for (int i = 0; i < 5; i++, off += 32) {
		buf[off] = NDP_OPT_PREFIX_INFO;
		buf[off + 1] = 4;
		buf[off + 2] = 64;
		buf[off + 16] = 0xfd;
		buf[off + 17] = (uint8_t)i;
	}
	assert_int_equal(ndp_ra_parse(buf, off, &back), 0);
	assert_int_equal(back.n_prefixes, NDP_RA_PREFIXES_MAX);
	assert_int_equal(back.prefixes[3].prefix.addr.s6_addr[1], 3);
}

static void test_rs(void **state)
{
	static const uint8_t rs[] = { 133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x52, 0x54, 0, 1, 2, 3 };
	static const uint8_t bare[] = { 133, 0, 0x12, 0x34, 0, 0, 0, 0 };
	static const uint8_t badll[] = { 133, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0,
					 0, 0, 0, 0, 0, 0, 0, 0 };
	struct ndp_rs r;

	(void)state;
	assert_int_equal(ndp_rs_parse(rs, sizeof(rs), &r), 0);
	assert_true(r.has_lladdr);
	assert_memory_equal(r.lladdr, ((uint8_t[]){ 0x52, 0x54, 0, 1, 2, 3 }), 6);
	assert_int_equal(ndp_rs_parse(bare, sizeof(bare), &r), 0);
	assert_false(r.has_lladdr);
	assert_int_equal(ndp_rs_parse(bare, 7, &r), -EBADMSG);
	assert_int_equal(ndp_rs_parse(rs, sizeof(rs) - 2, &r), -EBADMSG);
	assert_int_equal(ndp_rs_parse(badll, sizeof(badll), &r), -EBADMSG);
}

static void test_neigh(void **state)
{
	struct ndp_neigh n = { 0 }, back;
	uint8_t buf[64], type;
	int len;

	(void)state;
	assert_int_equal(in6_addr_from_string("fd42:1::10", &n.target), 0);
	n.solicited = true;
	n.override = true;
	n.has_lladdr = true;
	memcpy(n.lladdr, ((uint8_t[]){ 0x52, 0x54, 0, 9, 9, 9 }), 6);
	len = ndp_neigh_build(NDP_NEIGHBOR_ADVERT, &n, buf, sizeof(buf));
	assert_int_equal(len, 32);
	assert_int_equal(buf[4], NDP_NA_FLAG_SOLICITED | NDP_NA_FLAG_OVERRIDE);
	assert_int_equal(buf[24], NDP_OPT_TARGET_LLADDR);
	assert_int_equal(ndp_neigh_parse(buf, (size_t)len, &type, &back), 0);
	assert_int_equal(type, NDP_NEIGHBOR_ADVERT);
	assert_memory_equal(&n, &back, sizeof(n));
	/* an NS carries the source link-layer option; its flags are not read */
	n.solicited = n.override = false;
	len = ndp_neigh_build(NDP_NEIGHBOR_SOLICIT, &n, buf, sizeof(buf));
	assert_int_equal(buf[24], NDP_OPT_SOURCE_LLADDR);
	assert_int_equal(ndp_neigh_parse(buf, (size_t)len, &type, &back), 0);
	assert_int_equal(type, NDP_NEIGHBOR_SOLICIT);
	assert_memory_equal(&n, &back, sizeof(n));
	/* a multicast target is invalid (RFC 4861 §7.1.2) */
	buf[8] = 0xff;
	assert_int_equal(ndp_neigh_parse(buf, (size_t)len, &type, &back), -EBADMSG);
	assert_int_equal(ndp_neigh_parse(buf, 23, &type, &back), -EBADMSG);
	assert_int_equal(ndp_neigh_build(NDP_ROUTER_ADVERT, &n, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ndp_neigh_build(NDP_NEIGHBOR_SOLICIT, &n, buf, 30), -ENOBUFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ra_bytes),
		cmocka_unit_test(test_ra_round_trip),
		cmocka_unit_test(test_ra_malformed),
		cmocka_unit_test(test_ra_unknown_and_extra_options),
		cmocka_unit_test(test_rs),
		cmocka_unit_test(test_neigh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
