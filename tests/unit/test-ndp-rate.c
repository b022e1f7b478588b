/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for ndp/ndp-rate, the limit on solicited router advertisements, with a fake clock:
 * exact edges of the window, no doubled burst across a window's edge, a flood, and a random
 * schedule checked against the definition (at most 'max' allowed in any window, and nothing
 * refused that fits). No sockets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ipv6/ra-service.h"
#include "ndp/ndp-rate.h"

#define SEC 1000000ULL
#define T0 (5000 * SEC) /* a monotonic clock some time after boot */

static void test_init(void **state)
{
	struct ndp_rate r, keep;

	memset(&keep, 0x5a, sizeof(keep));
	r = keep;
	assert_int_equal(ndp_rate_init(&r, 0, SEC), -EINVAL);
	assert_int_equal(ndp_rate_init(&r, NDP_RATE_MAX + 1, SEC), -EINVAL);
	assert_int_equal(ndp_rate_init(&r, 1, 0), -EINVAL);
	assert_int_equal(ndp_rate_init(NULL, 1, SEC), -EINVAL);
	assert_memory_equal(&r, &keep, sizeof(r));
	assert_int_equal(ndp_rate_init(&r, NDP_RATE_MAX, SEC), 0);
	assert_int_equal(ndp_rate_init(&r, 1, 1), 0);
}

/* The RA service's budget: 20 at once, not a 21st within the second; each place back a second on. */
static void test_budget_and_edges(void **state)
{
	struct ndp_rate r;

	assert_int_equal(RA_SOLICITED_PER_SEC, 20);
	assert_int_equal(ndp_rate_init(&r, RA_SOLICITED_PER_SEC, SEC), 0);
	for (unsigned i = 0; i < RA_SOLICITED_PER_SEC; i++)
		assert_true(ndp_rate_allow(&r, T0));
	assert_false(ndp_rate_allow(&r, T0));
	assert_false(ndp_rate_allow(&r, T0 + SEC / 2));
	assert_false(ndp_rate_allow(&r, T0 + SEC - 1));
	/* exactly a second later all 20 have left the window (t - 1 s, t] */
	for (unsigned i = 0; i < RA_SOLICITED_PER_SEC; i++)
		assert_true(ndp_rate_allow(&r, T0 + SEC));
	assert_false(ndp_rate_allow(&r, T0 + SEC));
	/* spread out: each answer frees its place a second later, not before */
	assert_int_equal(ndp_rate_init(&r, RA_SOLICITED_PER_SEC, SEC), 0);
	for (unsigned i = 0; i < RA_SOLICITED_PER_SEC; i++)
		assert_true(ndp_rate_allow(&r, T0 + i * 1000));
	assert_false(ndp_rate_allow(&r, T0 + SEC - 1));
	assert_true(ndp_rate_allow(&r, T0 + SEC));
	assert_false(ndp_rate_allow(&r, T0 + SEC + 999));
	assert_true(ndp_rate_allow(&r, T0 + SEC + 1000));
	assert_false(ndp_rate_allow(&r, T0 + SEC + 1000));
	/* quiet for long: the whole budget is back */
	for (unsigned i = 0; i < RA_SOLICITED_PER_SEC; i++)
		assert_true(ndp_rate_allow(&r, T0 + 3600 * SEC));
	assert_false(ndp_rate_allow(&r, T0 + 3600 * SEC));
}

/*
 * One at the start, then 19 just before the second is over, then many just after it: a fixed
 * window restarting at T0 + 1 s would answer 20 more there (39 within 10 ms); the sliding
 * window answers one (the one sent at T0 has left), the rest only as the 19 leave.
 */
static void test_no_double_burst_at_edge(void **state)
{
	struct ndp_rate r;
	unsigned allowed = 0;

	assert_int_equal(ndp_rate_init(&r, 20, SEC), 0);
	assert_true(ndp_rate_allow(&r, T0));
	for (unsigned i = 0; i < 19; i++)
		assert_true(ndp_rate_allow(&r, T0 + SEC - 10000));
	for (unsigned i = 0; i < 100; i++)
		allowed += ndp_rate_allow(&r, T0 + SEC + 100 * i);
	assert_int_equal(allowed, 1);
	assert_true(ndp_rate_allow(&r, T0 + 2 * SEC - 10000));
}

/* A flood of one solicitation a microsecond for 10 s: 20 a second, 200 in all. */
static void test_flood(void **state)
{
	struct ndp_rate r;
	unsigned allowed = 0, per_sec[10] = { 0 };

	assert_int_equal(ndp_rate_init(&r, RA_SOLICITED_PER_SEC, SEC), 0);
	for (uint64_t t = 0; t < 10 * SEC; t++) {
		if (ndp_rate_allow(&r, T0 + t)) {
			allowed++;
			per_sec[t / SEC]++;
		}
	}
	assert_int_equal(allowed, 10 * RA_SOLICITED_PER_SEC);
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(per_sec[i], RA_SOLICITED_PER_SEC);
}

/* Counts the allowed times in (t - window, t]. */
static unsigned allowed_in_window(const uint64_t *times, size_t n, uint64_t t, uint64_t window)
{
	unsigned c = 0;

	for (size_t i = 0; i < n; i++)
		c += times[i] <= t && times[i] + window > t;
	return c;
}

/*
 * Random arrivals (bursts and gaps, several limits and windows, the clock standing still at
 * times) against the definition: an event is allowed exactly when fewer than 'max' allowed ones
 * lie in the window ending at it.
 */
static void test_random_schedule_matches_definition(void **state)
{
	static const struct { unsigned max; uint64_t window; } cases[] = {
		{ 1, SEC }, { 3, 1000 }, { 20, SEC }, { NDP_RATE_MAX, 50000 },
	};
	uint64_t *allowed = calloc(4000, sizeof(*allowed));
	uint32_t seed = 12345;

	assert_non_null(allowed);
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct ndp_rate r;
		uint64_t t = T0;
		size_t n_allowed = 0;

		assert_int_equal(ndp_rate_init(&r, cases[k].max, cases[k].window), 0);
		for (unsigned i = 0; i < 4000; i++) {
			seed = seed * 1103515245u + 12345u;
			/* mostly close together, now and then a long gap, sometimes no time at all */
			uint32_t x = seed >> 8;
			t += x % 16 == 0 ? x % (3 * cases[k].window) :
			     x % 4 == 0 ? 0 : x % (cases[k].window / cases[k].max + 1);
			bool expect = allowed_in_window(allowed, n_allowed, t, cases[k].window) <
				      cases[k].max;
			bool got = ndp_rate_allow(&r, t);

			assert_int_equal(got, expect);
			if (got)
				allowed[n_allowed++] = t;
		}
		assert_true(n_allowed > cases[k].max);
		assert_true(n_allowed < 4000);
	}
	free(allowed);
}

/* A clock that went back is no time passing: nothing more is allowed for it. */
static void test_clock_back(void **state)
{
	struct ndp_rate r;

	assert_int_equal(ndp_rate_init(&r, 2, SEC), 0);
	assert_true(ndp_rate_allow(&r, T0));
	assert_true(ndp_rate_allow(&r, T0));
	assert_false(ndp_rate_allow(&r, T0 - 10 * SEC));
	assert_true(ndp_rate_allow(&r, T0 + SEC));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_budget_and_edges),
		cmocka_unit_test(test_no_double_burst_at_edge),
		cmocka_unit_test(test_flood),
		cmocka_unit_test(test_random_schedule_matches_definition),
		cmocka_unit_test(test_clock_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
