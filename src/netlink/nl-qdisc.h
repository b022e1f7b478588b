/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rate limits on a guest's port with tc, through rtnetlink (RTM_*QDISC, RTM_*TFILTER), the way
 * libvirt's <bandwidth> does it: traffic *to* the guest (the tap's egress) is shaped by a root
 * 'tbf' qdisc; traffic *from* the guest (the tap's ingress) is policed by an 'ingress' qdisc
 * holding a 'matchall' filter with a 'police' action that drops what exceeds the rate.
 */
#ifndef KN_NETLINK_NL_QDISC_H
#define KN_NETLINK_NL_QDISC_H

#include <stdint.h>

struct nl_sock;

/*
 * Limits both directions of link 'ifindex' to 'rate_bps' bits per second (>= 8000), replacing
 * whatever qdiscs kvmnet (or anyone) put there before. Bursts are sized so that TCP through the
 * link reaches within a few percent of the rate (GSO packets of 64 KiB included: the policer's
 * MTU is 64 KiB). All or nothing: on failure the link has no limit at all. Returns 0, -EINVAL,
 * -ENODEV, -EOPNOTSUPP when the kernel lacks sch_tbf, sch_ingress, cls_matchall or act_police,
 * or -errno.
 */
int nl_rate_limit_set(struct nl_sock *s, int ifindex, uint64_t rate_bps);

/* Removes the root and ingress qdiscs of 'ifindex'; 0 also when there were none. */
int nl_rate_limit_clear(struct nl_sock *s, int ifindex);

/*
 * Reads the limit back: '*ret_bps' = the root tbf qdisc's rate, 0 when there is none (or the
 * root qdisc is something else). Returns 0, -ENODEV or -errno.
 */
int nl_rate_limit_get(struct nl_sock *s, int ifindex, uint64_t *ret_bps);

#endif
