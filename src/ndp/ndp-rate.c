/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of ndp-rate.h. */
#include "ndp-rate.h"

#include <errno.h>
#include <string.h>

int ndp_rate_init(struct ndp_rate *r, unsigned max, uint64_t window_usec)
{
	if (!r || max == 0 || max > NDP_RATE_MAX || window_usec == 0)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->max = max;
	r->window_usec = window_usec;
	return 0;
}

bool ndp_rate_allow(struct ndp_rate *r, uint64_t now_usec)
{
	if (r->used < r->max) {
		r->at_usec[r->used++] = now_usec;
		return true;
	}
	/*
	 * The log is full: the event 'max' allowed events ago must have left the window. (A clock
	 * that went back counts as no time passed.)
	 */
	if (now_usec < r->at_usec[r->oldest] ||
	    now_usec - r->at_usec[r->oldest] < r->window_usec)
		return false;
	r->at_usec[r->oldest] = now_usec;
	r->oldest = (r->oldest + 1) % r->max;
	return true;
}
