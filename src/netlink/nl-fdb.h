/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Forwarding database entries of VXLAN devices (RTM_*NEIGH, family AF_BRIDGE, NTF_SELF): the
 * all-zeros flood entries that send broadcast, unknown unicast and multicast to each static
 * peer (as 'bridge fdb append 00:00:00:00:00:00 dev vx0 dst PEER'), and a dump of one device's
 * entries (the remote MACs an overlay knows).
 */
#ifndef KN_NETLINK_NL_FDB_H
#define KN_NETLINK_NL_FDB_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct nl_sock;

struct nl_fdb_entry {
	uint8_t mac[6];
	struct in_addr dst;    /* NDA_DST: the remote end; 0 if none */
	uint16_t state;        /* NUD_* */
	uint8_t flags;         /* NTF_* (NTF_SELF: the device's own table, NTF_EXT_LEARNED ...) */
	bool has_dst;
};

/*
 * Appends the flood entry 00:00:00:00:00:00 -> 'dst' to VXLAN device 'ifindex' (permanent,
 * NLM_F_CREATE|NLM_F_APPEND). Adding one that exists changes nothing and succeeds.
 */
int nl_fdb_flood_add(struct nl_sock *s, int ifindex, struct in_addr dst);
/* Removes that entry; -ENOENT if it is not there. */
int nl_fdb_flood_del(struct nl_sock *s, int ifindex, struct in_addr dst);

typedef int (*nl_fdb_fn)(const struct nl_fdb_entry *e, void *data);
/*
 * Calls 'cb' for each entry of device 'ifindex' itself (NTF_SELF: the VXLAN device's table,
 * not the bridge's entries for it as a port). The kernel filters by port, so the answer is that
 * device's entries only. A negative return from 'cb' stops and is returned.
 */
int nl_fdb_dump_dev(struct nl_sock *s, int ifindex, nl_fdb_fn cb, void *data);

#endif
