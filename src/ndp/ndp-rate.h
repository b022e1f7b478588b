/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The limit on solicited router advertisements (docs/IPV6.md): at most 'max' answers in any span
 * of 'window_usec', however the solicitations are spread. A sliding log of the last 'max'
 * answers' times, so no burst across the edge of a fixed window doubles the rate. Pure: the
 * caller gives the clock, so ra-service uses it and tests drive it with a fake one.
 */
#ifndef KN_NDP_NDP_RATE_H
#define KN_NDP_NDP_RATE_H

#include <stdbool.h>
#include <stdint.h>

/* Largest 'max' a limiter takes (its log is this many times long). */
#define NDP_RATE_MAX 64

struct ndp_rate {
	uint64_t window_usec;
	unsigned max;                    /* 1..NDP_RATE_MAX */
	unsigned used;                   /* entries of 'at_usec' filled, up to 'max' */
	unsigned oldest;                 /* index of the earliest time once 'used' == 'max' */
	uint64_t at_usec[NDP_RATE_MAX];  /* when the last 'max' allowed events happened, a ring */
};

/*
 * Sets 'r' up to allow 'max' (1..NDP_RATE_MAX) events per 'window_usec' (> 0), none seen yet.
 * Returns 0 or -EINVAL ('r' untouched).
 */
int ndp_rate_init(struct ndp_rate *r, unsigned max, uint64_t window_usec);

/*
 * Whether an event at 'now_usec' (a monotonic clock, never going back) is allowed: true, and it is
 * counted, when fewer than 'max' allowed events happened in (now_usec - window_usec, now_usec];
 * false otherwise, and it is not counted. O(1).
 */
bool ndp_rate_allow(struct ndp_rate *r, uint64_t now_usec);

#endif
