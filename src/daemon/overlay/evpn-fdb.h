/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What an EVPN overlay learned through BGP, as FRR's zebra put it in the VXLAN device's own
 * forwarding table: the remote VTEPs (zebra's all-zeros flood entries, from type-3 routes) and
 * the remote MACs (extern_learn entries, from type-2 routes). Read for 'net show' with one
 * request for that one device, filtered by the kernel (nl_fdb_dump_dev()).
 */
#ifndef KN_DAEMON_OVERLAY_EVPN_FDB_H
#define KN_DAEMON_OVERLAY_EVPN_FDB_H

#include <jansson.h>

struct nl_sock;

/* Most remote MACs listed by one 'net show' (the rest are counted in "remote-macs-omitted"). */
#define EVPN_FDB_JSON_MACS_MAX 4096

/*
 * Sets "peers" (the remote VTEPs, sorted) and "remote-macs" ([{"mac", "vtep"}], in the
 * kernel's order) on overlay object 'ov' from VXLAN device 'ifindex' (0 while the network is
 * down: both empty). 0, -ENOMEM, or the dump's -errno.
 */
int evpn_fdb_to_json(struct nl_sock *nl, int ifindex, json_t *ov);

#endif
