/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The networks of a lab: created as 'net create' creates one (definition saved and marked
 * running before the kernel is touched, so a restarted daemon brings them back like any other),
 * with a DHCP reservation per static nic (so port-security yes lets the node's address through)
 * and the lab's [forward] sections as the network's forwards; removed as 'net delete' removes one.
 */
#ifndef KN_DAEMON_LAB_LAB_NET_H
#define KN_DAEMON_LAB_LAB_NET_H

#include <stddef.h>

#include "config/conf-lab.h"

struct manager;

/*
 * Creates and starts network 'ln' of lab 'lc' (MACs of its static nics from lab_node_mac()).
 * Returns 0, or a negative errno with one line in 'err' and nothing left.
 */
int lab_net_create(struct manager *m, const struct lab_config *lc, const struct lab_network *ln,
		   char *err, size_t errlen);

/* Stops and deletes network 'name' (its definition, leases, rules): 0, -ENOENT, or -errno. */
int lab_net_delete(struct manager *m, const char *name, char *err, size_t errlen);

#endif
