/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of vni-index.h. */
#include "daemon/overlay/vni-index.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/conf-network.h"

static unsigned vni_of(const struct network_config *c)
{
	return c->overlay.kind == NETWORK_OVERLAY_NONE ? 0 : (unsigned)c->overlay.vni;
}

void vni_index_done(struct vni_index *ix)
{
	int_map_done(&ix->map);
}

int vni_index_add(struct vni_index *ix, const struct network_config *c)
{
	unsigned vni = vni_of(c);

	/* the cast drops const only for storage: the index never writes through it */
	return vni ? int_map_put(&ix->map, (int)vni, (void *)c) : 0;
}

void vni_index_remove(struct vni_index *ix, const struct network_config *c)
{
	unsigned vni = vni_of(c);

	if (vni)
		int_map_remove(&ix->map, (int)vni, c);
}

int vni_index_moved(struct vni_index *ix, const struct network_config *c, unsigned old_vni)
{
	if (old_vni == vni_of(c))
		return 0;
	if (old_vni)
		int_map_remove(&ix->map, (int)old_vni, c);
	return vni_index_add(ix, c);
}

const struct network_config *vni_index_find(const struct vni_index *ix, unsigned vni)
{
	const struct network_config *o;

	if (vni == 0 || vni > NETWORK_VNI_MAX)
		return NULL;
	o = int_map_get(&ix->map, (int)vni);
	/* an entry always matches its definition (vni_index_moved()); checked all the same */
	return o && vni_of(o) == vni ? o : NULL;
}

int vni_index_check(const struct vni_index *ix, const struct network_config *c, const char *self,
		    char *err, size_t errlen)
{
	const struct network_config *o = vni_index_find(ix, vni_of(c));

	if (!o || (self && strcmp(o->name, self) == 0))
		return 0;
	snprintf(err, errlen, "vni %u is used by network '%s'", vni_of(c), o->name);
	return -EEXIST;
}
