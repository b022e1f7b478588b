/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's VNIs in use: VNI -> the definition of the network that has it (shared/int-map.h),
 * so the "vni N is used by network X" refusal is one hash lookup, not a walk over every network.
 * The manager keeps it with its list of networks (manager_add_network(), removal, a redefinition);
 * pure, no I/O, so test-vni-index drives it directly.
 */
#ifndef KN_DAEMON_OVERLAY_VNI_INDEX_H
#define KN_DAEMON_OVERLAY_VNI_INDEX_H

#include <stddef.h>

#include "shared/int-map.h"

struct network_config;

struct vni_index {
	struct int_map map;   /* VNI -> its definitions (a bucket, owned; the definitions borrowed:
			       * &network->config), more than one only for hand-edited definitions */
};

/* Frees the index's memory (not the definitions); it is empty and usable again. */
void vni_index_done(struct vni_index *ix);

/*
 * Indexes 'c' (borrowed: it must stay where it is until vni_index_remove()) by its VNI; nothing
 * for a definition without an overlay. Returns 0 or -ENOMEM (then nothing changed).
 */
int vni_index_add(struct vni_index *ix, const struct network_config *c);

/*
 * Drops 'c' from the index, by the VNI 'c' has now (call it before 'c' changes or goes); an
 * entry of another definition is left alone.
 */
void vni_index_remove(struct vni_index *ix, const struct network_config *c);

/*
 * The definition at 'c' was replaced in place (a redefinition, after the copy): re-indexes it
 * from 'old_vni' (0: it had no overlay) to the VNI it has now. Returns 0 or -ENOMEM (the old
 * entry is gone then and the new one missing: the caller logs it).
 */
int vni_index_moved(struct vni_index *ix, const struct network_config *c, unsigned old_vni);

/* The definition that has VNI 'vni' (1..16777215; the first indexed if several), NULL if none. */
const struct network_config *vni_index_find(const struct vni_index *ix, unsigned vni);

/*
 * Refuses 'c' when another network (not the one named 'self', which 'c' redefines; NULL for a new
 * network) has its VNI: -EEXIST with "vni N is used by network 'X'" in 'err'. 0 otherwise.
 */
int vni_index_check(const struct vni_index *ix, const struct network_config *c, const char *self,
		    char *err, size_t errlen);

#endif
