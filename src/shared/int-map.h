/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A hash map from positive int keys (interface indexes) to borrowed pointers: open addressing
 * with linear probing, deletion by backward shift (no tombstones), grown at 1/2 full. For the
 * daemon's "which network owns this link" lookups on every netlink notification, which must not
 * walk every network.
 */
#ifndef KN_SHARED_INT_MAP_H
#define KN_SHARED_INT_MAP_H

#include <stddef.h>

struct int_map_slot {
	int key;       /* 0: empty */
	void *value;   /* borrowed */
};

struct int_map {
	struct int_map_slot *slots;   /* 'cap' of them, a power of two (or NULL while empty) */
	size_t cap, n;
};

/* Frees the slots of 'map' (not the values); the map is empty and usable again. */
void int_map_done(struct int_map *map);

/* Maps 'key' (> 0) to 'value' (not NULL), replacing what it mapped to. Returns 0 or -ENOMEM
 * (then the map is unchanged), -EINVAL for a key <= 0. */
int int_map_put(struct int_map *map, int key, void *value);

/* What 'key' maps to, NULL if nothing. */
void *int_map_get(const struct int_map *map, int key);

/* Removes 'key' if it maps to 'value' (any value if 'value' is NULL); nothing else. */
void int_map_remove(struct int_map *map, int key, const void *value);

#endif
