/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of vni-index.h. */
#include "daemon/overlay/vni-index.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-network.h"

static unsigned vni_of(const struct network_config *c)
{
	return c->overlay.kind == NETWORK_OVERLAY_NONE ? 0 : (unsigned)c->overlay.vni;
}

/*
 * The definitions of one VNI: one, except after start-up loaded hand-edited definitions that
 * share it (manager_startup() starts only the first); kept all, so that none is forgotten when
 * another of them goes.
 */
struct vni_bucket {
	size_t n, cap;
	const struct network_config *defs[];
};

static void vni_bucket_free(struct int_map *map, int key)
{
	free(int_map_get(map, key));
	int_map_remove(map, key, NULL);
}

void vni_index_done(struct vni_index *ix)
{
	for (size_t i = 0; i < ix->map.cap; i++)
		free(ix->map.slots[i].value);
	int_map_done(&ix->map);
}

int vni_index_add(struct vni_index *ix, const struct network_config *c)
{
	unsigned vni = vni_of(c);
	struct vni_bucket *b, *nb;

	if (!vni)
		return 0;
	b = int_map_get(&ix->map, (int)vni);
	if (b && b->n < b->cap) {
		b->defs[b->n++] = c;
		return 0;
	}
	nb = realloc(b, sizeof(*nb) + (b ? 2 * b->cap : 1) * sizeof(nb->defs[0]));
	if (!nb)
		return -ENOMEM;
	if (!b)
		*nb = (struct vni_bucket){ .cap = 1 };
	else
		nb->cap *= 2;
	nb->defs[nb->n++] = c;
	if (int_map_put(&ix->map, (int)vni, nb) < 0) {
		/* only a new key can fail (no memory for the slots): nothing else holds 'nb' */
		free(nb);
		return -ENOMEM;
	}
	return 0;
}

static void vni_index_drop(struct vni_index *ix, const struct network_config *c, unsigned vni)
{
	struct vni_bucket *b = vni ? int_map_get(&ix->map, (int)vni) : NULL;

	for (size_t i = 0; b && i < b->n; i++)
		if (b->defs[i] == c) {
			memmove(b->defs + i, b->defs + i + 1, (b->n - i - 1) * sizeof(b->defs[0]));
			if (--b->n == 0)
				vni_bucket_free(&ix->map, (int)vni);
			return;
		}
}

void vni_index_remove(struct vni_index *ix, const struct network_config *c)
{
	vni_index_drop(ix, c, vni_of(c));
}

int vni_index_moved(struct vni_index *ix, const struct network_config *c, unsigned old_vni)
{
	if (old_vni == vni_of(c))
		return 0;
	vni_index_drop(ix, c, old_vni);
	return vni_index_add(ix, c);
}

const struct network_config *vni_index_find(const struct vni_index *ix, unsigned vni)
{
	const struct vni_bucket *b;

	if (vni == 0 || vni > NETWORK_VNI_MAX)
		return NULL;
	b = int_map_get(&ix->map, (int)vni);
	return b ? b->defs[0] : NULL;
}

int vni_index_check(const struct vni_index *ix, const struct network_config *c, const char *self,
		    char *err, size_t errlen)
{
	unsigned vni = vni_of(c);
	const struct vni_bucket *b = vni ? int_map_get(&ix->map, (int)vni) : NULL;

	for (size_t i = 0; b && i < b->n; i++)
		if (!self || strcmp(b->defs[i]->name, self) != 0) {
			snprintf(err, errlen, "vni %u is used by network '%s'", vni,
				 b->defs[i]->name);
			return -EEXIST;
		}
	return 0;
}
