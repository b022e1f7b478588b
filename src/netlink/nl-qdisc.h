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
 * replacing whatever root qdisc was there (a tbf is changed in place). The burst holds 10 ms at
 * the rate and at least one full frame of the link (MTU + 18 bytes of Ethernet header and VLAN
 * tag; GSO packets beyond it are split into frames), the queue 50 ms more, so that TCP through
 * the link reaches within a few percent of the rate and, from 100 kbit/s up, never waits in the
 * queue past its minimum retransmission timeout (200 ms). Returns 0, -EINVAL, -ENODEV,
 * -EOPNOTSUPP when the kernel lacks sch_tbf, or -errno.
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

/*
 * Delays what link 'ifindex' sends by 'delay_usec' (> 0), varied by up to 'jitter_usec' either
 * way, and shapes it to 'rate_bps' bits per second (0 = no limit, else >= 8000) too, with a root
 * netem qdisc (replacing whatever root qdisc was there; a netem is changed in place). Its queue
 * holds 10,000 packets, enough for the delay at 1 Gbit/s of full frames. Returns 0, -EINVAL,
 * -ENODEV, -EOPNOTSUPP when the kernel lacks sch_netem, or -errno.
 */
int nl_netem_set(struct nl_sock *s, int ifindex, uint32_t delay_usec, uint32_t jitter_usec,
		 uint64_t rate_bps);

/*
 * Whether this kernel can make a netem qdisc at all: tries one on the loopback device of a
 * throwaway network namespace (made with unshare() on the calling thread, which is back in its
 * own namespace before this returns), so nothing of the caller's is touched. 1 = yes, 0 = no
 * (sch_netem missing), or -errno when the probe itself failed (no CAP_SYS_ADMIN, say).
 */
int nl_netem_probe(void);

#endif
