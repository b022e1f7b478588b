/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for firewall/fw-overlay: the scripts of table bridge kvmnet_overlay. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "firewall/fw-overlay.h"

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

static void test_render(void **state)
{
	struct fw_overlay o = { .ifname = "knvx42", .block_dhcp = true, .anycast = true,
				.gateway_mac = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee } };
	char *s = NULL;

	(void)state;
	inet_pton(AF_INET, "10.70.0.1", &o.gateway);
	assert_int_equal(fw_overlay_render(&o, &s), 0);
	/* base chains rewritten (flush + one vmap rule each way), the device's chain filled */
	assert_int_equal(count(s, "flush chain bridge kvmnet_overlay ov_forward\n"), 1);
	assert_int_equal(count(s, "vmap @ovl\n"), 4);
	assert_non_null(strstr(s, "o_knvx42 udp dport { 67, 68 } counter drop\n"));
	assert_non_null(strstr(s, "o_knvx42 arp daddr ip 10.70.0.1 counter drop\n"));
	assert_non_null(strstr(s, "o_knvx42 ether saddr 02:aa:bb:cc:dd:ee counter drop\n"));
	assert_non_null(strstr(s, "add element bridge kvmnet_overlay ovl { \"knvx42\" : jump "
				  "o_knvx42 }\n"));
	assert_null(strstr(s, "delete"));
	free(s);

	/* only DHCP */
	o.anycast = false;
	assert_int_equal(fw_overlay_render(&o, &s), 0);
	assert_null(strstr(s, "arp"));
	assert_non_null(strstr(s, "udp dport"));
	free(s);

	/* nothing to keep off the overlay: the chain and element go */
	o.block_dhcp = false;
	assert_int_equal(fw_overlay_render(&o, &s), 0);
	assert_non_null(strstr(s, "delete element bridge kvmnet_overlay ovl { \"knvx42\" }\n"));
	assert_non_null(strstr(s, "delete chain bridge kvmnet_overlay o_knvx42\n"));
	free(s);

	assert_int_equal(fw_overlay_render_delete("knvx42", &s), 0);
	assert_non_null(strstr(s, "delete chain bridge kvmnet_overlay o_knvx42\n"));
	free(s);

	/* a name that would not stay an identifier */
	strcpy(o.ifname, "a b");
	assert_int_equal(fw_overlay_render(&o, &s), -EINVAL);
	assert_int_equal(fw_overlay_render_delete("x\"y", &s), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
