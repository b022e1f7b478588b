/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packet loss of lab nics (docs/LABS.md, "nic.NET.loss"), in an nftables table of its own,
 * 'bridge kvmnet_lab', apart from the port policy of 'bridge kvmnet'. Pure rendering of nft
 * scripts plus the read-back of one nic's loss.
 *
 *   map loss { type ifname : verdict; }              the lossy nics' host ends
 *   chain out (hook postrouting, priority 0, policy accept)
 *     oifname vmap @loss                             one lookup per frame, whatever the number
 *   chain l_IFNAME                                   one per lossy nic
 *     numgen random mod 10000 < N counter drop       N = loss in hundredths of a percent
 *
 * The loss acts on frames the bridge sends out of the nic's host end (a veth or a tap): what the
 * node receives, forwarded or from the host alike, as the rate (tbf) and netem on that end do.
 * Changing one nic's loss is one chain and one map element; the rule set stays the same size.
 */
#ifndef KN_FIREWALL_FW_LAB_H
#define KN_FIREWALL_FW_LAB_H

#include <stdint.h>

struct fw_ctx;

#define FW_LAB_TABLE_NAME "kvmnet_lab"
#define FW_LAB_LOSS_MAX 10000   /* hundredths of a percent: 100 % */

/*
 * The script that sets the loss of the nic whose host end is 'ifname' to 'loss' hundredths of a
 * percent (1..FW_LAB_LOSS_MAX), creating the table, map and base chain when missing (idempotent:
 * the base chain's one rule is rewritten in the same transaction), or, with 'loss' 0, removes its
 * element and chain (whether or not they exist; the table stays). Returns 0, -ENOMEM, or -EINVAL
 * for an ifname kvmnet would not accept (ifname_is_valid()) or a loss over FW_LAB_LOSS_MAX;
 * '*ret' is malloc'd.
 */
int fw_lab_render_loss(const char *ifname, uint32_t loss, char **ret);

/* The script that deletes the whole table (and succeeds when it is absent). */
int fw_lab_render_reset(char **ret);

/*
 * Reads the loss installed for 'ifname' into '*ret' (0 = none, also when the table is absent),
 * from one 'list chain bridge kvmnet_lab l_IFNAME'. Returns 0, -EINVAL, -ENOMEM. Blocks.
 */
int fw_lab_loss_get(struct fw_ctx *ctx, const char *ifname, uint32_t *ret);

#endif
