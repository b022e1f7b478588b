/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the definition tests share: building a network_config from key/value pairs the way the
 * CLI and the file parser do (network_config_set() per key, then network_config_finish()).
 */
#ifndef KN_TESTS_CONF_TEST_UTIL_H
#define KN_TESTS_CONF_TEST_UTIL_H

#include <stddef.h>

struct network_config;

/* A NULL-terminated list of keys and values: KV("vni", "7", "tenant", "red"). */
#define KV(...) ((const char *const[]){ __VA_ARGS__, NULL })

/*
 * Network 'name' of mode 'mode' (with bridge br0 for mode bridge, uplink eth0 for macvtap,
 * else subnet 10.0.0.0/24) and the keys in 'kv' (may be NULL). Returns the first failing
 * network_config_set()'s or network_config_finish()'s result, with its reason in 'err'.
 */
int conf_test_build(struct network_config *c, const char *name, const char *mode, char *err,
		    size_t errlen, const char *const *kv);

#endif
