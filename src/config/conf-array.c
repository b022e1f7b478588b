/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The growable sorted arrays of [host], [port] and [dns-record] items (conf-network-internal.h). */
#include <stdlib.h>
#include <string.h>

#include "config/conf-network-internal.h"

size_t conf_array_capacity(size_t n)
{
	size_t c = 1;

	if (n == 0)
		return 0;
	while (c < n)
		c <<= 1;
	return c;
}

void *conf_array_grow(void *items, size_t n, size_t size)
{
	if (n < conf_array_capacity(n))
		return items;
	return realloc(items, (n ? 2 * n : 1) * size);
}

void *conf_array_dup(const void *items, size_t n, size_t size)
{
	void *copy = calloc(conf_array_capacity(n), size);

	if (copy)
		memcpy(copy, items, n * size);
	return copy;
}
