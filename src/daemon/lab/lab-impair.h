/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Impairments of lab nics (docs/LABS.md): what a nic's "rate", "loss", "delay" and "jitter" make
 * of the host end of its veth or tap. Rate alone is a root tbf (netlink/nl-qdisc.h); a delay
 * (with its jitter, and the rate if any) a root netem instead, where the kernel has one; loss an
 * nftables rule in table bridge kvmnet_lab (firewall/fw-lab.h). All act on what the node
 * receives. Knows nothing of labs' records: the lab engine says which link and what is applied.
 */
#ifndef KN_DAEMON_LAB_LAB_IMPAIR_H
#define KN_DAEMON_LAB_LAB_IMPAIR_H

#include <stdbool.h>
#include <stddef.h>

#include "config/conf-lab.h"

struct fw_ctx;
struct nl_sock;

/* Whether 'imp' needs netem (a delay; jitter comes only with one). */
bool lab_impair_needs_netem(const struct lab_impair *imp);

/*
 * Whether this kernel can apply every impairment of lab 'c': with a delay on any nic, netem is
 * probed (nl_netem_probe(), a throwaway namespace: nothing of the host is touched, once per call).
 * Returns 0, or -EOPNOTSUPP with one line in 'err' ("node web: nic front: delay needs the
 * kernel's netem qdisc (sch_netem), which this kernel lacks"), or -errno of the probe.
 */
int lab_impair_check_lab(const struct lab_config *c, char *err, size_t errlen);

/* The same for one nic's impairments 'imp' ('node' and 'network' name it in the message). */
int lab_impair_check(const struct lab_impair *imp, const char *node, const char *network,
		     char *err, size_t errlen);

/*
 * Makes the host end 'ifname' (index 'ifindex') of a lab nic carry 'imp', where 'old' (NULL =
 * none) is what it carries now: the loss first (one nftables transaction), then the qdisc (one
 * netlink request: tbf, netem or none); when the qdisc fails, the loss goes back to 'old''s, so
 * the nic is left as it was. Changing only the loss leaves the qdisc alone and vice versa.
 * Returns 0 or -errno with one line in 'err' naming 'ifname' and what failed.
 */
int lab_impair_apply(struct nl_sock *nl, struct fw_ctx *fw, const char *ifname, int ifindex,
		     const struct lab_impair *old, const struct lab_impair *imp, char *err,
		     size_t errlen);

/*
 * Removes the loss of 'ifname' (its qdisc goes with the link, deleted by the caller). Succeeds
 * when there is none. Returns 0 or -errno.
 */
int lab_impair_remove(struct fw_ctx *fw, const char *ifname);

/* Deletes table bridge kvmnet_lab (when no lab is left). Returns 0 or -errno. */
int lab_impair_reset(struct fw_ctx *fw);

#endif
