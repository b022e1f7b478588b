/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Port forwards in table inet kvmnet: two maps looked up once per packet however many forwards
 * exist, and the nat base chains that use them. Pure text generation, like fw-render.
 *
 *   map fwd_any  { type inet_proto . inet_service : ipv4_addr . inet_service; }
 *                  forwards on every local address (fib daddr type local)
 *   map fwd_addr { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }
 *                  forwards on one host address
 *   chain fwd_pre    (nat prerouting, dstnat): traffic from outside and from guests
 *   chain fwd_output (nat output, -100): the host's own connections (not to 127.0.0.0/8: a
 *                    loopback source cannot leave the host)
 *   hairpin          fw-render's postrouting chain: a DNATed packet from a guest sent back
 *                    out of its own bridge (oifname . ip saddr in fw-render's subnets_L, which
 *                    hold BRIDGE . NETWORK of every running nat and routed network) has its source
 *                    masqueraded, so replies come back through the host. (iifname is not
 *                    usable here: the kernel gives postrouting no input device for it.)
 *
 * A range of N host ports is N map elements, one per port, each onto the guest port at the same
 * offset. Adding or removing a forward is element operations only.
 */
#ifndef KN_FIREWALL_FW_FORWARD_H
#define KN_FIREWALL_FW_FORWARD_H

#include <stdbool.h>
#include <stddef.h>

#include "shared/in-addr-util.h"

struct network_forward;
struct network_forwards;

/* What the start-up script needs of one running network. */
struct fw_forward_network {
	const struct network_forwards *forwards;   /* borrowed; may be NULL */
};

/*
 * The script that creates the maps and base chains if missing and (re)writes the chains' rules
 * (flush + add, within one transaction), empties both maps, and adds the forwards' elements of
 * each of the 'n' networks 'nets' (the hairpin needs none: fw-render's subnets_L have them): the script the
 * daemon runs once at start-up, replacing whatever an earlier run left in one transaction.
 * Returns 0, -ENOMEM, -EINVAL (a forward or bridge name that cannot be rendered); '*ret' is
 * malloc'd.
 */
int fw_forward_render_sync(const struct fw_forward_network *nets, size_t n, char **ret);

/*
 * The script that adds (or, with 'delete', removes) the map elements of forward 'f', one per
 * host port, and nothing else. Removing succeeds whether or not the elements were there (they
 * are added first in the same transaction). Adding an element that is already there with the same guest
 * address and port is a no-op; with a different one the script fails (EEXIST). Returns 0,
 * -ENOMEM, or -EINVAL for a forward that network_forward_finish() would refuse; '*ret' is
 * malloc'd.
 */
int fw_forward_render_elements(const struct network_forward *f, bool delete, char **ret);

#endif
