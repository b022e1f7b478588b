/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of conf-test-util.h. */
#include "conf-test-util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/conf-network.h"

int conf_test_build(struct network_config *c, const char *name, const char *mode, char *err,
		    size_t errlen, const char *const *kv)
{
	int r;

	network_config_init(c);
	assert_int_equal(network_config_set(c, "name", name, err, errlen), 0);
	assert_int_equal(network_config_set(c, "mode", mode, err, errlen), 0);
	if (strcmp(mode, "bridge") == 0)
		assert_int_equal(network_config_set(c, "bridge", "br0", err, errlen), 0);
	else if (strcmp(mode, "macvtap") == 0)
		assert_int_equal(network_config_set(c, "uplink", "eth0", err, errlen), 0);
	else
		assert_int_equal(network_config_set(c, "subnet", "10.0.0.0/24", err, errlen), 0);
	for (size_t i = 0; kv && kv[i]; i += 2) {
		r = network_config_set(c, kv[i], kv[i + 1], err, errlen);
		if (r < 0)
			return r;
	}
	return network_config_finish(c, err, errlen);
}
