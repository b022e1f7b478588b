/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shaping of what a link sends, with tc through rtnetlink (RTM_*QDISC): a root 'tbf' qdisc. On a
 * guest's tap that is the traffic *to* the guest (libvirt's <bandwidth inbound>). Traffic *from*
 * the guest is policed by nftables in the port policy (fw-port.h: a limit object per port), which
 * needs no tc action modules (act_police, cls_matchall): kernels without them are common.
 */
#ifndef KN_NETLINK_NL_QDISC_H
#define KN_NETLINK_NL_QDISC_H

#include <stdint.h>

struct nl_sock;

/*
 * Shapes what link 'ifindex' sends to 'rate_bps' bits per second (>= 8000) with a root tbf,
 * replacing whatever root qdisc was there (a tbf is changed in place). The burst holds at least
 * 10 ms at the rate and two 64 KiB GSO packets, the queue 50 ms more, so that TCP through the
 * link reaches within a few percent of the rate. Returns 0, -EINVAL, -ENODEV, -EOPNOTSUPP when
 * the kernel lacks sch_tbf, or -errno.
 */
int nl_rate_limit_set(struct nl_sock *s, int ifindex, uint64_t rate_bps);

/* Removes the root qdisc of 'ifindex' (whatever it is); 0 also when there was none. -ENODEV. */
int nl_rate_limit_clear(struct nl_sock *s, int ifindex);

/*
 * Reads the limit back: '*ret_bps' = the root tbf qdisc's rate, 0 when there is none (or the
 * root qdisc is something else). tc counts whole bytes per second, so a rate set that is not a
 * multiple of 8 reads back rounded down to one. Returns 0, -ENODEV or -errno.
 */
int nl_rate_limit_get(struct nl_sock *s, int ifindex, uint64_t *ret_bps);

#endif
