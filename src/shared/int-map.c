/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of int-map.h. */
#include "shared/int-map.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

static size_t int_map_hash(int key, size_t cap)
{
	/* Fibonacci hashing: interface indexes come in runs, which must not share a cluster */
	return (size_t)(((uint32_t)key * UINT32_C(2654435769)) >> 8) & (cap - 1);
}

static struct int_map_slot *int_map_find(const struct int_map *map, int key)
{
	if (map->cap == 0)
		return NULL;
	for (size_t i = int_map_hash(key, map->cap);; i = (i + 1) & (map->cap - 1)) {
		if (map->slots[i].key == key)
			return &map->slots[i];
		if (map->slots[i].key == 0)
			return NULL;
	}
}

static void int_map_insert(struct int_map_slot *slots, size_t cap, int key, void *value)
{
	size_t i = int_map_hash(key, cap);

	while (slots[i].key != 0 && slots[i].key != key)
		i = (i + 1) & (cap - 1);
	slots[i].key = key;
	slots[i].value = value;
}

void int_map_done(struct int_map *map)
{
	free(map->slots);
	*map = (struct int_map){ 0 };
}

int int_map_put(struct int_map *map, int key, void *value)
{
	struct int_map_slot *s;

	if (key <= 0 || !value)
		return -EINVAL;
	s = int_map_find(map, key);
	if (s) {
		s->value = value;
		return 0;
	}
	if (2 * (map->n + 1) > map->cap) {
		size_t cap = map->cap ? 2 * map->cap : 16;
		struct int_map_slot *slots = calloc(cap, sizeof(*slots));

		if (!slots)
			return -ENOMEM;
		for (size_t i = 0; i < map->cap; i++)
			if (map->slots[i].key != 0)
				int_map_insert(slots, cap, map->slots[i].key, map->slots[i].value);
		free(map->slots);
		map->slots = slots;
		map->cap = cap;
	}
	int_map_insert(map->slots, map->cap, key, value);
	map->n++;
	return 0;
}

void *int_map_get(const struct int_map *map, int key)
{
	const struct int_map_slot *s = key > 0 ? int_map_find(map, key) : NULL;

	return s ? s->value : NULL;
}

void int_map_remove(struct int_map *map, int key, const void *value)
{
	struct int_map_slot *s = key > 0 ? int_map_find(map, key) : NULL;
	size_t mask = map->cap - 1, hole;

	if (!s || (value && s->value != value))
		return;
	/* Backward shift: every entry after the hole, up to the next empty slot, moves into the
	 * hole unless its home slot lies cyclically after the hole (then it is where it must be). */
	hole = (size_t)(s - map->slots);
	for (size_t i = (hole + 1) & mask; map->slots[i].key != 0; i = (i + 1) & mask) {
		size_t home = int_map_hash(map->slots[i].key, map->cap);

		if (((i - home) & mask) >= ((i - hole) & mask)) {
			map->slots[hole] = map->slots[i];
			hole = i;
		}
	}
	map->slots[hole] = (struct int_map_slot){ 0 };
	map->n--;
}
