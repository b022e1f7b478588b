/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for shared/int-map: put, get, replace and remove against a plain array, over
 * thousands of random operations (deletions by backward shift across wrapped clusters included).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "shared/int-map.h"

#define KEYS 3000

static void test_basic(void **state)
{
	struct int_map map = { 0 };
	int a, b;

	(void)state;
	assert_null(int_map_get(&map, 1));
	int_map_remove(&map, 1, NULL);   /* empty map: nothing */
	assert_int_equal(int_map_put(&map, 0, &a), -EINVAL);
	assert_int_equal(int_map_put(&map, -3, &a), -EINVAL);
	assert_int_equal(int_map_put(&map, 7, NULL), -EINVAL);
	assert_int_equal(int_map_put(&map, 7, &a), 0);
	assert_ptr_equal(int_map_get(&map, 7), &a);
	assert_int_equal(int_map_put(&map, 7, &b), 0);   /* replaced, not added */
	assert_ptr_equal(int_map_get(&map, 7), &b);
	assert_int_equal(map.n, 1);
	int_map_remove(&map, 7, &a);   /* maps to another value: kept */
	assert_ptr_equal(int_map_get(&map, 7), &b);
	int_map_remove(&map, 7, &b);
	assert_null(int_map_get(&map, 7));
	assert_int_equal(map.n, 0);
	int_map_done(&map);
}

static void test_random_against_array(void **state)
{
	static int values[KEYS + 1];
	static void *want[KEYS + 1];
	struct int_map map = { 0 };
	size_t n = 0;

	(void)state;
	srand(12);
	for (int op = 0; op < 200000; op++) {
		int key = 1 + rand() % KEYS;

		if (rand() % 3) {
			bool fresh = !want[key];
			assert_int_equal(int_map_put(&map, key, &values[key]), 0);
			want[key] = &values[key];
			n += fresh;
		} else {
			int_map_remove(&map, key, NULL);
			n -= want[key] != NULL;
			want[key] = NULL;
		}
		if (op % 997 == 0)
			for (int k = 1; k <= KEYS; k++)
				assert_ptr_equal(int_map_get(&map, k), want[k]);
		assert_int_equal(map.n, n);
	}
	for (int k = 1; k <= KEYS; k++)
		assert_ptr_equal(int_map_get(&map, k), want[k]);
	assert_true(map.cap >= 2 * map.n);
	int_map_done(&map);
	assert_null(int_map_get(&map, 1));
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_random_against_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
